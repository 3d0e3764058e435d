/* SPD (RFC 4301 §4.4.1), SAD (§4.4.2), inbound policy (§5.2), bundles and
 * configuration errors. */
#include "harness.h"

#include "sad.h"
#include "spd.h"

#include <string.h>

#define L A4(10, 0, 0, 1)
#define R A4(10, 9, 0, 1)

static struct ipsec_spd_entry entry(enum ipsec_action a)
{
	struct ipsec_spd_entry e = {0};

	e.action = a;
	return e;
}

static void spd_add(struct ipsec *ctx, const struct ipsec_spd_entry *e)
{
	char err[256] = "";

	if (ipsec_spd_add(ctx, e, err, sizeof(err)))
		fail_msg("ipsec_spd_add: %s", err);
}

static enum ipsec_verdict out_verdict(struct ipsec *ctx, const uint8_t *pkt, size_t len,
                                      enum ipsec_drop *r)
{
	uint8_t out[BUF];
	size_t olen;

	*r = IPSEC_DROP__COUNT;
	return ipsec_output(ctx, pkt, len, out, sizeof(out), &olen, r);
}

static void test_spd_first_match_ranges_ports(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                  0x1234, L, R, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	uint32_t sa = add_sa(ctx, &c);
	struct ipsec_spd_entry e;
	uint8_t pkt[BUF];
	size_t len;
	enum ipsec_drop r;

	/* 1: DNS to anyone: bypass.  2: UDP 5000-5009 from local ports
	 * 100-199 to 10.9.0.0-10.9.0.255: protect.  3: anything else to
	 * 10.9.0.0/16: discard.  Default: bypass. */
	e = entry(IPSEC_ACTION_BYPASS);
	e.sel.protocol = IPPROTO_NUM_UDP;
	e.sel.remote_port = (struct ipsec_range16){53, 53};
	spd_add(ctx, &e);
	e = entry(IPSEC_ACTION_PROTECT);
	e.sel.protocol = IPPROTO_NUM_UDP;
	e.sel.local_addr = ip_range_v4(L, L);
	e.sel.remote_addr = ip_range_v4(A4(10, 9, 0, 0), A4(10, 9, 0, 255));
	e.sel.local_port = (struct ipsec_range16){100, 199};
	e.sel.remote_port = (struct ipsec_range16){5000, 5009};
	e.sa_out[0] = sa;
	spd_add(ctx, &e);
	e = entry(IPSEC_ACTION_DISCARD);
	e.sel.remote_addr = ip_range_v4(A4(10, 9, 0, 0), A4(10, 9, 255, 255));
	spd_add(ctx, &e);

	len = build_udp(pkt, L, R, 150, 53, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_BYPASS);
	/* Port range edges. */
	static const struct {
		uint16_t sp, dp;
		enum ipsec_verdict v;
	} cases[] = {
	        {100, 5000, IPSEC_VERDICT_PROTECT}, {199, 5009, IPSEC_VERDICT_PROTECT},
	        {99, 5000, IPSEC_VERDICT_DROP},     {200, 5000, IPSEC_VERDICT_DROP},
	        {150, 4999, IPSEC_VERDICT_DROP},    {150, 5010, IPSEC_VERDICT_DROP},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = build_udp(pkt, L, R, cases[i].sp, cases[i].dp, 10);
		assert_int_equal(out_verdict(ctx, pkt, len, &r), cases[i].v);
		if (cases[i].v == IPSEC_VERDICT_DROP)
			assert_int_equal(r, IPSEC_DROP_POLICY_DISCARD);
	}
	/* Address range edges. */
	len = build_udp(pkt, L, A4(10, 9, 0, 255), 150, 5000, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_PROTECT);
	len = build_udp(pkt, L, A4(10, 9, 1, 0), 150, 5000, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	len = build_udp(pkt, A4(10, 0, 0, 2), R, 150, 5000, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	/* Protocol: TCP to the same ports is not entry 2. */
	len = build_tcp(pkt, L, R, 150, 5000, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	/* Elsewhere: default bypass, then default discard / protect. */
	len = build_udp(pkt, L, A4(10, 10, 0, 1), 150, 5000, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_BYPASS);
	ipsec_spd_set_default(ctx, IPSEC_ACTION_DISCARD);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_DISCARD);
	ipsec_spd_set_default(ctx, IPSEC_ACTION_PROTECT);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	assert_int_equal(ipsec_drops(ctx, IPSEC_DROP_POLICY_DISCARD), 8);
	assert_int_equal(ipsec_sa_stats(ctx, sa)->packets, 3);
	ipsec_free(ctx);
}

/* ICMP type/code in the port fields; OPAQUE non-initial fragments. */
static void test_spd_icmp_and_fragments(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_spd_entry e;
	uint8_t pkt[BUF];
	size_t len;
	enum ipsec_drop r;

	e = entry(IPSEC_ACTION_DISCARD);
	e.sel.protocol = IPPROTO_NUM_ICMP;
	e.sel.local_port = (struct ipsec_range16){8, 8}; /* echo request */
	e.sel.remote_port = (struct ipsec_range16){0, 255};
	spd_add(ctx, &e);
	e = entry(IPSEC_ACTION_DISCARD);
	e.sel.protocol = IPPROTO_NUM_UDP;
	e.sel.remote_port = (struct ipsec_range16){7, 7};
	spd_add(ctx, &e);

	len = build_icmp(pkt, L, R, 8, 0, 20);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	len = build_icmp(pkt, L, R, 3, 1, 20);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_BYPASS);
	/* ICMP inbound: type is still the "local port". */
	len = build_icmp(pkt, R, L, 8, 0, 20);
	assert_int_equal(ipsec_input_policy(ctx, pkt, len, 0, &r), IPSEC_VERDICT_DROP);
	len = build_udp(pkt, L, R, 9, 7, 20);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	/* A non-initial fragment has no ports: it does not match port 7. */
	set_frag(pkt, 10);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_BYPASS);
	/* A first fragment too short to hold its ports is malformed. */
	len = build_udp(pkt, L, R, 9, 7, 0);
	put_be16(pkt + 2, 22);
	ipv4_set_checksum(pkt);
	assert_int_equal(out_verdict(ctx, pkt, 22, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	ipsec_free(ctx);
}

/* RFC 4301 §5.2 for plaintext and for decapsulated packets. */
static void test_input_policy(void **state)
{
	(void)state;
	struct pair p;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x777, A4(192, 0, 2, 1),
	               A4(192, 0, 2, 2), IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct ipsec_spd_entry e;
	uint8_t pkt[BUF];
	size_t len;
	enum ipsec_drop r;
	struct ipsec_sa_config *in_cfg;

	/* Seen from b: local 10.2.0.0/16, remote 10.1.0.0/16, UDP to port 80. */
	c.sel.local_addr = ip_range_v4(A4(10, 1, 0, 0), A4(10, 1, 255, 255));
	c.sel.remote_addr = ip_range_v4(A4(10, 2, 0, 0), A4(10, 2, 255, 255));
	pair_setup(&p, &c, 64);
	in_cfg = &test_sa(p.b, p.in)->cfg;
	in_cfg->sel.local_addr = c.sel.remote_addr;
	in_cfg->sel.remote_addr = c.sel.local_addr;
	in_cfg->sel.protocol = IPPROTO_NUM_UDP;
	in_cfg->sel.local_port = (struct ipsec_range16){80, 80};

	len = build_udp(pkt, A4(10, 1, 0, 5), A4(10, 2, 0, 5), 3000, 80, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, p.in, &r), IPSEC_VERDICT_BYPASS);
	len = build_udp(pkt, A4(10, 1, 0, 5), A4(10, 2, 0, 5), 3000, 81, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, p.in, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_MISMATCH);
	len = build_udp(pkt, A4(10, 3, 0, 5), A4(10, 2, 0, 5), 3000, 80, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, p.in, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_MISMATCH);
	/* Direction matters: the reverse packet does not match. */
	len = build_udp(pkt, A4(10, 2, 0, 5), A4(10, 1, 0, 5), 80, 3000, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, p.in, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->drops[IPSEC_DROP_POLICY_MISMATCH], 3);
	/* An outbound SA or an unknown id as via_sa. */
	assert_int_equal(ipsec_input_policy(p.a, pkt, len, p.out, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);

	/* Plaintext: b's SPD says 10.1/16 -> 10.2/16 must be protected, ICMP
	 * from 10.1.0.9 is discarded, the rest bypasses. */
	e = entry(IPSEC_ACTION_DISCARD);
	e.sel.protocol = IPPROTO_NUM_ICMP;
	e.sel.remote_addr = ip_range_v4(A4(10, 1, 0, 9), A4(10, 1, 0, 9));
	spd_add(p.b, &e);
	e = entry(IPSEC_ACTION_PROTECT);
	e.sel.local_addr = in_cfg->sel.local_addr;
	e.sel.remote_addr = in_cfg->sel.remote_addr;
	e.sa_in[0] = p.in;
	spd_add(p.b, &e);
	len = build_udp(pkt, A4(10, 1, 0, 5), A4(10, 2, 0, 5), 3000, 80, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, 0, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_MISMATCH);
	len = build_icmp(pkt, A4(10, 1, 0, 9), A4(10, 2, 0, 5), 8, 0, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, 0, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_DISCARD);
	len = build_udp(pkt, A4(10, 7, 0, 5), A4(10, 2, 0, 5), 3000, 80, 10);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, 0, &r), IPSEC_VERDICT_BYPASS);
	ipsec_spd_set_default(p.b, IPSEC_ACTION_DISCARD);
	assert_int_equal(ipsec_input_policy(p.b, pkt, len, 0, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_DISCARD);
	assert_int_equal(ipsec_drops(p.b, IPSEC_DROP_POLICY_MISMATCH), 4);
	assert_int_equal(ipsec_drops(p.b, IPSEC_DROP_POLICY_DISCARD), 2);
	pair_teardown(&p);
}

/* RFC 4301 §5.2 step 4 in transport mode is done by ipsec_input itself. */
static void test_transport_selector_check(void **state)
{
	(void)state;
	struct pair p;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                  0x888, L, R, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len, wlen, olen;
	enum ipsec_drop r;

	pair_setup(&p, &c, 64);
	test_sa(p.b, p.in)->cfg.sel.protocol = IPPROTO_NUM_TCP;
	test_sa(p.b, p.in)->cfg.sel.local_port = (struct ipsec_range16){22, 22};
	len = build_tcp(pkt, L, R, 40000, 22, 10);
	pair_roundtrip(&p, pkt, len);
	len = build_tcp(pkt, L, R, 40000, 23, 10);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_MISMATCH);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 1);
	pair_teardown(&p);
}

