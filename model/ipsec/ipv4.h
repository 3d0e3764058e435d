/* IPv4 header parsing and building (RFC 791) and the RFC 4301 §4.4.1.1
 * selector fields of a packet. */
#ifndef IPSEC_IPV4_H
#define IPSEC_IPV4_H

#include "ip_addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_HDR_LEN 20
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_IPIP 4
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ESP 50
#define IPPROTO_NUM_AH 51
#define IPPROTO_NUM_ICMPV6 58 /* RFC 4443 */
#define IPPROTO_NUM_NONE 59   /* RFC 4303 §2.6 dummy packet */
#define IPPROTO_NUM_SCTP 132

/* ECN codepoints, RFC 3168 §5. */
#define ECN_NOT_ECT 0
#define ECN_ECT1 1
#define ECN_ECT0 2
#define ECN_CE 3

/* A parsed view of an IPv4 header; all fields in host byte order. */
struct ipv4_view {
	size_t hdr_len;   /* IHL * 4 */
	size_t total_len; /* from the header, <= buffer length */
	uint8_t tos;
	uint16_t id;
	uint16_t frag; /* flags and fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;
};

/* The fields selectors look at (RFC 4301 §4.4.1.1) in a packet of either
 * family.  `opaque` is set when the ports cannot be known (non-initial
 * fragment): only ANY ports match then. */
struct ip_selector_fields {
	struct ip_addr src, dst;
	uint8_t proto;
	bool opaque;
	uint16_t sport, dport; /* ICMP, ICMPv6: type, code */
};

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* 0 if `pkt` starts with a well-formed IPv4 header whose total length fits in
 * `len` (trailing bytes beyond it are ignored), -1 otherwise. */
int ipv4_parse(const uint8_t *pkt, size_t len, struct ipv4_view *ip);

static inline bool ipv4_is_fragment(const struct ipv4_view *ip)
{
	return (ip->frag & (IPV4_MF | IPV4_OFFSET_MASK)) != 0;
}

/* Extract the selector fields.  -1 if an initial fragment is too short to
 * hold the ports it must carry. */
int ipv4_selector_fields(const uint8_t *pkt, const struct ipv4_view *ip,
                         struct ip_selector_fields *f);

/* RFC 4301 §4.4.1.1's ports of an upper-layer header of either IP family:
 * TCP, UDP and SCTP ports, ICMP and ICMPv6 type and code; 0 for other
 * protocols.  -1 if `len` is too short for them. */
int ip_selector_ports(uint8_t proto, const uint8_t *l4, size_t len, uint16_t *sport,
                      uint16_t *dport);

/* RFC 1071 Internet checksum. */
uint16_t inet_checksum(const uint8_t *data, size_t len);

/* Recompute the header checksum of the header at `hdr`. */
void ipv4_set_checksum(uint8_t *hdr);

/* Write a 20-byte header without options. */
void ipv4_build(uint8_t *hdr, uint8_t tos, uint16_t total_len, uint16_t id, uint16_t frag,
                uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst);

#endif
