/* What the report's figures put on their x axis: the varied parameters
 * under short names and, when one of them is numeric (a rate, a time, a
 * size, a plain number), that one as a numeric axis with a line per
 * combination of the others (report_axis.c). */
#ifndef REPORT_AXIS_H
#define REPORT_AXIS_H

#include <stdbool.h>
#include <stddef.h>

#include "report_data.h"

struct report_axis {
	char **names;     /* per report.keys: its shortest unique suffix */
	bool values_only; /* every configuration sets every key: tics need no names */
	size_t numeric;   /* the key on a numeric x axis, or (size_t)-1: categories */
	double *x;        /* per configuration, its value (s, bit/s, B or plain) */
	size_t *line;     /* per configuration, its line (same values of the others) */
	size_t n_lines;
	size_t *line_head; /* per line, its first configuration */
};

/* 0, or -1 when out of memory. */
int report_axis_build(const struct report *r, struct report_axis *a);
void report_axis_free(struct report_axis *a);

/* The parameters of configuration c as "name=value" (or the values alone,
 * when values_only and `names` is false) without key `skip` ((size_t)-1:
 * none) and unset ones, joined by `sep`, into buf; the configuration's
 * full label when it has no parameters.  Returns how many were written. */
size_t report_axis_label(const struct report *r, const struct report_axis *a, size_t c, size_t skip,
                         bool names, const char *sep, char *buf, size_t len);

/* A value as a number on an axis: a plain number, or a time (s), rate
 * (bit/s) or size (B) in the units of helper/units.c.  false if none. */
bool report_axis_number(const char *s, double *v, const char **unit);

#endif
