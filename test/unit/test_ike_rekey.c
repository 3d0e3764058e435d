/* Rekeying Child SAs and the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3,
 * §2.8, §2.17, §2.18) between two nodes of the harness, with traffic
 * flowing both ways all the time: make-before-break loses nothing,
 * break-before-make loses a bounded number of packets; PFS; a further
 * Child SA on an established IKE SA; soft byte lifetimes; rand_time
 * jitter; lost rekey messages; the IKE SA rekey keeps the children. */
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

#define PERIOD (1 * H_MS) /* one packet each way per millisecond */

static const struct hev *child_ev(const struct ike_harness *h, int i, int state, int n)
{
	return h_state_event(h, i, IKE_EV_CHILD_SA, state, n);
}

/* A rekey of the one child, both ends report it: new SPIs, the old ones,
 * a duration; the SPIs pair up across the nodes. */
static void assert_rekeyed(const struct ike_harness *h, int rekeys)
{
	for (int i = 0; i < 2; i++) {
		const struct hev *r = child_ev(h, i, IKE_CHILD_REKEYED, rekeys - 1);
		const struct ike_child *c = &h_sa(h, i)->children[0];

		assert_non_null(r);
		assert_null(child_ev(h, i, IKE_CHILD_REKEYED, rekeys));
		assert_true(r->ev.spi_in != r->ev.old_spi_in && r->ev.spi_out != r->ev.old_spi_out);
		assert_true(r->ev.rekey_duration_ns > 0 && r->ev.rekey_duration_ns < 30 * H_S);
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
			if (h_sa(h, i)->children[k].used)
				c = &h_sa(h, i)->children[k];
		if (rekeys == h_count_state(h, i, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED)) {
			assert_int_equal(c->spi_in, r->ev.spi_in);
			assert_int_equal(c->spi_out, r->ev.spi_out);
		}
	}
}

/* Make-before-break with a packet each way every millisecond: nothing is
 * lost, and the old SAs are gone afterwards. */
