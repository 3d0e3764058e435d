# Floods from an on-path attacker (scenarios/flood.yaml) at an embedded
# gateway: IKE_SA_INIT requests from spoofed sources meet COOKIEs above the
# threshold (RFC 7296 §2.6) and cost no key exchange then, while the real
# initiator still gets through; ESP with a live SPI fails the ICV after a
# real decryption and crowds the tunnel out of the crypto engine; plain UDP
# fills a link's queue.  tshark reads the flood's IKE_SA_INIT requests.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/flood.yaml"
run flood "$S"
expect "every flood sent all its packets" "SELECT group_concat(kind || ':' || performed || '/' || planned, ',') FROM attacks" "ike_sa_init:1000/1000,esp:25000/25000,udp:4863/4863"
expect "flood bytes: 172-byte IKE_SA_INIT requests, 1028-byte ESP and UDP packets" "SELECT group_concat(bytes / performed, ',') FROM attacks" "172,1028,1028"
# IKE_SA_INIT flood
expect "991 COOKIEs: 990 flood requests above the threshold, and gwA's first request" "SELECT cookies_sent FROM ike_stats WHERE node='gwB'" 991
expect "half-open IKE SAs peaked at the threshold plus the real initiator" "SELECT half_open_peak FROM ike_stats WHERE node='gwB'" 11
expect "the flood's half-open SAs timed out after half_open_timeout" "SELECT count(*), min(round(time_s, 3)) >= 7 FROM ike_sa_events WHERE node='gwB' AND reason='half-open timeout'" "10|1"
expect "none left at the end" "SELECT half_open FROM ike_stats WHERE node='gwB'" 0
expect "gwA's IKE SA, started during the flood, is established on both sides" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "its Child SA is installed on both sides" "SELECT count(*) FROM child_sa_events WHERE state='installed'" 2
expect "the tunnel carries traffic; what it lost it lost while negotiating (trap)" "SELECT received > 0, lost = (SELECT packets FROM drops WHERE node='gwA' AND reason='no_sa') FROM flows WHERE flow='during-ike'" "1|1"
expect "gwB's engine computed 11 key exchanges, not one per flood packet" "SELECT ike_dh FROM crypto_engines WHERE node='gwB'" 11
# ESP flood with the live SPI
expect "every ESP flood packet failed the ICV at gwB" "SELECT packets FROM drops WHERE node='gwB' AND reason='icv_fail'" 25000
expect "blamed on the live SA" "SELECT packets FROM sa_drops WHERE node='gwB' AND reason='icv_fail' AND sa LIKE 'branches/net#%'" 25000
expect "no tunnel loss without a flood" "SELECT lost FROM flows WHERE flow='quiet'" 0
expect "during the ESP flood the tunnel lost exactly the crypto engine's queue-full drops" "SELECT lost > 0 AND lost = (SELECT packets FROM drops WHERE node='gwB' AND reason='crypto_queue_full') FROM flows WHERE flow='during-esp'" 1
expect "and waited for the engine" "SELECT e.delay_p50_ms > 3 * q.delay_p50_ms FROM flows e, flows q WHERE e.flow='during-esp' AND q.flow='quiet'" 1
expect "the engine refused flood packets too" "SELECT drops > (SELECT packets FROM drops WHERE reason='crypto_queue_full') FROM crypto_engines WHERE node='gwB'" 1
# UDP flood
expect "during the UDP flood the tunnel lost packets in the link's queue, not to IPsec" "SELECT lost > 0 FROM flows WHERE flow='during-udp'" 1
expect "... counted as queue_full at gwB, with the flood's own excess" "SELECT d.packets > f.lost FROM drops d, flows f WHERE d.node='gwB' AND d.reason='queue_full' AND f.flow='during-udp'" 1
expect "gwB's answers to the spoofed IKE_SA_INIT sources (990 COOKIEs, 10 responses) die at the attacker: no route back" "SELECT packets FROM drops WHERE node='mitm' AND reason='no_route'" 1000
expect "the UDP flood's datagrams that reach hostB's closed port are counted there" "SELECT packets > 0 AND packets <= (SELECT performed FROM attacks WHERE kind='udp') FROM drops WHERE node='hostB' AND reason='no_socket'" 1
expect "no other drop reasons" "SELECT group_concat(node || '/' || reason, ',') FROM drops" "gwA/no_sa,mitm/no_route,gwB/queue_full,gwB/icv_fail,gwB/crypto_queue_full,hostB/no_socket"
# tshark: the flood's requests on gwB's link from mitm
checks=$((checks + 1))
got=$(tshark -r "$OUT/flood/pcap/flood-gwB-1.pcap" -o udp.check_checksum:TRUE \
	-Y "isakmp && ip.src == 198.51.100.0/24 && udp.dstport == 500 && udp.checksum.status == 1" \
	-T fields -e isakmp.exchangetype -e isakmp.flags -e isakmp.typepayload 2>/dev/null | sort | uniq -c | tr -s ' ')
if [ "$got" = " 1000 34	0x08	33,2,3,3,3,34,40" ]; then
	echo "ok: tshark: 1000 IKE_SA_INIT requests from spoofed sources, SA (proposal, 3 transforms), KE, Nonce, good UDP checksums"
else
	echo "FAIL: tshark read the flood as '$got'"
	fails=$((fails + 1))
fi
# Without cookies every flood request costs the responder a key exchange.
run nocookie "$S" --set nodes.gwB.ipsec.connections.branches.cookie_threshold=0
expect "no COOKIEs without a threshold" "SELECT cookies_sent FROM ike_stats WHERE node='gwB'" 0
expect "a key exchange charged for every flood request and the real one" "SELECT ike_dh FROM crypto_engines WHERE node='gwB'" 1001
expect "a half-open SA for each" "SELECT half_open_peak FROM ike_stats WHERE node='gwB'" 1000
# ESP flood with random SPIs: cheap drops
run randomspi "$S" --set nodes.mitm.attacker.1.spi=random
expect "random SPIs are dropped as no_sa" "SELECT packets FROM drops WHERE node='gwB' AND reason='no_sa'" 25000
expect "without costing the engine anything" "SELECT count(*) FROM drops WHERE reason IN ('icv_fail', 'crypto_queue_full')" 0
expect "and the tunnel loses nothing to them" "SELECT lost FROM flows WHERE flow='during-esp'" 0
run again "$S"
expect "same seed, same results" "SELECT (SELECT group_concat(performed || bytes) FROM attacks) = '$(sqlite3 "$OUT/flood/metrics.sqlite" "SELECT group_concat(performed || bytes) FROM attacks")'" 1
finish
