/* Requests and responses (RFC 7296 §2.1-§2.3, §2.6): retransmission with
 * exponential backoff when a request or a response is lost, responses to
 * retransmitted requests from the cache (never a second SA), duplicates
 * dropped, giving up after `tries`, and COOKIEs under a half-open flood. */
#include "ike_harness.h"

#include "ike_crypto.h"

#include <string.h>

static void setup(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_conn(h, 0, a, NULL, NULL);
	h_conn(h, 1, b, NULL, NULL);
	a->children[0].start_action = IKE_START_START;
}

static int drop_seq(struct ike_harness *h, struct hdgram *d, void *arg)
{
	(void)h;
	return d->seq == *(unsigned *)arg ? 0 : 1;
}

/* Messages 1..4 are: IKE_SA_INIT request, response, IKE_AUTH request,
 * response.  Each lost once: the initiator retransmits after 4 s, the
 * responder answers a retransmitted request from its cache. */
static void test_loss_of_each_message(void **state)
{
	(void)state;

	for (unsigned lost = 1; lost <= 4; lost++) {
		struct ike_harness h;
		struct ike_conn_config a, b;
		const struct hev *e;
		struct ike_stats sb;
		bool ok;

		h_init(&h);
		setup(&h, &a, &b);
		h.hook = drop_seq;
		h.hook_arg = &lost;
		h_add(&h, 1, &b);
		h_add(&h, 0, &a);
		h_run_for(&h, 30 * H_S);
		assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
		assert_int_equal(h_ike_state(&h, 1), IKE_STATE_ESTABLISHED);
		assert_non_null(h_sa(&h, 1)); /* exactly one SA */
		e = h_event(&h, 0, IKE_EV_EXCHANGE, lost <= 2 ? 0 : 1);
		assert_int_equal(e->ev.exchange, lost <= 2 ? IKE_SA_INIT : IKE_AUTH);
		assert_int_equal(e->ev.retransmits, 1);
		assert_int_equal(e->ev.rtt_ns, 4 * H_S + 20 * H_MS);
		ike_get_stats(h.n[1].ike, &sb);
		/* A lost request never arrived; a lost response was sent
		 * again from the cache. */
		assert_int_equal(sb.rx, lost == 1 || lost == 3 ? 2 : 3);
		assert_int_equal(sb.tx, lost == 1 || lost == 3 ? 2 : 3);
		assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_SA), 1);
		assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
		                 IPSEC_VERDICT_PROTECT);
		assert_true(ok);
		h_free(&h);
	}
}

static int duplicate_all(struct ike_harness *h, struct hdgram *d, void *arg)
{
	(void)h;
	(void)d;
	(void)arg;
	return 2;
}

/* Every datagram arrives twice: one SA each, duplicates of requests get
 * the cached response, duplicates of responses are dropped as replays. */
static void test_duplicates(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_stats sa, sb;

	h_init(&h);
	setup(&h, &a, &b);
	h.hook = duplicate_all;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 30 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_non_null(h_sa(&h, 0));
	assert_non_null(h_sa(&h, 1));
	assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_SA), 1);
	ike_get_stats(h.n[0].ike, &sa);
	ike_get_stats(h.n[1].ike, &sb);
	assert_int_equal(sb.tx, 4);             /* 2 responses + 2 from the cache */
	assert_int_equal(sa.rx, 8);             /* each of the 4 twice */
	assert_int_equal(sa.dropped_replay, 6); /* 8 - 2 useful */
	assert_int_equal(sa.retransmits, 0);
	h_free(&h);
}

/* The peer never answers: retransmissions at 4, 4+7.2, ... s (timeout *
 * 1.8^n), five of them, then the attempt fails ~165 s after the start. */
