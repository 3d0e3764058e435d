/* Writing a run's measurements into the metrics database
 * (docs/metrics-schema.md), and the summary on stdout. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ns3c.h"
#include "sim_internal.h"

/* A row of attacks: a forging action, or a flood with its kind, target
 * and rate. */
static int write_attack(struct metrics *m, const struct sim *sim, size_t n, size_t a)
{
	const struct scenario_node *nd = &sim->s->nodes[n];
	const struct scenario_attack *at = &nd->attacks[a];
	const struct attacker *att = sim->nodes[n].attacker;
	bool flood = at->action == SCENARIO_ATTACK_FLOOD;
	char target[16];
	return metrics_insert(m, "INSERT INTO attacks VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
	                      "ttdiiittd", nd->name, scenario_attack_name(at->action),
	                      (double)at->at_ns * 1e-9, (int64_t)at->count,
	                      (int64_t)attacker_performed(att, a), (int64_t)attacker_bytes(att, a),
	                      flood ? scenario_flood_kind_name(at->flood.kind) : NULL,
	                      flood ? units_ipv4_str(at->flood.target, target) : NULL,
	                      flood ? at->flood.rate_pps : NAN);
}

static const char *mode_name(enum ipsec_mode m)
{
	return m == IPSEC_MODE_TUNNEL ? "tunnel" : "transport";
}

static const char *event_name(enum ipsec_event_type t)
{
	switch (t) {
	case IPSEC_EV_SOFT_EXPIRE:
		return "soft_expire";
	case IPSEC_EV_HARD_EXPIRE:
		return "hard_expire";
	case IPSEC_EV_SEQ_EXHAUSTED:
		return "seq_exhausted";
	case IPSEC_EV_ACQUIRE:
		return "acquire";
	}
	return "?";
}

/* The SA's name: as in the scenario (with "@bootN" for the life after the
 * node's N-th reboot), or "conn/child#SPI" for one IKE made.  `id` as the
 * logs have it (sim_host_sa_id). */
static const char *sa_name(const struct sim *sim, size_t n, uint32_t id, char *buf, size_t len)
{
	const struct sim_node *sn = &sim->nodes[n];
	for (size_t l = 0; l < sn->n_lives; l++)
		for (size_t i = 0; i < sim->s->nodes[n].n_sas; i++) {
			const struct sim_life *life = &sn->lives[l];
			if (sim_host_sa_id(life->host, life->sa_ids[i]) != id)
				continue;
			if (!l)
				return sim->s->nodes[n].sas[i].name;
			snprintf(buf, len, "%s@boot%u", sim->s->nodes[n].sas[i].name,
			         sim_host_boot(life->host));
			return buf;
		}
	return sim_ike_sa_name(sim, n, id, buf, len);
}

struct sa_writer {
	struct metrics *m;
	const struct sim *sim;
	size_t node;
	struct sim_host *host; /* the life whose SAs are written */
	int rc;
};

static void write_sa(void *arg, uint32_t id)
{
	struct sa_writer *w = arg;
	const char *node = w->sim->s->nodes[w->node].name;
	struct ipsec *engine = sim_host_engine(w->host);
	const struct ipsec_sa_config *c = ipsec_sa_config(engine, id);
	const struct ipsec_sa_stats *st = ipsec_sa_stats(engine, id);
	char buf[2 * IKE_NAME_MAX + 16];
	const char *name = sa_name(w->sim, w->node, sim_host_sa_id(w->host, id), buf, sizeof buf);
	uint64_t drops = 0;
	if (w->rc)
		return;
	for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
		drops += st->drops[r];
		if (st->drops[r] &&
		    metrics_insert(w->m, "INSERT INTO sa_drops VALUES(?1,?2,?3,?4,?5)", "ttti",
		                   node, name, ipsec_drop_name((enum ipsec_drop)r),
		                   (int64_t)st->drops[r]) != 0)
			w->rc = -1;
	}
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	ip_addr_str(&c->src, src);
	ip_addr_str(&c->dst, dst);
	if (metrics_insert(w->m,
	                   "INSERT INTO sas VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
	                   "?13,?14,?15,?16,?17,?18)",
	                   "ttitttttttiiiiiii", node, name, (int64_t)c->spi,
	                   c->dir == IPSEC_DIR_IN ? "in" : "out",
	                   c->protocol == IPSEC_PROTO_ESP ? "esp" : "ah", mode_name(c->mode),
	                   scenario_enc_name(c->enc), scenario_integ_name(c->integ), src, dst,
	                   (int64_t)st->packets, (int64_t)st->bytes, (int64_t)st->seq,
	                   (int64_t)drops, (int64_t)st->soft_expired, (int64_t)st->hard_expired,
	                   (int64_t)c->esn) != 0)
		w->rc = -1;
}

