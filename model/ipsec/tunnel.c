/* Tunnel-mode outer header (RFC 4301 §5.1.2.1) and ECN (RFC 6040). */
#include "tunnel.h"

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

void tunnel_outer_build(struct ipsec *ctx, const struct ipsec_sa *sa, const struct ipv4_view *inner,
                        uint8_t *hdr, uint16_t total_len, uint8_t proto)
{
	const struct ipsec_sa_config *c = &sa->cfg;
	uint8_t tos = (uint8_t)((c->copy_dscp ? inner->tos & 0xfc : 0) |
	                        tunnel_ecn_encap(inner->tos & 3));
	uint16_t frag = 0;

	/* RFC 4301 §5.1.2.1 and §8.1: DF copied, set or cleared by config. */
	if (c->df == IPSEC_DF_SET || (c->df == IPSEC_DF_COPY && (inner->frag & IPV4_DF)))
		frag = IPV4_DF;
	/* RFC 4301 §5.1.2.1: TTL is fresh; the ID is generated locally, by
	 * the host's IP stack where it has one. */
	uint16_t id =
	        ctx->ops.ip_id ? ctx->ops.ip_id(ctx->host, c->src, c->dst, proto) : ctx->ip_id++;

	ipv4_build(hdr, tos, total_len, id, frag, c->ttl ? c->ttl : 64, proto, c->src, c->dst);
}

int tunnel_decap(uint8_t outer_tos, uint8_t *inner)
{
	int ecn = tunnel_ecn_decap(inner[1] & 3, outer_tos & 3);

	if (ecn < 0)
		return -1;
	if ((inner[1] & 3) != ecn) {
		inner[1] = (uint8_t)((inner[1] & 0xfc) | ecn);
		ipv4_set_checksum(inner);
	}
	return 0;
}
