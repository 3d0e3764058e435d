# report's figures: with 12 configurations differing in 6 parameters,
# gnuplot draws every figure without a warning and no two texts of any SVG
# overlap or leave the canvas (figure_layout.py); legends sit in a band
# below the panels, tics name only the varied parameters (upright, a line
# each, or written upwards when they do not fit); a numeric sweep is drawn
# on a numeric axis, its plotted points the report's own numbers, while
# categorical parameters keep bars.
. "$(dirname "$0")/lib.sh"
layout() { /usr/bin/python3 "$(dirname "$0")/figure_layout.py" "$@"; }

# crypto-saturation, 12 configurations of 6 parameters (the burst slowed
# down, rekeys every 1 or 1.5 s), 2 replications: every figure of report
S="$OUT/fig12.yaml"
sed 's/rate: 300Mbps, start: 1s/rate: 100Mbps, start: 1s/' "$SRC/scenarios/crypto-saturation.yaml" >"$S"
{
	printf '\nmetrics: {flow_bins: 250ms}\nreplications: 2\nsweep:\n'
	for i in $(seq 0 11); do
		printf '  - {links.1.delay: %sms, links.1.loss: 0.0%s, traffic.burst.rate: %sMbps,' \
			$((i * 8 + 1)) $((i % 10)) $((50 + 10 * i))
		printf ' traffic.burst.size: %sB, nodes.gwB.crypto_engine.lanes: %s,' \
			$((1400 - 100 * i)) $((i % 4 + 1))
		printf ' nodes.gwA.ipsec.connections.gw-gw.children.net.rekey_time: %s}\n' \
			"$([ $((i % 2)) = 0 ] && echo 1s || echo 1500ms)"
	done
} >>"$S"
sweep fig12 "$S" --jobs 2
expect "12 configurations of 6 parameters" \
	"SELECT count(DISTINCT config_id), count(DISTINCT key) FROM parameters" "12|6"
