/* IPv4 header parsing and building (RFC 791). */
#include "ipv4.h"

#include <string.h>

int ipv4_parse(const uint8_t *pkt, size_t len, struct ipv4_view *ip)
{
	if (len < IPV4_HDR_LEN || pkt[0] >> 4 != 4)
		return -1;
	ip->hdr_len = (size_t)(pkt[0] & 0x0f) * 4;
	ip->total_len = get_be16(pkt + 2);
	if (ip->hdr_len < IPV4_HDR_LEN || ip->total_len < ip->hdr_len || ip->total_len > len)
		return -1;
	ip->tos = pkt[1];
	ip->id = get_be16(pkt + 4);
	ip->frag = get_be16(pkt + 6);
	ip->ttl = pkt[8];
	ip->proto = pkt[9];
	ip->src = get_be32(pkt + 12);
	ip->dst = get_be32(pkt + 16);
	return 0;
}

int ipv4_selector_fields(const uint8_t *pkt, const struct ipv4_view *ip,
                         struct ip_selector_fields *f)
{
	const uint8_t *l4 = pkt + ip->hdr_len;
	size_t l4_len = ip->total_len - ip->hdr_len;

	f->src = ip_addr_v4(ip->src);
	f->dst = ip_addr_v4(ip->dst);
	f->proto = ip->proto;
	f->sport = f->dport = 0;
	f->opaque = false;
	/* RFC 4301 §4.4.1.1: non-initial fragments carry no ports (OPAQUE). */
	if (ip->frag & IPV4_OFFSET_MASK) {
		f->opaque = true;
		return 0;
	}
	return ip_selector_ports(ip->proto, l4, l4_len, &f->sport, &f->dport);
}

int ip_selector_ports(uint8_t proto, const uint8_t *l4, size_t len, uint16_t *sport,
                      uint16_t *dport)
{
	switch (proto) {
	case IPPROTO_NUM_TCP:
	case IPPROTO_NUM_UDP:
	case IPPROTO_NUM_SCTP:
		if (len < 4)
			return -1;
		*sport = get_be16(l4);
		*dport = get_be16(l4 + 2);
		break;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		if (len < 2)
			return -1;
		*sport = l4[0]; /* type */
		*dport = l4[1]; /* code */
		break;
	default:
		break;
	}
	return 0;
}

uint16_t inet_checksum(const uint8_t *data, size_t len)
{
	uint64_t sum = 0;
	size_t i = 0;

	/* RFC 1071 §2(C), §4.1: add 32 bits at a time and fold; a 16-bit
	 * word counts the same in either half (2^16 = 1 in one's complement). */
	for (; i + 4 <= len; i += 4)
		sum += get_be32(data + i);
	if (i + 2 <= len) {
		sum += get_be16(data + i);
		i += 2;
	}
	if (i < len)
		sum += (uint32_t)data[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void ipv4_set_checksum(uint8_t *hdr)
{
	size_t hlen = (size_t)(hdr[0] & 0x0f) * 4;

	hdr[10] = hdr[11] = 0;
	put_be16(hdr + 10, inet_checksum(hdr, hlen));
}

void ipv4_build(uint8_t *hdr, uint8_t tos, uint16_t total_len, uint16_t id, uint16_t frag,
                uint8_t ttl, uint8_t proto, uint32_t src, uint32_t dst)
{
	hdr[0] = 0x45;
	hdr[1] = tos;
	put_be16(hdr + 2, total_len);
	put_be16(hdr + 4, id);
	put_be16(hdr + 6, frag);
	hdr[8] = ttl;
	hdr[9] = proto;
	put_be32(hdr + 12, src);
	put_be32(hdr + 16, dst);
	ipv4_set_checksum(hdr);
}
