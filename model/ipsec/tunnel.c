/* Tunnel-mode outer headers (RFC 4301 §5.1.2) and ECN (RFC 6040). */
#include "tunnel.h"

#include <string.h>

uint8_t tunnel_ecn_encap(uint8_t inner_ecn)
{
	/* RFC 6040 §4.1: "normal mode" copies the field, CE included. */
	return inner_ecn & 3;
}

int tunnel_ecn_decap(uint8_t inner_ecn, uint8_t outer_ecn)
{
	/* RFC 6040 §4.2, Figure 4. */
	if (outer_ecn == ECN_CE)
		return inner_ecn == ECN_NOT_ECT ? -1 : ECN_CE;
	if (outer_ecn == ECN_ECT1 && inner_ecn == ECN_ECT0)
		return ECN_ECT1;
	return inner_ecn;
}

static void outer_v4(struct ipsec *ctx, const struct ipsec_sa_config *c, uint8_t tclass, bool df,
                     uint8_t *hdr, size_t total_len, uint8_t proto)
{
	uint32_t src = ip_addr_v4_value(&c->src), dst = ip_addr_v4_value(&c->dst);
	uint16_t frag = 0, id;

	/* RFC 4301 §5.1.2.1 and §8.1: DF copied, set or cleared by config;
	 * an IPv6 inner packet has no DF to copy. */
	if (c->df == IPSEC_DF_SET || (c->df == IPSEC_DF_COPY && df))
		frag = IPV4_DF;
	/* RFC 4301 §5.1.2.1: TTL is fresh; the ID is generated locally, by
	 * the host's IP stack where it has one. */
	id = ctx->ops.ip_id ? ctx->ops.ip_id(ctx->host, src, dst, proto) : ctx->ip_id++;
	ipv4_build(hdr, tclass, (uint16_t)total_len, id, frag, c->ttl ? c->ttl : 64, proto, src,
	           dst);
}

/* RFC 4301 §5.1.2.2: version 6, the DSCP copied or not and the ECN field
 * as RFC 6040 says, flow label 0 (RFC 6437 §2: a tunnel endpoint may set
 * its own; 0 says it does not), hop limit fresh. */
static void outer_v6(const struct ipsec_sa_config *c, uint8_t tclass, uint8_t *hdr,
                     size_t total_len, uint8_t proto)
{
	put_be32(hdr, 6u << 28 | (uint32_t)tclass << 20);
	put_be16(hdr + 4, (uint16_t)(total_len - IPV6_HDR_LEN));
	hdr[6] = proto;
	hdr[7] = c->ttl ? c->ttl : 64;
	memcpy(hdr + 8, c->src.b, IPV6_ADDR_LEN);
	memcpy(hdr + 24, c->dst.b, IPV6_ADDR_LEN);
}

void tunnel_outer_build(struct ipsec *ctx, const struct ipsec_sa *sa, const struct ip_packet *inner,
                        uint8_t *hdr, size_t total_len, uint8_t proto)
{
	const struct ipsec_sa_config *c = &sa->cfg;
	uint8_t tclass = (uint8_t)((c->copy_dscp ? inner->tclass & 0xfc : 0) |
	                           tunnel_ecn_encap(inner->tclass & 3));

	if (c->dst.family == IP_FAMILY_V6)
		outer_v6(c, tclass, hdr, total_len, proto);
	else
		outer_v4(ctx, c, tclass, inner->df, hdr, total_len, proto);
}

int tunnel_decap(uint8_t outer_tclass, uint8_t *inner)
{
	bool v6 = inner[0] >> 4 == 6;
	/* The ECN bits: IPv4's TOS byte, or the low two bits of IPv6's
	 * Traffic Class, which straddles bytes 0 and 1. */
	uint8_t in_ecn = v6 ? (inner[1] >> 4) & 3 : inner[1] & 3;
	int ecn = tunnel_ecn_decap(in_ecn, outer_tclass & 3);

	if (ecn < 0)
		return -1;
	if (in_ecn == ecn)
		return 0;
	if (v6) {
		inner[1] = (uint8_t)((inner[1] & 0xcf) | ecn << 4);
	} else {
		inner[1] = (uint8_t)((inner[1] & 0xfc) | ecn);
		ipv4_set_checksum(inner);
	}
	return 0;
}
