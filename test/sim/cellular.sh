#!/bin/bash
# Cellular links (docs/scenario-reference.md, "Cellular links"): a rate
# schedule shows in the throughput of a saturating flow at the scheduled
# times; Gilbert-Elliott loss has the configured mean and comes in bursts;
# delays redrawn often keep packets in order; same seed => same metrics,
# another run number => other draws; the road warrior's handovers: the
# carrier NAT rebinds, IKE follows the new port and traffic resumes.
. "$(dirname "$0")/lib.sh"
D="$SRC/test/sim"

# ---- a rate schedule: 10, 2 (from 5 s), 6 Mbit/s (from 10 s), 0.5 s windows ----
run sched "$D/cellular-schedule.yaml" --no-pcap
# link-layer bytes (IP + 2-byte PPP header) per window, in Mbit/s
mbps() { q "SELECT round(avg(bytes * 8 / 0.5e6), 2) FROM link_windows WHERE dir='uplink' AND start_s >= $1 AND start_s < $2"; }
for span in "1 5 10" "5.5 10 2" "10.5 14.5 6"; do
	set -- $span
	got=$(mbps "$1" "$2")
	check "schedule: $got Mbit/s in [$1 s, $2 s) (rate $3 Mbit/s)" \
		"awk -v g='$got' -v w='$3' 'BEGIN { exit !(g > 0.97 * w && g < 1.01 * w) }'"
done
expect "schedule: the change shows in the first window after it" \
	"SELECT (SELECT bytes FROM link_windows WHERE dir='uplink' AND start_s=4.5) > 4 * (SELECT bytes FROM link_windows WHERE dir='uplink' AND start_s=5.0)" 1
expect "schedule: the downlink keeps the link's rate" \
	"SELECT DISTINCT rate_bps FROM link_windows WHERE dir='downlink'" 10000000.0
expect "schedule: the steps are events of the timeline" \
	"SELECT group_concat(time_s || ' ' || event || ' ' || detail, '; ') FROM events" \
	"5.0 link_rate links.0 uplink a->b: 2 Mbps; 10.0 link_rate links.0 uplink a->b: 6 Mbps"
expect "schedule: 2 rate changes counted" "SELECT rate_changes FROM link_stats WHERE dir='uplink'" 2

# ---- loss: Gilbert-Elliott (mean 5 %, bursts of 4) up, Bernoulli 5 % down ----
run loss "$D/cellular-loss.yaml" --no-pcap
expect "gilbert-elliott: mean loss 5 % +- 1" \
	"SELECT loss_ratio BETWEEN 0.04 AND 0.06, model_loss FROM link_stats WHERE dir='uplink'" "1|0.05"
expect "gilbert-elliott: losses come in bursts (mean burst 3..5 packets)" \
	"SELECT mean_burst BETWEEN 3 AND 5 FROM link_stats WHERE dir='uplink'" 1
expect "bernoulli: mean loss 5 % +- 1" \
	"SELECT loss_ratio BETWEEN 0.04 AND 0.06 FROM link_stats WHERE dir='downlink'" 1
expect "bernoulli: isolated losses (mean burst < 1.2)" \
	"SELECT mean_burst < 1.2 FROM link_stats WHERE dir='downlink'" 1
expect "loss: the flows lose what the link lost" \
	"SELECT (SELECT lost FROM flows WHERE flow='up') = (SELECT lost FROM link_stats WHERE dir='uplink')" 1
q "SELECT '  measured: ' || dir || ' loss ' || round(100 * loss_ratio, 2) || ' %, mean burst ' || round(mean_burst, 2) FROM link_stats"

# ---- order: the delay redrawn every 20 ms (sd 30 ms) at 1250 packets/s ----
run order "$D/cellular-order.yaml"
expect "order: the delay varied (max - min > 60 ms, 499 changes)" \
	"SELECT delay_max_ms - delay_min_ms > 60, (SELECT delay_changes FROM link_stats WHERE dir='uplink') FROM flows" "1|499"
got=$(/usr/bin/python3 - "$OUT/order/pcap/cell-order-b-1.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert struct.unpack('<I', d[:4])[0] == 0xa1b2c3d4
ppp = struct.unpack('<I', d[20:24])[0] == 9
off, seqs = 24, []
while off + 16 <= len(d):
    incl = struct.unpack('<I', d[off + 8:off + 12])[0]
    ip = d[off + 16 + (2 if ppp else 0):off + 16 + incl]
    off += 16 + incl
    if len(ip) >= 20 and ip[9] == 17:
        pay = ip[(ip[0] & 15) * 4 + 8:]
        if len(pay) >= 16:
            seqs.append(struct.unpack('>Q', pay[8:16])[0])
print(len(seqs), sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a))
PY
)
received=$(q "SELECT received FROM flows")
expect "order: b's capture has every packet received, none out of order" "SELECT '$got'" "$received 0"

