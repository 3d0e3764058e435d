/* Scenario loader: YAML (libyaml's document API) -> struct scenario.
 *
 * Loading goes in four steps:
 *   1. parse the whole file into a libyaml document (nodes keep their marks);
 *   2. apply the --set overrides to that tree (new nodes remember which
 *      override made them, so errors about them read "--set:N: ...");
 *   3. measure the tree with aliases expanded and refuse cycles, too deep or
 *      too large documents, so that the walk below is bounded;
 *   4. walk the tree section by section, validating every value, reporting
 *      every error at the node it is about, and resolving names to indices.
 * The file format is documented in docs/scenario-reference.md; keep the two
 * in step.
 */
#include "scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "units.h"

/* ---- memory: everything a scenario owns comes from its arena ---- */

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct scenario_arena {
	struct chunk *head;
};

static void *arena_alloc(struct scenario_arena *a, size_t n)
{
	struct chunk *c = calloc(1, sizeof(*c) + (n ? n : 1));

	if (!c) {
		fputs("ipsec-sim: out of memory\n", stderr);
		abort();
	}
	c->next = a->head;
	a->head = c;
	return c->data;
}

static char *arena_strdup(struct scenario_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena_alloc(a, n), s, n);
}

static void arena_free(struct scenario_arena *a)
{
	while (a && a->head) {
		struct chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
	free(a);
}

/* ---- the loading context and error reporting ---- */

struct ctx {
	const char *file;
	size_t copied; /* nodes made by --set values */
	unsigned nwarn;
	const char *text;
	FILE *errors;
	unsigned nerr;
	yaml_document_t doc;
	bool have_doc;
	unsigned *origin; /* by node id: 0 = the file, N = the N-th --set */
	size_t origin_cap;
	struct scenario *s;
	struct scenario_arena *a;
	bool duration_ok;
};

static void verror(struct ctx *c, unsigned set, size_t line, size_t col, bool has_pos,
                   const char *fmt, va_list ap)
{
	c->nerr++;
	if (!c->errors || c->nerr > SCENARIO_MAX_ERRORS + 1)
		return;
	if (c->nerr == SCENARIO_MAX_ERRORS + 1) {
		fprintf(c->errors, "%s: too many errors, stopping after %d\n", c->file,
		        SCENARIO_MAX_ERRORS);
		return;
	}
	if (set)
		fprintf(c->errors, "--set:%u: ", set);
	else if (has_pos)
		fprintf(c->errors, "%s:%zu:%zu: ", c->file, line, col);
	else
		fprintf(c->errors, "%s: ", c->file);
	vfprintf(c->errors, fmt, ap);
	fputc('\n', c->errors);
}

/* A warning: printed like an error, with "warning: ", but loading succeeds. */
static void warn_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int id = (int)(n - c->doc.nodes.start) + 1;
	unsigned set = (size_t)id < c->origin_cap ? c->origin[id] : 0;

	if (!c->errors || ++c->nwarn > SCENARIO_MAX_ERRORS)
		return;
	if (set)
		fprintf(c->errors, "--set:%u: warning: ", set);
	else
		fprintf(c->errors, "%s:%zu:%zu: warning: ", c->file, n->start_mark.line + 1,
		        n->start_mark.column + 1);
	va_start(ap, fmt);
	vfprintf(c->errors, fmt, ap);
	va_end(ap);
	fputc('\n', c->errors);
}

static void error_pos(struct ctx *c, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, 0, line, col, true, fmt, ap);
	va_end(ap);
}

static void error_file(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, 0, 0, 0, false, fmt, ap);
	va_end(ap);
}

static void error_set(struct ctx *c, unsigned set, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, set, 0, 0, false, fmt, ap);
	va_end(ap);
}

static int node_id(const struct ctx *c, const yaml_node_t *n)
{
	return (int)(n - c->doc.nodes.start) + 1;
}

/* An error about node n: at its position in the file, or at its --set. */
static void error_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int id = node_id(c, n);
	unsigned set = (size_t)id < c->origin_cap ? c->origin[id] : 0;

	va_start(ap, fmt);
	verror(c, set, n->start_mark.line + 1, n->start_mark.column + 1, true, fmt, ap);
	va_end(ap);
}

/* ---- reading the tree ---- */

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	/* Not "null": that is an encryption algorithm's name here. */
	const char *v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "~") == 0;
}

static const char *text_of(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* "a list", "a mapping", "an empty value" or the scalar quoted. */
static const char *describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (is_null(n))
		return "an empty value";
	snprintf(buf, len, "'%.40s%s'", text_of(n), strlen(text_of(n)) > 40 ? "..." : "");
	return buf;
}

static bool want_map(struct ctx *c, yaml_node_t *n, const char *what)
{
	char buf[64];

	if (n->type == YAML_MAPPING_NODE)
		return true;
	error_at(c, n, "expected a mapping (key: value) for %s, got %s", what,
	         describe(n, buf, sizeof(buf)));
	return false;
}

/* A list, or null meaning an empty list. */
static bool want_seq(struct ctx *c, yaml_node_t *n, const char *what)
{
	char buf[64];

	if (n->type == YAML_SEQUENCE_NODE || is_null(n))
		return true;
	error_at(c, n, "expected a list for %s, got %s", what, describe(n, buf, sizeof(buf)));
	return false;
}

static size_t seq_len(const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct ctx *c, const yaml_node_t *n, size_t i)
{
	return node(c, n->data.sequence.items.start[i]);
}

/* Levenshtein distance, for "did you mean" (short strings only). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = d[0];

		d[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = d[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			prev = cur;
		}
	}
	return d[lb];
}

/* The closest of a NULL-terminated list of words, or NULL if none is close. */
static const char *nearest(const char *word, const char *const *words)
{
	const char *best = NULL;
	size_t best_d = 3, wl = strlen(word);

	for (; *words; words++) {
		size_t d = edit_distance(word, *words);

		if (d < best_d && d < wl) {
			best = *words;
			best_d = d;
		}
	}
	return best;
}

/* Checks a mapping's keys: each must be a scalar from `keys`, at most once.
 * `what` names the mapping in messages ("link", "SA 'gwA-out'"). */
static void check_keys(struct ctx *c, yaml_node_t *map, const char *what, const char *const *keys)
{
	unsigned long seen = 0; /* bit i: keys[i] seen */

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key);
		size_t i;

		if (k->type != YAML_SCALAR_NODE) {
			error_at(c, k, "keys must be plain words, not %s, in %s",
			         k->type == YAML_SEQUENCE_NODE ? "lists" : "mappings", what);
			continue;
		}
		for (i = 0; keys[i]; i++)
			if (strcmp(keys[i], text_of(k)) == 0)
				break;
		if (!keys[i]) {
			const char *near = nearest(text_of(k), keys);

			if (near)
				error_at(c, k, "unknown key '%s' in %s (did you mean '%s'?)",
				         text_of(k), what, near);
			else
				error_at(c, k, "unknown key '%s' in %s", text_of(k), what);
			continue;
		}
		if (seen & (1ul << i))
			error_at(c, k, "duplicate key '%s' in %s", text_of(k), what);
		seen |= 1ul << i;
	}
}

/* The value of `key` in a mapping, or NULL. */
static yaml_node_t *get(struct ctx *c, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(c, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp(text_of(k), key) == 0)
			return node(c, p->value);
	}
	return NULL;
}

/* The text of a scalar value, or NULL after an error (a list, a mapping, or
 * nothing at all where a value is needed). */
static const char *scalar(struct ctx *c, yaml_node_t *v, const char *key)
{
	char buf[64];

	if (v->type == YAML_SCALAR_NODE && !is_null(v))
		return text_of(v);
	error_at(c, v, "expected a single value for '%s', got %s", key,
	         describe(v, buf, sizeof(buf)));
	return NULL;
}

static void missing(struct ctx *c, yaml_node_t *map, const char *key, const char *what)
{
	error_at(c, map, "missing '%s' in %s", key, what);
}

/* Optional typed values: each returns 1 (present and valid, *out set), 0
 * (absent, *out untouched) or -1 (present but invalid, error reported).
 * `vn`, when not NULL, receives the value node. */

typedef int (*parse_fn)(const char *s, void *out, char *err, size_t errlen);

static int opt_parse(struct ctx *c, yaml_node_t *map, const char *key, parse_fn fn, void *out,
                     yaml_node_t **vn)
{
	yaml_node_t *v = get(c, map, key);
	const char *s;
	char err[256];

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scalar(c, v, key);
	if (!s)
		return -1;
	if (fn(s, out, err, sizeof(err)) != 0) {
		error_at(c, v, "%s", err);
		return -1;
	}
	return 1;
}

static int p_time(const char *s, void *o, char *e, size_t l)
{
	return units_time_ns(s, o, e, l);
}
static int p_rate(const char *s, void *o, char *e, size_t l)
{
	return units_rate_bps(s, o, e, l);
}
static int p_size(const char *s, void *o, char *e, size_t l)
{
	return units_size_bytes(s, o, e, l);
}
static int p_fraction(const char *s, void *o, char *e, size_t l)
{
	return units_fraction(s, o, e, l);
}
static int p_bool(const char *s, void *o, char *e, size_t l)
{
	return units_bool(s, o, e, l);
}
static int p_addr(const char *s, void *o, char *e, size_t l)
{
	return units_ipv4(s, o, e, l);
}

static int opt_time(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn)
{
	return opt_parse(c, m, k, p_time, o, vn);
}
static int opt_rate(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o)
{
	return opt_parse(c, m, k, p_rate, o, NULL);
}
static int opt_size(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn)
{
	return opt_parse(c, m, k, p_size, o, vn);
}
static int opt_bool(struct ctx *c, yaml_node_t *m, const char *k, bool *o)
{
	return opt_parse(c, m, k, p_bool, o, NULL);
}
static int opt_addr(struct ctx *c, yaml_node_t *m, const char *k, uint32_t *o, yaml_node_t **vn)
{
	return opt_parse(c, m, k, p_addr, o, vn);
}

/* An integer in [min, max]; `range` describes the valid values when it is
 * not simply "min..max". */
static int opt_uint(struct ctx *c, yaml_node_t *m, const char *key, uint64_t min, uint64_t max,
                    uint64_t *out, yaml_node_t **vn)
{
	yaml_node_t *v = get(c, m, key);
	const char *s;
	char err[256];
	uint64_t x;

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scalar(c, v, key);
	if (!s)
		return -1;
	if (units_uint(s, 0, UINT64_MAX, &x, err, sizeof(err)) != 0) {
		error_at(c, v, "%s: %s", key, err);
		return -1;
	}
	if (x < min || x > max) {
		error_at(c, v, "%s must be %llu..%llu, got %s", key, (unsigned long long)min,
		         (unsigned long long)max, s);
		return -1;
	}
	*out = x;
	return 1;
}

struct name_val {
	const char *name;
	int val;
	bool alias; /* accepted, not listed in messages */
};

