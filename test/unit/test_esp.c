/* ESP (RFC 4303) behaviour: round trips for every transform combination in
 * both modes, wire layout, UDP encapsulation (RFC 3948), ESN, sequence
 * exhaustion, dummy packets, tampering and truncation. */
#include "harness.h"

#include "crypto.h"
#include "esp.h"

#include <string.h>

#define SRC A4(10, 0, 1, 5)
#define DST A4(10, 0, 2, 7)
#define GW_A A4(192, 0, 2, 1)
#define GW_B A4(192, 0, 2, 2)

struct combo {
	enum ipsec_enc enc;
	enum ipsec_integ integ;
};

static const struct combo combos[] = {
        {IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128},
        {IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192},
        {IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA512_256},
        {IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_NONE},
        {IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128},
        {IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA384_192},
        {IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA512_256},
        {IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_NONE},
        {IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA256_128},
        {IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA384_192},
        {IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA512_256},
        {IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE},
        {IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE},
        {IPSEC_ENC_AES_GMAC_128, IPSEC_INTEG_NONE},
        {IPSEC_ENC_AES_GMAC_256, IPSEC_INTEG_NONE},
        {IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE},
};

static const size_t payload_sizes[] = {0, 1, 2, 3, 13, 14, 15, 16, 17, 64, 1400};

static void check_wire(const struct ipsec_sa_config *c, const uint8_t *pkt, size_t len,
                       const uint8_t *wire, size_t wlen, uint64_t seq)
{
	const struct enc_transform *e = enc_transform(c->enc);
	size_t icv = e->icv_len ? e->icv_len : integ_transform(c->integ)->icv_len;
	bool tunnel = c->mode == IPSEC_MODE_TUNNEL;
	bool encap = c->encap_dport != 0;
	size_t plen = tunnel ? len : len - IPV4_HDR_LEN;
	size_t align = e->block_size > 4 ? e->block_size : 4;
	size_t ct = plen + 2 + (align - (plen + 2) % align) % align;
	size_t off = IPV4_HDR_LEN + (encap ? 8 : 0);
	struct ipv4_view ip;

	assert_int_equal(ipv4_parse(wire, wlen, &ip), 0);
	assert_int_equal(ip.total_len, wlen);
	assert_int_equal(inet_checksum(wire, IPV4_HDR_LEN), 0);
	assert_int_equal(ip.proto, encap ? IPPROTO_NUM_UDP : IPPROTO_NUM_ESP);
	assert_int_equal(wlen, off + ESP_HDR_LEN + e->iv_len + ct + icv);
	if (tunnel) {
		assert_int_equal(ip.src, ip_addr_v4_value(&c->src));
		assert_int_equal(ip.dst, ip_addr_v4_value(&c->dst));
	} else {
		assert_int_equal(ip.src, get_be32(pkt + 12));
		assert_int_equal(ip.id, get_be16(pkt + 4));
	}
	if (encap) {
		/* RFC 3948 §2.1 */
		assert_int_equal(get_be16(wire + 20), c->encap_sport);
		assert_int_equal(get_be16(wire + 22), c->encap_dport);
		assert_int_equal(get_be16(wire + 24), wlen - 20);
		assert_int_equal(get_be16(wire + 26), 0);
	}
	assert_int_equal(get_be32(wire + off), c->spi);
	assert_int_equal(get_be32(wire + off + 4), (uint32_t)seq);
	if (e->iv_len == 8) /* counter IV = sequence number */
		assert_int_equal(get_be32(wire + off + 12), (uint32_t)seq);
	if (len >= 20 + 16) {
		const uint8_t *p = pkt + 20;
		bool visible = contains(wire + off, wlen - off, p, 16);

		/* Confidentiality unless NULL or GMAC (RFC 4543: auth only). */
		assert_int_equal(visible, c->enc == IPSEC_ENC_NULL || e->gmac);
	}
}

