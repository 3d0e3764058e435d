#include "sweep.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "merge.h"
#include "metrics.h"
#include "paths.h"
#include "progress.h"
#include "scenario.h"
#include "sim.h"
#include "slurm.h"

/* How often the parent looks at its workers and redraws the progress. */
#define POLL_NS 50000000L

struct worker {
	pid_t pid; /* 0: free */
	size_t run;
};

struct sweep {
	const struct sweep_plan *plan;
	const struct sweep_options *o;
	const char *out_dir;
	const char *text; /* the scenario file as read once (sweep_options) */
	size_t text_len;
	uint64_t seed;
	struct worker *workers;
	size_t running;
	struct progress progress;
};

static volatile sig_atomic_t stop_requests;

static void on_stop(int sig)
{
	(void)sig;
	stop_requests = stop_requests + 1;
}

/* The overrides of configuration `config` after the --set ones. */
static void print_config(const struct sweep_plan *p, size_t config, char **sets, size_t n, FILE *f)
{
	fprintf(f, "sweep: in configuration %zu:", config + 1);
	for (size_t i = p->n_sets; i < n; i++)
		fprintf(f, " %s", sets[i]);
	fputc('\n', f);
}

static int load(const struct sweep *sw, size_t config, struct scenario *s, FILE *errors)
{
	size_t n;
	char **sets = sweep_plan_sets(sw->plan, config, &n);
	if (!sets) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	const char **labels = sweep_plan_labels(sw->plan, config);
	int rc = scenario_load_config(sw->o->scenario_path, sw->text, sw->text_len,
	                              (const char *const *)sets, labels, n, s, errors);
	free(labels);
	if (rc != 0 && sw->plan->n_axes)
		print_config(sw->plan, config, sets, n, errors);
	sweep_plan_free_sets(sets, n);
	return rc;
}

/* Loads configuration c, printing its errors; the warnings of the first
 * configuration only (the others would repeat them). */
static int load_quietly(const struct sweep *sw, size_t c, struct scenario *s)
{
	if (c == 0)
		return load(sw, c, s, stderr);
	char *text = NULL;
	size_t len = 0;
	FILE *messages = open_memstream(&text, &len);
	int rc = load(sw, c, s, messages);
	if (messages)
		fclose(messages);
	if (rc != 0 && text)
		fputs(text, stderr);
	free(text);
	return rc;
}

/* Loads every configuration once, so that a mistake stops the sweep before
 * anything runs; keeps the scenario name and seed. */
static int validate(struct sweep *sw, char **name)
{
	for (size_t c = 0; c < sw->plan->n_configs; c++) {
		struct scenario s = {0};
		int rc = load_quietly(sw, c, &s);
		if (rc == 0 && c == 0) {
			*name = strdup(s.name);
			sw->seed = sw->o->seed ? sw->o->seed : s.seed;
			if (!*name) {
				fprintf(stderr, "out of memory\n");
				rc = -1;
			}
		}
		scenario_free(&s);
		if (rc != 0)
			return -1;
	}
	return 0;
}

void sweep_run_dir(const char *out_dir, int64_t run_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/runs/%lld", out_dir, (long long)run_id);
}

static void run_dir(const struct sweep *sw, size_t run, char *buf, size_t len)
{
	sweep_run_dir(sw->out_dir, (int64_t)run + 1, buf, len);
}

int sweep_task_run(const struct sweep_task *t, FILE *errors, FILE *log)
{
	struct scenario s = {0};
	int rc = 1;
	if (scenario_load_config(t->scenario_path, t->text, t->text_len, t->sets, NULL, t->n_sets,
	                         &s, errors) == 0) {
		char dir[4200];
		sweep_run_dir(t->out_dir, t->run_id, dir, sizeof dir);
		struct sim_options o = {
		        .seed = t->seed,
		        .run_number = t->run_number,
		        .out_dir = dir,
		        .pcap = t->pcap,
		        .run_id = t->run_id,
		        .config_id = t->config_id,
		};
		rc = sim_run(&s, &o, NULL, log, NULL);
	}
	scenario_free(&s);
	return rc;
}

