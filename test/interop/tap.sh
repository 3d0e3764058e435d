# A simulated gateway on a real network (docs/interop.md, "A simulated
# gateway on a TAP device"): `ipsec-sim run` of a scenario whose gateway gwA
# is attached to a TAP device (ns-3's real-time simulator + FdNetDevice)
# establishes an IKEv2 tunnel with strongSwan's charon and carries the
# pings of a simulated host behind it through UDP-encapsulated ESP that
# charon decrypts and answers.
#
#   hostA ---- gwA ==TAP ipsim0== [ns A: Linux routes] ==veth== [ns B: charon]
#   10.96.1.2  10.96.1.1 10.97.1.2  10.97.1.1     10.97.0.1     10.97.0.2
#   (simulated)                                                 inner 10.96.2.1
#
# charon uses kernel-libipsec, which always encapsulates ESP in UDP and so
# sends a fake NAT_DETECTION payload: our IKE sees a NAT and floats to 4500.
. "$(dirname "$0")/lib.sh"
interop_require /usr/lib/ipsec/charon swanctl ip sqlite3 tshark
if [ ! -c /dev/net/tun ]; then
	echo "SKIP: no /dev/net/tun (the tun module is not loaded) for the TAP device"
	exit 77
fi
interop_setup ipsst
TAP=ipsim0

# ns A routes between the TAP (10.97.1.0/24, configured by ipsec-sim) and
# the veth to charon's namespace.
netns_pair "$A" "$B" 10.97.0.1 10.97.0.2
ip netns exec "$A" sysctl -qw net.ipv4.ip_forward=1
ip -n "$B" route add 10.97.1.0/24 via 10.97.0.1
ip -n "$B" addr add 10.96.2.1/32 dev lo

charon_conf "$W/charon" psk 10.97.1.2 10.97.0.2 gwA 10.96.2.0/24 10.96.1.0/24
cat >"$W/tap.yaml" <<YAML
name: tap-interop
duration: 12s
realtime: true
nodes:
  - name: hostA
    routes: [{dst: default, via: 10.96.1.1}]
  - name: gwA
    routes: [{dst: default, via: 10.97.1.1}]
    ipsec:
      connections:
        charon:
          local_addrs: 10.97.1.2
          remote_addrs: 10.97.0.2
          proposals: aes256gcm16-prfsha384-x25519
          local: {auth: psk, id: gwA}
          remote: {auth: psk, id: charon}
          children:
            net:
              local_ts: 10.96.1.0/24
              remote_ts: 10.96.2.0/24
              esp_proposals: aes256gcm16
              start_action: start
      secrets:
        - {type: ike, id: [gwA, charon], secret: "interop pre-shared key"}
links:
  - {between: [hostA, gwA], addresses: [10.96.1.2/24, 10.96.1.1/24]}
  - {tap: $TAP, node: gwA, addresses: [10.97.1.2/24, 10.97.1.1/24], configure: true}
traffic:
  - {type: ping, name: ping-charon, from: hostA, to: 10.96.2.1, interval: 0.5s, start: 2s, stop: 11s}
YAML

charon_start "$W/charon" "$B"
ip netns exec "$A" "$IPSEC_SIM" run "$W/tap.yaml" --out "$W/out" >"$W/sim.log" 2>&1 &
SIM=$!
for _ in $(seq 80); do
	established && break
	sleep 0.1
done
if established; then ok "charon installs the Child SA with the simulated gateway"; else
	bad "no Child SA at charon"; tail -30 "$W/charon/charon.log"; fi
rc=0
wait "$SIM" || rc=$?
SIM=
if [ "$rc" -eq 0 ]; then ok "ipsec-sim run exits 0 ($(grep -o '[0-9.]* s simulated in [0-9.]* s wall' "$W/sim.log"))"; else
	bad "ipsec-sim run exited $rc"; cat "$W/sim.log"; fi

