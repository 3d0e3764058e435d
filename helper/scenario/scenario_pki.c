/* Scenario loader: certificates.
 *
 *   pki:                      a CA and certificates generated at load time
 *     ca: {subject: "C=CH, O=ipsec-sim, CN=Sim CA", key: ecdsa-p256}
 *     cas: [{name: other-ca, subject: ..., key: ...}]        (more CAs)
 *     certs:
 *       - {name: gwA, subject: "C=CH, O=ipsec-sim, CN=gwA", san: [gwA.example],
 *          key: rsa-2048, issuer: ca, not_before: 2020-01-01, not_after: 2050-01-01}
 *   start_time: 2025-06-01T00:00:00Z   wall-clock time of simulated time 0
 *
 * referenced from connections as `certs: [pki:gwA]` (the certificate and
 * its private key) and `cacerts: [pki:ca]`; files (PEM, relative to the
 * scenario's folder) are read here too, for `certs`, `cacerts`,
 * `authorities: [{cacert: ca.pem}]` and `secrets: [{type: private, file:
 * gwA.key}]`.
 *
 * Reproducible: keys are derived from the scenario's seed and the entry's
 * name and key type -- EC private scalars and RSA primes (incremental
 * search from a SHA-512 counter-mode stream) -- serial numbers are the
 * entries' positions and validity dates are fixed, so the same scenario
 * gives the same keys and, with an RSA CA, byte-identical certificates.
 * ECDSA signatures (OpenSSL 3.0 has no RFC 6979 nonces) differ from run to
 * run, but are drawn until they have the key's maximum DER length, so that
 * certificate sizes, and with them message sizes and metrics, do not.
 * Generated keys are cached per process (a mutex guards the cache): the
 * scenario fuzzer loads the same file thousands of times.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_cert.h"

static const char *const pki_keys[] = {"ca", "cas", "certs", NULL};
static const char *const ca_keys[] = {"name", "subject", "key", "not_before", "not_after", NULL};
static const char *const cert_keys[] = {"name",   "subject",    "san",       "key",
                                        "issuer", "not_before", "not_after", NULL};

struct key_type {
	const char *name;
	int rsa_bits; /* 0: EC */
	const char *curve;
	const char *md; /* what a CA of this key signs with */
};

static const struct key_type key_types[] = {{"ecdsa-p256", 0, "P-256", "SHA256"},
                                            {"ecdsa-p384", 0, "P-384", "SHA384"},
                                            {"ecdsa-p521", 0, "P-521", "SHA512"},
                                            {"rsa-2048", 2048, NULL, "SHA256"},
                                            {"rsa-3072", 3072, NULL, "SHA256"},
                                            {"rsa-4096", 4096, NULL, "SHA256"},
                                            {NULL, 0, NULL, NULL}};

#define DEFAULT_NOT_BEFORE 1577836800 /* 2020-01-01T00:00:00Z */
#define DEFAULT_NOT_AFTER 2524608000  /* 2050-01-01T00:00:00Z */

/* ---- deterministic keys ---- */

/* SHA-512(label | seed | name | type | counter), block after block. */
struct stream {
	uint8_t in[256];
	size_t in_len;
	uint32_t counter;
};

static void stream_init(struct stream *s, uint64_t seed, const char *name, const char *type,
                        const char *purpose)
{
	int n = snprintf((char *)s->in, sizeof(s->in) - 4, "ipsec-sim pki|%llu|%s|%s|%s",
	                 (unsigned long long)seed, name, type, purpose);

	s->in_len = n > 0 && (size_t)n < sizeof(s->in) - 4 ? (size_t)n : sizeof(s->in) - 5;
	s->counter = 0;
}

