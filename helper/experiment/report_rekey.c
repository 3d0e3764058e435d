/* Loss around rekey events for `ipsec-sim report`, from flow_bins (packets
 * by the time they were sent, summed over a run's flows): a peri-event
 * average.  For each event, the bins from REPORT_REKEY_BEFORE_S before to
 * REPORT_REKEY_AFTER_S after the bin it happened in; per run, the packets
 * lost per event in each relative bin and the loss ratio there; per
 * configuration, the mean and interval of those over its runs (runs are the
 * independent replications, a run's events are not).  Events whose windows
 * overlap each count the bins they share.
 *
 * Time 0 of an event is when the replacement began to exist:
 *   Child SA rekey    the new Child SA's first installation, on either node
 *                     (the responder of CREATE_CHILD_SA, RFC 7296 §1.3.3)
 *   IKE SA rekey      the new IKE SA established, on either node (§1.3.2)
 *   reauthentication  the initiator starts the new IKE SA (§2.8.3)
 *
 * The excess over the baseline: a run's loss ratio in the bins outside
 * every event's ±REPORT_REKEY_WINDOW_S is what the link loses anyway; the
 * packets sent within an event's window times that ratio are subtracted
 * from those lost there.  With no bin outside the windows there is no
 * baseline and no excess. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"

const char *const REPORT_REKEY_KIND_NAMES[REPORT_REKEY__KINDS] = {
        [REPORT_CHILD_REKEY] = "Child SA rekey",
        [REPORT_IKE_REKEY] = "IKE SA rekey",
        [REPORT_REAUTH] = "reauthentication",
};

static const char EVENTS_SQL[] =
        "SELECT e.run_id, e.kind, e.t FROM ("
        " SELECT run_id, 0 AS kind, min(time_s) AS t FROM child_sa_events"
        "  GROUP BY run_id, min(spi_in, spi_out), max(spi_in, spi_out)"
        "  HAVING sum(state = 'rekeyed') > 0"
        " UNION ALL SELECT run_id, 1, min(time_s) FROM ike_sa_events"
        "  WHERE state = 'established' AND reason = 'rekeyed' GROUP BY run_id, spi_i, spi_r"
        " UNION ALL SELECT o.run_id, 2, c.time_s FROM ike_sa_events o JOIN ike_sa_events c"
        "  ON c.run_id = o.run_id AND c.node = o.node AND c.ike_sa = o.replaced_by"
        "  AND c.state = 'connecting' WHERE o.state = 'rekeyed' AND o.reason = 'reauth'"
        ") e JOIN runs r USING(run_id) WHERE r.status = 'complete' ORDER BY e.run_id, e.t";

static const char BINS_SQL[] =
        "SELECT b.run_id, r.config_id, b.start_s, b.width_s, sum(b.sent), sum(b.lost)"
        " FROM flow_bins b JOIN runs r USING(run_id) WHERE r.status = 'complete'"
        " GROUP BY b.run_id, b.start_s ORDER BY b.run_id, b.start_s";

struct event {
	int64_t run;
	int kind;
	double t;
};

/* One run being read. */
struct run {
	int64_t id;
	size_t config;
	double width;
	long before, n_bins;    /* relative bins -before .. n_bins - before - 1 */
	const struct event *ev; /* its events */
	size_t n_ev;
	size_t events[REPORT_REKEY__KINDS];
	double *lost, *sent;           /* [kind * n_bins + bin] */
	double quiet_lost, quiet_sent; /* in bins outside every event's window */
};

/* Per configuration, kind and relative bin, the runs' values. */
struct gather {
	struct report_samples *lost, *loss; /* [(config * KINDS + kind) * max_bins + bin] */
	size_t max_bins;
	struct rows {
		struct report_sample *v;
		size_t n, cap;
	} rows[3]; /* for the tables: packets lost per event, loss ratio, excess */
};

static int row(struct rows *t, int64_t config_id, int kind, double value)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		struct report_sample *more = realloc(t->v, t->cap * sizeof *more);
		if (!more)
			return -1;
		t->v = more;
	}
	t->v[t->n++] = (struct report_sample){config_id, REPORT_REKEY_KIND_NAMES[kind], value};
	return 0;
}

