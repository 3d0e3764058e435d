/* ping: ICMP echo requests (RFC 792; ICMPv6, RFC 4443 §4.1, to an IPv6
 * destination) over a raw socket, every interval.  The
 * data starts with the send time; the reply echoes it back, so the round
 * trip is measured without state per request.  The identifier names the
 * flow; the 16-bit sequence number numbers at most 65536 requests. */
#include <stdio.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define IPV6_HEADER 40
#define PING_ID_BASE 0x4000

/* The ICMP message of an IPv4 packet, or the ICMPv6 message of an IPv6
 * one (ns-3's raw socket hands the packet with its fixed header only);
 * NULL if neither. */
static const uint8_t *icmp_of(const uint8_t *pkt, size_t len, size_t *icmp_len)
{
	struct ipv4_view ip;
	if (len >= IPV6_HEADER && pkt[0] >> 4 == 6) {
		if (pkt[6] != IPPROTO_NUM_ICMPV6)
			return NULL;
		*icmp_len = len - IPV6_HEADER;
		return pkt + IPV6_HEADER;
	}
	if (ipv4_parse(pkt, len, &ip) != 0 || ip.proto != IPPROTO_NUM_ICMP)
		return NULL;
	*icmp_len = ip.total_len - ip.hdr_len;
	return pkt + ip.hdr_len;
}

/* Echo replies reach every raw ICMP socket of the node: match the id. */
static void ping_rx(void *arg, const struct ns3c_datagram *d)
{
	struct flow *f = arg;
	size_t icmp_len;
	const uint8_t *icmp = icmp_of(d->data, d->len, &icmp_len);
	uint8_t reply = f->cfg->dst.family == IP_FAMILY_V6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY;
	if (!icmp || icmp_len < 8 + TRAFFIC_PING_HEADER || icmp[0] != reply ||
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
	bool v6 = c->dst.family == IP_FAMILY_V6;
	memset(b, 0, len);
	b[0] = v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST;
	put_be16(b + 4, (uint16_t)(PING_ID_BASE + f->index));
	put_be16(b + 6, (uint16_t)f->seq);
	put_be64(b + 8, now);
	/* ICMPv6's checksum covers the source address, which ns-3 picks:
	 * its raw socket computes it (RFC 4443 §2.3). */
	if (!v6)
		put_be16(b + 2, inet_checksum(b, len));
	if (ns3c_raw_sendto(f->sock, b, len, &c->dst) >= 0)
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
	bool v6 = c->dst.family == IP_FAMILY_V6;
	f->sock = ns3c_raw_open((uint32_t)c->from, c->dst.family,
	                        v6 ? IPPROTO_NUM_ICMPV6 : IPPROTO_NUM_ICMP, ping_rx, f);
	if (f->sock < 0) {
		snprintf(err, errlen, "flow '%s': cannot open a socket", c->name);
		return -1;
	}
	ns3c_schedule_at(c->start_ns, ping_next, f);
	return 0;
}
