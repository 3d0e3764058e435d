# MOBIKE (RFC 4555) against strongSwan 5.9.8: our engine, run by `ipsec-sim
# peer` in one network namespace, initiates to charon in another from
# 10.99.0.1; after establishment a handover: 10.99.0.3 comes up on our veth,
# the peer's `move` action tells our engine (ike_local_address_changed) and
# 10.99.0.1 goes away.
#   mobike: yes  we send UPDATE_SA_ADDRESSES from the new address (§3.5):
#                charon keeps the same IKE SA and Child SA (same SPIs) with
#                our new address, and the tunnel carries pings again.
#   mobike: no   we reauthenticate from the new address (RFC 7296 §2.8.3):
#                charon ends with one new IKE SA from there and a working
#                tunnel.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip
interop_setup ipsm
OLD=10.99.0.1
NEW=10.99.0.3

netns_pair "$A" "$B" "$OLD" 10.99.0.2
# Deleting the first address of a subnet would take the second with it.
ip netns exec "$A" sysctl -qw "net.ipv4.conf.v-$A.promote_secondaries=1"
ip -n "$B" addr add 10.98.2.1/32 dev lo
# charon's mobike = yes is its default; %any accepts us from either address.
charon_conf "$W/charon" psk %any
sas() { charon_swanctl "$W/charon" --list-sas 2>/dev/null; }
# "sim: #1, ESTABLISHED, IKEv2, 5b3e..._i 9c1f..._r*": the IKE SA's SPIs.
ike_spis() { echo "$1" | sed -n 's/^sim: #[0-9]*, ESTABLISHED, IKEv2, \([0-9a-f]*_i\*\{0,1\} [0-9a-f]*_r\*\{0,1\}\).*/\1/p'; }
# The SPIs of the installed Child SAs (charon lists a rekeyed one for a while).
child_spis() {
	echo "$1" | awk '/^  [a-z]+: #/ { inst = /INSTALLED/ }
		inst && $1 ~ /^(in|out)$/ { sub(/,$/, "", $2); printf "%s%s %s", sep, $1, $2; sep = " " }'
}
one_child_sa() { [ "$(sas | grep -c "net: #.*INSTALLED")" -eq 1 ]; }
remote_is() { sas | grep -q "remote 'sim' @ $1\["; }
one_ike_sa_from() {
	s=$(sas)
	[ "$(echo "$s" | grep -c ESTABLISHED)" -eq 1 ] && echo "$s" | grep -q "remote 'sim' @ $1\[" &&
		echo "$s" | grep -q "net.*INSTALLED"
}
no_ike_sa() { ! sas | grep -q ESTABLISHED; }
# pinged COUNT WHAT FAILED: COUNT pings from charon's side through the tunnel.
pinged() {
	if ip netns exec "$B" ping -c "$1" -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >"$W/ping" 2>&1; then
		ok "$2 ($(grep -o '[0-9]* received' "$W/ping"))"
	else
		bad "$3"; cat "$W/ping"
	fi
}
moved() { grep -q "move from=$OLD to=$NEW" "$1"; }
# The first IKE line after the move that matches PATTERN.
after_move() { sed -n "/move from=$OLD to=$NEW/,\$p" "$1" | grep -m1 "$2"; }
mobike_answered() { after_move "$1" "exchange=37 initiator=1 .* ok=1" >/dev/null; }
# The handover: the new address comes up, the peer moves at 4 s, the old
# address goes.  Our log is $1.
handover() {
	ip -n "$A" addr add "$NEW/24" dev "v-$A"
	if wait_for 6 moved "$1"; then ok "the peer moved from $OLD to $NEW"; else
		bad "no move in our log"; cat "$1"; fi
}
old_address_gone() {
	ip -n "$A" addr del "$OLD/24" dev "v-$A"
	ip -n "$A" -4 addr show dev "v-$A" | grep -q "inet $NEW/24"
}
# Back to the start for the next part: the old address only.
restore_addresses() {
	ip -n "$A" addr add "$OLD/24" dev "v-$A"
	ip -n "$A" addr del "$NEW/24" dev "v-$A"
}
# peer_moving N MOBIKE: our peer initiates with `mobike: MOBIKE` (log
# $W/peerN.log, keys in $W/keysN) and moves from OLD to NEW at 4 s.
peer_moving() {
	sim_scenario "$W/sim.yaml" psk start "$2"
	ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 40s --keys "$W/keys$1" \
		--at 4s move=$OLD,$NEW >"$W/peer$1.log" 2>&1 &
	PEER=$!
}
end_part() {
	charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
	wait_for 5 no_ike_sa || bad "charon's IKE SA is still there"
	kill "$PEER" 2>/dev/null || true
	wait "$PEER" 2>/dev/null || true
	PEER=
}

charon_start "$W/charon" "$B"
# The wire on our side, for a look at the UPDATE_SA_ADDRESSES exchange.
if command -v dumpcap >/dev/null 2>&1; then
	ip netns exec "$A" dumpcap -q -i "v-$A" -f udp -w "$W/mobike.pcapng" >"$W/dumpcap.log" 2>&1 &
	CAP=$!
	wait_for 5 test -s "$W/mobike.pcapng" || true
fi

# 1. mobike: yes -- the same SAs follow us to the new address.
peer_moving 1 yes
if wait_for 4 established; then ok "we initiate with MOBIKE, charon installs the Child SA"; else
	bad "no Child SA at charon"; cat "$W/peer1.log"; tail -30 "$W/charon/charon.log"; fi
before=$(sas)
pinged 2 "ping through the tunnel from $OLD" "ping before the move"
handover "$W/peer1.log"
if wait_for 4 mobike_answered "$W/peer1.log"; then
	ok "charon answers our UPDATE_SA_ADDRESSES in $(after_move "$W/peer1.log" "exchange=37" | sed 's/.*rtt_ms=\([0-9.]*\).*/\1/') ms (request to response)"
else
	bad "no answer to UPDATE_SA_ADDRESSES"; cat "$W/peer1.log"
fi
if old_address_gone; then ok "$OLD removed, $NEW is left on our veth"; else bad "address change"; fi
# The old Child SA is replaced once charon's rekey (below) is done.
if wait_for 3 remote_is "$NEW" && wait_for 3 one_child_sa; then
	ok "charon's IKE SA has our new address $NEW as remote host"
else
	bad "charon's IKE SA did not move"; sas; fi
after=$(sas)
if [ -n "$(ike_spis "$before")" ] && [ "$(ike_spis "$before")" = "$(ike_spis "$after")" ] &&
	[ "$(echo "$after" | grep -c ESTABLISHED)" -eq 1 ]; then
	ok "charon's IKE SA is the same one: SPIs $(ike_spis "$after")"
else
	bad "IKE SA changed: before '$(ike_spis "$before")' after '$(ike_spis "$after")'"; echo "$after"
fi
if grep -q "parsed INFORMATIONAL request [0-9]* \[ N(UPD_SA_ADDR)" "$W/charon/charon.log" &&
	grep -q "remote endpoint changed from $OLD\[4500\] to $NEW\[4500\]" "$W/charon/charon.log"; then
	ok "charon logged: $(grep -m1 -o "parsed INFORMATIONAL request [0-9]* \[ N(UPD_SA_ADDR).*" "$W/charon/charon.log"); remote endpoint changed from ${OLD}[4500] to ${NEW}[4500]"
else
	bad "charon did not process an UPDATE_SA_ADDRESSES"; tail -30 "$W/charon/charon.log"
fi
# charon moves the Child SA too, but kernel-libipsec cannot update an SA
# (its update_sa is NOT_SUPPORTED), so charon then rekeys the Child SA in
# the same IKE SA; our side moved it in place and answers the rekey.
if grep -q "CHILD_SA net{1} state change: INSTALLED => UPDATING" "$W/charon/charon.log" &&
	grep -q "CHILD_SA net{1} state change: UPDATING => INSTALLED" "$W/charon/charon.log"; then
	ok "charon updated its Child SA net{1} to the new addresses (INSTALLED => UPDATING => INSTALLED)"
else
	bad "charon did not update its Child SA"
fi
if [ -n "$(child_spis "$after")" ] && [ "$(child_spis "$before")" = "$(child_spis "$after")" ]; then
	ok "the Child SA is the same one: $(child_spis "$after")"
elif grep -q "queueing CHILD_REKEY task" "$W/charon/charon.log" &&
	after_move "$W/peer1.log" "child_sa conn=charon child=net .*state=installed reason=rekeyed" >/dev/null; then
	ok "charon rekeyed the Child SA in the same IKE SA, as kernel-libipsec makes it: $(child_spis "$before") -> $(child_spis "$after")"
else
	bad "Child SA changed without a rekey: '$(child_spis "$before")' -> '$(child_spis "$after")'"
fi
# Our side: one IKE SA all along; its Child SA moved, not replaced, up to
# the UPDATE_SA_ADDRESSES response (charon's rekey comes after).
if [ "$(grep -c "ike_sa conn=charon .*state=established" "$W/peer1.log")" -eq 1 ] &&
	! grep -q "ike_sa conn=charon .*state=\(deleted\|rekeyed\)" "$W/peer1.log" &&
	! sed -n "/move from=/,/exchange=37 initiator=1/p" "$W/peer1.log" | grep -q "child_sa .*state=deleted"; then
	ok "our side kept its one IKE SA and moved its Child SA"
else
	bad "our side replaced SAs instead of moving them"; cat "$W/peer1.log"
fi
pinged 3 "ping from charon's side through the moved tunnel answered by our engine" "ping after the move failed"
end_part

# The capture of part 1: the UPDATE_SA_ADDRESSES request, decrypted with
# our keys, and ESP from the new address.
# on_wire FILTER FIELD...: the capture, decrypted with our keys.
on_wire() {
	f=$1
	shift
	for e in "$@"; do set -- "$@" -e "$e"; shift; done
	HOME="$W/keys1/keys-home" tshark -r "$W/mobike.pcapng" -Y "$f" -T fields "$@" 2>/dev/null
}
UPDATE="isakmp.exchangetype == 37 && isakmp.notify.msgtype == 16400"
update_on_wire() { [ -n "$(on_wire "$UPDATE" ip.src)" ]; }
# The three echo replies after the move (the capture lags a little).
ESP_NEW="esp && ip.src == $NEW && icmp.type == 0"
esp_from_new() { [ "$(on_wire "$ESP_NEW" esp.spi | wc -l)" -ge 3 ]; }
if [ -n "${CAP:-}" ]; then
	wait_for 3 update_on_wire || true
	upd=$(on_wire "$UPDATE" ip.src ip.dst udp.srcport | sort -u | paste -sd' ')
	if [ "$upd" = "$(printf '%s\t10.99.0.2\t4500' "$NEW")" ]; then
		ok "tshark decrypts, with our keys, the INFORMATIONAL with N(UPDATE_SA_ADDRESSES) from $NEW:4500"
	else
		bad "UPDATE_SA_ADDRESSES on the wire: '$upd'"
	fi
	if wait_for 3 esp_from_new; then
		ok "our echo replies left from $NEW in ESP in UDP, SPI $(on_wire "$ESP_NEW" esp.spi | sort -u | paste -sd' ') (tshark decrypts them with our esp_sa)"
	else
		bad "no decrypted echo replies from $NEW: '$(on_wire "esp && ip.src == $NEW" esp.spi icmp.type)'"
	fi
	kill "$CAP" 2>/dev/null || true
	wait "$CAP" 2>/dev/null || true
	CAP=
fi

# 2. mobike: no -- we reauthenticate from the new address.
restore_addresses
peer_moving 2 no
if wait_for 4 established; then ok "we initiate without MOBIKE, charon installs the Child SA"; else
	bad "no Child SA at charon (mobike: no)"; cat "$W/peer2.log"; fi
before=$(sas)
handover "$W/peer2.log"
old_address_gone || bad "address change (mobike: no)"
if wait_for 6 one_ike_sa_from "$NEW"; then
	ok "charon has one IKE SA, from $NEW, with the Child SA installed"
else
	bad "charon's SAs after the reauthentication:"; sas; cat "$W/peer2.log"
fi
after=$(sas)
if [ -n "$(ike_spis "$after")" ] && [ "$(ike_spis "$before")" != "$(ike_spis "$after")" ]; then
	ok "it is a new IKE SA: SPIs $(ike_spis "$before") -> $(ike_spis "$after")"
else
	bad "the IKE SA was not replaced: '$(ike_spis "$after")'"
fi
if after_move "$W/peer2.log" "ike_sa conn=charon .*state=established" >/dev/null &&
	after_move "$W/peer2.log" "ike_sa conn=charon .*state=rekeyed reason=reauth" >/dev/null; then
	t0=$(after_move "$W/peer2.log" "move from" | cut -d' ' -f1)
	t1=$(after_move "$W/peer2.log" "ike_sa conn=charon .*state=established" | cut -d' ' -f1)
	ok "our side reauthenticated: a new IKE SA $(echo "$t0 $t1" | awk '{printf "%.1f", ($2 - $1) * 1000}') ms after the move, then the old one deleted"
else
	bad "no reauthentication in our log"; cat "$W/peer2.log"
fi
pinged 3 "ping through the new tunnel from $NEW answered" "ping after the reauthentication failed"
end_part

interop_finish