/* In the worker: one run into OUT/runs/RUN_ID, then _exit. */
static void work(const struct sweep *sw, size_t run)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	size_t config = run / sw->plan->replications, n;
	char **sets = sweep_plan_sets(sw->plan, config, &n);
	int rc = 1;
	if (sets) {
		struct sweep_task t = {
		        .scenario_path = sw->o->scenario_path,
		        .text = sw->text,
		        .text_len = sw->text_len,
		        .sets = (const char *const *)sets,
		        .n_sets = n,
		        .seed = sw->seed,
		        .run_number = run % sw->plan->replications + 1,
		        .run_id = (int64_t)run + 1,
		        .config_id = (int64_t)config + 1,
		        .out_dir = sw->out_dir,
		        .pcap = sw->o->pcap,
		};
		/* validated: its messages are out */
		rc = sweep_task_run(&t, NULL, stderr);
	} else
		fprintf(stderr, "out of memory\n");
	sweep_plan_free_sets(sets, n);
#ifdef __SANITIZE_ADDRESS__
	/* _exit skips LeakSanitizer's check at exit: the run's leaks are
	 * looked for here (a leak fails the worker, and so the sweep). */
	__lsan_do_leak_check();
#endif
	_exit(rc);
}

static int spawn(struct sweep *sw, size_t run)
{
	struct worker *w = sw->workers;
	while (w->pid)
		w++;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sweep: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0)
		work(sw, run);
	*w = (struct worker){.pid = pid, .run = run};
	sw->running++;
	return 0;
}

static void signal_workers(struct sweep *sw, int sig)
{
	for (size_t i = 0; i < sw->o->jobs; i++)
		if (sw->workers[i].pid)
			kill(sw->workers[i].pid, sig);
}

static sqlite3 *open_out(const char *out_dir)
{
	char path[4200], err[512];
	snprintf(path, sizeof path, "%s/metrics.sqlite", out_dir);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		snprintf(err, sizeof err, "%s", db ? sqlite3_errmsg(db) : "out of memory");
	else if (metrics_schema(db, err, sizeof err) == 0) {
		sqlite3_busy_timeout(db, 10000);
		return db;
	}
	fprintf(stderr, "%s: %s\n", path, err);
	sqlite3_close(db);
	return NULL;
}

/* The status, simulated and wall time of a merged run. */
static void run_row(sqlite3 *db, int64_t run_id, char status[16], double *sim, double *wall)
{
	sqlite3_stmt *st;
	snprintf(status, 16, "failed");
	*sim = *wall = 0;
	if (sqlite3_prepare_v2(db,
	                       "SELECT status, sim_seconds, wall_seconds FROM runs WHERE run_id=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 0));
		*sim = sqlite3_column_double(st, 1);
		*wall = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
}

/* A worker ended: its database into OUT/metrics.sqlite, its folder away
 * unless it holds captures. */
static void collect(struct sweep *sw, pid_t pid, int wstatus)
{
	struct worker *w = sw->workers;
	while (w->pid != pid)
		w++;
	size_t run = w->run;
	w->pid = 0;
	sw->running--;
	char dir[4200], db_path[4300], err[512], status[16];
	run_dir(sw, run, dir, sizeof dir);
	snprintf(db_path, sizeof db_path, "%s/metrics.sqlite", dir);
	double sim = 0, wall = 0;
	sqlite3 *db = open_out(sw->out_dir);
	snprintf(status, sizeof status, "failed");
	if (db && metrics_merge(db, db_path, stop_requests ? "interrupted" : "failed", err,
	                        sizeof err) < 0) {
		fprintf(stderr, "sweep: run %zu (exit status %d): %s\n", run + 1,
		        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus), err);
	} else if (db)
		run_row(db, (int64_t)run + 1, status, &sim, &wall);
	sqlite3_close(db);
	unlink(db_path);
	if (!sw->o->pcap)
		remove_tree(dir);
	progress_run_done(&sw->progress, (int64_t)run + 1, run / sw->plan->replications + 1,
	                  run % sw->plan->replications, status, sim, wall, sw->running);
}

static void supervise(struct sweep *sw)
{
	size_t next = 0, total = sweep_plan_runs(sw->plan);
	int signalled = 0;
	while ((next < total && !stop_requests) || sw->running) {
		if (stop_requests > signalled) {
			/* the first request stops the runs (they write what they
			 * have), a second one kills them */
			signal_workers(sw, stop_requests > 1 ? SIGKILL : SIGINT);
			signalled = stop_requests;
		}
		while (!stop_requests && sw->running < sw->o->jobs && next < total)
			if (spawn(sw, next++) != 0)
				stop_requests = 1;
		int wstatus;
		pid_t pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid > 0) {
			collect(sw, pid, wstatus);
			continue;
		}
		progress_tick(&sw->progress, sw->running);
		nanosleep(&(struct timespec){0, POLL_NS}, NULL);
	}
}

