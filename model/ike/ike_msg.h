/* IKEv2 message codec (RFC 7296 §3): a zero-copy parser and a builder over
 * a caller's buffer.
 *
 * Parsing.  ike_msg_parse() checks the header and walks the payload chain of
 * a datagram, checking every length before it is read, and fills a
 * `struct ike_msg` whose payload views point into the caller's buffer (which
 * must outlive the view).  Simple payloads (KE, Ni/Nr, IDi/IDr, AUTH, CERT,
 * CERTREQ, N, D, V, SK, CP, EAP) get a typed view in `struct ike_payload`;
 * SA and TS payloads are validated during the walk and decoded on demand into
 * fixed-size structures with ike_sa_decode() and ike_ts_decode().  After the
 * SK payload has been decrypted in place (ike_crypto.h), its inner payloads
 * are appended to the same view with ike_msg_parse_inner().
 *
 * Every malformed input makes a function return -1 and fill a
 * `struct ike_error`: a code, the offset of the offending byte and a reason
 * ("KE payload at 56: length 3 is shorter than its 4-byte fixed part").
 * ike_error_notify() says which error notification (RFC 7296 §3.10.1) a
 * responder answers with.
 *
 * Building.  ike_builder_init() writes the IKE header into the caller's
 * buffer; each ike_add_*() appends one payload and patches the previous
 * payload's Next Payload field; ike_builder_finish() writes the total
 * length.  An encrypted section is opened with ike_sk_begin() (the SK payload
 * header and room for the IV), filled with ike_add_*() calls (the inner
 * chain starts at the SK payload's Next Payload field, RFC 7296 §3.14), and
 * closed with ike_sk_end(), which appends padding and the Pad Length octet,
 * reserves the ICV and returns the layout the crypto code encrypts in place.
 * Errors are sticky: after a failure every later call fails as well, so a
 * sequence of calls may be checked once, at ike_builder_finish().
 *
 * Pure byte manipulation: no allocation, no crypto, no global state.
 */
#ifndef IPSEC_IKE_MSG_H
#define IPSEC_IKE_MSG_H

#include "ip_addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_HDR_LEN 28    /* RFC 7296 §3.1 */
#define IKE_GENERIC_LEN 4 /* RFC 7296 §3.2 generic payload header */
#define IKE_SPI_LEN 8
#define IKE_MAJOR_VERSION 2
#define IKE_MINOR_VERSION 0
#define IKE_NONCE_MIN 16 /* RFC 7296 §3.9: 128 .. 2048 bits */
#define IKE_NONCE_MAX 256

/* Bounds of the fixed-size views.  A message that needs more is refused
 * with IKE_E_TOO_MANY (and a reason saying which bound it hit). */
#define IKE_MAX_PAYLOADS 48
#define IKE_MAX_PROPOSALS 16
#define IKE_MAX_TRANSFORMS 64 /* strongSwan's default IKE offer has ~40 */
#define IKE_MAX_TS 16

/* RFC 7296 §3.2 payload types (IANA "IKEv2 Payload Types"). */
enum ike_payload_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40, /* Ni and Nr */
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_SKF = 53, /* RFC 7383 §2.5: Encrypted Fragment */
};

/* RFC 7296 §3.1 exchange types. */
enum ike_exchange {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
};

/* RFC 7296 §3.1 header flags. */
#define IKE_FLAG_INITIATOR 0x08
#define IKE_FLAG_VERSION 0x10
#define IKE_FLAG_RESPONSE 0x20

