# /31 point-to-point links (RFC 3021): both addresses are hosts', neither is
# a broadcast.  hostA -- r -- hostB with r-hostB a /31 (r the lower address,
# hostB the upper): r forwards pings and UDP to hostB (ns-3.37 alone takes
# the upper address for the link's broadcast: r would answer the pings
# itself and swallow the UDP with Port Unreachable); hostB answers pings and
# UDP to a closed port (ICMP Port Unreachable) like any host; every packet
# a node swallows is counted (no_socket).
. "$(dirname "$0")/lib.sh"
cat >"$OUT/p2p31.yaml" <<'YAML'
name: p2p31
duration: 5s
seed: 1
nodes:
  - name: hostA
    routes:
      - {dst: default, via: 10.1.0.1}
    attacker:
      - {at: 2s, action: flood, kind: udp, target: 10.9.0.1, rate: 100pps, count: 50, size: 100B, port: 9}
  - name: r
  - name: hostB
    routes:
      - {dst: default, via: 10.9.0.0}
links:
  - {between: [hostA, r], addresses: [10.1.0.2/24, 10.1.0.1/24], rate: 100Mbps, delay: 1ms}
  - {between: [r, hostB], addresses: [10.9.0.0/31, 10.9.0.1/31], rate: 100Mbps, delay: 1ms}
traffic:
  - {type: udp, name: a-to-b, from: hostA, to: hostB, size: 500B, rate: 400kbps, start: 1s, stop: 4s}
  - {type: udp, name: b-to-a, from: hostB, to: hostA, size: 500B, rate: 400kbps, start: 1s, stop: 4s}
  - {type: ping, name: ping-a-b, from: hostA, to: hostB, interval: 1s, start: 0.5s}
YAML
run p2p31 "$OUT/p2p31.yaml"
expect "UDP to the upper address of a /31 arrives" "SELECT sent = received AND sent > 0 FROM flows WHERE flow = 'a-to-b'" 1
expect "UDP from it arrives" "SELECT sent = received AND sent > 0 FROM flows WHERE flow = 'b-to-a'" 1
expect "pings answered by hostB, two hops away (rtt above 4 ms, not r's 2 ms)" "SELECT received = sent AND delay_min_ms > 4 FROM flows WHERE flow = 'ping-a-b'" 1
P="$OUT/p2p31/pcap"
checks=$((checks + 2))
n=$(tshark -r "$P/p2p31-hostB-1.pcap" -Y "icmp.type == 8 && ip.src == 10.1.0.2" 2>/dev/null | wc -l)
if [ "$n" -eq 5 ]; then echo "ok: the 5 echo requests cross the /31 to hostB"; else
	echo "FAIL: $n echo requests on hostB's link, expected 5"; fails=$((fails + 1)); fi
n=$(tshark -r "$P/p2p31-hostA-1.pcap" -Y "icmp.type == 3 && icmp.code == 3 && ip.src == 10.9.0.1" 2>/dev/null | wc -l)
if [ "$n" -eq 50 ]; then echo "ok: hostB answers the 50 datagrams to its closed port with Port Unreachable"; else
	echo "FAIL: $n Port Unreachable from hostB, expected 50"; fails=$((fails + 1)); fi
expect "what hostB swallowed is counted" "SELECT node || ' ' || reason || ' ' || packets FROM drops" "hostB no_socket 50"
finish
