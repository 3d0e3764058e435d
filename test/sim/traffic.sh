# Traffic models over the site-to-site ESP tunnel: Poisson arrivals are
# exponential (count within 4 sigma of rate x time, inter-arrival mean and
# coefficient of variation, P(gap < mean) = 1 - 1/e), reproducible for a
# seed and different for another run number; on/off sends only while on;
# TCP bulk transfers complete on a clean and a lossy link (retransmissions,
# lower goodput), tshark decrypts the tunnel and finds TCP inside, large
# segments are carried in fragments; request/response times are twice the
# one-way delay on an idle path; the traffic-mix scenario runs; report reads
# a sweep with a TCP flow.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
# scenario NAME DURATION: site-to-site.yaml with DURATION and the traffic
# list from stdin
scenario() {
	sed -e '/^traffic:/,$d' -e "s/^duration: .*/duration: $2/" "$SRC/scenarios/site-to-site.yaml" >"$OUT/$1.yaml"
	cat >>"$OUT/$1.yaml"
}
# send_times RUN PCAP SRC PORT: the send times (s) in the measurement
# headers of the UDP datagrams from SRC to PORT in the capture
send_times() {
	tshark -r "$OUT/$1/pcap/$2" -Y "ip.src == $3 && udp.dstport == $4" -T fields -e data.data 2>/dev/null |
		$PY -c 'import sys
for l in sys.stdin:
    if l.strip(): print("%.9f" % (int(l[32:48], 16) / 1e9))'
}

# ---- Poisson and on/off ----
scenario arrivals 22s <<'EOF'
traffic:
  - {type: poisson, name: pois, from: hostA, to: hostB, size: 100B, rate: 1000pps, start: 1s, stop: 21s}
  - {type: onoff, name: oo, from: hostB, to: hostA, size: 1000B, rate: 800kbps, on: 1s, off: 1s, stop: 10s}
  - {type: onoff, name: oo-exp, from: hostA, to: hostB, port: 9001, size: 1000B, rate: 800kbps, on: exp(200ms), off: exp(300ms), start: 1s, stop: 21s}
