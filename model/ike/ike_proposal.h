/* IKEv2 proposals (RFC 7296 §3.3): strongSwan proposal strings, negotiation
 * with a readable diagnostic, and the mapping of a chosen proposal to the
 * IKE suite (ike_crypto.h) or to the ESP engine's transforms (ipsec.h).
 *
 * Proposal strings are those of swanctl.conf's `proposals` and
 * `esp_proposals`: proposals separated by commas, each a dash-separated list
 * of algorithm keywords ("aes256gcm16-prfsha384-x25519",
 * "aes128-sha256-modp2048", "aes128gcm16-x25519" -- a DH group in an ESP
 * proposal asks for PFS in CREATE_CHILD_SA), or `default`.  As in strongSwan:
 * several algorithms of a kind in one proposal are alternatives in order of
 * preference; an IKE proposal without a PRF takes the PRFs matching its
 * integrity algorithms (sha256 -> prfsha256); integrity algorithms are
 * dropped from all-AEAD proposals; ESP/AH proposals without esn/noesn get
 * noesn.  Unlike strongSwan, an ESP proposal with a non-AEAD cipher must
 * name an integrity algorithm (RFC 8221 §5: ENCR without integrity is not
 * to be used).
 *
 * Keywords (those marked * are recognised but not implemented here, and are
 * refused with a message that says so):
 *   encryption  aes128 (= aes), aes256, aes128gcm16 (= aes128gcm128),
 *               aes256gcm16 (= aes256gcm128), chacha20poly1305;
 *               aes128gmac, aes256gmac (ESP only: RFC 4543, no encryption);
 *               *aes192 *aes192gcm16 *aes*gcm8/12 *aes*ctr *aes*ccm16
 *               *camellia128/256 *3des *null
 *   integrity   sha256 (= sha2_256), sha384 (= sha2_384), sha512 (= sha2_512);
 *               *sha1 *md5 *aesxcbc *aescmac
 *   PRF         prfsha256, prfsha384, prfsha512; *prfsha1 *prfmd5
 *               *prfaesxcbc *prfaescmac
 *   DH          modp2048, modp3072, ecp256, ecp384, ecp521, x25519
 *               (= curve25519); *modp1024 *modp1536 *modp4096 *modp6144
 *               *modp8192 *ecp192 *ecp224 *ecp256bp *ecp384bp *ecp512bp
 *               *x448 (= *curve448)
 *   ESN         esn, noesn (ESP and AH only)
 *
 * `default` is strongSwan 5.9's default, src/libstrongswan/crypto/proposal/
 * proposal.c proposal_create_default() and proposal_create_default_aead()
 * (as swanctl adds them: the classic proposal first), restricted to what
 * this module implements:
 *   IKE  aes128-aes256-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-
 *        ecp256-ecp384-ecp521-x25519-modp3072-modp2048,
 *        aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-
 *        prfsha512-ecp256-ecp384-ecp521-x25519-modp3072-modp2048
 *   ESP  aes128-aes256-sha256-sha384-sha512-noesn,
 *        aes128gcm16-aes256gcm16-noesn
 *   AH   sha256-sha384-sha512-noesn
 * (strongSwan also offers aes192, Camellia, AES-CTR/CCM, 3DES, SHA-1,
 * AES-XCBC/CMAC, Brainpool curves, Curve448 and MODP 4096..8192 when its
 * plugins provide them.)
 */
#ifndef IPSEC_IKE_PROPOSAL_H
#define IPSEC_IKE_PROPOSAL_H

#include "ike_crypto.h"
#include "ike_msg.h"
#include "ipsec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A configured list of proposals, in order of preference.  Proposal numbers
 * are 1, 2, ... and SPIs are empty: the exchange code fills spi/spi_size
 * before putting them into an SA payload (ike_add_sa). */
struct ike_proposal_list {
	uint8_t n;
	struct ike_proposal p[IKE_MAX_PROPOSALS];
};

/* Parse a proposal string for `protocol` (IKE_PROTO_IKE, _ESP or _AH) and
 * append its proposals to *out (so that several strings can be combined;
 * zero `out` first).  0, or -1 with a message naming the proposal and the
 * token, e.g. "ESP proposal 'aes128-sha1': 'sha1' is not implemented by
 * this module (integrity: sha256, sha384, sha512)". */
int ike_proposals_parse(uint8_t protocol, const char *text, struct ike_proposal_list *out,
                        char *err, size_t errlen);

/* "aes128", "aes256gcm16", "prfsha256", "sha384", "x25519", "esn" ... (the
 * keyword ike_proposals_parse() accepts), or "ENCR_23_256"-style for
 * transforms without a keyword, "none" for an absent type. */
/* RFC 7296 §1.2: IKE_AUTH carries no KE payloads, so "the SA payloads in
 * the IKE_AUTH exchange cannot contain Transform Type 4 (Diffie-Hellman
 * group) with any value other than NONE.  Implementations SHOULD omit the
 * whole transform substructure": removes the D-H transforms of every
 * proposal (the group applies to CREATE_CHILD_SA only), offers proposals
 * that became equal once (as strongSwan's PROPOSAL_SKIP_KE) and renumbers
 * them 1, 2, ... */
