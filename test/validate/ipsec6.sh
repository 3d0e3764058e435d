# validate_ipsec6: ESP and AH over and inside IPv6 as the engine sends them
# (test/validate/ipsec6_cases.c: transport behind extension headers, 6-in-6,
# 4-in-6, 6-in-4, UDP encapsulation) -- decrypted by tshark with the esp_sa
# rows our key export writes ("IPv6"), every ICV good and the inner packet
# dissected; and decrypted or verified by scapy, giving back the very packet
# that was sent.
. "$(dirname "$0")/lib.sh"
need "command -v tshark" "tshark"
need "/usr/bin/python3 -c 'import scapy.layers.ipsec'" "python3-scapy"
WORK="$WORK_ROOT/$TEST_NAME"
rm -rf "$WORK"
mkdir -p "$WORK/home/.config/wireshark"
"$IPSEC6_CASES" "$WORK" || fail "the engine's own round trip failed"
grep -q '^"IPv6",' "$WORK/esp_sa" || fail "no IPv6 row in esp_sa"
cp "$WORK/esp_sa" "$WORK/home/.config/wireshark/esp_sa"
printf 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n' \
	>"$WORK/home/.config/wireshark/preferences"

# Wireshark 4.0 has no ChaCha20-Poly1305: those SAs are scapy's alone.
chacha=$(awk '$7 == "chacha20poly1305" { print "0x" $4 }' "$WORK/sas.txt")
HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" tshark -n -r "$WORK/out.pcap" \
	-T fields -E separator=/t -E aggregator=';' -E occurrence=a \
	-e frame.number -e esp.spi -e esp.icv_good -e ah.spi -e udp.dstport \
	>"$WORK/tshark.tsv" 2>"$WORK/tshark.err" || { cat "$WORK/tshark.err" >&2; fail "tshark failed"; }
awk -F'\t' -v chacha="$chacha" '
	{
		why = ""
		if ($2 != "" && index(chacha, $2)) { skipped++; next }
		if ($2 == "" && $4 == "") why = "neither ESP nor AH"
		else if ($2 != "" && $3 != "1") why = "esp.icv_good is \"" $3 "\""
		else if ($5 !~ /(^|;)6000$/) why = "inner UDP to port 6000 not dissected (" $5 ")"
		if (why != "") { bad++; printf "FAIL: frame %s: %s\n", $1, why > "/dev/stderr" }
		else if ($2 != "") esp++
		else ah++
	}
	END {
		printf "tshark: %d ESP decrypted with a good ICV, %d AH, %d ChaCha20 left to scapy\n", esp, ah, skipped > "/dev/stderr"
		exit bad ? 1 : 0
	}' "$WORK/tshark.tsv" || fail "tshark did not decrypt or dissect every packet"
/usr/bin/python3 "$(dirname "$0")/ipsec6_check.py" "$WORK"
