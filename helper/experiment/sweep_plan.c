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

/* "key=value" */
static char *key_value(const char *key, size_t key_len, const char *value, size_t value_len)
{
	char *kv = malloc(key_len + value_len + 2);
	if (kv) {
		memcpy(kv, key, key_len);
		kv[key_len] = '=';
		memcpy(kv + key_len + 1, value, value_len);
		kv[key_len + 1 + value_len] = 0;
	}
	return kv;
}

/* Level i of `a` with room for n overrides (levels allocated). */
static struct sweep_level *new_level(struct sweep_axis *a, size_t n)
{
	struct sweep_level *l = &a->levels[a->n_levels++];
	l->sets = calloc(n ? n : 1, sizeof *l->sets);
	return l->sets ? l : NULL;
}

/* The values of a --vary, split at commas, each a level "key=value". */
static int split_values(struct sweep_axis *a, const char *list)
{
	size_t n = 1, key_len = strlen(a->key);
	for (const char *p = list; *p; p++)
		n += *p == ',';
	if (!(a->levels = calloc(n, sizeof *a->levels)))
		return -1;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		struct sweep_level *l = new_level(a, 1);
		if (!l || !(l->sets[l->n_sets++] = key_value(a->key, key_len, p, len)))
			return -1;
		p += len;
		if (!*p)
			return 0;
	}
}

static void free_axis(struct sweep_axis *a)
{
	free(a->key);
	free(a->where);
	for (size_t i = 0; i < a->n_levels; i++)
		sweep_plan_free_sets(a->levels[i].sets, a->levels[i].n_sets);
	free(a->levels);
}

/* Does axis a set `key` (of `len` bytes) in one of its levels? */
static int sets_key(const struct sweep_axis *a, const char *key, size_t len)
{
	for (size_t i = 0; i < a->n_levels; i++)
		for (size_t j = 0; j < a->levels[i].n_sets; j++) {
			const char *kv = a->levels[i].sets[j];
			if (!strncmp(kv, key, len) && kv[len] == '=')
				return 1;
		}
	return 0;
}

/* A --vary of a key that another axis varies: a message on `err`. */
static int varied_twice(const struct sweep_plan *p, const char *key, size_t len, FILE *err)
{
	for (size_t i = 0; i < p->n_axes; i++) {
		if (!sets_key(&p->axes[i], key, len))
			continue;
		if (p->axes[i].where)
			fprintf(err, "--vary: %.*s is varied by the scenario's sweep (%s) too\n",
			        (int)len, key, p->axes[i].where);
		else
			fprintf(err, "--vary: %.*s is varied twice\n", (int)len, key);
		return 1;
	}
	return 0;
}

static struct sweep_axis *new_axis(struct sweep_plan *p, FILE *err)
{
	struct sweep_axis *axes = realloc(p->axes, (p->n_axes + 1) * sizeof *axes);
	if (!axes) {
		fprintf(err, "out of memory\n");
		return NULL;
	}
	p->axes = axes;
	axes[p->n_axes] = (struct sweep_axis){0};
	return &axes[p->n_axes++];
}

/* "key=v1,v2,...": the key's length, or 0 after a message on `err`. */
static size_t parse_vary(const char *option, const char *arg, FILE *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(err, "%s: '%s' is not key=value1,value2,...\n", option, arg);
		return 0;
	}
	const char *list = eq + 1;
	if (!*list || list[0] == ',' || strstr(list, ",,") || list[strlen(list) - 1] == ',') {
		fprintf(err, "%s: '%s': empty value\n", option, arg);
		return 0;
	}
	return (size_t)(eq - arg);
}

int sweep_plan_add_axis(struct sweep_plan *p, const char *arg, FILE *err)
{
	size_t key_len = parse_vary("--vary", arg, err);
	if (!key_len || varied_twice(p, arg, key_len, err))
		return -1;
	struct sweep_axis *a = new_axis(p, err);
	if (!a)
		return -1;
	if (!(a->key = copy(arg, key_len)) || split_values(a, arg + key_len + 1) != 0) {
		fprintf(err, "out of memory\n");
		return -1;
	}
	return 0;
}

