/* IKEv2 AUTH payload data: the signed octets and the shared key MIC
 * (RFC 7296 §2.15), digital signatures (RFC 7427). */
#include "ike_crypto.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/* prf(SK_p, RestOfIDPayload) */
static int maced_id(const struct ike_auth_input *in, uint8_t *out)
{
	struct crypto_buf id = {in->id_body, in->id_body_len};

	return ike_prf(in->prf, in->sk_p, in->sk_p_len, &id, 1, out);
}

int ike_signed_octets(const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *len)
{
	size_t plen = ike_prf_len(in->prf);
	size_t need = in->real_msg_len + in->peer_nonce_len + plen;

	if (!plen || cap < need)
		return -1;
	/* §2.15: RealMessage | Nonce(peer) | prf(SK_p, RestOfIDPayload) */
	memcpy(out, in->real_msg, in->real_msg_len);
	memcpy(out + in->real_msg_len, in->peer_nonce, in->peer_nonce_len);
	if (maced_id(in, out + in->real_msg_len + in->peer_nonce_len) < 0)
		return -1;
	*len = need;
	return 0;
}

int ike_auth_psk(const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len, uint8_t *auth,
                 size_t *auth_len)
{
	static const char pad[] = "Key Pad for IKEv2"; /* §2.15, 17 ASCII octets */
	struct crypto_buf keypad = {(const uint8_t *)pad, sizeof(pad) - 1};
	uint8_t key[IKE_PRF_MAX_LEN], mid[IKE_PRF_MAX_LEN];
	size_t plen = ike_prf_len(in->prf);
	struct crypto_buf octets[3] = {{in->real_msg, in->real_msg_len},
	                               {in->peer_nonce, in->peer_nonce_len},
	                               {mid, plen}};
	int rc = -1;

	if (!plen)
		return -1;
	/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>) */
	if (ike_prf(in->prf, psk, psk_len, &keypad, 1, key) == 0 && maced_id(in, mid) == 0 &&
	    ike_prf(in->prf, key, plen, octets, 3, auth) == 0) {
		*auth_len = plen;
		rc = 0;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ike_auth_psk_verify(const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
                        const uint8_t *auth, size_t auth_len)
{
	uint8_t want[IKE_PRF_MAX_LEN];
	size_t len;

	if (ike_auth_psk(in, psk, psk_len, want, &len) < 0)
		return -1;
	return auth_len == len && CRYPTO_memcmp(want, auth, len) == 0 ? 0 : 1;
}

/* RFC 7427 Appendix A: DER AlgorithmIdentifier of each signature scheme. */
struct sig_alg {
	int key_type; /* EVP_PKEY_RSA or EVP_PKEY_EC */
	enum ike_hash hash;
	const char *digest;
	uint8_t der_len;
	uint8_t der[16];
};

static const struct sig_alg sig_algs[] = {
        /* sha256WithRSAEncryption 1.2.840.113549.1.1.11, NULL parameters */
        {EVP_PKEY_RSA,
         IKE_HASH_SHA2_256,
         "SHA256",
         15,
         {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05,
          0x00}},
        {EVP_PKEY_RSA,
         IKE_HASH_SHA2_384,
         "SHA384",
         15,
         {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05,
          0x00}},
        {EVP_PKEY_RSA,
         IKE_HASH_SHA2_512,
         "SHA512",
         15,
         {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05,
          0x00}},
        /* ecdsa-with-SHA256 1.2.840.10045.4.3.2, no parameters */
        {EVP_PKEY_EC,
         IKE_HASH_SHA2_256,
         "SHA256",
         12,
         {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}},
        {EVP_PKEY_EC,
         IKE_HASH_SHA2_384,
         "SHA384",
         12,
         {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}},
        {EVP_PKEY_EC,
         IKE_HASH_SHA2_512,
         "SHA512",
         12,
         {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}},
};

#define NSIG (sizeof(sig_algs) / sizeof(sig_algs[0]))

/* Feed the signed octets to a DigestSign/DigestVerify context. */
static int feed(EVP_MD_CTX *md, const struct ike_auth_input *in, bool sign)
{
	uint8_t mid[IKE_PRF_MAX_LEN];
	size_t plen = ike_prf_len(in->prf);
	const struct crypto_buf parts[3] = {{in->real_msg, in->real_msg_len},
	                                    {in->peer_nonce, in->peer_nonce_len},
	                                    {mid, plen}};
	size_t i;

	if (!plen || maced_id(in, mid) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		int ok = sign ? EVP_DigestSignUpdate(md, parts[i].p, parts[i].n)
		              : EVP_DigestVerifyUpdate(md, parts[i].p, parts[i].n);
		if (!ok)
			return -1;
	}
	return 0;
}

int ike_auth_sign(EVP_PKEY *key, enum ike_hash hash, const struct ike_auth_input *in, uint8_t *out,
                  size_t cap, size_t *len, char *err, size_t errlen)
{
	const struct sig_alg *a = NULL;
	EVP_MD_CTX *md = NULL;
	size_t i, siglen;
	int rc = -1;

	for (i = 0; i < NSIG; i++)
		if (sig_algs[i].hash == hash && EVP_PKEY_get_base_id(key) == sig_algs[i].key_type)
			a = &sig_algs[i];
	if (!a) {
		snprintf(err, errlen, "no RFC 7427 signature scheme for this key type and hash %d",
		         hash);
		return -1;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit_ex(md, NULL, a->digest, NULL, NULL, key, NULL) <= 0 ||
	    feed(md, in, true) < 0 || EVP_DigestSignFinal(md, NULL, &siglen) <= 0) {
		snprintf(err, errlen, "OpenSSL could not sign with %s", a->digest);
		goto out;
	}
	if (cap < 1 + (size_t)a->der_len + siglen) {
		snprintf(err, errlen, "AUTH buffer of %zu bytes too small for %zu", cap,
		         1 + (size_t)a->der_len + siglen);
		goto out;
	}
	/* RFC 7427 §3: ASN.1 Length | AlgorithmIdentifier | Signature Value */
	out[0] = a->der_len;
	memcpy(out + 1, a->der, a->der_len);
	if (EVP_DigestSignFinal(md, out + 1 + a->der_len, &siglen) <= 0) {
		snprintf(err, errlen, "OpenSSL could not sign with %s", a->digest);
		goto out;
	}
	*len = 1 + a->der_len + siglen;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int ike_auth_verify(EVP_PKEY *pub, const struct ike_auth_input *in, const uint8_t *auth,
                    size_t auth_len, char *err, size_t errlen)
{
	const struct sig_alg *a = NULL;
	EVP_MD_CTX *md = NULL;
	size_t i, dlen;
	int rc = -1, v;

	if (auth_len < 1 || (dlen = auth[0]) + 1 > auth_len) {
		snprintf(err, errlen, "AUTH data of %zu bytes cannot hold its AlgorithmIdentifier",
		         auth_len);
		return -1;
	}
	for (i = 0; i < NSIG; i++)
		if (sig_algs[i].der_len == dlen && memcmp(sig_algs[i].der, auth + 1, dlen) == 0)
			a = &sig_algs[i];
	if (!a) {
		snprintf(err, errlen, "unsupported signature AlgorithmIdentifier (RFC 7427)");
		return -1;
	}
	if (EVP_PKEY_get_base_id(pub) != a->key_type) {
		snprintf(err, errlen, "%s signature does not fit the peer's %s key",
		         a->key_type == EVP_PKEY_RSA ? "RSA" : "ECDSA",
		         EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA ? "RSA" : "non-RSA");
		return -1;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit_ex(md, NULL, a->digest, NULL, NULL, pub, NULL) <= 0 ||
	    feed(md, in, false) < 0) {
		snprintf(err, errlen, "OpenSSL could not verify with %s", a->digest);
		goto out;
	}
	v = EVP_DigestVerifyFinal(md, auth + 1 + dlen, auth_len - 1 - dlen);
	if (v == 1) {
		rc = 0;
	} else {
		snprintf(err, errlen, "signature does not verify");
		rc = 1;
	}
out:
	EVP_MD_CTX_free(md);
	return rc;
}