/* One of a table's names; the message lists them and suggests the nearest. */
static int opt_enum(struct ctx *c, yaml_node_t *m, const char *key, const struct name_val *tab,
                    const char *kind, int *out, yaml_node_t **vn)
{
	yaml_node_t *v = get(c, m, key);
	const char *s, *names[32], *near;
	char list[512] = "";
	size_t n = 0, nlisted = 0;

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scalar(c, v, key);
	if (!s)
		return -1;
	for (const struct name_val *t = tab; t->name; t++) {
		if (strcmp(s, t->name) == 0) {
			*out = t->val;
			return 1;
		}
		if (n < 31)
			names[n++] = t->name;
		if (!t->alias)
			nlisted++;
	}
	names[n] = NULL;
	for (const struct name_val *t = tab; t->name; t++) {
		if (t->alias)
			continue;
		size_t len = strlen(list);

		nlisted--;
		snprintf(list + len, sizeof(list) - len, "%s%s",
		         len == 0       ? ""
		         : nlisted == 0 ? " or "
		                        : ", ",
		         t->name);
	}
	near = nearest(s, names);
	if (near)
		error_at(c, v, "'%s' is not a valid %s (did you mean '%s'?): use %s", s, kind, near,
		         list);
	else
		error_at(c, v, "'%s' is not a valid %s: use %s", s, kind, list);
	return -1;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCENARIO_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* A name value: returns it, or NULL after an error. */
static const char *name_value(struct ctx *c, yaml_node_t *v, const char *key)
{
	const char *s = scalar(c, v, key);

	if (s && !valid_name(s)) {
		error_at(
		        c, v,
		        "'%.60s' is not a valid name: use letters, digits, '_' and '-', at most %d "
		        "characters",
		        s, SCENARIO_NAME_MAX - 1);
		return NULL;
	}
	return s;
}

static char *addr_str(uint32_t a, char *buf)
{
	return units_ipv4_str(a, buf);
}

/* ---- top level ---- */

static const char *const top_keys[] = {"name",  "description", "duration", "seed", "nodes",
                                       "links", "traffic",     "events",   NULL};
static const char *const node_keys[] = {"name",     "routes", "forwarding", "ipsec",
                                        "attacker", "nat",    NULL};
static const char *const nat_keys[] = {"outside", "mapping", "timeout", "tcp_timeout",
                                       "ports",   "refresh", NULL};
static const char *const event_keys[] = {"at", "action", "node", "link", NULL};
static const char *const route_keys[] = {"dst", "via", NULL};
static const char *const ipsec_keys[] = {"default", "sas", "policies", NULL};
static const char *const sa_keys[] = {"name",      "dir",       "proto",         "mode",  "spi",
                                      "src",       "dst",       "enc",           "integ", "enc_key",
                                      "integ_key", "esn",       "replay_window", "soft",  "hard",
                                      "df",        "copy_dscp", "ttl",           "encap", NULL};
static const char *const lifetime_keys[] = {"bytes", "packets", "time", NULL};
static const char *const policy_keys[] = {
        "local_ts", "remote_ts", "proto", "local_port", "remote_port", "action", "out", "in", NULL};
static const char *const attack_keys[] = {"at", "action", "count", "interval", NULL};
static const char *const link_keys[] = {"between", "addresses", "rate",  "delay",
                                        "loss",    "mtu",       "queue", NULL};
static const char *const traffic_keys[] = {"type", "name",     "from",  "to",   "port", "size",
                                           "rate", "interval", "start", "stop", NULL};

/* Per-node working state while loading. */
struct node_work {
	yaml_node_t *map;
	yaml_node_t *name_node;
	bool *sel_set;   /* per SA: cfg.sel was filled from a policy */
	int *sel_policy; /* per SA: which policy filled it (1-based) */
};

struct load {
	struct ctx *c;
	struct scenario *s;
	struct node_work *nw;
	/* Per node: on a link that failed validation, so its interfaces are
	 * incomplete; checks that depend on them are skipped (no cascades). */
	bool *suspect;
	/* The nodes list itself is unusable: references cannot be checked. */
	bool nodes_failed;
	yaml_node_t **flow_maps; /* per flow: its mapping */
};

static size_t find_node(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			return i;
	return SCENARIO_NONE;
}

/* A node name reference: its index, or SCENARIO_NONE after an error. */
static size_t node_ref(struct load *L, yaml_node_t *v, const char *key)
{
	const char *s = scalar(L->c, v, key);
	size_t i;
	const char *names[64];
	size_t n = 0;

	if (!s)
		return SCENARIO_NONE;
	i = find_node(L->s, s);
	if (i != SCENARIO_NONE)
		return i;
	if (L->nodes_failed)
		return SCENARIO_NONE;
	/* A node whose own name was refused was reported already. */
	for (size_t j = 0; j < L->s->n_nodes; j++) {
		yaml_node_t *nn = L->nw[j].name_node;

		if (!L->s->nodes[j].name[0] && nn && nn->type == YAML_SCALAR_NODE &&
		    strcmp(text_of(nn), s) == 0)
			return SCENARIO_NONE;
	}
	for (size_t j = 0; j < L->s->n_nodes && n < 63; j++)
		if (L->s->nodes[j].name[0])
			names[n++] = L->s->nodes[j].name;
	names[n] = NULL;
	const char *near = nearest(s, names);
	if (near)
		error_at(L->c, v, "no node named '%s' (did you mean '%s'?)", s, near);
	else
		error_at(L->c, v, "no node named '%s'", s);
	return SCENARIO_NONE;
}

/* Nodes, first pass: names only, so links and traffic can refer to them. */
static void load_node_names(struct load *L, yaml_node_t *nodes)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_nodes = seq_len(nodes);
	s->nodes = arena_alloc(c->a, s->n_nodes * sizeof(*s->nodes));
	L->nw = arena_alloc(c->a, s->n_nodes * sizeof(*L->nw));
	L->suspect = arena_alloc(c->a, s->n_nodes * sizeof(*L->suspect));
	for (size_t i = 0; i < s->n_nodes; i++) {
		yaml_node_t *m = seq_item(c, nodes, i), *v;
		const char *name;
		char what[32];

		snprintf(what, sizeof(what), "nodes.%zu", i);
		if (!want_map(c, m, what))
			continue;
		L->nw[i].map = m;
		v = get(c, m, "name");
		if (!v) {
			missing(c, m, "name", what);
			continue;
		}
		L->nw[i].name_node = v;
		name = name_value(c, v, "name");
		if (!name)
			continue;
		if (find_node(s, name) != SCENARIO_NONE) {
			error_at(c, v, "duplicate node name '%s'", name);
			continue;
		}
		strcpy(s->nodes[i].name, name);
	}
}

static bool same_subnet(uint32_t a, uint32_t b, uint8_t len)
{
	return ((a ^ b) & units_mask(len)) == 0;
}

static void load_links(struct load *L, yaml_node_t *links)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t **addr_nodes;
	bool *ok;

	s->n_links = seq_len(links);
	s->links = arena_alloc(c->a, s->n_links * sizeof(*s->links));
	addr_nodes = arena_alloc(c->a, 2 * s->n_links * sizeof(*addr_nodes));
	ok = arena_alloc(c->a, s->n_links * sizeof(*ok));
	for (size_t i = 0; i < s->n_links; i++) {
		struct scenario_link *l = &s->links[i];
		yaml_node_t *m = seq_item(c, links, i), *v;
		char what[32], a1[16], a2[16];
		uint64_t x;
		bool good = true;

		snprintf(what, sizeof(what), "links.%zu", i);
		l->node[0] = l->node[1] = SCENARIO_NONE;
		l->rate_bps = 100000000;
		l->delay_ns = 1000000;
		l->mtu = 1500;
		l->queue = 100;
		if (!want_map(c, m, what))
			continue;
		check_keys(c, m, "link", link_keys);

		v = get(c, m, "between");
		if (!v) {
			missing(c, m, "between", what);
			good = false;
		} else if (v->type != YAML_SEQUENCE_NODE || seq_len(v) != 2) {
			error_at(c, v,
			         "'between' must list the two nodes the link joins, like "
			         "[hostA, gwA]");
			good = false;
		} else {
			for (int e = 0; e < 2; e++)
				l->node[e] = node_ref(L, seq_item(c, v, (size_t)e), "between");
			if (l->node[0] == SCENARIO_NONE || l->node[1] == SCENARIO_NONE)
				good = false;
			else if (l->node[0] == l->node[1]) {
				error_at(c, v, "a link cannot join node '%s' to itself",
				         s->nodes[l->node[0]].name);
				good = false;
			}
		}

		v = get(c, m, "addresses");
		if (!v) {
			missing(c, m, "addresses", what);
			good = false;
		} else if (v->type != YAML_SEQUENCE_NODE || seq_len(v) != 2) {
			error_at(c, v,
			         "'addresses' must give one address per end, like "
			         "[10.1.0.1/24, 10.1.0.2/24]");
			good = false;
		} else {
			uint8_t len[2] = {0, 0};
			bool addr_ok = true;

			for (int e = 0; e < 2; e++) {
				yaml_node_t *an = seq_item(c, v, (size_t)e);
				const char *t = scalar(c, an, "addresses");
				char err[256];

				addr_nodes[2 * i + (size_t)e] = an;
				if (!t) {
					addr_ok = false;
				} else if (units_ipv4_prefix(t, &l->addr[e], &len[e], err,
				                             sizeof(err))) {
					error_at(c, an, "%s", err);
					addr_ok = false;
				}
			}
			if (addr_ok) {
				yaml_node_t *an1 = addr_nodes[2 * i + 1];

				if (len[0] != len[1]) {
					error_at(c, an1,
					         "the two ends of a link must be in the same "
					         "subnet: "
					         "/%u and /%u differ",
					         len[0], len[1]);
					addr_ok = false;
				} else if (len[0] > 31 || len[0] < 8) {
					error_at(c, addr_nodes[2 * i],
					         "a link's prefix length must be 8..31, got /%u",
					         len[0]);
					addr_ok = false;
				} else if (!same_subnet(l->addr[0], l->addr[1], len[0])) {
					error_at(c, an1, "%s/%u is not in the same subnet as %s/%u",
					         addr_str(l->addr[1], a2), len[1],
					         addr_str(l->addr[0], a1), len[0]);
					addr_ok = false;
				} else if (l->addr[0] == l->addr[1]) {
					error_at(c, an1, "both ends of the link have address %s",
					         addr_str(l->addr[0], a1));
					addr_ok = false;
				}
				for (int e = 0; addr_ok && e < 2 && len[0] < 31; e++) {
					uint32_t host = l->addr[e] & ~units_mask(len[0]);

					if (host == 0 || host == ~units_mask(len[0])) {
						error_at(
						        c, addr_nodes[2 * i + (size_t)e],
						        "%s is the %s address of %s/%u, not a host "
						        "address",
						        addr_str(l->addr[e], a1),
						        host == 0 ? "network" : "broadcast",
						        addr_str(l->addr[e] & units_mask(len[0]),
						                 a2),
						        len[0]);
						addr_ok = false;
					}
				}
				l->prefix_len = len[0];
			}
			good = good && addr_ok;
		}

		opt_rate(c, m, "rate", &l->rate_bps);
		opt_time(c, m, "delay", &l->delay_ns, NULL);
		opt_parse(c, m, "loss", p_fraction, &l->loss, NULL);
		if (opt_uint(c, m, "mtu", 68, 65535, &x, NULL) == 1)
			l->mtu = (uint32_t)x;
		if (opt_uint(c, m, "queue", 1, 1000000, &x, NULL) == 1)
			l->queue = (uint32_t)x;
		ok[i] = good;
		for (int e = 0; !good && e < 2; e++)
			if (l->node[e] != SCENARIO_NONE)
				L->suspect[l->node[e]] = true;
	}

	/* Addresses are unique over the whole network. */
	for (size_t i = 0; i < s->n_links; i++) {
		for (int e = 0; ok[i] && e < 2; e++) {
			for (size_t j = 0; j < i; j++) {
				for (int f = 0; ok[j] && f < 2; f++) {
					char a1[16];

					if (s->links[i].addr[e] != s->links[j].addr[f])
						continue;
					error_at(c, addr_nodes[2 * i + (size_t)e],
					         "duplicate address %s: links.%zu already gives it "
					         "to '%s'",
					         addr_str(s->links[i].addr[e], a1), j,
					         s->nodes[s->links[j].node[f]].name);
				}
			}
		}
	}

	/* Interfaces, per node, in link order. */
	for (size_t i = 0; i < s->n_links; i++)
		for (int e = 0; ok[i] && e < 2; e++)
			s->nodes[s->links[i].node[e]].n_ifaces++;
	for (size_t n = 0; n < s->n_nodes; n++) {
		s->nodes[n].ifaces =
		        arena_alloc(c->a, s->nodes[n].n_ifaces * sizeof(*s->nodes[n].ifaces));
		s->nodes[n].n_ifaces = 0;
	}
	for (size_t i = 0; i < s->n_links; i++) {
		struct scenario_link *l = &s->links[i];

		for (int e = 0; ok[i] && e < 2; e++) {
			struct scenario_node *nd = &s->nodes[l->node[e]];
			struct scenario_iface *f = &nd->ifaces[nd->n_ifaces];

			/* Two links of one node in overlapping subnets make
			 * connected routes ambiguous. */
			for (size_t k = 0; k < nd->n_ifaces; k++) {
				uint8_t len = nd->ifaces[k].prefix_len < l->prefix_len
				                      ? nd->ifaces[k].prefix_len
				                      : l->prefix_len;
				char a1[16], a2[16];

				if (same_subnet(nd->ifaces[k].addr, l->addr[e], len))
					error_at(
					        c, addr_nodes[2 * i + (size_t)e],
					        "%s/%u overlaps %s/%u, which node '%s' already has "
					        "on links.%zu",
					        addr_str(l->addr[e], a1), l->prefix_len,
					        addr_str(nd->ifaces[k].addr, a2),
					        nd->ifaces[k].prefix_len, nd->name,
					        nd->ifaces[k].link);
			}
			f->link = i;
			f->end = (unsigned)e;
			f->peer = l->node[1 - e];
			f->addr = l->addr[e];
			f->prefix_len = l->prefix_len;
			l->iface[e] = nd->n_ifaces++;
		}
	}
}