int sweep_plan_add_zipped(struct sweep_plan *p, const char *arg, FILE *err)
{
	size_t key_len = parse_vary("--with", arg, err);
	if (!key_len)
		return -1;
	struct sweep_axis *a = p->n_axes ? &p->axes[p->n_axes - 1] : NULL;
	if (!a || a->where) {
		fprintf(err,
		        "--with: '%s' follows no --vary (it adds a key to the axis of the "
		        "--vary before it)\n",
		        arg);
		return -1;
	}
	if (varied_twice(p, arg, key_len, err))
		return -1;
	struct sweep_axis values = {0};
	if (!(values.key = copy(arg, key_len)) || split_values(&values, arg + key_len + 1) != 0) {
		free_axis(&values);
		fprintf(err, "out of memory\n");
		return -1;
	}
	int rc = 0;
	if (values.n_levels != a->n_levels) {
		fprintf(err, "--with: %s has %zu values, the axis of %s has %zu: one each\n",
		        values.key, values.n_levels, a->key, a->n_levels);
		rc = -1;
	}
	/* Level i of the axis sets the key's i-th value too (as an item of a
	 * sweep list sets several keys). */
	for (size_t i = 0; rc == 0 && i < a->n_levels; i++) {
		struct sweep_level *l = &a->levels[i];
		char **sets = realloc(l->sets, (l->n_sets + 1) * sizeof *sets);
		if (!sets) {
			fprintf(err, "out of memory\n");
			rc = -1;
			break;
		}
		l->sets = sets;
		l->sets[l->n_sets++] = values.levels[i].sets[0];
		values.levels[i].n_sets = 0;
	}
	free_axis(&values);
	return rc;
}

/* Axis `from` of the scenario's sweep into `a`. */
static int copy_scenario_axis(struct sweep_axis *a, const struct scenario_sweep_axis *from)
{
	if (!(a->key = strdup(from->key)) || !(a->where = strdup(from->where)) ||
	    !(a->levels = calloc(from->n_levels, sizeof *a->levels)))
		return -1;
	for (size_t i = 0; i < from->n_levels; i++) {
		const struct scenario_sweep_level *fl = &from->levels[i];
		struct sweep_level *l = new_level(a, fl->n_sets);
		if (!l)
			return -1;
		for (size_t j = 0; j < fl->n_sets; j++) {
			const struct scenario_override *o = &fl->sets[j];
			if (!(l->sets[l->n_sets++] = key_value(o->key, strlen(o->key), o->value,
			                                       strlen(o->value))))
				return -1;
		}
	}
	return 0;
}

int sweep_plan_add_scenario(struct sweep_plan *p, const struct scenario_experiment *e, FILE *err)
{
	for (size_t i = 0; i < e->n_axes; i++) {
		struct sweep_axis *a = new_axis(p, err);
		if (!a)
			return -1;
		if (copy_scenario_axis(a, &e->axes[i]) != 0) {
			fprintf(err, "out of memory\n");
			return -1;
		}
	}
	return 0;
}

int sweep_plan_count(struct sweep_plan *p, FILE *err)
{
	size_t configs = 1;
	for (size_t i = 0; i < p->n_axes; i++) {
		configs *= p->axes[i].n_levels;
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

/* The level of each axis that configuration `config` takes. */
static void config_levels(const struct sweep_plan *p, size_t config,
                          const struct sweep_level **levels)
{
	for (size_t i = p->n_axes; i-- > 0;) {
		const struct sweep_axis *a = &p->axes[i];
		levels[i] = &a->levels[config % a->n_levels];
		config /= a->n_levels;
	}
}

const char **sweep_plan_labels(const struct sweep_plan *p, size_t config)
{
	const struct sweep_level **levels = calloc(p->n_axes + 1, sizeof *levels);
	const char **labels = NULL;
	if (!levels)
		return NULL;
	config_levels(p, config, levels);
	size_t n = p->n_sets;
	for (size_t i = 0; i < p->n_axes; i++)
		n += levels[i]->n_sets;
	if ((labels = calloc(n + 1, sizeof *labels))) {
		size_t k = p->n_sets;
		for (size_t i = 0; i < p->n_axes; i++)
			for (size_t j = 0; j < levels[i]->n_sets; j++)
				labels[k++] = p->axes[i].where ? p->axes[i].where : "--vary";
	}
	free(levels);
	return labels;
}

char **sweep_plan_sets(const struct sweep_plan *p, size_t config, size_t *n)
{
	const struct sweep_level **levels = calloc(p->n_axes + 1, sizeof *levels);
	char **sets = NULL;
	if (!levels)
		return NULL;
	config_levels(p, config, levels);
	*n = p->n_sets;
	for (size_t i = 0; i < p->n_axes; i++)
		*n += levels[i]->n_sets;
	if (!(sets = calloc(*n + 1, sizeof *sets)))
		goto done;
	size_t k = 0;
	for (size_t i = 0; i < p->n_sets; i++, k++)
		if (!(sets[k] = strdup(p->sets[i])))
			goto oom;
	for (size_t i = 0; i < p->n_axes; i++)
		for (size_t j = 0; j < levels[i]->n_sets; j++, k++)
			if (!(sets[k] = strdup(levels[i]->sets[j])))
				goto oom;
	goto done;
oom:
	sweep_plan_free_sets(sets, *n);
	sets = NULL;
done:
	free(levels);
	return sets;
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
