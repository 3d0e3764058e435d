# The shipped IKEv2 scenarios, each asserted on its database (and captures):
# NAT traversal through one and two NATs, road warriors sharing a NAT with
# wildcard identities, forced UDP encapsulation, host-to-host transport mode,
# dead-peer detection with restart across an outage, a proposal mismatch.
. "$(dirname "$0")/lib.sh"
esp_udp() { # esp_udp PCAP: "count icv_good" of ESP packets in UDP 4500
	HOME="$(dirname "$(dirname "$1")")/keys-home" tshark -r "$1" -Y "esp && udp.port == 4500" \
		-T fields -e esp.icv_good 2>/dev/null | sort | uniq -c | tr -s ' ' | sed 's/^ //'
}
check_esp_udp() { # check_esp_udp WHAT PCAP MIN
	checks=$((checks + 1))
	got=$(esp_udp "$2")
	n=${got%% *}
	if [ -n "$got" ] && [ "${got#* }" = 1 ] && [ "$n" -ge "$3" ]; then echo "ok: $1 ($n ESP-in-UDP, ICVs good)"; else
		echo "FAIL: $1: '$got'"; fails=$((fails + 1)); fi
}

run nat "$SRC/scenarios/ikev2-nat.yaml"
expect "nat: both established" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "nat: gwA finds itself behind a NAT, gwB its peer" "SELECT group_concat(node || ':' || nat_local || nat_remote) FROM (SELECT DISTINCT node, nat_local, nat_remote FROM ike_nat WHERE nat_local OR nat_remote ORDER BY node)" "gwA:10,gwB:01"
expect "nat: gwB learns the NAT's outside address and floated port" "SELECT peer FROM ike_nat WHERE node='gwB' ORDER BY time_s DESC LIMIT 1" "203.0.113.1:4500"
expect "nat: no loss" "SELECT sum(lost) FROM flows" 0
check_esp_udp "nat: ESP in UDP outside the NAT" "$OUT/nat/pcap/ikev2-nat-gwB-1.pcap" 2000

