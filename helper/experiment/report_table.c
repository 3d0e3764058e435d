/* The tables of a report: the metric catalogue, the values of complete
 * runs grouped by (configuration, group), their means and intervals, and
 * paired differences against a baseline configuration. */
#include "report_data.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One value per complete run and group: rows (config_id, group, value,
 * replication). */
#define FLOWS_WHERE(expr, cond)                                                                    \
	"SELECT r.config_id, f.flow, " expr                                                        \
	", r.replication FROM flows f JOIN runs r USING(run_id)"                                   \
	" WHERE r.status = 'complete'" cond " ORDER BY f.rowid"
#define FLOWS(expr) FLOWS_WHERE(expr, "")
/* tcp flows measure no delay (delay_kind 'none') */
#define DELAYS(expr) FLOWS_WHERE(expr, " AND f.delay_kind != 'none'")

/* A bounded metric (a share in 0..100 %) gets a bootstrap interval, which
 * stays within the bounds; the others Student's t (docs/experiments.md).
 * A metric of a table newer than REPORT_OLDEST_SCHEMA says since when. */
static const struct {
	const char *title, *unit;
	int decimals;
	const char *sql;
	bool bounded;
	int since; /* schema version */
} METRICS[REPORT__COUNT] = {
        [REPORT_THROUGHPUT] = {"throughput", "Mbit/s", 3, FLOWS("f.throughput_bps / 1e6")},
        [REPORT_LOSS] = {"loss", "%", 2, FLOWS("100.0 * f.loss_ratio"), true},
        [REPORT_DELAY_MEAN] = {"delay mean", "ms", 3, DELAYS("f.delay_mean_ms")},
        [REPORT_DELAY_P50] = {"delay p50", "ms", 3, DELAYS("f.delay_p50_ms")},
        [REPORT_DELAY_P99] = {"delay p99", "ms", 3, DELAYS("f.delay_p99_ms")},
        /* runs without a drop of a reason count as 0 */
        [REPORT_SA_DROPS] = {"SA drops", "packets per run", 1,
                             "SELECT r.config_id, x.reason, (SELECT coalesce(sum(d.packets), 0)"
                             " FROM sa_drops d WHERE d.run_id = r.run_id"
                             " AND d.reason = x.reason), r.replication"
                             " FROM runs r, (SELECT DISTINCT reason FROM sa_drops) x"
                             " WHERE r.status = 'complete' ORDER BY x.reason"},
        /* every (node, reason) of the database; a run without it counts 0 */
        [REPORT_DROPS] = {"drops", "packets per run", 1,
                          "SELECT r.config_id, x.node || ': ' || x.reason,"
                          " (SELECT coalesce(sum(d.packets), 0) FROM drops d"
                          " WHERE d.run_id = r.run_id AND d.node = x.node AND d.reason = x.reason),"
                          " r.replication FROM runs r,"
                          " (SELECT DISTINCT node, reason FROM drops) x"
                          " WHERE r.status = 'complete' ORDER BY x.node, x.reason"},
        [REPORT_TOTAL_THROUGHPUT] = {"throughput of all flows", "Mbit/s", 3,
                                     "SELECT r.config_id, 'all flows', sum(f.throughput_bps) / 1e6,"
                                     " r.replication FROM flows f JOIN runs r USING(run_id)"
                                     " WHERE r.status = 'complete' GROUP BY r.run_id"},
        [REPORT_TOTAL_LOSS] = {"loss of all flows", "%", 2,
                               "SELECT r.config_id, 'all flows', 100.0 * sum(f.lost) / sum(f.sent),"
                               " r.replication FROM flows f JOIN runs r USING(run_id)"
                               " WHERE r.status = 'complete' AND f.sent > 0 GROUP BY r.run_id",
                               true},
        [REPORT_NAT] = {"NAT", "per run", 1,
                        "SELECT r.config_id, n.node || ': ' || x.what, CASE x.what"
                        " WHEN 'mappings created' THEN n.mappings_created"
                        " WHEN 'mappings expired' THEN n.mappings_expired"
                        " WHEN 'mappings flushed' THEN n.mappings_flushed"
                        " WHEN 'mappings rebound' THEN n.mappings_rebound"
                        " WHEN 'peak mappings' THEN n.peak_mappings ELSE n.drops END,"
                        " r.replication FROM nat n JOIN runs r USING(run_id),"
                        " (SELECT 'mappings created' AS what UNION ALL SELECT 'mappings expired'"
                        "  UNION ALL SELECT 'mappings flushed' UNION ALL SELECT 'mappings rebound'"
                        "  UNION ALL SELECT 'peak mappings' UNION ALL SELECT 'drops') x"
                        " WHERE r.status = 'complete' ORDER BY n.rowid"},
        [REPORT_IKE] = {"IKE", "per run", 1,
                        "SELECT r.config_id, s.node || ': ' || x.what, CASE x.what"
                        " WHEN 'retransmits' THEN s.retransmits"
                        " WHEN 'keepalives' THEN s.keepalives"
                        " ELSE (SELECT count(*) FROM ike_sa_events e WHERE e.run_id = r.run_id"
                        "  AND e.node = s.node AND e.state = 'failed' AND e.reason = 'dpd') END,"
                        " r.replication FROM ike_stats s JOIN runs r USING(run_id),"
                        " (SELECT 'retransmits' AS what UNION ALL SELECT 'keepalives'"
                        "  UNION ALL SELECT 'dead peers') x"
                        " WHERE r.status = 'complete' ORDER BY s.rowid"},
        [REPORT_CRYPTO_UTIL] = {"crypto engine utilisation", "%", 1,
                                "SELECT r.config_id, c.node, 100.0 * c.utilisation, r.replication"
                                " FROM crypto_engines c JOIN runs r USING(run_id)"
                                " WHERE r.status = 'complete' ORDER BY c.rowid",
                                true},
        [REPORT_CRYPTO_PEAK] = {"crypto engine peak utilisation", "% in the busiest bin", 1,
                                "SELECT r.config_id, b.node, 100.0 * max(b.utilisation),"
                                " r.replication FROM crypto_engine_bins b JOIN runs r USING(run_id)"
                                " WHERE r.status = 'complete' GROUP BY b.run_id, b.node"
                                " ORDER BY min(b.rowid)",
                                true, 11},
        /* filled by report_rekey.c from flow_bins */
        [REPORT_REKEY_LOST] = {"lost around rekeys", "packets per event", 1, NULL},
        [REPORT_REKEY_LOSS] = {"loss around rekeys", "%", 2, NULL, true},
        [REPORT_REKEY_EXCESS] = {"excess lost around rekeys", "packets per event", 1, NULL},
        /* filled by report_setup.c */
        [REPORT_SETUP] = {"setup time", "ms", 3, NULL},
};

