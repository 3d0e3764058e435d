/* Negotiation failures and their diagnostics: NO_PROPOSAL_CHOSEN for the
 * IKE SA (RFC 7296 §2.7) and for the Child SA (the IKE SA stays, §1.2),
 * AUTHENTICATION_FAILED on either side (§2.21.2) for a wrong PSK, a wrong
 * identity, a wrong IDr; traffic selector narrowing and TS_UNACCEPTABLE
 * (§2.9); a mode mismatch. */
#include "ike_harness.h"

#include <string.h>

static void run(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	a->children[0].start_action = IKE_START_START;
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 10 * H_S);
}

static const char *failure(const struct ike_harness *h, int i)
{
	const struct hev *e = h_event(h, i, IKE_EV_FAILURE, 0);

	assert_non_null(e);
	return e->text;
}

static void expect(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("diagnostic lacks \"%s\":\n  %s", want, text);
}

static void test_ike_no_proposal_chosen(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, "aes128-sha256-x25519", NULL);
	h_conn(&h, 1, &b, "aes256gcm16-prfsha384-ecp384", NULL);
	run(&h, &a, &b);
	/* The responder says what did not overlap, with both sides' offers. */
	t = failure(&h, 1);
	expect(t, "responder: IKE_SA_INIT from 192.0.2.1 for connection 'gw'");
	expect(t, "no proposal chosen");
	expect(t, "x25519");
	expect(t, "ecp384");
	expect(t, "aes256gcm16");
	expect(t, "sending NO_PROPOSAL_CHOSEN");
	/* The initiator turns the notify into a failure with its offer. */
	t = failure(&h, 0);
	expect(t, "initiator: responder 198.51.100.2 answered IKE_SA_INIT with NO_PROPOSAL_CHOSEN");
	expect(t, "we offered IKE proposals [aes128-");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_FAILED);
	assert_string_equal(h_event(&h, 0, IKE_EV_IKE_SA, -1)->reason, "no proposal chosen");
	assert_null(h.n[1].ike->sas); /* no state on the responder */
	h_free(&h);
}

static void test_child_no_proposal_chosen(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, "aes128gcm16");
	h_conn(&h, 1, &b, NULL, "aes256-sha512");
	run(&h, &a, &b);
	t = failure(&h, 1);
	expect(t, "responder: Child SA 'net': no proposal chosen");
	expect(t, "encryption algorithm");
	expect(t, "aes128gcm16");
	expect(t, "aes256");
	/* both sides' ESP proposals, strongSwan's syntax */
	expect(t, "received proposals: aes128gcm16-noesn; configured proposals: "
	          "aes256-sha512-noesn; "
	          "sending NO_PROPOSAL_CHOSEN");
	t = failure(&h, 0);
	assert_string_equal(t, "initiator: the responder refused Child SA 'net' "
	                       "(NO_PROPOSAL_CHOSEN); we offered ESP proposals: aes128gcm16-noesn");
	/* §1.2: the IKE SA is up, without a child. */
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_ike_state(&h, 1), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_count(&h, 0, IKE_EV_CHILD_SA), 0);
	assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_SA), 0);
	h_free(&h);
}

static void test_wrong_psk(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	b.psk[0] ^= 1;
	run(&h, &a, &b);
	t = failure(&h, 1);
	expect(t, "responder: AUTH mismatch: the initiator '192.0.2.1' proved a different "
	          "pre-shared key than connection 'gw' has; sending AUTHENTICATION_FAILED");
	t = failure(&h, 0);
	expect(t, "initiator: the responder answered IKE_AUTH with AUTHENTICATION_FAILED");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_FAILED);
	assert_int_equal(h_ike_state(&h, 1), IKE_STATE_FAILED);
	assert_string_equal(h_event(&h, 0, IKE_EV_IKE_SA, -1)->reason, "authentication failed");
	assert_string_equal(h_event(&h, 1, IKE_EV_IKE_SA, -1)->reason, "authentication failed");
	assert_null(h.n[0].ike->sas);
	assert_null(h.n[1].ike->sas);
	assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_SA), 0);
	h_free(&h);
}

static void test_wrong_identity(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	snprintf(a.local.id.id, sizeof(a.local.id.id), "alice@example.org");
	snprintf(b.remote.id.id, sizeof(b.remote.id.id), "@bob.example.org");
	run(&h, &a, &b);
	t = failure(&h, 1);
	expect(t, "responder: identity mismatch: the initiator is 'alice@example.org', connection "
	          "'gw' expects remote id '@bob.example.org'");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_FAILED);
	h_free(&h);

	/* The initiator asks for an IDr the responder does not have. */
	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	snprintf(a.remote.id.id, sizeof(a.remote.id.id), "C=CH, O=strongSwan, CN=gw");
	snprintf(b.local.id.id, sizeof(b.local.id.id), "C=CH, O=strongSwan, CN=moon");
	run(&h, &a, &b);
	t = failure(&h, 1);
	expect(t, "responder: identity mismatch: the initiator asks for IDr '/C=CH/O=strongSwan/"
	          "CN=gw', connection 'gw' is '/C=CH/O=strongSwan/CN=moon'");
	h_free(&h);

	/* Matching identities of every type establish. */
	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	snprintf(a.local.id.id, sizeof(a.local.id.id), "alice@example.org");
	snprintf(b.remote.id.id, sizeof(b.remote.id.id), "alice@example.org");
	snprintf(a.remote.id.id, sizeof(a.remote.id.id), "C=CH, O=strongSwan, CN=moon");
	snprintf(b.local.id.id, sizeof(b.local.id.id), "C=CH, O=strongSwan, CN=moon");
	run(&h, &a, &b);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_count(&h, 0, IKE_EV_FAILURE), 0);
	h_free(&h);
}

