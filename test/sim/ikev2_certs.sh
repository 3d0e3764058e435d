# IKEv2 with certificates in the simulator (scenarios/ikev2-certs.yaml): the
# CA and the gateways' certificates come from the scenario's pki: section;
# both gateways establish, tshark decrypts both IKE_AUTH messages and shows
# the CERT payloads and the digital-signature AUTH (RFC 7427); the same seed
# gives the same metrics; the wrong CA on either side, and a start_time
# after the certificates expire, end in AUTHENTICATION_FAILED with the
# diagnostic in ike_failures.  With fragment_size 576, IKE_AUTH goes in
# RFC 7383 fragments both ways.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/ikev2-certs.yaml"
run certs "$S"
expect "both gateways established the IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "both installed the Child SA" "SELECT count(*) FROM child_sa_events WHERE state='installed' AND child='net'" 2
expect "IKE_SA_INIT and IKE_AUTH, one round trip each" "SELECT group_concat(exchange, ',') FROM ike_exchanges WHERE node='gwA'" "IKE_SA_INIT,IKE_AUTH"
expect "no failures" "SELECT count(*) FROM ike_failures" 0
expect "no loss" "SELECT sum(lost) FROM flows" 0
checks=$((checks + 1))
H="$OUT/certs/keys-home"
ike=$(HOME="$H" tshark -r "$OUT/certs/pcap/ikev2-certs-gwA-2.pcap" -V -Y "udp.port == 500" 2>/dev/null)
dec=$(printf '%s\n' "$ike" | grep -c "Decrypted Data (" || true)
certs=$(printf '%s\n' "$ike" | grep -c "Certificate Encoding: X.509 Certificate - Signature (4)" || true)
sig=$(printf '%s\n' "$ike" | grep -c "Authentication Method: Digital Signature (14)" || true)
names=$(printf '%s\n' "$ike" | grep -c "Certificate Data (id-at-commonName=gw[AB],id-at-organizationName=ipsec-sim" || true)
if [ "$dec" -eq 2 ] && [ "$certs" -eq 2 ] && [ "$sig" -eq 2 ] && [ "$names" -eq 2 ]; then
	echo "ok: tshark decrypts both IKE_AUTH messages: CERT (gwA's and gwB's) and AUTH method 14"
else
	echo "FAIL: tshark: $dec decrypted, $certs CERT, $sig AUTH method 14, $names certificate names"
	fails=$((fails + 1))
fi
dump() {
	DB="$OUT/$1/metrics.sqlite"
	for t in ike_sa_events child_sa_events ike_exchanges flows; do
		q "SELECT * FROM $t ORDER BY 1,2,3"
	done
}
run again "$S"
checks=$((checks + 1))
if [ "$(dump certs)" = "$(dump again)" ]; then echo "ok: same seed, same metrics (certificates and signatures of constant size)"; else
	echo "FAIL: the same seed gave other metrics"; diff <(dump certs) <(dump again) | head; fails=$((fails + 1)); fi
# RFC 7383 in the simulator: with fragment_size 576 both IKE_AUTH messages
# (RSA-2048 and ECDSA certificates) go in fragments; ike_stats counts them,
# nothing is dropped, and tshark puts each message together and decrypts it.
run frag "$S" --set nodes.gwA.ipsec.connections.gw-gw.fragment_size=576 \
	--set nodes.gwB.ipsec.connections.gw-gw.fragment_size=576
expect "fragment_size 576: both gateways established" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 2
expect "each sent its IKE_AUTH in fragments and reassembled the other's" "SELECT group_concat(node || ':' || (frag_tx >= 2) || ',' || (frag_rx >= 2) || ',' || frag_reassembled, ' ') FROM (SELECT * FROM ike_stats ORDER BY node)" "gwA:1,1,1 gwB:1,1,1"
expect "no fragment dropped" "SELECT count(*) FROM ike_frag_drops" 0
checks=$((checks + 1))
ike=$(HOME="$OUT/frag/keys-home" tshark -r "$OUT/frag/pcap/ikev2-certs-gwA-2.pcap" -V -Y "udp.port == 500" 2>/dev/null)
skf=$(printf '%s\n' "$ike" | grep -c "Payload: Encrypted and Authenticated Fragment (53)" || true)
whole=$(printf '%s\n' "$ike" | grep -c "Reassembled ISAKMP length" || true)
certs=$(printf '%s\n' "$ike" | grep -c "Certificate Encoding: X.509 Certificate - Signature (4)" || true)
if [ "$whole" -eq 2 ] && [ "$certs" -eq 2 ] && [ "$skf" -ge 4 ]; then
	echo "ok: tshark reassembles both IKE_AUTH messages from $skf fragments and decrypts their CERT payloads"
else
	echo "FAIL: tshark: $skf fragments, $whole reassembled, $certs CERT"
	fails=$((fails + 1))
fi
run wrong-ca-a "$S" --set nodes.gwA.ipsec.connections.gw-gw.remote.cacerts.0=pki:other-ca
expect "gwA trusts another CA: no IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established' AND node='gwA'" 0
expect "gwA: untrusted chain, with the certificate and its issuer" "SELECT count(*) FROM ike_failures WHERE node='gwA' AND diagnostic LIKE 'initiator: untrusted chain: the responder''s certificate ''C=CH, O=ipsec-sim, CN=gwB'' issued by ''C=CH, O=ipsec-sim, CN=Sim CA'': unable to get local issuer certificate%'" 1
run wrong-ca-b "$S" --set nodes.gwB.ipsec.authorities.0.cacert=pki:other-ca
expect "gwB trusts another CA: no IKE SA" "SELECT count(*) FROM ike_sa_events WHERE state='established'" 0
expect "gwB: untrusted chain, AUTHENTICATION_FAILED sent" "SELECT count(*) FROM ike_failures WHERE node='gwB' AND diagnostic LIKE 'responder: untrusted chain: the initiator''s certificate ''C=CH, O=ipsec-sim, CN=gwA''%sending AUTHENTICATION_FAILED'" 1
expect "gwA: told AUTHENTICATION_FAILED" "SELECT count(*) FROM ike_failures WHERE node='gwA' AND diagnostic LIKE '%answered IKE_AUTH with AUTHENTICATION_FAILED%the CA it trusts%'" 1
run expired "$S" --set start_time=2051-01-01T00:00:00Z
expect "in 2051 the certificates have expired" "SELECT count(*) FROM ike_failures WHERE node='gwB' AND diagnostic LIKE 'responder: certificate expired: the initiator''s certificate ''C=CH, O=ipsec-sim, CN=gwA'' is valid from Jan  1 00:00:00 2020 GMT until Jan  1 00:00:00 2050 GMT, checked at Unix time 2556144%'" 1
finish
