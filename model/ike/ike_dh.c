/* IKEv2 Diffie-Hellman (RFC 7296 §2.12, §3.4): MODP (RFC 3526), ECP
 * (RFC 5903) and Curve25519 (RFC 8031), through OpenSSL 3 EVP keys.  The
 * big-number and EC point calls are only used to compute a public value
 * from a given private key, which EVP import does not do in OpenSSL 3.0. */
#include "ike_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	const char *ossl;   /* OpenSSL group / curve name */
	int nid;            /* EC curve */
	size_t public_len;  /* KE data */
	size_t coord_len;   /* ECP field element length */
	unsigned priv_bits; /* ike_dh_new_drawn(): the private key's length */
};

static const struct dh_group groups[] = {
        /* MODP exponents of twice the group's strength (NIST SP 800-57
         * Part 1 Table 2: 112 and 128 bits; RFC 3526 §8) */
        {IKE_DH_MODP_2048, DH_MODP, "modp_2048", 0, 256, 0, 224},
        {IKE_DH_MODP_3072, DH_MODP, "modp_3072", 0, 384, 0, 256},
        /* ECP scalars as long as the group order n */
        {IKE_DH_ECP_256, DH_ECP, "P-256", NID_X9_62_prime256v1, 64, 32, 256},
        {IKE_DH_ECP_384, DH_ECP, "P-384", NID_secp384r1, 96, 48, 384},
        {IKE_DH_ECP_521, DH_ECP, "P-521", NID_secp521r1, 132, 66, 521},
        {IKE_DH_CURVE25519, DH_X25519, "X25519", 0, 32, 0, 256},
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_MAX_PUBLIC];
};

static const struct dh_group *find_group(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->public_len : 0;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

const uint8_t *ike_dh_public(const struct ike_dh *dh, size_t *len)
{
	*len = dh->g->public_len;
	return dh->pub;
}

struct ike_dh *ike_dh_new_drawn(uint16_t group, int (*draw)(void *arg, uint8_t *buf, size_t len),
                                void *arg, char *err, size_t errlen)
{
	const struct dh_group *g = find_group(group);
	uint8_t priv[IKE_DH_MAX_SECRET];
	size_t len;

	if (!g) {
		snprintf(err, errlen, "DH group %u is not implemented", group);
		return NULL;
	}
	len = (g->priv_bits + 7) / 8;
	/* Rejection sampling: a draw outside the range (an ECP scalar of 0 or
	 * >= n, a MODP exponent <= 1) is drawn again; rare. */
	for (int tries = 0; tries < 64; tries++) {
		struct ike_dh *dh;

		if (draw(arg, priv, len) < 0)
			break;
		if (g->priv_bits % 8)
			priv[0] &= (uint8_t)((1u << (g->priv_bits % 8)) - 1);
		dh = ike_dh_new_private(group, priv, len, err, errlen);
		if (dh) {
			OPENSSL_cleanse(priv, sizeof(priv));
			return dh;
		}
	}
	OPENSSL_cleanse(priv, sizeof(priv));
	snprintf(err, errlen, "no %s private key from the random source", g->ossl);
	return NULL;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	OPENSSL_cleanse(dh, sizeof(*dh));
	free(dh);
}

static BIGNUM *modp_prime(uint16_t id)
{
	return id == IKE_DH_MODP_2048 ? BN_get_rfc3526_prime_2048(NULL)
	                              : BN_get_rfc3526_prime_3072(NULL);
}

/* Fill dh->pub from dh->key. */
static int export_public(struct ike_dh *dh)
{
	const struct dh_group *g = dh->g;
	uint8_t buf[1 + 2 * 66];
	size_t len = 0;
	BIGNUM *y = NULL;
	int ok = 0;

	switch (g->kind) {
	case DH_X25519:
		len = g->public_len;
		ok = EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &len) && len == g->public_len;
		break;
	case DH_ECP:
		/* Uncompressed point 04 || x || y; KE data is x || y (RFC 5903 §7). */
		ok = EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, buf,
		                                     sizeof(buf), &len) &&
		     len == 1 + g->public_len && buf[0] == 0x04;
		if (ok)
			memcpy(dh->pub, buf + 1, g->public_len);
		break;
	case DH_MODP:
		/* Big-endian, zero-padded to the prime's length (RFC 7296 §3.4). */
		ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		     BN_bn2binpad(y, dh->pub, (int)g->public_len) == (int)g->public_len;
		BN_free(y);
		break;
	}
	return ok ? 0 : -1;
}

