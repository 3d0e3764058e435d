/* X.509 credentials for public-key authentication (ike_cert.h): loading
 * from PEM, CERTREQ hashes (RFC 7296 §3.7), chain verification, identities
 * in certificates, the signature hash (RFC 7427 §4). */
#include "ike_cert.h"
#include "errf.h"

#include "ike_sa.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ike_cred {
	X509 *cert; /* ours */
	EVP_PKEY *key;
	uint8_t *cert_der;
	size_t cert_der_len;
	X509_STORE *store; /* the peer's trust anchors */
	uint8_t certreq[IKE_CERTREQ_MAX * 20];
	size_t certreq_len;
};

void ike_cert_subject(X509 *x, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	if (cap)
		out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) >=
	    0)
		n = BIO_read(b, out, cap > 1 ? (int)cap - 1 : 0);
	if (cap)
		out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* §3.7: SHA-1 of the SubjectPublicKeyInfo, as strongSwan computes it
 * (KEYID_PUBKEY_INFO_SHA1). */
static int spki_sha1(X509 *x, uint8_t out[20])
{
	unsigned char *der = NULL;
	unsigned int n = 20;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	int ok = len > 0 && EVP_Digest(der, (size_t)len, out, &n, EVP_sha1(), NULL);

	OPENSSL_free(der);
	return ok ? 0 : -1;
}

static int load_local(struct ike_cred *cr, const struct ike_conn_config *c, char *err,
                      size_t errlen)
{
	const struct ike_auth_config *a = &c->local;
	unsigned char *der = NULL;
	BIO *b;
	int len;
	char subj[256];

	if (!a->cert_pem || !a->key_pem)
		return errf(err, errlen,
		            "connection '%s': local auth = pubkey needs a certificate and its "
		            "private key",
		            c->name);
	b = BIO_new_mem_buf(a->cert_pem, -1);
	cr->cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!cr->cert)
		return errf(err, errlen, "connection '%s': the local certificate is not PEM X.509",
		            c->name);
	b = BIO_new_mem_buf(a->key_pem, -1);
	cr->key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ike_cert_subject(cr->cert, subj, sizeof(subj));
	if (!cr->key)
		return errf(err, errlen,
		            "connection '%s': the private key is not a PEM private key (PKCS#8, "
		            "RSA or EC, unencrypted)",
		            c->name);
	if (EVP_PKEY_get_base_id(cr->key) != EVP_PKEY_RSA &&
	    EVP_PKEY_get_base_id(cr->key) != EVP_PKEY_EC)
		return errf(err, errlen, "connection '%s': only RSA and ECDSA keys can sign AUTH",
		            c->name);
	if (X509_check_private_key(cr->cert, cr->key) != 1)
		return errf(err, errlen,
		            "connection '%s': the private key does not belong to certificate "
		            "'%s'",
		            c->name, subj);
	len = i2d_X509(cr->cert, &der);
	if (len <= 0)
		return errf(err, errlen, "connection '%s': cannot encode certificate '%s'", c->name,
		            subj);
	cr->cert_der = der;
	cr->cert_der_len = (size_t)len;
	if (a->id.id[0]) {
		uint8_t type, data[IKE_ID_MAX + 512];
		size_t n;
		char msg[200];

		if (ike_id_encode(a->id.id, (struct ip_addr){0}, &type, data, sizeof(data), &n, msg,
		                  sizeof(msg)) < 0)
			return errf(err, errlen, "connection '%s': local id: %s", c->name, msg);
		/* strongSwan finds no certificate for an id that is not in it. */
		if (!ike_cert_has_id(cr->cert, type, data, n))
			return errf(err, errlen,
			            "connection '%s': local id '%s' is neither the subject nor a "
			            "subjectAltName of certificate '%s'",
			            c->name, a->id.id, subj);
	}
	return 0;
}

static int load_cas(struct ike_cred *cr, const struct ike_conn_config *c, char *err, size_t errlen)
{
	BIO *b;
	X509 *x;
	size_t n = 0;

	if (!c->remote.ca_pem)
		return errf(err, errlen,
		            "connection '%s': remote auth = pubkey needs a CA certificate to "
		            "verify the peer's certificate with",
		            c->name);
	cr->store = X509_STORE_new();
	b = BIO_new_mem_buf(c->remote.ca_pem, -1);
	if (!cr->store || !b) {
		BIO_free(b);
		return errf(err, errlen, "out of memory");
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		int ok = X509_STORE_add_cert(cr->store, x);

		if (ok && n < IKE_CERTREQ_MAX && spki_sha1(x, cr->certreq + 20 * n) == 0)
			n++;
		X509_free(x);
		if (!ok) {
			BIO_free(b);
			return errf(err, errlen, "connection '%s': cannot use a CA certificate",
			            c->name);
		}
	}
	BIO_free(b);
	ERR_clear_error(); /* the end of the PEM text */
	if (n == 0)
		return errf(err, errlen, "connection '%s': the CA certificates are not PEM X.509",
		            c->name);
	cr->certreq_len = 20 * n;
	return 0;
}

