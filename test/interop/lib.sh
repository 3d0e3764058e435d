# Harness of the interop tests: charon.sh, skips without the tools, a work
# folder and two network namespaces removed at exit, ok/bad counters.
# Sourced by each test; IPSEC_SIM is set by ctest.
#
#   interop_require TOOL...   exit 77 (ctest's skip) unless every TOOL is there
#   interop_setup PREFIX      exit 77 unless network namespaces can be made;
#                             $W (a work folder, with $W/charon for charon),
#                             $A and $B (namespace names: ours and charon's);
#                             at exit kills $PEER, $CAP and
#                             $SIM if set, stops charon in $W/charon, deletes
#                             the namespaces and $W (KEEP=1 keeps $W's logs,
#                             keys and captures for a look)
#   ok WHAT / bad WHAT        count a check that passed / failed
#   interop_finish            "N passed, M failed"; fails if any failed or
#                             a log in $W holds a sanitizer report
#   established               charon in $W/charon has installed Child SA net
#   charon_key KEY            the last KEY that charon logged (charon_log_key)
#   ike_keys_equal KEYS_DIR   our newest SK_ei and SK_er equal charon's last
#   child_keys_equal ROLE LOG KEYS_DIR  our newest Child SA's keys equal
#                             charon's last (ROLE: ours in the exchange)
#   pki KIND, charon_certs    X.509 certificates for both sides (openssl CLI),
#                             charon's beside its swanctl.conf
set -eu
. "$(dirname "$0")/charon.sh"
: "${IPSEC_SIM:?}"
fails=0
checks=0

interop_require() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "SKIP: $tool is not installed (scripts/bootstrap.sh installs it)"
			exit 77
		fi
	done
}

interop_cleanup() {
	for pid in "${PEER:-}" "${CAP:-}" "${SIM:-}"; do
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	charon_stop "$W/charon"
	netns_cleanup "$A" "$B"
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}

interop_setup() {
	if ! unshare --net true 2>/dev/null; then
		echo "SKIP: cannot create network namespaces here (needs root: CAP_SYS_ADMIN, CAP_NET_ADMIN)"
		exit 77
	fi
	W=$(mktemp -d)
	mkdir -p "$W/charon"
	A=$1-a$$
	B=$1-b$$
	trap interop_cleanup EXIT
}

ok() {
	checks=$((checks + 1))
	echo "ok: $1"
}
bad() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "FAIL: $1"
}

interop_finish() {
	# under ipsec-sim-asan (the *_asan tests): a report in any of our logs,
	# also from a peer that was killed or whose status was not looked at
	if grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$W"/*.log 2>/dev/null; then
		bad "a sanitizer report in the logs above"
	fi
	echo "$((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}

established() { charon_swanctl "$W/charon" --list-sas 2>/dev/null | grep -q "net.*INSTALLED"; }
charon_key() { charon_log_key "$W/charon" "$1"; }

# esp_key out|in LOG KEYS_DIR: the key (hex, with the salt) of the Child SA
# that `ipsec-sim peer` logged last in LOG, our outbound or inbound SA, as
# KEYS_DIR/keys/esp_sa has it.  By SPI: the rows of UDP-encapsulated SAs
# (kernel-libipsec always encapsulates) say "*" for the addresses.
esp_key() {
	spi=$(grep -o "child_keys .*spi_in=[0-9a-f]* spi_out=[0-9a-f]*" "$2" | tail -1 |
		sed -n "s/.*spi_$1=\([0-9a-f]*\).*/\1/p")
	[ -n "$spi" ] && grep -i "\"0x$spi\"" "$3/keys/esp_sa" | tail -1 | cut -d, -f6 | tr -d '"' |
		sed 's/^0x//'
}

# ike_keys_equal KEYS_DIR: the newest IKE SA's SK_ei and SK_er in
# KEYS_DIR/keys/ikev2_decryption_table equal the last ones charon logged.
ike_keys_equal() {
	line=$(tail -1 "$1/keys/ikev2_decryption_table" 2>/dev/null || true)
	[ -n "$line" ] && [ "$(echo "$line" | cut -d, -f3)" = "$(charon_key Sk_ei\ secret)" ] &&
		[ "$(echo "$line" | cut -d, -f4)" = "$(charon_key Sk_er\ secret)" ]
}

# child_keys_equal initiator|responder LOG KEYS_DIR: the keys (key || salt)
# of the Child SA that `ipsec-sim peer` logged last in LOG, both directions,
# equal the last `encryption initiator/responder key` charon logged; ROLE is
# ours in the exchange that made the Child SA (RFC 7296 §2.17: KEYMAT gives
# the initiator-to-responder SA's keys first).
child_keys_equal() {
	if [ "$1" = initiator ]; then i=out r=in; else i=in r=out; fi
	ki=$(esp_key "$i" "$2" "$3")
	kr=$(esp_key "$r" "$2" "$3")
	[ -n "$ki" ] && [ "$ki" = "$(charon_key "encryption initiator key")" ] &&
		[ -n "$kr" ] && [ "$kr" = "$(charon_key "encryption responder key")" ]
}

# pki KIND: a CA and the two end-entity certificates in $W/pki; KIND rsa
# (RSA-2048), rsa4096 or ecdsa (P-256, charon's P-384).
pki() {
	d="$W/pki"
	rm -rf "$d"
	mkdir -p "$d"
	if [ "$1" = rsa ] || [ "$1" = rsa4096 ]; then
		bits=2048
		[ "$1" = rsa ] || bits=4096
		ca="rsa:$bits" sim="rsa:$bits" charon="rsa:$bits"
	else
		ca="ec -pkeyopt ec_paramgen_curve:P-256" sim="$ca"
		charon="ec -pkeyopt ec_paramgen_curve:P-384"
	fi
	# shellcheck disable=SC2086
	openssl req -x509 -newkey $ca -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 3650 \
		-subj "/C=CH/O=interop/CN=Interop CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	for who in sim charon; do
		eval "k=\$$who"
		# shellcheck disable=SC2086
		openssl req -newkey $k -nodes -keyout "$d/$who.key" -out "$d/$who.csr" \
			-subj "/C=CH/O=interop/CN=$who" 2>/dev/null
		printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:%s.example\n' "$who" >"$d/$who.ext"
		openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-set_serial "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')" -days 365 \
			-extfile "$d/$who.ext" -out "$d/$who.pem" 2>/dev/null
	done
}

# charon_certs: its certificate, key and our CA beside swanctl.conf.
charon_certs() {
	c="$W/charon"
	mkdir -p "$c/x509" "$c/x509ca" "$c/private"
	cp "$W/pki/charon.pem" "$c/x509/"
	cp "$W/pki/charon.key" "$c/private/"
	cp "$W/pki/ca.pem" "$c/x509ca/"
	charon_conf "$c" pubkey 10.99.0.1
}