static int stream_read(struct stream *s, uint8_t *out, size_t len)
{
	while (len) {
		uint8_t block[64];
		unsigned int n = 64;
		size_t take = len < 64 ? len : 64;

		s->in[s->in_len] = (uint8_t)(s->counter >> 24);
		s->in[s->in_len + 1] = (uint8_t)(s->counter >> 16);
		s->in[s->in_len + 2] = (uint8_t)(s->counter >> 8);
		s->in[s->in_len + 3] = (uint8_t)s->counter;
		s->counter++;
		if (!EVP_Digest(s->in, s->in_len + 4, block, &n, EVP_sha512(), NULL))
			return -1;
		memcpy(out, block, take);
		out += take;
		len -= take;
	}
	return 0;
}

static EVP_PKEY *from_params(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *k = NULL;

	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) <= 0)
		k = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* d = 1 + (stream mod (n - 1)), Q = dG. */
static EVP_PKEY *ec_key(const char *curve, struct stream *s)
{
	int nid = OBJ_sn2nid(curve) != NID_undef ? OBJ_sn2nid(curve) : EC_curve_nist2nid(curve);
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *d = BN_new(), *m = BN_new();
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t raw[96], pub[200];
	size_t pub_len = 0;
	EVP_PKEY *k = NULL;

	if (!g || !bn || !d || !m || !q || !bld || stream_read(s, raw, sizeof(raw)) < 0 ||
	    !BN_bin2bn(raw, sizeof(raw), d) || !BN_sub(m, EC_GROUP_get0_order(g), BN_value_one()) ||
	    !BN_nnmod(d, d, m, bn) || !BN_add(d, d, BN_value_one()) ||
	    !EC_POINT_mul(g, q, d, NULL, NULL, bn))
		goto out;
	pub_len = EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bn);
	if (!pub_len ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(nid), 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len))
		goto out;
	k = from_params("EC", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	BN_free(d);
	BN_free(m);
	BN_CTX_free(bn);
	return k;
}

/* A prime of `bits` bits (top two bits set, so that p*q has 2*bits bits)
 * with gcd(p - 1, e) = 1: the first from a stream-drawn start. */
static int rsa_prime(BIGNUM *p, int bits, const BIGNUM *e, struct stream *s, BN_CTX *bn)
{
	uint8_t raw[512];
	BIGNUM *t = BN_new(), *g = BN_new();
	int ok = 0;

	if (!t || !g || stream_read(s, raw, (size_t)bits / 8) < 0 || !BN_bin2bn(raw, bits / 8, p) ||
	    !BN_set_bit(p, bits - 1) || !BN_set_bit(p, bits - 2) || !BN_set_bit(p, 0))
		goto out;
	for (int i = 0; i < 100000; i++) {
		if (BN_check_prime(p, bn, NULL) == 1 && BN_sub(t, p, BN_value_one()) &&
		    BN_gcd(g, t, e, bn) && BN_is_one(g)) {
			ok = BN_num_bits(p) == bits;
			break;
		}
		if (!BN_add_word(p, 2))
			break;
	}
out:
	BN_free(t);
	BN_free(g);
	return ok ? 0 : -1;
}

static EVP_PKEY *rsa_key(int bits, struct stream *s)
{
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *e = BN_new(), *p = BN_new(), *q = BN_new(), *n = BN_new(), *d = BN_new();
	BIGNUM *p1 = BN_new(), *q1 = BN_new(), *l = BN_new(), *g = BN_new(), *dp = BN_new();
	BIGNUM *dq = BN_new(), *qi = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;

	if (!bn || !e || !p || !q || !n || !d || !p1 || !q1 || !l || !g || !dp || !dq || !qi ||
	    !bld || !BN_set_word(e, 65537) || rsa_prime(p, bits / 2, e, s, bn) < 0 ||
	    rsa_prime(q, bits / 2, e, s, bn) < 0 || BN_cmp(p, q) == 0)
		goto out;
	if (BN_cmp(p, q) < 0)
		BN_swap(p, q); /* p > q, as OpenSSL keeps them */
	/* d = e^-1 mod lcm(p-1, q-1); CRT values (RFC 8017 §3.2). */
	if (!BN_mul(n, p, q, bn) || !BN_sub(p1, p, BN_value_one()) ||
	    !BN_sub(q1, q, BN_value_one()) || !BN_gcd(g, p1, q1, bn) || !BN_mul(l, p1, q1, bn) ||
	    !BN_div(l, NULL, l, g, bn) || !BN_mod_inverse(d, e, l, bn) || !BN_mod(dp, d, p1, bn) ||
	    !BN_mod(dq, d, q1, bn) || !BN_mod_inverse(qi, q, p, bn))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi))
		goto out;
	k = from_params("RSA", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(e), BN_free(p), BN_free(q), BN_free(n), BN_free(d), BN_free(p1), BN_free(q1);
	BN_free(l), BN_free(g), BN_free(dp), BN_free(dq), BN_free(qi);
	BN_CTX_free(bn);
	return k;
}