report() { # report DB DIR: the report's stderr in DIR.err
	"$IPSEC_SIM" report "$1" --out "$2" >"$2.log" 2>"$2.err" ||
		{ echo "FAIL: report exited $?"; cat "$2.log" "$2.err"; exit 1; }
}
report "$DB" "$OUT/rep"
check "no gnuplot warning (nor anything else) on stderr" "[ ! -s '$OUT/rep.err' ] || ! cat '$OUT/rep.err'"
n=$(ls "$OUT/rep"/*.svg | wc -l)
check "all $n figures drawn" "[ $n = 11 ]"
check "no text overlaps another or leaves the canvas" "layout '$OUT/rep'/*.svg"

# The layout rules in the scripts: no gnuplot key; the legend (labels at
# screen coordinates) below the lowest panel; tics with the 6 values, a
# line each (they fit), the names once below: the shortest key suffixes.
rules() {
	/usr/bin/python3 - "$@" <<'PY'
import re, sys
bad = []
for path in sys.argv[1:]:
    gp = open(path).read()
    origins = [float(y) for y in re.findall(r"^set origin [\d.]+, ([\d.]+)$", gp, re.M)]
    legend = [float(y) for y in re.findall(r"^set label '.*' at screen [\d.]+, ([\d.]+) left$", gp, re.M)]
    if re.search(r"^set key", gp, re.M) or not re.search(r"^unset key", gp, re.M):
        bad.append(path + ": a gnuplot key")
    if not legend or max(legend) >= min(origins):
        bad.append(path + ": legend %s not below the panels at %s" % (legend[:1], origins))
print("\n".join(bad) or "ok")
PY
}
got=$(rules "$OUT/rep"/*.gp)
check "legends in a band below the panels, no gnuplot key ($got)" "[ '$got' = ok ]"
# all six are numbers, but no two configurations differ in one alone: no
# numeric axis, bars
f="$OUT/rep/throughput.gp"
first='"1ms\n0.00\n1s\n1\n50Mbps\n1400B" 0'
check "12 tics of the 6 values each, a line each" \
	"[ \$(grep '^set xtics (' '$f' | grep -o '\" [0-9]*[,)]' | wc -l) = 12 ] &&
	 grep -qF -- \"\$first\" '$f' && grep -q '^set xtics norotate' '$f'"
check "the names once, below the tics" \
	"grep -q \"^set label 100 'delay, loss, rekey_time, lanes, rate, size (a line each)'\" '$f'"
check "no line of two values of a number: bars" "grep -q '^set style data histogram' '$f'"

# Longer values do not fit between the tics: written upwards, on one line.
cp "$DB" "$OUT/long.sqlite"
DB="$OUT/long.sqlite"
q "UPDATE parameters SET value = value || '-and-then-some' WHERE key = 'traffic.burst.size'"
report "$DB" "$OUT/long"
check "long values: no warning" "[ ! -s '$OUT/long.err' ] || ! cat '$OUT/long.err'"
check "long values: written upwards" "grep -q '^set xtics rotate by 90 right' '$OUT/long/loss.gp'"
check "long values: no text overlaps another or leaves the canvas" "layout '$OUT/long'/*.svg"

# A numeric sweep: 3 delays x 2 losses; delay (more values) on the x axis,
# a line per loss.  The points plotted ($data_0_L: x mean low high
# config_id, x in seconds) are summary.csv's numbers for that config.
sweep num "$SRC/scenarios/attack.yaml" --vary links.1.delay=5ms,20ms,50ms \
	--vary links.1.loss=0.01,0.05 --replications 3 --jobs 2
report "$DB" "$OUT/num"
check "numeric: no warning" "[ ! -s '$OUT/num.err' ] || ! cat '$OUT/num.err'"
check "numeric: no text overlaps another or leaves the canvas" "layout '$OUT/num'/*.svg"
check "numeric: tics at the values as written, no bars" \
	"grep -qF 'set xtics (\"5ms\" 0.005, \"20ms\" 0.02, \"50ms\" 0.05)' '$OUT/num/loss.gp' &&
	 ! grep -q histogram '$OUT/num/loss.gp'"
got=$(/usr/bin/python3 - "$OUT/num" "$DB" <<'PY'
import csv, re, sqlite3, sys
d, db = sys.argv[1], sqlite3.connect(sys.argv[2])
delay = {c: v for c, v in db.execute("SELECT config_id, value FROM parameters WHERE key = 'links.1.delay'")}
loss = {c: v for c, v in db.execute("SELECT config_id, value FROM parameters WHERE key = 'links.1.loss'")}
rows = {(int(r["config_id"]), r["metric"]): r for r in csv.DictReader(open(d + "/summary.csv"))
        if r["group"] == "a-to-b"}
seconds = {"5ms": 0.005, "20ms": 0.02, "50ms": 0.05}
checked, bad = 0, []
for name, metric in (("loss", "loss"), ("throughput", "throughput")):
    gp = open("%s/%s.gp" % (d, name)).read()
    lines = re.findall(r"^\$data_0_(\d+) << EOD\n(.*?)^EOD$", gp, re.M | re.S)
    if len(lines) != 2:
        bad.append("%s: %d lines" % (name, len(lines)))
    for line, block in lines:
        points = [l.split() for l in block.strip().split("\n")]
        xs = [float(p[0]) for p in points]
        if xs != sorted(xs) or len({loss[int(p[4])] for p in points}) != 1:
            bad.append("%s line %s: not one loss by increasing delay" % (name, line))
        for x, mean, low, high, config in points:
            r = rows[(int(config), metric)]
            want = (seconds[delay[int(config)]], float(r["mean"]), float(r["ci95_low"]), float(r["ci95_high"]))
            have = (float(x), float(mean), float(low), float(high))
            if any(abs(a - b) > 1e-9 * max(1, abs(b)) for a, b in zip(have, want)):
                bad.append("%s config %s: %s != %s" % (name, config, have, want))
            checked += 1
print(" ".join(bad) or "equal (%d points)" % checked)
PY
)
check "numeric: plotted points = summary.csv ($got)" "[ '$got' = 'equal (12 points)' ]"
finish
