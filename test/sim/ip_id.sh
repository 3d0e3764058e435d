# IPv4 identifications (RFC 791, RFC 6864): two road warriors behind one NAT
# send IKE_AUTH with RSA-3072 certificates in two IP fragments each, their
# fragments interleaved on the NAT's outside link (rw2's link is faster and
# its first fragment overtakes rw1's second).  Each node numbers its
# datagrams per (source, destination, protocol) from a starting point drawn
# from its own seeded stream, so the two IKE_AUTH requests carry different
# identifications and the gateway reassembles each from its own fragments.
# (With ns-3.37's counters, which start at 0 on every node, both carried
# identification 1 and the gateway put rw1's first fragment with rw2's
# second: both IKE_AUTH requests failed the UDP checksum, again on their
# retransmission, counted as drops l4_checksum.)  Same seed, same
# identifications; another seed, others.  The road warriors say
# `fragmentation: no`: with RFC 7383 (strongSwan's default, and ours) the
# request would go in IKE fragments that need no IP fragmentation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rw_certs.sh"
{
	rw_certs_head nat-rw 6s no rw1 rw2
	cat <<'YAML'
  - name: cgnat
    nat:
      outside: gw
      mapping: endpoint-independent
YAML
	rw_certs_gateway 192.168.0.0/23
	cat <<'YAML'
links:
  - {between: [rw1, cgnat], addresses: [192.168.0.11/24, 192.168.0.1/24], rate: 10Mbps, delay: 1ms}
  - {between: [rw2, cgnat], addresses: [192.168.1.12/24, 192.168.1.1/24], rate: 100Mbps, delay: 1.5ms}
  - {between: [cgnat, gw], addresses: [100.64.0.1/30, 100.64.0.2/30], rate: 20Mbps, delay: 15ms}
  - {between: [gw, server], addresses: [10.2.0.1/24, 10.2.0.2/24]}
traffic:
  - {type: ping, name: rw1-ping, from: rw1, to: server, interval: 500ms, start: 1s}
  - {type: ping, name: rw2-ping, from: rw2, to: server, interval: 500ms, start: 1s}
YAML
} >"$OUT/nat-rw.yaml"
run a "$OUT/nat-rw.yaml"
expect "both IKE_AUTH exchanges complete without a retransmission" "SELECT count(*) FROM ike_exchanges WHERE exchange = 'IKE_AUTH' AND ok AND retransmits = 0" 4
expect "nothing dropped: no mixed reassembly (l4_checksum), no fragment timed out" "SELECT count(*) FROM drops" 0
expect "both tunnels carry pings" "SELECT sum(received = sent AND sent > 0) FROM flows" 2
# ids PCAP: identification of each first fragment the NAT sent to the gateway
ids() { tshark -r "$1" -Y "ip.src == 100.64.0.1 && ip.flags.mf == 1 && ip.frag_offset == 0" -T fields -e ip.id 2>/dev/null | tr '\n' ' '; }
A=$(ids "$OUT/a/pcap/nat-rw-gw-1.pcap")
set -- $A
check "two IKE_AUTH requests in fragments, interleaved, with different identifications ($A)" "[ \$# -eq 2 ] && [ '$1' != '$2' ]"
n=$(tshark -r "$OUT/a/pcap/nat-rw-gw-1.pcap" -Y "ip.src == 100.64.0.1 && ip.flags.mf == 1" -T fields -e frame.number 2>/dev/null | tr '\n' ' ')
m=$(tshark -r "$OUT/a/pcap/nat-rw-gw-1.pcap" -Y "ip.src == 100.64.0.1 && ip.frag_offset > 0" -T fields -e frame.number 2>/dev/null | head -1)
set -- $n
check "the second first fragment overtakes the first datagram's last fragment" "[ \$# -eq 2 ] && [ $2 -lt $m ]"
run b "$OUT/nat-rw.yaml"
check "same seed, same identifications" "[ '$A' = '$(ids "$OUT/b/pcap/nat-rw-gw-1.pcap")' ]"
run c "$OUT/nat-rw.yaml" --seed 2
check "another seed, other identifications" "[ '$A' != '$(ids "$OUT/c/pcap/nat-rw-gw-1.pcap")' ]"
first=$(tshark -r "$OUT/a/pcap/nat-rw-rw1-1.pcap" -c 1 -T fields -e ip.id 2>/dev/null)
check "a node's first datagram to a destination does not carry identification 0 ($first)" "[ '$first' != '0x0000' ] && [ '$first' != '0x00000000' ]"
finish