/* The per-process cache of derived keys (PEM, PKCS#8). */
struct cached_key {
	uint64_t seed;
	char name[SCENARIO_NAME_MAX];
	const struct key_type *type;
	char *pem;
};
#define KEY_CACHE_MAX 64
static struct cached_key key_cache[KEY_CACHE_MAX];
static size_t key_cache_n;
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static char *pem_of_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *s = NULL;
	long n;

	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(b, &p)) > 0 && (s = malloc((size_t)n + 1))) {
		memcpy(s, p, (size_t)n);
		s[n] = '\0';
	}
	BIO_free(b);
	return s;
}

static EVP_PKEY *derive_key(uint64_t seed, const char *name, const struct key_type *t)
{
	EVP_PKEY *k = NULL;
	const char *pem = NULL;
	struct stream s;
	BIO *b;

	pthread_mutex_lock(&key_cache_lock);
	for (size_t i = 0; i < key_cache_n && !pem; i++)
		if (key_cache[i].seed == seed && key_cache[i].type == t &&
		    !strcmp(key_cache[i].name, name))
			pem = key_cache[i].pem;
	if (pem) {
		b = BIO_new_mem_buf(pem, -1);
		k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		pthread_mutex_unlock(&key_cache_lock);
		return k;
	}
	pthread_mutex_unlock(&key_cache_lock);
	stream_init(&s, seed, name, t->name, "key");
	k = t->rsa_bits ? rsa_key(t->rsa_bits, &s) : ec_key(t->curve, &s);
	if (!k)
		return NULL;
	pthread_mutex_lock(&key_cache_lock);
	if (key_cache_n < KEY_CACHE_MAX && (key_cache[key_cache_n].pem = pem_of_key(k))) {
		key_cache[key_cache_n].seed = seed;
		snprintf(key_cache[key_cache_n].name, SCENARIO_NAME_MAX, "%s", name);
		key_cache[key_cache_n].type = t;
		key_cache_n++;
	}
	pthread_mutex_unlock(&key_cache_lock);
	return k;
}

/* ---- certificates ---- */

struct pki_entry {
	struct scn_pki_item item;
	yaml_node_t *node;
	EVP_PKEY *key;
	X509 *cert;
	const struct key_type *type;
	size_t issuer;   /* index of the CA, SIZE_MAX: self-signed */
	char sans[1024]; /* subjectAltName in OpenSSL's notation, "" if none */
};

struct scn_pki {
	struct pki_entry *e;
	size_t n;
};

/* "C=CH, O=ipsec-sim, CN=gw" (the notation of ids, ike_id.c), or NULL
 * with a message. */
