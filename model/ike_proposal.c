/* IKEv2 proposals: strongSwan proposal strings, negotiation (RFC 7296 §2.7,
 * §3.3) with a diagnostic, and the mapping to suites and engine SAs. */
#include "ike_proposal.h"

#include "crypto.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* In the normalised per-type lists below, a type absent from a proposal
 * is the transform with type 0 (no wire transform has it: proposals with
 * type-0 transforms are never chosen); INTEG NONE and DH NONE are
 * normalised to it. */
static bool is_absent(const struct ike_transform *t)
{
	return t->type == 0;
}

struct keyword {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_len;
	bool implemented;
	bool alias; /* not listed among the supported names */
};

/* Canonical names first: ike_transform_name() takes the first match. */
static const struct keyword keywords[] = {
        {"aes128", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128, true, false},
        {"aes256", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 256, true, false},
        {"aes", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128, true, true},
        {"aes128gcm16", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128, true, false},
        {"aes256gcm16", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, true, false},
        {"aes128gcm128", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128, true, true},
        {"aes256gcm128", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, true, true},
        {"chacha20poly1305", IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, true, false},
        {"aes128gmac", IKE_TT_ENCR, IKE_ENCR_NULL_AUTH_AES_GMAC, 128, true, false},
        {"aes256gmac", IKE_TT_ENCR, IKE_ENCR_NULL_AUTH_AES_GMAC, 256, true, false},
        {"aes192", IKE_TT_ENCR, IKE_ENCR_AES_CBC, 192, false, false},
        {"aes192gcm16", IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 192, false, false},
        {"aes128gcm8", IKE_TT_ENCR, IKE_ENCR_AES_GCM_8, 128, false, false},
        {"aes256gcm8", IKE_TT_ENCR, IKE_ENCR_AES_GCM_8, 256, false, false},
        {"aes128gcm12", IKE_TT_ENCR, IKE_ENCR_AES_GCM_12, 128, false, false},
        {"aes256gcm12", IKE_TT_ENCR, IKE_ENCR_AES_GCM_12, 256, false, false},
        {"aes128ctr", IKE_TT_ENCR, IKE_ENCR_AES_CTR, 128, false, false},
        {"aes256ctr", IKE_TT_ENCR, IKE_ENCR_AES_CTR, 256, false, false},
        {"aes128ccm16", IKE_TT_ENCR, IKE_ENCR_AES_CCM_16, 128, false, false},
        {"aes256ccm16", IKE_TT_ENCR, IKE_ENCR_AES_CCM_16, 256, false, false},
        {"camellia128", IKE_TT_ENCR, IKE_ENCR_CAMELLIA_CBC, 128, false, false},
        {"camellia256", IKE_TT_ENCR, IKE_ENCR_CAMELLIA_CBC, 256, false, false},
        {"3des", IKE_TT_ENCR, IKE_ENCR_3DES, 0, false, false},
        {"null", IKE_TT_ENCR, IKE_ENCR_NULL, 0, false, false},
        {"sha256", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, true, false},
        {"sha384", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, true, false},
        {"sha512", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, true, false},
        {"sha2_256", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, true, true},
        {"sha2_384", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0, true, true},
        {"sha2_512", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0, true, true},
        {"sha1", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, false, false},
        {"sha", IKE_TT_INTEG, IKE_INTEG_HMAC_SHA1_96, 0, false, true},
        {"md5", IKE_TT_INTEG, IKE_INTEG_HMAC_MD5_96, 0, false, false},
        {"aesxcbc", IKE_TT_INTEG, IKE_INTEG_AES_XCBC_96, 0, false, false},
        {"aescmac", IKE_TT_INTEG, IKE_INTEG_AES_CMAC_96, 0, false, false},
        {"prfsha256", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, true, false},
        {"prfsha384", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_384, 0, true, false},
        {"prfsha512", IKE_TT_PRF, IKE_PRF_HMAC_SHA2_512, 0, true, false},
        {"prfsha1", IKE_TT_PRF, IKE_PRF_HMAC_SHA1, 0, false, false},
        {"prfmd5", IKE_TT_PRF, IKE_PRF_HMAC_MD5, 0, false, false},
        {"prfaesxcbc", IKE_TT_PRF, IKE_PRF_AES128_XCBC, 0, false, false},
        {"prfaescmac", IKE_TT_PRF, IKE_PRF_AES128_CMAC, 0, false, false},
        {"modp2048", IKE_TT_DH, IKE_DH_MODP_2048, 0, true, false},
        {"modp3072", IKE_TT_DH, IKE_DH_MODP_3072, 0, true, false},
        {"ecp256", IKE_TT_DH, IKE_DH_ECP_256, 0, true, false},
        {"ecp384", IKE_TT_DH, IKE_DH_ECP_384, 0, true, false},
        {"ecp521", IKE_TT_DH, IKE_DH_ECP_521, 0, true, false},
        {"x25519", IKE_TT_DH, IKE_DH_CURVE25519, 0, true, false},
        {"curve25519", IKE_TT_DH, IKE_DH_CURVE25519, 0, true, true},
        {"modp1024", IKE_TT_DH, IKE_DH_MODP_1024, 0, false, false},
        {"modp1536", IKE_TT_DH, IKE_DH_MODP_1536, 0, false, false},
        {"modp4096", IKE_TT_DH, IKE_DH_MODP_4096, 0, false, false},
        {"modp6144", IKE_TT_DH, IKE_DH_MODP_6144, 0, false, false},
        {"modp8192", IKE_TT_DH, IKE_DH_MODP_8192, 0, false, false},
        {"ecp192", IKE_TT_DH, 25, 0, false, false},
        {"ecp224", IKE_TT_DH, 26, 0, false, false},
        {"ecp256bp", IKE_TT_DH, IKE_DH_ECP_256_BP, 0, false, false},
        {"ecp384bp", IKE_TT_DH, IKE_DH_ECP_384_BP, 0, false, false},
        {"ecp512bp", IKE_TT_DH, IKE_DH_ECP_512_BP, 0, false, false},
        {"x448", IKE_TT_DH, IKE_DH_CURVE448, 0, false, false},
        {"curve448", IKE_TT_DH, IKE_DH_CURVE448, 0, false, true},
        {"esn", IKE_TT_ESN, IKE_ESN_YES, 0, true, false},
        {"noesn", IKE_TT_ESN, IKE_ESN_NO, 0, true, false},
};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static const char *protocol_name(uint8_t protocol)
{
	switch (protocol) {
	case IKE_PROTO_IKE:
		return "IKE";
	case IKE_PROTO_ESP:
		return "ESP";
	case IKE_PROTO_AH:
		return "AH";
	}
	return "unknown-protocol";
}

