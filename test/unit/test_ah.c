/* AH (RFC 4302): round trips, ICV coverage (mutable fields excluded,
 * §3.3.3.1), ESN, tampering, options. */
#include "harness.h"

#include "ah.h"
#include "crypto.h"

#include <string.h>

#define H1 A4(198, 51, 100, 1)
#define H2 A4(198, 51, 100, 2)
#define SRC A4(10, 1, 0, 1)
#define DST A4(10, 2, 0, 1)

static const enum ipsec_integ integs[] = {IPSEC_INTEG_HMAC_SHA256_128, IPSEC_INTEG_HMAC_SHA384_192,
                                          IPSEC_INTEG_HMAC_SHA512_256};

static size_t protect(struct pair *p, const uint8_t *pkt, size_t len, uint8_t *wire)
{
	size_t wlen = 0;
	enum ipsec_drop r;

	assert_int_equal(ipsec_output(p->a, pkt, len, wire, BUF, &wlen, &r), IPSEC_VERDICT_PROTECT);
	return wlen;
}

static enum ipsec_verdict input(struct ipsec *ctx, const uint8_t *w, size_t wlen, uint8_t *out,
                                size_t *olen, enum ipsec_drop *r)
{
	uint32_t via;

	return ipsec_input(ctx, w, wlen, out, BUF, olen, &via, r);
}

static void test_ah_roundtrip(void **state)
{
	(void)state;
	for (int m = 0; m < 2; m++) {
		for (size_t i = 0; i < 3; i++) {
			enum ipsec_mode mode = m ? IPSEC_MODE_TUNNEL : IPSEC_MODE_TRANSPORT;
			struct ipsec_sa_config c =
			        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, mode, 0x500 + (uint32_t)i, H1,
			               H2, IPSEC_ENC_NULL, integs[i]);
			size_t icv = integ_transform(integs[i])->icv_len;
			struct pair p;

			pair_setup(&p, &c, 128);
			for (size_t s = 0; s < 5; s++) {
				uint8_t pkt[BUF], wire[BUF];
				size_t len = m ? build_udp(pkt, SRC, DST, 7, 8, s * 37)
				               : build_icmp(pkt, H1, H2, 8, 0, s * 37);
				size_t wlen;

				pair_roundtrip(&p, pkt, len);
				wlen = protect(&p, pkt, len, wire);
				/* RFC 4302 §2: NH, payload length in 32-bit words - 2. */
				assert_int_equal(wire[9], IPPROTO_NUM_AH);
				assert_int_equal(wire[20], m ? IPPROTO_NUM_IPIP : IPPROTO_NUM_ICMP);
				assert_int_equal(wire[21], (12 + icv) / 4 - 2);
				assert_int_equal(get_be32(wire + 24), c.spi);
				assert_int_equal(get_be32(wire + 28), 2 * s + 2);
				assert_int_equal(wlen, 20 + 12 + icv + (m ? len : len - 20));
				assert_int_equal(inet_checksum(wire, 20), 0);
				/* AH does not hide anything. */
				assert_memory_equal(wire + 32 + icv, m ? pkt : pkt + 20,
				                    m ? len : len - 20);
			}
			assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 5);
			pair_teardown(&p);
		}
	}
}

/* RFC 4302 §3.3.3.1.1.1: TOS, flags, fragment offset and TTL may change in
 * transit; source, destination, ID, protocol and payload may not. */
