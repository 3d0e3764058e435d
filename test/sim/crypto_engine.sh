# Crypto engines (model/elements/crypto_engine.h, helper/sim/sim_crypto.c): an embedded
# gateway saturated by a UDP flow above its capacity drops with reason
# crypto_queue_full while its queue delays the rest; an offload ASIC adds
# microseconds and no loss; IKE work shows in the IKE round trip; calibrate
# writes a profile that loads; same seed, same numbers.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"
delay() { q "SELECT delay_mean_ms FROM flows WHERE flow = '$1'"; }

run base "$S" --no-pcap
base_ab=$(delay a-to-b)
base_ba=$(delay b-to-a)

# 1400-byte packets at 300 Mbit/s (26.8 k/s) into an engine that serves
# 11.9 k/s of AES-256-GCM (5 us + 1484 B * 53.3 ns = 84 us): rho = 2.25.
SAT="--set links.0.rate=1Gbps --set links.1.rate=1Gbps --set links.2.rate=1Gbps
     --set nodes.gwA.crypto_engine=embedded --set duration=1.1s
     --set traffic.a-to-b.rate=300Mbps --set traffic.a-to-b.size=1400B
     --set traffic.a-to-b.start=0.02s --set traffic.a-to-b.stop=1.1s
     --set traffic.b-to-a.start=0.1s --set traffic.b-to-a.stop=1s"
# shellcheck disable=SC2086
run sat "$S" --no-pcap $SAT
expect "saturated: crypto_queue_full drops on gwA" \
	"SELECT packets > 10000 FROM drops WHERE node = 'gwA' AND reason = 'crypto_queue_full'" 1
expect "drops counted by the engine = the node's" \
	"SELECT c.drops = d.packets FROM crypto_engines c, drops d WHERE c.node = 'gwA' AND d.node = 'gwA'" 1
expect "no other drop reason" "SELECT count(*) FROM drops WHERE reason <> 'crypto_queue_full'" 0
expect "about half the burst lost (1 - 1/rho)" \
	"SELECT loss_ratio BETWEEN 0.45 AND 0.65 FROM flows WHERE flow = 'a-to-b'" 1
expect "throughput = the engine's capacity (~136 Mbit/s)" \
	"SELECT throughput_bps BETWEEN 120e6 AND 140e6 FROM flows WHERE flow = 'a-to-b'" 1
expect "utilisation ~ 1" "SELECT utilisation > 0.95 AND utilisation <= 1.0 FROM crypto_engines WHERE node = 'gwA'" 1
expect "the queue fills up to its limit" "SELECT queue_max = queue_limit AND queue_limit = 256 FROM crypto_engines WHERE node = 'gwA'" 1
expect "waiting ~ a full queue (256 x 84 us)" \
	"SELECT wait_mean_us BETWEEN 15000 AND 22000 AND wait_max_us <= 22000 FROM crypto_engines WHERE node = 'gwA'" 1
expect "delay grows by the queue's wait" \
	"SELECT delay_mean_ms > $base_ab + 15 FROM flows WHERE flow = 'a-to-b'" 1
expect "the reverse flow waits in the same queue to be decrypted" \
	"SELECT delay_mean_ms > $base_ba + 10 FROM flows WHERE flow = 'b-to-a'" 1
expect "only gwA has an engine" "SELECT group_concat(node) FROM crypto_engines" gwA
sat_dump=$(q "SELECT * FROM crypto_engines; SELECT * FROM flows; SELECT * FROM drops")
# shellcheck disable=SC2086
run sat2 "$S" --no-pcap $SAT
checks=$((checks + 1))
if [ "$(q "SELECT * FROM crypto_engines; SELECT * FROM flows; SELECT * FROM drops")" = "$sat_dump" ]; then
	echo "ok: same seed, same crypto_engines, flows and drops"
else
	echo "FAIL: a second run differs"
	fails=$((fails + 1))
fi

run asic "$S" --no-pcap --set nodes.gwA.crypto_engine=asic-10g
expect "asic-10g: no loss" "SELECT sum(lost) FROM flows" 0
expect "asic-10g: no drops" "SELECT count(*) FROM drops" 0
expect "asic-10g: every ESP packet through the engine" \
	"SELECT c.packets = (SELECT sum(packets) FROM sas WHERE node = 'gwA') FROM crypto_engines c" 1