static struct ike_dh *dh_alloc(uint16_t group, char *err, size_t errlen)
{
	const struct dh_group *g = find_group(group);
	struct ike_dh *dh;

	if (!g) {
		snprintf(err, errlen, "Diffie-Hellman group %u is not implemented", group);
		return NULL;
	}
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dh->g = g;
	return dh;
}

static EVP_PKEY *modp_generate(const struct dh_group *g)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM params[2];
	EVP_PKEY *key = NULL;

	params[0] =
	        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

struct ike_dh *ike_dh_new(uint16_t group, char *err, size_t errlen)
{
	struct ike_dh *dh = dh_alloc(group, err, errlen);

	if (!dh)
		return NULL;
	if (dh->g->kind == DH_MODP)
		dh->key = modp_generate(dh->g);
	else if (dh->g->kind == DH_ECP)
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", dh->g->ossl);
	else
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (!dh->key || export_public(dh) < 0) {
		snprintf(err, errlen, "OpenSSL could not generate a %s key pair", dh->g->ossl);
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

/* Import a key pair (or a public key when priv is NULL) from parameters. */
static EVP_PKEY *from_params(const struct dh_group *g, const BIGNUM *priv, const BIGNUM *pub_bn,
                             const uint8_t *pub_oct, size_t pub_oct_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;

	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl, 0) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
	    (pub_bn && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_bn)) ||
	    (pub_oct &&
	     !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct, pub_oct_len)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == DH_MODP ? "DH" : "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <=
	            0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

static EVP_PKEY *modp_from_private(const struct dh_group *g, const uint8_t *priv, size_t len,
                                   char *err, size_t errlen)
{
	BIGNUM *p = modp_prime(g->id), *x = BN_bin2bn(priv, (int)len, NULL), *y = BN_new();
	BIGNUM *two = BN_new(), *pm1 = BN_new();
	BN_CTX *bn = BN_CTX_new();
	EVP_PKEY *key = NULL;

	if (!p || !x || !y || !two || !pm1 || !bn || !BN_set_word(two, 2) || !BN_copy(pm1, p) ||
	    !BN_sub_word(pm1, 1)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (BN_cmp(x, BN_value_one()) <= 0 || BN_cmp(x, pm1) >= 0) {
		snprintf(err, errlen, "%s private exponent must be in 1 < x < p-1", g->ossl);
		goto out;
	}
	/* RFC 3526: generator 2, y = 2^x mod p. */
	if (!BN_mod_exp(y, two, x, p, bn)) {
		snprintf(err, errlen, "OpenSSL BN_mod_exp failed");
		goto out;
	}
	key = from_params(g, x, y, NULL, 0);
	if (!key)
		snprintf(err, errlen, "OpenSSL refused the %s private key", g->ossl);
out:
	BN_CTX_free(bn);
	BN_free(p);
	BN_clear_free(x);
	BN_free(y);
	BN_free(two);
	BN_free(pm1);
	return key;
}

static EVP_PKEY *ecp_from_private(const struct dh_group *g, const uint8_t *priv, size_t len,
                                  char *err, size_t errlen)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(g->nid);
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	EC_POINT *q = grp ? EC_POINT_new(grp) : NULL;
	uint8_t oct[1 + 2 * 66];
	EVP_PKEY *key = NULL;
	size_t olen;

	if (!grp || !d || !q) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (len > g->coord_len || BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0) {
		snprintf(err, errlen, "%s private key must be in 1 <= d < n (at most %zu bytes)",
		         g->ossl, g->coord_len);
		goto out;
	}
	olen = EC_POINT_mul(grp, q, d, NULL, NULL, NULL)
	               ? EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct),
	                                    NULL)
	               : 0;
	if (olen != 1 + g->public_len) {
		snprintf(err, errlen, "OpenSSL could not compute the %s public key", g->ossl);
		goto out;
	}
	key = from_params(g, d, NULL, oct, olen);
	if (!key)
		snprintf(err, errlen, "OpenSSL refused the %s private key", g->ossl);
out:
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	BN_clear_free(d);
	return key;
}

