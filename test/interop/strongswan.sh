# Interoperability with strongSwan 5.9.8 (DESIGN.md §5): our engine, run over
# real UDP sockets by `ipsec-sim peer` in one network namespace, against
# charon (kernel-libipsec) in another.  Both directions of initiation, PSK;
# the IKE and Child SA keys we derive equal the ones charon logs, before and
# after rekeys of the Child SA and the IKE SA by either side; ping through
# the Child SA (ESP in UDP, as kernel-libipsec always encapsulates) is
# answered by our engine; a DELETE from either side is honoured by the other.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip
interop_setup ipss

netns_pair "$A" "$B" 10.99.0.1 10.99.0.2
ip -n "$B" addr add 10.98.2.1/32 dev lo
charon_conf "$W/charon" psk 10.99.0.1

charon_start "$W/charon" "$B"

# 1. We initiate, rekey the Child SA and the IKE SA.
sim_scenario "$W/sim.yaml" psk start
START=$(($(date +%s%N) / 1000000))
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 16s \
	--keys "$W/keys1" --at 5s rekey=charon/net --at 7s rekey=charon >"$W/peer1.log" 2>&1 &
PEER=$!
if wait_for 8 established; then ok "we initiate, charon installs the Child SA"; else
	bad "no Child SA at charon"; cat "$W/peer1.log"; tail -30 "$W/charon/charon.log"; fi
if grep -q "ike_sa conn=charon .*state=established" "$W/peer1.log"; then
	ok "our IKE SA is established"; else bad "our IKE SA is not established"; fi
if ike_keys_equal "$W/keys1"; then
	ok "SK_ei and SK_er equal charon's ($(charon_key Sk_ei\ secret | cut -c1-16)...)"
else
	bad "keys differ: ours $(cut -d, -f3 "$W/keys1/keys/ikev2_decryption_table") charon $(charon_key Sk_ei\ secret)"
fi
if child_keys_equal initiator "$W/peer1.log" "$W/keys1"; then
	ok "Child SA keys (key || salt, both directions) equal charon's"
else
	bad "child keys differ: ours i=$(esp_key out "$W/peer1.log" "$W/keys1") charon=$(charon_key "encryption initiator key")"
fi
if ip netns exec "$B" ping -c 3 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >"$W/ping1" 2>&1; then
	ok "ping from charon's side through the tunnel answered by our engine ($(grep -o '[0-9]* received' "$W/ping1"))"
else
	bad "ping through the tunnel failed"; cat "$W/ping1"
fi
# We rekey the Child SA at 5 s and the IKE SA at 7 s (RFC 7296 §2.8, §2.18).
first_child=$(esp_key out "$W/peer1.log" "$W/keys1")
sleep_until() { while [ "$(($(date +%s%N) / 1000000))" -lt "$1" ]; do sleep 0.1; done; }
sleep_until $((START + 9000))
if grep -q "child_sa conn=charon child=net .*state=rekeyed" "$W/peer1.log" &&
	charon_swanctl "$W/charon" --list-sas | grep -q "net.*INSTALLED"; then
	ok "our Child SA rekey: charon installs the new Child SA"; else
	bad "child rekey"; grep child_sa "$W/peer1.log"; fi
if [ "$(wc -l <"$W/keys1/keys/ikev2_decryption_table")" -eq 2 ] && ike_keys_equal "$W/keys1"; then
	ok "our IKE SA rekey: the new SK_ei/SK_er (SKEYSEED from the old SK_d, §2.18) equal charon's"
else
	bad "IKE rekey keys: $(wc -l <"$W/keys1/keys/ikev2_decryption_table") lines; ours $(tail -1 "$W/keys1/keys/ikev2_decryption_table" | cut -d, -f3) charon $(charon_key Sk_ei\ secret)"
fi
if [ "$(esp_key out "$W/peer1.log" "$W/keys1")" != "$first_child" ] &&
	child_keys_equal initiator "$W/peer1.log" "$W/keys1"; then
	ok "the rekeyed Child SA's keys equal charon's"; else bad "rekeyed child keys differ"; fi
if ip netns exec "$B" ping -c 2 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >/dev/null 2>&1; then
	ok "ping through the rekeyed tunnel"; else bad "ping after rekeys failed"; fi
charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
if wait_for 4 grep -q "ike_sa conn=charon .*state=deleted" "$W/peer1.log"; then
	ok "charon's DELETE ends our IKE SA"; else bad "no delete seen"; cat "$W/peer1.log"; fi
kill "$PEER" 2>/dev/null || true
wait "$PEER" 2>/dev/null || true
PEER=

# 2. charon initiates and rekeys; we respond, then delete.
sim_scenario "$W/sim.yaml" psk none
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 12s --keys "$W/keys2" \
	--at 8s terminate=charon >"$W/peer2.log" 2>&1 &
PEER=$!
sleep 0.5
charon_swanctl "$W/charon" --initiate --child net --timeout 5 >"$W/initiate" 2>&1 || true
if established; then ok "charon initiates, we respond"; else
	bad "charon could not initiate"; tail -5 "$W/initiate"; cat "$W/peer2.log"; fi
if grep -q "ike_sa conn=charon .*state=established reason=responded" "$W/peer2.log"; then
	ok "our side established as responder"; else bad "responder not established"; fi
if ip netns exec "$B" ping -c 2 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >/dev/null 2>&1; then
	ok "ping through the tunnel we answered"; else bad "ping failed (responder case)"; fi
charon_swanctl "$W/charon" --rekey --child net >/dev/null 2>&1 || true
charon_swanctl "$W/charon" --rekey --ike sim >/dev/null 2>&1 || true
if wait_for 3 grep -q "child_sa conn=charon child=net .*state=rekeyed" "$W/peer2.log" &&
	wait_for 3 grep -q "ike_sa conn=charon .*state=rekeyed" "$W/peer2.log"; then
	ok "charon rekeys the Child SA and the IKE SA, we respond"; else
	bad "responder rekeys"; grep -E "child_sa|ike_sa" "$W/peer2.log"; fi
if ip netns exec "$B" ping -c 2 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >/dev/null 2>&1; then
	ok "ping after charon's rekeys"; else bad "ping failed after charon's rekeys"; fi
no_ike_sa() { ! charon_swanctl "$W/charon" --list-sas | grep -q ESTABLISHED; }
if wait_for 6 no_ike_sa; then
	ok "our DELETE ends charon's IKE SA"
else
	bad "charon still has the IKE SA after our DELETE"
fi
wait "$PEER" 2>/dev/null || true
PEER=

# 3. Exit status: 0 after the exchanges above; 1 when the connection we
# were asked to establish fails (another PSK than charon's).
sim_scenario "$W/sim.yaml" psk none
rc=0
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 2s >"$W/peer3.log" 2>&1 ||
	rc=$?
if [ $rc = 0 ]; then ok "peer exits 0 when nothing failed"; else
	bad "peer exited $rc with nothing to do"; cat "$W/peer3.log"; fi
sim_scenario "$W/sim.yaml" psk start
sed -i 's/interop pre-shared key/not the pre-shared key/' "$W/sim.yaml"
rc=0
ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 4s >"$W/peer4.log" 2>&1 ||
	rc=$?
if [ $rc = 1 ] && grep -q "state=failed" "$W/peer4.log" &&
	grep -q "peer: .* IKE failure" "$W/peer4.log"; then
	ok "a connection that fails (wrong PSK): exit status 1"
else
	bad "wrong PSK: exit status $rc"; cat "$W/peer4.log"
fi
interop_finish
