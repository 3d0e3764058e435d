/* NAPT (model/elements/nat.c): mappings, RFC 4787 EIM vs APDM, timeouts and refresh,
 * checksums verified by recomputation, flush/rebind, ICMP queries and
 * errors, address-only protocols, fragments, malformed input. */
#include "harness.h"
#include "nat.h"

#include <stdlib.h>
#include <string.h>

#define S (1000000000ULL)
#define OUTSIDE A4(203, 0, 113, 1)
#define H1 A4(10, 0, 0, 2)
#define H2 A4(10, 0, 0, 3)
#define R1 A4(198, 51, 100, 7)
#define R2 A4(198, 51, 100, 8)

static struct nat *make(enum nat_mapping_behaviour mb, uint16_t lo, uint16_t hi)
{
	char err[128];
	struct nat_config c = {
	        .outside_addr = OUTSIDE, .mapping = mb, .port_lo = lo, .port_hi = hi};
	struct nat *nat = nat_new(&c, err, sizeof err);

	assert_non_null(nat);
	return nat;
}

/* ---- checksums, computed from scratch ---- */

static uint16_t l4_sum(const uint8_t *pkt)
{
	struct ipv4_view ip;
	uint8_t buf[4096];
	size_t n, l4len;

	assert_int_equal(ipv4_parse(pkt, 4096, &ip), 0);
	l4len = ip.total_len - ip.hdr_len;
	if (ip.proto == IPPROTO_NUM_ICMP)
		return inet_checksum(pkt + ip.hdr_len, l4len);
	/* RFC 768 / RFC 793 pseudo-header */
	memcpy(buf, pkt + 12, 8);
	buf[8] = 0;
	buf[9] = ip.proto;
	put_be16(buf + 10, (uint16_t)l4len);
	memcpy(buf + 12, pkt + ip.hdr_len, l4len);
	n = 12 + l4len;
	return inet_checksum(buf, n);
}

static size_t csum_off(uint8_t proto)
{
	return proto == IPPROTO_NUM_UDP ? 6 : proto == IPPROTO_NUM_TCP ? 16 : 2;
}

/* Fills in the L4 checksum of a built packet. */
static void seal(uint8_t *pkt)
{
	size_t hl = (size_t)(pkt[0] & 15) * 4;
	uint8_t *c = pkt + hl + csum_off(pkt[9]);

	put_be16(c, 0);
	uint16_t s = l4_sum(pkt);
	if (pkt[9] == IPPROTO_NUM_UDP && s == 0)
		s = 0xffff;
	put_be16(c, s);
}

static void assert_checksums(const uint8_t *pkt)
{
	size_t hl = (size_t)(pkt[0] & 15) * 4;

	assert_int_equal(inet_checksum(pkt, hl), 0);
	if (pkt[9] != IPPROTO_NUM_UDP && pkt[9] != IPPROTO_NUM_TCP && pkt[9] != IPPROTO_NUM_ICMP)
		return; /* no L4 checksum we know of */
	if (pkt[9] == IPPROTO_NUM_UDP && get_be16(pkt + hl + 6) == 0)
		return; /* none computed */
	assert_int_equal(l4_sum(pkt), 0);
}

static size_t udp(uint8_t *b, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	size_t n = build_udp(b, s, d, sp, dp, 33);

	seal(b);
	return n;
}

static size_t tcp(uint8_t *b, uint32_t s, uint32_t d, uint16_t sp, uint16_t dp)
{
	size_t n = build_tcp(b, s, d, sp, dp, 17);

	seal(b);
	return n;
}

static size_t echo(uint8_t *b, uint32_t s, uint32_t d, uint8_t type, uint16_t id)
{
	size_t n = build_icmp(b, s, d, type, 0, 24);

	put_be16(b + IPV4_HDR_LEN + 4, id);
	seal(b);
	return n;
}

static enum nat_verdict xlate(struct nat *nat, enum nat_dir dir, uint8_t *b, size_t n, uint64_t now,
                              enum nat_drop *why)
{
	enum nat_drop w = NAT_DROP__COUNT;
	enum nat_verdict v = nat_translate(nat, dir, b, n, now, &w);

	if (why)
		*why = w;
	if (v == NAT_TRANSLATED)
		assert_checksums(b);
	return v;
}