const char *ike_transform_type_name(uint8_t type)
{
	switch (type) {
	case IKE_TT_ENCR:
		return "encryption algorithm";
	case IKE_TT_PRF:
		return "PRF";
	case IKE_TT_INTEG:
		return "integrity algorithm";
	case IKE_TT_DH:
		return "DH group";
	case IKE_TT_ESN:
		return "ESN mode";
	}
	return "transform type";
}

const char *ike_transform_name(uint8_t type, uint16_t id, uint16_t key_len, char *buf, size_t len)
{
	static const char *const prefix[] = {"TYPE0", "ENCR", "PRF", "INTEG", "DH", "ESN"};
	size_t i;

	for (i = 0; i < NKEYWORDS; i++)
		if (keywords[i].type == type && keywords[i].id == id &&
		    keywords[i].key_len == key_len)
			return keywords[i].name;
	if ((type == IKE_TT_INTEG || type == IKE_TT_DH) && id == 0)
		return "none";
	if (type < IKE_TT__COUNT)
		snprintf(buf, len, key_len ? "%s_%u_%u" : "%s_%u", prefix[type], id, key_len);
	else
		snprintf(buf, len, key_len ? "TYPE%u_%u_%u" : "TYPE%u_%u", type, id, key_len);
	return buf;
}

size_t ike_proposal_format(const struct ike_proposal *p, char *buf, size_t len)
{
	size_t used = 0, i;
	char tmp[32];

	if (len)
		buf[0] = '\0';
	for (i = 0; i < p->ntransforms; i++) {
		const struct ike_transform *t = &p->t[i];
		int n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
		                 "%s%s", i ? "-" : "",
		                 ike_transform_name(t->type, t->id, t->key_len, tmp, sizeof(tmp)));

		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}

/* --- parsing ------------------------------------------------------------------ */

static const struct keyword *find_keyword(const char *tok)
{
	size_t i;

	for (i = 0; i < NKEYWORDS; i++)
		if (strcasecmp(keywords[i].name, tok) == 0)
			return &keywords[i];
	return NULL;
}

/* "aes128, aes256, ..." for the error of an unimplemented keyword. */
static void supported_names(uint8_t type, uint8_t protocol, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < NKEYWORDS && used < len; i++) {
		const struct keyword *k = &keywords[i];
		int n;

		if (k->type != type || !k->implemented || k->alias ||
		    (protocol == IKE_PROTO_IKE && k->id == IKE_ENCR_NULL_AUTH_AES_GMAC &&
		     type == IKE_TT_ENCR))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", k->name);
		used += n > 0 ? (size_t)n : 0;
	}
}

