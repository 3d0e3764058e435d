/* MOBIKE (RFC 4555) and address changes without it, between two nodes of
 * the IKE harness; node A's address changes from H_ADDR_A to MOVED.
 *
 *   - both announce MOBIKE_SUPPORTED (§3.3) and A moves to port 4500 from
 *     IKE_AUTH on, NAT or not; ESP stays unencapsulated without a NAT;
 *   - a move: A sends UPDATE_SA_ADDRESSES from its new address (§3.5), B
 *     moves the IKE SA and the Child SA; same IKE SA, same SPIs, traffic
 *     both ways.  Until B has it, B's ESP goes to the old address and A
 *     drops it (no SA for that destination);
 *   - a lost update is retransmitted (RFC 7296 §2.1), and B answers a
 *     request at the address it came from (§2.11);
 *   - one side without MOBIKE: no MOBIKE; A reauthenticates from the new
 *     address (a new IKE SA and Child SA, the old ones deleted), as
 *     strongSwan does;
 *   - A moves while its IKE SA is being set up: during IKE_SA_INIT the
 *     request goes again from the new address; after it (B knows A by the
 *     old address) a new IKE SA starts over; either way B ends up with
 *     one IKE SA whose peer is the new address;
 *   - dual-stack nodes announce their other address in IKE_AUTH
 *     (ADDITIONAL_IP4/IP6_ADDRESS, §3.4): A moves from IPv4 to IPv6 and
 *     back, to B's address of each family, the Child SA carrying IPv4 in
 *     IPv6 and in IPv4; without B's other address A cannot move. */
#include "ike_harness.h"

#include <stdio.h>
#include <string.h>

#define MOVED A4(192, 0, 2, 77)

static void start(struct ike_harness *h, bool mobike_a, bool mobike_b)
{
	struct ike_conn_config a, b;

	h_setup(h, &a, &b, NULL);
	b.remote_addr = (struct ip_addr){0}; /* B takes A from any address */
	a.mobike = mobike_a;
	b.mobike = mobike_b;
	h_start(h, &a, &b);
}

static void move_a(struct ike_harness *h)
{
	h->n[0].addr = ip_addr_v4(MOVED);
	ike_local_address_changed(h->n[0].ike, ip_addr_v4(H_ADDR_A), ip_addr_v4(MOVED));
}

static const struct ike_child *child(const struct ike_harness *h, int i)
{
	const struct ike_sa *sa = h_sa(h, i);

	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used)
			return &sa->children[k];
	fail_msg("no child");
	return NULL;
}

static void test_negotiated(void **state)
{
	(void)state;
	struct ike_harness h;

	start(&h, true, true);
	for (int i = 0; i < 2; i++) {
		const struct ike_sa *sa = h_sa(&h, i);

		assert_true(sa->mobike);
		assert_int_equal(sa->local_port, IKE_NATT_PORT);
		assert_int_equal(sa->remote_port, IKE_NATT_PORT);
		assert_false(sa->nat_local || sa->nat_remote);
		assert_int_equal(ipsec_sa_config(h.n[i].dp, child(&h, i)->sa_out)->encap_dport, 0);
	}
	h_assert_flows(&h);
	h_free(&h);

	start(&h, true, false);
	assert_false(h_sa(&h, 0)->mobike);
	assert_false(h_sa(&h, 1)->mobike);
	h_free(&h);
}

static void test_move(void **state)
{
	(void)state;
	struct ike_harness h;
	uint64_t id_a, id_b;
	uint32_t spi_in, spi_out;
	enum ipsec_drop why;
	const struct hev *e;
	bool ok;

	start(&h, true, true);
	id_a = h_sa(&h, 0)->id;
	id_b = h_sa(&h, 1)->id;
	spi_in = child(&h, 0)->spi_in;
	spi_out = child(&h, 0)->spi_out;
	move_a(&h);
	/* A moved at once; B does not know yet. */
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 0)->local_addr), MOVED);
	assert_int_equal(ip_addr_v4_value(&ipsec_sa_config(h.n[0].dp, child(&h, 0)->sa_in)->dst),
	                 MOVED);
	assert_int_equal(ip_addr_v4_value(&ipsec_sa_config(h.n[0].dp, child(&h, 0)->sa_out)->src),
	                 MOVED);
	assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, &why),
	                 IPSEC_VERDICT_PROTECT);
	assert_false(ok);
	assert_int_equal(why, IPSEC_DROP_NO_SA);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 1)->remote_addr), MOVED);
	assert_int_equal(h_sa(&h, 1)->remote_port, IKE_NATT_PORT);
	assert_int_equal(ip_addr_v4_value(&ipsec_sa_config(h.n[1].dp, child(&h, 1)->sa_out)->dst),
	                 MOVED);
	assert_int_equal(ip_addr_v4_value(&ipsec_sa_config(h.n[1].dp, child(&h, 1)->sa_in)->src),
	                 MOVED);
	/* the same IKE SA and Child SA, no new negotiation */
	assert_int_equal(h_sa(&h, 0)->id, id_a);
	assert_int_equal(h_sa(&h, 1)->id, id_b);
	assert_int_equal(child(&h, 0)->spi_in, spi_in);
	assert_int_equal(child(&h, 0)->spi_out, spi_out);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_IKE_SA, IKE_STATE_ESTABLISHED), 1);
	e = h_event(&h, 0, IKE_EV_EXCHANGE, -1);
	assert_non_null(e);
	assert_int_equal(e->ev.exchange, IKE_INFORMATIONAL);
	assert_true(e->ev.initiator && e->ev.ok);
	e = h_event(&h, 1, IKE_EV_NAT, -1);
	assert_non_null(e);
	assert_string_equal(e->reason, "mobike update");
	assert_int_equal(ip_addr_v4_value(&e->ev.peer_addr), MOVED);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* Drops A's first INFORMATIONAL request after the move. */
