# Experiments written in the scenario (`replications:`, `sweep:`): a sweep map
# (2 x 2 axes) and a sweep list (3 configurations, one of them the base),
# 2 replications each; `check` counts their runs; the merged database holds
# every run with its configuration's parameters, config ids and run numbers;
# the swept loss changes what arrives; a value of the sweep runs exactly as
# the same --set; --vary multiplies a sweep list, and may not vary a key the
# scenario's sweep sets; --replications overrides `replications:`; `run`
# runs the base values with a note; `sweep --slurm` plans the same runs; a
# bad sweep value stops check, run and sweep at its place in the file.
. "$(dirname "$0")/lib.sh"
AX="$SRC/test/sim/sweep-axes.yaml"
LI="$SRC/test/sim/sweep-list.yaml"

# metrics_of DB RUN: lib.sh's metrics with these flow columns.
metrics_of() { metrics "$1" "$2" "flow, sent, received, lost, bytes_received, delay_mean_ms, delay_p99_ms"; }

# --- check counts the experiment ----------------------------------------------
cli "$(status check "$AX")" 0 "sweep-axes.yaml: experiment: 4 configurations x 2 replications = 8 runs" \
	"check: a sweep map's configurations and runs"
cli "$(status check "$LI")" 0 "sweep-list.yaml: experiment: 3 configurations x 2 replications = 6 runs" \
	"check: a sweep list's configurations and runs"
cli "$(status check "$LI" --set replications=5)" 0 "3 configurations x 5 replications = 15 runs" \
	"check: --set replications"
cli "$(status check "$SRC/scenarios/site-to-site.yaml")" 0 "site-to-site.yaml: ok" "check: no experiment"
check "check: no experiment line without sweep or replications" "! grep -q experiment '$OUT/cli.log'"

# --- the sweep map ---------------------------------------------------------------
sweep ax "$AX" --jobs 2
expect "map: 8 complete runs" "SELECT count(*) FROM runs WHERE status = 'complete'" 8
expect "map: run:config:replication:run_number, the first key slowest" \
	"SELECT group_concat(run_id || ':' || config_id || ':' || replication || ':' || run_number, ' ')
	 FROM (SELECT * FROM runs ORDER BY run_id)" "1:1:0:1 2:1:1:2 3:2:0:1 4:2:1:2 5:3:0:1 6:3:1:2 7:4:0:1 8:4:1:2"
expect "map: the parameters of each configuration" \
	"SELECT group_concat(config_id || ':' || key || '=' || value, ' ')
	 FROM (SELECT * FROM parameters ORDER BY config_id, key)" \
	"1:links.1.delay=5ms 1:links.1.loss=0 2:links.1.delay=20ms 2:links.1.loss=0 3:links.1.delay=5ms 3:links.1.loss=0.3 4:links.1.delay=20ms 4:links.1.loss=0.3"
expect "map: each run's overrides, in the sweep's order" \
	"SELECT group_concat(run_id || ':' || replace(overrides, char(10), ','), ' ') FROM runs WHERE run_id IN (1, 4, 7)" \
	"1:links.1.loss=0,links.1.delay=5ms, 4:links.1.loss=0,links.1.delay=20ms, 7:links.1.loss=0.3,links.1.delay=20ms,"
expect "map: without loss every packet arrives" \
	"SELECT group_concat(received || '/' || sent, ' ') FROM flows JOIN runs USING(run_id)
	 WHERE config_id IN (1, 2)" "500/500 500/500 500/500 500/500"
expect "map: 30 % loss loses 20 to 40 % in every run" \
	"SELECT count(*) FROM flows JOIN runs USING(run_id)
	 WHERE config_id IN (3, 4) AND lost BETWEEN 100 AND 200 AND received + lost = sent" 4
expect "map: the replications of a lossy configuration differ" \
	"SELECT count(DISTINCT lost) FROM flows JOIN runs USING(run_id) WHERE config_id = 3" 2
expect "map: 15 ms more delay with links.1.delay=20ms" \
	"SELECT group_concat(DISTINCT round(d.delay_mean_ms - f.delay_mean_ms, 3))
	 FROM flows f JOIN flows d ON d.run_id = f.run_id + 2 WHERE f.run_id IN (1, 2, 5, 6)" 15.0
"$IPSEC_SIM" report "$DB" --out "$OUT/ax-report" >"$OUT/report.log" 2>&1
check "report groups by the sweep's values" \
	"grep -q 'config 4: links.1.delay=20ms links.1.loss=0.3 (2 complete runs)' '$OUT/report.log'"

# run 7 (loss 0.3, delay 20 ms, run number 1) is `run` with the same --set
run single "$AX" --set links.1.loss=0.3 --set links.1.delay=20ms --no-pcap
check "a sweep value runs as the same --set" \
	"[ \"\$(metrics_of '$OUT/ax/metrics.sqlite' 7)\" = \"\$(metrics_of '$OUT/single/metrics.sqlite' 1)\" ]"

