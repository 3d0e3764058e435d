#!/bin/bash
# LTE links (docs/scenario-reference.md, "LTE links"): the road warrior on
# ns-3's LTE radio and EPC gets its IKE SA and Child SA over the radio and
# carries UDP both ways and pings through ESP; the radio adds latency over
# the wired links' delays; a UE far from the eNodeB gets less of a
# saturating flow through than a near one; the scheduler shares a cell
# between two UEs as it should; same seed => same flows.
. "$(dirname "$0")/lib.sh"
RW="$SRC/scenarios/lte-roadwarrior.yaml"

# ---- the road warrior: IKE, ESP both ways, delays ----
run rw "$RW" --set duration=3s --set traffic.0.stop=2.5s --set traffic.1.stop=2.5s \
	--set traffic.2.stop=2.5s
expect "IKE SA established on both ends, over the UE's EPC address" \
	"SELECT group_concat(node || ' ' || state, ', ') FROM (SELECT node, state FROM ike_sa_events WHERE state = 'established' ORDER BY node)" \
	"gw established, ue established"
expect "one Child SA each way on each end, between 7.0.0.2 and the gateway" \
	"SELECT count(*) FROM sas WHERE (src = '7.0.0.2' AND dst = '100.64.0.2') OR (src = '100.64.0.2' AND dst = '7.0.0.2')" 4
expect "up, down and ping delivered (the first packets trigger IKE)" \
	"SELECT group_concat(flow || ' ' || (received >= sent - 20), ', ') FROM flows" "up 1, down 1, ping 1"
expect "the UE's ESP carried every up packet the server received" \
	"SELECT (SELECT packets FROM sas WHERE node = 'ue' AND dir = 'out') >= (SELECT received FROM flows WHERE flow = 'up')" 1
expect "the gateway's ESP carried every down packet the UE received" \
	"SELECT (SELECT packets FROM sas WHERE node = 'gw' AND dir = 'out') >= (SELECT received FROM flows WHERE flow = 'down')" 1
expect "nothing dropped by IPsec after the SA was up (up only: no_sa while IKE ran)" \
	"SELECT count(*) FROM drops WHERE reason != 'no_sa'" 0
# The wired path: 5 ms (isp-gw) + 1 ms (gw-server) + epc_delay 2 ms.
expect "the radio adds latency: every packet slower than the wires (8 ms)" \
	"SELECT group_concat(flow || ' ' || (delay_min_ms > 8), ', ') FROM flows WHERE type = 'udp'" "up 1, down 1"
q "SELECT '  measured: ' || flow || ' delay ' || round(delay_mean_ms, 3) || ' ms (min ' || round(delay_min_ms, 3) || ')' FROM flows"

# ---- distance: a saturating uplink, near (100 m) and far (5 km) ----
sat="--no-pcap --set duration=2s --set traffic.0.rate=20Mbps --set traffic.0.size=1000B --set traffic.0.stop=2s --set traffic.1.stop=1.6s --set traffic.2.stop=1.6s"
run near "$RW" $sat --set links.0.distance=100m
near=$(q "SELECT throughput_bps FROM flows WHERE flow = 'up'")
run far "$RW" $sat --set links.0.distance=5km
far=$(q "SELECT throughput_bps FROM flows WHERE flow = 'up'")
check "distance: the near UE's uplink carries more than twice the far one's ($near vs $far bit/s)" \
	"awk -v n='$near' -v f='$far' 'BEGIN { exit !(n > 2 * f && f > 0) }'"

# ---- reproducible: the far run again ----
q "SELECT * FROM flows" >"$OUT/far.flows"
run far2 "$RW" $sat --set links.0.distance=5km
check "same seed, same flows rows" "q 'SELECT * FROM flows' | cmp -s - '$OUT/far.flows'"

# ---- one cell, two UEs: pf shares it, mt gives it to the better channel ----
run pf "$SRC/test/sim/lte-cell.yaml" --no-pcap
expect "pf: the UEs get 7.0.0.2 and 7.0.0.3 in link order" \
	"SELECT group_concat(flow || ' ' || dst, ', ') FROM flows" "to-near 7.0.0.2, to-far 7.0.0.3"
expect "pf: both UEs are served, the near one (300 m) more than twice the far one (10 km)" \
	"SELECT (SELECT throughput_bps FROM flows WHERE flow = 'to-near') > 2 * (SELECT throughput_bps FROM flows WHERE flow = 'to-far') AND (SELECT throughput_bps FROM flows WHERE flow = 'to-far') > 1e6" 1
pf_near=$(q "SELECT throughput_bps FROM flows WHERE flow = 'to-near'")
run mt "$SRC/test/sim/lte-cell.yaml" --no-pcap --set links.0.scheduler=mt
expect "mt: the far UE starves (under 0.5 Mbit/s)" \
	"SELECT throughput_bps < 5e5 FROM flows WHERE flow = 'to-far'" 1
expect "mt: the near UE gets more than under pf" \
	"SELECT throughput_bps > 1.5 * $pf_near FROM flows WHERE flow = 'to-near'" 1
finish
