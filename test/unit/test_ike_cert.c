/* Public-key authentication in IKE_AUTH (RFC 7296 §2.15, §3.6, §3.7;
 * RFC 7427) between two in-process nodes, with a PKI made in the test
 * (cert_fixture.c): RSA-2048, ECDSA P-256 and P-384 certificates with DN,
 * FQDN, RFC 822 and IPv4 identities, mixed PSK/pubkey, each failed check
 * with its diagnostic (untrusted chain, expired, not yet valid, ID not in
 * certificate, bad signature, no certificate, wrong AUTH method), the
 * configuration errors of ike_conn_add(), and tshark decrypting IKE_AUTH
 * messages with CERT and AUTH method 14. */
#include "ike_harness.h"

#include "cert_fixture.h"
#include "ike_cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DN_A "C=CH, O=ipsec-sim, CN=gwA"
#define DN_B "C=CH, O=ipsec-sim, CN=gwB"
#define SAN_A "DNS:gwA.example,IP:192.0.2.1,email:gwa@example.org"
#define SAN_B "DNS:gwB.example,IP:198.51.100.2,email:gwb@example.org"

struct pki {
	EVP_PKEY *ca_key, *ka, *kb;
	X509 *ca, *ca_a, *ca_b;
	char *ca_pem, *cert_a, *key_a, *cert_b, *key_b;
};

static void pki_make(struct pki *p, const char *ca_type, const char *a_type, const char *b_type)
{
	X509 *a, *b;

	memset(p, 0, sizeof(*p));
	p->ca_key = tc_key(ca_type);
	p->ca = tc_cert("C=CH, O=ipsec-sim, CN=Sim CA", p->ca_key, NULL, NULL, NULL, true, 0, 0);
	p->ka = tc_key(a_type);
	p->kb = tc_key(b_type);
	a = tc_cert(DN_A, p->ka, p->ca, p->ca_key, SAN_A, false, 0, 0);
	b = tc_cert(DN_B, p->kb, p->ca, p->ca_key, SAN_B, false, 0, 0);
	p->ca_pem = tc_cert_pem(p->ca);
	p->cert_a = tc_cert_pem(a);
	p->cert_b = tc_cert_pem(b);
	p->key_a = tc_key_pem(p->ka);
	p->key_b = tc_key_pem(p->kb);
	X509_free(a);
	X509_free(b);
}

static void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->ka);
	EVP_PKEY_free(p->kb);
	X509_free(p->ca);
	free(p->ca_pem);
	free(p->cert_a);
	free(p->cert_b);
	free(p->key_a);
	free(p->key_b);
}

/* Both connections with certificates; ids as given ("" = default). */
static void cert_conns(struct ike_harness *h, const struct pki *p, struct ike_conn_config *a,
                       struct ike_conn_config *b, const char *id_a, const char *id_b)
{
	h_conn(h, 0, a, "aes256gcm16-prfsha384-x25519", NULL);
	h_conn(h, 1, b, "aes256gcm16-prfsha384-x25519", NULL);
	a->local.auth = a->remote.auth = b->local.auth = b->remote.auth = IKE_AUTHC_PUBKEY;
	snprintf(a->local.id.id, IKE_ID_MAX, "%s", id_a);
	snprintf(b->remote.id.id, IKE_ID_MAX, "%s", id_a[0] ? id_a : "%any");
	snprintf(b->local.id.id, IKE_ID_MAX, "%s", id_b);
	snprintf(a->remote.id.id, IKE_ID_MAX, "%s", id_b[0] ? id_b : "%any");
	a->local.cert_pem = p->cert_a;
	a->local.key_pem = p->key_a;
	b->local.cert_pem = p->cert_b;
	b->local.key_pem = p->key_b;
	a->remote.ca_pem = b->remote.ca_pem = p->ca_pem;
	a->children[0].start_action = IKE_START_START;
}

static void run(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b)
{
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 5 * H_S);
}

