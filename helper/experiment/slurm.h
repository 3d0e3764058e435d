/* `ipsec-sim sweep ... --slurm`: a sweep as a SLURM job array.  Into the
 * SLURM folder go the sweep's plan (slurm_plan.h), a copy of the scenario
 * text, a job-array batch script with one task per run (`ipsec-sim
 * sweep-task PLAN $SLURM_ARRAY_TASK_ID`, the local sweep's worker code) and
 * a merge script (`ipsec-sim sweep-merge PLAN`) to run after the array
 * (afterany); see docs/experiments.md. */
#ifndef SLURM_H
#define SLURM_H

#include <stdbool.h>

#include "sweep.h"

struct slurm_options {
	const char *dir;       /* NULL: OUT/slurm */
	const char *partition; /* NULL: the cluster's default */
	const char *time;      /* NULL: the partition's default time limit */
	bool submit;           /* sbatch both scripts */
};

/* Checks the options a user gave: 0, or -1 after a message on stderr. */
int slurm_options_check(const struct slurm_options *so);

/* Writes the SLURM folder of the validated sweep `f`, then prints the
 * sbatch commands or, with so->submit, submits both scripts and prints the
 * job ids.  0; 1 when something cannot be written or sbatch fails. */
int slurm_sweep(const struct sweep_fixed *f, const struct slurm_options *so);

/* The array task `task` of the plan at `plan`: that run, as a local sweep's
 * worker runs it.  0 when it completed, 1 when not, 2 on a bad plan/task. */
int slurm_task(const char *plan, const char *task);

/* The merge step of the plan at `plan`: every run's database merged into
 * OUT/metrics.sqlite (runs already there are skipped), a run whose task
 * left no database (or one that cannot be merged) recorded as failed, a
 * run left 'running' (a killed task) merged as failed.  Prints the sweep's
 * summary; 0 when every run is complete, 1 otherwise, 2 on a bad plan. */
int slurm_merge(const char *plan);

#endif
