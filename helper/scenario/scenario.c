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
#include "scenario_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
        "name",         "description", "duration", "seed",    "nodes",      "links",
        "traffic",      "events",      "realtime", "pki",     "start_time", "metrics",
        "replications", "sweep",       "defaults", "capture", NULL};
static const struct name_val defaults_names[] = {
        {"module", 0, false}, {"strongswan", 1, false}, {NULL, 0, false}};
static const char *const node_keys[] = {"name",     "routes", "forwarding",    "ipsec",
                                        "attacker", "nat",    "crypto_engine", NULL};

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
	scn_check_keys(c, m, "node", node_keys);
	if (nd->name[0] && nd->n_ifaces == 0 && !L->suspect[ni])
		scn_error_at(c, L->nw[ni].name_node, "node '%s' is not on any link", nd->name);
	nd->forwarding = nd->n_ifaces > 1;
	scn_opt_bool(c, m, "forwarding", &nd->forwarding);
	if ((v = scn_get(c, m, "routes")) && scn_want_seq(c, v, "routes"))
		scn_load_routes(L, ni, v);
	if ((v = scn_get(c, m, "ipsec")))
		scn_load_ipsec(L, ni, v);
	if ((v = scn_get(c, m, "attacker")) && scn_want_seq(c, v, "attacker"))
		scn_load_attacker(L, ni, v);
	if ((v = scn_get(c, m, "nat")))
		scn_load_nat(L, ni, v);
	if ((v = scn_get(c, m, "crypto_engine")))
		scn_load_crypto(L, ni, v);
	L->s->n_sas += nd->n_sas;
	L->s->n_conns += nd->n_conns;
}

static void load_top(struct load *L, yaml_node_t *root)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t *v, *nodes, *links;
	uint64_t u;
	int x;

	if (!scn_want_map(c, root, "the scenario"))
		return;
	scn_check_keys(c, root, "the top level", top_keys);
	if ((v = scn_get(c, root, "name")) && scn_name_value(c, v, "name"))
		s->name = scn_arena_strdup(c->a, scn_text_of(v));
	if ((v = scn_get(c, root, "description")) && !scn_is_null(v) &&
	    scn_scalar(c, v, "description"))
		s->description = scn_arena_strdup(c->a, scn_text_of(v));
	switch (scn_opt_time(c, root, "duration", &s->duration_ns, &v)) {
	case 0:
		scn_error_at(c, root, "missing 'duration' (how long to simulate, like 10s)");
		break;
	case 1:
		if (s->duration_ns == 0)
			scn_error_at(c, v, "duration must be above 0");
		else
			c->duration_ok = true;
		break;
	}
	s->seed = 1;
	if (scn_opt_uint(c, root, "seed", 1, UINT32_MAX, &u, NULL) == 1)
		s->seed = u;
	scn_opt_bool(c, root, "realtime", &s->realtime); /* before links: TAPs need it */
	if (scn_opt_enum(c, root, "defaults", defaults_names, "defaults", &x, NULL) == 1)
		s->strongswan_defaults = x == 1; /* before nodes: connections need it */
	scn_load_experiment(L, root);

	nodes = scn_get(c, root, "nodes");
	links = scn_get(c, root, "links");
	L->nodes_failed = true;
	if (!nodes)
		scn_error_at(c, root, "missing 'nodes' (the list of hosts and gateways)");
	else if (scn_want_seq(c, nodes, "nodes")) {
		L->nodes_failed = false;
		if (scn_seq_len(nodes) == 0)
			scn_error_at(c, nodes, "'nodes' is empty");
		scn_load_node_names(L, nodes);
	}
	if (!links)
		scn_error_at(c, root, "missing 'links' (the point-to-point links between nodes)");
	else if (scn_want_seq(c, links, "links"))
		scn_load_links(L, links);
	scn_load_pki(L, root); /* connections refer to its certificates */
	for (size_t i = 0; i < s->n_nodes; i++)
		load_node(L, i);
	if (links && links->type == YAML_SEQUENCE_NODE)
		scn_load_cellular(L, links);
	if ((v = scn_get(c, root, "traffic")) && scn_want_seq(c, v, "traffic"))
		scn_load_traffic(L, v);
	if ((v = scn_get(c, root, "events")) && scn_want_seq(c, v, "events"))
		scn_load_events(L, v);
	if ((v = scn_get(c, root, "metrics")))
		scn_load_metrics(L, v);
	if ((v = scn_get(c, root, "capture")) && !scn_is_null(v))
		scn_load_capture(L, v);
	if (c->nerr == 0)
		scn_check_reachability(L);
}

/* ---- entry points ---- */

/* The default name: the file's, without its extension, each character a
 * name cannot hold made '_' and cut to the longest name. */
static char *file_stem(struct scenario_arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	char *s, *dot;

	s = scn_arena_strdup(a, base ? base + 1 : path);
	dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = '\0';
	if (strlen(s) >= SCENARIO_NAME_MAX)
		s[SCENARIO_NAME_MAX - 1] = '\0';
	for (char *p = s; *p; p++)
		if (!scenario_name_valid((char[]){*p, 0}))
			*p = '_';
	return *s ? s : scn_arena_strdup(a, "scenario");
}

/* Loads the scenario with `sets` applied, then `unit` (the overrides of one
 * value of its sweep) unless NULL. */
