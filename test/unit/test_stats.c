/* The report's intervals against hand computations: Student's t on a
 * textbook sample, and the percentile bootstrap where its answer is known
 * exactly (with 2 or 3 runs it is [min, max]: all draws of a resample are
 * the smallest run with probability (1/n)^n >= 1/27 > 2.5 %), stays within
 * the data's range and repeats itself. */
#include "harness.h"

#include <math.h>

#include "stats.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void test_t_interval(void **state)
{
	(void)state;
	const double x[] = {1, 2, 3, 4, 5};
	struct stats_ci ci;

	stats_mean_ci(x, 5, 0.95, &ci);
	assert_int_equal(ci.n, 5);
	assert_near(ci.mean, 3, 1e-12);
	assert_near(ci.sd, sqrt(2.5), 1e-12);
	/* t(0.975, 4) = 2.776445 (tables) */
	assert_near(ci.half_width, 2.776445 * sqrt(2.5) / sqrt(5), 1e-5);
	assert_near(ci.low, 3 - ci.half_width, 1e-12);
	assert_near(ci.high, 3 + ci.half_width, 1e-12);
	/* one run: a mean, no interval */
	stats_mean_ci(x, 1, 0.95, &ci);
	assert_near(ci.mean, 1, 0);
	assert_true(isnan(ci.half_width) && isnan(ci.low) && isnan(ci.high));
	stats_mean_ci(x, 0, 0.95, &ci);
	assert_true(isnan(ci.mean));
	stats_mean_ci(NULL, 0, 0.95, &ci); /* a configuration without values */
	assert_true(isnan(ci.mean) && ci.n == 0);
	stats_mean_ci_bootstrap(NULL, 0, 0.95, &ci);
	assert_true(isnan(ci.mean) && ci.n == 0);
}

static void test_bootstrap_known(void **state)
{
	(void)state;
	const double two[] = {0.5, 0.1}, three[] = {0, 0.2, 1.3}, same[] = {7, 7, 7, 7};
	struct stats_ci ci;

	stats_mean_ci_bootstrap(two, 2, 0.95, &ci);
	assert_near(ci.mean, 0.3, 1e-12);
	assert_near(ci.low, 0.1, 0);
	assert_near(ci.high, 0.5, 0);
	assert_true(isnan(ci.half_width));
	stats_mean_ci_bootstrap(three, 3, 0.95, &ci);
	assert_near(ci.mean, 0.5, 1e-12);
	assert_near(ci.low, 0, 0);
	assert_near(ci.high, 1.3, 0);
	stats_mean_ci_bootstrap(same, 4, 0.95, &ci);
	assert_near(ci.low, 7, 0);
	assert_near(ci.high, 7, 0);
}

/* Loss shares of 10 runs, nine of them 0 %: a t interval reaches below
 * 0 %, the bootstrap's stays inside, around the mean, and repeats. */
static void test_bootstrap_bounded(void **state)
{
	(void)state;
	const double x[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0};
	struct stats_ci t, b, again;

	stats_mean_ci(x, 10, 0.95, &t);
	assert_true(t.low < 0);
	stats_mean_ci_bootstrap(x, 10, 0.95, &b);
	assert_near(b.mean, 0.2, 1e-12);
	assert_true(b.low >= 0 && b.low <= b.mean && b.mean <= b.high && b.high <= 2.0);
	/* P(no 2.0 among 10 draws) = 0.9^10 = 35 % > 2.5 %: the low end is 0 */
	assert_near(b.low, 0, 0);
	stats_mean_ci_bootstrap(x, 10, 0.95, &again);
	assert_memory_equal(&b, &again, sizeof b);
}

/* The same values in another order (the runs of a parallel sweep finish in
 * any order) give the same mean and interval to the last bit, bootstrap
 * and t alike. */
static void test_bootstrap_order(void **state)
{
	(void)state;
	const double a[] = {0.57, 1.2, 0.31, 0.9, 0.0, 2.4, 0.75, 0.66, 1.05, 0.12};
	const double b[] = {2.4, 0.12, 0.66, 0.0, 1.05, 0.57, 0.31, 0.75, 1.2, 0.9};
	struct stats_ci ca, cb;

	stats_mean_ci_bootstrap(a, 10, 0.95, &ca);
	stats_mean_ci_bootstrap(b, 10, 0.95, &cb);
	assert_memory_equal(&ca, &cb, sizeof ca);
	assert_true(ca.low < ca.mean && ca.mean < ca.high);
	stats_mean_ci(a, 10, 0.95, &ca);
	stats_mean_ci(b, 10, 0.95, &cb);
	assert_memory_equal(&ca, &cb, sizeof ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_t_interval),
	        cmocka_unit_test(test_bootstrap_known),
	        cmocka_unit_test(test_bootstrap_bounded),
	        cmocka_unit_test(test_bootstrap_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