static void expect_up(struct ike_harness *h)
{
	const struct hev *f = h_event(h, 0, IKE_EV_FAILURE, -1);
	const struct hev *g = h_event(h, 1, IKE_EV_FAILURE, -1);

	if (f || g)
		fail_msg("failure: A '%s' B '%s'", f ? f->text : "", g ? g->text : "");
	h_assert_settled(h, 1);
	h_assert_flows(h);
	/* RFC 7427 §4: both announced SHA-256, -384, -512. */
	assert_int_equal(h_sa(h, 0)->peer_hashes, 1u << 2 | 1u << 3 | 1u << 4);
	assert_int_equal(h_sa(h, 1)->peer_hashes, 1u << 2 | 1u << 3 | 1u << 4);
}

/* The last failure of node i must contain `want`. */
static void expect_failure(const struct ike_harness *h, int i, const char *want)
{
	const struct hev *f = h_event(h, i, IKE_EV_FAILURE, -1);

	if (!f || !strstr(f->text, want))
		fail_msg("node %d: wanted a failure with \"%s\", got \"%s\"", i, want,
		         f ? f->text : "(none)");
}

/* An IKE SA and Child SA with a CA and A's and B's keys of these types
 * and these identities. */
static void establishes(const char *ca, const char *key_a, const char *key_b, const char *id_a,
                        const char *id_b)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, ca, key_a, key_b);
	h_init(&h);
	cert_conns(&h, &p, &a, &b, id_a, id_b);
	run(&h, &a, &b);
	expect_up(&h);
	h_free(&h);
	pki_free(&p);
}

static void test_rsa_2048_dn(void **state)
{
	(void)state;
	establishes("ecdsa-p256", "rsa-2048", "rsa-2048", DN_A, DN_B);
}

static void test_ecdsa_p256_fqdn(void **state)
{
	(void)state;
	establishes("rsa-2048", "ecdsa-p256", "ecdsa-p256", "gwA.example", "@gwB.example");
}

/* P-384 keys; A is its IPv4 address (the default id... given explicitly
 * here: an empty pubkey id is the certificate's subject), B an RFC 822
 * address. */
static void test_ecdsa_p384_ipv4_rfc822(void **state)
{
	(void)state;
	establishes("ecdsa-p384", "ecdsa-p384", "ecdsa-p384", "192.0.2.1", "gwb@example.org");
}

/* Mixed, as strongSwan allows: A proves a PSK, B a certificate. */
static void test_mixed_psk_pubkey(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "rsa-2048");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, "gwA.example", DN_B);
	a.local.auth = b.remote.auth = IKE_AUTHC_PSK;
	a.local.cert_pem = a.local.key_pem = b.remote.ca_pem = NULL;
	run(&h, &a, &b);
	expect_up(&h);
	h_free(&h);
	pki_free(&p);
}

/* No local id: the certificate's subject DN (strongSwan's default); the
 * remote ids %any: whatever is in the trusted certificate. */
static void test_default_id_subject(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "ecdsa-p256");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, "", "");
	run(&h, &a, &b);
	expect_up(&h);
	assert_int_equal(h_sa(&h, 1)->peer_id_type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(h_sa(&h, 0)->peer_id_type, IKE_ID_DER_ASN1_DN);
	h_free(&h);
	pki_free(&p);
}

/* The signature hash follows the key's strength and the peer's list. */
static void test_sign_hash_choice(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		unsigned peer;
		enum ike_hash want;
	} cases[] = {
	        {"ecdsa-p256", 0x1c, IKE_HASH_SHA2_256}, {"ecdsa-p384", 0x1c, IKE_HASH_SHA2_384},
	        {"rsa-2048", 0x1c, IKE_HASH_SHA2_256},   {"ecdsa-p256", 0x18, IKE_HASH_SHA2_384},
	        {"ecdsa-p384", 0x04, IKE_HASH_SHA2_256}, {"rsa-2048", 0x10, IKE_HASH_SHA2_512},
	        {"ecdsa-p384", 0, IKE_HASH_SHA2_256},
	};
	struct ike_harness h;

	h_init(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ike_conn_config a, b;
		struct ike_cred *cr;
		struct pki p;
		char err[300];

		pki_make(&p, "ecdsa-p256", cases[i].key, "ecdsa-p256");
		cert_conns(&h, &p, &a, &b, DN_A, DN_B);
		assert_int_equal(ike_cred_load(&a, &cr, err, sizeof(err)), 0);
		assert_int_equal(ike_cred_sign_hash(cr, cases[i].peer), cases[i].want);
		ike_cred_free(cr);
		pki_free(&p);
	}
	h_free(&h);
}

