/* Known-answer tests: every transform against published vectors
 * (/work/shared/vectors/vectors.md), in both directions. */
#include "harness.h"

#include "crypto.h"
#include "esp.h"

#include <string.h>

struct kat {
	enum ipsec_mode mode;
	enum ipsec_enc enc;
	uint32_t spi;
	uint64_t seq;
	const char *keymat;
	const char *iv;
	const char *plain; /* the packet given to ipsec_output */
	const char *wire;  /* the published packet */
	size_t cmp_from;   /* compare from here (skip a non-RFC outer header) */
	uint32_t src, dst; /* SA endpoints */
	bool iv_from_random;
};

static void run_kat(const struct kat *k)
{
	struct test_host h = {0};
	struct ipsec *ctx = ipsec_new(&test_ops, &h);
	struct ipsec_sa_config cfg = sa_cfg(IPSEC_DIR_OUT, IPSEC_PROTO_ESP, k->mode, k->spi, k->src,
	                                    k->dst, k->enc, IPSEC_INTEG_NONE);
	uint8_t plain[BUF], wire[BUF], iv[16], out[BUF], back[BUF];
	size_t plen = hex(k->plain, plain), wlen = hex(k->wire, wire), ivlen = hex(k->iv, iv);
	size_t olen = 0, blen = 0;
	struct esp_test_opts opts = {.iv = iv, .next_header = -1};
	enum ipsec_drop r;
	struct ipsec *rx;
	struct test_host hr = {0};
	uint32_t out_id, in_id, via = 0;

	cfg.enc_key_len = hex(k->keymat, cfg.enc_key);
	out_id = add_sa(ctx, &cfg);
	add_protect_all(ctx, out_id);
	test_sa(ctx, out_id)->seq_out = k->seq - 1;
	if (k->iv_from_random) {
		h.iv = iv;
		h.iv_len = ivlen;
	}
	assert_int_equal(ipsec_output_opts(ctx, plain, plen, out, sizeof(out), &olen, &r,
	                                   k->iv_from_random ? NULL : &opts),
	                 IPSEC_VERDICT_PROTECT);
	assert_int_equal(olen - k->cmp_from, wlen - k->cmp_from);
	assert_memory_equal(out + k->cmp_from, wire + k->cmp_from, wlen - k->cmp_from);
	assert_int_equal(ipsec_sa_stats(ctx, out_id)->seq, k->seq);

	/* Decrypt direction: the published packet through ipsec_input. */
	rx = ipsec_new(&test_ops, &hr);
	cfg.dir = IPSEC_DIR_IN;
	cfg.replay_window = 64;
	cfg.dst = ip_addr_v4(get_be32(wire + 16));
	in_id = add_sa(rx, &cfg);
	assert_int_equal(ipsec_input(rx, wire, wlen, back, sizeof(back), &blen, &via, &r),
	                 IPSEC_VERDICT_DELIVER);
	assert_int_equal(via, in_id);
	assert_int_equal(blen, plen);
	assert_memory_equal(back, plain, plen);
	assert_int_equal(ipsec_sa_stats(rx, in_id)->seq, k->seq);
	/* The same packet again is a replay (RFC 4303 §3.4.3). */
	assert_int_equal(ipsec_input(rx, wire, wlen, back, sizeof(back), &blen, &via, &r),
	                 IPSEC_VERDICT_DROP);
	assert_int_equal(r, IPSEC_DROP_REPLAY);
	ipsec_free(rx);
	ipsec_free(ctx);
}

/* RFC 3602 §4 Case #5: ESP transport, AES-128-CBC, no integrity.  The whole
 * packet, outer header included, is as published. */
