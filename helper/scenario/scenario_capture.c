/* Scenario loader: what a run captures (`capture:`): which nodes' and
 * links' interfaces, a window of simulated time, at most so many packets
 * per capture file, and the bytes kept of each (tcpdump's -s).  Without
 * the section every interface is captured whole, all run long. */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const capture_keys[] = {"nodes",       "links",   "start", "stop",
                                           "max_packets", "snaplen", NULL};

/* libpcap's MAXIMUM_SNAPLEN: readers refuse files with a larger one. */
#define CAPTURE_SNAPLEN_MAX 262144

/* The link between the two nodes an item `[a, b]` names, or SCENARIO_NONE
 * after an error. */
static size_t link_between(struct load *L, yaml_node_t *v)
{
	struct ctx *c = L->c;
	const struct scenario *s = L->s;
	size_t a, b, found = SCENARIO_NONE, count = 0;

	if (scn_seq_len(v) != 2) {
		scn_error_at(c, v, "a link is its index in links or its two nodes [A, B]");
		return SCENARIO_NONE;
	}
	a = scn_node_ref(L, scn_seq_item(c, v, 0), "links");
	b = scn_node_ref(L, scn_seq_item(c, v, 1), "links");
	if (a == SCENARIO_NONE || b == SCENARIO_NONE)
		return SCENARIO_NONE;
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scenario_link *k = &s->links[l];
		if ((k->node[0] == a && k->node[1] == b) || (k->node[0] == b && k->node[1] == a))
			if (!count++)
				found = l;
	}
	if (count == 0)
		scn_error_at(c, v, "no link between '%s' and '%s'", s->nodes[a].name,
		             s->nodes[b].name);
	else if (count > 1)
		scn_error_at(c, v, "%zu links between '%s' and '%s': give the link's index instead",
		             count, s->nodes[a].name, s->nodes[b].name);
	return count == 1 ? found : SCENARIO_NONE;
}

/* One item of `links`: an index, or the two nodes. */
static size_t link_ref(struct load *L, yaml_node_t *v)
{
	struct ctx *c = L->c;
	const char *t;
	uint64_t l;
	char err[128];

	if (v->type == YAML_SEQUENCE_NODE)
		return link_between(L, v);
	if (!(t = scn_scalar(c, v, "links")))
		return SCENARIO_NONE;
	if (units_uint(t, 0, UINT64_MAX, &l, err, sizeof err) != 0 || l >= L->s->n_links) {
		scn_error_at(c, v,
		             "there is no links.%s: a link is its index in links (from 0) or its "
		             "two nodes [A, B]",
		             t);
		return SCENARIO_NONE;
	}
	return (size_t)l;
}

/* `nodes` or `links`: a list of references, each at most once, into
 * `chosen` (per node or link). */
static void load_list(struct load *L, yaml_node_t *m, const char *key, bool *chosen,
                      size_t (*ref)(struct load *, yaml_node_t *))
{
	struct ctx *c = L->c;
	yaml_node_t *list = scn_get(c, m, key);

	if (!list || !scn_want_seq(c, list, key))
		return;
	for (size_t i = 0; i < scn_seq_len(list); i++) {
		yaml_node_t *v = scn_seq_item(c, list, i);
		size_t x = ref(L, v);
		if (x == SCENARIO_NONE)
			continue;
		if (chosen[x])
			scn_error_at(c, v, "listed twice in capture.%s", key);
		chosen[x] = true;
	}
}

static size_t node_ref(struct load *L, yaml_node_t *v)
{
	return scn_node_ref(L, v, "nodes");
}

static void load_window(struct ctx *c, yaml_node_t *m, struct scenario_capture *cap)
{
	const struct scenario *s = c->s;
	yaml_node_t *sv, *ev;

	if (scn_opt_time(c, m, "start", &cap->start_ns, &sv) < 0 ||
	    scn_opt_time(c, m, "stop", &cap->stop_ns, &ev) < 0 || !c->duration_ok)
		return;
	if (sv && cap->start_ns >= s->duration_ns)
		scn_error_at(c, sv, "start %s is not before the end of the run (duration %s)",
		             scn_text_of(sv),
		             scn_text_of(scn_get(c, c->doc.nodes.start, "duration")));
	else if (sv && ev && cap->start_ns >= cap->stop_ns)
		scn_error_at(c, sv, "start %s is not before stop (%s)", scn_text_of(sv),
		             scn_text_of(ev));
	else if (ev && cap->stop_ns == 0)
		scn_error_at(c, ev, "stop must be above 0");
}

void scn_load_capture(struct load *L, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	struct scenario_capture *cap = &s->capture;
	yaml_node_t *v;
	uint64_t u;

	if (!scn_want_map(c, m, "capture"))
		return;
	scn_check_keys(c, m, "capture", capture_keys);
	if (scn_get(c, m, "nodes") || scn_get(c, m, "links")) {
		cap->nodes = scn_arena_alloc(c->a, s->n_nodes * sizeof *cap->nodes + 1);
		cap->links = scn_arena_alloc(c->a, s->n_links * sizeof *cap->links + 1);
		if (!L->nodes_failed)
			load_list(L, m, "nodes", cap->nodes, node_ref);
		load_list(L, m, "links", cap->links, link_ref);
	}
	load_window(c, m, cap);
	if (scn_opt_uint(c, m, "max_packets", 0, UINT64_MAX, &u, &v) == 1) {
		if (u == 0)
			scn_error_at(c, v,
			             "max_packets must be above 0 (leave it out for no limit)");
		cap->max_packets = u;
	}
	if (scn_opt_uint(c, m, "snaplen", 1, CAPTURE_SNAPLEN_MAX, &u, NULL) == 1)
		cap->snaplen = (uint32_t)u;
}

bool scenario_captures(const struct scenario *s, size_t link, unsigned end)
{
	const struct scenario_capture *cap = &s->capture;
	const struct scenario_link *k = &s->links[link];

	if (!cap->nodes)
		return true;
	return cap->links[link] || (k->node[end] != SCENARIO_NONE && cap->nodes[k->node[end]]);
}

bool scenario_captures_any(const struct scenario *s)
{
	for (size_t l = 0; l < s->n_links; l++)
		if (scenario_captures(s, l, 0) || scenario_captures(s, l, 1))
			return true;
	return false;
}