EOF
run pa "$OUT/arrivals.yaml"
run pb "$OUT/arrivals.yaml"
DB="$OUT/pa/metrics.sqlite"
n=$(q "SELECT sent FROM flows WHERE flow = 'pois'")
# 20 s at 1000/s: Poisson(20000), sigma = sqrt(20000) = 141.4
check "poisson: $n packets in 20 s at 1000/s, within 4 sigma of 20000" "[ $n -ge 19435 ] && [ $n -le 20565 ]"
expect "poisson: all received" "SELECT received = sent FROM flows WHERE flow = 'pois'" 1
send_times pa site-to-site-hostA-1.pcap 10.1.0.2 9000 | sort -n >"$OUT/pois.t"
stats=$($PY -c 'import sys, math
t = [float(l) for l in open(sys.argv[1])]
g = [b - a for a, b in zip(t, t[1:])]
n = len(g); m = sum(g) / n
v = sum((x - m) ** 2 for x in g) / (n - 1)
print("%d %.6f %.4f %.4f %.3f" % (len(t), m * 1e3, math.sqrt(v) / m, sum(x < m for x in g) / n, t[0]))' "$OUT/pois.t")
echo "poisson: packets, mean gap (ms), CV, P(gap < mean), first at: $stats"
set -- $stats
check "poisson: every packet in the capture ($1 = $n)" "[ $1 -eq $n ]"
check "poisson: mean gap $2 ms = 1 ms +- 3 %" "awk 'BEGIN { exit !($2 > 0.97 && $2 < 1.03) }'"
check "poisson: coefficient of variation $3 = 1 +- 0.04 (exponential)" "awk 'BEGIN { exit !($3 > 0.96 && $3 < 1.04) }'"
check "poisson: P(gap < mean) $4 = 1 - 1/e +- 0.015" "awk 'BEGIN { exit !($4 > 0.617 && $4 < 0.647) }'"
check "poisson: the first packet after start ($5 s), not at it" "awk 'BEGIN { exit !($5 > 1.0) }'"
dump() { sqlite3 "$OUT/$1/metrics.sqlite" "SELECT * FROM flows ORDER BY flow"; }
check "same seed, same flows" "[ \"\$(dump pa)\" = \"\$(dump pb)\" ]"
run pc "$OUT/arrivals.yaml" --seed 2
check "another seed, other Poisson draws" "[ \"\$(dump pa | grep '|pois|')\" != \"\$(dump pc | grep '|pois|')\" ]"

# on/off: off [0,1), on [1,2), off [2,3), ... on [9,10); 10 ms per packet
DB="$OUT/pa/metrics.sqlite"
expect "onoff: 5 on periods of 1 s at 100 packets/s (the first waits one interval)" "SELECT sent, received FROM flows WHERE flow = 'oo'" "499|499"
send_times pa site-to-site-hostB-1.pcap 10.2.0.2 9000 >"$OUT/oo.t"
off=$(awk '{ p = int($1); if (p % 2 == 0) n++ } END { print n + 0 }' "$OUT/oo.t")
check "onoff: $(wc -l <"$OUT/oo.t") packets captured, $off sent in an off period" "[ $off -eq 0 ] && [ \$(wc -l <'$OUT/oo.t') -eq 499 ]"
n=$(q "SELECT sent FROM flows WHERE flow = 'oo-exp'")
# on 40 % of 20 s at 100/s: 800 on average over about 40 cycles
check "onoff with exponential periods: $n packets, about 40 % of 2000" "[ $n -ge 400 ] && [ $n -le 1200 ]"

# run numbers: replications of one configuration draw differently
"$IPSEC_SIM" sweep "$OUT/arrivals.yaml" --replications 2 --jobs 2 --out "$OUT/rep" >"$OUT/rep.log" 2>&1 ||
	{ echo "FAIL: sweep"; cat "$OUT/rep.log"; exit 1; }
DB="$OUT/rep/metrics.sqlite"
expect "run numbers 1 and 2: other Poisson sequences" "SELECT count(DISTINCT f.sent || '/' || f.delay_mean_ms) FROM flows f JOIN runs r USING(run_id) WHERE f.flow = 'pois'" 2
expect "run number 1 = the single run" "SELECT f.sent FROM flows f JOIN runs r USING(run_id) WHERE f.flow = 'pois' AND r.run_number = 1" "$(sqlite3 "$OUT/pa/metrics.sqlite" "SELECT sent FROM flows WHERE flow = 'pois'")"

# ---- TCP bulk transfer through the tunnel ----
scenario bulk 30s <<'EOF'
traffic:
  - {type: tcp, name: bulk, from: hostA, to: hostB, size: 5MB, start: 1s}
EOF
run clean "$OUT/bulk.yaml"
run lossy "$OUT/bulk.yaml" --set links.1.loss=0.01
c=$(sqlite3 "$OUT/clean/metrics.sqlite" "SELECT throughput_bps, completion_s, retransmits FROM flows")
l=$(sqlite3 "$OUT/lossy/metrics.sqlite" "SELECT throughput_bps, completion_s, retransmits FROM flows")
echo "tcp goodput|completion|retransmits: clean $c, 1 % loss $l"
DB="$OUT/clean/metrics.sqlite"
expect "tcp clean: 5 MB delivered, complete, nothing lost" "SELECT bytes_received, completion_s > 0, lost, retransmits, delay_kind, delay_mean_ms IS NULL FROM flows" "5000000|1|0|0|none|1"
expect "tcp clean: goodput = 5 MB / completion" "SELECT abs(throughput_bps - 40e6 / completion_s) < 1 FROM flows" 1
expect "tcp clean: goodput below the 10 Mbit/s link, above half of it" "SELECT throughput_bps < 10e6 AND throughput_bps > 5e6 FROM flows" 1
DB="$OUT/lossy/metrics.sqlite"
expect "tcp 1 % loss: still 5 MB, complete" "SELECT bytes_received, completion_s > 0 FROM flows" "5000000|1"
expect "tcp 1 % loss: segments lost and retransmitted" "SELECT lost > 0 AND retransmits >= lost FROM flows" 1
g=$(sqlite3 "$OUT/clean/metrics.sqlite" "SELECT throughput_bps FROM flows")
expect "tcp 1 % loss: lower goodput than on the clean link" "SELECT throughput_bps < $g FROM flows" 1
H="$OUT/clean/keys-home"
segs=$(HOME="$H" tshark -r "$OUT/clean/pcap/site-to-site-gwA-2.pcap" -Y "esp && tcp.len > 0" 2>/dev/null | wc -l)
good=$(HOME="$H" tshark -r "$OUT/clean/pcap/site-to-site-gwA-2.pcap" -Y esp -T fields -e esp.icv_good 2>/dev/null | sort -u | tr '\n' ' ')
check "tshark decrypts the tunnel: $segs TCP data segments inside ESP, ICVs '$good'" "[ $segs -ge 3600 ] && [ '$good' = '1 ' ]"
run frag "$OUT/bulk.yaml" --set traffic.0.segment_size=1460
DB="$OUT/frag/metrics.sqlite"
expect "tcp segment_size 1460: complete" "SELECT bytes_received, completion_s > 0 FROM flows" "5000000|1"
frags=$(tshark -r "$OUT/frag/pcap/site-to-site-gwA-2.pcap" -Y "ip.flags.mf == 1" 2>/dev/null | wc -l)
check "tcp segment_size 1460: the ESP packets exceed 1500 bytes and go out in $frags fragments" "[ $frags -ge 3000 ]"

# ---- request/response on an idle path ----
scenario rr 4s <<'EOF'
traffic:
  - {type: reqresp, name: rr, from: hostA, to: hostB, size: 100B, response_size: 100B, interval: 100ms, start: 1s, stop: 3s}
  - {type: udp, name: oneway, from: hostA, to: hostB, port: 9001, size: 100B, interval: 100ms, start: 1.05s, stop: 3s}
EOF
run rr "$OUT/rr.yaml"
expect "reqresp: 20 requests, 20 responses" "SELECT sent, received, lost, delay_kind FROM flows WHERE flow = 'rr'" "20|20|0|rtt"
owd=$(q "SELECT delay_mean_ms FROM flows WHERE flow = 'oneway'")
rtt=$(q "SELECT delay_mean_ms FROM flows WHERE flow = 'rr'")
check "reqresp: response time $rtt ms = 2 x one-way delay $owd ms (+- 1 %)" "awk 'BEGIN { d = $rtt - 2 * $owd; exit !(d < 0.01 * $rtt && d > -0.01 * $rtt) }'"
expect "reqresp: response times constant on an idle path" "SELECT round(delay_max_ms - delay_min_ms, 6) FROM flows WHERE flow = 'rr'" "0.0"

# ---- the shipped mix, and report on a sweep with TCP ----
run mix "$SRC/scenarios/traffic-mix.yaml"
expect "traffic-mix: one flow of each type, each delivering" "SELECT group_concat(type, ',') FROM (SELECT type FROM flows WHERE received > 0 AND bytes_received > 0 ORDER BY type)" "onoff,ping,poisson,reqresp,tcp,udp"
check "traffic-mix: summary lines" "grep -q 'bulk .*tcp .*goodput' '$OUT/mix.log' && grep -q 'rpc .*reqresp .* resp ' '$OUT/mix.log'"
"$IPSEC_SIM" sweep "$OUT/bulk.yaml" --vary links.1.loss=0,0.01 --replications 2 --jobs 2 --out "$OUT/sw" >"$OUT/sw.log" 2>&1 ||
	{ echo "FAIL: sweep"; cat "$OUT/sw.log"; exit 1; }
"$IPSEC_SIM" report "$OUT/sw/metrics.sqlite" --out "$OUT/swr" >"$OUT/swr.log" 2>&1 ||
	{ echo "FAIL: report exited $?"; cat "$OUT/swr.log"; exit 1; }
check "report: tcp goodput per configuration, no delay to plot" "grep -q '^  bulk  *9.147 ± 0.000 .* -  ' '$OUT/swr.log' && grep -q '^delay: nothing to plot' '$OUT/swr.log' && [ -s '$OUT/swr/throughput.png' ]"
finish
