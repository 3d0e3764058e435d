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
HOME="$WORK/keys-home" tshark -n -r "$in" -Y esp -T fields -e udp.payload -e icmp.data 2>/dev/null >"$WORK/p.tshark"
tshark -n -r "$out" -T fields -e udp.payload -e icmp.data 2>/dev/null >"$WORK/p.ours"
cmp -s "$WORK/p.tshark" "$WORK/p.ours" || fail "inner payloads differ between tshark's decryption and ours"

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
echo "OK: decrypt round trip: $esp ESP packets -> $inner inner UDP/ICMP packets, 0 dropped"
