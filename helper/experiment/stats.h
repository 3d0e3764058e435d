/* Statistics over replications: the mean with a confidence interval from
 * Student's t distribution, or for a bounded quantity a percentile
 * bootstrap (GSL both). */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

struct stats_ci {
	size_t n;
	double mean, sd; /* sd: sample standard deviation (n - 1); NaN if n < 2 */
	/* Student's t: the interval is mean ± half_width, t(1 - (1 - level) /
	 * 2, n - 1) * sd / sqrt(n); NaN for a bootstrap interval. */
	double half_width;
	/* The interval [low, high] either way.  NaN if n < 2; mean is NaN if
	 * n is 0. */
	double low, high;
};

/* The mean of x[0..n) and its two-sided Student's t confidence interval
 * at `level` (0.95 for 95 %), computed over the values sorted, so that the
 * last bits do not depend on their order. */
void stats_mean_ci(const double *x, size_t n, double level, struct stats_ci *out);

/* The same from the sum and the sum of squares of n values. */
void stats_mean_ci_sums(double sum, double sum2, size_t n, double level, struct stats_ci *out);

/* Resamples of a bootstrap interval; their generator is seeded the same
 * every time and the values are sorted before resampling, so the same data
 * give the same interval in whatever order they come (runs of a sweep
 * with --jobs 2 reach the database in the order they finish). */
#define STATS_BOOTSTRAP_RESAMPLES 10000

/* The mean of x[0..n) and the percentile bootstrap interval of it at
 * `level`: the level's central share of the means of resamples drawn with
 * replacement.  It lies within the data's range, so the interval of a
 * quantity bounded to [0, 100] % stays inside [0, 100] % (a t interval
 * does not: 0.2 ± 0.5 %). */
void stats_mean_ci_bootstrap(const double *x, size_t n, double level, struct stats_ci *out);

#endif
