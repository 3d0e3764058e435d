/* INFORMATIONAL exchanges (RFC 7296 §1.4): DELETE of a Child SA (§1.4.1,
 * here on its hard lifetime) and of the IKE SA, dead-peer detection (§2.4)
 * with the dpd_actions clear, trap and restart, start_action trap
 * (acquire -> negotiate -> protected), notifications and unknown payloads
 * (§2.5, §3.10.1). */
#include "ike_harness.h"

#include <string.h>

static void setup(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_init(h);
	h_conn(h, 0, a, NULL, NULL);
	h_conn(h, 1, b, NULL, NULL);
	a->children[0].start_action = IKE_START_START;
}

static void start(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 1 * H_S);
	assert_int_equal(h_ike_state(h, 0), IKE_STATE_ESTABLISHED);
}

static const struct hev *child_event(const struct ike_harness *h, int i, int state)
{
	const struct hev *e = NULL;

	for (int k = 0; (e = h_event(h, i, IKE_EV_CHILD_SA, k)); k++)
		if (e->ev.state == state)
			return e;
	return NULL;
}

/* A's Child SA reaches its hard lifetime (20 s): A deletes the pair, B
 * removes its half and answers with its SPI. */
static void test_delete_child_on_expiry(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const struct hev *e;
	bool ok;

	setup(&h, &a, &b);
	a.children[0].life_time_ns = 20 * H_S;
	start(&h, &a, &b);
	h_run_for(&h, 30 * H_S);
	e = child_event(&h, 1, IKE_CHILD_DELETED);
	assert_non_null(e);
	assert_string_equal(e->reason, "peer delete");
	e = child_event(&h, 0, IKE_CHILD_DELETED);
	assert_non_null(e);
	assert_string_equal(e->reason, "expired");
	assert_false(h_sa(&h, 0)->children[0].used);
	assert_false(h_sa(&h, 1)->children[0].used);
	/* The IKE SA stays; the SPD entries are gone on both sides. */
	assert_int_equal(h_ike_state(&h, 1), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	e = h_event(&h, 0, IKE_EV_EXCHANGE, -1);
	assert_int_equal(e->ev.exchange, IKE_INFORMATIONAL);
	assert_int_equal(e->ev.message_id, 2);
	assert_true(e->ev.ok);
	h_free(&h);
}

/* swanctl --terminate: DELETE of the IKE SA, both sides clean up. */
static void test_terminate(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	bool ok;

	setup(&h, &a, &b);
	start(&h, &a, &b);
	assert_int_equal(ike_terminate(h.n[0].ike, "gw"), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_DELETED);
	assert_string_equal(h_event(&h, 0, IKE_EV_IKE_SA, -1)->reason, "terminate");
	assert_int_equal(h_ike_state(&h, 1), IKE_STATE_DELETED);
	assert_string_equal(h_event(&h, 1, IKE_EV_IKE_SA, -1)->reason, "peer delete");
	assert_non_null(child_event(&h, 0, IKE_CHILD_DELETED));
	assert_non_null(child_event(&h, 1, IKE_CHILD_DELETED));
	assert_null(h.n[0].ike->sas);
	assert_null(h.n[1].ike->sas);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	h_free(&h);
}

/* §2.4: an idle peer is asked; inbound ESP counts as a sign of life. */
static void test_dpd_alive(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const struct hev *e;
	bool ok;

	setup(&h, &a, &b);
	a.dpd_delay_ns = 30 * H_S;
	start(&h, &a, &b);
	h_run_for(&h, 31 * H_S);
	e = h_event(&h, 0, IKE_EV_EXCHANGE, 2);
	assert_non_null(e);
	assert_int_equal(e->ev.exchange, IKE_INFORMATIONAL);
	assert_true(e->ev.ok && e->ev.initiator);
	/* Traffic from B every 10 s: no more liveness checks. */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, NULL),
		                 IPSEC_VERDICT_PROTECT);
		h_run_for(&h, 10 * H_S);
	}
	assert_int_equal(h_count(&h, 0, IKE_EV_EXCHANGE), 3);
	/* The last packet at +121 s was seen at the check at +150 s; the
	 * next check (+180 s) finds the peer quiet. */
	h_run_for(&h, 70 * H_S);
	assert_int_equal(h_count(&h, 0, IKE_EV_EXCHANGE), 4);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	h_free(&h);
}