static long bins_for(double seconds, double width)
{
	return (long)ceil(seconds / width - 1e-9);
}

/* Adds a bin of the run (start, sent, lost) to every event near it, or to
 * the baseline if it is within no event's window. */
static void add_bin(struct run *u, double start, double sent, double lost)
{
	long k = lround(start / u->width), w = bins_for(REPORT_REKEY_WINDOW_S, u->width);
	bool quiet = true;
	for (size_t e = 0; e < u->n_ev; e++) {
		long rel = k - (long)floor(u->ev[e].t / u->width);
		if (rel >= -w && rel < w)
			quiet = false;
		rel += u->before;
		if (rel < 0 || rel >= u->n_bins)
			continue;
		size_t i = (size_t)u->ev[e].kind * (size_t)u->n_bins + (size_t)rel;
		u->lost[i] += lost;
		u->sent[i] += sent;
	}
	if (quiet) {
		u->quiet_lost += lost;
		u->quiet_sent += sent;
	}
}

/* The run's values per kind that had events: the curves' samples and the
 * ±WINDOW rows. */
static int finish_run(struct report *r, struct gather *g, struct run *u)
{
	long w = bins_for(REPORT_REKEY_WINDOW_S, u->width);
	for (int k = 0; k < REPORT_REKEY__KINDS; k++) {
		if (!u->events[k])
			continue;
		struct report_rekey_curve *c = &r->rekey[u->config * REPORT_REKEY__KINDS + k];
		c->events += u->events[k];
		c->runs++;
		c->width_s = u->width;
		c->first = -u->before;
		c->n_bins = (size_t)u->n_bins;
		double lost = 0, sent = 0, n = (double)u->events[k];
		for (long b = 0; b < u->n_bins; b++) {
			size_t i = (size_t)k * (size_t)u->n_bins + (size_t)b;
			size_t j = (u->config * REPORT_REKEY__KINDS + (size_t)k) * g->max_bins +
			           (size_t)b;
			if (report_samples_push(&g->lost[j], u->lost[i] / n) != 0 ||
			    (u->sent[i] > 0 &&
			     report_samples_push(&g->loss[j], 100 * u->lost[i] / u->sent[i]) != 0))
				return -1;
			if (b - u->before >= -w && b - u->before < w) {
				lost += u->lost[i];
				sent += u->sent[i];
			}
		}
		int64_t id = r->configs[u->config].id;
		double baseline = u->quiet_sent > 0 ? u->quiet_lost / u->quiet_sent : NAN;
		if (row(&g->rows[0], id, k, lost / n) != 0 ||
		    row(&g->rows[1], id, k, sent > 0 ? 100 * lost / sent : NAN) != 0 ||
		    row(&g->rows[2], id, k, (lost - baseline * sent) / n) != 0)
			return -1;
	}
	return 0;
}

static int start_run(struct report *r, struct run *u, int64_t id, int64_t config, double width,
                     const struct event *ev, size_t n_ev, size_t max_bins)
{
	free(u->lost);
	free(u->sent);
	*u = (struct run){.id = id, .config = report_config_index(r, config), .width = width};
	u->before = bins_for(REPORT_REKEY_BEFORE_S, width);
	u->n_bins = u->before + bins_for(REPORT_REKEY_AFTER_S, width);
	if (u->config == (size_t)-1 || width <= 0 || (size_t)u->n_bins > max_bins)
		return -1;
	size_t e = 0;
	while (e < n_ev && ev[e].run < id)
		e++;
	u->ev = ev + e;
	while (e < n_ev && ev[e].run == id) {
		u->events[ev[e].kind]++;
		u->n_ev++;
		e++;
	}
	u->lost = calloc(REPORT_REKEY__KINDS * (size_t)u->n_bins, sizeof *u->lost);
	u->sent = calloc(REPORT_REKEY__KINDS * (size_t)u->n_bins, sizeof *u->sent);
	return u->lost && u->sent ? 0 : -1;
}

