# Every capture of every shipped IKE scenario decrypts: with the run's
# keys/esp_sa (through keys-home), tshark decrypts every ESP packet at every
# capture point with its ICV good -- before and after a NAT rewrites the
# addresses, before and after a MOBIKE move.  flood.yaml is left out: its attacker
# forges ESP on a live SPI, whose ICVs fail by design (sim_flood counts them).
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || {
	echo "skip: tshark not installed"
	exit 77
}
for f in "$SRC"/scenarios/*.yaml; do
	n=$(basename "$f" .yaml)
	grep -q '^ *connections:' "$f" || continue
	[ "$n" = flood ] && continue
	run "$n" "$f"
	for p in "$OUT/$n"/pcap/*.pcap; do
		HOME="$OUT/$n/keys-home" tshark -r "$p" -Y esp -T fields -e esp.icv_good \
			2>/dev/null >"$OUT/icv"
		esp=$(wc -l <"$OUT/icv")
		good=$(grep -c '^1$' "$OUT/icv" || true)
		check "$n: all $esp ESP of $(basename "$p") decrypt, ICV good" "[ '$good' = '$esp' ]"
	done
	rm -rf "${OUT:?}/$n"
done
finish