/* The node's drops for `reason` over all its lives. */
static uint64_t node_drops(const struct sim_node *sn, enum ipsec_drop reason)
{
	uint64_t count = 0;
	for (size_t l = 0; l < sn->n_lives; l++)
		count += ipsec_drops(sim_host_engine(sn->lives[l].host), reason);
	return count;
}

/* The drops reasons of the node's IP stacks and devices (ns3c_drops). */
static const char *const stack_drops[NS3C_DROP__COUNT] = {
        [NS3C_DROP_NODE_DOWN] = "node_down",     [NS3C_DROP_LINK_DOWN] = "link_down",
        [NS3C_DROP_LINK_LOSS] = "link_loss",     [NS3C_DROP_QUEUE_FULL] = "queue_full",
        [NS3C_DROP_TTL_EXPIRED] = "ttl_expired", [NS3C_DROP_NO_NEIGHBOR] = "no_neighbor",
        [NS3C_DROP_NO_ROUTE] = "no_route",       [NS3C_DROP_REASSEMBLY] = "reassembly_timeout",
        [NS3C_DROP_IP_OTHER] = "ip_other",       [NS3C_DROP_NO_SOCKET] = "no_socket",
        [NS3C_DROP_L4_CHECKSUM] = "l4_checksum",
};

/* Every SA the node ever had, the scenario's and IKE's, in all its lives,
 * and its drops: the engine's and the stack's. */
static int write_sas(struct metrics *m, const struct sim *sim, size_t n)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	const struct sim_node *sn = &sim->nodes[n];
	for (size_t l = 0; l < sn->n_lives; l++) {
		struct sa_writer w = {m, sim, n, sn->lives[l].host, 0};
		ipsec_sa_foreach(sim_host_engine(w.host), write_sa, &w);
		if (w.rc)
			return -1;
	}
	for (int k = 0; k < NS3C_DROP__COUNT; k++) {
		uint64_t c = ns3c_drops((uint32_t)n, (enum ns3c_drop)k);
		if (c && metrics_insert(m, "INSERT INTO drops VALUES(?1,?2,?3,?4)", "tti",
		                        node->name, stack_drops[k], (int64_t)c) != 0)
			return -1;
	}
	for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
		uint64_t count = node_drops(sn, (enum ipsec_drop)r);
		if (count &&
		    metrics_insert(m, "INSERT INTO drops VALUES(?1,?2,?3,?4)", "tti", node->name,
		                   ipsec_drop_name((enum ipsec_drop)r), (int64_t)count) != 0)
			return -1;
	}
	return 0;
}

static int write_nat(struct metrics *m, const struct sim *sim, size_t n, uint64_t end_ns,
                     FILE *summary)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	struct nat *nat = sim->nodes[n].nat;
	nat_expire(nat, end_ns);
	const struct nat_stats *st = nat_stats(nat);
	uint64_t drops = 0;
	char outside[16];
	units_ipv4_str(node->nat.cfg.outside_addr, outside);
	if (summary)
		fprintf(summary, "nat %s (%s): %llu out, %llu in, %llu mappings", node->name,
		        outside, (unsigned long long)st->translated_out,
		        (unsigned long long)st->translated_in,
		        (unsigned long long)st->mappings_created);
	for (int r = 0; r < NAT_DROP__COUNT; r++) {
		if (!st->drops[r])
			continue;
		drops += st->drops[r];
		if (summary)
			fprintf(summary, ", %s=%llu", nat_drop_name((enum nat_drop)r),
			        (unsigned long long)st->drops[r]);
		if (metrics_insert(m, "INSERT INTO nat_drops VALUES(?1,?2,?3,?4)", "tti",
		                   node->name, nat_drop_name((enum nat_drop)r),
		                   (int64_t)st->drops[r]) != 0)
			return -1;
	}
	if (summary)
		fputc('\n', summary);
	return metrics_insert(m,
	                      "INSERT INTO nat VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
	                      "?14)",
	                      "tttiiiiiiiiii", node->name, outside,
	                      scenario_nat_mapping_name(node->nat.cfg.mapping),
	                      (int64_t)st->translated_out, (int64_t)st->translated_in,
	                      (int64_t)st->passed, (int64_t)drops, (int64_t)st->mappings_created,
	                      (int64_t)st->mappings_expired, (int64_t)st->mappings_flushed,
	                      (int64_t)st->mappings_rebound, (int64_t)st->mappings,
	                      (int64_t)st->peak_mappings);
}

