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

/* One end's `addresses` item: an address with its prefix length, or a list
 * of them, at most one per family.  Its IPv4 and IPv6 nodes go to n4/n6. */
static bool end_addresses(struct ctx *c, yaml_node_t *item, struct ip_addr *a4, uint8_t *len4,
                          struct ip_addr *a6, uint8_t *len6, yaml_node_t **n4, yaml_node_t **n6)
{
	size_t n = item->type == YAML_SEQUENCE_NODE ? scn_seq_len(item) : 1;
	bool ok = true;

	if (n < 1 || n > 2) {
		scn_error_at(c, item,
		             "an end of a link has one address of each family at most, like "
		             "[10.1.0.1/24, fd00:1::1/64]");
		return false;
	}
	for (size_t k = 0; k < n; k++) {
		yaml_node_t *an =
		        item->type == YAML_SEQUENCE_NODE ? scn_seq_item(c, item, k) : item;
		const char *t = scn_scalar(c, an, "addresses");
		struct ip_addr a;
		uint8_t len;
		char err[256];

		if (!t) {
			ok = false;
		} else if (units_ip_prefix(t, &a, &len, err, sizeof(err))) {
			scn_error_at(c, an, "%s", err);
			ok = false;
		} else if ((a.family == IP_FAMILY_V4 ? *n4 : *n6) != NULL) {
			scn_error_at(c, an, "this end already has an %s address",
			             a.family == IP_FAMILY_V4 ? "IPv4" : "IPv6");
			ok = false;
		} else if (a.family == IP_FAMILY_V4) {
			*a4 = a;
			*len4 = len;
			*n4 = an;
		} else {
			*a6 = a;
			*len6 = len;
			*n6 = an;
		}
	}
	return ok;
}

/* The two ends' addresses a[] of one family: one subnet, of a prefix
 * length in min..max, two addresses. */
static bool one_subnet(struct ctx *c, const struct ip_addr a[2], const uint8_t len[2], unsigned min,
                       unsigned max, const char *family, yaml_node_t **nodes)
{
	char a1[IP_ADDR_STRLEN], a2[IP_ADDR_STRLEN];

	if (len[0] != len[1]) {
		scn_error_at(
		        c, nodes[1],
		        "the two ends of a link must be in the same subnet: /%u and /%u differ",
		        len[0], len[1]);
		return false;
	}
	if (len[0] > max || len[0] < min) {
		scn_error_at(c, nodes[0], "a link's %sprefix length must be %u..%u, got /%u",
		             family, min, max, len[0]);
		return false;
	}
	if (!scn_same_prefix(&a[0], &a[1], len[0])) {
		scn_error_at(c, nodes[1], "%s/%u is not in the same subnet as %s/%u",
		             ip_addr_str(&a[1], a2), len[1], ip_addr_str(&a[0], a1), len[0]);
		return false;
	}
	if (ip_addr_eq(&a[0], &a[1])) {
		scn_error_at(c, nodes[1], "both ends of the link have address %s",
		             ip_addr_str(&a[0], a1));
		return false;
	}
	return true;
}

/* The IPv4 addresses of a link's two ends: one subnet, host addresses. */
static bool link_ipv4(struct ctx *c, struct scenario_link *l, const uint8_t len[2],
                      yaml_node_t **nodes)
{
	struct ip_addr a[2] = {ip_addr_v4(l->addr[0]), ip_addr_v4(l->addr[1])};
	char a1[16], a2[16];

	if (!one_subnet(c, a, len, 8, 31, "", nodes))
		return false;
	for (int e = 0; e < 2 && len[0] < 31; e++) {
		uint32_t host = l->addr[e] & ~units_mask(len[0]);

		if (host == 0 || host == ~units_mask(len[0])) {
			scn_error_at(
			        c, nodes[e], "%s is the %s address of %s/%u, not a host address",
			        scn_addr_str(l->addr[e], a1), host == 0 ? "network" : "broadcast",
			        scn_addr_str(l->addr[e] & units_mask(len[0]), a2), len[0]);
			return false;
		}
	}
	l->prefix_len = len[0];
	return true;
}

/* An IPv6 address a node may have on a link: global or unique-local
 * unicast (RFC 4291 §2.4), not in the documentation prefix. */