static void test_untrusted_chain(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;
	EVP_PKEY *other_key = tc_key("ecdsa-p256");
	X509 *other =
	        tc_cert("C=CH, O=elsewhere, CN=Other CA", other_key, NULL, NULL, NULL, true, 0, 0);
	char *other_pem = tc_cert_pem(other);

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "ecdsa-p256");
	/* B trusts another CA: the responder refuses A. */
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	b.remote.ca_pem = other_pem;
	run(&h, &a, &b);
	expect_failure(&h, 1,
	               "responder: untrusted chain: the initiator's certificate '" DN_A
	               "' issued by 'C=CH, O=ipsec-sim, CN=Sim CA': unable to get local issuer "
	               "certificate");
	expect_failure(&h, 0, "answered IKE_AUTH with AUTHENTICATION_FAILED");
	expect_failure(&h, 0, "the CA it trusts");
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_FAILED);
	h_free(&h);
	/* A trusts another CA: the initiator refuses B. */
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.remote.ca_pem = other_pem;
	run(&h, &a, &b);
	expect_failure(&h, 0, "initiator: untrusted chain: the responder's certificate '" DN_B);
	assert_int_not_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	assert_int_not_equal(h_ike_state(&h, 1), IKE_STATE_ESTABLISHED);
	h_free(&h);
	/* A CA of the same name with another key: the signature fails. */
	X509_free(other);
	free(other_pem);
	other = tc_cert("C=CH, O=ipsec-sim, CN=Sim CA", other_key, NULL, NULL, NULL, true, 0, 0);
	other_pem = tc_cert_pem(other);
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	b.remote.ca_pem = other_pem;
	run(&h, &a, &b);
	expect_failure(&h, 1,
	               "responder: untrusted chain: the initiator's certificate '" DN_A
	               "' issued by 'C=CH, O=ipsec-sim, CN=Sim CA': certificate signature "
	               "failure");
	h_free(&h);
	X509_free(other);
	free(other_pem);
	EVP_PKEY_free(other_key);
	pki_free(&p);
}

/* Validity periods against the configured time (cert_epoch_s); without
 * one they are not checked. */
static void test_expired(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;
	X509 *old;
	char *old_pem;

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "ecdsa-p256");
	old = tc_cert(DN_A, p.ka, p.ca, p.ca_key, SAN_A, false, 946684800 /* 2000 */,
	              978307200 /* 2001 */);
	old_pem = tc_cert_pem(old);
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.cert_pem = old_pem;
	b.cert_epoch_s = 1735689600; /* 2025-01-01 */
	run(&h, &a, &b);
	expect_failure(&h, 1,
	               "responder: certificate expired: the initiator's certificate '" DN_A
	               "' is valid from Jan  1 00:00:00 2000 GMT until Jan  1 00:00:00 2001 GMT, "
	               "checked at Unix time 173569"); /* + the harness clock */
	h_free(&h);
	/* Not yet valid: B's clock says 1990. */
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	b.cert_epoch_s = 631152000;
	run(&h, &a, &b);
	expect_failure(&h, 1, "responder: certificate not yet valid: the initiator's certificate");
	h_free(&h);
	/* No time configured: validity periods are skipped. */
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.cert_pem = old_pem;
	run(&h, &a, &b);
	expect_up(&h);
	h_free(&h);
	X509_free(old);
	free(old_pem);
	pki_free(&p);
}