static void test_ah_mutable_fields(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, 0x600, H1, H2,
	               IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], bad[BUF], out[BUF];
	size_t len = build_udp(pkt, H1, H2, 100, 200, 40), wlen, olen;
	enum ipsec_drop r;

	pair_setup(&p, &c, 0); /* anti-replay off: the same packet many times */
	wlen = protect(&p, pkt, len, wire);

	memcpy(bad, wire, wlen);
	set_ttl(bad, 3);
	set_tos(bad, 0xb9);
	set_frag(bad, IPV4_DF);
	assert_int_equal(input(p.b, bad, wlen, out, &olen, &r), IPSEC_VERDICT_DELIVER);
	assert_int_equal(olen, len);
	/* The rebuilt packet keeps the header as received. */
	assert_int_equal(out[8], 3);
	assert_int_equal(out[1], 0xb9);
	assert_int_equal(inet_checksum(out, 20), 0);
	assert_memory_equal(out + 20, pkt + 20, len - 20);

	static const size_t immutable[] = {4, 5, 12, 15, 16, 19};
	for (size_t i = 0; i < sizeof(immutable) / sizeof(immutable[0]); i++) {
		memcpy(bad, wire, wlen);
		bad[immutable[i]] ^= 1;
		ipv4_set_checksum(bad);
		r = IPSEC_DROP__COUNT;
		assert_int_equal(input(p.b, bad, wlen, out, &olen, &r), IPSEC_VERDICT_DROP);
		/* Changing the destination changes the SA lookup. */
		assert_int_equal(r, immutable[i] >= 16 ? IPSEC_DROP_NO_SA : IPSEC_DROP_ICV_FAIL);
	}
	for (size_t i = 32; i < wlen; i++) {
		memcpy(bad, wire, wlen);
		bad[i] ^= 0x80;
		assert_int_equal(input(p.b, bad, wlen, out, &olen, &r), IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_ICV_FAIL);
	}
	/* Next header and reserved bytes are covered too. */
	memcpy(bad, wire, wlen);
	bad[20] = IPPROTO_NUM_TCP;
	assert_int_equal(input(p.b, bad, wlen, out, &olen, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_ICV_FAIL);
	/* A wrong AH length is malformed. */
	memcpy(bad, wire, wlen);
	bad[21] = 4;
	assert_int_equal(input(p.b, bad, wlen, out, &olen, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	/* Truncated below the AH header. */
	memcpy(bad, wire, 30);
	put_be16(bad + 2, 30);
	ipv4_set_checksum(bad);
	assert_int_equal(input(p.b, bad, 30, out, &olen, &r), IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	pair_teardown(&p);
}

/* Our decision: AH transport mode drops packets with IPv4 options
 * (malformed) in both directions; tunnel mode carries them inside. */
static void test_ah_options(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, 0x700, H1, H2,
	               IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], opt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, H1, H2, 100, 200, 40), wlen, olen;
	enum ipsec_drop r;

	/* The same packet with a 4-byte option (NOPs + EOL). */
	memcpy(opt, pkt, 20);
	opt[0] = 0x46;
	opt[20] = 1, opt[21] = 1, opt[22] = 1, opt[23] = 0;
	memcpy(opt + 24, pkt + 20, len - 20);
	put_be16(opt + 2, (uint16_t)(len + 4));
	ipv4_set_checksum(opt);

	pair_setup(&p, &c, 64);
	assert_int_equal(ipsec_output(p.a, opt, len + 4, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	/* Inbound: an AH packet whose outer header has options. */
	wlen = protect(&p, pkt, len, wire);
	memmove(wire + 24, wire + 20, wlen - 20);
	wire[0] = 0x46;
	memset(wire + 20, 1, 4);
	put_be16(wire + 2, (uint16_t)(wlen + 4));
	ipv4_set_checksum(wire);
	assert_int_equal(ipsec_input(p.b, wire, wlen + 4, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	pair_teardown(&p);

	c.mode = IPSEC_MODE_TUNNEL;
	pair_setup(&p, &c, 64);
	pair_roundtrip(&p, opt, len + 4);
	pair_teardown(&p);
}

/* RFC 4302 §2.5.1, §3.3.3.3: ESN high bits are in the ICV, not sent. */
static void test_ah_esn(void **state)
{
	(void)state;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, 0x800,
	                                  H1, H2, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, SRC, DST, 1, 2, 40), wlen, olen;
	enum ipsec_drop r;

	c.esn = true;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = 0x2fffffffeull;
	test_sa(p.b, p.in)->replay.top = 0x2fffffff0ull;
	for (int i = 0; i < 4; i++)
		pair_roundtrip(&p, pkt, len);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->seq, 0x300000002ull);
	/* Without ESN the receiver computes a different ICV. */
	wlen = protect(&p, pkt, len, wire);
	assert_int_equal(get_be32(wire + 28), 3);
	{
		struct ipsec_sa_config nc = sa_cfg_in(&c, 64);
		struct ipsec *rx = ipsec_new(&test_ops, &p.hb);

		nc.esn = false;
		add_sa(rx, &nc);
		assert_int_equal(ipsec_input(rx, wire, wlen, out, sizeof(out), &olen, NULL, &r),
		                 IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_ICV_FAIL);
		ipsec_free(rx);
	}
	pair_teardown(&p);

	/* AH sequence exhaustion without ESN. */
	c.esn = false;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = UINT32_MAX;
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_SEQ_EXHAUSTED);
	assert_int_equal(p.ha.nevents, 1);
	pair_teardown(&p);
}

static void test_ah_dummy_and_replay(void **state)
{
	(void)state;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, 0x900,
	                                  H1, H2, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, SRC, DST, 1, 2, 40), wlen, olen;
	struct esp_test_opts o = {.next_header = IPPROTO_NUM_NONE};
	enum ipsec_drop r;

	pair_setup(&p, &c, 32);
	assert_int_equal(ipsec_output_opts(p.a, pkt, len, wire, sizeof(wire), &wlen, &r, &o),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_DUMMY);
	wlen = protect(&p, pkt, len, wire);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_REPLAY);
	pair_teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ah_roundtrip),
	        cmocka_unit_test(test_ah_mutable_fields),
	        cmocka_unit_test(test_ah_options),
	        cmocka_unit_test(test_ah_esn),
	        cmocka_unit_test(test_ah_dummy_and_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