int sweep_prepare_out(const char *out_dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/runs", out_dir);
	if (remove_tree(path) != 0 || mkdirs(path) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/metrics.sqlite", out_dir);
	char why[256];
	if (metrics_replaceable(path, why, sizeof why) != 0) {
		fprintf(stderr, "%s: %s; a sweep replaces it: remove it or choose another --out\n",
		        path, why);
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	sqlite3 *db = open_out(out_dir);
	sqlite3_close(db);
	return db ? 0 : -1;
}

int sweep_summary(const char *out_dir, size_t total, double wall)
{
	sqlite3 *db = open_out(out_dir);
	if (!db)
		return 1;
	sqlite3_stmt *st;
	size_t complete = 0;
	fprintf(stdout, "sweep: %zu runs planned:", total);
	if (sqlite3_prepare_v2(db, "SELECT status, count(*) FROM runs GROUP BY 1 ORDER BY 1", -1,
	                       &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *status = (const char *)sqlite3_column_text(st, 0);
			size_t n = (size_t)sqlite3_column_int64(st, 1);
			fprintf(stdout, " %zu %s", n, status);
			if (!strcmp(status, "complete"))
				complete = n;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	fprintf(stdout, " in %.1f s wall\nresults: %s/metrics.sqlite\n", wall, out_dir);
	return complete == total ? 0 : 1;
}

int sweep_run(const struct sweep_plan *p, const struct sweep_options *o)
{
	struct sweep sw = {.plan = p, .o = o, .text = o->text, .text_len = o->text_len};
	char *name = NULL, default_out[4096];
	if (validate(&sw, &name) != 0) {
		free(name);
		return 2;
	}
	snprintf(default_out, sizeof default_out, "results/%s", name);
	sw.out_dir = o->out_dir ? o->out_dir : default_out;
	sw.workers = calloc(o->jobs, sizeof *sw.workers);
	int rc = 1;
	if (!sw.workers)
		fprintf(stderr, "out of memory\n");
	else if (sweep_prepare_out(sw.out_dir) != 0)
		;
	else if (o->slurm) {
		struct sweep_fixed f = {.plan = p,
		                        .o = o,
		                        .scenario_name = name,
		                        .text = sw.text,
		                        .text_len = sw.text_len,
		                        .seed = sw.seed,
		                        .out_dir = sw.out_dir};
		rc = slurm_sweep(&f, o->slurm);
	} else {
		stop_requests = 0;
		struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term, old_hup;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		sigaction(SIGHUP, &sa, &old_hup); /* a closed terminal stops it too */
		progress_start(&sw.progress, stderr, sweep_plan_runs(p), o->jobs);
		supervise(&sw);
		progress_end(&sw.progress);
		char runs[4200];
		snprintf(runs, sizeof runs, "%s/runs", sw.out_dir);
		rmdir(runs); /* if no run kept captures there */
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		if (stop_requests)
			fprintf(stdout, "sweep: interrupted\n");
		rc = sweep_summary(sw.out_dir, sweep_plan_runs(p), progress_now() - sw.progress.t0);
	}
	free(sw.workers);
	free(name);
	return rc;
}