static bool is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	       encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_AES_CCM_16 ||
	       encr == IKE_ENCR_CHACHA20_POLY1305 || encr == IKE_ENCR_NULL_AUTH_AES_GMAC;
}

/* Transforms of one proposal being parsed, by type. */
struct pbuild {
	struct ike_transform t[IKE_TT__COUNT][IKE_MAX_TRANSFORMS];
	size_t n[IKE_TT__COUNT];
};

static int padd(struct pbuild *pb, uint8_t type, uint16_t id, uint16_t key_len)
{
	size_t i;

	for (i = 0; i < pb->n[type]; i++)
		if (pb->t[type][i].id == id && pb->t[type][i].key_len == key_len)
			return 0; /* duplicates are ignored */
	if (pb->n[type] >= IKE_MAX_TRANSFORMS)
		return -1;
	pb->t[type][pb->n[type]++] = (struct ike_transform){type, id, key_len, false};
	return 0;
}

/* Finish one proposal: strongSwan's completion rules, then flatten in type
 * order. */
static int finish(struct pbuild *pb, uint8_t protocol, const char *text, struct ike_proposal *p,
                  char *err, size_t errlen)
{
	const char *pn = protocol_name(protocol);
	bool any_aead = false, all_aead = true;
	size_t i, type, total = 0;

	for (i = 0; i < pb->n[IKE_TT_ENCR]; i++) {
		if (is_aead(pb->t[IKE_TT_ENCR][i].id))
			any_aead = true;
		else
			all_aead = false;
	}
	if (protocol != IKE_PROTO_AH) {
		if (!pb->n[IKE_TT_ENCR]) {
			snprintf(err, errlen, "%s proposal '%s' has no encryption algorithm", pn,
			         text);
			return -1;
		}
		if (any_aead && !all_aead) {
			snprintf(err, errlen,
			         "%s proposal '%s' mixes AEAD and non-AEAD encryption algorithms; "
			         "put them in separate proposals (separated by a comma)",
			         pn, text);
			return -1;
		}
	}
	if (protocol == IKE_PROTO_IKE && !pb->n[IKE_TT_PRF]) {
		/* strongSwan: no PRF given, use the integrity algorithms'. */
		for (i = 0; i < pb->n[IKE_TT_INTEG]; i++) {
			uint16_t id = pb->t[IKE_TT_INTEG][i].id;

			padd(pb, IKE_TT_PRF,
			     id == IKE_INTEG_HMAC_SHA2_256_128   ? IKE_PRF_HMAC_SHA2_256
			     : id == IKE_INTEG_HMAC_SHA2_384_192 ? IKE_PRF_HMAC_SHA2_384
			                                         : IKE_PRF_HMAC_SHA2_512,
			     0);
		}
		if (!pb->n[IKE_TT_PRF]) {
			snprintf(err, errlen,
			         "IKE proposal '%s' has no PRF (add e.g. prfsha256; AEAD proposals "
			         "need one explicitly)",
			         text);
			return -1;
		}
	}
	if (protocol != IKE_PROTO_AH && all_aead) {
		pb->n[IKE_TT_INTEG] = 0; /* RFC 7296 §3.3.3: none with AEAD */
	} else if (!pb->n[IKE_TT_INTEG]) {
		snprintf(err, errlen,
		         "%s proposal '%s' has no integrity algorithm (add e.g. sha256%s)", pn,
		         text, protocol == IKE_PROTO_AH ? "" : ", or use an AEAD like aes128gcm16");
		return -1;
	}
	if (protocol == IKE_PROTO_IKE && !pb->n[IKE_TT_DH]) {
		snprintf(err, errlen, "IKE proposal '%s' has no DH group (add e.g. x25519)", text);
		return -1;
	}
	if (protocol != IKE_PROTO_IKE && !pb->n[IKE_TT_ESN])
		padd(pb, IKE_TT_ESN, IKE_ESN_NO, 0);
	memset(p, 0, sizeof(*p));
	p->protocol = protocol;
	for (type = 1; type < IKE_TT__COUNT; type++)
		total += pb->n[type];
	if (total > IKE_MAX_TRANSFORMS) {
		snprintf(err, errlen, "%s proposal '%s' has %zu transforms (at most %d)", pn, text,
		         total, IKE_MAX_TRANSFORMS);
		return -1;
	}
	for (type = 1; type < IKE_TT__COUNT; type++)
		for (i = 0; i < pb->n[type]; i++)
			p->t[p->ntransforms++] = pb->t[type][i];
	return 0;
}

