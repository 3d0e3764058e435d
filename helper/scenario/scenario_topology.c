/* Scenario loader: nodes (names), links and their interfaces, static
 * routes (docs/scenario-reference.md, "nodes", "links", "routes").
 */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const route_keys[] = {"dst", "via", NULL};
static const char *const link_keys[] = {"between",   "addresses", "rate",      "delay",    "loss",
                                        "mtu",       "queue",     "tap",       "node",     "mac",
                                        "configure", "cellular",  "type",      "distance", "speed",
                                        "bandwidth", "scheduler", "epc_delay", NULL};

/* Nodes, first pass: names only, so links and traffic can refer to them. */
void scn_load_node_names(struct load *L, yaml_node_t *nodes)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	s->n_nodes = scn_seq_len(nodes);
	s->nodes = scn_arena_alloc(c->a, s->n_nodes * sizeof(*s->nodes));
	L->nw = scn_arena_alloc(c->a, s->n_nodes * sizeof(*L->nw));
	L->suspect = scn_arena_alloc(c->a, s->n_nodes * sizeof(*L->suspect));
	for (size_t i = 0; i < s->n_nodes; i++) {
		yaml_node_t *m = scn_seq_item(c, nodes, i), *v;
		const char *name;
		char what[32];

		snprintf(what, sizeof(what), "nodes.%zu", i);
		if (!scn_want_map(c, m, what))
			continue;
		L->nw[i].map = m;
		v = scn_get(c, m, "name");
		if (!v) {
			scn_missing(c, m, "name", what);
			continue;
		}
		L->nw[i].name_node = v;
		name = scn_name_value(c, v, "name");
		if (!name)
			continue;
		if (scn_index_put(&L->node_names, name, strlen(name), i) != SCENARIO_NONE) {
			scn_error_at(c, v, "duplicate node name '%s'", name);
			continue;
		}
		strcpy(s->nodes[i].name, name);
	}
}

