# Node reboot (events: {action: reboot}): the rebooted node's state is
# lost and rebuilt from its configuration.
#  (a) scenarios/reboot.yaml, IKEv2: gwB is off from 10 s to 12 s.  Nothing
#      crosses gwB's WAN interface meanwhile, both directions' packets are
#      dropped there as node_down; back up, gwB initiates a new IKE SA whose
#      IKE_AUTH carries INITIAL_CONTACT and gwA deletes the stale IKE and
#      Child SA; ESP gwA still sent on the old SPIs is dropped as no_sa;
#      every lost packet has a reason; tshark decrypts ESP of both lives.
#      Off for 15 s instead, gwA's DPD declares gwB dead first.
#  (b) test/sim/reboot-manual.yaml, manual keys: after gwB's reboot its
#      outbound sequence numbers start at 1 again and gwA drops every one of
#      its packets as a replay; the other direction recovers.
#  (c) same seed, same rows and capture bytes, with a reboot.
. "$(dirname "$0")/lib.sh"
run ike "$SRC/scenarios/reboot.yaml"
expect "events: reboot at 10 s, boot at 12 s" "SELECT group_concat(time_s || ' ' || node || ' ' || event || ' ' || ifnull(detail, ''), ',') FROM events WHERE sa IS NULL" "10.0 gwB reboot down 2 s,12.0 gwB boot "
expect "down: both directions' packets (2 s at 100 pps each) dropped at gwB" "SELECT node, packets FROM drops WHERE reason = 'node_down'" "gwB|400"
expect "gwA's stale IKE SA deleted by INITIAL_CONTACT when gwB's new one is up" "SELECT count(*) FROM ike_sa_events WHERE node = 'gwA' AND ike_sa = 1 AND state = 'deleted' AND reason = 'initial contact' AND time_s > 12 AND time_s < 13" 1
expect "... and its Child SA" "SELECT count(*) FROM child_sa_events WHERE node = 'gwA' AND ike_sa = 1 AND state = 'deleted' AND reason = 'initial contact'" 1
expect "gwB initiated a new IKE SA after the boot: a new id, new SPIs" "SELECT b.ike_sa, b.spi_i != a.spi_i FROM ike_sa_events a, ike_sa_events b WHERE a.node = 'gwB' AND b.node = 'gwB' AND a.state = 'established' AND b.state = 'established' AND a.time_s < 10 AND b.time_s > 12" "2|1"
expect "a new Child SA on both gateways after the boot" "SELECT count(*) FROM child_sa_events WHERE state = 'installed' AND ike_sa = 2 AND time_s > 12" 2
expect "ESP on gwA's old SPI after the boot dropped by gwB as no_sa" "SELECT packets > 0 FROM drops WHERE node = 'gwB' AND reason = 'no_sa'" 1
expect "gwA's liveness check on the old IKE SA: unknown to the rebooted gwB" "SELECT dropped_unknown_spi FROM ike_stats WHERE node = 'gwB'" 1
expect "every lost packet has a reason" "SELECT (SELECT sum(lost) FROM flows) = (SELECT sum(packets) FROM drops)" 1
expect "traffic recovers: per flow the 200 packets of the outage and at most an IKE round trip more lost" "SELECT count(*) FROM flows WHERE lost >= 200 AND lost <= 205" 2
expect "the new Child SA carries the rest" "SELECT count(*) FROM sas s JOIN child_sa_events c ON s.node = c.node AND s.sa = c.conn || '/' || c.child || '#' || c.spi_in WHERE c.ike_sa = 2 AND c.state = 'installed' AND s.packets > 690" 2
if command -v tshark >/dev/null; then
	checks=$((checks + 3))
	H="$OUT/ike/keys-home"
	P="$OUT/ike/pcap/reboot-gwB-1.pcap"
	quiet=$(HOME="$H" tshark -r "$P" -Y "frame.time_relative >= 10 && frame.time_relative < 12" 2>/dev/null | wc -l)
	if [ "$quiet" -eq 0 ]; then echo "ok: nothing crosses gwB's WAN interface while it is down"; else
		echo "FAIL: $quiet frames on gwB's WAN interface while it is down"; fails=$((fails + 1)); fi
	ic=$(HOME="$H" tshark -r "$P" -V -Y "udp.port == 500" 2>/dev/null | grep -c "Notify Message Type: INITIAL_CONTACT" || true)
	if [ "$ic" -eq 2 ]; then echo "ok: tshark sees INITIAL_CONTACT in both of gwB's IKE_AUTH requests"; else
		echo "FAIL: $ic INITIAL_CONTACT notifies"; fails=$((fails + 1)); fi
	esp=$(HOME="$H" tshark -r "$P" -Y esp -T fields -E separator=, -e esp.spi -e esp.icv_good 2>/dev/null | sort -u | tr '\n' ' ')
	n=$(printf '%s' "$esp" | grep -o ',1 ' | wc -l)
	if [ "$n" -eq 4 ] && ! printf '%s' "$esp" | grep -qv '^\(0x[0-9a-f]*,1 \)*$'; then echo "ok: tshark verifies every ESP ICV, on the 4 SPIs of both lives"; else
		echo "FAIL: ESP SPIs and ICV results: '$esp'"; fails=$((fails + 1)); fi
