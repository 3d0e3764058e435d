/* Scenario loader: LTE links (`type: lte`, docs/scenario-reference.md,
 * "LTE links"): a UE on ns-3's LTE radio and EPC, the cell they share and
 * the interfaces and routes the EPC gives.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"

/* ns-3.37's EPC (NoBackhaulEpcHelper) numbers its UEs from a fixed /8: the
 * PGW's TUN device, the UEs' gateway, has .1, the UEs follow in attach
 * order. */
#define LTE_UE_NET 0x07000000u
#define LTE_UE_PREFIX 8
#define LTE_UE_FIRST 2u

enum { LINK_P2P, LINK_LTE };
static const struct name_val link_types[] = {
        {"p2p", LINK_P2P, false}, {"lte", LINK_LTE, false}, {NULL, 0, false}};

/* ns-3's FfMacScheduler implementations. */
static const struct name_val schedulers[] = {
        {"pf", 0, false}, {"rr", 1, false}, {"mt", 2, false}, {NULL, 0, false}};
static const char *const scheduler_types[] = {"ns3::PfFfMacScheduler", "ns3::RrFfMacScheduler",
                                              "ns3::FdMtFfMacScheduler"};

/* The cell's keys, given on the link that sets it up; the UE's keys. */
static const char *const cell_keys[] = {"bandwidth", "scheduler", "epc_delay", NULL};
static const char *const ue_keys[] = {"distance", "speed", NULL};
/* What the radio model decides instead. */
static const char *const p2p_keys[] = {"rate", "delay", "loss", "mtu", "queue", "cellular", NULL};

/* A non-negative number with a unit: `units` lists suffixes and their
 * factors to the base unit; a bare number is in the base unit. */
struct unit {
	const char *suffix;
	double factor;
};

static int parse_with_units(const char *s, double *out, const struct unit *units, const char *what,
                            char *e, size_t l)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0 || v != v) {
		snprintf(e, l, "'%s' is not a %s", s, what);
		return -1;
	}
	for (const struct unit *u = units; u->suffix; u++) {
		if (strcmp(end, u->suffix) == 0) {
			*out = v * u->factor;
			return 0;
		}
	}
	snprintf(e, l, "'%s' is not a %s", s, what);
	return -1;
}

static int p_distance(const char *s, void *o, char *e, size_t l)
{
	static const struct unit u[] = {{"", 1}, {"m", 1}, {"km", 1000}, {NULL, 0}};
	double *d = o;

	if (parse_with_units(s, d, u, "distance (like 300m or 2km)", e, l))
		return -1;
	if (*d < 1 || *d > 100000) {
		snprintf(e, l, "distance %s is out of range: 1m..100km", s);
		return -1;
	}
	return 0;
}

static int p_speed(const char *s, void *o, char *e, size_t l)
{
	static const struct unit u[] = {{"", 1}, {"m/s", 1}, {"km/h", 1 / 3.6}, {NULL, 0}};
	double *v = o;

	if (parse_with_units(s, v, u, "speed (like 10m/s or 50km/h)", e, l))
		return -1;
	if (*v > 100) {
		snprintf(e, l, "speed %s is out of range: 0..100m/s", s);
		return -1;
	}
	return 0;
}

/* The cell's keys on the link that sets it up (3GPP TS 36.101 §5.6: the
 * channel bandwidths in resource blocks). */
