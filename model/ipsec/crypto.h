/* Transforms and per-SA cryptographic state (OpenSSL 3 EVP).
 *
 * One EVP_CIPHER_CTX and one EVP_MAC_CTX per SA, keyed once when the SA is
 * added; per packet only the IV is set and the MAC is re-initialised with the
 * key it already holds.  Nothing here allocates per packet. */
#ifndef IPSEC_CRYPTO_H
#define IPSEC_CRYPTO_H

#include "ipsec.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_MAX_ICV 32
#define CRYPTO_MAX_IV 16
#define CRYPTO_SALT_LEN 4

/* An encryption transform's sizes (RFC 3602, 4106, 4543, 7634, 2410). */
struct enc_transform {
	const char *name;
	const EVP_CIPHER *(*cipher)(void); /* NULL for ENCR_NULL */
	size_t key_len;                    /* without the salt */
	size_t salt_len;
	size_t iv_len;     /* explicit IV carried in each packet */
	size_t block_size; /* plaintext multiple, a power of two; 1 for stream and AEAD */
	size_t icv_len;    /* AEAD/GMAC tag; 0 when integrity is separate */
	bool aead;         /* combined mode: encrypts and authenticates */
	bool gmac;         /* RFC 4543: authenticates only, everything is AAD */
};

/* An integrity transform (RFC 4868). */
struct integ_transform {
	const char *name;
	const char *digest; /* OpenSSL digest name; NULL for none */
	size_t key_len;
	size_t icv_len;
};

const struct enc_transform *enc_transform(enum ipsec_enc enc);
const struct integ_transform *integ_transform(enum ipsec_integ integ);

/* A buffer in a list of buffers (AAD is assembled from several pieces). */
struct crypto_buf {
	const uint8_t *p;
	size_t n;
};

struct sa_crypto {
	const struct enc_transform *enc;
	const struct integ_transform *integ;
	EVP_CIPHER_CTX *cipher; /* NULL for ENCR_NULL */
	EVP_MAC_CTX *mac;       /* NULL without an integrity transform */
	uint8_t salt[CRYPTO_SALT_LEN];
	bool encrypt;
};

/* Key the contexts; -1 with a message in err. */
int sa_crypto_init(struct sa_crypto *c, enum ipsec_enc enc, enum ipsec_integ integ,
                   const uint8_t *enc_key, const uint8_t *integ_key, bool encrypt, char *err,
                   size_t errlen);
void sa_crypto_free(struct sa_crypto *c);

/* HMAC over the concatenation of `n` buffers, truncated to the transform's
 * ICV length (RFC 4868 §2.3).  0 or -1. */
int crypto_hmac(struct sa_crypto *c, const struct crypto_buf *bufs, size_t n, uint8_t *icv);

/* AES-CBC (RFC 3602) of `len` bytes (a multiple of the block size) from `in`
 * to `out` (may be equal), in the SA's direction.  0 or -1. */
int crypto_cbc(struct sa_crypto *c, const uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len);

/* AEAD (GCM RFC 4106, ChaCha20-Poly1305 RFC 7634) and GMAC (RFC 4543, with
 * no input and everything in the AAD).  Nonce = salt || iv (8 bytes).  The
 * `nin` input pieces are processed in order into `out`, contiguously (a
 * piece may be in place).  Sealing writes the tag; opening checks it.
 * Returns 0, 1 if the tag does not verify, -1 on error. */
int crypto_aead(struct sa_crypto *c, const uint8_t *iv, const struct crypto_buf *aad, size_t naad,
                const struct crypto_buf *in, size_t nin, uint8_t *out, uint8_t *tag);

#endif
