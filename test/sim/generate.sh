# `ipsec-sim generate hub-and-spoke`: flows stop 1 s before the end, so a
# clean topology loses nothing (a flow sending until the end lost the
# packets still in flight: 6 of 726 at --duration 8.01s --rate 20); every
# --traffic type passes `check` and runs without loss; --jitter writes
# reproducible start times inside [2 s, 2 s + jitter); --crypto-engine puts
# the profile on the hub; the generated values are ordinary keys that
# `sweep --vary` changes.
. "$(dirname "$0")/lib.sh"
gen() { f="$OUT/$1.yaml"; shift; "$IPSEC_SIM" generate hub-and-spoke "$@" --out "$f" ||
	{ echo "FAIL: generate $*"; exit 1; }; }
ok_check() { "$IPSEC_SIM" check "$OUT/$1.yaml" >"$OUT/$1.check" 2>&1 && ! grep -q warning "$OUT/$1.check"; }

gen udp --spokes 3 --duration 8.01s --rate 20
check "udp: passes check" "ok_check udp"
check "udp: every flow stops 1 s before the end" \
	"[ \$(grep -c 'stop: 7.01s}' '$OUT/udp.yaml') -eq 6 ] && [ \$(grep -c 'type: udp' '$OUT/udp.yaml') -eq 6 ]"
run udp "$OUT/udp.yaml" --no-pcap
expect "udp: 6 flows, all packets received, none lost" \
	"SELECT count(*), sum(sent) = sum(received), sum(lost), min(sent) > 100 FROM flows" "6|1|0|1"

for t in poisson onoff ping reqresp tcp; do
	if [ $t = tcp ]; then gen $t --spokes 2 --duration 6s --traffic $t --size 100KB; else
		gen $t --spokes 2 --duration 6s --traffic $t --rate 20; fi
	check "$t: passes check" "ok_check $t"
	run $t "$OUT/$t.yaml" --no-pcap
	expect "$t: its flows, of type $t, nothing lost" \
		"SELECT group_concat(DISTINCT type), count(*), sum(lost), min(received) > 0 FROM flows" \
		"$t|$(case $t in poisson|onoff) echo 4;; *) echo 2;; esac)|0|1"
done
expect "tcp: each spoke uploads its --size" "SELECT group_concat(bytes_received) FROM flows" "100000,100000"

gen j1 --spokes 20 --jitter 500ms --jitter-seed 7
gen j2 --spokes 20 --jitter 500ms --jitter-seed 7
gen j3 --spokes 20 --jitter 500ms --jitter-seed 8
starts() { grep -o 'start: [0-9.]*s' "$OUT/$1.yaml" | sed 's/start: //; s/s$//'; }
check "jitter: passes check" "ok_check j1"
check "jitter: 40 start times, all in [2 s, 2.5 s), at least 35 distinct" \
	"[ \$(starts j1 | awk '\$1 >= 2 && \$1 < 2.5' | wc -l) -eq 40 ] && [ \$(starts j1 | sort -u | wc -l) -ge 35 ]"
check "jitter: the same seed, the same file" "cmp -s '$OUT/j1.yaml' '$OUT/j2.yaml'"
check "jitter: another seed, other times" "[ \"\$(starts j1)\" != \"\$(starts j3)\" ]"
check "jitter: the command line in the file says the seed" \
	"grep -q -- '--jitter 0.5s --jitter-seed 7' '$OUT/j1.yaml'"

gen ce --spokes 2 --duration 6s --rate 50 --crypto-engine embedded
check "crypto engine: passes check" "ok_check ce"
run ce "$OUT/ce.yaml" --no-pcap
expect "crypto engine: the hub's, embedded, carried every packet of the 4 flows (50 pps for 3 s)" \
	"SELECT node, profile, packets, drops, (SELECT sum(sent) FROM flows) FROM crypto_engines" "hub|embedded|600|0|600"

# The generated values are keys: --vary changes every flow's rate, and the
# hub's engine.
sweep sw "$OUT/ce.yaml" --vary 'traffic.*.rate=10pps,40pps' --vary nodes.hub.crypto_engine=embedded,asic-10g --jobs 2
expect "sweep: 2 x 2 configurations" "SELECT count(*) FROM runs WHERE status = 'complete'" 4
expect "sweep: packets sent scale with traffic.*.rate (10 and 40 pps for 3 s, each of 4 flows)" \
	"SELECT group_concat(s, ' ') FROM (SELECT sum(sent) AS s FROM flows GROUP BY run_id ORDER BY run_id)" \
	"120 120 480 480"
expect "sweep: the engine varies" \
	"SELECT group_concat(profile, ' ') FROM (SELECT profile FROM crypto_engines ORDER BY run_id)" \
	"embedded asic-10g embedded asic-10g"

cli "$(status generate hub-and-spoke --spokes 2 --traffic http)" 2 "not udp, poisson, onoff, ping, reqresp or tcp" "unknown traffic type"
cli "$(status generate hub-and-spoke --spokes 2 --traffic tcp --rate 5)" 2 "tcp traffic has no rate" "--rate with tcp"
cli "$(status generate hub-and-spoke --spokes 2 --duration 3s)" 2 "leaves no time for traffic" "too short a run"
cli "$(status generate hub-and-spoke --spokes 2 --crypto-engine 'a b')" 2 "not a profile name" "a profile name YAML would misread"
finish
