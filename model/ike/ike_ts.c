/* Traffic selectors (RFC 7296 §2.9, §3.13): from the configuration, narrowed
 * by the responder, checked by the initiator, turned into SPD selectors. */
#include "ike_sa.h"

#include <stdio.h>
#include <string.h>

size_t ike_ts_from_config(const struct ike_ts_config *c, size_t n, uint32_t addr,
                          struct ike_ts *out)
{
	if (n == 0) {
		/* swanctl's `dynamic`: the IKE SA's own address. */
		out[0] = ike_ts_ipv4(0, addr, addr, 0, 65535);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		bool any_addr = c[i].addr_lo == 0 && c[i].addr_hi == 0;
		bool any_port = c[i].port_lo == 0 && c[i].port_hi == 0;

		out[i] = ike_ts_ipv4(c[i].protocol, any_addr ? 0 : c[i].addr_lo,
		                     any_addr ? UINT32_MAX : c[i].addr_hi,
		                     any_port ? 0 : c[i].port_lo, any_port ? 65535 : c[i].port_hi);
	}
	return n;
}

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The intersection of two IPv4 selectors; false if empty. */
static bool intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	uint32_t lo, hi;
	uint16_t plo, phi;
	uint8_t proto;

	if (a->type != IKE_TS_IPV4_ADDR_RANGE || b->type != IKE_TS_IPV4_ADDR_RANGE)
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	lo = max32(ike_ts_v4_start(a), ike_ts_v4_start(b));
	hi = min32(ike_ts_v4_end(a), ike_ts_v4_end(b));
	plo = (uint16_t)max32(a->start_port, b->start_port);
	phi = (uint16_t)min32(a->end_port, b->end_port);
	if (lo > hi || plo > phi)
		return false;
	*out = ike_ts_ipv4(proto, lo, hi, plo, phi);
	return true;
}

size_t ike_ts_narrow(const struct ike_ts *offered, size_t noffered, const struct ike_ts *allowed,
                     size_t nallowed, struct ike_ts *out)
{
	size_t n = 0;

	/* §2.9: the responder keeps the part of the initiator's selectors its
	 * own policy allows, in the initiator's order. */
	for (size_t i = 0; i < noffered; i++)
		for (size_t j = 0; j < nallowed && n < IKE_TS_MAX; j++)
			if (intersect(&offered[i], &allowed[j], &out[n]))
				n++;
	return n;
}

static bool inside(const struct ike_ts *a, const struct ike_ts *b)
{
	return a->type == IKE_TS_IPV4_ADDR_RANGE && b->type == IKE_TS_IPV4_ADDR_RANGE &&
	       (!b->ip_proto || a->ip_proto == b->ip_proto) &&
	       ike_ts_v4_start(a) >= ike_ts_v4_start(b) && ike_ts_v4_end(a) <= ike_ts_v4_end(b) &&
	       a->start_port >= b->start_port && a->end_port <= b->end_port;
}

bool ike_ts_subset(const struct ike_ts *sub, size_t nsub, const struct ike_ts *outer, size_t nouter)
{
	for (size_t i = 0; i < nsub; i++) {
		bool ok = false;

		for (size_t j = 0; j < nouter && !ok; j++)
			ok = inside(&sub[i], &outer[j]);
		if (!ok)
			return false;
	}
	return nsub > 0;
}

/* strongSwan's notation: 10.1.0.0/16, 10.1.0.1..10.1.0.9, [udp/53]. */
static size_t format_one(const struct ike_ts *t, char *out, size_t cap)
{
	uint32_t lo = ike_ts_v4_start(t), hi = ike_ts_v4_end(t);
	size_t n;
	int prefix = -1;

	if (t->type != IKE_TS_IPV4_ADDR_RANGE)
		return (size_t)snprintf(out, cap, "(TS type %u)", t->type);
	for (int p = 32; p >= 0 && prefix < 0; p--) {
		uint32_t host = p == 0 ? UINT32_MAX : (uint32_t)((1ull << (32 - p)) - 1);

		if ((lo & host) == 0 && hi == (lo | host))
			prefix = p;
	}
	if (prefix >= 0)
		n = (size_t)snprintf(out, cap, "%u.%u.%u.%u/%d", lo >> 24, (lo >> 16) & 0xff,
		                     (lo >> 8) & 0xff, lo & 0xff, prefix);
	else
		n = (size_t)snprintf(out, cap, "%u.%u.%u.%u..%u.%u.%u.%u", lo >> 24,
		                     (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff, hi >> 24,
		                     (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff);
	if (n >= cap)
		return n;
	if (t->ip_proto || t->start_port != 0 || t->end_port != 65535) {
		if (t->start_port == 0 && t->end_port == 65535)
			n += (size_t)snprintf(out + n, cap - n, "[%u]", t->ip_proto);
		else if (t->start_port == t->end_port)
			n += (size_t)snprintf(out + n, cap - n, "[%u/%u]", t->ip_proto,
			                      t->start_port);
		else
			n += (size_t)snprintf(out + n, cap - n, "[%u/%u-%u]", t->ip_proto,
			                      t->start_port, t->end_port);
	}
	return n;
}

void ike_ts_format(const struct ike_ts *ts, size_t n, char *out, size_t cap)
{
	size_t used = 0;

	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++) {
		if (i)
			used += (size_t)snprintf(out + used, cap - used, " ");
		if (used < cap)
			used += format_one(&ts[i], out + used, cap - used);
	}
}

struct ipsec_selector ike_ts_selector(const struct ike_ts *l, const struct ike_ts *r)
{
	struct ipsec_selector s = {0};

	s.local_addr = (struct ipsec_range32){ike_ts_v4_start(l), ike_ts_v4_end(l)};
	s.remote_addr = (struct ipsec_range32){ike_ts_v4_start(r), ike_ts_v4_end(r)};
	s.protocol = l->ip_proto ? l->ip_proto : r->ip_proto;
	s.local_port = (struct ipsec_range16){l->start_port, l->end_port};
	s.remote_port = (struct ipsec_range16){r->start_port, r->end_port};
	return s;
}
