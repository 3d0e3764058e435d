/* Loading scenarios in the loader's tests: each returns scenario_load's
 * status and leaves its messages in `errbuf` (empty when there were none;
 * the caller frees it at the end). */
#ifndef SCENARIO_TEST_LOAD_H
#define SCENARIO_TEST_LOAD_H

#include <stddef.h>

#include "scenario.h"

extern char *errbuf;

/* A shipped scenario, scenarios/NAME, with overrides. */
int load_file(const char *name, const char *const *sets, size_t nsets, struct scenario *s);
/* A scenario given as text (its messages name "t.yaml"). */
int load_text(const char *text, const char *const *sets, size_t nsets, struct scenario *s);

/* The text of an address or range ("10.1.0.0/24", "any"), in a buffer of
 * its own per call site's use until the next call. */
static inline const char *range_text(struct ip_range r)
{
	static char buf[2 * IP_ADDR_STRLEN];

	return ip_range_str(&r, buf);
}
#define ADDR_TEXT(a) range_text(ip_range_single(&(a)))

#endif
