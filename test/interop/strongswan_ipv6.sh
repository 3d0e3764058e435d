# IPv6 interoperability with strongSwan 5.9.8 (DESIGN.md §5): our engine,
# run over real UDP sockets by `ipsec-sim peer` in one network namespace,
# against charon (kernel-libipsec) in another, joined by a dual-stack veth
# pair: fd00:99::1 and 10.99.0.1 ours, fd00:99::2 and 10.99.0.2 charon's.
# PSK, IKE aes256gcm16-prfsha384-x25519, ESP aes256gcm16 in UDP (as
# kernel-libipsec always encapsulates), the inner host behind us answering
# echo requests of either family (ICMPv6: RFC 4443 §4.2).
#   6-in-6  IKE and ESP over IPv6 for fd00:98:1::/64 === fd00:98:2::/64.  We
#           initiate, rekey the Child SA and the IKE SA, charon deletes;
#           charon initiates and rekeys both, we delete.  The IKE and Child
#           SA keys equal the ones charon logs at every step; ping6 from
#           charon's side is answered through the tunnel.
#   exit    0 after those runs; 1 for a wrong PSK over IPv6 and for a move
#           to an IPv6 address no interface has; 2 for a move to a
#           malformed one.
#   4-in-6  10.98.1.0/24 === 10.98.2.0/24 over IPv6, we initiate from a
#           dual-stack node, then move to fd00:99::3 and on to 10.99.0.1
#           (MOBIKE, RFC 4555 §3.4, §3.5); ping before and after each move.
#   6-in-4  fd00:98:1::/64 === fd00:98:2::/64 over IPv4, charon initiates.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip
if [ ! -e /proc/net/if_inet6 ]; then
	echo "SKIP: this kernel has no IPv6"
	exit 77
fi
interop_setup ips6
SIM6=fd00:99::1 CHARON6=fd00:99::2 MOVED6=fd00:99::3
NET6_SIM=fd00:98:1::/64 NET6_CHARON=fd00:98:2::/64
NET4_SIM=10.98.1.0/24 NET4_CHARON=10.98.2.0/24

netns_pair "$A" "$B" 10.99.0.1 10.99.0.2
# nodad: usable at once (duplicate address detection holds them a second)
ip -n "$A" addr add "$SIM6/64" dev "v-$A" nodad
ip -n "$B" addr add "$CHARON6/64" dev "v-$B" nodad
ip -n "$B" addr add fd00:98:2::1/128 dev lo
ip -n "$B" addr add 10.98.2.1/32 dev lo

sas() { charon_swanctl "$W/charon" --list-sas 2>/dev/null; }
# charon's IKE SA has our address ADDR and a Child SA for TS (ours)
ike_sa_with() { sas | grep -q "remote 'sim' @ $1\[4500\]" && sas | grep -q "remote $2\$"; }
no_ike_sa() { ! sas | grep -q ESTABLISHED; }
# "sim: #1, ESTABLISHED, IKEv2, 5b3e..._i 9c1f..._r*": the IKE SA's SPIs
ike_spis() { sas | grep -o "IKEv2, [0-9a-f]*_i[*]* [0-9a-f]*_r[*]*"; }
# charon_load REMOTE_ADDRS LOCAL_ADDRS LOCAL_TS REMOTE_TS: charon's connection
# `sim` replaced
charon_load() {
	charon_conf "$W/charon" psk "$1" "$2" sim "$3" "$4"
	charon_swanctl "$W/charon" --load-all --file "$W/charon/swanctl.conf" >"$W/load.log" 2>&1 ||
		cat "$W/load.log"
}

