# The on-path attacker: each forged packet dropped with the right reason at
# gwB, and the legitimate flow unharmed.
. "$(dirname "$0")/lib.sh"
run attack "$SRC/scenarios/attack.yaml"
expect "every attack performed" "SELECT count(*) FROM attacks WHERE performed = planned AND planned = 5" 4
expect "replays dropped as replay" "SELECT packets FROM drops WHERE node='gwB' AND reason='replay'" 5
expect "flipped bits dropped as icv_fail" "SELECT packets FROM drops WHERE node='gwB' AND reason='icv_fail'" 5
expect "truncated dropped as malformed" "SELECT packets FROM drops WHERE node='gwB' AND reason='malformed'" 5
expect "unknown SPI dropped as no_sa" "SELECT packets FROM drops WHERE node='gwB' AND reason='no_sa'" 5
expect "no other drops" "SELECT count(*) FROM drops" 4
expect "SA-level drops counted on the SA" "SELECT sum(packets) FROM sa_drops WHERE node='gwB' AND reason IN ('replay','icv_fail')" 10
expect "legitimate flow unharmed" "SELECT lost, duplicates FROM flows" "0|0"
finish