static void roundtrip_all(enum ipsec_mode mode, uint16_t encap)
{
	for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		struct ipsec_sa_config c = sa_cfg(
		        IPSEC_DIR_OUT, IPSEC_PROTO_ESP, mode, 0x1000 + (uint32_t)i,
		        mode == IPSEC_MODE_TUNNEL ? GW_A : SRC,
		        mode == IPSEC_MODE_TUNNEL ? GW_B : DST, combos[i].enc, combos[i].integ);
		struct pair p;
		uint64_t seq = 0, bytes = 0;

		c.encap_sport = c.encap_dport = encap;
		pair_setup(&p, &c, 64);
		for (size_t s = 0; s < sizeof(payload_sizes) / sizeof(payload_sizes[0]); s++) {
			uint8_t pkt[BUF], wire[BUF];
			size_t len =
			        (s % 2) ? build_udp(pkt, SRC, DST, 1000, 2000, payload_sizes[s])
			                : build_tcp(pkt, SRC, DST, 1000, 2000, payload_sizes[s]);
			size_t wlen;
			enum ipsec_drop r;

			pair_roundtrip(&p, pkt, len);
			seq++;
			bytes += mode == IPSEC_MODE_TUNNEL ? len : len - 20;
			/* Protect again to inspect the layout. */
			assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
			                 IPSEC_VERDICT_PROTECT);
			seq++;
			bytes += mode == IPSEC_MODE_TUNNEL ? len : len - 20;
			check_wire(&c, pkt, len, wire, wlen, seq);
		}
		assert_int_equal(ipsec_sa_stats(p.a, p.out)->packets, seq);
		assert_int_equal(ipsec_sa_stats(p.a, p.out)->bytes, bytes);
		assert_int_equal(ipsec_sa_stats(p.a, p.out)->seq, seq);
		assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, seq / 2);
		for (int d = 0; d < IPSEC_DROP__COUNT; d++) {
			assert_int_equal(ipsec_drops(p.a, d), 0);
			assert_int_equal(ipsec_drops(p.b, d), 0);
		}
		pair_teardown(&p);
	}
}

static void test_roundtrip_transport(void **state)
{
	(void)state;
	roundtrip_all(IPSEC_MODE_TRANSPORT, 0);
}

static void test_roundtrip_tunnel(void **state)
{
	(void)state;
	roundtrip_all(IPSEC_MODE_TUNNEL, 0);
}

static void test_roundtrip_udp_encap(void **state)
{
	(void)state;
	roundtrip_all(IPSEC_MODE_TUNNEL, 4500);
	roundtrip_all(IPSEC_MODE_TRANSPORT, 4500);
}

/* RFC 3948 §2.2/§2.3: IKE (zero non-ESP marker) and NAT-keepalives on 4500
 * are not ESP; other traffic is not ours either. */
