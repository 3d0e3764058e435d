/* Tunnel mode outer header (RFC 4301 §5.1.2.1) and ECN (RFC 6040). */
#include "harness.h"

#include "esp.h"
#include "tunnel.h"

#include <string.h>

#define GW_A A4(192, 0, 2, 1)
#define GW_B A4(192, 0, 2, 2)
#define SRC A4(10, 0, 1, 5)
#define DST A4(10, 0, 2, 7)

/* RFC 6040 §4.2 Figure 4: rows inner, columns outer (Not-ECT, ECT(0),
 * ECT(1), CE); -1 = drop. */
static void test_ecn_decap_table(void **state)
{
	(void)state;
	static const int want[4][4] = {
	        /* inner Not-ECT */ {ECN_NOT_ECT, ECN_NOT_ECT, ECN_NOT_ECT, -1},
	        /* inner ECT(0) */ {ECN_ECT0, ECN_ECT0, ECN_ECT1, ECN_CE},
	        /* inner ECT(1) */ {ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE},
	        /* inner CE */ {ECN_CE, ECN_CE, ECN_CE, ECN_CE},
	};
	static const uint8_t code[4] = {ECN_NOT_ECT, ECN_ECT0, ECN_ECT1, ECN_CE};

	for (int i = 0; i < 4; i++)
		for (int o = 0; o < 4; o++)
			assert_int_equal(tunnel_ecn_decap(code[i], code[o]), want[i][o]);
	/* RFC 6040 §4.1 normal mode: copy on encapsulation. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(tunnel_ecn_encap(code[i]), code[i]);
}

/* RFC 1071: the 32-bit-at-a-time sum equals the sum of 16-bit words,
 * an odd last byte padded with zero, for every length and byte value. */
static void test_inet_checksum(void **state)
{
	(void)state;
	uint8_t data[64];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 157 + 0xf3);
	for (size_t len = 0; len <= sizeof(data); len++) {
		uint32_t sum = 0;

		for (size_t i = 0; i < len; i += 2)
			sum += (uint32_t)data[i] << 8 | (i + 1 < len ? data[i + 1] : 0);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		assert_int_equal(inet_checksum(data, len), (uint16_t)~sum);
	}
}

static struct ipsec_sa_config tcfg(uint32_t spi)
{
	return sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, spi, GW_A, GW_B,
	              IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
}

static size_t protect(struct pair *p, const uint8_t *pkt, size_t len, uint8_t *wire)
{
	size_t wlen = 0;
	enum ipsec_drop r;

	assert_int_equal(ipsec_output(p->a, pkt, len, wire, BUF, &wlen, &r), IPSEC_VERDICT_PROTECT);
	assert_int_equal(inet_checksum(wire, 20), 0);
	return wlen;
}

static void test_ecn_through_tunnel(void **state)
{
	(void)state;
	for (int proto = 0; proto < 2; proto++) {
		struct ipsec_sa_config c = tcfg(0x100);
		struct pair p;
		uint8_t pkt[BUF], wire[BUF], out[BUF];
		size_t len = build_udp(pkt, SRC, DST, 1, 2, 50), wlen, olen;
		enum ipsec_drop r;

		if (proto) {
			c.protocol = IPSEC_PROTO_AH;
			c.enc = IPSEC_ENC_NULL;
			c.enc_key_len = 0;
			c.integ = IPSEC_INTEG_HMAC_SHA256_128;
			c.integ_key_len = 32;
		}
		pair_setup(&p, &c, 0);
		/* Inner ECT(0): outer ECT(0); congestion marked on the way (CE
		 * in the outer header) reaches the inner header. */
		set_tos(pkt, 0x28 | ECN_ECT0);
		wlen = protect(&p, pkt, len, wire);
		assert_int_equal(wire[1] & 3, ECN_ECT0);
		set_tos(wire, (uint8_t)((wire[1] & 0xfc) | ECN_CE));
		assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
		                 IPSEC_VERDICT_DELIVER);
		assert_int_equal(out[1], 0x28 | ECN_CE);
		assert_int_equal(inet_checksum(out, 20), 0);
		assert_memory_equal(out + 2, pkt + 2, 8);
		assert_memory_equal(out + 12, pkt + 12, len - 12);
		/* Inner CE: outer CE too (normal mode copies). */
		set_tos(pkt, ECN_CE);
		wlen = protect(&p, pkt, len, wire);
		assert_int_equal(wire[1] & 3, ECN_CE);
		/* Inner Not-ECT, outer CE: drop (RFC 6040 §4.2). */
		set_tos(pkt, 0);
		wlen = protect(&p, pkt, len, wire);
		assert_int_equal(wire[1] & 3, ECN_NOT_ECT);
		set_tos(wire, ECN_CE);
		assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
		                 IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_MALFORMED);
		/* Outer ECT(1) over inner ECT(0) gives ECT(1). */
		set_tos(pkt, ECN_ECT0);
		wlen = protect(&p, pkt, len, wire);
		set_tos(wire, ECN_ECT1);
		assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
		                 IPSEC_VERDICT_DELIVER);
		assert_int_equal(out[1] & 3, ECN_ECT1);
		pair_teardown(&p);
	}
}

