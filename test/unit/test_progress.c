/* A sweep's ETA: the mean wall time of the finished runs, for the runs
 * left, --jobs at a time. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#include "progress.h"

static void test_eta_counts_jobs(void **state)
{
	(void)state;
	char out[4096] = "";
	FILE *f = fmemopen(out, sizeof out, "w");
	struct progress p;

	assert_non_null(f);
	progress_start(&p, f, 8, 4);
	/* the first of 8 runs took 10 s: 7 left, 4 at a time: 17.5 s */
	progress_run_done(&p, 1, 1, 0, "complete", 60, 10, 3);
	/* the second 20 s: mean 15 s, 6 left, 4 at a time: 22.5 s */
	progress_run_done(&p, 2, 1, 1, "complete", 60, 20, 3);
	/* 3 left, fewer than the jobs: one round, 15 s */
	for (int i = 3; i <= 5; i++)
		progress_run_done(&p, i, 1, (size_t)i - 1, "complete", 60, 15, 3);
	fclose(f);
	assert_non_null(strstr(out, "[1/8] run 1 (config 1, replication 0): complete, 60.000 s "
	                            "simulated in 10.000 s wall; ETA 18 s\n"));
	assert_non_null(strstr(out, "[2/8] run 2 (config 1, replication 1): complete, 60.000 s "
	                            "simulated in 20.000 s wall; ETA 22 s\n"));
	assert_non_null(strstr(out, "[5/8] run 5 (config 1, replication 4): complete, 60.000 s "
	                            "simulated in 15.000 s wall; ETA 15 s\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_eta_counts_jobs)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