static int load(const char *path, const char *text, size_t len, const char *const *sets,
                const char *const *labels, size_t nsets, const struct scenario_sweep_level *unit,
                struct scenario *out, FILE *errors)
{
	struct ctx c = {.file = path,
	                .text = text,
	                .errors = errors,
	                .no_warnings = unit,
	                .set_labels = labels};
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
	out->path = scn_arena_strdup(c.a, path);
	out->text = scn_arena_alloc(c.a, len + 1);
	memcpy(out->text, text, len);
	out->text_len = len;
	out->n_sets = nsets;
	out->sets = scn_arena_alloc(c.a, nsets * sizeof(*out->sets));
	for (size_t i = 0; i < nsets; i++)
		out->sets[i] = scn_arena_strdup(c.a, sets[i]);
	out->name = file_stem(c.a, path);
	out->description = "";

	if (len > SCENARIO_MAX_FILE_SIZE) {
		scn_error_file(&c, "too large for a scenario (over %d MiB)",
		               SCENARIO_MAX_FILE_SIZE >> 20);
		goto done;
	}
	if (memchr(text, '\0', len)) {
		scn_error_file(&c, "this is a binary file, not YAML (it contains a NUL byte)");
		goto done;
	}
	if (scn_check_shape(&c, out->text, len) != 0)
		goto done;
	if (!yaml_parser_initialize(&parser)) {
		scn_error_file(&c, "out of memory");
		goto done;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)out->text, len);
	if (!yaml_parser_load(&parser, &c.doc)) {
		scn_parser_error(&c, &parser);
		yaml_parser_delete(&parser);
		goto done;
	}
	c.have_doc = true;
	root = yaml_document_get_root_node(&c.doc);
	if (!root) {
		scn_error_pos(
		        &c, 1, 1,
		        "the file is empty: a scenario needs at least 'duration', 'nodes' and "
		        "'links'");
		yaml_parser_delete(&parser);
		goto done;
	}
	/* One scenario per file. */
	if (!yaml_parser_load(&parser, &extra)) {
		scn_parser_error(&c, &parser);
	} else {
		if (yaml_document_get_root_node(&extra))
			scn_error_pos(&c, extra.start_mark.line + 1, extra.start_mark.column + 1,
			              "a second YAML document: a file holds one scenario");
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&parser);
	if (c.nerr)
		goto done;
	if (c.doc.nodes.top - c.doc.nodes.start > SCENARIO_MAX_YAML_NODES) {
		scn_error_pos(&c, 1, 1, "the document has more than %d nodes",
		              SCENARIO_MAX_YAML_NODES);
		goto done;
	}
	if (!scn_grow_origin(&c)) {
		scn_error_file(&c, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nsets; i++)
		scn_apply_set(&c, (unsigned)(i + 1), sets[i]);
	for (size_t i = 0; unit && i < unit->n_sets; i++)
		scn_apply_override(&c, &unit->sets[i]);
	if (c.nerr)
		goto done;

	{
		size_t n = (size_t)(c.doc.nodes.top - c.doc.nodes.start) + 1;
		bool failed = false;

		state = calloc(n, 1);
		memo = calloc(n, sizeof(*memo));
		if (!state || !memo) {
			scn_error_file(&c, "out of memory");
			goto done;
		}
		if (scn_measure(&c, 1, 0, state, memo, &failed) > SCENARIO_MAX_YAML_NODES &&
		    !failed)
			scn_error_pos(
			        &c, 1, 1,
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
	scn_index_free(&L.node_names);
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

int scenario_load_config(const char *path, const char *text, size_t len, const char *const *sets,
                         const char *const *labels, size_t nsets, struct scenario *out,
                         FILE *errors)
{
	return load(path, text, len, sets, labels, nsets, NULL, out, errors);
}

/* Loads the scenario once more with each value of its sweep (each
 * configuration of a sweep list), like a `--set` but written in the file,
 * so that errors point at it, followed by a note naming the value. */
static unsigned check_sweep(const struct scenario *s, const char *const *sets, size_t nsets,
                            FILE *errors)
{
	const struct scenario_experiment *e = &s->experiment;
	unsigned bad = 0;

	for (size_t a = 0; a < e->n_axes; a++)
		for (size_t i = 0; i < e->axes[a].n_levels && bad < SCENARIO_MAX_ERRORS; i++) {
			const struct scenario_sweep_level *l = &e->axes[a].levels[i];
			struct scenario tmp;

			if (load(s->path, s->text, s->text_len, sets, NULL, nsets, l, &tmp,
			         errors)) {
				bad++;
				if (errors) {
					fprintf(errors, "%s: note: with the sweep's", l->where);
					for (size_t j = 0; j < l->n_sets; j++)
						fprintf(errors, " %s=%s", l->sets[j].key,
						        l->sets[j].value);
					fputc('\n', errors);
				}
			}
			scenario_free(&tmp);
		}
	return bad;
}

int scenario_load_text(const char *path, const char *text, size_t len, const char *const *sets,
                       size_t nsets, struct scenario *out, FILE *errors)
{
	int rc = load(path, text, len, sets, NULL, nsets, NULL, out, errors);

	if (rc == 0 && check_sweep(out, sets, nsets, errors)) {
		scenario_free(out);
		rc = 2;
	}
	return rc;
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
	scn_arena_free(s->arena);
	memset(s, 0, sizeof(*s));
}
