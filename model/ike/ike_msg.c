/* IKEv2 message parser (RFC 7296 §3).  Every length is checked against the
 * bytes that remain before anything is read. */
#include "ike_msg.h"

#include "ipv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Fill err and return -1. */
static int fail(struct ike_error *err, enum ike_status code, size_t offset, uint8_t payload,
                const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->offset = offset;
	err->payload = payload;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

const char *ike_status_name(enum ike_status code)
{
	switch (code) {
	case IKE_OK:
		return "ok";
	case IKE_E_TRUNCATED:
		return "truncated";
	case IKE_E_LENGTH:
		return "bad length";
	case IKE_E_MAJOR_VERSION:
		return "unsupported major version";
	case IKE_E_SYNTAX:
		return "invalid syntax";
	case IKE_E_CRITICAL:
		return "unsupported critical payload";
	case IKE_E_TOO_MANY:
		return "too many elements";
	case IKE_E_NOSPACE:
		return "buffer too small";
	case IKE_E_STATE:
		return "builder misuse";
	}
	return "?";
}

uint16_t ike_error_notify(const struct ike_error *err)
{
	switch (err->code) {
	case IKE_E_CRITICAL:
		return IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	case IKE_E_MAJOR_VERSION:
		return IKE_N_INVALID_MAJOR_VERSION;
	case IKE_E_TRUNCATED:
	case IKE_E_LENGTH:
	case IKE_E_SYNTAX:
	case IKE_E_TOO_MANY:
		return IKE_N_INVALID_SYNTAX;
	default:
		return 0;
	}
}

const char *ike_payload_name(uint8_t type)
{
	static const char *const names[] = {
	        [IKE_PL_SA] = "SA",     [IKE_PL_KE] = "KE",       [IKE_PL_IDI] = "IDi",
	        [IKE_PL_IDR] = "IDr",   [IKE_PL_CERT] = "CERT",   [IKE_PL_CERTREQ] = "CERTREQ",
	        [IKE_PL_AUTH] = "AUTH", [IKE_PL_NONCE] = "Nonce", [IKE_PL_NOTIFY] = "N",
	        [IKE_PL_DELETE] = "D",  [IKE_PL_VENDOR] = "V",    [IKE_PL_TSI] = "TSi",
	        [IKE_PL_TSR] = "TSr",   [IKE_PL_SK] = "SK",       [IKE_PL_CP] = "CP",
	        [IKE_PL_EAP] = "EAP",   [IKE_PL_SKF] = "SKF",
	};

	if (type == IKE_PL_NONE)
		return "none";
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "UNKNOWN";
}

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKE_AUTH:
		return "IKE_AUTH";
	case IKE_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case IKE_INFORMATIONAL:
		return "INFORMATIONAL";
	}
	return "UNKNOWN";
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD:
		return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKE_N_INVALID_IKE_SPI:
		return "INVALID_IKE_SPI";
	case IKE_N_INVALID_MAJOR_VERSION:
		return "INVALID_MAJOR_VERSION";
	case IKE_N_INVALID_SYNTAX:
		return "INVALID_SYNTAX";
	case IKE_N_INVALID_MESSAGE_ID:
		return "INVALID_MESSAGE_ID";
	case IKE_N_INVALID_SPI:
		return "INVALID_SPI";
	case IKE_N_NO_PROPOSAL_CHOSEN:
		return "NO_PROPOSAL_CHOSEN";
	case IKE_N_INVALID_KE_PAYLOAD:
		return "INVALID_KE_PAYLOAD";
	case IKE_N_AUTHENTICATION_FAILED:
		return "AUTHENTICATION_FAILED";
	case IKE_N_SINGLE_PAIR_REQUIRED:
		return "SINGLE_PAIR_REQUIRED";
	case IKE_N_NO_ADDITIONAL_SAS:
		return "NO_ADDITIONAL_SAS";
	case IKE_N_INTERNAL_ADDRESS_FAILURE:
		return "INTERNAL_ADDRESS_FAILURE";
	case IKE_N_FAILED_CP_REQUIRED:
		return "FAILED_CP_REQUIRED";
	case IKE_N_TS_UNACCEPTABLE:
		return "TS_UNACCEPTABLE";
	case IKE_N_INVALID_SELECTORS:
		return "INVALID_SELECTORS";
	case IKE_N_TEMPORARY_FAILURE:
		return "TEMPORARY_FAILURE";
	case IKE_N_CHILD_SA_NOT_FOUND:
		return "CHILD_SA_NOT_FOUND";
	case IKE_N_INITIAL_CONTACT:
		return "INITIAL_CONTACT";
	case IKE_N_SET_WINDOW_SIZE:
		return "SET_WINDOW_SIZE";
	case IKE_N_ADDITIONAL_TS_POSSIBLE:
		return "ADDITIONAL_TS_POSSIBLE";
	case IKE_N_IPCOMP_SUPPORTED:
		return "IPCOMP_SUPPORTED";
	case IKE_N_NAT_DETECTION_SOURCE_IP:
		return "NAT_DETECTION_SOURCE_IP";
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		return "NAT_DETECTION_DESTINATION_IP";
	case IKE_N_COOKIE:
		return "COOKIE";
	case IKE_N_USE_TRANSPORT_MODE:
		return "USE_TRANSPORT_MODE";
	case IKE_N_HTTP_CERT_LOOKUP_SUPPORTED:
		return "HTTP_CERT_LOOKUP_SUPPORTED";
	case IKE_N_REKEY_SA:
		return "REKEY_SA";
	case IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED:
		return "ESP_TFC_PADDING_NOT_SUPPORTED";
	case IKE_N_NON_FIRST_FRAGMENTS_ALSO:
		return "NON_FIRST_FRAGMENTS_ALSO";
	case IKE_N_MOBIKE_SUPPORTED:
		return "MOBIKE_SUPPORTED";
	case IKE_N_ADDITIONAL_IP4_ADDRESS:
		return "ADDITIONAL_IP4_ADDRESS";
	case IKE_N_ADDITIONAL_IP6_ADDRESS:
		return "ADDITIONAL_IP6_ADDRESS";
	case IKE_N_UPDATE_SA_ADDRESSES:
		return "UPDATE_SA_ADDRESSES";
	case IKE_N_IKEV2_FRAGMENTATION_SUPPORTED:
		return "IKEV2_FRAGMENTATION_SUPPORTED";
	case IKE_N_SIGNATURE_HASH_ALGORITHMS:
		return "SIGNATURE_HASH_ALGORITHMS";
	}
	return NULL;
}