static void test_rfc3602_case5(void **state)
{
	(void)state;
	struct kat k = {
	        .mode = IPSEC_MODE_TRANSPORT,
	        .enc = IPSEC_ENC_AES_CBC_128,
	        .spi = 0x4321,
	        .seq = 1,
	        .keymat = "90d382b410eeba7ad938c46cec1a82bf",
	        .iv = "e96e8c08ab465763fd098d45dd3ff893",
	        .plain = "4500005408f200004001f9fec0a87b03c0a87b6408000ebda70a00008e9c083d"
	                 "b95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	                 "2425262728292a2b2c2d2e2f3031323334353637",
	        .wire = "4500007c08f200004032f9a5c0a87b03c0a87b640000432100000001e96e8c08"
	                "ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849a4870b66"
	                "cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1"
	                "db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6",
	        .cmp_from = 0,
	        .src = A4(192, 168, 123, 3),
	        .dst = A4(192, 168, 123, 100),
	        .iv_from_random = true,
	};
	run_kat(&k);
}

/* RFC 3602 §4 Case #6: ESP transport, AES-128-CBC, sequence number 8. */
static void test_rfc3602_case6(void **state)
{
	(void)state;
	struct kat k = {
	        .mode = IPSEC_MODE_TRANSPORT,
	        .enc = IPSEC_ENC_AES_CBC_128,
	        .spi = 0x4321,
	        .seq = 8,
	        .keymat = "90d382b410eeba7ad938c46cec1a82bf",
	        .iv = "69d08df7d203329db093fc4924e5bd80",
	        .plain = "4500003008fe00004001fa16c0a87b03c0a87b640800b5e8a80a0500a69c083d"
	                 "0b660e00777777777777777777777777",
	        .wire = "4500004c08fe00004032f9c9c0a87b03c0a87b64000043210000000869d08df7"
	                "d203329db093fc4924e5bd80f51995881ec4e0c4488987ce742e8109689bb379"
	                "d2d750c0d915dca346a89f75",
	        .cmp_from = 0,
	        .src = A4(192, 168, 123, 3),
	        .dst = A4(192, 168, 123, 100),
	        .iv_from_random = true,
	};
	run_kat(&k);
}

/* draft-mcgrew-gcm-test-01 case 2: AES-128-GCM-16 tunnel (RFC 4106).  The
 * outer IPv4 header is OpenDataPlane's, not the draft's: compare from SPI. */
static void test_mcgrew_gcm_case2(void **state)
{
	(void)state;
	struct kat k = {
	        .mode = IPSEC_MODE_TUNNEL,
	        .enc = IPSEC_ENC_AES_GCM16_128,
	        .spi = 0xa5f8,
	        .seq = 0xa,
	        .keymat = "feffe9928665731c6d6a8f9467308308 cafebabe",
	        .iv = "facedbaddecaf888",
	        .plain = "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
	                 "0001000000000000037369700963796265726369747902646b0000010001",
	        .wire = "45000074698f000080324d75c0a80102c0a801010000a5f80000000afacedbad"
	                "decaf888deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d"
	                "114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba9"
	                "5d918bd426f8391b9927d0fcc984561bbbce9fc0",
	        .cmp_from = 20,
	        .src = A4(192, 168, 1, 2),
	        .dst = A4(192, 168, 1, 1),
	};
	run_kat(&k);
}

/* draft-mcgrew-gcm-test-01 case 3: AES-256-GCM-16 tunnel, 2 bytes padding. */
static void test_mcgrew_gcm_case3(void **state)
{
	(void)state;
	struct kat k = {
	        .mode = IPSEC_MODE_TUNNEL,
	        .enc = IPSEC_ENC_AES_GCM16_256,
	        .spi = 0x4a2cbfe3,
	        .seq = 2,
	        .keymat = "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
	                  "11223344",
	        .iv = "0102030405060708",
	        .plain = "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	                 "7002400020bf0000020405b401010402",
	        .wire = "45000068698f000080324d81c0a80102c0a801014a2cbfe30000000201020304"
	                "05060708ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d"
	                "65a5d763748a637985771d347f0545659f14e99def842d8b42f564f52dfdd6ee"
	                "f4f92eadbac23990",
	        .cmp_from = 20,
	        .src = A4(192, 168, 1, 2),
	        .dst = A4(192, 168, 1, 1),
	};
	run_kat(&k);
}

/* draft-mcgrew-gcm-test-01 case 15: AES-128-GMAC (RFC 4543), NULL
 * encryption: the inner packet travels in the clear, authenticated. */
