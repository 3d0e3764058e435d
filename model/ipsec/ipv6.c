/* IPv6 header parsing (RFC 8200) and selector fields (RFC 4301 §4.4.1.1). */
#include "ipv6.h"

#include "ipv4.h"

#include <string.h>

size_t ipv6_ext_len(uint8_t nh, const uint8_t *h, size_t avail)
{
	size_t n;

	if (avail < 8)
		return 0;
	switch (nh) {
	case IPPROTO_NUM_FRAGMENT: /* §4.5: fixed 8 octets */
		n = 8;
		break;
	case IPPROTO_NUM_HOPOPTS: /* §4.3, §4.4, §4.6: 8-octet units, not counting the first 8 */
	case IPPROTO_NUM_ROUTING:
	case IPPROTO_NUM_DSTOPTS:
		n = 8 + 8 * (size_t)h[1];
		break;
	default:
		return 0;
	}
	return n <= avail ? n : 0;
}

static bool is_extension(uint8_t nh)
{
	return nh == IPPROTO_NUM_HOPOPTS || nh == IPPROTO_NUM_ROUTING ||
	       nh == IPPROTO_NUM_FRAGMENT || nh == IPPROTO_NUM_DSTOPTS;
}

/* Does a Routing header come later in the chain from `nh` at `off`?  The
 * destination options before one are processed en route (RFC 8200 §4.1),
 * so ESP and AH go after them.  The chain was checked by the caller's walk
 * up to here only: stop at anything malformed (no). */
static bool routing_follows(const uint8_t *pkt, size_t end, uint8_t nh, size_t off)
{
	for (int i = 0; i < IPV6_MAX_EXT_HEADERS && is_extension(nh); i++) {
		size_t n = ipv6_ext_len(nh, pkt + off, end - off);
		if (nh == IPPROTO_NUM_ROUTING)
			return true;
		if (!n)
			return false;
		nh = pkt[off];
		off += n;
	}
	return false;
}

int ipv6_parse(const uint8_t *pkt, size_t len, struct ipv6_view *ip)
{
	size_t off = IPV6_HDR_LEN;
	uint8_t nh;
	bool ipsec_place_fixed = false;

	if (len < IPV6_HDR_LEN || pkt[0] >> 4 != 6)
		return -1;
	ip->total_len = IPV6_HDR_LEN + get_be16(pkt + 4);
	/* Payload Length 0 means a jumbogram (RFC 2675) when a hop-by-hop
	 * option says so; no packet of ours is one. */
	if (ip->total_len == IPV6_HDR_LEN && pkt[6] == IPPROTO_NUM_HOPOPTS)
		return -1;
	if (ip->total_len > len)
		return -1;
	ip->tclass = (uint8_t)(get_be16(pkt) >> 4);
	ip->flow_label = get_be32(pkt) & 0xfffff;
	ip->hop_limit = pkt[7];
	memcpy(ip->src, pkt + 8, IPV6_ADDR_LEN);
	memcpy(ip->dst, pkt + 24, IPV6_ADDR_LEN);
	ip->fragment = ip->more_fragments = false;
	ip->frag_offset = 0;
	ip->ipsec_off = off;
	ip->ipsec_nh_off = ip->proto_nh_off = 6;

	nh = pkt[6];
	for (int count = 0; is_extension(nh); count++) {
		size_t n = ipv6_ext_len(nh, pkt + off, ip->total_len - off);
		bool last = false;

		/* §4.1: hop-by-hop only right after the IPv6 header */
		if (!n || count == IPV6_MAX_EXT_HEADERS || (nh == IPPROTO_NUM_HOPOPTS && count > 0))
			return -1;
		if (nh == IPPROTO_NUM_DSTOPTS &&
		    !routing_follows(pkt, ip->total_len, pkt[off], off + n))
			ipsec_place_fixed = true;
		if (!ipsec_place_fixed) {
			ip->ipsec_off = off + n;
			ip->ipsec_nh_off = off;
		}
		if (nh == IPPROTO_NUM_FRAGMENT) {
			uint16_t fo = get_be16(pkt + off + 2);

			ip->fragment = true;
			ip->frag_offset = fo >> 3;
			ip->more_fragments = fo & 1;
			last = ip->frag_offset != 0; /* what follows is not a header */
		}
		ip->proto_nh_off = off;
		nh = pkt[off];
		off += n;
		if (last)
			break;
	}
	ip->proto = nh;
	ip->proto_off = off;
	return 0;
}

int ipv6_selector_fields(const uint8_t *pkt, const struct ipv6_view *ip,
                         struct ip_selector_fields *f)
{
	const uint8_t *l4 = pkt + ip->proto_off;
	size_t l4_len = ip->total_len - ip->proto_off;

	f->src = ip_addr_from_bytes(IP_FAMILY_V6, ip->src);
	f->dst = ip_addr_from_bytes(IP_FAMILY_V6, ip->dst);
	f->proto = ip->proto;
	f->sport = f->dport = 0;
	f->opaque = false;
	/* RFC 4301 §4.4.1.1: non-initial fragments carry no ports (OPAQUE). */
	if (ip->frag_offset) {
		f->opaque = true;
		return 0;
	}
	return ip_selector_ports(ip->proto, l4, l4_len, &f->sport, &f->dport);
}

uint16_t ipv6_l4_checksum(const uint8_t *ip6, uint8_t proto, const uint8_t *l4, size_t len)
{
	/* RFC 1071's sum is associative: sum the pseudo-header's fields and
	 * the packet, then fold. */
	uint32_t sum = (uint16_t)~inet_checksum(ip6 + 8, 2 * IPV6_ADDR_LEN);
	uint16_t c;

	sum += (uint32_t)(len >> 16) + (uint16_t)len + proto;
	sum += (uint16_t)~inet_checksum(l4, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	return c ? c : 0xffff; /* RFC 768: a computed zero is sent as all ones */
}

int ipv6_options_walk(uint8_t *h, size_t len,
                      void (*fn)(uint8_t type, uint8_t *data, size_t len, void *arg), void *arg)
{
	/* §4.2: TLV-encoded options after Next Header and Hdr Ext Len; Pad1
	 * is a single octet of type 0 */
	for (size_t i = 2; i < len;) {
		if (h[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + (size_t)h[i + 1] > len)
			return -1;
		if (fn)
			fn(h[i], h + i + 2, h[i + 1], arg);
		i += 2 + (size_t)h[i + 1];
	}
	return 0;
}
