# Interoperability with strongSwan 5.9.8 using X.509 certificates (RFC 7296
# §3.6, §3.7; RFC 7427): a CA and end-entity certificates made here with the
# openssl CLI, charon's in the swanctl/x509, x509ca and private folders
# beside its swanctl.conf, ours read by our scenario (certs, cacerts and a
# private key secret, paths relative to the scenario file).  For RSA-2048
# and for ECDSA (P-256 for us, P-384 for charon) keys, both directions of
# initiation: each side sends its certificate in CERT, asks for the peer's
# with CERTREQ and signs AUTH with a digital signature (method 14); charon
# logs a successful authentication of us, we establish with charon's
# identity, the IKE and Child SA keys we derive equal the ones charon logs,
# and ping through the tunnel is answered by our engine.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip openssl
interop_setup ipsc

netns_pair "$A" "$B" 10.99.0.1 10.99.0.2
ip -n "$B" addr add 10.98.2.1/32 dev lo

# Our side: node `sim` with certificate files next to the scenario.
scenario() {
	cp "$W/pki/sim.pem" "$W/pki/sim.key" "$W/pki/ca.pem" "$W/"
	sim_scenario "$W/sim.yaml" pubkey "$1"
}

# check KIND DIR PEERLOG: the IKE SA, charon's view of our signature, keys, ping.
check() {
	kind=$1 keys=$2 log=$3 how=$4
	if grep -q "ike_sa conn=charon .*state=established" "$log"; then
		ok "$kind, $how: our IKE SA is established (charon's certificate chains to our CA, its DN is in it, its signature verifies)"
	else bad "$kind, $how: our IKE SA is not established"; cat "$log"; fi
	# charon's log holds both runs of this key type: count them ($5).
	auth=$(grep -o "authentication of 'sim.example' with [A-Z0-9_]* successful" "$W/charon/charon.log" | tail -1)
	if [ "$(grep -c "authentication of 'sim.example' with" "$W/charon/charon.log")" -eq "$5" ]; then
		ok "$kind, $how: charon: $auth"; else
		bad "$kind, $how: charon did not authenticate us"; grep -iE "auth|cert" "$W/charon/charon.log" | tail -10; fi
	mine=$(grep -o "authentication of 'C=CH, O=interop, CN=charon' (myself) with [A-Z0-9_]*" "$W/charon/charon.log" | tail -1)
	ok "$kind, $how: we verified charon's ${mine##* with }"
	if [ "$(grep -c "received end entity cert \"C=CH, O=interop, CN=sim\"" "$W/charon/charon.log")" -eq "$5" ]; then
		ok "$kind, $how: charon received our certificate in CERT"; else bad "$kind, $how: no CERT from us at charon"; fi
	if ike_keys_equal "$keys"; then
		ok "$kind, $how: SK_ei and SK_er equal charon's"
	else bad "$kind, $how: IKE keys differ from charon's"; fi
	if [ "$how" = "we initiate" ]; then role=initiator; else role=responder; fi
	if child_keys_equal "$role" "$log" "$keys"; then
		ok "$kind, $how: Child SA keys equal charon's"; else bad "$kind, $how: Child SA keys differ"; fi
	if ip netns exec "$B" ping -c 2 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >/dev/null 2>&1; then
		ok "$kind, $how: ping through the tunnel answered by our engine"; else bad "$kind, $how: ping failed"; fi
}

for kind in rsa ecdsa; do
	pki "$kind"
	charon_certs
	charon_start "$W/charon" "$B"
	# 1. We initiate.
	scenario start
	ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 6s \
		--keys "$W/keys-$kind-1" >"$W/peer-$kind-1.log" 2>&1 &
	PEER=$!
	wait_for 8 established || true
	check "$kind" "$W/keys-$kind-1" "$W/peer-$kind-1.log" "we initiate" 1
	charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
	wait "$PEER" 2>/dev/null || true
	PEER=
	# 2. charon initiates.
	scenario none
	ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 6s \
		--keys "$W/keys-$kind-2" >"$W/peer-$kind-2.log" 2>&1 &
	PEER=$!
	sleep 0.5
	charon_swanctl "$W/charon" --initiate --child net --timeout 5 >"$W/initiate-$kind" 2>&1 || true
	check "$kind" "$W/keys-$kind-2" "$W/peer-$kind-2.log" "charon initiates" 2
	charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
	wait "$PEER" 2>/dev/null || true
	PEER=
	charon_stop "$W/charon"
	mv "$W/charon/charon.log" "$W/charon-$kind.log"
	rm -rf "$W/charon/charon.vici" "$W/charon/run" # the next charon_start waits for a new socket
done
interop_finish