static void test_mcgrew_gmac_case15(void **state)
{
	(void)state;
	struct kat k = {
	        .mode = IPSEC_MODE_TUNNEL,
	        .enc = IPSEC_ENC_AES_GMAC_128,
	        .spi = 0x4321,
	        .seq = 7,
	        .keymat = "4c80cdefbb5d10da906ac73c3613a634 22433c64",
	        .iv = "0000000000000000",
	        .plain = "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	                 "65666768696a6b6c6d6e6f7071727374",
	        .wire = "45000068698f000080324d81c0a80102c0a801010000432100000007000000000"
	                "00000004500003 0da3a00008001df3bc0a800 05c0a800010800c6cd02000700"
	                "6162636465666768696a6b6c6d6e6f707172737401020204594f4055428d399a"
	                "9d66c15e77023a98",
	        .cmp_from = 20,
	        .src = A4(192, 168, 1, 2),
	        .dst = A4(192, 168, 1, 1),
	};
	run_kat(&k);
}

/* RFC 7634 Appendix A: ChaCha20-Poly1305 ESP, tunnel, SPI 0x01020304, seq 5.
 * The appendix gives the ESP packet only; our outer header is ours. */
static void test_rfc7634_appendix_a(void **state)
{
	(void)state;
	uint8_t esp[BUF];
	char wire[1024], *w = wire;
	size_t n = hex("0102030400000005101112131415161724039428b97f417e3c13753a4f05087b"
	               "67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f7"
	               "2aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da"
	               "9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43",
	               esp);
	uint8_t hdr[20];

	ipv4_build(hdr, 0, (uint16_t)(20 + n), 0, 0, 64, IPPROTO_NUM_ESP, A4(203, 0, 113, 1),
	           A4(203, 0, 113, 2));
	for (size_t i = 0; i < 20; i++)
		w += sprintf(w, "%02x", hdr[i]);
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, "%02x", esp[i]);
	struct kat k = {
	        .mode = IPSEC_MODE_TUNNEL,
	        .enc = IPSEC_ENC_CHACHA20_POLY1305,
	        .spi = 0x01020304,
	        .seq = 5,
	        .keymat = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	                  "a0a1a2a3",
	        .iv = "1011121314151617",
	        .plain = "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
	                 "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	                 "2425262728292a2b2c2d2e2f3031323334353637",
	        .wire = wire,
	        .cmp_from = 20,
	        .src = A4(203, 0, 113, 1),
	        .dst = A4(203, 0, 113, 2),
	};
	run_kat(&k);
}

/* RFC 4868 §2.7.2 AUTH vectors, through the per-SA integrity context (used
 * twice to prove the re-keyed context is reset between packets). */
struct hmac_kat {
	enum ipsec_integ integ;
	const char *key, *data, *icv;
};

