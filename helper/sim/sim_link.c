/* Cellular links in a run: each `cellular:` link becomes an ns-3 variable
 * link (adapter/variable-link.cc) whose rate, delay and loss follow the
 * processes of link_model.c, scheduled in simulated time; outages and
 * handovers take it down and up; what happened goes to the events,
 * link_stats and link_windows tables (docs/metrics-schema.md).
 *
 * Random draws: process q of direction d of link l draws from
 * link_seed(seed, run, l, 8 * q + d); loss from 8 * 3 + d; outage item i
 * from 64 + i, handover item i from 4096 + i.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_model.h"
#include "ns3c.h"
#include "scenario_cellular.h"
#include "sim_host.h"
#include "sim_internal.h"
#include "units.h"

struct cell_link;

/* One quantity of one direction: its process and the timer driving it. */
struct vary_timer {
	struct cell_dir *d;
	enum scenario_quantity q;
	struct link_process *proc;
};

struct window_row {
	uint64_t start_ns, packets, bytes, lost;
	double rate_bps, delay_ns;
};

struct cell_dir {
	struct cell_link *cl;
	int dir;
	struct vary_timer vary[3];
	struct link_loss *loss;
	double rate_bps, delay_ns; /* in force */
	uint64_t changes[3];       /* how often each quantity changed */
	uint64_t bytes;            /* delivered */
	struct window_row win;     /* the current window */
	struct window_row *rows;
	size_t n_rows, cap_rows;
};

/* One outage or handover item: its timer state. */
struct cell_item {
	struct cell_link *cl;
	size_t index;
	bool handover;
	struct link_rng *rng; /* random items */
	uint64_t end_ns;      /* of the current outage */
	size_t moves;         /* a handover's new addresses taken so far */
};

struct link_event {
	uint64_t at_ns;
	size_t node;
	const char *event;
	char detail[160];
};

struct cell_link {
	struct sim_links *owner;
	size_t link;
	int vl;
	const struct scenario_cellular *cfg;
	struct cell_dir dir[2];
	struct cell_item *items; /* outages, then handovers */
	size_t n_items;
	unsigned down;    /* outages in progress */
	uint32_t ue_addr; /* the UE's address on the link now */
	uint64_t down_since, down_ns, outages, handovers;
};

struct sim_links {
	struct sim *sim;
	struct cell_link *links;
	size_t n;
	struct link_event *events;
	size_t n_events, cap_events;
	bool oom;
};

static const char *const dir_names[2] = {"uplink", "downlink"};

static const char *time_str(uint64_t ns, char *buf, size_t len)
{
	if (ns % 1000000000ULL == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000ULL));
	else
		snprintf(buf, len, "%.6gms", (double)ns * 1e-6);
	return buf;
}

