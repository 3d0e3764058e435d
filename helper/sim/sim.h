/* Builds a scenario into an ns-3 simulation, runs it, and writes the results:
 * OUT/metrics.sqlite, OUT/pcap/, OUT/keys/ (docs/metrics-schema.md). */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

struct sim_options {
	uint64_t seed;       /* the ns-3 seed */
	uint64_t run_number; /* the ns-3 run (substream), 1 for a single run */
	const char *out_dir;
	bool pcap;
	/* The ids the run gets in OUT/metrics.sqlite, 0 for the next free ones
	 * (a sweep numbers its runs and configurations in advance). */
	int64_t run_id, config_id;
};

/* What a run cost, for benchmarks. */
struct sim_report {
	double wall_seconds; /* building and running the simulation */
	uint64_t events;
	uint64_t packets_received; /* by all flows */
};

/* 0 when the run completed, 1 when it failed or was interrupted (a message
 * on `log`).  A summary goes to `summary` unless it is NULL; `report` is
 * filled unless it is NULL. */
int sim_run(const struct scenario *s, const struct sim_options *o, FILE *summary, FILE *log,
            struct sim_report *report);

#endif
