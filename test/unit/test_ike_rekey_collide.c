/* Rekey collisions and the real-world failures they caused, each ending
 * with no lasting loss: traffic flows both ways afterwards and neither
 * node keeps an SA or policy it does not need (h_assert_settled).
 *
 *   - simultaneous Child SA rekeys (RFC 7296 §2.8.1) and IKE SA rekeys
 *     (§2.8.2): the exchange with the lowest of the four nonces made the
 *     redundant SA, its initiator deletes it; over several seeds either
 *     side wins;
 *   - strongswan#1896 (github.com/strongswan/strongswan/issues/1896): a
 *     Child SA rekey collision where one request is lost; the peer
 *     completes its rekey, answers the late retransmission with
 *     TEMPORARY_FAILURE and deletes the old SA -- charon 5.9.11 then never
 *     installed the outbound SA of the surviving rekey and traffic stopped
 *     until DPD or the next rekey;
 *   - strongswan#1458 (.../issues/1458): a Child SA rekey colliding with a
 *     DELETE of the same child (§2.25.1); charon 5.8.4 processed the peer's
 *     DELETE before the CREATE_CHILD_SA response and removed the new SA's
 *     keys, leaving no working tunnel; here both orders: the DELETE
 *     crossing our request (TEMPORARY_FAILURE, the child is created
 *     afresh) and the DELETE overtaking the response (the new child stays);
 *   - strongswan#3042 (.../issues/3042): a link bounce during an IKE SA
 *     rekey (the link goes down before the rekey, comes back after the
 *     request went out and after the old SA's hard lifetime); charon 6.0.4
 *     deleted the newly created IKE SA along with the old one.  Also with
 *     both ends rekeying during the outage;
 *   - a rekey while another exchange is active (window size 1, §2.3): the
 *     peer answers TEMPORARY_FAILURE, both retry after a random delay. */
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

#define PERIOD (1 * H_MS)

static const struct hev *child_ev(const struct ike_harness *h, int i, int state, int n)
{
	return h_state_event(h, i, IKE_EV_CHILD_SA, state, n);
}

static bool deleted_with(const struct ike_harness *h, int i, const char *reason)
{
	const struct hev *e;

	for (int k = 0; (e = child_ev(h, i, IKE_CHILD_DELETED, k)); k++)
		if (!strcmp(e->reason, reason))
			return true;
	return false;
}

static bool exchange_failed_with(const struct ike_harness *h, int i, const char *text)
{
	const struct hev *e;

	for (int k = 0; (e = h_event(h, i, IKE_EV_FAILURE, k)); k++)
		if (strstr(e->text, text))
			return true;
	return false;
}

/* §2.8.1: both ends rekey the one child at the same instant.  Returns the
 * node that lost (deleted the child its own rekey made). */
static int child_collision(uint32_t seed)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	int loser;

	h_setup(&h, &a, &b, NULL);
	h.n[0].rng = 7 * seed;
	h.n[1].rng = seed;
	h_start(&h, &a, &b);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", "net", false), 0);
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	/* one new pair survives, both ends report the one rekey */
	for (int i = 0; i < 2; i++)
		assert_int_equal(h_count_state(&h, i, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED), 1);
	assert_int_equal(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.spi_in,
	                 child_ev(&h, 1, IKE_CHILD_REKEYED, 0)->ev.spi_out);
	assert_true(deleted_with(&h, 0, "rekey collision") !=
	            deleted_with(&h, 1, "rekey collision"));
	loser = deleted_with(&h, 0, "rekey collision") ? 0 : 1;
	h_assert_settled(&h, 1);
	h_free(&h);
	return loser;
}

static void test_child_collision(void **state)
{
	(void)state;
	int lost[2] = {0, 0};

	for (uint32_t seed = 1; seed <= 32; seed++)
		lost[child_collision(seed)]++;
	assert_true(lost[0] > 0 && lost[1] > 0);
}

/* Drops the first CREATE_CHILD_SA request node `from` sends. */
struct drop_req {
	int from;
	bool done;
};

static int drop_first_request(struct ike_harness *h, struct hdgram *d, void *arg)
{
	struct drop_req *dr = arg;
	struct ike_msg m;
	struct ike_error e;

	(void)h;
	if (dr->done || d->from != dr->from || ike_msg_parse(&m, d->data, d->len, &e) < 0 ||
	    m.exchange != IKE_CREATE_CHILD_SA || (m.flags & IKE_FLAG_RESPONSE))
		return 1;
	dr->done = true;
	return 0;
}

