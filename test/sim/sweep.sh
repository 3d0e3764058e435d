# Sweeps: 2 values x 3 replications on 2 workers land 6 complete runs in one
# database with their parameters, config ids and run numbers; run numbers
# change a lossy run, the same run number repeats it exactly (also through
# `run`); merge keeps every run; SIGINT leaves a consistent database.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"

sweep sw "$S" --vary links.1.loss=0.02,0.05 --replications 3 --jobs 2
expect "6 complete runs" "SELECT count(*) FROM runs WHERE status = 'complete'" 6
expect "run:config:replication:run_number in plan order" \
	"SELECT group_concat(run_id || ':' || config_id || ':' || replication || ':' || run_number, ' ')
	 FROM (SELECT * FROM runs ORDER BY run_id)" "1:1:0:1 2:1:1:2 3:1:2:3 4:2:0:1 5:2:1:2 6:2:2:3"
expect "parameters per configuration" \
	"SELECT group_concat(config_id || ':' || key || '=' || value, ' ')
	 FROM (SELECT * FROM parameters ORDER BY config_id)" "1:links.1.loss=0.02 2:links.1.loss=0.05"
expect "configurations" "SELECT group_concat(config_id || ':' || scenario_name, ' ') FROM configs" \
	"1:site-to-site 2:site-to-site"
expect "each run's overrides are its configuration's" \
	"SELECT count(*) FROM runs r JOIN configs c USING(config_id) WHERE r.overrides = c.parameters" 6
expect "one seed" "SELECT count(DISTINCT seed) FROM runs" 1
expect "every run's flows" "SELECT count(*) FROM flows" 24
expect "other run numbers, other losses" \
	"SELECT config_id, count(DISTINCT x) FROM (SELECT run_id, group_concat(lost) AS x FROM flows
	 GROUP BY run_id) JOIN runs USING(run_id) GROUP BY config_id" "1|3
2|3"
expect "more loss at 5 %" \
	"SELECT (SELECT avg(lost) FROM flows JOIN runs USING(run_id) WHERE config_id = 2) >
	        (SELECT avg(lost) FROM flows JOIN runs USING(run_id) WHERE config_id = 1)" 1
check "no captures kept by default" "[ ! -e '$OUT/sw/runs' ]"

# run number 1 of links.1.loss=0.05 three times: sweep run 4, a sweep of one
# run, and `ipsec-sim run`.
sweep one "$S" --vary links.1.loss=0.05 --jobs 1
run single "$S" --set links.1.loss=0.05 --no-pcap
check "same run number, same metrics (sweep)" \
	"[ \"\$(metrics '$OUT/sw/metrics.sqlite' 4)\" = \"\$(metrics '$OUT/one/metrics.sqlite' 1)\" ]"
check "same run number, same metrics (run)" \
	"[ \"\$(metrics '$OUT/sw/metrics.sqlite' 4)\" = \"\$(metrics '$OUT/single/metrics.sqlite' 1)\" ]"

# merge: 6 + 1 + 6 runs, the lone run joins configuration 2
cp "$OUT/sw/metrics.sqlite" "$OUT/copy.sqlite"
"$IPSEC_SIM" merge "$OUT/merged.sqlite" "$OUT/sw/metrics.sqlite" "$OUT/single/metrics.sqlite" \
	"$OUT/copy.sqlite" >"$OUT/merge.log" 2>&1 || { echo "FAIL: merge"; cat "$OUT/merge.log"; exit 1; }
DB="$OUT/merged.sqlite"
expect "merge keeps all runs" "SELECT count(*), count(DISTINCT run_id), min(run_id), max(run_id) FROM runs" "13|13|1|13"
expect "merge keeps every flow" "SELECT count(*) FROM flows" 52
expect "merge matches configurations" "SELECT config_id, count(*) FROM runs GROUP BY 1" "1|6
2|7"
expect "merged run keeps its metrics" "SELECT count(*) FROM flows WHERE run_id = 7" 4
expect "merged database intact" "PRAGMA integrity_check" ok
check "merged run 7 = the lone run" \
	"[ \"\$(metrics '$OUT/merged.sqlite' 7)\" = \"\$(metrics '$OUT/single/metrics.sqlite' 1)\" ]"

# captures on request, per run
sweep pc "$S" --replications 2 --jobs 2 --pcap
check "captures per run with --pcap" "[ \$(ls '$OUT'/pc/runs/[12]/pcap/*.pcap | wc -l) -eq 12 ]"

# SIGINT: both running runs stop and say so, the others never start
"$IPSEC_SIM" sweep "$S" --replications 4 --jobs 2 --out "$OUT/int" \
	--set duration=100000s --set traffic.0.stop=100000s >"$OUT/int.log" 2>&1 &
