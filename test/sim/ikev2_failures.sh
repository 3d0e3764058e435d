# Real-world rekeying failures reproduced as scenarios that must end with no
# lasting loss: simultaneous Child SA rekeys every 5 s (RFC 7296 §2.8.1),
# a link bounce in the middle of an IKE SA rekey (strongswan#3042), a NAT
# rebinding to a new port mid-flow (libreswan#1728).  (A collision with a
# lost message, strongswan#1896, and a rekey colliding with a delete,
# strongswan#1458, need message-level control: they are unit_ike_rekey_collide.)
. "$(dirname "$0")/lib.sh"
run col "$SRC/scenarios/ikev2-rekey-collision.yaml" --no-pcap
expect "collision: rekeys happened on both sides" "SELECT min(n) >= 4 FROM (SELECT count(*) AS n FROM child_sa_events WHERE state='rekeyed' GROUP BY node)" 1
expect "collision: exactly one Child SA left on each side" "SELECT group_concat(node || ':' || (i - d)) FROM (SELECT node, sum(state='installed') AS i, sum(state='deleted') AS d FROM child_sa_events GROUP BY node ORDER BY node)" "gwA:1,gwB:1"
expect "collision: no loss" "SELECT sum(lost) FROM flows" 0
expect "collision: no drops" "SELECT count(*) FROM drops" 0

run bounce "$SRC/scenarios/ikev2-link-bounce.yaml" --no-pcap
expect "bounce: the IKE rekey that met the outage completes once the link is back" "SELECT count(*) FROM ike_sa_events WHERE state='established' AND reason='rekeyed' AND time_s BETWEEN 14 AND 15" 2
expect "bounce: its request was retransmitted, not given up" "SELECT max(retransmits) > 0 FROM ike_exchanges WHERE exchange='CREATE_CHILD_SA' AND initiator=1 AND time_s BETWEEN 14 AND 15" 1
expect "bounce: nothing lost beyond the 4.1 s outage (250 packets/s each way)" "SELECT max(lost) BETWEEN 1000 AND 1030 FROM flows" 1
expect "bounce: the Child SA survives the IKE rekeys" "SELECT count(*) FROM child_sa_events WHERE state='deleted'" 0

run rebind "$SRC/scenarios/ikev2-nat-rebind.yaml" --no-pcap
expect "rebind: gwA's traffic never suffers" "SELECT lost FROM flows WHERE flow='a-to-b'" 0
expect "rebind: gwB loses b-to-a until it follows" "SELECT lost BETWEEN 100 AND 500 FROM flows WHERE flow='b-to-a'" 1
expect "rebind: gwB follows gwA to the new port after the rebind" "SELECT count(*) FROM ike_nat WHERE node='gwB' AND time_s > 5 AND peer LIKE '203.0.113.1:%' AND peer != '203.0.113.1:4500'" 1
expect "rebind: the NAT dropped the packets to the old port" "SELECT packets > 0 FROM nat_drops WHERE reason='no_mapping'" 1
finish
