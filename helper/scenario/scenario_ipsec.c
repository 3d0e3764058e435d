/* Scenario loader: a node's `ipsec:` section -- the default action, the
 * SPD (`policies:`) and traffic selectors; SAs are in scenario_sa.c.
 */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const ipsec_keys[] = {"default", "sas",         "policies",  "connections",
                                         "secrets", "authorities", "nd_bypass", NULL};
static const char *const policy_keys[] = {
        "local_ts", "remote_ts", "proto", "local_port", "remote_port", "action", "out", "in", NULL};

static const struct name_val action_names[] = {{"protect", IPSEC_ACTION_PROTECT, false},
                                               {"bypass", IPSEC_ACTION_BYPASS, false},
                                               {"discard", IPSEC_ACTION_DISCARD, false},
                                               {NULL, 0, false}};
static const struct name_val default_names[] = {{"bypass", IPSEC_ACTION_BYPASS, false},
                                                {"discard", IPSEC_ACTION_DISCARD, false},
                                                {NULL, 0, false}};

static bool same_selector(const struct ipsec_selector *a, const struct ipsec_selector *b)
{
	return ip_addr_eq(&a->local_addr.lo, &b->local_addr.lo) &&
	       ip_addr_eq(&a->local_addr.hi, &b->local_addr.hi) &&
	       ip_addr_eq(&a->remote_addr.lo, &b->remote_addr.lo) &&
	       ip_addr_eq(&a->remote_addr.hi, &b->remote_addr.hi) && a->protocol == b->protocol &&
	       a->local_port.lo == b->local_port.lo && a->local_port.hi == b->local_port.hi &&
	       a->remote_port.lo == b->remote_port.lo && a->remote_port.hi == b->remote_port.hi;
}

/* `out:` or `in:` of a policy: SA names (one, or a list), all of direction
 * `dir`.  Fills idx[] and returns the count, or -1 after an error. */
