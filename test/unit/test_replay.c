/* Anti-replay window (RFC 4303 §3.4.3, Appendix A) and ESN inference
 * (Appendix A2.2), alone and through the engine. */
#include "harness.h"

#include "replay.h"

#include <stdlib.h>
#include <string.h>

static bool accept(struct replay_window *r, uint64_t seq)
{
	if (!replay_check(r, seq))
		return false;
	replay_update(r, seq);
	return true;
}

static void window_edges(uint32_t w)
{
	struct replay_window r;

	replay_init(&r, w);
	assert_false(replay_check(&r, 0));
	assert_true(accept(&r, 1));
	assert_false(accept(&r, 1)); /* duplicate */
	assert_true(accept(&r, 5));
	assert_true(accept(&r, 3)); /* late, inside the window */
	assert_false(accept(&r, 3));
	/* A far jump to the right. */
	assert_true(accept(&r, 10000));
	assert_false(accept(&r, 10000));
	/* Left edge: T - W + 1 is inside, T - W is not. */
	assert_true(accept(&r, 10000 - w + 1));
	assert_false(accept(&r, 10000 - w + 1));
	assert_false(accept(&r, 10000 - w));
	assert_false(accept(&r, 5));
	/* Slide by exactly one word and by less than the window. */
	assert_true(accept(&r, 10032));
	assert_true(accept(&r, 10001));
	assert_false(accept(&r, 10000));
	assert_true(accept(&r, 10000 + w - 1));
	assert_false(accept(&r, 9999));  /* left of [10000, 10000 + w - 1] */
	assert_false(accept(&r, 10000)); /* inside, already seen */
	assert_true(accept(&r, 10002));  /* inside, new */
}

static void test_window_edges(void **state)
{
	(void)state;
	window_edges(32);
	window_edges(64);
	window_edges(1024);
	window_edges(4096);
}

static void test_window_off(void **state)
{
	(void)state;
	struct replay_window r;

	replay_init(&r, 0);
	for (int i = 0; i < 3; i++) {
		assert_true(accept(&r, 7));
		assert_true(accept(&r, 1));
	}
	assert_int_equal(r.top, 7);
}

/* The bitmap ring against a plain model, with random sequences. */
static void test_window_random_model(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {32, 64, 96, 128, 4096};
	uint32_t rng = 12345;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t w = sizes[s];
		struct replay_window r;
		size_t n = 200000;
		uint8_t *seen = calloc(n, 1);
		uint64_t top = 0;

		replay_init(&r, w);
		for (int i = 0; i < 60000; i++) {
			uint64_t seq;
			bool want;

			rng = rng * 1103515245u + 12345u;
			/* Mostly near the top, sometimes far ahead or behind. */
			int64_t d = (int64_t)((rng >> 8) % (3 * w)) - (int64_t)(2 * w);
			if ((rng & 0xff) == 7)
				d += (int64_t)(rng >> 20) % (5 * w);
			int64_t sq = (int64_t)top + d;
			if (sq < 0 || sq >= (int64_t)n)
				continue;
			seq = (uint64_t)sq;
			want = seq != 0 && (seq > top || (top - seq < w && !seen[seq]));
			assert_int_equal(replay_check(&r, seq), want);
			if (want && (rng & 0x300)) { /* some fail the ICV: no update */
				replay_update(&r, seq);
				seen[seq] = 1;
				if (seq > top)
					top = seq;
			}
		}
		free(seen);
	}
}

/* RFC 4303 Appendix A2.2, cases A and B. */
static void test_esn_inference(void **state)
{
	(void)state;
	struct replay_window r;
	uint64_t seq;

	replay_init(&r, 64);
	assert_true(replay_seq_infer(&r, 5, false, &seq));
	assert_int_equal(seq, 5);
	/* Case A: T = 3:1000, W = 64: window [3:937, 3:1000]. */
	r.top = 3ull << 32 | 1000;
	assert_true(replay_seq_infer(&r, 1000, true, &seq));
	assert_int_equal(seq, 3ull << 32 | 1000);
	assert_true(replay_seq_infer(&r, 937, true, &seq));
	assert_int_equal(seq, 3ull << 32 | 937);
	assert_true(replay_seq_infer(&r, 936, true, &seq)); /* below: next subspace */
	assert_int_equal(seq, 4ull << 32 | 936);
	assert_true(replay_seq_infer(&r, 5000, true, &seq));
	assert_int_equal(seq, 3ull << 32 | 5000);
	/* Case B: T = 3:10, the window reaches back into subspace 2. */
	r.top = 3ull << 32 | 10;
	assert_true(replay_seq_infer(&r, 0xfffffff0u, true, &seq));
	assert_int_equal(seq, 2ull << 32 | 0xfffffff0u);
	assert_true(replay_seq_infer(&r, 20, true, &seq));
	assert_int_equal(seq, 3ull << 32 | 20);
	/* Case B at the very start: nothing before subspace 0. */
	r.top = 10;
	assert_false(replay_seq_infer(&r, 0xfffffff0u, true, &seq));
	/* Top of the space: high half would overflow. */
	r.top = 0xffffffff00000000ull | 0xfffffff0u;
	assert_false(replay_seq_infer(&r, 5, true, &seq));
}