/* RFC 4301 §4.5: an SA bundle, sa_out[0] innermost (ESP, then AH). */
static void test_bundle(void **state)
{
	(void)state;
	struct test_host ha = {0}, hb = {0};
	struct ipsec *a = ipsec_new(&test_ops, &ha), *b = ipsec_new(&test_ops, &hb);
	struct ipsec_sa_config esp = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                    0x1001, L, R, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_NONE);
	struct ipsec_sa_config ah =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, 0x1002, L, R,
	               IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128);
	struct ipsec_sa_config esp_in = sa_cfg_in(&esp, 64), ah_in = sa_cfg_in(&ah, 64);
	struct ipsec_spd_entry e = entry(IPSEC_ACTION_PROTECT);
	uint8_t pkt[BUF], wire[BUF], mid[BUF], out[BUF];
	size_t len = build_udp(pkt, L, R, 1, 2, 100), wlen, mlen, olen;
	uint32_t id_esp_in, id_ah_in, via;
	enum ipsec_drop r;

	e.sa_out[0] = add_sa(a, &esp);
	e.sa_out[1] = add_sa(a, &ah);
	spd_add(a, &e);
	id_esp_in = add_sa(b, &esp_in);
	id_ah_in = add_sa(b, &ah_in);
	assert_int_equal(ipsec_output(a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(wire[9], IPPROTO_NUM_AH);
	assert_int_equal(wire[20], IPPROTO_NUM_ESP);
	assert_int_equal(get_be32(wire + 24), 0x1002);
	assert_int_equal(get_be32(wire + 20 + 28), 0x1001);
	assert_int_equal(ipsec_input(b, wire, wlen, mid, sizeof(mid), &mlen, &via, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(via, id_ah_in);
	assert_int_equal(mid[9], IPPROTO_NUM_ESP);
	assert_int_equal(ipsec_input(b, mid, mlen, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(via, id_esp_in);
	assert_int_equal(olen, len);
	assert_memory_equal(out, pkt, len);
	ipsec_free(a);
	ipsec_free(b);
}

/* RFC 4301 §4.1: inbound lookup by (SPI, destination, protocol). */
static void test_sad_lookup(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	uint32_t ids[600];
	struct ipsec_sa_config c;
	char err[256];
	uint32_t id;

	for (uint32_t i = 0; i < 600; i++) {
		c = sa_cfg(IPSEC_DIR_IN, i % 3 ? IPSEC_PROTO_ESP : IPSEC_PROTO_AH,
		           IPSEC_MODE_TRANSPORT, 0x100 + i / 2, A4(10, 0, 0, 1),
		           A4(10, 0, 1, i % 2), i % 3 ? IPSEC_ENC_AES_GCM16_128 : IPSEC_ENC_NULL,
		           i % 3 ? IPSEC_INTEG_NONE : IPSEC_INTEG_HMAC_SHA256_128);
		ids[i] = add_sa(ctx, &c);
		assert_int_equal(ids[i], i + 1);
	}
	for (uint32_t i = 0; i < 600; i++) {
		struct ipsec_sa *sa = sad_find_inbound(&ctx->sad, 0x100 + i / 2,
		                                       &IP4(10, 0, 1, i % 2), i % 3 ? 50 : 51);

		assert_non_null(sa);
		assert_int_equal(sa->id, ids[i]);
		assert_null(sad_find_inbound(&ctx->sad, 0x100 + i / 2, &IP4(10, 0, 1, 2),
		                             i % 3 ? 50 : 51));
	}
	/* Same (SPI, dst, protocol) twice is refused. */
	c = sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, 0x100, 1, A4(10, 0, 1, 1),
	           IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	assert_int_equal(ipsec_sa_add(ctx, &c, &id, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "SPI 0x00000100"));
	assert_non_null(strstr(err, "10.0.1.1"));
	/* Delete: gone from lookup, counters kept, may be re-added. */
	assert_int_equal(ipsec_sa_delete(ctx, ids[1]), 0);
	assert_int_equal(ipsec_sa_delete(ctx, ids[1]), -1);
	assert_null(sad_find_inbound(&ctx->sad, 0x100, &IP4(10, 0, 1, 1), 50));
	assert_non_null(ipsec_sa_stats(ctx, ids[1]));
	assert_int_equal(ipsec_sa_config(ctx, ids[1])->spi, 0x100);
	assert_int_equal(ipsec_sa_add(ctx, &c, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 601);
	assert_null(ipsec_sa_config(ctx, 0));
	assert_null(ipsec_sa_stats(ctx, 602));
	ipsec_free(ctx);
}

static void count_ids(void *arg, uint32_t id)
{
	(*(uint64_t *)arg) += id;
}

static void test_sa_foreach_and_delete(void **state)
{
	(void)state;
	struct pair p;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                  0x999, L, R, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, L, R, 1, 2, 10), wlen, olen;
	enum ipsec_drop r;
	uint64_t sum = 0;

	pair_setup(&p, &c, 64);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	add_sa(p.a, &c);
	assert_int_equal(ipsec_sa_delete(p.a, p.out), 0);
	assert_int_equal(ipsec_sa_delete(p.b, p.in), 0);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	ipsec_sa_foreach(p.a, count_ids, &sum);
	assert_int_equal(sum, 1 + 2);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->packets, 1);
	pair_teardown(&p);
}

/* Every inbound SPI ever added stays taken, a deleted SA's too, so that
 * key management never hands it out again; outbound SPIs are not taken. */
static void test_sa_spi_used(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);

	for (uint32_t i = 0; i < 300; i++) {
		struct ipsec_sa_config c = sa_cfg(
		        i % 2 ? IPSEC_DIR_OUT : IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
		        0x1000 + 7 * i, L, R, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);

		add_sa(ctx, &c);
	}
	assert_int_equal(ipsec_sa_delete(ctx, 1), 0);
	for (uint32_t i = 0; i < 300; i++)
		assert_int_equal(ipsec_sa_spi_used(ctx, 0x1000 + 7 * i), i % 2 == 0);
	assert_false(ipsec_sa_spi_used(ctx, 0));
	assert_false(ipsec_sa_spi_used(ctx, 0x1001));
	ipsec_free(ctx);
}

/* Rekeying: point the SPD at the new SA. */
static void test_spd_replace_sa(void **state)
{
	(void)state;
	struct pair p;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                  0xa00, L, R, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct ipsec_sa_config c2 = c, in2;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, L, R, 1, 2, 10), wlen;
	enum ipsec_drop r;
	uint32_t new_out, new_in, via;
	uint8_t out[BUF];
	size_t olen;

	pair_setup(&p, &c, 64);
	c2.spi = 0xa01;
	c2.enc_key[0] ^= 0xff;
	new_out = add_sa(p.a, &c2);
	in2 = sa_cfg_in(&c2, 64);
	new_in = add_sa(p.b, &in2);
	assert_int_equal(ipsec_spd_replace_sa(p.a, p.out, new_out), 1);
	assert_int_equal(ipsec_spd_replace_sa(p.a, p.out, 99), -1);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(get_be32(wire + 20), 0xa01);
	ipsec_sa_delete(p.a, p.out);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(via, new_in);
	assert_memory_equal(out, pkt, len);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->packets, 0);
	assert_int_equal(ipsec_sa_stats(p.a, new_out)->packets, 1);
	pair_teardown(&p);
}

/* SPD entry ids: insert at the top, before an entry, at the end; update in
 * place; remove; walk in order.  A PROTECT entry without an SA is a trap
 * policy: the packet is dropped as no_sa and IPSEC_EV_ACQUIRE names the
 * entry and the packet. */
static void test_spd_ids_and_acquire(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_spd_entry e = entry(IPSEC_ACTION_DISCARD), trap = entry(IPSEC_ACTION_PROTECT);
	uint8_t pkt[BUF];
	size_t len = build_udp(pkt, L, R, 1234, 80, 10);
	enum ipsec_drop r;
	char err[256];
	uint32_t a, b, c, t;

	a = ipsec_spd_insert(ctx, &e, 0, err, sizeof(err));             /* [a] */
	b = ipsec_spd_insert(ctx, &e, IPSEC_SPD_TOP, err, sizeof(err)); /* [b a] */
	c = ipsec_spd_insert(ctx, &e, a, err, sizeof(err));             /* [b c a] */
	assert_true(a && b && c && a != b && b != c);
	assert_int_equal(ipsec_spd_next(ctx, 0), b);
	assert_int_equal(ipsec_spd_next(ctx, b), c);
	assert_int_equal(ipsec_spd_next(ctx, c), a);
	assert_int_equal(ipsec_spd_next(ctx, a), 0);
	assert_int_equal(ipsec_spd_next(ctx, 999), 0);
	assert_int_equal(ipsec_spd_insert(ctx, &e, 999, err, sizeof(err)), 0);
	assert_string_equal(err, "SPD entry: no entry 999 to insert before");
	e.action = (enum ipsec_action)9;
	assert_int_equal(ipsec_spd_insert(ctx, &e, 0, err, sizeof(err)), 0);
	assert_int_equal(ipsec_spd_update(ctx, a, &e, err, sizeof(err)), -1);
	e.action = IPSEC_ACTION_BYPASS;
	assert_int_equal(ipsec_spd_update(ctx, 999, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry 999 does not exist");

	/* b is the first match: discard; made bypass in place. */
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(ipsec_spd_update(ctx, b, &e, err, sizeof(err)), 0);
	assert_int_equal(ipsec_spd_get(ctx, b)->action, IPSEC_ACTION_BYPASS);
	assert_null(ipsec_spd_get(ctx, 999));
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_BYPASS);
	assert_int_equal(ipsec_spd_remove(ctx, b), 0);
	assert_int_equal(ipsec_spd_remove(ctx, b), -1);
	assert_int_equal(ipsec_spd_next(ctx, 0), c);
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_DISCARD);

	/* A trap policy at the top: acquire, with the entry's id. */
	trap.sel.remote_addr = ip_range_v4(R, R);
	t = ipsec_spd_insert(ctx, &trap, IPSEC_SPD_TOP, err, sizeof(err));
	assert_true(t > c);
	h.nevents = 0;
	assert_int_equal(out_verdict(ctx, pkt, len, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	assert_int_equal(h.nevents, 1);
	assert_int_equal(h.events[0].type, IPSEC_EV_ACQUIRE);
	assert_int_equal(h.events[0].spd_id, t);
	assert_int_equal(ip_addr_v4_value(&h.events[0].src), L);
	assert_int_equal(ip_addr_v4_value(&h.events[0].dst), R);
	assert_int_equal(h.events[0].protocol, IPPROTO_NUM_UDP);
	assert_int_equal(h.events[0].sport, 1234);
	assert_int_equal(h.events[0].dport, 80);
	/* Inbound plaintext hitting the trap is a policy mismatch. */
	len = build_udp(pkt, R, L, 80, 1234, 10);
	assert_int_equal(ipsec_input_policy(ctx, pkt, len, 0, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_POLICY_MISMATCH);
	/* ipsec_spd_add still appends. */
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), 0);
	assert_int_equal(ipsec_spd_next(ctx, a), t + 1);
	ipsec_free(ctx);
}

static void expect_sa_error(const struct ipsec_sa_config *c, const char *msg)
{
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	char err[256] = "";
	uint32_t id = 0;

	assert_int_equal(ipsec_sa_add(ctx, c, &id, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", err, msg);
	ipsec_free(ctx);
}

static void test_sa_config_errors(void **state)
{
	(void)state;
	struct ipsec_sa_config base =
	        sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100, 1, 2,
	               IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE);
	struct ipsec_sa_config c;

	c = base;
	c.enc_key_len = 32;
	expect_sa_error(&c, "aes-gcm-16-256 needs 36 bytes of keying material (key + 4-byte "
	                    "salt), got 32");
	c = base;
	c.enc = IPSEC_ENC_AES_CBC_128;
	c.enc_key_len = 20;
	expect_sa_error(&c, "aes-cbc-128 needs a 16-byte key, got 20");
	c = base;
	c.integ = IPSEC_INTEG_HMAC_SHA256_128;
	c.integ_key_len = 32;
	expect_sa_error(&c, "integrity must be none, got hmac-sha256-128");
	c = sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100, 1, 2, IPSEC_ENC_NULL,
	           IPSEC_INTEG_NONE);
	expect_sa_error(&c, "null encryption needs an integrity transform");
	c = sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100, 1, 2, IPSEC_ENC_NULL,
	           IPSEC_INTEG_HMAC_SHA384_192);
	c.integ_key_len = 32;
	expect_sa_error(&c, "hmac-sha384-192 needs a 48-byte key");
	c = base;
	c.protocol = IPSEC_PROTO_AH;
	expect_sa_error(&c, "AH (RFC 4302) provides no encryption");
	c = base;
	c.spi = 0;
	expect_sa_error(&c, "SPI 0 is reserved");
	c = base;
	c.replay_window = 48;
	expect_sa_error(&c, "replay window must be 0 (off) or a multiple of 32 up to 4096, got 48");
	c.replay_window = 4128;
	expect_sa_error(&c, "got 4128");
	c = base;
	c.soft.bytes = 100;
	c.hard.bytes = 100;
	expect_sa_error(&c,
	                "soft lifetime bytes (100) must be below the hard lifetime bytes (100)");
	c = base;
	c.encap_sport = 4500;
	expect_sa_error(&c, "UDP encapsulation needs both ports");
	c = base;
	c.src = (struct ip_addr){0};
	expect_sa_error(&c, "tunnel mode needs both tunnel endpoint addresses");
	c = base;
	c.enc = (enum ipsec_enc)99;
	expect_sa_error(&c, "unknown encryption transform 99");
}

static void test_spd_config_errors(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT,
	                                  0x100, 1, 2, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	uint32_t in = add_sa(ctx, &c);
	struct ipsec_spd_entry e;
	char err[256];

	e = entry(IPSEC_ACTION_PROTECT);
	e.sel.local_port = (struct ipsec_range16){10, 5};
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry: local port range is empty (low 10 > high 5)");
	e = entry(IPSEC_ACTION_PROTECT);
	e.sa_out[0] = 42;
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry: sa_out[0] names SA 42, which does not exist");
	e.sa_out[0] = in;
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry: sa_out[0] names SA 1, which is inbound");
	e = entry(IPSEC_ACTION_PROTECT);
	e.sa_in[1] = in;
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry: sa_in[1] is set but sa_in[0] is not");
	e = entry(IPSEC_ACTION_BYPASS);
	e.sa_in[0] = in;
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "SPD entry: only protect entries name SAs");
	e = entry((enum ipsec_action)7);
	assert_int_equal(ipsec_spd_add(ctx, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "action"));
	assert_int_equal(ctx->spd.count, 0);
	ipsec_free(ctx);
}

