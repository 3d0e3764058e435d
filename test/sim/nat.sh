# NAT (model/elements/nat.c in the forward path): ESP in UDP through one and two
# NAPTs, AH through an address-rewriting hop, flush, rebind, mapping
# timeout, link down/up, and valid checksums in the captures.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/nat-esp-udp-encap.yaml"

run esp "$S"
expect "esp-in-udp through a NAT: no loss" "SELECT sum(lost), count(*) FROM flows" "0|3"
expect "one mapping (gwA's UDP 4500)" "SELECT mappings_created, peak_mappings, mappings_final FROM nat" "1|1|1"
expect "everything gwA sent was translated out" "SELECT n.translated_out = s.packets FROM nat n, sas s WHERE s.node='gwA' AND s.sa='gwA-out'" 1
expect "everything gwB sent was translated in" "SELECT n.translated_in = s.packets FROM nat n, sas s WHERE s.node='gwB' AND s.sa='gwB-out'" 1
expect "no NAT drops" "SELECT drops, (SELECT count(*) FROM nat_drops) FROM nat" "0|0"
expect "no IPsec drops" "SELECT count(*) FROM drops" 0

run double "$SRC/scenarios/double-nat.yaml"
expect "two NATs in a row: no loss" "SELECT sum(lost), min(received) > 0 FROM flows" "0|1"
expect "one mapping on each NAT, both translate everything" "SELECT count(*) FROM nat WHERE mappings_created = 1 AND drops = 0 AND translated_out > 1000 AND translated_in > 900" 2
expect "both NATs saw the same packets" "SELECT count(DISTINCT translated_out), count(DISTINCT translated_in) FROM nat" "1|1"

# AH's ICV covers the addresses the NAT rewrites (RFC 3715 §2.1): every
# packet fails, both ways; ESP in UDP passed above.
run ah "$SRC/test/sim/nat-ah.yaml"
expect "AH through a NAT: nothing arrives" "SELECT sum(received) FROM flows" 0
expect "gwB: every packet from behind the NAT fails its ICV" "SELECT d.packets = f.sent FROM drops d, flows f WHERE d.node='gwB' AND d.reason='icv_fail' AND f.flow='a-to-b'" 1
expect "gwA: every packet to it fails too" "SELECT d.packets = f.sent FROM drops d, flows f WHERE d.node='gwA' AND d.reason='icv_fail' AND f.flow='b-to-a'" 1
expect "only icv_fail drops" "SELECT group_concat(DISTINCT reason) FROM drops" icv_fail
expect "the NAT translated AH both ways (one address-only mapping)" "SELECT translated_out, translated_in, mappings_created FROM nat" "1000|938|1"

# Flush at 5 s: gwB's packets are dropped until gwA sends again (7 s), then
# the mapping is made again, on the same port (free again).
LATE='traffic.ping-a-b={type: udp, name: a-to-b-late, from: hostA, to: hostB, size: 1000B, rate: 1Mbps, start: 7s, stop: 9s}'
run flush "$S" --set traffic.a-to-b.stop=4s --set "$LATE" \
	--set 'events=[{at: 5s, action: nat_flush, node: nat}]'
expect "flush: b-to-a loses 2 s of packets" "SELECT lost BETWEEN 245 AND 255 FROM flows WHERE flow='b-to-a'" 1
expect "flush: each one dropped by the NAT as no_mapping" "SELECT n.packets = f.lost FROM nat_drops n, flows f WHERE n.reason='no_mapping' AND f.flow='b-to-a'" 1
expect "flush: gwA's flows unharmed" "SELECT sum(lost) FROM flows WHERE flow LIKE 'a-to-b%'" 0
expect "flush: mapping made again" "SELECT mappings_created, mappings_flushed FROM nat" "2|1"
expect "flush: in the events table" "SELECT time_s, node, event, detail FROM events" "5.0|nat|nat_flush|mappings=1"

# Rebind at 5 s: gwA's packets now leave from another port; gwB still
# accepts them (it does not check the source port), but its own keep going
# to port 4500, which is no longer mapped (manual SAs cannot follow: the
# failure IKEv2's NAT-T keepalives and port following exist for).
run rebind "$S" --set 'events=[{at: 5s, action: nat_rebind, node: nat}]'
expect "rebind: gwA to gwB unharmed" "SELECT lost FROM flows WHERE flow='a-to-b'" 0
expect "rebind: b-to-a lost from 5 s on" "SELECT lost BETWEEN 495 AND 505 FROM flows WHERE flow='b-to-a'" 1
expect "rebind: every loss is a no_mapping drop at the NAT" "SELECT (SELECT packets FROM nat_drops WHERE reason='no_mapping') = sum(lost) FROM flows" 1
expect "rebind: one mapping moved" "SELECT mappings_rebound, mappings_created FROM nat" "1|1"
expect "rebind: in the events table" "SELECT event, detail FROM events" "nat_rebind|mappings=1"
if command -v tshark >/dev/null; then
	after=$(tshark -r "$OUT/rebind/pcap/nat-esp-udp-encap-nat-2.pcap" -Y 'frame.time_relative > 5.1 && ip.src == 203.0.113.1' \
		-T fields -e udp.srcport 2>/dev/null | sort -u)
	checks=$((checks + 1))
	if [ -n "$after" ] && [ "$after" != 4500 ]; then echo "ok: rebind: gwA's packets leave from port $after"; else
		echo "FAIL: rebind: source ports after 5 s: '$after'"; fails=$((fails + 1)); fi
