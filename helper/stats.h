/* Statistics over replications: the mean with a confidence interval from
 * Student's t distribution (GSL). */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

struct stats_ci {
	size_t n;
	double mean, sd; /* sd: sample standard deviation (n - 1); NaN if n < 2 */
	/* The interval is mean ± half_width: t(1 - (1 - level) / 2, n - 1) *
	 * sd / sqrt(n).  NaN if n < 2; mean is NaN if n is 0. */
	double half_width;
};

/* The mean of x[0..n) and its two-sided confidence interval at `level`
 * (0.95 for 95 %). */
void stats_mean_ci(const double *x, size_t n, double level, struct stats_ci *out);

#endif
