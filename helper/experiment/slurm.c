/* realpath() */
#define _XOPEN_SOURCE 700

#include "slurm.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "paths.h"
#include "slurm_plan.h"

/* Array task ids SLURM accepts without a larger MaxArraySize (1001). */
#define SLURM_DEFAULT_MAX_ARRAY 1000

/* Characters #SBATCH lines and Slurm's filename patterns (%a, %j) would
 * read otherwise. */
static const char UNSAFE[] = " \t\n\"'\\%$`";

/* [days-]hours[:minutes[:seconds]] or minutes[:seconds], as sbatch --time. */
static int time_ok(const char *t)
{
	if (!strcasecmp(t, "UNLIMITED") || !strcasecmp(t, "INFINITE"))
		return 1;
	const char *p = t;
	size_t digits = strspn(p, "0123456789");
	if (digits && p[digits] == '-')
		p += digits + 1;
	for (int group = 0; group < 3; group++) {
		digits = strspn(p, "0123456789");
		if (!digits)
			return 0;
		p += digits;
		if (!*p)
			return 1;
		if (*p++ != ':')
			return 0;
	}
	return 0;
}

int slurm_options_check(const struct slurm_options *so)
{
	if (so->time && !time_ok(so->time)) {
		fprintf(stderr,
		        "--time: '%s' is not a SLURM time limit (MINUTES, HH:MM:SS, D-HH:MM, "
		        "...)\n",
		        so->time);
		return -1;
	}
	if (so->partition &&
	    (!*so->partition ||
	     strspn(so->partition, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	                           "opqrstuvwxyz0123456789_.,-") != strlen(so->partition))) {
		fprintf(stderr, "--partition: '%s' is not a partition name\n", so->partition);
		return -1;
	}
	if (so->dir && strpbrk(so->dir, UNSAFE)) {
		fprintf(stderr,
		        "--slurm-dir: '%s': blanks, quotes, %%, $ and \\ cannot go into"
		        " #SBATCH lines\n",
		        so->dir);
		return -1;
	}
	return 0;
}

/* `s` in single quotes for sh. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* The #SBATCH lines both scripts share. */
static void put_common(FILE *f, const struct slurm_options *so, const char *name,
                       const char *suffix)
{
	fputs("#SBATCH --job-name=ipsec-sim-", f);
	for (const char *c = name; *c; c++)
		fputc(isalnum((unsigned char)*c) || strchr("._-", *c) ? *c : '_', f);
	fprintf(f, "%s\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n", suffix);
	if (so->partition)
		fprintf(f, "#SBATCH --partition=%s\n", so->partition);
	if (so->time)
		fprintf(f, "#SBATCH --time=%s\n", so->time);
}

struct paths {
	char dir[PATH_MAX], out[PATH_MAX], exe[PATH_MAX];
	char plan[PATH_MAX + 16], copy[PATH_MAX + 16], array[PATH_MAX + 16], merge[PATH_MAX + 16];
};

static FILE *create(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	else
		chmod(path, mode);
	return f;
}

