# Shared by the validator scripts (sourced).  Environment from CMake:
# IPSEC_SIM, DUMP_SAS, SRC_DIR, WORK_ROOT.
set -eu

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# need CHECK WHAT: make sure the shell command CHECK succeeds, installing
# what is missing with scripts/bootstrap.sh; skip (exit 77) only if that is
# impossible (no root, no network, no apt).
need() {
	if sh -c "$1" >/dev/null 2>&1; then
		return 0
	fi
	echo "validate: $2 is missing; trying scripts/bootstrap.sh" >&2
	sh "$SRC_DIR/scripts/bootstrap.sh" >&2 || true
	if ! sh -c "$1" >/dev/null 2>&1; then
		echo "SKIP: $2 is not installed and scripts/bootstrap.sh could not install it"
		exit 77
	fi
}

# run_scenario NAME: runs scenarios/NAME.yaml into $WORK (fresh).
run_scenario() {
	WORK="$WORK_ROOT/$TEST_NAME"
	rm -rf "$WORK"
	mkdir -p "$WORK_ROOT"
	"$IPSEC_SIM" run "$SRC_DIR/scenarios/$1.yaml" --out "$WORK" >"$WORK_ROOT/$TEST_NAME.run.log" 2>&1 ||
		{ cat "$WORK_ROOT/$TEST_NAME.run.log" >&2; fail "ipsec-sim run scenarios/$1.yaml failed"; }
	ls "$WORK"/pcap/*.pcap >/dev/null 2>&1 || fail "no pcap written to $WORK/pcap"
}
