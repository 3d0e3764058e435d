/* The parts of an IP packet of either family that IPsec processing needs
 * (RFC 4301 §5): where ESP or AH goes in transport mode and which byte names
 * what is there, the addresses, the DSCP and ECN bits, fragmentation, and
 * fixing the length fields after the packet grew or shrank. */
#ifndef IPSEC_IP_PACKET_H
#define IPSEC_IP_PACKET_H

#include "ip_addr.h"
#include "ipv4.h"
#include "ipv6.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip_packet {
	uint8_t family; /* IP_FAMILY_V4 or IP_FAMILY_V6 */
	size_t total_len;
	/* The headers that stay in front of ESP or AH in transport mode: the
	 * IPv4 header with its options; the IPv6 header and the extension
	 * headers RFC 4303 §3.1.1 and RFC 4302 §3.1.1 place before them.  For
	 * an inbound packet, where the ESP or AH header (or anything else
	 * after the walked extension headers) actually is. */
	size_t hdr_len;
	size_t nh_off;       /* the byte that names what is at hdr_len */
	uint8_t proto;       /* what is at hdr_len */
	uint8_t tclass;      /* IPv4 TOS, IPv6 Traffic Class: DSCP and ECN (RFC 2474, RFC 3168) */
	bool df;             /* IPv4 DF; IPv6 packets have none */
	bool fragment;       /* IPv4 MF or offset, an IPv6 Fragment header */
	struct ipv4_view v4; /* family 4 */
	struct ipv6_view v6; /* family 6 */
};

/* The IP version of a packet, from its first nibble (4, 6 or other). */
static inline unsigned ip_version(const uint8_t *pkt, size_t len)
{
	return len ? pkt[0] >> 4 : 0;
}

/* Parses an IPv4 or IPv6 packet.  `inbound`: hdr_len is where the walk
 * stopped (the ESP or AH of a packet to decapsulate), else where ESP or AH
 * would be inserted.  0, or -1 for a malformed packet or another version. */
int ip_packet_parse(const uint8_t *pkt, size_t len, bool inbound, struct ip_packet *p);

/* Where the source and destination addresses are in a header of `family`
 * (RFC 791 §3.1, RFC 8200 §3). */
static inline size_t ip_packet_src_off(uint8_t family)
{
	return family == IP_FAMILY_V4 ? 12 : 8;
}

static inline size_t ip_packet_dst_off(uint8_t family)
{
	return family == IP_FAMILY_V4 ? 16 : 24;
}

/* The packet's source and destination addresses (built when asked: most
 * packets never need them as struct ip_addr). */
static inline struct ip_addr ip_packet_src(const uint8_t *pkt, const struct ip_packet *p)
{
	return ip_addr_from_bytes(p->family, pkt + ip_packet_src_off(p->family));
}

static inline struct ip_addr ip_packet_dst(const uint8_t *pkt, const struct ip_packet *p)
{
	return ip_addr_from_bytes(p->family, pkt + ip_packet_dst_off(p->family));
}

/* RFC 4301 §4.4.1.1 selector fields.  0, or -1 if an initial fragment is
 * too short for its ports. */
int ip_packet_selector_fields(const uint8_t *pkt, const struct ip_packet *p,
                              struct ip_selector_fields *f);

/* The Next Header value of a tunnel's inner packet: IP-in-IP (4) or IPv6
 * (41). */
static inline uint8_t ip_packet_tunnel_proto(const struct ip_packet *p)
{
	return p->family == IP_FAMILY_V4 ? IPPROTO_NUM_IPIP : IPPROTO_NUM_IPV6;
}

/* After the packet at `hdr` (of `family`) became `total_len` bytes long:
 * IPv4's Total Length and header checksum, or IPv6's Payload Length. */
void ip_packet_set_length(uint8_t *hdr, uint8_t family, size_t total_len);

/* The largest packet each family can describe in its length fields
 * without a jumbogram. */
static inline size_t ip_packet_max_len(uint8_t family)
{
	return family == IP_FAMILY_V4 ? 65535 : IPV6_HDR_LEN + 65535;
}

#endif