static void test_udp_4500_demux(void **state)
{
	(void)state;
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	uint8_t pkt[BUF], out[BUF];
	size_t len, olen;
	uint32_t via;
	enum ipsec_drop r;

	len = build_udp(pkt, GW_A, GW_B, 4500, 4500, 40);
	memset(pkt + 28, 0, 4);
	assert_int_equal(ipsec_input(ctx, pkt, len, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_BYPASS);
	len = build_udp(pkt, GW_A, GW_B, 4500, 4500, 1);
	pkt[28] = 0xff;
	assert_int_equal(ipsec_input(ctx, pkt, len, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_BYPASS);
	len = build_udp(pkt, GW_A, GW_B, 500, 500, 40);
	assert_int_equal(ipsec_input(ctx, pkt, len, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_BYPASS);
	len = build_tcp(pkt, GW_A, GW_B, 1, 2, 10);
	assert_int_equal(ipsec_input(ctx, pkt, len, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_BYPASS);
	/* An ESP-in-UDP packet with an unknown SPI is ESP: no_sa. */
	len = build_udp(pkt, GW_A, GW_B, 4500, 4500, 40);
	put_be32(pkt + 28, 0xdeadbeef);
	assert_int_equal(ipsec_input(ctx, pkt, len, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_NO_SA);
	assert_int_equal(ipsec_drops(ctx, IPSEC_DROP_NO_SA), 1);
	ipsec_free(ctx);
}

static size_t protect(struct pair *p, const uint8_t *pkt, size_t len, uint8_t *wire)
{
	size_t wlen = 0;
	enum ipsec_drop r;

	assert_int_equal(ipsec_output(p->a, pkt, len, wire, BUF, &wlen, &r), IPSEC_VERDICT_PROTECT);
	return wlen;
}

static enum ipsec_drop expect_drop(struct ipsec *ctx, const uint8_t *w, size_t wlen)
{
	uint8_t out[BUF];
	size_t olen;
	uint32_t via;
	enum ipsec_drop r = IPSEC_DROP__COUNT;

	assert_int_equal(ipsec_input(ctx, w, wlen, out, sizeof(out), &olen, &via, &r),
	                 IPSEC_VERDICT_DROP);
	return r;
}

static void deliver(struct ipsec *ctx, const uint8_t *w, size_t wlen, const uint8_t *want,
                    size_t want_len)
{
	uint8_t out[BUF];
	size_t olen = 0;
	uint32_t via;
	enum ipsec_drop r = IPSEC_DROP__COUNT;

	if (ipsec_input(ctx, w, wlen, out, sizeof(out), &olen, &via, &r) != IPSEC_VERDICT_DELIVER)
		fail_msg("dropped: %s", ipsec_drop_name(r));
	assert_int_equal(olen, want_len);
	assert_memory_equal(out, want, want_len);
}

/* RFC 4303 §2.2.1: with ESN only the low half is sent; the high half is
 * inferred (Appendix A2) and covered by the ICV or AAD.  Crossing 2^32. */
static void esn_cross(enum ipsec_enc enc, enum ipsec_integ integ, enum ipsec_mode mode)
{
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, mode, 0x2222, GW_A, GW_B, enc, integ);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, GW_A, GW_B, 5, 6, 100);

	c.esn = true;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = 0xfffffffdull;
	test_sa(p.b, p.in)->replay.top = 0xfffffff0ull;
	for (int i = 0; i < 5; i++) {
		size_t wlen = protect(&p, pkt, len, wire);
		uint64_t seq = 0xfffffffeull + (uint64_t)i;

		assert_int_equal(get_be32(wire + 24), (uint32_t)seq);
		deliver(p.b, wire, wlen, pkt, len);
		assert_int_equal(ipsec_sa_stats(p.b, p.in)->seq, seq);
	}
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->seq, 0x100000002ull);
	pair_teardown(&p);
}

static void test_esn_crosses_2_32(void **state)
{
	(void)state;
	esn_cross(IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, IPSEC_MODE_TUNNEL);
	esn_cross(IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128, IPSEC_MODE_TRANSPORT);
	esn_cross(IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE, IPSEC_MODE_TRANSPORT);
	esn_cross(IPSEC_ENC_AES_GMAC_128, IPSEC_INTEG_NONE, IPSEC_MODE_TUNNEL);
	esn_cross(IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA512_256, IPSEC_MODE_TUNNEL);
}

/* The high half really is authenticated: ICV = HMAC(SPI..NH || seq_hi)
 * (RFC 4303 §3.3.2.1), and the GCM AAD is SPI || seq_hi || seq_lo
 * (RFC 4106 §5). */
static void test_esn_high_bits_authenticated(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x3333, GW_A, GW_B,
	               IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], icv[32], hi[4];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 100), wlen;
	struct sa_crypto mac;
	char err[128];

	c.esn = true;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = 0x500000000ull;
	wlen = protect(&p, pkt, len, wire);
	assert_int_equal(get_be32(wire + 24), 1);
	assert_int_equal(sa_crypto_init(&mac, IPSEC_ENC_NULL, c.integ, NULL, c.integ_key, true, err,
	                                sizeof(err)),
	                 0);
	put_be32(hi, 5);
	struct crypto_buf with[2] = {{wire + 20, wlen - 20 - 16}, {hi, 4}};
	assert_int_equal(crypto_hmac(&mac, with, 2, icv), 0);
	assert_memory_equal(icv, wire + wlen - 16, 16);
	assert_int_equal(crypto_hmac(&mac, with, 1, icv), 0);
	assert_memory_not_equal(icv, wire + wlen - 16, 16);
	sa_crypto_free(&mac);
	/* A receiver at high half 0 infers hi = 0 or 1: the ICV fails. */
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_ICV_FAIL);
	test_sa(p.b, p.in)->replay.top = 0x4fffffff0ull;
	deliver(p.b, wire, wlen, pkt, len);
	pair_teardown(&p);

	/* GCM: the same packet opened with the 8-byte AAD fails. */
	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x3334, GW_A, GW_B,
	           IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	c.esn = true;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = 0x500000000ull;
	wlen = protect(&p, pkt, len, wire);
	{
		struct ipsec_sa_config nc = sa_cfg_in(&c, 64);
		struct ipsec *rx = ipsec_new(&test_ops, &p.hb);

		nc.esn = false;
		add_sa(rx, &nc);
		assert_int_equal(expect_drop(rx, wire, wlen), IPSEC_DROP_ICV_FAIL);
		ipsec_free(rx);
	}
	test_sa(p.b, p.in)->replay.top = 0x500000000ull;
	deliver(p.b, wire, wlen, pkt, len);
	pair_teardown(&p);
}