# run_peer N ARGS...: `ipsec-sim peer` on $W/sim.yaml in the background,
# keys in $W/keysN, its output in $W/peerN.log.
run_peer() {
	n=$1
	shift
	ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --keys "$W/keys$n" "$@" \
		>"$W/peer$n.log" 2>&1 &
	PEER=$!
	answered=0
}
# pinged FAMILY COUNT WHAT: COUNT pings from charon's inner address to ours
# through the tunnel, all answered (by our engine: nothing else is there)
pinged() {
	if [ "$1" = 6 ]; then src=fd00:98:2::1 dst=fd00:98:1::1; else src=10.98.2.1 dst=10.98.1.1; fi
	if ip netns exec "$B" ping -"$1" -c "$2" -i 0.3 -W 2 -I "$src" "$dst" >"$W/ping" 2>&1; then
		answered=$((answered + $2))
		ok "$3: $2 of $2 pings from $src to $dst answered through the tunnel"
	else
		bad "$3: ping $dst through the tunnel failed"
		cat "$W/ping"
	fi
}
# peer_done N WHAT: the peer ran its course, exited 0 and counted the
# echo requests the pings since run_peer sent
peer_done() {
	rc=0
	wait "$PEER" || rc=$?
	PEER=
	if [ "$rc" = 0 ] &&
		grep -q "^peer: $answered echo requests answered, 0 other" "$W/peer$1.log"; then
		ok "$2: peer exits 0, $answered echo requests answered"
	else
		bad "$2: peer exited $rc"
		tail -5 "$W/peer$1.log"
	fi
}
# keys_equal N ROLE WHAT: our newest IKE and Child SA keys equal charon's
keys_equal() {
	if ike_keys_equal "$W/keys$1" && child_keys_equal "$2" "$W/peer$1.log" "$W/keys$1"; then
		ok "$3: SK_ei, SK_er and the Child SA keys (both directions) equal charon's"
	else
		bad "$3: keys differ from charon's"
	fi
}
sleep_until() { while [ "$(($(date +%s%N) / 1000000))" -lt "$1" ]; do sleep 0.1; done; }

# 1. 6-in-6, we initiate, rekey the Child SA (4 s) and the IKE SA (6 s).
charon_conf "$W/charon" psk "$SIM6" "$CHARON6" sim "$NET6_CHARON" "$NET6_SIM"
charon_start "$W/charon" "$B"
sim_scenario "$W/sim.yaml" psk start "" "$SIM6" "$CHARON6" "$NET6_SIM" "$NET6_CHARON"
START=$(($(date +%s%N) / 1000000))
run_peer 1 --duration 10s --at 4s rekey=charon/net --at 6s rekey=charon
what="6-in-6, we initiate"
if wait_for 8 ike_sa_with "$SIM6" "$NET6_SIM"; then
	ok "$what: charon's IKE SA with ${SIM6}[4500], Child SA $NET6_CHARON === $NET6_SIM INSTALLED"
else
	bad "$what: no Child SA at charon"
	cat "$W/peer1.log"
	tail -30 "$W/charon/charon.log"
fi
if grep -q "ike_sa conn=charon .*state=established" "$W/peer1.log"; then
	ok "$what: our IKE SA is established"; else bad "$what: our IKE SA is not established"; fi
# NAT detection hashes 16-byte addresses (RFC 7296 §2.23); kernel-libipsec
# fakes a NAT at charon's end so that ESP goes in UDP, and IKE floats to 4500.
if grep -q "nat conn=charon local=0 remote=1 .*peer=\[$CHARON6\]:500 reason=NAT detected" \
	"$W/peer1.log"; then
	ok "$what: NAT detection over IPv6 sees charon's faked NAT (IKE and ESP on [$CHARON6]:4500)"
else
	bad "$what: no NAT detected over IPv6"
	grep nat "$W/peer1.log"
fi
keys_equal 1 initiator "$what"
pinged 6 3 "$what"
sleep_until $((START + 8000))
if grep -q "child_sa conn=charon child=net .*state=rekeyed" "$W/peer1.log" &&
	grep -q "ike_sa conn=charon .*state=rekeyed" "$W/peer1.log" &&
	[ "$(wc -l <"$W/keys1/keys/ikev2_decryption_table")" -eq 2 ] && sas | grep -q "net.*INSTALLED"; then
	ok "$what: we rekey the Child SA and the IKE SA, charon installs the new Child SA"
else
	bad "$what: our rekeys"
	grep -E "child_sa|ike_sa" "$W/peer1.log"
