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

#endif