DB="$W/out/metrics.sqlite"
q() { sqlite3 -batch -noheader "$DB" "$1" 2>/dev/null || true; }
n=$(q "SELECT count(*) FROM ike_sa_events WHERE node='gwA' AND state='established'")
if [ "$n" = 1 ]; then ok "our IKE SA is established"; else bad "our IKE SA: $n established events"; fi
n=$(q "SELECT count(*) FROM child_sa_events WHERE node='gwA' AND state='installed'")
if [ "$n" = 1 ]; then ok "our Child SA is installed"; else bad "our Child SA: $n installed events"; fi
nat=$(q "SELECT count(*) FROM ike_nat WHERE node='gwA' AND nat_remote=1")
float=$(tshark -r "$W/out/pcap/tap-interop-gwA-2.pcap" -Y "udp.dstport == 4500 && isakmp" 2>/dev/null | grep -c "IKE_AUTH .*Initiator Request" || true)
if [ "$nat" -ge 1 ] && [ "$float" -ge 1 ]; then
	ok "charon's fake NAT_DETECTION seen as a NAT: IKE_AUTH floats to UDP 4500"
else
	bad "NAT-T: $nat NAT detections, $float IKE_AUTH on 4500"
fi
flow=$(q "SELECT sent || ' ' || received FROM flows WHERE flow='ping-charon'")
sent=${flow% *}
recv=${flow#* }
if [ -n "$flow" ] && [ "$sent" -gt 0 ] && [ $((recv * 100)) -ge $((sent * 80)) ]; then
	ok "the simulated host's pings to 10.96.2.1 are answered: $recv of $sent"
else
	bad "ping through the tunnel: '$flow' (sent received)"
fi

# charon decrypted our ESP and encrypted its replies: bytes both ways.
sas=$(charon_swanctl "$W/charon" --list-sas 2>/dev/null || true)
bin=$(echo "$sas" | sed -n 's/.* in  [0-9a-f]*.* \([0-9]*\) bytes, *\([0-9]*\) packets.*/\1 \2/p' | head -1)
bout=$(echo "$sas" | sed -n 's/.* out [0-9a-f]*.* \([0-9]*\) bytes, *\([0-9]*\) packets.*/\1 \2/p' | head -1)
if [ -n "$bin" ] && [ "${bin%% *}" -gt 0 ] && [ -n "$bout" ] && [ "${bout%% *}" -gt 0 ]; then
	ok "charon's Child SA counts bytes in and out: in ${bin% *} bytes (${bin#* } packets), out ${bout% *} bytes (${bout#* } packets)"
else
	bad "charon's counters: in '$bin' out '$bout'"; echo "$sas"
fi

# The capture on gwA's TAP device: ESP in UDP 4500 that tshark decrypts
# with our exported keys, the inner packets being the pings.
pcap=$(ls "$W/out/pcap/"tap-interop-gwA-2.pcap 2>/dev/null || true)
H="$W/out/keys-home"
if [ -n "$pcap" ]; then
	esp=$(HOME="$H" tshark -r "$pcap" -Y "udp.port == 4500 && esp" -T fields -e esp.icv_good 2>/dev/null | sort | uniq -c | tr -s ' ')
	inner=$(HOME="$H" tshark -r "$pcap" -Y "esp && icmp && ip.src == 10.96.1.2 && ip.dst == 10.96.2.1" 2>/dev/null | wc -l)
	replies=$(HOME="$H" tshark -r "$pcap" -Y "esp && icmp.type == 0 && ip.src == 10.96.2.1" 2>/dev/null | wc -l)
	case "$esp" in
	" "[0-9]*" 1")
		ok "tshark decrypts the UDP-encapsulated ESP on the TAP with our esp_sa:$esp ICVs good, $inner echo requests, $replies replies inside"
		;;
	*) bad "ESP on the TAP: icv_good counts '$esp'" ;;
	esac
	if [ "$inner" -gt 0 ] && [ "$replies" -gt 0 ]; then :; else bad "no decrypted pings in the capture"; fi
else
	bad "no capture of the TAP device"; ls "$W/out/pcap" || true
fi
interop_finish