static void test_rfc4868_auth(void **state)
{
	(void)state;
	/* Keys per RFC 4868 §2.7.2: AUTH-1 0x0b.., AUTH-2 "Jefe".., AUTH-3 0xaa..,
	 * AUTH-4 0x01 0x02 ..; each the full hash length. */
	static const struct hmac_kat v[] = {
	        /* AUTH256-1 */
	        {IPSEC_INTEG_HMAC_SHA256_128,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	         "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5"},
	        /* AUTH256-2 */
	        {IPSEC_INTEG_HMAC_SHA256_128,
	         "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
	         "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	         "167f928588c5cc2eef8e3093caa0e87c"},
	        /* AUTH256-3 */
	        {IPSEC_INTEG_HMAC_SHA256_128,
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	         "dddddddddddddddddddd",
	         "cdcb1220d1ecccea91e53aba3092f962"},
	        /* AUTH256-4 */
	        {IPSEC_INTEG_HMAC_SHA256_128,
	         "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
	         "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	         "cdcdcdcdcdcdcdcdcdcd",
	         "372efcf9b40b35c2115b1346903d2ef4"},
	        /* AUTH384-1 */
	        {IPSEC_INTEG_HMAC_SHA384_192,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	         "0b0b0b0b0b0b0b0b",
	         "4869205468657265", "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
	        /* AUTH384-2 */
	        {IPSEC_INTEG_HMAC_SHA384_192,
	         "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"
	         "4a6566654a656665",
	         "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	         "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
	        /* AUTH384-3 */
	        {IPSEC_INTEG_HMAC_SHA384_192,
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaaaaaaaaaaaaaaa",
	         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	         "dddddddddddddddddddd",
	         "809f439be00274321d4a538652164b53554a508184a0c316"},
	        /* AUTH512-1 */
	        {IPSEC_INTEG_HMAC_SHA512_256,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	         "4869205468657265",
	         "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
	        /* AUTH512-2 */
	        {IPSEC_INTEG_HMAC_SHA512_256,
	         "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"
	         "4a6566654a6566654a6566654a6566654a6566654a656665",
	         "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	         "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
	        /* AUTH512-3 */
	        {IPSEC_INTEG_HMAC_SHA512_256,
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	         "dddddddddddddddddddd",
	         "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t key[64], data[128], want[32], got[32];
		size_t kl = hex(v[i].key, key), dl = hex(v[i].data, data), il = hex(v[i].icv, want);
		struct sa_crypto c;
		char err[128];

		assert_int_equal(kl, integ_transform(v[i].integ)->key_len);
		assert_int_equal(il, integ_transform(v[i].integ)->icv_len);
		assert_int_equal(sa_crypto_init(&c, IPSEC_ENC_NULL, v[i].integ, NULL, key, true,
		                                err, sizeof(err)),
		                 0);
		for (int rep = 0; rep < 2; rep++) {
			struct crypto_buf b[2] = {{data, dl / 2}, {data + dl / 2, dl - dl / 2}};

			memset(got, 0, sizeof(got));
			assert_int_equal(crypto_hmac(&c, b, 2, got), 0);
			assert_memory_equal(got, want, il);
		}
		sa_crypto_free(&c);
	}
}

/* RFC 3602 §4 cases 1-4: raw AES-CBC through the per-SA cipher context. */
static void test_rfc3602_cbc_blocks(void **state)
{
	(void)state;
	static const char *v[][4] = {
	        {"06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
	         "53696e676c6520626c6f636b206d7367", "e353779c1079aeb82708942dbe77181a"},
	        {"c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
	         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	         "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"},
	        {"56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
	         "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c"
	         "8c9"
	         "cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	         "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf8"
	         "6"
	         "8bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55"},
	        {"2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
	         "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e"
	         "5fb"
	         "c1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	         "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7"
	         "1"
	         "16e69e222295163ff1caa1681fac09120eca307586e1a7"},
	};

	for (size_t i = 0; i < 4; i++) {
		uint8_t key[16], iv[16], pt[64], ct[64], buf[64];
		size_t n;
		struct sa_crypto e, d;
		char err[128];

		hex(v[i][0], key);
		hex(v[i][1], iv);
		n = hex(v[i][2], pt);
		assert_int_equal(hex(v[i][3], ct), n);
		assert_int_equal(sa_crypto_init(&e, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_NONE, key,
		                                NULL, true, err, sizeof(err)),
		                 0);
		assert_int_equal(sa_crypto_init(&d, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_NONE, key,
		                                NULL, false, err, sizeof(err)),
		                 0);
		assert_int_equal(crypto_cbc(&e, iv, pt, buf, n), 0);
		assert_memory_equal(buf, ct, n);
		assert_int_equal(crypto_cbc(&d, iv, ct, buf, n), 0);
		assert_memory_equal(buf, pt, n);
		sa_crypto_free(&e);
		sa_crypto_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc3602_case5),
	        cmocka_unit_test(test_rfc3602_case6),
	        cmocka_unit_test(test_rfc3602_cbc_blocks),
	        cmocka_unit_test(test_mcgrew_gcm_case2),
	        cmocka_unit_test(test_mcgrew_gcm_case3),
	        cmocka_unit_test(test_mcgrew_gmac_case15),
	        cmocka_unit_test(test_rfc7634_appendix_a),
	        cmocka_unit_test(test_rfc4868_auth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