static void record(struct sim_links *sl, size_t node, const char *event, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void record(struct sim_links *sl, size_t node, const char *event, const char *fmt, ...)
{
	if (sl->n_events == sl->cap_events) {
		size_t cap = sl->cap_events ? 2 * sl->cap_events : 64;
		struct link_event *e = realloc(sl->events, cap * sizeof *e);
		if (!e) {
			sl->oom = true;
			return;
		}
		sl->events = e;
		sl->cap_events = cap;
	}
	struct link_event *e = &sl->events[sl->n_events++];
	e->at_ns = ns3c_now_ns();
	e->node = node;
	e->event = event;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
}

static const struct scenario *scen(const struct cell_link *cl)
{
	return cl->owner->sim->s;
}

/* The node a direction's packets leave from. */
static size_t dir_src(const struct cell_dir *d)
{
	return scen(d->cl)->links[d->cl->link].node[d->dir];
}

static size_t dir_dst(const struct cell_dir *d)
{
	return scen(d->cl)->links[d->cl->link].node[1 - d->dir];
}

/* ---- windows ---- */

static void push_row(struct cell_dir *d)
{
	if (d->n_rows == d->cap_rows) {
		size_t cap = d->cap_rows ? 2 * d->cap_rows : 64;
		struct window_row *r = realloc(d->rows, cap * sizeof *r);
		if (!r) {
			d->cl->owner->oom = true;
			return;
		}
		d->rows = r;
		d->cap_rows = cap;
	}
	d->win.rate_bps = d->rate_bps;
	d->win.delay_ns = d->delay_ns;
	d->rows[d->n_rows++] = d->win;
}

/* Closes the windows that end at or before now_ns. */
static void roll_windows(struct cell_dir *d, uint64_t now_ns)
{
	uint64_t w = d->cl->cfg->window_ns;

	while (now_ns >= d->win.start_ns + w) {
		push_row(d);
		d->win = (struct window_row){.start_ns = d->win.start_ns + w};
	}
}

/* ---- loss: asked by the adapter for every packet arriving ---- */

static int on_packet(void *arg, uint32_t bytes)
{
	struct cell_dir *d = arg;
	uint64_t now = ns3c_now_ns();

	roll_windows(d, now);
	bool lost = link_loss_packet(d->loss, now);
	d->win.packets++;
	if (lost) {
		d->win.lost++;
	} else {
		d->win.bytes += bytes;
		d->bytes += bytes;
	}
	return lost;
}

/* ---- rate, delay and loss-rate processes ---- */

static void describe(enum scenario_quantity q, double v, char *buf, size_t len)
{
	if (q == SCENARIO_Q_RATE)
		snprintf(buf, len, "%.6g Mbps", v / 1e6);
	else if (q == SCENARIO_Q_DELAY)
		snprintf(buf, len, "%.6g ms", v / 1e6);
	else
		snprintf(buf, len, "%.6g %%", v * 100);
}

static void apply(struct cell_dir *d, enum scenario_quantity q, double v)
{
	roll_windows(d, ns3c_now_ns());
	switch (q) {
	case SCENARIO_Q_RATE:
		d->rate_bps = v;
		ns3c_vlink_set_rate(d->cl->vl, d->dir, (uint64_t)(v < 1 ? 1 : v));
		break;
	case SCENARIO_Q_DELAY:
		d->delay_ns = v;
		ns3c_vlink_set_delay(d->cl->vl, d->dir, (uint64_t)v);
		break;
	case SCENARIO_Q_LOSS:
		link_loss_set_rate(d->loss, v);
		break;
	}
}

static void on_vary(void *arg)
{
	struct vary_timer *t = arg;
	struct cell_dir *d = t->d;
	uint64_t now = ns3c_now_ns(), next;
	double v = link_process_value(t->proc, now, &next);
	const struct scenario_vary *cfg = &d->cl->cfg->vary[t->q][d->dir];
	static const char *const names[3] = {"link_rate", "link_delay", "link_loss"};

	apply(d, t->q, v);
	if (now > 0)
		d->changes[t->q]++;
	/* Schedule steps are events of the timeline; random draws are too
	 * many for it (link_windows shows them). */
	if (cfg->kind == SCENARIO_VARY_SCHEDULE && now > 0) {
		char val[48];
		describe(t->q, v, val, sizeof val);
		record(d->cl->owner, dir_src(d), names[t->q], "links.%zu %s %s->%s: %s",
		       d->cl->link, dir_names[d->dir], scen(d->cl)->nodes[dir_src(d)].name,
		       scen(d->cl)->nodes[dir_dst(d)].name, val);
	}
	if (next < d->cl->owner->sim->stop_ns)
		ns3c_schedule_at(next, on_vary, t);
}

/* ---- outages and handovers ---- */

static void link_down(struct cell_link *cl)
{
	if (cl->down++ == 0) {
		cl->down_since = ns3c_now_ns();
		ns3c_link_set_up((int)cl->link, 0);
	}
}

static void link_up(struct cell_link *cl)
{
	if (cl->down && --cl->down == 0) {
		cl->down_ns += ns3c_now_ns() - cl->down_since;
		ns3c_link_set_up((int)cl->link, 1);
	}
}

static void schedule_item(struct cell_item *it, uint64_t from_ns);

/* The UE attaches to a cell that gives it its next address: the
 * interface takes it, and IKE hears of it (MOBIKE or reauthentication,
 * model/ike/ike_mobike.c).  IKE-negotiated SAs move; manually keyed SAs stay
 * on the old address. */
static void move_ue(struct cell_item *it)
{
	struct cell_link *cl = it->cl;
	const struct scenario_handover *h = &cl->cfg->handovers[it->index];
	size_t ue = scen(cl)->links[cl->link].node[0];
	struct sim_host *host = cl->owner->sim->nodes[ue].host;
	uint32_t old = cl->ue_addr, next = h->addresses[it->moves++ % h->n_addresses];
	char a[16], b[16];

	if (next == old || ns3c_address_replace((uint32_t)ue, old, next) != 0)
		return;
	cl->ue_addr = next;
	record(cl->owner, ue, "address_change", "links.%zu %s -> %s", cl->link,
	       units_ipv4_str(old, a), units_ipv4_str(next, b));
	if (host && sim_host_ike(host))
		ike_local_address_changed(sim_host_ike(host), ip_addr_v4(old), ip_addr_v4(next));
}

static void on_item_end(void *arg)
{
	struct cell_item *it = arg;
	struct cell_link *cl = it->cl;

	link_up(cl);
	if (it->handover && cl->cfg->handovers[it->index].n_addresses)
		move_ue(it);
	if (!it->handover)
		record(cl->owner, scen(cl)->links[cl->link].node[0], "outage_end", "links.%zu",
		       cl->link);
	schedule_item(it, ns3c_now_ns());
}

static void on_item(void *arg)
{
	struct cell_item *it = arg;
	struct cell_link *cl = it->cl;
	const struct scenario *s = scen(cl);
	size_t ue = s->links[cl->link].node[0];
	uint64_t now = ns3c_now_ns(), len;
	char t[32];

	if (it->handover) {
		const struct scenario_handover *h = &cl->cfg->handovers[it->index];
		size_t mappings = 0;

		len = h->interruption_ns;
		link_down(cl);
		cl->handovers++;
		if (h->nat != SCENARIO_NONE) {
			struct nat *nat = cl->owner->sim->nodes[h->nat].nat;
			nat_expire(nat, now);
			mappings = nat_rebind(nat);
			record(cl->owner, ue, "handover",
			       "links.%zu interruption %s; nat %s rebound %zu mappings", cl->link,
			       time_str(len, t, sizeof t), s->nodes[h->nat].name, mappings);
		} else {
			record(cl->owner, ue, "handover", "links.%zu interruption %s", cl->link,
			       time_str(len, t, sizeof t));
		}
	} else {
		const struct scenario_outage *o = &cl->cfg->outages[it->index];

		len = o->random ? link_rng_exponential_ns(it->rng, o->duration_ns) : o->duration_ns;
		link_down(cl);
		cl->outages++;
		record(cl->owner, ue, "outage_start", "links.%zu for %s", cl->link,
		       time_str(len, t, sizeof t));
	}
	it->end_ns = now + len;
	ns3c_schedule_at(it->end_ns, on_item_end, it);
}

/* Schedules the item's next occurrence after from_ns (a random item:
 * an exponential gap; a fixed one: its time, once). */
static void schedule_item(struct cell_item *it, uint64_t from_ns)
{
	const struct scenario_cellular *cfg = it->cl->cfg;
	bool random;
	uint64_t at, mean;

	if (it->handover) {
		random = cfg->handovers[it->index].random;
		at = cfg->handovers[it->index].at_ns;
		mean = cfg->handovers[it->index].mean_interval_ns;
	} else {
		random = cfg->outages[it->index].random;
		at = cfg->outages[it->index].at_ns;
		mean = cfg->outages[it->index].mean_interval_ns;
	}
	if (!random) {
		if (from_ns == 0)
			ns3c_schedule_at(at, on_item, it);
		return;
	}
	at = from_ns + link_rng_exponential_ns(it->rng, mean);
	if (at < it->cl->owner->sim->stop_ns)
		ns3c_schedule_at(at, on_item, it);
}

/* ---- setup ---- */

static int start_link(struct sim_links *sl, struct cell_link *cl, uint64_t seed, uint64_t run,
                      char *err, size_t errlen)
{
	const struct scenario_link *l = &sl->sim->s->links[cl->link];

	cl->vl = ns3c_vlink_create((uint32_t)l->node[0], (uint32_t)l->iface[0] + 1);
	if (cl->vl < 0) {
		snprintf(err, errlen, "links.%zu: cannot make the link variable", cl->link);
		return -1;
	}
	for (int d = 0; d < 2; d++) {
		struct cell_dir *cd = &cl->dir[d];

		cd->cl = cl;
		cd->dir = d;
		cd->rate_bps = (double)l->rate_bps;
		cd->delay_ns = (double)l->delay_ns;
		cd->loss = link_loss_new(&cl->cfg->vary[SCENARIO_Q_LOSS][d],
		                         link_seed(seed, run, cl->link, 8 * 3 + (uint64_t)d));
		if (!cd->loss)
			goto oom;
		for (int q = 0; q < 3; q++) {
			const struct scenario_vary *v = &cl->cfg->vary[q][d];
			struct vary_timer *t = &cd->vary[q];

			t->d = cd;
			t->q = (enum scenario_quantity)q;
			if (v->kind == SCENARIO_VARY_GILBERT)
				continue;
			t->proc = link_process_new(
			        v, link_seed(seed, run, cl->link, 8 * (uint64_t)q + (uint64_t)d));
			if (!t->proc)
				goto oom;
			on_vary(t); /* the value at 0, and the next change */
		}
		ns3c_vlink_set_loss(cl->vl, d, on_packet, cd);
	}
	cl->ue_addr = scen(cl)->links[cl->link].addr[0];
	cl->n_items = cl->cfg->n_outages + cl->cfg->n_handovers;
	cl->items = calloc(cl->n_items + 1, sizeof *cl->items);
	if (!cl->items)
		goto oom;
	for (size_t i = 0; i < cl->n_items; i++) {
		struct cell_item *it = &cl->items[i];

		it->cl = cl;
		it->handover = i >= cl->cfg->n_outages;
		it->index = it->handover ? i - cl->cfg->n_outages : i;
		it->rng = link_rng_new(
		        link_seed(seed, run, cl->link, (it->handover ? 4096 : 64) + it->index));
		if (!it->rng)
			goto oom;
		schedule_item(it, 0);
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int sim_links_start(struct sim *sim, uint64_t seed, uint64_t run, char *err, size_t errlen)
{
	const struct scenario *s = sim->s;
	size_t n = 0;

	sim->links = NULL;
	for (size_t i = 0; i < s->n_links; i++)
		n += s->links[i].cellular != NULL;
	if (n == 0)
		return 0;
	struct sim_links *sl = calloc(1, sizeof *sl);
	if (!sl || !(sl->links = calloc(n, sizeof *sl->links))) {
		free(sl);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sl->sim = sim;
	sim->links = sl;
	for (size_t i = 0; i < s->n_links; i++) {
		if (!s->links[i].cellular)
			continue;
		struct cell_link *cl = &sl->links[sl->n++];
		cl->owner = sl;
		cl->link = i;
		cl->cfg = s->links[i].cellular;
		if (start_link(sl, cl, seed, run, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* ---- results ---- */

static int write_dir(struct metrics *m, const struct cell_link *cl, struct cell_dir *d,
                     uint64_t end_ns)
{
	const struct scenario *s = scen(cl);
	struct link_loss_stats st;
	char src[SCENARIO_NAME_MAX], dst[SCENARIO_NAME_MAX];

	snprintf(src, sizeof src, "%s", s->nodes[dir_src(d)].name);
	snprintf(dst, sizeof dst, "%s", s->nodes[dir_dst(d)].name);
	link_loss_get_stats(d->loss, &st);
	double down_s = (double)(cl->down_ns + (cl->down ? end_ns - cl->down_since : 0)) * 1e-9;
	if (metrics_insert(m,
	                   "INSERT INTO link_stats VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
	                   "?13,?14,?15,?16,?17,?18)",
	                   "ittttiiididdiiiid", (int64_t)cl->link, dir_names[d->dir], src, dst,
	                   scenario_vary_name(cl->cfg->vary[SCENARIO_Q_LOSS][d->dir].kind),
	                   (int64_t)st.packets, (int64_t)st.lost, (int64_t)d->bytes,
	                   st.packets ? (double)st.lost / (double)st.packets : (double)NAN,
	                   (int64_t)st.bursts,
	                   st.bursts ? (double)st.lost / (double)st.bursts : (double)NAN,
	                   link_loss_mean(d->loss), (int64_t)d->changes[SCENARIO_Q_RATE],
	                   (int64_t)d->changes[SCENARIO_Q_DELAY], (int64_t)cl->outages,
	                   (int64_t)cl->handovers, down_s) != 0)
		return -1;
	/* The windows so far, the one in progress included. */
	roll_windows(d, end_ns);
	if (d->win.start_ns < end_ns)
		push_row(d);
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct window_row *r = &d->rows[i];
		if (metrics_insert(m, "INSERT INTO link_windows VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
		                   "itdiiidd", (int64_t)cl->link, dir_names[d->dir],
		                   (double)r->start_ns * 1e-9, (int64_t)r->packets,
		                   (int64_t)r->bytes, (int64_t)r->lost, r->rate_bps,
		                   r->delay_ns * 1e-6) != 0)
			return -1;
	}
	return 0;
}

int sim_links_write(struct metrics *m, const struct sim *sim, uint64_t end_ns)
{
	struct sim_links *sl = sim->links;

	if (!sl)
		return 0;
	if (sl->oom)
		return -1;
	for (size_t i = 0; i < sl->n; i++)
		for (int d = 0; d < 2; d++)
			if (write_dir(m, &sl->links[i], &sl->links[i].dir[d], end_ns) != 0)
				return -1;
	for (size_t i = 0; i < sl->n_events; i++) {
		const struct link_event *e = &sl->events[i];
		if (metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt",
		                   (double)e->at_ns * 1e-9, sim->s->nodes[e->node].name, NULL,
		                   e->event, e->detail) != 0)
			return -1;
	}
	return 0;
}

void sim_links_free(struct sim_links *sl)
{
	if (!sl)
		return;
	for (size_t i = 0; i < sl->n; i++) {
		struct cell_link *cl = &sl->links[i];
		for (int d = 0; d < 2; d++) {
			link_loss_free(cl->dir[d].loss);
			for (int q = 0; q < 3; q++)
				link_process_free(cl->dir[d].vary[q].proc);
			free(cl->dir[d].rows);
		}
		for (size_t k = 0; k < cl->n_items; k++)
			link_rng_free(cl->items[k].rng);
		free(cl->items);
	}
	free(sl->links);
	free(sl->events);
	free(sl);
	ns3c_vlink_reset();
}
