#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "metrics.h"
#include "run_config.h"

/* Tables merged by their own rules; every other table with a run_id column
 * is copied with run_id shifted. */
static const char *const SPECIAL[] = {"configs", "parameters", "runs"};

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

/* temp.config_map(old, new): the config_id in `out` of each configuration of
 * `src`. */
static int map_configs(sqlite3 *db)
{
	if (exec(db,
	         "CREATE TEMP TABLE config_map(old INTEGER PRIMARY KEY, new INTEGER NOT NULL)") !=
	    0)
		return -1;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT config_id, scenario_name, scenario_sha256, parameters"
	                       " FROM src.configs ORDER BY config_id",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(st, 0), new;
		if (run_config_record(db, (const char *)sqlite3_column_text(st, 1),
		                      (const char *)sqlite3_column_text(st, 2),
		                      (const char *)sqlite3_column_text(st, 3), old, &new) != 0)
			break;
		char sql[96];
		snprintf(sql, sizeof sql, "INSERT INTO temp.config_map VALUES(%lld, %lld)",
		         (long long)old, (long long)new);
		if (exec(db, sql) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* INSERT INTO main.T(columns) SELECT <columns, run_id shifted, ...> FROM src.T */
static int copy_table(sqlite3 *db, const char *table, int64_t offset, const char *running_as)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main')", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_str *cols = sqlite3_str_new(db), *vals = sqlite3_str_new(db);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *sep = sqlite3_str_length(cols) ? ", " : "";
		sqlite3_str_appendf(cols, "%s\"%w\"", sep, c);
		if (!strcmp(c, "run_id"))
			sqlite3_str_appendf(vals, "%srun_id + %lld", sep, (long long)offset);
		else if (!strcmp(c, "config_id") && !strcmp(table, "runs"))
			sqlite3_str_appendf(
			        vals, "%s(SELECT new FROM temp.config_map WHERE old = config_id)",
			        sep);
		else if (!strcmp(c, "status") && !strcmp(table, "runs") && running_as)
			sqlite3_str_appendf(vals,
			                    "%sCASE status WHEN 'running' THEN %Q ELSE status END",
			                    sep, running_as);
		else
			sqlite3_str_appendf(vals, "%s\"%w\"", sep, c);
	}
	sqlite3_finalize(st);
	char *c = sqlite3_str_finish(cols), *v = sqlite3_str_finish(vals);
	char *sql =
	        c && v ? sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s FROM src.\"%w\"",
	                                 table, c, v, table)
	               : NULL;
	int ok = rc == SQLITE_DONE && sql && exec(db, sql) == 0;
	sqlite3_free(c);
	sqlite3_free(v);
	sqlite3_free(sql);
	return ok ? 0 : -1;
}

static int copy_run_tables(sqlite3 *db, int64_t offset)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT m.name FROM src.sqlite_master m"
	                       " WHERE m.type = 'table' AND EXISTS(SELECT 1 FROM"
	                       " pragma_table_info(m.name, 'src') WHERE name = 'run_id')"
	                       " ORDER BY m.name",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		int special = 0;
		for (size_t i = 0; i < sizeof SPECIAL / sizeof SPECIAL[0]; i++)
			special |= !strcmp(t, SPECIAL[i]);
		if (!special && copy_table(db, t, offset, NULL) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int64_t merge_attached(sqlite3 *db, const char *in, const char *running_as, char *err,
                              size_t errlen)
{
	if (exec(db, "BEGIN IMMEDIATE") != 0) {
		snprintf(err, errlen, "%s: %s", in, sqlite3_errmsg(db));
		return -1;
	}
	int64_t n = scalar(db, "SELECT count(*) FROM src.runs");
	int64_t clash = scalar(db, "SELECT EXISTS(SELECT 1 FROM src.runs s JOIN main.runs m"
	                           " USING(run_id))");
	int64_t offset = clash ? scalar(db, "SELECT max(run_id) FROM main.runs") : 0;
	if (n < 0 || clash < 0 || offset < 0 || map_configs(db) != 0 ||
	    copy_table(db, "runs", offset, running_as) != 0 || copy_run_tables(db, offset) != 0 ||
	    exec(db, "DROP TABLE temp.config_map") != 0 || exec(db, "COMMIT") != 0) {
		snprintf(err, errlen, "%s: merging: %s", in, sqlite3_errmsg(db));
		exec(db, "ROLLBACK");
		return -1;
	}
	return n;
}

int64_t metrics_merge(sqlite3 *out, const char *in, const char *running_as, char *err,
                      size_t errlen)
{
	struct stat sb;
	if (stat(in, &sb) != 0) {
		snprintf(err, errlen, "%s: no such database", in);
		return -1;
	}
	char *sql = sqlite3_mprintf("ATTACH %Q AS src", in);
	int rc = sql ? exec(out, sql) : -1;
	sqlite3_free(sql);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", in, sqlite3_errmsg(out));
		return -1;
	}
	int version = metrics_schema_version(out, "src");
	int64_t n = -1;
	if (version < 0)
		snprintf(err, errlen, "%s: %s", in, sqlite3_errmsg(out));
	else if (version != METRICS_SCHEMA_VERSION)
		snprintf(err, errlen,
		         "%s: not a metrics database of schema version %d (user_version %d)", in,
		         METRICS_SCHEMA_VERSION, version);
	else
		n = merge_attached(out, in, running_as, err, errlen);
	exec(out, "DETACH src");
	return n;
}
