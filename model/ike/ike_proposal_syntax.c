/* IKEv2 proposals in strongSwan's syntax ("aes256gcm16-prfsha384-x25519"):
 * the names of transforms, parsing proposal strings with their defaults,
 * and formatting proposals back (ike_proposal.h).  Negotiation is in
 * ike_proposal.c. */
#include "ike_proposal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

const char *ike_protocol_name(uint8_t protocol)
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

void ike_proposals_format(const struct ike_proposal *p, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	for (size_t i = 0; i < n && used < len; i++) {
		if (i && used + 2 < len) {
			memcpy(buf + used, ", ", 3);
			used += 2;
		}
		used += ike_proposal_format(&p[i], buf + used, len - used);
	}
	if (len)
		buf[used < len ? used : len - 1] = '\0';
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
	const char *pn = ike_protocol_name(protocol);
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
	const char *pn = ike_protocol_name(protocol);
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
		         ike_protocol_name(protocol));
		return -1;
	}
	if (out->n && out->p[0].protocol != protocol) {
		snprintf(err, errlen, "%s proposals added to a list of %s proposals",
		         ike_protocol_name(protocol), ike_protocol_name(out->p[0].protocol));
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
			snprintf(err, errlen, "empty %s proposal in '%s'",
			         ike_protocol_name(protocol), text);
			return -1;
		}
		if (n >= sizeof(one)) {
			snprintf(err, errlen, "%s proposal of %zu characters is too long",
			         ike_protocol_name(protocol), n);
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