static int parse_one(uint8_t protocol, const char *text, struct ike_proposal *p, char *err,
                     size_t errlen)
{
	const char *pn = protocol_name(protocol);
	struct pbuild pb;
	const char *s = text;

	memset(&pb, 0, sizeof(pb));
	for (;;) {
		const char *dash = strchr(s, '-');
		size_t n = dash ? (size_t)(dash - s) : strlen(s);
		char tok[32], names[200];
		const struct keyword *k;

		if (n == 0) {
			snprintf(err, errlen, "%s proposal '%s': empty algorithm name", pn, text);
			return -1;
		}
		if (n >= sizeof(tok)) {
			snprintf(err, errlen, "%s proposal '%s': unknown algorithm '%.*s'", pn,
			         text, (int)n, s);
			return -1;
		}
		memcpy(tok, s, n);
		tok[n] = '\0';
		k = find_keyword(tok);
		if (!k) {
			snprintf(err, errlen, "%s proposal '%s': unknown algorithm '%s'", pn, text,
			         tok);
			return -1;
		}
		if ((protocol == IKE_PROTO_IKE && k->type == IKE_TT_ESN) ||
		    (protocol != IKE_PROTO_IKE && k->type == IKE_TT_PRF) ||
		    (protocol == IKE_PROTO_AH && k->type == IKE_TT_ENCR) ||
		    (protocol == IKE_PROTO_IKE && k->id == IKE_ENCR_NULL_AUTH_AES_GMAC &&
		     k->type == IKE_TT_ENCR)) {
			snprintf(err, errlen,
			         "%s proposal '%s': '%s' (%s) is not valid in an %s proposal", pn,
			         text, tok, ike_transform_type_name(k->type), pn);
			return -1;
		}
		if (!k->implemented) {
			supported_names(k->type, protocol, names, sizeof(names));
			snprintf(
			        err, errlen,
			        "%s proposal '%s': '%s' is not implemented by this module (%s: %s)",
			        pn, text, tok, ike_transform_type_name(k->type), names);
			return -1;
		}
		if (padd(&pb, k->type, k->id, k->key_len) < 0) {
			snprintf(err, errlen, "%s proposal '%s': too many algorithms", pn, text);
			return -1;
		}
		if (!dash)
			break;
		s = dash + 1;
	}
	return finish(&pb, protocol, text, p, err, errlen);
}

/* The defaults (see ike_proposal.h). */
static const char *const default_ike[] = {
        "aes128-aes256-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-"
        "x25519-modp3072-modp2048",
        "aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-ecp256-ecp384-"
        "ecp521-x25519-modp3072-modp2048",
};
static const char *const default_esp[] = {
        "aes128-aes256-sha256-sha384-sha512-noesn",
        "aes128gcm16-aes256gcm16-noesn",
};
static const char *const default_ah[] = {"sha256-sha384-sha512-noesn"};

static int append(struct ike_proposal_list *out, uint8_t protocol, const char *text, char *err,
                  size_t errlen)
{
	if (out->n >= IKE_MAX_PROPOSALS) {
		snprintf(err, errlen, "more than %d %s proposals", IKE_MAX_PROPOSALS,
		         protocol_name(protocol));
		return -1;
	}
	if (out->n && out->p[0].protocol != protocol) {
		snprintf(err, errlen, "%s proposals added to a list of %s proposals",
		         protocol_name(protocol), protocol_name(out->p[0].protocol));
		return -1;
	}
	if (parse_one(protocol, text, &out->p[out->n], err, errlen) < 0)
		return -1;
	out->p[out->n].num = (uint8_t)(out->n + 1);
	out->n++;
	return 0;
}

