/* NAT traversal while the SAs live (RFC 7296 §2.23, RFC 3948): node A
 * behind the harness's NAT.
 *
 *   - NAT keepalives (RFC 3948 §2.3, §4): A, behind the NAT, sends a
 *     single 0xff octet every keepalive_ns in which it has sent nothing
 *     else, neither IKE nor ESP (B's traffic to A does not count); B sends
 *     none;
 *   - libreswan#1728 (github.com/libreswan/libreswan/issues/1728): the NAT
 *     rebinds A's mapping to new ports mid-flow.  libreswan 5.0 ignored the
 *     peer's new endpoint ("MOBIKE disabled") and, 4.x having updated the
 *     IKE SA but not the kernel's ESP-in-UDP state, traffic towards the
 *     NATed peer stopped for good.  Here B follows A's new port on A's next
 *     authenticated message -- never on a keepalive or a forgery -- and
 *     moves the UDP encapsulation of its outbound Child SAs with it. */
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

static void setup(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_setup(h, a, b, NULL);
	h->nat = true;
	/* B accepts A from wherever the NAT makes it come */
	b->remote_addr = (struct ip_addr){0};
}

static void start(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_start(h, a, b);
	assert_true(h_sa(h, 0)->nat_local);
	assert_true(h_sa(h, 1)->nat_remote);
	assert_int_equal(h_sa(h, 1)->remote_port, 44500);
}

/* The encapsulation port B's outbound Child SA sends to. */
static uint16_t b_encap_port(const struct ike_harness *h)
{
	const struct ike_sa *sa = h_sa(h, 1);

	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used)
			return ipsec_sa_config(h->n[1].dp, sa->children[k].sa_out)->encap_dport;
	return 0;
}

