# Why RFC 7383 exists, in the simulator: a road warrior behind a NAT that
# drops IP fragments (nat: drop_fragments, as many carrier-grade NATs do)
# authenticates with an RSA-3072 certificate, so its IKE_AUTH request
# (about 2.2 KB) exceeds the 1500-byte links.  With fragmentation: yes (the
# default, strongSwan's too) it goes in RFC 7383 fragments that fit, and
# the tunnel comes up; with fragmentation: no it leaves as IP fragments
# that the NAT drops, every retransmission too, and IKE_AUTH never
# completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rw_certs.sh"
{
	rw_certs_head ike-frag 20s yes rw
	cat <<'YAML'
  - name: cgnat
    nat: {outside: gw, drop_fragments: yes}
YAML
	rw_certs_gateway 192.168.0.0/24
	cat <<'YAML'
links:
  - {between: [rw, cgnat], addresses: [192.168.0.11/24, 192.168.0.1/24], delay: 5ms}
  - {between: [cgnat, gw], addresses: [100.64.0.1/30, 100.64.0.2/30], delay: 15ms}
  - {between: [gw, server], addresses: [10.2.0.1/24, 10.2.0.2/24]}
traffic:
  - {type: ping, name: rw-ping, from: rw, to: server, interval: 500ms, start: 2s}
YAML
} >"$OUT/frag.yaml"
run yes "$OUT/frag.yaml"
expect "fragmentation: yes: the road warrior's IKE SA is established" "SELECT count(*) FROM ike_sa_events WHERE node = 'rw' AND state = 'established'" 1
expect "IKE_AUTH completes at once" "SELECT retransmits || ',' || ok FROM ike_exchanges WHERE node = 'rw' AND exchange = 'IKE_AUTH'" "0,1"
expect "both sides sent IKE_AUTH in RFC 7383 fragments and reassembled the other's" "SELECT group_concat(node || ':' || (frag_tx >= 2) || ',' || frag_reassembled, ' ') FROM (SELECT * FROM ike_stats ORDER BY node)" "gw:1,1 rw:1,1"
expect "the NAT dropped nothing" "SELECT count(*) FROM nat_drops" 0
expect "the pings get through" "SELECT received = sent AND sent > 0 FROM flows" 1
sent=$(q "SELECT frag_tx FROM ike_stats WHERE node = 'rw'")
run no "$OUT/frag.yaml" --set nodes.0.ipsec.connections.vpn.fragmentation=no
expect "fragmentation: no: no IKE SA is established" "SELECT count(*) FROM ike_sa_events WHERE state = 'established'" 0
expect "no fragments" "SELECT sum(frag_tx + frag_rx) FROM ike_stats" 0
expect "the NAT drops the IKE_AUTH request's IP fragments, retransmissions too (2 fragments at 0, 4 and 11.2 s)" "SELECT reason || '=' || packets FROM nat_drops" "ip_fragment=6"
expect "the pings do not get through" "SELECT received FROM flows" 0
echo "($sent RFC 7383 fragments from the road warrior with fragmentation: yes)"
finish
