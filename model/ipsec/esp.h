/* IP Encapsulating Security Payload (RFC 4303), transport and tunnel mode,
 * optionally UDP-encapsulated (RFC 3948). */
#ifndef IPSEC_ESP_H
#define IPSEC_ESP_H

#include "context.h"
#include "ip_packet.h"

#define ESP_HDR_LEN 8 /* SPI and sequence number */
#define UDP_HDR_LEN 8
#define NATT_PORT 4500 /* RFC 3948 §2 */

/* Overrides for known-answer tests: a fixed IV (the published vectors do
 * not use the sequence number as IV) and a forced next header (59 makes a
 * dummy packet, RFC 4303 §2.6).  Pass NULL for normal operation. */
struct esp_test_opts {
	const uint8_t *iv;
	int next_header; /* < 0: the packet's own */
};

/* The length of a packet of `total_len` bytes, `hdr_len` of them the
 * headers transport mode keeps in front, once `sa` protects it. */
size_t esp_output_len(const struct ipsec_sa *sa, size_t hdr_len, size_t total_len);

/* RFC 4303 §3.3: protect `pkt` (parsed as `ip`) with outbound `sa` into
 * `out`.  0, or -1 with *reason. */
int esp_output(struct ipsec *ctx, struct ipsec_sa *sa, const uint8_t *pkt,
               const struct ip_packet *ip, uint8_t *out, size_t cap, size_t *out_len,
               const struct esp_test_opts *opts, enum ipsec_drop *reason);

/* RFC 4303 §3.4: process the ESP packet starting `esp_off` bytes into `pkt`.
 * On success `out` holds the inner (tunnel) or rebuilt (transport) packet,
 * *bytes the payload bytes for lifetimes.  *sa is set once the SA is known,
 * also on failure. */
int esp_input(struct ipsec *ctx, const uint8_t *pkt, const struct ip_packet *ip, size_t esp_off,
              uint8_t *out, size_t cap, size_t *out_len, struct ipsec_sa **sa, uint64_t *bytes,
              enum ipsec_drop *reason);

#endif