/* RFC 4303 §3.3.3: the counter never wraps; the SA refuses and says so once. */
static void seq_exhaust(bool esn, uint64_t start)
{
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x4444,
	                                  GW_A, GW_B, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 10), wlen;
	enum ipsec_drop r;

	c.esn = esn;
	pair_setup(&p, &c, 64);
	test_sa(p.a, p.out)->seq_out = start;
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(get_be32(wire + 24), 0xffffffffu);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
		                 IPSEC_VERDICT_DROP);
		assert_int_equal(r, IPSEC_DROP_SEQ_EXHAUSTED);
	}
	assert_int_equal(ipsec_drops(p.a, IPSEC_DROP_SEQ_EXHAUSTED), 3);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->drops[IPSEC_DROP_SEQ_EXHAUSTED], 3);
	assert_int_equal(ipsec_sa_stats(p.a, p.out)->packets, 1);
	assert_int_equal(p.ha.nevents, 1);
	assert_int_equal(p.ha.events[0].type, IPSEC_EV_SEQ_EXHAUSTED);
	assert_int_equal(p.ha.events[0].sa_id, p.out);
	pair_teardown(&p);
}

static void test_seq_exhausted(void **state)
{
	(void)state;
	seq_exhaust(false, 0xfffffffeull);
	seq_exhaust(true, UINT64_MAX - 1);
}

/* RFC 4303 §2.6: a dummy packet (next header 59) is authenticated, then
 * discarded; it still moves the replay window. */
static void test_dummy_packet(void **state)
{
	(void)state;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x5555,
	                                  GW_A, GW_B, IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 30), wlen;
	struct esp_test_opts o = {.next_header = IPPROTO_NUM_NONE};
	enum ipsec_drop r;

	pair_setup(&p, &c, 64);
	assert_int_equal(ipsec_output_opts(p.a, pkt, len, wire, sizeof(wire), &wlen, &r, &o),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_DUMMY);
	assert_int_equal(ipsec_drops(p.b, IPSEC_DROP_DUMMY), 1);
	assert_string_equal(ipsec_drop_name(IPSEC_DROP_DUMMY), "dummy");
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_REPLAY);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->packets, 0);
	pair_teardown(&p);
}

/* Any bit flipped after the SPI fails the ICV; failures leave the window
 * alone, so the genuine packet is still accepted afterwards. */
static void tamper(enum ipsec_enc enc, enum ipsec_integ integ, enum ipsec_mode mode)
{
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, mode, 0x6666, GW_A, GW_B, enc, integ);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], bad[BUF];
	size_t len = build_udp(pkt, GW_A, GW_B, 5, 6, 50), wlen;

	c.encap_sport = c.encap_dport = 0;
	pair_setup(&p, &c, 64);
	wlen = protect(&p, pkt, len, wire);
	for (size_t i = 24; i < wlen; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(bad, wire, wlen);
			bad[i] ^= (uint8_t)(1 << bit);
			/* Sequence number 0 is never valid: a replay. */
			assert_int_equal(expect_drop(p.b, bad, wlen), get_be32(bad + 24)
			                                                      ? IPSEC_DROP_ICV_FAIL
			                                                      : IPSEC_DROP_REPLAY);
		}
	}
	/* SPI bits: no SA. */
	memcpy(bad, wire, wlen);
	bad[21] ^= 0x10;
	assert_int_equal(expect_drop(p.b, bad, wlen), IPSEC_DROP_NO_SA);
	assert_int_equal(ipsec_sa_stats(p.b, p.in)->seq, 0);
	assert_true(ipsec_sa_stats(p.b, p.in)->drops[IPSEC_DROP_ICV_FAIL] > 0);
	deliver(p.b, wire, wlen, pkt, len);
	pair_teardown(&p);
}