fi

run dpd "$SRC/scenarios/reboot.yaml" --set duration=40s --set events.0.down=15s
expect "off for 15 s: gwA's DPD declares gwB dead while it is down" "SELECT count(*) FROM ike_sa_events WHERE node = 'gwA' AND ike_sa = 1 AND state = 'failed' AND reason = 'dpd' AND time_s > 10 AND time_s < 25" 1
expect "... and its probes are lost at gwB" "SELECT packets > 1800 FROM drops WHERE node = 'gwB' AND reason = 'node_down'" 1
expect "a new IKE SA once gwB is back, with nothing stale to delete" "SELECT count(*) FROM ike_sa_events WHERE state = 'established' AND ike_sa = 2 AND time_s > 25" 2

run manual "$SRC/test/sim/reboot-manual.yaml"
expect "events: reboot at 5 s, boot at 6 s" "SELECT group_concat(time_s || ' ' || event, ',') FROM events" "5.0 reboot,6.0 boot"
expect "the reinstalled SAs are named with @boot1" "SELECT group_concat(sa, ',') FROM sas WHERE node = 'gwB' AND sa LIKE '%@boot1'" "gwB-in@boot1,gwB-out@boot1"
expect "gwB's outbound counter started again at 1: 300 packets after the boot, up to 300" "SELECT packets, last_seq FROM sas WHERE sa = 'gwB-out@boot1'" "300|300"
expect "gwA drops every one of them as a replay (its window is at 400)" "SELECT packets FROM sa_drops WHERE node = 'gwA' AND sa = 'gwA-in' AND reason = 'replay'" 300
expect "b-to-a never recovers: only the 400 packets sent before the reboot arrive" "SELECT received, lost FROM flows WHERE flow = 'b-to-a'" "400|400"
expect "a-to-b recovers: gwB's fresh window takes gwA's continuing numbers" "SELECT received, lost FROM flows WHERE flow = 'a-to-b'" "700|100"
expect "gwB's new inbound SA got them, up to sequence number 800" "SELECT packets, last_seq FROM sas WHERE sa = 'gwB-in@boot1'" "301|800"
expect "the 100 packets each way of the second down: node_down" "SELECT packets FROM drops WHERE node = 'gwB' AND reason = 'node_down'" 200

dump() {
	DB="$OUT/$1/metrics.sqlite"
	for t in sas sa_drops drops flows events ike_sa_events child_sa_events ike_exchanges ike_stats; do
		q "SELECT * FROM $t ORDER BY 1,2,3"
	done
}
# IKE's Diffie-Hellman keys come from OpenSSL's own generator, so IKE runs
# repeat their metrics but not their capture bytes; manual keys repeat both.
run ike2 "$SRC/scenarios/reboot.yaml"
run manual2 "$SRC/test/sim/reboot-manual.yaml"
checks=$((checks + 3))
if [ "$(dump ike)" = "$(dump ike2)" ]; then echo "ok: same seed, same metrics with a reboot (IKE)"; else
	echo "FAIL: same seed gave different metrics"; diff <(dump ike) <(dump ike2) | head; fails=$((fails + 1)); fi
if [ "$(dump manual)" = "$(dump manual2)" ]; then echo "ok: same seed, same metrics with a reboot (manual keys)"; else
	echo "FAIL: same seed gave different metrics"; diff <(dump manual) <(dump manual2) | head; fails=$((fails + 1)); fi
if cmp -s "$OUT/manual/pcap/reboot-manual-gwB-1.pcap" "$OUT/manual2/pcap/reboot-manual-gwB-1.pcap"; then echo "ok: same seed, same capture bytes (manual keys)"; else
	echo "FAIL: captures differ"; fails=$((fails + 1)); fi
finish
