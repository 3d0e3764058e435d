# Helpers for simulation tests: run a scenario, then assert on its database.
# Sourced by each test; IPSEC_SIM and SRC are set by ctest.
set -eu
fails=0
checks=0
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# run NAME SCENARIO [args...] and sweep NAME SCENARIO [args...]: `ipsec-sim
# run` or `sweep` into $OUT/NAME, which becomes $DB's folder.
run() { run_into run "$@"; }
sweep() { run_into sweep "$@"; }
run_into() {
	cmd=$1
	name=$2
	shift 2
	"$IPSEC_SIM" "$cmd" "$@" --out "$OUT/$name" >"$OUT/$name.log" 2>&1 || {
		echo "FAIL: ipsec-sim $cmd $* exited $?"
		cat "$OUT/$name.log"
		exit 1
	}
	DB="$OUT/$name/metrics.sqlite"
}

q() { sqlite3 -batch -noheader "$DB" "$1"; }

# expect WHAT SQL VALUE: the query's output must equal VALUE.
expect() {
	checks=$((checks + 1))
	got=$(q "$2")
	if [ "$got" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: $2 gave '$got', expected '$3'"
		fails=$((fails + 1))
	fi
}

# check WHAT SHELL: the shell command (eval'ed) must succeed.
check() {
	checks=$((checks + 1))
	if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

# status ARGS...: ipsec-sim's exit status, its output in $OUT/cli.log.
status() { rc=0; "$IPSEC_SIM" "$@" >"$OUT/cli.log" 2>&1 || rc=$?; echo $rc; }

# cli STATUS EXPECTED TEXT WHAT: the status (of `status`) must be EXPECTED
# and the output hold TEXT.
cli() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ] && grep -qF -- "$3" "$OUT/cli.log"; then echo "ok: $4"; else
		echo "FAIL: $4: status $1, output:"; cat "$OUT/cli.log"; fails=$((fails + 1)); fi
}

# metrics DB RUN [FLOW_COLUMNS]: the metrics of run RUN in database DB
# without ids and wall-clock columns (by default every flow column), to
# compare runs.
metrics() {
	sqlite3 -batch -noheader "$1" "
	  SELECT ${3:-flow, sent, received, lost, duplicates, bytes_received, delay_mean_ms,
	         delay_p50_ms, delay_p99_ms, throughput_bps} FROM flows WHERE run_id = $2 ORDER BY flow;
	  SELECT node, sa, packets, bytes, last_seq, drops FROM sas WHERE run_id = $2 ORDER BY 1, 2;
	  SELECT seed, run_number, sim_seconds, events FROM runs WHERE run_id = $2"
}

# until_running N PIDS: waits (60 s at most) until N of the processes the
# command PIDS lists catch SIGINT (SigCgt bit 1): their runs are under way.
# A SIGINT before would be lost (a background job ignores it until then)
# or kill a sweep worker still setting up; a slow start (under ASan, on a
# busy machine) can take seconds.
until_running() {
	for _ in $(seq 600); do
		n=0
		for p in $($2); do
			grep -q '^SigCgt:.*[2367abef]$' "/proc/$p/status" 2>/dev/null && n=$((n + 1))
		done
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

finish() {
	echo "$((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}