static bool ipv6_usable(struct ctx *c, yaml_node_t *n, const struct ip_addr *a)
{
	static const uint8_t zero[10];
	char t[IP_ADDR_STRLEN];
	const char *why = NULL;

	if (a->b[0] == 0xff)
		why = "a multicast address";
	else if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
		why = "link-local (ns-3 gives every interface its own)";
	else if (memcmp(a->b, zero, sizeof(zero)) == 0)
		why = "unspecified, loopback, or an IPv4-mapped or -compatible address";
	else if (a->b[0] == 0x20 && a->b[1] == 0x01 && a->b[2] == 0x0d && a->b[3] == 0xb8)
		why = "in 2001:db8::/32, which ns-3.37 refuses to forward (RFC 3849's "
		      "documentation prefix): use a unique-local prefix like fd00::/8";
	if (why)
		scn_error_at(c, n, "%s is %s", ip_addr_str(a, t), why);
	return why == NULL;
}

/* The IPv6 addresses of a link's two ends: one subnet, neither the
 * Subnet-Router anycast address (RFC 4291 §2.6.1) but on a /127 (RFC 6164). */
static bool link_ipv6(struct ctx *c, struct scenario_link *l, const uint8_t len[2],
                      yaml_node_t **nodes)
{
	char a1[IP_ADDR_STRLEN];

	if (!one_subnet(c, l->addr6, len, 16, 127, "IPv6 ", nodes) ||
	    !ipv6_usable(c, nodes[0], &l->addr6[0]) || !ipv6_usable(c, nodes[1], &l->addr6[1]))
		return false;
	for (int e = 0; e < 2 && len[0] < 127; e++) {
		struct ip_addr net = ip_addr_mask(&l->addr6[e], len[0], false);

		if (ip_addr_eq(&net, &l->addr6[e])) {
			scn_error_at(c, nodes[e],
			             "%s is the Subnet-Router anycast address of %s/%u (RFC 4291 "
			             "§2.6.1), not a host address",
			             ip_addr_str(&l->addr6[e], a1), a1, len[0]);
			return false;
		}
	}
	l->prefix6_len = len[0];
	return true;
}

/* links[i]'s `addresses`: one item per end, each end with an address of
 * each family the link has. */
static bool link_addresses(struct load *L, size_t i, yaml_node_t *v, yaml_node_t **n4,
                           yaml_node_t **n6)
{
	struct ctx *c = L->c;
	struct scenario_link *l = &L->s->links[i];
	struct ip_addr a4[2] = {{0}}, a6[2] = {{0}};
	uint8_t len4[2] = {0, 0}, len6[2] = {0, 0};
	bool ok = true;

	if (v->type != YAML_SEQUENCE_NODE || scn_seq_len(v) != 2) {
		scn_error_at(c, v,
		             "'addresses' must give one address per end, like "
		             "[10.1.0.1/24, 10.1.0.2/24] (or a list per end: [[10.1.0.1/24, "
		             "fd00:1::1/64], [10.1.0.2/24, fd00:1::2/64]])");
		return false;
	}
	for (size_t e = 0; e < 2; e++)
		ok = end_addresses(c, scn_seq_item(c, v, e), &a4[e], &len4[e], &a6[e], &len6[e],
		                   &n4[e], &n6[e]) &&
		     ok;
	if (!ok)
		return false;
	for (int f = 0; f < 2; f++) {
		yaml_node_t **n = f ? n6 : n4;

		if ((n[0] == NULL) != (n[1] == NULL)) {
			scn_error_at(c, n[0] ? n[0] : n[1],
			             "only one end of the link has an %s address",
			             f ? "IPv6" : "IPv4");
			return false;
		}
	}
	if ((n4[0] || n6[0]) && (l->tap[0] || l->lte) && n6[0]) {
		scn_error_at(c, n6[0], "%s links are IPv4 only", l->tap[0] ? "TAP" : "LTE");
		return false;
	}
	if (n4[0]) {
		l->addr[0] = ip_addr_v4_value(&a4[0]);
		l->addr[1] = ip_addr_v4_value(&a4[1]);
		ok = link_ipv4(c, l, len4, n4);
	}
	if (n6[0]) {
		l->addr6[0] = a6[0];
		l->addr6[1] = a6[1];
		ok = link_ipv6(c, l, len6, n6) && ok;
	}
	return ok;
}

/* Two links of one node in overlapping subnets make connected routes
 * ambiguous: f's address of `family` (given at `where`) against those of
 * the node's interfaces so far. */
