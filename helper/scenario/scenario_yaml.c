/* Scenario loader, the YAML side: the arena, error and warning messages
 * ("FILE:LINE:COL: ..." or "--set:N: ..."), reading libyaml's tree, typed
 * getters for values with units, enumerations with "did you mean"
 * suggestions, and names.  Used by every scenario_*.c file through
 * scenario_internal.h.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"
#include "units.h"

/* ---- memory: everything a scenario owns comes from its arena ---- */

void *scn_arena_alloc(struct scenario_arena *a, size_t n)
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

char *scn_arena_strdup(struct scenario_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(scn_arena_alloc(a, n), s, n);
}

void scn_arena_free(struct scenario_arena *a)
{
	while (a && a->head) {
		struct chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
	free(a);
}

/* ---- error reporting ---- */

const char *scn_set_label(const struct ctx *c, unsigned set, char *buf, size_t len)
{
	if (c->set_labels && c->set_labels[set - 1])
		return c->set_labels[set - 1];
	snprintf(buf, len, "--set:%u", set);
	return buf;
}

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
	char label[32];
	if (set)
		fprintf(c->errors, "%s: ", scn_set_label(c, set, label, sizeof label));
	else if (has_pos)
		fprintf(c->errors, "%s:%zu:%zu: ", c->file, line, col);
	else
		fprintf(c->errors, "%s: ", c->file);
	vfprintf(c->errors, fmt, ap);
	fputc('\n', c->errors);
}

/* A warning: printed like an error, with "warning: ", but loading succeeds. */
void scn_warn_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int id = (int)(n - c->doc.nodes.start) + 1;
	unsigned set = (size_t)id < c->origin_cap ? c->origin[id] : 0;

	if (!c->errors || c->no_warnings || ++c->nwarn > SCENARIO_MAX_ERRORS)
		return;
	char label[32];
	if (set)
		fprintf(c->errors, "%s: warning: ", scn_set_label(c, set, label, sizeof label));
	else
		fprintf(c->errors, "%s:%zu:%zu: warning: ", c->file, n->start_mark.line + 1,
		        n->start_mark.column + 1);
	va_start(ap, fmt);
	vfprintf(c->errors, fmt, ap);
	va_end(ap);
	fputc('\n', c->errors);
}

void scn_error_pos(struct ctx *c, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, 0, line, col, true, fmt, ap);
	va_end(ap);
}

void scn_error_file(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, 0, 0, 0, false, fmt, ap);
	va_end(ap);
}

void scn_error_set(struct ctx *c, unsigned set, const char *fmt, ...)
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
void scn_error_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int id = node_id(c, n);
	unsigned set = (size_t)id < c->origin_cap ? c->origin[id] : 0;

	va_start(ap, fmt);
	verror(c, set, n->start_mark.line + 1, n->start_mark.column + 1, true, fmt, ap);
	va_end(ap);
}

/* ---- reading the tree ---- */

yaml_node_t *scn_node(struct ctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

bool scn_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	/* Not "null": that is an encryption algorithm's name here. */
	const char *v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "~") == 0;
}

const char *scn_text_of(const yaml_node_t *n)
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
	if (scn_is_null(n))
		return "an empty value";
	snprintf(buf, len, "'%.40s%s'", scn_text_of(n), strlen(scn_text_of(n)) > 40 ? "..." : "");
	return buf;
}

bool scn_want_map(struct ctx *c, yaml_node_t *n, const char *what)
{
	char buf[64];

	if (n->type == YAML_MAPPING_NODE)
		return true;
	scn_error_at(c, n, "expected a mapping (key: value) for %s, got %s", what,
	             describe(n, buf, sizeof(buf)));
	return false;
}

/* A list, or null meaning an empty list. */
bool scn_want_seq(struct ctx *c, yaml_node_t *n, const char *what)
{
	char buf[64];

	if (n->type == YAML_SEQUENCE_NODE || scn_is_null(n))
		return true;
	scn_error_at(c, n, "expected a list for %s, got %s", what, describe(n, buf, sizeof(buf)));
	return false;
}

