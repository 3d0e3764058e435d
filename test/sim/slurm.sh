# `sweep --slurm --submit` against a real single-node SLURM cluster (Debian
# slurmctld + slurmd, no munge, no systemd) started here in a temporary
# folder on localhost-only, non-default ports: 2 rates x 2 replications as a
# 4-task job array and a merge job after it; the merged database holds 4
# complete runs with the plan's ids and parameters, and metrics equal to the
# same sweep run locally.  Both daemons (and any slurmstepd) are stopped and
# the folder removed on every exit.  Skips (77) when SLURM is not installed
# (scripts/bootstrap.sh installs slurmctld slurmd slurm-client).
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"
t_start=$(date +%s)

for tool in slurmctld slurmd sbatch squeue sinfo; do
	command -v $tool >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v $tool >/dev/null 2>&1 || {
		echo "SKIP: $tool not installed (Debian slurmctld slurmd slurm-client; scripts/bootstrap.sh installs them)"
		exit 77
	}
done
PATH=$PATH:/usr/sbin
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the test cluster runs its daemons as root (SlurmUser=root); run as root"
	exit 77
fi

# --- the cluster ------------------------------------------------------------
C="$OUT/cluster"
host=$(hostname)
mkdir -p "$C/state" "$C/spool"
ctld_pid=""
slurmd_pid=""
watchdog_pid=""
# ours PIDS...: the processes of our cluster (slurmctld, slurmd, slurmstepd,
# job steps): they alone have our SLURM_CONF in their environment (not the
# tr and grep that look, hence the subshell without it).
ours() (
	unset SLURM_CONF
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" != $$ ] || continue
		{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null |
			grep -qxF "SLURM_CONF=$C/slurm.conf" && echo "$pid"
	done
	true
)
stop_cluster() {
	# slurmstepd lingers ~2 s after a job; its socket HOST_JOB.STEP is in our
	# spool folder
	for _ in $(seq 50); do
		ls "$C/spool" 2>/dev/null | grep -q "^${host}_[0-9]" || break
		sleep 0.1
	done
	for pid in $slurmd_pid $ctld_pid; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $slurmd_pid $ctld_pid; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	ctld_pid=""
	slurmd_pid=""
	if [ -n "$watchdog_pid" ]; then
		kill -TERM "$watchdog_pid" 2>/dev/null || true
		wait "$watchdog_pid" 2>/dev/null || true
		watchdog_pid=""
	fi
	left=$(ours)
	if [ -n "$left" ]; then
		echo "stopping what is left of the cluster: $(echo $left)"
		kill -KILL $left 2>/dev/null || true
	fi
}
cleanup() {
	stop_cluster
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# listeners PORT...: ADDRESS:PORT of every TCP socket listening on one of the
# ports (from /proc/net: no ss needed); IPv6 addresses in /proc's hex.
listeners() {
	for f in /proc/net/tcp /proc/net/tcp6; do
		awk 'NR > 1 && $4 == "0A" { print $2 }' "$f" 2>/dev/null || true
	done | while IFS=: read -r addr hexport; do
		p=$((0x$hexport))
		for want in "$@"; do
			[ "$p" = "$want" ] || continue
			if [ ${#addr} -eq 8 ]; then
				echo "$((0x${addr#??????})).$((0x$(echo $addr | cut -c5-6))).$((0x$(echo $addr | cut -c3-4))).$((0x${addr%??????})):$p"
			else
				echo "[$addr]:$p"
			fi
		done
	done
}
# two free ports from 20000-39999, starting at one picked by our pid
port=$((20000 + $$ % 19999))
while [ -n "$(listeners $port $((port + 1)))" ]; do
	port=$((20000 + (port - 20000 + 2) % 19999))
done
cat >"$C/slurm.conf" <<EOF
ClusterName=ipsecsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP
EOF
SLURM_CONF="$C/slurm.conf" slurmctld -D -c -f "$C/slurm.conf" >"$C/slurmctld.out" 2>&1 &
ctld_pid=$!
SLURM_CONF="$C/slurm.conf" slurmd -D -f "$C/slurm.conf" >"$C/slurmd.out" 2>&1 &
slurmd_pid=$!
# Should this shell die without its traps (SIGKILL), the daemons follow it.
(
	trap - EXIT INT TERM HUP
	while kill -0 $$ 2>/dev/null; do sleep 0.5; done
	kill -TERM $ctld_pid $slurmd_pid 2>/dev/null
) >/dev/null 2>&1 &
watchdog_pid=$!
export SLURM_CONF="$C/slurm.conf"

# cluster_fail WHAT: the daemons' logs, then FAIL.
cluster_fail() {
	echo "FAIL: $1"
	for f in slurmctld.out slurmctld.log slurmd.out slurmd.log; do
		echo "--- $f"
		tail -n 30 "$C/$f" 2>/dev/null || true
	done
	exit 1
}
state=""
for _ in $(seq 150); do
	state=$(sinfo -h -N -o %T 2>/dev/null || true)
	[ "$state" = idle ] && break
	kill -0 $ctld_pid 2>/dev/null || cluster_fail "slurmctld exited"
	kill -0 $slurmd_pid 2>/dev/null || cluster_fail "slurmd exited"
	sleep 0.1
done
[ "$state" = idle ] || cluster_fail "node not idle after 15 s (state '$state')"
echo "ok: cluster up (node $host idle) after $(($(date +%s) - t_start)) s"

# The daemons listen on localhost only, on our ports.
checks=$((checks + 1))
listening=$(listeners $port $((port + 1)))
if [ -z "$listening" ] || echo "$listening" | grep -qvE '^127\.0\.0\.1:'; then
	echo "FAIL: daemons listen on: $(echo $listening)"
	fails=$((fails + 1))
else
	echo "ok: daemons listen on $(echo $listening) only"
fi

# --- the sweep on SLURM, and the same sweep locally meanwhile ---------------
SWEEP="$S --replications 2 --vary traffic.0.rate=1Mbps,2Mbps"
cd "$OUT"
"$IPSEC_SIM" sweep $SWEEP --out "$OUT/sl" --slurm --submit >"$OUT/submit.log" 2>&1 || {
	echo "FAIL: ipsec-sim sweep --slurm --submit exited $?"
	cat "$OUT/submit.log"
	cluster_fail "submission"
}
cat "$OUT/submit.log"
array=$(sed -n 's/^slurm: array job \([0-9]*\) .*/\1/p' "$OUT/submit.log")
merge=$(sed -n 's/^slurm: merge job \([0-9]*\) .*/\1/p' "$OUT/submit.log")
[ -n "$array" ] && [ -n "$merge" ] || cluster_fail "no job ids printed"
"$IPSEC_SIM" sweep $SWEEP --out "$OUT/local" --jobs 1 >"$OUT/local.log" 2>&1 || {
	echo "FAIL: local sweep"
	cat "$OUT/local.log"
	exit 1
}
t_submit=$(date +%s)
for _ in $(seq 1200); do
	[ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] && break
	sleep 0.1
done
[ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] ||
	cluster_fail "jobs $array, $merge still queued after 120 s: $(squeue -h 2>&1)"
echo "ok: both jobs done $(($(date +%s) - t_submit)) s after the local sweep"

for f in "$OUT"/sl/slurm/logs/*.log; do
	echo "--- $f"
	cat "$f"
done
DB="$OUT/sl/metrics.sqlite"
check "merged database written" "[ -s '$DB' ]"
expect "4 complete runs" "SELECT count(*) FROM runs WHERE status = 'complete'" 4
expect "run:config:replication:run_number as the plan says" \
	"SELECT group_concat(run_id || ':' || config_id || ':' || replication || ':' || run_number, ' ')
	 FROM (SELECT * FROM runs ORDER BY run_id)" "1:1:0:1 2:1:1:2 3:2:0:1 4:2:1:2"
expect "parameters per configuration" \
	"SELECT group_concat(config_id || ':' || key || '=' || value, ' ')
	 FROM (SELECT * FROM parameters ORDER BY config_id)" \
	"1:traffic.0.rate=1Mbps 2:traffic.0.rate=2Mbps"
expect "each run's overrides are its configuration's" \
	"SELECT count(*) FROM runs r JOIN configs c USING(config_id) WHERE r.overrides = c.parameters" 4
expect "merged database intact" "PRAGMA integrity_check" ok
check "task folders removed by the merge" "[ ! -e '$OUT/sl/runs' ]"
check "one log per task and the merge's" "[ \$(ls '$OUT'/sl/slurm/logs | wc -l) -eq 5 ]"

# Every table, every column but the wall-clock ones, equal to the local sweep's.
dump() {
	sqlite3 -batch -noheader "$1" "
	  SELECT run_id, r.scenario_name, scenario_path, scenario_sha256, overrides, seed, run_number,
	         version, openssl_version, ns3_version, sqlite_version, status, sim_seconds, events,
	         config_id, replication, scenario_text = (SELECT scenario_text FROM runs LIMIT 1)
	  FROM runs r JOIN configs USING(config_id) ORDER BY run_id;
	  SELECT * FROM configs ORDER BY config_id;
	  SELECT * FROM parameters ORDER BY 1, 2;" || echo "dump of $1 failed"
	for t in $(sqlite3 -batch -noheader "$1" "SELECT m.name FROM sqlite_master m
	    WHERE m.type = 'table' AND m.name NOT IN ('runs', 'configs', 'parameters')
	    AND EXISTS(SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'run_id') ORDER BY 1"); do
		echo "table $t"
		sqlite3 -batch -noheader "$1" "SELECT * FROM \"$t\"" | sort
	done
}
dump "$OUT/local/metrics.sqlite" >"$OUT/local.dump"
dump "$DB" >"$OUT/slurm.dump"
check "metrics equal the local sweep's (every table, all but wall-clock columns)" \
	"cmp -s '$OUT/local.dump' '$OUT/slurm.dump'"
cmp -s "$OUT/local.dump" "$OUT/slurm.dump" || diff "$OUT/local.dump" "$OUT/slurm.dump" | head -20
check "the comparison saw every run's flows" "[ \$(grep -c '^[1-4]|a-to-b|' '$OUT/slurm.dump') -eq 4 ]"

# --- without --submit: the commands to run; a task that never ran -----------
"$IPSEC_SIM" sweep $SWEEP --out "$OUT/w" --slurm --slurm-dir "$OUT/w-slurm" --partition test \
	--time 5:00 >"$OUT/w.log" 2>&1 || { echo "FAIL: --slurm without --submit"; cat "$OUT/w.log"; exit 1; }
check "prints the sbatch commands" \
	"grep -q 'sbatch --dependency=afterany:\${job%;\*} $OUT/w-slurm/merge.sbatch' '$OUT/w.log'"
check "partition and time in both scripts" \
	"[ \$(cat '$OUT'/w-slurm/*.sbatch | grep -c -e '^#SBATCH --partition=test\$' -e '^#SBATCH --time=5:00\$') -eq 4 ]"
check "scenario copied" "cmp -s '$S' '$OUT/w-slurm/scenario.yaml'"
SLURM_ARRAY_TASK_ID=2 sh "$OUT/w-slurm/sweep.sbatch" >"$OUT/task2.log" 2>&1
sh "$OUT/w-slurm/merge.sbatch" >"$OUT/wmerge.log" 2>&1 || true
DB="$OUT/w/metrics.sqlite"
expect "tasks that never ran are failed runs" \
	"SELECT group_concat(run_id || ':' || status, ' ') FROM (SELECT * FROM runs ORDER BY run_id)" \
	"1:failed 2:complete 3:failed 4:failed"
check "merge says which runs it recorded as failed" \
	"[ \$(grep -c 'its task left no database; recorded as failed' '$OUT/wmerge.log') -eq 3 ]"
cp "$OUT/w-slurm/scenario.yaml" "$OUT/copy.yaml"
echo "# edited" >>"$OUT/w-slurm/scenario.yaml"
rc=0
"$IPSEC_SIM" sweep-task "$OUT/w-slurm/plan" 1 >"$OUT/cli.log" 2>&1 || rc=$?
check "a task refuses an edited scenario copy" "[ $rc -eq 2 ] && grep -q 'changed since the plan' '$OUT/cli.log'"
cp "$OUT/copy.yaml" "$OUT/w-slurm/scenario.yaml"

# command-line mistakes: exit 2 with a message
cli "$(status sweep "$S" --submit)" 2 "--submit: only with --slurm" "--submit without --slurm"
cli "$(status sweep "$S" --slurm --jobs 2)" 2 "--jobs: not with --slurm" "--jobs with --slurm"
cli "$(status sweep "$S" --slurm --time soon)" 2 "--time: 'soon' is not a SLURM time limit" "bad --time"
cli "$(status sweep "$S" --slurm --partition 'a b')" 2 "--partition: 'a b' is not a partition" "bad --partition"
cli "$(status sweep "$S" --slurm --slurm-dir "$OUT/a b")" 2 "cannot go into #SBATCH" "--slurm-dir with a blank"
cli "$(status sweep-task "$OUT/w-slurm/plan" '')" 2 "is not a task id" "task id missing"
cli "$(status sweep-task "$OUT/w-slurm/plan" 5)" 2 "no run 5 (the plan has 4)" "task id out of range"
cli "$(status sweep-merge "$S")" 2 "not a sweep plan" "merge of a file that is no plan"

# --- the cluster stops without a trace -------------------------------------
stop_cluster
check "no process of the cluster left" "[ -z \"\$(ours)\" ]"
check "its ports closed" "[ -z \"\$(listeners $port $((port + 1)))\" ]"
echo "wall time: $(($(date +%s) - t_start)) s"
finish