struct ike_ts ike_ts_make(uint8_t ip_proto, const struct ip_range *r, uint16_t start_port,
                          uint16_t end_port)
{
	struct ike_ts ts;

	memset(&ts, 0, sizeof(ts));
	ts.type = r->lo.family == IP_FAMILY_V6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
	ts.ip_proto = ip_proto;
	ts.start_port = start_port;
	ts.end_port = end_port;
	memcpy(ts.start_addr, r->lo.b, sizeof(ts.start_addr));
	memcpy(ts.end_addr, r->hi.b, sizeof(ts.end_addr));
	return ts;
}

struct ike_ts ike_ts_ipv4(uint8_t ip_proto, uint32_t start, uint32_t end, uint16_t start_port,
                          uint16_t end_port)
{
	struct ip_range r = {ip_addr_v4(start), ip_addr_v4(end)};

	return ike_ts_make(ip_proto, &r, start_port, end_port);
}

struct ip_range ike_ts_range(const struct ike_ts *ts)
{
	uint8_t family = ts->type == IKE_TS_IPV4_ADDR_RANGE   ? IP_FAMILY_V4
	                 : ts->type == IKE_TS_IPV6_ADDR_RANGE ? IP_FAMILY_V6
	                                                      : IP_FAMILY_NONE;