static void test_keepalives(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_stats st;

	setup(&h, &a, &b);
	start(&h, &a, &b);
	h_run_for(&h, 101 * H_S);
	/* IKE_AUTH went out at ~1000.02 s: keepalives at +20, 40, ... 100 s */
	assert_int_equal(h.keepalives[0], 5);
	assert_int_equal(h.keepalives[1], 0);
	ike_get_stats(h.n[0].ike, &st);
	assert_int_equal(st.keepalives, 5);
	/* an IKE exchange of A's resets the interval */
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_for(&h, 19 * H_S);
	assert_int_equal(h.keepalives[0], 5);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* Node `from` sends a packet from its LAN every `period` for `dt`. */
static void one_way(struct ike_harness *h, int from, uint64_t dt, uint64_t period)
{
	uint64_t end = h->now + dt;
	uint32_t src = (from == 0 ? H_LAN_A : H_LAN_B) | 1,
	         dst = (from == 0 ? H_LAN_B : H_LAN_A) | 1;

	while (h->now < end) {
		bool ok;

		assert_int_equal(h_send_ip(h, from, src, dst, &ok, NULL, NULL),
		                 IPSEC_VERDICT_PROTECT);
		assert_true(ok);
		h_run(h, h->now + period < end ? h->now + period : end);
	}
}

static void test_keepalives_idle_only(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_stats st;
	uint64_t t0;

	setup(&h, &a, &b);
	start(&h, &a, &b);
	/* A sends ESP every second for 100 s (1001..1100 s): its checks at
	 * +20, 40, ... 100 s after IKE_AUTH find ESP sent, no keepalive */
	one_way(&h, 0, 100 * H_S, 1 * H_S);
	assert_int_equal(h.keepalives[0], 0);
	/* then only B sends: what A receives keeps no mapping, one per 20 s
	 * (1120, 1140, ... 1200 s) */
	one_way(&h, 1, 100 * H_S, 1 * H_S);
	assert_int_equal(h.keepalives[0], 5);
	/* idle: one per interval */
	h_run_for(&h, 100 * H_S);
	assert_int_equal(h.keepalives[0], 10);
	ike_get_stats(h.n[0].ike, &st);
	assert_int_equal(st.keepalives, 10);
	/* one packet 0.5 s after a check (at 1300.02 s): the next check finds
	 * it, the keepalive after waits a full interval from that check; never
	 * less than 20 s after the packet, at most 40 */
	h_run(&h, 1300 * H_S + 520 * H_MS);
	t0 = h.now;
	one_way(&h, 0, 1, 1);
	h_run(&h, t0 + 39 * H_S);
	assert_int_equal(h.keepalives[0], 10);
	h_run(&h, t0 + 40 * H_S);
	assert_int_equal(h.keepalives[0], 11);
	assert_int_equal(h.keepalives[1], 0);
	h_assert_settled(&h, 1);
	h_free(&h);
}

static void test_libreswan_1728(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0}, after = {0};
	uint8_t forged[IKE_MSG_MAX + 4];
	const struct hev *e;
	struct ike_stats st;
	int nat_events;
	unsigned keepalives;

	setup(&h, &a, &b);
	a.keepalive_ns = 2 * H_S;
	a.dpd_delay_ns = 5 * H_S;
	start(&h, &a, &b);
	h_run_traffic(&h, 2 * H_S, 10 * H_MS, &t);
	assert_int_equal(t.delivered[1], t.sent[1]);
	/* The NAT rebinds: A's packets now come from 41500 / 45500. */
	h_nat_rebind(&h, 41000);
	/* An unauthenticated message from the new port moves nothing: A's
	 * last IKE request (non-ESP marker first) with a broken ICV. */
	memset(forged, 0, 4);
	memcpy(forged + 4, h_sa(&h, 0)->x.req, h_sa(&h, 0)->x.req_len);
	forged[4 + h_sa(&h, 0)->x.req_len - 1] ^= 1;
	ike_receive(h.n[1].ike, ip_addr_v4(H_NAT_ADDR), 45500, ip_addr_v4(H_ADDR_B), IKE_NATT_PORT,
	            forged, 4 + h_sa(&h, 0)->x.req_len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_integrity, 1);
	assert_int_equal(h_sa(&h, 1)->remote_port, 44500);
	nat_events = h_count(&h, 1, IKE_EV_NAT);
	/* Nor does a keepalive from the new port (A idle for 3.5 s: the
	 * interval of 2 s after the check that saw its last ESP). */
	keepalives = h.keepalives[0];
	h_run_for(&h, 3500 * H_MS);
	assert_true(h.keepalives[0] > keepalives);
	assert_int_equal(h_sa(&h, 1)->remote_port, 44500);
	assert_int_equal(h_count(&h, 1, IKE_EV_NAT), nat_events);
	/* B's traffic to the old port is lost, A's keeps arriving; A finds
	 * B quiet, its DPD request (authenticated) shows B the new port. */
	memset(&t, 0, sizeof(t));
	h_run_traffic(&h, 10 * H_S, 10 * H_MS, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_true(t.delivered[1] < t.sent[1]);
	/* one move, on A's DPD request */
	assert_int_equal(h_count(&h, 1, IKE_EV_NAT), nat_events + 1);
	e = h_event(&h, 1, IKE_EV_NAT, -1);
	assert_string_equal(e->reason, "peer moved");
	assert_int_equal(ip_addr_v4_value(&e->ev.peer_addr), H_NAT_ADDR);
	assert_int_equal(e->ev.peer_port, 45500);
	assert_int_equal(h_sa(&h, 1)->remote_port, 45500);
	assert_int_equal(b_encap_port(&h), 45500);
	print_message("NAT rebind: B -> A lost %u of %u until A's DPD showed the new port\n",
	              t.sent[1] - t.delivered[1], t.sent[1]);
	/* and from then on nothing is lost */
	h_run_traffic(&h, 10 * H_S, 10 * H_MS, &after);
	assert_int_equal(after.delivered[0], after.sent[0]);
	assert_int_equal(after.delivered[1], after.sent[1]);
	/* a rekey after the move uses the new port too */
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", "net", false), 0);
	h_run_for(&h, 1 * H_S);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	assert_int_equal(b_encap_port(&h), 45500);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_keepalives),
	        cmocka_unit_test(test_keepalives_idle_only),
	        cmocka_unit_test(test_libreswan_1728),
	};

	if (getenv("IKE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IKE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