static bool load_cell(struct ctx *c, yaml_node_t *m, struct scenario_lte *lte)
{
	static const uint64_t rbs[] = {6, 15, 25, 50, 75, 100};
	yaml_node_t *vn;
	uint64_t x;
	int k = 0, r;
	bool good = true;

	lte->bandwidth_rb = 25;
	lte->scheduler = scheduler_types[0];
	lte->epc_delay_ns = 1000000;
	r = scn_opt_uint(c, m, "bandwidth", 6, 100, &x, &vn);
	if (r == 1) {
		size_t j = 0;

		while (j < sizeof rbs / sizeof *rbs && rbs[j] != x)
			j++;
		if (j == sizeof rbs / sizeof *rbs) {
			scn_error_at(c, vn,
			             "bandwidth %llu is no LTE channel bandwidth: 6, 15, 25, 50, "
			             "75 or 100 resource blocks",
			             (unsigned long long)x);
			good = false;
		}
		lte->bandwidth_rb = (uint16_t)x;
	}
	good = good && r >= 0;
	r = scn_opt_enum(c, m, "scheduler", schedulers, "scheduler", &k, NULL);
	lte->scheduler = scheduler_types[k];
	good = good && r >= 0;
	return scn_opt_time(c, m, "epc_delay", &lte->epc_delay_ns, NULL) >= 0 && good;
}

/* Errors for each of `keys` present in m (fmt: the key, then `link`);
 * false if there was one. */
static bool refuse(struct ctx *c, yaml_node_t *m, const char *const *keys, const char *fmt,
                   size_t link)
{
	bool none = true;

	for (const char *const *key = keys; *key; key++) {
		yaml_node_t *v = scn_get(c, m, *key);

		if (v) {
			scn_error_at(c, v, fmt, *key, link);
			none = false;
		}
	}
	return none;
}

int scn_load_lte_link(struct load *L, size_t i, yaml_node_t *m, bool tap)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	struct scenario_link *l = &s->links[i];
	struct scenario_lte *lte;
	yaml_node_t *tv = scn_get(c, m, "type");
	int type = LINK_P2P;
	bool good = true;
	size_t cell = SCENARIO_NONE, ues = 0;

	if (scn_opt_enum(c, m, "type", link_types, "link type", &type, NULL) < 0)
		return 0;
	if (type != LINK_LTE) {
		refuse(c, m, cell_keys, "'%s' is for LTE links (type: lte)", 0);
		refuse(c, m, ue_keys, "'%s' is for LTE links (type: lte)", 0);
		return -1;
	}
	if (tap) {
		scn_error_at(c, tv, "a TAP link cannot be an LTE link");
		return 0;
	}
	good = refuse(c, m, p2p_keys,
	              "'%s' is not for an LTE link: ns-3's LTE radio and EPC decide rate, "
	              "delay and loss (see distance, speed, bandwidth, scheduler, epc_delay)",
	              0);
	for (size_t j = 0; j < i; j++)
		if (s->links[j].lte) {
			cell = s->links[j].lte->cell_link;
			ues++;
		}

	lte = scn_arena_alloc(c->a, sizeof *lte);
	l->lte = lte;
	lte->ue_addr = LTE_UE_NET + LTE_UE_FIRST + (uint32_t)ues;
	if (cell == SCENARIO_NONE) {
		lte->cell_link = i;
		good = load_cell(c, m, lte) && good;
	} else {
		const struct scenario_link *cl = &s->links[cell];

		good = refuse(c, m, cell_keys,
		              "'%s' belongs to the cell, which links.%zu sets up (all LTE "
		              "links share one cell)",
		              cell);
		if (scn_get(c, m, "addresses")) {
			scn_error_at(c, scn_get(c, m, "addresses"),
			             "the EPC's addresses are links.%zu's (all LTE links share "
			             "one cell); the UE's comes from the EPC",
			             cell);
			good = false;
		}
		if (l->node[1] != SCENARIO_NONE && cl->node[1] != SCENARIO_NONE &&
		    l->node[1] != cl->node[1]) {
			scn_error_at(c, scn_get(c, m, "between"),
			             "the EPC connects to '%s' (links.%zu): every LTE link's "
			             "second node must be '%s'",
			             s->nodes[cl->node[1]].name, cell, s->nodes[cl->node[1]].name);
			good = false;
		}
		*lte = *cl->lte;
		lte->cell_link = cell;
		lte->ue_addr = LTE_UE_NET + LTE_UE_FIRST + (uint32_t)ues;
	}
	for (size_t j = 0; j < i && l->node[0] != SCENARIO_NONE; j++) {
		const struct scenario_link *o = &s->links[j];

		if (o->lte && (o->node[0] == l->node[0] || o->node[1] == l->node[0])) {
			scn_error_at(c, scn_get(c, m, "between"),
			             "node '%s' is %s of links.%zu already: a UE has one LTE "
			             "link",
			             s->nodes[l->node[0]].name,
			             o->node[0] == l->node[0] ? "the UE" : "the EPC's peer", j);
			good = false;
		}
	}
	lte->distance_m = 100;
	lte->speed_mps = 0;
	good = scn_opt_parse(c, m, "distance", p_distance, &lte->distance_m, NULL) >= 0 && good;
	good = scn_opt_parse(c, m, "speed", p_speed, &lte->speed_mps, NULL) >= 0 && good;
	return good ? 1 : 0;
}