static uint32_t src_of(const uint8_t *b)
{
	return get_be32(b + 12);
}
static uint32_t dst_of(const uint8_t *b)
{
	return get_be32(b + 16);
}
static uint16_t sport_of(const uint8_t *b)
{
	return get_be16(b + IPV4_HDR_LEN);
}
static uint16_t dport_of(const uint8_t *b)
{
	return get_be16(b + IPV4_HDR_LEN + 2);
}

/* ---- mappings ---- */

static void test_eim_udp(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	size_t n = udp(b, H1, R1, 5000, 53);

	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(src_of(b), OUTSIDE);
	assert_int_equal(sport_of(b), 5000); /* port preservation */
	assert_int_equal(dst_of(b), R1);
	/* RFC 4787 §4.1: the same mapping for every remote endpoint */
	n = udp(b, H1, R2, 5000, 9999);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 1, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 5000);
	assert_int_equal(nat_stats(nat)->mappings, 1);
	/* endpoint-independent filtering: any remote may answer */
	n = udp(b, A4(192, 0, 2, 99), OUTSIDE, 1234, 5000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 2, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(dport_of(b), 5000);
	assert_int_equal(src_of(b), A4(192, 0, 2, 99));
	const struct nat_stats *st = nat_stats(nat);
	assert_int_equal(st->translated_out, 2);
	assert_int_equal(st->translated_in, 1);
	assert_int_equal(st->mappings_created, 1);
	nat_free(nat);
}

static void test_apdm_udp(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, 0, 0);
	uint8_t b[256];
	enum nat_drop why;
	size_t n = udp(b, H1, R1, 5000, 53);

	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 5000);
	/* another remote: another mapping, another port (no overloading) */
	n = udp(b, H1, R2, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	uint16_t second = sport_of(b);
	assert_int_not_equal(second, 5000);
	assert_int_equal(second, NAT_DEFAULT_PORT_LO); /* sequential from the bottom */
	/* same remote, other port: a third mapping */
	n = udp(b, H1, R1, 5000, 54);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), NAT_DEFAULT_PORT_LO + 1);
	assert_int_equal(nat_stats(nat)->mappings, 3);
	/* the right remote gets in */
	n = udp(b, R2, OUTSIDE, 53, second);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(dport_of(b), 5000);
	/* address-and-port-dependent filtering */
	n = udp(b, R1, OUTSIDE, 53, second);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_FILTERED);
	n = udp(b, R2, OUTSIDE, 54, second);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_FILTERED);
	n = udp(b, R2, OUTSIDE, 53, 7777);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	assert_int_equal(nat_stats(nat)->drops[NAT_DROP_FILTERED], 2);
	assert_int_equal(nat_stats(nat)->drops[NAT_DROP_NO_MAPPING], 1);
	nat_free(nat);
}

static void test_port_allocation(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 2000, 2002);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	/* in range and free: preserved */
	n = udp(b, H1, R1, 2001, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 2001);
	/* taken: the next free one from the start of the range */
	n = udp(b, H2, R1, 2001, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 2000);
	/* out of range: sequential */
	n = udp(b, H2, R1, 40000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 2002);
	/* the range is full */
	n = udp(b, H2, R1, 40001, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_PORTS_EXHAUSTED);
	/* TCP has its own ports */
	n = tcp(b, H2, R1, 40001, 80);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 2000);
	assert_int_equal(nat_stats(nat)->peak_mappings, 4);
	nat_free(nat);
}

static void test_config_errors(void **state)
{
	(void)state;
	char err[128];
	struct nat_config c = {.outside_addr = OUTSIDE, .port_lo = 3000, .port_hi = 2000};

	assert_null(nat_new(&c, err, sizeof err));
	assert_non_null(strstr(err, "3000-2000"));
	c.port_lo = 0;
	c.port_hi = 10;
	assert_null(nat_new(&c, err, sizeof err));
	c = (struct nat_config){.outside_addr = OUTSIDE, .mapping = 7};
	assert_null(nat_new(&c, err, sizeof err));
	c.mapping = NAT_MAPPING_ENDPOINT_INDEPENDENT;
	struct nat *nat = nat_new(&c, err, sizeof err);
	assert_non_null(nat);
	assert_int_equal(nat_config(nat)->timeout_ns, 120 * S); /* RFC 4787 REQ-5 */
	assert_int_equal(nat_config(nat)->tcp_timeout_ns, 7440 * S);
	assert_int_equal(nat_config(nat)->port_lo, 1024);
	assert_int_equal(nat_config(nat)->port_hi, 65535);
	assert_string_equal(nat_drop_name(NAT_DROP_NO_MAPPING), "no_mapping");
	assert_string_equal(nat_drop_name(NAT_DROP__COUNT), "?");
	nat_free(nat);
	nat_free(NULL);
}

