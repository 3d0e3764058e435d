/* SA lifetimes (RFC 4301 §4.4.2.1): soft and hard limits in bytes, packets
 * and seconds, with events and timer arming on a fake clock. */
#include "harness.h"

#include <string.h>

#define GW_A A4(192, 0, 2, 1)
#define GW_B A4(192, 0, 2, 2)
#define NS 1000000000ull

static struct ipsec_sa_config cfg(void)
{
	return sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x100, GW_A, GW_B,
	              IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
}

static void assert_event(const struct test_host *h, int i, enum ipsec_event_type t, uint32_t id,
                         const char *limit)
{
	assert_true(h->nevents > i);
	assert_int_equal(h->events[i].type, t);
	assert_int_equal(h->events[i].sa_id, id);
	assert_string_equal(h->events[i].limit, limit);
}

static void test_packets_outbound(void **state)
{
	(void)state;
	struct ipsec_sa_config c = cfg();
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 10), wlen;
	enum ipsec_drop r;

	c.soft.packets = 3;
	c.hard.packets = 5;
	pair_setup(&p, &c, 64);
	for (int i = 1; i <= 5; i++) {
		pair_roundtrip(&p, pkt, len);
		assert_int_equal(p.ha.nevents, i < 3 ? 0 : i < 5 ? 1 : 2);
	}
	assert_event(&p.ha, 0, IPSEC_EV_SOFT_EXPIRE, p.out, "packets");
	assert_event(&p.ha, 1, IPSEC_EV_HARD_EXPIRE, p.out, "packets");
	assert_true(ipsec_sa_stats(p.a, p.out)->soft_expired);
	assert_true(ipsec_sa_stats(p.a, p.out)->hard_expired);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_SA_EXPIRED);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->drops[IPSEC_DROP_SA_EXPIRED], 1);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->packets, 5);
	assert_int_equal(p.ha.nevents, 2);
	/* The peer's inbound SA had no limits and saw 5 packets. */
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 5);
	pair_teardown(&p);
}

/* Inbound byte limits count payload bytes (here: inner packets). */
static void test_bytes_inbound(void **state)
{
	(void)state;
	struct ipsec_sa_config c = cfg();
	struct ipsec_sa_config in;
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 72), wlen, olen;
	enum ipsec_drop r;

	assert_int_equal(len, 100);
	pair_setup(&p, &c, 64);
	ipsec_sa_delete(p.b, p.in);
	in = sa_cfg_in(&c, 64);
	in.soft.bytes = 250; /* reached by the 3rd packet */
	in.hard.bytes = 400; /* reached by the 4th */
	p.in = add_sa(p.b, &in);
	for (int i = 1; i <= 4; i++)
		pair_roundtrip(&p, pkt, len);
	assert_int_equal(p.hb.nevents, 2);
	assert_event(&p.hb, 0, IPSEC_EV_SOFT_EXPIRE, p.in, "bytes");
	assert_event(&p.hb, 1, IPSEC_EV_HARD_EXPIRE, p.in, "bytes");
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->bytes, 400);
	/* Removed from the SAD: later packets find no SA. */
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	/* Its id can be re-used by a new SA with the same SPI. */
	add_sa(p.b, &in);
	pair_teardown(&p);
}

/* Failed packets do not count toward lifetimes. */
static void test_failures_not_counted(void **state)
{
	(void)state;
	struct ipsec_sa_config c = cfg();
	struct ipsec_sa_config in;
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 72), wlen, olen;
	enum ipsec_drop r;

	pair_setup(&p, &c, 64);
	ipsec_sa_delete(p.b, p.in);
	in = sa_cfg_in(&c, 64);
	in.hard.packets = 2;
	p.in = add_sa(p.b, &in);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	wire[wlen - 1] ^= 1;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
		                 IPSEC_VERDICT_DROP);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 0);
	assert_int_equal(p.hb.nevents, 0);
	pair_roundtrip(&p, pkt, len);
	pair_roundtrip(&p, pkt, len);
	assert_int_equal(p.hb.nevents, 1);
	assert_event(&p.hb, 0, IPSEC_EV_HARD_EXPIRE, p.in, "packets");
	pair_teardown(&p);
}

static void test_seconds_timer(void **state)
{
	(void)state;
	struct test_host h = {.now = 5 * NS};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config c = cfg(), c2 = cfg();
	struct ipsec_sa_config in = sa_cfg_in(&c, 64);
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 10), wlen, olen;
	uint32_t a, b, i;
	enum ipsec_drop r;
	int calls;

	c.soft.seconds = 10;
	c.hard.seconds = 20;
	a = add_sa(ctx, &c);
	add_protect_all(ctx, a);
	assert_int_equal(h.timer_at, 15 * NS);
	/* A second SA added later with an earlier hard limit. */
	h.now = 6 * NS;
	c2.spi = 0x200;
	c2.hard.seconds = 8;
	b = add_sa(ctx, &c2);
	assert_int_equal(h.timer_at, 14 * NS);
	in.hard.seconds = 100;
	in.dst = ip_addr_v4(GW_B);
	i = add_sa(ctx, &in);

	h.now = 14 * NS;
	ipsec_handle_timeout(ctx);
	assert_int_equal(h.nevents, 1);
	assert_event(&h, 0, IPSEC_EV_HARD_EXPIRE, b, "seconds");
	assert_int_equal(h.timer_at, 15 * NS);
	h.now = 15 * NS;
	ipsec_handle_timeout(ctx);
	assert_int_equal(h.nevents, 2);
	assert_event(&h, 1, IPSEC_EV_SOFT_EXPIRE, a, "seconds");
	assert_int_equal(h.timer_at, 25 * NS);
	/* Soft-expired SAs still work. */
	assert_int_equal(ipsec_output(ctx, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ipsec_input(ctx, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DELIVER);
	/* A late timer: the packet path enforces the deadline itself. */
	h.now = 25 * NS;
	assert_int_equal(ipsec_output(ctx, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_SA_EXPIRED);
	assert_int_equal(h.nevents, 3);
	assert_event(&h, 2, IPSEC_EV_HARD_EXPIRE, a, "seconds");
	assert_int_equal(h.timer_at, 106 * NS); /* the inbound SA, added at 6 s */
	ipsec_handle_timeout(ctx);              /* nothing due: no new events */
	assert_int_equal(h.nevents, 3);
	h.now = 106 * NS;
	calls = h.timer_calls;
	ipsec_handle_timeout(ctx);
	assert_event(&h, 3, IPSEC_EV_HARD_EXPIRE, i, "seconds");
	/* Nothing left to wait for: the fired timer is not re-armed. */
	assert_int_equal(h.timer_calls, calls);
	ipsec_free(ctx);
}

/* Deleting the SA with the earliest deadline re-arms the timer. */
static void test_delete_rearms(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config c = cfg();
	uint32_t a, b;

	c.hard.seconds = 30;
	a = add_sa(ctx, &c);
	c.spi = 0x300;
	c.hard.seconds = 0;
	c.soft.seconds = 50;
	b = add_sa(ctx, &c);
	assert_int_equal(h.timer_at, 30 * NS);
	ipsec_sa_delete(ctx, a);
	assert_int_equal(h.timer_at, 50 * NS);
	ipsec_sa_delete(ctx, b);
	assert_int_equal(h.timer_at, UINT64_MAX);
	assert_int_equal(h.nevents, 0);
	ipsec_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_packets_outbound),     cmocka_unit_test(test_bytes_inbound),
	        cmocka_unit_test(test_failures_not_counted), cmocka_unit_test(test_seconds_timer),
	        cmocka_unit_test(test_delete_rearms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