int ike_proposals_parse(uint8_t protocol, const char *text, struct ike_proposal_list *out,
                        char *err, size_t errlen)
{
	const char *s = text;

	if (protocol != IKE_PROTO_IKE && protocol != IKE_PROTO_ESP && protocol != IKE_PROTO_AH) {
		snprintf(err, errlen, "unknown protocol %u", protocol);
		return -1;
	}
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char one[512];

		/* swanctl lists: "a, b" */
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n == 0) {
			snprintf(err, errlen, "empty %s proposal in '%s'", protocol_name(protocol),
			         text);
			return -1;
		}
		if (n >= sizeof(one)) {
			snprintf(err, errlen, "%s proposal of %zu characters is too long",
			         protocol_name(protocol), n);
			return -1;
		}
		memcpy(one, s, n);
		one[n] = '\0';
		if (strcasecmp(one, "default") == 0) {
			const char *const *d = protocol == IKE_PROTO_IKE   ? default_ike
			                       : protocol == IKE_PROTO_ESP ? default_esp
			                                                   : default_ah;
			size_t nd = protocol == IKE_PROTO_AH ? 1 : 2, i;

			for (i = 0; i < nd; i++)
				if (append(out, protocol, d[i], err, errlen) < 0)
					return -1;
		} else if (append(out, protocol, one, err, errlen) < 0) {
			return -1;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

/* --- negotiation -------------------------------------------------------------- */

/* The transforms of `type` in p, normalised: INTEG/DH NONE dropped; an empty
 * ESN list means "no ESN", any other empty list the type-0 "absent" entry. */
static size_t normalised(const struct ike_proposal *p, uint8_t type, struct ike_transform *out)
{
	size_t n = 0, i;

	for (i = 0; i < p->ntransforms; i++) {
		const struct ike_transform *t = &p->t[i];

		if (t->type != type)
			continue;
		if ((type == IKE_TT_INTEG || type == IKE_TT_DH) && t->id == 0)
			continue;
		out[n++] = *t;
	}
	if (n == 0)
		out[n++] = type == IKE_TT_ESN
		                   ? (struct ike_transform){IKE_TT_ESN, IKE_ESN_NO, 0, false}
		                   : (struct ike_transform){0, 0, 0, false};
	return n;
}

static bool same(const struct ike_transform *a, const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_len == b->key_len;
}

static bool same_proposal(const struct ike_proposal *a, const struct ike_proposal *b)
{
	if (a->protocol != b->protocol || a->ntransforms != b->ntransforms)
		return false;
	for (size_t i = 0; i < a->ntransforms; i++)
		if (!same(&a->t[i], &b->t[i]))
			return false;
	return true;
}

void ike_proposals_strip_dh(struct ike_proposal_list *l)
{
	uint8_t n = 0;

	for (uint8_t i = 0; i < l->n; i++) {
		struct ike_proposal p = l->p[i];
		uint8_t k = 0;
		bool dup = false;

		for (uint8_t j = 0; j < p.ntransforms; j++)
			if (p.t[j].type != IKE_TT_DH)
				p.t[k++] = p.t[j];
		p.ntransforms = k;
		for (uint8_t j = 0; j < n && !dup; j++)
			dup = same_proposal(&l->p[j], &p);
		if (dup)
			continue;
		/* §3.3.1: numbered from 1, each one more than the previous. */
		p.num = (uint8_t)(n + 1);
		l->p[n++] = p;
	}
	l->n = n;
}

static bool contains_t(const struct ike_transform *list, size_t n, const struct ike_transform *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same(&list[i], t))
			return true;
	return false;
}

static bool considered(uint8_t type, unsigned flags)
{
	return !(type == IKE_TT_DH && (flags & IKE_SELECT_IGNORE_DH));
}

/* A proposal with a transform type above ESN or an unknown attribute
 * cannot be chosen (RFC 7296 §3.3.6). */
static bool has_unknown(const struct ike_proposal *p)
{
	size_t i;

	for (i = 0; i < p->ntransforms; i++)
		if (p->t[i].unknown_attr || p->t[i].type == 0 || p->t[i].type >= IKE_TT__COUNT)
			return true;
	return false;
}

static bool present(const struct ike_proposal *p, const struct ike_transform *t)
{
	size_t i;

	for (i = 0; i < p->ntransforms; i++)
		if (same(&p->t[i], t))
			return true;
	return false;
}

/* Try offered o against configured c; on success fill *chosen, else return
 * the first type without a common transform. */
static uint8_t match(const struct ike_proposal *o, const struct ike_proposal *c, unsigned flags,
                     struct ike_proposal *chosen)
{
	struct ike_transform ot[IKE_MAX_TRANSFORMS + 1], ct[IKE_MAX_TRANSFORMS + 1];
	struct ike_proposal r;
	uint8_t type;

	memset(&r, 0, sizeof(r));
	r.num = o->num;
	r.protocol = o->protocol;
	r.spi_size = o->spi_size;
	memcpy(r.spi, o->spi, sizeof(r.spi));
	for (type = 1; type < IKE_TT__COUNT; type++) {
		size_t no, nc, i;
		bool found = false;

		if (!considered(type, flags))
			continue;
		no = normalised(o, type, ot);
		nc = normalised(c, type, ct);
		for (i = 0; i < no && !found; i++) {
			if (!contains_t(ct, nc, &ot[i]))
				continue;
			found = true;
			/* Echo only transforms really sent (not NONE/absent). */
			if (!is_absent(&ot[i]) && present(o, &ot[i]))
				r.t[r.ntransforms++] = ot[i];
		}
		if (!found)
			return type;
	}
	if (chosen)
		*chosen = r;
	return 0;
}

