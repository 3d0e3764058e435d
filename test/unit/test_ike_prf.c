/* IKEv2 pseudorandom functions (model/ike/ike_crypto.h): the PRFs of
 * RFC 4868 (RFC 8247 §2.3) and prf+ (RFC 7296 §2.13) against published
 * vectors (/work/shared/vectors/vectors.md, each case cites its source). */
#include "harness.h"

#include "ike_crypto.h"

#include <string.h>

/* RFC 4868 §2.7.1 PRF vectors (= RFC 4231 cases 1, 2, 4(aa..) in vectors.md
 * §4 as "PRF="): PRF_HMAC_SHA2_256/384/512. */
static void test_rfc4868_prf(void **state)
{
	(void)state;
	struct {
		uint16_t prf;
		const char *key, *data, *out;
	} v[] = {
	        {IKE_PRF_HMAC_SHA2_256,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	         "4869205468657265",
	         "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"},
	        {IKE_PRF_HMAC_SHA2_256,
	         "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
	         "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	         "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6"},
	        {IKE_PRF_HMAC_SHA2_384,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	         "0b0b0b0b0b0b0b0b",
	         "4869205468657265",
	         "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc4c5df61d5b3297b4"
	         "fb68dab9f1b582c2"},
	        {IKE_PRF_HMAC_SHA2_384,
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	         "aaaaaaaaaaaaaaaa",
	         "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	         "dddddddddddddddddddd",
	         "809f439be00274321d4a538652164b53554a508184a0c3160353e3428597003d35914a18770f9443"
	         "987054944b7c4b4a"},
	        {IKE_PRF_HMAC_SHA2_512,
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	         "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	         "4869205468657265",
	         "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8ac2878ebd5803f6f"
	         "0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b"},
	        {IKE_PRF_HMAC_SHA2_512,
	         "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"
	         "4a6566654a6566654a6566654a6566654a6566654a656665",
	         "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	         "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b154546aa334ae9fb9afc2"
	         "184932d8695e397bfa0ffb93466cfcceaae38c833b7dba38"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t key[128], data[128], want[64], out[64];
		size_t kl = hex(v[i].key, key), dl = hex(v[i].data, data), wl = hex(v[i].out, want);
		struct crypto_buf b = {data, dl};

		assert_int_equal(ike_prf_len(v[i].prf), wl);
		assert_int_equal(ike_prf(v[i].prf, key, kl, &b, 1, out), 0);
		assert_memory_equal(out, want, wl);
	}
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA1), 0);
}

/* prf+ (RFC 7296 §2.13): vectors.md §7, strongSwan kdf_prf_plus.c
 * ("prf_plus_sha256_old" and the NIST-derived "prf_plus_sha256_1"). */
static void test_prf_plus_vectors(void **state)
{
	(void)state;
	struct {
		const char *k, *s, *out;
	} v[] = {
	        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	         "b9bdc08988b4c2b75aa93e596ac84205fa2ddde1bf7a2572067b00e14b237732"
	         "830509981ad2f94a8c32a47daa2255b660c436347ae756a6edc023477d809590"
	         "e682f61d9c04b06b4ad971a34c8147fa66792ff1434b93c722b32e12f48832eb"
	         "c15ce2369ce71fe9b7b81e5704c14d0f5280a6ec626e992d7a9f"},
	        {"37fde90b81d63692620f67367b62092e3efdc6a03509137d731004767ff35010",
	         "ed80dc79912c32a935fb6d1a3feac07847c1858efc932ea4606fd05609624002",
	         "63d018a08f7a29daa7d1f92cb63f45fa39bbaf5e5f1a78139613bb891e3e6bf9"
	         "d0448f7c74e05b4c1a25c0b61e62c875e852f287e192d4ae536112db51972164"
	         "00bd5e123470efc15f53161865fe8b19a1416518a157d651ecd2caddab6a9eae"
	         "6a27a55af088218d5156edaa9789f934d9836ed43edffda553822202ff9f7d48"
	         "60ca72e0"},
	};

	for (size_t i = 0; i < 2; i++) {
		uint8_t k[64], s[64], want[256], out[256];
		size_t kl = hex(v[i].k, k), sl = hex(v[i].s, s), wl = hex(v[i].out, want);
		/* The seed in two pieces, to exercise concatenation. */
		struct crypto_buf seed[2] = {{s, sl / 2}, {s + sl / 2, sl - sl / 2}};

		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, k, kl, seed, 2, out, wl), 0);
		assert_memory_equal(out, want, wl);
		/* A prefix of the stream is the stream's prefix. */
		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, k, kl, seed, 2, out, 7), 0);
		assert_memory_equal(out, want, 7);
	}
	/* §2.13: at most 255 blocks. */
	{
		uint8_t big[256 * 32];
		struct crypto_buf s = {big, 1};

		assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, big, 1, &s, 1, big, 255 * 32),
		                 0);
		assert_int_equal(
		        ike_prf_plus(IKE_PRF_HMAC_SHA2_256, big, 1, &s, 1, big, 255 * 32 + 1), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc4868_prf),
	        cmocka_unit_test(test_prf_plus_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