/* RFC 7296 §3.3.1 Protocol ID. */
enum ike_protocol { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

/* RFC 7296 §3.3.2 transform types and the IANA transform IDs this module
 * knows by name (others pass through the codec as numbers). */
enum ike_transform_type {
	IKE_TT_ENCR = 1,
	IKE_TT_PRF = 2,
	IKE_TT_INTEG = 3,
	IKE_TT_DH = 4,
	IKE_TT_ESN = 5,
};
#define IKE_TT__COUNT 6

#define IKE_ENCR_3DES 3
#define IKE_ENCR_NULL 11
#define IKE_ENCR_AES_CBC 12 /* RFC 3602; Key Length attribute required */
#define IKE_ENCR_AES_CTR 13
#define IKE_ENCR_AES_CCM_16 16
#define IKE_ENCR_AES_GCM_8 18
#define IKE_ENCR_AES_GCM_12 19
#define IKE_ENCR_AES_GCM_16 20 /* RFC 4106 / RFC 5282 */
#define IKE_ENCR_NULL_AUTH_AES_GMAC 21
#define IKE_ENCR_CAMELLIA_CBC 23
#define IKE_ENCR_CHACHA20_POLY1305 28 /* RFC 7634 */

#define IKE_PRF_HMAC_MD5 1
#define IKE_PRF_HMAC_SHA1 2
#define IKE_PRF_AES128_XCBC 4
#define IKE_PRF_HMAC_SHA2_256 5 /* RFC 4868 */
#define IKE_PRF_HMAC_SHA2_384 6
#define IKE_PRF_HMAC_SHA2_512 7
#define IKE_PRF_AES128_CMAC 8

#define IKE_INTEG_NONE 0
#define IKE_INTEG_HMAC_MD5_96 1
#define IKE_INTEG_HMAC_SHA1_96 2
#define IKE_INTEG_AES_XCBC_96 5
#define IKE_INTEG_AES_CMAC_96 8
#define IKE_INTEG_HMAC_SHA2_256_128 12 /* RFC 4868 */
#define IKE_INTEG_HMAC_SHA2_384_192 13
#define IKE_INTEG_HMAC_SHA2_512_256 14

#define IKE_DH_NONE 0
#define IKE_DH_MODP_1024 2
#define IKE_DH_MODP_1536 5
#define IKE_DH_MODP_2048 14 /* RFC 3526 */
#define IKE_DH_MODP_3072 15
#define IKE_DH_MODP_4096 16
#define IKE_DH_MODP_6144 17
#define IKE_DH_MODP_8192 18
#define IKE_DH_ECP_256 19 /* RFC 5903 */
#define IKE_DH_ECP_384 20
#define IKE_DH_ECP_521 21
#define IKE_DH_ECP_256_BP 28 /* RFC 6954 */
#define IKE_DH_ECP_384_BP 29
#define IKE_DH_ECP_512_BP 30
#define IKE_DH_CURVE25519 31 /* RFC 8031 */
#define IKE_DH_CURVE448 32

#define IKE_ESN_NO 0
#define IKE_ESN_YES 1

/* RFC 7296 §3.3.5: the only attribute defined, always in TV format. */
#define IKE_ATTR_KEY_LENGTH 14

/* RFC 7296 §3.5 ID types. */
enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
};

/* RFC 7296 §3.8 and RFC 7427 §3 authentication methods. */
enum ike_auth_method {
	IKE_AUTH_RSA_SIG = 1,
	IKE_AUTH_PSK = 2,
	IKE_AUTH_DSS_SIG = 3,
	IKE_AUTH_ECDSA_256 = 9, /* RFC 4754 */
	IKE_AUTH_ECDSA_384 = 10,
	IKE_AUTH_ECDSA_521 = 11,
	IKE_AUTH_DIGITAL_SIGNATURE = 14, /* RFC 7427 */
};

/* RFC 7296 §3.6 certificate encodings (the common ones). */
#define IKE_CERT_X509_SIG 4
#define IKE_CERT_HASH_URL_X509 12

/* RFC 7296 §3.10.1 notify message types. */
enum ike_notify_type {
	/* errors */
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	/* status */
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,              /* RFC 4555 §3.3 */
	IKE_N_ADDITIONAL_IP4_ADDRESS = 16397,        /* RFC 4555 §3.4 */
	IKE_N_ADDITIONAL_IP6_ADDRESS = 16398,        /* RFC 4555 §3.4 */
	IKE_N_UPDATE_SA_ADDRESSES = 16400,           /* RFC 4555 §3.5 */
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 */
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,     /* RFC 7427 */
};

/* RFC 7296 §3.13.1 traffic selector types. */
#define IKE_TS_IPV4_ADDR_RANGE 7
#define IKE_TS_IPV6_ADDR_RANGE 8

/* RFC 7296 §3.15 configuration payload types and common attributes. */
#define IKE_CFG_REQUEST 1
#define IKE_CFG_REPLY 2
#define IKE_CFG_SET 3
#define IKE_CFG_ACK 4
#define IKE_CP_INTERNAL_IP4_ADDRESS 1
#define IKE_CP_INTERNAL_IP4_NETMASK 2
#define IKE_CP_INTERNAL_IP4_DNS 3

