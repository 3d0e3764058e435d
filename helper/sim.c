#include "sim.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"
#include "keys.h"
#include "metrics.h"
#include "ns3c.h"
#include "paths.h"
#include "sim_host.h"
#include "traffic.h"

/* How often, in simulated time, an interrupt request is looked at. */
#define INTERRUPT_POLL_NS 10000000ULL

struct sim_node {
	struct sim_host *host; /* NULL without ipsec */
	uint32_t *sa_ids;      /* engine id of each scenario SA */
	struct attacker *attacker;
	struct nat *nat; /* NULL unless the node is a NAT */
};

/* A scenario event (`events:`) and what became of it. */
struct sim_timeline {
	struct sim *sim;
	size_t index; /* into scenario.events */
	bool done;
	size_t mappings; /* NAT events: how many mappings were dropped or moved */
};

struct sim {
	const struct scenario *s;
	struct sim_node *nodes;
	struct sim_timeline *timeline;
	struct traffic *traffic;
	struct sim_event_log events;
	uint64_t stop_ns;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void poll_interrupt(void *arg)
{
	struct sim *sim = arg;
	if (interrupted) {
		ns3c_stop_now();
		return;
	}
	uint64_t next = ns3c_now_ns() + INTERRUPT_POLL_NS;
	if (next < sim->stop_ns)
		ns3c_schedule_at(next, poll_interrupt, sim);
}

static void ip_text(char *buf, uint32_t a)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int build_ipsec(struct sim *sim, size_t n, uint64_t seed, FILE *log)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	struct sim_node *sn = &sim->nodes[n];
	char err[256];
	sn->host = sim_host_new((uint32_t)n, seed, &sim->events);
	sn->sa_ids = calloc(node->n_sas + 1, sizeof *sn->sa_ids);
	if (!sn->host || !sn->sa_ids) {
		fprintf(log, "out of memory\n");
		return -1;
	}
	struct ipsec *engine = sim_host_engine(sn->host);
	for (size_t i = 0; i < node->n_sas; i++) {
		if (ipsec_sa_add(engine, &node->sas[i].cfg, &sn->sa_ids[i], err, sizeof err) != 0) {
			fprintf(log, "%s: node %s: SA %s: %s\n", sim->s->path, node->name,
			        node->sas[i].name, err);
			return -1;
		}
	}
	for (size_t i = 0; i < node->n_policies; i++) {
		const struct scenario_policy *p = &node->policies[i];
		struct ipsec_spd_entry e = {.sel = p->sel, .action = p->action};
		for (size_t k = 0; k < p->n_out; k++)
			e.sa_out[k] = sn->sa_ids[p->out[k]];
		for (size_t k = 0; k < p->n_in; k++)
			e.sa_in[k] = sn->sa_ids[p->in[k]];
		if (ipsec_spd_add(engine, &e, err, sizeof err) != 0) {
			fprintf(log, "%s: node %s: policy %zu: %s\n", sim->s->path, node->name,
			        i + 1, err);
			return -1;
		}
	}
	ipsec_spd_set_default(engine, node->ipsec_default);
	ns3c_ipsec_attach((uint32_t)n, engine);
	return 0;
}

static int build_nat(struct sim *sim, size_t n, FILE *log)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	char err[256];
	sim->nodes[n].nat = nat_new(&node->nat.cfg, err, sizeof err);
	if (!sim->nodes[n].nat) {
		fprintf(log, "%s: node %s: nat: %s\n", sim->s->path, node->name, err);
		return -1;
	}
	/* ns-3 interface 0 is the loopback; the links follow in order. */
	ns3c_nat_attach((uint32_t)n, sim->nodes[n].nat, (uint32_t)node->nat.outside + 1);
	return 0;
}

static void run_event(void *arg)
{
	struct sim_timeline *t = arg;
	const struct scenario_event *e = &t->sim->s->events[t->index];
	struct nat *nat = e->node != SCENARIO_NONE ? t->sim->nodes[e->node].nat : NULL;
	switch (e->action) {
	case SCENARIO_EVENT_NAT_FLUSH:
		nat_expire(nat, ns3c_now_ns()); /* only live mappings count */
		t->mappings = nat_flush(nat);
		break;
	case SCENARIO_EVENT_NAT_REBIND:
		nat_expire(nat, ns3c_now_ns());
		t->mappings = nat_rebind(nat);
		break;
	case SCENARIO_EVENT_LINK_DOWN:
	case SCENARIO_EVENT_LINK_UP:
		ns3c_link_set_up((int)e->link, e->action == SCENARIO_EVENT_LINK_UP);
		break;
	}
	t->done = true;
}