static void iface_overlaps(struct ctx *c, const struct scenario_node *nd,
                           const struct scenario_iface *f, uint8_t family, yaml_node_t *where)
{
	struct ip_addr a, b;
	uint8_t alen, blen;

	if (!where || !scn_iface_addr(f, family, &a, &alen))
		return; /* an LTE UE's: the EPC's own network, checked apart */
	for (size_t k = 0; k < nd->n_ifaces; k++) {
		char a1[IP_ADDR_STRLEN], a2[IP_ADDR_STRLEN];

		if (scn_iface_addr(&nd->ifaces[k], family, &b, &blen) &&
		    scn_same_prefix(&a, &b, alen < blen ? alen : blen))
			scn_error_at(
			        c, where,
			        "%s/%u overlaps %s/%u, which node '%s' already has on links.%zu",
			        ip_addr_str(&a, a1), alen, ip_addr_str(&b, a2), blen, nd->name,
			        nd->ifaces[k].link);
	}
}

void scn_load_links(struct load *L, yaml_node_t *links)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t **addr_nodes, **addr6_nodes; /* per end, of each family */
	bool *ok;

	s->n_links = scn_seq_len(links);
	s->links = scn_arena_alloc(c->a, s->n_links * sizeof(*s->links));
	addr_nodes = scn_arena_alloc(c->a, 2 * s->n_links * sizeof(*addr_nodes));
	addr6_nodes = scn_arena_alloc(c->a, 2 * s->n_links * sizeof(*addr6_nodes));
	ok = scn_arena_alloc(c->a, s->n_links * sizeof(*ok));
	for (size_t i = 0; i < s->n_links; i++) {
		struct scenario_link *l = &s->links[i];
		yaml_node_t *m = scn_seq_item(c, links, i), *v;
		char what[32];
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
		} else {
			good = link_addresses(L, i, v, addr_nodes + 2 * i, addr6_nodes + 2 * i) &&
			       good;
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
		for (size_t k = 0; ok[i] && !scn_lte_shares(s, i) && k < 4; k++) {
			size_t e = k % 2;
			yaml_node_t *where = k < 2 ? addr_nodes[2 * i + e] : addr6_nodes[2 * i + e];
			struct ip_addr a =
			        k < 2 ? ip_addr_v4(s->links[i].addr[e]) : s->links[i].addr6[e];

			if (!where)
				continue; /* the link has no address of this family */
			size_t first = scn_index_put(&addresses, &a, sizeof a, 2 * i + e);
			if (first == SCENARIO_NONE)
				continue;
			char a1[IP_ADDR_STRLEN];
			size_t j = first / 2, owner = s->links[j].node[first % 2];
			scn_error_at(c, where,
			             "duplicate address %s: links.%zu already gives it to '%s'",
			             ip_addr_str(&a, a1), j,
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
			f->addr6 = l->addr6[e];
			f->prefix6_len = l->prefix6_len;
			nd->ipv6 = nd->ipv6 || f->addr6.family == IP_FAMILY_V6;
			scn_lte_iface(s, i, (unsigned)e, f);
			iface_overlaps(c, nd, f, IP_FAMILY_V4, addr_nodes[2 * i + (size_t)e]);
			iface_overlaps(c, nd, f, IP_FAMILY_V6, addr6_nodes[2 * i + (size_t)e]);
			l->iface[e] = nd->n_ifaces++;
		}
	}
}

/* A route's next hop `via`: the neighbour's address on a link of the
 * node, of the family of the route.  Sets r->iface. */
