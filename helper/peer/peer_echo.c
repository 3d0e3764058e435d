#include "peer_echo.h"

#include <string.h>

#include "ip_packet.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128 /* RFC 4443 §4.1 */
#define ICMPV6_ECHO_REPLY 129   /* RFC 4443 §4.2 */
#define ECHO_HDR_LEN 8          /* type, code, checksum, identifier, sequence number */
#define HOP_LIMIT 64

/* The reply leaves with a header of our own, without the request's IPv4
 * options or IPv6 extension headers: the message moves up behind it. */
static size_t echo_move(uint8_t *pkt, const struct ip_packet *ip, size_t hdr_len)
{
	size_t msg_len = ip->total_len - ip->hdr_len;

	memmove(pkt + hdr_len, pkt + ip->hdr_len, msg_len);
	return hdr_len + msg_len;
}

/* RFC 792: the type becomes 0, the data is returned, the addresses are
 * reversed and the checksum is computed again over the ICMP message. */
static size_t echo_reply_v4(uint8_t *pkt, const struct ip_packet *ip)
{
	size_t len = echo_move(pkt, ip, IPV4_HDR_LEN);
	uint8_t *icmp = pkt + IPV4_HDR_LEN;

	icmp[0] = ICMP_ECHO_REPLY;
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, inet_checksum(icmp, len - IPV4_HDR_LEN));
	ipv4_build(pkt, ip->tclass, (uint16_t)len, ip->v4.id, IPV4_DF, HOP_LIMIT, IPPROTO_NUM_ICMP,
	           ip->v4.dst, ip->v4.src);
	return len;
}

/* RFC 4443 §4.2: the data returned entirely and unmodified; the source is
 * the unicast address the request was sent to (§2.2); the checksum covers
 * the pseudo-header (§2.3, RFC 8200 §8.1). */
static size_t echo_reply_v6(uint8_t *pkt, const struct ip_packet *ip)
{
	uint8_t src[IPV6_ADDR_LEN], dst[IPV6_ADDR_LEN];
	size_t len = echo_move(pkt, ip, IPV6_HDR_LEN);
	uint8_t *icmp = pkt + IPV6_HDR_LEN;

	memcpy(src, ip->v6.dst, IPV6_ADDR_LEN);
	memcpy(dst, ip->v6.src, IPV6_ADDR_LEN);
	put_be32(pkt, 6u << 28 | (uint32_t)ip->tclass << 20);
	ip_packet_set_length(pkt, IP_FAMILY_V6, len);
	pkt[6] = IPPROTO_NUM_ICMPV6;
	pkt[7] = HOP_LIMIT;
	memcpy(pkt + 8, src, IPV6_ADDR_LEN);
	memcpy(pkt + 24, dst, IPV6_ADDR_LEN);
	icmp[0] = ICMPV6_ECHO_REPLY;
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, ipv6_l4_checksum(pkt, IPPROTO_NUM_ICMPV6, icmp, len - IPV6_HDR_LEN));
	return len;
}

size_t peer_echo_reply(uint8_t *pkt, size_t len)
{
	struct ip_packet ip;
	bool v4;

	if (ip_packet_parse(pkt, len, true, &ip) != 0 || ip.fragment ||
	    ip.total_len < ip.hdr_len + ECHO_HDR_LEN || pkt[ip.hdr_len + 1] != 0)
		return 0;
	v4 = ip.family == IP_FAMILY_V4;
	if (ip.proto != (v4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6) ||
	    pkt[ip.hdr_len] != (v4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST))
		return 0;
	return v4 ? echo_reply_v4(pkt, &ip) : echo_reply_v6(pkt, &ip);
}