/* A reboot's rows: `reboot` when the node went down (detail: how long,
 * and the NAT mappings it lost), `boot` when it came up again. */
static int write_reboot(struct metrics *m, const struct sim *sim, size_t i)
{
	const struct scenario_event *e = &sim->s->events[i];
	const struct sim_timeline *t = &sim->timeline[i];
	const char *node = sim->s->nodes[e->node].name;
	char detail[96];
	int len = snprintf(detail, sizeof detail, "down %.9g s", (double)e->down_ns * 1e-9);
	if (sim->nodes[e->node].nat)
		snprintf(detail + len, sizeof detail - (size_t)len, ", mappings=%zu", t->mappings);
	if (metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt",
	                   (double)e->at_ns * 1e-9, node, NULL, "reboot", detail) != 0)
		return -1;
	return t->booted ? metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)",
	                                  "dtttt", (double)(e->at_ns + e->down_ns) * 1e-9, node,
	                                  NULL, "boot", NULL)
	                 : 0;
}

/* Scenario events that happened go to the events table with the engines'. */
static int write_timeline(struct metrics *m, const struct sim *sim)
{
	const struct scenario *s = sim->s;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct scenario_event *e = &s->events[i];
		char detail[160];
		const char *node;
		if (!sim->timeline[i].done)
			continue;
		if (e->action == SCENARIO_EVENT_REBOOT) {
			if (write_reboot(m, sim, i) != 0)
				return -1;
			continue;
		}
		if (e->node != SCENARIO_NONE) {
			node = s->nodes[e->node].name;
			snprintf(detail, sizeof detail, "mappings=%zu", sim->timeline[i].mappings);
		} else {
			const struct scenario_link *l = &s->links[e->link];
			node = s->nodes[l->node[0]].name;
			snprintf(detail, sizeof detail, "links.%zu %s-%s", e->link, node,
			         s->nodes[l->node[1]].name);
		}
		if (metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt",
		                   (double)e->at_ns * 1e-9, node, NULL,
		                   scenario_event_name(e->action), detail) != 0)
			return -1;
	}
	return 0;
}

static const char *delay_kind(enum scenario_flow_type t)
{
	switch (t) {
	case SCENARIO_FLOW_PING:
	case SCENARIO_FLOW_REQRESP:
		return "rtt";
	case SCENARIO_FLOW_TCP:
		return "none";
	default:
		return "one-way";
	}
}

static void print_flow(FILE *out, const struct scenario_flow *f, const struct flow_result *r,
                       double loss)
{
	fprintf(out, "  %-16s %-7s %6llu sent %6llu received %5.1f%% lost  ", f->name,
	        scenario_flow_type_name(f->type), (unsigned long long)r->sent,
	        (unsigned long long)r->received, loss * 100);
	if (f->type == SCENARIO_FLOW_TCP) {
		fprintf(out, "%5lld retransmits  ", (long long)r->retransmits);
		if (isnan(r->completion_s))
			fprintf(out, "%-16s", f->bytes ? "incomplete" : "");
		else
			fprintf(out, "done in %7.3f s", r->completion_s);
		fprintf(out, "  %9.3f Mbit/s goodput\n", r->throughput_bps / 1e6);
		return;
	}
	if (isnan(r->delay_mean))
		fprintf(out, "%-30s", "no delay: nothing received");
	else
		fprintf(out, "%s %7.3f ms (p99 %7.3f)",
		        f->type == SCENARIO_FLOW_PING      ? "rtt  "
		        : f->type == SCENARIO_FLOW_REQRESP ? "resp "
		                                           : "delay",
		        r->delay_mean * 1e3, r->delay_p99 * 1e3);
	fprintf(out, "  %9.3f Mbit/s\n", r->throughput_bps / 1e6);
}

/* The flow's bins in which something was sent (metrics.flow_bins); no
 * delay (NULL) where nothing was received. */
