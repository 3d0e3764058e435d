/* ESP and AH over and inside IPv6 (model/ipsec): where the header goes in
 * transport mode (RFC 4303 §3.1.1, RFC 4302 §3.1.1), the outer IPv6 header
 * of tunnel mode (RFC 4301 §5.1.2.2) for 6-in-6, 4-in-6 and 6-in-4, ECN
 * (RFC 6040), AH's 64-bit alignment over IPv6 (RFC 4302 §2.2), OPAQUE ports
 * of non-initial fragments (RFC 4301 §4.4.1.1), and malformed chains
 * dropped and counted.  validate_ipsec6 checks the same packets with scapy
 * and tshark. */
#include "harness.h"

#include "ah.h"
#include "esp.h"
#include "ip_packet.h"

#include <string.h>

static struct ipsec_sa_config cfg6(enum ipsec_protocol proto, enum ipsec_mode mode, const char *src,
                                   const char *dst)
{
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, proto, mode, 0x600, 0, 0,
	               proto == IPSEC_PROTO_ESP ? IPSEC_ENC_AES_GCM16_128 : IPSEC_ENC_NULL,
	               proto == IPSEC_PROTO_ESP ? IPSEC_INTEG_NONE : IPSEC_INTEG_HMAC_SHA256_128);

	c.src = parse_addr(src);
	c.dst = parse_addr(dst);
	return c;
}

/* A test's SA pair and its buffers: pkt leaves node a as wire (out6),
 * wire arrives at node b as back (in6). */
struct pair6 {
	struct pair p;
	uint8_t pkt[256], wire[512], back[512];
	size_t len, wlen, blen;
	enum ipsec_drop r;
};

/* The pair of the outbound configuration c, window 64. */
static void pair6_setup(struct pair6 *t, struct ipsec_sa_config c)
{
	pair_setup(&t->p, &c, 64);
}

static enum ipsec_verdict out6(struct pair6 *t)
{
	return ipsec_output(t->p.a, t->pkt, t->len, t->wire, sizeof(t->wire), &t->wlen, &t->r);
}

static enum ipsec_verdict in6(struct pair6 *t)
{
	return ipsec_input(t->p.b, t->wire, t->wlen, t->back, sizeof(t->back), &t->blen, NULL,
	                   &t->r);
}

/* Hop-by-hop (8), routing type 0 with no segments left (8... 24 with one
 * address), destination options (8): ESP and AH go after the routing
 * header, the last destination options stay behind them (RFC 8200 §4.1). */
static const uint8_t chain[] = {
        IPPROTO_NUM_ROUTING,
        0,
        1,
        4,
        0,
        0,
        0,
        0, /* hop-by-hop, PadN */
        IPPROTO_NUM_DSTOPTS,
        2,
        0,
        0,
        0,
        0,
        0,
        0, /* routing, type 0, left 0 */
        0x20,
        0x01,
        0x0d,
        0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        9, /* (its address) */
        IPPROTO_NUM_UDP,
        0,
        1,
        4,
        0,
        0,
        0,
        0, /* destination options */
};

static void test_transport_after_extension_headers(void **state)
{
	struct pair6 f;
	size_t esp_at = IPV6_HDR_LEN + 8 + 24;

	(void)state;
	f.len = build_udp6(f.pkt, "2001:db8::1", "2001:db8::2", IPPROTO_NUM_HOPOPTS, chain,
	                   sizeof(chain), 30, 0);
	pair6_setup(&f, cfg6(IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, "2001:db8::1", "2001:db8::2"));
	pair_roundtrip(&f.p, f.pkt, f.len);
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	/* the headers before ESP are the packet's own, the routing header now
	 * names ESP, the destination options are encrypted */
	assert_memory_equal(f.wire + 8, f.pkt + 8, IPV6_HDR_LEN + 8 - 8);
	assert_int_equal(f.wire[IPV6_HDR_LEN + 8], IPPROTO_NUM_ESP);
	assert_memory_equal(f.wire + IPV6_HDR_LEN + 9, f.pkt + IPV6_HDR_LEN + 9, 23);
	assert_int_equal(get_be32(f.wire + esp_at), 0x600);
	assert_int_equal(get_be16(f.wire + 4), f.wlen - IPV6_HDR_LEN);
	/* AH in the same place; its length is a multiple of 8 bytes over IPv6
	 * (RFC 4302 §2.2): 12 + 16 bytes of ICV + 4 of padding */
	pair_teardown(&f.p);
	pair6_setup(&f, cfg6(IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, "2001:db8::1", "2001:db8::2"));
	assert_int_equal(pair_roundtrip(&f.p, f.pkt, f.len), f.len + 32);
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	assert_int_equal(f.wire[IPV6_HDR_LEN + 8], IPPROTO_NUM_AH);
	assert_int_equal(f.wire[esp_at + 1], 32 / 4 - 2);
	assert_memory_equal(f.wire + esp_at + AH_HDR_LEN + 16, "\0\0\0\0", 4);
	/* a hop on the way changes the mutable fields: the ICV still holds */
	f.wire[7] = 1;                       /* hop limit */
	f.wire[1] |= 0x0f, f.wire[3] = 0x42; /* flow label */
	assert_int_equal(in6(&f), IPSEC_VERDICT_DELIVER);
	/* an immutable field changed (the routing header's address) */
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	f.wire[IPV6_HDR_LEN + 8 + 8 + 15]++;
	assert_int_equal(in6(&f), IPSEC_VERDICT_DROP);
	assert_int_equal(f.r, IPSEC_DROP_ICV_FAIL);
	pair_teardown(&f.p);
}

