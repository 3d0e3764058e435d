/* Scenario loader: timed events (`events:`): NAT flush and rebind, link
 * down and up, node reboot. */
#include "scenario_internal.h"

static const char *const event_keys[] = {"at", "action", "node", "link", "down", NULL};

static const struct name_val event_names[] = {{"nat_flush", SCENARIO_EVENT_NAT_FLUSH, false},
                                              {"nat_rebind", SCENARIO_EVENT_NAT_REBIND, false},
                                              {"link_down", SCENARIO_EVENT_LINK_DOWN, false},
                                              {"link_up", SCENARIO_EVENT_LINK_UP, false},
                                              {"reboot", SCENARIO_EVENT_REBOOT, false},
                                              {NULL, 0, false}};

const char *scenario_event_name(enum scenario_event_action a)
{
	return scn_name_of(event_names, (int)a);
}

/* A reboot of node n (event i, 'node' at nv, 'at' at av): the node must be
 * simulated (not behind a TAP, whose real side cannot be switched off) and
 * up, not still down from an earlier reboot. */
static void check_reboot(struct load *L, size_t i, size_t n, yaml_node_t *nv, yaml_node_t *av)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	const struct scenario_event *e = &s->events[i];
	for (size_t l = 0; l < s->n_links; l++) {
		if (s->links[l].lte && s->links[l].node[0] == n) {
			scn_error_at(c, nv,
			             "node '%s' is an LTE UE (links.%zu): its radio cannot be "
			             "switched off",
			             s->nodes[n].name, l);
			return;
		}
		if (s->links[l].tap[0] && (s->links[l].node[0] == n || s->links[l].node[1] == n)) {
			scn_error_at(c, nv,
			             "node '%s' has TAP link links.%zu: only simulated nodes can "
			             "reboot",
			             s->nodes[n].name, l);
			return;
		}
	}
	for (size_t k = 0; k < i; k++) {
		const struct scenario_event *o = &s->events[k];
		if (o->action != SCENARIO_EVENT_REBOOT || o->node != n)
			continue;
		uint64_t a = o->at_ns < e->at_ns ? o->at_ns : e->at_ns;
		uint64_t b = o->at_ns < e->at_ns ? e->at_ns : o->at_ns;
		const struct scenario_event *first = a == o->at_ns ? o : e;
		if (b <= a + first->down_ns)
			scn_error_at(c, av ? av : nv,
			             "node '%s' reboots at events.%zu while it is down from the "
			             "reboot at events.%zu (a reboot's 'at' must be after the "
			             "other's at + down)",
			             s->nodes[n].name, i, k);
	}
}

void scn_load_events(struct load *L, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_events = scn_seq_len(list);
	s->events = scn_arena_alloc(c->a, s->n_events * sizeof(*s->events));
	for (size_t i = 0; i < s->n_events; i++) {
		struct scenario_event *e = &s->events[i];
		yaml_node_t *m = scn_seq_item(c, list, i), *v = NULL, *nv, *lv, *dv;
		char what[32];
		bool for_node;
		uint64_t u;
		int x;

		snprintf(what, sizeof(what), "events.%zu", i);
		e->node = e->link = SCENARIO_NONE;
		if (!scn_want_map(c, m, "an event"))
			continue;
		scn_check_keys(c, m, "event", event_keys);
		switch (scn_opt_time(c, m, "at", &e->at_ns, &v)) {
		case 0:
			scn_missing(c, m, "at", what);
			break;
		case 1:
			if (c->duration_ok && e->at_ns >= s->duration_ns)
				scn_error_at(
				        c, v,
				        "at %s is not before the end of the run (duration %s)",
				        scn_text_of(v),
				        scn_text_of(scn_get(c, c->doc.nodes.start, "duration")));
			break;
		}
		x = 0;
		switch (scn_opt_enum(c, m, "action", event_names, "event action", &x, NULL)) {
		case 0:
			scn_missing(c, m, "action", what);
			continue;
		case -1:
			continue;
		}
		e->action = (enum scenario_event_action)x;
		for_node = e->action != SCENARIO_EVENT_LINK_DOWN &&
		           e->action != SCENARIO_EVENT_LINK_UP;
		nv = scn_get(c, m, "node");
		lv = scn_get(c, m, "link");
		dv = scn_get(c, m, "down");
		if (dv && e->action != SCENARIO_EVENT_REBOOT)
			scn_error_at(c, dv, "'down' is for reboot, not %s",
			             scenario_event_name(e->action));
		if (e->action == SCENARIO_EVENT_REBOOT && dv &&
		    scn_opt_time(c, m, "down", &e->down_ns, NULL) != 1)
			continue;
		if (for_node) {
			if (lv)
				scn_error_at(c, lv, "'link' is for link_down and link_up, not %s",
				             scenario_event_name(e->action));
			if (!nv) {
				scn_missing(c, m, "node", what);
				continue;
			}
			size_t n = scn_node_ref(L, nv, "node");
			if (n == SCENARIO_NONE)
				continue;
			if (e->action == SCENARIO_EVENT_REBOOT) {
				e->node = n;
				check_reboot(L, i, n, nv, v);
			} else if (!s->nodes[n].has_nat)
				scn_error_at(c, nv, "%s needs a NAT, and node '%s' has no 'nat:'",
				             scenario_event_name(e->action), s->nodes[n].name);
			else
				e->node = n;
		} else {
			if (nv)
				scn_error_at(
				        c, nv,
				        "'node' is for nat_flush, nat_rebind and reboot, not %s",
				        scenario_event_name(e->action));
			if (!lv) {
				scn_missing(c, m, "link", what);
				continue;
			}
			if (s->n_links == 0)
				continue; /* reported: no links */
			if (scn_opt_uint(c, m, "link", 0, s->n_links - 1, &u, NULL) != 1)
				continue;
			if (s->links[u].lte)
				scn_error_at(c, lv,
				             "links.%zu is an LTE link: %s is for point-to-point "
				             "links",
				             (size_t)u, scenario_event_name(e->action));
			else if (s->links[u].tap[0])
				scn_error_at(c, lv,
				             "links.%zu is TAP '%s': %s is for links between "
				             "two simulated nodes",
				             (size_t)u, s->links[u].tap,
				             scenario_event_name(e->action));
			else
				e->link = (size_t)u;
		}
	}
}