void scn_load_links(struct load *L, yaml_node_t *links)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t **addr_nodes;
	bool *ok;

	s->n_links = scn_seq_len(links);
	s->links = scn_arena_alloc(c->a, s->n_links * sizeof(*s->links));
	addr_nodes = scn_arena_alloc(c->a, 2 * s->n_links * sizeof(*addr_nodes));
	ok = scn_arena_alloc(c->a, s->n_links * sizeof(*ok));
	for (size_t i = 0; i < s->n_links; i++) {
		struct scenario_link *l = &s->links[i];
		yaml_node_t *m = scn_seq_item(c, links, i), *v;
		char what[32], a1[16], a2[16];
		uint64_t x;
		bool good = true;

		snprintf(what, sizeof(what), "links.%zu", i);
		l->node[0] = l->node[1] = SCENARIO_NONE;
		l->rate_bps = 100000000;
		l->delay_ns = 1000000;
		l->mtu = 1500;
		l->queue = 100;
		if (!scn_want_map(c, m, what))
			continue;
		scn_check_keys(c, m, "link", link_keys);

		int tap = scn_load_tap_link(L, i, m); /* scenario_tap.c */
		v = scn_get(c, m, "between");
		if (tap >= 0) {
			good = tap == 1;
		} else if (!v) {
			scn_missing(c, m, "between", what);
			good = false;
		} else if (v->type != YAML_SEQUENCE_NODE || scn_seq_len(v) != 2) {
			scn_error_at(c, v,
			             "'between' must list the two nodes the link joins, like "
			             "[hostA, gwA]");
			good = false;
		} else {
			for (int e = 0; e < 2; e++)
				l->node[e] =
				        scn_node_ref(L, scn_seq_item(c, v, (size_t)e), "between");
			if (l->node[0] == SCENARIO_NONE || l->node[1] == SCENARIO_NONE)
				good = false;
			else if (l->node[0] == l->node[1]) {
				scn_error_at(c, v, "a link cannot join node '%s' to itself",
				             s->nodes[l->node[0]].name);
				good = false;
			}
		}
		int lte = scn_load_lte_link(L, i, m, tap >= 0); /* scenario_lte.c */
		good = good && lte != 0;

		v = scn_get(c, m, "addresses");
		if (scn_lte_shares(s, i)) {
			/* the cell's link gives the EPC's addresses */
		} else if (!v) {
			scn_missing(c, m, "addresses", what);
			good = false;
		} else if (v->type != YAML_SEQUENCE_NODE || scn_seq_len(v) != 2) {
			scn_error_at(c, v,
			             "'addresses' must give one address per end, like "
			             "[10.1.0.1/24, 10.1.0.2/24]");
			good = false;
		} else {
			uint8_t len[2] = {0, 0};
			bool addr_ok = true;

			for (int e = 0; e < 2; e++) {
				yaml_node_t *an = scn_seq_item(c, v, (size_t)e);
				const char *t = scn_scalar(c, an, "addresses");
				char err[256];

				addr_nodes[2 * i + (size_t)e] = an;
				if (!t) {
					addr_ok = false;
				} else if (units_ipv4_prefix(t, &l->addr[e], &len[e], err,
				                             sizeof(err))) {
					scn_error_at(c, an, "%s", err);
					addr_ok = false;
				}
			}
			if (addr_ok) {
				yaml_node_t *an1 = addr_nodes[2 * i + 1];

				if (len[0] != len[1]) {
					scn_error_at(c, an1,
					             "the two ends of a link must be in the same "
					             "subnet: "
					             "/%u and /%u differ",
					             len[0], len[1]);
					addr_ok = false;
				} else if (len[0] > 31 || len[0] < 8) {
					scn_error_at(
					        c, addr_nodes[2 * i],
					        "a link's prefix length must be 8..31, got /%u",
					        len[0]);
					addr_ok = false;
				} else if (!scn_same_subnet(l->addr[0], l->addr[1], len[0])) {
					scn_error_at(c, an1,
					             "%s/%u is not in the same subnet as %s/%u",
					             scn_addr_str(l->addr[1], a2), len[1],
					             scn_addr_str(l->addr[0], a1), len[0]);
					addr_ok = false;
				} else if (l->addr[0] == l->addr[1]) {
					scn_error_at(c, an1,
					             "both ends of the link have address %s",
					             scn_addr_str(l->addr[0], a1));
					addr_ok = false;
				}
				for (int e = 0; addr_ok && e < 2 && len[0] < 31; e++) {
					uint32_t host = l->addr[e] & ~units_mask(len[0]);

					if (host == 0 || host == ~units_mask(len[0])) {
						scn_error_at(
						        c, addr_nodes[2 * i + (size_t)e],
						        "%s is the %s address of %s/%u, not a host "
						        "address",
						        scn_addr_str(l->addr[e], a1),
						        host == 0 ? "network" : "broadcast",
						        scn_addr_str(l->addr[e] &
						                             units_mask(len[0]),
						                     a2),
						        len[0]);
						addr_ok = false;
					}
				}
				l->prefix_len = len[0];
			}
			good = good && addr_ok;
		}

		scn_opt_rate(c, m, "rate", &l->rate_bps);
		scn_opt_time(c, m, "delay", &l->delay_ns, NULL);
		scn_opt_parse(c, m, "loss", scn_p_fraction, &l->loss, NULL);
		if (scn_opt_uint(c, m, "mtu", 68, 65535, &x, NULL) == 1)
			l->mtu = (uint32_t)x;
		if (scn_opt_uint(c, m, "queue", 1, 1000000, &x, NULL) == 1)
			l->queue = (uint32_t)x;
		ok[i] = good;
		for (int e = 0; !good && e < 2; e++)
			if (l->node[e] != SCENARIO_NONE)
				L->suspect[l->node[e]] = true;
	}

	/* Addresses are unique over the whole network. */
	struct scn_index addresses = {0};
	for (size_t i = 0; i < s->n_links; i++) {
		for (int e = 0; ok[i] && !scn_lte_shares(s, i) && e < 2; e++) {
			const uint32_t *a = &s->links[i].addr[e];
			size_t first = scn_index_put(&addresses, a, sizeof *a, 2 * i + (size_t)e);
			if (first == SCENARIO_NONE)
				continue;
			char a1[16];
			size_t j = first / 2, owner = s->links[j].node[first % 2];
			scn_error_at(c, addr_nodes[2 * i + (size_t)e],
			             "duplicate address %s: links.%zu already gives it to '%s'",
			             scn_addr_str(*a, a1), j,
			             owner == SCENARIO_NONE ? s->links[j].tap
			                                    : s->nodes[owner].name);
		}
	}
	scn_index_free(&addresses);

	scn_lte_check_addresses(L, addr_nodes, ok);

	/* Interfaces, per node, in link order; UEs sharing a cell share its
	 * node[1]'s interface. */
	for (size_t i = 0; i < s->n_links; i++)
		for (int e = 0; ok[i] && e < 2 && s->links[i].node[e] != SCENARIO_NONE; e++)
			if (e == 0 || !scn_lte_shares(s, i))
				s->nodes[s->links[i].node[e]].n_ifaces++;
	for (size_t n = 0; n < s->n_nodes; n++) {
		s->nodes[n].ifaces =
		        scn_arena_alloc(c->a, s->nodes[n].n_ifaces * sizeof(*s->nodes[n].ifaces));
		s->nodes[n].n_ifaces = 0;
	}
	for (size_t i = 0; i < s->n_links; i++) {
		struct scenario_link *l = &s->links[i];

		for (int e = 0; ok[i] && e < 2 && l->node[e] != SCENARIO_NONE; e++) {
			struct scenario_node *nd = &s->nodes[l->node[e]];
			struct scenario_iface *f = &nd->ifaces[nd->n_ifaces];

			if (e == 1 && scn_lte_shares(s, i)) {
				const struct scenario_link *cl = &s->links[l->lte->cell_link];

				l->iface[1] = cl->iface[1];
				memcpy(l->addr, cl->addr, sizeof l->addr);
				l->prefix_len = cl->prefix_len;
				continue;
			}
			f->link = i;
			f->end = (unsigned)e;
			f->peer = l->node[1 - e];
			f->addr = l->addr[e];
			f->prefix_len = l->prefix_len;
			scn_lte_iface(s, i, (unsigned)e, f);
			/* Two links of one node in overlapping subnets make
			 * connected routes ambiguous. */
			for (size_t k = 0; k < nd->n_ifaces; k++) {
				uint8_t len = nd->ifaces[k].prefix_len < f->prefix_len
				                      ? nd->ifaces[k].prefix_len
				                      : f->prefix_len;
				char a1[16], a2[16];

				if (scn_same_subnet(nd->ifaces[k].addr, f->addr, len))
					scn_error_at(
					        c, addr_nodes[2 * i + (size_t)e],
					        "%s/%u overlaps %s/%u, which node '%s' already has "
					        "on links.%zu",
					        scn_addr_str(f->addr, a1), f->prefix_len,
					        scn_addr_str(nd->ifaces[k].addr, a2),
					        nd->ifaces[k].prefix_len, nd->name,
					        nd->ifaces[k].link);
			}
			l->iface[e] = nd->n_ifaces++;
		}
	}
}