static void test_tamper_icv_fail(void **state)
{
	(void)state;
	tamper(IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, IPSEC_MODE_TUNNEL);
	tamper(IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA384_192, IPSEC_MODE_TRANSPORT);
	tamper(IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128, IPSEC_MODE_TUNNEL);
	tamper(IPSEC_ENC_AES_GMAC_256, IPSEC_INTEG_NONE, IPSEC_MODE_TRANSPORT);
	tamper(IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE, IPSEC_MODE_TUNNEL);
}

static void test_truncated_malformed(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x7777, GW_A, GW_B,
	               IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF], bad[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 50), wlen;

	pair_setup(&p, &c, 64);
	wlen = protect(&p, pkt, len, wire);
	/* Buffer shorter than the IP total length. */
	assert_int_equal(expect_drop(p.b, wire, wlen - 1), IPSEC_DROP_MALFORMED);
	/* Consistent lengths, but cut into the ESP packet. */
	for (size_t cut = 1; cut < wlen - 20; cut++) {
		size_t n = wlen - cut;
		enum ipsec_drop r;

		memcpy(bad, wire, n);
		put_be16(bad + 2, (uint16_t)n);
		ipv4_set_checksum(bad);
		r = expect_drop(p.b, bad, n);
		if (n < 20 + 8)
			assert_int_equal(r, IPSEC_DROP_MALFORMED);
		else if (n < 20 + 8 + 16 + 16 + 2 || (n - 20 - 8 - 16 - 16) % 16)
			assert_int_equal(r, IPSEC_DROP_MALFORMED); /* CBC blocks */
		else
			assert_int_equal(r, IPSEC_DROP_ICV_FAIL);
	}
	/* Not IPv4 at all. */
	memcpy(bad, wire, wlen);
	bad[0] = 0x65;
	assert_int_equal(expect_drop(p.b, bad, wlen), IPSEC_DROP_MALFORMED);
	/* An ESP fragment (RFC 4303 §3.4.1). */
	memcpy(bad, wire, wlen);
	set_frag(bad, IPV4_MF);
	assert_int_equal(expect_drop(p.b, bad, wlen), IPSEC_DROP_MALFORMED);
	deliver(p.b, wire, wlen, pkt, len);
	pair_teardown(&p);
}

static void test_unknown_spi(void **state)
{
	(void)state;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x8888,
	                                  GW_A, GW_B, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 50), wlen;

	pair_setup(&p, &c, 64);
	wlen = protect(&p, pkt, len, wire);
	put_be32(wire + 20, 0x8889);
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_NO_SA);
	/* Right SPI, wrong destination address: a different SA. */
	put_be32(wire + 20, 0x8888);
	put_be32(wire + 16, GW_A);
	ipv4_set_checksum(wire);
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_NO_SA);
	assert_int_equal(ipsec_drops(p.b, IPSEC_DROP_NO_SA), 2);
	pair_teardown(&p);
}

/* RFC 4303 §2.4: we check the default 1, 2, 3... padding.  Build an
 * authentic packet with wrong padding (NULL encryption makes it visible). */