static int done(FILE *f, const char *path)
{
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_files(const struct sweep_fixed *f, const struct slurm_options *so,
                       const struct paths *p)
{
	FILE *c = create(p->copy, 0644);
	if (!c)
		return -1;
	fwrite(f->text, 1, f->text_len, c);
	if (done(c, p->copy) != 0)
		return -1;

	FILE *plan = create(p->plan, 0644);
	if (!plan)
		return -1;
	if (slurm_plan_write(plan, f, p->copy, p->out) != 0) {
		fclose(plan);
		return -1;
	}
	if (done(plan, p->plan) != 0)
		return -1;

	FILE *a = create(p->array, 0755);
	if (!a)
		return -1;
	fprintf(a, "#!/bin/sh\n# ipsec-sim sweep of %s: array task N runs run N of the plan\n",
	        f->o->scenario_path);
	put_common(a, so, f->scenario_name, "");
	fprintf(a, "#SBATCH --array=1-%zu\n#SBATCH --output=%s/logs/run-%%a.log\nexec ",
	        sweep_plan_runs(f->plan), p->dir);
	put_quoted(a, p->exe);
	fputs(" sweep-task ", a);
	put_quoted(a, p->plan);
	fputs(" \"$SLURM_ARRAY_TASK_ID\"\n", a);
	if (done(a, p->array) != 0)
		return -1;

	FILE *m = create(p->merge, 0755);
	if (!m)
		return -1;
	fprintf(m,
	        "#!/bin/sh\n# ipsec-sim sweep of %s: merges the array's runs into"
	        " %s/metrics.sqlite\n# (submit with --dependency=afterany:ARRAY_JOB_ID)\n",
	        f->o->scenario_path, p->out);
	put_common(m, so, f->scenario_name, "-merge");
	fprintf(m, "#SBATCH --output=%s/logs/merge.log\nexec ", p->dir);
	put_quoted(m, p->exe);
	fputs(" sweep-merge ", m);
	put_quoted(m, p->plan);
	fputc('\n', m);
	return done(m, p->merge);
}

/* `sbatch --parsable [--dependency=afterany:AFTER] SCRIPT`: the job id, or
 * NULL after a message.  sbatch's own messages go to stderr. */
static char *sbatch(const char *script, const char *after)
{
	char dep[64];
	snprintf(dep, sizeof dep, "--dependency=afterany:%s", after ? after : "");
	char *argv[] = {"sbatch", "--parsable", after ? dep : (char *)script,
	                after ? (char *)script : NULL, NULL};
	int fds[2];
	if (pipe(fds) != 0) {
		fprintf(stderr, "pipe: %s\n", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp("sbatch", argv);
		fprintf(stderr, "sbatch: %s (is SLURM's client, Debian slurm-client, installed?)\n",
		        strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	char out[256] = "";
	size_t len = 0;
	ssize_t n;
	while ((n = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	size_t id_len = strspn(out, "0123456789");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !id_len) {
		fprintf(stderr, "slurm: sbatch %s failed (%s %d)%s%s\n", script,
		        WIFEXITED(status) ? "exit status" : "signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		        len ? "; it printed: " : "", out);
		return NULL;
	}
	return strndup(out, id_len);
}

static int submit(const struct sweep_fixed *f, const struct paths *p)
{
	char *array = sbatch(p->array, NULL);
	if (!array)
		return 1;
	printf("slurm: array job %s (%zu tasks)\n", array, sweep_plan_runs(f->plan));
	fflush(stdout);
	char *merge = sbatch(p->merge, array);
	if (!merge) {
		fprintf(stderr,
		        "slurm: array job %s runs without its merge step: submit it with\n"
		        "  sbatch --dependency=afterany:%s %s\n",
		        array, array, p->merge);
		free(array);
		return 1;
	}
	printf("slurm: merge job %s (after job %s)\nresults: %s/metrics.sqlite once job %s has "
	       "run; logs in %s/logs\n",
	       merge, array, p->out, merge, p->dir);
	free(array);
	free(merge);
	return 0;
}

static int resolve(const struct sweep_fixed *f, const struct slurm_options *so, struct paths *p)
{
	char dir[PATH_MAX];
	if (so->dir)
		snprintf(dir, sizeof dir, "%s", so->dir);
	else
		snprintf(dir, sizeof dir, "%s/slurm", f->out_dir);
	ssize_t n = readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
	if (n <= 0) {
		fprintf(stderr, "slurm: cannot find ipsec-sim's own path: %s\n", strerror(errno));
		return 1;
	}
	p->exe[n] = 0;
	if (mkdirs(dir) != 0 || !realpath(dir, p->dir)) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (!realpath(f->out_dir, p->out)) {
		fprintf(stderr, "%s: %s\n", f->out_dir, strerror(errno));
		return 1;
	}
	if (strpbrk(p->dir, UNSAFE) || strchr(p->out, '\n')) {
		fprintf(stderr,
		        "%s: blanks, quotes, %%, $ and \\ cannot go into #SBATCH lines: use"
		        " --slurm-dir\n",
		        p->dir);
		return 2;
	}
	snprintf(p->plan, sizeof p->plan, "%s/plan", p->dir);
	snprintf(p->copy, sizeof p->copy, "%s/scenario.yaml", p->dir);
	snprintf(p->array, sizeof p->array, "%s/sweep.sbatch", p->dir);
	snprintf(p->merge, sizeof p->merge, "%s/merge.sbatch", p->dir);
	char logs[PATH_MAX + 16];
	snprintf(logs, sizeof logs, "%s/logs", p->dir);
	if (remove_tree(logs) != 0 || mkdirs(logs) != 0) {
		fprintf(stderr, "%s: %s\n", logs, strerror(errno));
		return 1;
	}
	return 0;
}

int slurm_sweep(const struct sweep_fixed *f, const struct slurm_options *so)
{
	struct paths *p = calloc(1, sizeof *p);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	int rc = resolve(f, so, p);
	if (rc == 0 && write_files(f, so, p) != 0)
		rc = 1;
	if (rc == 0 && sweep_plan_runs(f->plan) > SLURM_DEFAULT_MAX_ARRAY)
		fprintf(stderr,
		        "slurm: note: %zu array tasks; SLURM refuses more than MaxArraySize - 1"
		        " (%d by default)\n",
		        sweep_plan_runs(f->plan), SLURM_DEFAULT_MAX_ARRAY);
	if (rc == 0 && so->submit)
		rc = submit(f, p);
	else if (rc == 0)
		printf("slurm: %zu runs written to %s (plan, scenario.yaml, sweep.sbatch,"
		       " merge.sbatch)\nsubmit with:\n"
		       "  job=$(sbatch --parsable %s) &&\n"
		       "  sbatch --dependency=afterany:${job%%;*} %s\n"
		       "results: %s/metrics.sqlite once the merge job has run\n",
		       sweep_plan_runs(f->plan), p->dir, p->array, p->merge, p->out);
	free(p);
	return rc;
}