static void union_add(struct ike_transform *list, uint8_t *n, const struct ike_transform *t,
                      size_t nt)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (!contains_t(list, *n, &t[i]) && *n < IKE_MAX_TRANSFORMS)
			list[(*n)++] = t[i];
}

static void fill_diag(const struct ike_proposal *offered, size_t noffered,
                      const struct ike_proposal_list *cfg, unsigned flags,
                      struct ike_select_diag *d)
{
	struct ike_transform tmp[IKE_MAX_TRANSFORMS + 1];
	uint8_t protocol = d->protocol, type;
	bool all_common = true;
	size_t i, j;

	for (type = 1; type < IKE_TT__COUNT; type++) {
		struct ike_type_diag *td = &d->t[type];

		td->considered = considered(type, flags);
		if (!td->considered)
			continue;
		for (i = 0; i < noffered; i++)
			if (offered[i].protocol == protocol)
				union_add(td->offered, &td->noffered, tmp,
				          normalised(&offered[i], type, tmp));
		for (j = 0; j < cfg->n; j++)
			union_add(td->accepted, &td->naccepted, tmp,
			          normalised(&cfg->p[j], type, tmp));
		for (i = 0; i < td->noffered && !td->common; i++)
			td->common = contains_t(td->accepted, td->naccepted, &td->offered[i]);
		if (!td->common)
			all_common = false;
	}
	d->combination = all_common && d->noffered > d->nunknown;
	d->nconfigured = cfg->n;
	for (i = 0; i < noffered && d->nproposals < IKE_MAX_PROPOSALS; i++) {
		if (offered[i].protocol != protocol)
			continue;
		d->offered_num[d->nproposals] = offered[i].num;
		for (j = 0; j < cfg->n; j++)
			d->mismatch[d->nproposals][j] =
			        has_unknown(&offered[i])
			                ? 0
			                : match(&offered[i], &cfg->p[j], flags, NULL);
		d->nproposals++;
	}
}

int ike_proposal_select(const struct ike_proposal *offered, size_t noffered,
                        const struct ike_proposal_list *configured, unsigned flags,
                        struct ike_proposal *chosen, struct ike_select_diag *diag)
{
	struct ike_select_diag local;
	struct ike_select_diag *d = diag ? diag : &local;
	uint8_t protocol = configured->n ? configured->p[0].protocol : 0;
	size_t i, j;

	memset(d, 0, sizeof(*d));
	d->protocol = protocol;
	for (i = 0; i < noffered; i++) {
		if (offered[i].protocol != protocol) {
			d->other_protocol = offered[i].protocol;
			continue;
		}
		d->noffered++;
		if (has_unknown(&offered[i])) {
			d->nunknown++;
			continue;
		}
		for (j = 0; j < configured->n; j++)
			if (match(&offered[i], &configured->p[j], flags, chosen) == 0)
				return 0;
	}
	if (diag)
		fill_diag(offered, noffered, configured, flags, d);
	return -1;
}

/* snprintf into buf at *used, tracking the length needed. */
static void out(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*used < len ? buf + *used : NULL, *used < len ? len - *used : 0, fmt, ap);
	va_end(ap);
	*used += n > 0 ? (size_t)n : 0;
}

static void out_list(char *buf, size_t len, size_t *used, const struct ike_transform *t, size_t n)
{
	char tmp[32];
	size_t i;

	out(buf, len, used, "[");
	for (i = 0; i < n; i++)
		out(buf, len, used, "%s%s", i ? ", " : "",
		    is_absent(&t[i]) ? "none"
		                     : ike_transform_name(t[i].type, t[i].id, t[i].key_len, tmp,
		                                          sizeof(tmp)));
	out(buf, len, used, "]");
}

