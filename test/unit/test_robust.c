/* Robustness: random mutations of valid packets (and random bytes) fed to
 * every entry point must never crash, and every drop must be counted with a
 * valid reason.  Built a second time with ASan/UBSan (unit_robust_asan). */
#include "harness.h"

#include "esp.h"

#include <string.h>

#define GW_A A4(192, 0, 2, 1)
#define GW_B A4(192, 0, 2, 2)

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fuzz_sa(const struct ipsec_sa_config *c, uint32_t seed, int iterations)
{
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], bad[BUF + 64], out[BUF];
	size_t len, wlen, olen;
	enum ipsec_drop r;
	uint64_t drops = 0, delivered = 0, bypassed = 0, total;

	pair_setup(&p, c, 64);
	for (int it = 0; it < iterations; it++) {
		enum ipsec_verdict v;
		int n;

		len = rng_next(&seed) & 1
		              ? build_udp(pkt, GW_A, GW_B, 1, 2, rng_next(&seed) % 300)
		              : build_icmp(pkt, GW_A, GW_B, 8, 0, rng_next(&seed) % 300);
		assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
		                 IPSEC_VERDICT_PROTECT);
		memcpy(bad, wire, wlen);
		n = 1 + (int)(rng_next(&seed) % 4);
		for (int m = 0; m < n; m++) {
			uint32_t x = rng_next(&seed);
			size_t pos = wlen ? (x >> 8) % wlen : 0;

			switch (x % 6) {
			case 0: /* bit flip */
				bad[pos] ^= (uint8_t)(1 << (x >> 28 & 7));
				break;
			case 1: /* random byte */
				bad[pos] = (uint8_t)(x >> 20);
				break;
			case 2: /* truncate */
				wlen = pos;
				break;
			case 3: /* extend */
				wlen += x >> 26;
				break;
			case 4: /* lie about lengths, keep header checksum valid */
				put_be16(bad + 2, (uint16_t)(x >> 16));
				ipv4_set_checksum(bad);
				break;
			case 5: /* header length */
				bad[0] = (uint8_t)(0x40 | (x >> 24 & 0xf));
				break;
			}
		}
		v = ipsec_input(p.b, bad, wlen, out, sizeof(out), &olen, NULL, &r);
		if (v == IPSEC_VERDICT_DROP) {
			assert_true((unsigned)r < IPSEC_DROP__COUNT);
			drops++;
		} else if (v == IPSEC_VERDICT_DELIVER) {
			assert_true(olen <= sizeof(out));
			delivered++;
		} else {
			assert_int_equal(v, IPSEC_VERDICT_BYPASS);
			bypassed++;
		}
		/* The other entry points with the same garbage. */
		ipsec_input_policy(p.b, bad, wlen, p.in, &r);
		ipsec_input_policy(p.b, bad, wlen, 0, &r);
		ipsec_output(p.b, bad, wlen, out, sizeof(out), &olen, &r);
	}
	total = 0;
	for (int d = 0; d < IPSEC_DROP__COUNT; d++)
		total += ipsec_drops(p.b, d);
	assert_true(total >= drops); /* input drops plus policy/output drops */
	assert_int_equal(drops + delivered + bypassed, iterations);
	assert_true(drops > (uint64_t)iterations / 2);
	pair_teardown(&p);
}

static void test_mutations(void **state)
{
	(void)state;
	struct ipsec_sa_config c;

	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100, GW_A, GW_B,
	           IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	fuzz_sa(&c, 1, 4000);
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, 0x101, GW_A, GW_B,
	           IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128);
	c.esn = true;
	fuzz_sa(&c, 2, 4000);
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, 0x102, GW_A, GW_B,
	           IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_NONE); /* no integrity: garbage decrypts */
	fuzz_sa(&c, 3, 4000);
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x103, GW_A, GW_B,
	           IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA512_256);
	c.encap_sport = c.encap_dport = 4500;
	fuzz_sa(&c, 4, 4000);
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, 0x104, GW_A, GW_B,
	           IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192);
	fuzz_sa(&c, 5, 4000);
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x105, GW_A, GW_B,
	           IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE);
	fuzz_sa(&c, 6, 4000);
}

/* Pure random buffers, short and long. */
static void test_random_bytes(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_IN, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100,
	                                  GW_A, GW_B, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	uint8_t buf[1600], out[1600];
	uint32_t seed = 99;
	size_t olen;
	enum ipsec_drop r;

	add_sa(ctx, &c);
	for (int it = 0; it < 20000; it++) {
		size_t len = rng_next(&seed) % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next(&seed);
		if (len > 20) {
			buf[0] = 0x45;
			put_be16(buf + 2, (uint16_t)len);
			buf[9] = (uint8_t)((uint8_t[]){50, 51, 17, 6}[it % 4]);
			put_be32(buf + 16, GW_B);
			if (it % 8 == 0)
				put_be32(buf + 20, 0x100);
			if (it % 4 == 2)
				put_be16(buf + 22, 4500);
		}
		ipsec_input(ctx, buf, len, out, sizeof(out), &olen, NULL, &r);
		ipsec_input(ctx, buf, len, out, 10, &olen, NULL, &r); /* tiny out */
		ipsec_input_policy(ctx, buf, len, 1, &r);
		ipsec_output(ctx, buf, len, out, sizeof(out), &olen, &r);
	}
	assert_true(ipsec_drops(ctx, IPSEC_DROP_MALFORMED) > 0);
	ipsec_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mutations),
	        cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