static void test_give_up(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const struct hev *e;
	uint64_t t0;
	unsigned n = 0;
	uint64_t sent[8];

	h_init(&h);
	setup(&h, &a, &b);
	h.n[1].down = true;
	h.record = true;
	t0 = h.now;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 400 * H_S);
	for (size_t i = 0; i < h.nlog && n < 8; i++)
		sent[n++] = h.log[i].at - h.delay - t0;
	assert_int_equal(n, 6);
	assert_int_equal(sent[0], 0);
	assert_int_equal(sent[1], 4 * H_S);
	assert_int_equal(sent[2], 4 * H_S + 7200 * H_MS);
	assert_true(sent[5] > 89 * H_S && sent[5] < 90 * H_S);
	e = h_event(&h, 0, IKE_EV_EXCHANGE, 0);
	assert_false(e->ev.ok);
	assert_int_equal(e->ev.retransmits, 5);
	e = h_event(&h, 0, IKE_EV_IKE_SA, -1);
	assert_int_equal(e->ev.state, IKE_STATE_FAILED);
	assert_string_equal(e->reason, "timeout");
	e = h_event(&h, 0, IKE_EV_FAILURE, 0);
	assert_non_null(strstr(e->text, "no response to IKE_SA_INIT request"));
	assert_null(h.n[0].ike->sas);
	h_free(&h);
}

/* An IKE_SA_INIT request from a spoofed address (x25519, default
 * proposals). */
static void spoofed_init(struct ike_harness *h, uint32_t src, unsigned k, const uint8_t *cookie,
                         size_t cookie_len)
{
	struct ike_proposal_list l = {0};
	struct ike_header hd = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR};
	struct ike_builder b;
	struct ike_dh *dh;
	uint8_t buf[2048], nonce[32];
	const uint8_t *ke;
	size_t kl, len;
	char err[200];

	memset(l.p, 0, sizeof(l.p));
	assert_int_equal(ike_proposals_parse(IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519", &l, err,
	                                     sizeof(err)),
	                 0);
	put_be32(hd.spi_i, 0xa5a5a5a5);
	put_be32(hd.spi_i + 4, k);
	memset(nonce, (int)k, sizeof(nonce));
	dh = ike_dh_new(IKE_DH_CURVE25519, err, sizeof(err));
	assert_non_null(dh);
	ke = ike_dh_public(dh, &kl);
	ike_builder_init(&b, buf, sizeof(buf), &hd);
	if (cookie)
		ike_add_notify(&b, 0, NULL, 0, IKE_N_COOKIE, cookie, cookie_len);
	ike_add_sa(&b, l.p, l.n);
	ike_add_ke(&b, IKE_DH_CURVE25519, ke, kl);
	ike_add_nonce(&b, nonce, sizeof(nonce));
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	ike_receive(h->n[1].ike, ip_addr_v4(src), 500, ip_addr_v4(H_ADDR_B), 500, buf, len);
	ike_dh_free(dh);
}

/* §2.6: with `threshold` half-open SAs the responder answers COOKIE
 * without creating state; the legitimate initiator repeats with the cookie
 * and gets through; a wrong cookie gets a fresh COOKIE. */
static void test_cookie_under_flood(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_stats st;
	struct ike_sa *sa;
	bool ok;
	uint8_t bad[32] = {1};

	h_init(&h);
	setup(&h, &a, &b);
	b.remote_addr = (struct ip_addr){0};
	b.half_open_cookie_threshold = 5;
	a.children[0].start_action = IKE_START_NONE;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	for (unsigned k = 1; k <= 8; k++)
		spoofed_init(&h, A4(100, 64, 0, k), k, NULL, 0);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.half_open, 5);
	assert_int_equal(st.cookies_sent, 3);
	spoofed_init(&h, A4(100, 64, 0, 9), 9, bad, sizeof(bad));
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.half_open, 5);
	assert_int_equal(st.cookies_sent, 4);

	assert_int_equal(ike_initiate(h.n[0].ike, "gw", "net"), 0);
	h_run_for(&h, 5 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.cookies_sent, 5);
	assert_int_equal(st.half_open, 5);
	sa = h_sa(&h, 0);
	assert_int_equal(sa->cookie_len, 32);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, 0)->ev.rtt_ns, 20 * H_MS);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	/* The half-open SAs time out (30 s) and are gone. */
	h_run_for(&h, 40 * H_S);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.half_open, 0);
	assert_non_null(h_sa(&h, 1));
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_loss_of_each_message),
	        cmocka_unit_test(test_duplicates),
	        cmocka_unit_test(test_give_up),
	        cmocka_unit_test(test_cookie_under_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