int ike_cred_load(const struct ike_conn_config *c, struct ike_cred **out, char *err, size_t errlen)
{
	struct ike_cred *cr;

	*out = NULL;
	if (c->local.auth != IKE_AUTHC_PUBKEY && c->remote.auth != IKE_AUTHC_PUBKEY)
		return 0;
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return errf(err, errlen, "out of memory");
	if ((c->local.auth == IKE_AUTHC_PUBKEY && load_local(cr, c, err, errlen) < 0) ||
	    (c->remote.auth == IKE_AUTHC_PUBKEY && load_cas(cr, c, err, errlen) < 0)) {
		ike_cred_free(cr);
		return -1;
	}
	*out = cr;
	return 0;
}

void ike_cred_free(struct ike_cred *cr)
{
	if (!cr)
		return;
	X509_free(cr->cert);
	EVP_PKEY_free(cr->key);
	OPENSSL_free(cr->cert_der);
	X509_STORE_free(cr->store);
	free(cr);
}

const uint8_t *ike_cred_cert_der(const struct ike_cred *cr, size_t *len)
{
	*len = cr ? cr->cert_der_len : 0;
	return cr ? cr->cert_der : NULL;
}

EVP_PKEY *ike_cred_key(const struct ike_cred *cr)
{
	return cr ? cr->key : NULL;
}

int ike_cred_subject_der(const struct ike_cred *cr, uint8_t *out, size_t cap, size_t *len)
{
	int n;
	unsigned char *p = out;

	if (!cr || !cr->cert)
		return -1;
	n = i2d_X509_NAME(X509_get_subject_name(cr->cert), NULL);
	if (n <= 0 || (size_t)n > cap)
		return -1;
	i2d_X509_NAME(X509_get_subject_name(cr->cert), &p);
	*len = (size_t)n;
	return 0;
}

const uint8_t *ike_cred_certreq(const struct ike_cred *cr, size_t *len)
{
	*len = cr ? cr->certreq_len : 0;
	return cr && cr->certreq_len ? cr->certreq : NULL;
}

enum ike_hash ike_cred_sign_hash(const struct ike_cred *cr, unsigned peer_hashes)
{
	static const enum ike_hash order[] = {IKE_HASH_SHA2_256, IKE_HASH_SHA2_384,
	                                      IKE_HASH_SHA2_512};
	int bits = cr && cr->key ? EVP_PKEY_get_bits(cr->key) : 0;
	bool rsa = cr && cr->key && EVP_PKEY_get_base_id(cr->key) == EVP_PKEY_RSA;
	size_t first;

	if (!peer_hashes)
		return IKE_HASH_SHA2_256;
	/* strongSwan's signature_schemes_for_key(): key strength picks the
	 * first acceptable scheme. */
	if (rsa)
		first = bits <= 3072 ? 0 : bits <= 7680 ? 1 : 2;
	else
		first = bits <= 256 ? 0 : bits <= 384 ? 1 : 2;
	for (size_t i = first; i < 3; i++)
		if (peer_hashes & (1u << order[i]))
			return order[i];
	for (size_t i = 3; i-- > 0;)
		if (peer_hashes & (1u << order[i]))
			return order[i];
	return IKE_HASH_SHA2_256;
}

int ike_cred_sign(const struct ike_cred *cr, enum ike_hash hash, const struct ike_auth_input *in,
                  uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	size_t max;

	if (!cr || !cr->key)
		return errf(err, errlen, "no private key");
	max = (size_t)EVP_PKEY_get_size(cr->key);
	for (int tries = 0; tries < 64; tries++) {
		if (ike_auth_sign(cr->key, hash, in, out, cap, len, err, errlen) < 0)
			return -1;
		/* out[0] is the AlgorithmIdentifier's length (RFC 7427 §3). */
		if (EVP_PKEY_get_base_id(cr->key) != EVP_PKEY_EC || *len - 1 - out[0] == max)
			return 0;
	}
	return 0; /* a valid signature, only shorter */
}