static void test_child_mbb(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	a.children[0].rekey_time_ns = 5 * H_S;
	h_start(&h, &a, &b);
	h_run_traffic(&h, 6 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_true(t.sent[0] > 5000);
	assert_rekeyed(&h, 1);
	/* Two round trips: CREATE_CHILD_SA and the DELETE of the old pair. */
	assert_true(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.rekey_duration_ns >= 40 * H_MS);
	assert_int_equal(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.rekey_lost, 0);
	assert_int_equal(child_ev(&h, 1, IKE_CHILD_REKEYED, 0)->ev.rekey_lost, 0);
	assert_string_equal(child_ev(&h, 0, IKE_CHILD_DELETED, 0)->reason, "rekeyed");
	assert_int_equal(child_ev(&h, 0, IKE_CHILD_DELETED, 0)->ev.spi_in,
	                 child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.old_spi_in);
	assert_int_equal(ipsec_drops(h.n[0].dp, IPSEC_DROP_NO_SA), 0);
	assert_int_equal(ipsec_drops(h.n[1].dp, IPSEC_DROP_NO_SA), 0);
	/* The keys of the new pair were exported (esp_sa). */
	assert_int_equal(h_count(&h, 0, IKE_EV_CHILD_KEYS), 2);
	assert_int_equal(h_count(&h, 1, IKE_EV_CHILD_KEYS), 2);
	h_assert_settled(&h, 1);
	print_message("make-before-break child rekey: %u+%u packets, 0 lost, %.1f ms\n", t.sent[0],
	              t.sent[1],
	              (double)child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.rekey_duration_ns / 1e6);
	h_free(&h);
}

/* Break-before-make: the old outbound SAs go first, packets are lost in
 * the gap -- some, and no more than the gap allows (10 ms one-way). */
static void test_child_bbm(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	unsigned lost[2];
	uint64_t reported;

	h_setup(&h, &a, &b, NULL);
	a.children[0].rekey_time_ns = 5 * H_S;
	a.children[0].rekey_policy = b.children[0].rekey_policy = IKE_BREAK_BEFORE_MAKE;
	h_start(&h, &a, &b);
	h_run_traffic(&h, 6 * H_S, PERIOD, &t);
	lost[0] = t.sent[0] - t.delivered[0];
	lost[1] = t.sent[1] - t.delivered[1];
	/* A -> B: A's outbound SA is gone from its request until the
	 * response (one round trip, 20 ms); B -> A: B sends on the new SA
	 * from its response on, A knows it a one-way delay later. */
	assert_true(lost[0] >= 15 && lost[0] <= 25);
	assert_true(lost[1] >= 5 && lost[1] <= 15);
	reported = child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.rekey_lost;
	assert_int_equal(reported, lost[0]);
	assert_int_equal(child_ev(&h, 1, IKE_CHILD_REKEYED, 0)->ev.rekey_lost, 0);
	assert_rekeyed(&h, 1);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	print_message("break-before-make child rekey: lost %u of %u A->B, %u of %u B->A\n", lost[0],
	              t.sent[0], lost[1], t.sent[1]);
	h_free(&h);
}

/* strongSwan's charon.delete_rekeyed_delay: the DELETE of a rekeyed
 * child removes its outbound SA; its inbound SA accepts packets still in
 * flight for 5 s more (one sealed before the rekey, delivered after it,
 * gets through and is counted), then goes.  With a delay of 0 both go
 * with the DELETE. */
static void rekeyed_delay(uint64_t delay, bool accepted)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct hpacket early, late;
	enum ipsec_drop r = IPSEC_DROP__COUNT;
	const struct hev *del, *rem;

	h_setup(&h, &a, &b, NULL);
	a.children[0].rekey_time_ns = 8 * H_S;
	a.delete_rekeyed_delay_ns = b.delete_rekeyed_delay_ns = delay;
	h_start(&h, &a, &b);
	assert_int_equal(h_seal(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &early, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(h_seal(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &late, NULL),
	                 IPSEC_VERDICT_PROTECT);
	h_run_for(&h, 7 * H_S + 500 * H_MS); /* the rekey at 8 s */
	assert_rekeyed(&h, 1);
	del = child_ev(&h, 0, IKE_CHILD_DELETED, 0);
	assert_non_null(del);
	assert_string_equal(del->reason, "rekeyed");
	assert_int_equal(h_open(&h, &early, &r), accepted);
	assert_int_equal(h_live_sas(&h, 0), accepted ? 3 : 2);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_run_for(&h, 5 * H_S); /* the next rekey is 8 s after the first */
	for (int i = 0; i < 2; i++) {
		rem = child_ev(&h, i, IKE_CHILD_REMOVED, 0);
		if (!accepted) {
			assert_null(rem);
			continue;
		}
		assert_non_null(rem);
		assert_string_equal(rem->reason, "delete_rekeyed_delay");
		assert_int_equal(rem->ev.spi_in,
		                 child_ev(&h, i, IKE_CHILD_REKEYED, 0)->ev.old_spi_in);
		assert_int_equal(rem->at - child_ev(&h, i, IKE_CHILD_DELETED, 0)->at, delay);
		/* A's old inbound SA took the early packet; B's nothing. */
		assert_int_equal(rem->ev.late_packets, i == 0);
	}
	assert_false(h_open(&h, &late, &r));
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	assert_int_equal(h_live_sas(&h, 0), 2);
	h_assert_settled(&h, 1);
	print_message("delete_rekeyed_delay %.0f s: a late packet on the old SA %s\n",
	              (double)delay / 1e9, accepted ? "accepted" : "dropped (no_sa)");
	h_free(&h);
}

static void test_delete_rekeyed_delay(void **state)
{
	(void)state;
	rekeyed_delay(5 * H_S, true);
	rekeyed_delay(0, false);
}

/* PFS (§1.3.1): a DH group in the ESP proposal puts KE payloads into
 * CREATE_CHILD_SA and g^ir into KEYMAT; the responder wants another group
 * than the initiator's first: INVALID_KE_PAYLOAD, then that group. */
static void test_pfs(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	const struct hev *e;
	int invalid_ke = 0;

	h_setup(&h, &a, &b, "aes128gcm16-x25519-ecp256");
	snprintf(b.children[0].esp_proposals, sizeof(b.children[0].esp_proposals), "%s",
	         "aes128gcm16-ecp256");
	a.children[0].rekey_time_ns = 5 * H_S;
	h_start(&h, &a, &b);
	h_run_traffic(&h, 6 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_rekeyed(&h, 1);
	for (int k = 0; (e = h_event(&h, 0, IKE_EV_FAILURE, k)); k++)
		invalid_ke++;
	assert_int_equal(invalid_ke, 0); /* no failure: a retry, told as such */
	e = h_event(&h, 0, IKE_EV_KE_RETRY, 0);
	assert_non_null(e);
	assert_int_equal(h_count(&h, 0, IKE_EV_KE_RETRY), 1);
	assert_string_equal(e->child, "net");
	assert_int_equal(e->ev.exchange, IKE_CREATE_CHILD_SA);
	assert_int_equal(e->ev.ke_group_sent, IKE_DH_CURVE25519);
	assert_int_equal(e->ev.ke_group, IKE_DH_ECP_256);
	/* Three CREATE_CHILD_SA exchanges would be wrong: INVALID_KE, then
	 * the rekey, then the DELETE. */
	assert_int_equal(h_count(&h, 0, IKE_EV_EXCHANGE), 2 + 3);
	assert_int_equal(h_sa(&h, 0)->children[0].used ? h_sa(&h, 0)->children[0].tr.dh
	                                               : h_sa(&h, 0)->children[1].tr.dh,
	                 IKE_DH_ECP_256);
	h_assert_settled(&h, 1);
	h_free(&h);
}

/* A second child of the connection on the established IKE SA (§1.3.1):
 * swanctl --initiate --child net2, with its own selectors. */
static void add_child2(int i, struct ike_conn_config *c)
{
	struct ike_child_config *ch = &c->children[1];

	*ch = c->children[0];
	snprintf(ch->name, sizeof(ch->name), "net2");
	ch->start_action = IKE_START_NONE;
	ch->local_ts[0] = h_ts((i == 0 ? H_LAN_A : H_LAN_B) | 0x100, 0xff);
	ch->remote_ts[0] = h_ts((i == 0 ? H_LAN_B : H_LAN_A) | 0x100, 0xff);
	c->n_children = 2;
	/* net covers the first /24 only, so that the two do not overlap */
	c->children[0].local_ts[0] = h_ts(i == 0 ? H_LAN_A : H_LAN_B, 0xff);
	c->children[0].remote_ts[0] = h_ts(i == 0 ? H_LAN_B : H_LAN_A, 0xff);
}

/* §1.3.1: CREATE_CHILD_SA for a child whose ESP proposals do not meet:
 * NO_PROPOSAL_CHOSEN, each side's diagnostic naming the ESP proposals (the
 * responder both lists, as strongSwan logs them). */
static void test_create_child_no_proposal(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const struct hev *e;

	h_setup(&h, &a, &b, NULL);
	add_child2(0, &a);
	add_child2(1, &b);
	snprintf(a.children[1].esp_proposals, sizeof(a.children[1].esp_proposals), "aes128gcm16");
	snprintf(b.children[1].esp_proposals, sizeof(b.children[1].esp_proposals),
	         "aes256-sha512-modp2048");
	h_start(&h, &a, &b);
	assert_int_equal(ike_initiate(h.n[0].ike, "gw", "net2"), 0);
	h_run_for(&h, 1 * H_S);
	e = h_event(&h, 0, IKE_EV_FAILURE, -1);
	assert_non_null(e);
	assert_string_equal(e->text, "initiator: creation of Child SA 'net2' failed: "
	                             "NO_PROPOSAL_CHOSEN; we offered ESP proposals: "
	                             "aes128gcm16-noesn");
	e = h_event(&h, 1, IKE_EV_FAILURE, -1);
	assert_non_null(e);
	assert_non_null(strstr(e->text, "; received proposals: aes128gcm16-noesn; configured "
	                                "proposals: aes256-sha512-modp2048-noesn; sending "
	                                "NO_PROPOSAL_CHOSEN"));
	h_assert_settled(&h, 1);
	h_free(&h);
}

static void test_create_child(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	uint32_t spi1, spi2;
	bool ok;

	h_setup(&h, &a, &b, NULL);
	add_child2(0, &a);
	add_child2(1, &b);
	h_start(&h, &a, &b);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 0x101, H_LAN_B | 0x101, &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
	assert_int_equal(ike_initiate(h.n[0].ike, "gw", "net2"), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.exchange, IKE_CREATE_CHILD_SA);
	assert_string_equal(child_ev(&h, 1, IKE_CHILD_INSTALLED, 1)->child, "net2");
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 0x101, H_LAN_B | 0x101, &ok, &spi2, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 0x101, H_LAN_A | 0x101, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, &spi1, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok && spi1 != spi2);
	/* Initiating it again changes nothing. */
	assert_int_equal(ike_initiate(h.n[0].ike, "gw", "net2"), 0);
	h_run_for(&h, 1 * H_S);
	h_assert_settled(&h, 2);
	/* And it rekeys like the first one. */
	assert_int_equal(ike_rekey(h.n[1].ike, "gw", "net2", false), 0);
	h_run_for(&h, 1 * H_S);
	assert_string_equal(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->child, "net2");
	h_assert_settled(&h, 2);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 0x101, H_LAN_B | 0x101, &ok, &spi1, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok && spi1 != spi2);
	h_free(&h);
}

/* The IKE SA rekey (§1.3.2, §2.18): new SPIs and keys, the old SA ends as
 * REKEYED, the children keep their SPIs and carry traffic throughout; a
 * Child SA rekey on the new IKE SA (KEYMAT from its SK_d) still pairs up. */
static void test_ike_rekey(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	uint8_t spi_i[IKE_SPI_LEN], sk_d[IKE_PRF_MAX_LEN];
	uint32_t child_spi;
	const struct hev *e;

	h_setup(&h, &a, &b, NULL);
	b.rekey_time_ns = 20 * H_S;
	b.rand_time_ns = 0;
	h_start(&h, &a, &b);
	memcpy(spi_i, h_sa(&h, 0)->spi_i, IKE_SPI_LEN);
	memcpy(sk_d, h_sa(&h, 0)->keys.sk_d, sizeof(sk_d));
	child_spi = h_sa(&h, 0)->children[0].spi_in;
	h_run_traffic(&h, 21 * H_S, 10 * H_MS, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(h_count(&h, i, IKE_EV_IKE_KEYS), 2);
		assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_REKEYED), 1);
		assert_int_equal(h_count_state(&h, i, IKE_EV_IKE_SA, IKE_STATE_DELETED), 0);
		e = h_event(&h, i, IKE_EV_IKE_SA, -1);
		assert_int_equal(e->ev.state, IKE_STATE_REKEYED);
		assert_int_equal(e->ev.replaced_by, h_sa(&h, i)->id);
		/* B initiated the rekey: it is the new SA's original initiator */
		assert_int_equal(h_sa(&h, i)->initiator, i == 1);
	}
	assert_memory_not_equal(h_sa(&h, 0)->spi_i, spi_i, IKE_SPI_LEN);
	assert_memory_equal(h_sa(&h, 0)->spi_i, h_sa(&h, 1)->spi_i, IKE_SPI_LEN);
	assert_memory_equal(h_sa(&h, 0)->spi_r, h_sa(&h, 1)->spi_r, IKE_SPI_LEN);
	assert_memory_not_equal(h_sa(&h, 0)->keys.sk_d, sk_d, h_sa(&h, 0)->keys.prf_len);
	assert_memory_equal(h_sa(&h, 0)->keys.sk_d, h_sa(&h, 1)->keys.sk_d,
	                    h_sa(&h, 0)->keys.prf_len);
	assert_int_equal(h_sa(&h, 0)->children[0].spi_in, child_spi);
	assert_int_equal(child_ev(&h, 0, IKE_CHILD_INSTALLED, 1), NULL);
	h_assert_settled(&h, 1);
	/* The new IKE SA works: its Message IDs started at 0, and a child
	 * rekey keyed from its SK_d pairs up. */
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", "net", false), 0);
	h_run_traffic(&h, 1 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_rekeyed(&h, 1);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, -1)->ev.message_id, 1);
	h_assert_settled(&h, 1);
	/* And ike_rekey() rekeys it again on request. */
	assert_int_equal(ike_rekey(h.n[0].ike, "gw", NULL, false), 0);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(h_count(&h, 0, IKE_EV_IKE_KEYS), 3);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* A soft byte lifetime (rekey_bytes) from the data plane starts the rekey
 * long before the hard one (life_bytes) would cut the traffic. */
