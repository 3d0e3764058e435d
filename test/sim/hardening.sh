# Outputs stay where they are told and no failure is silent (issue 9): a
# scenario name cannot leave --out, an empty --out and a foreign
# metrics.sqlite are refused, `decrypt` will not overwrite its input, a
# stop request (SIGINT, SIGHUP) ends even a run of 10^9 packets per second
# at once, and a full disk fails the run with the reason in the database.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"
cd "$OUT"

# A name that would put captures outside --out: refused where it is given.
rc=$(status run "$S" --set 'name=../../escaped/x' --out "$OUT/esc/a/b")
cli "$rc" 2 "--set:1: '../../escaped/x' is not a valid name" "a name with '/' refused"
check "nothing written for it" "[ ! -e '$OUT/escaped' ] && [ ! -e '$OUT/esc' ]"
long=$(printf 'n%.0s' $(seq 300))
rc=$(status check "$S" --set "name=$long")
cli "$rc" 2 "is not a valid name" "a 300-character name refused by check"
rc=$(status run "$S" --set 'name=/tmp/abs' --out "$OUT/abs")
cli "$rc" 2 "is not a valid name" "an absolute name refused"
# A file name that is no valid name becomes one.
cp "$S" "$OUT/my site.v2.yaml"
sed -i '/^name:/d' "$OUT/my site.v2.yaml"
rc=$(status run "$OUT/my site.v2.yaml" --no-pcap --out "$OUT/stem")
cli "$rc" 0 "my_site_v2: complete" "a file's name made a valid scenario name"

rc=$(status run "$S" --out '')
cli "$rc" 2 "--out: an empty folder name" "run --out '' refused"
rc=$(status sweep "$S" --out '')
cli "$rc" 2 "--out: an empty folder name" "sweep --out '' refused"
rc=$(status report "$OUT/none.sqlite" --out '')
cli "$rc" 2 "--out: an empty folder name" "report --out '' refused"

mkdir -p "$OUT/foreign" "$OUT/notdb"
sqlite3 "$OUT/foreign/metrics.sqlite" "CREATE TABLE mine(x); INSERT INTO mine VALUES (42)"
echo "my notes" >"$OUT/notdb/metrics.sqlite"
rc=$(status run "$S" --no-pcap --out "$OUT/foreign")
cli "$rc" 1 "an SQLite database that ipsec-sim did not write" "another program's database kept"
check "its data intact" "[ \"\$(sqlite3 '$OUT/foreign/metrics.sqlite' 'SELECT x FROM mine')\" = 42 ]"
rc=$(status run "$S" --no-pcap --out "$OUT/notdb")
cli "$rc" 1 "not an SQLite database" "a file that is no database kept"
check "its text intact" "grep -q 'my notes' '$OUT/notdb/metrics.sqlite'"
rc=$(status sweep "$S" --replications 1 --out "$OUT/foreign")
cli "$rc" 1 "a sweep replaces it" "sweep keeps another program's database too"

# --no-pcap makes no pcap folder; captures are counted when written.
check "--no-pcap: no pcap folder" "[ -d '$OUT/stem' ] && [ ! -e '$OUT/stem/pcap' ]"
check "--no-pcap: not listed" "! grep -q 'pcap/' '$OUT/cli.log'"
rc=$(status --version)
cli "$rc" 0 "ipsec-sim 0.1.0 (ns-3.37, OpenSSL 3" "--version"

# decrypt onto its own input, by the same name or another (a hard link).
run s2s "$S"
check "captures counted: 6 files, their packets (capinfos) and bytes" \
	"grep -qF \"pcap/ (6 captures, \$(capinfos -cM '$OUT/s2s/pcap/'*.pcap |
	  awk '/Number of packets/ { n += \$NF } END { print n }') packets, \$(du -cb \\
	  '$OUT/s2s/pcap/'*.pcap | tail -1 | awk '{ printf \"%.1f\", \$1 / 1e6 }') MB)\" '$OUT/s2s.log'"