/* The initiator cannot verify the responder (here: a corrupted copy of the
 * IKE_SA_INIT response, as if it had been altered on the way): it reports
 * which check failed and tells the responder in an INFORMATIONAL. */
static int corrupt_init_resp(struct ike_harness *h, struct hdgram *d, void *arg)
{
	(void)arg;
	if (d->seq == 3) /* the IKE_AUTH request: A has the response copy */
		h->n[0].ike->sas->init_resp[40] ^= 1;
	return 1;
}

static void test_initiator_auth_check(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	h.hook = corrupt_init_resp;
	run(&h, &a, &b);
	t = failure(&h, 0);
	expect(t, "initiator: AUTH mismatch: the responder '198.51.100.2' proved a different "
	          "pre-shared key");
	t = failure(&h, 1);
	expect(t, "responder: the initiator reports AUTHENTICATION_FAILED");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_FAILED);
	assert_int_equal(h_ike_state(&h, 1), IKE_STATE_DELETED);
	/* The responder's child is gone again. */
	assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_SA), 2);
	assert_null(h.n[0].ike->sas);
	assert_null(h.n[1].ike->sas);
	h_free(&h);
}

/* §2.9: the responder narrows 10.2.0.0/16 to 10.2.5.0/24. */
static void test_ts_narrowing(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_sa *sa;
	bool ok;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	b.children[0].local_ts[0] = h_ts(A4(10, 2, 5, 0), 0xff);
	b.children[0].remote_ts[0].protocol = IPPROTO_NUM_UDP;
	run(&h, &a, &b);
	sa = h_sa(&h, 0);
	assert_non_null(sa);
	assert_int_equal(sa->children[0].n_remote, 1);
	assert_true(range_v4_is(ike_ts_range(&sa->children[0].ts_remote[0]), A4(10, 2, 5, 0),
	                        A4(10, 2, 5, 255)));
	assert_int_equal(sa->children[0].ts_local[0].ip_proto, IPPROTO_NUM_UDP);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 7, A4(10, 2, 5, 1), &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 1, A4(10, 2, 5, 1), H_LAN_A | 7, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 7, A4(10, 2, 6, 1), &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	h_free(&h);
}

static void test_ts_unacceptable(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const char *t;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	b.children[0].local_ts[0] = h_ts(A4(10, 3, 0, 0), 0xffff);
	run(&h, &a, &b);
	t = failure(&h, 1);
	expect(t, "responder: TS_UNACCEPTABLE: the initiator proposed TSi 10.1.0.0/16, TSr "
	          "10.2.0.0/16; no child of connection 'gw' overlaps on both sides (child 'net' "
	          "local 10.3.0.0/16 remote 10.1.0.0/16)");
	t = failure(&h, 0);
	expect(t, "initiator: the responder refused Child SA 'net' (TS_UNACCEPTABLE); we proposed "
	          "TSi 10.1.0.0/16, TSr 10.2.0.0/16");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_count(&h, 0, IKE_EV_CHILD_SA), 0);
	h_free(&h);
}

static void test_mode_mismatch(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	a.children[0].mode = IPSEC_MODE_TRANSPORT;
	run(&h, &a, &b);
	expect(failure(&h, 1), "the initiator asked for transport mode, the child is configured "
	                       "for tunnel mode");
	assert_int_equal(h_count(&h, 0, IKE_EV_CHILD_SA), 0);
	h_free(&h);
}

/* Configuration errors say what and where. */
static void test_config_errors(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a;
	char err[300];

	h_init(&h);
	h_conn(&h, 0, &a, "aes128-sha1-modp2048", NULL);
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	expect(err, "connection 'gw': IKE proposal 'aes128-sha1-modp2048': 'sha1'");
	h_conn(&h, 0, &a, NULL, "aes128");
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	expect(err, "child 'net': ");
	h_conn(&h, 0, &a, NULL, NULL);
	a.psk_len = 0;
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw': local auth = psk needs a secret");
	h_conn(&h, 0, &a, NULL, NULL);
	snprintf(a.local.id.id, sizeof(a.local.id.id), "C=CH, XYZ=1");
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	expect(err, "unknown attribute type 'XYZ'");
	h_conn(&h, 0, &a, NULL, NULL);
	a.children[0].replay_window = 33;
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	expect(err, "replay_window 33");
	h_conn(&h, 0, &a, NULL, NULL);
	h_add(&h, 0, &a);
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw' exists already");
	assert_int_equal(ike_initiate(h.n[0].ike, "nope", NULL), -1);
	assert_int_equal(ike_initiate(h.n[0].ike, "gw", "nope"), -1);
	assert_int_equal(ike_terminate(h.n[0].ike, "gw"), -1);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ike_no_proposal_chosen),
	        cmocka_unit_test(test_child_no_proposal_chosen),
	        cmocka_unit_test(test_wrong_psk),
	        cmocka_unit_test(test_wrong_identity),
	        cmocka_unit_test(test_initiator_auth_check),
	        cmocka_unit_test(test_ts_narrowing),
	        cmocka_unit_test(test_ts_unacceptable),
	        cmocka_unit_test(test_mode_mismatch),
	        cmocka_unit_test(test_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
