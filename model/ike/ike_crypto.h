/* IKEv2 cryptography on OpenSSL 3 (no hand-written primitives):
 *
 *   - Diffie-Hellman (RFC 7296 §2.12 / §3.4): MODP 14, 15 (RFC 3526), ECP 19,
 *     20, 21 (RFC 5903), Curve25519 31 (RFC 8031), with peer value checks;
 *   - the PRF, prf+ and the key schedule (RFC 7296 §2.13, §2.14, §2.17,
 *     §2.18);
 *   - SK payload protection (RFC 7296 §3.14; AES-GCM per RFC 5282,
 *     ChaCha20-Poly1305 per RFC 7634, AES-CBC + HMAC-SHA2 per RFC 4868);
 *   - AUTH payload data: shared key (RFC 7296 §2.15) and digital signatures
 *     (RFC 7427, RSASSA-PKCS1-v1_5 and ECDSA with SHA-2).
 *
 * Sans-I/O like the rest of the engine.  Randomness: ike_dh_new() draws the
 * private key from OpenSSL's RNG, ike_dh_new_drawn() from the caller's
 * source (the IKE engine's: the host's random_bytes, so a seeded host gets
 * the same keys every run); the known-answer tests use ike_dh_new_private().
 * IVs are always passed in by the caller (the host's random_bytes).
 *
 * Conventions: functions return 0 on success and -1 on failure with a
 * message in (err, errlen) where they take one; verification functions
 * return 1 for "does not verify" so that it cannot be mistaken for success.
 */
#ifndef IPSEC_IKE_CRYPTO_H
#define IPSEC_IKE_CRYPTO_H

#include "crypto.h"
#include "ike_msg.h"
#include "ipsec.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_PRF_MAX_LEN 64    /* HMAC-SHA2-512 */
#define IKE_ENCR_KEY_MAX 36   /* AES-256 or ChaCha20 key + 4-byte salt */
#define IKE_INTEG_KEY_MAX 64  /* HMAC-SHA2-512 */
#define IKE_DH_MAX_PUBLIC 384 /* MODP-3072 */
#define IKE_DH_MAX_SECRET 384

/* --- the algorithms of an IKE SA --------------------------------------------- */

/* One transform of each type, as chosen by negotiation (ike_proposal.h). */
struct ike_suite {
	uint16_t encr;      /* IKE_ENCR_AES_CBC, _AES_GCM_16, _CHACHA20_POLY1305 */
	uint16_t encr_bits; /* Key Length: 128 or 256 for AES, 0 for ChaCha20 */
	uint16_t prf;       /* IKE_PRF_HMAC_SHA2_256/384/512 */
	uint16_t integ;     /* IKE_INTEG_HMAC_SHA2_*; IKE_INTEG_NONE with AEAD */
	uint16_t dh;        /* IKE_DH_* (not needed for key derivation) */
};

/* What a suite implies (RFC 7296 §2.14, RFC 5282 §7.1, RFC 7634 §3,
 * RFC 4868 §2). */
struct ike_suite_sizes {
	size_t encr_key;  /* SK_e length: cipher key, plus the 4-byte salt for AEAD */
	size_t integ_key; /* SK_a length, 0 for AEAD */
	size_t prf_len;   /* SK_d, SK_p and prf output length */
	size_t iv;        /* explicit IV in the SK payload */
	size_t block;     /* padding unit for ike_sk_end() */
	size_t icv;       /* ICV / tag length */
	bool aead;
	enum ipsec_enc enc; /* the engine's cipher for the SK payload */
	enum ipsec_integ integ;
};

/* Check that this module implements the suite and fill *sz.  The error
 * names the unsupported transform. */
int ike_suite_sizes(const struct ike_suite *s, struct ike_suite_sizes *sz, char *err,
                    size_t errlen);

/* --- Diffie-Hellman ------------------------------------------------------------ */

struct ike_dh;

/* Length of the KE payload's key exchange data for a group (RFC 3526: the
 * prime's length; RFC 5903 §7: x || y; RFC 8031 §2: 32), 0 if this module
 * does not implement the group. */
size_t ike_dh_public_len(uint16_t group);

/* A fresh key pair from OpenSSL's RNG; NULL with a message on error. */
struct ike_dh *ike_dh_new(uint16_t group, char *err, size_t errlen);

/* A fresh key pair whose private key comes from draw(arg, buf, len) (0 on
 * success): X25519 and ECP keys as long as the group order, MODP exponents
 * of twice the group's strength in bits.  NULL with a message on error. */
struct ike_dh *ike_dh_new_drawn(uint16_t group, int (*draw)(void *arg, uint8_t *buf, size_t len),
                                void *arg, char *err, size_t errlen);

