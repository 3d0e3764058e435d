/* What a sweep runs: the cartesian product of the scenario's `sweep:` axes
 * and every `--vary key=v1,v2,...` list (with the keys of its `--with`
 * options zipped onto it), on top of the `--set` overrides,
 * each configuration `replications` times.  An axis is a list of levels,
 * each level the overrides of one of its values: one "key=value" for a
 * --vary (and one for each of its --with) or a key of a sweep map, a
 * configuration's for a sweep list.
 * Configurations are numbered from 0 with the first axis (the scenario's
 * first, then the --vary ones) varying slowest; run r of the sweep is
 * configuration r / replications, replication r % replications
 * (docs/experiments.md). */
#ifndef SWEEP_PLAN_H
#define SWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

/* At most this many runs in one sweep. */
#define SWEEP_MAX_RUNS SCENARIO_MAX_RUNS

struct sweep_level {
	char **sets; /* "key=value" */
	size_t n_sets;
};

struct sweep_axis {
	char *key;   /* what it varies: a path, or "sweep" for the scenario's list */
	char *where; /* NULL: a --vary; else where the scenario's sweep has it */
	struct sweep_level *levels;
	size_t n_levels;
};

struct sweep_plan {
	const char *const *sets; /* the --set overrides, "key=value" */
	size_t n_sets;
	struct sweep_axis *axes;
	size_t n_axes;
	size_t n_configs; /* the product of the axes' lengths (1 without axes) */
	uint32_t replications;
};

/* Adds the axes of the scenario's `sweep:`, first.  0, or -1 after a
 * message on `err`. */
int sweep_plan_add_scenario(struct sweep_plan *p, const struct scenario_experiment *e, FILE *err);
/* Adds the axis of one `--vary key=v1,v2,...` argument.  0, or -1 after a
 * message on `err` (also when another axis, the scenario's sweep included,
 * sets that key). */
int sweep_plan_add_axis(struct sweep_plan *p, const char *arg, FILE *err);
/* Adds the key of one `--with key=v1,v2,...` to the axis of the --vary
 * added last: its i-th level sets the key's i-th value too (a zipped axis:
 * the keys vary together, as the keys of one item of a sweep list).  0, or
 * -1 after a message on `err` (no --vary before it, another number of
 * values, a key another axis varies). */
int sweep_plan_add_zipped(struct sweep_plan *p, const char *arg, FILE *err);
/* Sets n_configs once every axis is added: 0, or -1 after a message on
 * `err` when the plan has more than SWEEP_MAX_RUNS runs. */
int sweep_plan_count(struct sweep_plan *p, FILE *err);
size_t sweep_plan_runs(const struct sweep_plan *p);
/* Where each of sweep_plan_sets()'s overrides came from, for messages:
 * NULL for a --set, "--vary", or the scenario sweep value's FILE:LINE:COL
 * (strings the plan owns).  free() the array; NULL when out of memory. */
const char **sweep_plan_labels(const struct sweep_plan *p, size_t config);
/* The overrides of configuration `config`: the --set ones, then those of
 * its level of each axis in order (so the sweep's and the --vary values win
 * over a --set of the same key).  *n is set to their number; free with
 * sweep_plan_free_sets(); NULL when out of memory. */
char **sweep_plan_sets(const struct sweep_plan *p, size_t config, size_t *n);
void sweep_plan_free_sets(char **sets, size_t n);
void sweep_plan_free(struct sweep_plan *p);

#endif
