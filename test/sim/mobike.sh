# Handovers that change the UE's own address (cellular `handovers:` with
# `addresses:`), scenarios/mobike-handover.yaml: a mobile router, seven
# handovers in 120 s, each a 50 ms interruption and a new address.
#  (a) MOBIKE (RFC 4555): one IKE SA and one Child SA for the whole run;
#      after each address change the UE's INFORMATIONAL with
#      UPDATE_SA_ADDRESSES moves the gateway's IKE SA and ESP to the new
#      address within a round trip; tshark decrypts the notify.
#  (b) without MOBIKE: the UE reauthenticates from each new address: a new
#      IKE SA and Child SA per handover, the old ones deleted; more loss.
#  (c) both: every lost packet has a reason -- the link was down, or the
#      packet went to the UE's old address, which the cell cannot hand to
#      its neighbour any more (no_neighbor; packets that reached the UE
#      just before it moved are no_neighbor there).
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/mobike-handover.yaml"
run mobike "$S"
changes=$(q "SELECT count(*) FROM events WHERE event = 'address_change'")
expect "seven handovers, each with a new address" "SELECT count(*), count(DISTINCT detail) > 2 FROM events WHERE event = 'address_change'" "7|1"
expect "MOBIKE negotiated: one IKE SA, one Child SA per side, all run long" "SELECT (SELECT count(*) FROM ike_sa_events WHERE state = 'established'), (SELECT count(*) FROM child_sa_events WHERE state = 'installed')" "2|2"
expect "an UPDATE_SA_ADDRESSES exchange per address change, initiated by the UE, none lost" "SELECT count(*), min(ok), max(retransmits) FROM ike_exchanges WHERE node = 'ue' AND exchange = 'INFORMATIONAL' AND initiator = 1" "$changes|1|0"
expect "each update takes one round trip (2 x 40 ms and serialisation)" "SELECT min(rtt_ms) >= 80 AND max(rtt_ms) < 90 FROM ike_exchanges WHERE node = 'ue' AND exchange = 'INFORMATIONAL'" 1
expect "the gateway follows each move at once: its IKE SA's peer is the new address" "SELECT count(*) FROM events e JOIN ike_nat n ON n.node = 'gw' AND n.time_s > e.time_s AND n.time_s < e.time_s + 0.1 AND n.peer = substr(e.detail, instr(e.detail, '> ') + 2) || ':4500' WHERE e.event = 'address_change'" "$changes"
expect "every lost packet has a reason" "SELECT (SELECT sum(lost) FROM flows) = (SELECT sum(packets) FROM drops)" 1
expect "the reasons: the link down while handing over, the old address until the gateway knows" "SELECT group_concat(node || '/' || reason, ' ') FROM (SELECT * FROM drops ORDER BY node, reason)" "cell/link_down cell/no_neighbor ue/link_down ue/no_neighbor"
mobike_lost=$(q "SELECT lost FROM flows WHERE flow = 'down'")
if command -v tshark >/dev/null; then
	checks=$((checks + 1))
	H="$OUT/mobike/keys-home"
	V=$(HOME="$H" tshark -r "$OUT/mobike/pcap/mobike-handover-gw-1.pcap" -V -Y isakmp 2>/dev/null)
	n=$(printf '%s\n' "$V" | grep -c "Notify Message Type: UPDATE_SA_ADDRESSES (16400)" || true)
	bad=$(printf '%s\n' "$V" | grep "Integrity Checksum Data" | grep -vc "\[correct\]" || true)
	if [ "$n" -eq "$changes" ] && [ "$bad" -eq 0 ]; then echo "ok: tshark decrypts $n UPDATE_SA_ADDRESSES notifies at the gateway, every ICV correct"; else
		echo "FAIL: tshark saw $n UPDATE_SA_ADDRESSES (expected $changes), $bad bad ICVs"; fails=$((fails + 1)); fi
fi

run reauth "$S" --set nodes.ue.ipsec.connections.vpn.mobike=no
expect "without MOBIKE: a new IKE SA from each new address" "SELECT count(*) FROM ike_sa_events WHERE node = 'ue' AND state = 'established'" "$((changes + 1))"
expect "... each replacing the one before (reauth), on both sides" "SELECT (SELECT count(*) FROM ike_sa_events WHERE node = 'ue' AND state = 'rekeyed' AND reason = 'reauth'), (SELECT count(*) FROM ike_sa_events WHERE node = 'gw' AND state = 'deleted' AND reason = 'peer delete')" "$changes|$changes"
expect "the UE's only INFORMATIONAL requests: the DELETE of each old IKE SA" "SELECT count(*) FROM ike_exchanges WHERE exchange = 'INFORMATIONAL' AND node = 'ue' AND initiator = 1" "$changes"
expect "every lost packet has a reason" "SELECT (SELECT sum(lost) FROM flows) = (SELECT sum(packets) FROM drops)" 1
expect "reauthentication loses more of the downlink than MOBIKE" "SELECT lost > $mobike_lost FROM flows WHERE flow = 'down'" 1
# (d) the same connections without `mobike:` (swanctl.conf's default is yes,
#     this module's no): with `defaults: strongswan` as (a), without it as (b).
sed '/mobike: yes/d' "$S" >"$OUT/copied.yaml"
run copied-sw "$OUT/copied.yaml" --set defaults=strongswan
expect "defaults: strongswan: MOBIKE without saying so, one IKE SA a side" "SELECT (SELECT count(*) FROM ike_sa_events WHERE state = 'established'), (SELECT count(*) FROM ike_exchanges WHERE node = 'ue' AND exchange = 'INFORMATIONAL' AND initiator = 1)" "2|$changes"
run copied "$OUT/copied.yaml"
expect "this module's defaults: no MOBIKE, a new IKE SA per handover" "SELECT count(*) > 2 FROM ike_sa_events WHERE node = 'ue' AND state = 'established'" 1
finish