/* ---- timeouts and refresh ---- */

static void test_timeout(void **state)
{
	(void)state;
	char err[128];
	struct nat_config c = {.outside_addr = OUTSIDE, .timeout_ns = 30 * S};
	struct nat *nat = nat_new(&c, err, sizeof err);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = udp(b, R1, OUTSIDE, 53, 5000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 20 * S, NULL), NAT_TRANSLATED);
	/* inbound did not refresh (RFC 4787 REQ-6: outbound only here) */
	n = udp(b, R1, OUTSIDE, 53, 5000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 30 * S, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	assert_int_equal(nat_stats(nat)->mappings_expired, 1);
	assert_int_equal(nat_stats(nat)->mappings, 0);
	/* outbound refreshes */
	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 40 * S, NULL), NAT_TRANSLATED);
	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 65 * S, NULL), NAT_TRANSLATED);
	n = udp(b, R1, OUTSIDE, 53, 5000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 94 * S, NULL), NAT_TRANSLATED);
	nat_expire(nat, 95 * S);
	assert_int_equal(nat_stats(nat)->mappings_expired, 2);
	nat_free(nat);

	/* inbound refresh when configured */
	c.refresh = NAT_REFRESH_BOTH;
	nat = nat_new(&c, err, sizeof err);
	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	for (uint64_t t = 20; t <= 200; t += 20) {
		n = udp(b, R1, OUTSIDE, 53, 5000);
		assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, t * S, NULL), NAT_TRANSLATED);
	}
	assert_int_equal(nat_stats(nat)->mappings_expired, 0);
	nat_free(nat);
}

static void test_tcp_timeout(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	size_t n;

	n = tcp(b, H1, R1, 40000, 443);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = udp(b, H1, R1, 40000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	/* UDP gone after 2 min, TCP lives for 2 h 4 min (RFC 5382 REQ-5) */
	n = tcp(b, R1, OUTSIDE, 443, 40000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 7000 * S, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(nat_stats(nat)->mappings_expired, 1);
	nat_expire(nat, 7440 * S);
	assert_int_equal(nat_stats(nat)->mappings, 0);
	nat_free(nat);
}

/* ---- checksums ---- */

static void test_checksums_random(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, 0, 0);
	uint8_t b[512];
	uint32_t rng = 12345;

	for (int i = 0; i < 3000; i++) {
		rng = rng * 1103515245 + 12345;
		uint32_t host = A4(10, 0, (rng >> 8) & 255, (rng >> 16) & 255);
		uint32_t rem = rng ^ 0x5a5a5a5a;
		uint16_t sp = (uint16_t)(rng >> 3), dp = (uint16_t)(rng >> 13);
		size_t n;
		int kind = i % 3;

		if (rem == OUTSIDE)
			continue;
		if (kind == 0)
			n = udp(b, host, rem, sp, dp);
		else if (kind == 1)
			n = tcp(b, host, rem, sp, dp);
		else
			n = echo(b, host, rem, 8, sp);
		enum nat_verdict v = xlate(nat, NAT_DIR_OUT, b, n, (uint64_t)i, NULL);
		if (v != NAT_TRANSLATED)
			continue; /* ports exhausted is fine */
		uint16_t ext = kind == 2 ? get_be16(b + IPV4_HDR_LEN + 4) : sport_of(b);
		/* the answer comes back to where it came from */
		if (kind == 0)
			n = udp(b, rem, OUTSIDE, dp, ext);
		else if (kind == 1)
			n = tcp(b, rem, OUTSIDE, dp, ext);
		else
			n = echo(b, rem, OUTSIDE, 0, ext);
		assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, (uint64_t)i, NULL), NAT_TRANSLATED);
		assert_int_equal(dst_of(b), host);
		if (kind == 2)
			assert_int_equal(get_be16(b + IPV4_HDR_LEN + 4), sp);
		else
			assert_int_equal(dport_of(b), sp);
	}
	nat_free(nat);
}

