/* Time series for `ipsec-sim report`, from flow_bins: per configuration,
 * flow and bin of send time, the throughput received (Mbit/s: the packets
 * received times the flow's mean packet size in the run), the loss ratio
 * and the mean delay, mean and interval over the configuration's complete
 * runs (a run that sent nothing in a bin received nothing there: throughput
 * 0, no loss ratio; one that received nothing has no delay there).  From
 * crypto_engine_bins, per configuration, engine and bin, its utilisation.
 * The marks are what happened when: the scenario's timeline events, and the
 * rekeys, handovers and outages of the first configuration's first run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"
#include "scenario.h"

/* `delay` is flow_bins.delay_mean_ms, or NULL before schema 11 */
#define BINS_SQL(delay)                                                                            \
	"SELECT r.config_id, b.flow, b.start_s, b.run_id, b.sent, b.received,"                     \
	" f.bytes_received * 1.0 / max(f.received, 1), " delay                                     \
	" FROM flow_bins b JOIN runs r USING(run_id)"                                              \
	" JOIN flows f ON f.run_id = b.run_id AND f.flow = b.flow"                                 \
	" WHERE r.status = 'complete' ORDER BY r.run_id, b.rowid"

static const char ENGINE_BINS_SQL[] =
        "SELECT r.config_id, b.node, b.start_s, b.run_id, 100.0 * b.utilisation, b.width_s"
        " FROM crypto_engine_bins b JOIN runs r USING(run_id)"
        " WHERE r.status = 'complete' ORDER BY r.run_id, b.rowid";

/* A series has at most this many points: narrower bins are drawn merged
 * (100 ms bins of a 600 s run as 2 s ones), per run, before the mean and
 * interval over runs. */
#define SERIES_POINTS 300

static const char MARKS_SQL[] =
        "SELECT 'Child SA rekey', min(time_s) FROM child_sa_events WHERE run_id = ?1"
        " GROUP BY min(spi_in, spi_out), max(spi_in, spi_out) HAVING sum(state = 'rekeyed') > 0"
        " UNION ALL SELECT 'IKE SA rekey', min(time_s) FROM ike_sa_events WHERE run_id = ?1"
        " AND state = 'established' AND reason = 'rekeyed' GROUP BY spi_i, spi_r"
        /* cellular links' handovers and outages, not in `events:` */
        " UNION ALL SELECT CASE event WHEN 'outage_start' THEN 'outage' ELSE event END, time_s"
        " FROM events WHERE run_id = ?1 AND event IN ('handover', 'outage_start')";

/* Per cell (config, flow, bin): the sums over runs that sent something. */
struct acc {
	double *tput, *tput2; /* sums and sums of squares, over every run */
	struct report_samples *loss, *delay;
};

/* One run's merged bins of a flow: packets sent and received, bytes
 * received, delay x received (of bins with a delay) and the packets of
 * those. */
struct run_bin {
	double sent, received, bytes, delay, delayed;
};

static size_t name_index(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return (size_t)-1;
}

/* The series' names (flows or engines, column 0 of `sql`), their narrowest
 * bin width (column 1) and the number of bins to the latest start (column
 * 2): 0, 1 if there are none, -1 on error. */
static int shape(struct report *r, const char *sql, char ***names, size_t *n, double *width_s,
                 size_t *n_bins)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	double end = 0;
	int ok = 1;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		char **more = realloc(*names, (*n + 1) * sizeof *more);
		ok = more && (more[*n] = strdup((const char *)sqlite3_column_text(st, 0)));
		if (more)
			*names = more;
		*n += ok;
		if (!*width_s || sqlite3_column_double(st, 1) < *width_s)
			*width_s = sqlite3_column_double(st, 1);
		if (sqlite3_column_double(st, 2) > end)
			end = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	if (!ok)
		return -1;
	if (!*n || *width_s <= 0)
		return 1;
	*n_bins = (size_t)lround(end / *width_s) + 1;
	return 0;
}

/* Widens the bins for display (SERIES_POINTS at most): how many merge. */
static size_t merge_bins(double *width_s, size_t *n_bins)
{
	size_t merged = (*n_bins + SERIES_POINTS - 1) / SERIES_POINTS;
	merged = merged ? merged : 1;
	*width_s *= (double)merged;
	*n_bins = (*n_bins + merged - 1) / merged;
	return merged;
}