static size_t iface_with_addr(const struct scenario_node *n, uint32_t a)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (n->ifaces[i].addr == a)
			return i;
	return SCENARIO_NONE;
}

/* The node that owns address a, or SCENARIO_NONE. */
static size_t addr_owner(const struct scenario *s, uint32_t a)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (iface_with_addr(&s->nodes[i], a) != SCENARIO_NONE)
			return i;
	return SCENARIO_NONE;
}

static void load_routes(struct load *L, size_t ni, yaml_node_t *routes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];

	nd->n_routes = seq_len(routes);
	nd->routes = arena_alloc(c->a, nd->n_routes * sizeof(*nd->routes));
	for (size_t i = 0; i < nd->n_routes; i++) {
		struct scenario_route *r = &nd->routes[i];
		yaml_node_t *m = seq_item(c, routes, i), *dv, *vv;
		char what[160], a1[16], a2[16];
		const char *t;

		snprintf(what, sizeof(what), "nodes.%s.routes.%zu", nd->name, i);
		r->iface = SCENARIO_NONE;
		if (!want_map(c, m, what))
			continue;
		check_keys(c, m, "route", route_keys);
		dv = get(c, m, "dst");
		if (!dv)
			missing(c, m, "dst", what);
		else if ((t = scalar(c, dv, "dst")) != NULL) {
			char err[256];

			if (strcmp(t, "default") == 0) {
				r->dst = 0;
				r->prefix_len = 0;
			} else if (units_ipv4_prefix(t, &r->dst, &r->prefix_len, err,
			                             sizeof(err))) {
				error_at(c, dv, "%s (or 'default')", err);
			} else if (r->dst & ~units_mask(r->prefix_len)) {
				error_at(c, dv, "%s has host bits set: did you mean %s/%u?", t,
				         addr_str(r->dst & units_mask(r->prefix_len), a1),
				         r->prefix_len);
			} else {
				for (size_t j = 0; j < i; j++)
					if (nd->routes[j].dst == r->dst &&
					    nd->routes[j].prefix_len == r->prefix_len)
						error_at(c, dv,
						         "duplicate route to %s on node '%s'", t,
						         nd->name);
			}
		}
		if (opt_addr(c, m, "via", &r->via, &vv) == 0) {
			missing(c, m, "via", what);
		} else if (vv && r->via) {
			size_t k;

			for (k = 0; k < nd->n_ifaces; k++)
				if (same_subnet(nd->ifaces[k].addr, r->via,
				                nd->ifaces[k].prefix_len))
					break;
			if (k == nd->n_ifaces) {
				if (L->suspect[ni])
					continue;
				error_at(c, vv,
				         "next hop %s is not on a subnet connected to node '%s'",
				         addr_str(r->via, a1), nd->name);
				continue;
			}
			const struct scenario_iface *f = &nd->ifaces[k];
			const struct scenario_link *l = &L->s->links[f->link];
			uint32_t peer = l->addr[1 - f->end];

			if (r->via == f->addr)
				error_at(c, vv, "next hop %s is node '%s''s own address",
				         addr_str(r->via, a1), nd->name);
			else if (r->via != peer)
				error_at(c, vv,
				         "next hop %s is on the link to '%s', whose address there "
				         "is %s",
				         addr_str(r->via, a1), L->s->nodes[f->peer].name,
				         addr_str(peer, a2));
			else
				r->iface = k;
		}
	}
}

/* ---- IPsec ---- */

static const struct name_val dir_names[] = {
        {"in", IPSEC_DIR_IN, false}, {"out", IPSEC_DIR_OUT, false}, {NULL, 0, false}};
static const struct name_val proto_names[] = {
        {"esp", IPSEC_PROTO_ESP, false}, {"ah", IPSEC_PROTO_AH, false}, {NULL, 0, false}};
static const struct name_val mode_names[] = {{"tunnel", IPSEC_MODE_TUNNEL, false},
                                             {"transport", IPSEC_MODE_TRANSPORT, false},
                                             {NULL, 0, false}};
static const struct name_val enc_names[] = {
        {"null", IPSEC_ENC_NULL, false},
        {"aes128", IPSEC_ENC_AES_CBC_128, false},
        {"aes256", IPSEC_ENC_AES_CBC_256, false},
        {"aes128gcm16", IPSEC_ENC_AES_GCM16_128, false},
        {"aes256gcm16", IPSEC_ENC_AES_GCM16_256, false},
        {"aes128gcm128", IPSEC_ENC_AES_GCM16_128, true},
        {"aes256gcm128", IPSEC_ENC_AES_GCM16_256, true},
        {"aes128gmac", IPSEC_ENC_AES_GMAC_128, false},
        {"aes256gmac", IPSEC_ENC_AES_GMAC_256, false},
        {"chacha20poly1305", IPSEC_ENC_CHACHA20_POLY1305, false},
        {NULL, 0, false}};
static const struct name_val integ_names[] = {{"none", IPSEC_INTEG_NONE, false},
                                              {"sha256", IPSEC_INTEG_HMAC_SHA256_128, false},
                                              {"sha384", IPSEC_INTEG_HMAC_SHA384_192, false},
                                              {"sha512", IPSEC_INTEG_HMAC_SHA512_256, false},
                                              {"sha2_256", IPSEC_INTEG_HMAC_SHA256_128, true},
                                              {"sha2_384", IPSEC_INTEG_HMAC_SHA384_192, true},
                                              {"sha2_512", IPSEC_INTEG_HMAC_SHA512_256, true},
                                              {NULL, 0, false}};
static const struct name_val df_names[] = {{"copy", IPSEC_DF_COPY, false},
                                           {"set", IPSEC_DF_SET, false},
                                           {"clear", IPSEC_DF_CLEAR, false},
                                           {NULL, 0, false}};
static const struct name_val action_names[] = {{"protect", IPSEC_ACTION_PROTECT, false},
                                               {"bypass", IPSEC_ACTION_BYPASS, false},
                                               {"discard", IPSEC_ACTION_DISCARD, false},
                                               {NULL, 0, false}};
static const struct name_val default_names[] = {{"bypass", IPSEC_ACTION_BYPASS, false},
                                                {"discard", IPSEC_ACTION_DISCARD, false},
                                                {NULL, 0, false}};
static const struct name_val attack_names[] = {{"replay", SCENARIO_ATTACK_REPLAY, false},
                                               {"flip", SCENARIO_ATTACK_FLIP, false},
                                               {"truncate", SCENARIO_ATTACK_TRUNCATE, false},
                                               {"unknown_spi", SCENARIO_ATTACK_UNKNOWN_SPI, false},
                                               {NULL, 0, false}};

static const struct name_val mapping_names[] = {
        {"endpoint-independent", NAT_MAPPING_ENDPOINT_INDEPENDENT, false},
        {"address-and-port-dependent", NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, false},
        {NULL, 0, false}};
static const struct name_val refresh_names[] = {{"outbound", NAT_REFRESH_OUTBOUND, false},
                                                {"both", NAT_REFRESH_BOTH, false},
                                                {NULL, 0, false}};
static const struct name_val event_names[] = {{"nat_flush", SCENARIO_EVENT_NAT_FLUSH, false},
                                              {"nat_rebind", SCENARIO_EVENT_NAT_REBIND, false},
                                              {"link_down", SCENARIO_EVENT_LINK_DOWN, false},
                                              {"link_up", SCENARIO_EVENT_LINK_UP, false},
                                              {NULL, 0, false}};

struct alg_info {
	size_t key_len; /* bytes of key, salt included */
	size_t salt_len;
	bool combined; /* AEAD or GMAC: provides integrity itself */
};

static const struct alg_info enc_info[IPSEC_ENC__COUNT] = {
        [IPSEC_ENC_NULL] = {0, 0, false},          [IPSEC_ENC_AES_CBC_128] = {16, 0, false},
        [IPSEC_ENC_AES_CBC_256] = {32, 0, false},  [IPSEC_ENC_AES_GCM16_128] = {20, 4, true},
        [IPSEC_ENC_AES_GCM16_256] = {36, 4, true}, [IPSEC_ENC_AES_GMAC_128] = {20, 4, true},
        [IPSEC_ENC_AES_GMAC_256] = {36, 4, true},  [IPSEC_ENC_CHACHA20_POLY1305] = {36, 4, true},
};

static const size_t integ_key_len[IPSEC_INTEG__COUNT] = {
        [IPSEC_INTEG_NONE] = 0,
        [IPSEC_INTEG_HMAC_SHA256_128] = 32,
        [IPSEC_INTEG_HMAC_SHA384_192] = 48,
        [IPSEC_INTEG_HMAC_SHA512_256] = 64,
};

const char *scenario_enc_name(enum ipsec_enc enc)
{
	for (const struct name_val *t = enc_names; t->name; t++)
		if (t->val == (int)enc && !t->alias)
			return t->name;
	return "?";
}

const char *scenario_integ_name(enum ipsec_integ integ)
{
	for (const struct name_val *t = integ_names; t->name; t++)
		if (t->val == (int)integ && !t->alias)
			return t->name;
	return "?";
}

const char *scenario_attack_name(enum scenario_attack_action a)
{
	for (const struct name_val *t = attack_names; t->name; t++)
		if (t->val == (int)a)
			return t->name;
	return "?";
}

const char *scenario_event_name(enum scenario_event_action a)
{
	for (const struct name_val *t = event_names; t->name; t++)
		if (t->val == (int)a)
			return t->name;
	return "?";
}

const char *scenario_nat_mapping_name(enum nat_mapping_behaviour m)
{
	for (const struct name_val *t = mapping_names; t->name; t++)
		if (t->val == (int)m)
			return t->name;
	return "?";
}

/* A lifetime mapping {bytes, packets, time}; 0 = no limit in that unit. */
static void load_lifetime(struct ctx *c, yaml_node_t *v, const char *which, const char *sa,
                          struct ipsec_lifetime *lt, yaml_node_t *vn[3])
{
	char what[160];
	uint64_t ns;
	yaml_node_t *tv;

	snprintf(what, sizeof(what), "%s lifetime of SA '%s'", which, sa);
	if (!want_map(c, v, what))
		return;
	check_keys(c, v, what, lifetime_keys);
	if (opt_size(c, v, "bytes", &lt->bytes, &vn[0]) == 1 && lt->bytes == 0)
		error_at(c, vn[0], "a lifetime of 0 bytes: leave 'bytes' out for no limit");
	if (opt_uint(c, v, "packets", 1, UINT64_MAX, &lt->packets, &vn[1]) == 1 && lt->packets == 0)
		error_at(c, vn[1], "a lifetime of 0 packets: leave 'packets' out for no limit");
	if (opt_time(c, v, "time", &ns, &tv) == 1) {
		vn[2] = tv;
		if (ns == 0)
			error_at(c, tv, "a lifetime of 0 s: leave 'time' out for no limit");
		else if (ns % 1000000000)
			error_at(c, tv, "lifetimes count whole seconds, got '%s'", text_of(tv));
		lt->seconds = ns / 1000000000;
	}
}

static size_t sa_index(const struct scenario_node *n, size_t upto, const char *name)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(n->sas[i].name, name) == 0)
			return i;
	return SCENARIO_NONE;
}

size_t scenario_sa_index(const struct scenario_node *n, const char *name)
{
	return sa_index(n, n->n_sas, name);
}

size_t scenario_node_index(const struct scenario *s, const char *name)
{
	return find_node(s, name);
}

static const char *proto_name(enum ipsec_protocol p)
{
	return p == IPSEC_PROTO_AH ? "ah" : "esp";
}

