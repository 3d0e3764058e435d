/* ping: ICMP echo requests (RFC 792) over a raw socket, every interval.  The
 * data starts with the send time; the reply echoes it back, so the round
 * trip is measured without state per request.  The identifier names the
 * flow; the 16-bit sequence number numbers at most 65536 requests. */
#include <stdio.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define PING_ID_BASE 0x4000

/* Echo replies reach every raw ICMP socket of the node: match the id. */
static void ping_rx(void *arg, const struct ns3c_datagram *d)
{
	struct flow *f = arg;
	const uint8_t *pkt = d->data;
	struct ipv4_view ip;
	if (ipv4_parse(pkt, d->len, &ip) != 0 || ip.proto != IPPROTO_NUM_ICMP)
		return;
	const uint8_t *icmp = pkt + ip.hdr_len;
	size_t icmp_len = ip.total_len - ip.hdr_len;
	if (icmp_len < 8 + TRAFFIC_PING_HEADER || icmp[0] != ICMP_ECHO_REPLY ||
	    get_be16(icmp + 4) != PING_ID_BASE + f->index)
		return;
	uint64_t sent = (uint64_t)get_be32(icmp + 8) << 32 | get_be32(icmp + 12);
	traffic_record(f, get_be16(icmp + 6), sent, icmp_len - 8);
}

static void ping_next(void *arg)
{
	struct flow *f = arg;
	const struct scenario_flow *c = f->cfg;
	uint8_t *b = f->t->buf;
	uint64_t now = ns3c_now_ns();
	if (!traffic_number(f, f->seq))
		return;
	size_t len = 8 + c->size;
	memset(b, 0, len);
	b[0] = ICMP_ECHO_REQUEST;
	put_be16(b + 4, (uint16_t)(PING_ID_BASE + f->index));
	put_be16(b + 6, (uint16_t)f->seq);
	put_be64(b + 8, now);
	put_be16(b + 2, inet_checksum(b, len));
	if (ns3c_raw_sendto(f->sock, b, len, c->dst) >= 0)
		traffic_sent(f, now);
	f->seq++;
	uint64_t next = now + c->interval_ns;
	if (next < c->stop_ns && f->seq < f->seq_limit)
		ns3c_schedule_at(next, ping_next, f);
}

int traffic_ping_start(struct flow *f, char *err, size_t errlen)
{
	const struct scenario_flow *c = f->cfg;
	f->seq_limit = 65536;
	f->sock = ns3c_raw_open((uint32_t)c->from, IPPROTO_NUM_ICMP, ping_rx, f);
	if (f->sock < 0) {
		snprintf(err, errlen, "flow '%s': cannot open a socket", c->name);
		return -1;
	}
	ns3c_schedule_at(c->start_ns, ping_next, f);
	return 0;
}
