# IKEv2 Message Fragmentation (RFC 7383) against strongSwan 5.9.8.  RSA-4096
# certificates make IKE_AUTH about 2.5 KB each way; the veth link has an MTU
# of 576 and both namespaces drop IP fragments (nftables, before any
# reassembly: what many carrier-grade NATs do), so an IKE_AUTH can only get
# through as IKE fragments.  Both sides use fragment_size 576
# (charon.fragment_size, our connection's fragment_size) and, in turn,
# fragmentation = yes and = force; both directions of initiation each.
# Then our force against charon's no: fragments to a peer that did not
# announce RFC 7383 (and IP fragments let in the other way).
# Checked: IKEV2_FRAGMENTATION_SUPPORTED both ways, each side's IKE_AUTH in
# several Encrypted Fragment payloads on the wire (tshark), no IP fragment
# let through, charon's log of the split and reassembled messages, our IKE
# SA established with charon's identity, SK_ei/SK_er and the Child SA keys
# equal to charon's, and ping through the tunnel.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ping ip openssl nft dumpcap tshark
interop_setup ipsf

MTU=576
netns_pair "$A" "$B" 10.99.0.1 10.99.0.2
ip -n "$B" addr add 10.98.2.1/32 dev lo
for ns in "$A" "$B"; do
	ip -n "$ns" link set "v-$ns" mtu $MTU
	# IP fragments are dropped where they arrive, before netfilter's own
	# reassembly (priority -400).
	if ! ip netns exec "$ns" nft -f - 2>"$W/nft.err" <<NFT; then
table ip nofrag {
	chain in {
		type filter hook prerouting priority -450;
		ip frag-off & 0x3fff != 0 counter drop
	}
}
NFT
		echo "SKIP: nftables cannot drop IP fragments here: $(cat "$W/nft.err")"
		exit 77
	fi
done
if ip netns exec "$A" ping -c 1 -W 1 -s 1000 10.99.0.2 >/dev/null 2>&1; then
	bad "a 1000-byte ping across the link (IP fragments) is answered"
else ok "a 1000-byte ping across the link (IP fragments) is not answered"; fi
pki rsa4096
charon_certs
CHARON_SETTINGS="fragment_size = $MTU"

# check MODE N HOW AUTHS: run N's outcome while our peer runs (AUTHS: how
# many authentications of us charon's log holds by then).
check() {
	keys="$W/keys-$1-$2" log="$W/peer-$1-$2.log" what="$3"
	if grep -q "ike_sa conn=charon .*state=established" "$log"; then
		ok "$what: our IKE SA is established with charon's RSA-4096 certificate"
	else bad "$what: our IKE SA is not established"; tail -20 "$log"; fi
	if ip netns exec "$B" ping -c 2 -i 0.3 -W 2 -I 10.98.2.1 10.98.1.1 >/dev/null 2>&1; then
		ok "$what: ping through the tunnel answered by our engine"; else bad "$what: ping failed"; fi
	if [ "$(grep -c "authentication of 'sim.example' with" "$W/charon/charon.log")" -eq "$4" ]; then
		ok "$what: charon: $(grep -o "authentication of 'sim.example' with [A-Z0-9_]* successful" "$W/charon/charon.log" | tail -1)"
	else bad "$what: charon did not authenticate us"; grep -iE "frag|auth" "$W/charon/charon.log" | tail -10; fi
	if ike_keys_equal "$keys"; then
		ok "$what: SK_ei and SK_er equal charon's"
	else bad "$what: IKE keys differ from charon's"; fi
	case $what in *"we initiate"*) role=initiator ;; *) role=responder ;; esac
	if child_keys_equal "$role" "$log" "$keys"; then
		ok "$what: Child SA keys equal charon's"; else bad "$what: Child SA keys differ"; fi
}

# charon_frags WHAT SPLITS REASSEMBLED: charon's log of messages it cut in
# fragments and put together, so far.
charon_frags() {
	l="$W/charon/charon.log"
	split=$(grep -o "splitting IKE message ([0-9]* bytes) into [0-9]* fragments" "$l" | tail -1)
	reasm=$(grep -o "reassembled fragmented IKE message ([0-9]* bytes)" "$l" | tail -1)
	if [ "$(grep -c "splitting IKE message" "$l")" -eq "$2" ] &&
		[ "$(grep -c "reassembled fragmented IKE message" "$l")" -eq "$3" ]; then
		ok "$1: charon: ${split:-nothing split}; $reasm"
	else bad "$1: charon's log: $(grep -c "splitting IKE message" "$l") split, $(grep -c "reassembled fragmented" "$l") reassembled"; fi
}