void ike_proposals_strip_dh(struct ike_proposal_list *l);
const char *ike_transform_name(uint8_t type, uint16_t id, uint16_t key_len, char *buf, size_t len);
/* "encryption algorithm", "PRF", "integrity algorithm", "DH group", "ESN
 * mode". */
const char *ike_transform_type_name(uint8_t type);
/* "IKE", "ESP" or "AH" for IKE_PROTO_*. */
const char *ike_protocol_name(uint8_t protocol);
/* A proposal as a keyword string: "aes128-sha256-prfsha256-modp2048".
 * Returns the length it needed (snprintf-like). */
size_t ike_proposal_format(const struct ike_proposal *p, char *buf, size_t len);
/* Proposals the same way, separated by ", " (as strongSwan lists its
 * "received proposals:" and "configured proposals:"); truncated to fit
 * `len`, always terminated. */
void ike_proposals_format(const struct ike_proposal *p, size_t n, char *buf, size_t len);

/* --- negotiation (RFC 7296 §2.7, §3.3.6) ------------------------------------------ */

#define IKE_SELECT_IGNORE_DH                                                                       \
	0x1 /* the IKE_AUTH Child SA: no KE, DH transforms                                         \
	        are not negotiated (RFC 7296 §1.2) */

/* Per transform type: the union of what each side offers, in order of
 * first appearance, and whether the two share at least one.  A side
 * without a transform of the type (or with INTEG/DH NONE) lists an entry
 * with type 0, shown as "none". */
struct ike_type_diag {
	bool considered;
	bool common;
	uint8_t noffered, naccepted;
	struct ike_transform offered[IKE_MAX_TRANSFORMS], accepted[IKE_MAX_TRANSFORMS];
};

/* Why no proposal was chosen. */
struct ike_select_diag {
	uint8_t protocol;       /* the protocol negotiated */
	uint8_t noffered;       /* initiator proposals of that protocol */
	uint8_t other_protocol; /* a protocol the initiator offered instead, 0 if none */
	uint8_t nunknown;       /* proposals skipped for unknown transform
	                           types or attributes (RFC 7296 §3.3.6) */
	struct ike_type_diag t[IKE_TT__COUNT]; /* indexed by transform type */
	/* Every type has something in common but no proposal pair matches as
	 * a whole: per initiator proposal i (of the protocol, in order) and
	 * configured proposal j, the first type without a common transform
	 * (mismatch[i][j]), 0 if proposal i was skipped as unknown. */
	bool combination;
	uint8_t nproposals, nconfigured;
	uint8_t offered_num[IKE_MAX_PROPOSALS];
	uint8_t mismatch[IKE_MAX_PROPOSALS][IKE_MAX_PROPOSALS];
};

/* The responder's choice (RFC 7296 §2.7): the first of the initiator's
 * proposals (of the configured protocol, without unknown transform
 * attributes) that some configured proposal accepts, i.e. for every
 * transform type both offer a common transform -- a type absent on both
 * sides matches, INTEG NONE and DH NONE count as absent, ESN absent as
 * "no ESN" (strongSwan's reading).  From that proposal the initiator's
 * first transform of each type that the configured proposal accepts is
 * taken.  *chosen gets the initiator's Proposal Num and SPI and one
 * transform per type, ready for the response's SA payload once the
 * responder has put its own SPI in.  0, or -1 with *diag filled (diag may
 * be NULL). */
int ike_proposal_select(const struct ike_proposal *offered, size_t noffered,
                        const struct ike_proposal_list *configured, unsigned flags,
                        struct ike_proposal *chosen, struct ike_select_diag *diag);

/* The diagnostic as one line, e.g.
 *   no proposal chosen: no common DH group: initiator offered [x25519,
 *   modp2048], responder accepts [ecp384]
 * Returns the length it needed (snprintf-like). */
size_t ike_select_diag_format(const struct ike_select_diag *diag, char *buf, size_t len);

/* The initiator's check of a response (RFC 7296 §3.3.6): the responder's
 * single proposal must be one transform of each type out of the initiator's
 * proposal with the same number.  0, or -1 with a message. */
int ike_proposal_check_response(const struct ike_proposal *offered, size_t noffered,
                                const struct ike_proposal *response, unsigned flags, char *err,
                                size_t errlen);

/* --- using the choice ------------------------------------------------------------- */

/* The transform of `type` in a chosen proposal, NULL if absent. */
const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type);

/* An IKE proposal's algorithms as a suite, checked to be implemented. */
int ike_proposal_to_suite(const struct ike_proposal *p, struct ike_suite *s, char *err,
                          size_t errlen);

/* An ESP (or AH) Child SA's transforms for the engine (ipsec.h) and the
 * KEYMAT lengths for ike_child_keymat(): enc_key_len includes the 4-byte
 * salt of AEAD ciphers.  *dh is the PFS group, 0 if none. */
struct ike_child_transforms {
	enum ipsec_protocol protocol;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	size_t enc_key_len, integ_key_len;
	bool esn;
	uint16_t dh;
};
int ike_proposal_to_child(const struct ike_proposal *p, struct ike_child_transforms *c, char *err,
                          size_t errlen);

#endif
