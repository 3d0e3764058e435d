/* IPv6 header parsing (RFC 8200): the fixed header, the extension-header
 * chain walked with limits, where ESP and AH go in transport mode, and the
 * RFC 4301 §4.4.1.1 selector fields of a packet. */
#ifndef IPSEC_IPV6_H
#define IPSEC_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipv4.h" /* protocol numbers, byte order */

#define IPV6_HDR_LEN 40
#define IPV6_ADDR_LEN 16

/* Next Header values of the extension headers (RFC 8200 §4, IANA). */
#define IPPROTO_NUM_HOPOPTS 0
#define IPPROTO_NUM_IPV6 41 /* IPv6 in IP: tunnel mode's inner packet */
#define IPPROTO_NUM_ROUTING 43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_DSTOPTS 60

/* The longest chain of extension headers accepted: RFC 8200 §4.1 lists
 * one of each kind, destination options twice, in a recommended order.
 * Longer chains are refused (malformed), so a crafted packet cannot make
 * the walk long. */
#define IPV6_MAX_EXT_HEADERS 8

/* A parsed view of an IPv6 packet; fields in host byte order. */
struct ipv6_view {
	size_t total_len; /* 40 + Payload Length, <= buffer length */
	uint8_t tclass;
	uint32_t flow_label;
	uint8_t hop_limit;
	uint8_t src[IPV6_ADDR_LEN], dst[IPV6_ADDR_LEN];
	/* The first header that is not an extension header the walk goes
	 * through: an upper layer, ESP or AH (whose processing is IPsec's),
	 * No Next Header, or what follows a non-initial fragment. */
	uint8_t proto;
	size_t proto_off;    /* its offset in the packet */
	size_t proto_nh_off; /* the Next Header byte that names it */
	/* RFC 4303 §3.1.1, RFC 4302 §3.1.1: in transport mode ESP and AH go
	 * after the hop-by-hop options, routing and fragment headers and the
	 * destination options that precede a routing header; destination
	 * options after them stay end-to-end, behind ESP or AH.  ipsec_off is
	 * that place, ipsec_nh_off the Next Header byte naming what is there. */
	size_t ipsec_off, ipsec_nh_off;
	bool fragment;        /* a Fragment header was walked through */
	uint16_t frag_offset; /* in 8-octet units */
	bool more_fragments;
};

/* 0 if `pkt` starts with a well-formed IPv6 header and extension-header
 * chain within its Payload Length, which fits in `len` (trailing bytes are
 * ignored); -1 otherwise: a short packet, a version other than 6, a jumbo
 * payload, a header past the payload, a hop-by-hop header anywhere but
 * first, or more than IPV6_MAX_EXT_HEADERS extension headers. */
int ipv6_parse(const uint8_t *pkt, size_t len, struct ipv6_view *ip);

/* Extracts the selector fields.  -1 if an initial fragment is too short to
 * hold the ports it must carry. */
int ipv6_selector_fields(const uint8_t *pkt, const struct ipv6_view *ip,
                         struct ip_selector_fields *f);

/* The TCP/UDP/ICMPv6 checksum (RFC 8200 §8.1) of the upper-layer packet
 * `l4` of `len` bytes and protocol `proto` in the IPv6 packet `ip6` (its
 * checksum field must be zero), over the pseudo-header of its source and
 * destination. */
uint16_t ipv6_l4_checksum(const uint8_t *ip6, uint8_t proto, const uint8_t *l4, size_t len);

/* Walks the options of a hop-by-hop or destination options header `h` of
 * `len` bytes (RFC 8200 §4.2), calling `fn` on each option but Pad1 with
 * its type, its data and the data's length.  0, or -1 if an option runs
 * past the header. */
int ipv6_options_walk(uint8_t *h, size_t len,
                      void (*fn)(uint8_t type, uint8_t *data, size_t len, void *arg), void *arg);

/* The length in bytes of the extension header at `h` whose kind is `nh`
 * (from its Hdr Ext Len, RFC 8200 §4.3-4.6), given `avail` bytes there;
 * 0 if it does not fit. */
size_t ipv6_ext_len(uint8_t nh, const uint8_t *h, size_t avail);

#endif
