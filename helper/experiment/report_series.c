/* Time series for `ipsec-sim report`, from flow_bins: per configuration,
 * flow and bin of send time, the throughput received (Mbit/s: the packets
 * received times the flow's mean packet size in the run) and the loss
 * ratio, mean and interval over the configuration's complete runs (a run
 * that sent nothing in a bin received nothing there: throughput 0, no loss
 * ratio).  The marks are what happened when: the scenario's timeline events
 * and the rekeys of the first configuration's first run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"
#include "scenario.h"

static const char BINS_SQL[] =
        "SELECT r.config_id, b.flow, b.start_s, b.width_s, b.sent, b.received,"
        " f.bytes_received * 1.0 / max(f.received, 1)"
        " FROM flow_bins b JOIN runs r USING(run_id)"
        " JOIN flows f ON f.run_id = b.run_id AND f.flow = b.flow"
        " WHERE r.status = 'complete' ORDER BY r.run_id, b.rowid";

static const char REKEYS_SQL[] =
        "SELECT 'Child SA rekey', min(time_s) FROM child_sa_events WHERE run_id = ?1"
        " GROUP BY min(spi_in, spi_out), max(spi_in, spi_out) HAVING sum(state = 'rekeyed') > 0"
        " UNION ALL SELECT 'IKE SA rekey', min(time_s) FROM ike_sa_events WHERE run_id = ?1"
        " AND state = 'established' AND reason = 'rekeyed' GROUP BY spi_i, spi_r";

/* Per cell (config, flow, bin): the sums over runs that sent something. */
struct acc {
	double *tput, *tput2; /* sums and sums of squares, over every run */
	struct report_samples *loss;
};

static size_t flow_index(struct report_series *s, const char *name)
{
	for (size_t i = 0; i < s->n_flows; i++)
		if (!strcmp(s->flows[i], name))
			return i;
	return (size_t)-1;
}

/* The flows, bin width and span of the database: 0, 1 if it has no bins,
 * -1 on error. */
static int shape(struct report *r, struct report_series *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT DISTINCT flow, min(width_s), max(start_s) FROM flow_bins"
	                       " GROUP BY flow ORDER BY min(rowid)",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	double end = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **more = realloc(s->flows, (s->n_flows + 1) * sizeof *more);
		if (!more)
			break;
		s->flows = more;
		s->flows[s->n_flows++] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!s->width_s || sqlite3_column_double(st, 1) < s->width_s)
			s->width_s = sqlite3_column_double(st, 1);
		if (sqlite3_column_double(st, 2) > end)
			end = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	if (!s->n_flows || s->width_s <= 0)
		return 1;
	s->n_bins = (size_t)lround(end / s->width_s) + 1;
	return 0;
}

static int gather(struct report *r, struct report_series *s, struct acc *a)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, BINS_SQL, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc, ok = 1;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t c = report_config_index(r, sqlite3_column_int64(st, 0));
		size_t f = flow_index(s, (const char *)sqlite3_column_text(st, 1));
		long k = lround(sqlite3_column_double(st, 2) / s->width_s);
		if (c == (size_t)-1 || f == (size_t)-1 || k < 0 || (size_t)k >= s->n_bins)
			continue;
		size_t i = (c * s->n_flows + f) * s->n_bins + (size_t)k;
		double sent = sqlite3_column_double(st, 4), received = sqlite3_column_double(st, 5);
		double mbps = received * sqlite3_column_double(st, 6) * 8 /
		              sqlite3_column_double(st, 3) / 1e6;
		a->tput[i] += mbps;
		a->tput2[i] += mbps * mbps;
		if (sent > 0)
			ok = report_samples_push(&a->loss[i], 100 * (sent - received) / sent) == 0;
	}
	sqlite3_finalize(st);
	return ok && rc == SQLITE_DONE ? 0 : -1;
}

