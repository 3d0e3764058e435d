/* IKE SA and first Child SA establishment between two in-process nodes
 * (RFC 7296 §1.2): several IKE and ESP proposal sets, both sides derive the
 * same keys, the Child SA carries traffic both ways through the data plane;
 * INVALID_KE_PAYLOAD retry (§1.3); NAT traversal (§2.23). */
#include "ike_harness.h"

#include <string.h>

static void establish(struct ike_harness *h, const char *ike_a, const char *esp_a,
                      const char *ike_b, const char *esp_b)
{
	struct ike_conn_config a, b;

	h_conn(h, 0, &a, ike_a, esp_a);
	h_conn(h, 1, &b, ike_b, esp_b);
	if (h->nat)
		b.remote_addr = (struct ip_addr){0}; /* the peer's address is the NAT's: any */
	a.children[0].start_action = IKE_START_START;
	h_add(h, 1, &b);
	h_add(h, 0, &a);
	h_run_for(h, 5 * H_S);
}

/* Both nodes have one established IKE SA with equal SPIs and keys, one
 * Child SA with crossed SPIs, and packets flow both ways. */
static void check_established(struct ike_harness *h)
{
	struct ike_sa *a = h_sa(h, 0), *b = h_sa(h, 1);
	bool ok;
	uint32_t spi;

	assert_int_equal(h_ike_state(h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_ike_state(h, 1), IKE_STATE_ESTABLISHED);
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(a->spi_i, b->spi_i, 8);
	assert_memory_equal(a->spi_r, b->spi_r, 8);
	assert_int_equal(a->keys.prf_len, b->keys.prf_len);
	assert_memory_equal(a->keys.sk_d, b->keys.sk_d, a->keys.prf_len);
	assert_memory_equal(a->keys.sk_ei, b->keys.sk_ei, a->keys.encr_len);
	assert_memory_equal(a->keys.sk_er, b->keys.sk_er, a->keys.encr_len);
	assert_memory_equal(a->keys.sk_ai, b->keys.sk_ai, a->keys.integ_len);
	assert_memory_equal(a->keys.sk_pr, b->keys.sk_pr, a->keys.prf_len);
	assert_true(a->children[0].used && b->children[0].used);
	assert_int_equal(a->children[0].spi_in, b->children[0].spi_out);
	assert_int_equal(a->children[0].spi_out, b->children[0].spi_in);
	assert_true(a->children[0].spi_in >= 256 && a->children[0].spi_out >= 256);
	assert_int_equal(h_count(h, 0, IKE_EV_CHILD_SA), 1);
	assert_int_equal(h_count(h, 1, IKE_EV_CHILD_SA), 1);
	assert_int_equal(h_count(h, 0, IKE_EV_FAILURE), 0);
	assert_int_equal(h_count(h, 1, IKE_EV_FAILURE), 0);

	/* LAN A -> LAN B and back, through the negotiated SAs. */
	assert_int_equal(h_send_ip(h, 0, H_LAN_A | 5, H_LAN_B | 9, &ok, &spi, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(spi, a->children[0].spi_out);
	assert_int_equal(h_send_ip(h, 1, H_LAN_B | 9, H_LAN_A | 5, &ok, &spi, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(spi, b->children[0].spi_out);
	/* Outside the selectors: not protected. */
	assert_int_equal(h_send_ip(h, 0, H_LAN_A | 5, A4(10, 3, 0, 1), &ok, NULL, NULL),
	                 IPSEC_VERDICT_BYPASS);
}

static void test_proposal_sets(void **state)
{
	(void)state;
	static const struct {
		const char *ike, *esp;
		uint16_t encr, prf, dh;
	} cases[] = {
	        {"aes256gcm16-prfsha384-x25519", "aes256gcm16", IKE_ENCR_AES_GCM_16,
	         IKE_PRF_HMAC_SHA2_384, IKE_DH_CURVE25519},
	        {"aes128-sha256-modp2048", "aes128-sha256", IKE_ENCR_AES_CBC, IKE_PRF_HMAC_SHA2_256,
	         IKE_DH_MODP_2048},
	        {"chacha20poly1305-prfsha256-ecp256", "chacha20poly1305",
	         IKE_ENCR_CHACHA20_POLY1305, IKE_PRF_HMAC_SHA2_256, IKE_DH_ECP_256},
	        {"aes256-sha512-ecp384", "aes256-sha384", IKE_ENCR_AES_CBC, IKE_PRF_HMAC_SHA2_512,
	         IKE_DH_ECP_384},
	        {"", "", IKE_ENCR_AES_CBC, IKE_PRF_HMAC_SHA2_256, IKE_DH_ECP_256}, /* default */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ike_harness h;
		const struct hev *e;

		h_init(&h);
		establish(&h, cases[i].ike, cases[i].esp, cases[i].ike, cases[i].esp);
		check_established(&h);
		assert_int_equal(h_sa(&h, 0)->suite.encr, cases[i].encr);
		assert_int_equal(h_sa(&h, 0)->suite.prf, cases[i].prf);
		assert_int_equal(h_sa(&h, 0)->suite.dh, cases[i].dh);
		/* The exchanges: IKE_SA_INIT and IKE_AUTH, once each, on time. */
		e = h_event(&h, 0, IKE_EV_EXCHANGE, 0);
		assert_int_equal(e->ev.exchange, IKE_SA_INIT);
		assert_true(e->ev.initiator && e->ev.ok);
		assert_int_equal(e->ev.rtt_ns, 20 * H_MS);
		e = h_event(&h, 0, IKE_EV_EXCHANGE, 1);
		assert_int_equal(e->ev.exchange, IKE_AUTH);
		assert_int_equal(e->ev.message_id, 1);
		assert_int_equal(e->ev.retransmits, 0);
		assert_int_equal(h_count(&h, 0, IKE_EV_IKE_KEYS), 1);
		assert_int_equal(h_count(&h, 1, IKE_EV_IKE_KEYS), 1);
		h_free(&h);
	}
}

/* The keys event: Wireshark's ikev2_decryption_table line, the same on
 * both sides; the Child SA keys event names the data-plane SAs. */
static void test_key_events(void **state)
{
	(void)state;
	struct ike_harness h;
	const struct hev *ka, *kb, *ca;
	char want[64];

	h_init(&h);
	establish(&h, "aes128gcm16-prfsha256-x25519", "aes128gcm16", "aes128gcm16-prfsha256-x25519",
	          "aes128gcm16");
	ka = h_event(&h, 0, IKE_EV_IKE_KEYS, 0);
	kb = h_event(&h, 1, IKE_EV_IKE_KEYS, 0);
	assert_non_null(ka);
	assert_non_null(kb);
	assert_string_equal(ka->text, kb->text);
	snprintf(want, sizeof(want), "%016llx,%016llx,", (unsigned long long)ka->ev.spi_i,
	         (unsigned long long)ka->ev.spi_r);
	assert_memory_equal(ka->text, want, strlen(want));
	assert_non_null(strstr(ka->text, ",\"AES-GCM-128 with 16 octet ICV [RFC5282]\",,,\"NONE "
	                                 "[RFC4306]\""));
	ca = h_event(&h, 0, IKE_EV_CHILD_KEYS, 0);
	assert_non_null(ca);
	assert_string_equal(ca->child, "net");
	assert_int_equal(ipsec_sa_config(h.n[0].dp, ca->ev.sa_out)->spi, ca->ev.spi_out);
	assert_int_equal(ipsec_sa_config(h.n[0].dp, ca->ev.sa_in)->spi, ca->ev.spi_in);
	assert_int_equal(ipsec_sa_config(h.n[0].dp, ca->ev.sa_in)->enc, IPSEC_ENC_AES_GCM16_128);
	/* ChaCha20-Poly1305: no table line (Wireshark 4.0 lacks it). */
	h_free(&h);
	h_init(&h);
	establish(&h, "chacha20poly1305-prfsha256-x25519", "", "chacha20poly1305-prfsha256-x25519",
	          "");
	ka = h_event(&h, 0, IKE_EV_IKE_KEYS, 0);
	assert_non_null(ka);
	assert_null(ka->ev.text);
	assert_non_null(strstr(ka->reason, "Wireshark"));
	h_free(&h);
}

/* §1.3: the initiator's KE is for x25519, the responder only accepts
 * ecp256: INVALID_KE_PAYLOAD(ecp256), and the retry succeeds. */
static void test_invalid_ke_retry(void **state)
{
	(void)state;
	struct ike_harness h;
	const struct hev *e;

	h_init(&h);
	establish(&h, "aes128gcm16-prfsha256-x25519-ecp256", "", "aes128gcm16-prfsha256-ecp256",
	          "");
	check_established(&h);
	assert_int_equal(h_sa(&h, 0)->suite.dh, IKE_DH_ECP_256);
	/* One IKE_SA_INIT exchange as far as events go, two round trips. */
	e = h_event(&h, 0, IKE_EV_EXCHANGE, 0);
	assert_int_equal(e->ev.exchange, IKE_SA_INIT);
	assert_int_equal(e->ev.rtt_ns, 20 * H_MS);
	assert_int_equal(h_count(&h, 1, IKE_EV_IKE_SA), 2); /* connecting, established */
	/* The detour is told, naming both groups (strongSwan: "peer didn't
	 * accept DH group CURVE_25519, it requested ECP_256"). */
	assert_int_equal(h_count(&h, 0, IKE_EV_KE_RETRY), 1);
	assert_int_equal(h_count(&h, 1, IKE_EV_KE_RETRY), 0);
	e = h_event(&h, 0, IKE_EV_KE_RETRY, 0);
	assert_int_equal(e->ev.exchange, IKE_SA_INIT);
	assert_int_equal(e->ev.ke_group_sent, IKE_DH_CURVE25519);
	assert_int_equal(e->ev.ke_group, IKE_DH_ECP_256);
	assert_string_equal(e->text, "INVALID_KE_PAYLOAD: IKE_SA_INIT with x25519 refused, "
	                             "peer wants ecp256: retrying");
	h_free(&h);
}

/* Transport mode between the two nodes' own addresses. */
static void test_transport_mode(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	bool ok;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	a.children[0].mode = b.children[0].mode = IPSEC_MODE_TRANSPORT;
	a.children[0].n_local_ts = a.children[0].n_remote_ts = 0;
	b.children[0].n_local_ts = b.children[0].n_remote_ts = 0;
	a.children[0].start_action = IKE_START_START;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 5 * H_S);
	assert_int_equal(h_sa(&h, 0)->children[0].mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(h_sa(&h, 1)->children[0].mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(h_send_ip(&h, 0, H_ADDR_A, H_ADDR_B, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 1, H_ADDR_B, H_ADDR_A, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

/* §2.23: node A behind a NAT: both detect it, IKE floats to 4500 (with the
 * non-ESP marker), ESP is UDP-encapsulated and crosses the NAT. */
static void test_nat_traversal(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_sa *a, *b;
	bool ok;
	size_t marker = 0;

	h_init(&h);
	h.nat = true;
	h.record = true;
	establish(&h, NULL, NULL, NULL, NULL);
	a = h_sa(&h, 0);
	b = h_sa(&h, 1);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_true(a->nat_local && !a->nat_remote);
	assert_true(b->nat_remote && !b->nat_local);
	assert_int_equal(a->local_port, IKE_NATT_PORT);
	assert_int_equal(ip_addr_v4_value(&b->remote_addr), H_NAT_ADDR);
	assert_int_equal(b->remote_port, 44500);
	for (size_t i = 0; i < h.nlog; i++)
		if (h.log[i].dport == IKE_NATT_PORT || h.log[i].sport == IKE_NATT_PORT) {
			assert_int_equal(get_be32(h.log[i].data), 0);
			marker++;
		}
	assert_int_equal(marker, 2); /* IKE_AUTH request and response */
	assert_non_null(h_event(&h, 0, IKE_EV_NAT, 0));
	assert_true(h_event(&h, 0, IKE_EV_NAT, 0)->ev.nat_local);
	assert_int_equal(ipsec_sa_config(h.n[0].dp, a->children[0].sa_out)->encap_dport,
	                 IKE_NATT_PORT);
	assert_int_equal(ipsec_sa_config(h.n[1].dp, b->children[0].sa_out)->encap_dport, 44500);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 5, H_LAN_B | 9, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(&h, 1, H_LAN_B | 9, H_LAN_A | 5, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

/* encap = yes without a NAT: UDP encapsulation anyway (strongSwan fakes
 * the NAT_DETECTION_SOURCE_IP hash), and a NAT record on both sides. */
static void test_forced_encap(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	const struct hev *e;
	bool ok;

	h_init(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	a.encap = true;
	a.children[0].start_action = IKE_START_START;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 5 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_true(h_sa(&h, 1)->nat_remote);
	/* Both record it: A that it fakes a NAT (strongSwan's nat-fake), B
	 * that A is behind one. */
	e = h_event(&h, 0, IKE_EV_NAT, 0);
	assert_non_null(e);
	assert_true(e->ev.nat_fake && !e->ev.nat_local && !e->ev.nat_remote);
	assert_string_equal(e->reason, "NAT faked (encap)");
	e = h_event(&h, 1, IKE_EV_NAT, 0);
	assert_non_null(e);
	assert_true(!e->ev.nat_fake && !e->ev.nat_local && e->ev.nat_remote);
	assert_int_equal(h_sa(&h, 0)->remote_port, IKE_NATT_PORT);
	assert_int_equal(ipsec_sa_config(h.n[1].dp, h_sa(&h, 1)->children[0].sa_out)->encap_sport,
	                 IKE_NATT_PORT);
	assert_int_equal(h_send_ip(&h, 0, H_LAN_A | 5, H_LAN_B | 9, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	h_free(&h);
}

/* ike_new put IKE's own bypass entries first in the SPD. */
static void test_bypass_entries(void **state)
{
	(void)state;
	struct ike_harness h;
	uint32_t id;
	const struct ipsec_spd_entry *e;

	h_init(&h);
	id = ipsec_spd_next(h.n[0].dp, 0);
	e = ipsec_spd_get(h.n[0].dp, id);
	assert_int_equal(e->action, IPSEC_ACTION_BYPASS);
	assert_int_equal(e->sel.protocol, IPPROTO_NUM_UDP);
	assert_int_equal(e->sel.local_port.lo, 500);
	e = ipsec_spd_get(h.n[0].dp, ipsec_spd_next(h.n[0].dp, id));
	assert_int_equal(e->sel.local_port.lo, 4500);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_proposal_sets),    cmocka_unit_test(test_key_events),
	        cmocka_unit_test(test_invalid_ke_retry), cmocka_unit_test(test_transport_mode),
	        cmocka_unit_test(test_nat_traversal),    cmocka_unit_test(test_forced_encap),
	        cmocka_unit_test(test_bypass_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
