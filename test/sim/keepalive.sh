# NAT-T keepalives only when idle (RFC 3948 §4: one every interval in which
# nothing else went to the peer): gwA, behind a NAPT, under continuous
# uplink ESP sends none; with downlink only (ESP from gwB is no packet to
# the peer) one per 20 s.  Counted twice: the engine's ike_stats, and tshark
# on gwB's capture (a keepalive is a UDP/4500 datagram of one 0xff octet:
# udp.length 9).
. "$(dirname "$0")/lib.sh"
S="$SRC/test/sim/natt-keepalive.yaml"

# keepalives NAME: "TIMES" of the 1-octet datagrams gwB received, by tshark
keepalives() {
	tshark -r "$OUT/$1/pcap/natt-keepalive-gwB-1.pcap" -Y 'udp.length == 9 && udp.dstport == 4500' \
		-T fields -e frame.time_relative -e udp.payload 2>/dev/null |
		awk '{ printf "%s%.1f:%s", (NR > 1 ? " " : ""), $1, $2 }'
}

run up "$S"
expect "uplink ESP all along: no keepalive" "SELECT group_concat(node || '=' || keepalives) FROM ike_stats" "gwA=0,gwB=0"
expect "uplink: nothing lost" "SELECT sum(lost) FROM flows" 0
run down "$S" --set traffic.up.stop=2s
expect "downlink only: gwA keeps the mapping, one keepalive per 20 s" "SELECT group_concat(node || '=' || keepalives) FROM ike_stats" "gwA=2,gwB=0"
expect "downlink only: nothing lost" "SELECT sum(lost) FROM flows WHERE flow='down'" 0
if command -v tshark >/dev/null; then
	# IKE_AUTH at 0.04 s: the checks at 20 s (ESP until 2 s) and then
	# 40 and 60 s, 20 s after the last check that saw ESP
	check "tshark: no keepalive on the wire under uplink traffic" '[ -z "$(keepalives up)" ]'
	got=$(keepalives down)
	check "tshark: keepalives of 0xff at 40 and 60 s without uplink ($got)" '[ "$got" = "40.0:ff 60.0:ff" ]'
fi
finish