size_t ike_select_diag_format(const struct ike_select_diag *d, char *buf, size_t len)
{
	size_t used = 0, i, j;
	bool first = true;
	uint8_t type;

	if (len)
		buf[0] = '\0';
	out(buf, len, &used, "no proposal chosen: ");
	if (d->nconfigured == 0 && d->protocol == 0) {
		out(buf, len, &used, "no proposals configured");
		return used;
	}
	if (d->noffered == 0) {
		if (d->other_protocol)
			out(buf, len, &used, "initiator offered no %s proposal (only %s)",
			    protocol_name(d->protocol), protocol_name(d->other_protocol));
		else
			out(buf, len, &used, "initiator offered no proposals");
		return used;
	}
	for (type = 1; type < IKE_TT__COUNT; type++) {
		const struct ike_type_diag *td = &d->t[type];

		if (!td->considered || td->common)
			continue;
		out(buf, len, &used, "%sno common %s: initiator offered ", first ? "" : "; ",
		    ike_transform_type_name(type));
		out_list(buf, len, &used, td->offered, td->noffered);
		out(buf, len, &used, ", responder accepts ");
		out_list(buf, len, &used, td->accepted, td->naccepted);
		first = false;
	}
	if (d->combination) {
		out(buf, len, &used,
		    "every transform type has a common algorithm, but no initiator proposal "
		    "matches a configured one as a whole: ");
		for (i = 0; i < d->nproposals; i++) {
			size_t k = 0;

			out(buf, len, &used, "%sinitiator proposal %u: ", i ? "; " : "",
			    d->offered_num[i]);
			for (j = 0; j < d->nconfigured; j++) {
				if (!d->mismatch[i][j])
					continue;
				out(buf, len, &used, "%sno common %s with configured %zu",
				    k++ ? ", " : "", ike_transform_type_name(d->mismatch[i][j]),
				    j + 1);
			}
			if (!k)
				out(buf, len, &used, "skipped");
		}
		first = false;
	}
	if (d->nunknown) {
		out(buf, len, &used,
		    "%s%u %s proposal%s skipped for unknown transform types or attributes (RFC "
		    "7296 §3.3.6)",
		    first ? "" : "; ", d->nunknown, protocol_name(d->protocol),
		    d->nunknown == 1 ? "" : "s");
	}
	return used;
}

int ike_proposal_check_response(const struct ike_proposal *offered, size_t noffered,
                                const struct ike_proposal *r, unsigned flags, char *err,
                                size_t errlen)
{
	const struct ike_proposal *o = NULL;
	bool seen[IKE_TT__COUNT] = {false};
	struct ike_transform ot[IKE_MAX_TRANSFORMS + 1];
	char tmp[32];
	size_t i;
	uint8_t type;

	for (i = 0; i < noffered; i++)
		if (offered[i].num == r->num && offered[i].protocol == r->protocol)
			o = &offered[i];
	if (!o) {
		snprintf(err, errlen, "responder chose proposal %u (%s), which was not offered",
		         r->num, protocol_name(r->protocol));
		return -1;
	}
	for (i = 0; i < r->ntransforms; i++) {
		const struct ike_transform *t = &r->t[i];

		if (t->type == 0 || t->type >= IKE_TT__COUNT || seen[t->type]) {
			snprintf(err, errlen, "responder's proposal has %s %s transform",
			         t->type && t->type < IKE_TT__COUNT ? "a second" : "an unknown",
			         ike_transform_type_name(t->type));
			return -1;
		}
		seen[t->type] = true;
		if ((t->type == IKE_TT_INTEG || t->type == IKE_TT_DH) && t->id == 0)
			continue; /* NONE */
		if (!contains_t(ot, normalised(o, t->type, ot), t)) {
			snprintf(err, errlen,
			         "responder chose %s %s, which proposal %u did not offer",
			         ike_transform_type_name(t->type),
			         ike_transform_name(t->type, t->id, t->key_len, tmp, sizeof(tmp)),
			         o->num);
			return -1;
		}
	}
	for (type = 1; type < IKE_TT__COUNT; type++) {
		size_t n = normalised(o, type, ot);

		if (seen[type] || !considered(type, flags) || is_absent(&ot[0]) ||
		    (type == IKE_TT_ESN && n == 1 && ot[0].id == IKE_ESN_NO))
			continue;
		snprintf(err, errlen, "responder's proposal lacks a %s",
		         ike_transform_type_name(type));
		return -1;
	}
	return 0;
}

/* --- using the choice --------------------------------------------------------- */

const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->ntransforms; i++)
		if (p->t[i].type == type)
			return &p->t[i];
	return NULL;
}

int ike_proposal_to_suite(const struct ike_proposal *p, struct ike_suite *s, char *err,
                          size_t errlen)
{
	const struct ike_transform *e = ike_proposal_get(p, IKE_TT_ENCR);
	const struct ike_transform *f = ike_proposal_get(p, IKE_TT_PRF);
	const struct ike_transform *i = ike_proposal_get(p, IKE_TT_INTEG);
	const struct ike_transform *g = ike_proposal_get(p, IKE_TT_DH);
	struct ike_suite_sizes sz;

	memset(s, 0, sizeof(*s));
	if (p->protocol != IKE_PROTO_IKE || !e || !f) {
		snprintf(err, errlen, "not an IKE proposal with encryption and PRF");
		return -1;
	}
	s->encr = e->id;
	s->encr_bits = e->key_len;
	s->prf = f->id;
	s->integ = i ? i->id : IKE_INTEG_NONE;
	s->dh = g ? g->id : IKE_DH_NONE;
	if (ike_suite_sizes(s, &sz, err, errlen) < 0)
		return -1;
	if (s->dh != IKE_DH_NONE && !ike_dh_public_len(s->dh)) {
		snprintf(err, errlen, "DH group %u is not implemented", s->dh);
		return -1;
	}
	return 0;
}