static void test_drop_names(void **state)
{
	(void)state;
	static const char *want[] = {
	        "no_sa",           "replay",       "icv_fail",          "policy_discard",
	        "policy_mismatch", "malformed",    "seq_exhausted",     "sa_expired",
	        "dummy",           "crypto_error", "crypto_queue_full", "too_big"};
	struct ipsec *ctx = ipsec_new(&test_ops, NULL);

	assert_int_equal(IPSEC_DROP__COUNT, 12);
	for (int i = 0; i < IPSEC_DROP__COUNT; i++)
		assert_string_equal(ipsec_drop_name((enum ipsec_drop)i), want[i]);
	ipsec_count_drop(ctx, IPSEC_DROP_MALFORMED);
	ipsec_count_drop(ctx, IPSEC_DROP__COUNT); /* ignored */
	assert_int_equal(ipsec_drops(ctx, IPSEC_DROP_MALFORMED), 1);
	ipsec_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_spd_first_match_ranges_ports),
	        cmocka_unit_test(test_spd_icmp_and_fragments),
	        cmocka_unit_test(test_input_policy),
	        cmocka_unit_test(test_transport_selector_check),
	        cmocka_unit_test(test_bundle),
	        cmocka_unit_test(test_sad_lookup),
	        cmocka_unit_test(test_sa_foreach_and_delete),
	        cmocka_unit_test(test_sa_spi_used),
	        cmocka_unit_test(test_spd_replace_sa),
	        cmocka_unit_test(test_spd_ids_and_acquire),
	        cmocka_unit_test(test_sa_config_errors),
	        cmocka_unit_test(test_spd_config_errors),
	        cmocka_unit_test(test_drop_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
