/* X.509 credentials of a connection for public-key authentication
 * (RFC 7296 §2.15, §3.6, §3.7; RFC 7427; RFC 4945 §3.1 in spirit):
 *
 *   - ours: an end-entity certificate and its private key, sent in a CERT
 *     payload (encoding 4, X.509 Certificate - Signature) and used to sign
 *     AUTH (method 14, Digital Signature);
 *   - the peer's trust anchors: the CA certificates its certificate must
 *     chain to (OpenSSL X509_STORE / X509_verify_cert), announced in CERTREQ
 *     as SHA-1 hashes of their SubjectPublicKeyInfo (§3.7).
 *
 * Loaded once per connection by ike_conn_add() from the PEM in
 * `struct ike_auth_config` and owned by the connection.  No I/O: the PEM
 * text is given in memory.  Time checks: the engine has no wall clock, so
 * certificate validity periods are checked only against a time the host
 * configures (ike_conn_config.cert_epoch_s: the Unix time of host time 0);
 * without one they are skipped explicitly (X509_V_FLAG_NO_CHECK_TIME).
 */
#ifndef IPSEC_IKE_CERT_H
#define IPSEC_IKE_CERT_H

#include "ike.h"
#include "ike_crypto.h"

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_CERTREQ_MAX 8 /* trust anchors announced in CERTREQ */

struct ike_cred;

/* The credentials connection `c` needs: our certificate and key when
 * local.auth is pubkey, the CA store when remote.auth is pubkey.  *out is
 * NULL when neither side uses pubkey.  Checks that the key belongs to the
 * certificate and that a configured local id is in it.  0, or -1 with a
 * message naming the connection. */
int ike_cred_load(const struct ike_conn_config *c, struct ike_cred **out, char *err, size_t errlen);
void ike_cred_free(struct ike_cred *cr);

/* Ours (NULL / 0 without a local certificate). */
const uint8_t *ike_cred_cert_der(const struct ike_cred *cr, size_t *len);
EVP_PKEY *ike_cred_key(const struct ike_cred *cr);
/* Our default identity (strongSwan: the certificate's subject DN): the DER
 * of the subject Name.  0 or -1. */
int ike_cred_subject_der(const struct ike_cred *cr, uint8_t *out, size_t cap, size_t *len);

/* CERTREQ Certification Authority data (§3.7): the concatenated SHA-1
 * hashes of the trust anchors' SubjectPublicKeyInfo; NULL without CAs. */
const uint8_t *ike_cred_certreq(const struct ike_cred *cr, size_t *len);

/* RFC 7427 §4: the hash to sign with, given the peer's announced
 * SIGNATURE_HASH_ALGORITHMS (a bit mask, bit h for hash h; 0: none
 * announced).  As strongSwan chooses: the first of SHA-256, -384, -512
 * whose strength suits the key (RSA up to 3072 bits and EC up to 256 bits:
 * SHA-256; up to 7680 / 384 bits: SHA-384; larger: SHA-512) and that the
 * peer supports, else the strongest the peer supports; SHA-256 when the
 * peer announced nothing. */
enum ike_hash ike_cred_sign_hash(const struct ike_cred *cr, unsigned peer_hashes);

/* Sign AUTH (method 14) with our key.  ECDSA signatures are drawn until
 * their DER encoding has the key's maximum length, so that messages have
 * the same size from run to run (reproducible simulations). */
int ike_cred_sign(const struct ike_cred *cr, enum ike_hash hash, const struct ike_auth_input *in,
                  uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen);

/* The checks of a peer's certificate, in the order they are made. */
enum ike_cert_status {
	IKE_CERT_OK,
	IKE_CERT_MALFORMED,     /* not DER X.509, or another CERT encoding */
	IKE_CERT_UNTRUSTED,     /* does not chain to a configured CA */
	IKE_CERT_EXPIRED,       /* notAfter before the check time */
	IKE_CERT_NOT_YET_VALID, /* notBefore after the check time */
};

/* Verify the peer's chain: ders[0] is its end-entity certificate, the rest
 * intermediates.  `at`: Unix time to check validity periods at, or
 * INT64_MIN to skip them.  On IKE_CERT_OK *out is the end-entity
 * certificate (the caller frees it); otherwise `detail` says why (OpenSSL's
 * verify error, the validity dates). */
enum ike_cert_status ike_cred_verify_peer(const struct ike_cred *cr, const uint8_t *const *ders,
                                          const size_t *lens, size_t n, int64_t at, X509 **out,
                                          char *detail, size_t dlen);

/* Is an ID payload (RFC 7296 §3.5) in the certificate, as strongSwan's
 * x509 has_subject() decides?  ID_DER_ASN1_DN: equal to its subject (or a
 * directoryName subjectAltName); ID_FQDN, ID_RFC822_ADDR, ID_IPV4_ADDR: a
 * subjectAltName dNSName (case-insensitive), rfc822Name, iPAddress. */
bool ike_cert_has_id(X509 *x, uint8_t type, const uint8_t *data, size_t len);

/* The subject on one line in the certificate's order, as strongSwan
 * prints it: "C=CH, O=x, CN=gw". */
void ike_cert_subject(X509 *x, char *out, size_t cap);

#endif