static int read_events(sqlite3 *db, struct event **ev, size_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, EVENTS_SQL, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			struct event *more = realloc(*ev, cap * sizeof *more);
			if (!more)
				break;
			*ev = more;
		}
		(*ev)[(*n)++] =
		        (struct event){sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		                       sqlite3_column_double(st, 2)};
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The narrowest bins of the database bound the curves' length. */
static size_t max_bins(sqlite3 *db)
{
	sqlite3_stmt *st;
	double w = 0;
	if (sqlite3_prepare_v2(db, "SELECT min(width_s) FROM flow_bins", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			w = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
	}
	return w > 0 ? (size_t)(bins_for(REPORT_REKEY_BEFORE_S, w) +
	                        bins_for(REPORT_REKEY_AFTER_S, w))
	             : 0;
}

static int read_bins(struct report *r, struct gather *g, const struct event *ev, size_t n_ev)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, BINS_SQL, -1, &st, NULL) != SQLITE_OK)
		return -1;
	struct run u = {.id = -1};
	int rc, ok = 1;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (id != u.id)
			ok = (u.id < 0 || finish_run(r, g, &u) == 0) &&
			     start_run(r, &u, id, sqlite3_column_int64(st, 1),
			               sqlite3_column_double(st, 3), ev, n_ev, g->max_bins) == 0;
		if (ok)
			add_bin(&u, sqlite3_column_double(st, 2), sqlite3_column_double(st, 4),
			        sqlite3_column_double(st, 5));
	}
	sqlite3_finalize(st);
	ok = ok && rc == SQLITE_DONE && (u.id < 0 || finish_run(r, g, &u) == 0);
	free(u.lost);
	free(u.sent);
	return ok ? 0 : -1;
}

/* Means and intervals per configuration, kind and bin. */
static int curves(struct report *r, struct gather *g)
{
	for (size_t i = 0; i < r->n_configs * REPORT_REKEY__KINDS; i++) {
		struct report_rekey_curve *c = &r->rekey[i];
		if (!c->runs)
			continue;
		c->lost = calloc(c->n_bins, sizeof *c->lost);
		c->loss = calloc(c->n_bins, sizeof *c->loss);
		if (!c->lost || !c->loss)
			return -1;
		for (size_t b = 0; b < c->n_bins; b++) {
			const struct report_samples *l = &g->lost[i * g->max_bins + b];
			const struct report_samples *p = &g->loss[i * g->max_bins + b];
			stats_mean_ci(l->v, l->n, REPORT_CONFIDENCE, &c->lost[b]);
			stats_mean_ci_bootstrap(p->v, p->n, REPORT_CONFIDENCE, &c->loss[b]);
		}
	}
	return 0;
}

int report_rekey_load(struct report *r, char *err, size_t errlen)
{
	struct event *ev = NULL;
	size_t n_ev = 0;
	struct gather g = {.max_bins = max_bins(r->db)};
	size_t cells = r->n_configs * REPORT_REKEY__KINDS * g.max_bins + 1;
	r->rekey = calloc(r->n_configs * REPORT_REKEY__KINDS + 1, sizeof *r->rekey);
	g.lost = calloc(cells, sizeof *g.lost);
	g.loss = calloc(cells, sizeof *g.loss);
	int rc = r->rekey && g.lost && g.loss && read_events(r->db, &ev, &n_ev) == 0 &&
	                         read_bins(r, &g, ev, n_ev) == 0 && curves(r, &g) == 0
	                 ? 0
	                 : -1;
	if (rc == 0 && (report_summarise(r, REPORT_REKEY_LOST, g.rows[0].v, g.rows[0].n) != 0 ||
	                report_summarise(r, REPORT_REKEY_LOSS, g.rows[1].v, g.rows[1].n) != 0 ||
	                report_summarise(r, REPORT_REKEY_EXCESS, g.rows[2].v, g.rows[2].n) != 0))
		rc = -1;
	for (size_t i = 0; g.lost && g.loss && i + 1 < cells; i++) {
		free(g.lost[i].v);
		free(g.loss[i].v);
	}
	free(g.lost);
	free(g.loss);
	for (int i = 0; i < 3; i++)
		free(g.rows[i].v);
	free(ev);
	if (rc != 0)
		snprintf(err, errlen, "loss around rekeys: %s", sqlite3_errmsg(r->db));
	return rc;
}
