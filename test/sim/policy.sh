# Inbound policy (RFC 4301 §5.2): plaintext that policy says must arrive
# protected is dropped; DISCARD drops; fragments travel protected.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"
# gwA's policy no longer covers hostB's LAN: gwA sends a-to-b in the clear.
run bypass "$S" --set nodes.gwA.ipsec.policies.0.remote_ts=10.9.0.0/24
expect "plaintext into a protected network: dropped by gwB" "SELECT packets >= 2000 FROM drops WHERE node='gwB' AND reason='policy_mismatch'" 1
expect "a-to-b lost entirely" "SELECT received FROM flows WHERE flow='a-to-b'" 0
expect "b-to-a decapsulated by gwA, but outside its SA's selectors: dropped" "SELECT packets >= 2000 FROM drops WHERE node='gwA' AND reason='policy_mismatch'" 1
expect "b-to-a lost entirely" "SELECT received FROM flows WHERE flow='b-to-a'" 0
run discard "$S" --set nodes.gwA.ipsec.policies.0.remote_ts=10.9.0.0/24 --set nodes.gwA.ipsec.default=discard
expect "default discard drops what no policy matches" "SELECT packets >= 2000 FROM drops WHERE node='gwA' AND reason='policy_discard'" 1
run frag "$S" --set traffic.1.size=3000B --set traffic.0.size=1472B
expect "fragmented inner and outer packets: no loss" "SELECT sum(lost) FROM flows" 0
expect "each fragment of a 3000-byte datagram tunnelled" "SELECT packets FROM sas WHERE node='gwB' AND dir='out'" "$(q "SELECT 3 * sent + (SELECT sent FROM flows WHERE flow='ping-b-a') + (SELECT sent FROM flows WHERE flow='ping-a-b') FROM flows WHERE flow='b-to-a'")"
expect "no drops" "SELECT count(*) FROM drops" 0
finish