/* A claims an identity its certificate does not hold (ike_conn_add()
 * refuses that, so it is changed behind its back, as a liar would). */
static void test_id_not_in_cert(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "rsa-2048", "ecdsa-p256");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, "gwA.example", DN_B);
	snprintf(b.remote.id.id, IKE_ID_MAX, "*.example");
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	snprintf(h.n[0].ike->conns[0].cfg.local.id.id, IKE_ID_MAX, "mallory.example");
	h_run_for(&h, 5 * H_S);
	expect_failure(&h, 1,
	               "responder: ID not in certificate: the initiator's identity "
	               "'mallory.example' is neither the subject nor a subjectAltName of its "
	               "certificate '" DN_A "'");
	h_free(&h);
	pki_free(&p);
}

/* A's AUTH signs other octets than B sees: A's copy of its IKE_SA_INIT
 * request is altered after it went out. */
static void test_bad_signature(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct ike_sa *sa;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "ecdsa-p384", "rsa-2048");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 1 * H_MS);
	sa = h_sa(&h, 0);
	assert_non_null(sa);
	assert_true(sa->init_req_len > 0);
	sa->init_req[sa->init_req_len - 1] ^= 1;
	h_run_for(&h, 5 * H_S);
	expect_failure(&h, 1,
	               "responder: bad signature: the AUTH payload of the initiator "
	               "'/C=CH/O=ipsec-sim/CN=gwA' does not verify with the public key of its "
	               "certificate '" DN_A "'");
	h_free(&h);
	pki_free(&p);
}

static void test_no_certificate(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "ecdsa-p256");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.send_cert = IKE_SEND_CERT_NEVER;
	run(&h, &a, &b);
	expect_failure(&h, 1,
	               "responder: no certificate: the initiator '/C=CH/O=ipsec-sim/CN=gwA' sent "
	               "no CERT payload with an X.509 certificate, connection 'gw' authenticates "
	               "it with pubkey");
	h_free(&h);
	/* send_cert = ifasked (the default): B trusts no CA (it authenticates
	 * A by PSK) and A's CERTREQ asks for B's certificate. */
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.auth = b.remote.auth = IKE_AUTHC_PSK;
	a.local.cert_pem = a.local.key_pem = b.remote.ca_pem = NULL;
	b.send_cert = IKE_SEND_CERT_IFASKED;
	run(&h, &a, &b);
	expect_up(&h);
	h_free(&h);
	pki_free(&p);
}

static void test_wrong_method(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "ecdsa-p256");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.auth = IKE_AUTHC_PSK; /* B wants a signature */
	run(&h, &a, &b);
	expect_failure(&h, 1,
	               "responder: the initiator '/C=CH/O=ipsec-sim/CN=gwA' authenticates with "
	               "AUTH method 2 (pre-shared key), connection 'gw' expects a digital "
	               "signature (method 14, RFC 7427) with a certificate");
	h_free(&h);
	pki_free(&p);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;
	char err[300];

	pki_make(&p, "ecdsa-p256", "ecdsa-p256", "rsa-2048");
	h_init(&h);
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.key_pem = p.key_b;
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw': the private key does not belong to "
	                         "certificate '" DN_A "'");
	cert_conns(&h, &p, &a, &b, "gwZ.example", DN_B);
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw': local id 'gwZ.example' is neither the subject "
	                         "nor a subjectAltName of certificate '" DN_A "'");
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.remote.ca_pem = NULL;
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "remote auth = pubkey needs a CA certificate"));
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.cert_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw': the local certificate is not PEM X.509");
	cert_conns(&h, &p, &a, &b, DN_A, DN_B);
	a.local.key_pem = NULL;
	assert_int_equal(ike_conn_add(h.n[0].ike, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "local auth = pubkey needs a certificate and its private key"));
	h_free(&h);
	pki_free(&p);
}

/* tshark, with our keys line, decrypts IKE_AUTH: IDs, CERT (encoding 4),
 * CERTREQ, AUTH method 14; in IKE_SA_INIT it shows the RFC 7427 notify. */
