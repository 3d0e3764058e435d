#include "traffic.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"
#include "ns3c.h"

#define UDP_MAGIC 0x49505331u /* "IPS1" */
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define PING_ID_BASE 0x4000

struct flow {
	const struct scenario_flow *cfg;
	size_t index;
	struct traffic *t;
	int sock;
	uint64_t seq; /* next to send */
	uint64_t sent, received, duplicates, bytes;
	uint8_t *seen; /* bitmap of received sequence numbers */
	uint64_t seen_bits;
	double *delays;
	size_t n_delays, cap_delays;
};

/* One UDP socket per (node, port) receives for every flow sent to it. */
struct sink {
	struct traffic *t;
	size_t node;
	uint16_t port;
};

struct traffic {
	struct flow *flows;
	size_t n_flows;
	struct sink *sinks;
	size_t n_sinks;
	uint8_t *buf;
	size_t buf_len;
};

static void record(struct flow *f, uint64_t seq, uint64_t sent_ns, size_t bytes)
{
	if (seq >= f->seen_bits)
		return;
	if (f->seen[seq / 8] & (1u << (seq % 8))) {
		f->duplicates++;
		return;
	}
	f->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	f->received++;
	f->bytes += bytes;
	if (f->n_delays == f->cap_delays) {
		size_t cap = f->cap_delays ? 2 * f->cap_delays : 256;
		double *d = realloc(f->delays, cap * sizeof *d);
		if (!d)
			return;
		f->delays = d;
		f->cap_delays = cap;
	}
	f->delays[f->n_delays++] = (double)(ns3c_now_ns() - sent_ns) * 1e-9;
}

static void udp_rx(void *arg, const struct ns3c_datagram *d)
{
	struct sink *k = arg;
	const uint8_t *data = d->data;
	size_t len = d->len;
	if (len < TRAFFIC_UDP_HEADER || get_be32(data) != UDP_MAGIC)
		return;
	uint32_t i = get_be32(data + 4);
	if (i >= k->t->n_flows)
		return;
	struct flow *f = &k->t->flows[i];
	if (f->cfg->type != SCENARIO_FLOW_UDP || f->cfg->to != k->node || f->cfg->port != k->port)
		return;
	uint64_t seq = (uint64_t)get_be32(data + 8) << 32 | get_be32(data + 12);
	uint64_t sent = (uint64_t)get_be32(data + 16) << 32 | get_be32(data + 20);
	record(f, seq, sent, len);
}

/* Echo replies reach every raw ICMP socket of the node: match the id. */
static void ping_rx(void *arg, const struct ns3c_datagram *d)
{
	struct flow *f = arg;
	const uint8_t *pkt = d->data;
	size_t len = d->len;
	struct ipv4_view ip;
	if (ipv4_parse(pkt, len, &ip) != 0 || ip.proto != IPPROTO_NUM_ICMP)
		return;
	const uint8_t *icmp = pkt + ip.hdr_len;
	size_t icmp_len = ip.total_len - ip.hdr_len;
	if (icmp_len < 8 + TRAFFIC_PING_HEADER || icmp[0] != ICMP_ECHO_REPLY ||
	    get_be16(icmp + 4) != PING_ID_BASE + f->index)
		return;
	uint64_t sent = (uint64_t)get_be32(icmp + 8) << 32 | get_be32(icmp + 12);
	record(f, get_be16(icmp + 6), sent, icmp_len - 8);
}

static void send_next(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint8_t *b = f->t->buf;
	uint64_t now = ns3c_now_ns();
	if (c->type == SCENARIO_FLOW_UDP) {
		memset(b, 0, c->size);
		put_be32(b, UDP_MAGIC);
		put_be32(b + 4, (uint32_t)f->index);
		put_be64(b + 8, f->seq);
		put_be64(b + 16, now);
		if (ns3c_udp_sendto(f->sock, b, c->size, c->dst, c->port) >= 0)
			f->sent++;
	} else {
		/* RFC 792 echo request; the data starts with the send time. */
		size_t len = 8 + c->size;
		memset(b, 0, len);
		b[0] = ICMP_ECHO_REQUEST;
		put_be16(b + 4, (uint16_t)(PING_ID_BASE + f->index));
		put_be16(b + 6, (uint16_t)f->seq);
		put_be64(b + 8, now);
		put_be16(b + 2, inet_checksum(b, len));
		if (ns3c_raw_sendto(f->sock, b, len, c->dst) >= 0)
			f->sent++;
	}
	f->seq++;
	uint64_t next = now + c->interval_ns;
	if (next < c->stop_ns && f->seq < f->seen_bits)
		ns3c_schedule_at(next, send_next, f);
}

