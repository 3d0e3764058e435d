# The shipped IPv6 scenarios, checked by tools we did not write:
# - every flow arrives (or loses no more than its lossy links explain),
#   IKEv2 over IPv6 establishes and rekeys;
# - tshark decrypts every ESP packet of every capture with the run's
#   keys/esp_sa (ICV good) and dissects the inner packets: IPv6 in IPv6,
#   IPv4 in IPv6 (4-in-6), the transport payloads;
# - scapy verifies the ICV of every AH packet over IPv6, before and after
#   the router that decrements the hop limit (a mutable field, RFC 4302
#   §3.3.3.1.2);
# - the attack over IPv6 is counted by reason, the flow unharmed;
# - neighbour discovery bypasses a discarding SPD (`nd_bypass`), and stops
#   when that is turned off.
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || {
	echo "skip: tshark not installed"
	exit 77
}
SCN="$SRC/scenarios"

# tshark_esp NAME: "ESP GOOD INNER6 INNER4" over every capture of run NAME.
tshark_esp() {
	esp=0 good=0 in6=0 in4=0
	for p in "$OUT/$1"/pcap/*.pcap; do
		HOME="$OUT/$1/keys-home" tshark -n -r "$p" -Y esp -T fields -E occurrence=a \
			-E aggregator=, -e esp.icv_good -e ipv6.version -e ip.version \
			2>/dev/null >"$OUT/esp.tsv"
		esp=$((esp + $(wc -l <"$OUT/esp.tsv")))
		good=$((good + $(awk -F'\t' '$1 == "1"' "$OUT/esp.tsv" | wc -l)))
		# the outer header and the decrypted inner one: two IPv6, or
		# IPv6 outside and IPv4 inside (tshark's ip.version is every
		# header's version, ipv6.version the IPv6 headers')
		in6=$((in6 + $(awk -F'\t' '$2 == "6,6"' "$OUT/esp.tsv" | wc -l)))
		in4=$((in4 + $(awk -F'\t' '$2 == "6" && $3 == "6,4"' "$OUT/esp.tsv" | wc -l)))
	done
	echo "$esp $good $in6 $in4"
}

# 6-in-6, IKEv2 over IPv6, rekeys of the Child SA and of the IKE SA.
run s2s "$SCN/ipv6-site-to-site.yaml"
expect "6-in-6: every flow arrives (TCP loses a few segments to Packet Too Big)" \
	"SELECT count(*) FROM flows WHERE received = 0 OR 100.0 * lost / sent > 2" 0
expect "6-in-6: IKE SAs established over IPv6 on both gateways" \
	"SELECT count(DISTINCT node) FROM ike_sa_events WHERE state = 'established'" 2
check "6-in-6: the Child SA was rekeyed (CREATE_CHILD_SA over IPv6)" \
	"[ $(q "SELECT count(*) FROM child_sa_events WHERE state = 'rekeyed'") -ge 4 ]"
check "6-in-6: the IKE SA was rekeyed" \
	"[ $(q "SELECT count(*) FROM ike_sa_events WHERE state = 'rekeyed'") -ge 2 ]"
expect "6-in-6: no IKE failures" "SELECT count(*) FROM ike_failures" 0
read -r esp good in6 in4 <<EOF
$(tshark_esp s2s)
EOF
check "6-in-6: tshark decrypts all $esp ESP packets with a good ICV" "[ $esp -gt 10000 ] && [ $good = $esp ]"
check "6-in-6: each carries an IPv6 packet inside IPv6 ($in6)" "[ $in6 = $esp ]"
ike=$(tshark -n -r "$OUT/s2s/pcap/ipv6-site-to-site-gwA-2.pcap" -Y 'isakmp && ipv6' 2>/dev/null | wc -l)
check "6-in-6: IKEv2 runs over IPv6 UDP ($ike messages)" "[ $ike -ge 8 ]"
# RFC 4301 §8.2: TCP's 1452-byte packets do not fit the 1500-byte link once
# protected; gwA answers Packet Too Big with the room left, 1500 minus the
# ESP overhead of AES-GCM in tunnel mode (outer header 40, SPI and sequence
# number 8, IV 8, pad length and next header 2 plus 2 of padding, ICV 16).
tshark -n -r "$OUT/s2s/pcap/ipv6-site-to-site-hostA-1.pcap" -Y 'icmpv6.type == 2' -T fields \
	-e icmpv6.mtu 2>/dev/null | sort | uniq -c >"$OUT/ptb"
ptb=$(awk '{ n += $1 } END { print n + 0 }' "$OUT/ptb")
check "6-in-6: gwA sends Packet Too Big with MTU 1424 ($(cat "$OUT/ptb"))" \
	"[ \"$(awk '{ print $2 }' "$OUT/ptb")\" = 1424 ]"
expect "6-in-6: each counted as a too_big drop at gwA ($ptb)" \
	"SELECT packets FROM drops WHERE node = 'gwA' AND reason = 'too_big'" "$ptb"
frags=$(tshark -n -r "$OUT/s2s/pcap/ipv6-site-to-site-hostA-1.pcap" -Y 'ipv6.fragment' 2>/dev/null | wc -l)
check "6-in-6: hostA fragments to the MTU it learned ($frags fragments)" "[ $frags -gt 100 ]"

# 4-in-6: IPv4 LANs over an IPv6-only core.
run 4in6 "$SCN/ipv6-4in6.yaml"
expect "4-in-6: every flow arrives, none lost" "SELECT count(*) FROM flows WHERE received = 0 OR lost > 0" 0
read -r esp good in6 in4 <<EOF
$(tshark_esp 4in6)
EOF
check "4-in-6: tshark decrypts all $esp ESP packets with a good ICV" "[ $esp -gt 1000 ] && [ $good = $esp ]"
check "4-in-6: each carries an IPv4 packet inside IPv6 ($in4)" "[ $in4 = $esp ]"
ts=$(HOME="$OUT/4in6/keys-home" tshark -n -r "$OUT/4in6/pcap/ipv6-4in6-gwA-2.pcap" \
	-Y 'isakmp.ts.type == 7' 2>/dev/null | wc -l)
check "4-in-6: the Child SA's selectors are TS_IPV4_ADDR_RANGE in an IKE SA over IPv6 ($ts)" "[ $ts -ge 2 ]"

# The road warrior on a cellular link: lossy, but the tunnel carries it.
run rw "$SCN/ipv6-roadwarrior-cellular.yaml"
expect "road warrior: every flow arrives (no more than 5% lost on the radio link)" \
	"SELECT count(*) FROM flows WHERE received = 0 OR 100.0 * lost / sent > 5" 0
expect "road warrior: no NAT found over IPv6 (RFC 7296 §2.23)" \
	"SELECT count(*) FROM ike_nat WHERE nat_local OR nat_remote" 0
read -r esp good in6 in4 <<EOF
$(tshark_esp rw)
EOF
check "road warrior: tshark decrypts all $esp ESP packets with a good ICV, IPv6 inside" \
	"[ $esp -gt 10000 ] && [ $good = $esp ] && [ $in6 = $esp ]"
udp=$(tshark -n -r "$OUT/rw/pcap/ipv6-roadwarrior-cellular-gw-1.pcap" -Y 'udp.port == 4500' 2>/dev/null | wc -l)
check "road warrior: ESP is not put in UDP without a NAT ($udp packets on 4500)" "[ $udp = 0 ]"

# Transport mode: ESP, and AH checked by scapy at both capture points.
run esp "$SCN/ipv6-host-to-host-esp-transport.yaml"
expect "ESP transport: every flow arrives, none lost" "SELECT count(*) FROM flows WHERE received = 0 OR lost > 0" 0
expect "ESP transport: nothing dropped" "SELECT count(*) FROM drops" 0
read -r esp good in6 in4 <<EOF
$(tshark_esp esp)
EOF
check "ESP transport: tshark decrypts all $esp ESP packets with a good ICV" "[ $esp -gt 4000 ] && [ $good = $esp ]"
rs=$(tshark -n -r "$OUT/esp/pcap/ipv6-host-to-host-esp-transport-hostA-1.pcap" -Y 'icmpv6.type == 133' 2>/dev/null | wc -l)
check "nd_bypass: hostA's router solicitations leave past default: discard ($rs)" "[ $rs -ge 3 ]"
run nd "$SCN/ipv6-host-to-host-esp-transport.yaml" --set nodes.hostA.ipsec.nd_bypass=false
rs=$(tshark -n -r "$OUT/nd/pcap/ipv6-host-to-host-esp-transport-hostA-1.pcap" -Y 'icmpv6.type == 133' 2>/dev/null | wc -l)
check "nd_bypass false: the SPD discards them ($rs left)" "[ $rs = 0 ]"
check "nd_bypass false: hostA counts the ND it discarded" \
	"[ $(q "SELECT packets FROM drops WHERE node = 'hostA' AND reason = 'policy_discard'") -ge 3 ]"
expect "nd_bypass false: the protected flows do not notice" \
	"SELECT count(*) FROM flows WHERE lost > 0" 0

run ah "$SCN/ipv6-host-to-host-ah-transport.yaml"
expect "AH transport: every flow arrives, none lost" "SELECT count(*) FROM flows WHERE received = 0 OR lost > 0" 0
for p in hostA-1 router-1 router-2 hostB-1; do
	check "AH transport: scapy verifies every AH ICV in $p's capture" \
		"/usr/bin/python3 '$(dirname "$0")/ipv6_ah_check.py' '$OUT/ah/pcap/ipv6-host-to-host-ah-transport-$p.pcap' >'$OUT/scapy.log' 2>&1 || { cat '$OUT/scapy.log'; false; }"
done

# The on-path attacker over IPv6.
run attack "$SCN/ipv6-attack.yaml"
expect "attack: the flow arrives unharmed" "SELECT lost FROM flows" 0
expect "attack: each forgery counted by its reason at gwB" \
	"SELECT group_concat(reason || '=' || packets, ' ') FROM (SELECT reason, packets FROM drops WHERE node = 'gwB' ORDER BY reason)" \
	"icv_fail=5 malformed=5 no_sa=5 replay=5"
finish
