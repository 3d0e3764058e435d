#include "metrics.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* The schema; docs/metrics-schema.md describes every column. */
static const char SCHEMA[] =
        "CREATE TABLE IF NOT EXISTS runs("
        " run_id INTEGER PRIMARY KEY,"
        " scenario_name TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_text TEXT NOT NULL,"
        " overrides TEXT NOT NULL, seed INTEGER NOT NULL, run_number INTEGER NOT NULL,"
        " version TEXT NOT NULL, openssl_version TEXT NOT NULL, ns3_version TEXT NOT NULL,"
        " sqlite_version TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK(status IN ('running','complete','interrupted','failed')),"
        " sim_seconds REAL, events INTEGER,"
        " started_at TEXT NOT NULL, wall_seconds REAL);"
        "CREATE TABLE IF NOT EXISTS sas("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, sa TEXT NOT NULL,"
        " spi INTEGER NOT NULL, dir TEXT NOT NULL, protocol TEXT NOT NULL, mode TEXT NOT NULL,"
        " enc TEXT NOT NULL, integ TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,"
        " packets INTEGER NOT NULL, bytes INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
        " drops INTEGER NOT NULL, soft_expired INTEGER NOT NULL, hard_expired INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS sa_drops("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, sa TEXT NOT NULL,"
        " reason TEXT NOT NULL, packets INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS drops("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, reason TEXT NOT NULL,"
        " packets INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS flows("
        " run_id INTEGER NOT NULL REFERENCES runs, flow TEXT NOT NULL, type TEXT NOT NULL,"
        " src_node TEXT NOT NULL, dst TEXT NOT NULL, sent INTEGER NOT NULL,"
        " received INTEGER NOT NULL, lost INTEGER NOT NULL, duplicates INTEGER NOT NULL,"
        " loss_ratio REAL NOT NULL, bytes_received INTEGER NOT NULL,"
        " delay_kind TEXT NOT NULL, delay_mean_ms REAL, delay_p50_ms REAL, delay_p99_ms REAL,"
        " delay_min_ms REAL, delay_max_ms REAL, throughput_bps REAL NOT NULL);"
        "CREATE TABLE IF NOT EXISTS events("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " sa TEXT, event TEXT NOT NULL, detail TEXT);"
        "CREATE TABLE IF NOT EXISTS attacks("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, action TEXT NOT NULL,"
        " at_s REAL NOT NULL, planned INTEGER NOT NULL, performed INTEGER NOT NULL);";

static int fail(struct metrics *m, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, m->db ? sqlite3_errmsg(m->db) : "out of memory");
	metrics_close(m);
	return -1;
}

int metrics_open(struct metrics *m, const char *path, const struct metrics_run_info *info,
                 char *err, size_t errlen)
{
	m->run_id = 0;
	if (sqlite3_open(path, &m->db) != SQLITE_OK)
		return fail(m, err, errlen, path);
	sqlite3_busy_timeout(m->db, 10000);
	if (sqlite3_exec(m->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
		return fail(m, err, errlen, "creating the schema");
	char started[32];
	time_t now = time(NULL);
	strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            m->db,
	            "INSERT INTO runs(scenario_name, scenario_path, scenario_text,"
	            " overrides, seed, run_number, version, openssl_version, ns3_version,"
	            " sqlite_version, status, started_at)"
	            " VALUES(?,?,?,?,?,?,?,?,'3.37',?,'running',?)",
	            -1, &st, NULL) != SQLITE_OK)
		return fail(m, err, errlen, "recording the run");
	sqlite3_bind_text(st, 1, info->scenario_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, info->scenario_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, info->scenario_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, info->overrides, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)info->seed);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)info->run_number);
	sqlite3_bind_text(st, 7, IPSEC_SIM_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, OpenSSL_version(OPENSSL_VERSION), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, sqlite3_libversion(), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, started, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(m, err, errlen, "recording the run");
	m->run_id = sqlite3_last_insert_rowid(m->db);
	return 0;
}

int metrics_begin(struct metrics *m)
{
	return sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int metrics_insert(struct metrics *m, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, m->run_id);
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		int col = i + 2;
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, col, va_arg(ap, int64_t));
			break;
		case 'd':
			sqlite3_bind_double(st, col, va_arg(ap, double));
			break;
		case 't': {
			const char *t = va_arg(ap, const char *);
			if (t)
				sqlite3_bind_text(st, col, t, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, col);
			break;
		}
		}
	}
	va_end(ap);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int metrics_finish(struct metrics *m, const char *status, double sim_seconds, uint64_t events,
                   double wall_seconds)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db,
	                       "UPDATE runs SET status=?, sim_seconds=?, events=?, wall_seconds=?"
	                       " WHERE run_id=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, sim_seconds);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)events);
	sqlite3_bind_double(st, 4, wall_seconds);
	sqlite3_bind_int64(st, 5, m->run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

void metrics_close(struct metrics *m)
{
	if (m->db)
		sqlite3_close(m->db);
	m->db = NULL;
}
