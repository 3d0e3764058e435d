#!/bin/sh
# Line and region coverage of the fuzz targets' corpora (`make
# fuzz-coverage`, docs/fuzzing.md): each target of BUILD/test/fuzz is built
# again with clang's source-based coverage (-fprofile-instr-generate
# -fcoverage-mapping) from the same sources and flags, run once over every
# input of its corpus -- the long run's (long/NAME/corpus, after `make
# fuzz`) and its seeds -- and measured with llvm-profdata and llvm-cov over
# the files of model/ and helper/ it links.  Prints one line per target and
# writes the per-file report to BUILD/test/fuzz/coverage/NAME.txt.
#
# usage: coverage.sh BUILD [TARGET...]
set -eu
dir=$(cd "$1/test/fuzz" && pwd)
shift
out=$dir/coverage
mkdir -p "$out/obj"
{
	read -r clang
	read -r cflags
	read -r san
	read -r crypto
} <"$dir/fuzz_cflags.txt"
llvm=/usr/lib/llvm-$("$clang" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p')/bin
cov="-fprofile-instr-generate -fcoverage-mapping"
while IFS='|' read -r name srcs libs; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	objs=""
	for src in $srcs; do
		o=$out/obj/$(echo "$src" | tr / _).o
		# shellcheck disable=SC2086
		[ "$o" -nt "$src" ] || nice "$clang" $cflags $cov -c "$src" -o "$o"
		objs="$objs $o"
	done
	# shellcheck disable=SC2086
	nice "$clang" -fsanitize=fuzzer $san $cov $objs $libs "$crypto" -o "$out/$name"
	seeds=$(sed -n "s|^$name [^ ]* ||p" "$dir/fuzz_targets.txt")
	inputs=""
	for d in "$dir/long/$name/corpus" "$dir/long/$name/generated" $seeds; do
		[ -d "$d" ] && inputs="$inputs $d"
	done
	n=0
	for d in $inputs; do n=$((n + $(find "$d" -type f | wc -l))); done
	rm -f "$out/$name".profraw
	# shellcheck disable=SC2086
	LLVM_PROFILE_FILE="$out/$name.profraw" nice "$out/$name" -runs=0 -rss_limit_mb=2048 \
		$inputs >"$out/$name.log" 2>&1 || { echo "$name: failed, see $out/$name.log"; exit 1; }
	"$llvm/llvm-profdata" merge -sparse "$out/$name.profraw" -o "$out/$name.profdata"
	"$llvm/llvm-cov" report "$out/$name" -instr-profile="$out/$name.profdata" \
		-ignore-filename-regex='(/test/|^/usr/)' >"$out/$name.txt"
	# per file: name regions missed % functions missed % lines missed % ...;
	# "reached": the files of which at least one function ran
	awk -v name="$name" -v n="$n" '
		$1 ~ /\.c$/ {
			files++; l += $8; lm += $9; r += $2; rm += $3
			if ($5 > $6) { reached++; rl += $8; rlm += $9 }
		}
		END {
			printf "%s (%d inputs): lines %.1f %% of %d files of model/ and helper/ linked in; " \
			       "%d files reached, lines %.1f %% of theirs; regions %.1f %%\n",
			       name, n, 100 * (l - lm) / l, files, reached, 100 * (rl - rlm) / rl,
			       100 * (r - rm) / r
		}' "$out/$name.txt"
done <"$dir/fuzz_sources.txt"
