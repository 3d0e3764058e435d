# report: loss around rekey events and IKE setup times.  Child SAs rekeyed
# about every 12 s (windows of ±5 s do not overlap) with break-before-make
# lose packets only to the rekeys: the packets lost within ±5 s per rekey
# are the engine's own count (child_sa_events.rekey_lost) per rekey, mean and
# interval over 3 replications as by hand, all of it excess over the loss
# outside the windows; make-before-break loses none, and on a lossy link
# only its baseline (the excess as by hand).  The
# IKE SA setup time is the initiator's IKE_SA_INIT request to its IKE_AUTH
# response in ike_exchanges.  flow_bins add up to flows and change nothing
# else.
. "$(dirname "$0")/lib.sh"
BINS='metrics={flow_bins: 100ms}'
slow_rekeys() { # the children rekey about every 12 s
	for gw in gwA gwB; do
		c=nodes.$gw.ipsec.connections.gw-gw.children.net
		printf -- '--set %s.rekey_time=12s --set %s.life_time=14s ' $c $c
	done
}
# shellcheck disable=SC2046
"$IPSEC_SIM" sweep "$SRC/scenarios/ikev2-rekey-bbm.yaml" --set "$BINS" $(slow_rekeys) \
	--replications 3 --jobs 2 --out "$OUT/bbm" >"$OUT/bbm.log" 2>&1 ||
	{ echo "FAIL: sweep"; cat "$OUT/bbm.log"; exit 1; }
DB="$OUT/bbm/metrics.sqlite"
"$IPSEC_SIM" report "$DB" --out "$OUT/rep" >"$OUT/rep.log" 2>&1 ||
	{ echo "FAIL: report exited $?"; cat "$OUT/rep.log"; exit 1; }
cat "$OUT/rep.log"

expect "bins add up to the flows" \
	"SELECT count(*) FROM flows f WHERE sent != (SELECT sum(sent) FROM flow_bins b
	 WHERE b.run_id = f.run_id AND b.flow = f.flow) OR lost != (SELECT sum(lost)
	 FROM flow_bins b WHERE b.run_id = f.run_id AND b.flow = f.flow)" 0
expect "all loss is rekey loss" \
	"SELECT count(*) FROM runs r WHERE (SELECT sum(lost) FROM flows WHERE run_id = r.run_id)
	 != (SELECT sum(rekey_lost) FROM child_sa_events WHERE run_id = r.run_id)" 0
expect "the rekeys' windows do not overlap" \
	"SELECT count(*) FROM child_sa_events a JOIN child_sa_events b USING(run_id)
	 WHERE a.state = 'rekeyed' AND b.state = 'rekeyed' AND b.time_s > a.time_s + 0.5
	 AND b.time_s < a.time_s + 10.5" 0
# per run: packets lost per Child SA rekey (a rekey is logged 'rekeyed' by
# both gateways)
per_run=$(q "SELECT sum(rekey_lost) * 2.0 / count(*) FROM child_sa_events
	WHERE state = 'rekeyed' GROUP BY run_id ORDER BY run_id")
check "break-before-make loses packets to rekeys" "[ \"\$(echo '$per_run' | awk '\$1 > 0' | wc -l)\" = 3 ]"
# t(0.975, df = 2) from a table of Student's t distribution
hand=$(echo "$per_run" | awk '{ x[NR] = $1; s += $1 } END { m = s / NR
	for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
	printf "%.1f ± %.1f", m, 4.303 * sqrt(v / (NR - 1)) / sqrt(NR) }')
events=$(q "SELECT count(*) / 2 FROM child_sa_events WHERE state = 'rekeyed'")
check "lost within ±5 s per Child SA rekey: $hand over $events events" \
	"grep -qF 'Child SA rekey ($events events) $hand;' '$OUT/rep.log'"
csv_lost=$(awk -F, '$3 == "lost around rekeys" && $5 == "\"Child SA rekey\"" { print $6, $7 }' \
	"$OUT/rep/summary.csv")
check "summary.csv: 3 runs, the same mean ($csv_lost)" \
	"echo '$csv_lost' | awk -v h='$hand' '{ split(h, a, \" \"); d = \$2 - a[1]; exit !(\$1 == 3 && d < 0.05 && d > -0.05) }'"

csv_excess=$(awk -F, '$3 == "excess lost around rekeys" && $5 == "\"Child SA rekey\"" { print $7 }' \
	"$OUT/rep/summary.csv")
check "nothing lost outside the windows: the excess is all the loss ($csv_excess)" \
	"echo '$csv_lost $csv_excess' | awk '{ d = \$2 - \$3; exit !(d < 1e-9 && d > -1e-9) }'"

# Time series: the a-to-b throughput of the bin at 5.0 s, mean over the 3
# runs (received x mean packet size x 8 / width), is the first value of
# series.gp at 5.05 s; the first run's Child SA rekeys are marked.
hand=$(q "SELECT printf('%.6f', avg(b.received * (f.bytes_received * 1.0 / f.received) * 8
	    / b.width_s / 1e6)) FROM flow_bins b JOIN flows f USING(run_id, flow)
	  WHERE b.flow = 'a-to-b' AND b.start_s > 4.99 AND b.start_s < 5.01")
got=$(awk '$1 == "5.05" { printf "%.6f", $2; exit }' "$OUT/rep/series.gp")
check "series: a-to-b at 5 s, $got Mbit/s = hand $hand" "[ '$got' = '$hand' ]"
marks=$(q "SELECT count(*) FROM (SELECT 1 FROM child_sa_events WHERE run_id = 1
	GROUP BY min(spi_in, spi_out), max(spi_in, spi_out) HAVING sum(state = 'rekeyed') > 0)")
