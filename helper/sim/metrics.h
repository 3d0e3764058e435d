/* The metrics database (docs/metrics-schema.md).  A run is first recorded
 * as 'running' and committed; its results are written in one transaction
 * that also marks it 'complete' (or 'interrupted'), so a run that dies
 * leaves a database that opens and says so. */
#ifndef METRICS_H
#define METRICS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* PRAGMA user_version of the databases written; bump it with every schema
 * change (merge refuses databases of another version). */
#define METRICS_SCHEMA_VERSION 12

struct metrics {
	sqlite3 *db;
	int64_t run_id;
};

struct metrics_run_info {
	const char *scenario_name, *scenario_path, *scenario_text;
	const char *overrides; /* "key=value" lines */
	uint64_t seed, run_number;
	/* 0: the next free id.  Sweeps number runs and configurations in
	 * advance; replication is stored as run_number - 1. */
	int64_t run_id, config_id;
};

/* Creates the tables (if missing) in an empty database or one of this
 * schema version.  0, or -1 with a message in err. */
int metrics_schema(sqlite3 *db, char *err, size_t errlen);
/* PRAGMA user_version of the attached database `schema` ("main", ...):
 * METRICS_SCHEMA_VERSION for ours, 0 for an empty one; -1 on error. */
int metrics_schema_version(sqlite3 *db, const char *schema);

/* Whether a run may replace the file at `path`: 0 when there is none, it
 * is empty, or it is a metrics database of ours (any schema version); -1
 * with the reason in `why` otherwise (another program's database, or no
 * database at all: replacing it would destroy someone's data). */
int metrics_replaceable(const char *path, char *why, size_t len);
/* Opens (creating if needed) the database and records a new running run.
 * Returns 0, or -1 with a message in err. */
int metrics_open(struct metrics *m, const char *path, const struct metrics_run_info *info,
                 char *err, size_t errlen);
int metrics_begin(struct metrics *m);
/* An 'i' argument that is stored as NULL (a 'd' is NULL when NaN, a 't'
 * when NULL). */
#define METRICS_NULL_INT INT64_MIN

/* Executes one INSERT with the run id bound to ?1 and then the arguments as
 * described by `types`: 'i' int64, 'd' double, 't' text. */
int metrics_insert(struct metrics *m, const char *sql, const char *types, ...);
/* Marks the run finished with `status` (and `failure`, why it failed, or
 * NULL) and commits. */
int metrics_finish(struct metrics *m, const char *status, const char *failure, double sim_seconds,
                   uint64_t events, double wall_seconds);
/* Gives up on the run's results: rolls back what metrics_begin started and
 * marks the run 'failed' with `why`, on its own.  0, or -1 if even that
 * cannot be written (the run then stays 'running'). */
int metrics_abandon(struct metrics *m, const char *why);
void metrics_close(struct metrics *m);

#endif
