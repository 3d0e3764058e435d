# report: the means and 95 % confidence intervals it prints and writes to
# summary.csv equal a hand computation (awk, t from a t-table); its plots
# are PNG files; a lone run reports n=1; mistakes exit 2.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/attack.yaml"
"$IPSEC_SIM" sweep "$S" --vary links.1.loss=0.01,0.05 --replications 3 --jobs 2 --out "$OUT/sw" \
	>"$OUT/sweep.log" 2>&1 || { echo "FAIL: sweep"; cat "$OUT/sweep.log"; exit 1; }
DB="$OUT/sw/metrics.sqlite"
"$IPSEC_SIM" report "$DB" --out "$OUT/rep" >"$OUT/rep.log" 2>&1 ||
	{ echo "FAIL: report exited $?"; cat "$OUT/rep.log"; exit 1; }
cat "$OUT/rep.log"

# t(0.975, df = 2) from a table of Student's t distribution
T2=4.303
# hand CONFIG SQL_EXPR: "mean half" of the a-to-b flow's SQL_EXPR over the
# configuration's runs
hand() {
	q "SELECT $2 FROM flows f JOIN runs r USING(run_id)
	   WHERE r.config_id = $1 AND f.flow = 'a-to-b' AND r.status = 'complete'" |
		awk -v t=$T2 '{ x[NR] = $1; s += $1 } END {
			m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
			printf "%.12g %.12g\n", m, t * sqrt(v / (NR - 1)) / sqrt(NR) }'
}
# csv CONFIG METRIC: "mean half" from summary.csv
csv() {
	awk -F, -v c="$1" -v m="$2" '$1 == c && $3 == m && $5 == "\"a-to-b\"" { print $7, $9 }' \
		"$OUT/rep/summary.csv"
}
# close "A B" "C D": equal within 0.1 % (the t-table rounds t to 4 digits)
close() {
	echo "$1 $2" | awk '{ for (i = 1; i <= 2; i++) { d = $i - $(i + 2); if (d < 0) d = -d
		if (d > 1e-3 * ($(i + 2) < 0 ? -$(i + 2) : $(i + 2)) + 1e-9) exit 1 } }'
}
for c in 1 2; do
	for m in "throughput|f.throughput_bps / 1e6|3" "loss|100.0 * f.loss_ratio|2" \
		"delay p99|f.delay_p99_ms|3"; do
		name=${m%%|*} rest=${m#*|}
		expr=${rest%|*} decimals=${rest#*|}
		h=$(hand $c "$expr")
		check "config $c $name: summary.csv $(csv $c "$name") = hand $h" "close '$(csv $c "$name")' '$h'"
		printed=$(echo "$h" | awk -v d="$decimals" '{ printf "%.*f ± %.*f", d, $1, d, $2 }')
		check "config $c $name printed as $printed" "grep -qF '$printed' '$OUT/rep.log'"
	done
done
check "hand computation is not trivial" "[ \"\$(hand 2 'f.lost' | cut -d' ' -f2)\" != 0 ]"
check "SA drops by reason per run" "grep -qF 'replay 5.0 ± 0.0' '$OUT/rep.log'"
check "labels from the varied parameter" "grep -q '^config 2: links.1.loss=0.05 (3 complete runs)' '$OUT/rep.log'"

for p in throughput delay loss sa-drops; do
	f="$OUT/rep/$p.png"
	check "$p.png is a PNG" "[ \"\$(head -c 8 '$f' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
	check "$p.png is an image of 1000 pixels width and more than 10 kB" \
		"[ \"\$(od -An -tu1 -j16 -N4 '$f' | tr -s ' ')\" = ' 0 0 3 232' ] && [ \$(wc -c <'$f') -gt 10000 ]"
done

# a lone run: means without intervals; default output folder results/NAME
run single "$SRC/scenarios/site-to-site.yaml" --no-pcap
(cd "$OUT" && "$IPSEC_SIM" report "$OUT/single/metrics.sqlite" >"$OUT/single.log" 2>&1)
check "one run: n=1" "grep -q '(n=1)' '$OUT/single.log'"
check "one configuration without overrides" "grep -q '^config 1: no overrides (1 complete run)' '$OUT/single.log'"
check "default folder results/<scenario>" "[ -s '$OUT/results/site-to-site/throughput.png' ]"
check "no SA drops: no plot of them" "grep -q 'sa-drops.png: nothing to plot' '$OUT/single.log'"

cli "$(status report)" 2 "usage: ipsec-sim report" "report without a database"
cli "$(status report "$OUT/missing.sqlite")" 2 "no such database" "report a missing database"
cli "$(status report "$S")" 2 "file is not a database" "report a file that is no database"
"$IPSEC_SIM" merge "$OUT/two.sqlite" "$OUT/sw/metrics.sqlite" "$OUT/single/metrics.sqlite" >/dev/null
cli "$(status report "$OUT/two.sqlite")" 2 "runs of several scenarios: give --out DIR" "two scenarios without --out"
finish
