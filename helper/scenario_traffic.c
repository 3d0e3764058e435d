/* Scenario loader: traffic flows (`traffic:`). */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const traffic_keys[] = {"type", "name",     "from",  "to",   "port", "size",
                                           "rate", "interval", "start", "stop", NULL};

void scn_load_traffic(struct load *L, yaml_node_t *list)
{
	static const struct name_val type_names[] = {{"udp", SCENARIO_FLOW_UDP, false},
	                                             {"ping", SCENARIO_FLOW_PING, false},
	                                             {NULL, 0, false}};
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_flows = scn_seq_len(list);
	s->flows = scn_arena_alloc(c->a, s->n_flows * sizeof(*s->flows));
	L->flow_maps = scn_arena_alloc(c->a, s->n_flows * sizeof(*L->flow_maps));
	for (size_t i = 0; i < s->n_flows; i++) {
		struct scenario_flow *f = &s->flows[i];
		yaml_node_t *m = scn_seq_item(c, list, i), *v, *namev, *tov = NULL, *sv, *ev;
		char what[64], a1[16];
		const char *t;
		uint64_t u;
		int x;
		bool type_ok = false, from_ok = false;

		snprintf(what, sizeof(what), "traffic.%zu", i);
		f->from = f->to = SCENARIO_NONE;
		if (!scn_want_map(c, m, "a traffic flow"))
			continue;
		L->flow_maps[i] = m;
		scn_check_keys(c, m, "traffic", traffic_keys);
		switch (scn_opt_enum(c, m, "type", type_names, "traffic type", &x, NULL)) {
		case 0:
			scn_missing(c, m, "type", what);
			break;
		case 1:
			f->type = (enum scenario_flow_type)x;
			type_ok = true;
		}
		namev = scn_get(c, m, "name");
		if (namev) {
			if ((t = scn_name_value(c, namev, "name")))
				strcpy(f->name, t);
		} else if (type_ok) {
			snprintf(f->name, sizeof(f->name), "%s-%zu",
			         f->type == SCENARIO_FLOW_UDP ? "udp" : "ping", i);
		}
		for (size_t j = 0; f->name[0] && j < i; j++)
			if (strcmp(s->flows[j].name, f->name) == 0) {
				scn_error_at(c, namev ? namev : m, "duplicate traffic name '%s'",
				             f->name);
				break;
			}

		if (!(v = scn_get(c, m, "from")))
			scn_missing(c, m, "from", what);
		else if ((f->from = scn_node_ref(L, v, "from")) != SCENARIO_NONE)
			from_ok = true;
		if (!(tov = scn_get(c, m, "to"))) {
			scn_missing(c, m, "to", what);
		} else if ((t = scn_scalar(c, tov, "to"))) {
			char err[128];

			if (units_ipv4(t, &f->dst, err, sizeof(err)) == 0) {
				f->to = scn_addr_owner(s, f->dst);
			} else if ((f->to = scn_node_ref(L, tov, "to")) != SCENARIO_NONE) {
				if (s->nodes[f->to].n_ifaces)
					f->dst = s->nodes[f->to].ifaces[0].addr;
			}
			if (from_ok && f->to == f->from)
				scn_error_at(c, tov, "traffic from node '%s' to itself (%s)",
				             s->nodes[f->from].name, scn_addr_str(f->dst, a1));
		}

		if (type_ok && f->type == SCENARIO_FLOW_UDP) {
			f->port = 9000;
			f->size = 1000;
			if (scn_opt_uint(c, m, "port", 1, 65535, &u, NULL) == 1)
				f->port = (uint16_t)u;
		} else if (type_ok) {
			f->size = 56;
			f->interval_ns = 1000000000;
			if ((v = scn_get(c, m, "port")))
				scn_error_at(c, v, "'port' is for udp traffic only");
			if ((v = scn_get(c, m, "rate")))
				scn_error_at(c, v,
				             "ping sends one packet per 'interval', it has no "
				             "'rate'");
		}
		/* 65507 = 65535 - 20 (IPv4 header) - 8 (UDP or ICMP header). */
		if (scn_opt_size(c, m, "size", &u, &v) == 1) {
			uint64_t min = type_ok && f->type == SCENARIO_FLOW_PING ? 0 : 1;

			if (u < min || u > 65507)
				scn_error_at(c, v, "size must be %llu..65507 bytes, got %s",
				             (unsigned long long)min, scn_text_of(v));
			else
				f->size = (uint32_t)u;
		}
		if (type_ok && f->type == SCENARIO_FLOW_UDP) {
			yaml_node_t *rv = scn_get(c, m, "rate"), *iv = scn_get(c, m, "interval");

			if (rv && iv)
				scn_error_at(c, iv, "give either 'rate' or 'interval', not both");
			else if (!rv && !iv)
				scn_error_at(c, m,
				             "udp traffic needs a 'rate' or an 'interval' (%s)",
				             what);
			else if (rv && scn_opt_rate(c, m, "rate", &f->rate_bps) == 1) {
				/* Payload bits per second -> time between packets, to
				 * the nearest ns. */
				uint64_t bits = (uint64_t)f->size * 8 * 1000000000;

				f->interval_ns = (bits + f->rate_bps / 2) / f->rate_bps;
				if (f->interval_ns == 0)
					scn_error_at(c, rv,
					             "rate %s sends %u-byte packets less than 1 ns "
					             "apart",
					             scn_text_of(rv), f->size);
			}
		}
		if (type_ok && scn_opt_time(c, m, "interval", &f->interval_ns, &v) == 1 &&
		    f->interval_ns == 0)
			scn_error_at(c, v, "interval must be above 0");

		f->stop_ns = s->duration_ns;
		scn_opt_time(c, m, "start", &f->start_ns, &sv);
		if (scn_opt_time(c, m, "stop", &f->stop_ns, &ev) >= 0 && c->duration_ok) {
			if (ev && f->stop_ns > s->duration_ns)
				scn_error_at(
				        c, ev, "stop %s is after the end of the run (duration %s)",
				        scn_text_of(ev),
				        scn_text_of(scn_get(c, c->doc.nodes.start, "duration")));
			else if (sv && f->start_ns >= f->stop_ns)
				scn_error_at(c, sv, "start %s is not before stop (%s)",
				             scn_text_of(sv),
				             ev ? scn_text_of(ev) : "the end of the run");
		}
	}
}
