/* The crypto engine's queueing model (model/elements/crypto_engine.c) against
 * schedules computed by hand, and against the Pollaczek-Khinchine mean
 * waiting time of the M/D/1 queue (Kleinrock, Queueing Systems vol. 1,
 * eq. 5.73: W = rho * S / (2 (1 - rho)) for deterministic service S). */
#include "harness.h"

#include "crypto_engine.h"

#include <math.h>
#include <string.h>

/* One class costs `service` ns per packet; every other cost is 0. */
static struct crypto_engine_config config(uint32_t lanes, uint32_t queue, double service)
{
	struct crypto_engine_config c = {.lanes = lanes, .queue = queue, .ike_lanes = 1};
	for (int k = 0; k < CE_CLASS__COUNT; k++)
		c.cost[k].per_packet_ns = service;
	return c;
}

static void test_below_capacity(void **state)
{
	(void)state;
	/* rho = 0.5, periodic arrivals: nobody waits */
	struct crypto_engine_config c = config(1, 10, 1000);
	struct crypto_engine *e = crypto_engine_new(&c);
	assert_non_null(e);
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(crypto_engine_submit(e, 2000 * i, 1400, CE_AES128_GCM),
		                 2000 * i + 1000);
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 200000, &s);
	assert_int_equal(s.data.packets, 100);
	assert_int_equal(s.data.bytes, 140000);
	assert_int_equal(s.data.drops, 0);
	assert_int_equal(s.data.busy_ns, 100000);
	assert_true(fabs(s.data.utilisation - 0.5) < 1e-12);
	assert_true(s.data.wait_mean_ns == 0);
	assert_int_equal(s.data.queue_max, 0);
	assert_true(s.data.queue_mean == 0);
	crypto_engine_free(e);
}

static void test_above_capacity(void **state)
{
	(void)state;
	/* rho = 1.25: packet i arrives at 800 i, starts at 1000 i, waits 200 i */
	struct crypto_engine_config c = config(1, 1000, 1000);
	struct crypto_engine *e = crypto_engine_new(&c);
	uint64_t wait_sum = 0;
	for (uint64_t i = 0; i < 50; i++) {
		assert_int_equal(crypto_engine_submit(e, 800 * i, 64, CE_AES256_GCM),
		                 1000 * (i + 1));
		wait_sum += 200 * i;
	}
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 50000, &s);
	assert_true(fabs(s.data.wait_mean_ns - (double)wait_sum / 50) < 1e-9);
	assert_int_equal(s.data.wait_max_ns, 200 * 49);
	assert_true(fabs(s.data.utilisation - 1.0) < 1e-12);
	/* at 800 i the packets still waiting are those with 1000 j > 800 i,
	 * j < i: the queue only grows (by one every 4000 ns, roughly) */
	assert_true(s.data.queue_max >= 9 && s.data.queue_max <= 10);
	crypto_engine_free(e);
}

static void test_burst(void **state)
{
	(void)state;
	/* five packets at once, 100 ns each: completions 100..500, waits
	 * 0..400, four waiting for 100 ns, then three, two, one */
	struct crypto_engine_config c = config(1, 10, 100);
	struct crypto_engine *e = crypto_engine_new(&c);
	for (uint64_t i = 0; i < 5; i++)
		assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), 100 * (i + 1));
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 500, &s);
	assert_true(s.data.wait_mean_ns == 200);
	assert_int_equal(s.data.queue_max, 4);
	assert_true(fabs(s.data.queue_mean - 2.0) < 1e-12); /* (4+3+2+1)*100 / 500 */
	assert_true(fabs(s.data.utilisation - 1.0) < 1e-12);
	/* the stats look at the queue without changing it */
	crypto_engine_stats(e, 250, &s);
	assert_true(fabs(s.data.queue_mean - (400 + 300 + 100) / 250.0) < 1e-12);
	assert_true(fabs(s.data.utilisation - 1.0) < 1e-12);
	crypto_engine_free(e);
}

