/* The IKE SA suites the key derivation and SK payload tests run over: AEAD
 * (AES-GCM, RFC 5282; ChaCha20-Poly1305, RFC 7634) and AES-CBC with
 * HMAC-SHA2 (RFC 3602, RFC 4868), with each PRF of RFC 4868. */
#ifndef IPSEC_SUITE_FIXTURE_H
#define IPSEC_SUITE_FIXTURE_H

#include "ike_crypto.h"

#define NSUITES 6

extern const struct ike_suite suites[NSUITES];

#endif
