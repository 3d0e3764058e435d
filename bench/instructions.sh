#!/bin/sh
# Instructions per call of two functions of a benchmark, counted by callgrind
# (repeatable on a noisy machine, unlike wall-clock time).
#
#   bench/instructions.sh A B PROGRAM [ARGS...]
#
# runs PROGRAM under valgrind --tool=callgrind and prints, for functions A
# and B, the number of calls and the instructions per call (inclusive of
# everything they call), then A's per call over B's.  The benchmarks name
# their per-packet or per-setup functions for this: docs/benchmarks.md.
set -eu
if [ $# -lt 3 ]; then
	echo "usage: $0 FUNCTION_A FUNCTION_B PROGRAM [ARGS...]" >&2
	exit 2
fi
a=$1
b=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
# --tree=caller lists each function's callers ("< ... (Nx)") above its own
# line ("* file:function [object]") with its inclusive count first.
callgrind_annotate --inclusive=yes --tree=caller "$out" | awk -v a="$a" -v b="$b" '
	/^ *$/ { calls = 0; next }
	/ < / { if (match($0, /\(([0-9,]+)x\)/)) { n = substr($0, RSTART + 1, RLENGTH - 3);
	        gsub(",", "", n); calls += n } next }
	/ \* / { ir = $1; gsub(",", "", ir)
	        for (i = 1; i <= 2; i++) { f = i == 1 ? a : b
	                if (index($0, ":" f " [")) { tot[f] = ir; cnt[f] = calls } } }
	END {
		for (i = 1; i <= 2; i++) { f = i == 1 ? a : b
			if (!cnt[f]) { print "instructions.sh: no calls of " f > "/dev/stderr"; exit 1 }
			per[f] = tot[f] / cnt[f]
			printf "%-20s %10d calls %12.0f instructions per call\n", f, cnt[f], per[f] }
		printf "%-20s %.3f\n", a "/" b, per[a] / per[b] }'
