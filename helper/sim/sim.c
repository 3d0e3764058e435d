#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ns3c.h"
#include "paths.h"
#include "sim_internal.h"
#include "sim_interrupt.h"
#include "tap.h"

/* `realtime: true`: how far the run may fall behind the wall clock before
 * ns-3 aborts it (RealtimeSimulatorImpl's hard limit). */
#define SIM_REALTIME_LIMIT_NS 500000000ULL

/* A run's progress on a terminal: simulated time, events per second, ETA,
 * redrawn in place from an event every PROGRESS_SIM_NS of simulated time
 * once the run has taken PROGRESS_AFTER_S of wall time. */
#define PROGRESS_SIM_NS 100000000ULL
#define PROGRESS_AFTER_S 2.0
#define PROGRESS_EVERY_S 0.5

struct sim_progress {
	const struct sim *sim;
	FILE *f;
	double t0, drawn_at;
	bool drawn;
	uint64_t fired; /* its own events, left out of the run's count */
};

static double wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void show_progress(void *arg)
{
	struct sim_progress *p = arg;
	double now = wall_now(), elapsed = now - p->t0;
	uint64_t sim_ns = ns3c_now_ns();
	p->fired++;
	if (elapsed >= PROGRESS_AFTER_S && now - p->drawn_at >= PROGRESS_EVERY_S) {
		double done = (double)sim_ns / (double)p->sim->stop_ns;
		fprintf(p->f, "\r\033[K%s: %.1f of %.1f s simulated, %.2f M events/s, ETA %.0f s",
		        p->sim->s->name, (double)sim_ns * 1e-9, (double)p->sim->stop_ns * 1e-9,
		        (double)ns3c_event_count() / elapsed * 1e-6,
		        done > 0 ? elapsed * (1 - done) / done : 0.0);
		fflush(p->f);
		p->drawn_at = now;
		p->drawn = true;
	}
	if (sim_ns + PROGRESS_SIM_NS < p->sim->stop_ns)
		ns3c_schedule_at(sim_ns + PROGRESS_SIM_NS, show_progress, p);
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

/* The scenario's `capture:` for the adapter. */
static int enable_pcap(struct sim *sim, const char *out_dir, FILE *log)
{
	const struct scenario *s = sim->s;
	const struct scenario_capture *c = &s->capture;
	uint8_t *ends = calloc(s->n_links + 1, 1);
	char prefix[4096];
	if (!ends) {
		fprintf(log, "out of memory\n");
		return -1;
	}
	for (size_t l = 0; l < s->n_links; l++)
		ends[l] = (uint8_t)(scenario_captures(s, l, 0) | scenario_captures(s, l, 1) << 1);
	struct ns3c_capture cap = {.ends = ends,
	                           .n_links = s->n_links,
	                           .start_ns = c->start_ns,
	                           .stop_ns = c->stop_ns,
	                           .max_packets = c->max_packets,
	                           .snaplen = c->snaplen};
	snprintf(prefix, sizeof prefix, "%s/pcap/%s", out_dir, s->name);
	int rc = ns3c_enable_pcap(prefix, &cap, sim->failure, sizeof sim->failure);
	free(ends);
	if (rc != 0)
		fprintf(log, "%s\n", sim->failure);
	return rc;
}

static int build(struct sim *sim, const struct sim_options *o, FILE *log)
{
	const struct scenario *s = sim->s;
	for (size_t n = 0; n < s->n_nodes; n++) {
		uint32_t id = ns3c_node_create(s->nodes[n].ipv6);
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
		        .addr6 = {k->addr6[0], k->addr6[1]},
		        .prefix6_len = k->prefix6_len,
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
			ns3c_route_add((uint32_t)n, &node->routes[r].dst,
			               node->routes[r].prefix_len, &node->routes[r].via);
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
	return o->pcap ? enable_pcap(sim, o->out_dir, log) : 0;
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
	char ignored[8];
	struct ns3c_pcap_totals none;
	ns3c_pcap_close(&none, ignored, sizeof ignored); /* those of a run that failed to build */
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

/* Does the run write captures (`--no-pcap`, `capture:`)? */
static bool captures(const struct scenario *s, const struct sim_options *o)
{
	return o->pcap && scenario_captures_any(s);
}

/* The folder's metrics database, which the run replaces: refused unless it
 * is one of ours, so that a wrong --out destroys nothing. */
static int prepare_out(const struct scenario *s, const struct sim_options *o, char *db, size_t len,
                       FILE *log)
{
	char path[4096], why[256];
	if (!scenario_name_valid(s->name)) {
		fprintf(log, "%s: '%s' cannot name output files\n", s->path, s->name);
		return -1;
	}
	snprintf(path, sizeof path, captures(s, o) ? "%s/pcap" : "%s", o->out_dir);
	if (!*o->out_dir || mkdirs(path) != 0) {
		fprintf(log, "%s: cannot create: %s\n", path,
		        strerror(*o->out_dir ? errno : ENOENT));
		return -1;
	}
	snprintf(db, len, "%s/metrics.sqlite", o->out_dir);
	if (metrics_replaceable(db, why, sizeof why) != 0) {
		fprintf(log, "%s: %s; a run replaces it: remove it or choose another --out\n", db,
		        why);
		return -1;
	}
	if (unlink(db) != 0 && errno != ENOENT) {
		fprintf(log, "%s: %s\n", db, strerror(errno));
		return -1;
	}
	return 0;
}

/* What a run writes besides its database: captures and keys. */
static void write_outputs(struct sim *sim, const char *out_dir, struct ns3c_pcap_totals *pcaps,
                          FILE *log)
{
	char why[512] = "";
	if (ns3c_pcap_close(pcaps, why, sizeof why) != 0 || sim_export_keys(sim, out_dir) != 0) {
		if (!why[0])
			snprintf(why, sizeof why, "%s/keys: %s", out_dir, strerror(errno));
		fprintf(log, "%s\n", why);
		if (!sim->failure[0])
			snprintf(sim->failure, sizeof sim->failure, "%s", why);
	}
}

int sim_run(const struct scenario *s, const struct sim_options *o, FILE *summary, FILE *log,
            struct sim_report *report)
{
	char path[4096];
	if (prepare_out(s, o, path, sizeof path, log) != 0)
		return 1;
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
	if (!sim.nodes || build(&sim, o, log) != 0 || sim_interrupt_start() != 0) {
		if (!sim.failure[0])
			snprintf(sim.failure, sizeof sim.failure,
			         "the simulation could not be built");
		if (sim.nodes)
			teardown(&sim);
		if (metrics_abandon(&m, sim.failure) != 0)
			fprintf(log, "%s: %s\n", path, sqlite3_errmsg(m.db));
		metrics_close(&m);
		return 1;
	}

	/* only where a person watches: a terminal, not a sweep's worker */
	struct sim_progress progress = {.sim = &sim, .f = log, .t0 = wall_now()};
	if (summary && !s->realtime && isatty(fileno(log)))
		ns3c_schedule_at(0, show_progress, &progress);
	/* the same count on a terminal or not: the model's events only */
	uint64_t events = ns3c_run(s->duration_ns) - progress.fired;
	if (progress.drawn)
		fprintf(log, "\r\033[K");
	uint64_t end_ns = ns3c_now_ns();
	bool interrupted = sim_interrupt_end();
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
	struct ns3c_pcap_totals pcaps;
	write_outputs(&sim, o->out_dir, &pcaps, log);
	const char *status = sim.failure[0] ? "failed" : interrupted ? "interrupted" : "complete";
	if (summary)
		fprintf(summary,
		        "%s: %s, seed %llu, %.3f s simulated in %.3f s wall, %llu events\n",
		        s->name, status, (unsigned long long)o->seed, (double)end_ns * 1e-9, wall,
		        (unsigned long long)events);
	rc = metrics_begin(&m) == 0 && sim_write_results(&m, &sim, end_ns, summary) == 0 &&
	                     sim_links_write(&m, &sim, end_ns) == 0 &&
	                     metrics_finish(&m, status, sim.failure[0] ? sim.failure : NULL,
	                                    (double)end_ns * 1e-9, events, wall) == 0
	             ? 0
	             : 1;
	if (rc) {
		snprintf(err, sizeof err, "writing metrics: %s", sqlite3_errmsg(m.db));
		fprintf(log, "%s: %s\n", path, err);
		if (metrics_abandon(&m, err) != 0)
			fprintf(log, "%s: cannot even mark the run failed: %s\n", path,
			        sqlite3_errmsg(m.db));
	}
	metrics_close(&m);
	teardown(&sim);
	if (sim.failure[0] && summary)
		fprintf(summary, "%s: failed: %s\n", s->name, sim.failure);
	else if (summary && !rc && captures(s, o))
		fprintf(summary,
		        "results: %s/metrics.sqlite, %s/pcap/ (%llu captures, %llu packets, "
		        "%.1f MB), %s/keys/esp_sa\n",
		        o->out_dir, o->out_dir, (unsigned long long)pcaps.files,
		        (unsigned long long)pcaps.packets, (double)pcaps.bytes / 1e6, o->out_dir);
	else if (summary && !rc)
		fprintf(summary, "results: %s/metrics.sqlite, %s/keys/esp_sa\n", o->out_dir,
		        o->out_dir);
	return rc || interrupted || sim.failure[0];
}
