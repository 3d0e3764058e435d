/* ipsec-sim report DB [--out DIR] [--baseline CONFIG] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "paths.h"
#include "report_data.h"
#include "report_plot.h"
#include "report_text.h"

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim report DB [--out DIR] [--baseline CONFIG]\n");
	return 2;
}

int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *baseline = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--baseline") && i + 1 < argc)
			baseline = argv[++i];
		else if (argv[i][0] == '-' || db)
			return usage();
		else
			db = argv[i];
	}
	if (!db)
		return usage();
	if (out && out_dir_check("--out", out) != 0)
		return 2;
	struct stat sb;
	if (stat(db, &sb) != 0) {
		fprintf(stderr, "%s: no such database\n", db);
		return 2;
	}
	struct report r;
	char err[512], dir[4096], csv[4200];
	if (report_load(&r, db, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", db, err);
		report_free(&r);
		return 2;
	}
	size_t base = (size_t)-1;
	if (baseline) {
		char *end;
		long long id = strtoll(baseline, &end, 10);
		base = *end || end == baseline ? (size_t)-1 : report_config_index(&r, id);
		if (base == (size_t)-1) {
			fprintf(stderr,
			        "--baseline: '%s' is no configuration of %s (config_id 1 to "
			        "%lld)\n",
			        baseline, db,
			        r.n_configs ? (long long)r.configs[r.n_configs - 1].id : 0);
			report_free(&r);
			return 2;
		}
	}
	if (!out && !r.scenario) {
		fprintf(stderr, "%s: runs of several scenarios: give --out DIR\n", db);
		report_free(&r);
		return 2;
	}
	if (out)
		snprintf(dir, sizeof dir, "%s", out);
	else
		snprintf(dir, sizeof dir, "results/%s", r.scenario);
	if (mkdirs(dir) != 0) {
		fprintf(stderr, "%s: cannot create: %s\n", dir, strerror(errno));
		report_free(&r);
		return 1;
	}
	report_print(&r, stdout);
	printf("\n");
	int rc = 0;
	snprintf(csv, sizeof csv, "%s/summary.csv", dir);
	if (report_write_csv(&r, csv) != 0) {
		fprintf(stderr, "%s: %s\n", csv, strerror(errno));
		rc = 1;
	} else
		printf("%s\n", csv);
	if (report_write_tidy(&r, dir, stdout, stderr) != 0)
		rc = 1;
	if (base != (size_t)-1) {
		snprintf(csv, sizeof csv, "%s/differences.csv", dir);
		if (report_print_differences(&r, base, stdout, csv) != 0) {
			fprintf(stderr, "%s: %s\n", csv, strerror(errno));
			rc = 1;
		} else
			printf("%s\n", csv);
	}
	if (report_plot_all(&r, dir, stdout, stderr) != 0)
		rc = 1;
	report_free(&r);
	return rc;
}
