/* IP Authentication Header (RFC 4302), transport and tunnel mode. */
#ifndef IPSEC_AH_H
#define IPSEC_AH_H

#include "context.h"
#include "esp.h"
#include "ipv4.h"
#include "ipv6.h"

#define AH_HDR_LEN 12 /* without the ICV */
/* The most bytes of IP header and IPv6 extension headers before AH that
 * are taken into the ICV; packets with more are dropped as malformed. */
#define AH_MAX_HEADERS 512

/* The length of a packet of `family` and `total_len` bytes once `sa`
 * protects it. */
size_t ah_output_len(const struct ipsec_sa *sa, uint8_t family, size_t total_len);

/* RFC 4302 §3.3: protect `pkt` with outbound AH `sa`.  0 or -1. */
int ah_output(struct ipsec *ctx, struct ipsec_sa *sa, const uint8_t *pkt,
              const struct ip_packet *ip, uint8_t *out, size_t cap, size_t *out_len,
              const struct esp_test_opts *opts, enum ipsec_drop *reason);

/* RFC 4302 §3.4: verify and strip the AH header after the IP header. */
int ah_input(struct ipsec *ctx, const uint8_t *pkt, const struct ip_packet *ip, uint8_t *out,
             size_t cap, size_t *out_len, struct ipsec_sa **sa, uint64_t *bytes,
             enum ipsec_drop *reason);

/* RFC 4302 §3.3.3.1.2: zeroes the mutable fields of the IPv6 header and
 * the extension headers before AH, `h` of `len` bytes (the packet up to
 * where AH goes: ipv6_view.ipsec_off), for the ICV.  `sending`: a Routing
 * header with segments left is arranged as the receiver will see it.  0,
 * or -1 for what cannot precede AH or be predicted. */
int ah_ipv6_zero_mutable(uint8_t *h, size_t len, bool sending);

#endif