fi

# A 500 ms mapping timeout: the mapping expires 0.5 s after a-to-b stops
# (4 s) and b-to-a is dropped until a-to-b-late makes it again (7 s).
run timeout "$S" --set traffic.a-to-b.stop=4s --set "$LATE" --set nodes.nat.nat.timeout=500ms
expect "timeout: b-to-a loses 2.5 s of packets" "SELECT lost BETWEEN 305 AND 320 FROM flows WHERE flow='b-to-a'" 1
expect "timeout: dropped as no_mapping" "SELECT n.packets = f.lost FROM nat_drops n, flows f WHERE n.reason='no_mapping' AND f.flow='b-to-a'" 1
expect "timeout: one expired, made again" "SELECT mappings_expired >= 1, mappings_created FROM nat" "1|2"

# Link down for 1 s on the NAT's outside link: both ways lose 1 s, the
# mapping survives (timeout 2 min).
run link "$S" --set 'events=[{at: 3s, action: link_down, link: 2}, {at: 4s, action: link_up, link: 2}]'
expect "link down 1 s: a-to-b loses 125 packets" "SELECT lost BETWEEN 123 AND 127 FROM flows WHERE flow='a-to-b'" 1
expect "link down 1 s: b-to-a too" "SELECT lost BETWEEN 123 AND 127 FROM flows WHERE flow='b-to-a'" 1
expect "link down: mapping survived, no NAT drops" "SELECT mappings_created, drops FROM nat" "1|0"
expect "link events recorded" "SELECT group_concat(event || '@' || time_s || ':' || detail, ' ') FROM events" "link_down@3.0:links.2 nat-gwB link_up@4.0:links.2 nat-gwB"

# Plain UDP and ping through the NAT (no tunnel): the receiver's UDP layer
# and tshark both check the rewritten checksums.
PLAIN="traffic.b-to-a={type: udp, name: a-to-gwB, from: hostA, to: gwB, size: 500B, rate: 500kbps, start: 1s, stop: 9s}"
PING="traffic.ping-a-b={type: ping, name: ping-a-gwB, from: hostA, to: gwB, interval: 100ms}"
for mapping in endpoint-independent address-and-port-dependent; do
	run "plain-$mapping" "$S" --set "$PLAIN" --set "$PING" --set "nodes.nat.nat.mapping=$mapping"
	expect "$mapping: plain UDP and ping through the NAT: no loss" "SELECT sum(lost), min(received) > 0 FROM flows" "0|1"
	expect "$mapping: three mappings (UDP, ICMP, ESP-in-UDP)" "SELECT mappings_created, drops FROM nat" "3|0"
done
run plain-double "$SRC/scenarios/double-nat.yaml" --set "$PLAIN" --set "$PING"
expect "double NAT: plain UDP and ping: no loss" "SELECT sum(lost), min(received) > 0 FROM flows" "0|1"
if command -v tshark >/dev/null; then
	for p in "$OUT"/plain-[ea]*/pcap/nat-esp-udp-encap-nat-*.pcap \
		"$OUT"/plain-double/pcap/double-nat-home-*.pcap "$OUT"/plain-double/pcap/double-nat-cgn-*.pcap; do
		t="tshark -r $p -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE"
		bad=$($t -Y 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || tcp.checksum.status == "Bad"' 2>/dev/null | wc -l)
		good=$($t -Y 'udp.checksum.status == "Good"' 2>/dev/null | wc -l)
		icmp=$($t -Y 'icmp.checksum.status == "Good"' 2>/dev/null | wc -l)
		checks=$((checks + 1))
		if [ "$bad" -eq 0 ] && [ "$good" -ge 1000 ] && [ "$icmp" -ge 100 ]; then
			echo "ok: tshark: $(basename "$(dirname "$(dirname "$p")")")/$(basename "$p"): $good UDP and $icmp ICMP checksums good, none bad"
		else
			echo "FAIL: tshark: $(basename "$p"): $bad bad, $good good UDP, $icmp good ICMP"
			fails=$((fails + 1))
		fi
	done
else
	echo "skip: tshark is not installed (apt-get install tshark): captures not checked"
fi
finish
