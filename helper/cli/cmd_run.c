/* ipsec-sim run SCENARIO [--seed N] [--out DIR] [--set key=value]... [--no-pcap] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "paths.h"
#include "scenario.h"
#include "sim.h"

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim run SCENARIO [--seed N] [--out DIR] [--set key=value]..."
	                " [--no-pcap]\n");
	return 2;
}

static int parse_seed(const char *text, uint64_t *seed)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end || end == text || v == 0 || v > 0xffffffffULL || text[0] == '-') {
		fprintf(stderr, "--seed: '%s' is not a seed (1 to 4294967295)\n", text);
		return -1;
	}
	*seed = v;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *path = NULL, *out = NULL, *seed_text = NULL;
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	size_t n_sets = 0;
	bool pcap = true;
	if (!sets)
		return 1;
	int rc = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--seed") && i + 1 < argc)
			seed_text = argv[++i];
		else if (!strcmp(a, "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--set") && i + 1 < argc)
			sets[n_sets++] = argv[++i];
		else if (!strcmp(a, "--no-pcap"))
			pcap = false;
		else if (a[0] == '-' || path) {
			rc = usage();
			goto done;
		} else
			path = a;
	}
	if (!path) {
		rc = usage();
		goto done;
	}
	if (out && out_dir_check("--out", out) != 0)
		goto done;
	struct scenario s;
	if (scenario_load(path, sets, n_sets, &s, stderr) != 0) {
		scenario_free(&s);
		goto done;
	}
	struct sim_options o = {.seed = s.seed, .run_number = 1, .pcap = pcap};
	if (seed_text && parse_seed(seed_text, &o.seed) != 0) {
		scenario_free(&s);
		goto done;
	}
	char default_out[4096];
	snprintf(default_out, sizeof default_out, "results/%s", s.name);
	o.out_dir = out ? out : default_out;
	if (s.experiment.n_axes || s.experiment.replications) {
		char buf[200];
		fprintf(stderr,
		        "%s: note: one run of the scenario's base values; `ipsec-sim sweep %s` runs"
		        " its experiment: %s\n",
		        path, path, scenario_experiment_summary(&s, buf, sizeof buf));
	}
	rc = sim_run(&s, &o, stdout, stderr, NULL);
	scenario_free(&s);
done:
	free(sets);
	return rc;
}