size_t scn_seq_len(const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *scn_seq_item(struct ctx *c, const yaml_node_t *n, size_t i)
{
	return scn_node(c, n->data.sequence.items.start[i]);
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
const char *scn_nearest(const char *word, const char *const *words)
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
void scn_check_keys(struct ctx *c, yaml_node_t *map, const char *what, const char *const *keys)
{
	scn_check_keys_known(c, map, what, keys, NULL);
}

static bool in_list(const char *word, const char *const *words)
{
	for (; words && *words; words++)
		if (strcmp(word, *words) == 0)
			return true;
	return false;
}

void scn_check_keys_known(struct ctx *c, yaml_node_t *map, const char *what,
                          const char *const *keys, const char *const *unsupported)
{
	unsigned long long seen = 0; /* bit i: keys[i] seen */

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = scn_node(c, p->key);
		size_t i;

		if (k->type != YAML_SCALAR_NODE) {
			scn_error_at(c, k, "keys must be plain words, not %s, in %s",
			             k->type == YAML_SEQUENCE_NODE ? "lists" : "mappings", what);
			continue;
		}
		for (i = 0; keys[i]; i++)
			if (strcmp(keys[i], scn_text_of(k)) == 0)
				break;
		if (!keys[i] && in_list(scn_text_of(k), unsupported)) {
			scn_error_at(c, k,
			             "'%s' (swanctl.conf) is not supported by this module, in %s",
			             scn_text_of(k), what);
			continue;
		}
		if (!keys[i]) {
			const char *near = scn_nearest(scn_text_of(k), keys);

			if (near)
				scn_error_at(c, k, "unknown key '%s' in %s (did you mean '%s'?)",
				             scn_text_of(k), what, near);
			else
				scn_error_at(c, k, "unknown key '%s' in %s", scn_text_of(k), what);
			continue;
		}
		if (seen & (1ull << i))
			scn_error_at(c, k, "duplicate key '%s' in %s", scn_text_of(k), what);
		seen |= 1ull << i;
	}
}

/* The value of `key` in a mapping, or NULL. */
yaml_node_t *scn_get(struct ctx *c, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = scn_node(c, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp(scn_text_of(k), key) == 0)
			return scn_node(c, p->value);
	}
	return NULL;
}

/* The text of a scalar value, or NULL after an error (a list, a mapping, or
 * nothing at all where a value is needed). */
const char *scn_scalar(struct ctx *c, yaml_node_t *v, const char *key)
{
	char buf[64];

	if (v->type == YAML_SCALAR_NODE && !scn_is_null(v))
		return scn_text_of(v);
	scn_error_at(c, v, "expected a single value for '%s', got %s", key,
	             describe(v, buf, sizeof(buf)));
	return NULL;
}

void scn_missing(struct ctx *c, yaml_node_t *map, const char *key, const char *what)
{
	scn_error_at(c, map, "missing '%s' in %s", key, what);
}

/* Optional typed values: each returns 1 (present and valid, *out set), 0
 * (absent, *out untouched) or -1 (present but invalid, error reported).
 * `vn`, when not NULL, receives the value node. */

int scn_opt_parse(struct ctx *c, yaml_node_t *map, const char *key, parse_fn fn, void *out,
                  yaml_node_t **vn)
{
	yaml_node_t *v = scn_get(c, map, key);
	const char *s;
	char err[256];

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scn_scalar(c, v, key);
	if (!s)
		return -1;
	if (fn(s, out, err, sizeof(err)) != 0) {
		scn_error_at(c, v, "%s", err);
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
int scn_p_fraction(const char *s, void *o, char *e, size_t l)
{
	return units_fraction(s, o, e, l);
}
/* An anti-replay window (RFC 4303 §3.4.3), in packets: 0 (off) or a
 * multiple of 32 up to 4096 (replay.h), one message for every wrong value. */
int scn_p_replay_window(const char *s, void *o, char *e, size_t l)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v > 4096 || v % 32)
		return errf(
		        e, l,
		        "replay_window must be 0 (off) or a multiple of 32 up to 4096, got '%s'",
		        s);
	*(uint32_t *)o = (uint32_t)v;
	return 0;
}
static int p_bool(const char *s, void *o, char *e, size_t l)
{
	return units_bool(s, o, e, l);
}
static int p_addr(const char *s, void *o, char *e, size_t l)
{
	return units_ip(s, o, e, l);
}

