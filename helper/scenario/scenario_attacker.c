/* Scenario loader: an attacker's actions (`attacker:`): forged copies of
 * the packets it forwards, and floods (scenario_flood.c). */
#include "scenario_internal.h"

static const char *const attack_keys[] = {"at",     "action", "count",     "interval", "kind",
                                          "target", "rate",   "duration",  "size",     "spoof",
                                          "spi",    "port",   "proposals", NULL};
static const char *const flood_keys[] = {"kind",  "target", "rate", "duration",  "size",
                                         "spoof", "spi",    "port", "proposals", NULL};

static const struct name_val attack_names[] = {{"replay", SCENARIO_ATTACK_REPLAY, false},
                                               {"flip", SCENARIO_ATTACK_FLIP, false},
                                               {"truncate", SCENARIO_ATTACK_TRUNCATE, false},
                                               {"unknown_spi", SCENARIO_ATTACK_UNKNOWN_SPI, false},
                                               {"flood", SCENARIO_ATTACK_FLOOD, false},
                                               {NULL, 0, false}};

const char *scenario_attack_name(enum scenario_attack_action a)
{
	return scn_name_of(attack_names, (int)a);
}

/* Whether action a needs to see the packets the node forwards. */
static bool watches_path(const struct scenario_attack *a)
{
	return a->action != SCENARIO_ATTACK_FLOOD ||
	       (a->flood.kind == SCENARIO_FLOOD_ESP && a->flood.live_spi);
}

void scn_load_attacker(struct load *L, size_t ni, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	bool watches = false;

	nd->n_attacks = scn_seq_len(list);
	nd->attacks = scn_arena_alloc(c->a, nd->n_attacks * sizeof(*nd->attacks));
	for (size_t i = 0; i < nd->n_attacks; i++) {
		struct scenario_attack *a = &nd->attacks[i];
		yaml_node_t *m = scn_seq_item(c, list, i), *v;
		char what[160];
		uint64_t u;
		int x;

		snprintf(what, sizeof(what), "nodes.%s.attacker.%zu", nd->name, i);
		a->count = 1;
		if (!scn_want_map(c, m, "an attacker action"))
			continue;
		scn_check_keys(c, m, "attacker action", attack_keys);
		switch (scn_opt_time(c, m, "at", &a->at_ns, &v)) {
		case 0:
			scn_missing(c, m, "at", what);
			break;
		case 1:
			if (c->duration_ok && a->at_ns >= L->s->duration_ns)
				scn_error_at(
				        c, v,
				        "at %s is not before the end of the run (duration %s)",
				        scn_text_of(v),
				        scn_text_of(scn_get(c, c->doc.nodes.start, "duration")));
			break;
		}
		switch (scn_opt_enum(c, m, "action", attack_names, "attacker action", &x, NULL)) {
		case 0:
			scn_missing(c, m, "action", what);
			break;
		case 1:
			a->action = (enum scenario_attack_action)x;
			break;
		}
		if (a->action == SCENARIO_ATTACK_FLOOD) {
			scn_load_flood(L, ni, m, a, what);
		} else {
			for (const char *const *k = flood_keys; *k; k++)
				if ((v = scn_get(c, m, *k)))
					scn_error_at(c, v,
					             "'%s' is a key of floods (action: flood) only",
					             *k);
			if (scn_opt_uint(c, m, "count", 1, 1000000, &u, NULL) == 1)
				a->count = (uint32_t)u;
			scn_opt_time(c, m, "interval", &a->interval_ns, NULL);
		}
		watches |= watches_path(a);
	}
	if (watches && !nd->forwarding && nd->name[0])
		scn_error_at(c, list,
		             "node '%s' attacks packets it forwards, but it does not forward (it "
		             "needs two links, or forwarding: true)",
		             nd->name);
}
