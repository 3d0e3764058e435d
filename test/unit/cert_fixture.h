/* A small PKI for tests, made with OpenSSL's EVP and X509 APIs: keys
 * (rsa-2048, ecdsa-p256, ecdsa-p384), a self-signed CA and end-entity
 * certificates with subjectAltNames, as PEM for struct ike_auth_config.
 * Independent of the scenario's pki: generator (helper/scenario/scenario_pki.c). */
#ifndef IPSEC_CERT_FIXTURE_H
#define IPSEC_CERT_FIXTURE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <time.h>

/* "rsa-2048", "ecdsa-p256", "ecdsa-p384"; aborts the test on failure. */
EVP_PKEY *tc_key(const char *type);

/* A certificate for `key` with `subject` ("C=CH, O=x, CN=gw"), signed by
 * issuer/issuer_key (NULL: self-signed), valid [not_before, not_after]
 * (0, 0: from 2020 to 2050), a CA if `ca`; san: OpenSSL's notation
 * ("DNS:gw.example,IP:192.0.2.1,email:a@b") or NULL. */
X509 *tc_cert(const char *subject, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
              const char *san, bool ca, time_t not_before, time_t not_after);

/* PEM text (malloc'ed; the caller frees it). */
char *tc_cert_pem(X509 *x);
char *tc_key_pem(EVP_PKEY *k);

#endif