static int lose_update(struct ike_harness *h, struct hdgram *d, void *arg)
{
	int *lost = arg;

	(void)h;
	if (d->from == 0 && ip_addr_v4_value(&d->src) == MOVED && !*lost) {
		(*lost)++;
		return 0;
	}
	return 1;
}

static void test_update_lost(void **state)
{
	(void)state;
	struct ike_harness h;
	const struct hev *e;
	int lost = 0;

	start(&h, true, true);
	h.hook = lose_update;
	h.hook_arg = &lost;
	move_a(&h);
	h_run_for(&h, 1 * H_S);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 1)->remote_addr), H_ADDR_A); /* not yet */
	h_run_for(&h, 10 * H_S);
	assert_int_equal(lost, 1);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 1)->remote_addr), MOVED);
	e = h_event(&h, 0, IKE_EV_EXCHANGE, -1);
	assert_int_equal(e->ev.exchange, IKE_INFORMATIONAL);
	assert_int_equal(e->ev.retransmits, 1);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

static void test_without_mobike(void **state)
{
	(void)state;
	struct ike_harness h;
	uint64_t old_id;
	const struct hev *e;

	start(&h, false, true);
	old_id = h_sa(&h, 0)->id;
	move_a(&h);
	h_run_for(&h, 5 * H_S);
	/* a new IKE SA from the new address replaced the old one */
	assert_non_null(h_sa(&h, 0));
	assert_int_not_equal(h_sa(&h, 0)->id, old_id);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_IKE_SA, IKE_STATE_ESTABLISHED), 2);
	e = h_state_event(&h, 0, IKE_EV_IKE_SA, IKE_STATE_REKEYED, 0);
	assert_non_null(e);
	assert_string_equal(e->reason, "reauth");
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 0)->local_addr), MOVED);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 1)->remote_addr), MOVED);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* Holds every datagram for `at` (the harness's delay is per message). */
static int slow(struct ike_harness *h, struct hdgram *d, void *arg)
{
	(void)arg;
	d->at = h->now + 100 * H_MS;
	return 1;
}

/* A moves `after` into the negotiation (100 ms per message). */
static void move_while_connecting(uint64_t after, bool mobike)
{
	struct ike_harness h;
	struct ike_conn_config a, b;

	h_init(&h);
	h.hook = slow;
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	b.remote_addr = (struct ip_addr){0};
	/* an identity that does not change with the address, so that A's
	 * INITIAL_CONTACT (RFC 7296 §2.4) retires what B set up with the
	 * abandoned negotiation */
	snprintf(a.local.id.id, sizeof(a.local.id.id), "a@example.org");
	snprintf(b.remote.id.id, sizeof(b.remote.id.id), "a@example.org");
	a.mobike = b.mobike = mobike;
	a.children[0].start_action = IKE_START_START;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, after);
	assert_int_not_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	move_a(&h);
	h_run_for(&h, 40 * H_S); /* B's half-open SA from the old address times out */
	h_assert_settled(&h, 1);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 0)->local_addr), MOVED);
	assert_int_equal(ip_addr_v4_value(&h_sa(&h, 1)->remote_addr), MOVED);
	h_assert_flows(&h);
	h_free(&h);
}

static void test_move_during_init(void **state)
{
	(void)state;
	move_while_connecting(50 * H_MS, false); /* IKE_SA_INIT on its way */
}

static void test_move_during_auth(void **state)
{
	(void)state;
	move_while_connecting(250 * H_MS, true); /* IKE_AUTH on its way */
	move_while_connecting(250 * H_MS, false);
}

#define A6 "fd00:64::10"
#define B6 "fd00:51::2"

