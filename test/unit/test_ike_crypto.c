/* IKEv2 cryptography (model/ike/ike_crypto.h) against published vectors
 * (/work/shared/vectors/vectors.md, each case cites its source) and round
 * trips where no vector exists. */
#include "harness.h"

#include "ike_crypto.h"
#include "ike_msg.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define ERRLEN 200

/* --- Diffie-Hellman ---------------------------------------------------------- */

struct dh_kat {
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir;
};

static void run_dh_kat(const struct dh_kat *k)
{
	uint8_t i[128], r[128], gi[512], gr[512], gir[512], s1[512], s2[512];
	size_t il = hex(k->i, i), rl = hex(k->r, r), gil = hex(k->gi, gi), grl = hex(k->gr, gr);
	size_t girl = hex(k->gir, gir), l1 = 0, l2 = 0, pl;
	char err[ERRLEN] = "";
	struct ike_dh *a = ike_dh_new_private(k->group, i, il, err, sizeof(err));
	struct ike_dh *b = ike_dh_new_private(k->group, r, rl, err, sizeof(err));
	const uint8_t *pub;

	if (!a || !b)
		fail_msg("group %u: %s", k->group, err);
	assert_int_equal(ike_dh_public_len(k->group), gil);
	pub = ike_dh_public(a, &pl);
	assert_int_equal(pl, gil);
	assert_memory_equal(pub, gi, gil);
	pub = ike_dh_public(b, &pl);
	assert_int_equal(pl, grl);
	assert_memory_equal(pub, gr, grl);
	/* Both sides from the published peer values. */
	assert_int_equal(ike_dh_derive(a, gr, grl, s1, sizeof(s1), &l1, err, sizeof(err)), 0);
	assert_int_equal(ike_dh_derive(b, gi, gil, s2, sizeof(s2), &l2, err, sizeof(err)), 0);
	assert_int_equal(l1, girl);
	assert_int_equal(l2, girl);
	assert_memory_equal(s1, gir, girl);
	assert_memory_equal(s2, gir, girl);
	ike_dh_free(a);
	ike_dh_free(b);
}

/* RFC 5903 §8.1 (vectors.md §5, via strongSwan test_vectors/ecp.c). */
static void test_rfc5903_ecp256(void **state)
{
	(void)state;
	struct dh_kat k = {
	        IKE_DH_ECP_256,
	        "814264145f2f56f2e96a8e337a1284993faf432a5abce59e867b7291d507a3af",
	        "2af502f3be8952f2c9b5a8d4160d09e97165be50bc42ae4a5e8d3b4ba83aeb15"
	        "eb0faf4ca986c4d38681a0f9872d79d56795bd4bff6e6de3c0f5015ece5efd85",
	        "2ce1788ec197e096db95a200cc0ab26a19ce6bccad562b8eee1b593761cf7f41",
	        "b120de4aa36492795346e8de6c2c8646ae06aaea279fa775b3ab0715f6ce51b0"
	        "9f1b7eece20d7b5ed8ec685fa3f071d83727027092a8411385c34dde5708b2b6",
	        "dd0f5396219d1ea393310412d19a08f1f5811e9dc8ec8eea7f80d21c820c2788",
	};
	run_dh_kat(&k);
}

/* RFC 5903 §8.2 (vectors.md §5). */
static void test_rfc5903_ecp384(void **state)
{
	(void)state;
	struct dh_kat k = {
	        IKE_DH_ECP_384,
	        "d27335ea71664af244dd14e9fd1260715dfd8a7965571c48d709ee7a7962a156d706a90cbcb5df29"
	        "86f05feadb9376f1",
	        "793148f1787634d5da4c6d9074417d05e057ab62f82054d10ee6b0403d627954"
	        "7e6a8ea9d1fd77427d016fe27a8b8c66c6c41294331d23e6f480f4fb4cd40504"
	        "c947392e94f4c3f06b8f398bb29e42368f7a685923de3b67baced214a1a1d128",
	        "52d1791fdb4b70f89c0f00d456c2f7023b6125262c36a7df1f80231121cce3d39be52e00c194a413"
	        "2c4a6c768bcd94d2",
	        "5cd42ab9c41b5347f74b8d4efb708b3d5b36db65915359b44abc17647b6b9999"
	        "789d72a84865ae2f223f12b5a1abc120e171458feaa939aaa3a8bfac46b404bd"
	        "8f6d5b348c0fa4d80ceca16356ca933240bde8723415a8ece035b0edf36755de",
	        "5ea1fc4af7256d2055981b110575e0a8cae53160137d904c59d926eb1b8456e4"
	        "27aa8a4540884c37de159a58028abc0e",
	};
	run_dh_kat(&k);
}

