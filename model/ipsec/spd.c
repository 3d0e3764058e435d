/* The Security Policy Database (RFC 4301 §4.4.1). */
#include "spd.h"

#include <stdlib.h>
#include <string.h>

void spd_init(struct spd *spd)
{
	*spd = (struct spd){.default_action = IPSEC_ACTION_BYPASS};
}

void spd_free(struct spd *spd)
{
	free(spd->entries);
	free(spd->ids);
	*spd = (struct spd){0};
}

uint32_t spd_insert_at(struct spd *spd, size_t pos, const struct ipsec_spd_entry *entry)
{
	if (spd->count == spd->cap) {
		size_t cap = spd->cap ? spd->cap * 2 : 16;
		struct ipsec_spd_entry *n = realloc(spd->entries, cap * sizeof(*n));
		uint32_t *ids;

		if (!n)
			return 0;
		spd->entries = n;
		ids = realloc(spd->ids, cap * sizeof(*ids));
		if (!ids)
			return 0;
		spd->ids = ids;
		spd->cap = cap;
	}
	memmove(&spd->entries[pos + 1], &spd->entries[pos],
	        (spd->count - pos) * sizeof(*spd->entries));
	memmove(&spd->ids[pos + 1], &spd->ids[pos], (spd->count - pos) * sizeof(*spd->ids));
	spd->entries[pos] = *entry;
	spd->ids[pos] = ++spd->next_id;
	spd->count++;
	return spd->ids[pos];
}

long spd_find(const struct spd *spd, uint32_t id)
{
	for (size_t i = 0; i < spd->count; i++)
		if (spd->ids[i] == id)
			return (long)i;
	return -1;
}

void spd_remove_at(struct spd *spd, size_t pos)
{
	memmove(&spd->entries[pos], &spd->entries[pos + 1],
	        (spd->count - pos - 1) * sizeof(*spd->entries));
	memmove(&spd->ids[pos], &spd->ids[pos + 1], (spd->count - pos - 1) * sizeof(*spd->ids));
	spd->count--;
}

/* ipsec.h: {0, 0} and the full range both mean ANY. */
static bool range16_any(const struct ipsec_range16 *r)
{
	return r->lo == 0 && (r->hi == 0 || r->hi == UINT16_MAX);
}

static bool in16(const struct ipsec_range16 *r, uint16_t v, bool opaque)
{
	if (range16_any(r))
		return true;
	/* RFC 4301 §4.4.1.1: OPAQUE (non-initial fragment) matches only ANY. */
	return !opaque && v >= r->lo && v <= r->hi;
}

static bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_SCTP ||
	       proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6;
}

bool selector_match(const struct ipsec_selector *sel, const struct ip_selector_fields *f,
                    enum ipsec_dir dir)
{
	bool out = dir == IPSEC_DIR_OUT;
	const struct ip_addr *local = out ? &f->src : &f->dst, *remote = out ? &f->dst : &f->src;
	uint16_t lport, rport;
	bool opaque = f->opaque || !proto_has_ports(f->proto);

	if (!ip_range_contains(&sel->local_addr, local) ||
	    !ip_range_contains(&sel->remote_addr, remote))
		return false;
	if (sel->protocol && sel->protocol != f->proto)
		return false;
	if (f->proto == IPPROTO_NUM_ICMP || f->proto == IPPROTO_NUM_ICMPV6) {
		/* ICMP type and code are not directional. */
		lport = f->sport;
		rport = f->dport;
	} else {
		lport = out ? f->sport : f->dport;
		rport = out ? f->dport : f->sport;
	}
	return in16(&sel->local_port, lport, opaque) && in16(&sel->remote_port, rport, opaque);
}

const struct ipsec_spd_entry *spd_lookup(const struct spd *spd, const struct ip_selector_fields *f,
                                         enum ipsec_dir dir)
{
	for (size_t i = 0; i < spd->count; i++)
		if (selector_match(&spd->entries[i].sel, f, dir))
			return &spd->entries[i];
	return NULL;
}