static void test_queue_full(void **state)
{
	(void)state;
	/* one in service, two waiting, the rest dropped at the tail */
	struct crypto_engine_config c = config(1, 2, 100);
	struct crypto_engine *e = crypto_engine_new(&c);
	assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), 100);
	assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), 200);
	assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), 300);
	assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), CE_DROPPED);
	assert_int_equal(crypto_engine_submit(e, 50, 0, CE_HMAC), CE_DROPPED);
	/* at 100 the second packet starts: room for one more */
	assert_int_equal(crypto_engine_submit(e, 100, 0, CE_HMAC), 400);
	assert_int_equal(crypto_engine_submit(e, 100, 0, CE_HMAC), CE_DROPPED);
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 400, &s);
	assert_int_equal(s.data.packets, 4);
	assert_int_equal(s.data.drops, 3);
	/* no waiting room at all: only a free lane takes a packet */
	struct crypto_engine_config z = config(2, 0, 100);
	struct crypto_engine *q = crypto_engine_new(&z);
	assert_int_equal(crypto_engine_submit(q, 0, 0, CE_HMAC), 100);
	assert_int_equal(crypto_engine_submit(q, 0, 0, CE_HMAC), 100);
	assert_int_equal(crypto_engine_submit(q, 0, 0, CE_HMAC), CE_DROPPED);
	assert_int_equal(crypto_engine_submit(q, 100, 0, CE_HMAC), 200);
	crypto_engine_free(q);
	crypto_engine_free(e);
}

static void test_lanes(void **state)
{
	(void)state;
	/* three lanes, six packets at once: two rounds */
	struct crypto_engine_config c = config(3, 10, 100);
	struct crypto_engine *e = crypto_engine_new(&c);
	for (int i = 0; i < 6; i++)
		assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC), i < 3 ? 100 : 200);
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 200, &s);
	assert_int_equal(s.data.busy_ns, 600);
	assert_true(fabs(s.data.utilisation - 1.0) < 1e-12);
	assert_int_equal(s.data.queue_max, 3);
	assert_true(s.data.wait_mean_ns == 50);
	/* half the run idle afterwards */
	crypto_engine_stats(e, 400, &s);
	assert_true(fabs(s.data.utilisation - 0.5) < 1e-12);
	/* a long packet on one lane does not hold up the others */
	assert_int_equal(crypto_engine_submit(e, 1000, 0, CE_HMAC), 1100);
	c.cost[CE_AES128_GCM].per_packet_ns = 5000;
	crypto_engine_free(e);
	e = crypto_engine_new(&c);
	assert_int_equal(crypto_engine_submit(e, 0, 0, CE_AES128_GCM), 5000);
	assert_int_equal(crypto_engine_submit(e, 10, 0, CE_HMAC), 110);
	assert_int_equal(crypto_engine_submit(e, 20, 0, CE_HMAC), 120);
	assert_int_equal(crypto_engine_submit(e, 30, 0, CE_HMAC), 210); /* after 110 */
	crypto_engine_free(e);
}

static void test_bytes_and_latency(void **state)
{
	(void)state;
	struct crypto_engine_config c = config(1, 10, 0);
	c.cost[CE_CHACHA20_POLY1305] = (struct ce_cost){500, 2};
	c.cost[CE_AES_CBC_HMAC] = (struct ce_cost){0, 0.5};
	c.latency_ns = 3000;
	struct crypto_engine *e = crypto_engine_new(&c);
	/* service 500 + 2 * 100 = 700, then 3 us in the pipeline */
	assert_int_equal(crypto_engine_submit(e, 0, 100, CE_CHACHA20_POLY1305), 3700);
	/* the lane is free at 700, not at 3700: latency does not occupy it */
	assert_int_equal(crypto_engine_submit(e, 100, 100, CE_CHACHA20_POLY1305), 4400);
	/* 0.5 ns per byte, 3 bytes: 1.5 rounds to 2 */
	assert_int_equal(crypto_engine_submit(e, 5000, 3, CE_AES_CBC_HMAC), 8002);
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 10000, &s);
	assert_int_equal(s.data.busy_ns, 1402);
	assert_true(s.data.wait_mean_ns == 200); /* (0 + 600 + 0) / 3 */
	crypto_engine_free(e);
}