static void route_via(struct load *L, size_t ni, struct scenario_route *r, yaml_node_t *vv)
{
	struct ctx *c = L->c;
	const struct scenario_node *nd = &L->s->nodes[ni];
	char a1[IP_ADDR_STRLEN], a2[IP_ADDR_STRLEN];
	struct ip_addr own, peer;
	uint8_t len;
	size_t k;

	for (k = 0; k < nd->n_ifaces; k++)
		if (scn_iface_addr(&nd->ifaces[k], r->via.family, &own, &len) &&
		    scn_same_prefix(&own, &r->via, len))
			break;
	if (k == nd->n_ifaces) {
		if (!L->suspect[ni])
			scn_error_at(c, vv, "next hop %s is not on a subnet connected to node '%s'",
			             ip_addr_str(&r->via, a1), nd->name);
		return;
	}
	const struct scenario_iface *f = &nd->ifaces[k];
	const struct scenario_link *l = &L->s->links[f->link];

	if (scn_lte_route_refused(L, f, vv, nd->name))
		return;
	peer = r->via.family == IP_FAMILY_V4 ? ip_addr_v4(l->addr[1 - f->end])
	                                     : l->addr6[1 - f->end];
	ip_addr_str(&r->via, a1);
	ip_addr_str(&peer, a2);
	if (ip_addr_eq(&r->via, &own))
		scn_error_at(c, vv, "next hop %s is node '%s''s own address", a1, nd->name);
	else if (!ip_addr_eq(&r->via, &peer) && l->lte)
		scn_error_at(c, vv, "next hop %s is on the link to the EPC, whose PGW is %s", a1,
		             a2);
	else if (!ip_addr_eq(&r->via, &peer) && f->peer == SCENARIO_NONE)
		scn_error_at(c, vv, "next hop %s is on TAP '%s', whose Linux side is %s", a1,
		             l->tap, a2);
	else if (!ip_addr_eq(&r->via, &peer))
		scn_error_at(c, vv, "next hop %s is on the link to '%s', whose address there is %s",
		             a1, L->s->nodes[f->peer].name, a2);
	else
		r->iface = k;
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
		char what[160], a1[IP_ADDR_STRLEN];
		const char *t = NULL;
		bool dst_ok = false, is_default = false;

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
				is_default = dst_ok = true; /* of the next hop's family */
			} else if (units_ip_prefix(t, &r->dst, &r->prefix_len, err, sizeof(err))) {
				scn_error_at(c, dv, "%s (or 'default')", err);
			} else {
				struct ip_addr net = ip_addr_mask(&r->dst, r->prefix_len, false);

				if (!ip_addr_eq(&net, &r->dst))
					scn_error_at(c, dv,
					             "%s has host bits set: did you mean %s/%u?", t,
					             ip_addr_str(&net, a1), r->prefix_len);
				else
					dst_ok = true;
			}
		}
		if (scn_opt_addr(c, m, "via", &r->via, &vv) == 0) {
			scn_missing(c, m, "via", what);
			continue;
		}
		if (!vv || !ip_addr_is_set(&r->via))
			continue;
		if (is_default) {
			memset(&r->dst, 0, sizeof(r->dst));
			r->dst.family = r->via.family;
			r->prefix_len = 0;
		}
		/* A dst of the other family than its next hop (RFC 8950, Linux's
		 * `via inet6`) leads onto the neighbour's link: 4-in-6 and 6-in-4
		 * gateways route the inner family that way. */
		if (dst_ok) {
			struct {
				struct ip_addr dst;
				uint8_t len;
			} key;

			memset(&key, 0, sizeof(key));
			key.dst = r->dst;
			key.len = r->prefix_len;
			if (scn_index_put(&dsts, &key, sizeof key, i) != SCENARIO_NONE)
				scn_error_at(c, dv, "duplicate route to %s on node '%s'", t,
				             nd->name);
		}
		route_via(L, ni, r, vv);
		if (r->iface != SCENARIO_NONE && r->dst.family == IP_FAMILY_V4 &&
		    r->via.family == IP_FAMILY_V6 && !scn_node_has_family(nd, IP_FAMILY_V4))
			scn_error_at(
			        c, dv,
			        "an IPv4 route through an IPv6 next hop borrows an IPv4 address "
			        "of node '%s' for its link (RFC 1812 §2.2.7), and it has none",
			        nd->name);
	}
	scn_index_free(&dsts);
}

/* The neighbour a node sends a packet for dst to (longest prefix match over
 * its connected subnets and static routes, as ns-3's static routing does),
 * or SCENARIO_NONE; *via_iface gets the interface used. */
size_t scn_next_hop(const struct scenario *s, size_t n, const struct ip_addr *dst,
                    size_t *via_iface)
{
	const struct scenario_node *nd = &s->nodes[n];
	size_t best = SCENARIO_NONE;
	int best_len = -1;

	for (size_t i = 0; i < nd->n_ifaces; i++) {
		struct ip_addr a;
		uint8_t len;

		if (scn_iface_addr(&nd->ifaces[i], dst->family, &a, &len) &&
		    scn_same_prefix(&a, dst, len) && len > best_len) {
			best = nd->ifaces[i].peer;
			best_len = len;
			*via_iface = i;
		}
	}
	for (size_t i = 0; i < nd->n_routes; i++) {
		const struct scenario_route *r = &nd->routes[i];

		if (r->iface != SCENARIO_NONE && scn_same_prefix(&r->dst, dst, r->prefix_len) &&
		    r->prefix_len > best_len) {
			best = nd->ifaces[r->iface].peer;
			best_len = r->prefix_len;
			*via_iface = r->iface;
		}
	}
	if (dst->family == IP_FAMILY_V4) /* the EPC's routes */
		scn_lte_next_hop(s, n, ip_addr_v4_value(dst), &best, &best_len, via_iface);
	return best;
}

size_t scn_route_iface(const struct scenario *s, size_t n, const struct ip_addr *dst)
{
	size_t iface = SCENARIO_NONE;

	scn_next_hop(s, n, dst, &iface); /* a TAP's host is no node, but a hop */
	return iface;
}
