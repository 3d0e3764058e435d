# Rekeying under load (RFC 7296 §2.8, §2.18, §2.8.3): Child SAs rekeyed
# every 4-5 s and the IKE SA at about 10 s, make-before-break vs
# break-before-make, and reauthentication; every ESP and IKE packet of the
# rekeyed run still decrypts in tshark with the exported tables.
. "$(dirname "$0")/lib.sh"
run mbb "$SRC/scenarios/ikev2-rekey-mbb.yaml"
expect "mbb: at least 6 Child SA rekeys on each gateway" "SELECT min(n) >= 6 FROM (SELECT count(*) AS n FROM child_sa_events WHERE state='rekeyed' GROUP BY node)" 1
expect "mbb: the IKE SA rekeyed twice, replaced by the new one" "SELECT count(*) FROM ike_sa_events WHERE state='rekeyed' AND replaced_by IS NOT NULL" 4
expect "mbb: no packet lost" "SELECT sum(lost) FROM flows" 0
expect "mbb: no drops" "SELECT count(*) FROM drops" 0
expect "mbb: each rekey recorded with its duration" "SELECT count(*) FROM child_sa_events WHERE state='rekeyed' AND (rekey_ms <= 0 OR rekey_ms IS NULL OR old_spi_in IS NULL)" 0
# strongSwan's charon.delete_rekeyed_delay: the DELETE of a rekeyed Child SA
# removes its outbound SA; its inbound SA goes 5 s later, counting what
# arrived on it meanwhile.
expect "mbb: every rekeyed Child SA's inbound SA removed 5 s after its DELETE, counted" "SELECT count(*) FROM child_sa_events d WHERE d.state='deleted' AND d.reason='rekeyed' AND d.time_s < 25 AND NOT EXISTS (SELECT 1 FROM child_sa_events r WHERE r.state='removed' AND r.reason='delete_rekeyed_delay' AND r.node=d.node AND r.spi_in=d.spi_in AND abs(r.time_s - d.time_s - 5) < 1e-6 AND r.late_packets >= 0)" 0
expect "mbb: removed only after a rekey" "SELECT count(*) FROM child_sa_events r WHERE r.state='removed' AND NOT EXISTS (SELECT 1 FROM child_sa_events d WHERE d.state='deleted' AND d.reason='rekeyed' AND d.node=r.node AND d.spi_in=r.spi_in)" 0
checks=$((checks + 2))
K="$OUT/mbb/keys-home"
P="$OUT/mbb/pcap/ikev2-rekey-mbb-gwA-2.pcap"
esp=$(HOME="$K" tshark -r "$P" -Y esp -T fields -e esp.icv_good 2>/dev/null | sort | uniq -c | tr -s ' ')
want=$(q "SELECT sum(packets) FROM sas WHERE node='gwA' AND dir='out'")
want=$((want + $(q "SELECT sum(packets) FROM sas WHERE node='gwA' AND dir='in'")))
if [ "$esp" = " $want 1" ]; then echo "ok: tshark verifies all $want ESP packets across every rekeyed SA"; else
	echo "FAIL: ESP across rekeys: '$esp', expected $want good"; fails=$((fails + 1)); fi
ike=$(HOME="$K" tshark -r "$P" -Y "udp.port == 500" 2>/dev/null | wc -l)
dec=$(HOME="$K" tshark -r "$P" -V -Y "udp.port == 500" 2>/dev/null | grep -c "Decrypted Data (" || true)
if [ "$dec" -eq $((ike - 2)) ]; then echo "ok: tshark decrypts all $dec protected IKE messages of three IKE SAs"; else
	echo "FAIL: IKE decrypted $dec of $((ike - 2))"; fails=$((fails + 1)); fi

run bbm "$SRC/scenarios/ikev2-rekey-bbm.yaml"
expect "bbm: as many rekeys" "SELECT min(n) >= 6 FROM (SELECT count(*) AS n FROM child_sa_events WHERE state='rekeyed' GROUP BY node)" 1
expect "bbm: packets lost around the rekeys, a few per rekey" "SELECT sum(lost) > 0 AND sum(lost) < 100 FROM flows" 1
expect "bbm: lost as no_sa on the gateway between its old and new SA" "SELECT sum(packets) > 0 FROM drops WHERE reason='no_sa'" 1
expect "bbm: the initiators of rekeys count what they lost" "SELECT sum(rekey_lost) > 0 FROM child_sa_events WHERE state='rekeyed'" 1

run reauth "$SRC/scenarios/ikev2-reauth.yaml"
expect "reauth: a new IKE SA about every 10 s" "SELECT count(*) FROM ike_sa_events WHERE node='gwA' AND state='established'" 4
expect "reauth: make-before-break loses nothing" "SELECT sum(lost) FROM flows" 0
expect "reauth: every replaced IKE SA ends" "SELECT count(*) FROM ike_sa_events WHERE node='gwA' AND state IN ('deleted','rekeyed')" 3
finish