static void test_tshark_decrypts_cert_auth(void **state)
{
	(void)state;
	static char out[1 << 20];
	char dir[] = "/tmp/ike_cert.XXXXXX", path[300], cmd[1200];
	uint8_t ghdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	struct ike_harness h;
	struct ike_conn_config a, b;
	struct pki p;
	FILE *f;
	size_t n;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	pki_make(&p, "ecdsa-p256", "rsa-2048", "ecdsa-p384");
	h_init(&h);
	h.record = true;
	cert_conns(&h, &p, &a, &b, DN_A, "gwB.example");
	run(&h, &a, &b);
	expect_up(&h);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/.config/wireshark", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/.config/wireshark/ikev2_decryption_table", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", h_event(&h, 0, IKE_EV_IKE_KEYS, 0)->ev.text);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cert.pcap", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	ghdr[16] = ghdr[17] = 0xff;
	ghdr[20] = 228; /* LINKTYPE_IPV4 */
	assert_int_equal(fwrite(ghdr, 1, 24, f), 24);
	for (size_t i = 0; i < h.nlog; i++)
		h_pcap_record(f, &h.log[i], (uint32_t)(1000 * (i + 1)));
	fclose(f);
	h_free(&h);
	pki_free(&p);
	snprintf(cmd, sizeof(cmd),
	         "HOME=%s XDG_CONFIG_HOME=%s/.config tshark -n -o udp.check_checksum:FALSE -r "
	         "%s -V 2>&1",
	         dir, dir, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!getenv("KEEP")) /* KEEP=1 keeps the capture and keys */
		assert_int_equal(system(cmd), 0);
	if (strstr(out, "Malformed") || strstr(out, "Expert Info (Error"))
		fail_msg("tshark reports errors:\n%s", out);
	h_expect_count(out, "Exchange type: IKE_AUTH (35)", 2);
	h_expect_count(out, "Decrypted Data", 2);
	h_expect_count(out, "[correct]", 2);
	h_expect_count(out, "Payload: Certificate (37)", 2);
	h_expect_count(out, "Certificate Encoding: X.509 Certificate - Signature (4)", 2);
	/* The responder's CERTREQ in IKE_SA_INIT, the initiator's in IKE_AUTH. */
	h_expect_count(out, "Payload: Certificate Request (38)", 2);
	h_expect_count(out, "Authentication Method: Digital Signature (14)", 2);
	h_expect_count(out, "Notify Message Type: SIGNATURE_HASH_ALGORITHMS (16431)", 2);
	h_expect_count(out, "ID_FQDN: gwB.example", 2); /* IDr both ways */
	h_expect_count(out, "Supported Signature Hash Algorithm: SHA2-384 (3)", 2);
	h_expect_count(out,
	               "Certificate Data (id-at-commonName=gwA,id-at-organizationName=ipsec-"
	               "sim,id-at-countryName=CH)",
	               1);
	h_expect_count(out, "Certificate Data (id-at-commonName=gwB,", 1);
	h_expect_count(out, "(rsaEncryption)", 2);  /* gwA's key */
	h_expect_count(out, "(id-ecPublicKey)", 2); /* gwB's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rsa_2048_dn),
	        cmocka_unit_test(test_ecdsa_p256_fqdn),
	        cmocka_unit_test(test_ecdsa_p384_ipv4_rfc822),
	        cmocka_unit_test(test_mixed_psk_pubkey),
	        cmocka_unit_test(test_default_id_subject),
	        cmocka_unit_test(test_sign_hash_choice),
	        cmocka_unit_test(test_untrusted_chain),
	        cmocka_unit_test(test_expired),
	        cmocka_unit_test(test_id_not_in_cert),
	        cmocka_unit_test(test_bad_signature),
	        cmocka_unit_test(test_no_certificate),
	        cmocka_unit_test(test_wrong_method),
	        cmocka_unit_test(test_config_errors),
	        cmocka_unit_test(test_tshark_decrypts_cert_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