static int schedule_events(struct sim *sim)
{
	const struct scenario *s = sim->s;
	sim->timeline = calloc(s->n_events + 1, sizeof *sim->timeline);
	if (!sim->timeline)
		return -1;
	for (size_t i = 0; i < s->n_events; i++) {
		sim->timeline[i] = (struct sim_timeline){.sim = sim, .index = i};
		ns3c_schedule_at(s->events[i].at_ns, run_event, &sim->timeline[i]);
	}
	return 0;
}

static int build(struct sim *sim, const struct sim_options *o, FILE *log)
{
	const struct scenario *s = sim->s;
	for (size_t n = 0; n < s->n_nodes; n++) {
		uint32_t id = ns3c_node_create();
		ns3c_node_set_name(id, s->nodes[n].name);
	}
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scenario_link *k = &s->links[l];
		struct ns3c_p2p cfg = {
		        .rate_bps = k->rate_bps,
		        .delay_ns = k->delay_ns,
		        .mtu = k->mtu,
		        .queue_packets = k->queue,
		        .loss = k->loss,
		        .addr = {k->addr[0], k->addr[1]},
		        .prefix_len = {k->prefix_len, k->prefix_len},
		};
		if (ns3c_link_p2p((uint32_t)k->node[0], (uint32_t)k->node[1], &cfg) < 0) {
			fprintf(log, "cannot create link %zu\n", l);
			return -1;
		}
	}
	for (size_t n = 0; n < s->n_nodes; n++) {
		const struct scenario_node *node = &s->nodes[n];
		ns3c_node_set_forwarding((uint32_t)n, node->forwarding);
		for (size_t r = 0; r < node->n_routes; r++)
			ns3c_route_add((uint32_t)n, node->routes[r].dst, node->routes[r].prefix_len,
			               node->routes[r].via);
		if (node->has_ipsec && build_ipsec(sim, n, o->seed, log) != 0)
			return -1;
		if (node->n_attacks) {
			sim->nodes[n].attacker =
			        attacker_install((uint32_t)n, node->attacks, node->n_attacks);
			if (!sim->nodes[n].attacker)
				return -1;
		}
		if (node->has_nat && build_nat(sim, n, log) != 0)
			return -1;
	}
	if (schedule_events(sim) != 0) {
		fprintf(log, "out of memory\n");
		return -1;
	}
	char err[256];
	sim->traffic = traffic_start(s, err, sizeof err);
	if (!sim->traffic) {
		fprintf(log, "%s: %s\n", s->path, err);
		return -1;
	}
	if (o->pcap) {
		char prefix[4096];
		snprintf(prefix, sizeof prefix, "%s/pcap/%s", o->out_dir, s->name);
		ns3c_enable_pcap(prefix);
	}
	return 0;
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

static const char *sa_name(const struct sim *sim, size_t n, uint32_t id)
{
	for (size_t i = 0; i < sim->s->nodes[n].n_sas; i++)
		if (sim->nodes[n].sa_ids[i] == id)
			return sim->s->nodes[n].sas[i].name;
	return NULL;
}