static int sa_refs(struct load *L, size_t ni, yaml_node_t *v, const char *key, enum ipsec_dir dir,
                   size_t *idx, yaml_node_t **ref_nodes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	size_t n = v->type == YAML_SEQUENCE_NODE ? scn_seq_len(v) : 1;
	int bad = 0;

	if (v->type == YAML_MAPPING_NODE || scn_is_null(v) || n == 0) {
		scn_error_at(c, v, "'%s' must name an SA or list SAs, like [%s]", key,
		             dir == IPSEC_DIR_OUT ? "gwA-out" : "gwA-in");
		return -1;
	}
	if (n > IPSEC_BUNDLE_MAX) {
		scn_error_at(c, v, "'%s' lists %zu SAs: a bundle has at most %d", key, n,
		             IPSEC_BUNDLE_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *r = v->type == YAML_SEQUENCE_NODE ? scn_seq_item(c, v, i) : v;
		const char *name = scn_scalar(c, r, key);
		size_t k;

		ref_nodes[i] = r;
		if (!name) {
			bad = 1;
			continue;
		}
		k = scenario_sa_index(nd, name);
		if (k == SCENARIO_NONE) {
			const char *names[33];
			size_t nn = 0;

			for (size_t j = 0; j < nd->n_sas && nn < 32; j++)
				if (nd->sas[j].name[0])
					names[nn++] = nd->sas[j].name;
			names[nn] = NULL;
			const char *near = scn_nearest(name, names);
			if (near)
				scn_error_at(c, r,
				             "no SA named '%s' on node '%s' (did you mean '%s'?)",
				             name, nd->name, near);
			else
				scn_error_at(c, r, "no SA named '%s' on node '%s'", name, nd->name);
			bad = 1;
			continue;
		}
		if (nd->sas[k].cfg.dir != dir) {
			scn_error_at(c, r, "'%s' must name %s SAs, but SA '%s' is dir %s", key,
			             dir == IPSEC_DIR_OUT ? "outbound" : "inbound", name,
			             dir == IPSEC_DIR_OUT ? "in" : "out");
			bad = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (idx[j] == k) {
				scn_error_at(c, r, "SA '%s' is listed twice", name);
				bad = 1;
			}
		idx[i] = k;
	}
	return bad ? -1 : (int)n;
}

static void load_policy(struct load *L, size_t ni, size_t pi, yaml_node_t *m)
{
	static const struct name_val l4_names[] = {{"any", 0, false},        {"icmp", 1, false},
	                                           {"ipv6-icmp", 58, false}, {"icmpv6", 58, true},
	                                           {"tcp", 6, false},        {"udp", 17, false},
	                                           {NULL, 0, false}};
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct node_work *w = &L->nw[ni];
	struct scenario_policy *p = &nd->policies[pi];
	yaml_node_t *v, *pv = NULL;
	char what[160], err[256];
	const char *t;
	int x;
	bool action_ok = false;

	snprintf(what, sizeof(what), "nodes.%s.ipsec.policies.%zu", nd->name, pi);
	p->sel.local_port.hi = p->sel.remote_port.hi = 65535;
	if (!scn_want_map(c, m, "a policy"))
		return;
	scn_check_keys(c, m, "policy", policy_keys);
	if ((v = scn_get(c, m, "local_ts")) && (t = scn_scalar(c, v, "local_ts")) &&
	    scn_ts_value(t, &p->sel.local_addr, err, sizeof(err)))
		scn_error_at(c, v, "%s", err);
	if ((v = scn_get(c, m, "remote_ts")) && (t = scn_scalar(c, v, "remote_ts")) &&
	    scn_ts_value(t, &p->sel.remote_addr, err, sizeof(err)))
		scn_error_at(c, v, "%s", err);
	else if (v && p->sel.local_addr.lo.family && p->sel.remote_addr.lo.family &&
	         p->sel.local_addr.lo.family != p->sel.remote_addr.lo.family)
		scn_error_at(c, v,
		             "local_ts is %s and remote_ts %s: a policy selects packets of one "
		             "family",
		             p->sel.local_addr.lo.family == IP_FAMILY_V4 ? "IPv4" : "IPv6",
		             p->sel.remote_addr.lo.family == IP_FAMILY_V4 ? "IPv4" : "IPv6");

	/* proto: a name or a number. */
	if ((pv = scn_get(c, m, "proto")) && (t = scn_scalar(c, pv, "proto"))) {
		uint64_t n;

		if (units_uint(t, 0, 255, &n, err, sizeof(err)) == 0)
			p->sel.protocol = (uint8_t)n;
		else if (scn_opt_enum(c, m, "proto", l4_names, "protocol (or a number 0..255)", &x,
		                      NULL) == 1)
			p->sel.protocol = (uint8_t)x;
	}
	{
		static const char *const port_keys[2] = {"local_port", "remote_port"};
		struct ipsec_range16 *r[2] = {&p->sel.local_port, &p->sel.remote_port};
		bool icmp = p->sel.protocol == 1 || p->sel.protocol == 58;
		bool ports = p->sel.protocol == 6 || p->sel.protocol == 17 || icmp;

		for (int k = 0; k < 2; k++) {
			if (!(v = scn_get(c, m, port_keys[k])) ||
			    !(t = scn_scalar(c, v, port_keys[k])))
				continue;
			if (!ports && strcmp(t, "any") != 0) {
				scn_error_at(c, v, "'%s' needs proto udp, tcp, icmp or ipv6-icmp",
				             port_keys[k]);
				continue;
			}
			/* ICMP, ICMPv6: type and code (RFC 4301 §4.4.1.1), 0..255. */
			if (scn_port_value(t, icmp ? 255 : 65535, r[k], err, sizeof(err)))
				scn_error_at(c, v, "%s", err);
		}
		if (icmp) {
			if (!scn_get(c, m, "local_port"))
				p->sel.local_port.hi = 255;
			if (!scn_get(c, m, "remote_port"))
				p->sel.remote_port.hi = 255;
		}
	}

	switch (scn_opt_enum(c, m, "action", action_names, "policy action", &x, NULL)) {
	case 1:
		p->action = (enum ipsec_action)x;
		action_ok = true;
		break;
	case 0:
		scn_missing(c, m, "action", what);
		break;
	}
	if (!action_ok)
		return;
	if (p->action != IPSEC_ACTION_PROTECT) {
		for (int k = 0; k < 2; k++)
			if ((v = scn_get(c, m, k ? "in" : "out")))
				scn_error_at(c, v, "'%s' is only for action protect",
				             k ? "in" : "out");
		return;
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "in" : "out";
		size_t *idx = k ? p->in : p->out;
		yaml_node_t *refs[IPSEC_BUNDLE_MAX];
		int n;

		v = scn_get(c, m, key);
		if (!v) {
			scn_error_at(c, m, "missing '%s' in %s (action protect needs %s SAs)", key,
			             what, k ? "inbound" : "outbound");
			continue;
		}
		n = sa_refs(L, ni, v, key, k ? IPSEC_DIR_IN : IPSEC_DIR_OUT, idx, refs);
		if (n < 0)
			continue;
		if (k)
			p->n_in = (size_t)n;
		else
			p->n_out = (size_t)n;
		/* The SA's own selector is that of the first policy naming it;
		 * an inbound SA checks arrivals against it (RFC 4301 §5.2). */
		for (int i = 0; i < n; i++) {
			struct ipsec_sa_config *cfg = &nd->sas[idx[i]].cfg;

			if (!w->sel_set[idx[i]]) {
				cfg->sel = p->sel;
				w->sel_set[idx[i]] = true;
				w->sel_policy[idx[i]] = (int)pi;
			} else if (k && !same_selector(&cfg->sel, &p->sel)) {
				scn_error_at(
				        c, refs[i],
				        "inbound SA '%s' is already used by policies.%d with other "
				        "selectors: an inbound SA checks what arrives against one "
				        "selector (RFC 4301 §5.2), give this policy its own SA",
				        nd->sas[idx[i]].name, w->sel_policy[idx[i]]);
			}
		}
	}
}

void scn_load_ipsec(struct load *L, size_t ni, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct node_work *w = &L->nw[ni];
	yaml_node_t *v, **spi_nodes;
	int x;

	nd->has_ipsec = true;
	nd->ipsec_default = IPSEC_ACTION_BYPASS;
	nd->nd_bypass = true;
	if (scn_is_null(m))
		return;
	if (!scn_want_map(c, m, "ipsec"))
		return;
	scn_check_keys(c, m, "ipsec", ipsec_keys);
	if (scn_opt_enum(c, m, "default", default_names, "default action", &x, NULL) == 1)
		nd->ipsec_default = (enum ipsec_action)x;
	scn_opt_bool(c, m, "nd_bypass", &nd->nd_bypass);
	v = scn_get(c, m, "sas");
	if (v && scn_want_seq(c, v, "sas")) {
		nd->n_sas = scn_seq_len(v);
		nd->sas = scn_arena_alloc(c->a, nd->n_sas * sizeof(*nd->sas));
		spi_nodes = scn_arena_alloc(c->a, nd->n_sas * sizeof(*spi_nodes));
		for (size_t i = 0; i < nd->n_sas; i++)
			scn_load_sa(L, ni, i, scn_seq_item(c, v, i), spi_nodes);
	}
	w->sel_set = scn_arena_alloc(c->a, nd->n_sas * sizeof(*w->sel_set));
	w->sel_policy = scn_arena_alloc(c->a, nd->n_sas * sizeof(*w->sel_policy));
	v = scn_get(c, m, "policies");
	if (v && scn_want_seq(c, v, "policies")) {
		nd->n_policies = scn_seq_len(v);
		nd->policies = scn_arena_alloc(c->a, nd->n_policies * sizeof(*nd->policies));
		for (size_t i = 0; i < nd->n_policies; i++)
			load_policy(L, ni, i, scn_seq_item(c, v, i));
	}
	/* IKEv2: secrets and authorities first, connections pick theirs. */
	v = scn_get(c, m, "secrets");
	if (v && scn_want_seq(c, v, "secrets"))
		scn_load_ike_secrets(L, ni, v);
	v = scn_get(c, m, "authorities");
	if (v && scn_want_seq(c, v, "authorities"))
		scn_load_ike_authorities(L, ni, v);
	if ((v = scn_get(c, m, "connections")))
		scn_load_ike_conns(L, ni, v);
}
