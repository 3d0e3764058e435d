/* Runs a sweep plan: every run in a worker process of its own (fork), each
 * writing a database of its own under OUT/runs/RUN_ID/, which the parent
 * alone merges into OUT/metrics.sqlite as the run ends — so SQLite never
 * sees two writers, and OUT/metrics.sqlite is consistent at every moment
 * (docs/experiments.md). */
#ifndef SWEEP_H
#define SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "sweep_plan.h"

struct sweep_options {
	const char *scenario_path;
	const char *out_dir; /* NULL: results/<scenario name> */
	uint64_t seed;       /* 0: the scenario's */
	unsigned jobs;       /* worker processes at a time */
	bool pcap;           /* keep captures in OUT/runs/RUN_ID/pcap */
};

/* 0 when every run completed; 1 when one did not or the sweep was
 * interrupted (SIGINT, SIGTERM); 2 when a configuration does not load (its
 * errors on stderr). */
int sweep_run(const struct sweep_plan *p, const struct sweep_options *o);

#endif
