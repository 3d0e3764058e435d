#include "metrics.h"

#include <math.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "run_config.h"

#define TEXT_OF_(x) #x
#define TEXT_OF(x) TEXT_OF_(x)

/* The schema; docs/metrics-schema.md describes every column. */
static const char SCHEMA[] =
        "CREATE TABLE IF NOT EXISTS configs("
        " config_id INTEGER PRIMARY KEY, scenario_name TEXT NOT NULL,"
        " scenario_sha256 TEXT NOT NULL, parameters TEXT NOT NULL,"
        " UNIQUE(scenario_sha256, parameters));"
        "CREATE TABLE IF NOT EXISTS parameters("
        " config_id INTEGER NOT NULL REFERENCES configs, key TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY(config_id, key));"
        "CREATE TABLE IF NOT EXISTS runs("
        " run_id INTEGER PRIMARY KEY,"
        " scenario_name TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_text TEXT NOT NULL,"
        " overrides TEXT NOT NULL, seed INTEGER NOT NULL, run_number INTEGER NOT NULL,"
        " version TEXT NOT NULL, openssl_version TEXT NOT NULL, ns3_version TEXT NOT NULL,"
        " sqlite_version TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK(status IN ('running','complete','interrupted','failed')),"
        " failure TEXT,"
        " sim_seconds REAL, events INTEGER,"
        " started_at TEXT NOT NULL, wall_seconds REAL,"
        " config_id INTEGER NOT NULL REFERENCES configs, replication INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS sas("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, sa TEXT NOT NULL,"
        " spi INTEGER NOT NULL, dir TEXT NOT NULL, protocol TEXT NOT NULL, mode TEXT NOT NULL,"
        " enc TEXT NOT NULL, integ TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,"
        " packets INTEGER NOT NULL, bytes INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
        " drops INTEGER NOT NULL, soft_expired INTEGER NOT NULL, hard_expired INTEGER NOT NULL,"
        " esn INTEGER NOT NULL);"
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
        " delay_min_ms REAL, delay_max_ms REAL, throughput_bps REAL NOT NULL,"
        " completion_s REAL, retransmits INTEGER);"
        "CREATE TABLE IF NOT EXISTS flow_bins("
        " run_id INTEGER NOT NULL REFERENCES runs, flow TEXT NOT NULL, start_s REAL NOT NULL,"
        " width_s REAL NOT NULL, sent INTEGER NOT NULL, received INTEGER NOT NULL,"
        " lost INTEGER NOT NULL, delay_mean_ms REAL, delay_max_ms REAL);"
        "CREATE TABLE IF NOT EXISTS events("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " sa TEXT, event TEXT NOT NULL, detail TEXT);"
        "CREATE TABLE IF NOT EXISTS attacks("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, action TEXT NOT NULL,"
        " at_s REAL NOT NULL, planned INTEGER NOT NULL, performed INTEGER NOT NULL,"
        " bytes INTEGER NOT NULL, kind TEXT, target TEXT, rate_pps REAL);"
        "CREATE TABLE IF NOT EXISTS nat("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, outside TEXT NOT NULL,"
        " mapping TEXT NOT NULL, translated_out INTEGER NOT NULL, translated_in INTEGER NOT NULL,"
        " passed INTEGER NOT NULL, drops INTEGER NOT NULL, mappings_created INTEGER NOT NULL,"
        " mappings_expired INTEGER NOT NULL, mappings_flushed INTEGER NOT NULL,"
        " mappings_rebound INTEGER NOT NULL, mappings_final INTEGER NOT NULL,"
        " peak_mappings INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS nat_drops("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, reason TEXT NOT NULL,"
        " packets INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS ike_sa_events("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " conn TEXT NOT NULL, ike_sa INTEGER NOT NULL, spi_i TEXT NOT NULL, spi_r TEXT NOT NULL,"
        " initiator INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, replaced_by INTEGER);"
        "CREATE TABLE IF NOT EXISTS child_sa_events("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " conn TEXT NOT NULL, child TEXT, ike_sa INTEGER NOT NULL, spi_in TEXT NOT NULL,"
        " spi_out TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, old_spi_in TEXT,"
        " old_spi_out TEXT, rekey_ms REAL, rekey_lost INTEGER, late_packets INTEGER);"
        "CREATE TABLE IF NOT EXISTS ike_exchanges("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " conn TEXT, ike_sa INTEGER NOT NULL, exchange TEXT NOT NULL, initiator INTEGER NOT NULL,"
        " message_id INTEGER NOT NULL, rtt_ms REAL, retransmits INTEGER NOT NULL,"
        " ok INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS ike_failures("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " conn TEXT, child TEXT, diagnostic TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS ike_nat("
        " run_id INTEGER NOT NULL REFERENCES runs, time_s REAL NOT NULL, node TEXT NOT NULL,"
        " conn TEXT, ike_sa INTEGER NOT NULL, nat_local INTEGER NOT NULL,"
        " nat_remote INTEGER NOT NULL, peer TEXT NOT NULL, nat_fake INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS ike_stats("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, rx INTEGER NOT NULL,"
        " tx INTEGER NOT NULL, retransmits INTEGER NOT NULL, dropped_malformed INTEGER NOT NULL,"
        " dropped_unknown_spi INTEGER NOT NULL, dropped_integrity INTEGER NOT NULL,"
        " dropped_replay INTEGER NOT NULL, dropped_other INTEGER NOT NULL,"
        " cookies_sent INTEGER NOT NULL, keepalives INTEGER NOT NULL,"
        " half_open INTEGER NOT NULL, half_open_peak INTEGER NOT NULL,"
        " frag_tx INTEGER NOT NULL, frag_rx INTEGER NOT NULL,"
        " frag_reassembled INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS ike_frag_drops("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, reason TEXT NOT NULL,"
        " fragments INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS link_stats("
        " run_id INTEGER NOT NULL REFERENCES runs, link INTEGER NOT NULL, dir TEXT NOT NULL,"
        " src TEXT NOT NULL, dst TEXT NOT NULL, loss_model TEXT NOT NULL,"
        " packets INTEGER NOT NULL, lost INTEGER NOT NULL, bytes INTEGER NOT NULL,"
        " loss_ratio REAL, loss_bursts INTEGER NOT NULL, mean_burst REAL, model_loss REAL,"
        " rate_changes INTEGER NOT NULL, delay_changes INTEGER NOT NULL,"
        " outages INTEGER NOT NULL, handovers INTEGER NOT NULL, down_s REAL NOT NULL);"
        "CREATE TABLE IF NOT EXISTS link_windows("
        " run_id INTEGER NOT NULL REFERENCES runs, link INTEGER NOT NULL, dir TEXT NOT NULL,"
        " start_s REAL NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL,"
        " lost INTEGER NOT NULL, rate_bps REAL NOT NULL, delay_ms REAL NOT NULL);"
        "CREATE TABLE IF NOT EXISTS crypto_engines("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, profile TEXT NOT NULL,"
        " profile_path TEXT NOT NULL, lanes INTEGER NOT NULL, queue_limit INTEGER NOT NULL,"
        " latency_us REAL NOT NULL, ike TEXT NOT NULL, packets INTEGER NOT NULL,"
        " bytes INTEGER NOT NULL, drops INTEGER NOT NULL, utilisation REAL NOT NULL,"
        " queue_mean REAL NOT NULL, queue_max INTEGER NOT NULL, wait_mean_us REAL NOT NULL,"
        " wait_max_us REAL NOT NULL, ike_dh INTEGER NOT NULL, ike_sign INTEGER NOT NULL,"
        " ike_verify INTEGER NOT NULL, ike_prf INTEGER NOT NULL, ike_busy_ms REAL NOT NULL,"
        " ike_utilisation REAL NOT NULL, costs TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS crypto_engine_bins("
        " run_id INTEGER NOT NULL REFERENCES runs, node TEXT NOT NULL, start_s REAL NOT NULL,"
        " width_s REAL NOT NULL, busy_ms REAL NOT NULL, utilisation REAL NOT NULL,"
        " drops INTEGER NOT NULL);"
        "PRAGMA user_version = " TEXT_OF(METRICS_SCHEMA_VERSION) ";";