static void time_str(const ASN1_TIME *t, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	if (b && ASN1_TIME_print(b, t))
		n = BIO_read(b, out, (int)cap - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

enum ike_cert_status ike_cred_verify_peer(const struct ike_cred *cr, const uint8_t *const *ders,
                                          const size_t *lens, size_t n, int64_t at, X509 **out,
                                          char *detail, size_t dlen)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *ee = NULL;
	enum ike_cert_status st = IKE_CERT_MALFORMED;
	char a[64], b[64];

	*out = NULL;
	snprintf(detail, dlen, "not a DER X.509 certificate");
	if (!chain || !ctx || !cr || !cr->store)
		goto done;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = ders[i];
		X509 *x = d2i_X509(NULL, &p, (long)lens[i]);

		if (!x || p != ders[i] + lens[i]) {
			X509_free(x);
			goto done;
		}
		if (i == 0)
			ee = x;
		else if (!sk_X509_push(chain, x))
			X509_free(x);
	}
	if (!ee || !X509_STORE_CTX_init(ctx, cr->store, ee, chain))
		goto done;
	if (at == INT64_MIN)
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	else
		X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	if (X509_verify_cert(ctx) == 1) {
		st = IKE_CERT_OK;
		*out = ee;
		ee = NULL;
		goto done;
	}
	switch (X509_STORE_CTX_get_error(ctx)) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID: {
		X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
		char who[256];

		bad = bad ? bad : ee;
		st = X509_STORE_CTX_get_error(ctx) == X509_V_ERR_CERT_HAS_EXPIRED
		             ? IKE_CERT_EXPIRED
		             : IKE_CERT_NOT_YET_VALID;
		ike_cert_subject(bad, who, sizeof(who));
		time_str(X509_get0_notBefore(bad), a, sizeof(a));
		time_str(X509_get0_notAfter(bad), b, sizeof(b));
		if (bad == ee) {
			snprintf(detail, dlen,
			         "'%s' is valid from %s until %s, checked at Unix time %lld", who,
			         a, b, (long long)at);
		} else {
			char leaf[256];

			ike_cert_subject(ee, leaf, sizeof(leaf));
			snprintf(detail, dlen,
			         "'%s' chains to CA certificate '%s', which is valid from %s until "
			         "%s, checked at Unix time %lld",
			         leaf, who, a, b, (long long)at);
		}
		break;
	}
	default: {
		char who[256], by[256];
		BIO *bio = BIO_new(BIO_s_mem());
		int k = 0;

		st = IKE_CERT_UNTRUSTED;
		ike_cert_subject(ee, who, sizeof(who));
		if (bio && X509_NAME_print_ex(bio, X509_get_issuer_name(ee), 0,
		                              XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) >= 0)
			k = BIO_read(bio, by, sizeof(by) - 1);
		by[k > 0 ? k : 0] = '\0';
		BIO_free(bio);
		snprintf(detail, dlen, "'%s' issued by '%s': %s", who, by,
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		break;
	}
	}
done:
	X509_free(ee);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return st;
}

static bool name_equal(X509_NAME *name, const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *id = d2i_X509_NAME(NULL, &p, (long)len);
	bool eq = id && X509_NAME_cmp(id, name) == 0;

	X509_NAME_free(id);
	return eq;
}

bool ike_cert_has_id(X509 *x, uint8_t type, const uint8_t *data, size_t len)
{
	GENERAL_NAMES *gens;
	bool found = false;

	if (type == IKE_ID_DER_ASN1_DN && name_equal(X509_get_subject_name(x), data, len))
		return true;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && !found; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = NULL;

		switch (g->type) {
		case GEN_DNS:
			s = type == IKE_ID_FQDN ? g->d.dNSName : NULL;
			found = s && (size_t)ASN1_STRING_length(s) == len &&
			        strncasecmp((const char *)ASN1_STRING_get0_data(s),
			                    (const char *)data, len) == 0;
			break;
		case GEN_EMAIL:
			s = type == IKE_ID_RFC822_ADDR ? g->d.rfc822Name : NULL;
			found = s && (size_t)ASN1_STRING_length(s) == len &&
			        memcmp(ASN1_STRING_get0_data(s), data, len) == 0;
			break;
		case GEN_IPADD:
			s = type == IKE_ID_IPV4_ADDR ? g->d.iPAddress : NULL;
			found = s && len == 4 && ASN1_STRING_length(s) == 4 &&
			        memcmp(ASN1_STRING_get0_data(s), data, 4) == 0;
			break;
		case GEN_DIRNAME:
			found = type == IKE_ID_DER_ASN1_DN && name_equal(g->d.dirn, data, len);
			break;
		default:
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	return found;
}
