/* ipsec-sim sweep SCENARIO [--replications N] [--vary key=v1,v2,... [--with key=v1,v2,...]...]...
 *   [--jobs N] [--out DIR] [--seed N] [--set key=value]... [--pcap]
 *   [--slurm [--slurm-dir DIR] [--partition P] [--time T] [--submit]] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "paths.h"
#include "scenario.h"
#include "slurm.h"
#include "sweep.h"

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim sweep SCENARIO [--replications N]"
	                " [--vary key=v1,v2,... [--with key=v1,v2,...]...]..."
	                " [--jobs N] [--out DIR] [--seed N] [--set key=value]... [--pcap]"
	                " [--slurm [--slurm-dir DIR] [--partition P] [--time T] [--submit]]\n");
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

/* The SLURM options make sense with --slurm only; --jobs not with it. */
static int check_slurm(const struct sweep_options *o, const struct slurm_options *so, bool slurm,
                       const char *jobs, const struct sweep_plan *p)
{
	const char *alone = so->dir         ? "--slurm-dir"
	                    : so->partition ? "--partition"
	                    : so->time      ? "--time"
	                    : so->submit    ? "--submit"
	                                    : NULL;
	if (!slurm && alone) {
		fprintf(stderr, "%s: only with --slurm\n", alone);
		return -1;
	}
	if (!slurm)
		return 0;
	if (jobs) {
		fprintf(stderr, "--jobs: not with --slurm (SLURM runs one task per run)\n");
		return -1;
	}
	for (size_t i = 0; i < p->n_sets; i++)
		if (strchr(p->sets[i], '\n')) {
			fprintf(stderr,
			        "--set: a value with a newline cannot go into a SLURM plan\n");
			return -1;
		}
	for (size_t i = 0; i < p->n_axes; i++)
		for (size_t v = 0; v < p->axes[i].n_levels; v++)
			for (size_t k = 0; k < p->axes[i].levels[v].n_sets; k++)
				if (strchr(p->axes[i].levels[v].sets[k], '\n')) {
					fprintf(stderr,
					        "%s: a value with a newline cannot go into a"
					        " SLURM plan\n",
					        p->axes[i].where ? p->axes[i].where : "--vary");
					return -1;
				}
	if (strchr(o->scenario_path, '\n')) {
		fprintf(stderr, "%s: a path with a newline cannot go into a SLURM plan\n",
		        o->scenario_path);
		return -1;
	}
	return slurm_options_check(so);
}

/* The scenario as it is (its --set overrides applied), for its experiment
 * and text; its messages only if it does not load (every configuration's
 * first one prints its warnings). */
static int load_base(const struct sweep_options *o, const struct sweep_plan *p, struct scenario *s)
{
	char *messages = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&messages, &len);
	int rc = scenario_load(o->scenario_path, p->sets, p->n_sets, s, f ? f : stderr);
	if (f)
		fclose(f);
	if (rc != 0 && messages)
		fputs(messages, stderr);
	free(messages);
	return rc;
}

/* A --vary, or a --with that zips a key onto the --vary before it. */
struct vary_arg {
	const char *arg;
	bool with;
};

/* The plan: the scenario's sweep, then the --vary axes, each with its
 * --with keys; the replications the command line gives, else the
 * scenario's `replications:`, else 1. */
static int plan_axes(struct sweep_plan *p, const struct scenario *s, const struct vary_arg *vary,
                     size_t n_vary)
{
	if (sweep_plan_add_scenario(p, &s->experiment, stderr) != 0)
		return -1;
	for (size_t i = 0; i < n_vary; i++)
		if ((vary[i].with ? sweep_plan_add_zipped(p, vary[i].arg, stderr)
		                  : sweep_plan_add_axis(p, vary[i].arg, stderr)) != 0)
			return -1;
	if (!p->replications)
		p->replications = s->experiment.replications ? s->experiment.replications : 1;
	return sweep_plan_count(p, stderr);
}

int cmd_sweep(int argc, char **argv)
{
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	struct vary_arg *vary = calloc((size_t)argc + 1, sizeof *vary);
	size_t n_vary = 0;
	struct sweep_plan plan = {.sets = sets};
	struct scenario s = {0};
	struct sweep_options o = {.jobs = online_cpus()};
	struct slurm_options so = {0};
	bool slurm = false;
	const char *jobs = NULL;
	int rc = 2;
	if (!sets || !vary) {
		rc = 1;
		goto done;
	}
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
			jobs = v;
		} else if (v && !strcmp(a, "--seed")) {
			if (parse_number(a, v, 1, 0xffffffffULL, &n) != 0)
				goto done;
			o.seed = n;
		} else if (v && (!strcmp(a, "--vary") || !strcmp(a, "--with")))
			vary[n_vary++] = (struct vary_arg){v, !strcmp(a, "--with")};
		else if (v && !strcmp(a, "--set"))
			sets[plan.n_sets++] = v;
		else if (v && !strcmp(a, "--out"))
			o.out_dir = v;
		else if (v && !strcmp(a, "--slurm-dir"))
			so.dir = v;
		else if (v && !strcmp(a, "--partition"))
			so.partition = v;
		else if (v && !strcmp(a, "--time"))
			so.time = v;
		else if (!strcmp(a, "--pcap") || !strcmp(a, "--slurm") || !strcmp(a, "--submit")) {
			o.pcap |= !strcmp(a, "--pcap");
			slurm |= !strcmp(a, "--slurm");
			so.submit |= !strcmp(a, "--submit");
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
	else if (o.out_dir && out_dir_check("--out", o.out_dir) != 0)
		rc = 2;
	else if (load_base(&o, &plan, &s) == 0 && plan_axes(&plan, &s, vary, n_vary) == 0 &&
	         check_slurm(&o, &so, slurm, jobs, &plan) == 0) {
		o.slurm = slurm ? &so : NULL;
		o.text = s.text;
		o.text_len = s.text_len;
		rc = sweep_run(&plan, &o);
	}
done:
	scenario_free(&s);
	sweep_plan_free(&plan);
	free(sets);
	free(vary);
	return rc;
}
