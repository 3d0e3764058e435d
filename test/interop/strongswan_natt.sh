# NAT-T keepalives (RFC 3948 §4) and the INVALID_KE_PAYLOAD retry against
# strongSwan 5.9.8 (DESIGN.md §5).  Both ends sit behind a NAT (nftables
# snat in each namespace: we appear as 10.99.0.4, charon as 10.99.0.5), so
# both detect a NAT at their own end (RFC 7296 §2.23) and
# both send keepalives, every 2 s here (charon.keep_alive, our keep_alive).
# Idle, traffic (pings through the tunnel: ESP both ways), idle again: the
# capture on our veth counts each side's keepalives (UDP/4500, one 0xff
# octet: udp.length 9) in each phase.  charon sends one only when it sent
# nothing to us for keep_alive (ike_sa.c send_keepalive, from the Child
# SAs' last use time), and so must we.  Our IKE proposal puts ecp256 first,
# charon accepts only x25519: it answers INVALID_KE_PAYLOAD and our log
# says so, naming both groups.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip nft dumpcap tshark bc
interop_setup ipsn

netns_pair "$A" "$B" 10.99.0.1 10.99.0.2
ip -n "$B" addr add 10.98.2.1/32 dev lo
# nat NS PRIVATE PUBLIC: a one-to-one NAT in namespace NS (nftables,
# conntrack): what leaves from PRIVATE leaves from PUBLIC, what comes to
# PUBLIC goes to PRIVATE (so that charon can be initiated to)
snat() {
	ip netns exec "$1" nft -f - <<NFT
table ip natt {
	chain post { type nat hook postrouting priority srcnat; ip saddr $2 snat to $3; }
	chain pre { type nat hook prerouting priority dstnat; ip daddr $3 dnat to $2; }
}
NFT
}
if ! snat "$A" 10.99.0.1 10.99.0.4 2>"$W/nft.err" || ! snat "$B" 10.99.0.2 10.99.0.5 2>>"$W/nft.err"; then
	echo "SKIP: no NAT with nftables here: $(cat "$W/nft.err")"
	exit 77
fi
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
ip -n "$A" neigh add 10.99.0.5 lladdr "$(mac "$B" "v-$B")" dev "v-$A"
ip -n "$B" neigh add 10.99.0.4 lladdr "$(mac "$A" "v-$A")" dev "v-$B"

charon_conf "$W/charon" psk 10.99.0.4
CHARON_SETTINGS="keep_alive = 2s" charon_start "$W/charon" "$B"
sim_scenario "$W/sim.yaml" psk start
sed -i 's/remote_addrs: 10.99.0.2/remote_addrs: 10.99.0.5/; s/proposals: aes256gcm16-prfsha384-x25519/proposals: aes256gcm16-prfsha384-ecp256-x25519\n          keep_alive: 2s/' "$W/sim.yaml"

ip netns exec "$A" dumpcap -q -i "v-$A" -f "udp port 4500" -w "$W/natt.pcap" 2>"$W/dumpcap.log" &
CAP=$!
sleep 1
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 30s --keys "$W/keys" \
	>"$W/peer.log" 2>&1 &
PEER=$!
if wait_for 8 established; then ok "through the NATs: charon installs the Child SA"; else
	bad "no Child SA at charon"; cat "$W/peer.log"; tail -30 "$W/charon/charon.log"; fi
if grep -q "nat conn=charon local=1 remote=1" "$W/peer.log"; then
	ok "we detect a NAT at both ends"; else bad "NAT detection"; grep nat "$W/peer.log"; fi

# INVALID_KE_PAYLOAD (RFC 7296 §1.3): told in our log, both groups named.
line=$(grep ke_retry "$W/peer.log" || true)
if [ "$line" != "${line%INVALID_KE_PAYLOAD: IKE_SA_INIT with ecp256 refused, peer wants x25519: retrying}" ] &&
	grep -q "unacceptable, requesting CURVE_25519" "$W/charon/charon.log"; then
	ok "INVALID_KE_PAYLOAD retry in our log: ${line#* ke_retry }"
else
	bad "no ke_retry line naming ecp256 and x25519: '$line'"
fi

now() { date +%s.%N; }
T0=$(now)
sleep 7
T1=$(now)
ip netns exec "$B" ping -c 35 -i 0.2 -W 1 -I 10.98.2.1 10.98.1.1 >"$W/ping" 2>&1 || true
T2=$(now)
sleep 7
T3=$(now)
kill "$CAP" 2>/dev/null || true
wait "$CAP" 2>/dev/null || true
CAP=
# keepalives FROM T_START T_END: keepalives FROM sent in that window
keepalives() {
	tshark -r "$W/natt.pcap" -Y "udp.length == 9 && ip.src == $1 && frame.time_epoch >= $2 && frame.time_epoch <= $3" \
		2>/dev/null | wc -l
}
echo "pings: $(grep -o '[0-9]* received' "$W/ping")"
# the traffic window starts 0.5 s after the first ping (one in flight)
for who in charon:10.99.0.5 us:10.99.0.4; do
	name=${who%%:*}
	addr=${who#*:}
	idle1=$(keepalives "$addr" "$T0" "$T1")
	busy=$(keepalives "$addr" "$(echo "$T1 + 0.5" | bc)" "$T2")
	idle2=$(keepalives "$addr" "$T2" "$T3")
	echo "$name keepalives: idle 7 s: $idle1, pings 7 s: $busy, idle 7 s: $idle2"
	if [ "$idle1" -ge 2 ] && [ "$busy" -eq 0 ] && [ "$idle2" -ge 2 ]; then
		ok "$name: keepalives every 2 s when idle ($idle1, $idle2), none under traffic"
	else
		bad "$name: keepalives idle $idle1, under traffic $busy, idle $idle2"
	fi
done
interop_finish