struct ike_dh *ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len, char *err,
                                  size_t errlen)
{
	struct ike_dh *dh = dh_alloc(group, err, errlen);

	if (!dh)
		return NULL;
	if (len == 0 || len > IKE_DH_MAX_SECRET) {
		snprintf(err, errlen, "private key of %zu bytes", len);
		ike_dh_free(dh);
		return NULL;
	}
	switch (dh->g->kind) {
	case DH_X25519:
		if (len != 32)
			snprintf(err, errlen, "X25519 private keys are 32 bytes, not %zu", len);
		else
			dh->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, len);
		break;
	case DH_ECP:
		dh->key = ecp_from_private(dh->g, priv, len, err, errlen);
		break;
	case DH_MODP:
		dh->key = modp_from_private(dh->g, priv, len, err, errlen);
		break;
	}
	if (!dh->key || export_public(dh) < 0) {
		if (dh->key)
			snprintf(err, errlen, "could not export the %s public key", dh->g->ossl);
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

/* The peer's public key, checked (RFC 7296 §2.12, RFC 6989 §2.1). */
static EVP_PKEY *peer_key(const struct dh_group *g, const uint8_t *peer, size_t len, char *err,
                          size_t errlen)
{
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *chk;

	if (len != g->public_len) {
		snprintf(err, errlen, "%s KE data is %zu bytes, expected %zu", g->ossl, len,
		         g->public_len);
		return NULL;
	}
	if (g->kind == DH_X25519) {
		key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, len);
	} else if (g->kind == DH_ECP) {
		uint8_t oct[1 + 2 * 66];

		oct[0] = 0x04; /* RFC 5903 §7: KE data is x || y, uncompressed */
		memcpy(oct + 1, peer, len);
		key = from_params(g, NULL, NULL, oct, len + 1);
	} else {
		BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);

		key = y ? from_params(g, NULL, y, NULL, 0) : NULL;
		BN_free(y);
	}
	if (!key) {
		snprintf(err, errlen, "peer's %s public value is invalid%s", g->ossl,
		         g->kind == DH_ECP ? " (not a point on the curve)" : "");
		return NULL;
	}
	if (g->kind != DH_X25519) {
		/* MODP: 1 < y < p-1 and y^q = 1 (the safe prime's subgroup);
		 * ECP: on the curve, not infinity, right order. */
		chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
		if (!chk || EVP_PKEY_public_check(chk) != 1) {
			snprintf(err, errlen, "peer's %s public value fails validation%s", g->ossl,
			         g->kind == DH_MODP ? " (RFC 6989: need 1 < y < p-1, y^q = 1)"
			                            : " (not a valid point)");
			EVP_PKEY_free(key);
			key = NULL;
		}
		EVP_PKEY_CTX_free(chk);
	}
	return key;
}

int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t cap, size_t *len, char *err, size_t errlen)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY *pk = peer_key(g, peer, peer_len, err, errlen);
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t buf[IKE_DH_MAX_SECRET];
	size_t n = sizeof(buf), want, i;
	uint8_t acc = 0;
	int rc = -1;

	if (!pk)
		return -1;
	want = g->kind == DH_MODP ? g->public_len : g->kind == DH_ECP ? g->coord_len : 32;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 ||
	    /* RFC 7296 §2.14: g^ir zero-padded to the modulus length */
	    (g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    EVP_PKEY_derive_set_peer(ctx, pk) <= 0 || EVP_PKEY_derive(ctx, buf, &n) <= 0) {
		snprintf(err, errlen, "%s key derivation failed%s", g->ossl,
		         g->kind == DH_X25519 ? " (RFC 8031 §2: all-zero shared secret?)" : "");
		goto out;
	}
	if (n != want || cap < n) {
		snprintf(err, errlen, "%s shared secret of %zu bytes (expected %zu, room for %zu)",
		         g->ossl, n, want, cap);
		goto out;
	}
	/* RFC 8031 §2: an all-zero X25519 result MUST be refused. */
	for (i = 0; i < n; i++)
		acc |= buf[i];
	if (g->kind == DH_X25519 && acc == 0) {
		snprintf(err, errlen, "X25519 shared secret is all zeros (RFC 8031 §2)");
		goto out;
	}
	memcpy(secret, buf, n);
	*len = n;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}
