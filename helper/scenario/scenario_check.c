/* Scenario loader: can the traffic get there?  Warnings (not errors) about
 * flows that no route, forwarding node or SA carries, and ping replies that
 * cannot come back.
 */
#include "scenario_internal.h"

#include <stdio.h>

/* The first policy of node n matching a packet src -> dst of IP protocol
 * proto, or NULL (the default applies).  Entries restricted to ports are
 * skipped: the ports of the packets are not known here. */
static const struct scenario_policy *spd_match(const struct scenario_node *nd,
                                               const struct ip_addr *src, const struct ip_addr *dst,
                                               uint8_t proto)
{
	for (size_t i = 0; i < nd->n_policies; i++) {
		const struct scenario_policy *p = &nd->policies[i];
		const struct ipsec_selector *sel = &p->sel;
		bool any_ports = sel->local_port.lo == 0 && sel->remote_port.lo == 0 &&
		                 sel->local_port.hi >= 255 && sel->remote_port.hi >= 255;

		if (ip_range_contains(&sel->local_addr, src) &&
		    ip_range_contains(&sel->remote_addr, dst) &&
		    (sel->protocol == 0 || sel->protocol == proto) && any_ports)
			return p;
	}
	return NULL;
}

/* Does a child's side (its traffic selectors, or "dynamic": the IKE
 * address `addr`, unset = any) cover address a for protocol proto?
 * Selectors restricted to ports are skipped, as in spd_match(). */
static bool ts_covers(const struct ike_ts_config *ts, size_t n, const struct ip_addr *addr,
                      const struct ip_addr *a, uint8_t proto)
{
	if (n == 0)
		return !ip_addr_is_set(addr) || ip_addr_eq(addr, a);
	for (size_t i = 0; i < n; i++) {
		bool any_port =
		        ts[i].port_lo == 0 && (ts[i].port_hi == 0 || ts[i].port_hi == 65535);

		if (ip_range_contains(&ts[i].addr, a) &&
		    (ts[i].protocol == 0 || ts[i].protocol == proto) && any_port)
			return true;
	}
	return false;
}

/* The first IKE connection of the node with a child whose selectors cover
 * a packet src -> dst: the policies IKE will install (RFC 7296 §2.9).  They
 * are taken to come after the manual policies.  *child gets the child. */
static const struct ike_conn_config *ike_match(const struct scenario_node *nd,
                                               const struct ip_addr *src, const struct ip_addr *dst,
                                               uint8_t proto, const struct ike_child_config **child)
{
	for (size_t i = 0; i < nd->n_conns; i++) {
		const struct ike_conn_config *c = &nd->conns[i];

		for (size_t k = 0; k < c->n_children; k++) {
			const struct ike_child_config *ch = &c->children[k];

			if (ts_covers(ch->local_ts, ch->n_local_ts, &c->local_addr, src, proto) &&
			    ts_covers(ch->remote_ts, ch->n_remote_ts, &c->remote_addr, dst,
			              proto)) {
				*child = ch;
				return c;
			}
		}
	}
	return NULL;
}

/* Follows a packet src -> dst (IP protocol proto) from node `from`: routes,
 * forwarding, and outbound IPsec (a DISCARD policy drops it; a tunnel-mode
 * SA carries it to the tunnel's far end, which is followed in turn).  On
 * failure, says why in `why` and returns false.  An approximation for
 * warnings: ports and inbound policy checks are not considered. */
static bool reaches(const struct scenario *s, size_t from, const struct ip_addr *src,
                    const struct ip_addr *dst, uint8_t proto, int depth, char *why, size_t len)
{
	size_t cur = from, iface;
	char a[IP_ADDR_STRLEN];

	ip_addr_str(dst, a);

	for (size_t hop = 0; hop <= s->n_nodes; hop++) {
		const struct scenario_node *nd = &s->nodes[cur];
		const struct scenario_policy *p;
		const struct ike_conn_config *conn;
		const struct ike_child_config *child = NULL;
		struct ip_addr tsrc = {0}, tdst = {0};
		uint8_t tproto = 0;
		bool tunnel, ipsec;
		size_t next;

		if (scn_iface_with_addr(nd, dst) != SCENARIO_NONE)
			return true;
		if (hop > 0 && !nd->forwarding) {
			snprintf(why, len, "node '%s' is on the path to %s but does not forward",
			         nd->name, a);
			return false;
		}
		/* The inner packet needs a route too (ns-3 and Linux route before
		 * the outbound IPsec processing). */
		iface = SCENARIO_NONE;
		next = scn_next_hop(s, cur, dst, &iface);
		if (next == SCENARIO_NONE && iface != SCENARIO_NONE)
			return true; /* out of a TAP, to the host: no opinion */
		if (next == SCENARIO_NONE) {
			snprintf(why, len, "node '%s' has no route to %s", nd->name, a);
			return false;
		}
		/* The outer packet of a tunnel leaves its node without another
		 * SPD lookup (RFC 4301 §5.1: it is the output of IPsec). */
		ipsec = nd->has_ipsec && !(hop == 0 && depth > 0);
		p = ipsec ? spd_match(nd, src, dst, proto) : NULL;
		conn = ipsec && !p ? ike_match(nd, src, dst, proto, &child) : NULL;
		if ((p && p->action == IPSEC_ACTION_DISCARD) ||
		    (!p && !conn && ipsec && nd->ipsec_default == IPSEC_ACTION_DISCARD)) {
			snprintf(why, len, "node '%s' discards packets to %s (%s)", nd->name, a,
			         p ? "a discard policy" : "default: discard");
			return false;
		}
		tunnel = false;
		if (p && p->action == IPSEC_ACTION_PROTECT && p->n_out) {
			/* The outermost SA of the bundle decides where it goes. */
			const struct ipsec_sa_config *sa = &nd->sas[p->out[p->n_out - 1]].cfg;

			tunnel = sa->mode == IPSEC_MODE_TUNNEL;
			tsrc = sa->src;
			tdst = sa->dst;
			tproto = (uint8_t)sa->protocol;
		} else if (conn && child->mode == IPSEC_MODE_TUNNEL) {
			if (!ip_addr_is_set(&conn->remote_addr))
				return true; /* a responder to any peer: no opinion */
			tunnel = true;
			tsrc = conn->local_addr;
			tdst = conn->remote_addr;
			tproto = conn->encap ? 17 : 50; /* RFC 3948 UDP, or ESP */
		}
		if (tunnel && !ip_addr_eq(&tdst, dst)) {
			size_t far = scn_addr_owner(s, &tdst);

			if (depth > 3)
				return true; /* too nested to follow: no opinion */
			if (far == SCENARIO_NONE) {
				snprintf(why, len,
				         "the tunnel from '%s' leads to %s, which no node has",
				         nd->name, ip_addr_str(&tdst, a));
				return false;
			}
			if (!reaches(s, cur, &tsrc, &tdst, tproto, depth + 1, why, len))
				return false;
			if (s->nodes[far].has_nat)
				return true; /* to a NAT's outside address */
			cur = far;           /* decapsulated there, routed on */
			continue;
		}
		cur = next;
	}
	snprintf(why, len, "the routes to %s go round in a loop", a);
	return false;
}