/* The peer dies: DPD retransmits, then the IKE SA fails ("dpd") and the
 * child's dpd_action applies. */
static void dpd_dead(struct ike_harness *h, enum ike_child_action action)
{
	struct ike_conn_config a, b;
	const struct hev *e;

	setup(h, &a, &b);
	a.dpd_delay_ns = 30 * H_S;
	a.keyingtries = 0; /* restart: keep trying */
	a.children[0].dpd_action = action;
	start(h, &a, &b);
	h->n[1].down = true;
	h_run_for(h, 30 * H_S + 170 * H_S);
	e = h_event(h, 0, IKE_EV_IKE_SA, 2);
	assert_non_null(e);
	assert_int_equal(e->ev.state, IKE_STATE_FAILED);
	assert_string_equal(e->reason, "dpd");
	e = child_event(h, 0, IKE_CHILD_DELETED);
	assert_non_null(e);
	assert_string_equal(e->reason, "dpd");
	assert_non_null(strstr(h_event(h, 0, IKE_EV_FAILURE, 0)->text,
	                       "no response to INFORMATIONAL request (Message ID 2) after 5 "
	                       "retransmits"));
}

static void test_dpd_clear(void **state)
{
	(void)state;
	struct ike_harness h;
	bool ok;

	dpd_dead(&h, IKE_ACTION_CLEAR);
	assert_null(h.n[0].ike->sas);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	h_free(&h);
}