# --replications overrides replications:
sweep ax1 "$AX" --replications 1 --jobs 2
expect "--replications 1: one run per configuration" \
	"SELECT group_concat(config_id || ':' || run_number, ' ') FROM runs" "1:1 2:1 3:1 4:1"

# --- the sweep list, times a --vary -------------------------------------------
sweep li "$LI" --vary traffic.0.size=500B,1000B --jobs 2
expect "list x --vary: 3 x 2 configurations x 2 replications" \
	"SELECT count(*), count(DISTINCT config_id), max(run_number) FROM runs WHERE status = 'complete'" "12|6|2"
expect "list x --vary: the parameters, the list slowest" \
	"SELECT group_concat(config_id || ':' || p, ' ') FROM (SELECT config_id,
	   group_concat(key || '=' || value, ',') AS p FROM (SELECT * FROM parameters ORDER BY config_id, key)
	   GROUP BY config_id)" \
	"1:traffic.0.size=500B 2:traffic.0.size=1000B 3:links.1.loss=0.3,traffic.0.size=500B 4:links.1.loss=0.3,traffic.0.size=1000B 5:description=\"half rate: 1 Mbps\",links.1.loss=0.3,traffic.0.rate=1Mbps,traffic.0.size=500B 6:description=\"half rate: 1 Mbps\",links.1.loss=0.3,traffic.0.rate=1Mbps,traffic.0.size=1000B"
expect "list: the base configuration loses nothing" \
	"SELECT group_concat(received || '/' || sent, ' ') FROM flows JOIN runs USING(run_id) WHERE config_id = 2" \
	"500/500 500/500"
expect "list: half the rate sends half the packets" \
	"SELECT group_concat(sent, ' ') FROM flows JOIN runs USING(run_id) WHERE config_id IN (4, 6)" \
	"500 500 250 250"
expect "list: the quoted value reached the scenario" \
	"SELECT count(*) FROM runs JOIN configs USING(config_id) WHERE overrides LIKE '%description=\"half rate: 1 Mbps\"%'" 4

# --- run: the base values -----------------------------------------------------
"$IPSEC_SIM" run "$AX" --out "$OUT/base" --no-pcap >"$OUT/base.log" 2>"$OUT/base.err"
DB="$OUT/base/metrics.sqlite"
check "run: a note on the experiment" \
	"grep -qF 'note: one run of the scenario'\"'\"'s base values; \`ipsec-sim sweep $AX\` runs its experiment: 4 configurations x 2 replications = 8 runs' '$OUT/base.err'"
expect "run: one run without parameters" "SELECT count(*), (SELECT count(*) FROM parameters) FROM runs" "1|0"
expect "run: the base values (no loss)" "SELECT received FROM flows" 500

# --- SLURM: the same plan ----------------------------------------------------------
cli "$(status sweep "$AX" --slurm --slurm-dir "$OUT/sl/slurm" --out "$OUT/sl")" 0 "slurm: 8 runs written" \
	"--slurm: the scenario's runs"
check "plan: run 7's overrides are the sweep's values" \
	"grep -A2 '^run 7 ' '$OUT/sl/slurm/plan' | tail -2 | tr '\n' ' ' | grep -qx 'set links.1.loss=0.3 set links.1.delay=20ms '"
check "plan: 8 run lines" "[ \$(grep -c '^run ' '$OUT/sl/slurm/plan') -eq 8 ]"
"$IPSEC_SIM" sweep-task "$OUT/sl/slurm/plan" 7 >"$OUT/task.log" 2>&1
check "the array task of run 7 = the local sweep's run 7" \
	"[ \"\$(metrics_of '$OUT/ax/metrics.sqlite' 7)\" = \"\$(metrics_of '$OUT/sl/runs/7/metrics.sqlite' 7)\" ]"

# --- mistakes --------------------------------------------------------------------
cli "$(status sweep "$LI" --vary links.1.loss=0.1 --out "$OUT/bad")" 2 \
	"--vary: links.1.loss is varied by the scenario's sweep ($LI:8:3) too" "--vary of a key the sweep list sets"
cli "$(status sweep "$AX" --vary links.1.delay=1ms --out "$OUT/bad")" 2 \
	"--vary: links.1.delay is varied by the scenario's sweep ($AX:8:3) too" "--vary of a key of the sweep map"
sed 's/links.1.loss: \[0, 0.3\]/links.1.loss: [0, 3]/' "$AX" >"$OUT/bad.yaml"
for cmd in check run sweep; do
	cli "$(cd "$OUT" && status $cmd "$OUT/bad.yaml")" 2 "$OUT/bad.yaml:7:21: '3' is above 1 (100%)" \
		"$cmd: a bad sweep value at its place"
done
check "the bad sweep value ran nothing" "[ ! -e '$OUT/results' ]"
finish