fi
keys_equal 1 initiator "$what, after the rekeys"
pinged 6 2 "$what, after the rekeys"
charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
if wait_for 3 grep -q "ike_sa conn=charon .*state=deleted" "$W/peer1.log"; then
	ok "$what: charon's DELETE ends our IKE SA"
else bad "$what: no DELETE seen"; fi
peer_done 1 "$what"

# 2. 6-in-6, charon initiates and rekeys both; we delete at 7 s.
sim_scenario "$W/sim.yaml" psk none "" "$SIM6" "$CHARON6" "$NET6_SIM" "$NET6_CHARON"
run_peer 2 --duration 8s --at 7s terminate=charon
what="6-in-6, charon initiates"
sleep 0.5
charon_swanctl "$W/charon" --initiate --child net --timeout 5 >"$W/initiate" 2>&1 || true
if ike_sa_with "$SIM6" "$NET6_SIM" &&
	grep -q "ike_sa conn=charon .*state=established reason=responded" "$W/peer2.log"; then
	ok "$what: we respond, both establish"
else
	bad "$what: not established"
	tail -5 "$W/initiate"
	cat "$W/peer2.log"
fi
keys_equal 2 responder "$what"
pinged 6 2 "$what"
charon_swanctl "$W/charon" --rekey --child net >/dev/null 2>&1 || true
charon_swanctl "$W/charon" --rekey --ike sim >/dev/null 2>&1 || true
if wait_for 3 grep -q "child_sa conn=charon child=net .*state=rekeyed" "$W/peer2.log" &&
	wait_for 3 grep -q "ike_sa conn=charon .*state=rekeyed" "$W/peer2.log"; then
	ok "$what: charon rekeys the Child SA and the IKE SA, we respond"
else
	bad "$what: charon's rekeys"
	grep -E "child_sa|ike_sa" "$W/peer2.log"
fi
keys_equal 2 responder "$what, after the rekeys"
pinged 6 2 "$what, after the rekeys"
if wait_for 8 no_ike_sa; then ok "$what: our DELETE ends charon's IKE SA"; else
	bad "$what: charon still has the IKE SA after our DELETE"; fi
peer_done 2 "$what"

# 3. Exit status 1: a wrong PSK over IPv6, a move to an address no
# interface has; 2: a move to a malformed address.
sim_scenario "$W/sim.yaml" psk start "" "$SIM6" "$CHARON6" "$NET6_SIM" "$NET6_CHARON"
sed -i 's/interop pre-shared key/not the pre-shared key/' "$W/sim.yaml"
rc=0
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 3s --keys "$W/keys3" \
	>"$W/peer3.log" 2>&1 || rc=$?
if [ $rc = 1 ] && grep -q "state=failed" "$W/peer3.log" &&
	grep -q "peer: .* IKE failure" "$W/peer3.log"; then
	ok "a wrong PSK over IPv6: exit status 1"
else
	bad "wrong PSK: exit status $rc"
	cat "$W/peer3.log"
fi
sim_scenario "$W/sim.yaml" psk none "" "$SIM6" "$CHARON6" "$NET6_SIM" "$NET6_CHARON"
rc=0
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 1s --keys "$W/keys3" \
	--at 0.2s move=$SIM6,fd00:99::7 >"$W/peer3.log" 2>&1 || rc=$?
if [ $rc = 1 ] && grep -q "cannot bind UDP \[fd00:99::7\]:500" "$W/peer3.log"; then
	ok "a move to fd00:99::7, on no interface: exit status 1 ($(grep -o "cannot bind.*" "$W/peer3.log"))"
else
	bad "move to an absent address: exit status $rc"
	cat "$W/peer3.log"
fi
rc=0
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 1s \
	--at 0.2s move=$SIM6,fd00:99::zz >"$W/peer3.log" 2>&1 || rc=$?
if [ $rc = 2 ] && grep -q "move: " "$W/peer3.log"; then
	ok "a move to fd00:99::zz: exit status 2 ($(grep -o "move: .*" "$W/peer3.log"))"
else
	bad "move to a malformed address: exit status $rc"
	cat "$W/peer3.log"
fi

