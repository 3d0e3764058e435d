/* An IP address of either family (RFC 791, RFC 4291) and an inclusive range
 * of them, as RFC 4301 §4.4.1.1 selectors and RFC 7296 §3.13.1 traffic
 * selectors use them.  A policy, an SA or a traffic selector is of one
 * family; tunnel mode may carry one family inside the other. */
#ifndef IPSEC_IP_ADDR_H
#define IPSEC_IP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ip_family { IP_FAMILY_NONE = 0, IP_FAMILY_V4 = 4, IP_FAMILY_V6 = 6 };

/* Zeroed: no address (family NONE).  Bytes in network order; an IPv4
 * address uses the first four and leaves the rest zero, so that two
 * addresses are equal exactly when their structs are. */
struct ip_addr {
	uint8_t family;
	uint8_t b[16];
};

/* Longest text form, NUL included (INET6_ADDRSTRLEN). */
#define IP_ADDR_STRLEN 46

static inline size_t ip_family_len(uint8_t family)
{
	return family == IP_FAMILY_V4 ? 4 : family == IP_FAMILY_V6 ? 16 : 0;
}

static inline bool ip_addr_is_set(const struct ip_addr *a)
{
	return a->family != IP_FAMILY_NONE;
}

/* (The inline functions are written so that C++ compiles them too.) */

/* From a host-order IPv4 address. */
static inline struct ip_addr ip_addr_v4(uint32_t v)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	a.family = IP_FAMILY_V4;
	a.b[0] = (uint8_t)(v >> 24);
	a.b[1] = (uint8_t)(v >> 16);
	a.b[2] = (uint8_t)(v >> 8);
	a.b[3] = (uint8_t)v;
	return a;
}

/* The host-order value of an IPv4 address; 0 for any other. */
static inline uint32_t ip_addr_v4_value(const struct ip_addr *a)
{
	if (a->family != IP_FAMILY_V4)
		return 0;
	return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 | (uint32_t)a->b[2] << 8 | a->b[3];
}

/* From ip_family_len(family) bytes in network order. */
static inline struct ip_addr ip_addr_from_bytes(uint8_t family, const uint8_t *b)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.b, b, ip_family_len(family));
	return a;
}

static inline bool ip_addr_eq(const struct ip_addr *x, const struct ip_addr *y)
{
	return x->family == y->family && memcmp(x->b, y->b, ip_family_len(x->family)) == 0;
}

/* Orders by family, then by value; < 0, 0 or > 0. */
int ip_addr_cmp(const struct ip_addr *x, const struct ip_addr *y);

/* A 32-bit hash of the family and the value (per packet in the SAD: one
 * multiply for an IPv4 address, four for IPv6). */
static inline uint32_t ip_addr_hash(const struct ip_addr *a)
{
	uint32_t h = a->family, w;

	for (size_t i = 0; i < ip_family_len(a->family); i += 4) {
		memcpy(&w, a->b + i, 4);
		h = (h ^ w) * 0x9e3779b1u;
	}
	return h ^ h >> 16;
}

/* Parses dotted-quad IPv4 or RFC 4291 §2.2 IPv6 text.  0, or -1. */
int ip_addr_parse(const char *s, struct ip_addr *a);

/* The RFC 5952 text form ("" for no address); returns buf. */
char *ip_addr_str(const struct ip_addr *a, char buf[IP_ADDR_STRLEN]);

/* Longest "[address]:port", NUL included. */
#define IP_ENDPOINT_STRLEN (IP_ADDR_STRLEN + 8)

/* "192.0.2.1:500", or with an IPv6 address in brackets before the port,
 * "[2001:db8::1]:500" (RFC 3986 §3.2.2, RFC 5952 §6); returns buf. */
char *ip_endpoint_str(const struct ip_addr *a, uint16_t port, char buf[IP_ENDPOINT_STRLEN]);

/* `a` with all bits after the first `prefix_len` set (`ones`) or cleared. */
struct ip_addr ip_addr_mask(const struct ip_addr *a, unsigned prefix_len, bool ones);

/* An inclusive range of one family.  lo unset: ANY address of either
 * family. */
struct ip_range {
	struct ip_addr lo, hi;
};

static inline bool ip_range_any(const struct ip_range *r)
{
	return !ip_addr_is_set(&r->lo);
}

/* The range of a single address. */
static inline struct ip_range ip_range_single(const struct ip_addr *a)
{
	struct ip_range r;

	r.lo = r.hi = *a;
	return r;
}

/* The range of the prefix `a`/`prefix_len`. */
static inline struct ip_range ip_range_prefix(const struct ip_addr *a, unsigned prefix_len)
{
	struct ip_range r;

	r.lo = ip_addr_mask(a, prefix_len, false);
	r.hi = ip_addr_mask(a, prefix_len, true);
	return r;
}

/* A host-order IPv4 range; {0, 0} gives ANY. */
static inline struct ip_range ip_range_v4(uint32_t lo, uint32_t hi)
{
	struct ip_range r;

	memset(&r, 0, sizeof(r));
	if (lo || hi) {
		r.lo = ip_addr_v4(lo);
		r.hi = ip_addr_v4(hi);
	}
	return r;
}

/* Every address of `family` (0.0.0.0/0 or ::/0). */
struct ip_range ip_range_all(uint8_t family);

/* ANY, or every address of its family. */
bool ip_range_is_all(const struct ip_range *r);

/* ANY contains every address; otherwise the family must agree.  (Per
 * packet and SPD entry: IPv4 compares 32-bit values, IPv6 16 bytes.) */
static inline bool ip_range_contains(const struct ip_range *r, const struct ip_addr *a)
{
	switch (r->lo.family) {
	case IP_FAMILY_NONE:
		return true;
	case IP_FAMILY_V4: {
		uint32_t v = ip_addr_v4_value(a);

		return a->family == IP_FAMILY_V4 && v >= ip_addr_v4_value(&r->lo) &&
		       v <= ip_addr_v4_value(&r->hi);
	}
	default:
		return a->family == r->lo.family && memcmp(a->b, r->lo.b, 16) >= 0 &&
		       memcmp(a->b, r->hi.b, 16) <= 0;
	}
}

/* The smallest range holding both: ANY if either is, or if their
 * families differ. */
struct ip_range ip_range_hull(const struct ip_range *x, const struct ip_range *y);

/* Well formed: ANY, or both ends of one family with lo <= hi. */
bool ip_range_valid(const struct ip_range *r);

/* "10.1.0.0/16", "10.1.0.1", "10.1.0.5-10.1.0.9", "any" -- the shortest of
 * them that says exactly `r`.  buf must hold 2 * IP_ADDR_STRLEN bytes. */
char *ip_range_str(const struct ip_range *r, char *buf);

#endif
