/* Transforms and per-SA cryptographic state (OpenSSL 3 EVP). */
#include "crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

static const struct enc_transform enc_transforms[IPSEC_ENC__COUNT] = {
        /* RFC 2410: no IV, no padding beyond 4-byte alignment. */
        [IPSEC_ENC_NULL] = {"null", NULL, 0, 0, 0, 1, 0, false, false},
        /* RFC 3602 §2.1, §3: 16-byte explicit IV, 16-byte blocks. */
        [IPSEC_ENC_AES_CBC_128] = {"aes-cbc-128", EVP_aes_128_cbc, 16, 0, 16, 16, 0, false, false},
        [IPSEC_ENC_AES_CBC_256] = {"aes-cbc-256", EVP_aes_256_cbc, 32, 0, 16, 16, 0, false, false},
        /* RFC 4106 §3.1, §8.1: 8-byte IV, 4-byte salt, 16-byte ICV. */
        [IPSEC_ENC_AES_GCM16_128] = {"aes-gcm-16-128", EVP_aes_128_gcm, 16, 4, 8, 1, 16, true,
                                     false},
        [IPSEC_ENC_AES_GCM16_256] = {"aes-gcm-16-256", EVP_aes_256_gcm, 32, 4, 8, 1, 16, true,
                                     false},
        /* RFC 4543 §3.1, §3.2. */
        [IPSEC_ENC_AES_GMAC_128] = {"aes-gmac-128", EVP_aes_128_gcm, 16, 4, 8, 1, 16, false, true},
        [IPSEC_ENC_AES_GMAC_256] = {"aes-gmac-256", EVP_aes_256_gcm, 32, 4, 8, 1, 16, false, true},
        /* RFC 7634 §2, §4. */
        [IPSEC_ENC_CHACHA20_POLY1305] = {"chacha20-poly1305", EVP_chacha20_poly1305, 32, 4, 8, 1,
                                         16, true, false},
};

static const struct integ_transform integ_transforms[IPSEC_INTEG__COUNT] = {
        [IPSEC_INTEG_NONE] = {"none", NULL, 0, 0},
        /* RFC 4868 §2.1, §2.6: key = full hash length, ICV = half of it. */
        [IPSEC_INTEG_HMAC_SHA256_128] = {"hmac-sha256-128", "SHA256", 32, 16},
        [IPSEC_INTEG_HMAC_SHA384_192] = {"hmac-sha384-192", "SHA384", 48, 24},
        [IPSEC_INTEG_HMAC_SHA512_256] = {"hmac-sha512-256", "SHA512", 64, 32},
};

const struct enc_transform *enc_transform(enum ipsec_enc enc)
{
	if ((unsigned)enc >= IPSEC_ENC__COUNT)
		return NULL;
	return &enc_transforms[enc];
}

const struct integ_transform *integ_transform(enum ipsec_integ integ)
{
	if ((unsigned)integ >= IPSEC_INTEG__COUNT)
		return NULL;
	return &integ_transforms[integ];
}

int sa_crypto_init(struct sa_crypto *c, enum ipsec_enc enc, enum ipsec_integ integ,
                   const uint8_t *enc_key, const uint8_t *integ_key, bool encrypt, char *err,
                   size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->enc = enc_transform(enc);
	c->integ = integ_transform(integ);
	c->encrypt = encrypt;
	if (c->enc->cipher) {
		c->cipher = EVP_CIPHER_CTX_new();
		if (!c->cipher ||
		    !EVP_CipherInit_ex2(c->cipher, c->enc->cipher(), enc_key, NULL, encrypt, NULL))
			goto fail;
		if (c->enc->block_size > 1)
			EVP_CIPHER_CTX_set_padding(c->cipher, 0); /* ESP pads itself */
		memcpy(c->salt, enc_key + c->enc->key_len, c->enc->salt_len);
	}
	if (c->integ->digest) {
		OSSL_PARAM params[2];
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

		if (!mac)
			goto fail;
		c->mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		                                             (char *)c->integ->digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!c->mac || !EVP_MAC_init(c->mac, integ_key, c->integ->key_len, params))
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "OpenSSL refused to set up %s/%s", c->enc->name, c->integ->name);
	sa_crypto_free(c);
	return -1;
}

void sa_crypto_free(struct sa_crypto *c)
{
	EVP_CIPHER_CTX_free(c->cipher);
	EVP_MAC_CTX_free(c->mac);
	c->cipher = NULL;
	c->mac = NULL;
	OPENSSL_cleanse(c->salt, sizeof(c->salt));
}

int crypto_hmac(struct sa_crypto *c, const struct crypto_buf *bufs, size_t n, uint8_t *icv)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t outl;
	size_t i;

	/* A NULL key re-initialises with the key set at SA add. */
	if (!EVP_MAC_init(c->mac, NULL, 0, NULL))
		return -1;
	for (i = 0; i < n; i++)
		if (bufs[i].n && !EVP_MAC_update(c->mac, bufs[i].p, bufs[i].n))
			return -1;
	if (!EVP_MAC_final(c->mac, full, &outl, sizeof(full)) || outl < c->integ->icv_len)
		return -1;
	memcpy(icv, full, c->integ->icv_len);
	return 0;
}

int crypto_cbc(struct sa_crypto *c, const uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
	int outl;

	if (len > INT32_MAX || !EVP_CipherInit_ex2(c->cipher, NULL, NULL, iv, -1, NULL) ||
	    !EVP_CipherUpdate(c->cipher, out, &outl, in, (int)len) || (size_t)outl != len)
		return -1;
	return 0;
}

int crypto_aead(struct sa_crypto *c, const uint8_t *iv, const struct crypto_buf *aad, size_t naad,
                const struct crypto_buf *in, size_t nin, uint8_t *out, uint8_t *tag)
{
	uint8_t nonce[CRYPTO_SALT_LEN + 8];
	uint8_t tail[16];
	int outl;
	size_t i;

	memcpy(nonce, c->salt, CRYPTO_SALT_LEN);
	memcpy(nonce + CRYPTO_SALT_LEN, iv, 8);
	if (!EVP_CipherInit_ex2(c->cipher, NULL, NULL, nonce, -1, NULL))
		return -1;
	for (i = 0; i < naad; i++)
		if (aad[i].n &&
		    (aad[i].n > INT32_MAX ||
		     !EVP_CipherUpdate(c->cipher, NULL, &outl, aad[i].p, (int)aad[i].n)))
			return -1;
	for (i = 0; i < nin; i++) {
		if (!in[i].n)
			continue;
		if (in[i].n > INT32_MAX ||
		    !EVP_CipherUpdate(c->cipher, out, &outl, in[i].p, (int)in[i].n) ||
		    (size_t)outl != in[i].n)
			return -1;
		out += in[i].n;
	}
	if (c->encrypt) {
		if (!EVP_CipherFinal_ex(c->cipher, tail, &outl) ||
		    !EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_GET_TAG, (int)c->enc->icv_len,
		                         tag))
			return -1;
		return 0;
	}
	if (!EVP_CIPHER_CTX_ctrl(c->cipher, EVP_CTRL_AEAD_SET_TAG, (int)c->enc->icv_len, tag))
		return -1;
	return EVP_CipherFinal_ex(c->cipher, tail, &outl) ? 0 : 1;
}
