/* The report as text: a table per configuration on a stream, and every
 * number at full precision in a CSV file. */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdio.h>

#include "report_data.h"

void report_print(const struct report *r, FILE *f);
/* A CSV field: quoted, quotes doubled (RFC 4180). */
void report_csv_text(FILE *f, const char *s);
/* Columns: config_id, label, metric, unit, group, n, mean, sd,
 * ci95_half_width, ci95_low, ci95_high, ci_method (empty where undefined).
 * 0, or -1 with errno set. */
int report_write_csv(const struct report *r, const char *path);
/* Paired differences of every other configuration against configuration
 * index `base` (report_differences), as text on f and, if `path` is not
 * NULL, at full precision in a CSV file: config_id, baseline_id, label,
 * metric, unit, group, n, mean, sd, ci95_half_width.  0, or -1 with errno
 * set. */
int report_print_differences(const struct report *r, size_t base, FILE *f, const char *path);
/* Tidy exports into `dir`, every run of the database (its status a column,
 * to filter on), naming each file on `out`: flows-by-run.csv (a row per run
 * and flow) and drops-by-run.csv (per run, node and reason), each with
 * config_id, label, run_id, replication and seed first.  0, or -1 after a
 * message on `log` (report_tidy.c). */
int report_write_tidy(const struct report *r, const char *dir, FILE *out, FILE *log);

#endif