check "series: the first run's $marks Child SA rekeys marked" \
	"[ \$(grep -c \"^set label '[^']*Child SA rekey\" '$OUT/rep/series.gp') = $marks ]"
for x in png pdf svg; do
	check "series.$x drawn" "[ -s '$OUT/rep/series.$x' ]"
done

# IKE SA setup: from the first IKE_SA_INIT request to the IKE_AUTH response
setup=$(q "SELECT 1000 * (a.time_s - (i.time_s - i.rtt_ms / 1000)) FROM ike_exchanges i
	JOIN ike_exchanges a ON a.run_id = i.run_id AND a.node = i.node AND a.ike_sa = i.ike_sa
	WHERE i.exchange = 'IKE_SA_INIT' AND a.exchange = 'IKE_AUTH' AND i.initiator = 1
	AND a.initiator = 1 ORDER BY i.run_id")
check "one IKE SA set up per run" "[ \$(echo '$setup' | wc -l) = 3 ]"
hand=$(echo "$setup" | awk '{ x[NR] = $1; s += $1 } END { m = s / NR
	for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
	printf "%.3f", m; if (v > 0) printf " ± %.3f", 4.303 * sqrt(v / (NR - 1)) / sqrt(NR)
	else printf " ± 0.000" }')
check "IKE SA setup $hand ms as ike_exchanges says" "grep -qF 'IKE SA setup $hand' '$OUT/rep.log'"
for p in rekey-loss ike-setup; do
	f="$OUT/rep/$p.png"
	check "$p.png is a PNG" "[ \"\$(head -c 8 '$f' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
	check "$p.png is an image of 1000 pixels width and more than 10 kB" \
		"[ \"\$(od -An -tu1 -j16 -N4 '$f' | tr -s ' ')\" = ' 0 0 3 232' ] && [ \$(wc -c <'$f') -gt 10000 ]"
done

# make-before-break: rekeys without loss
# shellcheck disable=SC2046
run mbb "$SRC/scenarios/ikev2-rekey-mbb.yaml" --no-pcap --set "$BINS" $(slow_rekeys)
"$IPSEC_SIM" report "$DB" --out "$OUT/rep-mbb" >"$OUT/mbb-rep.log" 2>&1
events=$(q "SELECT count(*) / 2 FROM child_sa_events WHERE state = 'rekeyed'")
check "make-before-break: $events rekeys, none lost" \
	"[ $events -gt 0 ] && grep -qF 'Child SA rekey ($events events) 0.0 (n=1); 0.00 (n=1)' '$OUT/mbb-rep.log'"
bins_db=$DB

# make-before-break on a link losing 1 %: the packets lost around a rekey
# are the link's; the excess subtracts the loss ratio of the bins outside
# every event's ±5 s (by hand: events, then bins, in awk).
# shellcheck disable=SC2046
run lossy "$SRC/scenarios/ikev2-rekey-mbb.yaml" --no-pcap --set "$BINS" $(slow_rekeys) \
	--set links.1.loss=0.01
"$IPSEC_SIM" report "$DB" --out "$OUT/rep-lossy" >"$OUT/lossy-rep.log" 2>&1
hand=$(q "SELECT 'e', 0, min(time_s) FROM child_sa_events GROUP BY min(spi_in, spi_out),
	    max(spi_in, spi_out) HAVING sum(state = 'rekeyed') > 0
	  UNION ALL SELECT 'e', 1, min(time_s) FROM ike_sa_events WHERE state = 'established'
	    AND reason = 'rekeyed' GROUP BY spi_i, spi_r;
	  SELECT 'b', start_s, sum(sent), sum(lost) FROM flow_bins GROUP BY start_s" |
	awk -F'|' '$1 == "e" { t[++n] = $3; k[n] = $2; if ($2 == 0) m++; next }
	{ b = int($2 / 0.1 + 0.5); quiet = 1
	  for (i = 1; i <= n; i++) { r = b - int(t[i] / 0.1); if (r >= -50 && r < 50) {
	    quiet = 0; if (k[i] == 0) { s += $3; l += $4 } } }
	  if (quiet) { qs += $3; ql += $4 } }
	END { printf "%.1f %.1f", l / m, (l - ql / qs * s) / m }')
check "lossy MBB: lost and excess per Child SA rekey as by hand ($hand)" \
	"grep -q 'Child SA rekey ([0-9]* events) $(echo "$hand" | cut -d' ' -f1) (n=1); [0-9.]* (n=1); $(echo "$hand" | cut -d' ' -f2) (n=1)' '$OUT/lossy-rep.log'"

# without bins: the same flows, no rekey loss to show
# shellcheck disable=SC2046
run plain "$SRC/scenarios/ikev2-rekey-mbb.yaml" --no-pcap $(slow_rekeys)
flows="SELECT flow, sent, received, lost, delay_mean_ms, delay_p99_ms FROM flows ORDER BY flow"
check "flow_bins change no other result" \
	"[ \"\$(q '$flows')\" = \"\$(sqlite3 -batch -noheader '$bins_db' '$flows')\" ]"
expect "no bins unless asked for" "SELECT count(*) FROM flow_bins" 0
"$IPSEC_SIM" report "$DB" --out "$OUT/rep-plain" >"$OUT/plain-rep.log" 2>&1
check "no bins: no rekey loss row" \
	"grep -qF 'of a rekey [packets per event; % of packets sent; excess over the loss outside the windows, packets per event]: none (no rekeys, or no metrics.flow_bins)' '$OUT/plain-rep.log'"
check "no bins: no rekey plot" "grep -q 'rekey-loss: nothing to plot' '$OUT/plain-rep.log'"
finish
