# validate_tshark_site_to_site: tshark 4.0, keyed only by the files our run
# writes under keys-home/ (HOME=...), decrypts every ESP packet of the
# site-to-site capture, finds every ICV good and dissects the inner packets.
. "$(dirname "$0")/lib.sh"
need "command -v tshark" "tshark"
run_scenario site-to-site

KH="$WORK/keys-home"
[ -s "$KH/.config/wireshark/esp_sa" ] || fail "$KH/.config/wireshark/esp_sa missing or empty"
[ -s "$KH/.config/wireshark/preferences" ] || fail "$KH/.config/wireshark/preferences missing"

total=0
for f in "$WORK"/pcap/*.pcap; do
	out="$WORK/$(basename "$f" .pcap).esp.tsv"
	# Only the preferences and esp_sa under HOME key the decryption.
	HOME="$KH" XDG_CONFIG_HOME="$KH/.config" tshark -n -r "$f" -Y esp -T fields \
		-E separator=/t -E aggregator=';' -E occurrence=a \
		-e frame.number -e esp.spi -e esp.icv_good -e esp.icv_bad \
		-e ip.src -e ip.dst -e ip.proto -e udp.dstport -e icmp.type >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; fail "tshark failed on $f"; }
	# Also count protocol-50 frames without the ESP dissector's help: a
	# packet tshark did not recognise as ESP must not escape the check.
	raw=$(tshark -n -r "$f" -Y "ip.proto == 50" 2>/dev/null | wc -l)
	n=$(awk -v file="$(basename "$f")" -F'\t' '
		function lan(a) { return a ~ /^10\.1\.0\./ || a ~ /^10\.2\.0\./ }
		{
			split($5, src, ";"); split($6, dst, ";"); split($7, proto, ";")
			why = ""
			if ($3 != "1") why = "esp.icv_good is \"" $3 "\", not 1"
			else if ($4 != "" && $4 != "0") why = "esp.icv_bad is " $4
			else if (length(src) < 2) why = "no inner IPv4 header dissected (not decrypted)"
			else if (!lan(src[2]) || !lan(dst[2])) why = "inner " src[2] " -> " dst[2] " not in the LANs"
			else if (proto[2] == 17 && $8 == "") why = "inner UDP not dissected"
			else if (proto[2] == 1 && $9 == "") why = "inner ICMP not dissected"
			else if (proto[2] != 17 && proto[2] != 1) why = "inner protocol " proto[2] " (expected UDP or ICMP)"
			if (why != "") { bad++; if (bad <= 10) printf "FAIL: %s frame %s (SPI %s): %s\n", file, $1, $2, why > "/dev/stderr" }
			if (proto[2] == 17) udp++
			if (proto[2] == 1) icmp++
		}
		END {
			printf "%s: %d ESP packets, %d icv_good, inner udp %d icmp %d\n", file, NR, NR - bad, udp, icmp > "/dev/stderr"
			if (bad) exit 1
			print NR
		}' "$out") || fail "$(basename "$f"): some ESP packets did not decrypt or verify in tshark"
	[ "$n" -eq "$raw" ] || fail "$(basename "$f"): $raw protocol-50 frames but tshark dissected $n as ESP"
	total=$((total + n))
done
[ "$total" -gt 0 ] || fail "no ESP packet in any capture"
echo "OK: tshark decrypted all $total ESP packets, every ICV good (esp.icv_good == 1)"