static void test_ike_pools(void **state)
{
	(void)state;
	/* ike: engine: a 10 us DH holds up the packet behind it, and IKE work
	 * is never dropped, even without waiting room */
	struct crypto_engine_config c = config(1, 0, 100);
	c.ike_on_engine = true;
	c.dh_ns[CE_DH_X25519] = 10000;
	c.dh_ns[CE_DH_MODP2048] = 400000;
	struct crypto_engine *e = crypto_engine_new(&c);
	assert_true(crypto_engine_dh_cost(e, 31) == 10000);
	assert_true(crypto_engine_dh_cost(e, 14) == 400000);
	assert_int_equal(crypto_engine_submit_ike(e, 0, CE_IKE_DH, crypto_engine_dh_cost(e, 31)),
	                 10000);
	assert_int_equal(crypto_engine_submit_ike(e, 0, CE_IKE_PRF, 1000), 11000);
	assert_int_equal(crypto_engine_submit(e, 1, 0, CE_HMAC), CE_DROPPED);
	assert_int_equal(crypto_engine_submit(e, 11000, 0, CE_HMAC), 11100);
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 20000, &s);
	assert_int_equal(s.ike_ops[CE_IKE_DH], 1);
	assert_int_equal(s.ike_ops[CE_IKE_PRF], 1);
	assert_int_equal(s.ike_busy_ns, 11000);
	assert_int_equal(s.data.busy_ns, 11100);
	assert_int_equal(s.data.packets, 1);
	assert_int_equal(s.ike.lanes, 0);
	crypto_engine_free(e);

	/* ike: cpu: a separate pool, packets never wait for IKE */
	c.ike_on_engine = false;
	c.ike_lanes = 1;
	e = crypto_engine_new(&c);
	assert_int_equal(crypto_engine_submit_ike(e, 0, CE_IKE_DH, 10000), 10000);
	assert_int_equal(crypto_engine_submit_ike(e, 0, CE_IKE_DH, 10000), 20000);
	assert_int_equal(crypto_engine_submit(e, 1, 0, CE_HMAC), 101);
	crypto_engine_stats(e, 20000, &s);
	assert_int_equal(s.ike.lanes, 1);
	assert_true(fabs(s.ike.utilisation - 1.0) < 1e-12);
	assert_true(s.ike.wait_mean_ns == 5000);
	assert_int_equal(s.ike.queue_max, 1);
	assert_true(s.data.wait_mean_ns == 0);
	crypto_engine_free(e);
}

/* A fixed 64-bit LCG (Knuth MMIX constants): the same arrivals on every
 * machine. */
static double uniform(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(*x >> 11) + 0.5) / 9007199254740992.0;
}

static void test_md1_pollaczek_khinchine(void **state)
{
	(void)state;
	/* Poisson arrivals at rate lambda, service S = 1 us: W = rho S / (2 (1 - rho)) */
	const double rhos[] = {0.3, 0.5, 0.8};
	for (size_t r = 0; r < sizeof rhos / sizeof rhos[0]; r++) {
		struct crypto_engine_config c = config(1, UINT32_MAX, 1000);
		struct crypto_engine *e = crypto_engine_new(&c);
		uint64_t x = 42, t = 0;
		double mean_gap = 1000 / rhos[r];
		for (int i = 0; i < 400000; i++) {
			t += (uint64_t)(-log(uniform(&x)) * mean_gap + 0.5);
			assert_int_not_equal(crypto_engine_submit(e, t, 0, CE_AES128_GCM),
			                     CE_DROPPED);
		}
		struct crypto_engine_stats s;
		crypto_engine_stats(e, t, &s);
		double w = rhos[r] * 1000 / (2 * (1 - rhos[r]));
		/* Little's law for the waiting room: Lq = lambda W */
		double lq = s.data.wait_mean_ns / mean_gap;
		print_message("rho %.1f: W %.1f ns (P-K %.1f), utilisation %.4f, Lq %.3f (%.3f)\n",
		              rhos[r], s.data.wait_mean_ns, w, s.data.utilisation,
		              s.data.queue_mean, lq);
		assert_true(fabs(s.data.wait_mean_ns - w) < 0.05 * w);
		assert_true(fabs(s.data.utilisation - rhos[r]) < 0.01);
		assert_true(fabs(s.data.queue_mean - lq) < 0.02 * lq + 1e-3);
		crypto_engine_free(e);
	}
}

static void test_deterministic_and_monotonic(void **state)
{
	(void)state;
	struct crypto_engine_config c = config(2, 5, 300);
	struct crypto_engine_stats s[2];
	for (int run = 0; run < 2; run++) {
		struct crypto_engine *e = crypto_engine_new(&c);
		uint64_t x = 7;
		for (int i = 0; i < 1000; i++)
			crypto_engine_submit(e, (uint64_t)i * 100 + (uint64_t)(uniform(&x) * 50),
			                     (size_t)(uniform(&x) * 1500), CE_AES128_GCM);
		/* a time from the past is taken as the latest time seen */
		assert_int_equal(crypto_engine_submit(e, 0, 0, CE_HMAC) >= 99900, 1);
		crypto_engine_stats(e, 100000, &s[run]);
		crypto_engine_free(e);
	}
	assert_memory_equal(&s[0], &s[1], sizeof s[0]);
}