int report_samples_push(struct report_samples *s, double v)
{
	if ((s->n & (s->n - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
		double *bigger = realloc(s->v, (s->n ? 2 * s->n : 1) * sizeof *bigger);
		if (!bigger)
			return -1;
		s->v = bigger;
	}
	s->v[s->n++] = v;
	return 0;
}

struct report_sample_row {
	size_t config, group;
	int64_t replication; /* -1: not known (the samples of report_summarise) */
	double value;        /* NaN for NULL */
};
#define sample report_sample_row

int report_fail(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

size_t report_config_index(const struct report *r, int64_t id)
{
	size_t lo = 0, hi = r->n_configs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->configs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_configs && r->configs[lo].id == id ? lo : (size_t)-1;
}

static size_t group_index(struct report_table *t, const char *name)
{
	for (size_t g = 0; g < t->n_groups; g++)
		if (!strcmp(t->groups[g], name))
			return g;
	char **groups = realloc(t->groups, (t->n_groups + 1) * sizeof *groups);
	if (!groups)
		return (size_t)-1;
	t->groups = groups;
	if (!(groups[t->n_groups] = strdup(name)))
		return (size_t)-1;
	return t->n_groups++;
}

static int by_cell(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	if (x->config != y->config)
		return x->config < y->config ? -1 : 1;
	return x->group < y->group ? -1 : x->group > y->group;
}

/* The means and intervals of sorted samples; NaN values (a flow that
 * received nothing has no delay) are left out, and the cell's n says how
 * many runs it has. */
static void summarise(struct report_table *t, struct sample *s, size_t n, double *buf)
{
	for (size_t i = 0; i < n;) {
		size_t k = 0, j = i;
		for (; j < n && s[j].config == s[i].config && s[j].group == s[i].group; j++)
			if (!isnan(s[j].value))
				buf[k++] = s[j].value;
		(t->bounded ? stats_mean_ci_bootstrap
		            : stats_mean_ci)(buf, k, REPORT_CONFIDENCE,
		                             &t->cells[s[i].config * t->n_groups + s[i].group]);
		i = j;
	}
}

static void table_head(struct report *r, enum report_metric m)
{
	struct report_table *t = &r->tables[m];
	t->title = METRICS[m].title;
	t->unit = METRICS[m].unit;
	t->decimals = METRICS[m].decimals;
	t->bounded = METRICS[m].bounded;
	t->n_configs = r->n_configs;
}

/* Grows *s by one sample of (config id, group name, value); false when out
 * of memory (samples of unknown configurations are left out: true). */
static bool add_sample(struct report *r, struct report_table *t, struct sample **s, size_t *n,
                       size_t *cap, int64_t config_id, const char *group, int64_t replication,
                       double value)
{
	size_t c = report_config_index(r, config_id);
	size_t g = group_index(t, group);
	if (g == (size_t)-1)
		return false;
	if (c == (size_t)-1)
		return true;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		struct sample *bigger = realloc(*s, *cap * sizeof **s);
		if (!bigger)
			return false;
		*s = bigger;
	}
	(*s)[(*n)++] = (struct sample){c, g, replication, value};
	return true;
}

/* The cells of t from its samples (kept in t, sorted by cell, for paired
 * differences). */
static int finish_table(struct report *r, struct report_table *t, struct sample *s, size_t n)
{
	t->cells = calloc(r->n_configs * t->n_groups + 1, sizeof *t->cells);
	double *buf = calloc(n + 1, sizeof *buf);
	int ok = t->cells && buf;
	if (ok) {
		for (size_t i = 0; i < r->n_configs * t->n_groups; i++)
			stats_mean_ci(NULL, 0, REPORT_CONFIDENCE, &t->cells[i]);
		if (n) /* s is NULL for a metric no run has (qsort's is nonnull) */
			qsort(s, n, sizeof *s, by_cell);
		summarise(t, s, n, buf);
	}
	t->samples = s;
	t->n_samples = n;
	free(buf);
	return ok ? 0 : -1;
}

/* The samples of cell (config, group): [*first, end). */
static size_t cell_samples(const struct report_table *t, size_t config, size_t group, size_t *first)
{
	size_t i = 0;
	while (i < t->n_samples && (t->samples[i].config != config || t->samples[i].group != group))
		i++;
	*first = i;
	while (i < t->n_samples && t->samples[i].config == config && t->samples[i].group == group)
		i++;
	return i;
}

int report_differences(const struct report *r, enum report_metric m, size_t base,
                       struct stats_ci *out)
{
	const struct report_table *t = &r->tables[m];
	double *d = calloc(t->n_samples + 1, sizeof *d);
	if (!d)
		return -1;
	for (size_t c = 0; c < r->n_configs; c++)
		for (size_t g = 0; g < t->n_groups; g++) {
			size_t b0, c0, n = 0;
			size_t b1 = cell_samples(t, base, g, &b0), c1 = cell_samples(t, c, g, &c0);
			for (size_t i = c0; i < c1; i++)
				for (size_t j = b0; j < b1; j++)
					if (t->samples[i].replication >= 0 &&
					    t->samples[i].replication ==
					            t->samples[j].replication &&
					    !isnan(t->samples[i].value) &&
					    !isnan(t->samples[j].value))
						d[n++] = t->samples[i].value - t->samples[j].value;
			stats_mean_ci(d, n, REPORT_CONFIDENCE, &out[c * t->n_groups + g]);
		}
	free(d);
	return 0;
}

int report_summarise(struct report *r, enum report_metric m, const struct report_sample *in,
                     size_t n_in)
{
	struct report_table *t = &r->tables[m];
	table_head(r, m);
	struct sample *s = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < n_in; i++)
		if (!add_sample(r, t, &s, &n, &cap, in[i].config_id, in[i].group, -1,
		                in[i].value)) {
			free(s);
			return -1;
		}
	return finish_table(r, t, s, n);
}

int report_table_load(struct report *r, enum report_metric m, char *err, size_t errlen)
{
	if (!METRICS[m].sql) /* filled by report_rekey.c or report_setup.c */
		return 0;
	struct report_table *t = &r->tables[m];
	table_head(r, m);
	sqlite3_stmt *st;
	if (r->schema < METRICS[m].since) {
		/* a database from before the table: nothing to show */
		t->cells = calloc(1, sizeof *t->cells);
		return t->cells ? 0 : report_fail(r->db, err, errlen, t->title);
	}
	if (sqlite3_prepare_v2(r->db, METRICS[m].sql, -1, &st, NULL) != SQLITE_OK)
		return report_fail(r->db, err, errlen, t->title);
	struct sample *s = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double v = sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN
		                                                     : sqlite3_column_double(st, 2);
		if (!add_sample(r, t, &s, &n, &cap, sqlite3_column_int64(st, 0),
		                (const char *)sqlite3_column_text(st, 1),
		                sqlite3_column_int64(st, 3), v))
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(s);
		return report_fail(r->db, err, errlen, t->title);
	}
	return finish_table(r, t, s, n) == 0 ? 0 : report_fail(NULL, err, errlen, t->title);
}

const struct stats_ci *report_cell(const struct report_table *t, size_t config, const char *group)
{
	for (size_t g = 0; g < t->n_groups; g++)
		if (!strcmp(t->groups[g], group))
			return &t->cells[config * t->n_groups + g];
	return NULL;
}
