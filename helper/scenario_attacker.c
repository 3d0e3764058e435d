/* Scenario loader: an on-path attacker's actions (`attacker:`). */
#include "scenario_internal.h"

static const char *const attack_keys[] = {"at", "action", "count", "interval", NULL};

static const struct name_val attack_names[] = {{"replay", SCENARIO_ATTACK_REPLAY, false},
                                               {"flip", SCENARIO_ATTACK_FLIP, false},
                                               {"truncate", SCENARIO_ATTACK_TRUNCATE, false},
                                               {"unknown_spi", SCENARIO_ATTACK_UNKNOWN_SPI, false},
                                               {NULL, 0, false}};

const char *scenario_attack_name(enum scenario_attack_action a)
{
	for (const struct name_val *t = attack_names; t->name; t++)
		if (t->val == (int)a)
			return t->name;
	return "?";
}

void scn_load_attacker(struct load *L, size_t ni, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];

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
		if (scn_opt_uint(c, m, "count", 1, 1000000, &u, NULL) == 1)
			a->count = (uint32_t)u;
		scn_opt_time(c, m, "interval", &a->interval_ns, NULL);
	}
	if (nd->n_attacks && !nd->forwarding && nd->name[0])
		scn_error_at(c, list,
		             "node '%s' attacks packets it forwards, but it does not forward (it "
		             "needs two links, or forwarding: true)",
		             nd->name);
}