static void test_udp_zero_checksum(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	size_t n = build_udp(b, H1, R1, 4500, 4500, 40); /* RFC 3948: checksum 0 */

	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(get_be16(b + IPV4_HDR_LEN + 6), 0);
	assert_int_equal(sport_of(b), 4500);
	n = build_udp(b, R1, OUTSIDE, 4500, 4500, 40);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(get_be16(b + IPV4_HDR_LEN + 6), 0);
	assert_int_equal(dst_of(b), H1);
	nat_free(nat);
}

/* ---- flush, rebind ---- */

static void test_flush(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	n = udp(b, H1, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = udp(b, H2, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(nat_flush(nat), 2);
	assert_int_equal(nat_stats(nat)->mappings_flushed, 2);
	n = udp(b, R1, OUTSIDE, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	/* the inside host sends again: the same port, free again */
	n = udp(b, H1, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 2, NULL), NAT_TRANSLATED);
	assert_int_equal(sport_of(b), 4500);
	n = udp(b, R1, OUTSIDE, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 3, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(nat_stats(nat)->mappings_created, 3);
	nat_free(nat);
}

static void test_rebind(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	n = udp(b, H1, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = echo(b, H1, R1, 8, 77);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	uint8_t esp[64];
	size_t en = build_udp(esp, H1, R1, 1, 1, 8);
	esp[9] = IPPROTO_NUM_ESP;
	ipv4_set_checksum(esp);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, esp, en, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(nat_rebind(nat), 2); /* the ESP mapping has no port */
	assert_int_equal(nat_stats(nat)->mappings_rebound, 2);
	n = udp(b, R1, OUTSIDE, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	/* the inside host's packets now leave from the new port */
	n = udp(b, H1, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 2, NULL), NAT_TRANSLATED);
	uint16_t moved = sport_of(b);
	assert_int_not_equal(moved, 4500);
	n = udp(b, R1, OUTSIDE, 4500, moved);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 3, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(dport_of(b), 4500);
	size_t count;
	const struct nat_map *maps = nat_mappings(nat, &count);
	assert_int_equal(count, 3);
	for (size_t i = 0; i < count; i++)
		if (maps[i].proto == IPPROTO_NUM_ICMP)
			assert_int_not_equal(maps[i].ext_port, 77);
	nat_free(nat);
}

/* ---- ICMP ---- */

static void test_icmp_echo(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	n = echo(b, H1, R1, 8, 0x4000);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(src_of(b), OUTSIDE);
	assert_int_equal(get_be16(b + IPV4_HDR_LEN + 4), 0x4000);
	/* the same identifier from another host: another one outside */
	n = echo(b, H2, R1, 8, 0x4000);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	uint16_t id2 = get_be16(b + IPV4_HDR_LEN + 4);
	assert_int_not_equal(id2, 0x4000);
	n = echo(b, R1, OUTSIDE, 0, id2);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H2);
	assert_int_equal(get_be16(b + IPV4_HDR_LEN + 4), 0x4000);
	n = echo(b, R1, OUTSIDE, 0, 0x4000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	/* an unknown identifier; a type that is neither query nor error */
	n = echo(b, R1, OUTSIDE, 0, 0x1234);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	n = echo(b, H1, R1, 9, 1); /* router advertisement */
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_UNSUPPORTED);
	nat_free(nat);
}

/* An ICMP error from `from` to `to` quoting the packet `q` (whole). */
static size_t icmp_error_pkt(uint8_t *b, uint32_t from, uint32_t to, uint8_t type, uint8_t code,
                             const uint8_t *q, size_t qlen)
{
	size_t n = build_icmp(b, from, to, type, code, qlen);

	memset(b + IPV4_HDR_LEN + 4, 0, 4);
	memcpy(b + IPV4_HDR_LEN + 8, q, qlen);
	seal(b);
	return n;
}

static void test_icmp_error_inbound(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, 0, 0);
	uint8_t b[512], q[256];
	enum nat_drop why;
	size_t n, qn;

	/* two mappings, so the quoted packet picks the right one */
	n = udp(b, H2, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	qn = udp(q, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, q, qn, 0, NULL), NAT_TRANSLATED);
	uint16_t ext = sport_of(q);
	assert_int_not_equal(ext, 5000);
	/* a router on the way says time exceeded, quoting the whole packet */
	n = icmp_error_pkt(b, A4(192, 0, 2, 254), OUTSIDE, 11, 0, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	uint8_t *e = b + IPV4_HDR_LEN + 8;
	assert_int_equal(get_be32(e + 12), H1);
	assert_int_equal(get_be16(e + IPV4_HDR_LEN), 5000);
	assert_int_equal(inet_checksum(e, IPV4_HDR_LEN), 0);
	assert_checksums(e); /* the quoted UDP checksum was updated too */
	/* only 8 bytes quoted (RFC 792), TCP: no checksum to update */
	qn = tcp(q, H1, R1, 6000, 80);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, q, qn, 0, NULL), NAT_TRANSLATED);
	n = icmp_error_pkt(b, R1, OUTSIDE, 3, 3, q, IPV4_HDR_LEN + 8);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, NULL), NAT_TRANSLATED);
	assert_int_equal(get_be16(b + IPV4_HDR_LEN + 8 + IPV4_HDR_LEN), 6000);
	/* quoting a packet we never sent */
	qn = udp(q, OUTSIDE, R1, 999, 53);
	n = icmp_error_pkt(b, R1, OUTSIDE, 3, 3, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_ICMP_ERROR);
	/* quoting a packet from someone else */
	qn = udp(q, R2, R1, ext, 53);
	n = icmp_error_pkt(b, R1, OUTSIDE, 3, 3, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	/* too short to quote anything */
	n = icmp_error_pkt(b, R1, OUTSIDE, 3, 3, q, 10);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_ICMP_ERROR);
	/* quoting an echo request we translated */
	qn = echo(q, H1, R1, 8, 0x4001);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, q, qn, 0, NULL), NAT_TRANSLATED);
	n = icmp_error_pkt(b, A4(192, 0, 2, 254), OUTSIDE, 11, 0, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 1, NULL), NAT_TRANSLATED);
	assert_int_equal(get_be16(e + IPV4_HDR_LEN + 4), 0x4001);
	assert_checksums(e);
	nat_free(nat);
}