static void test_soft_bytes(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};

	h_setup(&h, &a, &b, NULL);
	a.children[0].rekey_bytes = 100000;
	a.children[0].rand_bytes = 10000;
	a.children[0].life_bytes = 200000;
	h_start(&h, &a, &b);
	/* ~128 bytes a packet: the soft limit after ~700-780 packets. */
	h_run_traffic(&h, 2 * H_S, PERIOD, &t);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_true(h_count_state(&h, 0, IKE_EV_CHILD_SA, IKE_CHILD_REKEYED) >= 2);
	for (int k = 0; child_ev(&h, 0, IKE_CHILD_DELETED, k); k++)
		assert_string_equal(child_ev(&h, 0, IKE_CHILD_DELETED, k)->reason, "rekeyed");
	/* the traffic started at 1001 s */
	assert_true(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->at > 1001 * H_S + 690 * H_MS &&
	            child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->at < 1001 * H_S + 830 * H_MS);
	h_assert_settled(&h, 1);
	h_free(&h);
}

/* rand_time: the rekey comes at rekey_time - random(0..rand_time), the
 * random number from the host -- the same source gives the same time. */
static uint64_t rekey_time_with_seed(uint32_t seed)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	uint64_t installed, at;

	h_setup(&h, &a, &b, NULL);
	h.n[0].rng = seed;
	a.children[0].rekey_time_ns = 100 * H_S;
	a.children[0].rand_time_ns = 20 * H_S;
	h_start(&h, &a, &b);
	installed = child_ev(&h, 0, IKE_CHILD_INSTALLED, 0)->at;
	h_run_for(&h, 101 * H_S);
	assert_non_null(child_ev(&h, 0, IKE_CHILD_REKEYED, 0));
	/* the rekey request goes out at the rekey time; the REKEYED event
	 * two round trips later */
	at = child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->at - 40 * H_MS - installed;
	h_free(&h);
	return at;
}