/* Both nodes dual-stack; B announces its IPv6 address if `b_announces`. */
static void start_dual(struct ike_harness *h, bool b_announces)
{
	struct ip_addr a[2] = {ip_addr_v4(H_ADDR_A), parse_addr(A6)};
	struct ip_addr b[2] = {ip_addr_v4(H_ADDR_B), parse_addr(B6)};

	struct ike_conn_config ca, cb;

	h_setup(h, &ca, &cb, NULL);
	cb.remote_addr = (struct ip_addr){0}; /* B takes A from any address */
	ca.mobike = cb.mobike = true;
	h->n[0].addr2 = a[1];
	h->n[1].addr2 = b[1];
	assert_int_equal(ike_set_local_addresses(h->n[0].ike, a, 2), 0);
	assert_int_equal(ike_set_local_addresses(h->n[1].ike, b, b_announces ? 2 : 1), 0);
	h_start(h, &ca, &cb);
}

/* A's IKE SA and Child SA, and B's, use these addresses. */
static void assert_moved(struct ike_harness *h, struct ip_addr a, struct ip_addr b)
{
	const struct ipsec_sa_config *out_a = ipsec_sa_config(h->n[0].dp, child(h, 0)->sa_out);
	const struct ipsec_sa_config *out_b = ipsec_sa_config(h->n[1].dp, child(h, 1)->sa_out);

	assert_true(ip_addr_eq(&h_sa(h, 0)->local_addr, &a));
	assert_true(ip_addr_eq(&h_sa(h, 0)->remote_addr, &b));
	assert_true(ip_addr_eq(&h_sa(h, 1)->local_addr, &b));
	assert_true(ip_addr_eq(&h_sa(h, 1)->remote_addr, &a));
	assert_true(ip_addr_eq(&out_a->src, &a) && ip_addr_eq(&out_a->dst, &b));
	assert_true(ip_addr_eq(&out_b->src, &b) && ip_addr_eq(&out_b->dst, &a));
}

static void test_move_family(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ip_addr a4 = ip_addr_v4(H_ADDR_A), b4 = ip_addr_v4(H_ADDR_B);
	struct ip_addr a6 = parse_addr(A6), b6 = parse_addr(B6);
	uint64_t id_a;
	uint32_t spi_in;

	start_dual(&h, true);
	/* §3.4: each learned the other's address it does not use. */
	assert_int_equal(h_sa(&h, 0)->n_peer_addrs, 1);
	assert_true(ip_addr_eq(&h_sa(&h, 0)->peer_addrs[0], &b6));
	assert_int_equal(h_sa(&h, 1)->n_peer_addrs, 1);
	assert_true(ip_addr_eq(&h_sa(&h, 1)->peer_addrs[0], &a6));
	id_a = h_sa(&h, 0)->id;
	spi_in = child(&h, 0)->spi_in;

	/* A loses its IPv4 address: to B's IPv6 one, the same SAs. */
	h.n[0].addr = a6;
	h.n[0].addr2 = (struct ip_addr){0};
	ike_local_address_changed(h.n[0].ike, a4, a6);
	h_run_for(&h, 1 * H_S);
	assert_moved(&h, a6, b6);
	assert_int_equal(h_sa(&h, 0)->id, id_a);
	assert_int_equal(child(&h, 0)->spi_in, spi_in);
	assert_false(h_sa(&h, 0)->nat_local || h_sa(&h, 1)->nat_remote);
	h_assert_flows(&h); /* IPv4 LANs, 4-in-6 */

	/* And back: to the IPv4 address A left. */
	h.n[0].addr = a4;
	ike_local_address_changed(h.n[0].ike, a6, a4);
	h_run_for(&h, 1 * H_S);
	assert_moved(&h, a4, b4);
	assert_int_equal(h_sa(&h, 0)->id, id_a);
	assert_int_equal(h_count_state(&h, 0, IKE_EV_IKE_SA, IKE_STATE_ESTABLISHED), 1);
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* B gave no IPv6 address: A's IKE SA cannot follow it to IPv6. */
static void test_move_family_unknown(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ip_addr a4 = ip_addr_v4(H_ADDR_A), b4 = ip_addr_v4(H_ADDR_B);

	start_dual(&h, false);
	assert_int_equal(h_sa(&h, 0)->n_peer_addrs, 0);
	h.n[0].addr = parse_addr(A6);
	ike_local_address_changed(h.n[0].ike, a4, h.n[0].addr);
	h_run_for(&h, 1 * H_S);
	assert_moved(&h, a4, b4);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_negotiated),       cmocka_unit_test(test_move),
	        cmocka_unit_test(test_update_lost),      cmocka_unit_test(test_without_mobike),
	        cmocka_unit_test(test_move_during_init), cmocka_unit_test(test_move_during_auth),
	        cmocka_unit_test(test_move_family),      cmocka_unit_test(test_move_family_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
