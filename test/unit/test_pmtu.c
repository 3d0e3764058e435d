/* Path MTU at a tunnel's entry (RFC 4301 §8.2, ipsec_output_mtu): a packet
 * that would exceed the link once protected, and may not be fragmented on
 * its way (IPv6; IPv4 with DF), is dropped before any SA state changes and
 * the room left is what the source must be told; one whose room would be
 * below its family's minimum MTU is protected (the outer packet is
 * fragmented).  The expected lengths are computed here from the RFCs'
 * field sizes, not taken from the engine. */
#include "harness.h"

#include <string.h>

/* 6-in-6 ESP with AES-GCM-128: outer IPv6 header (40), SPI and sequence
 * number (8), IV (8), padding to 4 bytes with Pad Length and Next Header,
 * ICV (16) -- RFC 4303 §2, RFC 4106 §3. */
static size_t esp6_gcm_len(size_t inner)
{
	size_t ct = inner + 2;

	ct += (4 - ct % 4) % 4;
	return 40 + 8 + 8 + ct + 16;
}

static void setup6(struct test_host *h, struct ipsec **ctx, uint32_t *sa)
{
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x900,
	                                  0, 0, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);

	c.src = parse_addr("fd00:12::1");
	c.dst = parse_addr("fd00:12::2");
	memset(h, 0, sizeof(*h));
	*ctx = ipsec_new(&test_ops, h);
	assert_non_null(*ctx);
	*sa = add_sa(*ctx, &c);
	add_protect_all(*ctx, *sa);
}

static void test_ipv6_too_big(void **state)
{
	uint8_t pkt[BUF], out[BUF + IPSEC_MAX_OVERHEAD];
	struct test_host h;
	struct ipsec *ctx;
	uint32_t sa;
	size_t len = build_udp6(pkt, "fd00:1::2", "fd00:2::2", IPPROTO_NUM_UDP, NULL, 0, 1400, 0);
	size_t out_len = 0, overhead = esp6_gcm_len(len) - len;
	enum ipsec_drop why;

	(void)state;
	setup6(&h, &ctx, &sa);
	assert_int_equal(ipsec_output_mtu(ctx, pkt, len, 1500, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(why, IPSEC_DROP_TOO_BIG);
	assert_int_equal(out_len, 1500 - overhead);
	assert_int_equal(ipsec_drops(ctx, IPSEC_DROP_TOO_BIG), 1);
	/* Nothing of the SA was used: the next packet gets sequence number 1. */
	assert_int_equal(test_sa(ctx, sa)->stats.packets, 0);
	len = build_udp6(pkt, "fd00:1::2", "fd00:2::2", IPPROTO_NUM_UDP, NULL, 0,
	                 1500 - overhead - 48, 0);
	assert_int_equal(len, 1500 - overhead);
	assert_int_equal(ipsec_output_mtu(ctx, pkt, len, 1500, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(out_len, 1500);
	assert_int_equal(out[40 + 7], 1); /* the ESP sequence number */
	ipsec_free(ctx);
}

/* A link whose room for the inner packet would be below 1280 (RFC 8200
 * §5): the packet is protected, the outer packet fragmented by the host
 * (RFC 2473 §7.1). */
static void test_ipv6_below_minimum(void **state)
{
	uint8_t pkt[BUF], out[BUF + IPSEC_MAX_OVERHEAD];
	struct test_host h;
	struct ipsec *ctx;
	uint32_t sa;
	size_t len = build_udp6(pkt, "fd00:1::2", "fd00:2::2", IPPROTO_NUM_UDP, NULL, 0, 1300, 0);
	size_t out_len = 0;
	enum ipsec_drop why;

	(void)state;
	setup6(&h, &ctx, &sa);
	assert_int_equal(ipsec_output_mtu(ctx, pkt, len, 1300, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(out_len, esp6_gcm_len(len));
	ipsec_free(ctx);
}

/* IPv4 inside: only DF forbids fragmenting (RFC 791, RFC 1191), and then
 * the room is what ICMP Fragmentation Needed reports. */
static void test_ipv4_df(void **state)
{
	uint8_t pkt[BUF], out[BUF + IPSEC_MAX_OVERHEAD];
	struct test_host h;
	struct ipsec *ctx;
	uint32_t sa;
	size_t len = build_udp(pkt, A4(10, 1, 0, 2), A4(10, 2, 0, 2), 1000, 2000, 1400);
	size_t out_len = 0, overhead = esp6_gcm_len(len) - len; /* 4-in-6 */
	enum ipsec_drop why;

	(void)state;
	setup6(&h, &ctx, &sa);
	assert_int_equal(ipsec_output_mtu(ctx, pkt, len, 1400, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_PROTECT);
	set_frag(pkt, IPV4_DF);
	assert_int_equal(ipsec_output_mtu(ctx, pkt, len, 1400, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(why, IPSEC_DROP_TOO_BIG);
	assert_int_equal(out_len, 1400 - overhead);
	/* Without an MTU nothing changes: ipsec_output protects it. */
	assert_int_equal(ipsec_output(ctx, pkt, len, out, sizeof(out), &out_len, &why),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(out_len, esp6_gcm_len(len));
	ipsec_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ipv6_too_big),
	        cmocka_unit_test(test_ipv6_below_minimum),
	        cmocka_unit_test(test_ipv4_df),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
