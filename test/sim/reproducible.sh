# Same scenario + same seed => identical metrics (all but wall-clock
# columns) and byte-identical captures; another seed runs too.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/attack.yaml"
dump() {
	DB="$OUT/$1/metrics.sqlite"
	for t in sas sa_drops drops flows events attacks; do
		q "SELECT * FROM $t ORDER BY 1,2,3"
	done
	q "SELECT scenario_name, scenario_text, overrides, seed, run_number, version, status, sim_seconds, events FROM runs"
}
run a "$S" --seed 7 --set links.0.loss=0.02
run b "$S" --seed 7 --set links.0.loss=0.02
run c "$S" --seed 8 --set links.0.loss=0.02
checks=$((checks + 3))
if [ "$(dump a)" = "$(dump b)" ]; then echo "ok: same seed, same metrics"; else
	echo "FAIL: same seed gave different metrics"; diff <(dump a) <(dump b) | head; fails=$((fails + 1)); fi
if cmp -s "$OUT/a/pcap/attack-gwA-2.pcap" "$OUT/b/pcap/attack-gwA-2.pcap"; then echo "ok: same seed, same capture bytes"; else
	echo "FAIL: captures differ"; fails=$((fails + 1)); fi
if [ "$(dump a)" != "$(dump c)" ]; then echo "ok: another seed, other losses"; else
	echo "FAIL: seed had no effect"; fails=$((fails + 1)); fi
DB="$OUT/a/metrics.sqlite"
expect "loss on a lossy link" "SELECT lost > 0 FROM flows" 1
expect "overrides stored" "SELECT overrides FROM runs" "links.0.loss=0.02"
finish