static void test_tunnel_families(void **state)
{
	static const struct {
		const char *outer_src, *outer_dst;
		bool inner_v6;
	} t[] = {
	        {"2001:db8:ff::1", "2001:db8:ff::2", true},  /* 6-in-6 */
	        {"2001:db8:ff::1", "2001:db8:ff::2", false}, /* 4-in-6 */
	        {"192.0.2.1", "192.0.2.2", true},            /* 6-in-4 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (int proto = 0; proto < 2; proto++) {
			struct ipsec_sa_config c =
			        cfg6(proto ? IPSEC_PROTO_AH : IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL,
			             t[i].outer_src, t[i].outer_dst);
			struct ip_packet outer;
			struct ip_addr src, dst;
			struct pair6 f;

			c.ttl = 17;
			c.copy_dscp = true;
			if (t[i].inner_v6)
				f.len = build_udp6(f.pkt, "2001:db8:1::5", "2001:db8:2::6", 0, NULL,
				                   0, 40, 0xb9);
			else
				f.len = build_udp(f.pkt, A4(10, 1, 0, 5), A4(10, 2, 0, 6), 1, 2,
				                  40);
			pair6_setup(&f, c);
			pair_roundtrip(&f.p, f.pkt, f.len);
			assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
			assert_int_equal(ip_packet_parse(f.wire, f.wlen, true, &outer), 0);
			src = ip_packet_src(f.wire, &outer);
			dst = ip_packet_dst(f.wire, &outer);
			assert_true(ip_addr_eq(&src, &c.src) && ip_addr_eq(&dst, &c.dst));
			assert_int_equal(outer.total_len, f.wlen);
			assert_int_equal(outer.proto, proto ? IPPROTO_NUM_AH : IPPROTO_NUM_ESP);
			/* RFC 4301 §5.1.2.2: DSCP copied (copy_dscp), ECN as RFC 6040 */
			assert_int_equal(outer.tclass, t[i].inner_v6 ? 0xb9 : 0);
			assert_int_equal(outer.family == IP_FAMILY_V6 ? outer.v6.hop_limit
			                                              : outer.v4.ttl,
			                 17);
			if (outer.family == IP_FAMILY_V6)
				assert_int_equal(outer.v6.flow_label, 0);
			if (proto) /* AH names the inner packet's family */
				assert_int_equal(f.wire[outer.hdr_len], t[i].inner_v6
				                                                ? IPPROTO_NUM_IPV6
				                                                : IPPROTO_NUM_IPIP);
			pair_teardown(&f.p);
		}
}

/* RFC 6040 §4.2 over an IPv6 outer and inner header: CE on the outer
 * header marks an ECN-capable inner packet, and drops a Not-ECT one. */
static void test_ecn_decap_v6(void **state)
{
	struct pair6 f;

	(void)state;
	pair6_setup(&f,
	            cfg6(IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, "2001:db8:ff::1", "2001:db8:ff::2"));
	f.len = build_udp6(f.pkt, "2001:db8:1::5", "2001:db8:2::6", 0, NULL, 0, 10, ECN_ECT0);
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	f.wire[1] |= ECN_CE << 4; /* a congested router on the way */
	assert_int_equal(in6(&f), IPSEC_VERDICT_DELIVER);
	assert_int_equal((f.back[1] >> 4) & 3, ECN_CE);
	f.len = build_udp6(f.pkt, "2001:db8:1::5", "2001:db8:2::6", 0, NULL, 0, 10, ECN_NOT_ECT);
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	f.wire[1] |= ECN_CE << 4;
	assert_int_equal(in6(&f), IPSEC_VERDICT_DROP);
	assert_int_equal(f.r, IPSEC_DROP_MALFORMED);
	pair_teardown(&f.p);
}

