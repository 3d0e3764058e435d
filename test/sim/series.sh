# Time series (schema 11): flow_bins' per-bin delay equals what the capture
# at the receiver says (each packet's arrival time minus the send time in
# its measurement header, tshark); crypto_engine_bins of a saturated engine
# peak at ~100 % and average to the run's utilisation; report prints the
# peak, draws the delay panel and the engines over time, and still reads a
# database of schema 10.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/crypto-saturation.yaml"
run sat "$S" --set 'metrics={flow_bins: 250ms}'

# Per bin of send time of the burst (flow 0, hostA to hostB) and the probe
# (flow 1, back): the packets hostB's (hostA's) capture holds, their mean
# and largest delay.  The capture's times are cut to microseconds: 1.2 us
# of tolerance (1 us and the rounding to 0.1 us here).
for f in "0 burst hostB" "1 probe hostA"; do
	set -- $f
	tshark -r "$OUT/sat/pcap/crypto-saturation-$3-1.pcap" -Y "udp and data.data[0:8] == 49:50:53:31:00:00:00:0$1" \
		-T fields -e frame.time_epoch -e data.data 2>/dev/null >"$OUT/$2.txt"
	hand=$(awk 'function hex(s, v, i) { for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
		{ sent = hex(substr($2, 33, 16)) / 1e9; d = ($1 - sent) * 1e3
		b = int(sent / 0.25 + 1e-9); n[b]++; s[b] += d; if (d > m[b]) m[b] = d }
		END { for (b in n) printf "%.2f %d %.4f %.4f\n", b * 0.25, n[b], s[b] / n[b], m[b] }' \
		"$OUT/$2.txt" | sort -n)
	db=$(q "SELECT printf('%.2f %d %.4f %.4f', start_s, received, delay_mean_ms, delay_max_ms)
	        FROM flow_bins WHERE flow = '$2' AND received > 0 ORDER BY start_s")
	same=$(paste <(echo "$hand") <(echo "$db") | awk '{ if ($1 != $5 || $2 != $6 ||
		($3 - $7) ^ 2 > 1.44e-6 || ($4 - $8) ^ 2 > 1.44e-6) bad++ } END { print NR, bad + 0 }')
	check "$2: per-bin received, mean and max delay = the capture's ($same: bins, differing)" \
		"[ '${same#* }' = 0 ] && [ '${same% *}' -ge 4 ]"
done
check "the burst's delay is not trivial (queueing: > 20 ms)" \
	"[ \$(q \"SELECT delay_mean_ms > 20 FROM flow_bins WHERE flow = 'burst' AND start_s = 1.5\") = 1 ]"
expect "no delay where nothing was received (ping during the burst)" \
	"SELECT count(*) > 0, sum(delay_mean_ms IS NULL AND delay_max_ms IS NULL) = count(*)
	 FROM flow_bins WHERE received = 0" "1|1"

# The crypto engines' bins: gwA saturates and drops during the burst.
expect "engine bins are the flow bins' width, every bin from 0 to the end" \
	"SELECT count(*), min(width_s), max(width_s), sum(width_s) FROM crypto_engine_bins WHERE node = 'gwA'" \
	"12|0.25|0.25|3.0"
expect "the peak bin is near 100 % and drops" \
	"SELECT utilisation > 0.99, drops > 0 FROM crypto_engine_bins WHERE node = 'gwA'
	 ORDER BY utilisation DESC LIMIT 1" "1|1"
expect "the bins' drops are the engine's" \
	"SELECT (SELECT sum(drops) FROM crypto_engine_bins b WHERE b.node = c.node) = c.drops
	 FROM crypto_engines c WHERE node = 'gwA'" 1
# the run's mean by hand: busy time over lanes x duration, and the bins'
# mean weighted by width
expect "the bins average to the run's utilisation (both engines)" \
	"SELECT node, abs(sum(b.utilisation * b.width_s) / sum(b.width_s) - c.utilisation) < 1e-9,
	        abs(sum(b.busy_ms) / 1e3 / (c.lanes * 3.0) - c.utilisation) < 1e-9
	 FROM crypto_engine_bins b JOIN crypto_engines c USING(run_id, node) GROUP BY node ORDER BY node" \
	"gwA|1|1
gwB|1|1"
expect "the run's mean hides the peak" \
	"SELECT utilisation < 0.5 FROM crypto_engines WHERE node = 'gwA'" 1
DB0=$DB
run onesec "$S" --no-pcap
expect "without flow_bins, engine bins of 1 s" \
	"SELECT count(*), min(width_s) FROM crypto_engine_bins WHERE node = 'gwA'" "3|1.0"

"$IPSEC_SIM" report "$DB0" --out "$OUT/rep" >"$OUT/rep.log" 2>"$OUT/rep.err" ||
	{ echo "FAIL: report exited $?"; cat "$OUT/rep.log" "$OUT/rep.err"; exit 1; }
check "no gnuplot warning" "[ ! -s '$OUT/rep.err' ] || ! cat '$OUT/rep.err'"
peak=$(DB=$DB0 q "SELECT printf('gwA %.1f (n=1), gwB %.1f (n=1)',
        (SELECT 100 * max(utilisation) FROM crypto_engine_bins WHERE node = 'gwA'),
        (SELECT 100 * max(utilisation) FROM crypto_engine_bins WHERE node = 'gwB'))")
check "the peak printed: $peak" \
	"grep -qF 'crypto engine peak utilisation [% in the busiest bin]: $peak' '$OUT/rep.log'"
check "series: a delay panel per flow" \
	"[ \$(grep -c 'mean delay of the packets sent in each bin' '$OUT/rep/series.gp') = 3 ]"
check "crypto-series and crypto-peak drawn" \
	"[ -s '$OUT/rep/crypto-series.png' ] && [ -s '$OUT/rep/crypto-peak.svg' ] &&
	 [ \$(grep -c 'crypto engine utilisation' '$OUT/rep/crypto-series.gp') = 2 ]"

# 1 ms bins over 2.5 s are drawn merged 9 by 9 (at most 300 points): the
# burst's throughput and delay of the bin from 1.350 s to 1.359 s, as by
# hand from the 9 rows (the delay weighted by the packets received).
run fine "$S" --no-pcap --set 'metrics={flow_bins: 1ms}'
"$IPSEC_SIM" report "$DB" --out "$OUT/fine" >"$OUT/fine.log" 2>&1 ||
	{ echo "FAIL: report exited $?"; cat "$OUT/fine.log"; exit 1; }
hand=$(q "SELECT printf('%.6f %.6f', sum(b.received) * (f.bytes_received * 1.0 / f.received) * 8 / 0.009 / 1e6,
          sum(b.delay_mean_ms * b.received) / sum(b.received)) FROM flow_bins b JOIN flows f USING(run_id, flow)
          WHERE flow = 'burst' AND b.start_s > 1.3495 AND b.start_s < 1.3585")
got=$(awk '$1 == "1.3545" { n++; if (n == 1) t = $2; if (n == 5) d = $2 } END { printf "%.6f %.6f", t, d }' \
	"$OUT/fine/series.gp")
check "merged bins of 9 ms: throughput, delay $got = hand $hand" "[ '$got' = '$hand' ] && grep -q 'bins of 0.009 s' '$OUT/fine/series.gp'"

# A database of schema 10 (no per-bin delay, no engine bins) still reads.
cp "$DB0" "$OUT/old.sqlite"
DB="$OUT/old.sqlite"
q "ALTER TABLE flow_bins DROP COLUMN delay_mean_ms; ALTER TABLE flow_bins DROP COLUMN delay_max_ms;
   DROP TABLE crypto_engine_bins; PRAGMA user_version = 10"
"$IPSEC_SIM" report "$DB" --out "$OUT/old" >"$OUT/old.log" 2>"$OUT/old.err" ||
	{ echo "FAIL: report of schema 10 exited $?"; cat "$OUT/old.log" "$OUT/old.err"; exit 1; }
check "schema 10: read, series without delay, no engine series or peak" \
	"[ ! -s '$OUT/old.err' ] && ! grep -q 'mean delay' '$OUT/old/series.gp' &&
	 [ -s '$OUT/old/series.png' ] && [ ! -e '$OUT/old/crypto-series.gp' ] &&
	 grep -q 'crypto-peak: nothing to plot' '$OUT/old.log' && ! grep -q 'peak utilisation' '$OUT/old.log'"
q "PRAGMA user_version = 8"
cli "$(status report "$DB" --out "$OUT/old8")" 2 "not a metrics database of schema version 9 to 12 (user_version 8)" \
	"schema 8 refused"
finish
