# validate_scapy_*: scapy (python3-scapy) decrypts / verifies every ESP and AH
# packet of a scenario's captures.  usage: scapy.sh SCENARIO REQUIRE...
. "$(dirname "$0")/lib.sh"
need "/usr/bin/python3 -c 'import scapy.layers.ipsec'" "python3-scapy"
scenario=$1
shift
[ -f "$SRC_DIR/scenarios/$scenario.yaml" ] || fail "scenarios/$scenario.yaml does not exist"
run_scenario "$scenario"
"$DUMP_SAS" "$SRC_DIR/scenarios/$scenario.yaml" >"$WORK/sas.txt" || fail "validate-dump-sas failed"
req=""
for r in "$@"; do req="$req --require $r"; done
# shellcheck disable=SC2086
/usr/bin/python3 "$(dirname "$0")/scapy_validate.py" --sas "$WORK/sas.txt" --pcap-dir "$WORK/pcap" $req