static void test_dpd_restart(void **state)
{
	(void)state;
	struct ike_harness h;
	bool ok;

	dpd_dead(&h, IKE_ACTION_RESTART);
	/* A new IKE SA is being initiated; B comes back. */
	assert_non_null(h.n[0].ike->sas);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_CONNECTING);
	h.n[1].down = false;
	h_run_for(&h, 200 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

static void test_dpd_trap(void **state)
{
	(void)state;
	struct ike_harness h;
	enum ipsec_drop r;
	bool ok;

	dpd_dead(&h, IKE_ACTION_TRAP);
	assert_null(h.n[0].ike->sas);
	h.n[1].down = false;
	/* The next packet hits the trap and brings the tunnel back. */
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

/* start_action trap: the first packet is dropped (no_sa), raises an
 * acquire, IKE negotiates, later packets are protected; packets during the
 * negotiation do not start a second one. */
static void test_start_action_trap(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	enum ipsec_drop r;
	bool ok;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	a.children[0].start_action = IKE_START_TRAP;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 1 * H_S);
	assert_null(h.n[0].ike->sas);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, &r),
		                 IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_NO_SA);
		h_run_for(&h, 5 * H_MS);
	}
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_count(&h, 0, IKE_EV_IKE_SA), 2); /* connecting, established */
	assert_int_equal(ipsec_drops(h.n[0].dp, IPSEC_DROP_NO_SA), 3);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	/* Terminated: the trap is still there and works again. */
	assert_int_equal(ike_terminate(h.n[0].ike, "gw"), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

/* A's SA sends B an INFORMATIONAL request built here; returns the
 * payloads of B's decrypted response (in `m`, over `buf`). */
static void informational(struct ike_harness *h, struct ike_builder *b, uint8_t *req,
                          struct ike_msg *m, uint8_t *buf)
{
	struct ike_sa *sa = h_sa(h, 0);
	struct ike_error e;
	uint8_t *plain;
	size_t len, plen;
	char err[200];
	struct hdgram *d;
	struct ike_frag_set *whole = NULL; /* too short to be cut in fragments */

	assert_int_equal(ike_x_seal(h->n[0].ike, sa, b, &len, &whole), 0);
	assert_null(whole);
	sa->x.mid_out++; /* used by hand */
	ike_receive(h->n[1].ike, ip_addr_v4(H_ADDR_A), 500, ip_addr_v4(H_ADDR_B), 500, req, len);
	assert_true(h->nq > 0);
	d = &h->q[h->nq - 1];
	assert_int_equal(d->from, 1);
	memcpy(buf, d->data, d->len);
	assert_int_equal(ike_msg_parse(m, buf, d->len, &e), 0);
	assert_int_equal(m->flags & IKE_FLAG_RESPONSE, IKE_FLAG_RESPONSE);
	assert_int_equal(ike_sk_unprotect(&sa->sk.in, buf, &m->p[m->sk_index], &plain, &plen, err,
	                                  sizeof(err)),
	                 0);
	assert_int_equal(
	        ike_msg_parse_inner(m, m->p[m->sk_index].u.sk.first_inner, plain, plen, &e), 0);
	h->nq--; /* A would drop it: it did not send the request itself */
}

static void test_unknown_payloads(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_builder bl;
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t req[1024], buf[2048];
	const struct ike_payload *n;
	struct ike_stats st;

	assert_non_null(m);
	setup(&h, &a, &b);
	start(&h, &a, &b);
	/* §2.5: an unknown critical payload: UNSUPPORTED_CRITICAL_PAYLOAD
	 * naming its type. */
	ike_x_begin(h_sa(&h, 0), &bl, req, sizeof(req), IKE_INFORMATIONAL, false,
	            h_sa(&h, 0)->x.mid_out);
	ike_add_raw(&bl, 200, true, (const uint8_t *)"xyz", 3);
	informational(&h, &bl, req, m, buf);
	n = ike_msg_find_notify(m, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_non_null(n);
	assert_int_equal(n->u.notify.len, 1);
	assert_int_equal(n->u.notify.data[0], 200);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_malformed, 1);
	/* Unknown non-critical payloads and unknown status notifications
	 * are ignored: an empty response. */
	ike_x_begin(h_sa(&h, 0), &bl, req, sizeof(req), IKE_INFORMATIONAL, false,
	            h_sa(&h, 0)->x.mid_out);
	ike_add_raw(&bl, 201, false, (const uint8_t *)"xyz", 3);
	ike_add_notify(&bl, 0, NULL, 0, 40000, NULL, 0);
	ike_add_notify(&bl, 0, NULL, 0, IKE_N_INVALID_SPI, (const uint8_t *)"\1\2\3\4", 4);
	informational(&h, &bl, req, m, buf);
	assert_int_equal(m->npayloads, 1); /* just the SK payload */
	assert_int_equal(h_count(&h, 1, IKE_EV_FAILURE), 0);
	/* A DELETE for an unknown Child SA: an empty response (§1.4.1). */
	ike_x_begin(h_sa(&h, 0), &bl, req, sizeof(req), IKE_INFORMATIONAL, false,
	            h_sa(&h, 0)->x.mid_out);
	ike_add_delete(&bl, IKE_PROTO_ESP, 4, (const uint8_t *)"\0\0\1\0", 1);
	informational(&h, &bl, req, m, buf);
	assert_int_equal(m->npayloads, 1);
	assert_true(h_sa(&h, 1)->children[0].used);
	/* A CREATE_CHILD_SA request without SA and TS payloads (§1.3):
	 * INVALID_SYNTAX, and nothing changes. */
	ike_x_begin(h_sa(&h, 0), &bl, req, sizeof(req), IKE_CREATE_CHILD_SA, false,
	            h_sa(&h, 0)->x.mid_out);
	ike_add_nonce(&bl, buf, 32);
	informational(&h, &bl, req, m, buf);
	assert_non_null(ike_msg_find_notify(m, IKE_N_INVALID_SYNTAX));
	/* Everything still in step: a DPD exchange works. */
	h_sa(&h, 0)->dpd_at = 0;
	h_sa(&h, 0)->x.nqueue = 0;
	ike_x_queue(h.n[0].ike, h_sa(&h, 0), IKE_TASK_DPD, 0);
	h_run_for(&h, 1 * H_S);
	assert_true(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.ok);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.exchange, IKE_INFORMATIONAL);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.retransmits, 0);
	free(m);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_delete_child_on_expiry),
	        cmocka_unit_test(test_terminate),
	        cmocka_unit_test(test_dpd_alive),
	        cmocka_unit_test(test_dpd_clear),
	        cmocka_unit_test(test_dpd_restart),
	        cmocka_unit_test(test_dpd_trap),
	        cmocka_unit_test(test_start_action_trap),
	        cmocka_unit_test(test_unknown_payloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