/* One run's merged bins of its configuration c into the sums. */
static int flush_run(struct report_series *s, struct acc *a, size_t c, struct run_bin *run)
{
	int ok = 1;
	for (size_t j = 0; j < s->n_flows * s->n_bins; j++) {
		struct run_bin *b = &run[j];
		size_t i = c * s->n_flows * s->n_bins + j;
		double mbps = b->bytes * 8 / s->width_s / 1e6;
		a->tput[i] += mbps;
		a->tput2[i] += mbps * mbps;
		if (b->sent > 0)
			ok &= report_samples_push(&a->loss[i],
			                          100 * (b->sent - b->received) / b->sent) == 0;
		if (b->delayed > 0)
			ok &= report_samples_push(&a->delay[i], b->delay / b->delayed) == 0;
		*b = (struct run_bin){0};
	}
	return ok ? 0 : -1;
}

static int gather(struct report *r, struct report_series *s, struct acc *a, size_t merged)
{
	sqlite3_stmt *st;
	struct run_bin *run = calloc(s->n_flows * s->n_bins + 1, sizeof *run);
	if (!run || sqlite3_prepare_v2(
	                    r->db, r->schema >= 11 ? BINS_SQL("b.delay_mean_ms") : BINS_SQL("NULL"),
	                    -1, &st, NULL) != SQLITE_OK) {
		free(run);
		return -1;
	}
	int rc, ok = 1;
	int64_t run_id = -1;
	size_t config = (size_t)-1;
	double base = s->width_s / (double)merged;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t c = report_config_index(r, sqlite3_column_int64(st, 0));
		size_t f =
		        name_index(s->flows, s->n_flows, (const char *)sqlite3_column_text(st, 1));
		long k = lround(sqlite3_column_double(st, 2) / base) / (long)merged;
		if (sqlite3_column_int64(st, 3) != run_id) {
			if (config != (size_t)-1)
				ok = flush_run(s, a, config, run) == 0;
			run_id = sqlite3_column_int64(st, 3);
			config = c;
		}
		if (c == (size_t)-1 || f == (size_t)-1 || k < 0 || (size_t)k >= s->n_bins)
			continue;
		struct run_bin *b = &run[f * s->n_bins + (size_t)k];
		double received = sqlite3_column_double(st, 5);
		b->sent += sqlite3_column_double(st, 4);
		b->received += received;
		b->bytes += received * sqlite3_column_double(st, 6);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			b->delay += sqlite3_column_double(st, 7) * received;
			b->delayed += received;
		}
	}
	if (ok && config != (size_t)-1)
		ok = flush_run(s, a, config, run) == 0;
	sqlite3_finalize(st);
	free(run);
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
	if (!ok || sqlite3_prepare_v2(r->db, MARKS_SQL, -1, &st, NULL) != SQLITE_OK)
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

/* The flows' series: 0, or -1 (a database without bins has none). */
static int load_flows(struct report *r, struct report_series *s)
{
	int rc = shape(r,
	               "SELECT flow, min(width_s), max(start_s) FROM flow_bins"
	               " GROUP BY flow ORDER BY min(rowid)",
	               &s->flows, &s->n_flows, &s->width_s, &s->n_bins);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	size_t merged = merge_bins(&s->width_s, &s->n_bins);
	size_t cells = r->n_configs * s->n_flows * s->n_bins;
	struct acc a = {calloc(cells + 1, sizeof *a.tput), calloc(cells + 1, sizeof *a.tput2),
	                calloc(cells + 1, sizeof *a.loss), calloc(cells + 1, sizeof *a.delay)};
	s->tput = calloc(cells + 1, sizeof *s->tput);
	s->loss = calloc(cells + 1, sizeof *s->loss);
	s->delay = calloc(cells + 1, sizeof *s->delay);
	rc = a.tput && a.tput2 && a.loss && a.delay && s->tput && s->loss && s->delay &&
	                     gather(r, s, &a, merged) == 0
	             ? 0
	             : -1;
	for (size_t i = 0; rc == 0 && i < cells; i++) {
		size_t runs = r->configs[i / (s->n_flows * s->n_bins)].complete;
		stats_mean_ci_sums(a.tput[i], a.tput2[i], runs, REPORT_CONFIDENCE, &s->tput[i]);
		stats_mean_ci_bootstrap(a.loss[i].v, a.loss[i].n, REPORT_CONFIDENCE, &s->loss[i]);
		stats_mean_ci(a.delay[i].v, a.delay[i].n, REPORT_CONFIDENCE, &s->delay[i]);
		s->has_delay |= a.delay[i].n > 0;
	}
	for (size_t i = 0; a.loss && a.delay && i < cells; i++) {
		free(a.loss[i].v);
		free(a.delay[i].v);
	}
	free(a.tput);
	free(a.tput2);
	free(a.loss);
	free(a.delay);
	return rc;
}

