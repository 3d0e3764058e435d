#include "slurm_plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "run_config.h"

int slurm_plan_write(FILE *to, const struct sweep_fixed *f, const char *copy, const char *out)
{
	const struct sweep_plan *p = f->plan;
	char sha[65];
	run_config_sha256(f->text, f->text_len, sha);
	fprintf(to,
	        SLURM_PLAN_MAGIC "\nscenario_path %s\nscenario_copy %s\nscenario_name %s\n"
	                         "scenario_sha256 %s\nout %s\npcap %d\nruns %zu\n",
	        f->o->scenario_path, copy, f->scenario_name, sha, out, f->o->pcap ? 1 : 0,
	        sweep_plan_runs(p));
	for (size_t run = 0; run < sweep_plan_runs(p); run++) {
		size_t config = run / p->replications, n;
		uint64_t replication = run % p->replications;
		fprintf(to,
		        "run %zu config %zu replication %" PRIu64 " run_number %" PRIu64
		        " seed %" PRIu64 "\n",
		        run + 1, config + 1, replication, replication + 1, f->seed);
		char **sets = sweep_plan_sets(p, config, &n);
		if (!sets) {
			fprintf(stderr, "out of memory\n");
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			fprintf(to, "set %s\n", sets[i]);
		sweep_plan_free_sets(sets, n);
	}
	return 0;
}

/* The next line into p->line, without its newline: 1, or 0 at the end. */
static int read_line(struct slurm_plan *p)
{
	if (p->ahead) {
		p->ahead = false;
		return 1;
	}
	ssize_t n = getline(&p->line, &p->line_cap, p->f);
	if (n < 0)
		return 0;
	if (n > 0 && p->line[n - 1] == '\n')
		p->line[n - 1] = 0;
	p->line_no++;
	return 1;
}

static int bad(const struct slurm_plan *p, FILE *err, const char *what)
{
	fprintf(err, "%s:%zu: %s\n", p->path, p->line_no, what);
	return -1;
}

/* "key value": the value if the line's key is `key`, else NULL. */
static const char *value_of(const char *line, const char *key)
{
	size_t n = strlen(key);
	return !strncmp(line, key, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

static int read_copy(struct slurm_plan *p, FILE *err)
{
	FILE *f = fopen(p->scenario_copy, "rb");
	if (!f) {
		fprintf(err, "%s: %s (the scenario copy of %s)\n", p->scenario_copy,
		        strerror(errno), p->path);
		return -1;
	}
	FILE *text = open_memstream(&p->text, &p->text_len);
	char buf[8192];
	size_t n;
	while (text && (n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, text);
	int failed = ferror(f);
	fclose(f);
	if (!text || fclose(text) != 0 || failed) {
		fprintf(err, "%s: cannot read\n", p->scenario_copy);
		return -1;
	}
	char sha[65];
	run_config_sha256(p->text, p->text_len, sha);
	if (strcmp(sha, p->scenario_sha256)) {
		fprintf(err, "%s: changed since the plan %s was written (SHA-256 %s, not %s)\n",
		        p->scenario_copy, p->path, sha, p->scenario_sha256);
		return -1;
	}
	return 0;
}

int slurm_plan_open(struct slurm_plan *p, const char *path, FILE *err)
{
	*p = (struct slurm_plan){.path = path};
	if (!(p->f = fopen(path, "r"))) {
		fprintf(err, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!read_line(p) || strcmp(p->line, SLURM_PLAN_MAGIC))
		return bad(p, err, "not a sweep plan (first line '" SLURM_PLAN_MAGIC "')");
	struct {
		const char *key;
		char **to;
	} texts[] = {{"scenario_path", &p->scenario_path},
	             {"scenario_copy", &p->scenario_copy},
	             {"scenario_name", &p->scenario_name},
	             {"scenario_sha256", &p->scenario_sha256},
	             {"out", &p->out_dir}};
	const size_t n_texts = sizeof texts / sizeof texts[0];
	bool have_pcap = false, have_runs = false;
	int got;
	while ((got = read_line(p)) && strncmp(p->line, "run ", 4)) {
		const char *v;
		char *end;
		size_t i = 0;
		while (i < n_texts && !(v = value_of(p->line, texts[i].key)))
			i++;
		if (i < n_texts) {
			free(*texts[i].to);
			if (!(*texts[i].to = strdup(v)))
				return bad(p, err, "out of memory");
		} else if ((v = value_of(p->line, "pcap")) &&
		           (!strcmp(v, "0") || !strcmp(v, "1"))) {
			p->pcap = v[0] == '1';
			have_pcap = true;
		} else if ((v = value_of(p->line, "runs")) &&
		           (p->n_runs = strtoull(v, &end, 10)) > 0 && !*end)
			have_runs = true;
		else
			return bad(p, err, "not a plan header line");
	}
	p->ahead = got;
	for (size_t i = 0; i < n_texts; i++)
		if (!*texts[i].to) {
			fprintf(err, "%s: no %s line\n", path, texts[i].key);
			return -1;
		}
	if (!have_pcap || !have_runs) {
		fprintf(err, "%s: no %s line\n", path, have_pcap ? "runs" : "pcap");
		return -1;
	}
	return read_copy(p, err);
}

int slurm_plan_next(struct slurm_plan *p, struct slurm_run *r, FILE *err)
{
	*r = (struct slurm_run){0};
	if (!read_line(p))
		return 0;
	long long run_id, config_id;
	unsigned long long replication, run_number, seed;
	int end = -1;
	if (sscanf(p->line, "run %lld config %lld replication %llu run_number %llu seed %llu%n",
	           &run_id, &config_id, &replication, &run_number, &seed, &end) != 5 ||
	    p->line[end] || run_id < 1 || config_id < 1)
		return bad(p, err, "not a run line");
	*r = (struct slurm_run){.run_id = run_id,
	                        .config_id = config_id,
	                        .replication = replication,
	                        .run_number = run_number,
	                        .seed = seed};
	while (read_line(p)) {
		const char *v = value_of(p->line, "set");
		if (!v) {
			p->ahead = true;
			break;
		}
		char **sets = realloc(r->sets, (r->n_sets + 2) * sizeof *sets);
		if (!sets || !(sets[r->n_sets] = strdup(v))) {
			if (sets)
				r->sets = sets;
			slurm_run_free(r);
			return bad(p, err, "out of memory");
		}
		r->sets = sets;
		r->sets[++r->n_sets] = NULL;
	}
	return 1;
}

void slurm_run_free(struct slurm_run *r)
{
	for (size_t i = 0; i < r->n_sets; i++)
		free(r->sets[i]);
	free(r->sets);
	*r = (struct slurm_run){0};
}

void slurm_plan_close(struct slurm_plan *p)
{
	if (p->f)
		fclose(p->f);
	free(p->scenario_path);
	free(p->scenario_copy);
	free(p->scenario_name);
	free(p->scenario_sha256);
	free(p->out_dir);
	free(p->text);
	free(p->line);
	*p = (struct slurm_plan){0};
}
