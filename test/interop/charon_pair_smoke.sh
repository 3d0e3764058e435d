# Harness check (not yet in ctest): two charons in two namespaces establish
# an IKE SA and a Child SA and carry one UDP datagram through kernel-libipsec.
# Needs strongswan-charon strongswan-swanctl libcharon-extra-plugins
# libstrongswan-standard-plugins libstrongswan-extra-plugins.
set -eu
. "$(dirname "$0")/charon.sh"
W=$(mktemp -d); mkdir -p $W/a $W/b
trap 'charon_stop $W/a; charon_stop $W/b; netns_cleanup ipsa ipsb' EXIT
netns_pair ipsa ipsb 10.99.0.1 10.99.0.2; ip -n ipsa addr add 10.98.1.1/32 dev lo; ip -n ipsb addr add 10.98.2.1/32 dev lo
for side in a b; do
  if [ $side = a ]; then L=10.99.0.1; R=10.99.0.2; else L=10.99.0.2; R=10.99.0.1; fi
  cat > $W/$side/swanctl.conf <<C
connections { c { local_addrs = $L
 remote_addrs = $R
 proposals = aes256gcm16-prfsha384-x25519
 local { auth = psk
  id = $L }
 remote { auth = psk
  id = $R }
 children { net { local_ts = 10.98.$([ $side = a ] && echo 1 || echo 2).0/24
   remote_ts = 10.98.$([ $side = a ] && echo 2 || echo 1).0/24
   esp_proposals = aes256gcm16 } } } }
secrets { ike { secret = "interop-test-psk" } }
C
done
charon_start $W/a ipsa
charon_start $W/b ipsb
charon_swanctl $W/a --initiate --child net --timeout 10 | tail -3
charon_swanctl $W/b --list-sas | head
grep -E "SKEYSEED|Sk_ei|SK_ei|encryption key" $W/b/charon.log | head -5
ip netns exec ipsa python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"10.98.1.1\",0)); s.sendto(b\"hi\", (\"10.98.2.1\", 9))"; sleep 1; charon_swanctl $W/b --list-sas | grep -E "bytes_i|in "
