/* Runs a sweep plan: every run in a worker process of its own (fork), each
 * writing a database of its own under OUT/runs/RUN_ID/, which the parent
 * alone merges into OUT/metrics.sqlite as the run ends — so SQLite never
 * sees two writers, and OUT/metrics.sqlite is consistent at every moment
 * (docs/experiments.md). */
#ifndef SWEEP_H
#define SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep_plan.h"

struct slurm_options;

struct sweep_options {
	const char *scenario_path;
	const char *text; /* the scenario file as read once: every run loads it */
	size_t text_len;
	const char *out_dir; /* NULL: results/<scenario name> */
	uint64_t seed;       /* 0: the scenario's */
	unsigned jobs;       /* worker processes at a time */
	bool pcap;           /* keep captures in OUT/runs/RUN_ID/pcap */
	/* non-NULL: write SLURM batch scripts instead of running (slurm.h) */
	const struct slurm_options *slurm;
};

/* 0 when every run completed; 1 when one did not or the sweep was
 * interrupted (SIGINT, SIGTERM); 2 when a configuration does not load (its
 * errors on stderr). */
int sweep_run(const struct sweep_plan *p, const struct sweep_options *o);

/* One run of a sweep, as a worker runs it: a local worker process or a
 * batch system's task (`ipsec-sim sweep-task`). */
struct sweep_task {
	const char *scenario_path; /* as given to sweep: recorded, named in messages */
	const char *text;          /* the scenario text the sweep read */
	size_t text_len;
	const char *const *sets; /* the configuration's overrides */
	size_t n_sets;
	uint64_t seed, run_number;
	int64_t run_id, config_id;
	const char *out_dir; /* the sweep's: the run writes OUT/runs/RUN_ID */
	bool pcap;
};

/* Runs `t` into OUT/runs/RUN_ID/metrics.sqlite.  0 when the run completed,
 * 1 otherwise (messages on `log`, the loader's on `errors` unless NULL). */
int sweep_task_run(const struct sweep_task *t, FILE *errors, FILE *log);

/* OUT/runs/RUN_ID */
void sweep_run_dir(const char *out_dir, int64_t run_id, char *buf, size_t len);

/* What a validated sweep fixes, for the writers of batch jobs. */
struct sweep_fixed {
	const struct sweep_plan *plan;
	const struct sweep_options *o;
	const char *scenario_name;
	const char *text; /* the scenario text, read once */
	size_t text_len;
	uint64_t seed;
	const char *out_dir;
};

/* Empties OUT: OUT/runs/ and OUT/metrics.sqlite replaced by empty ones.
 * 0, or -1 after a message on stderr. */
int sweep_prepare_out(const char *out_dir);
/* Prints the runs of OUT/metrics.sqlite by status ("sweep: N runs planned:
 * ...") after `wall` seconds; 0 when `total` runs are complete, else 1. */
int sweep_summary(const char *out_dir, size_t total, double wall);

#endif
