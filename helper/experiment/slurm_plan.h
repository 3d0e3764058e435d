/* The plan of a sweep sent to SLURM: a text file that fixes, for every run,
 * everything a local sweep would give its worker — run id, config id,
 * replication, ns-3 seed and run number, the resolved overrides — so that
 * array task RUN_ID (`ipsec-sim sweep-task PLAN RUN_ID`) runs exactly run
 * RUN_ID of the local sweep, and the merge step (`ipsec-sim sweep-merge
 * PLAN`) knows which runs to expect.  Format (docs/experiments.md):
 *
 *   ipsec-sim sweep plan 1
 *   scenario_path scenarios/site-to-site.yaml   (as given: recorded in runs)
 *   scenario_copy /abs/OUT/slurm/scenario.yaml  (the text the runs use)
 *   scenario_name site-to-site
 *   scenario_sha256 <64 hex digits of the copy's text>
 *   out /abs/OUT
 *   pcap 0
 *   runs 4
 *   run 1 config 1 replication 0 run_number 1 seed 1
 *   set traffic.0.rate=1Mbps
 *   run 2 ...
 *
 * One item per line, a key, one space, the rest of the line its value; the
 * `set` lines after a `run` line are that run's overrides, in order. */
#ifndef SLURM_PLAN_H
#define SLURM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep.h"

#define SLURM_PLAN_MAGIC "ipsec-sim sweep plan 1"

struct slurm_plan {
	char *scenario_path, *scenario_copy, *scenario_name, *scenario_sha256, *out_dir;
	bool pcap;
	size_t n_runs;
	char *text; /* the copy's text, checked against scenario_sha256 */
	size_t text_len;
	/* reading */
	const char *path;
	FILE *f;
	size_t line_no;
	char *line; /* the line read ahead */
	size_t line_cap;
	bool ahead;
};

struct slurm_run {
	int64_t run_id, config_id;
	uint64_t replication, run_number, seed;
	char **sets;
	size_t n_sets;
};

/* Writes the plan of the validated sweep `f`, whose scenario text is copied
 * at `copy` and whose output folder is `out` (both absolute).  0, or -1
 * after a message on stderr. */
int slurm_plan_write(FILE *to, const struct sweep_fixed *f, const char *copy, const char *out);

/* Reads the header of the plan at `path` and the scenario copy it names.
 * 0, or -1 after a message ("PLAN:LINE: ...") on `err`. */
int slurm_plan_open(struct slurm_plan *p, const char *path, FILE *err);
/* The next run: 1, 0 after the last, -1 after a message on `err`.  Free
 * the run with slurm_run_free(). */
int slurm_plan_next(struct slurm_plan *p, struct slurm_run *r, FILE *err);
void slurm_run_free(struct slurm_run *r);
void slurm_plan_close(struct slurm_plan *p);

#endif