/* A transport SA protects packets of its own family only (a tunnel SA
 * carries either: test_tunnel_families); malformed extension-header chains
 * are dropped and counted, inbound and outbound. */
static void test_family_and_malformed(void **state)
{
	struct pair6 f;

	(void)state;
	pair6_setup(&f, cfg6(IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, "2001:db8::1", "2001:db8::2"));
	f.len = build_udp(f.pkt, A4(10, 0, 0, 1), A4(10, 0, 0, 2), 1, 2, 10);
	assert_int_equal(out6(&f), IPSEC_VERDICT_DROP);
	assert_int_equal(f.r, IPSEC_DROP_MALFORMED);
	/* hop-by-hop in second place (RFC 8200 §4.1) */
	{
		static const uint8_t bad[] = {IPPROTO_NUM_HOPOPTS, 0, 1, 4, 0, 0, 0, 0,
		                              IPPROTO_NUM_UDP,     0, 1, 4, 0, 0, 0, 0};

		f.len = build_udp6(f.pkt, "2001:db8::1", "2001:db8::2", IPPROTO_NUM_DSTOPTS, bad,
		                   sizeof(bad), 10, 0);
	}
	assert_int_equal(out6(&f), IPSEC_VERDICT_DROP);
	assert_int_equal(f.r, IPSEC_DROP_MALFORMED);
	/* an ESP packet whose payload length runs past the buffer */
	f.len = build_udp6(f.pkt, "2001:db8::1", "2001:db8::2", 0, NULL, 0, 10, 0);
	assert_int_equal(out6(&f), IPSEC_VERDICT_PROTECT);
	put_be16(f.wire + 4, (uint16_t)(f.wlen - IPV6_HDR_LEN + 1));
	assert_int_equal(in6(&f), IPSEC_VERDICT_DROP);
	assert_int_equal(f.r, IPSEC_DROP_MALFORMED);
	assert_int_equal(ipsec_drops(f.p.b, IPSEC_DROP_MALFORMED), 1);
	assert_int_equal(ipsec_drops(f.p.a, IPSEC_DROP_MALFORMED), 2);
	pair_teardown(&f.p);
}

/* RFC 4301 §4.4.1.1: a non-initial IPv6 fragment has OPAQUE ports: an
 * entry with ports does not match it, one with ANY ports does. */
static void test_fragment_opaque_ports(void **state)
{
	static const uint8_t frag[] = {IPPROTO_NUM_UDP, 0, 0x05, 0xa8, 0, 0, 0, 1}; /* offset 181 */
	struct ipsec *ctx = ipsec_new(NULL, NULL);
	struct ipsec_spd_entry by_port = {
	        .action = IPSEC_ACTION_DISCARD,
	        .sel = {.protocol = IPPROTO_NUM_UDP, .remote_port = {2000, 2000}}};
	struct ipsec_spd_entry any = {.action = IPSEC_ACTION_BYPASS,
	                              .sel = {.protocol = IPPROTO_NUM_UDP}};
	uint8_t pkt[256], wire[512];
	size_t len, wlen;
	enum ipsec_drop r;
	char err[128];

	(void)state;
	assert_int_equal(ipsec_spd_add(ctx, &by_port, err, sizeof(err)), 0);
	assert_int_equal(ipsec_spd_add(ctx, &any, err, sizeof(err)), 0);
	ipsec_spd_set_default(ctx, IPSEC_ACTION_DISCARD);
	len = build_udp6(pkt, "2001:db8::1", "2001:db8::2", 0, NULL, 0, 10, 0);
	assert_int_equal(ipsec_output(ctx, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP); /* port 2000: the first entry */
	len = build_udp6(pkt, "2001:db8::1", "2001:db8::2", IPPROTO_NUM_FRAGMENT, frag,
	                 sizeof(frag), 10, 0);
	assert_int_equal(ipsec_output(ctx, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_BYPASS); /* OPAQUE: only the ANY entry */
	ipsec_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_transport_after_extension_headers),
	        cmocka_unit_test(test_tunnel_families),
	        cmocka_unit_test(test_ecn_decap_v6),
	        cmocka_unit_test(test_family_and_malformed),
	        cmocka_unit_test(test_fragment_opaque_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
