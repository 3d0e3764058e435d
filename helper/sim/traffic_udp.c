/* One-way UDP senders: when each datagram leaves.
 *
 *   udp      every interval, from start
 *   poisson  a Poisson process: exponential gaps with mean interval, the
 *            first one after start too (ns3c_rng_exponential, the flow's
 *            own ns-3 RNG stream)
 *   onoff    ns-3's OnOffApplication: an off period first, then on and off
 *            in turn; while on, a packet whenever one interval of sending
 *            time has accumulated, counting the time of earlier on periods
 *            since the last packet (OnOffApplication's residual bits), so
 *            the rate while on is kept across periods
 *
 * The datagram is the measurement header and zeros, `size` bytes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "traffic_internal.h"

static void send_datagram(struct flow *f)
{
	const struct scenario_flow *c = f->cfg;
	uint8_t *b = f->t->buf;
	if (!traffic_number(f, f->seq))
		return;
	memset(b, 0, c->size);
	traffic_header(b, TRAFFIC_MAGIC_DATA, (uint32_t)f->index, f->seq, ns3c_now_ns());
	if (ns3c_udp_sendto(f->sock, b, c->size, &c->dst, c->port) >= 0)
		traffic_sent(f, ns3c_now_ns());
	f->seq++;
}

/* An exponential draw with the given mean, in whole ns. */
static uint64_t draw_exp_ns(struct flow *f, uint64_t mean_ns)
{
	return (uint64_t)llround(ns3c_rng_exponential(f->rng, (double)mean_ns));
}

static uint64_t draw_period(struct flow *f, const struct scenario_period *p)
{
	return p->exponential ? draw_exp_ns(f, p->mean_ns) : p->mean_ns;
}

static void udp_next(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint64_t now = ns3c_now_ns();
	send_datagram(f);
	uint64_t next = now + (c->type == SCENARIO_FLOW_POISSON ? draw_exp_ns(f, c->interval_ns)
	                                                        : c->interval_ns);
	if (next < c->stop_ns)
		ns3c_schedule_at(next, udp_next, f);
}

/* ---- onoff ---- */

static void onoff_start_sending(void *arg);

static void onoff_send(void *arg)
{
	struct flow *f = arg;
	f->send_pending = false;
	send_datagram(f);
	f->residual_ns = 0;
	f->last_start_ns = ns3c_now_ns();
	const struct scenario_flow *c = f->cfg;
	uint64_t at = f->last_start_ns + c->interval_ns;
	if (at < c->stop_ns) {
		f->send_event = ns3c_schedule_at(at, onoff_send, f);
		f->send_pending = true;
	}
}

static void onoff_stop_sending(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint64_t now = ns3c_now_ns();
	if (f->send_pending) {
		ns3c_cancel(f->send_event);
		f->send_pending = false;
		f->residual_ns += now - f->last_start_ns;
	}
	uint64_t at = now + draw_period(f, &c->off);
	if (at < c->stop_ns)
		ns3c_schedule_at(at, onoff_start_sending, f);
}

static void onoff_start_sending(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint64_t now = ns3c_now_ns();
	/* The stop event is scheduled first: a packet due at the very end of
	 * the on period is not sent (events at one time run in order). */
	uint64_t stop = now + draw_period(f, &c->on);
	ns3c_schedule_at(stop < c->stop_ns ? stop : c->stop_ns, onoff_stop_sending, f);
	f->last_start_ns = now;
	uint64_t at = now + c->interval_ns - f->residual_ns;
	if (at < c->stop_ns) {
		f->send_event = ns3c_schedule_at(at, onoff_send, f);
		f->send_pending = true;
	}
}

static void onoff_begin(void *arg)
{
	struct flow *f = arg;
	uint64_t at = ns3c_now_ns() + draw_period(f, &f->cfg->off);
	if (at < f->cfg->stop_ns)
		ns3c_schedule_at(at, onoff_start_sending, f);
}

/* A datagram of the flow at its receiver. */
static void count_at_sink(struct sink *k, struct flow *f, const struct ns3c_datagram *d)
{
	(void)k;
	traffic_record_udp(f, d);
}

int traffic_udp_start(struct flow *f, char *err, size_t errlen)
{
	const struct scenario_flow *c = f->cfg;
	f->at_sink = count_at_sink;
	if (c->to != SCENARIO_NONE && !traffic_sink(f->t, c->to, c->port, err, errlen))
		return -1;
	f->sock = traffic_udp_sender(f->t, c->from);
	if (f->sock < 0) {
		snprintf(err, errlen, "flow '%s': cannot open a socket", c->name);
		return -1;
	}
	if (c->type == SCENARIO_FLOW_POISSON ||
	    (c->type == SCENARIO_FLOW_ONOFF && (c->on.exponential || c->off.exponential)))
		f->rng = ns3c_rng_open(TRAFFIC_RNG_STREAM + (int64_t)f->index);
	switch (c->type) {
	case SCENARIO_FLOW_POISSON: {
		uint64_t first = c->start_ns + draw_exp_ns(f, c->interval_ns);
		if (first < c->stop_ns)
			ns3c_schedule_at(first, udp_next, f);
		break;
	}
	case SCENARIO_FLOW_ONOFF:
		ns3c_schedule_at(c->start_ns, onoff_begin, f);
		break;
	default:
		ns3c_schedule_at(c->start_ns, udp_next, f);
	}
	return 0;
}
