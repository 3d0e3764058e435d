#!/bin/sh
# The long fuzzing run (`make fuzz`, docs/fuzzing.md): each target of
# BUILD/test/fuzz/fuzz_targets.txt (or only those named) fuzzes for SECONDS
# from its seed corpus plus a corpus kept in BUILD/test/fuzz/long/NAME/, one
# after the other, niced.  Prints and appends to long/summary.txt one line
# per target: executions, exec/s, edges (libFuzzer's cov:), features, and
# functions of model/ and helper/ covered out of those linked in
# (-print_coverage), with the date; a crash stops the run with its input
# kept as long/NAME/crash-*.
#
# usage: run_long.sh BUILD SECONDS [TARGET...]
set -eu
dir=$1/test/fuzz
secs=$2
shift 2
long=$dir/long
mkdir -p "$long"
summary=$long/summary.txt
status=0
while read -r name gen seeds; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	work=$long/$name
	mkdir -p "$work/corpus" "$work/generated"
	[ "$gen" = - ] || "$gen" "$work/generated" >/dev/null
	start=$(date +%s)
	set +e
	nice "$dir/$name" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -print_coverage=1 -artifact_prefix="$work/" \
		"$work/corpus" "$work/generated" $seeds >"$work/log" 2>&1
	rc=$?
	set -e
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	edges=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
	ours='/(model|helper)/[^ ]*$'
	fcov=$(grep -E "^COVERED_FUNC:.*$ours" "$work/log" | wc -l)
	fall=$(grep -E "^(UN)?COVERED_FUNC:.*$ours" "$work/log" | wc -l)
	result=ok
	[ "$rc" -eq 0 ] || { result="FAILED (exit $rc, see $work/log)"; status=1; }
	line="$name: $execs executions ($rate/s) in ${took}s, edges $edges, features $ft, functions $fcov/$fall, $(date -u +%Y-%m-%d) $result"
	echo "$line"
	echo "$line" >>"$summary"
done <"$dir/fuzz_targets.txt"
exit $status