/* Why a message was refused. */
enum ike_status {
	IKE_OK = 0,
	IKE_E_TRUNCATED,     /* the buffer ends before a length says it should */
	IKE_E_LENGTH,        /* a length field contradicts another one */
	IKE_E_MAJOR_VERSION, /* RFC 7296 §2.5: major version is not 2 */
	IKE_E_SYNTAX,        /* a field has a value the RFC forbids */
	IKE_E_CRITICAL,      /* RFC 7296 §2.5: unknown payload marked critical */
	IKE_E_TOO_MANY,      /* more payloads/proposals/... than the view holds */
	IKE_E_NOSPACE,       /* builder: the caller's buffer is too small */
	IKE_E_STATE,         /* builder: calls out of order */
};

struct ike_error {
	enum ike_status code;
	size_t offset;   /* offset in the buffer of the offending field */
	uint8_t payload; /* payload type being parsed, 0 for the header; for
	                    IKE_E_CRITICAL the unknown type */
	char reason[160];
};

const char *ike_status_name(enum ike_status code);

/* The error notification a responder sends for a parse error (RFC 7296
 * §2.5, §3.10.1): UNSUPPORTED_CRITICAL_PAYLOAD (its one-octet data, the
 * payload type, is err->payload), INVALID_MAJOR_VERSION or INVALID_SYNTAX;
 * 0 for builder errors. */
uint16_t ike_error_notify(const struct ike_error *err);

/* --- decoded structures, shared by parser and builder --------------------- */

/* One transform (RFC 7296 §3.3.2). */
struct ike_transform {
	uint8_t type;      /* enum ike_transform_type */
	uint16_t id;       /* IANA transform ID */
	uint16_t key_len;  /* Key Length attribute in bits, 0 = absent */
	bool unknown_attr; /* RFC 7296 §3.3.6: an attribute we do not know; the
	                      proposal must not be chosen */
};

/* One proposal (RFC 7296 §3.3.1): possibly several transforms of a type,
 * offered as alternatives, in order of preference. */
