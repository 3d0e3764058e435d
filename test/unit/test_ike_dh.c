/* IKEv2 Diffie-Hellman groups (model/ike/ike_crypto.h; RFC 7296 §3.4,
 * RFC 8247 §2.4): ECP (RFC 5903) and Curve25519 (RFC 7748, RFC 8031) against
 * published vectors (/work/shared/vectors/vectors.md, each case cites its
 * source), MODP (RFC 3526) by hand, drawn keys, and peer value validation
 * (RFC 6989). */
#include "harness.h"

#include "ike_crypto.h"

#include <openssl/bn.h>
#include <string.h>

#define ERRLEN 200

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