run dnat "$SRC/scenarios/ikev2-double-nat.yaml"
expect "double NAT: established, no loss" "SELECT (SELECT count(*) FROM ike_sa_events WHERE state='established'), (SELECT sum(lost) FROM flows)" "2|0"
expect "double NAT: both NATs translated every packet of the tunnel" "SELECT count(*) FROM nat WHERE translated_out >= 1000 AND translated_in >= 1000" 2
# Every capture decrypts, between the two NATs too (the SAs' addresses are
# seen at neither end there: keys/esp_sa says "*" for UDP-encapsulated SAs),
# by tshark and by our decrypt.
if command -v tshark >/dev/null; then
	for p in "$OUT"/dnat/pcap/*.pcap; do
		got=$(HOME="$OUT/dnat/keys-home" tshark -r "$p" -Y esp -T fields -e esp.icv_good \
			2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ';')
		esp=$(tshark -r "$p" -Y esp 2>/dev/null | wc -l)
		check "double NAT: tshark decrypts all $esp ESP of $(basename "$p"), ICV good" \
			"[ '$esp' = 0 ] || [ '$got' = ' $esp 1;' ]"
	done
else
	echo "skip: tshark not installed"
fi
rc=$(status decrypt --esp-sa "$OUT/dnat/keys/esp_sa" "$OUT/dnat/pcap/ikev2-double-nat-home-2.pcap" \
	"$OUT/dnat-clear.pcap")
cli "$rc" 0 "decrypted 2016, passed 4, dropped 0" "double NAT: decrypt reads the '*' rows, between the NATs"
echo '"IPv4","*","*","*","NULL","","NULL",""' >"$OUT/useless.esp_sa"
rc=$(status decrypt --esp-sa "$OUT/useless.esp_sa" "$OUT/dnat/pcap/ikev2-double-nat-home-2.pcap" \
	"$OUT/dnat-none.pcap")
cli "$rc" 2 "no usable SA (1 line skipped)" "decrypt with no usable row exits 2"

run rw "$SRC/scenarios/ikev2-roadwarriors.yaml"
expect "road warriors: the gateway has one IKE SA per warrior" "SELECT count(*) FROM ike_sa_events WHERE node='gw' AND state='established'" 2
expect "road warriors: each warrior authenticated with a wildcard identity" "SELECT count(*) FROM ike_sa_events WHERE node LIKE 'rw_' AND state='established'" 2
expect "road warriors: narrowed to each warrior's address, 4 SAs at the gateway" "SELECT count(DISTINCT spi) FROM sas WHERE node='gw'" 4
expect "road warriors: no loss up or down" "SELECT sum(lost) FROM flows" 0
expect "road warriors: one NAT, 4 mappings (IKE and ESP-in-UDP for each)" "SELECT mappings_created FROM nat" 4

run encap "$SRC/scenarios/ikev2-encap.yaml"
expect "encap: established, no loss" "SELECT (SELECT count(*) FROM ike_sa_events WHERE state='established'), (SELECT sum(lost) FROM flows)" "2|0"
check_esp_udp "encap: ESP in UDP without a NAT" "$OUT/encap/pcap/ikev2-encap-gwA-2.pcap" 4000
expect "encap: both sides record the NAT, gwA that it fakes one (strongSwan's nat-fake)" "SELECT group_concat(x, ' ') FROM (SELECT DISTINCT node || ':' || nat_local || nat_remote || nat_fake AS x FROM ike_nat ORDER BY x)" "gwA:001 gwB:010"
expect "encap: the installed SAs say they use no ESN" "SELECT count(*), sum(esn) FROM sas" "4|0"
E=nodes.gwA.ipsec.connections.gw-gw.children.net.esp_proposals
F=nodes.gwB.ipsec.connections.gw-gw.children.net.esp_proposals
run esn "$SRC/scenarios/ikev2-encap.yaml" --set "$E=aes256gcm16-esn" --set "$F=aes256gcm16-esn"
expect "esn: negotiated, the installed SAs say so" "SELECT count(*), sum(esn), (SELECT sum(lost) FROM flows) FROM sas" "4|4|0"

run tr "$SRC/scenarios/ikev2-transport.yaml"
expect "transport: transport-mode Child SA both ways" "SELECT count(*) FROM sas WHERE mode='transport' AND packets > 0" 4
expect "transport: no loss" "SELECT sum(lost) FROM flows" 0
expect "transport: IKE itself not protected (bypass entries)" "SELECT count(*) FROM ike_exchanges WHERE node='hostA' AND ok=1" 2

run dpd "$SRC/scenarios/ikev2-dpd.yaml"
expect "dpd: the outage is detected by DPD on both sides" "SELECT count(*) FROM ike_sa_events WHERE state='failed' AND reason='dpd' AND time_s BETWEEN 10 AND 20" 2
expect "dpd: restart re-establishes after the link is back" "SELECT count(*) FROM ike_sa_events WHERE node='gwA' AND state='established' AND time_s > 20" 1
expect "dpd: pings lost during the outage only" "SELECT min(lost) BETWEEN 14 AND 17, min(received) >= 22 FROM flows" "1|1"

run mm "$SRC/scenarios/ikev2-proposal-mismatch.yaml"
expect "mismatch: no IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 0
expect "mismatch: the responder's diagnostic" "SELECT diagnostic LIKE '%no common DH group: initiator offered [x25519], responder accepts [modp2048]%' FROM ike_failures WHERE node='gwB'" 1

# The IKE proposals agree but gwB wants ecp256 where gwA's KE is x25519
# (INVALID_KE_PAYLOAD, §1.3), and the ESP proposals do not agree
# (NO_PROPOSAL_CHOSEN for the Child SA, the IKE SA stays, §1.2).
run mmesp "$SRC/scenarios/ikev2-proposal-mismatch.yaml" \
	--set nodes.gwA.ipsec.connections.gw-gw.proposals=aes256gcm16-prfsha384-x25519-ecp256 \
	--set nodes.gwB.ipsec.connections.gw-gw.proposals=aes256gcm16-prfsha384-ecp256
expect "ke retry: in the events table, both groups named" "SELECT node, event, detail FROM events" \
	"gwA|ke_retry|gw-gw: INVALID_KE_PAYLOAD: IKE_SA_INIT with x25519 refused, peer wants ecp256: retrying"
check "ke retry: in the run's summary" "grep -q 'gw-gw: INVALID_KE_PAYLOAD: IKE_SA_INIT with x25519 refused' '$OUT/mmesp.log'"
expect "esp mismatch: the IKE SA is established on both" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "esp mismatch: the responder names both sides' ESP proposals" "SELECT diagnostic LIKE '%; received proposals: aes256gcm16-noesn; configured proposals: aes128-sha256-noesn; sending NO_PROPOSAL_CHOSEN' FROM ike_failures WHERE node='gwB'" 1
expect "esp mismatch: the initiator names its own" "SELECT diagnostic FROM ike_failures WHERE node='gwA'" \
	"initiator: the responder refused Child SA 'net' (NO_PROPOSAL_CHOSEN); we offered ESP proposals: aes256gcm16-noesn"
if command -v tshark >/dev/null; then
	# tshark reads the exchange: KE x25519 (31), INVALID_KE_PAYLOAD
	# naming ecp256 (19), KE ecp256, the response's KE ecp256
	got=$(tshark -r "$OUT/mmesp/pcap/ikev2-proposal-mismatch-gwA-2.pcap" -Y 'isakmp.exchangetype == 34' \
		-T fields -e isakmp.key_exchange.dh_group -e isakmp.notify.data.accepted_dh_group 2>/dev/null | tr '\t\n' ': ')
	check "ke retry: tshark sees KE 31, INVALID_KE(19), KE 19, KE 19 ($got)" '[ "$got" = "31: :19 19: 19: " ]'
fi
finish
