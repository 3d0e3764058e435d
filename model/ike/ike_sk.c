/* The IKEv2 Encrypted payload (RFC 7296 §3.14), and the Encrypted Fragment
 * payload that protects each fragment alike (RFC 7383 §2.5): AES-CBC with HMAC-SHA2
 * (RFC 4868), AES-GCM-16 (RFC 5282) and ChaCha20-Poly1305 (RFC 7634).  The
 * contexts are the engine's per-SA ones (crypto.h), keyed once. */
#include "ike_crypto.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

int ike_sk_init(struct ike_sk *sk, const struct ike_suite *s, const uint8_t *sk_e,
                const uint8_t *sk_a, bool encrypt, char *err, size_t errlen)
{
	memset(sk, 0, sizeof(*sk));
	if (ike_suite_sizes(s, &sk->sz, err, errlen) < 0)
		return -1;
	/* SK_e of AEAD transforms carries the salt after the key (RFC 5282
	 * §7.1, RFC 7634 §3), the layout sa_crypto_init() expects. */
	return sa_crypto_init(&sk->c, sk->sz.enc, sk->sz.integ, sk_e, sk_a, encrypt, err, errlen);
}

void ike_sk_free(struct ike_sk *sk)
{
	sa_crypto_free(&sk->c);
}

int ike_sk_pair_init(struct ike_sk_pair *p, const struct ike_suite *s, const struct ike_keys *k,
                     bool initiator, char *err, size_t errlen)
{
	/* §2.14: SK_ei/SK_ai protect what the original initiator sends. */
	const uint8_t *e_out = initiator ? k->sk_ei : k->sk_er,
	              *a_out = initiator ? k->sk_ai : k->sk_ar;
	const uint8_t *e_in = initiator ? k->sk_er : k->sk_ei,
	              *a_in = initiator ? k->sk_ar : k->sk_ai;

	memset(p, 0, sizeof(*p));
	if (ike_sk_init(&p->out, s, e_out, a_out, true, err, errlen) < 0)
		return -1;
	if (ike_sk_init(&p->in, s, e_in, a_in, false, err, errlen) < 0) {
		ike_sk_free(&p->out);
		return -1;
	}
	return 0;
}

void ike_sk_pair_free(struct ike_sk_pair *p)
{
	ike_sk_free(&p->out);
	ike_sk_free(&p->in);
}

int ike_sk_protect(struct ike_sk *sk, uint8_t *msg, const struct ike_sk_layout *l,
                   const uint8_t *iv)
{
	const struct ike_suite_sizes *sz = &sk->sz;
	uint8_t *plain = msg + l->plain;

	if (!sk->c.encrypt || l->iv_len != sz->iv || l->icv_len != sz->icv ||
	    l->plain_len % sz->block != 0)
		return -1;
	memcpy(msg + l->iv, iv, sz->iv);
	if (sz->aead) {
		/* RFC 5282 §5.1: AAD = IKE header .. end of the SK header;
		 * nonce = salt || IV (RFC 5282 §4, RFC 7634 §4). */
		struct crypto_buf aad = {msg, l->iv};
		struct crypto_buf in = {plain, l->plain_len};

		return crypto_aead(&sk->c, msg + l->iv, &aad, 1, &in, 1, plain, msg + l->icv);
	} else {
		/* RFC 7296 §3.14: encrypt, then MAC from the IKE header
		 * through the ciphertext. */
		struct crypto_buf mac = {msg, l->icv};

		if (crypto_cbc(&sk->c, msg + l->iv, plain, plain, l->plain_len) < 0)
			return -1;
		return crypto_hmac(&sk->c, &mac, 1, msg + l->icv);
	}
}

int ike_sk_unprotect(struct ike_sk *sk, uint8_t *msg, const struct ike_payload *skp,
                     uint8_t **plain, size_t *plain_len, char *err, size_t errlen)
{
	const struct ike_suite_sizes *sz = &sk->sz;
	size_t iv_at, ct_at, ct_len, icv_at, end, pad;
	int rc;

	if ((skp->type != IKE_PL_SK && skp->type != IKE_PL_SKF) || skp->inner || sk->c.encrypt) {
		snprintf(err, errlen, "not an outer SK or SKF payload, or an encrypting context");
		return -1;
	}
	/* RFC 7296 §3.14: IV || ciphertext (at least the Pad Length) || ICV */
	if (skp->u.sk.len < sz->iv + sz->block + sz->icv) {
		snprintf(err, errlen,
		         "%s payload of %zu bytes is too short (IV %zu + %zu + ICV %zu)",
		         ike_payload_name(skp->type), skp->u.sk.len, sz->iv, sz->block, sz->icv);
		return -1;
	}
	/* RFC 7383 §2.5: in an SKF payload the IV follows Fragment Number and
	 * Total Fragments, which are thus in the associated data (AEAD) or
	 * under the ICV. */
	iv_at = (size_t)(skp->u.sk.data - msg);
	ct_at = iv_at + sz->iv;
	end = iv_at + skp->u.sk.len;
	icv_at = end - sz->icv;
	ct_len = icv_at - ct_at;
	if (ct_len % sz->block != 0) {
		snprintf(err, errlen, "SK ciphertext of %zu bytes is not a multiple of %zu", ct_len,
		         sz->block);
		return -1;
	}
	if (sz->aead) {
		struct crypto_buf aad = {msg, iv_at};
		struct crypto_buf in = {msg + ct_at, ct_len};

		rc = crypto_aead(&sk->c, msg + iv_at, &aad, 1, &in, 1, msg + ct_at, msg + icv_at);
	} else {
		/* Verify before decrypting (RFC 7296 §3.14: the ICV covers the
		 * message up to the ICV). */
		struct crypto_buf mac = {msg, icv_at};
		uint8_t icv[CRYPTO_MAX_ICV];

		rc = crypto_hmac(&sk->c, &mac, 1, icv);
		if (rc == 0)
			rc = CRYPTO_memcmp(icv, msg + icv_at, sz->icv) ? 1 : 0;
		if (rc == 0 &&
		    crypto_cbc(&sk->c, msg + iv_at, msg + ct_at, msg + ct_at, ct_len) < 0)
			rc = -1;
	}
	if (rc != 0) {
		if (rc == 1) {
			snprintf(err, errlen, "SK payload ICV does not verify");
			if (sz->aead) /* the plaintext was written before the check */
				OPENSSL_cleanse(msg + ct_at, ct_len);
		} else {
			snprintf(err, errlen, "OpenSSL failed on the SK payload");
		}
		return rc;
	}
	pad = msg[icv_at - 1];
	if (pad + 1 > ct_len) {
		snprintf(err, errlen, "SK Pad Length %zu exceeds the %zu-byte plaintext", pad,
		         ct_len);
		return -1;
	}
	*plain = msg + ct_at;
	*plain_len = ct_len - pad - 1;
	return 0;
}
