/* The two halves of a sweep on SLURM that run on the cluster: an array task
 * (one run of the plan) and the merge step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "metrics.h"
#include "paths.h"
#include "progress.h"
#include "slurm.h"
#include "slurm_plan.h"

static struct sweep_task task_of(const struct slurm_plan *p, const struct slurm_run *r)
{
	return (struct sweep_task){
	        .scenario_path = p->scenario_path,
	        .text = p->text,
	        .text_len = p->text_len,
	        .sets = (const char *const *)r->sets,
	        .n_sets = r->n_sets,
	        .seed = r->seed,
	        .run_number = r->run_number,
	        .run_id = r->run_id,
	        .config_id = r->config_id,
	        .out_dir = p->out_dir,
	        .pcap = p->pcap,
	};
}

/* Finds run `id` in the plan: 1, 0 when it has none, -1 on a bad plan. */
static int find_run(struct slurm_plan *p, int64_t id, struct slurm_run *r)
{
	int got;
	while ((got = slurm_plan_next(p, r, stderr)) == 1 && r->run_id != id)
		slurm_run_free(r);
	return got;
}

int slurm_task(const char *plan, const char *task)
{
	char *end;
	errno = 0;
	long long id = task ? strtoll(task, &end, 10) : 0;
	if (!task || errno || end == task || *end || id < 1) {
		fprintf(stderr, "sweep-task: '%s' is not a task id (SLURM_ARRAY_TASK_ID unset?)\n",
		        task ? task : "");
		return 2;
	}
	struct slurm_plan p;
	struct slurm_run r = {0};
	int rc = 2;
	if (slurm_plan_open(&p, plan, stderr) != 0)
		goto out;
	int got = find_run(&p, id, &r);
	if (got == 0)
		fprintf(stderr, "%s: no run %lld (the plan has %zu)\n", plan, id, p.n_runs);
	if (got != 1)
		goto out;
	struct sweep_task t = task_of(&p, &r);
	double t0 = progress_now();
	printf("sweep-task: run %lld (config %lld, replication %llu) of %s\n", id,
	       (long long)r.config_id, (unsigned long long)r.replication, p.scenario_path);
	fflush(stdout);
	rc = sweep_task_run(&t, stderr, stderr);
	printf("sweep-task: run %lld %s in %.3f s wall\n", id, rc ? "did not complete" : "complete",
	       progress_now() - t0);
out:
	slurm_run_free(&r);
	slurm_plan_close(&p);
	return rc;
}

/* A database for run r whose task left none: the run, 'failed'. */
static int record_failed(const struct slurm_plan *p, const struct slurm_run *r, const char *db)
{
	char dir[4200];
	sweep_run_dir(p->out_dir, r->run_id, dir, sizeof dir);
	unlink(db);
	if (mkdirs(dir) != 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	size_t len = 1;
	for (size_t i = 0; i < r->n_sets; i++)
		len += strlen(r->sets[i]) + 1;
	char *overrides = calloc(1, len), err[512];
	if (!overrides) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < r->n_sets; i++) {
		strcat(overrides, r->sets[i]);
		strcat(overrides, "\n");
	}
	struct metrics_run_info info = {.scenario_name = p->scenario_name,
	                                .scenario_path = p->scenario_path,
	                                .scenario_text = p->text,
	                                .overrides = overrides,
	                                .seed = r->seed,
	                                .run_number = r->run_number,
	                                .run_id = r->run_id,
	                                .config_id = r->config_id};
	struct metrics m;
	int rc = metrics_open(&m, db, &info, err, sizeof err);
	free(overrides);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	rc = metrics_abandon(&m, "its SLURM task wrote no results (see the task's log)");
	metrics_close(&m);
	return rc;
}

static int64_t already_merged(sqlite3 *db, int64_t run_id)
{
	sqlite3_stmt *st;
	int64_t found = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM runs WHERE run_id = ?", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return found;
}

/* Run r into `out`: its task's database, or a failed run.  0 or -1. */
static int merge_run(sqlite3 *out, const struct slurm_plan *p, const struct slurm_run *r)
{
	int64_t merged = already_merged(out, r->run_id);
	if (merged != 0)
		return merged > 0 ? 0 : -1;
	char dir[4200], db[4300], err[512];
	sweep_run_dir(p->out_dir, r->run_id, dir, sizeof dir);
	snprintf(db, sizeof db, "%s/metrics.sqlite", dir);
	int64_t n = -1;
	const char *why = "its task left no database";
	if (access(db, F_OK) == 0) {
		why = "its task's database holds no run";
		if ((n = metrics_merge(out, db, "failed", err, sizeof err)) < 0) {
			fprintf(stderr, "sweep-merge: run %lld: %s\n", (long long)r->run_id, err);
			why = "its task's database cannot be merged";
		} else if (n > 1) {
			fprintf(stderr, "sweep-merge: %s: %lld runs, not run %lld alone\n", db,
			        (long long)n, (long long)r->run_id);
			return -1;
		}
	}
	if (n != 1) {
		printf("sweep-merge: run %lld: %s; recorded as failed\n", (long long)r->run_id,
		       why);
		if (record_failed(p, r, db) != 0)
			return -1;
		if (metrics_merge(out, db, "failed", err, sizeof err) != 1) {
			fprintf(stderr, "sweep-merge: run %lld: %s\n", (long long)r->run_id, err);
			return -1;
		}
	}
	unlink(db);
	if (!p->pcap)
		remove_tree(dir);
	return 0;
}

int slurm_merge(const char *plan)
{
	struct slurm_plan p;
	if (slurm_plan_open(&p, plan, stderr) != 0) {
		slurm_plan_close(&p);
		return 2;
	}
	double t0 = progress_now();
	char path[4200], err[512];
	snprintf(path, sizeof path, "%s/metrics.sqlite", p.out_dir);
	sqlite3 *db;
	int rc = 1;
	if (sqlite3_open(path, &db) != SQLITE_OK || metrics_schema(db, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	struct slurm_run r;
	int got;
	while ((got = slurm_plan_next(&p, &r, stderr)) == 1) {
		int failed = merge_run(db, &p, &r);
		slurm_run_free(&r);
		if (failed)
			goto out;
	}
	if (got == 0) {
		snprintf(path, sizeof path, "%s/runs", p.out_dir);
		rmdir(path); /* if no run kept captures there */
		sqlite3_close(db);
		db = NULL;
		rc = sweep_summary(p.out_dir, p.n_runs, progress_now() - t0);
	}
out:
	sqlite3_close(db);
	slurm_plan_close(&p);
	return rc;
}
