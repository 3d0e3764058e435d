/* IP packets of either family as IPsec processing sees them. */
#include "ip_packet.h"

#include <string.h>

static int parse_v4(const uint8_t *pkt, size_t len, struct ip_packet *p)
{
	if (ipv4_parse(pkt, len, &p->v4))
		return -1;
	p->family = IP_FAMILY_V4;
	p->total_len = p->v4.total_len;
	p->hdr_len = p->v4.hdr_len;
	p->nh_off = 9; /* Protocol */
	p->proto = p->v4.proto;
	p->tclass = p->v4.tos;
	p->df = (p->v4.frag & IPV4_DF) != 0;
	p->fragment = ipv4_is_fragment(&p->v4);
	return 0;
}

static int parse_v6(const uint8_t *pkt, size_t len, bool inbound, struct ip_packet *p)
{
	const struct ipv6_view *v = &p->v6;

	if (ipv6_parse(pkt, len, &p->v6))
		return -1;
	p->family = IP_FAMILY_V6;
	p->total_len = v->total_len;
	p->hdr_len = inbound ? v->proto_off : v->ipsec_off;
	p->nh_off = inbound ? v->proto_nh_off : v->ipsec_nh_off;
	p->proto = pkt[p->nh_off];
	p->tclass = v->tclass;
	p->df = false;
	p->fragment = v->fragment;
	return 0;
}

int ip_packet_parse(const uint8_t *pkt, size_t len, bool inbound, struct ip_packet *p)
{
	switch (ip_version(pkt, len)) {
	case 4:
		return parse_v4(pkt, len, p);
	case 6:
		return parse_v6(pkt, len, inbound, p);
	default:
		return -1;
	}
}

int ip_packet_selector_fields(const uint8_t *pkt, const struct ip_packet *p,
                              struct ip_selector_fields *f)
{
	if (p->family == IP_FAMILY_V4)
		return ipv4_selector_fields(pkt, &p->v4, f);
	return ipv6_selector_fields(pkt, &p->v6, f);
}

void ip_packet_set_length(uint8_t *hdr, uint8_t family, size_t total_len)
{
	if (family == IP_FAMILY_V4) {
		put_be16(hdr + 2, (uint16_t)total_len);
		ipv4_set_checksum(hdr);
	} else {
		put_be16(hdr + 4, (uint16_t)(total_len - IPV6_HDR_LEN));
	}
}