int scn_opt_time(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn)
{
	return scn_opt_parse(c, m, k, p_time, o, vn);
}
int scn_opt_rate(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o)
{
	return scn_opt_parse(c, m, k, p_rate, o, NULL);
}
int scn_opt_size(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn)
{
	return scn_opt_parse(c, m, k, p_size, o, vn);
}
int scn_opt_bool(struct ctx *c, yaml_node_t *m, const char *k, bool *o)
{
	return scn_opt_parse(c, m, k, p_bool, o, NULL);
}
int scn_opt_addr(struct ctx *c, yaml_node_t *m, const char *k, struct ip_addr *o, yaml_node_t **vn)
{
	return scn_opt_parse(c, m, k, p_addr, o, vn);
}

/* An integer in [min, max]; `range` describes the valid values when it is
 * not simply "min..max". */
int scn_opt_uint(struct ctx *c, yaml_node_t *m, const char *key, uint64_t min, uint64_t max,
                 uint64_t *out, yaml_node_t **vn)
{
	yaml_node_t *v = scn_get(c, m, key);
	const char *s;
	char err[256];
	uint64_t x;

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scn_scalar(c, v, key);
	if (!s)
		return -1;
	if (units_uint(s, 0, UINT64_MAX, &x, err, sizeof(err)) != 0) {
		scn_error_at(c, v, "%s: %s", key, err);
		return -1;
	}
	if (x < min || x > max) {
		scn_error_at(c, v, "%s must be %llu..%llu, got %s", key, (unsigned long long)min,
		             (unsigned long long)max, s);
		return -1;
	}
	*out = x;
	return 1;
}

/* One of a table's names; the message lists them and suggests the nearest. */
const char *scn_name_of(const struct name_val *tab, int val)
{
	for (const struct name_val *t = tab; t->name; t++)
		if (t->val == val && !t->alias)
			return t->name;
	return "?";
}

int scn_opt_enum(struct ctx *c, yaml_node_t *m, const char *key, const struct name_val *tab,
                 const char *kind, int *out, yaml_node_t **vn)
{
	yaml_node_t *v = scn_get(c, m, key);
	const char *s, *names[32], *near;
	char list[512] = "";
	size_t n = 0, nlisted = 0;

	if (vn)
		*vn = v;
	if (!v)
		return 0;
	s = scn_scalar(c, v, key);
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
	near = scn_nearest(s, names);
	if (near)
		scn_error_at(c, v, "'%s' is not a valid %s (did you mean '%s'?): use %s", s, kind,
		             near, list);
	else
		scn_error_at(c, v, "'%s' is not a valid %s: use %s", s, kind, list);
	return -1;
}

bool scenario_name_valid(const char *s)
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
const char *scn_name_value(struct ctx *c, yaml_node_t *v, const char *key)
{
	const char *s = scn_scalar(c, v, key);

	if (s && !scenario_name_valid(s)) {
		scn_error_at(
		        c, v,
		        "'%.60s' is not a valid name: use letters, digits, '_' and '-', at most %d "
		        "characters",
		        s, SCENARIO_NAME_MAX - 1);
		return NULL;
	}
	return s;
}

char *scn_addr_str(uint32_t a, char *buf)
{
	return units_ipv4_str(a, buf);
}

const char *scn_time_str(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {{3600 * 1000000000ull, "h"},
	             {60 * 1000000000ull, "min"},
	             {1000000000ull, "s"},
	             {1000000, "ms"},
	             {1000, "us"},
	             {1, "ns"}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].div == 0) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(ns / units[i].div),
			         units[i].unit);
			break;
		}
	return buf;
}
