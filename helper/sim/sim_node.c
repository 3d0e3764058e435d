/* A node's engines over its lives: built from the scenario at the start,
 * and after each reboot (`events: {action: reboot}`) built again the same
 * way, from nothing but the configuration.
 *
 * A reboot loses all volatile state: the IPsec engine (SAD with sequence
 * numbers, anti-replay windows and lifetime counters; SPD entries IKE
 * added), IKE (every IKE SA, Child SA and half-open SA, retransmission
 * and DPD timers, NAT-T keepalives), the IKE messages and ESP/AH packets
 * the crypto engine held, and a NAT's mappings.  While the node is down it
 * sends and receives nothing (ns3c_node_set_up).  When it comes up, manual
 * SAs start again from sequence number 1 -- which a peer that did not
 * reboot drops as replays (RFC 4303 §3.3.3: a manually keyed SA's counter
 * is not reset without rekeying, which manual keying cannot do) -- and IKE
 * connections start as at time 0: `start` initiates, with INITIAL_CONTACT
 * (RFC 7296 §2.4), `trap` waits for traffic.
 *
 * The engines of an ended life are halted, not freed: their SAs and
 * counters belong in the results, and their ids continue in the next life
 * (sim_host_new). */
#include <stdio.h>
#include <stdlib.h>

#include "ipv4.h"
#include "ns3c.h"
#include "sim_internal.h"

static struct sim_life *new_life(struct sim_node *sn)
{
	struct sim_life *lives = realloc(sn->lives, (sn->n_lives + 1) * sizeof *lives);
	if (!lives)
		return NULL;
	sn->lives = lives;
	lives[sn->n_lives] = (struct sim_life){0};
	return &lives[sn->n_lives++];
}

/* RFC 4301 §4.4.1.1 lets ICMPv6 be selected by type: the node's own
 * neighbour discovery (RFC 4861: router and neighbour solicitations and
 * advertisements, redirects, types 133-137) and multicast listener
 * discovery (RFC 2710, RFC 3810: types 130-132 and 143) bypass IPsec, in
 * both directions, ahead of every other policy -- as strongSwan's
 * documentation has a node configure them (`passthrough` connections), and
 * as it must be for ns-3: duplicate address detection and the answers to
 * neighbour solicitations leave without passing IP's send path, so
 * protecting the rest of ND would break address resolution. */