static void test_bins(void **state)
{
	(void)state;
	/* two lanes, 1000 ns per packet, bins of 1500 ns up to 6000 ns; three
	 * packets at 0 (lanes busy [0, 1000) twice, the third waits on one
	 * lane for [1000, 2000)), one at 2500 ([2500, 3500)), one refused at
	 * 500 (queue of 1 full), one at 5500 cut at the horizon ([5500, 6000)):
	 * busy 1000 + 1000 + 500 in bin 0 ([0, 1500)), 500 + 500 in bin 1,
	 * 500 in bin 2, 500 in bin 3 */
	struct crypto_engine_config c = config(2, 1, 1000);
	struct crypto_engine *e = crypto_engine_new(&c);
	size_t n;
	uint64_t width;
	assert_null(crypto_engine_bins(e, &n, &width));
	assert_int_equal(crypto_engine_record_bins(e, 1500, 6000), 0);
	for (int i = 0; i < 3; i++)
		crypto_engine_submit(e, 0, 0, CE_HMAC);
	assert_true(crypto_engine_submit(e, 500, 0, CE_HMAC) == CE_DROPPED);
	crypto_engine_submit(e, 2500, 0, CE_HMAC);
	crypto_engine_submit(e, 5500, 0, CE_HMAC);
	const struct ce_bin *b = crypto_engine_bins(e, &n, &width);
	assert_int_equal(n, 4);
	assert_int_equal(width, 1500);
	assert_int_equal(b[0].busy_ns, 2500);
	assert_int_equal(b[1].busy_ns, 1000);
	assert_int_equal(b[2].busy_ns, 500);
	assert_int_equal(b[3].busy_ns, 500);
	assert_int_equal(b[0].drops, 1);
	assert_int_equal(b[1].drops + b[2].drops + b[3].drops, 0);
	/* the bins add up to the run's busy time */
	struct crypto_engine_stats s;
	crypto_engine_stats(e, 6000, &s);
	assert_int_equal(s.data.busy_ns, 4500);
	assert_int_equal(crypto_engine_record_bins(e, 0, 6000), -1);
	crypto_engine_free(e);
}

static void test_classes_and_config(void **state)
{
	(void)state;
	assert_int_equal(ce_class_of(IPSEC_PROTO_ESP, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE),
	                 CE_AES128_GCM);
	assert_int_equal(ce_class_of(IPSEC_PROTO_ESP, IPSEC_ENC_AES_GMAC_256, IPSEC_INTEG_NONE),
	                 CE_AES256_GCM);
	assert_int_equal(
	        ce_class_of(IPSEC_PROTO_ESP, IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA512_256),
	        CE_AES_CBC_HMAC);
	assert_int_equal(
	        ce_class_of(IPSEC_PROTO_ESP, IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE),
	        CE_CHACHA20_POLY1305);
	assert_int_equal(ce_class_of(IPSEC_PROTO_ESP, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128),
	                 CE_HMAC);
	assert_int_equal(ce_class_of(IPSEC_PROTO_AH, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128),
	                 CE_HMAC);
	assert_int_equal(ce_dh_of(31), CE_DH_X25519);
	assert_int_equal(ce_dh_of(19), CE_DH_ECP256);
	assert_int_equal(ce_dh_of(21), CE_DH_ECP384);
	assert_int_equal(ce_dh_of(14), CE_DH_MODP2048);
	assert_int_equal(ce_dh_of(16), CE_DH_MODP3072);
	assert_string_equal(ce_class_name(CE_AES_CBC_HMAC), "aescbc-hmac");
	assert_string_equal(ce_dh_name(CE_DH_MODP3072), "modp3072");
	assert_string_equal(ce_sig_name(CE_SIG_RSA2048), "rsa2048");
	assert_string_equal(ce_ike_op_name(CE_IKE_VERIFY), "verify");

	struct crypto_engine_config c = config(0, 1, 1);
	assert_null(crypto_engine_new(&c));
	c = config(1, 1, 1);
	c.ike_lanes = 0;
	assert_null(crypto_engine_new(&c));
	c.ike_on_engine = true;
	struct crypto_engine *e = crypto_engine_new(&c);
	assert_non_null(e);
	assert_int_equal(crypto_engine_config(e)->lanes, 1);
	crypto_engine_free(e);
	c.cost[CE_HMAC].per_byte_ns = -1;
	assert_null(crypto_engine_new(&c));
	c.cost[CE_HMAC].per_byte_ns = NAN;
	assert_null(crypto_engine_new(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_below_capacity),
	        cmocka_unit_test(test_above_capacity),
	        cmocka_unit_test(test_burst),
	        cmocka_unit_test(test_queue_full),
	        cmocka_unit_test(test_lanes),
	        cmocka_unit_test(test_bytes_and_latency),
	        cmocka_unit_test(test_ike_pools),
	        cmocka_unit_test(test_md1_pollaczek_khinchine),
	        cmocka_unit_test(test_deterministic_and_monotonic),
	        cmocka_unit_test(test_bins),
	        cmocka_unit_test(test_classes_and_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
