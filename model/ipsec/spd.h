/* The Security Policy Database (RFC 4301 §4.4.1): an ordered list of
 * entries, first match wins, and a default action when none matches. */
#ifndef IPSEC_SPD_H
#define IPSEC_SPD_H

#include "ipsec.h"
#include "ipv4.h"

#include <stdbool.h>
#include <stddef.h>

struct spd {
	struct ipsec_spd_entry *entries;
	uint32_t *ids; /* ids[i] names entries[i]; ids are never reused */
	size_t count, cap;
	uint32_t next_id;
	enum ipsec_action default_action;
};

void spd_init(struct spd *spd);
void spd_free(struct spd *spd);
/* Insert at position `pos` (0 .. count); returns the new entry's id, 0 if
 * out of memory. */
uint32_t spd_insert_at(struct spd *spd, size_t pos, const struct ipsec_spd_entry *entry);
/* Position of the entry with `id`, or -1. */
long spd_find(const struct spd *spd, uint32_t id);
void spd_remove_at(struct spd *spd, size_t pos);

/* RFC 4301 §4.4.1.1: does a packet travelling in `dir` match the selector?
 * Outbound, the packet's source is local; inbound, its destination is.  A
 * range of {0, 0} means ANY. */
bool selector_match(const struct ipsec_selector *sel, const struct ip_selector_fields *f,
                    enum ipsec_dir dir);

/* RFC 4301 §5.1 step 1, §5.2 step 3: the first matching entry, or NULL when
 * the default action applies. */
const struct ipsec_spd_entry *spd_lookup(const struct spd *spd, const struct ip_selector_fields *f,
                                         enum ipsec_dir dir);

/* The id of an entry spd_lookup() returned. */
static inline uint32_t spd_entry_id(const struct spd *spd, const struct ipsec_spd_entry *e)
{
	return spd->ids[e - spd->entries];
}

#endif