# 4. 4-in-6, we initiate with MOBIKE from a dual-stack node (10.99.0.1 as
# well, which IKE_AUTH announces: RFC 4555 §3.4), move to fd00:99::3 at 3 s
# and from there to IPv4 at 6 s.
charon_load %any "$CHARON6" "$NET4_CHARON" "$NET4_SIM"
ip -n "$A" addr add "$MOVED6/64" dev "v-$A" nodad
sim_scenario "$W/sim.yaml" psk start yes "$SIM6" "$CHARON6" "$NET4_SIM" "$NET4_CHARON"
sed -i "s|addresses: \[\"$SIM6/64\", \"$CHARON6/64\"\]|addresses: [[10.99.0.1/24, \"$SIM6/64\"], [10.99.0.2/24, \"$CHARON6/64\"]]|" \
	"$W/sim.yaml"
run_peer 4 --duration 10s --at 3s "move=$SIM6,$MOVED6" --at 6s "move=$MOVED6,10.99.0.1"
START=$(($(date +%s%N) / 1000000))
what="4-in-6, we initiate"
if wait_for 3 ike_sa_with "$SIM6" "$NET4_SIM"; then
	ok "$what: charon's IKE SA with ${SIM6}[4500], Child SA $NET4_CHARON === $NET4_SIM INSTALLED"
else
	bad "$what: no Child SA at charon"
	cat "$W/peer4.log"
fi
spis=$(ike_spis)
if grep -q "parsed IKE_AUTH request 1 \[.* N(ADD_4_ADDR) " "$W/charon/charon.log"; then
	ok "$what: our IKE_AUTH announces 10.99.0.1 (N(ADD_4_ADDR) in charon's log)"
else bad "$what: no ADDITIONAL_IP4_ADDRESS from us"; fi
keys_equal 4 initiator "$what"
pinged 4 2 "$what"
# endpoint_moved FROM TO: charon's log and its IKE SA follow our move
endpoint_moved() {
	wait_for 3 ike_sa_with "$2" "$NET4_SIM" &&
		grep -q "remote endpoint changed from $1\[4500\] to $2\[4500\]" "$W/charon/charon.log"
}
if endpoint_moved "$SIM6" "$MOVED6"; then
	ok "$what: after our move, charon's IKE SA has ${MOVED6}[4500] (UPDATE_SA_ADDRESSES)"
else
	bad "$what: charon did not follow our move"
	grep -E "move|exchange" "$W/peer4.log"
fi
pinged 4 2 "$what, from $MOVED6"
sleep_until $((START + 6000))
if endpoint_moved "$MOVED6" 10.99.0.1 && sas | grep -q "local  'charon' @ 10.99.0.2\[4500\]" &&
	[ -n "$spis" ] && [ "$(ike_spis)" = "$spis" ]; then
	ok "$what: after our move to IPv4, charon's IKE SA is 10.99.0.2[4500] - 10.99.0.1[4500], same SPIs ($spis)"
else
	bad "$what: charon did not follow our move to IPv4"
	grep -E "move|exchange|sendto" "$W/peer4.log"
	sas
fi
pinged 4 2 "$what, now 4-in-4 from 10.99.0.1"
charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
peer_done 4 "$what"

# 5. 6-in-4, charon initiates.
charon_load 10.99.0.1 10.99.0.2 "$NET6_CHARON" "$NET6_SIM"
sim_scenario "$W/sim.yaml" psk none "" 10.99.0.1 10.99.0.2 "$NET6_SIM" "$NET6_CHARON"
run_peer 5 --duration 4s
what="6-in-4, charon initiates"
sleep 0.5
charon_swanctl "$W/charon" --initiate --child net --timeout 5 >"$W/initiate" 2>&1 || true
if ike_sa_with 10.99.0.1 "$NET6_SIM" &&
	grep -q "ike_sa conn=charon .*state=established reason=responded" "$W/peer5.log"; then
	ok "$what: IKE SA with 10.99.0.1[4500], Child SA $NET6_CHARON === $NET6_SIM"
else
	bad "$what: not established"
	tail -5 "$W/initiate"
	cat "$W/peer5.log"
fi
keys_equal 5 responder "$what"
pinged 6 2 "$what"
charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
peer_done 5 "$what"
interop_finish
