/* Tunnel-mode outer header construction (RFC 4301 §5.1.2.1 for IPv4,
 * §5.1.2.2 for IPv6 outer headers) and ECN propagation (RFC 6040 normal
 * mode).  The inner packet may be of either family (4-in-4, 6-in-6, 4-in-6,
 * 6-in-4). */
#ifndef IPSEC_TUNNEL_H
#define IPSEC_TUNNEL_H

#include "context.h"
#include "ip_packet.h"

/* The outer header's length for `sa`: 20 (IPv4) or 40 (IPv6) bytes. */
static inline size_t tunnel_outer_len(const struct ipsec_sa_config *c)
{
	return c->dst.family == IP_FAMILY_V6 ? IPV6_HDR_LEN : IPV4_HDR_LEN;
}

/* Write the outer header for `inner` into `hdr`; the packet will be
 * `total_len` bytes, with `proto` after the outer header. */
void tunnel_outer_build(struct ipsec *ctx, const struct ipsec_sa *sa, const struct ip_packet *inner,
                        uint8_t *hdr, size_t total_len, uint8_t proto);

/* RFC 6040 §4.1 normal mode: the outer ECN field is a copy of the inner. */
uint8_t tunnel_ecn_encap(uint8_t inner_ecn);

/* RFC 6040 §4.2: the inner ECN field after decapsulation, or -1 when the
 * packet must be dropped (outer CE, inner Not-ECT). */
int tunnel_ecn_decap(uint8_t inner_ecn, uint8_t outer_ecn);

/* Apply tunnel_ecn_decap to the inner packet at `inner` of either family
 * (fixing an IPv4 header checksum).  0, or -1 to drop. */
int tunnel_decap(uint8_t outer_tclass, uint8_t *inner);

#endif
