/* IKEv2 authentication (model/ike/ike_crypto.h): the shared key MIC
 * (RFC 7296 §2.15) and digital signatures (RFC 7427). */
#include "harness.h"

#include "ike_crypto.h"

#include <openssl/evp.h>
#include <string.h>

#define ERRLEN 200

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
	        cmocka_unit_test(test_psk_auth),
	        cmocka_unit_test(test_signature_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