static void load_sa(struct load *L, size_t ni, size_t si, yaml_node_t *m, yaml_node_t **spi_nodes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct scenario_sa *sa = &nd->sas[si];
	struct ipsec_sa_config *cfg = &sa->cfg;
	yaml_node_t *v, *sv = NULL, *dv = NULL, *ev = NULL, *iv = NULL;
	char what[160], a1[16], a2[16];
	const char *name;
	int x;
	uint64_t u;
	bool dir_ok = false, src_ok = false, dst_ok = false, enc_ok = true, integ_ok = true;
	yaml_node_t *soft_n[3] = {NULL, NULL, NULL}, *hard_n[3] = {NULL, NULL, NULL};

	cfg->protocol = IPSEC_PROTO_ESP;
	cfg->mode = IPSEC_MODE_TUNNEL;
	cfg->enc = IPSEC_ENC_NULL;
	cfg->integ = IPSEC_INTEG_NONE;
	cfg->replay_window = 64;
	cfg->df = IPSEC_DF_COPY;
	cfg->copy_dscp = true;
	cfg->ttl = 64;
	snprintf(what, sizeof(what), "nodes.%s.ipsec.sas.%zu", nd->name, si);
	if (!want_map(c, m, "an SA"))
		return;
	check_keys(c, m, "SA", sa_keys);
	v = get(c, m, "name");
	if (!v) {
		missing(c, m, "name", what);
	} else if ((name = name_value(c, v, "name")) != NULL) {
		if (sa_index(nd, si, name) != SCENARIO_NONE)
			error_at(c, v, "duplicate SA name '%s' on node '%s'", name, nd->name);
		else
			strcpy(sa->name, name);
	}

	switch (opt_enum(c, m, "dir", dir_names, "direction", &x, NULL)) {
	case 1:
		cfg->dir = (enum ipsec_dir)x;
		dir_ok = true;
		break;
	case 0:
		missing(c, m, "dir", what);
		break;
	}
	if (opt_enum(c, m, "proto", proto_names, "IPsec protocol", &x, NULL) == 1)
		cfg->protocol = (enum ipsec_protocol)x;
	if (opt_enum(c, m, "mode", mode_names, "mode", &x, NULL) == 1)
		cfg->mode = (enum ipsec_mode)x;

	switch (opt_uint(c, m, "spi", 0, UINT32_MAX, &u, &v)) {
	case 1:
		if (u < 256)
			error_at(c, v,
			         "spi %s is reserved (RFC 4303 §2.1: 0 is invalid, 1..255 are "
			         "reserved): use 256..0xffffffff",
			         text_of(v));
		cfg->spi = (uint32_t)u;
		spi_nodes[si] = v;
		break;
	case 0:
		missing(c, m, "spi", what);
		break;
	}

	switch (opt_addr(c, m, "src", &cfg->src, &sv)) {
	case 1:
		src_ok = true;
		break;
	case 0:
		missing(c, m, "src", what);
		break;
	}
	switch (opt_addr(c, m, "dst", &cfg->dst, &dv)) {
	case 1:
		dst_ok = true;
		break;
	case 0:
		missing(c, m, "dst", what);
		break;
	}
	if (L->suspect[ni])
		; /* its addresses are not all known */
	else if (src_ok && dst_ok && cfg->src == cfg->dst)
		error_at(c, dv, "src and dst are both %s", addr_str(cfg->src, a1));
	else if (dir_ok && cfg->dir == IPSEC_DIR_OUT && src_ok &&
	         iface_with_addr(nd, cfg->src) == SCENARIO_NONE)
		error_at(c, sv, "src %s of an outbound SA must be an address of node '%s'",
		         addr_str(cfg->src, a1), nd->name);
	else if (dir_ok && cfg->dir == IPSEC_DIR_IN && dst_ok &&
	         iface_with_addr(nd, cfg->dst) == SCENARIO_NONE)
		error_at(c, dv, "dst %s of an inbound SA must be an address of node '%s'",
		         addr_str(cfg->dst, a1), nd->name);

	/* Transforms. */
	switch (opt_enum(c, m, "enc", enc_names, "encryption algorithm", &x, &ev)) {
	case 1:
		cfg->enc = (enum ipsec_enc)x;
		if (cfg->protocol == IPSEC_PROTO_AH && cfg->enc != IPSEC_ENC_NULL) {
			error_at(c, ev, "AH does not encrypt: leave 'enc' out, or use proto esp");
			enc_ok = false;
		}
		break;
	case 0:
		if (cfg->protocol == IPSEC_PROTO_ESP) {
			error_at(c, m,
			         "missing 'enc' in %s (ESP needs an encryption algorithm; 'null' "
			         "for integrity only)",
			         what);
			enc_ok = false;
		}
		break;
	default:
		enc_ok = false;
	}
	if (opt_enum(c, m, "integ", integ_names, "integrity algorithm", &x, &iv) == -1)
		integ_ok = false;
	else if (iv)
		cfg->integ = (enum ipsec_integ)x;
	if (enc_ok && integ_ok) {
		const struct alg_info *ai = &enc_info[cfg->enc];

		if (ai->combined && cfg->integ != IPSEC_INTEG_NONE) {
			error_at(c, iv,
			         "%s provides integrity itself (AEAD): integ must be none, got "
			         "'%s'",
			         scenario_enc_name(cfg->enc), text_of(iv));
			integ_ok = false;
		} else if (cfg->protocol == IPSEC_PROTO_AH && cfg->integ == IPSEC_INTEG_NONE) {
			error_at(c, iv ? iv : m,
			         "AH needs an integrity algorithm: integ sha256, sha384 or sha512");
			integ_ok = false;
		} else if (cfg->protocol == IPSEC_PROTO_ESP && cfg->enc == IPSEC_ENC_NULL &&
		           cfg->integ == IPSEC_INTEG_NONE) {
			error_at(c, iv ? iv : ev,
			         "ESP with enc null and integ none protects nothing (RFC 4303 "
			         "§3.2): choose an integrity algorithm");
			integ_ok = false;
		}
	}

	/* Keys: required exactly when the algorithm takes one. */
	v = get(c, m, "enc_key");
	if (enc_ok) {
		const struct alg_info *ai = &enc_info[cfg->enc];
		const char *t;
		char err[256];

		if (ai->key_len == 0 && v) {
			error_at(c, v, "enc_key given, but %s takes no key",
			         cfg->protocol == IPSEC_PROTO_AH ? "AH" : "enc null");
		} else if (ai->key_len && !v) {
			missing(c, m, "enc_key", what);
		} else if (v && (t = scalar(c, v, "enc_key")) != NULL) {
			if (units_hex_bytes(t, cfg->enc_key, sizeof(cfg->enc_key),
			                    &cfg->enc_key_len, err, sizeof(err)))
				error_at(c, v, "enc_key: %s", err);
			else if (cfg->enc_key_len != ai->key_len && ai->salt_len)
				error_at(
				        c, v,
				        "enc_key for %s must be %zu bytes (%zu-byte key + %zu-byte "
				        "salt), got %zu",
				        scenario_enc_name(cfg->enc), ai->key_len,
				        ai->key_len - ai->salt_len, ai->salt_len, cfg->enc_key_len);
			else if (cfg->enc_key_len != ai->key_len)
				error_at(c, v, "enc_key for %s must be %zu bytes, got %zu",
				         scenario_enc_name(cfg->enc), ai->key_len,
				         cfg->enc_key_len);
		}
	}
	v = get(c, m, "integ_key");
	if (integ_ok) {
		size_t want = integ_key_len[cfg->integ];
		const char *t;
		char err[256];

		if (want == 0 && v) {
			error_at(c, v, "integ_key given, but integ is none");
		} else if (want && !v) {
			missing(c, m, "integ_key", what);
		} else if (v && (t = scalar(c, v, "integ_key")) != NULL) {
			if (units_hex_bytes(t, cfg->integ_key, sizeof(cfg->integ_key),
			                    &cfg->integ_key_len, err, sizeof(err)))
				error_at(c, v, "integ_key: %s", err);
			else if (cfg->integ_key_len != want)
				error_at(c, v, "integ_key for %s must be %zu bytes, got %zu",
				         scenario_integ_name(cfg->integ), want, cfg->integ_key_len);
		}
	}

	opt_bool(c, m, "esn", &cfg->esn);
	switch (opt_uint(c, m, "replay_window", 0, UINT32_MAX, &u, &v)) {
	case 1:
		if (dir_ok && cfg->dir == IPSEC_DIR_OUT)
			error_at(c, v, "replay_window applies to inbound SAs only");
		else if (u > 4096 || u % 32)
			error_at(c, v,
			         "replay_window must be 0 (off) or a multiple of 32 up to 4096, "
			         "got %s",
			         text_of(v));
		cfg->replay_window = (uint32_t)u;
		break;
	}
	if (dir_ok && cfg->dir == IPSEC_DIR_OUT)
		cfg->replay_window = 0;

	if ((v = get(c, m, "soft")) != NULL)
		load_lifetime(c, v, "soft", sa->name, &cfg->soft, soft_n);
	if ((v = get(c, m, "hard")) != NULL)
		load_lifetime(c, v, "hard", sa->name, &cfg->hard, hard_n);
	{
		static const char *const unit[3] = {"bytes", "packets", "time"};
		const uint64_t sv3[3] = {cfg->soft.bytes, cfg->soft.packets, cfg->soft.seconds};
		const uint64_t hv3[3] = {cfg->hard.bytes, cfg->hard.packets, cfg->hard.seconds};

		for (int k = 0; k < 3; k++)
			if (soft_n[k] && hard_n[k] && sv3[k] && hv3[k] && sv3[k] >= hv3[k])
				error_at(c, soft_n[k],
				         "soft %s limit (%s) must be below the hard one (%s)",
				         unit[k], text_of(soft_n[k]), text_of(hard_n[k]));
	}

	/* Tunnel-only settings. */
	{
		static const char *const tunnel_only[] = {"df", "copy_dscp", "ttl"};

		for (int k = 0; k < 3; k++)
			if (cfg->mode == IPSEC_MODE_TRANSPORT && (v = get(c, m, tunnel_only[k])))
				error_at(c, v, "'%s' applies to tunnel mode only", tunnel_only[k]);
	}
	if (opt_enum(c, m, "df", df_names, "df setting", &x, NULL) == 1)
		cfg->df = (enum ipsec_df)x;
	opt_bool(c, m, "copy_dscp", &cfg->copy_dscp);
	if (opt_uint(c, m, "ttl", 1, 255, &u, NULL) == 1)
		cfg->ttl = (uint8_t)u;
	{
		bool encap = false;

		if (opt_bool(c, m, "encap", &encap) == 1 && encap) {
			if (cfg->protocol == IPSEC_PROTO_AH)
				error_at(c, get(c, m, "encap"),
				         "UDP encapsulation (RFC 3948) is for ESP only");
			cfg->encap_sport = cfg->encap_dport = 4500;
		}
	}

	/* Inbound SAs are found by (spi, dst, protocol): RFC 4301 §4.1. */
	if (dir_ok && cfg->dir == IPSEC_DIR_IN && spi_nodes[si] && dst_ok) {
		for (size_t j = 0; j < si; j++) {
			const struct ipsec_sa_config *o = &nd->sas[j].cfg;

			if (spi_nodes[j] && o->dir == IPSEC_DIR_IN && o->spi == cfg->spi &&
			    o->dst == cfg->dst && o->protocol == cfg->protocol) {
				error_at(c, spi_nodes[si],
				         "inbound SA '%s' has the same spi 0x%x, dst %s and proto "
				         "%s as SA '%s'",
				         sa->name, cfg->spi, addr_str(cfg->dst, a2),
				         proto_name(cfg->protocol), nd->sas[j].name);
				break;
			}
		}
	}
}

/* Traffic selectors: "any", an address, a prefix or a range "A-B". */
static int ts_value(const char *t, struct ipsec_range32 *r, char *err, size_t errlen)
{
	char buf[64], a1[16];
	const char *dash = strchr(t, '-');
	uint8_t len;

	if (strcmp(t, "any") == 0) {
		r->lo = 0;
		r->hi = UINT32_MAX;
		return 0;
	}
	if (strchr(t, '/')) {
		if (units_ipv4_prefix(t, &r->lo, &len, err, errlen))
			return -1;
		if (r->lo & ~units_mask(len)) {
			snprintf(err, errlen, "%s has host bits set: did you mean %s/%u?", t,
			         addr_str(r->lo & units_mask(len), a1), len);
			return -1;
		}
		r->hi = r->lo | ~units_mask(len);
		return 0;
	}
	if (dash && (size_t)(dash - t) < sizeof(buf)) {
		memcpy(buf, t, (size_t)(dash - t));
		buf[dash - t] = '\0';
		if (units_ipv4(buf, &r->lo, err, errlen) ||
		    units_ipv4(dash + 1, &r->hi, err, errlen))
			goto bad;
		if (r->lo > r->hi) {
			snprintf(err, errlen, "range %s is empty: its start is above its end", t);
			return -1;
		}
		return 0;
	}
	if (units_ipv4(t, &r->lo, err, errlen) == 0) {
		r->hi = r->lo;
		return 0;
	}
bad:
	snprintf(err, errlen,
	         "'%s' is not a traffic selector: use any, an address, a prefix like "
	         "10.1.0.0/24 or a range like 10.1.0.1-10.1.0.9",
	         t);
	return -1;
}