static void test_rand_time(void **state)
{
	(void)state;
	uint64_t t1 = rekey_time_with_seed(1), t2 = rekey_time_with_seed(1);
	uint64_t t3 = rekey_time_with_seed(99);

	assert_int_equal(t1, t2);
	assert_true(t1 >= 80 * H_S && t1 <= 100 * H_S);
	assert_true(t3 >= 80 * H_S && t3 <= 100 * H_S);
	assert_true(t1 != t3);
}

/* Lost rekey messages (§2.1): the request, or the response, is lost once;
 * the retransmission 4 s later completes the rekey, and since the old pair
 * works meanwhile, make-before-break still loses nothing. */
static int drop_first_ccs(struct ike_harness *h, struct hdgram *d, void *arg)
{
	int *which = arg; /* 0: the first request, 1: the first response; -1 done */
	struct ike_msg m;
	struct ike_error e;
	const uint8_t *p = d->data + (d->dport == IKE_NATT_PORT ? 4 : 0);
	size_t len = d->len - (d->dport == IKE_NATT_PORT ? 4 : 0);

	(void)h;
	if (*which < 0 || ike_msg_parse(&m, p, len, &e) < 0 || m.exchange != IKE_CREATE_CHILD_SA)
		return 1;
	if (!!(m.flags & IKE_FLAG_RESPONSE) != (*which == 1))
		return 1;
	*which = -1;
	return 0;
}

