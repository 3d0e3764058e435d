/* Scenario loader: NAT boxes (`nat:`, RFC 4787 words; model/elements/nat.h). */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const nat_keys[] = {"outside", "mapping", "timeout",        "tcp_timeout",
                                       "ports",   "refresh", "drop_fragments", NULL};

static const struct name_val mapping_names[] = {
        {"endpoint-independent", NAT_MAPPING_ENDPOINT_INDEPENDENT, false},
        {"address-and-port-dependent", NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, false},
        {NULL, 0, false}};
static const struct name_val refresh_names[] = {{"outbound", NAT_REFRESH_OUTBOUND, false},
                                                {"both", NAT_REFRESH_BOTH, false},
                                                {NULL, 0, false}};

const char *scenario_nat_mapping_name(enum nat_mapping_behaviour m)
{
	return scn_name_of(mapping_names, (int)m);
}

/* `outside`: a link index, or the name of the neighbour at the other end of
 * the outside link.  Returns the interface, or SCENARIO_NONE after an error. */
static size_t nat_outside(struct load *L, size_t ni, yaml_node_t *v)
{
	struct ctx *c = L->c;
	const struct scenario *s = L->s;
	const struct scenario_node *nd = &s->nodes[ni];
	const char *t = scn_scalar(c, v, "outside");
	size_t found = SCENARIO_NONE, count = 0;

	if (!t)
		return SCENARIO_NONE;
	if (t[strspn(t, "0123456789")] == '\0') {
		uint64_t link;
		char err[128];

		if (units_uint(t, 0, s->n_links ? s->n_links - 1 : 0, &link, err, sizeof(err)) ||
		    s->n_links == 0) {
			scn_error_at(
			        c, v,
			        "outside: there is no links.%s (the links are numbered from 0)", t);
			return SCENARIO_NONE;
		}
		for (size_t k = 0; k < nd->n_ifaces; k++)
			if (nd->ifaces[k].link == link)
				return k;
		if (!L->suspect[ni])
			scn_error_at(c, v, "outside: links.%s does not connect node '%s'", t,
			             nd->name);
		return SCENARIO_NONE;
	}
	size_t peer = scn_node_ref(L, v, "outside");
	if (peer == SCENARIO_NONE)
		return SCENARIO_NONE;
	for (size_t k = 0; k < nd->n_ifaces; k++)
		if (nd->ifaces[k].peer == peer) {
			if (!count++)
				found = k;
		}
	if (count == 0 && !L->suspect[ni])
		scn_error_at(c, v, "outside: node '%s' has no link to '%s'", nd->name, t);
	else if (count > 1)
		scn_error_at(
		        c, v,
		        "outside: node '%s' has %zu links to '%s': give the link's index instead",
		        nd->name, count, t);
	return count == 1 ? found : SCENARIO_NONE;
}

/* `nat:` makes a node a NAPT box (RFC 4787 words; model/elements/nat.h). */
void scn_load_nat(struct load *L, size_t ni, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct scenario_nat *nat = &nd->nat;
	yaml_node_t *v;
	char what[160];
	uint64_t t;
	int x;

	snprintf(what, sizeof(what), "nodes.%s.nat", nd->name);
	if (!scn_want_map(c, m, "nat"))
		return;
	nd->has_nat = true;
	nat->outside = SCENARIO_NONE;
	nat->cfg = (struct nat_config){
	        .mapping = NAT_MAPPING_ENDPOINT_INDEPENDENT,
	        .refresh = NAT_REFRESH_OUTBOUND,
	        .timeout_ns = NAT_DEFAULT_TIMEOUT_NS,
	        .tcp_timeout_ns = NAT_DEFAULT_TCP_TIMEOUT_NS,
	        .port_lo = NAT_DEFAULT_PORT_LO,
	        .port_hi = NAT_DEFAULT_PORT_HI,
	};
	scn_check_keys(c, m, "nat", nat_keys);
	v = scn_get(c, m, "outside");
	if (!v)
		scn_missing(c, m, "outside", what);
	else
		nat->outside = nat_outside(L, ni, v);
	if (nat->outside != SCENARIO_NONE)
		nat->cfg.outside_addr = nd->ifaces[nat->outside].addr;
	if (scn_opt_enum(c, m, "mapping", mapping_names, "mapping behaviour", &x, NULL) == 1)
		nat->cfg.mapping = (enum nat_mapping_behaviour)x;
	if (scn_opt_enum(c, m, "refresh", refresh_names, "refresh direction", &x, NULL) == 1)
		nat->cfg.refresh = (enum nat_refresh)x;
	if (scn_opt_time(c, m, "timeout", &t, &v) == 1) {
		if (t == 0)
			scn_error_at(c, v, "timeout must be above 0");
		else
			nat->cfg.timeout_ns = t;
	}
	if (scn_opt_time(c, m, "tcp_timeout", &t, &v) == 1) {
		if (t == 0)
			scn_error_at(c, v, "tcp_timeout must be above 0");
		else
			nat->cfg.tcp_timeout_ns = t;
	}
	scn_opt_bool(c, m, "drop_fragments", &nat->cfg.drop_fragments);
	if ((v = scn_get(c, m, "ports")) != NULL) {
		const char *p = scn_scalar(c, v, "ports");
		struct ipsec_range16 r;
		char err[256];

		if (p && strcmp(p, "any") == 0) {
			scn_error_at(c, v, "ports: give a range like 1024-65535, not 'any'");
		} else if (p && scn_port_value(p, 65535, &r, err, sizeof(err))) {
			scn_error_at(c, v, "%s", err);
		} else if (p && r.lo == 0) {
			scn_error_at(
			        c, v,
			        "ports: port 0 cannot be assigned: start the range at 1 or above");
		} else if (p) {
			nat->cfg.port_lo = r.lo;
			nat->cfg.port_hi = r.hi;
		}
	}
	if (L->suspect[ni])
		return;
	if (nd->n_ifaces < 2)
		scn_error_at(
		        c, m,
		        "node '%s' is a NAT but has %s link: it needs an inside and an outside one",
		        nd->name, nd->n_ifaces ? "only one" : "no");
	else if (!nd->forwarding)
		scn_error_at(c, m, "node '%s' is a NAT but does not forward (forwarding: false)",
		             nd->name);
	if (nd->has_ipsec)
		scn_error_at(
		        c, m,
		        "node '%s' cannot be both a NAT and an IPsec node: put the IPsec gateway "
		        "behind or in front of the NAT",
		        nd->name);
}