void scn_load_routes(struct load *L, size_t ni, yaml_node_t *routes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];

	struct scn_index dsts = {0}; /* (dst, prefix length) -> route */
	nd->n_routes = scn_seq_len(routes);
	nd->routes = scn_arena_alloc(c->a, nd->n_routes * sizeof(*nd->routes));
	for (size_t i = 0; i < nd->n_routes; i++) {
		struct scenario_route *r = &nd->routes[i];
		yaml_node_t *m = scn_seq_item(c, routes, i), *dv, *vv;
		char what[160], a1[16], a2[16];
		const char *t;

		snprintf(what, sizeof(what), "nodes.%s.routes.%zu", nd->name, i);
		r->iface = SCENARIO_NONE;
		if (!scn_want_map(c, m, what))
			continue;
		scn_check_keys(c, m, "route", route_keys);
		dv = scn_get(c, m, "dst");
		if (!dv)
			scn_missing(c, m, "dst", what);
		else if ((t = scn_scalar(c, dv, "dst")) != NULL) {
			char err[256];

			if (strcmp(t, "default") == 0) {
				r->dst = 0;
				r->prefix_len = 0;
			} else if (units_ipv4_prefix(t, &r->dst, &r->prefix_len, err,
			                             sizeof(err))) {
				scn_error_at(c, dv, "%s (or 'default')", err);
			} else if (r->dst & ~units_mask(r->prefix_len)) {
				scn_error_at(c, dv, "%s has host bits set: did you mean %s/%u?", t,
				             scn_addr_str(r->dst & units_mask(r->prefix_len), a1),
				             r->prefix_len);
			} else {
				uint64_t key = (uint64_t)r->dst << 8 | r->prefix_len;
				if (scn_index_put(&dsts, &key, sizeof key, i) != SCENARIO_NONE)
					scn_error_at(c, dv, "duplicate route to %s on node '%s'", t,
					             nd->name);
			}
		}
		if (scn_opt_addr(c, m, "via", &r->via, &vv) == 0) {
			scn_missing(c, m, "via", what);
		} else if (vv && r->via) {
			size_t k;

			for (k = 0; k < nd->n_ifaces; k++)
				if (scn_same_subnet(nd->ifaces[k].addr, r->via,
				                    nd->ifaces[k].prefix_len))
					break;
			if (k == nd->n_ifaces) {
				if (L->suspect[ni])
					continue;
				scn_error_at(
				        c, vv,
				        "next hop %s is not on a subnet connected to node '%s'",
				        scn_addr_str(r->via, a1), nd->name);
				continue;
			}
			const struct scenario_iface *f = &nd->ifaces[k];
			const struct scenario_link *l = &L->s->links[f->link];
			uint32_t peer = l->addr[1 - f->end];

			if (scn_lte_route_refused(L, f, vv, nd->name))
				continue;
			if (r->via == f->addr)
				scn_error_at(c, vv, "next hop %s is node '%s''s own address",
				             scn_addr_str(r->via, a1), nd->name);
			else if (r->via != peer && l->lte)
				scn_error_at(
				        c, vv,
				        "next hop %s is on the link to the EPC, whose PGW is %s",
				        scn_addr_str(r->via, a1), scn_addr_str(peer, a2));
			else if (r->via != peer && f->peer == SCENARIO_NONE)
				scn_error_at(
				        c, vv, "next hop %s is on TAP '%s', whose Linux side is %s",
				        scn_addr_str(r->via, a1), l->tap, scn_addr_str(peer, a2));
			else if (r->via != peer)
				scn_error_at(
				        c, vv,
				        "next hop %s is on the link to '%s', whose address there "
				        "is %s",
				        scn_addr_str(r->via, a1), L->s->nodes[f->peer].name,
				        scn_addr_str(peer, a2));
			else
				r->iface = k;
		}
	}
	scn_index_free(&dsts);
}