static int write_sas(struct metrics *m, const struct sim *sim, size_t n)
{
	const struct scenario_node *node = &sim->s->nodes[n];
	struct ipsec *engine = sim_host_engine(sim->nodes[n].host);
	for (size_t i = 0; i < node->n_sas; i++) {
		const struct ipsec_sa_config *c = &node->sas[i].cfg;
		const struct ipsec_sa_stats *st = ipsec_sa_stats(engine, sim->nodes[n].sa_ids[i]);
		uint64_t drops = 0;
		for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
			drops += st->drops[r];
			if (st->drops[r] &&
			    metrics_insert(m, "INSERT INTO sa_drops VALUES(?1,?2,?3,?4,?5)", "ttti",
			                   node->name, node->sas[i].name,
			                   ipsec_drop_name((enum ipsec_drop)r),
			                   (int64_t)st->drops[r]) != 0)
				return -1;
		}
		char src[16], dst[16];
		ip_text(src, c->src);
		ip_text(dst, c->dst);
		if (metrics_insert(m,
		                   "INSERT INTO sas VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		                   "?13,?14,?15,?16,?17)",
		                   "ttitttttttiiiiii", node->name, node->sas[i].name,
		                   (int64_t)c->spi, c->dir == IPSEC_DIR_IN ? "in" : "out",
		                   c->protocol == IPSEC_PROTO_ESP ? "esp" : "ah",
		                   mode_name(c->mode), scenario_enc_name(c->enc),
		                   scenario_integ_name(c->integ), src, dst, (int64_t)st->packets,
		                   (int64_t)st->bytes, (int64_t)st->seq, (int64_t)drops,
		                   (int64_t)st->soft_expired, (int64_t)st->hard_expired) != 0)
			return -1;
	}
	for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
		uint64_t count = ipsec_drops(engine, (enum ipsec_drop)r);
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
	ip_text(outside, node->nat.cfg.outside_addr);
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

static int write_flows(struct metrics *m, const struct sim *sim, FILE *summary)
{
	const struct scenario *s = sim->s;
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct scenario_flow *f = &s->flows[i];
		struct flow_result r;
		traffic_result(sim->traffic, i, &r);
		char dst[16];
		ip_text(dst, f->dst);
		uint64_t lost = r.sent - r.received;
		double loss = r.sent ? (double)lost / (double)r.sent : 0;
		bool udp = f->type == SCENARIO_FLOW_UDP;
		if (metrics_insert(
		            m,
		            "INSERT INTO flows VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		            "?13,?14,?15,?16,?17,?18)",
		            "ttttiiiiditdddddd", f->name, udp ? "udp" : "ping",
		            s->nodes[f->from].name, dst, (int64_t)r.sent, (int64_t)r.received,
		            (int64_t)lost, (int64_t)r.duplicates, loss, (int64_t)r.bytes_received,
		            udp ? "one-way" : "rtt", r.delay_mean * 1e3, r.delay_p50 * 1e3,
		            r.delay_p99 * 1e3, r.delay_min * 1e3, r.delay_max * 1e3,
		            r.throughput_bps) != 0)
			return -1;
		if (summary)
			fprintf(summary,
			        "  %-16s %-4s %6llu sent %6llu received %5.1f%% lost  %s %7.3f ms "
			        "(p99 %7.3f)  %9.3f Mbit/s\n",
			        f->name, udp ? "udp" : "ping", (unsigned long long)r.sent,
			        (unsigned long long)r.received, loss * 100, udp ? "delay" : "rtt  ",
			        r.delay_mean * 1e3, r.delay_p99 * 1e3, r.throughput_bps / 1e6);
	}
	return 0;
}

