/* The report's plots: for each, a gnuplot script with its data inline
 * (NAME.gp) and the figure drawn from it as PNG, PDF and SVG (pngcairo,
 * pdfcairo, svg), one function per plot (report_plot.c lists them). */
#ifndef REPORT_PLOT_H
#define REPORT_PLOT_H

#include <stdio.h>

#include "report_data.h"

/* Draws every plot that has data into `dir`, naming each figure on `out`.
 * 0, or -1 after a message on `log` when a script cannot be written or
 * gnuplot is missing or fails. */
int report_plot_all(const struct report *r, const char *dir, FILE *out, FILE *log);

#endif
