# Command-line errors: messages and exit status 2, never a crash.
. "$(dirname "$0")/lib.sh"
status() { rc=0; "$IPSEC_SIM" "$@" >"$OUT/cli.log" 2>&1 || rc=$?; echo $rc; }
chk() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ] && grep -q -- "$3" "$OUT/cli.log"; then echo "ok: $4"; else
		echo "FAIL: $4: status $1, output:"; cat "$OUT/cli.log"; fails=$((fails + 1)); fi
}
chk "$(status)" 2 "usage:" "no command"
chk "$(status frobnicate)" 2 "unknown command 'frobnicate'" "unknown command"
chk "$(status run)" 2 "usage: ipsec-sim run" "run without a scenario"
chk "$(status run "$OUT/missing.yaml")" 2 "missing.yaml: cannot open" "missing file"
chk "$(status run "$SRC/scenarios/site-to-site.yaml" --seed 0)" 2 "is not a seed" "seed 0"
chk "$(status run "$SRC/scenarios/site-to-site.yaml" --seed x1)" 2 "is not a seed" "seed not a number"
chk "$(status run "$SRC/scenarios/site-to-site.yaml" --set nosuchkey)" 2 "--set:1:" "override without ="
chk "$(status check "$SRC/scenarios/site-to-site.yaml")" 0 "ok" "check a good file"
finish