/* The series and their marks from the database (report_data.h). */
static int marks(struct report *r, struct report_series *s)
{
	sqlite3_stmt *st;
	int64_t run = 0;
	char *text = NULL, *overrides = NULL;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT run_id, scenario_text, overrides FROM runs"
	                       " WHERE status = 'complete' ORDER BY config_id, run_id LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		run = sqlite3_column_int64(st, 0);
		text = strdup((const char *)sqlite3_column_text(st, 1));
		overrides = strdup((const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	int ok = run && text && overrides;
	/* the timeline of the scenario as that run had it */
	const char *sets[64];
	size_t n_sets = 0;
	for (char *line = ok ? strtok(overrides, "\n") : NULL; line && n_sets < 64;
	     line = strtok(NULL, "\n"))
		sets[n_sets++] = line;
	struct scenario sc;
	if (ok && scenario_load_text("scenario", text, strlen(text), sets, n_sets, &sc, NULL) == 0)
		for (size_t e = 0; e < sc.n_events; e++)
			ok = ok &&
			     report_series_mark(s, (double)sc.events[e].at_ns * 1e-9,
			                        scenario_event_name(sc.events[e].action)) == 0;
	if (ok)
		scenario_free(&sc);
	free(text);
	free(overrides);
	if (!ok || sqlite3_prepare_v2(r->db, REKEYS_SQL, -1, &st, NULL) != SQLITE_OK)
		return ok ? -1 : 0;
	sqlite3_bind_int64(st, 1, run);
	while (ok && sqlite3_step(st) == SQLITE_ROW)
		ok = report_series_mark(s, sqlite3_column_double(st, 1),
		                        (const char *)sqlite3_column_text(st, 0)) == 0;
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

int report_series_mark(struct report_series *s, double t, const char *what)
{
	struct report_mark *more = realloc(s->marks, (s->n_marks + 1) * sizeof *more);
	if (!more)
		return -1;
	s->marks = more;
	s->marks[s->n_marks] = (struct report_mark){.t = t};
	snprintf(s->marks[s->n_marks].what, sizeof s->marks[s->n_marks].what, "%s", what);
	s->n_marks++;
	return 0;
}

int report_series_load(struct report *r, char *err, size_t errlen)
{
	struct report_series *s = &r->series;
	int rc = shape(r, s);
	if (rc != 0) {
		if (rc < 0)
			snprintf(err, errlen, "time series: %s", sqlite3_errmsg(r->db));
		return rc < 0 ? -1 : 0;
	}
	size_t cells = r->n_configs * s->n_flows * s->n_bins;
	struct acc a = {calloc(cells + 1, sizeof *a.tput), calloc(cells + 1, sizeof *a.tput2),
	                calloc(cells + 1, sizeof *a.loss)};
	s->tput = calloc(cells + 1, sizeof *s->tput);
	s->loss = calloc(cells + 1, sizeof *s->loss);
	rc = a.tput && a.tput2 && a.loss && s->tput && s->loss && gather(r, s, &a) == 0 &&
	                     marks(r, s) == 0
	             ? 0
	             : -1;
	for (size_t i = 0; rc == 0 && i < cells; i++) {
		size_t runs = r->configs[i / (s->n_flows * s->n_bins)].complete;
		stats_mean_ci_sums(a.tput[i], a.tput2[i], runs, REPORT_CONFIDENCE, &s->tput[i]);
		stats_mean_ci_bootstrap(a.loss[i].v, a.loss[i].n, REPORT_CONFIDENCE, &s->loss[i]);
	}
	for (size_t i = 0; a.loss && i < cells; i++)
		free(a.loss[i].v);
	free(a.tput);
	free(a.tput2);
	free(a.loss);
	if (rc != 0)
		snprintf(err, errlen, "time series: %s", sqlite3_errmsg(r->db));
	return rc;
}

void report_series_free(struct report_series *s)
{
	for (size_t i = 0; i < s->n_flows; i++)
		free(s->flows[i]);
	free(s->flows);
	free(s->tput);
	free(s->loss);
	free(s->marks);
	*s = (struct report_series){0};
}
