# SIGINT mid-run: the run stops, the database opens, passes an integrity
# check and says 'interrupted', with the metrics gathered so far.
. "$(dirname "$0")/lib.sh"
mkdir -p "$OUT/int"
"$IPSEC_SIM" run "$SRC/scenarios/site-to-site.yaml" --no-pcap --out "$OUT/int" \
	--set duration=100000s --set traffic.0.stop=100000s >"$OUT/int.log" 2>&1 &
pid=$!
until_running 1 "echo $pid"
sleep 1
kill -INT $pid
rc=0
wait $pid || rc=$?
DB="$OUT/int/metrics.sqlite"
checks=$((checks + 1))
if [ "$rc" -eq 1 ]; then echo "ok: exit status 1 when interrupted"; else
	echo "FAIL: exit status $rc"; cat "$OUT/int.log"; fails=$((fails + 1)); fi
expect "database intact" "PRAGMA integrity_check" ok
expect "run marked interrupted" "SELECT status FROM runs" interrupted
expect "stopped early" "SELECT sim_seconds < 100000 AND sim_seconds > 0 FROM runs" 1
expect "partial metrics kept" "SELECT received > 0 FROM flows WHERE flow='a-to-b'" 1
finish