struct ike_proposal {
	uint8_t num;      /* Proposal Num */
	uint8_t protocol; /* enum ike_protocol */
	uint8_t spi_size; /* 0 (IKE_SA_INIT), 4 (ESP/AH) or 8 (IKE rekey) */
	uint8_t spi[IKE_SPI_LEN];
	uint8_t ntransforms;
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

struct ike_sa_payload {
	uint8_t nproposals;
	struct ike_proposal p[IKE_MAX_PROPOSALS];
};

/* One traffic selector (RFC 7296 §3.13.1).  Addresses in network byte order:
 * 4 bytes for IPV4_ADDR_RANGE, 16 for IPV6_ADDR_RANGE.  Other TS types are
 * kept with their type only (addresses zero). */
struct ike_ts {
	uint8_t type;
	uint8_t ip_proto; /* 0 = any */
	uint16_t start_port, end_port;
	uint8_t start_addr[16], end_addr[16];
};

struct ike_ts_payload {
	uint8_t n;
	struct ike_ts ts[IKE_MAX_TS];
};

/* A traffic selector of the family of `r` (ports 0..65535 = any). */
struct ike_ts ike_ts_make(uint8_t ip_proto, const struct ip_range *r, uint16_t start_port,
                          uint16_t end_port);
/* An IPv4 one from host-order addresses. */
struct ike_ts ike_ts_ipv4(uint8_t ip_proto, uint32_t start, uint32_t end, uint16_t start_port,
                          uint16_t end_port);
/* Its addresses; ANY (no family) for a type other than an address range. */
struct ip_range ike_ts_range(const struct ike_ts *ts);

/* One configuration attribute (RFC 7296 §3.15.1). */
struct ike_cp_attr {
	uint16_t type; /* 15 bits */
	const uint8_t *value;
	uint16_t len;
};

/* --- parsed view ----------------------------------------------------------- */

struct ike_payload {
	uint8_t type;        /* enum ike_payload_type or an unknown number */
	bool critical;       /* the C bit as received (RFC 7296 §3.2) */
	bool known;          /* a type this codec understands */
	bool inner;          /* came out of the SK payload */
	size_t offset;       /* of the generic header, in the buffer it came from */
	const uint8_t *body; /* after the generic header */
	size_t body_len;
	union {
		struct { /* KE, RFC 7296 §3.4 */
			uint16_t group;
			const uint8_t *data;
			size_t len;
		} ke;
		struct { /* IDi/IDr, RFC 7296 §3.5 */
			uint8_t type;
			const uint8_t *data;
			size_t len;
			/* body/body_len is RestOfIDPayload (§2.15) */
		} id;
		struct { /* AUTH, RFC 7296 §3.8 */
			uint8_t method;
			const uint8_t *data;
			size_t len;
		} auth;
		struct { /* CERT §3.6, CERTREQ §3.7 */
			uint8_t encoding;
			const uint8_t *data;
			size_t len;
		} cert;
		struct { /* N, RFC 7296 §3.10 */
			uint8_t protocol;
			uint8_t spi_size;
			const uint8_t *spi;
			uint16_t type;
			const uint8_t *data;
			size_t len;
		} notify;
		struct { /* D, RFC 7296 §3.11 */
			uint8_t protocol;
			uint8_t spi_size;
			uint16_t nspi;
			const uint8_t *spis; /* nspi * spi_size bytes */
		} del;
		struct {                     /* SK, RFC 7296 §3.14; SKF, RFC 7383 §2.5 */
			uint8_t first_inner; /* Next Payload of the SK header */
			const uint8_t *data; /* IV || ciphertext || ICV */
			size_t len;
			/* SKF only: Fragment Number and Total Fragments, read
			 * as they are (ike_frag.h judges them) */
			uint16_t frag_number, frag_total;
		} sk;
		struct { /* CP, RFC 7296 §3.15 */
			uint8_t type;
			uint16_t nattrs;
		} cp;
		struct {
			uint8_t nproposals;
		} sa;
		struct {
			uint8_t n;
		} ts;
		/* Ni/Nr, V, EAP and unknown payloads: body/body_len. */
	} u;
};

struct ike_msg {
	const uint8_t *raw;
	size_t len; /* = header Length */
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
	size_t npayloads;
	struct ike_payload p[IKE_MAX_PAYLOADS];
	int sk_index; /* index of the SK or SKF payload in p, -1 if none */
};

/* Parse a whole IKE message (the UDP payload, without the non-ESP marker of
 * RFC 3948).  Unknown non-critical payloads are kept with known = false;
 * an unknown critical payload is an error (IKE_E_CRITICAL).  The header
 * fields of `m` are valid whenever err->code != IKE_E_TRUNCATED at offset 0,
 * so that a responder can address its error notification.  0 or -1. */
int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len, struct ike_error *err);

/* Append the payloads of a decrypted SK payload (the plaintext without
 * padding, as ike_sk_unprotect() returns it), starting with type `first`
 * (the SK payload's u.sk.first_inner).  Offsets are relative to `buf`.
 * 0 or -1. */
int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *buf, size_t len,
                        struct ike_error *err);

/* The first payload of `type` after `after` (NULL: from the start). */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
                                       const struct ike_payload *after);
/* The first N payload of the given notify type, or NULL. */
const struct ike_payload *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type);

/* Decode an SA / TSi / TSr payload of a parsed message (already validated
 * by the parser, so these fail only when given another payload type). */
int ike_sa_decode(const struct ike_payload *p, struct ike_sa_payload *out, struct ike_error *err);
int ike_ts_decode(const struct ike_payload *p, struct ike_ts_payload *out, struct ike_error *err);
/* Iterate over the attributes of a CP payload: *pos starts at 0; returns 1
 * and fills attr while there is one, 0 at the end. */
int ike_cp_next(const struct ike_payload *p, size_t *pos, struct ike_cp_attr *attr);

/* Payload type names for logs ("SA", "KE", "N", ...; "UNKNOWN" otherwise). */
const char *ike_payload_name(uint8_t type);
const char *ike_exchange_name(uint8_t exchange);
const char *ike_notify_name(uint16_t type); /* NULL if unknown */

/* --- builder --------------------------------------------------------------- */

struct ike_header {
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t exchange;
	uint8_t flags; /* IKE_FLAG_* */
	uint32_t message_id;
};