/* Through ipsec_input: sizes, duplicates, out of order, and an ICV-failing
 * packet far to the right that must not move the window. */
static void engine_window(uint32_t w)
{
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL,
	                                  0x4000 + w, A4(192, 0, 2, 1), A4(192, 0, 2, 2),
	                                  IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct pair p;
	size_t n = w + 40;
	uint8_t pkt[BUF], out[BUF];
	uint8_t(*wire)[200] = calloc(n, sizeof(*wire));
	size_t *wlen = calloc(n, sizeof(*wlen));
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 40), olen;
	enum ipsec_drop r;

	pair_setup(&p, &c, w);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ipsec_output(p.a, pkt, len, wire[i], 200, &wlen[i], &r),
		                 IPSEC_VERDICT_PROTECT);
	/* The last packet, tampered: ICV failure, window unchanged. */
	wire[n - 1][wlen[n - 1] - 1] ^= 1;
	assert_int_equal(ipsec_input(p.b, wire[n - 1], wlen[n - 1], out, BUF, &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_ICV_FAIL);
	wire[n - 1][wlen[n - 1] - 1] ^= 1;
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->seq, 0);
	/* Packet 1 (seq 2) arrives, then seq n - 1 (index n - 2). */
	assert_int_equal(ipsec_input(p.b, wire[1], wlen[1], out, BUF, &olen, NULL, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(ipsec_input(p.b, wire[n - 2], wlen[n - 2], out, BUF, &olen, NULL, &r),
	                 IPSEC_VERDICT_DELIVER);
	/* Now T = n - 1: seq n - w (index n - w - 1) is the left edge. */
	assert_int_equal(
	        ipsec_input(p.b, wire[n - w - 1], wlen[n - w - 1], out, BUF, &olen, NULL, &r),
	        IPSEC_VERDICT_DELIVER);
	assert_int_equal(
	        ipsec_input(p.b, wire[n - w - 2], wlen[n - w - 2], out, BUF, &olen, NULL, &r),
	        IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_REPLAY);
	/* Everything inside, in reverse order, once. */
	for (size_t i = n - 3; i > n - w - 1; i--)
		assert_int_equal(ipsec_input(p.b, wire[i], wlen[i], out, BUF, &olen, NULL, &r),
		                 IPSEC_VERDICT_DELIVER);
	for (size_t i = n - w - 1; i < n - 1; i++) {
		assert_int_equal(ipsec_input(p.b, wire[i], wlen[i], out, BUF, &olen, NULL, &r),
		                 IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_REPLAY);
	}
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->drops[IPSEC_DROP_REPLAY], w + 1);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, w + 1);
	/* The genuine last packet. */
	assert_int_equal(ipsec_input(p.b, wire[n - 1], wlen[n - 1], out, BUF, &olen, NULL, &r),
	                 IPSEC_VERDICT_DELIVER);
	pair_teardown(&p);
	free(wire);
	free(wlen);
}

static void test_engine_windows(void **state)
{
	(void)state;
	engine_window(32);
	engine_window(64);
	engine_window(4096);
}

static void test_engine_window_off(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x4444, A4(192, 0, 2, 1),
	               A4(192, 0, 2, 2), IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 40), wlen, olen;
	enum ipsec_drop r;

	pair_setup(&p, &c, 0);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, BUF, &wlen, &r), IPSEC_VERDICT_PROTECT);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ipsec_input(p.b, wire, wlen, out, BUF, &olen, NULL, &r),
		                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 3);
	pair_teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_window_edges),
	        cmocka_unit_test(test_window_off),
	        cmocka_unit_test(test_window_random_model),
	        cmocka_unit_test(test_esn_inference),
	        cmocka_unit_test(test_engine_windows),
	        cmocka_unit_test(test_engine_window_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
