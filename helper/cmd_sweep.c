/* ipsec-sim sweep SCENARIO [--replications N] [--vary key=v1,v2,...]...
 *   [--jobs N] [--out DIR] [--seed N] [--set key=value]... [--pcap] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "sweep.h"

static int usage(void)
{
	fprintf(stderr,
	        "usage: ipsec-sim sweep SCENARIO [--replications N] [--vary key=v1,v2,...]..."
	        " [--jobs N] [--out DIR] [--seed N] [--set key=value]... [--pcap]\n");
	return 2;
}

/* A decimal number in [min, max] for `option`. */
static int parse_number(const char *option, const char *text, unsigned long long min,
                        unsigned long long max, unsigned long long *v)
{
	char *end;
	errno = 0;
	*v = strtoull(text, &end, 10);
	if (errno || *end || end == text || text[0] == '-' || *v < min || *v > max) {
		fprintf(stderr, "%s: '%s' is not a number from %llu to %llu\n", option, text, min,
		        max);
		return -1;
	}
	return 0;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

int cmd_sweep(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	struct sweep_plan plan = {.sets = sets, .replications = 1};
	struct sweep_options o = {.jobs = online_cpus()};
	if (!sets)
		return 1;
	int rc = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long n;
		if (v && !strcmp(a, "--replications")) {
			if (parse_number(a, v, 1, SWEEP_MAX_RUNS, &n) != 0)
				goto done;
			plan.replications = (uint32_t)n;
		} else if (v && !strcmp(a, "--jobs")) {
			if (parse_number(a, v, 1, 1024, &n) != 0)
				goto done;
			o.jobs = (unsigned)n;
		} else if (v && !strcmp(a, "--seed")) {
			if (parse_number(a, v, 1, 0xffffffffULL, &n) != 0)
				goto done;
			o.seed = n;
		} else if (v && !strcmp(a, "--vary")) {
			if (sweep_plan_add_axis(&plan, v, stderr) != 0)
				goto done;
		} else if (v && !strcmp(a, "--set"))
			sets[plan.n_sets++] = v;
		else if (v && !strcmp(a, "--out"))
			o.out_dir = v;
		else if (!strcmp(a, "--pcap")) {
			o.pcap = true;
			continue;
		} else if (a[0] == '-' || o.scenario_path) {
			rc = usage();
			goto done;
		} else {
			o.scenario_path = a;
			continue;
		}
		i++;
	}
	if (!o.scenario_path)
		rc = usage();
	else if (sweep_plan_count(&plan, stderr) == 0)
		rc = sweep_run(&plan, &o);
done:
	sweep_plan_free(&plan);
	free(sets);
	return rc;
}