static int port_value(const char *t, uint16_t max, struct ipsec_range16 *r, char *err,
                      size_t errlen)
{
	char buf[16];
	const char *dash = strchr(t, '-');
	uint64_t lo, hi;
	char e2[128];

	if (strcmp(t, "any") == 0) {
		r->lo = 0;
		r->hi = max;
		return 0;
	}
	if (dash && (size_t)(dash - t) < sizeof(buf)) {
		memcpy(buf, t, (size_t)(dash - t));
		buf[dash - t] = '\0';
		if (units_uint(buf, 0, max, &lo, e2, sizeof(e2)) ||
		    units_uint(dash + 1, 0, max, &hi, e2, sizeof(e2)))
			goto bad;
		if (lo > hi) {
			snprintf(err, errlen, "port range %s is empty: its start is above its end",
			         t);
			return -1;
		}
	} else if (units_uint(t, 0, max, &lo, e2, sizeof(e2)) == 0) {
		hi = lo;
	} else {
		goto bad;
	}
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a port: use any, a number 0..%u or a range like 500-510",
	         t, max);
	return -1;
}

static bool same_selector(const struct ipsec_selector *a, const struct ipsec_selector *b)
{
	return a->local_addr.lo == b->local_addr.lo && a->local_addr.hi == b->local_addr.hi &&
	       a->remote_addr.lo == b->remote_addr.lo && a->remote_addr.hi == b->remote_addr.hi &&
	       a->protocol == b->protocol && a->local_port.lo == b->local_port.lo &&
	       a->local_port.hi == b->local_port.hi && a->remote_port.lo == b->remote_port.lo &&
	       a->remote_port.hi == b->remote_port.hi;
}

/* `out:` or `in:` of a policy: SA names (one, or a list), all of direction
 * `dir`.  Fills idx[] and returns the count, or -1 after an error. */
static int sa_refs(struct load *L, size_t ni, yaml_node_t *v, const char *key, enum ipsec_dir dir,
                   size_t *idx, yaml_node_t **ref_nodes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	size_t n = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;
	int bad = 0;

	if (v->type == YAML_MAPPING_NODE || is_null(v) || n == 0) {
		error_at(c, v, "'%s' must name an SA or list SAs, like [%s]", key,
		         dir == IPSEC_DIR_OUT ? "gwA-out" : "gwA-in");
		return -1;
	}
	if (n > IPSEC_BUNDLE_MAX) {
		error_at(c, v, "'%s' lists %zu SAs: a bundle has at most %d", key, n,
		         IPSEC_BUNDLE_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *r = v->type == YAML_SEQUENCE_NODE ? seq_item(c, v, i) : v;
		const char *name = scalar(c, r, key);
		size_t k;

		ref_nodes[i] = r;
		if (!name) {
			bad = 1;
			continue;
		}
		k = scenario_sa_index(nd, name);
		if (k == SCENARIO_NONE) {
			const char *names[33];
			size_t nn = 0;

			for (size_t j = 0; j < nd->n_sas && nn < 32; j++)
				if (nd->sas[j].name[0])
					names[nn++] = nd->sas[j].name;
			names[nn] = NULL;
			const char *near = nearest(name, names);
			if (near)
				error_at(c, r, "no SA named '%s' on node '%s' (did you mean '%s'?)",
				         name, nd->name, near);
			else
				error_at(c, r, "no SA named '%s' on node '%s'", name, nd->name);
			bad = 1;
			continue;
		}
		if (nd->sas[k].cfg.dir != dir) {
			error_at(c, r, "'%s' must name %s SAs, but SA '%s' is dir %s", key,
			         dir == IPSEC_DIR_OUT ? "outbound" : "inbound", name,
			         dir == IPSEC_DIR_OUT ? "in" : "out");
			bad = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (idx[j] == k) {
				error_at(c, r, "SA '%s' is listed twice", name);
				bad = 1;
			}
		idx[i] = k;
	}
	return bad ? -1 : (int)n;
}

static void load_policy(struct load *L, size_t ni, size_t pi, yaml_node_t *m)
{
	static const struct name_val l4_names[] = {{"any", 0, false},
	                                           {"icmp", 1, false},
	                                           {"tcp", 6, false},
	                                           {"udp", 17, false},
	                                           {NULL, 0, false}};
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct node_work *w = &L->nw[ni];
	struct scenario_policy *p = &nd->policies[pi];
	yaml_node_t *v, *pv = NULL;
	char what[160], err[256];
	const char *t;
	int x;
	bool action_ok = false;

	snprintf(what, sizeof(what), "nodes.%s.ipsec.policies.%zu", nd->name, pi);
	p->sel.local_addr.hi = p->sel.remote_addr.hi = UINT32_MAX;
	p->sel.local_port.hi = p->sel.remote_port.hi = 65535;
	if (!want_map(c, m, "a policy"))
		return;
	check_keys(c, m, "policy", policy_keys);
	if ((v = get(c, m, "local_ts")) && (t = scalar(c, v, "local_ts")) &&
	    ts_value(t, &p->sel.local_addr, err, sizeof(err)))
		error_at(c, v, "%s", err);
	if ((v = get(c, m, "remote_ts")) && (t = scalar(c, v, "remote_ts")) &&
	    ts_value(t, &p->sel.remote_addr, err, sizeof(err)))
		error_at(c, v, "%s", err);

	/* proto: a name or a number. */
	if ((pv = get(c, m, "proto")) && (t = scalar(c, pv, "proto"))) {
		uint64_t n;

		if (units_uint(t, 0, 255, &n, err, sizeof(err)) == 0)
			p->sel.protocol = (uint8_t)n;
		else if (opt_enum(c, m, "proto", l4_names, "protocol (or a number 0..255)", &x,
		                  NULL) == 1)
			p->sel.protocol = (uint8_t)x;
	}
	{
		static const char *const port_keys[2] = {"local_port", "remote_port"};
		struct ipsec_range16 *r[2] = {&p->sel.local_port, &p->sel.remote_port};
		bool ports = p->sel.protocol == 6 || p->sel.protocol == 17 || p->sel.protocol == 1;

		for (int k = 0; k < 2; k++) {
			if (!(v = get(c, m, port_keys[k])) || !(t = scalar(c, v, port_keys[k])))
				continue;
			if (!ports && strcmp(t, "any") != 0) {
				error_at(c, v, "'%s' needs proto udp, tcp or icmp", port_keys[k]);
				continue;
			}
			/* ICMP: type and code (RFC 4301 §4.4.1.1), 0..255. */
			if (port_value(t, p->sel.protocol == 1 ? 255 : 65535, r[k], err,
			               sizeof(err)))
				error_at(c, v, "%s", err);
		}
		if (p->sel.protocol == 1) {
			if (!get(c, m, "local_port"))
				p->sel.local_port.hi = 255;
			if (!get(c, m, "remote_port"))
				p->sel.remote_port.hi = 255;
		}
	}

	switch (opt_enum(c, m, "action", action_names, "policy action", &x, NULL)) {
	case 1:
		p->action = (enum ipsec_action)x;
		action_ok = true;
		break;
	case 0:
		missing(c, m, "action", what);
		break;
	}
	if (!action_ok)
		return;
	if (p->action != IPSEC_ACTION_PROTECT) {
		for (int k = 0; k < 2; k++)
			if ((v = get(c, m, k ? "in" : "out")))
				error_at(c, v, "'%s' is only for action protect", k ? "in" : "out");
		return;
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "in" : "out";
		size_t *idx = k ? p->in : p->out;
		yaml_node_t *refs[IPSEC_BUNDLE_MAX];
		int n;

		v = get(c, m, key);
		if (!v) {
			error_at(c, m, "missing '%s' in %s (action protect needs %s SAs)", key,
			         what, k ? "inbound" : "outbound");
			continue;
		}
		n = sa_refs(L, ni, v, key, k ? IPSEC_DIR_IN : IPSEC_DIR_OUT, idx, refs);
		if (n < 0)
			continue;
		if (k)
			p->n_in = (size_t)n;
		else
			p->n_out = (size_t)n;
		/* The SA's own selector is that of the first policy naming it;
		 * an inbound SA checks arrivals against it (RFC 4301 §5.2). */
		for (int i = 0; i < n; i++) {
			struct ipsec_sa_config *cfg = &nd->sas[idx[i]].cfg;

			if (!w->sel_set[idx[i]]) {
				cfg->sel = p->sel;
				w->sel_set[idx[i]] = true;
				w->sel_policy[idx[i]] = (int)pi;
			} else if (k && !same_selector(&cfg->sel, &p->sel)) {
				error_at(
				        c, refs[i],
				        "inbound SA '%s' is already used by policies.%d with other "
				        "selectors: an inbound SA checks what arrives against one "
				        "selector (RFC 4301 §5.2), give this policy its own SA",
				        nd->sas[idx[i]].name, w->sel_policy[idx[i]]);
			}
		}
	}
}

static void load_ipsec(struct load *L, size_t ni, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct node_work *w = &L->nw[ni];
	yaml_node_t *v, **spi_nodes;
	int x;

	nd->has_ipsec = true;
	nd->ipsec_default = IPSEC_ACTION_BYPASS;
	if (is_null(m))
		return;
	if (!want_map(c, m, "ipsec"))
		return;
	check_keys(c, m, "ipsec", ipsec_keys);
	if (opt_enum(c, m, "default", default_names, "default action", &x, NULL) == 1)
		nd->ipsec_default = (enum ipsec_action)x;
	v = get(c, m, "sas");
	if (v && want_seq(c, v, "sas")) {
		nd->n_sas = seq_len(v);
		nd->sas = arena_alloc(c->a, nd->n_sas * sizeof(*nd->sas));
		spi_nodes = arena_alloc(c->a, nd->n_sas * sizeof(*spi_nodes));
		for (size_t i = 0; i < nd->n_sas; i++)
			load_sa(L, ni, i, seq_item(c, v, i), spi_nodes);
	}
	w->sel_set = arena_alloc(c->a, nd->n_sas * sizeof(*w->sel_set));
	w->sel_policy = arena_alloc(c->a, nd->n_sas * sizeof(*w->sel_policy));
	v = get(c, m, "policies");
	if (v && want_seq(c, v, "policies")) {
		nd->n_policies = seq_len(v);
		nd->policies = arena_alloc(c->a, nd->n_policies * sizeof(*nd->policies));
		for (size_t i = 0; i < nd->n_policies; i++)
			load_policy(L, ni, i, seq_item(c, v, i));
	}
}

static void load_attacker(struct load *L, size_t ni, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];

	nd->n_attacks = seq_len(list);
	nd->attacks = arena_alloc(c->a, nd->n_attacks * sizeof(*nd->attacks));
	for (size_t i = 0; i < nd->n_attacks; i++) {
		struct scenario_attack *a = &nd->attacks[i];
		yaml_node_t *m = seq_item(c, list, i), *v;
		char what[160];
		uint64_t u;
		int x;

		snprintf(what, sizeof(what), "nodes.%s.attacker.%zu", nd->name, i);
		a->count = 1;
		if (!want_map(c, m, "an attacker action"))
			continue;
		check_keys(c, m, "attacker action", attack_keys);
		switch (opt_time(c, m, "at", &a->at_ns, &v)) {
		case 0:
			missing(c, m, "at", what);
			break;
		case 1:
			if (c->duration_ok && a->at_ns >= L->s->duration_ns)
				error_at(c, v,
				         "at %s is not before the end of the run (duration %s)",
				         text_of(v),
				         text_of(get(c, c->doc.nodes.start, "duration")));
			break;
		}
		switch (opt_enum(c, m, "action", attack_names, "attacker action", &x, NULL)) {
		case 0:
			missing(c, m, "action", what);
			break;
		case 1:
			a->action = (enum scenario_attack_action)x;
			break;
		}
		if (opt_uint(c, m, "count", 1, 1000000, &u, NULL) == 1)
			a->count = (uint32_t)u;
		opt_time(c, m, "interval", &a->interval_ns, NULL);
	}
	if (nd->n_attacks && !nd->forwarding && nd->name[0])
		error_at(c, list,
		         "node '%s' attacks packets it forwards, but it does not forward (it "
		         "needs two links, or forwarding: true)",
		         nd->name);
}

/* ---- NAT ---- */

/* `outside`: a link index, or the name of the neighbour at the other end of
 * the outside link.  Returns the interface, or SCENARIO_NONE after an error. */
static size_t nat_outside(struct load *L, size_t ni, yaml_node_t *v)
{
	struct ctx *c = L->c;
	const struct scenario *s = L->s;
	const struct scenario_node *nd = &s->nodes[ni];
	const char *t = scalar(c, v, "outside");
	size_t found = SCENARIO_NONE, count = 0;

	if (!t)
		return SCENARIO_NONE;
	if (t[strspn(t, "0123456789")] == '\0') {
		uint64_t link;
		char err[128];

		if (units_uint(t, 0, s->n_links ? s->n_links - 1 : 0, &link, err, sizeof(err)) ||
		    s->n_links == 0) {
			error_at(c, v,
			         "outside: there is no links.%s (the links are numbered from 0)",
			         t);
			return SCENARIO_NONE;
		}
		for (size_t k = 0; k < nd->n_ifaces; k++)
			if (nd->ifaces[k].link == link)
				return k;
		if (!L->suspect[ni])
			error_at(c, v, "outside: links.%s does not connect node '%s'", t, nd->name);
		return SCENARIO_NONE;
	}
	size_t peer = node_ref(L, v, "outside");
	if (peer == SCENARIO_NONE)
		return SCENARIO_NONE;
	for (size_t k = 0; k < nd->n_ifaces; k++)
		if (nd->ifaces[k].peer == peer) {
			if (!count++)
				found = k;
		}
	if (count == 0 && !L->suspect[ni])
		error_at(c, v, "outside: node '%s' has no link to '%s'", nd->name, t);
	else if (count > 1)
		error_at(c, v,
		         "outside: node '%s' has %zu links to '%s': give the link's index instead",
		         nd->name, count, t);
	return count == 1 ? found : SCENARIO_NONE;
}

/* `nat:` makes a node a NAPT box (RFC 4787 words; model/nat.h). */
static void load_nat(struct load *L, size_t ni, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct scenario_nat *nat = &nd->nat;
	yaml_node_t *v;
	char what[160];
	uint64_t t;
	int x;

	snprintf(what, sizeof(what), "nodes.%s.nat", nd->name);
	if (!want_map(c, m, "nat"))
		return;
	nd->has_nat = true;
	nat->outside = SCENARIO_NONE;
	nat->cfg = (struct nat_config){
	        .mapping = NAT_MAPPING_ENDPOINT_INDEPENDENT,
	        .refresh = NAT_REFRESH_OUTBOUND,
	        .timeout_ns = NAT_DEFAULT_TIMEOUT_NS,
	        .tcp_timeout_ns = NAT_DEFAULT_TCP_TIMEOUT_NS,
	        .port_lo = NAT_DEFAULT_PORT_LO,
	        .port_hi = NAT_DEFAULT_PORT_HI,
	};
	check_keys(c, m, "nat", nat_keys);
	v = get(c, m, "outside");
	if (!v)
		missing(c, m, "outside", what);
	else
		nat->outside = nat_outside(L, ni, v);
	if (nat->outside != SCENARIO_NONE)
		nat->cfg.outside_addr = nd->ifaces[nat->outside].addr;
	if (opt_enum(c, m, "mapping", mapping_names, "mapping behaviour", &x, NULL) == 1)
		nat->cfg.mapping = (enum nat_mapping_behaviour)x;
	if (opt_enum(c, m, "refresh", refresh_names, "refresh direction", &x, NULL) == 1)
		nat->cfg.refresh = (enum nat_refresh)x;
	if (opt_time(c, m, "timeout", &t, &v) == 1) {
		if (t == 0)
			error_at(c, v, "timeout must be above 0");
		else
			nat->cfg.timeout_ns = t;
	}
	if (opt_time(c, m, "tcp_timeout", &t, &v) == 1) {
		if (t == 0)
			error_at(c, v, "tcp_timeout must be above 0");
		else
			nat->cfg.tcp_timeout_ns = t;
	}
	if ((v = get(c, m, "ports")) != NULL) {
		const char *p = scalar(c, v, "ports");
		struct ipsec_range16 r;
		char err[256];

		if (p && strcmp(p, "any") == 0) {
			error_at(c, v, "ports: give a range like 1024-65535, not 'any'");
		} else if (p && port_value(p, 65535, &r, err, sizeof(err))) {
			error_at(c, v, "%s", err);
		} else if (p && r.lo == 0) {
			error_at(c, v,
			         "ports: port 0 cannot be assigned: start the range at 1 or above");
		} else if (p) {
			nat->cfg.port_lo = r.lo;
			nat->cfg.port_hi = r.hi;
		}
	}
	if (L->suspect[ni])
		return;
	if (nd->n_ifaces < 2)
		error_at(
		        c, m,
		        "node '%s' is a NAT but has %s link: it needs an inside and an outside one",
		        nd->name, nd->n_ifaces ? "only one" : "no");
	else if (!nd->forwarding)
		error_at(c, m, "node '%s' is a NAT but does not forward (forwarding: false)",
		         nd->name);
	if (nd->has_ipsec)
		error_at(c, m,
		         "node '%s' cannot be both a NAT and an IPsec node: put the IPsec gateway "
		         "behind or in front of the NAT",
		         nd->name);
}

/* ---- events ---- */

static void load_events(struct load *L, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_events = seq_len(list);
	s->events = arena_alloc(c->a, s->n_events * sizeof(*s->events));
	for (size_t i = 0; i < s->n_events; i++) {
		struct scenario_event *e = &s->events[i];
		yaml_node_t *m = seq_item(c, list, i), *v, *nv, *lv;
		char what[32];
		bool for_nat;
		uint64_t u;
		int x;

		snprintf(what, sizeof(what), "events.%zu", i);
		e->node = e->link = SCENARIO_NONE;
		if (!want_map(c, m, "an event"))
			continue;
		check_keys(c, m, "event", event_keys);
		switch (opt_time(c, m, "at", &e->at_ns, &v)) {
		case 0:
			missing(c, m, "at", what);
			break;
		case 1:
			if (c->duration_ok && e->at_ns >= s->duration_ns)
				error_at(c, v,
				         "at %s is not before the end of the run (duration %s)",
				         text_of(v),
				         text_of(get(c, c->doc.nodes.start, "duration")));
			break;
		}
		x = 0;
		switch (opt_enum(c, m, "action", event_names, "event action", &x, NULL)) {
		case 0:
			missing(c, m, "action", what);
			continue;
		case -1:
			continue;
		}
		e->action = (enum scenario_event_action)x;
		for_nat = e->action == SCENARIO_EVENT_NAT_FLUSH ||
		          e->action == SCENARIO_EVENT_NAT_REBIND;
		nv = get(c, m, "node");
		lv = get(c, m, "link");
		if (for_nat) {
			if (lv)
				error_at(c, lv, "'link' is for link_down and link_up, not %s",
				         scenario_event_name(e->action));
			if (!nv) {
				missing(c, m, "node", what);
				continue;
			}
			size_t n = node_ref(L, nv, "node");
			if (n == SCENARIO_NONE)
				continue;
			if (!s->nodes[n].has_nat)
				error_at(c, nv, "%s needs a NAT, and node '%s' has no 'nat:'",
				         scenario_event_name(e->action), s->nodes[n].name);
			else
				e->node = n;
		} else {
			if (nv)
				error_at(c, nv, "'node' is for nat_flush and nat_rebind, not %s",
				         scenario_event_name(e->action));
			if (!lv) {
				missing(c, m, "link", what);
				continue;
			}
			if (s->n_links == 0)
				continue; /* reported: no links */
			if (opt_uint(c, m, "link", 0, s->n_links - 1, &u, NULL) == 1)
				e->link = (size_t)u;
		}
	}
}

/* Nodes, second pass: everything but the name. */
static void load_node(struct load *L, size_t ni)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	yaml_node_t *m = L->nw[ni].map, *v;
	char what[160];

	if (!m || !nd->name[0])
		return; /* reported: not a mapping, or no valid name */
	snprintf(what, sizeof(what), "nodes.%s", nd->name);
	check_keys(c, m, "node", node_keys);
	if (nd->name[0] && nd->n_ifaces == 0 && !L->suspect[ni])
		error_at(c, L->nw[ni].name_node, "node '%s' is not on any link", nd->name);
	nd->forwarding = nd->n_ifaces > 1;
	opt_bool(c, m, "forwarding", &nd->forwarding);
	if ((v = get(c, m, "routes")) && want_seq(c, v, "routes"))
		load_routes(L, ni, v);
	if ((v = get(c, m, "ipsec")))
		load_ipsec(L, ni, v);
	if ((v = get(c, m, "attacker")) && want_seq(c, v, "attacker"))
		load_attacker(L, ni, v);
	if ((v = get(c, m, "nat")))
		load_nat(L, ni, v);
	L->s->n_sas += nd->n_sas;
}