static X509_NAME *parse_dn(const char *s, char *err, size_t errlen)
{
	X509_NAME *name = X509_NAME_new();
	char buf[512], *save = NULL;

	if (strlen(s) >= sizeof(buf) || !strchr(s, '=')) {
		snprintf(err, errlen, "'%s' is not a distinguished name like \"C=CH, O=x, CN=gw\"",
		         s);
		X509_NAME_free(name);
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *r = strtok_r(buf, ",/", &save); r && name; r = strtok_r(NULL, ",/", &save)) {
		char *eq = strchr(r, '='), *v;

		while (*r == ' ')
			r++;
		if (!eq || eq == r) {
			snprintf(err, errlen, "'%s': '%s' is not TYPE=value", s, r);
			X509_NAME_free(name);
			return NULL;
		}
		*eq = '\0';
		for (char *e = eq - 1; e > r && *e == ' '; e--)
			*e = '\0';
		for (v = eq + 1; *v == ' ';)
			v++;
		if (!X509_NAME_add_entry_by_txt(name, r, MBSTRING_UTF8, (const unsigned char *)v,
		                                -1, -1, 0)) {
			snprintf(err, errlen, "'%s': unknown attribute type '%s'", s, r);
			X509_NAME_free(name);
			ERR_clear_error();
			return NULL;
		}
	}
	return name;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* "2025-06-01" or "2025-06-01T12:00:00Z" (UTC) -> Unix time. */
static int parse_utc(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	size_t len = strlen(s);

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (len != 10 &&
	    (len != 20 || sscanf(s + 10, "T%2d:%2d:%2dZ%n", &h, &mi, &se, &n) != 3 || n != 10))
		return -1;
	if (y < 1950 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 59 || h < 0 || mi < 0 || se < 0)
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

static bool opt_utc(struct ctx *c, yaml_node_t *m, const char *key, int64_t *out)
{
	yaml_node_t *v = scn_get(c, m, key);
	const char *t;

	if (!v || !(t = scn_scalar(c, v, key)))
		return v == NULL;
	if (parse_utc(t, out) < 0) {
		scn_error_at(c, v,
		             "%s: '%s' is not a UTC date like 2025-06-01 or 2025-06-01T12:00:00Z",
		             key, t);
		return false;
	}
	return true;
}

/* A CA signs with the hash of its key's strength; ECDSA signatures are
 * drawn until they have the maximum length (sizes stay the same). */
static int sign_cert(X509 *x, EVP_PKEY *key, const struct key_type *t)
{
	const EVP_MD *md = EVP_get_digestbyname(t->md);
	int max = EVP_PKEY_get_size(key);

	for (int tries = 0; tries < 64; tries++) {
		const ASN1_BIT_STRING *sig;

		if (X509_sign(x, key, md) <= 0)
			return -1;
		X509_get0_signature(&sig, NULL, x);
		if (t->rsa_bits || ASN1_STRING_length(sig) == max)
			return 0;
	}
	return 0;
}

static char *arena_pem(struct ctx *c, X509 *x, EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *s = NULL;
	long n;

	if (b &&
	    (x ? PEM_write_bio_X509(b, x)
	       : PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) &&
	    (n = BIO_get_mem_data(b, &p)) > 0) {
		s = scn_arena_alloc(c->a, (size_t)n + 1);
		memcpy(s, p, (size_t)n);
	}
	BIO_free(b);
	return s;
}

/* san: [gw.example, 192.0.2.1, gw@example.org] -> "DNS:...,IP:...,email:..." */
static bool san_value(struct ctx *c, yaml_node_t *v, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	if (v->type == YAML_SCALAR_NODE && !scn_is_null(v)) {
		scn_error_at(c, v, "san: give a list, like [gw.example, 192.0.2.1]");
		return false;
	}
	if (!scn_want_seq(c, v, "san"))
		return false;
	for (size_t i = 0; i < scn_seq_len(v); i++) {
		yaml_node_t *it = scn_seq_item(c, v, i);
		const char *t = scn_scalar(c, it, "san");
		unsigned a, b, cc, d;
		char tail;
		const char *kind;
		int n;

		if (!t)
			return false;
		if (!t[0] || strpbrk(t, ", ") || strchr(t, ':')) {
			scn_error_at(c, it,
			             "san: '%s' is not a DNS name, an IPv4 address or an email "
			             "address",
			             t);
			return false;
		}
		if (sscanf(t, "%u.%u.%u.%u%c", &a, &b, &cc, &d, &tail) == 4 && a < 256 && b < 256 &&
		    cc < 256 && d < 256)
			kind = "IP";
		else if (strchr(t, '@'))
			kind = "email";
		else
			kind = "DNS";
		n = snprintf(out + used, cap - used, "%s%s:%s", used ? "," : "", kind, t);
		if (n < 0 || (size_t)n >= cap - used) {
			scn_error_at(c, it, "san: too many names");
			return false;
		}
		used += (size_t)n;
	}
	return true;
}

static const struct key_type *key_type_of(struct ctx *c, yaml_node_t *m)
{
	struct name_val tab[sizeof(key_types) / sizeof(key_types[0])];
	int x;

	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		tab[i] = (struct name_val){key_types[i].name, (int)i, false};
	switch (scn_opt_enum(c, m, "key", tab, "key type", &x, NULL)) {
	case 1:
		return &key_types[x];
	case 0:
		return &key_types[0];
	default:
		return NULL;
	}
}

/* One entry of cas/certs (without its issuer's signature yet). */
static bool load_entry(struct load *L, struct pki_entry *e, yaml_node_t *m, bool ca,
                       const char *default_name)
{
	struct ctx *c = L->c;
	yaml_node_t *v;
	const char *t;
	char err[300];
	X509_NAME *dn;
	int64_t nb = DEFAULT_NOT_BEFORE, na = DEFAULT_NOT_AFTER;
	bool ok = true;

	e->node = m;
	e->item.ca = ca;
	if (!scn_want_map(c, m, ca ? "a CA of pki" : "a certificate of pki"))
		return false;
	scn_check_keys(c, m, ca ? "pki CA" : "pki certificate", ca ? ca_keys : cert_keys);
	if ((v = scn_get(c, m, "name"))) {
		if (!(t = scn_name_value(c, v, "name")))
			return false;
		snprintf(e->item.name, sizeof(e->item.name), "%s", t);
	} else if (default_name) {
		snprintf(e->item.name, sizeof(e->item.name), "%s", default_name);
	} else {
		scn_missing(c, m, "name", "a certificate of pki (certs: [pki:NAME] refers to it)");
		return false;
	}
	for (size_t i = 0; i < L->pki->n; i++)
		if (L->pki->e + i != e && !strcmp(L->pki->e[i].item.name, e->item.name)) {
			scn_error_at(c, v ? v : m, "duplicate pki name '%s'", e->item.name);
			return false;
		}
	e->type = key_type_of(c, m);
	ok &= e->type != NULL;
	ok &= opt_utc(c, m, "not_before", &nb);
	ok &= opt_utc(c, m, "not_after", &na);
	if (ok && nb >= na) {
		scn_error_at(c, scn_get(c, m, "not_after"),
		             "pki '%s': not_after must be later than not_before", e->item.name);
		ok = false;
	}
	if ((v = scn_get(c, m, "san")) && !san_value(c, v, e->sans, sizeof(e->sans)))
		ok = false;
	if (!(v = scn_get(c, m, "subject"))) {
		scn_missing(c, m, "subject", "a pki entry (like \"C=CH, O=ipsec-sim, CN=gw\")");
		return false;
	}
	if (!(t = scn_scalar(c, v, "subject")))
		return false;
	if (!(dn = parse_dn(t, err, sizeof(err)))) {
		scn_error_at(c, v, "subject: %s", err);
		return false;
	}
	if (!ok) {
		X509_NAME_free(dn);
		return false;
	}
	e->cert = X509_new();
	if (!e->cert || !X509_set_version(e->cert, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(e->cert), (long)(e - L->pki->e) + 1) ||
	    !X509_set_subject_name(e->cert, dn) ||
	    !ASN1_TIME_set(X509_getm_notBefore(e->cert), (time_t)nb) ||
	    !ASN1_TIME_set(X509_getm_notAfter(e->cert), (time_t)na)) {
		X509_NAME_free(dn);
		scn_error_at(c, m, "pki '%s': cannot make the certificate", e->item.name);
		return false;
	}
	X509_NAME_free(dn);
	return true;
}

/* Keys, extensions, signatures, PEM: once every entry is valid. */
static void generate(struct load *L)
{
	struct ctx *c = L->c;

	for (size_t i = 0; i < L->pki->n; i++) {
		struct pki_entry *e = &L->pki->e[i];

		e->key = derive_key(L->s->seed, e->item.name, e->type);
		if (!e->key) {
			scn_error_at(c, e->node, "pki '%s': cannot generate a %s key", e->item.name,
			             e->type->name);
			return;
		}
	}
	for (size_t pass = 0; pass < 2; pass++) /* CAs first */
		for (size_t i = 0; i < L->pki->n; i++) {
			struct pki_entry *e = &L->pki->e[i], *is;

			if (e->item.ca != (pass == 0))
				continue;
			is = e->issuer == SIZE_MAX ? e : &L->pki->e[e->issuer];
			if (!X509_set_issuer_name(e->cert, X509_get_subject_name(is->cert)) ||
			    !X509_set_pubkey(e->cert, e->key) ||
			    add_ext(e->cert, is->cert, NID_basic_constraints,
			            e->item.ca ? "critical,CA:TRUE" : "CA:FALSE") < 0 ||
			    add_ext(e->cert, is->cert, NID_subject_key_identifier, "hash") < 0 ||
			    (e->item.ca && add_ext(e->cert, e->cert, NID_key_usage,
			                           "critical,keyCertSign,cRLSign") < 0) ||
			    (is != e && add_ext(e->cert, is->cert, NID_authority_key_identifier,
			                        "keyid") < 0) ||
			    (e->sans[0] &&
			     add_ext(e->cert, is->cert, NID_subject_alt_name, e->sans) < 0) ||
			    sign_cert(e->cert, is->key, is->type) < 0) {
				scn_error_at(c, e->node, "pki '%s': cannot make the certificate",
				             e->item.name);
				ERR_clear_error();
				return;
			}
			e->item.cert_pem = arena_pem(c, e->cert, NULL);
			e->item.key_pem = arena_pem(c, NULL, e->key);
		}
}

static void pki_free(struct scn_pki *p)
{
	for (size_t i = 0; p && i < p->n; i++) {
		EVP_PKEY_free(p->e[i].key);
		X509_free(p->e[i].cert);
	}
}

void scn_load_pki(struct load *L, yaml_node_t *root)
{
	struct ctx *c = L->c;
	yaml_node_t *m = scn_get(c, root, "pki"), *ca, *cas, *certs;
	size_t n = 0, first_ca = SIZE_MAX;
	bool ok = true;

	L->start_time = 0;
	if (scn_get(c, root, "start_time") && opt_utc(c, root, "start_time", &L->start_time) &&
	    L->start_time == 0)
		L->start_time = 1; /* 1970-01-01: "given", as close as it gets */
	L->pki = scn_arena_alloc(c->a, sizeof(*L->pki));
	if (!m || scn_is_null(m) || !scn_want_map(c, m, "pki"))
		return;
	scn_check_keys(c, m, "pki", pki_keys);
	ca = scn_get(c, m, "ca");
	cas = scn_get(c, m, "cas");
	certs = scn_get(c, m, "certs");
	if ((cas && !scn_want_seq(c, cas, "cas")) || (certs && !scn_want_seq(c, certs, "certs")))
		return;
	n = (ca ? 1 : 0) + (cas ? scn_seq_len(cas) : 0) + (certs ? scn_seq_len(certs) : 0);
	if (n > 64) {
		scn_error_at(c, m, "pki: %zu entries, at most 64", n);
		return;
	}
	if (!ca && !cas) {
		scn_error_at(c, m, "pki: no CA (give ca: {subject: ..., key: ...})");
		return;
	}
	L->pki->e = scn_arena_alloc(c->a, n * sizeof(*L->pki->e));
	for (size_t i = 0; i < n; i++) {
		struct pki_entry *e = &L->pki->e[L->pki->n];
		size_t k = i - (ca ? 1 : 0);
		bool is_ca = ca && i == 0 ? true : cas && k < scn_seq_len(cas);
		yaml_node_t *node =
		        ca && i == 0 ? ca
		        : is_ca      ? scn_seq_item(c, cas, k)
		                     : scn_seq_item(c, certs, k - (cas ? scn_seq_len(cas) : 0));

		e->issuer = SIZE_MAX;
		L->pki->n++;
		if (!load_entry(L, e, node, is_ca, ca && i == 0 ? "ca" : NULL)) {
			ok = false;
			continue;
		}
		if (is_ca && first_ca == SIZE_MAX)
			first_ca = L->pki->n - 1;
	}
	/* issuer: a CA's name (default: the first CA). */
	for (size_t i = 0; ok && i < L->pki->n; i++) {
		struct pki_entry *e = &L->pki->e[i];
		yaml_node_t *v;
		const char *t;

		if (e->item.ca)
			continue;
		e->issuer = first_ca;
		if ((v = scn_get(c, e->node, "issuer")) && (t = scn_scalar(c, v, "issuer"))) {
			const struct scn_pki_item *it = scn_pki_find(L, t);

			if (!it || !it->ca) {
				scn_error_at(c, v, "issuer: '%s' is not a CA of pki", t);
				ok = false;
			} else {
				e->issuer = (size_t)((const struct pki_entry *)(const void *)it -
				                     L->pki->e);
			}
		}
	}
	if (ok && c->nerr == 0)
		generate(L);
	pki_free(L->pki);
}

const struct scn_pki_item *scn_pki_find(const struct load *L, const char *name)
{
	for (size_t i = 0; L->pki && i < L->pki->n; i++)
		if (!strcmp(L->pki->e[i].item.name, name))
			return &L->pki->e[i].item;
	return NULL;
}

/* ---- files ---- */

char *scn_read_pem(struct load *L, yaml_node_t *v, const char *key, bool *from_pki,
                   const char **key_pem)
{
	struct ctx *c = L->c;
	const char *t = scn_scalar(c, v, key), *slash;
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	*from_pki = false;
	if (key_pem)
		*key_pem = NULL;
	if (!t)
		return NULL;
	if (!strncmp(t, "pki:", 4)) {
		const struct scn_pki_item *it = scn_pki_find(L, t + 4);

		*from_pki = true;
		if (!it) {
			scn_error_at(c, v, "%s: no certificate '%s' in the scenario's pki section",
			             key, t + 4);
			return NULL;
		}
		if (!it->cert_pem)
			return NULL; /* reported: generation failed */
		if (key_pem)
			*key_pem = it->key_pem;
		return (char *)it->cert_pem;
	}
	slash = strrchr(c->file, '/');
	if (t[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", t);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - c->file), c->file, t);
	f = fopen(path, "rb");
	if (!f) {
		scn_error_at(c, v,
		             "%s: cannot read '%s' (%s; paths are relative to the scenario file)",
		             key, t, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n <= 0 || n > 1 << 20) {
		fclose(f);
		scn_error_at(c, v, "%s: '%s' is empty or larger than 1 MiB", key, t);
		return NULL;
	}
	buf = scn_arena_alloc(c->a, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		scn_error_at(c, v, "%s: cannot read '%s'", key, t);
		return NULL;
	}
	fclose(f);
	if (!strstr(buf, "-----BEGIN ")) {
		scn_error_at(c, v,
		             "%s: '%s' is not PEM (convert DER with openssl x509 -inform der)", key,
		             t);
		return NULL;
	}
	return buf;
}
