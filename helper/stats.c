#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

void stats_mean_ci(const double *x, size_t n, double level, struct stats_ci *out)
{
	*out = (struct stats_ci){.n = n, .mean = NAN, .sd = NAN, .half_width = NAN};
	if (n == 0)
		return;
	out->mean = gsl_stats_mean(x, 1, n);
	if (n < 2)
		return;
	out->sd = gsl_stats_sd_m(x, 1, n, out->mean);
	double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1));
	out->half_width = t * out->sd / sqrt((double)n);
}
