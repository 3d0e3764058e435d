#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Mean and sd; false if there is no interval to compute (n < 2). */
static int start(const double *x, size_t n, struct stats_ci *out)
{
	*out = (struct stats_ci){
	        .n = n, .mean = NAN, .sd = NAN, .half_width = NAN, .low = NAN, .high = NAN};
	if (n == 0)
		return 0;
	out->mean = gsl_stats_mean(x, 1, n);
	if (n < 2)
		return 0;
	out->sd = gsl_stats_sd_m(x, 1, n, out->mean);
	return 1;
}

/* x[0..n) in ascending order, in a new array (NULL if out of memory):
 * floating-point sums and the bootstrap's resamples then do not depend on
 * the order the values came in (the runs of a sweep with --jobs 2 reach
 * the database in the order they finish). */
static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof *s);

	if (s && n) {
		memcpy(s, x, n * sizeof *s);
		gsl_sort(s, 1, n);
	}
	return s;
}

void stats_mean_ci(const double *x, size_t n, double level, struct stats_ci *out)
{
	double *s = sorted_copy(x, n);

	if (!s || !start(s, n, out)) {
		if (!s)
			start(x, 0, out);
		free(s);
		return;
	}
	double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1));
	out->half_width = t * out->sd / sqrt((double)n);
	out->low = out->mean - out->half_width;
	out->high = out->mean + out->half_width;
	free(s);
}

void stats_mean_ci_sums(double sum, double sum2, size_t n, double level, struct stats_ci *out)
{
	*out = (struct stats_ci){
	        .n = n, .mean = NAN, .sd = NAN, .half_width = NAN, .low = NAN, .high = NAN};
	if (n == 0)
		return;
	out->mean = sum / (double)n;
	if (n < 2)
		return;
	double var = (sum2 - sum * out->mean) / (double)(n - 1);
	out->sd = var > 0 ? sqrt(var) : 0;
	double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1));
	out->half_width = t * out->sd / sqrt((double)n);
	out->low = out->mean - out->half_width;
	out->high = out->mean + out->half_width;
}

void stats_mean_ci_bootstrap(const double *x, size_t n, double level, struct stats_ci *out)
{
	double *sorted = sorted_copy(x, n);

	if (!sorted || !start(sorted, n, out)) {
		if (!sorted)
			start(x, 0, out);
		free(sorted);
		return;
	}
	double *means = malloc(STATS_BOOTSTRAP_RESAMPLES * sizeof *means);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (means && rng) {
		gsl_rng_set(rng, 1);
		for (size_t b = 0; b < STATS_BOOTSTRAP_RESAMPLES; b++) {
			double sum = 0;
			for (size_t i = 0; i < n; i++)
				sum += sorted[gsl_rng_uniform_int(rng, n)];
			means[b] = sum / (double)n;
		}
		gsl_sort(means, 1, STATS_BOOTSTRAP_RESAMPLES);
		double tail = (1 - level) / 2;
		out->low = gsl_stats_quantile_from_sorted_data(means, 1, STATS_BOOTSTRAP_RESAMPLES,
		                                               tail);
		out->high = gsl_stats_quantile_from_sorted_data(means, 1, STATS_BOOTSTRAP_RESAMPLES,
		                                                1 - tail);
	}
	gsl_rng_free(rng);
	free(sorted);
	free(means);
}
