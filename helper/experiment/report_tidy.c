/* Tidy exports of `ipsec-sim report` (report_text.h): one row per
 * observation, a column per variable, for R and pandas.  Each is one query;
 * the configuration's label is put beside its config_id. */
#include <stdio.h>
#include <string.h>

#include "report_text.h"

static const struct {
	const char *file, *sql;
} TIDY[] = {
        {"flows-by-run.csv",
         "SELECT r.config_id, r.run_id, r.replication, r.seed, r.status, f.flow, f.type,"
         " f.src_node, f.dst, f.sent, f.received, f.lost, f.duplicates, f.loss_ratio,"
         " f.bytes_received, f.throughput_bps, f.delay_kind, f.delay_mean_ms, f.delay_p50_ms,"
         " f.delay_p99_ms, f.delay_min_ms, f.delay_max_ms, f.completion_s, f.retransmits"
         " FROM flows f JOIN runs r USING(run_id) ORDER BY r.run_id, f.rowid"},
        {"drops-by-run.csv",
         "SELECT r.config_id, r.run_id, r.replication, r.seed, r.status, d.node, d.reason,"
         " d.packets FROM drops d JOIN runs r USING(run_id) ORDER BY r.run_id, d.rowid"},
};

static int write_one(const struct report *r, const char *sql, const char *path)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	FILE *f = fopen(path, "w");
	if (!f) {
		sqlite3_finalize(st);
		return -1;
	}
	int n = sqlite3_column_count(st), rc;
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s%s", i ? "," : "", sqlite3_column_name(st, i));
		if (i == 0)
			fputs(",label", f);
	}
	fputc('\n', f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', f);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				break;
			case SQLITE_FLOAT: /* every bit of it */
				fprintf(f, "%.17g", sqlite3_column_double(st, i));
				break;
			default:
				report_csv_text(f, (const char *)sqlite3_column_text(st, i));
			}
			if (i == 0) {
				size_t c = report_config_index(r, sqlite3_column_int64(st, 0));
				fputc(',', f);
				report_csv_text(f, c == (size_t)-1 ? "" : r->configs[c].label);
			}
		}
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	int err = ferror(f);
	return fclose(f) != 0 || err || rc != SQLITE_DONE ? -1 : 0;
}

int report_write_tidy(const struct report *r, const char *dir, FILE *out, FILE *log)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof TIDY / sizeof TIDY[0]; i++) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", dir, TIDY[i].file);
		if (write_one(r, TIDY[i].sql, path) != 0) {
			fprintf(log, "%s: cannot write (%s)\n", path, sqlite3_errmsg(r->db));
			rc = -1;
		} else {
			fprintf(out, "%s\n", path);
		}
	}
	return rc;
}
