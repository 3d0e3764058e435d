/* The report's plots: PNG files drawn by gnuplot (pngcairo), one function
 * per plot (report_plot.c lists them). */
#ifndef REPORT_PLOT_H
#define REPORT_PLOT_H

#include <stdio.h>

#include "report_data.h"

/* Draws every plot that has data into `dir`, naming each file on `out`.
 * 0, or -1 after a message on `log` when gnuplot is missing or fails. */
int report_plot_all(const struct report *r, const char *dir, FILE *out, FILE *log);

#endif
