# IKEv2 in the simulator (scenarios/ikev2-psk.yaml): the gateways negotiate
# an IKE SA and a Child SA, the Child SA carries every packet, the exchanges
# are recorded with their round-trip times, tshark decrypts IKE_AUTH with the
# exported ikev2_decryption_table and ESP with esp_sa; a proposal mismatch is
# recorded with the diagnostic on both sides.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/ikev2-psk.yaml"
run psk "$S"
expect "both gateways established the IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "the initiator is gwA" "SELECT node FROM ike_sa_events WHERE state='established' AND initiator=1" gwA
expect "both installed the Child SA" "SELECT count(*) FROM child_sa_events WHERE state='installed' AND child='net'" 2
expect "SPIs cross" "SELECT a.spi_in = b.spi_out AND a.spi_out = b.spi_in FROM child_sa_events a, child_sa_events b WHERE a.node='gwA' AND b.node='gwB'" 1
expect "IKE_SA_INIT and IKE_AUTH, one round trip each over a 10 ms link" "SELECT group_concat(exchange || ':' || round(rtt_ms), ',') FROM ike_exchanges WHERE node='gwA'" "IKE_SA_INIT:20.0,IKE_AUTH:20.0"
expect "no retransmissions" "SELECT sum(retransmits) FROM ike_exchanges" 0
expect "no failures" "SELECT count(*) FROM ike_failures" 0
expect "no loss" "SELECT sum(lost) FROM flows" 0
expect "every packet through IKE's SAs" "SELECT count(*) FROM sas WHERE sa LIKE 'gw-gw/net#%' AND packets = 2020" 4
expect "IKE counters" "SELECT rx, tx FROM ike_stats WHERE node='gwA'" "2|2"
checks=$((checks + 2))
H="$OUT/psk/keys-home"
ike=$(HOME="$H" tshark -r "$OUT/psk/pcap/ikev2-psk-gwA-2.pcap" -V -Y "udp.port == 500" 2>/dev/null)
dec=$(printf '%s\n' "$ike" | grep -c "Decrypted Data (" || true)
ids=$(printf '%s\n' "$ike" | grep -c "ID_FQDN: gw[AB]" || true)
if [ "$dec" -eq 2 ] && [ "$ids" -eq 3 ]; then echo "ok: tshark decrypts both IKE_AUTH messages (IDi, IDr; IDr)"; else
	echo "FAIL: tshark decrypted $dec IKE messages with $ids identities"; fails=$((fails + 1)); fi
good=$(HOME="$H" tshark -r "$OUT/psk/pcap/ikev2-psk-gwA-2.pcap" -Y esp -T fields -e esp.icv_good 2>/dev/null | sort | uniq -c | tr -s ' ')
if [ "$good" = " 4040 1" ]; then echo "ok: tshark verifies all 4040 ESP ICVs"; else
	echo "FAIL: ESP ICVs: '$good'"; fails=$((fails + 1)); fi
run mismatch "$S" --set nodes.gwB.ipsec.connections.gw-gw.proposals=aes128-sha256-modp2048
expect "no IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 0
expect "the responder names every type without overlap and both offers" "SELECT diagnostic LIKE '%no proposal chosen: no common encryption algorithm: initiator offered [aes256gcm16], responder accepts [aes128]; no common PRF%no common DH group: initiator offered [x25519], responder accepts [modp2048]%' FROM ike_failures WHERE node='gwB'" 1
expect "the initiator reports NO_PROPOSAL_CHOSEN and its offer" "SELECT diagnostic LIKE '%NO_PROPOSAL_CHOSEN%aes256gcm16-prfsha384-x25519%' FROM ike_failures WHERE node='gwA'" 1
finish