/* RFC 5903 §8.3 (vectors.md §5). */
static void test_rfc5903_ecp521(void **state)
{
	(void)state;
	struct dh_kat k = {
	        IKE_DH_ECP_521,
	        "0113f82da825735e3d97276683b2b74277bad27335ea71664af2430cc4f33459b9669ee78b3ffb9b"
	        "8683015d344dcbfef6fb9af4c6c470be254516cd3c1a1fb47362",
	        "01ebb34dd75721abf8adc9dbed17889cbb9765d90a7c60f2cef007bb0f2b26e1"
	        "4881fd4442e689d61cb2dd046ee30e3ffd20f9a45bbdf6413d583a2dbf59924f"
	        "d35c00f6b632d194c0388e22d8437e558c552ae195adfd153f92d74908351b2f"
	        "8c4eda94edb0916d1b53c020b5eecaed1a5fc38a233e4830587bb2ee3489b3b4"
	        "2a5a86a4",
	        "00cee3480d8645a17d249f2776d28bae616952d1791fdb4b70f7c3378732aa1b22928448bcd1dc24"
	        "96d435b01048066ebe4f72903c361b1a9dc1193dc2c9d0891b96",
	        "010ebfafc6e85e08d24bfffcc1a4511db0e634beeb1b6dec8c5939ae44766201"
	        "af6200430ba97c8ac6a0e9f08b33ce7e9feeb5ba4ee5e0d81510c24295b8a08d"
	        "023500a4a6ec300df9e257b0372b5e7abfef093436719a77887ebb0b18cf8099"
	        "b9f4212b6e30a1419c18e029d36863cc9d448f4dba4d2a0e60711be572915fbd"
	        "4fef2695",
	        "00cdea89621cfa46b132f9e4cfe2261cde2d4368eb5656634c7cc98c7a00cde5"
	        "4ed1866a0dd3e6126c9d2f845daff82ceb1da08f5d87521bb0ebeca77911169c"
	        "20cc",
	};
	run_dh_kat(&k);
}

/* RFC 7748 §6.1 (vectors.md §6, used by IKEv2 per RFC 8031). */
static void test_rfc7748_x25519(void **state)
{
	(void)state;
	struct dh_kat k = {
	        IKE_DH_CURVE25519,
	        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	};
	run_dh_kat(&k);
}

/* MODP (RFC 3526) has no published IKE vector; with generator 2 small
 * exponents give answers checkable by hand: x = 2 -> 4, y = 3 -> 8, and the
 * shared secret 2^6 = 64, all zero-padded to the prime's length. */