static void test_icmp_error_outbound(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[512], q[256];
	enum nat_drop why;
	size_t n, qn;

	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	qn = udp(q, R2, OUTSIDE, 1111, 5000);
	assert_int_equal(xlate(nat, NAT_DIR_IN, q, qn, 0, NULL), NAT_TRANSLATED);
	/* the inside host answers port unreachable, quoting what it got */
	n = icmp_error_pkt(b, H1, R2, 3, 3, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 1, NULL), NAT_TRANSLATED);
	uint8_t *e = b + IPV4_HDR_LEN + 8;
	assert_int_equal(src_of(b), OUTSIDE);
	assert_int_equal(get_be32(e + 16), OUTSIDE);
	assert_int_equal(get_be16(e + IPV4_HDR_LEN + 2), 5000);
	assert_checksums(e);
	/* about a packet that never came through us */
	qn = udp(q, R2, H2, 1111, 7);
	n = icmp_error_pkt(b, H2, R2, 3, 3, q, qn);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_ICMP_ERROR);
	/* an error about an error is not translated */
	memcpy(q, b, 36);
	n = icmp_error_pkt(b, H1, R2, 3, 3, q, 36);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 1, &why), NAT_DROP);
	nat_free(nat);
}

/* ---- address-only protocols: ESP, AH ---- */

static size_t ipproto(uint8_t *b, uint8_t proto, uint32_t s, uint32_t d)
{
	size_t n = build_udp(b, s, d, 0, 0, 40);

	b[9] = proto;
	ipv4_set_checksum(b);
	return n;
}

