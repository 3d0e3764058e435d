/* What `ipsec-sim report` shows, read from a metrics database: the
 * configurations (replications grouped by config_id) and, per metric, a
 * table of means with confidence intervals over the complete runs of each
 * configuration. */
#ifndef REPORT_DATA_H
#define REPORT_DATA_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Intervals are at this confidence level. */
#define REPORT_CONFIDENCE 0.95

struct report_config {
	int64_t id;
	char *label;       /* the parameters that differ between configurations */
	char **values;     /* theirs, in the order of report.keys; NULL: unset */
	size_t complete;   /* runs averaged */
	size_t incomplete; /* runs left out: interrupted, failed, running */
};

/* Rows are configurations, columns are groups (flows, drop reasons, ...). */
struct report_table {
	const char *title; /* "throughput" */
	const char *unit;  /* "Mbit/s" */
	int decimals;      /* printed after the point */
	bool bounded;      /* a share (%): bootstrap intervals, else Student's t */
	char **groups;
	size_t n_groups, n_configs;
	struct stats_ci *cells;            /* [config * n_groups + group] */
	struct report_sample_row *samples; /* the runs' values, sorted by cell */
	size_t n_samples;
};

enum report_metric {
	REPORT_THROUGHPUT,
	REPORT_LOSS,
	REPORT_DELAY_MEAN,
	REPORT_DELAY_P50,
	REPORT_DELAY_P99,
	REPORT_SA_DROPS,
	/* Every packet lost, by node and reason ("gwB: queue_full"): drops */
	REPORT_DROPS,
	/* All flows of a run together: sums of throughput and of packets */
	REPORT_TOTAL_THROUGHPUT,
	REPORT_TOTAL_LOSS,
	/* Per NAT node, its mappings and drops per run ("nat: created") */
	REPORT_NAT,
	/* Per node: IKE retransmissions, NAT-T keepalives, dead peers (DPD) */
	REPORT_IKE,
	REPORT_CRYPTO_UTIL, /* per node with a crypto_engine */
	/* its busiest bin of crypto_engine_bins per run (schema 11) */
	REPORT_CRYPTO_PEAK,
	/* Per kind of rekey event (report_rekey.c): packets lost per event
	 * within ±REPORT_REKEY_WINDOW_S of it, and the loss ratio there. */
	REPORT_REKEY_LOST,
	REPORT_REKEY_LOSS,
	/* The same less the run's baseline: lost in the windows minus what
	 * the loss ratio outside every window predicts for the packets sent
	 * in them, per event (a lossy link's own loss is not the rekey's). */
	REPORT_REKEY_EXCESS,
	/* IKE SA setup time and CREATE_CHILD_SA exchange time, per run mean */
	REPORT_SETUP,
	REPORT__COUNT
};

/* Loss around rekey events (report_rekey.c), from flow_bins: time 0 is the
 * bin in which the event happened; the curves run from -BEFORE to +AFTER,
 * the table rows cover ±WINDOW. */
#define REPORT_REKEY_BEFORE_S 5.0
#define REPORT_REKEY_AFTER_S 10.0
#define REPORT_REKEY_WINDOW_S 5.0

enum report_rekey_kind { REPORT_CHILD_REKEY, REPORT_IKE_REKEY, REPORT_REAUTH, REPORT_REKEY__KINDS };

/* One configuration's curves for one kind of event: bin k starts at
 * (first + k) * width_s after the event's bin; per bin, over runs with at
 * least one event, the packets lost per event and the loss ratio (%). */
struct report_rekey_curve {
	size_t events, runs; /* over all runs averaged */
	double width_s;
	long first;
	size_t n_bins;
	struct stats_ci *lost, *loss;
};

/* Samples of one configuration, sorted (for empirical CDFs). */
struct report_samples {
	double *v;
	size_t n;
};

/* Appends v: 0, or -1 when out of memory. */
int report_samples_push(struct report_samples *s, double v);

enum report_setup_kind { REPORT_IKE_SA_SETUP, REPORT_CREATE_CHILD_SA, REPORT_SETUP__KINDS };

