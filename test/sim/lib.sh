# Helpers for simulation tests: run a scenario, then assert on its database.
# Sourced by each test; IPSEC_SIM and SRC are set by ctest.
set -eu
fails=0
checks=0
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# run NAME SCENARIO [args...]: runs into $OUT/NAME, which becomes $DB's folder.
run() {
	name=$1
	shift
	"$IPSEC_SIM" run "$@" --out "$OUT/$name" >"$OUT/$name.log" 2>&1 || {
		echo "FAIL: ipsec-sim run $* exited $?"
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

finish() {
	echo "$((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}
