# Command-line errors: messages and exit status 2, never a crash.
. "$(dirname "$0")/lib.sh"
cli "$(status)" 2 "usage:" "no command"
cli "$(status frobnicate)" 2 "unknown command 'frobnicate'" "unknown command"
cli "$(status run)" 2 "usage: ipsec-sim run" "run without a scenario"
cli "$(status run "$OUT/missing.yaml")" 2 "missing.yaml: cannot open" "missing file"
cli "$(status run "$SRC/scenarios/site-to-site.yaml" --seed 0)" 2 "is not a seed" "seed 0"
cli "$(status run "$SRC/scenarios/site-to-site.yaml" --seed x1)" 2 "is not a seed" "seed not a number"
cli "$(status run "$SRC/scenarios/site-to-site.yaml" --set nosuchkey)" 2 "--set:1:" "override without ="
cli "$(status check "$SRC/scenarios/site-to-site.yaml")" 0 "ok" "check a good file"
finish
