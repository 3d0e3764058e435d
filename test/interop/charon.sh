# Runs strongSwan's charon as a real IKEv2 peer inside a network namespace
# (DESIGN.md §5).  Sourced by interop tests.
#
# This kernel has no XFRM ESP, so charon uses kernel-libipsec (userspace ESP
# over a TUN device), which always UDP-encapsulates ESP on port 4500.  Its pid
# file is fixed at /var/run/charon.pid, so each charon runs in a mount
# namespace of its own with a private /run.
#
#   charon_start DIR NETNS   config in DIR/swanctl.conf; writes DIR/charon.log;
#                            $CHARON_SETTINGS (e.g. "keep_alive = 2s") goes
#                            into strongswan.conf's charon section
#   charon_swanctl DIR CMD ARGS  swanctl CMD against that charon's vici socket
#   charon_stop DIR
#   netns_pair A B ADDR_A ADDR_B   two namespaces joined by a veth pair (/24)
#   netns_cleanup A B
#   wait_for SECONDS COMMAND...
#   charon_log_key DIR KEY
#   charon_conf DIR psk|pubkey REMOTE_ADDRS [LOCAL_ADDRS PEER_ID LOCAL_TS REMOTE_TS]
#   sim_scenario FILE psk|pubkey START_ACTION [MOBIKE LOCAL REMOTE LOCAL_TS REMOTE_TS]
#                            our side of it

CHARON=${CHARON:-/usr/lib/ipsec/charon}

netns_pair() {
	ip netns add "$1"
	ip netns add "$2"
	ip link add "v-$1" type veth peer name "v-$2"
	ip link set "v-$1" netns "$1"
	ip link set "v-$2" netns "$2"
	ip -n "$1" addr add "$3/24" dev "v-$1"
	ip -n "$2" addr add "$4/24" dev "v-$2"
	ip -n "$1" link set "v-$1" up
	ip -n "$2" link set "v-$2" up
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
}

netns_cleanup() {
	for ns in "$@"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

charon_start() {
	dir=$1
	ns=$2
	cat >"$dir/strongswan.conf" <<CONF
charon {
	load = random nonce openssl kdf pem pkcs1 pkcs8 x509 pubkey revocation constraints kernel-libipsec kernel-netlink socket-default vici updown
	install_routes = no
	${CHARON_SETTINGS:-}
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
		kernel-libipsec {
			allow_peer_ts = yes
		}
	}
	filelog {
		charon {
			path = $dir/charon.log
			time_format = %s
			default = 1
			ike = 4
			chd = 4
			cfg = 2
			enc = 1
			net = 2
			flush_line = yes
		}
	}
}
CONF
	mkdir -p "$dir/run"
	ip netns exec "$ns" unshare -m sh -c \
		"mount --bind '$dir/run' /run && mount --bind '$dir/run' /var/run 2>/dev/null; \
		 STRONGSWAN_CONF='$dir/strongswan.conf' exec $CHARON" >"$dir/charon.stdout" 2>&1 &
	echo $! >"$dir/charon.launcher"
	for _ in $(seq 50); do
		[ -S "$dir/charon.vici" ] && break
		sleep 0.1
	done
	[ -S "$dir/charon.vici" ] || { echo "charon did not start:"; cat "$dir/charon.stdout" "$dir/charon.log" 2>/dev/null | tail -20; return 1; }
	# swanctl also looks for credential folders beside the file: say nothing of those.
	charon_swanctl "$dir" --load-all --file "$dir/swanctl.conf" 2>&1 | grep -v "opening directory" >"$dir/swanctl-load.log" || true
	grep -q "successfully loaded 1 connections" "$dir/swanctl-load.log" || { cat "$dir/swanctl-load.log"; return 1; }
}

charon_swanctl() {
	dir=$1
	cmd=$2
	shift 2
	swanctl "$cmd" --uri "unix://$dir/charon.vici" "$@"
}