int metrics_schema_version(sqlite3 *db, const char *schema)
{
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA \"%s\".user_version", schema);
	sqlite3_stmt *st;
	int version = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

int metrics_schema(sqlite3 *db, char *err, size_t errlen)
{
	int version = metrics_schema_version(db, "main");
	if (version < 0) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (version != 0 && version != METRICS_SCHEMA_VERSION) {
		snprintf(err, errlen, "metrics schema version %d; this ipsec-sim writes version %d",
		         version, METRICS_SCHEMA_VERSION);
		return -1;
	}
	if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "creating the schema: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int metrics_replaceable(const char *path, char *why, size_t len)
{
	struct stat sb;
	if (stat(path, &sb) != 0 || (S_ISREG(sb.st_mode) && sb.st_size == 0))
		return 0;
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, len, "not a file");
		return -1;
	}
	sqlite3 *db;
	int version = -1, runs = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		version = metrics_schema_version(db, "main");
		sqlite3_stmt *st;
		if (version > 0 &&
		    sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name='runs'", -1, &st,
		                       NULL) == SQLITE_OK) {
			runs = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
		}
	}
	if (version < 0)
		snprintf(why, len, "not an SQLite database (%s)", db ? sqlite3_errmsg(db) : "");
	else if (!runs)
		snprintf(why, len, "an SQLite database that ipsec-sim did not write");
	sqlite3_close(db);
	return version > 0 && runs ? 0 : -1;
}

