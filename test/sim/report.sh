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
	for m in "throughput|f.throughput_bps / 1e6|3" "delay p99|f.delay_p99_ms|3"; do
		name=${m%%|*} rest=${m#*|}
		expr=${rest%|*} decimals=${rest#*|}
		h=$(hand $c "$expr")
		check "config $c $name: summary.csv $(csv $c "$name") = hand $h" "close '$(csv $c "$name")' '$h'"
		printed=$(echo "$h" | awk -v d="$decimals" '{ printf "%.*f ± %.*f", d, $1, d, $2 }')
		check "config $c $name printed as $printed" "grep -qF '$printed' '$OUT/rep.log'"
	done
done
# Loss, a share, gets a percentile bootstrap interval; with 3 runs it is
# [min, max] of the runs exactly (all three resampled draws are the
# smallest run with probability 1/27 > 2.5 %).
for c in 1 2; do
	h=$(q "SELECT avg(100.0 * f.loss_ratio), min(100.0 * f.loss_ratio), max(100.0 * f.loss_ratio)
	       FROM flows f JOIN runs r USING(run_id)
	       WHERE r.config_id = $c AND f.flow = 'a-to-b' AND r.status = 'complete'" | tr '|' ' ')
	got=$(awk -F, -v c="$c" '$1 == c && $3 == "loss" && $5 == "\"a-to-b\"" { print $7, $10, $11, $12 }' \
		"$OUT/rep/summary.csv")
	check "config $c loss: bootstrap [min, max] in summary.csv ($got; hand $h)" \
		"[ '$(echo "$got" | cut -d' ' -f4)' = bootstrap ] &&
		 close '$(echo "$got" | cut -d' ' -f1,2)' '$(echo "$h" | cut -d' ' -f1,2)' &&
		 close '$(echo "$got" | cut -d' ' -f3) 1' '$(echo "$h" | cut -d' ' -f3) 1'"
	printed=$(echo "$h" | awk '{ printf "%.2f [%.2f, %.2f]", $1, $2, $3 }')
	check "config $c loss printed as $printed" "grep -qF '$printed' '$OUT/rep.log'"
done
# Every loss, not only the SAs': drops by node and reason per run (0 where
# a run had none), and all flows of a run together.
for c in 1 2; do
	h=$(q "SELECT x.node || ': ' || x.reason, (SELECT coalesce(sum(d.packets), 0) FROM drops d
	         WHERE d.run_id = r.run_id AND d.node = x.node AND d.reason = x.reason)
	       FROM runs r, (SELECT DISTINCT node, reason FROM drops) x
	       WHERE r.config_id = $c ORDER BY x.node, x.reason, r.run_id" |
		awk -F'|' -v t=$T2 '{ if ($1 != g && g != "") out(); g = $1; x[++n] = $2; s += $2 }
		function out() { m = s / n; v = 0; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
			printf "%s%s %.1f ± %.1f", sep, g, m, t * sqrt(v / (n - 1)) / sqrt(n); sep = ", "
			n = 0; s = 0 }
		END { out() }')
	check "config $c drops as by hand: $h" \
		"grep -A9 '^config $c' '$OUT/rep.log' | grep -qF 'drops [packets per run]: $h'"
	h=$(q "SELECT 100.0 * sum(f.lost) / sum(f.sent) FROM flows f JOIN runs r USING(run_id)
	       WHERE r.config_id = $c GROUP BY r.run_id" |
		awk '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 }
		END { printf "%.2f [%.2f, %.2f]", s / NR, lo, hi }')
	check "config $c loss of all flows as by hand: $h" \
		"grep -A9 '^config $c' '$OUT/rep.log' | grep -qF 'loss of all flows [%]: all flows $h'"
done
check "drops.png drawn" "[ -s '$OUT/rep/drops.png' ]"
check "hand computation is not trivial" "[ \"\$(hand 2 'f.lost' | cut -d' ' -f2)\" != 0 ]"
check "SA drops by reason per run" "grep -qF 'replay 5.0 ± 0.0' '$OUT/rep.log'"
check "labels from the varied parameter" "grep -q '^config 2: links.1.loss=0.05 (3 complete runs)' '$OUT/rep.log'"

for p in throughput delay loss sa-drops; do
	f="$OUT/rep/$p.png"
	check "$p.png is a PNG" "[ \"\$(head -c 8 '$f' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
	check "$p.png is an image of 1000 pixels width and more than 10 kB" \
		"[ \"\$(od -An -tu1 -j16 -N4 '$f' | tr -s ' ')\" = ' 0 0 3 232' ] && [ \$(wc -c <'$f') -gt 10000 ]"
done

# Paired differences against a baseline: per replication (the same run
# number, so the same random streams), config 2 minus config 1, t interval
# over the 3 pairs, as a hand computation from the database.
"$IPSEC_SIM" report "$DB" --out "$OUT/rep" --baseline 1 >"$OUT/rep-base.log" 2>&1 ||
	{ echo "FAIL: report --baseline exited $?"; cat "$OUT/rep-base.log"; exit 1; }
for m in "throughput|f.throughput_bps / 1e6" "loss|100.0 * f.loss_ratio"; do
	name=${m%%|*} expr=${m#*|}
	h=$(q "SELECT (SELECT $expr FROM flows f JOIN runs r USING(run_id) WHERE r.config_id = 2
	         AND r.replication = b.replication AND f.flow = 'a-to-b') - $expr
	       FROM flows f JOIN runs b USING(run_id) WHERE b.config_id = 1 AND f.flow = 'a-to-b'" |
		awk -v t=$T2 '{ x[NR] = $1; s += $1 } END {
			m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
			printf "%.12g %.12g\n", m, t * sqrt(v / (NR - 1)) / sqrt(NR) }')
	got=$(awk -F, -v m="$name" '$1 == 2 && $2 == 1 && $4 == m && $6 == "\"a-to-b\"" { print $8, $10 }' \
		"$OUT/rep/differences.csv")
	check "paired $name difference: $got = hand $h" "close '$got' '$h'"
done
check "differences printed" "grep -q '^config 2 - config 1: links.1.loss=0.05' '$OUT/rep-base.log'"
rc=$(status report "$DB" --out "$OUT/rep" --baseline 9)
cli "$rc" 2 "--baseline: '9' is no configuration" "an unknown baseline refused"

# A flow that received nothing has no delay: NULL, not 0 ...
run dead "$SRC/scenarios/attack.yaml" --no-pcap --set links.1.loss=1
expect "a dead flow's delays are NULL" \
	"SELECT count(*) FROM flows WHERE flow = 'a-to-b' AND received = 0 AND delay_mean_ms IS NULL
	   AND delay_p50_ms IS NULL AND delay_p99_ms IS NULL AND delay_min_ms IS NULL" 1
# ... and report leaves such runs out of the delay columns, saying so: one
# run of config 1 made dead by hand, the mean is the other two's.
cp "$OUT/sw/metrics.sqlite" "$OUT/dead.sqlite"
DB="$OUT/dead.sqlite"
q "UPDATE flows SET received = 0, lost = sent, loss_ratio = 1, delay_mean_ms = NULL,
     delay_p50_ms = NULL, delay_p99_ms = NULL, delay_min_ms = NULL, delay_max_ms = NULL
   WHERE flow = 'a-to-b' AND run_id = (SELECT min(run_id) FROM runs WHERE config_id = 1)"
"$IPSEC_SIM" report "$DB" --out "$OUT/rep-dead" >"$OUT/rep-dead.log" 2>&1 ||
	{ echo "FAIL: report exited $?"; cat "$OUT/rep-dead.log"; exit 1; }
T1=12.706 # t(0.975, df = 1)
h=$(q "SELECT f.delay_mean_ms FROM flows f JOIN runs r USING(run_id)
       WHERE r.config_id = 1 AND f.flow = 'a-to-b' AND f.delay_mean_ms IS NOT NULL" |
	awk -v t=$T1 '{ x[NR] = $1; s += $1 } END { m = s / NR
		printf "%.3f ± %.3f n=2/3", m, t * sqrt((x[1] - m) ^ 2 + (x[2] - m) ^ 2) / sqrt(2) }')
check "delay over the 2 runs that received: $h" "grep -A2 '^config 1' '$OUT/rep-dead.log' | grep -qF '$h'"
check "the dead run's loss counted: 100 % in the mean" \
	"grep -A2 '^config 1' '$OUT/rep-dead.log' | grep -qF \"$(q "SELECT printf('%.2f [', avg(100.0 * f.loss_ratio))
	   FROM flows f JOIN runs r USING(run_id) WHERE r.config_id = 1 AND f.flow = 'a-to-b'")\""

# Tidy exports: a row per run and flow, per run, node and reason; read
# back with Python's csv module they equal the database, every bit.
got=$(/usr/bin/python3 - "$OUT/rep" "$OUT/sw/metrics.sqlite" <<'PY'
import csv, sqlite3, sys
flows = list(csv.DictReader(open(sys.argv[1] + "/flows-by-run.csv")))
drops = list(csv.DictReader(open(sys.argv[1] + "/drops-by-run.csv")))
db = sqlite3.connect(sys.argv[2])
want = db.execute("SELECT run_id, flow, lost, loss_ratio, delay_mean_ms FROM flows"
                  " ORDER BY run_id, rowid").fetchall()
have = [(int(r["run_id"]), r["flow"], int(r["lost"]), float(r["loss_ratio"]),
         float(r["delay_mean_ms"]) if r["delay_mean_ms"] else None) for r in flows]
labels = sorted({r["label"] for r in flows})
ok = (have == want and labels == ["links.1.loss=0.01", "links.1.loss=0.05"] and
      sum(int(r["packets"]) for r in drops) == db.execute("SELECT sum(packets) FROM drops").fetchone()[0])
print("equal" if ok else "differ: %r %r" % (have[:2], want[:2]))
PY
)
check "tidy CSVs read back equal to the database ($got)" "[ '$got' = equal ]"

# Each figure also as PDF and SVG, and its script with the data inline:
# it redraws in the folder without the database.
for p in throughput delay loss sa-drops drops; do
	check "$p.pdf is a PDF" "[ \"\$(head -c 5 '$OUT/rep/$p.pdf')\" = '%PDF-' ]"
	check "$p.svg is an SVG" "grep -q '<svg' '$OUT/rep/$p.svg'"
done
mkdir "$OUT/restyle"
cp "$OUT/rep/loss.gp" "$OUT/restyle/"
(cd "$OUT/restyle" && sed -i 's/^set ylabel .*/set ylabel "packet loss, restyled"/' loss.gp &&
	gnuplot -e "fmt='svg'" loss.gp) >"$OUT/restyle.log" 2>&1
check "a script restyled and redrawn on its own" "grep -q 'packet loss, restyled' '$OUT/restyle/loss.svg'"

# Merged runs of two texts of a scenario: the file is part of the label.
sed 's/^duration: .*/duration: 11s/' "$SRC/scenarios/site-to-site.yaml" >"$OUT/s11.yaml"
run m1 "$SRC/scenarios/site-to-site.yaml" --no-pcap
run m2 "$OUT/s11.yaml" --no-pcap
"$IPSEC_SIM" merge "$OUT/merged.sqlite" "$OUT/m1/metrics.sqlite" "$OUT/m2/metrics.sqlite" >/dev/null
"$IPSEC_SIM" report "$OUT/merged.sqlite" --out "$OUT/rep-merged" >"$OUT/merged.log" 2>&1
check "merged texts labelled by file" \
	"grep -q '^config 1: scenario=.*site-to-site.yaml (' '$OUT/merged.log' &&
	 grep -q '^config 2: scenario=.*s11.yaml (' '$OUT/merged.log'"

# a lone run: means without intervals; default output folder results/NAME
run single "$SRC/scenarios/site-to-site.yaml" --no-pcap
(cd "$OUT" && "$IPSEC_SIM" report "$OUT/single/metrics.sqlite" >"$OUT/single.log" 2>&1)
check "one run: n=1" "grep -q '(n=1)' '$OUT/single.log'"
check "one configuration without overrides" "grep -q '^config 1: no overrides (1 complete run)' '$OUT/single.log'"
check "default folder results/<scenario>" "[ -s '$OUT/results/site-to-site/throughput.png' ]"
check "no SA drops: no plot of them" "grep -q 'sa-drops: nothing to plot' '$OUT/single.log'"

cli "$(status report)" 2 "usage: ipsec-sim report" "report without a database"
cli "$(status report "$OUT/missing.sqlite")" 2 "no such database" "report a missing database"
cli "$(status report "$S")" 2 "file is not a database" "report a file that is no database"
"$IPSEC_SIM" merge "$OUT/two.sqlite" "$OUT/sw/metrics.sqlite" "$OUT/single/metrics.sqlite" >/dev/null
cli "$(status report "$OUT/two.sqlite")" 2 "runs of several scenarios: give --out DIR" "two scenarios without --out"
finish
