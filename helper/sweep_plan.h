/* What a sweep runs: the cartesian product of every `--vary key=v1,v2,...`
 * list on top of the `--set` overrides, each configuration `replications`
 * times.  Configurations are numbered from 0 with the first --vary varying
 * slowest; run r of the sweep is configuration r / replications,
 * replication r % replications (docs/experiments.md). */
#ifndef SWEEP_PLAN_H
#define SWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* At most this many runs in one sweep. */
#define SWEEP_MAX_RUNS 1000000

struct sweep_axis {
	char *key;
	char **values;
	size_t n_values;
};

struct sweep_plan {
	const char *const *sets; /* the --set overrides, "key=value" */
	size_t n_sets;
	struct sweep_axis *axes;
	size_t n_axes;
	size_t n_configs; /* the product of the axes' lengths (1 without axes) */
	uint32_t replications;
};

/* Adds the axis of one `--vary key=v1,v2,...` argument.  0, or -1 after a
 * message on `err`. */
int sweep_plan_add_axis(struct sweep_plan *p, const char *arg, FILE *err);
/* Sets n_configs once every axis is added: 0, or -1 after a message on
 * `err` when the plan has more than SWEEP_MAX_RUNS runs. */
int sweep_plan_count(struct sweep_plan *p, FILE *err);
size_t sweep_plan_runs(const struct sweep_plan *p);
/* The overrides of configuration `config`: the --set ones, then one
 * "key=value" per axis (so an axis wins over a --set of the same key).
 * *n is set to their number; free with sweep_plan_free_sets(); NULL when out
 * of memory. */
char **sweep_plan_sets(const struct sweep_plan *p, size_t config, size_t *n);
void sweep_plan_free_sets(char **sets, size_t n);
void sweep_plan_free(struct sweep_plan *p);

#endif
