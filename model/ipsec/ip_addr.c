/* IP addresses of either family and ranges of them. */
#include "ip_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

int ip_addr_cmp(const struct ip_addr *x, const struct ip_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->b, y->b, ip_family_len(x->family));
}

int ip_addr_parse(const char *s, struct ip_addr *a)
{
	*a = (struct ip_addr){0};
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = IP_FAMILY_V4;
		return 0;
	}
	memset(a->b, 0, sizeof(a->b));
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = IP_FAMILY_V6;
		return 0;
	}
	*a = (struct ip_addr){0};
	return -1;
}

char *ip_addr_str(const struct ip_addr *a, char buf[IP_ADDR_STRLEN])
{
	buf[0] = '\0';
	if (ip_addr_is_set(a) &&
	    !inet_ntop(a->family == IP_FAMILY_V4 ? AF_INET : AF_INET6, a->b, buf, IP_ADDR_STRLEN))
		buf[0] = '\0';
	return buf;
}

char *ip_endpoint_str(const struct ip_addr *a, uint16_t port, char buf[IP_ENDPOINT_STRLEN])
{
	char addr[IP_ADDR_STRLEN];

	snprintf(buf, IP_ENDPOINT_STRLEN, a->family == IP_FAMILY_V6 ? "[%s]:%u" : "%s:%u",
	         ip_addr_str(a, addr), port);
	return buf;
}

struct ip_addr ip_addr_mask(const struct ip_addr *a, unsigned prefix_len, bool ones)
{
	struct ip_addr m = *a;
	size_t n = ip_family_len(a->family);

	for (size_t i = 0; i < n; i++) {
		unsigned keep = prefix_len >= 8 * (i + 1) ? 8
		                : prefix_len > 8 * i      ? prefix_len - 8 * (unsigned)i
		                                          : 0;
		uint8_t low = (uint8_t)(0xff >> keep);

		m.b[i] = ones ? (uint8_t)(m.b[i] | low) : (uint8_t)(m.b[i] & ~low);
	}
	return m;
}

struct ip_range ip_range_all(uint8_t family)
{
	struct ip_addr zero = {.family = family};

	return ip_range_prefix(&zero, 0);
}

bool ip_range_is_all(const struct ip_range *r)
{
	struct ip_range all;

	if (ip_range_any(r))
		return true;
	all = ip_range_all(r->lo.family);
	return ip_addr_eq(&r->lo, &all.lo) && ip_addr_eq(&r->hi, &all.hi);
}

struct ip_range ip_range_hull(const struct ip_range *x, const struct ip_range *y)
{
	struct ip_range h;

	if (ip_range_any(x) || ip_range_any(y) || x->lo.family != y->lo.family)
		return (struct ip_range){{0}, {0}};
	h.lo = ip_addr_cmp(&x->lo, &y->lo) <= 0 ? x->lo : y->lo;
	h.hi = ip_addr_cmp(&x->hi, &y->hi) >= 0 ? x->hi : y->hi;
	return h;
}

bool ip_range_valid(const struct ip_range *r)
{
	if (ip_range_any(r))
		return !ip_addr_is_set(&r->hi);
	return r->hi.family == r->lo.family && ip_family_len(r->lo.family) &&
	       ip_addr_cmp(&r->lo, &r->hi) <= 0;
}

/* The prefix length if `r` is exactly one prefix, else -1. */
static int range_prefix_len(const struct ip_range *r)
{
	unsigned bits = 8 * (unsigned)ip_family_len(r->lo.family);

	for (unsigned len = 0; len <= bits; len++) {
		struct ip_range p = ip_range_prefix(&r->lo, len);

		if (ip_addr_eq(&p.lo, &r->lo) && ip_addr_eq(&p.hi, &r->hi))
			return (int)len;
	}
	return -1;
}

char *ip_range_str(const struct ip_range *r, char *buf)
{
	char lo[IP_ADDR_STRLEN], hi[IP_ADDR_STRLEN];
	int len;

	if (ip_range_any(r)) {
		strcpy(buf, "any");
		return buf;
	}
	ip_addr_str(&r->lo, lo);
	if (ip_addr_eq(&r->lo, &r->hi)) {
		strcpy(buf, lo);
		return buf;
	}
	len = range_prefix_len(r);
	if (len >= 0)
		snprintf(buf, 2 * IP_ADDR_STRLEN, "%s/%d", lo, len);
	else
		snprintf(buf, 2 * IP_ADDR_STRLEN, "%s-%s", lo, ip_addr_str(&r->hi, hi));
	return buf;
}