static int write_flow_bins(struct metrics *m, const struct sim *sim, size_t i)
{
	struct flow_bins b;
	traffic_bins(sim->traffic, i, &b);
	for (size_t k = 0; k < b.n; k++)
		if (b.sent[k] &&
		    metrics_insert(m, "INSERT INTO flow_bins VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
		                   "tddiiidd", sim->s->flows[i].name,
		                   (double)((b.first + k) * b.width_ns) * 1e-9,
		                   (double)b.width_ns * 1e-9, (int64_t)b.sent[k],
		                   (int64_t)b.received[k],
		                   (int64_t)b.sent[k] - (int64_t)b.received[k],
		                   b.received[k] ? b.delay_sum[k] / b.received[k] * 1e3 : NAN,
		                   b.received[k] ? b.delay_max[k] * 1e3 : NAN) != 0)
			return -1;
	return 0;
}

static int write_flows(struct metrics *m, const struct sim *sim, FILE *summary)
{
	const struct scenario *s = sim->s;
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct scenario_flow *f = &s->flows[i];
		struct flow_result r;
		traffic_result(sim->traffic, i, &r);
		char dst[IP_ADDR_STRLEN];
		ip_addr_str(&f->dst, dst);
		uint64_t lost = r.sent > r.received ? r.sent - r.received : 0;
		double loss = r.sent ? (double)lost / (double)r.sent : 0;
		/* NaN and METRICS_NULL_INT are stored as NULL */
		if (metrics_insert(
		            m,
		            "INSERT INTO flows VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		            "?13,?14,?15,?16,?17,?18,?19,?20)",
		            "ttttiiiiditdddddddi", f->name, scenario_flow_type_name(f->type),
		            s->nodes[f->from].name, dst, (int64_t)r.sent, (int64_t)r.received,
		            (int64_t)lost, (int64_t)r.duplicates, loss, (int64_t)r.bytes_received,
		            delay_kind(f->type), r.delay_mean * 1e3, r.delay_p50 * 1e3,
		            r.delay_p99 * 1e3, r.delay_min * 1e3, r.delay_max * 1e3,
		            r.throughput_bps, r.completion_s,
		            r.retransmits < 0 ? METRICS_NULL_INT : r.retransmits) != 0 ||
		    write_flow_bins(m, sim, i) != 0)
			return -1;
		if (summary)
			print_flow(summary, f, &r, loss);
	}
	return 0;
}

int sim_write_results(struct metrics *m, const struct sim *sim, uint64_t end_ns, FILE *summary)
{
	const struct scenario *s = sim->s;
	if (summary)
		fprintf(summary, "flows:\n");
	if (write_flows(m, sim, summary) != 0)
		return -1;
	for (size_t n = 0; n < s->n_nodes; n++) {
		if (write_sas(m, sim, n) != 0)
			return -1;
		if (sim->nodes[n].nat && write_nat(m, sim, n, end_ns, summary) != 0)
			return -1;
		for (size_t a = 0; a < s->nodes[n].n_attacks; a++)
			if (write_attack(m, sim, n, a) != 0)
				return -1;
	}
	for (size_t i = 0; i < sim->events.n; i++) {
		const struct sim_event *e = &sim->events.items[i];
		char buf[2 * IKE_NAME_MAX + 16];
		if (metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt",
		                   (double)e->time_ns * 1e-9, s->nodes[e->node].name,
		                   sa_name(sim, e->node, e->ev.sa_id, buf, sizeof buf),
		                   event_name(e->ev.type), e->ev.limit) != 0)
			return -1;
	}
	if (write_timeline(m, sim) != 0 || sim_write_ike(m, sim, summary) != 0 ||
	    sim_write_crypto(m, sim, end_ns, summary) != 0)
		return -1;
	if (summary) {
		fprintf(summary, "drops:");
		int any = 0;
		for (size_t n = 0; n < s->n_nodes; n++) {
			for (int k = 0; k < NS3C_DROP__COUNT; k++) {
				uint64_t c = ns3c_drops((uint32_t)n, (enum ns3c_drop)k);
				if (c) {
					fprintf(summary, " %s/%s=%llu", s->nodes[n].name,
					        stack_drops[k], (unsigned long long)c);
					any = 1;
				}
			}
			for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
				uint64_t c = node_drops(&sim->nodes[n], (enum ipsec_drop)r);
				if (c) {
					fprintf(summary, " %s/%s=%llu", s->nodes[n].name,
					        ipsec_drop_name((enum ipsec_drop)r),
					        (unsigned long long)c);
					any = 1;
				}
			}
		}
		fprintf(summary, "%s\n", any ? "" : " none");
	}
	return 0;
}
