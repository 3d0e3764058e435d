/* reqresp: request/response over UDP.  The client sends a request of `size`
 * bytes every interval (measurement header: flow, sequence number, send
 * time); the server, the sink on (to, port), answers each with
 * `response_size` bytes carrying the same header under the response magic,
 * to the address and port the request came from.  The client measures the
 * response time (the round trip at the application) from the echoed send
 * time; a request without a response by the end of the run is lost. */
#include <stdio.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

/* A request at the server: the response echoes its header. */
static void answer(struct sink *k, struct flow *f, const struct ns3c_datagram *d)
{
	uint8_t *b = f->t->buf;
	uint32_t n = f->cfg->response_size;
	memset(b, 0, n);
	memcpy(b, d->data, TRAFFIC_UDP_HEADER);
	put_be32(b, TRAFFIC_MAGIC_RESPONSE);
	ns3c_udp_sendto(k->sock, b, n, &d->src, d->sport);
}

static void response_rx(void *arg, const struct ns3c_datagram *d)
{
	struct flow *f = arg;
	const uint8_t *data = d->data;
	if (d->len < TRAFFIC_UDP_HEADER || get_be32(data) != TRAFFIC_MAGIC_RESPONSE ||
	    get_be32(data + 4) != f->index)
		return;
	traffic_record_udp(f, d);
}

static void request_next(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint8_t *b = f->t->buf;
	uint64_t now = ns3c_now_ns();
	if (!traffic_number(f, f->seq))
		return;
	memset(b, 0, c->size);
	traffic_header(b, TRAFFIC_MAGIC_DATA, (uint32_t)f->index, f->seq, now);
	if (ns3c_udp_sendto(f->sock, b, c->size, &c->dst, c->port) >= 0)
		traffic_sent(f, ns3c_now_ns());
	f->seq++;
	if (now + c->interval_ns < c->stop_ns)
		ns3c_schedule_at(now + c->interval_ns, request_next, f);
}

int traffic_reqresp_start(struct flow *f, char *err, size_t errlen)
{
	const struct scenario_flow *c = f->cfg;
	f->at_sink = answer;
	if (c->to != SCENARIO_NONE && !traffic_sink(f->t, c->to, c->port, err, errlen))
		return -1;
	f->sock = ns3c_udp_open((uint32_t)c->from, 0, response_rx, f);
	if (f->sock < 0) {
		snprintf(err, errlen, "flow '%s': cannot open a socket", c->name);
		return -1;
	}
	ns3c_schedule_at(c->start_ns, request_next, f);
	return 0;
}