# ---- reproducibility ----
dump() {
	sqlite3 -batch "$1" "SELECT link, dir, packets, lost, bytes, loss_bursts, outages, down_s FROM link_stats;
		SELECT link, dir, start_s, packets, bytes, lost, rate_bps, delay_ms FROM link_windows WHERE run_id = $2;
		SELECT time_s, event, detail FROM events WHERE run_id = $2;
		SELECT flow, received, delay_mean_ms FROM flows WHERE run_id = $2"
}
run order2 "$D/cellular-order.yaml" --no-pcap
check "same seed, same metrics" \
	"[ \"\$(dump '$OUT/order/metrics.sqlite' 1)\" = \"\$(dump '$OUT/order2/metrics.sqlite' 1)\" ]"
sweep sweep "$D/cellular-order.yaml" --replications 2 --jobs 1
expect "run numbers 1 and 2" "SELECT group_concat(run_number) FROM (SELECT run_number FROM runs ORDER BY run_id)" "1,2"
r1=$(q "SELECT run_id FROM runs WHERE run_number = 1")
r2=$(q "SELECT run_id FROM runs WHERE run_number = 2")
a=$(sqlite3 -batch "$DB" "SELECT start_s, bytes, lost, delay_ms FROM link_windows WHERE run_id = $r1")
b=$(sqlite3 -batch "$DB" "SELECT start_s, bytes, lost, delay_ms FROM link_windows WHERE run_id = $r2")
check "another run number, other draws" "[ -n '$a' ] && [ '$a' != '$b' ]"

# ---- the road warrior: handovers at 170 s and 430 s behind the carrier NAT ----
run rw "$SRC/scenarios/cellular-roadwarrior.yaml" --no-pcap
expect "rw: two handovers, each rebinding the UE's mapping" \
	"SELECT group_concat(time_s || ' ' || detail, '; ') FROM events WHERE event='handover'" \
	"170.0 links.0 interruption 50ms; nat cgnat rebound 1 mappings; 430.0 links.0 interruption 50ms; nat cgnat rebound 1 mappings"
expect "rw: the gateway follows the UE to each new port (NAT-T, RFC 7296 §2.23)" \
	"SELECT count(DISTINCT peer) FROM ike_nat WHERE node='gw' AND time_s > 1" 2
expect "rw: ... within 20 s of each handover (the UE's DPD, nothing coming down)" \
	"SELECT count(*) FROM ike_nat n WHERE node='gw' AND EXISTS(SELECT 1 FROM events e WHERE e.event='handover' AND n.time_s BETWEEN e.time_s AND e.time_s + 20)" 2
expect "rw: the gateway's ESP to the old port is dropped at the NAT meanwhile" \
	"SELECT packets > 0 FROM nat_drops WHERE reason='no_mapping'" 1
expect "rw: one IKE SA throughout (followed, not restarted), no failures" \
	"SELECT (SELECT count(*) FROM ike_sa_events WHERE state='established'), (SELECT count(*) FROM ike_failures)" "2|0"
expect "rw: downlink traffic resumes after each handover" \
	"SELECT count(*) FROM events e WHERE e.event='handover' AND (SELECT min(bytes) FROM link_windows w WHERE dir='downlink' AND w.start_s BETWEEN e.time_s + 25 AND e.time_s + 30) > 100000" 2
expect "rw: Child SA rekeyed every 2 minutes" \
	"SELECT count(*) >= 4 FROM child_sa_events WHERE node='gw' AND state='rekeyed'" 1
q "SELECT '  measured: ' || flow || ' lost ' || lost || ' of ' || sent FROM flows"
q "SELECT '  measured: gw follows at ' || time_s || ' s to ' || peer FROM ike_nat WHERE node='gw' AND time_s > 1"

# the worked study's knobs work on it (one run: both, to keep the test short)
run rw-variant "$SRC/scenarios/cellular-roadwarrior.yaml" --no-pcap \
	--set nodes.gw.ipsec.connections.rw.children.office.rekey_policy=break-before-make \
	--set nodes.ue.ipsec.connections.vpn.children.office.rekey_policy=break-before-make \
	--set nodes.ue.ipsec.connections.vpn.reauth_time=150s
expect "rw variant: Child SAs rekeyed break-before-make" "SELECT count(*) > 0 FROM child_sa_events WHERE state='rekeyed'" 1
expect "rw variant: the UE reauthenticates (new IKE SAs)" \
	"SELECT count(*) > 2 FROM ike_sa_events WHERE node='ue' AND state='established'" 1
finish