static void load_traffic(struct load *L, yaml_node_t *list)
{
	static const struct name_val type_names[] = {{"udp", SCENARIO_FLOW_UDP, false},
	                                             {"ping", SCENARIO_FLOW_PING, false},
	                                             {NULL, 0, false}};
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_flows = seq_len(list);
	s->flows = arena_alloc(c->a, s->n_flows * sizeof(*s->flows));
	L->flow_maps = arena_alloc(c->a, s->n_flows * sizeof(*L->flow_maps));
	for (size_t i = 0; i < s->n_flows; i++) {
		struct scenario_flow *f = &s->flows[i];
		yaml_node_t *m = seq_item(c, list, i), *v, *namev, *tov = NULL, *sv, *ev;
		char what[64], a1[16];
		const char *t;
		uint64_t u;
		int x;
		bool type_ok = false, from_ok = false;

		snprintf(what, sizeof(what), "traffic.%zu", i);
		f->from = f->to = SCENARIO_NONE;
		if (!want_map(c, m, "a traffic flow"))
			continue;
		L->flow_maps[i] = m;
		check_keys(c, m, "traffic", traffic_keys);
		switch (opt_enum(c, m, "type", type_names, "traffic type", &x, NULL)) {
		case 0:
			missing(c, m, "type", what);
			break;
		case 1:
			f->type = (enum scenario_flow_type)x;
			type_ok = true;
		}
		namev = get(c, m, "name");
		if (namev) {
			if ((t = name_value(c, namev, "name")))
				strcpy(f->name, t);
		} else if (type_ok) {
			snprintf(f->name, sizeof(f->name), "%s-%zu",
			         f->type == SCENARIO_FLOW_UDP ? "udp" : "ping", i);
		}
		for (size_t j = 0; f->name[0] && j < i; j++)
			if (strcmp(s->flows[j].name, f->name) == 0) {
				error_at(c, namev ? namev : m, "duplicate traffic name '%s'",
				         f->name);
				break;
			}

		if (!(v = get(c, m, "from")))
			missing(c, m, "from", what);
		else if ((f->from = node_ref(L, v, "from")) != SCENARIO_NONE)
			from_ok = true;
		if (!(tov = get(c, m, "to"))) {
			missing(c, m, "to", what);
		} else if ((t = scalar(c, tov, "to"))) {
			char err[128];

			if (units_ipv4(t, &f->dst, err, sizeof(err)) == 0) {
				f->to = addr_owner(s, f->dst);
			} else if ((f->to = node_ref(L, tov, "to")) != SCENARIO_NONE) {
				if (s->nodes[f->to].n_ifaces)
					f->dst = s->nodes[f->to].ifaces[0].addr;
			}
			if (from_ok && f->to == f->from)
				error_at(c, tov, "traffic from node '%s' to itself (%s)",
				         s->nodes[f->from].name, addr_str(f->dst, a1));
		}

		if (type_ok && f->type == SCENARIO_FLOW_UDP) {
			f->port = 9000;
			f->size = 1000;
			if (opt_uint(c, m, "port", 1, 65535, &u, NULL) == 1)
				f->port = (uint16_t)u;
		} else if (type_ok) {
			f->size = 56;
			f->interval_ns = 1000000000;
			if ((v = get(c, m, "port")))
				error_at(c, v, "'port' is for udp traffic only");
			if ((v = get(c, m, "rate")))
				error_at(c, v,
				         "ping sends one packet per 'interval', it has no "
				         "'rate'");
		}
		/* 65507 = 65535 - 20 (IPv4 header) - 8 (UDP or ICMP header). */
		if (opt_size(c, m, "size", &u, &v) == 1) {
			uint64_t min = type_ok && f->type == SCENARIO_FLOW_PING ? 0 : 1;

			if (u < min || u > 65507)
				error_at(c, v, "size must be %llu..65507 bytes, got %s",
				         (unsigned long long)min, text_of(v));
			else
				f->size = (uint32_t)u;
		}
		if (type_ok && f->type == SCENARIO_FLOW_UDP) {
			yaml_node_t *rv = get(c, m, "rate"), *iv = get(c, m, "interval");

			if (rv && iv)
				error_at(c, iv, "give either 'rate' or 'interval', not both");
			else if (!rv && !iv)
				error_at(c, m, "udp traffic needs a 'rate' or an 'interval' (%s)",
				         what);
			else if (rv && opt_rate(c, m, "rate", &f->rate_bps) == 1) {
				/* Payload bits per second -> time between packets, to
				 * the nearest ns. */
				uint64_t bits = (uint64_t)f->size * 8 * 1000000000;

				f->interval_ns = (bits + f->rate_bps / 2) / f->rate_bps;
				if (f->interval_ns == 0)
					error_at(c, rv,
					         "rate %s sends %u-byte packets less than 1 ns "
					         "apart",
					         text_of(rv), f->size);
			}
		}
		if (type_ok && opt_time(c, m, "interval", &f->interval_ns, &v) == 1 &&
		    f->interval_ns == 0)
			error_at(c, v, "interval must be above 0");

		f->stop_ns = s->duration_ns;
		opt_time(c, m, "start", &f->start_ns, &sv);
		if (opt_time(c, m, "stop", &f->stop_ns, &ev) >= 0 && c->duration_ok) {
			if (ev && f->stop_ns > s->duration_ns)
				error_at(c, ev, "stop %s is after the end of the run (duration %s)",
				         text_of(ev),
				         text_of(get(c, c->doc.nodes.start, "duration")));
			else if (sv && f->start_ns >= f->stop_ns)
				error_at(c, sv, "start %s is not before stop (%s)", text_of(sv),
				         ev ? text_of(ev) : "the end of the run");
		}
	}
}

