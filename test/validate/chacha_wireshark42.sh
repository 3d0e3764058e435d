# validate_chacha_wireshark42: ChaCha20-Poly1305 SAs (RFC 7634) are in
# keys/esp_sa-wireshark-4.2 under the name Wireshark 4.2 added ("ChaCha20
# with Poly1305 [RFC7634]", packet-ipsec.c's esp_encryption_type_vals) with
# their 36 bytes of key and salt, and not in keys/esp_sa, which tshark 4.0
# (Debian 12's) reads without an error.  No Wireshark 4.2 here: the rows are
# checked by decrypting the capture with them (every ICV verified).
. "$(dirname "$0")/lib.sh"
need "command -v tshark" "tshark"
run_scenario chacha-tunnel
k42="$WORK/keys/esp_sa-wireshark-4.2"
rows=$(grep -c '"ChaCha20 with Poly1305 \[RFC7634\]","0x[0-9a-f]\{72\}","NULL",""$' "$k42") ||
	fail "no ChaCha20-Poly1305 row in esp_sa-wireshark-4.2"
[ "$rows" -eq "$(wc -l <"$k42")" ] || fail "esp_sa-wireshark-4.2 has other rows than the $rows ChaCha ones"
! grep -q ChaCha "$WORK/keys/esp_sa" || fail "a ChaCha20 row in esp_sa, which tshark 4.0 reports as an error"
in=$(ls "$WORK"/pcap/*.pcap | while read -r f; do
	[ "$(tshark -n -r "$f" -Y esp 2>/dev/null | wc -l)" -gt 0 ] && echo "$f" && break
done)
[ -n "$in" ] || fail "no capture with ESP packets"
err=$(HOME="$WORK/keys-home" tshark -n -r "$in" -Y esp 2>&1 >/dev/null | grep -v 'Running as user' || true)
[ -z "$err" ] || fail "tshark 4.0 with keys-home: $err"
esp=$(tshark -n -r "$in" -Y esp 2>/dev/null | wc -l)
all=$(tshark -n -r "$in" 2>/dev/null | wc -l)
summary=$("$IPSEC_SIM" decrypt --esp-sa "$k42" "$in" "$WORK/clear.pcap") ||
	fail "ipsec-sim decrypt exited $?"
echo "$(basename "$in"): $rows ChaCha20-Poly1305 rows; $esp ESP of $all packets; decrypt: $summary"
echo "$summary" | grep -Eq "^decrypted $esp, passed $((all - esp)), dropped 0 " ||
	fail "unexpected summary: $summary"
[ "$(tshark -n -r "$WORK/clear.pcap" -Y 'udp || icmp' 2>/dev/null | wc -l)" -ge "$esp" ] ||
	fail "the decrypted capture lacks inner packets"
echo "ok"