pid=$!
# (the workers' databases first: a worker just forked still has the
# sweep's handler)
for _ in $(seq 600); do
	[ "$(ls "$OUT"/int/runs/*/metrics.sqlite 2>/dev/null | wc -l)" -eq 2 ] && break
	sleep 0.1
done
until_running 2 "pgrep -P $pid"
sleep 1
kill -INT $pid
rc=0
wait $pid || rc=$?
DB="$OUT/int/metrics.sqlite"
check "interrupted sweep exits 1" "[ $rc -eq 1 ]"
expect "interrupted database intact" "PRAGMA integrity_check" ok
expect "no run left running" "SELECT count(*) FROM runs WHERE status = 'running'" 0
expect "the two runs interrupted with their metrics" \
	"SELECT count(*) FROM runs WHERE status = 'interrupted' AND sim_seconds > 0
	 AND run_id IN (SELECT run_id FROM flows WHERE received > 0)" 2
check "no worker left" "! pgrep -f -- '--out $OUT/int' >/dev/null"
check "worker folders removed" "[ ! -e '$OUT/int/runs' ]"

# A zipped axis: --with varies links.1.delay together with the --vary
# before it (3 configurations, not 9), times a second axis.
sweep zip "$S" --vary links.1.loss=0,0.01,0.02 --with links.1.delay=1ms,5ms,20ms \
	--vary traffic.0.size=100B,200B --set duration=2s --set 'traffic.*.stop=2s' --jobs 2
expect "zip: 3 x 2 configurations, one run each" "SELECT count(*), count(DISTINCT config_id) FROM runs" "6|6"
expect "zip: each configuration's parameters, the zipped axis slowest" \
	"SELECT group_concat(x, ' ') FROM (SELECT config_id, group_concat(key || '=' || value, ',') AS x
	 FROM (SELECT * FROM parameters WHERE key LIKE 'links.%' OR key LIKE 'traffic.0.%' ORDER BY config_id, key)
	 GROUP BY config_id ORDER BY config_id)" \
	"links.1.delay=1ms,links.1.loss=0,traffic.0.size=100B links.1.delay=1ms,links.1.loss=0,traffic.0.size=200B links.1.delay=5ms,links.1.loss=0.01,traffic.0.size=100B links.1.delay=5ms,links.1.loss=0.01,traffic.0.size=200B links.1.delay=20ms,links.1.loss=0.02,traffic.0.size=100B links.1.delay=20ms,links.1.loss=0.02,traffic.0.size=200B"
expect "zip: each run has its configuration's delay (a-to-b's one-way delay grows by 4 and 19 ms: 5 - 1, 20 - 1)" \
	"SELECT group_concat(round(d - (SELECT delay_mean_ms FROM flows WHERE run_id = 1 AND flow = 'a-to-b')), ' ')
	 FROM (SELECT delay_mean_ms AS d FROM flows WHERE flow = 'a-to-b' AND run_id IN (1, 3, 5) ORDER BY run_id)" "0.0 4.0 19.0"
cli "$(status sweep "$S" --vary links.1.loss=0,0.01 --with links.1.delay=1ms,5ms,20ms)" 2 \
	"--with: links.1.delay has 3 values, the axis of links.1.loss has 2: one each" "--with of another length"
cli "$(status sweep "$S" --with links.1.delay=1ms)" 2 "--with: 'links.1.delay=1ms' follows no --vary" "--with without --vary"
cli "$(status sweep "$S" --vary links.1.loss=0,0.01 --with links.1.loss=0,0.1)" 2 \
	"links.1.loss is varied twice" "--with of the key its --vary varies"

# command-line mistakes
cli "$(status sweep)" 2 "usage: ipsec-sim sweep" "sweep without a scenario"
cli "$(status sweep "$S" --vary links.1.loss)" 2 "is not key=value1,value2" "--vary without values"
cli "$(status sweep "$S" --vary links.1.loss=0.1,)" 2 "empty value" "--vary with an empty value"
cli "$(status sweep "$S" --vary a=1 --vary a=2)" 2 "a is varied twice" "--vary twice"
cli "$(status sweep "$S" --replications 0)" 2 "--replications: '0' is not a number" "no replications"
cli "$(status sweep "$S" --jobs x)" 2 "--jobs: 'x' is not a number" "jobs not a number"
cli "$(status sweep "$S" --vary links.1.loss=0.1,x --out "$OUT/bad")" 2 "in configuration 2: links.1.loss=x" "bad value in a --vary list"
cli "$(status merge "$OUT/m2.sqlite")" 2 "usage: ipsec-sim merge" "merge without inputs"
cli "$(status merge "$OUT/m2.sqlite" "$OUT/missing.sqlite")" 2 "no such database" "merge a missing database"
cli "$(status merge "$OUT/m2.sqlite" "$S")" 2 "file is not a database" "merge a file that is no database"
cli "$(status merge "$OUT/merged.sqlite" "$OUT/merged.sqlite")" 2 "is the output database" "merge into an input"
finish
