# The default scenario: every packet through the tunnel, none lost, every SA
# counter consistent between the two gateways, results complete.
. "$(dirname "$0")/lib.sh"
run s2s "$SRC/scenarios/site-to-site.yaml"
expect "run complete" "SELECT status FROM runs" complete
expect "scenario text stored" "SELECT length(scenario_text) > 100 FROM runs" 1
expect "seed stored" "SELECT seed FROM runs" 1
expect "4 flows" "SELECT count(*) FROM flows" 4
expect "no loss" "SELECT sum(lost) FROM flows" 0
expect "every packet arrived" "SELECT count(*) FROM flows WHERE received = sent AND sent > 0" 4
expect "one-way delay measured" "SELECT count(*) FROM flows WHERE delay_p50_ms > 10 AND delay_p99_ms >= delay_p50_ms" 4
expect "no drops" "SELECT count(*) FROM drops" 0
expect "gwA out = gwB in" "SELECT a.packets = b.packets AND a.packets > 2000 FROM sas a, sas b WHERE a.node='gwA' AND a.dir='out' AND b.node='gwB' AND b.dir='in'" 1
expect "gwB out = gwA in" "SELECT a.packets = b.packets AND a.packets > 2000 FROM sas a, sas b WHERE a.node='gwB' AND a.dir='out' AND b.node='gwA' AND b.dir='in'" 1
expect "sequence numbers = packets" "SELECT count(*) FROM sas WHERE last_seq = packets" 4
expect "one pcap per device" "SELECT 1" 1
[ "$(ls "$OUT/s2s/pcap" | wc -l)" -eq 6 ] || { echo "FAIL: expected 6 pcaps"; fails=$((fails + 1)); }
expect "esp_sa lists both directions" "SELECT 1" 1
[ "$(wc -l <"$OUT/s2s/keys/esp_sa")" -eq 2 ] || { echo "FAIL: esp_sa lines"; fails=$((fails + 1)); }
finish