static void test_modp_small_exponents(void **state)
{
	(void)state;
	uint16_t groups[] = {IKE_DH_MODP_2048, IKE_DH_MODP_3072};

	for (size_t g = 0; g < 2; g++) {
		size_t plen = ike_dh_public_len(groups[g]), l, sl;
		uint8_t two = 2, three = 3, want[384] = {0}, s[384];
		char err[ERRLEN];
		struct ike_dh *a = ike_dh_new_private(groups[g], &two, 1, err, sizeof(err));
		struct ike_dh *b = ike_dh_new_private(groups[g], &three, 1, err, sizeof(err));
		const uint8_t *pa, *pb;

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(plen, groups[g] == IKE_DH_MODP_2048 ? 256 : 384);
		pa = ike_dh_public(a, &l);
		want[plen - 1] = 4;
		assert_int_equal(l, plen);
		assert_memory_equal(pa, want, plen);
		pb = ike_dh_public(b, &l);
		want[plen - 1] = 8;
		assert_memory_equal(pb, want, plen);
		assert_int_equal(ike_dh_derive(a, pb, plen, s, sizeof(s), &sl, err, sizeof(err)),
		                 0);
		want[plen - 1] = 64;
		assert_int_equal(sl, plen);
		assert_memory_equal(s, want, plen);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* Fresh key pairs on every group agree, with the right lengths. */
static void test_dh_generate_all_groups(void **state)
{
	(void)state;
	uint16_t groups[] = {IKE_DH_MODP_2048, IKE_DH_MODP_3072, IKE_DH_ECP_256,
	                     IKE_DH_ECP_384,   IKE_DH_ECP_521,   IKE_DH_CURVE25519};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		char err[ERRLEN];
		struct ike_dh *a = ike_dh_new(groups[g], err, sizeof(err));
		struct ike_dh *b = ike_dh_new(groups[g], err, sizeof(err));
		uint8_t s1[IKE_DH_MAX_SECRET], s2[IKE_DH_MAX_SECRET];
		size_t la, lb, l1, l2;
		const uint8_t *pa, *pb;

		if (!a || !b)
			fail_msg("group %u: %s", groups[g], err);
		assert_int_equal(ike_dh_group(a), groups[g]);
		pa = ike_dh_public(a, &la);
		pb = ike_dh_public(b, &lb);
		assert_int_equal(la, ike_dh_public_len(groups[g]));
		assert_int_equal(ike_dh_derive(a, pb, lb, s1, sizeof(s1), &l1, err, sizeof(err)),
		                 0);
		assert_int_equal(ike_dh_derive(b, pa, la, s2, sizeof(s2), &l2, err, sizeof(err)),
		                 0);
		assert_int_equal(l1, l2);
		assert_memory_equal(s1, s2, l1);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* A counter as the random source: the same draws give the same keys (what
 * makes seeded runs repeat byte for byte); a source that fails, none.  The
 * first draws of P-521 (all 0xff after masking: >= n) are rejected. */
struct counter {
	uint8_t next;
	bool fail;
};

static int count_bytes(void *arg, uint8_t *buf, size_t len)
{
	struct counter *c = arg;

	for (size_t i = 0; i < len; i++)
		buf[i] = c->next++;
	return c->fail ? -1 : 0;
}

static int all_ones_then_count(void *arg, uint8_t *buf, size_t len)
{
	struct counter *c = arg;

	if (c->next++ == 0) {
		memset(buf, 0xff, len);
		return 0;
	}
	return count_bytes(arg, buf, len);
}

static void test_dh_drawn(void **state)
{
	(void)state;
	uint16_t groups[] = {IKE_DH_MODP_2048, IKE_DH_MODP_3072, IKE_DH_ECP_256,
	                     IKE_DH_ECP_384,   IKE_DH_ECP_521,   IKE_DH_CURVE25519};
	char err[ERRLEN];

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		struct counter c1 = {1, false}, c2 = {1, false}, c3 = {7, false};
		struct ike_dh *a = ike_dh_new_drawn(groups[g], count_bytes, &c1, err, sizeof(err));
		struct ike_dh *b = ike_dh_new_drawn(groups[g], count_bytes, &c2, err, sizeof(err));
		struct ike_dh *c = ike_dh_new_drawn(groups[g], count_bytes, &c3, err, sizeof(err));
		size_t la, lb, lc;
		const uint8_t *pa, *pb, *pc;

		if (!a || !b || !c)
			fail_msg("group %u: %s", groups[g], err);
		pa = ike_dh_public(a, &la);
		pb = ike_dh_public(b, &lb);
		pc = ike_dh_public(c, &lc);
		assert_int_equal(la, lb);
		assert_memory_equal(pa, pb, la);
		assert_memory_not_equal(pa, pc, la);
		ike_dh_free(a);
		ike_dh_free(b);
		ike_dh_free(c);
	}
	struct counter p521 = {0, false}, broken = {1, true};
	struct ike_dh *d =
	        ike_dh_new_drawn(IKE_DH_ECP_521, all_ones_then_count, &p521, err, sizeof(err));

	assert_non_null(d);
	assert_true(p521.next > 1); /* drawn twice */
	ike_dh_free(d);
	assert_null(ike_dh_new_drawn(IKE_DH_CURVE25519, count_bytes, &broken, err, sizeof(err)));
	assert_string_equal(err, "no X25519 private key from the random source");
}

/* RFC 7296 §2.12 / RFC 6989 / RFC 8031 §2: bad peer values are refused. */
static void test_dh_peer_validation(void **state)
{
	(void)state;
	char err[ERRLEN];
	uint8_t bad[IKE_DH_MAX_PUBLIC], s[IKE_DH_MAX_SECRET];
	size_t sl;
	struct ike_dh *m = ike_dh_new(IKE_DH_MODP_2048, err, sizeof(err));
	struct ike_dh *e = ike_dh_new(IKE_DH_ECP_256, err, sizeof(err));
	struct ike_dh *x = ike_dh_new(IKE_DH_CURVE25519, err, sizeof(err));
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	const uint8_t *pub;
	size_t pl;

	assert_non_null(m);
	assert_non_null(e);
	assert_non_null(x);
	/* MODP: y = 0, 1, p-1, p, and a wrong length. */
	memset(bad, 0, 256);
	assert_int_equal(ike_dh_derive(m, bad, 256, s, sizeof(s), &sl, err, sizeof(err)), -1);
	bad[255] = 1;
	assert_int_equal(ike_dh_derive(m, bad, 256, s, sizeof(s), &sl, err, sizeof(err)), -1);
	BN_bn2binpad(p, bad, 256);
	assert_int_equal(ike_dh_derive(m, bad, 256, s, sizeof(s), &sl, err, sizeof(err)), -1);
	bad[255] -= 1;
	assert_int_equal(ike_dh_derive(m, bad, 256, s, sizeof(s), &sl, err, sizeof(err)), -1);
	pub = ike_dh_public(m, &pl);
	assert_int_equal(ike_dh_derive(m, pub, 255, s, sizeof(s), &sl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected 256"));
	/* ECP: a point off the curve (y + 1), zeros, wrong length. */
	pub = ike_dh_public(e, &pl);
	memcpy(bad, pub, pl);
	bad[pl - 1] ^= 1;
	assert_int_equal(ike_dh_derive(e, bad, pl, s, sizeof(s), &sl, err, sizeof(err)), -1);
	memset(bad, 0, pl);
	assert_int_equal(ike_dh_derive(e, bad, pl, s, sizeof(s), &sl, err, sizeof(err)), -1);
	assert_int_equal(ike_dh_derive(e, pub, pl + 1, s, sizeof(s), &sl, err, sizeof(err)), -1);
	/* X25519: the all-zero point yields an all-zero secret (RFC 8031 §2);
	 * so does 1 (a small-order point, RFC 7748 §6.1). */
	memset(bad, 0, 32);
	assert_int_equal(ike_dh_derive(x, bad, 32, s, sizeof(s), &sl, err, sizeof(err)), -1);
	bad[0] = 1;
	assert_int_equal(ike_dh_derive(x, bad, 32, s, sizeof(s), &sl, err, sizeof(err)), -1);
	/* Unknown groups and bad private keys. */
	assert_null(ike_dh_new(IKE_DH_MODP_1024, err, sizeof(err)));
	assert_non_null(strstr(err, "group 2 is not implemented"));
	assert_int_equal(ike_dh_public_len(IKE_DH_CURVE448), 0);
	memset(bad, 0xff, 32);
	assert_null(ike_dh_new_private(IKE_DH_ECP_256, bad, 32, err, sizeof(err))); /* >= n */
	memset(bad, 0, 32);
	assert_null(ike_dh_new_private(IKE_DH_ECP_256, bad, 32, err, sizeof(err)));
	assert_null(ike_dh_new_private(IKE_DH_CURVE25519, bad, 31, err, sizeof(err)));
	bad[0] = 1;
	assert_null(ike_dh_new_private(IKE_DH_MODP_2048, bad, 1, err, sizeof(err)));
	BN_free(p);
	ike_dh_free(m);
	ike_dh_free(e);
	ike_dh_free(x);
}

/* --- PRF, prf+, SKEYSEED ------------------------------------------------------ */

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

/* --- key schedule --------------------------------------------------------------- */

static const struct ike_suite suites[] = {
        {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, IKE_DH_CURVE25519},
        {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_NONE, IKE_DH_ECP_384},
        {IKE_ENCR_CHACHA20_POLY1305, 0, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, IKE_DH_CURVE25519},
        {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
         IKE_DH_MODP_2048},
        {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192, IKE_DH_ECP_384},
        {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256, IKE_DH_ECP_521},
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

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

/* --- SK payload ---------------------------------------------------------------- */

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

/* --- AUTH ---------------------------------------------------------------------- */

static void auth_input(struct ike_auth_input *in, uint16_t prf, const uint8_t *msg, size_t ml,
                       const uint8_t *nonce, const uint8_t *skp, const uint8_t *idb, size_t il)
{
	in->prf = prf;
	in->real_msg = msg;
	in->real_msg_len = ml;
	in->peer_nonce = nonce;
	in->peer_nonce_len = 32;
	in->sk_p = skp;
	in->sk_p_len = ike_prf_len(prf);
	in->id_body = idb;
	in->id_body_len = il;
}

/* RFC 7296 §2.15 shared key MIC, checked against the formula written out
 * with OpenSSL's one-shot HMAC. */
static void test_psk_auth(void **state)
{
	(void)state;
	uint8_t msg[300], nonce[32], skp[64],
	        idb[12] = {IKE_ID_FQDN, 0, 0, 0, 'g', 'a', 't', 'e', 'w', 'a', 'y', 'a'};
	const char *psk = "correct horse battery staple";
	uint16_t prfs[] = {IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384, IKE_PRF_HMAC_SHA2_512};
	const char *mds[] = {"SHA256", "SHA384", "SHA512"};

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	memset(nonce, 0x33, sizeof(nonce));
	memset(skp, 0x44, sizeof(skp));
	for (size_t p = 0; p < 3; p++) {
		struct ike_auth_input in;
		uint8_t auth[64], key[64], mid[64], octets[512], want[64];
		size_t al, pl = ike_prf_len(prfs[p]), ol, outl;

		auth_input(&in, prfs[p], msg, sizeof(msg), nonce, skp, idb, sizeof(idb));
		assert_int_equal(ike_auth_psk(&in, (const uint8_t *)psk, strlen(psk), auth, &al),
		                 0);
		assert_int_equal(al, pl);
		/* The formula, independently. */
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, mds[p], NULL, psk, strlen(psk),
		                          (const uint8_t *)"Key Pad for IKEv2", 17, key, pl,
		                          &outl));
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, mds[p], NULL, skp, pl, idb,
		                          sizeof(idb), mid, pl, &outl));
		memcpy(octets, msg, sizeof(msg));
		memcpy(octets + sizeof(msg), nonce, 32);
		memcpy(octets + sizeof(msg) + 32, mid, pl);
		assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, mds[p], NULL, key, pl, octets,
		                          sizeof(msg) + 32 + pl, want, pl, &outl));
		assert_memory_equal(auth, want, pl);
		assert_int_equal(ike_signed_octets(&in, key, sizeof(key), &ol), -1); /* too small */
		assert_int_equal(ike_signed_octets(&in, octets, sizeof(octets), &ol), 0);
		assert_int_equal(ol, sizeof(msg) + 32 + pl);
		assert_memory_equal(octets + sizeof(msg) + 32, mid, pl);
		/* Verify: right, wrong key, wrong MIC, wrong length. */
		assert_int_equal(
		        ike_auth_psk_verify(&in, (const uint8_t *)psk, strlen(psk), auth, al), 0);
		assert_int_equal(ike_auth_psk_verify(&in, (const uint8_t *)"x", 1, auth, al), 1);
		auth[0] ^= 1;
		assert_int_equal(
		        ike_auth_psk_verify(&in, (const uint8_t *)psk, strlen(psk), auth, al), 1);
		auth[0] ^= 1;
		assert_int_equal(
		        ike_auth_psk_verify(&in, (const uint8_t *)psk, strlen(psk), auth, al - 1),
		        1);
	}
}