/* The last NAT box on the routed path from node `from` to dst, or
 * SCENARIO_NONE.  Replies then go to its outside address, and it sends them
 * on to the address the packet had before it (the previous NAT's outside
 * address, or the sender's). */
static size_t last_nat(const struct scenario *s, size_t from, const struct ip_addr *dst)
{
	size_t cur = from, iface, found = SCENARIO_NONE;

	if (dst->family != IP_FAMILY_V4)
		return found; /* NATs translate IPv4 only */
	for (size_t hop = 0; hop <= s->n_nodes; hop++) {
		if (scn_iface_with_addr(&s->nodes[cur], dst) != SCENARIO_NONE)
			break;
		if (hop > 0 && s->nodes[cur].has_nat)
			found = cur;
		cur = scn_next_hop(s, cur, dst, &iface);
		if (cur == SCENARIO_NONE)
			break;
	}
	return found;
}

/* Can the replies to a packet src -> dst sent from `from` come back?  Past
 * a NAT they go to its outside address, and from there to what the
 * packet's source was when it reached the NAT (recursively). */
static bool replies_reach(const struct scenario *s, size_t from, const struct ip_addr *src,
                          size_t to, const struct ip_addr *dst, uint8_t proto, int depth, char *why,
                          size_t len)
{
	size_t nat = last_nat(s, from, dst);

	if (nat == SCENARIO_NONE || depth > 8)
		return reaches(s, to, dst, src, proto, 0, why, len);
	struct ip_addr outside = ip_addr_v4(s->nodes[nat].ifaces[s->nodes[nat].nat.outside].addr);
	return reaches(s, to, dst, &outside, proto, 0, why, len) &&
	       replies_reach(s, from, src, nat, &outside, proto, depth + 1, why, len);
}

/* Warns about flows whose packets (or, for ping, tcp and reqresp, replies)
 * cannot arrive.
 * Only a warning: a black hole may be what the experiment is about. */
void scn_check_reachability(struct load *L)
{
	const struct scenario *s = L->s;

	for (size_t i = 0; i < s->n_flows; i++) {
		const struct scenario_flow *f = &s->flows[i];
		yaml_node_t *tov = scn_get(L->c, L->flow_maps[i], "to");
		uint8_t ping = f->dst.family == IP_FAMILY_V6 ? 58 : 1; /* ICMPv6, ICMP */
		uint8_t proto = f->type == SCENARIO_FLOW_PING  ? ping
		                : f->type == SCENARIO_FLOW_TCP ? 6
		                                               : 17;
		/* ping, tcp and reqresp need packets back too */
		bool two_way = f->type == SCENARIO_FLOW_PING || f->type == SCENARIO_FLOW_TCP ||
		               f->type == SCENARIO_FLOW_REQRESP;
		char why[200];
		size_t iface = 0;
		struct ip_addr src;
		uint8_t plen;

		if (f->to == SCENARIO_NONE ||
		    scn_next_hop(s, f->from, &f->dst, &iface) == SCENARIO_NONE) {
			if (f->to != SCENARIO_NONE)
				scn_warn_at(
				        L->c, tov,
				        "traffic '%s' cannot reach %s: node '%s' has no route to "
				        "it",
				        f->name, s->nodes[f->to].name, s->nodes[f->from].name);
			continue; /* to an address nobody has: deliberate */
		}
		if (!scn_iface_addr(&s->nodes[f->from].ifaces[iface], f->dst.family, &src, &plen))
			continue; /* (the next hop's interface has one) */
		if (!reaches(s, f->from, &src, &f->dst, proto, 0, why, sizeof(why)))
			scn_warn_at(L->c, tov, "traffic '%s' cannot reach %s: %s", f->name,
			            s->nodes[f->to].name, why);
		else if (two_way && !replies_reach(s, f->from, &src, f->to, &f->dst, proto, 0, why,
		                                   sizeof(why)))
			scn_warn_at(L->c, tov, "the replies of traffic '%s' cannot come back: %s",
			            f->name, why);
	}
}