# 2 us of latency + 100 ns + 1080 B * 6.4 ns = 9 us
expect "asic-10g: delay = baseline + ~9 us" \
	"SELECT round((delay_mean_ms - $base_ab) * 1000, 1) FROM flows WHERE flow = 'a-to-b'" 9.0
expect "asic-10g: no waiting at 2 Mbit/s" "SELECT queue_max, wait_max_us FROM crypto_engines" "0|0.0"

# IKE work: gwA charges an X25519 (1.5 ms) and a key schedule (150 us) when
# the IKE_SA_INIT response arrives, so its round trip is 10 ms + ~1.7 ms.
run ike "$SRC/scenarios/crypto-saturation.yaml" --no-pcap
expect "IKE: DH and PRF charged on both gateways" \
	"SELECT count(*) FROM crypto_engines WHERE ike_dh = 1 AND ike_prf = 2" 2
expect "IKE: gwA's IKE_SA_INIT round trip includes its DH" \
	"SELECT rtt_ms BETWEEN 11.6 AND 11.8 FROM ike_exchanges WHERE node = 'gwA' AND exchange = 'IKE_SA_INIT'" 1
expect "IKE: the shipped scenario saturates gwA" \
	"SELECT drops > 0 FROM crypto_engines WHERE node = 'gwA'" 1
expect "IKE: gwB's override of lanes" "SELECT profile, lanes FROM crypto_engines WHERE node = 'gwB'" "software|2"

# calibrate writes a profile that loads and runs
"$IPSEC_SIM" calibrate --time 0.05 --name here --out "$OUT/here.yaml" 2>"$OUT/calibrate.log" || {
	echo "FAIL: calibrate exited $?"
	cat "$OUT/calibrate.log"
	exit 1
}
checks=$((checks + 1))
if grep -q "^# OpenSSL: OpenSSL 3" "$OUT/here.yaml" && grep -q "^# host: " "$OUT/here.yaml" &&
	grep -q "^# date: " "$OUT/here.yaml"; then
	echo "ok: calibrate: header names host, date and OpenSSL version"
else
	echo "FAIL: calibrate header"
	head "$OUT/here.yaml"
	fails=$((fails + 1))
fi
run cal "$S" --no-pcap --set "nodes.gwA.crypto_engine=$OUT/here.yaml"
expect "calibrated profile loads and runs" "SELECT profile, profile_path, packets > 4000 FROM crypto_engines" "here|$OUT/here.yaml|1"
expect "calibrated software on one core: no loss at 4 Mbit/s" "SELECT sum(lost) FROM flows" 0

# a broken profile: every error at its place in the profile file, exit 2
cat >"$OUT/broken.yaml" <<'YAML'
profile: broken
lane: 2
transforms:
  aes128gcm: {per_packet: 5 parsecs, per_byte: 1ns}
  aes256gcm: {per_packet: 1us, per_byte: 1ns, throughput: 1Gbps}
  chacha20poly1305: {per_packet: 1us, throughput: 1Gbps}
  aescbc-hmac: {per_packet: 1us, throughput: 1Gbps}
dh: {x25519: 1ms}
YAML
rc=0
"$IPSEC_SIM" check "$S" --set "nodes.gwA.crypto_engine=$OUT/broken.yaml" >"$OUT/check.log" 2>&1 || rc=$?
P="$OUT/broken.yaml"
for line in "$P:2:1: unknown key 'lane' in a profile (did you mean 'lanes'?)" \
	"$P:4:27: '5 parsecs' is not a cost: give a number and ns, us, ms or s (like 1.5us or 0.35ns)" \
	"$P:5:59: transform 'aes256gcm': give per_byte or throughput, not both (throughput T is a per_byte of 8 / T)" \
	"$P:4:3: transforms: no cost for hmac (give them, or a 'default')" \
	"$P:8:5: dh: no cost for ecp256, ecp384, modp2048, modp3072 (give every one of them)"; do
	checks=$((checks + 1))
	if grep -qxF "$line" "$OUT/check.log"; then echo "ok: profile error: ${line#"$P":}"; else
		echo "FAIL: missing: $line"
		cat "$OUT/check.log"
		fails=$((fails + 1))
	fi
done
checks=$((checks + 1))
if [ "$rc" -eq 2 ]; then echo "ok: check exits 2"; else echo "FAIL: check exited $rc"; fails=$((fails + 1)); fi
finish