static void test_esp_ah(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, 0, 0);
	uint8_t b[256], before[256];
	enum nat_drop why;
	size_t n;

	n = ipproto(b, IPPROTO_NUM_ESP, R1, OUTSIDE);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	n = ipproto(b, IPPROTO_NUM_ESP, H1, R1);
	memcpy(before, b, n);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(src_of(b), OUTSIDE);
	/* only the address (and the header checksum) changed */
	assert_memory_equal(b + IPV4_HDR_LEN, before + IPV4_HDR_LEN, n - IPV4_HDR_LEN);
	n = ipproto(b, IPPROTO_NUM_ESP, R2, OUTSIDE);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	/* AH: rewritten all the same (its ICV will fail, RFC 3715 §2.1) */
	n = ipproto(b, IPPROTO_NUM_AH, H1, R1);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(src_of(b), OUTSIDE);
	/* a second inside host using ESP: inbound ESP is ambiguous */
	n = ipproto(b, IPPROTO_NUM_ESP, H2, R2);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = ipproto(b, IPPROTO_NUM_ESP, R1, OUTSIDE);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_NO_MAPPING);
	/* AH still has a single user */
	n = ipproto(b, IPPROTO_NUM_AH, R1, OUTSIDE);
	assert_int_equal(xlate(nat, NAT_DIR_IN, b, n, 0, NULL), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	nat_free(nat);
}

/* ---- fragments, pass-through, malformed input ---- */

static void test_fragments(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	n = udp(b, H1, R1, 5000, 53);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	/* a first fragment in: translated and remembered */
	n = udp(b, R1, OUTSIDE, 53, 5000);
	put_be16(b + 4, 0x7777);
	set_frag(b, IPV4_MF);
	assert_int_equal(nat_translate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	/* its later fragment follows it */
	n = ipproto(b, IPPROTO_NUM_UDP, R1, OUTSIDE);
	put_be16(b + 4, 0x7777);
	set_frag(b, 3);
	assert_int_equal(nat_translate(nat, NAT_DIR_IN, b, n, 2, &why), NAT_TRANSLATED);
	assert_int_equal(dst_of(b), H1);
	assert_int_equal(inet_checksum(b, IPV4_HDR_LEN), 0);
	/* one whose first fragment never came */
	put_be16(b + 4, 0x7778);
	set_frag(b, 3);
	put_be32(b + 16, OUTSIDE);
	ipv4_set_checksum(b);
	assert_int_equal(nat_translate(nat, NAT_DIR_IN, b, n, 2, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_FRAGMENT);
	/* outbound later fragments: the address only */
	n = ipproto(b, IPPROTO_NUM_UDP, H2, R1);
	set_frag(b, 3);
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, n, 2, &why), NAT_TRANSLATED);
	assert_int_equal(src_of(b), OUTSIDE);
	assert_int_equal(inet_checksum(b, IPV4_HDR_LEN), 0);
	nat_free(nat);
}

/* drop_fragments: every IP fragment, first or later, either way, is
 * dropped as ip_fragment; whole packets pass as before. */
static void test_drop_fragments(void **state)
{
	(void)state;
	struct nat_config cfg = {.outside_addr = OUTSIDE, .drop_fragments = true};
	char err[200];
	struct nat *nat = nat_new(&cfg, err, sizeof(err));
	uint8_t b[256];
	enum nat_drop why;
	size_t n;

	assert_non_null(nat);
	n = udp(b, H1, R1, 4500, 4500);
	assert_int_equal(xlate(nat, NAT_DIR_OUT, b, n, 0, NULL), NAT_TRANSLATED);
	n = udp(b, H1, R1, 4500, 4500);
	set_frag(b, IPV4_MF);
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_IP_FRAGMENT);
	n = ipproto(b, IPPROTO_NUM_UDP, R1, OUTSIDE);
	set_frag(b, 3);
	assert_int_equal(nat_translate(nat, NAT_DIR_IN, b, n, 1, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_IP_FRAGMENT);
	assert_int_equal(nat_stats(nat)->drops[NAT_DROP_IP_FRAGMENT], 2);
	assert_string_equal(nat_drop_name(NAT_DROP_IP_FRAGMENT), "ip_fragment");
	nat_free(nat);
}

