/* Scenario loader: the experiment, `replications:` and `sweep:`
 * (docs/experiments.md).  The loader does not apply the sweep (a scenario
 * loads with its base values) but reads it into scenario.experiment, whose
 * axes sweep_plan turns into configurations, and scenario.c loads the
 * scenario again with each of its values to check them like `--set`s. */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

/* Top-level keys a sweep cannot vary, and why. */
static const struct {
	const char *key, *why;
} fixed_keys[] = {
        {"sweep", "the sweep cannot vary itself"},
        {"replications", "the sweep cannot vary 'replications' (the runs of each configuration)"},
        {"seed", "the sweep cannot vary 'seed': the replications of a configuration differ by"
                 " ns-3 run number under one seed (give another seed with --seed)"},
};

/* "FILE:LINE:COL" of node n, or "--set:N" when an override made it. */
static char *where(struct ctx *c, yaml_node_t *n)
{
	int id = (int)(n - c->doc.nodes.start) + 1;
	unsigned set = (size_t)id < c->origin_cap ? c->origin[id] : 0;
	char buf[4200];

	char label[32];
	if (set)
		snprintf(buf, sizeof(buf), "%s", scn_set_label(c, set, label, sizeof label));
	else
		snprintf(buf, sizeof(buf), "%s:%zu:%zu", c->file, n->start_mark.line + 1,
		         n->start_mark.column + 1);
	return scn_arena_strdup(c->a, buf);
}

/* A scalar as YAML text that `--set` reads back as the same scalar: plain
 * as written, anything quoted double-quoted (YAML 1.1 §5.7 escapes). */
static char *value_text(struct ctx *c, const yaml_node_t *v)
{
	const unsigned char *s = v->data.scalar.value;
	size_t n = v->data.scalar.length;
	char *t, *o;

	if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return scn_arena_strdup(c->a, (const char *)s);
	o = t = scn_arena_alloc(c->a, 4 * n + 3);
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			*o++ = '\\';
			*o++ = (char)s[i];
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			o += sprintf(o, "\\x%02x", s[i]);
		} else {
			*o++ = (char)s[i];
		}
	}
	*o = '"';
	return t;
}

/* A sweep key: a path as `--set` takes it that leads somewhere, not into
 * one of fixed_keys.  Its text, or NULL after an error. */
static const char *sweep_key(struct ctx *c, yaml_node_t *k)
{
	const char *key;
	size_t first;

	if (k->type != YAML_SCALAR_NODE || k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !*(key = scn_text_of(k))) {
		scn_error_at(c, k, "a sweep key must be a path like links.1.loss");
		return NULL;
	}
	if (!scn_path_ok(key)) {
		scn_error_at(c, k, "'%s' is not a key path like traffic.0.rate", key);
		return NULL;
	}
	first = strcspn(key, ".");
	for (size_t i = 0; i < sizeof(fixed_keys) / sizeof(fixed_keys[0]); i++)
		if (strlen(fixed_keys[i].key) == first && !strncmp(key, fixed_keys[i].key, first)) {
			scn_error_at(c, k, "%s", fixed_keys[i].why);
			return NULL;
		}
	return scn_check_path(c, key, k) ? key : NULL;
}

/* Adds override key: v to level l (with room for it). */
static bool add_override(struct ctx *c, struct scenario_sweep_level *l, yaml_node_t *k,
                         const char *key, yaml_node_t *v)
{
	if (!scn_scalar(c, v, key))
		return false;
	l->sets[l->n_sets++] = (struct scenario_override){
	        .key = scn_arena_strdup(c->a, key),
	        .value = value_text(c, v),
	        .key_node = (int)(k - c->doc.nodes.start) + 1,
	        .value_node = (int)(v - c->doc.nodes.start) + 1,
	};
	return true;
}