	if (family == IP_FAMILY_NONE)
		return (struct ip_range){{0}, {0}};
	return (struct ip_range){ip_addr_from_bytes(family, ts->start_addr),
	                         ip_addr_from_bytes(family, ts->end_addr)};
}

static bool known_type(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

/* --- SA payload (RFC 7296 §3.3) -------------------------------------------- */

/* Walk an SA payload body at buffer offset `base`.  With out == NULL only
 * validate (and count proposals into *count). */
static int walk_sa(const uint8_t *body, size_t len, size_t base, struct ike_sa_payload *out,
                   uint8_t *count, struct ike_error *err)
{
	size_t pos = 0;
	unsigned n = 0;
	bool last = false;

	if (len == 0)
		return fail(err, IKE_E_SYNTAX, base, IKE_PL_SA, "SA payload at %zu has no proposal",
		            base);
	while (pos < len) {
		const uint8_t *p = body + pos;
		size_t at = base + pos, plen, tpos, ntrans, k;
		struct ike_proposal *prop = NULL;

		if (last)
			return fail(err, IKE_E_SYNTAX, at, IKE_PL_SA,
			            "SA payload: data after the proposal marked last, at %zu", at);
		if (len - pos < 8)
			return fail(err, IKE_E_TRUNCATED, at, IKE_PL_SA,
			            "SA payload: proposal at %zu needs 8 bytes, %zu left", at,
			            len - pos);
		plen = get_be16(p + 2);
		if (plen < 8 || plen > len - pos)
			return fail(err, IKE_E_LENGTH, at + 2, IKE_PL_SA,
			            "SA payload: proposal at %zu has length %zu (8..%zu allowed)",
			            at, plen, len - pos);
		if (p[0] != 0 && p[0] != 2)
			return fail(
			        err, IKE_E_SYNTAX, at, IKE_PL_SA,
			        "SA payload: proposal at %zu: Last Substruc is %u (0 or 2 allowed)",
			        at, p[0]);
		last = p[0] == 0;
		if (n >= IKE_MAX_PROPOSALS)
			return fail(err, IKE_E_TOO_MANY, at, IKE_PL_SA,
			            "SA payload: more than %d proposals", IKE_MAX_PROPOSALS);
		/* RFC 7296 §3.3.1: numbered 1, 2, ... when several are offered. */
		if (n > 0 && p[4] != n + 1)
			return fail(err, IKE_E_SYNTAX, at + 4, IKE_PL_SA,
			            "SA payload: proposal %u is numbered %u", n + 1, p[4]);
		if (n == 1 && body[4] != 1)
			return fail(
			        err, IKE_E_SYNTAX, base + 4, IKE_PL_SA,
			        "SA payload: the first of several proposals is numbered %u, not 1",
			        body[4]);
		if (p[6] > IKE_SPI_LEN)
			return fail(err, IKE_E_SYNTAX, at + 6, IKE_PL_SA,
			            "SA payload: proposal %u has an SPI of %u bytes (at most 8)",
			            n + 1, p[6]);
		if ((size_t)8 + p[6] > plen)
			return fail(
			        err, IKE_E_LENGTH, at + 6, IKE_PL_SA,
			        "SA payload: proposal %u: SPI of %u bytes exceeds its length %zu",
			        n + 1, p[6], plen);
		ntrans = p[7];
		if (ntrans > IKE_MAX_TRANSFORMS)
			return fail(err, IKE_E_TOO_MANY, at + 7, IKE_PL_SA,
			            "SA payload: proposal %u has %zu transforms (at most %d)",
			            n + 1, ntrans, IKE_MAX_TRANSFORMS);
		if (out) {
			prop = &out->p[n];
			memset(prop, 0, sizeof(*prop));
			prop->num = p[4];
			prop->protocol = p[5];
			prop->spi_size = p[6];
			memcpy(prop->spi, p + 8, p[6]);
			prop->ntransforms = (uint8_t)ntrans;
		}
		tpos = 8 + p[6];
		for (k = 0; k < ntrans; k++) {
			const uint8_t *t = p + tpos;
			size_t tat = at + tpos, tlen, apos;

			if (plen - tpos < 8)
				return fail(
				        err, IKE_E_TRUNCATED, tat, IKE_PL_SA,
				        "SA payload: proposal %u: transform %zu of %zu missing or "
				        "truncated at %zu",
				        n + 1, k + 1, ntrans, tat);
			tlen = get_be16(t + 2);
			if (tlen < 8 || tlen > plen - tpos)
				return fail(err, IKE_E_LENGTH, tat + 2, IKE_PL_SA,
				            "SA payload: proposal %u: transform %zu has length %zu "
				            "(8..%zu allowed)",
				            n + 1, k + 1, tlen, plen - tpos);
			if (t[0] != (k + 1 == ntrans ? 0 : 3))
				return fail(
				        err, IKE_E_SYNTAX, tat, IKE_PL_SA,
				        "SA payload: proposal %u: transform %zu of %zu has Last "
				        "Substruc %u (expected %u)",
				        n + 1, k + 1, ntrans, t[0], k + 1 == ntrans ? 0 : 3);
			if (prop) {
				prop->t[k].type = t[4];
				prop->t[k].id = get_be16(t + 6);
			}
			/* RFC 7296 §3.3.5 attributes */
			for (apos = 8; apos < tlen;) {
				const uint8_t *a = t + apos;
				size_t aat = tat + apos;
				uint16_t atype;

				if (tlen - apos < 4)
					return fail(
					        err, IKE_E_TRUNCATED, aat, IKE_PL_SA,
					        "SA payload: transform attribute at %zu truncated",
					        aat);
				atype = get_be16(a) & 0x7fff;
				if (a[0] & 0x80) { /* TV */
					if (prop && atype == IKE_ATTR_KEY_LENGTH)
						prop->t[k].key_len = get_be16(a + 2);
					else if (prop)
						prop->t[k].unknown_attr = true;
					apos += 4;
				} else { /* TLV */
					size_t alen = get_be16(a + 2);

					if (alen > tlen - apos - 4)
						return fail(
						        err, IKE_E_LENGTH, aat + 2, IKE_PL_SA,
						        "SA payload: attribute at %zu has length "
						        "%zu, %zu bytes left",
						        aat, alen, tlen - apos - 4);
					/* Key Length must be TV (RFC 7296 §3.3.5). */
					if (atype == IKE_ATTR_KEY_LENGTH)
						return fail(err, IKE_E_SYNTAX, aat, IKE_PL_SA,
						            "SA payload: Key Length attribute at "
						            "%zu in "
						            "TLV format",
						            aat);
					if (prop)
						prop->t[k].unknown_attr = true;
					apos += 4 + alen;
				}
			}
			tpos += tlen;
		}
		if (tpos != plen)
			return fail(err, IKE_E_LENGTH, at + 2, IKE_PL_SA,
			            "SA payload: proposal %u has length %zu but its %zu transforms "
			            "end at %zu",
			            n + 1, plen, ntrans, tpos);
		n++;
		pos += plen;
	}
	if (!last)
		return fail(err, IKE_E_SYNTAX, base + len, IKE_PL_SA,
		            "SA payload: the last proposal is not marked last");
	if (out)
		out->nproposals = (uint8_t)n;
	if (count)
		*count = (uint8_t)n;
	return 0;
}

/* --- TS payload (RFC 7296 §3.13) ------------------------------------------- */

static int walk_ts(const uint8_t *body, size_t len, size_t base, uint8_t type,
                   struct ike_ts_payload *out, uint8_t *count, struct ike_error *err)
{
	size_t n, k, pos = 4;

	if (len < 4)
		return fail(err, IKE_E_TRUNCATED, base, type,
		            "%s payload at %zu: %zu bytes, 4 needed for its header",
		            ike_payload_name(type), base, len);
	n = body[0];
	if (n == 0)
		return fail(err, IKE_E_SYNTAX, base, type, "%s payload at %zu has no selector",
		            ike_payload_name(type), base);
	if (n > IKE_MAX_TS)
		return fail(err, IKE_E_TOO_MANY, base, type,
		            "%s payload has %zu selectors (at most %d)", ike_payload_name(type), n,
		            IKE_MAX_TS);
	for (k = 0; k < n; k++) {
		const uint8_t *t = body + pos;
		size_t at = base + pos, tlen, alen;

		if (len - pos < 8)
			return fail(err, IKE_E_TRUNCATED, at, type,
			            "%s payload: selector %zu of %zu missing or truncated at %zu",
			            ike_payload_name(type), k + 1, n, at);
		tlen = get_be16(t + 2);
		if (tlen < 8 || tlen > len - pos)
			return fail(err, IKE_E_LENGTH, at + 2, type,
			            "%s payload: selector %zu has length %zu (8..%zu allowed)",
			            ike_payload_name(type), k + 1, tlen, len - pos);
		alen = t[0] == IKE_TS_IPV4_ADDR_RANGE ? 4 : t[0] == IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
		if (alen && tlen != 8 + 2 * alen)
			return fail(err, IKE_E_LENGTH, at + 2, type,
			            "%s payload: selector %zu of type %u has length %zu, not %zu",
			            ike_payload_name(type), k + 1, t[0], tlen, 8 + 2 * alen);
		if (out) {
			struct ike_ts *ts = &out->ts[k];

			memset(ts, 0, sizeof(*ts));
			ts->type = t[0];
			ts->ip_proto = t[1];
			ts->start_port = get_be16(t + 4);
			ts->end_port = get_be16(t + 6);
			memcpy(ts->start_addr, t + 8, alen);
			memcpy(ts->end_addr, t + 8 + alen, alen);
		}
		pos += tlen;
	}
	if (pos != len)
		return fail(err, IKE_E_LENGTH, base + pos, type,
		            "%s payload: %zu bytes after the last of its %zu selectors",
		            ike_payload_name(type), len - pos, n);
	if (out)
		out->n = (uint8_t)n;
	if (count)
		*count = (uint8_t)n;
	return 0;
}

/* --- CP attributes (RFC 7296 §3.15.1) ---------------------------------------- */

static int walk_cp(const uint8_t *attrs, size_t len, size_t base, uint16_t *count,
                   struct ike_error *err)
{
	size_t pos = 0;
	unsigned n = 0;

	while (pos < len) {
		size_t alen;

		if (len - pos < 4)
			return fail(err, IKE_E_TRUNCATED, base + pos, IKE_PL_CP,
			            "CP payload: attribute at %zu truncated", base + pos);
		alen = get_be16(attrs + pos + 2);
		if (alen > len - pos - 4)
			return fail(err, IKE_E_LENGTH, base + pos + 2, IKE_PL_CP,
			            "CP payload: attribute at %zu has length %zu, %zu bytes left",
			            base + pos, alen, len - pos - 4);
		pos += 4 + alen;
		n++;
	}
	if (n > UINT16_MAX)
		return fail(err, IKE_E_TOO_MANY, base, IKE_PL_CP,
		            "CP payload: too many attributes");
	*count = (uint16_t)n;
	return 0;
}

int ike_cp_next(const struct ike_payload *p, size_t *pos, struct ike_cp_attr *attr)
{
	const uint8_t *a;
	size_t len;

	if (p->type != IKE_PL_CP || p->body_len < 4 || *pos >= p->body_len - 4)
		return 0;
	len = p->body_len - 4 - *pos;
	a = p->body + 4 + *pos;
	if (len < 4 || (size_t)get_be16(a + 2) > len - 4)
		return 0;
	attr->type = get_be16(a) & 0x7fff;
	attr->len = get_be16(a + 2);
	attr->value = a + 4;
	*pos += 4 + (size_t)attr->len;
	return 1;
}

/* --- one payload ------------------------------------------------------------ */

#define NEED(min, what)                                                                            \
	do {                                                                                       \
		if (p->body_len < (min))                                                           \
			return fail(err, IKE_E_LENGTH, at, p->type,                                \
			            "%s payload at %zu: length %zu is shorter than its %s",        \
			            ike_payload_name(p->type), at, p->body_len + IKE_GENERIC_LEN,  \
			            what);                                                         \
	} while (0)

/* Type-specific checks and views; `at` is the offset of the generic header. */
static int parse_body(struct ike_payload *p, size_t at, struct ike_error *err)
{
	const uint8_t *b = p->body;
	size_t base = at + IKE_GENERIC_LEN;

	switch (p->type) {
	case IKE_PL_SA:
		return walk_sa(b, p->body_len, base, NULL, &p->u.sa.nproposals, err);
	case IKE_PL_KE:
		NEED(4, "4-byte fixed part");
		p->u.ke.group = get_be16(b);
		p->u.ke.data = b + 4;
		p->u.ke.len = p->body_len - 4;
		if (p->u.ke.len == 0)
			return fail(err, IKE_E_SYNTAX, at, p->type,
			            "KE payload at %zu carries no key exchange data", at);
		return 0;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		NEED(5, "4-byte fixed part and data");
		p->u.id.type = b[0];
		p->u.id.data = b + 4;
		p->u.id.len = p->body_len - 4;
		return 0;
	case IKE_PL_AUTH:
		NEED(5, "4-byte fixed part and data");
		p->u.auth.method = b[0];
		p->u.auth.data = b + 4;
		p->u.auth.len = p->body_len - 4;
		return 0;
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		NEED(1, "encoding octet");
		p->u.cert.encoding = b[0];
		p->u.cert.data = b + 1;
		p->u.cert.len = p->body_len - 1;
		return 0;
	case IKE_PL_NONCE:
		/* RFC 7296 §3.9: between 128 and 2048 bits. */
		if (p->body_len < IKE_NONCE_MIN || p->body_len > IKE_NONCE_MAX)
			return fail(err, IKE_E_SYNTAX, at, p->type,
			            "Nonce payload at %zu: %zu bytes of nonce (16..256 allowed)",
			            at, p->body_len);
		return 0;
	case IKE_PL_NOTIFY:
		NEED(4, "4-byte fixed part");
		p->u.notify.protocol = b[0];
		p->u.notify.spi_size = b[1];
		p->u.notify.type = get_be16(b + 2);
		if ((size_t)4 + b[1] > p->body_len)
			return fail(err, IKE_E_LENGTH, at, p->type,
			            "N payload at %zu: SPI of %u bytes exceeds its length %zu", at,
			            b[1], p->body_len + IKE_GENERIC_LEN);
		p->u.notify.spi = b + 4;
		p->u.notify.data = b + 4 + b[1];
		p->u.notify.len = p->body_len - 4 - b[1];
		return 0;
	case IKE_PL_DELETE:
		NEED(4, "4-byte fixed part");
		p->u.del.protocol = b[0];
		p->u.del.spi_size = b[1];
		p->u.del.nspi = get_be16(b + 2);
		p->u.del.spis = b + 4;
		if ((size_t)b[1] * p->u.del.nspi != p->body_len - 4)
			return fail(
			        err, IKE_E_LENGTH, at, p->type,
			        "D payload at %zu: %u SPIs of %u bytes need %zu bytes, it has %zu",
			        at, p->u.del.nspi, b[1], (size_t)b[1] * p->u.del.nspi,
			        p->body_len - 4);
		/* RFC 7296 §3.11: IKE SA deletion carries no SPI. */
		if (b[0] == IKE_PROTO_IKE && (b[1] != 0 || p->u.del.nspi != 0))
			return fail(
			        err, IKE_E_SYNTAX, at, p->type,
			        "D payload at %zu: protocol IKE must have SPI size 0 and no SPIs",
			        at);
		if ((b[0] == IKE_PROTO_ESP || b[0] == IKE_PROTO_AH) && b[1] != 4)
			return fail(err, IKE_E_SYNTAX, at, p->type,
			            "D payload at %zu: ESP/AH SPIs are 4 bytes, not %u", at, b[1]);
		return 0;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return walk_ts(b, p->body_len, base, p->type, NULL, &p->u.ts.n, err);
	case IKE_PL_SK:
		p->u.sk.data = b;
		p->u.sk.len = p->body_len;
		return 0;
	case IKE_PL_SKF:
		/* RFC 7383 §2.5: Fragment Number, Total Fragments, then as SK. */
		NEED(4, "4-byte fixed part");
		p->u.sk.frag_number = get_be16(b);
		p->u.sk.frag_total = get_be16(b + 2);
		p->u.sk.data = b + 4;
		p->u.sk.len = p->body_len - 4;
		return 0;
	case IKE_PL_CP:
		NEED(4, "4-byte fixed part");
		p->u.cp.type = b[0];
		return walk_cp(b + 4, p->body_len - 4, base + 4, &p->u.cp.nattrs, err);
	default: /* V, EAP, unknown: body only */
		return 0;
	}
}

/* Walk a payload chain that must fill buf[start, end) exactly. */
static int walk_chain(struct ike_msg *m, uint8_t first, const uint8_t *buf, size_t start,
                      size_t end, bool inner, struct ike_error *err)
{
	uint8_t type = first;
	size_t pos = start;

	while (type != IKE_PL_NONE) {
		struct ike_payload *p;
		size_t plen;
		uint8_t next;

		if (end - pos < IKE_GENERIC_LEN)
			return fail(err, IKE_E_TRUNCATED, pos, type,
			            "%s payload expected at %zu, but only %zu bytes are left",
			            ike_payload_name(type), pos, end - pos);
		plen = get_be16(buf + pos + 2);
		if (plen < IKE_GENERIC_LEN)
			return fail(err, IKE_E_LENGTH, pos + 2, type,
			            "%s payload at %zu has length %zu (at least 4)",
			            ike_payload_name(type), pos, plen);
		if (plen > end - pos)
			return fail(err, IKE_E_TRUNCATED, pos + 2, type,
			            "%s payload at %zu has length %zu, but only %zu bytes are left",
			            ike_payload_name(type), pos, plen, end - pos);
		if (m->npayloads >= IKE_MAX_PAYLOADS)
			return fail(err, IKE_E_TOO_MANY, pos, type,
			            "more than %d payloads in one message", IKE_MAX_PAYLOADS);
		next = buf[pos];
		p = &m->p[m->npayloads];
		memset(p, 0, sizeof(*p));
		p->type = type;
		p->critical = buf[pos + 1] & 0x80;
		p->known = known_type(type);
		p->inner = inner;
		p->offset = pos;
		p->body = buf + pos + IKE_GENERIC_LEN;
		p->body_len = plen - IKE_GENERIC_LEN;
		/* RFC 7296 §2.5: an unknown payload with the critical bit set
		 * makes the whole message unacceptable.  The bit is ignored for
		 * the types this document defines (§3.2). */
		if (!p->known && p->critical)
			return fail(err, IKE_E_CRITICAL, pos, type,
			            "payload of unknown type %u at %zu is marked critical", type,
			            pos);
		if (p->known && parse_body(p, pos, err) < 0)
			return -1;
		m->npayloads++;
		if (type == IKE_PL_SK || type == IKE_PL_SKF) {
			/* RFC 7296 §3.14: the SK payload is the last one; its Next
			 * Payload is the type of the first inner payload.  RFC
			 * 7383 §2.5: so is the SKF payload. */
			if (inner)
				return fail(err, IKE_E_SYNTAX, pos, type,
				            "%s payload at %zu inside an SK payload",
				            ike_payload_name(type), pos);
			p->u.sk.first_inner = next;
			m->sk_index = (int)(m->npayloads - 1);
			if (pos + plen != end)
				return fail(err, IKE_E_SYNTAX, pos + plen, type,
				            "%zu bytes follow the %s payload, which must be last",
				            end - pos - plen, ike_payload_name(type));
			return 0;
		}
		pos += plen;
		type = next;
	}
	if (pos != end)
		return fail(err, IKE_E_LENGTH, pos, IKE_PL_NONE,
		            "%zu bytes after the last payload (chain ends at %zu, data at %zu)",
		            end - pos, pos, end);
	return 0;
}

int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len, struct ike_error *err)
{
	memset(m, 0, offsetof(struct ike_msg, p));
	m->sk_index = -1;
	if (err)
		memset(err, 0, sizeof(*err));
	if (len < IKE_HDR_LEN)
		return fail(err, IKE_E_TRUNCATED, 0, 0,
		            "message of %zu bytes is shorter than the 28-byte IKE header", len);
	m->raw = buf;
	memcpy(m->spi_i, buf, IKE_SPI_LEN);
	memcpy(m->spi_r, buf + 8, IKE_SPI_LEN);
	m->next_payload = buf[16];
	m->major = buf[17] >> 4;
	m->minor = buf[17] & 0x0f;
	m->exchange = buf[18];
	m->flags = buf[19];
	m->message_id = get_be32(buf + 20);
	m->length = get_be32(buf + 24);
	/* RFC 7296 §2.5: a higher major version is answered with
	 * INVALID_MAJOR_VERSION; minor versions are ignored. */
	if (m->major != IKE_MAJOR_VERSION)
		return fail(err, IKE_E_MAJOR_VERSION, 17, 0,
		            "major version %u, only 2 is supported", m->major);
	if (m->length < IKE_HDR_LEN)
		return fail(err, IKE_E_LENGTH, 24, 0, "header Length %u is shorter than the header",
		            m->length);
	if (m->length != len)
		return fail(err, m->length > len ? IKE_E_TRUNCATED : IKE_E_LENGTH, 24, 0,
		            "header Length is %u but the datagram has %zu bytes", m->length, len);
	m->len = len;
	return walk_chain(m, m->next_payload, buf, IKE_HDR_LEN, len, false, err);
}