/* ---- routing: can the traffic get there? ---- */

/* The neighbour a node sends a packet for dst to (longest prefix match over
 * its connected subnets and static routes, as ns-3's static routing does),
 * or SCENARIO_NONE; *via_iface gets the interface used. */
static size_t next_hop(const struct scenario *s, size_t n, uint32_t dst, size_t *via_iface)
{
	const struct scenario_node *nd = &s->nodes[n];
	size_t best = SCENARIO_NONE;
	int best_len = -1;

	for (size_t i = 0; i < nd->n_ifaces; i++) {
		const struct scenario_iface *f = &nd->ifaces[i];

		if (same_subnet(f->addr, dst, f->prefix_len) && f->prefix_len > best_len) {
			best = f->peer;
			best_len = f->prefix_len;
			*via_iface = i;
		}
	}
	for (size_t i = 0; i < nd->n_routes; i++) {
		const struct scenario_route *r = &nd->routes[i];

		if (r->iface != SCENARIO_NONE && same_subnet(r->dst, dst, r->prefix_len) &&
		    r->prefix_len > best_len) {
			best = nd->ifaces[r->iface].peer;
			best_len = r->prefix_len;
			*via_iface = r->iface;
		}
	}
	return best;
}

static bool in_range(const struct ipsec_range32 *r, uint32_t a)
{
	return r->lo <= a && a <= r->hi;
}

/* The first policy of node n matching a packet src -> dst of IP protocol
 * proto, or NULL (the default applies).  Entries restricted to ports are
 * skipped: the ports of the packets are not known here. */
static const struct scenario_policy *spd_match(const struct scenario_node *nd, uint32_t src,
                                               uint32_t dst, uint8_t proto)
{
	for (size_t i = 0; i < nd->n_policies; i++) {
		const struct scenario_policy *p = &nd->policies[i];
		const struct ipsec_selector *sel = &p->sel;
		bool any_ports = sel->local_port.lo == 0 && sel->remote_port.lo == 0 &&
		                 sel->local_port.hi >= 255 && sel->remote_port.hi >= 255;

		if (in_range(&sel->local_addr, src) && in_range(&sel->remote_addr, dst) &&
		    (sel->protocol == 0 || sel->protocol == proto) && any_ports)
			return p;
	}
	return NULL;
}

/* Follows a packet src -> dst (IP protocol proto) from node `from`: routes,
 * forwarding, and outbound IPsec (a DISCARD policy drops it; a tunnel-mode
 * SA carries it to the tunnel's far end, which is followed in turn).  On
 * failure, says why in `why` and returns false.  An approximation for
 * warnings: ports and inbound policy checks are not considered. */
static bool reaches(const struct scenario *s, size_t from, uint32_t src, uint32_t dst,
                    uint8_t proto, int depth, char *why, size_t len)
{
	size_t cur = from, iface;
	char a[16];

	for (size_t hop = 0; hop <= s->n_nodes; hop++) {
		const struct scenario_node *nd = &s->nodes[cur];
		const struct scenario_policy *p;
		size_t next;

		if (iface_with_addr(nd, dst) != SCENARIO_NONE)
			return true;
		if (hop > 0 && !nd->forwarding) {
			snprintf(why, len, "node '%s' is on the path to %s but does not forward",
			         nd->name, addr_str(dst, a));
			return false;
		}
		/* The inner packet needs a route too (ns-3 and Linux route before
		 * the outbound IPsec processing). */
		next = next_hop(s, cur, dst, &iface);
		if (next == SCENARIO_NONE) {
			snprintf(why, len, "node '%s' has no route to %s", nd->name,
			         addr_str(dst, a));
			return false;
		}
		p = nd->has_ipsec ? spd_match(nd, src, dst, proto) : NULL;
		if ((p && p->action == IPSEC_ACTION_DISCARD) ||
		    (!p && nd->has_ipsec && nd->ipsec_default == IPSEC_ACTION_DISCARD)) {
			snprintf(why, len, "node '%s' discards packets to %s (%s)", nd->name,
			         addr_str(dst, a), p ? "a discard policy" : "default: discard");
			return false;
		}
		if (p && p->action == IPSEC_ACTION_PROTECT && p->n_out) {
			/* The outermost SA of the bundle decides where it goes. */
			const struct ipsec_sa_config *sa = &nd->sas[p->out[p->n_out - 1]].cfg;
			size_t far = addr_owner(s, sa->dst);

			if (sa->mode == IPSEC_MODE_TUNNEL && sa->dst != dst) {
				if (depth > 3)
					return true; /* too nested to follow: no opinion */
				if (far == SCENARIO_NONE) {
					snprintf(why, len,
					         "the tunnel from '%s' leads to %s, which no node "
					         "has",
					         nd->name, addr_str(sa->dst, a));
					return false;
				}
				if (!reaches(s, cur, sa->src, sa->dst, (uint8_t)sa->protocol,
				             depth + 1, why, len))
					return false;
				if (s->nodes[far].has_nat)
					return true; /* to a NAT's outside address */
				cur = far;           /* decapsulated there, routed on */
				continue;
			}
		}
		cur = next;
	}
	snprintf(why, len, "the routes to %s go round in a loop", addr_str(dst, a));
	return false;
}

/* The last NAT box on the routed path from node `from` to dst, or
 * SCENARIO_NONE.  Replies then go to its outside address, and it sends them
 * on to the address the packet had before it (the previous NAT's outside
 * address, or the sender's). */
static size_t last_nat(const struct scenario *s, size_t from, uint32_t dst)
{
	size_t cur = from, iface, found = SCENARIO_NONE;

	for (size_t hop = 0; hop <= s->n_nodes; hop++) {
		if (iface_with_addr(&s->nodes[cur], dst) != SCENARIO_NONE)
			break;
		if (hop > 0 && s->nodes[cur].has_nat)
			found = cur;
		cur = next_hop(s, cur, dst, &iface);
		if (cur == SCENARIO_NONE)
			break;
	}
	return found;
}

/* Can the replies to a packet src -> dst sent from `from` come back?  Past
 * a NAT they go to its outside address, and from there to what the
 * packet's source was when it reached the NAT (recursively). */
static bool replies_reach(const struct scenario *s, size_t from, uint32_t src, size_t to,
                          uint32_t dst, int depth, char *why, size_t len)
{
	size_t nat = last_nat(s, from, dst);

	if (nat == SCENARIO_NONE || depth > 8)
		return reaches(s, to, dst, src, 1 /* ICMP */, 0, why, len);
	uint32_t outside = s->nodes[nat].ifaces[s->nodes[nat].nat.outside].addr;
	return reaches(s, to, dst, outside, 1, 0, why, len) &&
	       replies_reach(s, from, src, nat, outside, depth + 1, why, len);
}

/* Warns about flows whose packets (or, for ping, replies) cannot arrive.
 * Only a warning: a black hole may be what the experiment is about. */
static void check_reachability(struct load *L)
{
	const struct scenario *s = L->s;

	for (size_t i = 0; i < s->n_flows; i++) {
		const struct scenario_flow *f = &s->flows[i];
		yaml_node_t *tov = get(L->c, L->flow_maps[i], "to");
		uint8_t proto = f->type == SCENARIO_FLOW_PING ? 1 : 17;
		char why[200];
		size_t iface = 0;
		uint32_t src;

		if (f->to == SCENARIO_NONE ||
		    next_hop(s, f->from, f->dst, &iface) == SCENARIO_NONE) {
			if (f->to != SCENARIO_NONE)
				warn_at(L->c, tov,
				        "traffic '%s' cannot reach %s: node '%s' has no route to "
				        "it",
				        f->name, s->nodes[f->to].name, s->nodes[f->from].name);
			continue; /* to an address nobody has: deliberate */
		}
		src = s->nodes[f->from].ifaces[iface].addr;
		if (!reaches(s, f->from, src, f->dst, proto, 0, why, sizeof(why)))
			warn_at(L->c, tov, "traffic '%s' cannot reach %s: %s", f->name,
			        s->nodes[f->to].name, why);
		else if (f->type == SCENARIO_FLOW_PING &&
		         !replies_reach(s, f->from, src, f->to, f->dst, 0, why, sizeof(why)))
			warn_at(L->c, tov, "the replies of traffic '%s' cannot come back: %s",
			        f->name, why);
	}
}

static void load_top(struct load *L, yaml_node_t *root)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t *v, *nodes, *links;
	uint64_t u;

	if (!want_map(c, root, "the scenario"))
		return;
	check_keys(c, root, "the top level", top_keys);
	if ((v = get(c, root, "name")) && scalar(c, v, "name"))
		s->name = arena_strdup(c->a, text_of(v));
	if ((v = get(c, root, "description")) && !is_null(v) && scalar(c, v, "description"))
		s->description = arena_strdup(c->a, text_of(v));
	switch (opt_time(c, root, "duration", &s->duration_ns, &v)) {
	case 0:
		error_at(c, root, "missing 'duration' (how long to simulate, like 10s)");
		break;
	case 1:
		if (s->duration_ns == 0)
			error_at(c, v, "duration must be above 0");
		else
			c->duration_ok = true;
		break;
	}
	s->seed = 1;
	if (opt_uint(c, root, "seed", 1, UINT32_MAX, &u, NULL) == 1)
		s->seed = u;

	nodes = get(c, root, "nodes");
	links = get(c, root, "links");
	L->nodes_failed = true;
	if (!nodes)
		error_at(c, root, "missing 'nodes' (the list of hosts and gateways)");
	else if (want_seq(c, nodes, "nodes")) {
		L->nodes_failed = false;
		if (seq_len(nodes) == 0)
			error_at(c, nodes, "'nodes' is empty");
		load_node_names(L, nodes);
	}
	if (!links)
		error_at(c, root, "missing 'links' (the point-to-point links between nodes)");
	else if (want_seq(c, links, "links"))
		load_links(L, links);
	for (size_t i = 0; i < s->n_nodes; i++)
		load_node(L, i);
	if ((v = get(c, root, "traffic")) && want_seq(c, v, "traffic"))
		load_traffic(L, v);
	if ((v = get(c, root, "events")) && want_seq(c, v, "events"))
		load_events(L, v);
	if (c->nerr == 0)
		check_reachability(L);
}

/* ---- overrides ---- */

static bool grow_origin(struct ctx *c)
{
	size_t need = (size_t)(c->doc.nodes.top - c->doc.nodes.start) + 2;

	if (need <= c->origin_cap)
		return true;
	size_t cap = need * 2;
	unsigned *o = realloc(c->origin, cap * sizeof(*o));
	if (!o)
		return false;
	memset(o + c->origin_cap, 0, (cap - c->origin_cap) * sizeof(*o));
	c->origin = o;
	c->origin_cap = cap;
	return true;
}

/* Copies node n of src into c->doc as made by --set `set`; returns its id
 * or 0 (too deep, or out of memory). */