static void lost_message(int which)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct htraffic t = {0};
	int arg = which;

	h_setup(&h, &a, &b, NULL);
	a.children[0].rekey_time_ns = 5 * H_S;
	h_start(&h, &a, &b);
	h.hook = drop_first_ccs;
	h.hook_arg = &arg;
	h_run_traffic(&h, 10 * H_S, PERIOD, &t);
	assert_int_equal(arg, -1);
	assert_int_equal(t.delivered[0], t.sent[0]);
	assert_int_equal(t.delivered[1], t.sent[1]);
	assert_rekeyed(&h, 1);
	assert_int_equal(h_event(&h, 0, IKE_EV_EXCHANGE, 2)->ev.retransmits, 1);
	assert_true(child_ev(&h, 0, IKE_CHILD_REKEYED, 0)->ev.rekey_duration_ns > 4 * H_S);
	h_assert_settled(&h, 1);
	h_free(&h);
}

static void test_lost_request(void **state)
{
	(void)state;
	lost_message(0);
}

static void test_lost_response(void **state)
{
	(void)state;
	lost_message(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_child_mbb),
	        cmocka_unit_test(test_child_bbm),
	        cmocka_unit_test(test_pfs),
	        cmocka_unit_test(test_create_child),
	        cmocka_unit_test(test_create_child_no_proposal),
	        cmocka_unit_test(test_ike_rekey),
	        cmocka_unit_test(test_soft_bytes),
	        cmocka_unit_test(test_rand_time),
	        cmocka_unit_test(test_lost_request),
	        cmocka_unit_test(test_lost_response),
	        cmocka_unit_test(test_delete_rekeyed_delay),
	};

	if (getenv("IKE_TEST_FILTER"))
		cmocka_set_test_filter(getenv("IKE_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