int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *buf, size_t len,
                        struct ike_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	return walk_chain(m, first, buf, 0, len, true, err);
}

const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
                                       const struct ike_payload *after)
{
	size_t i = after ? (size_t)(after - m->p) + 1 : 0;

	for (; i < m->npayloads; i++)
		if (m->p[i].type == type)
			return &m->p[i];
	return NULL;
}

const struct ike_payload *ike_msg_find_notify(const struct ike_msg *m, uint16_t notify_type)
{
	const struct ike_payload *p = NULL;

	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, p)))
		if (p->u.notify.type == notify_type)
			return p;
	return NULL;
}

int ike_sa_decode(const struct ike_payload *p, struct ike_sa_payload *out, struct ike_error *err)
{
	if (p->type != IKE_PL_SA)
		return fail(err, IKE_E_STATE, p->offset, p->type, "%s payload is not an SA payload",
		            ike_payload_name(p->type));
	return walk_sa(p->body, p->body_len, p->offset + IKE_GENERIC_LEN, out, NULL, err);
}

int ike_ts_decode(const struct ike_payload *p, struct ike_ts_payload *out, struct ike_error *err)
{
	if (p->type != IKE_PL_TSI && p->type != IKE_PL_TSR)
		return fail(err, IKE_E_STATE, p->offset, p->type, "%s payload is not a TS payload",
		            ike_payload_name(p->type));
	return walk_ts(p->body, p->body_len, p->offset + IKE_GENERIC_LEN, p->type, out, NULL, err);
}