static size_t map_len(const yaml_node_t *m)
{
	return (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

/* sweep: {KEY: [V1, V2, ...], ...}: an axis per key, a level per value. */
static void load_axes(struct ctx *c, struct scenario_experiment *e, yaml_node_t *m)
{
	e->axes = scn_arena_alloc(c->a, map_len(m) * sizeof(*e->axes));
	for (size_t i = 0; i < map_len(m); i++) {
		yaml_node_t *k = scn_node(c, m->data.mapping.pairs.start[i].key);
		yaml_node_t *v = scn_node(c, m->data.mapping.pairs.start[i].value);
		const char *key = sweep_key(c, k);
		char what[300];

		if (!key)
			continue;
		for (size_t a = 0; a < e->n_axes; a++)
			if (!strcmp(e->axes[a].key, key)) {
				scn_error_at(c, k, "duplicate key '%s' in sweep", key);
				key = NULL;
				break;
			}
		snprintf(what, sizeof(what), "the values of '%s' in sweep", key ? key : "");
		if (!key || !scn_want_seq(c, v, what))
			continue;
		if (scn_seq_len(v) == 0) {
			scn_error_at(c, v, "no values for '%s' in sweep", key);
			continue;
		}
		struct scenario_sweep_axis *a = &e->axes[e->n_axes++];
		*a = (struct scenario_sweep_axis){
		        .key = scn_arena_strdup(c->a, key),
		        .where = where(c, k),
		        .levels = scn_arena_alloc(c->a, scn_seq_len(v) * sizeof(*a->levels)),
		};
		for (size_t j = 0; j < scn_seq_len(v); j++) {
			yaml_node_t *item = scn_seq_item(c, v, j);
			struct scenario_sweep_level *l = &a->levels[a->n_levels];

			l->sets = scn_arena_alloc(c->a, sizeof(*l->sets));
			l->where = where(c, item);
			a->n_levels += add_override(c, l, k, key, item);
		}
	}
}

/* sweep: [{KEY: VALUE, ...}, ...]: one axis, a level per configuration. */
static void load_list(struct ctx *c, struct scenario_experiment *e, yaml_node_t *list)
{
	size_t n = scn_seq_len(list);
	struct scenario_sweep_axis *a;

	if (n == 0) {
		scn_error_at(c, list, "the sweep lists no configuration");
		return;
	}
	e->axes = a = scn_arena_alloc(c->a, sizeof(*a));
	e->n_axes = 1;
	*a = (struct scenario_sweep_axis){
	        .key = scn_arena_strdup(c->a, "sweep"),
	        .where = where(c, list),
	        .levels = scn_arena_alloc(c->a, n * sizeof(*a->levels)),
	        .n_levels = n,
	};
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = scn_seq_item(c, list, i);
		struct scenario_sweep_level *l = &a->levels[i];

		l->where = where(c, m);
		if (!scn_want_map(c, m, "a configuration of the sweep"))
			continue;
		l->sets = scn_arena_alloc(c->a, (map_len(m) + 1) * sizeof(*l->sets));
		for (size_t j = 0; j < map_len(m); j++) {
			yaml_node_t *k = scn_node(c, m->data.mapping.pairs.start[j].key);
			yaml_node_t *v = scn_node(c, m->data.mapping.pairs.start[j].value);
			const char *key = sweep_key(c, k);
			bool dup = false;

			for (size_t s = 0; key && s < l->n_sets; s++)
				dup |= !strcmp(l->sets[s].key, key);
			if (dup)
				scn_error_at(c, k, "duplicate key '%s' in this configuration", key);
			else if (key)
				add_override(c, l, k, key, v);
		}
	}
}

void scn_load_experiment(struct load *L, yaml_node_t *root)
{
	struct ctx *c = L->c;
	struct scenario_experiment *e = &L->s->experiment;
	yaml_node_t *v = scn_get(c, root, "sweep");
	uint64_t u, runs = 1;

	if (scn_opt_uint(c, root, "replications", 1, SCENARIO_MAX_RUNS, &u, NULL) == 1)
		e->replications = (uint32_t)u;
	e->n_configs = 1;
	if (!v)
		return;
	if (v->type == YAML_MAPPING_NODE && map_len(v) > 0) {
		load_axes(c, e, v);
	} else if (v->type == YAML_SEQUENCE_NODE) {
		load_list(c, e, v);
	} else {
		scn_error_at(c, v,
		             "expected for 'sweep' a mapping of keys to lists of values "
		             "({links.1.loss: [0.01, 0.05]}) or a list of configurations "
		             "([{links.1.loss: 0.01}, ...]), got %s",
		             scn_is_null(v) || v->type == YAML_MAPPING_NODE ? "nothing"
		                                                            : "a single value");
		return;
	}
	for (size_t a = 0; a < e->n_axes && runs <= SCENARIO_MAX_RUNS; a++)
		runs *= e->axes[a].n_levels;
	e->n_configs = (size_t)runs;
	if (runs * (e->replications ? e->replications : 1) > SCENARIO_MAX_RUNS)
		scn_error_at(c, v, "the experiment has more than %d runs", SCENARIO_MAX_RUNS);
}

const char *scenario_experiment_summary(const struct scenario *s, char *buf, size_t len)
{
	const struct scenario_experiment *e = &s->experiment;
	unsigned r = e->replications ? e->replications : 1;

	snprintf(buf, len, "%zu configuration%s x %u replication%s = %zu run%s", e->n_configs,
	         e->n_configs == 1 ? "" : "s", r, r == 1 ? "" : "s", e->n_configs * r,
	         e->n_configs * r == 1 ? "" : "s");
	return buf;
}