/* The neighbour a node sends a packet for dst to (longest prefix match over
 * its connected subnets and static routes, as ns-3's static routing does),
 * or SCENARIO_NONE; *via_iface gets the interface used. */
size_t scn_next_hop(const struct scenario *s, size_t n, uint32_t dst, size_t *via_iface)
{
	const struct scenario_node *nd = &s->nodes[n];
	size_t best = SCENARIO_NONE;
	int best_len = -1;

	for (size_t i = 0; i < nd->n_ifaces; i++) {
		const struct scenario_iface *f = &nd->ifaces[i];

		if (scn_same_subnet(f->addr, dst, f->prefix_len) && f->prefix_len > best_len) {
			best = f->peer;
			best_len = f->prefix_len;
			*via_iface = i;
		}
	}
	for (size_t i = 0; i < nd->n_routes; i++) {
		const struct scenario_route *r = &nd->routes[i];

		if (r->iface != SCENARIO_NONE && scn_same_subnet(r->dst, dst, r->prefix_len) &&
		    r->prefix_len > best_len) {
			best = nd->ifaces[r->iface].peer;
			best_len = r->prefix_len;
			*via_iface = r->iface;
		}
	}
	scn_lte_next_hop(s, n, dst, &best, &best_len, via_iface); /* the EPC's routes */
	return best;
}

size_t scn_route_iface(const struct scenario *s, size_t n, uint32_t dst)
{
	size_t iface = SCENARIO_NONE;

	scn_next_hop(s, n, dst, &iface); /* a TAP's host is no node, but a hop */
	return iface;
}