static int write_results(struct metrics *m, const struct sim *sim, uint64_t end_ns, FILE *summary)
{
	const struct scenario *s = sim->s;
	if (summary)
		fprintf(summary, "flows:\n");
	if (write_flows(m, sim, summary) != 0)
		return -1;
	for (size_t n = 0; n < s->n_nodes; n++) {
		if (sim->nodes[n].host && write_sas(m, sim, n) != 0)
			return -1;
		if (sim->nodes[n].nat && write_nat(m, sim, n, end_ns, summary) != 0)
			return -1;
		for (size_t a = 0; a < s->nodes[n].n_attacks; a++) {
			const struct scenario_attack *at = &s->nodes[n].attacks[a];
			if (metrics_insert(
			            m, "INSERT INTO attacks VALUES(?1,?2,?3,?4,?5,?6)", "ttdii",
			            s->nodes[n].name, scenario_attack_name(at->action),
			            (double)at->at_ns * 1e-9, (int64_t)at->count,
			            (int64_t)attacker_performed(sim->nodes[n].attacker, a)) != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < sim->events.n; i++) {
		const struct sim_event *e = &sim->events.items[i];
		if (metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt",
		                   (double)e->time_ns * 1e-9, s->nodes[e->node].name,
		                   sa_name(sim, e->node, e->ev.sa_id), event_name(e->ev.type),
		                   e->ev.limit) != 0)
			return -1;
	}
	if (write_timeline(m, sim) != 0)
		return -1;
	if (summary) {
		fprintf(summary, "ipsec drops:");
		int any = 0;
		for (size_t n = 0; n < s->n_nodes; n++) {
			if (!sim->nodes[n].host)
				continue;
			for (int r = 0; r < IPSEC_DROP__COUNT; r++) {
				uint64_t c = ipsec_drops(sim_host_engine(sim->nodes[n].host),
				                         (enum ipsec_drop)r);
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

static char *join_sets(const struct scenario *s)
{
	size_t len = 1;
	for (size_t i = 0; i < s->n_sets; i++)
		len += strlen(s->sets[i]) + 1;
	char *out = calloc(1, len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->n_sets; i++) {
		strcat(out, s->sets[i]);
		strcat(out, "\n");
	}
	return out;
}

static void teardown(struct sim *sim)
{
	ns3c_destroy();
	traffic_free(sim->traffic);
	for (size_t n = 0; n < sim->s->n_nodes; n++) {
		sim_host_free(sim->nodes[n].host);
		free(sim->nodes[n].sa_ids);
		attacker_free(sim->nodes[n].attacker);
		nat_free(sim->nodes[n].nat);
	}
	free(sim->nodes);
	free(sim->timeline);
	free(sim->events.items);
}

int sim_run(const struct scenario *s, const struct sim_options *o, FILE *summary, FILE *log,
            struct sim_report *report)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/pcap", o->out_dir);
	if (mkdirs(path) != 0) {
		fprintf(log, "%s: cannot create: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/metrics.sqlite", o->out_dir);
	unlink(path);
	char *overrides = join_sets(s);
	struct metrics m;
	char err[512];
	struct metrics_run_info info = {.scenario_name = s->name,
	                                .scenario_path = s->path,
	                                .scenario_text = s->text,
	                                .overrides = overrides ? overrides : "",
	                                .seed = o->seed,
	                                .run_number = o->run_number,
	                                .run_id = o->run_id,
	                                .config_id = o->config_id};
	int rc = metrics_open(&m, path, &info, err, sizeof err);
	free(overrides);
	if (rc != 0) {
		fprintf(log, "%s\n", err);
		return 1;
	}

	struct sim sim = {.s = s, .stop_ns = s->duration_ns};
	sim.nodes = calloc(s->n_nodes + 1, sizeof *sim.nodes);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ns3c_init((uint32_t)o->seed, o->run_number);
	if (!sim.nodes || build(&sim, o, log) != 0) {
		if (sim.nodes)
			teardown(&sim);
		metrics_begin(&m);
		metrics_finish(&m, "failed", 0, 0, 0);
		metrics_close(&m);
		return 1;
	}

	interrupted = 0;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ns3c_schedule_at(0, poll_interrupt, &sim);
	uint64_t events = ns3c_run(s->duration_ns);
	uint64_t end_ns = ns3c_now_ns();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;

	if (report) {
		*report = (struct sim_report){.wall_seconds = wall, .events = events};
		for (size_t i = 0; i < s->n_flows; i++) {
			struct flow_result r;
			traffic_result(sim.traffic, i, &r);
			report->packets_received += r.received;
		}
	}
	const char *status = interrupted ? "interrupted" : "complete";
	if (summary)
		fprintf(summary,
		        "%s: %s, seed %llu, %.3f s simulated in %.3f s wall, %llu events\n",
		        s->name, status, (unsigned long long)o->seed, (double)end_ns * 1e-9, wall,
		        (unsigned long long)events);
	rc = metrics_begin(&m) == 0 && write_results(&m, &sim, end_ns, summary) == 0 &&
	                     metrics_finish(&m, status, (double)end_ns * 1e-9, events, wall) == 0
	             ? 0
	             : 1;
	if (rc)
		fprintf(log, "%s: writing metrics: %s\n", path, sqlite3_errmsg(m.db));
	metrics_close(&m);
	teardown(&sim);
	if (keys_export(o->out_dir, s) != 0) {
		fprintf(log, "%s/keys: %s\n", o->out_dir, strerror(errno));
		rc = 1;
	}
	if (summary && !rc)
		fprintf(summary, "results: %s/metrics.sqlite, %s/pcap/, %s/keys/esp_sa\n",
		        o->out_dir, o->out_dir, o->out_dir);
	return rc || interrupted;
}