/* strongswan#1896: A's rekey request is lost, B's arrives and A answers
 * it; B completes and deletes the old pair; A's retransmission meets an SA
 * B has replaced: TEMPORARY_FAILURE.  A must switch to B's new pair. */
static void test_strongswan_1896(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	struct drop_req dr = {0, false};

	h_setup(&h, &a, &b, NULL);
	h_start(&h, &a, &b);
	h.hook = drop_first_request;
	h.hook_arg = &dr;
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", "net", false), 0);
	h_run_traffic(&h, 10 * H_S, PERIOD, &t);
	assert_true(dr.done);
	/* B answered A's retransmission (TEMPORARY_FAILURE: A's last
	 * exchange, 4 s after) and A let it be ... */
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.exchange, IKE_CREATE_CHILD_SA);
	assert_true(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.initiator);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.retransmits, 1);
	assert_false(exchange_failed_with(&h, 0, "failed"));
	/* ... and nothing was lost, before or after. */
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED), 1);
	assert_int_equal(h_count_state(&h, 1, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED), 1);
	h_assert_settled(&h, 1);
	h_free(&h);
}

/* strongswan#1458, the DELETE crossing the rekey request: B's child hits
 * its hard lifetime (B never rekeys) just as A's rekey goes out.  B answers
 * TEMPORARY_FAILURE (it is deleting the child), A answers B's DELETE as
 * usual and, its rekey having failed on a child that is gone, creates the
 * child afresh. */
static void test_strongswan_1458_crossing(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	b.children[0].life_time_ns = 20 * H_S;
	/* A installed 10 ms after B: its request leaves as B's SA expires */
	a.children[0].rekey_time_ns = 19990 * H_MS;
	h_start(&h, &a, &b);
	h_run_traffic(&h, 21 * H_S, PERIOD, &t);
	assert_true(deleted_with(&h, 0, "peer delete"));
	assert_true(deleted_with(&h, 1, "expired"));
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	/* the child was gone for about a round trip plus a CREATE_CHILD_SA */
	assert_true(t.sent[0] - t.delivered[0] < 100);
	assert_true(t.sent[1] - t.delivered[1] < 100);
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	h_assert_settled(&h, 1);
	h_free(&h);
}

/* Holds back CREATE_CHILD_SA responses by 50 ms. */
static int delay_ccs_response(struct ike_harness *h, struct hdgram *d, void *arg)
{
	struct ike_msg m;
	struct ike_error e;

	(void)h;
	(void)arg;
	if (ike_msg_parse(&m, d->data, d->len, &e) == 0 && m.exchange == IKE_CREATE_CHILD_SA &&
	    (m.flags & IKE_FLAG_RESPONSE))
		d->at += 50 * H_MS;
	return 1;
}

/* strongswan#1458 as reported: B answers the rekey, then B's DELETE of the
 * old child reaches A before the CREATE_CHILD_SA response.  A deletes the
 * old child as asked and keeps the new one when the response arrives. */
static void test_strongswan_1458_overtaken(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	b.children[0].life_time_ns = 20 * H_S;
	a.children[0].rekey_time_ns = 19970 * H_MS;
	h_start(&h, &a, &b);
	h.hook = delay_ccs_response;
	h_run_traffic(&h, 21 * H_S, PERIOD, &t);
	assert_true(deleted_with(&h, 0, "peer delete"));
	/* no second CREATE_CHILD_SA: the rekey's child is the child */
	assert_int_equal(h_count_state(&h, 0, IKE_EV_CHILD_SA, IKE_CHILD_INSTALLED), 2);
	assert_false(exchange_failed_with(&h, 0, "failed"));
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	assert_true(t.sent[0] - t.delivered[0] < 100);
	assert_true(t.sent[1] - t.delivered[1] < 100);
	h_free(&h);
}

/* §2.8.2: both ends rekey the IKE SA at once.  Returns the loser. */
static int ike_collision(uint32_t seed)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	uint32_t child_spi;
	int loser = -1;

	h_setup(&h, &a, &b, NULL);
	h.n[0].rng = 7 * seed;
	h.n[1].rng = seed;
	h_start(&h, &a, &b);
	child_spi = h_sa(&h, 0)->children[0].spi_in;
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", NULL, false), 0);
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", NULL, false), 0);
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	for (int i = 0; i < 2; i++) {
		const struct hev *e;

		/* each made one IKE SA in each exchange */
		assert_int_equal(h_count(&h, i, IKE_EV_IKE_KEYS), 3);
		assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_REKEYED), 1);
		for (int k = 0; (e = h_state_event(&h, i, IKE_EV_IKE_SA, IKE_STATE_DELETED, k));
		     k++)
			if (!strcmp(e->reason, "rekey collision"))
				loser = i;
	}
	assert_true(loser >= 0);
	assert_memory_equal(h_sa(&h, 0)->spi_i, h_sa(&h, 1)->spi_i, IKE_SPI_LEN);
	assert_memory_equal(h_sa(&h, 0)->spi_r, h_sa(&h, 1)->spi_r, IKE_SPI_LEN);
	assert_int_equal(h_sa(&h, 0)->children[0].spi_in, child_spi);
	h_assert_settled(&h, 1);
	/* the survivor works: a child rekey on it */
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_for(&h, 1 * H_S);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
	return loser;
}

