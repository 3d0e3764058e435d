/* IKEv2 PRF, prf+ and key schedule (RFC 7296 §2.13, §2.14, §2.17, §2.18)
 * with HMAC-SHA2 (RFC 4868), and the sizes a negotiated suite implies. */
#include "ike_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

static const char *prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

size_t ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

int ike_suite_sizes(const struct ike_suite *s, struct ike_suite_sizes *sz, char *err, size_t errlen)
{
	const struct enc_transform *et;
	const struct integ_transform *it;

	memset(sz, 0, sizeof(*sz));
	switch (s->encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		if (s->encr_bits != 128 && s->encr_bits != 256) {
			snprintf(err, errlen,
			         "%s with a %u-bit key is not implemented (128 or 256)",
			         s->encr == IKE_ENCR_AES_CBC ? "AES-CBC" : "AES-GCM-16",
			         s->encr_bits);
			return -1;
		}
		if (s->encr == IKE_ENCR_AES_CBC)
			sz->enc =
			        s->encr_bits == 128 ? IPSEC_ENC_AES_CBC_128 : IPSEC_ENC_AES_CBC_256;
		else
			sz->enc = s->encr_bits == 128 ? IPSEC_ENC_AES_GCM16_128
			                              : IPSEC_ENC_AES_GCM16_256;
		break;
	case IKE_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 §3: no Key Length attribute (fixed 256-bit key). */
		if (s->encr_bits != 0 && s->encr_bits != 256) {
			snprintf(err, errlen, "ChaCha20-Poly1305 with a Key Length of %u",
			         s->encr_bits);
			return -1;
		}
		sz->enc = IPSEC_ENC_CHACHA20_POLY1305;
		break;
	default:
		snprintf(err, errlen, "encryption transform %u is not implemented for IKE",
		         s->encr);
		return -1;
	}
	et = enc_transform(sz->enc);
	sz->aead = et->aead;
	sz->encr_key = et->key_len + et->salt_len;
	sz->iv = et->iv_len;
	sz->block = et->block_size;
	sz->icv = et->icv_len;
	sz->integ = IPSEC_INTEG_NONE;
	if (sz->aead) {
		/* RFC 5282 §8 / RFC 7296 §3.3.3: no integrity with AEAD. */
		if (s->integ != IKE_INTEG_NONE) {
			snprintf(
			        err, errlen,
			        "integrity transform %u combined with an AEAD cipher (RFC 5282 §8)",
			        s->integ);
			return -1;
		}
	} else {
		switch (s->integ) {
		case IKE_INTEG_HMAC_SHA2_256_128:
			sz->integ = IPSEC_INTEG_HMAC_SHA256_128;
			break;
		case IKE_INTEG_HMAC_SHA2_384_192:
			sz->integ = IPSEC_INTEG_HMAC_SHA384_192;
			break;
		case IKE_INTEG_HMAC_SHA2_512_256:
			sz->integ = IPSEC_INTEG_HMAC_SHA512_256;
			break;
		default:
			if (s->integ == IKE_INTEG_NONE)
				snprintf(err, errlen, "AES-CBC needs an integrity transform");
			else
				snprintf(err, errlen,
				         "integrity transform %u is not implemented for IKE",
				         s->integ);
			return -1;
		}
		it = integ_transform(sz->integ);
		sz->integ_key = it->key_len;
		sz->icv = it->icv_len;
	}
	sz->prf_len = ike_prf_len(s->prf);
	if (!sz->prf_len) {
		snprintf(err, errlen, "PRF %u is not implemented", s->prf);
		return -1;
	}
	return 0;
}

/* An HMAC context keyed with `key` for `prf`, or NULL.  Fetching HMAC and
 * its digest and keying cost most of a PRF call over short data, so prf+
 * keys once for all its blocks. */
