/* Tunnel-mode outer header construction (RFC 4301 §5.1.2.1) and ECN
 * propagation (RFC 6040 normal mode). */
#ifndef IPSEC_TUNNEL_H
#define IPSEC_TUNNEL_H

#include "context.h"
#include "ipv4.h"

/* Write the 20-byte outer header for `inner` into `hdr`. */
void tunnel_outer_build(struct ipsec *ctx, const struct ipsec_sa *sa, const struct ipv4_view *inner,
                        uint8_t *hdr, uint16_t total_len, uint8_t proto);

/* RFC 6040 §4.1 normal mode: the outer ECN field is a copy of the inner. */
uint8_t tunnel_ecn_encap(uint8_t inner_ecn);

/* RFC 6040 §4.2: the inner ECN field after decapsulation, or -1 when the
 * packet must be dropped (outer CE, inner Not-ECT). */
int tunnel_ecn_decap(uint8_t inner_ecn, uint8_t outer_ecn);

/* Apply tunnel_ecn_decap to the inner header at `inner` (fixing its
 * checksum).  0, or -1 to drop. */
int tunnel_decap(uint8_t outer_tos, uint8_t *inner);

#endif