/* The crypto engines' utilisation over time (schema 11): 0, or -1. */
static int load_engines(struct report *r, struct report_series *s)
{
	if (r->schema < 11)
		return 0;
	int rc = shape(r,
	               "SELECT node, min(width_s), max(start_s) FROM crypto_engine_bins"
	               " GROUP BY node ORDER BY min(rowid)",
	               &s->engines, &s->n_engines, &s->engine_width_s, &s->n_engine_bins);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	size_t merged = merge_bins(&s->engine_width_s, &s->n_engine_bins);
	double base = s->engine_width_s / (double)merged;
	size_t cells = r->n_configs * s->n_engines * s->n_engine_bins;
	size_t per_run = s->n_engines * s->n_engine_bins;
	struct report_samples *util = calloc(cells + 1, sizeof *util);
	/* one run's merged bins: utilisation x width, and width */
	double *busy = calloc(per_run + 1, sizeof *busy),
	       *width = calloc(per_run + 1, sizeof *width);
	s->util = calloc(cells + 1, sizeof *s->util);
	sqlite3_stmt *st = NULL;
	int ok = util && busy && width && s->util &&
	         sqlite3_prepare_v2(r->db, ENGINE_BINS_SQL, -1, &st, NULL) == SQLITE_OK;
	int64_t run_id = -1;
	size_t config = (size_t)-1;
	for (;;) {
		rc = ok ? sqlite3_step(st) : SQLITE_ERROR;
		bool row = rc == SQLITE_ROW;
		if (config != (size_t)-1 && (!row || sqlite3_column_int64(st, 3) != run_id))
			for (size_t j = 0; j < per_run; j++) { /* the run's merged bins */
				if (width[j] > 0)
					ok &= report_samples_push(&util[config * per_run + j],
					                          busy[j] / width[j]) == 0;
				busy[j] = width[j] = 0;
			}
		if (!row)
			break;
		run_id = sqlite3_column_int64(st, 3);
		config = report_config_index(r, sqlite3_column_int64(st, 0));
		size_t e = name_index(s->engines, s->n_engines,
		                      (const char *)sqlite3_column_text(st, 1));
		long k = lround(sqlite3_column_double(st, 2) / base) / (long)merged;
		if (config == (size_t)-1 || e == (size_t)-1 || k < 0 ||
		    (size_t)k >= s->n_engine_bins)
			continue;
		size_t j = e * s->n_engine_bins + (size_t)k;
		busy[j] += sqlite3_column_double(st, 4) * sqlite3_column_double(st, 5);
		width[j] += sqlite3_column_double(st, 5);
	}
	sqlite3_finalize(st);
	ok = ok && rc == SQLITE_DONE;
	for (size_t i = 0; ok && i < cells; i++)
		stats_mean_ci_bootstrap(util[i].v, util[i].n, REPORT_CONFIDENCE, &s->util[i]);
	for (size_t i = 0; util && i < cells; i++)
		free(util[i].v);
	free(util);
	free(busy);
	free(width);
	return ok ? 0 : -1;
}

static int by_time(const void *a, const void *b)
{
	const struct report_mark *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

int report_series_load(struct report *r, char *err, size_t errlen)
{
	struct report_series *s = &r->series;
	int rc = load_flows(r, s) == 0 && load_engines(r, s) == 0 &&
	                         (!(s->n_flows || s->n_engines) || marks(r, s) == 0)
	                 ? 0
	                 : -1;
	if (rc != 0)
		snprintf(err, errlen, "time series: %s", sqlite3_errmsg(r->db));
	else if (s->n_marks)
		qsort(s->marks, s->n_marks, sizeof *s->marks, by_time);
	return rc;
}

void report_series_free(struct report_series *s)
{
	for (size_t i = 0; i < s->n_flows; i++)
		free(s->flows[i]);
	for (size_t i = 0; i < s->n_engines; i++)
		free(s->engines[i]);
	free(s->flows);
	free(s->engines);
	free(s->tput);
	free(s->loss);
	free(s->delay);
	free(s->util);
	free(s->marks);
	*s = (struct report_series){0};
}