static void test_ike_collision(void **state)
{
	(void)state;
	int lost[2] = {0, 0};

	for (uint32_t seed = 1; seed <= 32; seed++)
		lost[ike_collision(seed)]++;
	assert_true(lost[0] > 0 && lost[1] > 0);
}

/* strongswan#3042: rekey_time 180 s, hard lifetime 194 s (over_time
 * 14 s); the link is down from 170 s to 200 s.  The rekey request goes
 * out at 180 s and is retransmitted into the void; the retransmission at
 * ~204 s gets through.  The hard lifetime passing meanwhile does not kill
 * the SA under its rekey; the new IKE SA is the only one left. */
static void link_bounce(bool both)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	uint8_t old_spi[IKE_SPI_LEN];

	h_setup(&h, &a, &b, NULL);
	a.rekey_time_ns = 180 * H_S;
	a.over_time_ns = 14 * H_S;
	a.rand_time_ns = 0;
	if (both) {
		b.rekey_time_ns = 180 * H_S;
		b.over_time_ns = 14 * H_S;
		b.rand_time_ns = 0;
	}
	h_start(&h, &a, &b);
	memcpy(old_spi, h_sa(&h, 0)->spi_i, IKE_SPI_LEN);
	h_run_for(&h, 169 * H_S);
	h.n[0].down = h.n[1].down = true;
	h_run_for(&h, 30 * H_S);
	h.n[0].down = h.n[1].down = false;
	h_run_for(&h, 30 * H_S);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_REKEYED), 1);
		assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_FAILED), 0);
		if (!both)
			assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_DELETED), 0);
		assert_int_equal(h_ike_state(&h, i) == IKE_STATE_REKEYED ||
		                         h_ike_state(&h, i) == IKE_STATE_DELETED,
		                 true);
		assert_int_equal(h_sa(&h, i)->phase, IKE_PHASE_ESTABLISHED);
	}
	assert_memory_not_equal(h_sa(&h, 0)->spi_i, old_spi, IKE_SPI_LEN);
	assert_memory_equal(h_sa(&h, 0)->spi_i, h_sa(&h, 1)->spi_i, IKE_SPI_LEN);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	/* and it lives on: rekeyed again 180 s later */
	h_run_for(&h, 200 * H_S);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_IKE_SA, IKE_STATE_REKEYED), 2);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

static void test_strongswan_3042(void **state)
{
	(void)state;
	link_bounce(false);
}

static void test_strongswan_3042_both(void **state)
{
	(void)state;
	link_bounce(true);
}

/* Window size 1 (§2.3): A rekeys the IKE SA while B rekeys the child; each
 * finds the other's request while its own is outstanding and answers
 * TEMPORARY_FAILURE (§2.25); both retry 5..15 s later, apart. */
static void test_busy_retry(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	h_start(&h, &a, &b);
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", NULL, false), 0);
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", "net", false), 0);
	h_run_traffic(&h, 40 * H_S, 10 * H_MS, &t);
	assert_true(exchange_failed_with(&h, 0, "TEMPORARY_FAILURE"));
	assert_true(exchange_failed_with(&h, 1, "TEMPORARY_FAILURE"));
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(h_count(&h, i, IKE_EV_IKE_KEYS), 2);
		assert_int_equal(h_count_state(&h, i, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED), 1);
	}
	h_assert_settled(&h, 1);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_child_collision),
	        cmocka_unit_test(test_strongswan_1896),
	        cmocka_unit_test(test_strongswan_1458_crossing),
	        cmocka_unit_test(test_strongswan_1458_overtaken),
	        cmocka_unit_test(test_ike_collision),
	        cmocka_unit_test(test_strongswan_3042),
	        cmocka_unit_test(test_strongswan_3042_both),
	        cmocka_unit_test(test_busy_retry),
	};

	if (getenv("IKE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IKE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