static int record_config(sqlite3 *db, const struct metrics_run_info *info, int64_t *config_id)
{
	char *parameters = run_config_parameters(info->overrides);
	if (!parameters)
		return -1;
	char sha[65];
	run_config_sha256(info->scenario_text, strlen(info->scenario_text), sha);
	int rc = run_config_record(db, info->scenario_name, sha, parameters, info->config_id,
	                           config_id);
	free(parameters);
	return rc;
}

static int fail(struct metrics *m, char *err, size_t errlen, const char *what, const char *why)
{
	if (!why)
		why = m->db ? sqlite3_errmsg(m->db) : "out of memory";
	snprintf(err, errlen, "%s: %s", what, why);
	metrics_close(m);
	return -1;
}

int metrics_open(struct metrics *m, const char *path, const struct metrics_run_info *info,
                 char *err, size_t errlen)
{
	m->run_id = 0;
	if (sqlite3_open(path, &m->db) != SQLITE_OK)
		return fail(m, err, errlen, path, NULL);
	sqlite3_busy_timeout(m->db, 10000);
	char why[256];
	if (metrics_schema(m->db, why, sizeof why) != 0)
		return fail(m, err, errlen, path, why);
	int64_t config_id;
	if (sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    record_config(m->db, info, &config_id) != 0)
		return fail(m, err, errlen, "recording the configuration", NULL);
	char started[32];
	time_t now = time(NULL);
	strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            m->db,
	            "INSERT INTO runs(scenario_name, scenario_path, scenario_text,"
	            " overrides, seed, run_number, version, openssl_version, ns3_version,"
	            " sqlite_version, status, started_at, run_id, config_id, replication)"
	            " VALUES(?,?,?,?,?,?,?,?,'3.37',?,'running',?,NULLIF(?,0),?,?)",
	            -1, &st, NULL) != SQLITE_OK)
		return fail(m, err, errlen, "recording the run", NULL);
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
	sqlite3_bind_int64(st, 11, info->run_id);
	sqlite3_bind_int64(st, 12, config_id);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)info->run_number - 1);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(m, err, errlen, "recording the run", NULL);
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
		case 'i': {
			int64_t v = va_arg(ap, int64_t);
			if (v == METRICS_NULL_INT)
				sqlite3_bind_null(st, col);
			else
				sqlite3_bind_int64(st, col, v);
			break;
		}
		case 'd': {
			double d = va_arg(ap, double);
			if (isnan(d))
				sqlite3_bind_null(st, col);
			else
				sqlite3_bind_double(st, col, d);
			break;
		}
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

int metrics_finish(struct metrics *m, const char *status, const char *failure, double sim_seconds,
                   uint64_t events, double wall_seconds)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db,
	                       "UPDATE runs SET status=?, failure=?, sim_seconds=?, events=?,"
	                       " wall_seconds=? WHERE run_id=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, failure, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, sim_seconds);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)events);
	sqlite3_bind_double(st, 5, wall_seconds);
	sqlite3_bind_int64(st, 6, m->run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int metrics_abandon(struct metrics *m, const char *why)
{
	if (!sqlite3_get_autocommit(m->db))
		sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, "UPDATE runs SET status='failed', failure=? WHERE run_id=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void metrics_close(struct metrics *m)
{
	if (m->db)
		sqlite3_close(m->db);
	m->db = NULL;
}