static void test_bad_padding_malformed(void **state)
{
	(void)state;
	struct ipsec_sa_config c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0x9999,
	                                  GW_A, GW_B, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 13), wlen; /* 41 bytes: 1 pad byte */
	struct sa_crypto mac;
	char err[128];

	pair_setup(&p, &c, 64);
	wlen = protect(&p, pkt, len, wire);
	assert_int_equal(wire[wlen - 16 - 2], 1); /* pad length */
	assert_int_equal(wire[wlen - 16 - 3], 1); /* the pad byte */
	assert_int_equal(wire[wlen - 16 - 1], 4); /* next header: IPv4 */
	wire[wlen - 16 - 3] = 0x77;
	assert_int_equal(sa_crypto_init(&mac, IPSEC_ENC_NULL, c.integ, NULL, c.integ_key, true, err,
	                                sizeof(err)),
	                 0);
	struct crypto_buf b = {wire + 20, wlen - 20 - 16};
	assert_int_equal(crypto_hmac(&mac, &b, 1, wire + wlen - 16), 0);
	sa_crypto_free(&mac);
	assert_int_equal(expect_drop(p.b, wire, wlen), IPSEC_DROP_MALFORMED);
	pair_teardown(&p);
}

/* RFC 4301: transport mode protects whole packets only; tunnel mode carries
 * fragments. */
static void test_fragments(void **state)
{
	(void)state;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 64), wlen;
	enum ipsec_drop r;
	struct pair p;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, 0xaaaa, SRC, DST,
	               IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);

	set_frag(pkt, IPV4_MF);
	pair_setup(&p, &c, 64);
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	set_frag(pkt, 100); /* a non-initial fragment */
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(ipsec_drops(p.a, IPSEC_DROP_MALFORMED), 2);
	pair_teardown(&p);

	c = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0xaaab, GW_A, GW_B,
	           IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE);
	pair_setup(&p, &c, 64);
	set_frag(pkt, IPV4_MF);
	pair_roundtrip(&p, pkt, len);
	set_frag(pkt, 100);
	pair_roundtrip(&p, pkt, len);
	pair_teardown(&p);
}

static void test_output_errors(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0xbbbb, GW_A, GW_B,
	               IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], wire[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 64), wlen;
	enum ipsec_drop r;

	pair_setup(&p, &c, 64);
	/* CBC needs random IVs: a failing source is a crypto error. */
	p.ha.random_fail = 1;
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_CRYPTO_ERROR);
	p.ha.random_fail = 0;
	/* Output buffer too small. */
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, len + 10, &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	/* Exactly len + IPSEC_MAX_OVERHEAD is always enough. */
	assert_int_equal(ipsec_output(p.a, pkt, len, wire, len + IPSEC_MAX_OVERHEAD, &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	/* Garbage in. */
	assert_int_equal(ipsec_output(p.a, pkt, 10, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_MALFORMED);
	/* Trailing bytes beyond the IP total length are ignored. */
	pkt[len] = 0xee;
	assert_int_equal(ipsec_output(p.a, pkt, len + 1, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	deliver(p.b, wire, wlen, pkt, len);
	pair_teardown(&p);
}

/* CBC IVs come from the host's random source, fresh per packet. */
static void test_cbc_iv_random(void **state)
{
	(void)state;
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, 0xcccc, GW_A, GW_B,
	               IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128);
	struct pair p;
	uint8_t pkt[BUF], w1[BUF], w2[BUF];
	size_t len = build_udp(pkt, SRC, DST, 5, 6, 64);

	pair_setup(&p, &c, 64);
	protect(&p, pkt, len, w1);
	protect(&p, pkt, len, w2);
	assert_memory_not_equal(w1 + 28, w2 + 28, 16);
	assert_memory_not_equal(w1 + 44, w2 + 44, 16);
	pair_teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip_transport),
	        cmocka_unit_test(test_roundtrip_tunnel),
	        cmocka_unit_test(test_roundtrip_udp_encap),
	        cmocka_unit_test(test_udp_4500_demux),
	        cmocka_unit_test(test_esn_crosses_2_32),
	        cmocka_unit_test(test_esn_high_bits_authenticated),
	        cmocka_unit_test(test_seq_exhausted),
	        cmocka_unit_test(test_dummy_packet),
	        cmocka_unit_test(test_tamper_icv_fail),
	        cmocka_unit_test(test_truncated_malformed),
	        cmocka_unit_test(test_unknown_spi),
	        cmocka_unit_test(test_bad_padding_malformed),
	        cmocka_unit_test(test_fragments),
	        cmocka_unit_test(test_output_errors),
	        cmocka_unit_test(test_cbc_iv_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
