/* Shared helpers for the engine's unit tests: a fake host (clock, timer,
 * random bytes, events), packet builders and SA/SPD shortcuts. */
#ifndef IPSEC_TEST_HARNESS_H
#define IPSEC_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "context.h"
#include "ipsec.h"
#include "ipv4.h"

#define MAX_EVENTS 64
#define BUF 2048

struct test_host {
	uint64_t now;
	uint64_t timer_at;
	int timer_calls;
	struct ipsec_event events[MAX_EVENTS];
	int nevents;
	const uint8_t *iv; /* if set, random_bytes returns these bytes */
	size_t iv_len;
	uint32_t rng;
	int random_fail;
};

extern const struct ipsec_host_ops test_ops;

/* True if needle occurs in hay. */
bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m);

/* Parse hex (whitespace ignored) into out; returns the byte count. */
size_t hex(const char *s, uint8_t *out);

#define A4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
/* The same as a struct ip_addr (an lvalue: &IP4(...) works). */
#define IP4(a, b, c, d) ((struct ip_addr){IP_FAMILY_V4, {(a), (b), (c), (d)}})

/* Is r the IPv4 range lo .. hi (host order)? */
static inline bool range_v4_is(struct ip_range r, uint32_t lo, uint32_t hi)
{
	return r.lo.family == IP_FAMILY_V4 && ip_addr_v4_value(&r.lo) == lo &&
	       ip_addr_v4_value(&r.hi) == hi;
}

/* Build IPv4 packets with valid header checksums; return total length. */
size_t build_udp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 size_t payload_len);
size_t build_tcp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 size_t payload_len);
size_t build_icmp(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
                  size_t payload_len);
/* An address from its text (asserts it parses). */
struct ip_addr parse_addr(const char *text);
/* UDP 1000 -> 2000 with `n` bytes over IPv6 from src to dst, with traffic
 * class `tclass`, after the extension headers `ext` of `ext_len` bytes
 * (already chained, the last naming UDP) whose first kind is `first`; a
 * valid UDP checksum.  Returns the length. */
size_t build_udp6(uint8_t *buf, const char *src, const char *dst, uint8_t first, const uint8_t *ext,
                  size_t ext_len, size_t n, uint8_t tclass);

/* Change TOS / fragment field / TTL of a built packet, fixing the checksum. */
void set_tos(uint8_t *pkt, uint8_t tos);
void set_frag(uint8_t *pkt, uint16_t frag);
void set_ttl(uint8_t *pkt, uint8_t ttl);

/* A configuration with deterministic keys of the right lengths. */
struct ipsec_sa_config sa_cfg(enum ipsec_dir dir, enum ipsec_protocol proto, enum ipsec_mode mode,
                              uint32_t spi, uint32_t src, uint32_t dst, enum ipsec_enc enc,
                              enum ipsec_integ integ);
/* The inbound twin of an outbound configuration (same keys). */
struct ipsec_sa_config sa_cfg_in(const struct ipsec_sa_config *out, uint32_t window);

uint32_t add_sa(struct ipsec *ctx, const struct ipsec_sa_config *cfg);
void add_protect_all(struct ipsec *ctx, uint32_t sa_out);

/* Internal SA access for tests (set counters, read windows). */
struct ipsec_sa *test_sa(struct ipsec *ctx, uint32_t id);

/* A sender and a receiver with one SA pair and a protect-everything policy. */
struct pair {
	struct test_host ha, hb;
	struct ipsec *a, *b;
	uint32_t out, in;
};
void pair_setup(struct pair *p, const struct ipsec_sa_config *out_cfg, uint32_t window);
void pair_teardown(struct pair *p);

/* Protect pkt on a and process the result on b; asserts both succeed and the
 * delivered packet equals pkt.  Returns the length of the wire packet. */
size_t pair_roundtrip(struct pair *p, const uint8_t *pkt, size_t len);

/* main() of a test that needs tshark: skips (exit 77) without it, makes
 * the scratch folder `dir` (a mkdtemp template, XXXXXX at the end), runs
 * the tests and removes the folder if they all passed. */
int tshark_test_main(const char *name, const struct CMUnitTest *tests, size_t n, char *dir);

#endif