/* RFC 4301 §5.1.2.1: DSCP copied or 0, DF copy/set/clear, fresh TTL and ID;
 * the inner header is untouched. */
static void test_outer_header_fields(void **state)
{
	(void)state;
	static const enum ipsec_df dfs[] = {IPSEC_DF_COPY, IPSEC_DF_SET, IPSEC_DF_CLEAR};

	for (int d = 0; d < 3; d++) {
		for (int copy = 0; copy < 2; copy++) {
			struct ipsec_sa_config c = tcfg(0x200);
			struct pair p;
			uint8_t pkt[BUF], wire[BUF];
			size_t len = build_udp(pkt, SRC, DST, 1, 2, 50);
			struct ipv4_view o;
			uint16_t id0;

			c.df = dfs[d];
			c.copy_dscp = copy;
			c.ttl = copy ? 17 : 0;
			pair_setup(&p, &c, 64);
			set_tos(pkt, 0xb8 | ECN_ECT1); /* EF */
			set_ttl(pkt, 9);
			for (int df = 0; df < 2; df++) {
				set_frag(pkt, df ? IPV4_DF : 0);
				protect(&p, pkt, len, wire);
				assert_int_equal(ipv4_parse(wire, BUF, &o), 0);
				assert_int_equal(o.hdr_len, 20);
				assert_int_equal(o.src, GW_A);
				assert_int_equal(o.dst, GW_B);
				assert_int_equal(o.proto, IPPROTO_NUM_ESP);
				assert_int_equal(o.tos, (copy ? 0xb8 : 0) | ECN_ECT1);
				assert_int_equal(o.ttl, copy ? 17 : 64);
				assert_int_equal(o.frag,
				                 dfs[d] == IPSEC_DF_SET ||
				                                 (dfs[d] == IPSEC_DF_COPY && df)
				                         ? IPV4_DF
				                         : 0);
				pair_roundtrip(&p, pkt, len);
			}
			/* Fresh IDs, one per packet. */
			protect(&p, pkt, len, wire);
			id0 = get_be16(wire + 4);
			protect(&p, pkt, len, wire);
			assert_int_equal(get_be16(wire + 4), (uint16_t)(id0 + 1));
			pair_teardown(&p);
		}
	}
}

/* Tunnel mode: the inner packet must be IPv4 (next header 4). */
static void test_inner_not_ipv4(void **state)
{
	(void)state;
	struct ipsec_sa_config c = tcfg(0x300);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], out[BUF];
	size_t len = build_udp(pkt, SRC, DST, 1, 2, 50), wlen, olen;
	struct esp_test_opts o = {.next_header = IPPROTO_NUM_TCP};
	enum ipsec_drop r;

	pair_setup(&p, &c, 64);
	assert_int_equal(ipsec_output_opts(p.a, pkt, len, wire, sizeof(wire), &wlen, &r, &o),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(ipsec_input(p.b, wire, wlen, out, sizeof(out), &olen, NULL, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	/* A "packet" that is not IPv4 inside. */
	pkt[0] = 0x60;
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	pair_teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_inet_checksum),
	        cmocka_unit_test(test_ecn_decap_table),
	        cmocka_unit_test(test_ecn_through_tunnel),
	        cmocka_unit_test(test_outer_header_fields),
	        cmocka_unit_test(test_inner_not_ipv4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