static struct sink *sink_for(struct traffic *t, size_t node, uint16_t port, char *err,
                             size_t errlen)
{
	for (size_t i = 0; i < t->n_sinks; i++)
		if (t->sinks[i].node == node && t->sinks[i].port == port)
			return &t->sinks[i];
	struct sink *k = &t->sinks[t->n_sinks++];
	*k = (struct sink){t, node, port};
	if (ns3c_udp_open((uint32_t)node, port, udp_rx, k) < 0) {
		snprintf(err, errlen, "cannot listen on UDP port %u of node %zu", port, node);
		return NULL;
	}
	return k;
}

struct traffic *traffic_start(const struct scenario *s, char *err, size_t errlen)
{
	struct traffic *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->n_flows = s->n_flows;
	t->flows = calloc(s->n_flows ? s->n_flows : 1, sizeof *t->flows);
	t->sinks = calloc(s->n_flows ? s->n_flows : 1, sizeof *t->sinks);
	t->buf_len = 65536;
	t->buf = malloc(t->buf_len);
	if (!t->flows || !t->sinks || !t->buf)
		goto fail;
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct scenario_flow *c = &s->flows[i];
		struct flow *f = &t->flows[i];
		*f = (struct flow){.cfg = c, .index = i, .t = t};
		size_t header =
		        c->type == SCENARIO_FLOW_UDP ? TRAFFIC_UDP_HEADER : TRAFFIC_PING_HEADER;
		if (c->size < header || c->size + 8 > t->buf_len) {
			snprintf(err, errlen, "flow '%s': size must be %zu to 65527 bytes", c->name,
			         header);
			goto fail;
		}
		uint64_t count = (c->stop_ns - c->start_ns) / c->interval_ns + 1;
		if (c->type == SCENARIO_FLOW_PING && count > 65536)
			count = 65536; /* the echo sequence number is 16 bits */
		f->seen_bits = count;
		f->seen = calloc((count + 7) / 8, 1);
		if (!f->seen)
			goto fail;
		if (c->type == SCENARIO_FLOW_UDP) {
			if (c->to != SCENARIO_NONE && !sink_for(t, c->to, c->port, err, errlen))
				goto fail;
			f->sock = ns3c_udp_open((uint32_t)c->from, 0, NULL, NULL);
		} else {
			f->sock = ns3c_raw_open((uint32_t)c->from, IPPROTO_NUM_ICMP, ping_rx, f);
		}
		if (f->sock < 0) {
			snprintf(err, errlen, "flow '%s': cannot open a socket", c->name);
			goto fail;
		}
		ns3c_schedule_at(c->start_ns, send_next, f);
	}
	return t;
fail:
	traffic_free(t);
	return NULL;
}

void traffic_result(const struct traffic *t, size_t i, struct flow_result *r)
{
	const struct flow *f = &t->flows[i];
	memset(r, 0, sizeof *r);
	r->sent = f->sent;
	r->received = f->received;
	r->duplicates = f->duplicates;
	r->bytes_received = f->bytes;
	uint64_t active = f->cfg->stop_ns - f->cfg->start_ns;
	r->throughput_bps = active ? (double)f->bytes * 8 / ((double)active * 1e-9) : 0;
	if (f->n_delays == 0)
		return;
	gsl_sort(f->delays, 1, f->n_delays);
	r->delay_mean = gsl_stats_mean(f->delays, 1, f->n_delays);
	r->delay_p50 = gsl_stats_quantile_from_sorted_data(f->delays, 1, f->n_delays, 0.5);
	r->delay_p99 = gsl_stats_quantile_from_sorted_data(f->delays, 1, f->n_delays, 0.99);
	r->delay_min = f->delays[0];
	r->delay_max = f->delays[f->n_delays - 1];
}

void traffic_free(struct traffic *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_flows; i++) {
		free(t->flows[i].seen);
		free(t->flows[i].delays);
	}
	free(t->flows);
	free(t->sinks);
	free(t->buf);
	free(t);
}