# wire_counts MODE N: in run N's capture, once it is closed, how many
# IKE_SA_INIT messages carry IKEV2_FRAGMENTATION_SUPPORTED ($sup), IKE_AUTH
# fragments from us ($ours) and from charon ($theirs), IKE_AUTH messages
# whole ($whole), and the largest frame ($big).
wire_counts() {
	tshark -r "$W/frag-$1-$2.pcapng" -T fields -E separator=/t -e ip.src \
		-e isakmp.exchangetype -e isakmp.frag.number -e isakmp.notify.msgtype \
		-e frame.len >"$W/wire-$1-$2" 2>/dev/null || true
	# shellcheck disable=SC2046
	set -- $(awk -F'\t' '
		$2 == 34 && $4 ~ /16430/ { sup++ }
		$2 == 35 && $3 != "" { if ($1 == "10.99.0.1") ours++; else theirs++ }
		$2 == 35 && $3 == "" { whole++ }
		$5 > big { big = $5 }
		END { printf "%d %d %d %d %d", sup, ours, theirs, whole, big }' "$W/wire-$1-$2")
	sup=$1 ours=$2 theirs=$3 whole=$4 big=$5
}

# wire MODE N: both announced it, both IKE_AUTH messages in fragments only
# (tshark sees their Encrypted Fragment payloads), no frame above the MTU.
wire() {
	what="fragmentation = $1, run $2"
	wire_counts "$1" "$2"
	if [ "$sup" -eq 2 ] && [ "$ours" -ge 3 ] && [ "$theirs" -ge 3 ] && [ "$whole" -eq 0 ]; then
		ok "$what: on the wire: IKEV2_FRAGMENTATION_SUPPORTED both ways, IKE_AUTH in $ours fragments from us and $theirs from charon, none whole"
	else bad "$what: on the wire: $sup FRAGMENTATION_SUPPORTED, $ours/$theirs fragments, $whole whole IKE_AUTH"; fi
	if [ "$big" -le $((MTU + 14)) ]; then
		ok "$what: no frame above the $MTU-byte MTU (largest $big bytes with Ethernet)"
	else bad "$what: a frame of $big bytes"; fi
}

# run MODE N START: our peer (start_action START) with a capture of our veth.
run() {
	cp "$W/pki/sim.pem" "$W/pki/sim.key" "$W/pki/ca.pem" "$W/"
	sim_scenario "$W/sim.yaml" pubkey "$3"
	sed -i "s/^\(          proposals: .*\)/\1\n          fragmentation: $1\n          fragment_size: $MTU/" "$W/sim.yaml"
	ip netns exec "$A" dumpcap -q -i "v-$A" -f udp -w "$W/frag-$1-$2.pcapng" >"$W/dumpcap.log" 2>&1 &
	CAP=$!
	sleep 0.5
	ip netns exec "$A" "$IPSEC_SIM" peer "$W/sim.yaml" --node sim --duration 15s \
		--keys "$W/keys-$1-$2" >"$W/peer-$1-$2.log" 2>&1 &
	PEER=$!
}

# end: our peer and the capture stop, charon's IKE SA goes.
end() {
	charon_swanctl "$W/charon" --terminate --ike sim >/dev/null 2>&1 || true
	wait "$PEER" 2>/dev/null || true
	PEER=
	kill "$CAP" 2>/dev/null || true
	wait "$CAP" 2>/dev/null || true
	CAP=
}

# charon_with MODE: charon (re)started with fragmentation = MODE.
charon_with() {
	charon_conf "$W/charon" pubkey 10.99.0.1
	sed -i "s/^\(\t\tproposals = .*\)/\1\n\t\tfragmentation = $1/" "$W/charon/swanctl.conf"
	charon_start "$W/charon" "$B"
}

# charon_done MODE: stopped, its log kept as charon-MODE.log.
charon_done() {
	charon_stop "$W/charon"
	mv "$W/charon/charon.log" "$W/charon-$1.log"
	rm -rf "$W/charon/charon.vici" "$W/charon/run" # the next charon_start waits for a new socket
}

for mode in yes force; do
	charon_with "$mode"
	# 1. We initiate.
	run "$mode" 1 start
	wait_for 10 established || true
	sleep 0.5
	check "$mode" 1 "fragmentation = $mode, we initiate" 1
	charon_frags "fragmentation = $mode, we initiate" 1 1
	end
	wire "$mode" 1
	# 2. charon initiates.
	run "$mode" 2 none
	sleep 0.5
	charon_swanctl "$W/charon" --initiate --child net --timeout 8 >"$W/initiate-$mode" 2>&1 || true
	check "$mode" 2 "fragmentation = $mode, charon initiates" 2
	charon_frags "fragmentation = $mode, charon initiates" 2 2
	end
	wire "$mode" 2
	charon_done "$mode"
done
# 3. What sets force apart: charon says fragmentation = no, so it announces
# nothing; we send fragments all the same, which charon accepts (it always
# does), and it answers whole -- in IP fragments, which our namespace lets
# in for this run only.
what="fragmentation = force here, no at charon"
ip netns exec "$A" nft delete table ip nofrag
charon_with no
run force 3 start
wait_for 10 established || true
sleep 0.5
check force 3 "$what, we initiate" 1
charon_frags "$what" 0 1
end
wire_counts force 3
if [ "$sup" -eq 1 ] && [ "$ours" -ge 3 ] && [ "$theirs" -eq 0 ] && [ "$whole" -eq 1 ]; then
	ok "$what: on the wire: only our IKE_SA_INIT announces it, our IKE_AUTH in $ours fragments, charon's whole (IP-fragmented)"
else bad "$what: on the wire: $sup FRAGMENTATION_SUPPORTED, $ours/$theirs fragments, $whole whole IKE_AUTH"; fi
charon_done no
dropped=$(ip netns exec "$B" nft list table ip nofrag | grep -o "packets [0-9]*" | grep -o "[0-9]*")
echo "IP fragments dropped in charon's namespace: $dropped (the 1000-byte ping's)"
interop_finish
