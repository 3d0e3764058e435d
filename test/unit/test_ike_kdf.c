/* IKEv2 key derivation (model/ike/ike_crypto.h): SKEYSEED and the IKE SA's
 * keys (RFC 7296 §2.14), the rekeyed SKEYSEED (§2.18) and Child SA KEYMAT
 * (§2.17), against NIST vectors (/work/shared/vectors/vectors.md) and prf+
 * itself. */
#include "harness.h"

#include "ike_crypto.h"
#include "suite_fixture.h"

#include <string.h>

#define ERRLEN 200

/* NIST CAVP SP 800-135 IKEv2 KDF vectors (vectors.md §7, via strongSwan
 * test_vectors kdf_prf.c): SKEYSEED = prf(Ni | Nr, g^ir).  The vectors give
 * Ni | Nr as one string; any split gives the same key. */
static void test_nist_skeyseed(void **state)
{
	(void)state;
	struct {
		const char *ninr, *gir, *skeyseed;
	} v[] = {
	        {"ed80dc79912c32a935fb6d1a3feac078",
	         "42968e5d0ccc3cfc5a3e4bc1bba370cea1fae0d54c49ccba34b2bee804beeb2e"
	         "9e8c57a4e01bd45102cf2433aacc6cfec06792f363e5170e6aa6650274e90664"
	         "8e449d27a8f00b5b44261982c9835c748a751ec5138eaacc5e025661339538a6"
	         "1bf418e454699e19c32db8d9ce5dd86b220f1e89afc5872e68be36cb1a0c8866",
	         "37fde90b81d63692620f67367b62092e3efdc6a03509137d731004767ff35010"},
	        {"efa72913182278ffbd14e78920c062519abab8c16e5ed70c0841a48cdb98237ee93f735fb2df1843"
	         "58aadc13d83f43fe8d8705176c8ca313825a1bcdf77911c598001671ffbf014e37a8c04d49a7839d"
	         "fea6cdc587688d4588fe43235b71693ffd07293386b6bf4c199e336165b260787736f54be95db691"
	         "16388bc2eca2b3b29484717417bb3c71814ce13b84446dc3964c302984f97781f63166240890107c"
	         "2e751a00436f7c3c9ff12760e49d91563be603fd9641a0a64918a93291ed113db12f9707609d1720"
	         "96eb58f9154474da40c1f5c0903e9ca2f91ba6600775df7166caf8e327859e676232d34046044cee"
	         "43f9019f04685612635b99cbebcb363d565eaf0e547eecb941c994dfd471ed5643c087744f7709cc"
	         "3e2510f27426c62c0ff3acb3c27661d26a6d83c2a25e13a6d465bd047f905500e5ebbe4266430d56"
	         "67140f77e797712a8c8f63c583f4b4649b72899ea34abfdb17617c460c35f2506494494f223e251a"
	         "c71a5b9b7eea87f4f5e333a3c1bbb4bb09258b6a4b5f8c9fb82bf42da9d4a46543c6a9eb9aa30ea9"
	         "da801915abcc1712d082f292a63fd9af7154a97cc73859a4be3cba359d3218004e14df02d09edf0a"
	         "d5796bb010995293ab5d042c31055380cc9cb2e3617982c45f6bce1fb8a40ef9eac48ae17720dfec"
	         "c71ec857ea33f32eb346ba6036e8f9ccd7bcadc6c1ab92a80c57e78959d8b828",
	         "b070208f8947df4f7d1276161f407f7b7f5c4a49ac79f0cc0c7d4e28484c6f85"
	         "84f0007b9bf0e05fdb5961a17d3aa85c6e3f5571296a43ba896cdc88c1a4457f"
	         "b12cbe56ca4a20c9a7e19adc67453c4ade539e259f825ff94c9a83f839602f86"
	         "51c9276d8e444ecb95a0540ee7ea3220a922345ed99ef7e7ad32b19d4610e9ef",
	         "29bd115568ae0988270fc386d395fe3707a4d06289f352bba4c00a9ad855a08d"},
	};

	for (size_t i = 0; i < 2; i++) {
		uint8_t ninr[512], gir[128], want[32], out[32];
		size_t nl = hex(v[i].ninr, ninr), gl = hex(v[i].gir, gir);

		hex(v[i].skeyseed, want);
		assert_int_equal(ike_skeyseed(IKE_PRF_HMAC_SHA2_256, ninr, nl / 2, ninr + nl / 2,
		                              nl - nl / 2, gir, gl, out),
		                 0);
		assert_memory_equal(out, want, 32);
	}
}

/* Key lengths per suite (RFC 7296 §2.14, RFC 5282 §7.1, RFC 7634 §3,
 * RFC 4868 §2.1) and the split order of §2.14, against prf+ itself. */
