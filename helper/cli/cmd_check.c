/* ipsec-sim check SCENARIO [--set key=value]... : validate only, and say how
 * many runs the scenario's experiment (`sweep:`, `replications:`) has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "scenario.h"

static int usage(void)
{
	fputs("usage: ipsec-sim check SCENARIO [--set key=value]...\n", stderr);
	return 2;
}

int cmd_check(int argc, char **argv)
{
	const char *path = NULL;
	const char **sets;
	size_t nsets = 0;
	struct scenario s;
	char buf[200];
	int rc;

	sets = calloc((size_t)argc + 1, sizeof(*sets));
	if (!sets)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
			sets[nsets++] = argv[++i];
		} else if (strncmp(argv[i], "--set=", 6) == 0) {
			sets[nsets++] = argv[i] + 6;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			free(sets);
			usage();
			return 0;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "ipsec-sim check: unexpected argument '%s'\n", argv[i]);
			free(sets);
			return usage();
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		free(sets);
		return usage();
	}
	rc = scenario_load(path, sets, nsets, &s, stderr);
	if (rc == 0)
		printf("%s: ok (%zu nodes, %zu links, %zu SAs, %zu flows)\n", path, s.n_nodes,
		       s.n_links, s.n_sas, s.n_flows);
	if (rc == 0 && (s.experiment.n_axes || s.experiment.replications))
		printf("%s: experiment: %s\n", path,
		       scenario_experiment_summary(&s, buf, sizeof(buf)));
	scenario_free(&s);
	free(sets);
	return rc;
}
