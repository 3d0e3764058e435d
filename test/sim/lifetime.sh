# Soft and hard lifetimes (packets on the sender, seconds on the receiver).
. "$(dirname "$0")/lib.sh"
run life "$SRC/test/sim/lifetime.yaml"
expect "soft expiry at 80 packets" "SELECT count(*) FROM events WHERE node='gwA' AND sa='out' AND event='soft_expire' AND detail='packets'" 1
expect "hard expiry at 100 packets" "SELECT count(*) FROM events WHERE node='gwA' AND sa='out' AND event='hard_expire' AND detail='packets'" 1
expect "exactly 100 packets protected" "SELECT packets FROM sas WHERE node='gwA' AND sa='out'" 100
expect "the rest dropped as sa_expired" "SELECT packets FROM drops WHERE node='gwA' AND reason='sa_expired'" "$(q "SELECT sent - 100 FROM flows")"
expect "receiver's SA expired at 2 s" "SELECT time_s FROM events WHERE node='gwB' AND event='hard_expire' AND detail='seconds'" 2.0
expect "100 received" "SELECT received FROM flows" 100
finish
