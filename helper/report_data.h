/* What `ipsec-sim report` shows, read from a metrics database: the
 * configurations (replications grouped by config_id) and, per metric, a
 * table of means with confidence intervals over the complete runs of each
 * configuration. */
#ifndef REPORT_DATA_H
#define REPORT_DATA_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Intervals are at this confidence level. */
#define REPORT_CONFIDENCE 0.95

struct report_config {
	int64_t id;
	char *label;       /* the parameters that differ between configurations */
	size_t complete;   /* runs averaged */
	size_t incomplete; /* runs left out: interrupted, failed, running */
};

/* Rows are configurations, columns are groups (flows, drop reasons, ...). */
struct report_table {
	const char *title; /* "throughput" */
	const char *unit;  /* "Mbit/s" */
	int decimals;      /* printed after the point */
	char **groups;
	size_t n_groups, n_configs;
	struct stats_ci *cells; /* [config * n_groups + group] */
};

enum report_metric {
	REPORT_THROUGHPUT,
	REPORT_LOSS,
	REPORT_DELAY_MEAN,
	REPORT_DELAY_P50,
	REPORT_DELAY_P99,
	REPORT_SA_DROPS,
	REPORT_CRYPTO_UTIL, /* per node with a crypto_engine */
	REPORT__COUNT
};

struct report {
	sqlite3 *db;
	char *scenario; /* the scenario name when all runs share one, else NULL */
	struct report_config *configs;
	size_t n_configs;
	struct report_table tables[REPORT__COUNT];
};

/* Reads the database at `path`.  0, or -1 with a message in err. */
int report_load(struct report *r, const char *path, char *err, size_t errlen);
/* The cell of (config index, group name), NULL if the table has no such
 * group. */
const struct stats_ci *report_cell(const struct report_table *t, size_t config, const char *group);
void report_free(struct report *r);

#endif
