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

/* Walks the dot path from the root, then replaces the value found there
 * with node value_id or adds the key to the mapping reached (value_id 0:
 * only checks the path).  A new key node is the override's: --set `set`,
 * or written where key_node is. */
static void put_at_path(struct ctx *c, const char *key_path, int value_id, unsigned set,
                        int key_node)
{
	char *path = strdup(key_path), *seg, *save = NULL;
	char done[256] = "";
	int cur = 1; /* the root */
	size_t nseg = 1;

	if (!path)
		return;
	for (const char *p = path; *p; p++)
		nseg += *p == '.';
	for (size_t i = 0; (seg = strtok_r(i ? NULL : path, ".", &save)) != NULL; i++) {
		yaml_node_t *n = scn_node(c, cur);
		bool last = i + 1 == nseg;
		const char *where = done[0] ? done : "the top level";

		if (!n)
			break;
		if (n->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *found = NULL;

			for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
			     p < n->data.mapping.pairs.top; p++) {
				yaml_node_t *k = scn_node(c, p->key);

				if (k->type == YAML_SCALAR_NODE && strcmp(scn_text_of(k), seg) == 0)
					found = p;
			}
			if (found && last) {
				if (value_id)
					found->value = value_id;
				goto out;
			}
			if (found) {
				cur = found->value;
			} else if (last && value_id) {
				int key =
				        yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)seg,
				                                 -1, YAML_PLAIN_SCALAR_STYLE);

				if (key && scn_grow_origin(c)) {
					c->origin[key] = key_node ? c->origin[key_node] : set;
					if (key_node)
						scn_node(c, key)->start_mark =
						        scn_node(c, key_node)->start_mark;
				}
				if (key)
					yaml_document_append_mapping_pair(&c->doc, cur, key,
					                                  value_id);
				goto out;
			} else if (!last) {
				path_error(c, set, key_node, "there is no '%s' in %s", seg, where);
				goto out;
			}
		} else if (n->type == YAML_SEQUENCE_NODE) {
			size_t len = scn_seq_len(n), k = len;

			if (all_digits(seg)) {
				k = strtoul(seg, NULL, 10);
				if (k >= len || strlen(seg) > 9) {
					path_error(c, set, key_node,
					           "%s has %zu items (counted from 0), there is no "
					           "item %s",
					           where, len, seg);
					goto out;
				}
			} else {
				for (k = 0; k < len; k++) {
					yaml_node_t *nv = scn_get(c, scn_seq_item(c, n, k), "name");

					if (nv && nv->type == YAML_SCALAR_NODE &&
					    strcmp(scn_text_of(nv), seg) == 0)
						break;
				}
				if (k == len) {
					path_error(c, set, key_node,
					           "there is no item named '%s' in %s", seg, where);
					goto out;
				}
			}
			if (last) {
				if (value_id)
					n->data.sequence.items.start[k] = value_id;
				goto out;
			}
			cur = n->data.sequence.items.start[k];
		} else {
			path_error(c, set, key_node, "%s is a single value, it has no '%s'", where,
			           seg);
			goto out;
		}
		snprintf(done + strlen(done), sizeof(done) - strlen(done), "%s%s",
		         done[0] ? "." : "", seg);
	}
out:
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
