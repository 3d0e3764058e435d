/* tcp: a bulk transfer over ns-3's TCP (TcpSocketBase, RFC 793/5681/6298
 * with SACK, timestamps and window scaling as ns-3 configures them).
 *
 * The receiver listens on (to, port) from time 0; at `start` the sender
 * connects and keeps the socket's send buffer full (its send callback says
 * when there is room): first TRAFFIC_TCP_HEADER bytes naming the flow
 * ("IPST", flow index), then `size` bytes of zeros, or zeros until `stop`
 * when there is no size.  Measured at the receiving application: the bytes
 * delivered after the header, and when the last of `size` arrived (the
 * completion time, since `start`: the handshake included).  The results are
 * frozen at completion or at `stop`, whichever is first; both sockets are
 * then closed.  Segments and retransmissions come from the sockets' Tx and
 * Rx trace sources (ns3c_tcp_stats). */
#include <stdio.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

static const char *cc_type(enum scenario_tcp_cc cc)
{
	switch (cc) {
	case SCENARIO_TCP_CC_NEWRENO:
		return "ns3::TcpNewReno";
	case SCENARIO_TCP_CC_CUBIC:
		return "ns3::TcpCubic";
	case SCENARIO_TCP_CC_BBR:
		return "ns3::TcpBbr";
	case SCENARIO_TCP_CC_VEGAS:
		return "ns3::TcpVegas";
	case SCENARIO_TCP_CC_WESTWOOD:
		return "ns3::TcpWestwood";
	case SCENARIO_TCP_CC_HIGHSPEED:
		return "ns3::TcpHighSpeed";
	case SCENARIO_TCP_CC_HTCP:
		return "ns3::TcpHtcp";
	case SCENARIO_TCP_CC_SCALABLE:
		return "ns3::TcpScalable";
	case SCENARIO_TCP_CC_DEFAULT:
		break;
	}
	return NULL;
}

static struct ns3c_tcp_opts opts_of(const struct scenario_flow *c)
{
	return (struct ns3c_tcp_opts){.segment_size = c->segment_size,
	                              .congestion = cc_type(c->congestion)};
}

static uint64_t stream_len(const struct flow *f)
{
	return f->cfg->bytes ? TRAFFIC_TCP_HEADER + f->cfg->bytes : UINT64_MAX;
}

void traffic_tcp_freeze(struct flow *f)
{
	if (f->stopped)
		return;
	f->stopped = true;
	uint64_t now = ns3c_now_ns();
	f->end_ns = now < f->cfg->stop_ns ? now : f->cfg->stop_ns;
	if (f->sock >= 0) {
		ns3c_tcp_stats(f->sock, &f->tx_stats);
		if (!f->closed)
			ns3c_tcp_close(f->sock);
		f->closed = true;
	}
	if (f->rx) {
		ns3c_tcp_stats(f->rx->sock, &f->rx_stats);
		ns3c_tcp_close(f->rx->sock);
	}
}

static void freeze_at_stop(void *arg)
{
	traffic_tcp_freeze(arg);
}

/* Fills the send buffer: the header, then zeros. */
static void fill(struct flow *f)
{
	uint64_t total = stream_len(f);
	while (!f->closed && f->queued < total) {
		size_t room = ns3c_tcp_tx_available(f->sock);
		if (room == 0)
			return;
		long n;
		if (f->queued < TRAFFIC_TCP_HEADER) {
			uint8_t h[TRAFFIC_TCP_HEADER];
			put_be32(h, TRAFFIC_MAGIC_TCP);
			put_be32(h + 4, (uint32_t)f->index);
			n = ns3c_tcp_send(f->sock, h + f->queued, TRAFFIC_TCP_HEADER - f->queued);
		} else {
			uint64_t left = total - f->queued;
			n = ns3c_tcp_send(f->sock, NULL, left < room ? (size_t)left : room);
		}
		if (n <= 0)
			return;
		f->queued += (uint64_t)n;
	}
	/* Everything queued: FIN after it (RFC 793 CLOSE). */
	if (!f->closed && f->queued == total) {
		f->closed = true;
		ns3c_tcp_close(f->sock);
	}
}

static void on_connected(void *arg, int sock, int ok)
{
	struct flow *f = arg;
	(void)sock;
	f->connected = ok;
	if (ok)
		fill(f);
}

static void on_sendable(void *arg, int sock, size_t available)
{
	(void)sock;
	(void)available;
	fill(arg);
}