charon_stop() {
	dir=$1
	[ -f "$dir/charon.launcher" ] || return 0
	pid=$(cat "$dir/charon.launcher")
	pkill -TERM -P "$pid" 2>/dev/null || true
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/charon.launcher"
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_for() {
	t=$1
	shift
	for _ in $(seq $((t * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# charon_log_key DIR KEY: charon logs every key it derives at ike/chd level 4
# ("Sk_ei secret => 36 bytes @ ..." followed by hex dump lines "  0: 5A 8B
# ..."); prints the hex of the last KEY in DIR/charon.log.
charon_log_key() {
	awk -v k="$2" '
		index($0, k " =>") { grab = 1; hex = ""; next }
		grab && /\[[A-Z]+\] +[0-9]+: / {
			sub(/.*\[[A-Z]+\] +[0-9]+: /, ""); sub(/  .*/, "")
			gsub(/ /, ""); hex = hex tolower($0); next }
		grab { grab = 0; last = hex }
		END { if (grab) last = hex; print last }' "$1/charon.log"
}

# charon_conf DIR AUTH REMOTE_ADDRS [LOCAL_ADDRS PEER_ID LOCAL_TS REMOTE_TS]:
# DIR/swanctl.conf with connection `sim` (Child SA `net`).  By default
# charon is 10.99.0.2 with 10.98.2.0/24 behind it, and the peer `sim` holds
# 10.98.1.0/24.  AUTH psk: a PSK between the IDs charon and PEER_ID (sim).
# AUTH pubkey: charon signs with DIR/x509/charon.pem (its DN is its ID) and
# the peer's ID is sim.example (strongswan_certs.sh makes the certificates).
charon_conf() {
	case $2 in
	psk)
		peer=${5:-sim}
		auth="local { auth = psk
			id = charon }
		remote { auth = psk
			id = $peer }"
		secrets="secrets {
	ike-sim {
		id-1 = charon
		id-2 = $peer
		secret = \"interop pre-shared key\"
	}
}"
		;;
	pubkey)
		auth="local { auth = pubkey
			certs = charon.pem
			id = \"C=CH, O=interop, CN=charon\" }
		remote { auth = pubkey
			id = sim.example }"
		secrets=
		;;
	esac
	cat >"$1/swanctl.conf" <<CONF
connections {
	sim {
		local_addrs = ${4:-10.99.0.2}
		remote_addrs = $3
		proposals = aes256gcm16-prfsha384-x25519
		$auth
		children {
			net {
				local_ts = ${6:-10.98.2.0/24}
				remote_ts = ${7:-10.98.1.0/24}
				esp_proposals = aes256gcm16
			}
		}
	}
}
$secrets
CONF
}

# sim_scenario FILE AUTH START_ACTION [MOBIKE LOCAL REMOTE LOCAL_TS REMOTE_TS]:
# our side of charon_conf's defaults, for `ipsec-sim peer --node sim`: node
# `sim` (LOCAL, 10.99.0.1) holds connection `charon` to REMOTE (10.99.0.2)
# with START_ACTION on its Child SA `net` (LOCAL_TS 10.98.1.0/24, REMOTE_TS
# 10.98.2.0/24) and, if MOBIKE is not empty, `mobike: MOBIKE`; node `charon`
# only gives the link its other end (a /24, or a /64 for IPv6 addresses).
# AUTH psk: the PSK.  AUTH pubkey: sim.pem, sim.key and ca.pem beside FILE;
# the validity periods are checked against the wall clock (start_time = now).
sim_scenario() {
	laddr=${5:-10.99.0.1} raddr=${6:-10.99.0.2}
	case $laddr in *:*) plen=64 ;; *) plen=24 ;; esac
	case $2 in
	psk)
		start=
		ids="local: {auth: psk, id: sim}
          remote: {auth: psk, id: charon}"
		secret='{type: ike, id: [sim, charon], secret: "interop pre-shared key"}'
		;;
	pubkey)
		start="
start_time: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		ids='local: {auth: pubkey, id: sim.example, certs: [sim.pem]}
          remote: {auth: pubkey, id: "C=CH, O=interop, CN=charon", cacerts: [ca.pem]}'
		secret='{type: private, file: sim.key}'
		;;
	esac
	cat >"$1" <<YAML
name: interop
duration: 60s$start
nodes:
  - name: sim
    ipsec:
      connections:
        charon:
          local_addrs: $laddr
          remote_addrs: $raddr
          proposals: aes256gcm16-prfsha384-x25519${4:+
          mobike: $4}
          $ids
          children:
            net:
              local_ts: ${7:-10.98.1.0/24}
              remote_ts: ${8:-10.98.2.0/24}
              esp_proposals: aes256gcm16
              start_action: $3
      secrets:
        - $secret
  - name: charon
links:
  - {between: [sim, charon], addresses: ["$laddr/$plen", "$raddr/$plen"]}
YAML
}