cap="$OUT/s2s/pcap/site-to-site-gwA-1.pcap"
size=$(stat -c %s "$cap")
ln "$cap" "$OUT/link.pcap"
rc=$(status decrypt --esp-sa "$OUT/s2s/keys/esp_sa" "$cap" "$cap")
cli "$rc" 2 "writing it would destroy the capture" "decrypt IN IN refused"
rc=$(status decrypt --esp-sa "$OUT/s2s/keys/esp_sa" "$cap" "$OUT/link.pcap")
cli "$rc" 2 "writing it would destroy the capture" "decrypt onto a hard link of IN refused"
check "the capture intact" "[ \$(stat -c %s '$cap') = $size ]"

# 10^9 packets per second: check warns; a stop request ends the run within
# the few seconds the test allows (polling simulated time took 48 s).
rc=$(status check "$S" --set traffic.a-to-b.rate=1000000000pps)
cli "$rc" 0 "warning: flow 'a-to-b' sends about 8e+09 packets" "check warns of an absurd rate"
for sig in INT HUP; do
	"$IPSEC_SIM" run "$S" --no-pcap --out "$OUT/sig$sig" \
		--set traffic.a-to-b.rate=1000000000pps >"$OUT/sig$sig.log" 2>&1 &
	pid=$!
	until_running 1 "echo $pid" || true
	sleep 1 # into the flow at 10^9 packets per second (from 1 s simulated)
	kill -$sig $pid
	# a liveness bound, not a timing measurement: the old poll took 48 s
	for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	check "SIG$sig stops the run" "! kill -0 $pid 2>/dev/null"
	kill -KILL $pid 2>/dev/null || true
	rc=0
	wait $pid || rc=$?
	DB="$OUT/sig$sig/metrics.sqlite"
	expect "SIG$sig: marked interrupted" "SELECT status FROM runs" interrupted
	expect "SIG$sig: database intact" "PRAGMA integrity_check" ok
done

# A full disk: captures on a 64 KiB file system, then the whole run on
# one.  Needs a private mount namespace (root).
if unshare -m true 2>/dev/null; then
	mkdir -p "$OUT/full/pcap"
	rc=0
	unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$OUT/full/pcap' &&
		exec '$IPSEC_SIM' run '$S' --out '$OUT/full'" >"$OUT/full.log" 2>&1 || rc=$?
	check "pcaps cut short: exit status 1" "[ $rc = 1 ]"
	check "the capture named" "grep -q 'pcap/site-to-site-.*No space left on device' '$OUT/full.log'"
	DB="$OUT/full/metrics.sqlite"
	expect "pcaps cut short: run failed" "SELECT status FROM runs" failed
	expect "the reason recorded" \
		"SELECT failure LIKE '%.pcap: No space left on device' FROM runs" 1
	expect "the metrics still written" "SELECT count(*) > 0 FROM flows" 1
	mkdir -p "$OUT/tiny"
	rc=0
	unshare -m sh -c "mount -t tmpfs -o size=200k tmpfs '$OUT/tiny' &&
		'$IPSEC_SIM' run '$S' --no-pcap --set 'metrics={flow_bins: 1ms}' --out '$OUT/tiny';
		rc=\$?; cp '$OUT/tiny/metrics.sqlite' '$OUT/tiny.sqlite'; exit \$rc" \
		>"$OUT/tiny.log" 2>&1 || rc=$?
	check "database full: exit status 1" "[ $rc = 1 ]"
	check "database full: said so" "grep -q 'writing metrics' '$OUT/tiny.log'"
	DB="$OUT/tiny.sqlite"
	expect "database full: intact" "PRAGMA integrity_check" ok
	expect "database full: run failed" "SELECT status FROM runs" failed
	expect "database full: reason" "SELECT failure LIKE 'writing metrics: %' FROM runs" 1
else
	echo "skip: full-disk checks need a mount namespace (run as root)"
fi
finish
