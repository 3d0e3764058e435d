/* Scenario loader: the size limits of a YAML document, checked before it
 * is walked -- the event stream's depth and node count (before libyaml
 * builds its tree) and the tree's size with aliases expanded -- and
 * libyaml's own parse errors as FILE:LINE:COL messages.
 */
#include "scenario_internal.h"

/* The number of nodes under id once aliases are expanded (saturating),
 * refusing recursion (an alias inside its own anchor) and deep nesting. */
uint64_t scn_measure(struct ctx *c, int id, int depth, uint8_t *state, uint64_t *memo, bool *failed)
{
	yaml_node_t *n = scn_node(c, id);
	uint64_t total = 1;

	if (*failed)
		return 0;
	if (state[id] == 2)
		return memo[id];
	if (state[id] == 1) {
		scn_error_at(c, n, "this node contains itself (through an alias)");
		*failed = true;
		return 0;
	}
	if (depth > SCENARIO_MAX_YAML_DEPTH) {
		scn_error_at(c, n, "the document is nested more than %d levels deep",
		             SCENARIO_MAX_YAML_DEPTH);
		*failed = true;
		return 0;
	}
	state[id] = 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++) {
			total += scn_measure(c, *i, depth + 1, state, memo, failed);
			if (total > SCENARIO_MAX_YAML_NODES)
				total = SCENARIO_MAX_YAML_NODES + 1;
		}
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			total += scn_measure(c, p->key, depth + 1, state, memo, failed) +
			         scn_measure(c, p->value, depth + 1, state, memo, failed);
			if (total > SCENARIO_MAX_YAML_NODES)
				total = SCENARIO_MAX_YAML_NODES + 1;
		}
	}
	state[id] = 2;
	memo[id] = total;
	return total;
}

/* The document's shape from libyaml's event stream (scenario_internal.h):
 * before libyaml builds its tree, whose cost
 * grows with the square of the depth (its scanner keeps a possible simple
 * key per open flow collection and checks them all at every token: 200 KB
 * of '[' took a minute).  Stopping at the first level too deep leaves at
 * most a line's worth of lookahead scanned.  0, or -1 after an error. */
int scn_check_shape(struct ctx *c, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	uint64_t nodes = 0;

	if (!yaml_parser_initialize(&parser)) {
		scn_error_file(c, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (bool end = false; !end && rc == 0;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			scn_parser_error(c, &parser);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > SCENARIO_MAX_YAML_DEPTH) {
				scn_error_pos(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
				              "the document is nested more than %d levels deep",
				              SCENARIO_MAX_YAML_DEPTH);
				rc = -1;
			}
			nodes++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			nodes++;
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		default:
			break;
		}
		if (rc == 0 && nodes > SCENARIO_MAX_YAML_NODES) {
			scn_error_pos(c, ev.start_mark.line + 1, ev.start_mark.column + 1,
			              "the document has more than %d nodes",
			              SCENARIO_MAX_YAML_NODES);
			rc = -1;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

void scn_parser_error(struct ctx *c, yaml_parser_t *p)
{
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR) {
		scn_error_file(c, "out of memory while parsing");
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
		scn_error_pos(c, line, col, "%s (%s at %zu:%zu)", p->problem ? p->problem : "error",
		              p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	else
		scn_error_pos(c, line, col, "%s", p->problem ? p->problem : "not valid YAML");
}