static int copy_node(struct ctx *c, yaml_document_t *src, yaml_node_t *n, unsigned set, int depth)
{
	int id = 0;

	if (depth > 32 || ++c->copied > SCENARIO_MAX_YAML_NODES)
		return 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		id = yaml_document_add_scalar(&c->doc, NULL, n->data.scalar.value,
		                              (int)n->data.scalar.length, n->data.scalar.style);
		break;
	case YAML_SEQUENCE_NODE: {
		size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);

		id = yaml_document_add_sequence(&c->doc, NULL, n->data.sequence.style);
		for (size_t i = 0; id && i < len; i++) {
			int child = copy_node(
			        c, src,
			        yaml_document_get_node(src, n->data.sequence.items.start[i]), set,
			        depth + 1);

			if (!child || !yaml_document_append_sequence_item(&c->doc, id, child))
				return 0;
		}
		break;
	}
	case YAML_MAPPING_NODE: {
		size_t len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);

		id = yaml_document_add_mapping(&c->doc, NULL, n->data.mapping.style);
		for (size_t i = 0; id && i < len; i++) {
			yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
			int k = copy_node(c, src, yaml_document_get_node(src, p->key), set,
			                  depth + 1);
			int v = k ? copy_node(c, src, yaml_document_get_node(src, p->value), set,
			                      depth + 1)
			          : 0;

			if (!v || !yaml_document_append_mapping_pair(&c->doc, id, k, v))
				return 0;
		}
		break;
	}
	default:
		return 0;
	}
	if (id && grow_origin(c))
		c->origin[id] = set;
	return id;
}

/* Parses an override's value as YAML ("10ms", "[a, b]", "{time: 30s}") into
 * new nodes of the document; returns the new node's id or 0 after an error. */
static int override_value(struct ctx *c, unsigned set, const char *value)
{
	yaml_parser_t parser;
	yaml_document_t vdoc;
	yaml_node_t *root;
	int id = 0;

	if (!yaml_parser_initialize(&parser))
		return 0;
	yaml_parser_set_input_string(&parser, (const unsigned char *)value, strlen(value));
	if (!yaml_parser_load(&parser, &vdoc)) {
		error_set(c, set, "the value is not valid YAML: %s",
		          parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return 0;
	}
	root = yaml_document_get_root_node(&vdoc);
	if (!root)
		id = yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)"", 0,
		                              YAML_PLAIN_SCALAR_STYLE);
	else
		id = copy_node(c, &vdoc, root, set, 0);
	if (id && grow_origin(c))
		c->origin[id] = set;
	if (!id)
		error_set(c, set, "the value is too large or nested too deeply");
	yaml_document_delete(&vdoc);
	yaml_parser_delete(&parser);
	return id;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Applies one "key=value": walks the dot path from the root, then replaces
 * the value found there or adds the key to the mapping reached. */
static void apply_set(struct ctx *c, unsigned set, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *path, *seg, *save = NULL;
	char done[256] = "";
	int value_id, cur;
	size_t nseg = 0;

	if (!eq || eq == arg) {
		error_set(c, set, "expected key=value, like duration=20s, got '%s'", arg);
		return;
	}
	path = strndup(arg, (size_t)(eq - arg));
	if (!path)
		return;
	if (path[0] == '.' || eq[-1] == '.' || strstr(path, "..")) {
		error_set(c, set, "'%s' is not a key path like traffic.0.rate", path);
		goto out;
	}
	for (const char *p = path; *p; p++)
		nseg += *p == '.';
	nseg++;
	value_id = override_value(c, set, eq + 1);
	if (!value_id)
		goto out;

	cur = 1; /* the root */
	for (size_t i = 0; (seg = strtok_r(i ? NULL : path, ".", &save)) != NULL; i++) {
		yaml_node_t *n = node(c, cur);
		bool last = i + 1 == nseg;
		const char *where = done[0] ? done : "the top level";

		if (!n)
			break;
		if (n->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *found = NULL;

			for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
			     p < n->data.mapping.pairs.top; p++) {
				yaml_node_t *k = node(c, p->key);

				if (k->type == YAML_SCALAR_NODE && strcmp(text_of(k), seg) == 0)
					found = p;
			}
			if (found && last) {
				found->value = value_id;
				goto out;
			}
			if (found) {
				cur = found->value;
			} else if (last) {
				int key =
				        yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)seg,
				                                 -1, YAML_PLAIN_SCALAR_STYLE);

				if (key && grow_origin(c))
					c->origin[key] = set;
				if (key)
					yaml_document_append_mapping_pair(&c->doc, cur, key,
					                                  value_id);
				goto out;
			} else {
				error_set(c, set, "there is no '%s' in %s", seg, where);
				goto out;
			}
		} else if (n->type == YAML_SEQUENCE_NODE) {
			size_t len = seq_len(n), k = len;

			if (all_digits(seg)) {
				k = strtoul(seg, NULL, 10);
				if (k >= len || strlen(seg) > 9) {
					error_set(c, set,
					          "%s has %zu items (counted from 0), there is no "
					          "item %s",
					          where, len, seg);
					goto out;
				}
			} else {
				for (k = 0; k < len; k++) {
					yaml_node_t *nv = get(c, seq_item(c, n, k), "name");

					if (nv && nv->type == YAML_SCALAR_NODE &&
					    strcmp(text_of(nv), seg) == 0)
						break;
				}
				if (k == len) {
					error_set(c, set, "there is no item named '%s' in %s", seg,
					          where);
					goto out;
				}
			}
			if (last) {
				n->data.sequence.items.start[k] = value_id;
				goto out;
			}
			cur = n->data.sequence.items.start[k];
		} else {
			error_set(c, set, "%s is a single value, it has no '%s'", where, seg);
			goto out;
		}
		snprintf(done + strlen(done), sizeof(done) - strlen(done), "%s%s",
		         done[0] ? "." : "", seg);
	}
out:
	free(path);
}

/* ---- size limits ---- */

/* The number of nodes under id once aliases are expanded (saturating),
 * refusing recursion (an alias inside its own anchor) and deep nesting. */
static uint64_t measure(struct ctx *c, int id, int depth, uint8_t *state, uint64_t *memo,
                        bool *failed)
{
	yaml_node_t *n = node(c, id);
	uint64_t total = 1;

	if (*failed)
		return 0;
	if (state[id] == 2)
		return memo[id];
	if (state[id] == 1) {
		error_at(c, n, "this node contains itself (through an alias)");
		*failed = true;
		return 0;
	}
	if (depth > 64) {
		error_at(c, n, "the document is nested more than 64 levels deep");
		*failed = true;
		return 0;
	}
	state[id] = 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++) {
			total += measure(c, *i, depth + 1, state, memo, failed);
			if (total > SCENARIO_MAX_YAML_NODES)
				total = SCENARIO_MAX_YAML_NODES + 1;
		}
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			total += measure(c, p->key, depth + 1, state, memo, failed) +
			         measure(c, p->value, depth + 1, state, memo, failed);
			if (total > SCENARIO_MAX_YAML_NODES)
				total = SCENARIO_MAX_YAML_NODES + 1;
		}
	}
	state[id] = 2;
	memo[id] = total;
	return total;
}

/* ---- entry points ---- */

static void parser_error(struct ctx *c, yaml_parser_t *p)
{
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR) {
		error_file(c, "out of memory while parsing");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors carry a byte offset, not a mark. */
		line = 1;
		col = 1;
		for (size_t i = 0; i < p->problem_offset && c->text[i]; i++) {
			if (c->text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
	}
	if (p->context)
		error_pos(c, line, col, "%s (%s at %zu:%zu)", p->problem ? p->problem : "error",
		          p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else
		error_pos(c, line, col, "%s", p->problem ? p->problem : "not valid YAML");
}

static char *file_stem(struct scenario_arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	char *s, *dot;

	s = arena_strdup(a, base ? base + 1 : path);
	dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = '\0';
	return s;
}

int scenario_load_text(const char *path, const char *text, size_t len, const char *const *sets,
                       size_t nsets, struct scenario *out, FILE *errors)
{
	struct ctx c = {.file = path, .text = text, .errors = errors};
	struct load L = {.c = &c, .s = out};
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	uint8_t *state = NULL;
	uint64_t *memo = NULL;

	memset(out, 0, sizeof(*out));
	out->arena = calloc(1, sizeof(*out->arena));
	if (!out->arena) {
		if (errors)
			fprintf(errors, "%s: out of memory\n", path);
		return 2;
	}
	c.a = out->arena;
	c.s = out;
	out->path = arena_strdup(c.a, path);
	out->text = arena_alloc(c.a, len + 1);
	memcpy(out->text, text, len);
	out->text_len = len;
	out->n_sets = nsets;
	out->sets = arena_alloc(c.a, nsets * sizeof(*out->sets));
	for (size_t i = 0; i < nsets; i++)
		out->sets[i] = arena_strdup(c.a, sets[i]);
	out->name = file_stem(c.a, path);
	out->description = "";

	if (len > SCENARIO_MAX_FILE_SIZE) {
		error_file(&c, "too large for a scenario (over %d MiB)",
		           SCENARIO_MAX_FILE_SIZE >> 20);
		goto done;
	}
	if (memchr(text, '\0', len)) {
		error_file(&c, "this is a binary file, not YAML (it contains a NUL byte)");
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		error_file(&c, "out of memory");
		goto done;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)out->text, len);
	if (!yaml_parser_load(&parser, &c.doc)) {
		parser_error(&c, &parser);
		yaml_parser_delete(&parser);
		goto done;
	}
	c.have_doc = true;
	root = yaml_document_get_root_node(&c.doc);
	if (!root) {
		error_pos(&c, 1, 1,
		          "the file is empty: a scenario needs at least 'duration', 'nodes' and "
		          "'links'");
		yaml_parser_delete(&parser);
		goto done;
	}
	/* One scenario per file. */
	if (!yaml_parser_load(&parser, &extra)) {
		parser_error(&c, &parser);
	} else {
		if (yaml_document_get_root_node(&extra))
			error_pos(&c, extra.start_mark.line + 1, extra.start_mark.column + 1,
			          "a second YAML document: a file holds one scenario");
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&parser);
	if (c.nerr)
		goto done;
	if (c.doc.nodes.top - c.doc.nodes.start > SCENARIO_MAX_YAML_NODES) {
		error_pos(&c, 1, 1, "the document has more than %d nodes", SCENARIO_MAX_YAML_NODES);
		goto done;
	}
	if (!grow_origin(&c)) {
		error_file(&c, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nsets; i++)
		apply_set(&c, (unsigned)(i + 1), sets[i]);
	if (c.nerr)
		goto done;

	{
		size_t n = (size_t)(c.doc.nodes.top - c.doc.nodes.start) + 1;
		bool failed = false;

		state = calloc(n, 1);
		memo = calloc(n, sizeof(*memo));
		if (!state || !memo) {
			error_file(&c, "out of memory");
			goto done;
		}
		if (measure(&c, 1, 0, state, memo, &failed) > SCENARIO_MAX_YAML_NODES && !failed)
			error_pos(&c, 1, 1,
			          "the document has more than %d nodes once aliases are expanded",
			          SCENARIO_MAX_YAML_NODES);
		if (c.nerr)
			goto done;
	}

	load_top(&L, yaml_document_get_root_node(&c.doc));
done:
	free(state);
	free(memo);
	free(c.origin);
	if (c.have_doc)
		yaml_document_delete(&c.doc);
	if (c.nerr) {
		struct scenario_arena *a = out->arena;

		memset(out, 0, sizeof(*out));
		out->arena = a;
		return 2;
	}
	return 0;
}

int scenario_load(const char *path, const char *const *sets, size_t nsets, struct scenario *out,
                  FILE *errors)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!f) {
		if (errors)
			fprintf(errors, "%s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= (size_t)SCENARIO_MAX_FILE_SIZE) {
				if (errors)
					fprintf(errors,
					        "%s: too large for a scenario (over %d MiB)\n",
					        path, SCENARIO_MAX_FILE_SIZE >> 20);
				free(buf);
				fclose(f);
				return 2;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				if (errors)
					fprintf(errors, "%s: out of memory\n", path);
				return 2;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		if (errors)
			fprintf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		free(buf);
		fclose(f);
		return 2;
	}
	fclose(f);
	rc = scenario_load_text(path, buf ? buf : "", len, sets, nsets, out, errors);
	free(buf);
	return rc;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	arena_free(s->arena);
	memset(s, 0, sizeof(*s));
}
