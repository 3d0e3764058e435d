# `cmake --install` into a temporary prefix: the program runs from there and
# finds its shipped profiles and scenarios under PREFIX/share/ipsec-sim,
# not in the source tree it was built from.
. "$(dirname "$0")/lib.sh"
prefix="$OUT/prefix"
cmake --install "$BUILD_DIR" --prefix "$prefix" >"$OUT/install.log" 2>&1 || {
	cat "$OUT/install.log"
	exit 1
}
sim="$prefix/bin/ipsec-sim"
check "the program is installed and runs" '"$sim" --version | grep -q "^ipsec-sim "'
check "the shipped profiles are installed" \
	'cmp "$SRC/profiles/asic-10g.yaml" "$prefix/share/ipsec-sim/profiles/asic-10g.yaml"'
check "the shipped scenarios are installed" \
	'cmp "$SRC/scenarios/site-to-site.yaml" "$prefix/share/ipsec-sim/scenarios/site-to-site.yaml"'
# A profile only the installed tree has: the installed program finds it, the
# build tree's does not (it looks in the source tree).
cp "$SRC/profiles/embedded.yaml" "$prefix/share/ipsec-sim/profiles/only-installed.yaml"
scn="$prefix/share/ipsec-sim/scenarios/crypto-saturation.yaml"
set_engine="nodes.gwA.crypto_engine=only-installed"
check "the installed program reads its own profiles" \
	'env -u IPSEC_SIM_PROFILES "$sim" check "$scn" --set "$set_engine" >"$OUT/check.log" 2>&1'
check "the build tree's program does not see them" \
	'! env -u IPSEC_SIM_PROFILES "$IPSEC_SIM" check "$scn" --set "$set_engine" >"$OUT/check2.log" 2>&1 &&
	 grep -q "no profile '"'"'only-installed'"'"'" "$OUT/check2.log"'
check "a run from the installed program" \
	'"$sim" run "$prefix/share/ipsec-sim/scenarios/site-to-site.yaml" --no-pcap --out "$OUT/run" >"$OUT/run.log" 2>&1 &&
	 [ "$(sqlite3 "$OUT/run/metrics.sqlite" "SELECT status FROM runs")" = complete ]'
finish