static void test_derive_keys_layout(void **state)
{
	(void)state;
	static const size_t e_len[NSUITES] = {20, 36, 36, 16, 32, 32};
	static const size_t a_len[NSUITES] = {0, 0, 0, 32, 48, 64};
	static const size_t p_len[NSUITES] = {32, 48, 32, 32, 48, 64};
	uint8_t ni[32], nr[32], spi_i[8], spi_r[8], seed_key[64], stream[512];
	char err[ERRLEN];

	for (size_t i = 0; i < 32; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(0x80 + i);
	}
	memcpy(spi_i, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(spi_r, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	memset(seed_key, 0x5a, sizeof(seed_key));
	for (size_t s = 0; s < NSUITES; s++) {
		struct ike_keys k;
		struct crypto_buf seed[4] = {{ni, 32}, {nr, 32}, {spi_i, 8}, {spi_r, 8}};
		size_t pos = 0, pl = p_len[s], al = a_len[s], el = e_len[s];

		assert_int_equal(ike_derive_keys(&suites[s], seed_key, pl, ni, 32, nr, 32, spi_i,
		                                 spi_r, &k, err, sizeof(err)),
		                 0);
		assert_int_equal(k.prf_len, pl);
		assert_int_equal(k.integ_len, al);
		assert_int_equal(k.encr_len, el);
		assert_int_equal(ike_prf_plus(suites[s].prf, seed_key, pl, seed, 4, stream,
		                              3 * pl + 2 * al + 2 * el),
		                 0);
		assert_memory_equal(k.sk_d, stream + pos, pl);
		pos += pl;
		assert_memory_equal(k.sk_ai, stream + pos, al);
		pos += al;
		assert_memory_equal(k.sk_ar, stream + pos, al);
		pos += al;
		assert_memory_equal(k.sk_ei, stream + pos, el);
		pos += el;
		assert_memory_equal(k.sk_er, stream + pos, el);
		pos += el;
		assert_memory_equal(k.sk_pi, stream + pos, pl);
		pos += pl;
		assert_memory_equal(k.sk_pr, stream + pos, pl);
		ike_keys_wipe(&k);
	}
	/* Unsupported suites are named. */
	{
		struct ike_suite bad = {IKE_ENCR_AES_CBC, 192, IKE_PRF_HMAC_SHA2_256,
		                        IKE_INTEG_HMAC_SHA2_256_128, 0};
		struct ike_keys k;

		assert_int_equal(ike_derive_keys(&bad, seed_key, 32, ni, 32, nr, 32, spi_i, spi_r,
		                                 &k, err, sizeof(err)),
		                 -1);
		assert_non_null(strstr(err, "192-bit"));
		bad.encr_bits = 128;
		bad.integ = IKE_INTEG_NONE;
		assert_int_equal(ike_derive_keys(&bad, seed_key, 32, ni, 32, nr, 32, spi_i, spi_r,
		                                 &k, err, sizeof(err)),
		                 -1);
		assert_non_null(strstr(err, "needs an integrity"));
		bad = suites[0];
		bad.integ = IKE_INTEG_HMAC_SHA2_256_128;
		assert_int_equal(ike_derive_keys(&bad, seed_key, 32, ni, 32, nr, 32, spi_i, spi_r,
		                                 &k, err, sizeof(err)),
		                 -1);
		assert_non_null(strstr(err, "AEAD"));
	}
}

/* RFC 7296 §2.18: the rekey SKEYSEED is prf(SK_d(old), g^ir | Ni | Nr) with
 * the old PRF; the data are concatenated (check against one-piece prf). */
static void test_rekey_skeyseed(void **state)
{
	(void)state;
	uint8_t sk_d[48], gir[32], ni[16], nr[16], all[64], a[48], b[48];
	struct crypto_buf one = {all, 64};

	memset(sk_d, 1, sizeof(sk_d));
	memset(gir, 2, sizeof(gir));
	memset(ni, 3, sizeof(ni));
	memset(nr, 4, sizeof(nr));
	memcpy(all, gir, 32);
	memcpy(all + 32, ni, 16);
	memcpy(all + 48, nr, 16);
	assert_int_equal(
	        ike_skeyseed_rekey(IKE_PRF_HMAC_SHA2_384, sk_d, 48, gir, 32, ni, 16, nr, 16, a), 0);
	assert_int_equal(ike_prf(IKE_PRF_HMAC_SHA2_384, sk_d, 48, &one, 1, b), 0);
	assert_memory_equal(a, b, 48);
}

/* RFC 7296 §2.17: KEYMAT split encr-i, integ-i, encr-r, integ-r, with and
 * without PFS. */
static void test_child_keymat(void **state)
{
	(void)state;
	uint8_t sk_d[32], gir[32], ni[16], nr[16], stream[256];
	struct ike_child_keys k;

	memset(sk_d, 7, sizeof(sk_d));
	memset(gir, 8, sizeof(gir));
	memset(ni, 9, sizeof(ni));
	memset(nr, 10, sizeof(nr));
	/* AES-CBC-128 + HMAC-SHA-256: 16 + 32 per direction. */
	{
		struct crypto_buf seed[2] = {{ni, 16}, {nr, 16}};

		assert_int_equal(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, sk_d, 32, NULL, 0, ni, 16,
		                                  nr, 16, 16, 32, &k),
		                 0);
		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, sk_d, 32, seed, 2, stream, 96),
		                 0);
		assert_memory_equal(k.encr_i, stream, 16);
		assert_memory_equal(k.integ_i, stream + 16, 32);
		assert_memory_equal(k.encr_r, stream + 48, 16);
		assert_memory_equal(k.integ_r, stream + 64, 32);
	}
	/* AES-GCM-256 with PFS: 36 bytes (key + salt) each way, no integrity. */
	{
		struct crypto_buf seed[3] = {{gir, 32}, {ni, 16}, {nr, 16}};

		assert_int_equal(ike_child_keymat(IKE_PRF_HMAC_SHA2_256, sk_d, 32, gir, 32, ni, 16,
		                                  nr, 16, 36, 0, &k),
		                 0);
		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, sk_d, 32, seed, 3, stream, 72),
		                 0);
		assert_int_equal(k.integ_len, 0);
		assert_memory_equal(k.encr_i, stream, 36);
		assert_memory_equal(k.encr_r, stream + 36, 36);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_nist_skeyseed),
	        cmocka_unit_test(test_derive_keys_layout),
	        cmocka_unit_test(test_rekey_skeyseed),
	        cmocka_unit_test(test_child_keymat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
