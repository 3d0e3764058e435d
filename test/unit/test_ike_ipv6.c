/* IKEv2 over IPv6 between two in-process nodes (RFC 7296 with IPv6
 * addresses): identities of type ID_IPV6_ADDR by default (§3.5), NAT
 * detection hashing 16-byte addresses (§2.23) that finds no NAT, traffic
 * selectors of type TS_IPV6_ADDR_RANGE narrowed as §2.9 says, and Child SAs
 * that carry IPv4 LANs over IPv6 (4-in-6), IPv6 LANs (6-in-6) and IPv6 hosts
 * in transport mode. */
#include "ike_harness.h"

#include "ip_packet.h"

#include <string.h>

static struct ike_ts_config ts6(const char *prefix, unsigned len)
{
	struct ip_addr a = parse_addr(prefix);
	struct ike_ts_config ts = {.addr = ip_range_prefix(&a, len)};

	return ts;
}

static void start(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	a->children[0].start_action = IKE_START_START;
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 5 * H_S);
	assert_int_equal(h_ike_state(h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_ike_state(h, 1), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_count(h, 0, IKE_EV_FAILURE) + h_count(h, 1, IKE_EV_FAILURE), 0);
}

/* `from`'s packet src -> dst through its node's data plane and the other's:
 * the wire packet is IPv6 with ESP right after the header, and
 * the peer delivers what was sent and lets it pass its policy. */
static void through(struct ike_harness *h, int from, const uint8_t *pkt, size_t len)
{
	uint8_t wire[BUF + IPSEC_MAX_OVERHEAD], back[BUF + IPSEC_MAX_OVERHEAD];
	size_t wlen, blen;
	struct ip_packet outer;
	struct ip_addr src, dst;
	enum ipsec_drop r = IPSEC_DROP__COUNT;
	uint32_t via;

	assert_int_equal(ipsec_output(h->n[from].dp, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ip_packet_parse(wire, wlen, true, &outer), 0);
	assert_int_equal(outer.family, IP_FAMILY_V6);
	src = ip_packet_src(wire, &outer);
	dst = ip_packet_dst(wire, &outer);
	assert_true(ip_addr_eq(&src, &h->n[from].addr));
	assert_true(ip_addr_eq(&dst, &h->n[1 - from].addr));
	assert_int_equal(outer.proto, IPPROTO_NUM_ESP);
	assert_int_equal(
	        ipsec_input(h->n[1 - from].dp, wire, wlen, back, sizeof(back), &blen, &via, &r),
	        IPSEC_VERDICT_DELIVER);
	assert_int_equal(blen, len);
	assert_memory_equal(back, pkt, len);
	assert_int_equal(ipsec_input_policy(h->n[1 - from].dp, back, blen, via, &r),
	                 IPSEC_VERDICT_BYPASS);
}

static void test_4in6(void **state)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_sa *sa;
	struct hpacket p;

	(void)state;
	h_init_v6(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	start(&h, &a, &b);
	for (int i = 0; i < 2; i++) {
		sa = h_sa(&h, i);
		/* §3.5: an empty id is the address, here an IPv6 one */
		assert_int_equal(sa->peer_id_type, IKE_ID_IPV6_ADDR);
		assert_int_equal(sa->peer_id_len, 16);
		assert_memory_equal(sa->peer_id, h.n[1 - i].addr.b, 16);
		/* §2.23 over IPv6: the hashes match, so no NAT and no UDP
		 * encapsulation (the harness has no NAT) */
		assert_false(sa->nat_local || sa->nat_remote);
		assert_int_equal(sa->local_port, IKE_PORT);
	}
	h_assert_flows(&h);
	assert_int_equal(h_seal(&h, 0, H_LAN_A | 1, H_LAN_B | 1, &p, NULL), IPSEC_VERDICT_PROTECT);
	assert_int_equal(ip_version(p.wire, p.wlen), 6);
	assert_int_equal(p.wire[6], IPPROTO_NUM_ESP);
	assert_true(h_open(&h, &p, NULL));
	h_free(&h);
}

static void test_6in6_narrowed(void **state)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_sa *sa;
	uint8_t pkt[BUF];
	size_t len;
	char text[300];

	(void)state;
	h_init_v6(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	/* A asks for 2001:db8:1::/48 <-> 2001:db8:2::/48; B allows only its
	 * /64 of it: §2.9 narrows to that */
	a.children[0].local_ts[0] = ts6("2001:db8:1::", 48);
	a.children[0].remote_ts[0] = ts6("2001:db8:2::", 48);
	b.children[0].local_ts[0] = ts6("2001:db8:2:5::", 64);
	b.children[0].remote_ts[0] = ts6("2001:db8:1::", 48);
	start(&h, &a, &b);
	sa = h_sa(&h, 0);
	ike_ts_format(sa->children[0].ts_remote, sa->children[0].n_remote, text, sizeof(text));
	assert_string_equal(text, "2001:db8:2:5::/64");
	assert_int_equal(sa->children[0].ts_remote[0].type, IKE_TS_IPV6_ADDR_RANGE);
	len = build_udp6(pkt, "2001:db8:1::7", "2001:db8:2:5::9", 0, NULL, 0, 100, 0);
	through(&h, 0, pkt, len);
	len = build_udp6(pkt, "2001:db8:2:5::9", "2001:db8:1::7", 0, NULL, 0, 60, 0);
	through(&h, 1, pkt, len);
	/* outside the narrowed selectors: no PROTECT entry for it */
	{
		uint8_t wire[BUF + IPSEC_MAX_OVERHEAD];
		size_t wlen;
		enum ipsec_drop r;

		len = build_udp6(pkt, "2001:db8:1::7", "2001:db8:2:6::9", 0, NULL, 0, 10, 0);
		assert_int_not_equal(
		        ipsec_output(h.n[0].dp, pkt, len, wire, sizeof(wire), &wlen, &r),
		        IPSEC_VERDICT_PROTECT);
	}
	h_free(&h);
}

static void test_transport6(void **state)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	uint8_t pkt[BUF];
	size_t len;

	(void)state;
	h_init_v6(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	/* no selectors: the hosts' own addresses (swanctl's dynamic) */
	a.children[0].n_local_ts = a.children[0].n_remote_ts = 0;
	b.children[0].n_local_ts = b.children[0].n_remote_ts = 0;
	a.children[0].mode = b.children[0].mode = IPSEC_MODE_TRANSPORT;
	start(&h, &a, &b);
	len = build_udp6(pkt, H_ADDR6_A, H_ADDR6_B, 0, NULL, 0, 200, 0);
	through(&h, 0, pkt, len);
	len = build_udp6(pkt, H_ADDR6_B, H_ADDR6_A, 0, NULL, 0, 20, 0);
	through(&h, 1, pkt, len);
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_4in6),
	        cmocka_unit_test(test_6in6_narrowed),
	        cmocka_unit_test(test_transport6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