static void test_pass_and_malformed(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ENDPOINT_INDEPENDENT, 0, 0);
	uint8_t b[256], copy[256];
	enum nat_drop why;
	size_t n;

	/* inbound, not for the outside address: routed untouched */
	n = udp(b, R1, H1, 53, 5000);
	memcpy(copy, b, n);
	assert_int_equal(nat_translate(nat, NAT_DIR_IN, b, n, 0, &why), NAT_PASS);
	assert_memory_equal(b, copy, n);
	assert_int_equal(nat_stats(nat)->passed, 1);
	/* truncated headers */
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, 10, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_MALFORMED);
	n = build_udp(b, H1, R1, 1, 2, 0);
	put_be16(b + 2, IPV4_HDR_LEN + 5); /* UDP header cut short */
	ipv4_set_checksum(b);
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, n, 0, &why), NAT_DROP);
	assert_int_equal(why, NAT_DROP_MALFORMED);
	n = build_tcp(b, H1, R1, 1, 2, 0);
	put_be16(b + 2, IPV4_HDR_LEN + 17);
	ipv4_set_checksum(b);
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, n, 0, &why), NAT_DROP);
	n = build_icmp(b, H1, R1, 8, 0, 0);
	put_be16(b + 2, IPV4_HDR_LEN + 7);
	ipv4_set_checksum(b);
	assert_int_equal(nat_translate(nat, NAT_DIR_OUT, b, n, 0, &why), NAT_DROP);
	assert_int_equal(nat_stats(nat)->drops[NAT_DROP_MALFORMED], 4);
	nat_free(nat);
}

/* Random mutations of valid packets, both directions: never a crash, never
 * a length change, every translated packet with a valid IP checksum. */
static void test_mutations(void **state)
{
	(void)state;
	struct nat *nat = make(NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, 1024, 1100);
	uint8_t b[600], q[128];
	uint32_t rng = 99;

	for (int i = 0; i < 200000; i++) {
		size_t n;

		rng = rng * 1103515245 + 12345;
		switch ((rng >> 16) % 6) {
		case 0:
			n = udp(b, H1 + (rng & 7), (rng & 1) ? OUTSIDE : R1, (uint16_t)(rng >> 8),
			        1024 + (rng & 63));
			break;
		case 1:
			n = tcp(b, R1, OUTSIDE, 80, 1024 + (rng & 63));
			break;
		case 2:
			n = echo(b, (rng & 1) ? R1 : H1, OUTSIDE, (rng & 2) ? 0 : 8,
			         1024 + (rng & 63));
			break;
		case 3: {
			size_t qn = udp(q, OUTSIDE, R1, 1024 + (rng & 63), 53);
			n = icmp_error_pkt(b, R1, OUTSIDE, 3, 3, q, qn);
			break;
		}
		case 4:
			n = ipproto(b, (rng & 1) ? IPPROTO_NUM_ESP : IPPROTO_NUM_AH, R1, OUTSIDE);
			break;
		default:
			n = ipproto(b, (uint8_t)(rng >> 3), H1, R1);
			set_frag(b, (uint16_t)(rng >> 9));
			break;
		}
		/* flip a few bytes, maybe cut it */
		for (int k = 0; k < 3; k++) {
			rng = rng * 1103515245 + 12345;
			b[(rng >> 8) % n] ^= (uint8_t)(rng >> 24);
		}
		if (rng & 0x10000)
			n = (rng >> 4) % (n + 1);
		enum nat_drop why;
		enum nat_dir dir = (rng & 0x20000) ? NAT_DIR_IN : NAT_DIR_OUT;
		if (nat_translate(nat, dir, b, n, (uint64_t)i * 1000000, &why) == NAT_TRANSLATED)
			assert_int_equal(inet_checksum(b, (size_t)(b[0] & 15) * 4), 0);
		if (i % 50000 == 0)
			nat_rebind(nat);
		if (i % 70000 == 0)
			nat_flush(nat);
	}
	nat_free(nat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_eim_udp),
	        cmocka_unit_test(test_apdm_udp),
	        cmocka_unit_test(test_port_allocation),
	        cmocka_unit_test(test_config_errors),
	        cmocka_unit_test(test_timeout),
	        cmocka_unit_test(test_tcp_timeout),
	        cmocka_unit_test(test_checksums_random),
	        cmocka_unit_test(test_udp_zero_checksum),
	        cmocka_unit_test(test_flush),
	        cmocka_unit_test(test_rebind),
	        cmocka_unit_test(test_icmp_echo),
	        cmocka_unit_test(test_icmp_error_inbound),
	        cmocka_unit_test(test_icmp_error_outbound),
	        cmocka_unit_test(test_esp_ah),
	        cmocka_unit_test(test_fragments),
	        cmocka_unit_test(test_drop_fragments),
	        cmocka_unit_test(test_pass_and_malformed),
	        cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