/* A key pair from a given private key (test vectors, reproducible runs):
 *   X25519: the 32-byte private string of RFC 7748 (clamped by X25519);
 *   ECP:    the big-endian scalar d, 1 <= d < n, at most the field length;
 *   MODP:   the big-endian exponent x, 1 < x < p - 1 (RFC 3526 §8 suggests
 *           at least twice the group's strength in bits).
 * The public value is computed here. */
struct ike_dh *ike_dh_new_private(uint16_t group, const uint8_t *priv, size_t len, char *err,
                                  size_t errlen);
void ike_dh_free(struct ike_dh *dh);

uint16_t ike_dh_group(const struct ike_dh *dh);
/* Our KE data (ike_dh_public_len() bytes). */
const uint8_t *ike_dh_public(const struct ike_dh *dh, size_t *len);

/* The shared secret g^ir from the peer's KE data: MODP zero-padded to the
 * prime's length (RFC 7296 §2.14), ECP the x coordinate (RFC 5903 §7),
 * X25519 32 bytes (RFC 8031 §2).  The peer value is checked first: its
 * length, 1 < y < p-1 and y^q = 1 for MODP (RFC 6989 §2.1), on the curve for
 * ECP, and an all-zero X25519 result is refused (RFC 8031 §2).  A refused
 * value is returned as -1 with a message; the caller answers with
 * INVALID_SYNTAX (wrong length) or drops (bad value). */
int ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t cap, size_t *len, char *err, size_t errlen);

/* --- PRF, prf+ and key schedule -------------------------------------------------- */

/* Output length of a PRF (RFC 4868 §2.1), 0 if not implemented. */
size_t ike_prf_len(uint16_t prf);

/* prf(key, data[0] | data[1] | ...) -- HMAC-SHA2 (RFC 4868 §2.7.1); out
 * receives ike_prf_len(prf) bytes. */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct crypto_buf *data,
            size_t n, uint8_t *out);

/* RFC 7296 §2.13: prf+(K, S) = T1 | T2 | ..., T1 = prf(K, S | 0x01),
 * Tn = prf(K, Tn-1 | S | n); S is the concatenation of the n seed pieces.
 * At most 255 iterations (-1 beyond). */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct crypto_buf *seed,
                 size_t n, uint8_t *out, size_t out_len);

/* RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir); prf_len bytes out. */
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                 const uint8_t *g_ir, size_t g_ir_len, uint8_t *skeyseed);

/* RFC 7296 §2.18: rekeyed IKE SA, SKEYSEED = prf(SK_d (old), g^ir (new) |
 * Ni | Nr), computed with the OLD IKE SA's PRF. */
int ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *old_sk_d, size_t old_sk_d_len,
                       const uint8_t *g_ir, size_t g_ir_len, const uint8_t *ni, size_t ni_len,
                       const uint8_t *nr, size_t nr_len, uint8_t *skeyseed);

/* The seven keys of an IKE SA. */
struct ike_keys {
	uint8_t sk_d[IKE_PRF_MAX_LEN];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX], sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX], sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX_LEN], sk_pr[IKE_PRF_MAX_LEN];
	size_t prf_len, integ_len, encr_len; /* lengths of d/p, a, e */
};

/* RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), with the suite's PRF.  For a
 * rekeyed IKE SA (§2.18) pass the new SPIs and the SKEYSEED of
 * ike_skeyseed_rekey() (skeyseed_len = the old PRF's length). */
int ike_derive_keys(const struct ike_suite *s, const uint8_t *skeyseed, size_t skeyseed_len,
                    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
                    struct ike_keys *k, char *err, size_t errlen);
void ike_keys_wipe(struct ike_keys *k);

/* Child SA keying material (RFC 7296 §2.17). */
struct ike_child_keys {
	uint8_t encr_i[IKE_ENCR_KEY_MAX], integ_i[IKE_INTEG_KEY_MAX]; /* initiator -> responder */
	uint8_t encr_r[IKE_ENCR_KEY_MAX], integ_r[IKE_INTEG_KEY_MAX]; /* responder -> initiator */
	size_t encr_len, integ_len;
};

/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) split as encr-i, integ-i,
 * encr-r, integ-r (§2.17: initiator-to-responder first, encryption before
 * integrity).  encr_len includes the salt for AEAD (RFC 4106 §8.1, RFC 7634
 * §2); either length may be 0 (AEAD: no integrity key; AH: no encryption
 * key).  g_ir NULL without PFS. */
int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
                     size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
                     size_t nr_len, size_t encr_len, size_t integ_len, struct ike_child_keys *out);

/* --- SK payload ------------------------------------------------------------------ */

/* One direction of an IKE SA's SK protection: one EVP cipher context (and
 * one MAC context for CBC), keyed once (DESIGN §4). */
struct ike_sk {
	struct sa_crypto c;
	struct ike_suite_sizes sz;
};

int ike_sk_init(struct ike_sk *sk, const struct ike_suite *s, const uint8_t *sk_e,
                const uint8_t *sk_a, bool encrypt, char *err, size_t errlen);