bool scn_lte_shares(const struct scenario *s, size_t i)
{
	return s->links[i].lte && s->links[i].lte->cell_link != i;
}

void scn_lte_iface(const struct scenario *s, size_t i, unsigned e, struct scenario_iface *f)
{
	const struct scenario_link *l = &s->links[i];

	if (!l->lte)
		return;
	if (e == 0) {
		f->addr = l->lte->ue_addr;
		f->prefix_len = LTE_UE_PREFIX;
	} else {
		f->peer = SCENARIO_NONE; /* the PGW */
	}
}

void scn_lte_check_addresses(struct load *L, yaml_node_t **addr_nodes, const bool *ok)
{
	const struct scenario *s = L->s;
	char a1[16], a2[16];
	size_t i = 0;

	while (i < s->n_links && !s->links[i].lte)
		i++;
	if (i == s->n_links)
		return; /* no EPC */
	for (i = 0; i < s->n_links; i++)
		for (unsigned e = 0; ok[i] && e < 2 && !scn_lte_shares(s, i); e++) {
			const struct scenario_link *l = &s->links[i];
			uint8_t len = l->prefix_len < LTE_UE_PREFIX ? l->prefix_len : LTE_UE_PREFIX;

			if (l->addr[e] != 0 && scn_same_subnet(l->addr[e], LTE_UE_NET, len))
				scn_error_at(L->c, addr_nodes[2 * i + e],
				             "%s/%u overlaps the EPC's UE network %s/%u (fixed "
				             "in ns-3's LTE module)",
				             scn_addr_str(l->addr[e], a1), l->prefix_len,
				             scn_addr_str(LTE_UE_NET, a2), LTE_UE_PREFIX);
		}
}

bool scn_lte_route_refused(struct load *L, const struct scenario_iface *f, yaml_node_t *vv,
                           const char *node)
{
	char a1[16];

	if (!L->s->links[f->link].lte || f->end != 0)
		return false;
	scn_error_at(L->c, vv,
	             "node '%s' is an LTE UE: the EPC routes everything it sends (a "
	             "default route via %s is added), no other route goes over the radio",
	             node, scn_addr_str(LTE_UE_NET + 1, a1));
	return true;
}

void scn_lte_next_hop(const struct scenario *s, size_t n, uint32_t dst, size_t *best, int *best_len,
                      size_t *via_iface)
{
	const struct scenario_node *nd = &s->nodes[n];

	for (size_t k = 0; k < nd->n_ifaces; k++) {
		const struct scenario_iface *f = &nd->ifaces[k];
		const struct scenario_link *l = &s->links[f->link];
		struct ip_addr ue_addr = ip_addr_v4(dst);
		size_t ue;

		if (!l->lte)
			continue;
		if (f->end == 0 && *best_len < 0) { /* the UE's default route */
			*best = l->node[1];
			*best_len = 0;
			*via_iface = k;
		} else if (f->end == 1 && *best_len < LTE_UE_PREFIX &&
		           scn_same_subnet(dst, LTE_UE_NET, LTE_UE_PREFIX) &&
		           (ue = scn_addr_owner(s, &ue_addr)) != SCENARIO_NONE) {
			*best = ue; /* through the PGW */
			*best_len = LTE_UE_PREFIX;
			*via_iface = k;
		}
	}
}