static EVP_MAC_CTX *prf_keyed(uint16_t prf, const uint8_t *key, size_t key_len)
{
	const char *digest = prf_digest(prf);
	EVP_MAC *mac = digest ? EVP_MAC_fetch(NULL, "HMAC", NULL) : NULL;
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];

	EVP_MAC_free(mac);
	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* HMAC takes keys of any length, including empty ones. */
	if (!EVP_MAC_init(ctx, key_len ? key : (const uint8_t *)"", key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* prf(K, data[0] | data[1] | ...) with a fresh context from prf_keyed(). */
static int prf_keyed_run(EVP_MAC_CTX *ctx, size_t out_len, const struct crypto_buf *data, size_t n,
                         uint8_t *out)
{
	size_t outl = 0;

	for (size_t i = 0; i < n; i++)
		if (data[i].n && !EVP_MAC_update(ctx, data[i].p, data[i].n))
			return -1;
	return EVP_MAC_final(ctx, out, &outl, out_len) && outl == out_len ? 0 : -1;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct crypto_buf *data,
            size_t n, uint8_t *out)
{
	EVP_MAC_CTX *ctx = prf_keyed(prf, key, key_len);
	int rc = ctx ? prf_keyed_run(ctx, ike_prf_len(prf), data, n, out) : -1;

	EVP_MAC_CTX_free(ctx);
	return rc;
}

#define PRF_PLUS_MAX_SEED 8

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct crypto_buf *seed,
                 size_t n, uint8_t *out, size_t out_len)
{
	size_t plen = ike_prf_len(prf), done = 0, i;
	struct crypto_buf in[PRF_PLUS_MAX_SEED + 2];
	uint8_t t[IKE_PRF_MAX_LEN], counter;
	EVP_MAC_CTX *ctx;
	int rc = -1;

	if (!plen || n > PRF_PLUS_MAX_SEED || out_len > 255 * plen)
		return -1; /* §2.13: the counter is one octet, at most 255 blocks */
	ctx = prf_keyed(prf, key, key_len);
	if (!ctx)
		return -1;
	for (counter = 1; done < out_len; counter++) {
		size_t k = 0, take;

		/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
		if (counter > 1)
			in[k++] = (struct crypto_buf){t, plen};
		for (i = 0; i < n; i++)
			in[k++] = seed[i];
		in[k++] = (struct crypto_buf){&counter, 1};
		/* EVP_MAC_init without a key starts over with the same key. */
		if ((counter > 1 && !EVP_MAC_init(ctx, NULL, 0, NULL)) ||
		    prf_keyed_run(ctx, plen, in, k, t) < 0)
			goto out;
		take = out_len - done < plen ? out_len - done : plen;
		memcpy(out + done, t, take);
		done += take;
	}
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                 const uint8_t *g_ir, size_t g_ir_len, uint8_t *skeyseed)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	struct crypto_buf data = {g_ir, g_ir_len};
	int rc;

	/* §2.14: the key is Ni | Nr.  (Only PRFs with variable-length keys
	 * are implemented, so the nonces are used whole.) */
	if (ni_len + nr_len > sizeof(key))
		return -1;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	rc = ike_prf(prf, key, ni_len + nr_len, &data, 1, skeyseed);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *old_sk_d, size_t old_sk_d_len,
                       const uint8_t *g_ir, size_t g_ir_len, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, uint8_t *skeyseed)
{
	struct crypto_buf data[3] = {{g_ir, g_ir_len}, {ni, ni_len}, {nr, nr_len}};

	return ike_prf(old_prf, old_sk_d, old_sk_d_len, data, 3, skeyseed);
}

int ike_derive_keys(const struct ike_suite *s, const uint8_t *skeyseed, size_t skeyseed_len,
                    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
                    struct ike_keys *k, char *err, size_t errlen)
{
	struct ike_suite_sizes sz;
	struct crypto_buf seed[4] = {
	        {ni, ni_len}, {nr, nr_len}, {spi_i, IKE_SPI_LEN}, {spi_r, IKE_SPI_LEN}};
	uint8_t km[3 * IKE_PRF_MAX_LEN + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX];
	size_t total, pos = 0;

	memset(k, 0, sizeof(*k));
	if (ike_suite_sizes(s, &sz, err, errlen) < 0)
		return -1;
	k->prf_len = sz.prf_len;
	k->integ_len = sz.integ_key;
	k->encr_len = sz.encr_key;
	total = 3 * sz.prf_len + 2 * sz.integ_key + 2 * sz.encr_key;
	if (ike_prf_plus(s->prf, skeyseed, skeyseed_len, seed, 4, km, total) < 0) {
		snprintf(err, errlen, "prf+ failed");
		return -1;
	}
	/* §2.14: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	memcpy(k->sk_d, km + pos, sz.prf_len);
	pos += sz.prf_len;
	memcpy(k->sk_ai, km + pos, sz.integ_key);
	pos += sz.integ_key;
	memcpy(k->sk_ar, km + pos, sz.integ_key);
	pos += sz.integ_key;
	memcpy(k->sk_ei, km + pos, sz.encr_key);
	pos += sz.encr_key;
	memcpy(k->sk_er, km + pos, sz.encr_key);
	pos += sz.encr_key;
	memcpy(k->sk_pi, km + pos, sz.prf_len);
	pos += sz.prf_len;
	memcpy(k->sk_pr, km + pos, sz.prf_len);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

void ike_keys_wipe(struct ike_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
                     size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
                     size_t nr_len, size_t encr_len, size_t integ_len, struct ike_child_keys *out)
{
	struct crypto_buf seed[3] = {{g_ir, g_ir ? g_ir_len : 0}, {ni, ni_len}, {nr, nr_len}};
	uint8_t km[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)];
	size_t pos = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (encr_len > IKE_ENCR_KEY_MAX || integ_len > IKE_INTEG_KEY_MAX)
		return -1;
	out->encr_len = encr_len;
	out->integ_len = integ_len;
	rc = ike_prf_plus(prf, sk_d, sk_d_len, seed, 3, km, 2 * (encr_len + integ_len));
	if (rc == 0) {
		/* §2.17: initiator-to-responder keys first, encryption first. */
		memcpy(out->encr_i, km + pos, encr_len);
		pos += encr_len;
		memcpy(out->integ_i, km + pos, integ_len);
		pos += integ_len;
		memcpy(out->encr_r, km + pos, encr_len);
		pos += encr_len;
		memcpy(out->integ_r, km + pos, integ_len);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}