void ike_sk_free(struct ike_sk *sk);

/* Both directions of an IKE SA from its keys: `out` protects what we send
 * (SK_ei/SK_ai for the original initiator), `in` opens what we receive. */
struct ike_sk_pair {
	struct ike_sk out, in;
};
int ike_sk_pair_init(struct ike_sk_pair *p, const struct ike_suite *s, const struct ike_keys *k,
                     bool initiator, char *err, size_t errlen);
void ike_sk_pair_free(struct ike_sk_pair *p);

/* Encrypt and authenticate a message built with ike_sk_begin(b,
 * sk->sz.iv) (or ike_skf_begin) ... ike_sk_end(b, sk->sz.block,
 * sk->sz.icv, l) and ike_builder_finish(), in place.  iv: sz.iv bytes -- random for CBC
 * (RFC 7296 §3.14), unique per key for AEAD (RFC 5282 §3.1, RFC 7634 §4).
 * AEAD: AAD = message bytes [0, l->iv) (RFC 5282 §5.1); CBC: the ICV is
 * the truncated HMAC over [0, l->icv) (RFC 7296 §3.14). */
int ike_sk_protect(struct ike_sk *sk, uint8_t *msg, const struct ike_sk_layout *l,
                   const uint8_t *iv);

/* Check and decrypt the SK (or SKF, RFC 7383 §2.5) payload `skp` of a
 * message parsed from `msg` (ike_msg_parse), in place.  On success *plain
 * (inside msg) and *plain_len are the inner payloads without padding,
 * ready for ike_msg_parse_inner(m,
 * skp->u.sk.first_inner, *plain, *plain_len, ...).  Returns 0, 1 if the ICV
 * does not verify (the plaintext is wiped), -1 if the payload is malformed
 * (too short, ciphertext not a multiple of the block, bad Pad Length). */
int ike_sk_unprotect(struct ike_sk *sk, uint8_t *msg, const struct ike_payload *skp,
                     uint8_t **plain, size_t *plain_len, char *err, size_t errlen);

/* --- AUTH payload (RFC 7296 §2.15, RFC 7427) ------------------------------------- */

/* What a side signs or MACs: RealMessage (its own first message, the
 * IKE_SA_INIT request or response, whole), the PEER's nonce (data only),
 * and its own ID payload body (RestOfIDPayload: ID Type, 3 reserved octets,
 * data -- struct ike_payload.body of an IDi/IDr), MACed with its SK_p
 * (SK_pi for the initiator, SK_pr for the responder). */
struct ike_auth_input {
	uint16_t prf;
	const uint8_t *real_msg;
	size_t real_msg_len;
	const uint8_t *peer_nonce;
	size_t peer_nonce_len;
	const uint8_t *sk_p;
	size_t sk_p_len;
	const uint8_t *id_body;
	size_t id_body_len;
};

/* The signed octets RealMessage | Nonce | prf(SK_p, RestOfIDPayload) into
 * out (cap must hold real_msg_len + peer_nonce_len + prf length). */
int ike_signed_octets(const struct ike_auth_input *in, uint8_t *out, size_t cap, size_t *len);

/* Shared key MIC (AUTH method 2): AUTH = prf(prf(Shared Secret, "Key Pad
 * for IKEv2"), <SignedOctets>); prf length bytes into auth. */
int ike_auth_psk(const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len, uint8_t *auth,
                 size_t *auth_len);
/* 0 if `auth` is the expected MIC (constant-time compare), 1 if not, -1 on
 * error. */
int ike_auth_psk_verify(const struct ike_auth_input *in, const uint8_t *psk, size_t psk_len,
                        const uint8_t *auth, size_t auth_len);

/* RFC 7427 §4 hash algorithms (SIGNATURE_HASH_ALGORITHMS notify values). */
enum ike_hash {
	IKE_HASH_SHA2_256 = 2,
	IKE_HASH_SHA2_384 = 3,
	IKE_HASH_SHA2_512 = 4,
};

/* AUTH data for method 14 (RFC 7427 §3): ASN.1 length octet ||
 * AlgorithmIdentifier (DER, RFC 7427 Appendix A) || signature over the
 * signed octets.  RSA keys sign with RSASSA-PKCS1-v1_5, EC keys with ECDSA
 * (DER Ecdsa-Sig-Value).  Returns 0 or -1. */
int ike_auth_sign(EVP_PKEY *key, enum ike_hash hash, const struct ike_auth_input *in, uint8_t *out,
                  size_t cap, size_t *len, char *err, size_t errlen);
/* Verify method-14 AUTH data with the peer's public key: 0 valid, 1
 * invalid signature, -1 unknown AlgorithmIdentifier or an algorithm that
 * does not fit the key (message in err). */
int ike_auth_verify(EVP_PKEY *pub, const struct ike_auth_input *in, const uint8_t *auth,
                    size_t auth_len, char *err, size_t errlen);

#endif
