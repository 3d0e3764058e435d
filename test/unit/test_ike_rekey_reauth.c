/* Reauthentication (RFC 7296 §2.8.3): a new IKE SA with IKE_SA_INIT and
 * IKE_AUTH, the children created again on it (the first inside IKE_AUTH,
 * the others with CREATE_CHILD_SA), the old IKE SA deleted.  Make-before-
 * break (no INITIAL_CONTACT, §2.4; the responder's new policies wait behind
 * the old ones) loses nothing; break-before-make deletes first and loses
 * packets until the new SA is up.  reauth_time triggers it. */
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

#define PERIOD (1 * H_MS)

/* A second child "net2" (10.x.1.0/24), "net" shrunk to 10.x.0.0/24. */
static void add_child2(int i, struct ike_conn_config *c)
{
	struct ike_child_config *ch = &c->children[1];

	*ch = c->children[0];
	snprintf(ch->name, sizeof(ch->name), "net2");
	ch->local_ts[0] = h_ts((i == 0 ? H_LAN_A : H_LAN_B) | 0x100, 0xff);
	ch->remote_ts[0] = h_ts((i == 0 ? H_LAN_B : H_LAN_A) | 0x100, 0xff);
	c->n_children = 2;
	c->children[0].local_ts[0] = h_ts(i == 0 ? H_LAN_A : H_LAN_B, 0xff);
	c->children[0].remote_ts[0] = h_ts(i == 0 ? H_LAN_B : H_LAN_A, 0xff);
}

static void start(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b,
                  int children)
{
	h_start(h, a, b);
	if (children == 2) {
		assert_int_equal(ike_initiate(h->n[0].ike, "gw", "net2"), 0);
		h_run_for(h, 1 * H_S);
		h_assert_settled(h, 2);
	}
}

static void flows2(struct ike_harness *h)
{
	bool ok;

	h_assert_flows(h);
	assert_int_equal(h_send_ip(h, 0, H_LAN_A | 0x101, H_LAN_B | 0x101, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(h, 1, H_LAN_B | 0x101, H_LAN_A | 0x101, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
}

/* Make-before-break with traffic both ways: nothing is lost; the old IKE
 * SA ends as REKEYED (replaced_by: the new one) on the initiator and is
 * deleted by the peer on the responder; both children came back. */
static void test_reauth_mbb(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	uint64_t old_id;
	const struct hev *e;

	h_setup(&h, &a, &b, NULL);
	add_child2(0, &a);
	add_child2(1, &b);
	start(&h, &a, &b, 2);
	old_id = h_sa(&h, 0)->id;
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", NULL, true), 0);
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	e = h_state_event(&h, 0, IKE_EV_IKE_SA, IKE_STATE_REKEYED, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.ike_sa, old_id);
	assert_int_equal(e->ev.replaced_by, h_sa(&h, 0)->id);
	assert_string_equal(e->reason, "reauth");
	assert_true(e->ev.rekey_duration_ns > 0);
	assert_int_equal(h_count(&h, 0, IKE_EV_IKE_KEYS), 2);
	/* B's old SA went with A's DELETE, not with INITIAL_CONTACT (§2.4),
	 * which a make-before-break reauthentication must not send */
	e = h_state_event(&h, 1, IKE_EV_IKE_SA, IKE_STATE_DELETED, 0);
	assert_int_equal(e->ev.ike_sa,
	                 h_state_event(&h, 1, IKE_EV_IKE_SA, IKE_STATE_ESTABLISHED, 0)->ev.ike_sa);
	assert_string_equal(e->reason, "peer delete");
	h_assert_settled(&h, 2);
	flows2(&h);
	print_message("make-before-break reauth: %u+%u packets, 0 lost\n", t.sent[0], t.sent[1]);
	h_free(&h);
}

/* Break-before-make: the old IKE SA and its children go first; packets
 * are lost until IKE_SA_INIT and IKE_AUTH are through -- some, bounded. */
static void test_reauth_bbm(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	unsigned lost[2];

	h_setup(&h, &a, &b, NULL);
	a.reauth_policy = IKE_BREAK_BEFORE_MAKE;
	add_child2(0, &a);
	add_child2(1, &b);
	start(&h, &a, &b, 2);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", NULL, true), 0);
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	lost[0] = t.sent[0] - t.delivered[0];
	lost[1] = t.sent[1] - t.delivered[1];
	/* DELETE, IKE_SA_INIT and IKE_AUTH: three round trips (60 ms) */
	assert_true(lost[0] >= 40 && lost[0] <= 80);
	assert_true(lost[1] >= 40 && lost[1] <= 80);
	assert_string_equal(h_state_event(&h, 0, IKE_EV_IKE_SA, IKE_STATE_DELETED, 0)->reason,
	                    "reauth");
	h_assert_settled(&h, 2);
	flows2(&h);
	print_message("break-before-make reauth: lost %u of %u A->B, %u of %u B->A\n", lost[0],
	              t.sent[0], lost[1], t.sent[1]);
	h_free(&h);
}

/* reauth_time: time-based, jittered like the rekeys; twice in a row. */
static void test_reauth_time(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	a.reauth_time_ns = 60 * H_S;
	a.rand_time_ns = 6 * H_S;
	a.over_time_ns = 6 * H_S;
	start(&h, &a, &b, 1);
	h_run_traffic(&h, 121 * H_S, 20 * H_MS, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_IKE_SA, IKE_STATE_REKEYED), 2);
	assert_true(h_state_event(&h, 0, IKE_EV_IKE_SA, IKE_STATE_REKEYED, 0)->at >=
	            1001 * H_S + 54 * H_S);
	h_assert_settled(&h, 1);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reauth_mbb),
	        cmocka_unit_test(test_reauth_bbm),
	        cmocka_unit_test(test_reauth_time),
	};

	if (getenv("IKE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IKE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
