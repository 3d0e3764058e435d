/* Scenario loader: --set key=value overrides, applied to the YAML tree
 * before it is walked.  New nodes remember which override made them, so
 * errors about them read "--set:N: ...".  A value of the scenario's sweep
 * is applied the same way, as its own node: errors point at it. */
#include "scenario_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

bool scn_grow_origin(struct ctx *c)
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
	if (id && scn_grow_origin(c))
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
		scn_error_set(c, set, "the value is not valid YAML: %s",
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
	if (id && scn_grow_origin(c))
		c->origin[id] = set;
	if (!id)
		scn_error_set(c, set, "the value is too large or nested too deeply");
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

bool scn_path_ok(const char *path)
{
	size_t n = strlen(path);

	return n && path[0] != '.' && path[n - 1] != '.' && !strstr(path, "..");
}

/* An error about an override's path: at its --set `set`, or at `key_node`
 * (the key of a sweep entry). */
static void path_error(struct ctx *c, unsigned set, int key_node, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void path_error(struct ctx *c, unsigned set, int key_node, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key_node)
		scn_error_at(c, scn_node(c, key_node), "%s", msg);
	else
		scn_error_set(c, set, "%s", msg);
}

/* Where an override goes (put_at). */
struct put {
	struct ctx *c;
	char **seg; /* the path's segments */
	size_t nseg;
	int value_id; /* 0: only check the path */
	unsigned set;
	int key_node;
	bool wild;        /* a segment is '*' */
	unsigned matched; /* places reached (a '*' reaches several) */
};

/* Below a '*' an item without the path is passed over, not an error
 * (`traffic.*.rate` is for the flows that have a rate); put_at_path says
 * so if nothing had it. */
#define PATH_ERROR(p, ...)                                                                         \
	do {                                                                                       \
		if (!(p)->wild)                                                                    \
			path_error((p)->c, (p)->set, (p)->key_node, __VA_ARGS__);                  \
	} while (0)

static bool is_item(struct ctx *c, yaml_node_t *n, size_t k, const char *seg)
{
	if (all_digits(seg))
		return k == strtoul(seg, NULL, 10);
	yaml_node_t *nv = scn_get(c, scn_seq_item(c, n, k), "name");
	return nv && nv->type == YAML_SCALAR_NODE && strcmp(scn_text_of(nv), seg) == 0;
}

/* Walks the path from node `cur` at segment i (`done`: the path so far,
 * for messages), then replaces the value found there with the value or
 * adds the key to the mapping reached (not with a '*': it only changes
 * what is there).  A segment '*' stands for every item of a list or every
 * key of a mapping (`traffic.*.rate`). */
static void put_at(struct put *p, int cur, size_t i, const char *done)
{
	struct ctx *c = p->c;
	yaml_node_t *n = scn_node(c, cur);
	const char *seg = p->seg[i], *where = done[0] ? done : "the top level";
	bool last = i + 1 == p->nseg, any = !strcmp(seg, "*");
	char next[256];
	snprintf(next, sizeof next, "%s%s%s", done, done[0] ? "." : "", seg);

	if (!n)
		return;
	if (n->type == YAML_MAPPING_NODE) {
		bool found = false;
		/* By index, the node fetched again each time: a key added below
		 * grows the document's node stack, which libyaml may move. */
		for (size_t j = 0;; j++) {
			n = scn_node(c, cur);
			yaml_node_pair_t *q = n->data.mapping.pairs.start + j;
			if (q >= n->data.mapping.pairs.top)
				break;
			yaml_node_t *k = scn_node(c, q->key);
			if (k->type != YAML_SCALAR_NODE || (!any && strcmp(scn_text_of(k), seg)))
				continue;
			found = true;
			if (last) {
				p->matched++;
				if (p->value_id)
					q->value = p->value_id;
			} else {
				put_at(p, q->value, i + 1, next);
			}
		}
		if (found || any)
			return;
		if (last && p->value_id && !p->wild) {
			int key = yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)seg, -1,
			                                   YAML_PLAIN_SCALAR_STYLE);
			if (key && scn_grow_origin(c)) {
				c->origin[key] = p->key_node ? c->origin[p->key_node] : p->set;
				if (p->key_node)
					scn_node(c, key)->start_mark =
					        scn_node(c, p->key_node)->start_mark;
			}
			if (key)
				yaml_document_append_mapping_pair(&c->doc, cur, key, p->value_id);
			p->matched++;
		} else if (!last) {
			PATH_ERROR(p, "there is no '%s' in %s", seg, where);
		} else if (!p->wild) {
			p->matched++; /* a key that may be added: the path is fine */
		}
	} else if (n->type == YAML_SEQUENCE_NODE) {
		size_t len = scn_seq_len(n), hits = 0;
		for (size_t k = 0; k < len; k++) {
			n = scn_node(c, cur); /* as above */
			if (!any && !is_item(c, n, k, seg))
				continue;
			hits++;
			if (last) {
				p->matched++;
				if (p->value_id)
					n->data.sequence.items.start[k] = p->value_id;
			} else {
				put_at(p, n->data.sequence.items.start[k], i + 1, next);
			}
			if (!any)
				break;
		}
		if (hits || any)
			return;
		if (all_digits(seg))
			PATH_ERROR(p, "%s has %zu items (counted from 0), there is no item %s",
			           where, len, seg);
		else
			PATH_ERROR(p, "there is no item named '%s' in %s", seg, where);
	} else {
		PATH_ERROR(p, "%s is a single value, it has no '%s'", where, seg);
	}
}

/* Applies the override at key_path from the root (value_id 0: only checks
 * the path).  A new key node is the override's: --set `set`, or written
 * where key_node is. */
static void put_at_path(struct ctx *c, const char *key_path, int value_id, unsigned set,
                        int key_node)
{
	char *path = strdup(key_path), *seg[64], *save = NULL;
	struct put p = {.c = c, .seg = seg, .value_id = value_id, .set = set, .key_node = key_node};
	if (!path)
		return;
	for (char *s = strtok_r(path, ".", &save); s && p.nseg < 64;
	     s = strtok_r(NULL, ".", &save)) {
		p.wild |= !strcmp(s, "*");
		seg[p.nseg++] = s;
	}
	unsigned before = c->nerr;
	if (p.nseg)
		put_at(&p, 1, 0, "");
	if (!p.matched && c->nerr == before)
		path_error(c, set, key_node,
		           "'%s' matches no value in the scenario (a '*' only changes values that "
		           "are there)",
		           key_path);
	free(path);
}

/* Applies one "key=value". */
void scn_apply_set(struct ctx *c, unsigned set, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *path;
	int value_id;

	if (!eq || eq == arg) {
		scn_error_set(c, set, "expected key=value, like duration=20s, got '%s'", arg);
		return;
	}
	path = strndup(arg, (size_t)(eq - arg));
	if (!path)
		return;
	if (!scn_path_ok(path))
		scn_error_set(c, set, "'%s' is not a key path like traffic.0.rate", path);
	else if ((value_id = override_value(c, set, eq + 1)))
		put_at_path(c, path, value_id, set, 0);
	free(path);
}

void scn_apply_override(struct ctx *c, const struct scenario_override *o)
{
	put_at_path(c, o->key, o->value_node, 0, o->key_node);
}

bool scn_check_path(struct ctx *c, const char *path, const yaml_node_t *key)
{
	unsigned nerr = c->nerr;

	put_at_path(c, path, 0, 0, (int)(key - c->doc.nodes.start) + 1);
	return c->nerr == nerr;
}