/* RFC 7427 signatures with ECDSA and RSA keys: sign/verify, tamper, the
 * AlgorithmIdentifier prefix, key mismatch. */
static void test_signature_auth(void **state)
{
	(void)state;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	uint8_t msg[100], nonce[32], skp[32], idb[8] = {IKE_ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1};
	static const uint8_t ecdsa256_ai[] = {0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	                                      0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
	static const uint8_t rsa384_ai[] = {0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
	                                    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00};
	struct ike_auth_input in;
	uint8_t auth[600];
	size_t al;
	char err[ERRLEN];

	assert_non_null(ec);
	assert_non_null(rsa);
	memset(msg, 1, sizeof(msg));
	memset(nonce, 2, sizeof(nonce));
	memset(skp, 3, sizeof(skp));
	auth_input(&in, IKE_PRF_HMAC_SHA2_256, msg, sizeof(msg), nonce, skp, idb, sizeof(idb));

	for (int h = IKE_HASH_SHA2_256; h <= IKE_HASH_SHA2_512; h++) {
		assert_int_equal(ike_auth_sign(ec, (enum ike_hash)h, &in, auth, sizeof(auth), &al,
		                               err, sizeof(err)),
		                 0);
		if (h == IKE_HASH_SHA2_256)
			assert_memory_equal(auth, ecdsa256_ai, sizeof(ecdsa256_ai));
		assert_int_equal(ike_auth_verify(ec, &in, auth, al, err, sizeof(err)), 0);
		/* The RSA key cannot verify an ECDSA signature. */
		assert_int_equal(ike_auth_verify(rsa, &in, auth, al, err, sizeof(err)), -1);
		auth[al - 5] ^= 1;
		assert_int_equal(ike_auth_verify(ec, &in, auth, al, err, sizeof(err)), 1);

		assert_int_equal(ike_auth_sign(rsa, (enum ike_hash)h, &in, auth, sizeof(auth), &al,
		                               err, sizeof(err)),
		                 0);
		assert_int_equal(al, 1 + 15 + 256);
		if (h == IKE_HASH_SHA2_384)
			assert_memory_equal(auth, rsa384_ai, sizeof(rsa384_ai));
		assert_int_equal(ike_auth_verify(rsa, &in, auth, al, err, sizeof(err)), 0);
		/* Signed octets changed: another nonce. */
		nonce[0] ^= 1;
		assert_int_equal(ike_auth_verify(rsa, &in, auth, al, err, sizeof(err)), 1);
		nonce[0] ^= 1;
	}
	/* Unknown AlgorithmIdentifier, truncated data, small buffer. */
	auth[3] ^= 0xff;
	assert_int_equal(ike_auth_verify(rsa, &in, auth, al, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "AlgorithmIdentifier"));
	auth[0] = 200;
	assert_int_equal(ike_auth_verify(rsa, &in, auth, 10, err, sizeof(err)), -1);
	assert_int_equal(
	        ike_auth_sign(rsa, IKE_HASH_SHA2_256, &in, auth, 100, &al, err, sizeof(err)), -1);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc5903_ecp256),
	        cmocka_unit_test(test_rfc5903_ecp384),
	        cmocka_unit_test(test_rfc5903_ecp521),
	        cmocka_unit_test(test_rfc7748_x25519),
	        cmocka_unit_test(test_modp_small_exponents),
	        cmocka_unit_test(test_dh_generate_all_groups),
	        cmocka_unit_test(test_dh_drawn),
	        cmocka_unit_test(test_dh_peer_validation),
	        cmocka_unit_test(test_rfc4868_prf),
	        cmocka_unit_test(test_nist_skeyseed),
	        cmocka_unit_test(test_prf_plus_vectors),
	        cmocka_unit_test(test_derive_keys_layout),
	        cmocka_unit_test(test_rekey_skeyseed),
	        cmocka_unit_test(test_child_keymat),
	        cmocka_unit_test(test_sk_roundtrip_and_tamper),
	        cmocka_unit_test(test_sk_pair_directions),
	        cmocka_unit_test(test_psk_auth),
	        cmocka_unit_test(test_signature_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
