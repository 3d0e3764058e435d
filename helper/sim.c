#include "sim.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ns3c.h"
#include "paths.h"
#include "sim_internal.h"
#include "tap.h"

/* How often, in simulated time, an interrupt request is looked at. */
#define INTERRUPT_POLL_NS 10000000ULL
/* `realtime: true`: how far the run may fall behind the wall clock before
 * ns-3 aborts it (RealtimeSimulatorImpl's hard limit). */
#define SIM_REALTIME_LIMIT_NS 500000000ULL

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

/* A reboot's end: the node comes up with its configuration. */
static void run_boot(void *arg)
{
	struct sim_timeline *t = arg;
	t->booted = sim_node_up(t->sim, t->sim->s->events[t->index].node) == 0;
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
	case SCENARIO_EVENT_REBOOT:
		t->mappings = sim_node_down(t->sim, e->node);
		if (e->down_ns == 0)
			run_boot(t);
		else if (e->at_ns + e->down_ns < t->sim->stop_ns)
			ns3c_schedule_at(e->at_ns + e->down_ns, run_boot, t);
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
		if (sim_ip_id_start(&sim->nodes[n], id, sim->seed) != 0) {
			fprintf(log, "out of memory\n");
			return -1;
		}
	}
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scenario_link *k = &s->links[l];
		if (k->tap[0]) {
			if (tap_link_build(s, l, log) != 0)
				return -1;
			continue;
		}
		if (k->lte) {
			if (sim_lte_link_build(s, l, log) != 0)
				return -1;
			continue;
		}
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
		if (node->has_ipsec && sim_node_build_ipsec(sim, n, log) != 0)
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
	char err[256];
	if (sim_links_start(sim, o->seed, o->run_number, err, sizeof err) != 0) {
		fprintf(log, "%s: %s\n", s->path, err);
		return -1;
	}
	if (schedule_events(sim) != 0) {
		fprintf(log, "out of memory\n");
		return -1;
	}
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
	sim_links_free(sim->links);
	for (size_t n = 0; n < sim->s->n_nodes; n++) {
		sim_node_free(&sim->nodes[n]);
		attacker_free(sim->nodes[n].attacker);
		nat_free(sim->nodes[n].nat);
		sim_crypto_free(sim->nodes[n].crypto);
		sim_ip_id_free(&sim->nodes[n]);
	}
	free(sim->nodes);
	free(sim->timeline);
	free(sim->events.items);
	sim_ike_log_free(&sim->ike_events);
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

	struct sim sim = {.s = s, .stop_ns = s->duration_ns, .seed = o->seed};
	sim.nodes = calloc(s->n_nodes + 1, sizeof *sim.nodes);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (s->realtime)
		ns3c_init_realtime((uint32_t)o->seed, o->run_number, SIM_REALTIME_LIMIT_NS);
	else
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
	const char *status = sim.failed ? "failed" : interrupted ? "interrupted" : "complete";
	if (summary)
		fprintf(summary,
		        "%s: %s, seed %llu, %.3f s simulated in %.3f s wall, %llu events\n",
		        s->name, status, (unsigned long long)o->seed, (double)end_ns * 1e-9, wall,
		        (unsigned long long)events);
	rc = metrics_begin(&m) == 0 && sim_write_results(&m, &sim, end_ns, summary) == 0 &&
	                     sim_links_write(&m, &sim, end_ns) == 0 &&
	                     metrics_finish(&m, status, (double)end_ns * 1e-9, events, wall) == 0
	             ? 0
	             : 1;
	if (rc)
		fprintf(log, "%s: writing metrics: %s\n", path, sqlite3_errmsg(m.db));
	metrics_close(&m);
	if (sim_export_keys(&sim, o->out_dir) != 0) {
		fprintf(log, "%s/keys: %s\n", o->out_dir, strerror(errno));
		rc = 1;
	}
	teardown(&sim);
	if (summary && !rc)
		fprintf(summary, "results: %s/metrics.sqlite, %s/pcap/, %s/keys/esp_sa\n",
		        o->out_dir, o->out_dir, o->out_dir);
	return rc || interrupted || sim.failed;
}