/* A value of one complete run, for a table cell (config, group). */
struct report_sample {
	int64_t config_id;
	const char *group;
	double value; /* NaN: none */
};

/* A time on the series' plots and what happened then. */
struct report_mark {
	double t;
	char what[32];
};

/* Per configuration and flow, per bin of send time (report_series.c):
 * throughput received (Mbit/s, t interval), loss ratio (%, bootstrap) and
 * mean delay (ms, t interval over the runs that received in the bin; none
 * before schema 11), over the configuration's complete runs; per
 * configuration and crypto engine, per bin of time, the engine's
 * utilisation (%, bootstrap). */
struct report_series {
	char **flows;
	size_t n_flows, n_bins;
	double width_s;
	struct stats_ci *tput, *loss, *delay; /* [(config * n_flows + flow) * n_bins + bin] */
	bool has_delay;                       /* some bin has a delay */
	char **engines;
	size_t n_engines, n_engine_bins;
	double engine_width_s;
	struct stats_ci *util; /* [(config * n_engines + engine) * n_engine_bins + bin] */
	struct report_mark *marks;
	size_t n_marks;
};

/* The oldest schema version report reads (metrics.h has the newest): what
 * a version lacks is left out. */
#define REPORT_OLDEST_SCHEMA 9

struct report {
	sqlite3 *db;
	int schema;     /* the database's version */
	char *scenario; /* the scenario name when all runs share one, else NULL */
	struct report_config *configs;
	size_t n_configs;
	char **keys; /* the parameters in the labels (full paths), sorted */
	size_t n_keys;
	struct report_table tables[REPORT__COUNT];
	struct report_rekey_curve *rekey; /* [config * REPORT_REKEY__KINDS + kind] */
	struct report_samples *setup;     /* [config * REPORT_SETUP__KINDS + kind], ms */
	struct report_series series;
};

extern const char *const REPORT_REKEY_KIND_NAMES[REPORT_REKEY__KINDS];
extern const char *const REPORT_SETUP_KIND_NAMES[REPORT_SETUP__KINDS];

/* Reads the database at `path`.  0, or -1 with a message in err. */
int report_load(struct report *r, const char *path, char *err, size_t errlen);
/* The cell of (config index, group name), NULL if the table has no such
 * group. */
const struct stats_ci *report_cell(const struct report_table *t, size_t config, const char *group);
void report_free(struct report *r);

/* ---- report_table.c ---- */

/* Fills table m from the database (a metric read by SQL; the others are
 * left to their loaders below).  0, or -1 with a message in err. */
int report_table_load(struct report *r, enum report_metric m, char *err, size_t errlen);
/* "WHAT: the database's message" (or "out of memory" without db) into
 * err; returns -1. */
int report_fail(sqlite3 *db, char *err, size_t errlen, const char *what);
/* The index of configuration `id` in r->configs, or (size_t)-1. */
size_t report_config_index(const struct report *r, int64_t id);
/* For the loaders of report_rekey.c and report_setup.c: fills table m with
 * the means and intervals of the samples (any order). 0 or -1. */
int report_summarise(struct report *r, enum report_metric m, const struct report_sample *s,
                     size_t n);
/* Paired differences against configuration index `base`, for a metric
 * read from the database (flows, SA drops, crypto engines): per cell, the
 * mean and Student's t interval of value(c, run) - value(base, run) over
 * the replications both have, a difference per replication (sweeps give
 * the configurations' replications the same random streams: common random
 * numbers, so the pairs differ by the configuration alone).  out has a
 * stats_ci per cell ([config * n_groups + group]).  0, or -1 when out of
 * memory. */
int report_differences(const struct report *r, enum report_metric m, size_t base,
                       struct stats_ci *out);
/* ---- report_rekey.c, report_setup.c, report_series.c ---- */

/* Their loaders: 0, or -1 with a message in err. */
int report_rekey_load(struct report *r, char *err, size_t errlen);
int report_setup_load(struct report *r, char *err, size_t errlen);
int report_series_load(struct report *r, char *err, size_t errlen);
/* Adds a mark: 0, or -1 when out of memory. */
int report_series_mark(struct report_series *s, double t, const char *what);
void report_series_free(struct report_series *s);

#endif
