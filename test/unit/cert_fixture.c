/* Test PKI (cert_fixture.h). */
#include "harness.h"

#include "cert_fixture.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

EVP_PKEY *tc_key(const char *type)
{
	EVP_PKEY *k = NULL;

	if (!strcmp(type, "rsa-2048"))
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (!strcmp(type, "ecdsa-p256"))
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (!strcmp(type, "ecdsa-p384"))
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!k)
		fail_msg("cannot make a %s key", type);
	return k;
}

static X509_NAME *dn(const char *s)
{
	X509_NAME *n = X509_NAME_new();
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(r, '=');

		while (*r == ' ')
			r++;
		assert_non_null(eq);
		*eq = '\0';
		assert_true(X509_NAME_add_entry_by_txt(n, r, MBSTRING_UTF8,
		                                       (const unsigned char *)eq + 1, -1, -1, 0));
	}
	return n;
}

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

X509 *tc_cert(const char *subject, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
              const char *san, bool ca, time_t not_before, time_t not_after)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n = dn(subject);

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	if (!not_before && !not_after) {
		not_before = 1577836800; /* 2020-01-01 */
		not_after = 2524608000;  /* 2050-01-01 */
	}
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), not_before));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), not_after));
	assert_true(X509_set_pubkey(x, key));
	ext(x, issuer ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	if (ca)
		ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (san)
		ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

static char *bio_text(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	s = malloc((size_t)n + 1);
	assert_non_null(s);
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

char *tc_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_X509(b, x));
	return bio_text(b);
}

char *tc_key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL));
	return bio_text(b);
}
