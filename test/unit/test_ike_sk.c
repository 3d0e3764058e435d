/* The IKEv2 Encrypted payload (model/ike/ike_crypto.h; RFC 7296 §3.14,
 * RFC 5282 for AEAD): round trips for every suite, tampering, and the two
 * directions of a pair of derived keys. */
#include "harness.h"

#include "ike_crypto.h"
#include "ike_msg.h"
#include "suite_fixture.h"

#include <string.h>

#define ERRLEN 200

/* Build an INFORMATIONAL-like message with an SK payload for suite s. */
static size_t build_sk_msg(struct ike_sk *out, uint8_t *buf, size_t cap, struct ike_sk_layout *l)
{
	struct ike_header h = {
	        .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_INITIATOR, .message_id = 7};
	struct ike_builder b;
	uint8_t iv[16], ts_spi[4] = {1, 2, 3, 4};
	size_t len;

	memset(h.spi_i, 0xaa, 8);
	memset(h.spi_r, 0xbb, 8);
	ike_builder_init(&b, buf, cap, &h);
	ike_sk_begin(&b, out->sz.iv);
	ike_add_notify(&b, IKE_PROTO_ESP, ts_spi, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_add_delete(&b, IKE_PROTO_ESP, 4, ts_spi, 1);
	ike_add_vendor(&b, (const uint8_t *)"abc", 3);
	ike_sk_end(&b, out->sz.block, out->sz.icv, l);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	for (size_t i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(0xc0 + i);
	assert_int_equal(ike_sk_protect(out, buf, l, iv), 0);
	return len;
}

static void check_opened(struct ike_sk *in, uint8_t *buf, size_t len)
{
	struct ike_msg m;
	struct ike_error e;
	uint8_t *plain;
	size_t plen;
	char err[ERRLEN];
	const struct ike_payload *sk, *n;

	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(m.sk_index, 0);
	sk = &m.p[m.sk_index];
	assert_int_equal(sk->u.sk.first_inner, IKE_PL_NOTIFY);
	assert_int_equal(ike_sk_unprotect(in, buf, sk, &plain, &plen, err, sizeof(err)), 0);
	assert_int_equal(ike_msg_parse_inner(&m, sk->u.sk.first_inner, plain, plen, &e), 0);
	assert_int_equal(m.npayloads, 4);
	n = ike_msg_find_notify(&m, IKE_N_REKEY_SA);
	assert_non_null(n);
	assert_true(n->inner);
	assert_int_equal(n->u.notify.protocol, IKE_PROTO_ESP);
	assert_non_null(ike_msg_find(&m, IKE_PL_DELETE, NULL));
	assert_memory_equal(ike_msg_find(&m, IKE_PL_VENDOR, NULL)->body, "abc", 3);
}

static void test_sk_roundtrip_and_tamper(void **state)
{
	(void)state;
	uint8_t ke[IKE_ENCR_KEY_MAX], ka[IKE_INTEG_KEY_MAX];
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)(3 * i + 1);
	for (size_t i = 0; i < sizeof(ka); i++)
		ka[i] = (uint8_t)(5 * i + 2);
	for (size_t s = 0; s < NSUITES; s++) {
		struct ike_sk out, in;
		struct ike_sk_layout l;
		uint8_t buf[512], orig[512], plain_copy[512];
		size_t len, ivl, plen;
		uint8_t *plain;

		assert_int_equal(ike_sk_init(&out, &suites[s], ke, ka, true, err, sizeof(err)), 0);
		assert_int_equal(ike_sk_init(&in, &suites[s], ke, ka, false, err, sizeof(err)), 0);
		len = build_sk_msg(&out, buf, sizeof(buf), &l);
		ivl = out.sz.iv;
		assert_int_equal(l.iv_len, ivl);
		assert_int_equal((len - l.plain) - l.icv_len, l.plain_len);
		assert_int_equal(l.plain_len % out.sz.block, 0);
		memcpy(orig, buf, len);
		memcpy(plain_copy, buf, len);
		check_opened(&in, buf, len);

		/* Flip each byte in turn (header, SK header, IV, ciphertext,
		 * ICV): the parse fails or the ICV does not verify. */
		for (size_t i = 0; i < len; i++) {
			struct ike_msg m;
			struct ike_error e;

			memcpy(buf, orig, len);
			buf[i] ^= 0x40;
			if (ike_msg_parse(&m, buf, len, &e) < 0 || m.sk_index < 0)
				continue;
			assert_int_equal(ike_sk_unprotect(&in, buf, &m.p[m.sk_index], &plain, &plen,
			                                  err, sizeof(err)),
			                 1);
		}
		/* A truncated SK payload (ICV cut, lengths fixed up). */
		{
			struct ike_msg m;
			struct ike_error e;
			struct ike_payload fake;

			memcpy(buf, orig, len);
			assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
			fake = m.p[m.sk_index];
			fake.u.sk.len = ivl + out.sz.icv; /* no room for any ciphertext */
			assert_int_equal(
			        ike_sk_unprotect(&in, buf, &fake, &plain, &plen, err, sizeof(err)),
			        -1);
			assert_non_null(strstr(err, "too short"));
		}
		/* The encrypting context cannot open. */
		{
			struct ike_msg m;
			struct ike_error e;

			memcpy(buf, orig, len);
			assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
			assert_int_equal(ike_sk_unprotect(&out, buf, &m.p[0], &plain, &plen, err,
			                                  sizeof(err)),
			                 -1);
		}
		/* The plaintext really was encrypted: "abc" is not visible. */
		assert_false(contains(orig, len, (const uint8_t *)"abc", 3));
		ike_sk_free(&out);
		ike_sk_free(&in);
	}
}

/* A pair from derived keys: the initiator's out opens at the responder's in
 * and vice versa; the directions use different keys. */
static void test_sk_pair_directions(void **state)
{
	(void)state;
	uint8_t seed_key[32] = {1}, ni[16] = {2}, nr[16] = {3}, spi_i[8] = {4}, spi_r[8] = {5};
	struct ike_keys k;
	struct ike_sk_pair ini, res;
	char err[ERRLEN];
	uint8_t buf[512];
	struct ike_sk_layout l;
	size_t len;

	assert_int_equal(ike_derive_keys(&suites[3], seed_key, 32, ni, 16, nr, 16, spi_i, spi_r, &k,
	                                 err, sizeof(err)),
	                 0);
	assert_int_equal(ike_sk_pair_init(&ini, &suites[3], &k, true, err, sizeof(err)), 0);
	assert_int_equal(ike_sk_pair_init(&res, &suites[3], &k, false, err, sizeof(err)), 0);
	len = build_sk_msg(&ini.out, buf, sizeof(buf), &l);
	check_opened(&res.in, buf, len);
	len = build_sk_msg(&res.out, buf, sizeof(buf), &l);
	check_opened(&ini.in, buf, len);
	/* Initiator's own inbound context does not open its outbound message. */
	len = build_sk_msg(&ini.out, buf, sizeof(buf), &l);
	{
		struct ike_msg m;
		struct ike_error e;
		uint8_t *plain;
		size_t plen;

		assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
		assert_int_equal(
		        ike_sk_unprotect(&ini.in, buf, &m.p[0], &plain, &plen, err, sizeof(err)),
		        1);
	}
	ike_sk_pair_free(&ini);
	ike_sk_pair_free(&res);
	ike_keys_wipe(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sk_roundtrip_and_tamper),
	        cmocka_unit_test(test_sk_pair_directions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
