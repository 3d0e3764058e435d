#include "sweep_plan.h"

#include <stdlib.h>
#include <string.h>

static char *copy(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

static int split_values(struct sweep_axis *a, const char *list)
{
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	a->values = calloc(n, sizeof *a->values);
	if (!a->values)
		return -1;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		if (!(a->values[a->n_values++] = copy(p, len)))
			return -1;
		p += len;
		if (!*p)
			return 0;
	}
}

static void free_axis(struct sweep_axis *a)
{
	free(a->key);
	for (size_t i = 0; i < a->n_values; i++)
		free(a->values[i]);
	free(a->values);
}

int sweep_plan_add_axis(struct sweep_plan *p, const char *arg, FILE *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(err, "--vary: '%s' is not key=value1,value2,...\n", arg);
		return -1;
	}
	const char *list = eq + 1;
	if (!*list || list[0] == ',' || strstr(list, ",,") || list[strlen(list) - 1] == ',') {
		fprintf(err, "--vary: '%s': empty value\n", arg);
		return -1;
	}
	size_t key_len = (size_t)(eq - arg);
	for (size_t i = 0; i < p->n_axes; i++)
		if (strlen(p->axes[i].key) == key_len && !memcmp(p->axes[i].key, arg, key_len)) {
			fprintf(err, "--vary: %s is varied twice\n", p->axes[i].key);
			return -1;
		}
	struct sweep_axis *axes = realloc(p->axes, (p->n_axes + 1) * sizeof *axes);
	if (!axes) {
		fprintf(err, "out of memory\n");
		return -1;
	}
	p->axes = axes;
	struct sweep_axis *a = &axes[p->n_axes++];
	*a = (struct sweep_axis){.key = copy(arg, key_len)};
	if (!a->key || split_values(a, list) != 0) {
		fprintf(err, "out of memory\n");
		return -1;
	}
	return 0;
}

int sweep_plan_count(struct sweep_plan *p, FILE *err)
{
	size_t configs = 1;
	for (size_t i = 0; i < p->n_axes; i++) {
		configs *= p->axes[i].n_values;
		if (configs > SWEEP_MAX_RUNS)
			break;
	}
	if (configs > SWEEP_MAX_RUNS || configs * p->replications > SWEEP_MAX_RUNS) {
		fprintf(err, "sweep: more than %d runs\n", SWEEP_MAX_RUNS);
		return -1;
	}
	p->n_configs = configs;
	return 0;
}

size_t sweep_plan_runs(const struct sweep_plan *p)
{
	return p->n_configs * p->replications;
}

char **sweep_plan_sets(const struct sweep_plan *p, size_t config, size_t *n)
{
	*n = p->n_sets + p->n_axes;
	char **sets = calloc(*n + 1, sizeof *sets);
	if (!sets)
		return NULL;
	for (size_t i = 0; i < p->n_sets; i++)
		if (!(sets[i] = copy(p->sets[i], strlen(p->sets[i]))))
			goto oom;
	for (size_t i = p->n_axes; i-- > 0;) {
		const struct sweep_axis *a = &p->axes[i];
		const char *v = a->values[config % a->n_values];
		config /= a->n_values;
		size_t len = strlen(a->key) + strlen(v) + 2;
		char *kv = malloc(len);
		if (!kv)
			goto oom;
		snprintf(kv, len, "%s=%s", a->key, v);
		sets[p->n_sets + i] = kv;
	}
	return sets;
oom:
	sweep_plan_free_sets(sets, *n);
	return NULL;
}

void sweep_plan_free_sets(char **sets, size_t n)
{
	if (!sets)
		return;
	for (size_t i = 0; i < n; i++)
		free(sets[i]);
	free(sets);
}

void sweep_plan_free(struct sweep_plan *p)
{
	for (size_t i = 0; i < p->n_axes; i++)
		free_axis(&p->axes[i]);
	free(p->axes);
	p->axes = NULL;
	p->n_axes = 0;
}
