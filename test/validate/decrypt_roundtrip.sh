# validate_decrypt_roundtrip: `ipsec-sim decrypt` (the engine's own ESP code,
# keyed from our Wireshark esp_sa export) turns the site-to-site capture
# between the gateways into clear packets that tshark reads: as many inner
# UDP/ICMP packets as there were ESP packets, none dropped.
. "$(dirname "$0")/lib.sh"
need "command -v tshark" "tshark"
run_scenario site-to-site

in=$(ls "$WORK"/pcap/*-gwA-*.pcap | while read -r f; do
	n=$(tshark -n -r "$f" -Y esp 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && echo "$f" && break
done)
[ -n "$in" ] || fail "no gwA capture with ESP packets"
esp=$(tshark -n -r "$in" -Y esp 2>/dev/null | wc -l)
all=$(tshark -n -r "$in" 2>/dev/null | wc -l)
out="$WORK/decrypted.pcap"
summary=$("$IPSEC_SIM" decrypt --esp-sa "$WORK/keys/esp_sa" "$in" "$out") ||
	fail "ipsec-sim decrypt exited $?"
echo "$(basename "$in"): $esp ESP packets of $all; decrypt: $summary"
echo "$summary" | grep -Eq "^decrypted $esp, passed $((all - esp)), dropped 0 \(no_sa=0, icv_fail=0\)$" ||
	fail "unexpected summary: $summary"

# LINKTYPE_RAW, same number of packets, same timestamps, no ESP left.
enc=$(tshark -n -r "$out" -T fields -e frame.encap_type 2>/dev/null | sort -u)
[ "$enc" = "7" ] || fail "output encapsulation is '$enc', expected 7 (raw IP)"
[ "$(tshark -n -r "$out" 2>/dev/null | wc -l)" -eq "$all" ] || fail "output packet count differs"
tshark -n -r "$in" -T fields -e frame.time_epoch 2>/dev/null >"$WORK/t.in"
tshark -n -r "$out" -T fields -e frame.time_epoch 2>/dev/null >"$WORK/t.out"
cmp -s "$WORK/t.in" "$WORK/t.out" || fail "timestamps differ between input and output"
[ "$(tshark -n -r "$out" -Y esp 2>/dev/null | wc -l)" -eq 0 ] || fail "ESP left in the output"
inner=$(tshark -n -r "$out" -Y "(udp || icmp) && ip.src == 10.0.0.0/8 && ip.dst == 10.0.0.0/8" 2>/dev/null | wc -l)
[ "$inner" -eq "$esp" ] || fail "$inner inner UDP/ICMP packets in the output, expected $esp"
# The inner packets as tshark itself decrypts them: byte for byte the same.
fields="-E occurrence=l -e ip.src -e ip.dst -e ip.len -e ip.id -e ip.ttl -e ip.proto -e data.data"
# shellcheck disable=SC2086
HOME="$WORK/keys-home" tshark -n -r "$in" -Y esp -T fields $fields >"$WORK/p.tshark" 2>"$WORK/p.err" ||
	{ cat "$WORK/p.err" >&2; fail "tshark failed"; }
# shellcheck disable=SC2086
tshark -n -r "$out" -T fields $fields >"$WORK/p.ours" 2>"$WORK/p.err" ||
	{ cat "$WORK/p.err" >&2; fail "tshark failed"; }
[ -s "$WORK/p.ours" ] || fail "no fields extracted"
cmp -s "$WORK/p.tshark" "$WORK/p.ours" ||
	fail "inner packets differ between tshark's decryption and ours (diff $WORK/p.tshark $WORK/p.ours)"

# Bad keys: every packet fails the ICV, the command still exits 0.
sed 's/"0x4a4b/"0x4a4c/' "$WORK/keys/esp_sa" >"$WORK/esp_sa.bad"
summary=$("$IPSEC_SIM" decrypt --esp-sa "$WORK/esp_sa.bad" "$in" "$WORK/bad.pcap") ||
	fail "decrypt with a wrong key exited $?"
echo "wrong key for SPI 0x1001: $summary"
echo "$summary" | grep -Eq "^decrypted [0-9]+, passed $((all - esp)), dropped [1-9][0-9]* \(no_sa=0, icv_fail=[1-9]" ||
	fail "a wrong key did not give icv_fail drops: $summary"
# Usage and file errors exit 2.
set +e
"$IPSEC_SIM" decrypt "$in" "$WORK/x.pcap" 2>/dev/null
[ $? -eq 2 ] || fail "missing --esp-sa did not exit 2"
"$IPSEC_SIM" decrypt --esp-sa "$WORK/nonexistent" "$in" "$WORK/x.pcap" 2>/dev/null
[ $? -eq 2 ] || fail "missing esp_sa file did not exit 2"
printf '"IPv4","1.2.3"\n' >"$WORK/esp_sa.broken"
msg=$("$IPSEC_SIM" decrypt --esp-sa "$WORK/esp_sa.broken" "$in" "$WORK/x.pcap" 2>&1)
[ $? -eq 2 ] || fail "broken esp_sa file did not exit 2"
echo "$msg" | grep -q "esp_sa.broken:1: expected 8 fields, found 2" || fail "message: $msg"
set -e

# The LAN side of gwA (no ESP): everything passes through unchanged.
lan=$(ls "$WORK"/pcap/*-hostA-*.pcap | head -1)
nlan=$(tshark -n -r "$lan" 2>/dev/null | wc -l)
summary=$("$IPSEC_SIM" decrypt --esp-sa "$WORK/keys/esp_sa" "$lan" "$WORK/lan.pcap")
echo "$summary" | grep -q "^decrypted 0, passed $nlan, dropped 0 " || fail "plain capture: $summary"

# Transport mode (AES-CBC + HMAC-SHA-256-128): --mode auto finds it, --mode
# tunnel refuses it (the payload is not an IPv4 packet).
TEST_NAME="$TEST_NAME-transport"
s2s_esp=$esp
run_scenario host-to-host-esp-transport
in=$(ls "$WORK"/pcap/*-hostA-*.pcap | head -1)
esp=$(tshark -n -r "$in" -Y esp 2>/dev/null | wc -l)
[ "$esp" -gt 0 ] || fail "no ESP in $in"
for mode in auto transport; do
	summary=$("$IPSEC_SIM" decrypt --mode $mode --esp-sa "$WORK/keys/esp_sa" "$in" "$WORK/$mode.pcap")
	echo "$(basename "$in") --mode $mode: $summary"
	echo "$summary" | grep -q "^decrypted $esp, passed 0, dropped 0 " || fail "transport, --mode $mode: $summary"
	# The rebuilt header's checksum and the restored UDP/ICMP checksums hold.
	n=$(tshark -n -r "$WORK/$mode.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-Y "(udp || icmp) && ip.checksum.status == 1 && !(udp.checksum.status == 0) && !(icmp.checksum.status == 0)" \
		2>/dev/null | wc -l)
	[ "$n" -eq "$esp" ] || fail "transport, --mode $mode: $n clear UDP/ICMP packets with good checksums, expected $esp"
done
# "*" rows (keys.c writes them for UDP-encapsulated SAs): the same packets,
# each with its own destination, not the placeholder the SA is found under.
sed -E 's/^("IPv4"),"[^"]*","[^"]*"/\1,"*","*"/' "$WORK/keys/esp_sa" >"$WORK/esp_sa.any"
summary=$("$IPSEC_SIM" decrypt --esp-sa "$WORK/esp_sa.any" "$in" "$WORK/any.pcap")
echo "$summary" | grep -q "^decrypted $esp, passed 0, dropped 0 " || fail "transport, '*' rows: $summary"
cmp -s "$WORK/auto.pcap" "$WORK/any.pcap" || fail "transport, '*' rows: other packets than with addresses"
summary=$("$IPSEC_SIM" decrypt --mode tunnel --esp-sa "$WORK/keys/esp_sa" "$in" "$WORK/tunnel.pcap")
echo "$summary" | grep -q "^decrypted 0, passed 0, dropped $esp (no_sa=0, icv_fail=0, malformed=$esp)" ||
	fail "transport capture with --mode tunnel: $summary"
esp=$s2s_esp
echo "OK: decrypt round trip: $esp ESP packets -> $inner inner UDP/ICMP packets, 0 dropped"
