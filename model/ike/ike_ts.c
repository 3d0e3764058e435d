/* Traffic selectors (RFC 7296 §2.9, §3.13): from the configuration, narrowed
 * by the responder, checked by the initiator, turned into SPD selectors. */
#include "ike_sa.h"

#include <stdio.h>
#include <string.h>

size_t ike_ts_from_config(const struct ike_ts_config *c, size_t n, struct ip_addr addr,
                          struct ike_ts *out)
{
	struct ip_range own = ip_range_single(&addr);

	if (n == 0) {
		/* swanctl's `dynamic`: the IKE SA's own address. */
		out[0] = ike_ts_make(0, &own, 0, 65535);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		/* An address range of no family: all of the IKE SA's. */
		struct ip_range r =
		        ip_range_any(&c[i].addr) ? ip_range_all(addr.family) : c[i].addr;
		bool any_port = c[i].port_lo == 0 && c[i].port_hi == 0;

		out[i] = ike_ts_make(c[i].protocol, &r, any_port ? 0 : c[i].port_lo,
		                     any_port ? 65535 : c[i].port_hi);
	}
	return n;
}

static bool is_addr_range(const struct ike_ts *t)
{
	return t->type == IKE_TS_IPV4_ADDR_RANGE || t->type == IKE_TS_IPV6_ADDR_RANGE;
}

/* The intersection of two address-range selectors of one family; false
 * if empty. */
static bool intersect(const struct ike_ts *a, const struct ike_ts *b, struct ike_ts *out)
{
	struct ip_range ra = ike_ts_range(a), rb = ike_ts_range(b), r;
	uint16_t plo, phi;
	uint8_t proto;

	if (!is_addr_range(a) || a->type != b->type)
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	r.lo = ip_addr_cmp(&ra.lo, &rb.lo) > 0 ? ra.lo : rb.lo;
	r.hi = ip_addr_cmp(&ra.hi, &rb.hi) < 0 ? ra.hi : rb.hi;
	plo = a->start_port > b->start_port ? a->start_port : b->start_port;
	phi = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (ip_addr_cmp(&r.lo, &r.hi) > 0 || plo > phi)
		return false;
	*out = ike_ts_make(proto, &r, plo, phi);
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
	struct ip_range ra = ike_ts_range(a), rb = ike_ts_range(b);

	return is_addr_range(a) && a->type == b->type &&
	       (!b->ip_proto || a->ip_proto == b->ip_proto) && ip_addr_cmp(&ra.lo, &rb.lo) >= 0 &&
	       ip_addr_cmp(&ra.hi, &rb.hi) <= 0 && a->start_port >= b->start_port &&
	       a->end_port <= b->end_port;
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

/* strongSwan's notation: 10.1.0.0/16, 10.1.0.1..10.1.0.9, 2001:db8::/64,
 * [udp/53]. */
static size_t format_one(const struct ike_ts *t, char *out, size_t cap)
{
	struct ip_range r = ike_ts_range(t);
	char text[2 * IP_ADDR_STRLEN], *dash;
	size_t n;

	if (!is_addr_range(t))
		return (size_t)snprintf(out, cap, "(TS type %u)", t->type);
	ip_range_str(&r, text);
	dash = strchr(text, '-');
	if (dash)
		n = (size_t)snprintf(out, cap, "%.*s..%s", (int)(dash - text), text, dash + 1);
	else if (!strchr(text, '/'))
		n = (size_t)snprintf(out, cap, "%s/%d", text,
		                     r.lo.family == IP_FAMILY_V4 ? 32 : 128);
	else
		n = (size_t)snprintf(out, cap, "%s", text);
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

	s.local_addr = ike_ts_range(l);
	s.remote_addr = ike_ts_range(r);
	s.protocol = l->ip_proto ? l->ip_proto : r->ip_proto;
	s.local_port = (struct ipsec_range16){l->start_port, l->end_port};
	s.remote_port = (struct ipsec_range16){r->start_port, r->end_port};
	return s;
}