int ike_proposal_to_child(const struct ike_proposal *p, struct ike_child_transforms *c, char *err,
                          size_t errlen)
{
	const struct ike_transform *e = ike_proposal_get(p, IKE_TT_ENCR);
	const struct ike_transform *i = ike_proposal_get(p, IKE_TT_INTEG);
	const struct ike_transform *n = ike_proposal_get(p, IKE_TT_ESN);
	const struct ike_transform *g = ike_proposal_get(p, IKE_TT_DH);
	char tmp[32];

	memset(c, 0, sizeof(*c));
	if (p->protocol != IKE_PROTO_ESP && p->protocol != IKE_PROTO_AH) {
		snprintf(err, errlen, "a Child SA proposal must be ESP or AH, not %s",
		         protocol_name(p->protocol));
		return -1;
	}
	c->protocol = p->protocol == IKE_PROTO_ESP ? IPSEC_PROTO_ESP : IPSEC_PROTO_AH;
	c->enc = IPSEC_ENC_NULL;
	c->esn = n && n->id == IKE_ESN_YES;
	c->dh = g ? g->id : 0;
	if (e) {
		uint16_t bits = e->key_len;

		if (p->protocol == IKE_PROTO_AH) {
			snprintf(err, errlen, "AH proposal with an encryption transform");
			return -1;
		}
		if (e->id == IKE_ENCR_AES_CBC && (bits == 128 || bits == 256))
			c->enc = bits == 128 ? IPSEC_ENC_AES_CBC_128 : IPSEC_ENC_AES_CBC_256;
		else if (e->id == IKE_ENCR_AES_GCM_16 && (bits == 128 || bits == 256))
			c->enc = bits == 128 ? IPSEC_ENC_AES_GCM16_128 : IPSEC_ENC_AES_GCM16_256;
		else if (e->id == IKE_ENCR_NULL_AUTH_AES_GMAC && (bits == 128 || bits == 256))
			c->enc = bits == 128 ? IPSEC_ENC_AES_GMAC_128 : IPSEC_ENC_AES_GMAC_256;
		else if (e->id == IKE_ENCR_CHACHA20_POLY1305 && (bits == 0 || bits == 256))
			c->enc = IPSEC_ENC_CHACHA20_POLY1305;
		else {
			snprintf(err, errlen, "ESP encryption %s is not implemented by the engine",
			         ike_transform_name(IKE_TT_ENCR, e->id, bits, tmp, sizeof(tmp)));
			return -1;
		}
	} else if (p->protocol == IKE_PROTO_ESP) {
		snprintf(err, errlen, "ESP proposal without an encryption transform");
		return -1;
	}
	c->integ = IPSEC_INTEG_NONE;
	if (i && i->id != IKE_INTEG_NONE) {
		switch (i->id) {
		case IKE_INTEG_HMAC_SHA2_256_128:
			c->integ = IPSEC_INTEG_HMAC_SHA256_128;
			break;
		case IKE_INTEG_HMAC_SHA2_384_192:
			c->integ = IPSEC_INTEG_HMAC_SHA384_192;
			break;
		case IKE_INTEG_HMAC_SHA2_512_256:
			c->integ = IPSEC_INTEG_HMAC_SHA512_256;
			break;
		default:
			snprintf(err, errlen, "integrity %s is not implemented by the engine",
			         ike_transform_name(IKE_TT_INTEG, i->id, 0, tmp, sizeof(tmp)));
			return -1;
		}
	}
	if (enc_transform(c->enc)->aead || enc_transform(c->enc)->gmac) {
		if (c->integ != IPSEC_INTEG_NONE) {
			snprintf(err, errlen, "integrity transform with a combined-mode cipher");
			return -1;
		}
	} else if (c->integ == IPSEC_INTEG_NONE) {
		snprintf(err, errlen, "%s proposal without integrity protection",
		         protocol_name(p->protocol));
		return -1;
	}
	c->enc_key_len = enc_transform(c->enc)->key_len + enc_transform(c->enc)->salt_len;
	c->integ_key_len = integ_transform(c->integ)->key_len;
	return 0;
}
