/* Traffic: starting the flows (each kind in its traffic_*.c) and the
 * per-flow results. */
#include "traffic.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

/* Bins for the flow's sending time [start, stop) (not for tcp, whose
 * segments carry no send time). */
static int open_bins(struct flow *f)
{
	const struct scenario_flow *c = f->cfg;
	uint64_t w = f->t->bin_ns;
	if (!w || c->type == SCENARIO_FLOW_TCP || c->stop_ns <= c->start_ns)
		return 0;
	f->bin_first = c->start_ns / w;
	f->n_bins = (size_t)((c->stop_ns - 1) / w - f->bin_first + 1);
	f->bin_sent = calloc(f->n_bins, sizeof *f->bin_sent);
	f->bin_received = calloc(f->n_bins, sizeof *f->bin_received);
	f->bin_delay_sum = calloc(f->n_bins, sizeof *f->bin_delay_sum);
	f->bin_delay_max = calloc(f->n_bins, sizeof *f->bin_delay_max);
	return f->bin_sent && f->bin_received && f->bin_delay_sum && f->bin_delay_max ? 0 : -1;
}

static int start_flow(struct flow *f, char *err, size_t errlen)
{
	if (open_bins(f) != 0) {
		snprintf(err, errlen, "flow '%s': out of memory for its flow_bins", f->cfg->name);
		return -1;
	}
	switch (f->cfg->type) {
	case SCENARIO_FLOW_UDP:
	case SCENARIO_FLOW_POISSON:
	case SCENARIO_FLOW_ONOFF:
		return traffic_udp_start(f, err, errlen);
	case SCENARIO_FLOW_PING:
		return traffic_ping_start(f, err, errlen);
	case SCENARIO_FLOW_REQRESP:
		return traffic_reqresp_start(f, err, errlen);
	case SCENARIO_FLOW_TCP:
		return traffic_tcp_start(f, err, errlen);
	}
	return -1;
}

struct traffic *traffic_start(const struct scenario *s, char *err, size_t errlen)
{
	struct traffic *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	size_t n = s->n_flows ? s->n_flows : 1;
	t->n_flows = s->n_flows;
	t->flows = calloc(n, sizeof *t->flows);
	t->sinks = calloc(n, sizeof *t->sinks);
	t->listeners = calloc(n, sizeof *t->listeners);
	t->conns = calloc(n, sizeof *t->conns);
	t->cap_conns = n;
	t->n_nodes = s->n_nodes;
	t->bin_ns = s->flow_bin_ns;
	t->udp_senders = malloc((s->n_nodes + 1) * sizeof *t->udp_senders);
	t->buf_len = 65536;
	t->buf = malloc(t->buf_len);
	if (!t->flows || !t->sinks || !t->listeners || !t->conns || !t->udp_senders || !t->buf)
		goto fail;
	for (size_t i = 0; i < s->n_nodes; i++)
		t->udp_senders[i] = -1;
	for (size_t i = 0; i < s->n_flows; i++)
		t->flows[i] = (struct flow){
		        .cfg = &s->flows[i], .index = i, .t = t, .sock = -1, .rng = -1};
	for (size_t i = 0; i < s->n_flows; i++) {
		struct flow *f = &t->flows[i];
		f->seq_limit = UINT64_MAX;
		if (start_flow(f, err, errlen) != 0)
			goto fail;
	}
	return t;
fail:
	traffic_free(t);
	return NULL;
}

void traffic_result(struct traffic *t, size_t i, struct flow_result *r)
{
	struct flow *f = &t->flows[i];
	const struct scenario_flow *c = f->cfg;
	memset(r, 0, sizeof *r);
	r->completion_s = NAN;
	r->retransmits = -1;
	if (c->type == SCENARIO_FLOW_TCP) {
		traffic_tcp_freeze(f);
		r->sent = f->tx_stats.segments_sent;
		r->received = f->rx_stats.segments_received;
		r->duplicates =
		        f->rx_stats.segments_received > f->rx_stats.segments_accepted
		                ? f->rx_stats.segments_received - f->rx_stats.segments_accepted
		                : 0;
		r->bytes_received = f->bytes;
		r->retransmits = (int64_t)f->tx_stats.retransmits;
		uint64_t active = f->end_ns > c->start_ns ? f->end_ns - c->start_ns : 0;
		if (f->complete)
			r->completion_s = (double)active * 1e-9;
		r->throughput_bps = active ? (double)f->bytes * 8 / ((double)active * 1e-9) : 0;
		r->delay_mean = r->delay_p50 = r->delay_p99 = r->delay_min = r->delay_max = NAN;
		return;
	}
	r->sent = f->sent;
	r->received = f->received;
	r->duplicates = f->duplicates;
	r->bytes_received = f->bytes;
	uint64_t active = c->stop_ns - c->start_ns;
	r->throughput_bps = active ? (double)f->bytes * 8 / ((double)active * 1e-9) : 0;
	/* A flow that received nothing has no delay (NULL in flows), not 0. */
	r->delay_mean = r->delay_p50 = r->delay_p99 = r->delay_min = r->delay_max = NAN;
	if (f->n_delays == 0)
		return;
	gsl_sort(f->delays, 1, f->n_delays);
	r->delay_mean = gsl_stats_mean(f->delays, 1, f->n_delays);
	r->delay_p50 = gsl_stats_quantile_from_sorted_data(f->delays, 1, f->n_delays, 0.5);
	r->delay_p99 = gsl_stats_quantile_from_sorted_data(f->delays, 1, f->n_delays, 0.99);
	r->delay_min = f->delays[0];
	r->delay_max = f->delays[f->n_delays - 1];
}

void traffic_bins(const struct traffic *t, size_t i, struct flow_bins *b)
{
	const struct flow *f = &t->flows[i];
	*b = (struct flow_bins){t->bin_ns,       f->bin_first,     f->n_bins,       f->bin_sent,
	                        f->bin_received, f->bin_delay_sum, f->bin_delay_max};
}

void traffic_free(struct traffic *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->flows && i < t->n_flows; i++) {
		free(t->flows[i].seen);
		free(t->flows[i].delays);
		free(t->flows[i].bin_sent);
		free(t->flows[i].bin_received);
		free(t->flows[i].bin_delay_sum);
		free(t->flows[i].bin_delay_max);
		if (t->flows[i].rng >= 0)
			ns3c_rng_close(t->flows[i].rng);
	}
	free(t->flows);
	free(t->sinks);
	free(t->listeners);
	free(t->conns);
	free(t->udp_senders);
	free(t->buf);
	free(t);
}