static int nd_bypass(struct ipsec *engine, char *err, size_t errlen)
{
	static const struct ipsec_range16 types[] = {{133, 137}, {130, 132}, {143, 143}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct ipsec_spd_entry e = {.action = IPSEC_ACTION_BYPASS};
		e.sel.local_addr = ip_range_all(IP_FAMILY_V6);
		e.sel.remote_addr = ip_range_all(IP_FAMILY_V6);
		e.sel.protocol = IPPROTO_NUM_ICMPV6;
		e.sel.local_port = types[i];
		if (ipsec_spd_add(engine, &e, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* The node's addresses, for MOBIKE to announce (RFC 4555 §3.4), as
 * strongSwan announces every address of its host: the first IKE_ADDRS_MAX,
 * IPv4 before IPv6. */
static void announce_addresses(struct ike *ike, const struct scenario_node *node)
{
	struct ip_addr addrs[IKE_ADDRS_MAX];
	size_t n = scenario_node_addresses(node, addrs, IKE_ADDRS_MAX);
	ike_set_local_addresses(ike, addrs, n < IKE_ADDRS_MAX ? n : IKE_ADDRS_MAX);
}

int sim_node_build_ipsec(struct sim *sim, size_t n, FILE *log)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	struct sim_node *sn = &sim->nodes[n];
	const struct sim_host *prev = sn->n_lives ? sn->lives[sn->n_lives - 1].host : NULL;
	struct sim_life *life = new_life(sn);
	char err[256];
	if (!life) {
		fprintf(log, "out of memory\n");
		return -1;
	}
	life->host = sim_host_new((uint32_t)n, sim->seed, prev, &sim->events);
	life->sa_ids = calloc(node->n_sas + 1, sizeof *life->sa_ids);
	if (!life->host || !life->sa_ids) {
		fprintf(log, "out of memory\n");
		return -1;
	}
	sn->host = life->host;
	struct ipsec *engine = sim_host_engine(sn->host);
	for (size_t i = 0; i < node->n_sas; i++) {
		if (ipsec_sa_add(engine, &node->sas[i].cfg, &life->sa_ids[i], err, sizeof err) !=
		    0) {
			fprintf(log, "%s: node %s: SA %s: %s\n", sim->s->path, node->name,
			        node->sas[i].name, err);
			return -1;
		}
	}
	if (node->ipv6 && node->nd_bypass && nd_bypass(engine, err, sizeof err) != 0) {
		fprintf(log, "%s: node %s: nd_bypass: %s\n", sim->s->path, node->name, err);
		return -1;
	}
	for (size_t i = 0; i < node->n_policies; i++) {
		const struct scenario_policy *p = &node->policies[i];
		struct ipsec_spd_entry e = {.sel = p->sel, .action = p->action};
		for (size_t k = 0; k < p->n_out; k++)
			e.sa_out[k] = life->sa_ids[p->out[k]];
		for (size_t k = 0; k < p->n_in; k++)
			e.sa_in[k] = life->sa_ids[p->in[k]];
		if (ipsec_spd_add(engine, &e, err, sizeof err) != 0) {
			fprintf(log, "%s: node %s: policy %zu: %s\n", sim->s->path, node->name,
			        i + 1, err);
			return -1;
		}
	}
	ipsec_spd_set_default(engine, node->ipsec_default);
	ns3c_ipsec_attach((uint32_t)n, engine);
	if (node->has_crypto) {
		/* The crypto hardware outlives a reboot (its counters are the
		 * run's); what it held is lost. */
		if (sn->crypto)
			sim_crypto_reboot(sn->crypto, engine);
		else
			sn->crypto = sim_crypto_new((uint32_t)n, sim->s, engine);
		if (!sn->crypto) {
			fprintf(log, "%s: node %s: crypto_engine: out of memory\n", sim->s->path,
			        node->name);
			return -1;
		}
		ns3c_crypto_attach((uint32_t)n, sim_crypto_packet, sn->crypto);
		sim_host_set_crypto(sn->host, sn->crypto);
	}
	if (!node->n_conns)
		return 0;
	struct ike *ike = sim_host_start_ike(sn->host, &sim->ike_events, err, sizeof err);
	if (!ike) {
		fprintf(log, "%s: node %s: %s\n", sim->s->path, node->name, err);
		return -1;
	}
	announce_addresses(ike, node);
	for (size_t i = 0; i < node->n_conns; i++) {
		if (ike_conn_add(ike, &node->conns[i], err, sizeof err) != 0) {
			fprintf(log, "%s: node %s: connection %s: %s\n", sim->s->path, node->name,
			        node->conns[i].name, err);
			return -1;
		}
	}
	return 0;
}

size_t sim_node_down(struct sim *sim, size_t n)
{
	struct sim_node *sn = &sim->nodes[n];
	size_t mappings = 0;
	ns3c_node_set_up((uint32_t)n, 0);
	if (sn->host) {
		ns3c_ipsec_attach((uint32_t)n, NULL);
		sim_host_halt(sn->host);
		sn->host = NULL;
	}
	if (sn->nat) {
		nat_expire(sn->nat, ns3c_now_ns()); /* only live mappings count */
		mappings = nat_flush(sn->nat);
	}
	return mappings;
}

int sim_node_up(struct sim *sim, size_t n)
{
	ns3c_node_set_up((uint32_t)n, 1);
	if (!sim->s->nodes[n].has_ipsec || sim_node_build_ipsec(sim, n, stderr) == 0)
		return 0;
	snprintf(sim->failure, sizeof sim->failure, "node %s could not be started again",
	         sim->s->nodes[n].name);
	ns3c_stop_now();
	return -1;
}

void sim_node_free(struct sim_node *sn)
{
	for (size_t i = 0; i < sn->n_lives; i++) {
		sim_host_free(sn->lives[i].host);
		free(sn->lives[i].sa_ids);
	}
	free(sn->lives);
}
