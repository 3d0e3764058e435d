# The scenario of ike_frag.sh and ip_id.sh, sourced after lib.sh: road
# warriors behind a NAT authenticate to one gateway with RSA-3072
# certificates, so that their IKE_AUTH requests (about 2.2 KB) exceed the
# 1500-byte links.  Road warrior i (from 0), id NAME@example.org, is
# 192.168.i.(11+i) behind the NAT's 192.168.i.1; the gateway gw is
# 100.64.0.2, 10.2.0.1 on the LAN of the server 10.2.0.2.  Each test
# writes the NAT node (cgnat, between the road warriors and the gateway),
# the links and the traffic.

# rw_certs_head NAME DURATION FRAGMENTATION RW...: the scenario from its
# name to the road warriors' nodes: the PKI (a CA, a certificate for each
# road warrior and one for the gateway) and each road warrior's connection
# vpn (`fragmentation: FRAGMENTATION`, RFC 7383), whose Child SA office
# starts at once.
rw_certs_head() {
	printf 'name: %s\nduration: %s\n' "$1" "$2"
	frag=$3
	shift 3
	cat <<'YAML'
seed: 1
start_time: 2025-06-01T00:00:00Z
pki:
  ca: {subject: "C=CH, O=ipsec-sim, CN=Sim CA", key: rsa-3072}
  certs:
YAML
	for rw in "$@"; do
		echo "    - {name: $rw, subject: \"C=CH, O=ipsec-sim, CN=$rw\", san: [$rw@example.org], key: rsa-3072}"
	done
	cat <<'YAML'
    - {name: gw, subject: "C=CH, O=ipsec-sim, CN=gw", san: [vpn.example.org], key: rsa-3072}
nodes:
YAML
	i=0
	for rw in "$@"; do
		cat <<YAML
  - name: $rw
    routes: [{dst: default, via: 192.168.$i.1}]
    ipsec:
      connections:
        vpn:
          local_addrs: 192.168.$i.$((11 + i))
          remote_addrs: 100.64.0.2
          proposals: aes256gcm16-prfsha384-x25519
          local: {auth: pubkey, id: $rw@example.org, certs: [pki:$rw]}
          remote: {auth: pubkey, id: vpn.example.org, cacerts: [pki:ca]}
          send_cert: always
          fragmentation: $frag
          children:
            office: {remote_ts: 10.2.0.0/24, esp_proposals: aes256gcm16, start_action: start}
YAML
		i=$((i + 1))
	done
}

# rw_certs_gateway LAN: the nodes behind the NAT: the gateway, whose
# connection roadwarriors takes any road warrior of LAN (routed through
# the NAT's 100.64.0.1) into the LAN 10.2.0.0/24, and the server.
rw_certs_gateway() {
	cat <<YAML
  - name: gw
    routes:
      - {dst: $1, via: 100.64.0.1}
    ipsec:
      connections:
        roadwarriors:
          local_addrs: 100.64.0.2
          remote_addrs: "%any"
          proposals: aes256gcm16-prfsha384-x25519
          local: {auth: pubkey, id: vpn.example.org, certs: [pki:gw]}
          remote: {auth: pubkey, cacerts: [pki:ca]}
          children:
            office: {local_ts: 10.2.0.0/24, remote_ts: $1, esp_proposals: aes256gcm16}
  - name: server
    routes: [{dst: default, via: 10.2.0.1}]
YAML
}
