/* The report as text: a table per configuration on a stream, and every
 * number at full precision in a CSV file. */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdio.h>

#include "report_data.h"

void report_print(const struct report *r, FILE *f);
/* Columns: config_id, label, metric, unit, group, n, mean, sd,
 * ci95_half_width (empty where undefined).  0, or -1 with errno set. */
int report_write_csv(const struct report *r, const char *path);

#endif