static void sender_closed(void *arg, int sock, int error)
{
	struct flow *f = arg;
	(void)sock;
	(void)error;
	f->closed = true;
}

/* ---- the receiving end ---- */

static struct tcp_conn *conn_of(struct traffic *t, int sock)
{
	for (size_t i = 0; i < t->n_conns; i++)
		if (t->conns[i].sock == sock)
			return &t->conns[i];
	return NULL;
}

static void on_accepted(void *arg, int listener, int sock, const struct ip_addr *src,
                        uint16_t sport)
{
	struct listener *l = arg;
	struct traffic *t = l->t;
	(void)listener;
	(void)src;
	(void)sport;
	if (t->n_conns == t->cap_conns) {
		ns3c_tcp_close(sock); /* more connections than tcp flows: not ours */
		return;
	}
	t->conns[t->n_conns++] = (struct tcp_conn){.t = t, .sock = sock};
}

static void deliver(struct flow *f, size_t len)
{
	if (f->stopped)
		return;
	f->bytes += len;
	if (f->cfg->bytes && f->bytes >= f->cfg->bytes) {
		f->complete = true;
		traffic_tcp_freeze(f);
	}
}

/* The first bytes name the flow; the rest is counted for it. */
static void on_recv(void *arg, int sock, const uint8_t *data, size_t len)
{
	struct listener *l = arg;
	struct tcp_conn *c = conn_of(l->t, sock);
	if (!c)
		return;
	if (!c->f) {
		size_t n = TRAFFIC_TCP_HEADER - c->header_len;
		if (n > len)
			n = len;
		memcpy(c->header + c->header_len, data, n);
		c->header_len += n;
		data += n;
		len -= n;
		if (c->header_len < TRAFFIC_TCP_HEADER)
			return;
		uint32_t i = get_be32(c->header + 4);
		struct flow *f = i < l->t->n_flows ? &l->t->flows[i] : NULL;
		if (get_be32(c->header) != TRAFFIC_MAGIC_TCP || !f ||
		    f->cfg->type != SCENARIO_FLOW_TCP || f->cfg->to != l->node ||
		    f->cfg->port != l->port || f->rx) {
			ns3c_tcp_close(sock);
			return;
		}
		c->f = f;
		f->rx = c;
		if (f->stopped) { /* named its flow after the flow's stop */
			ns3c_tcp_close(sock);
			return;
		}
	}
	if (len)
		deliver(c->f, len);
}

/* The sender closed first (or the connection broke): close our side. */
static void receiver_closed(void *arg, int sock, int error)
{
	(void)arg;
	(void)error;
	ns3c_tcp_close(sock);
}

static struct listener *listener_for(struct traffic *t, const struct scenario_flow *c, char *err,
                                     size_t errlen)
{
	for (size_t i = 0; i < t->n_listeners; i++)
		if (t->listeners[i].node == c->to && t->listeners[i].port == c->port &&
		    t->listeners[i].family == c->dst.family)
			return &t->listeners[i];
	struct listener *l = &t->listeners[t->n_listeners++];
	*l = (struct listener){t, c->to, c->port, -1, c->dst.family};
	struct ns3c_tcp cb = {
	        .recv = on_recv, .accepted = on_accepted, .closed = receiver_closed, .arg = l};
	struct ns3c_tcp_opts o = opts_of(c);
	l->sock = ns3c_tcp_listen((uint32_t)c->to, c->dst.family, c->port, &o, &cb);
	if (l->sock < 0) {
		snprintf(err, errlen, "flow '%s': cannot listen on TCP port %u of node %zu",
		         c->name, c->port, c->to);
		return NULL;
	}
	return l;
}

static void tcp_begin(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	struct ns3c_tcp cb = {.connected = on_connected,
	                      .sendable = on_sendable,
	                      .closed = sender_closed,
	                      .arg = f};
	struct ns3c_tcp_opts o = opts_of(c);
	f->sock = ns3c_tcp_connect((uint32_t)c->from, &c->dst, c->port, &o, &cb);
	if (f->sock < 0)
		fprintf(stderr, "flow '%s': cannot open a TCP connection\n", c->name);
}

int traffic_tcp_start(struct flow *f, char *err, size_t errlen)
{
	const struct scenario_flow *c = f->cfg;
	if (c->to != SCENARIO_NONE && !listener_for(f->t, c, err, errlen))
		return -1;
	ns3c_schedule_at(c->start_ns, tcp_begin, f);
	ns3c_schedule_at(c->stop_ns, freeze_at_stop, f);
	return 0;
}
