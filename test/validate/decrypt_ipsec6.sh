# validate_decrypt_ipsec6: `ipsec-sim decrypt` on ESP over and inside IPv6
# as the engine sends it (test/validate/ipsec6_cases.c: transport behind
# extension headers, 6-in-6, 4-in-6, 6-in-4, UDP-encapsulated over IPv6),
# keyed from the esp_sa rows our key export writes ("IPv6"; "*" for the
# UDP-encapsulated SA): every ESP packet decrypted, every AH one passed;
# tshark dissects the inner UDP to port 6000 in each decrypted packet, with a
# good checksum over IPv6 (RFC 8200 §8.1), and scapy reads each as exactly
# the packet that was sent.  The same with every address "*"; a missing
# row, a wrong key and --mode tunnel on transport packets counted by reason.
. "$(dirname "$0")/lib.sh"
need "command -v tshark" "tshark"
need "/usr/bin/python3 -c 'import scapy.layers.ipsec'" "python3-scapy"
WORK="$WORK_ROOT/$TEST_NAME"
rm -rf "$WORK"
mkdir -p "$WORK"
"$IPSEC6_CASES" "$WORK" >/dev/null || fail "validate-ipsec6-cases failed"
in="$WORK/out.pcap"
sa42="$WORK/esp_sa-wireshark-4.2"
grep -q '^"IPv6","\*","\*",' "$sa42" || fail "no IPv6 row for any address in $sa42"

tshark -n -r "$in" -Y esp -T fields -e frame.number -e esp.spi >"$WORK/esp.frames" 2>/dev/null
esp=$(wc -l <"$WORK/esp.frames")
ah=$(tshark -n -r "$in" -Y ah 2>/dev/null | wc -l)
all=$(tshark -n -r "$in" 2>/dev/null | wc -l)
[ "$esp" -gt 0 ] || fail "no ESP in $in"
[ $((esp + ah)) -eq "$all" ] || fail "$all frames: $esp ESP, $ah AH"
# spi NAME: the SPI of case NAME (sas.txt); packets NAME: how many of its
# ESP packets tshark sees.
spi() { awk -v n="$1" '$1 == n { print "0x" $4 }' "$WORK/sas.txt"; }
packets() { awk -F'\t' -v s="$(spi "$1")" '$2 == s' "$WORK/esp.frames" | wc -l; }
chacha=$(packets esp-6in4)
udp=$(packets esp-6in6-udp)
transport=$(($(packets esp6-transport-gcm) + $(packets esp6-transport-cbc)))
[ $((chacha * udp * transport)) -gt 0 ] || fail "cases missing in $in"

# decrypt RUN ESP_SA WANT [OPTION...]: the summary must be WANT.
decrypt() {
	run=$1 table=$2 want=$3
	shift 3
	summary=$("$IPSEC_SIM" decrypt "$@" --esp-sa "$table" "$in" "$WORK/$run.pcap") ||
		fail "$run: ipsec-sim decrypt exited $?"
	echo "$run: $summary"
	[ "$summary" = "$want" ] || fail "$run: expected '$want'"
}

decrypt clear "$sa42" "decrypted $esp, passed $ah, dropped 0 (no_sa=0, icv_fail=0)"
# Every decrypted packet as tshark dissects it: UDP to port 6000, no ESP
# left, the UDP checksum good (1) -- or absent (3) in an inner IPv4 packet.
tshark -n -r "$WORK/clear.pcap" -o udp.check_checksum:TRUE -T fields -E occurrence=l \
	-e frame.number -e ipv6.version -e udp.dstport -e udp.checksum.status -e esp.spi \
	>"$WORK/clear.tsv" 2>"$WORK/tshark.err" || { cat "$WORK/tshark.err" >&2; fail "tshark failed"; }
awk -F'\t' '
	NR == FNR { esp[$1] = 1; n++; next }
	!($1 in esp) { next }
	{
		why = ""
		if ($5 != "") why = "ESP left"
		else if ($3 != "6000") why = "no UDP to port 6000 (\"" $3 "\")"
		else if ($4 != "1" && ($2 == "6" || $4 != "3")) why = "UDP checksum status " $4
		if (why != "") { bad++; printf "FAIL: frame %s: %s\n", $1, why > "/dev/stderr" }
		else if ($2 == "6") v6++
		else v4++
	}
	END {
		printf "tshark: %d decrypted IPv6 and %d IPv4 packets with UDP to port 6000\n", v6, v4
		exit bad || v6 + v4 != n ? 1 : 0
	}' "$WORK/esp.frames" "$WORK/clear.tsv" || fail "tshark's reading of the decrypted capture"
/usr/bin/python3 "$(dirname "$0")/decrypt6_check.py" "$WORK" "$WORK/clear.pcap" ||
	fail "scapy's reading of the decrypted capture"

# "*" for every address: the same packets, found by SPI and family alone
# (transport mode's header keeps its own destination).
sed -E 's/^("IPv[46]"),"[^"]*","[^"]*"/\1,"*","*"/' "$sa42" >"$WORK/esp_sa.any"
decrypt any "$WORK/esp_sa.any" "decrypted $esp, passed $ah, dropped 0 (no_sa=0, icv_fail=0)"
cmp -s "$WORK/clear.pcap" "$WORK/any.pcap" || fail "'*' rows decrypt to other packets"
# A row's family is the packet's: the ChaCha20 SA's IPv4 row made "IPv6"
# and the UDP-encapsulated SA's IPv6 row made "IPv4" find no packet.
sed -E -e 's/^"IPv6","\*","\*"/"IPv4","*","*"/' \
	-e '/ChaCha20/s/^"IPv4","[^"]*","[^"]*"/"IPv6","*","*"/' "$sa42" >"$WORK/esp_sa.swapped"
n=$((chacha + udp))
decrypt swapped "$WORK/esp_sa.swapped" \
	"decrypted $((esp - n)), passed $ah, dropped $n (no_sa=$n, icv_fail=0)"
# Counted by reason: Wireshark 4.0's table has no ChaCha20-Poly1305 row
# (no_sa), a wrong key for the 6-in-6 SA (icv_fail), transport packets in
# --mode tunnel (malformed: not an IP packet inside).
decrypt wireshark-4.0 "$WORK/esp_sa" \
	"decrypted $((esp - chacha)), passed $ah, dropped $chacha (no_sa=$chacha, icv_fail=0)"
n=$(packets esp-6in6)
awk -F'","' -v OFS='","' -v s="$(spi esp-6in6)" \
	'$4 == s { $6 = "0x" (substr($6, 3, 1) == "0" ? "1" : "0") substr($6, 4) } 1' \
	"$sa42" >"$WORK/esp_sa.bad"
cmp -s "$sa42" "$WORK/esp_sa.bad" && fail "no key changed"
decrypt bad-key "$WORK/esp_sa.bad" "decrypted $((esp - n)), passed $ah, dropped $n (no_sa=0, icv_fail=$n)"
decrypt tunnel "$sa42" \
	"decrypted $((esp - transport)), passed $ah, dropped $transport (no_sa=0, icv_fail=0, malformed=$transport)" \
	--mode tunnel
echo "OK: decrypt over IPv6: $esp ESP packets of $all decrypted, every address as found and as \"*\", $ah AH passed"