struct ike_builder {
	uint8_t *buf;
	size_t cap, len;
	size_t chain;    /* offset of the Next Payload octet to patch */
	size_t sk;       /* offset of the open or closed SK payload, 0 = none */
	size_t sk_fixed; /* bytes between its generic header and the IV (SKF: 4) */
	size_t sk_iv;    /* IV length of the open SK payload */
	int state;       /* 0 building, 1 SK open, 2 SK closed, 3 finished */
	struct ike_error err;
};

/* Where the parts of a closed SK payload are (offsets into the message),
 * for ike_sk_protect(). */
struct ike_sk_layout {
	size_t sk; /* SK generic payload header */
	size_t iv; /* IV (iv_len bytes) */
	size_t iv_len;
	size_t plain; /* inner payloads || padding || Pad Length */
	size_t plain_len;
	size_t icv; /* ICV (icv_len bytes), up to the end of the message */
	size_t icv_len;
	/* RFC 5282 §5.1: AEAD associated data = bytes [0, iv) -- the IKE header
	 * and everything up to the end of the SK payload header.  RFC 7296 §3.14:
	 * with a separate integrity transform the ICV covers [0, icv). */
};

/* Start a message in buf (at least IKE_HDR_LEN bytes, or the first call
 * that writes fails with IKE_E_NOSPACE).  Version 2.0. */
void ike_builder_init(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_header *h);

/* Each returns 0, or -1 with b->err set (sticky). */
int ike_add_sa(struct ike_builder *b, const struct ike_proposal *props, size_t n);
int ike_add_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len);
int ike_add_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len);
/* type is IKE_PL_IDI or IKE_PL_IDR. */
int ike_add_id(struct ike_builder *b, uint8_t type, uint8_t id_type, const uint8_t *data,
               size_t len);
int ike_add_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len);
int ike_add_cert(struct ike_builder *b, uint8_t encoding, const uint8_t *data, size_t len);
int ike_add_certreq(struct ike_builder *b, uint8_t encoding, const uint8_t *data, size_t len);
int ike_add_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, size_t spi_len,
                   uint16_t type, const uint8_t *data, size_t len);
/* spis: nspi SPIs of spi_size bytes each, back to back. */
int ike_add_delete(struct ike_builder *b, uint8_t protocol, uint8_t spi_size, const uint8_t *spis,
                   uint16_t nspi);
/* type is IKE_PL_TSI or IKE_PL_TSR. */
int ike_add_ts(struct ike_builder *b, uint8_t type, const struct ike_ts *ts, size_t n);
int ike_add_vendor(struct ike_builder *b, const uint8_t *data, size_t len);
int ike_add_cp(struct ike_builder *b, uint8_t cfg_type, const struct ike_cp_attr *attrs, size_t n);
int ike_add_eap(struct ike_builder *b, const uint8_t *data, size_t len);
/* Any payload, body given verbatim (tests, unknown or future payloads). */
int ike_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body,
                size_t len);

/* Open the SK payload: must be the last payload of the message (RFC 7296
 * §3.14).  iv_len bytes are reserved for the IV. */
int ike_sk_begin(struct ike_builder *b, size_t iv_len);
/* Open an Encrypted Fragment payload instead (RFC 7383 §2.5): Fragment
 * Number `number` of `total`; its Next Payload is `first_inner` (the type
 * of the original message's first inner payload in fragment 1, 0 in the
 * others).  Its content goes in with ike_sk_put(), it is closed with
 * ike_sk_end(). */
int ike_skf_begin(struct ike_builder *b, size_t iv_len, uint16_t number, uint16_t total,
                  uint8_t first_inner);
/* Append plaintext bytes to the open SK or SKF payload as they are (a
 * fragment's share of the inner payloads), outside the payload chain. */
int ike_sk_put(struct ike_builder *b, const uint8_t *data, size_t len);
/* Close it: append padding so that the inner payloads, the padding and the
 * Pad Length octet are a multiple of block_size (1 for AEAD), reserve
 * icv_len bytes and fill *layout.  The header Length is written here, so it
 * is final before the ICV is computed. */
int ike_sk_end(struct ike_builder *b, size_t block_size, size_t icv_len,
               struct ike_sk_layout *layout);

/* Write the header Length; *len = message length.  0 or -1 (any earlier
 * error, or an SK payload left open). */
int ike_builder_finish(struct ike_builder *b, size_t *len);

#endif
