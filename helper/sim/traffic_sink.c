/* Traffic: the UDP sockets flows share -- one receiver (sink) per (node,
 * port) for every flow sent to it, one sender per node. */
#include <stdio.h>

#include "ipv4.h"
#include "traffic_internal.h"

/* A datagram at a sink: a one-way flow's packet, or a request to answer. */
static void sink_rx(void *arg, const struct ns3c_datagram *d)
{
	struct sink *k = arg;
	const uint8_t *data = d->data;
	if (d->len < TRAFFIC_UDP_HEADER || get_be32(data) != TRAFFIC_MAGIC_DATA)
		return;
	uint32_t i = get_be32(data + 4);
	if (i >= k->t->n_flows)
		return;
	struct flow *f = &k->t->flows[i];
	const struct scenario_flow *c = f->cfg;
	if (c->to != k->node || c->port != k->port)
		return;
	if (f->at_sink)
		f->at_sink(k, f, d);
}

struct sink *traffic_sink(struct traffic *t, size_t node, uint16_t port, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->n_sinks; i++)
		if (t->sinks[i].node == node && t->sinks[i].port == port)
			return &t->sinks[i];
	struct sink *k = &t->sinks[t->n_sinks++];
	*k = (struct sink){t, node, port, -1};
	k->sock = ns3c_udp_open((uint32_t)node, port, sink_rx, k);
	if (k->sock < 0) {
		snprintf(err, errlen, "cannot listen on UDP port %u of node %zu", port, node);
		return NULL;
	}
	return k;
}

int traffic_udp_sender(struct traffic *t, size_t node)
{
	if (t->udp_senders[node] < 0)
		t->udp_senders[node] = ns3c_udp_open((uint32_t)node, 0, NULL, NULL);
	return t->udp_senders[node];
}
