/* IKEv2 message builder (RFC 7296 §3) over a caller's buffer. */
#include "ike_msg.h"

#include "ipv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { B_OPEN, B_SK_OPEN, B_SK_CLOSED, B_DONE };

static int bfail(struct ike_builder *b, enum ike_status code, const char *fmt, ...)
{
	va_list ap;

	if (b->err.code != IKE_OK)
		return -1; /* keep the first error */
	b->err.code = code;
	b->err.offset = b->len;
	va_start(ap, fmt);
	vsnprintf(b->err.reason, sizeof(b->err.reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* Room for n more bytes? */
static int room(struct ike_builder *b, size_t n, const char *what)
{
	if (b->err.code != IKE_OK)
		return -1;
	if (n > b->cap - b->len)
		return bfail(b, IKE_E_NOSPACE, "%s needs %zu bytes at %zu, buffer holds %zu", what,
		             n, b->len, b->cap);
	return 0;
}

static void put(struct ike_builder *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put8(struct ike_builder *b, uint8_t v)
{
	b->buf[b->len++] = v;
}

static void put16(struct ike_builder *b, uint16_t v)
{
	put_be16(b->buf + b->len, v);
	b->len += 2;
}

void ike_builder_init(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_header *h)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->chain = 16; /* the header's Next Payload */
	if (room(b, IKE_HDR_LEN, "IKE header") < 0)
		return;
	put(b, h->spi_i, IKE_SPI_LEN);
	put(b, h->spi_r, IKE_SPI_LEN);
	put8(b, IKE_PL_NONE);
	put8(b, IKE_MAJOR_VERSION << 4 | IKE_MINOR_VERSION);
	put8(b, h->exchange);
	put8(b, h->flags);
	put_be32(b->buf + b->len, h->message_id);
	b->len += 4;
	put_be32(b->buf + b->len, 0); /* Length, written by ike_builder_finish */
	b->len += 4;
}

/* Start a payload of `type` with a body of body_len bytes: check room, link
 * it into the chain and write the generic header.  Returns the offset of
 * the generic header, or (size_t)-1. */
static size_t begin(struct ike_builder *b, uint8_t type, bool critical, size_t body_len)
{
	size_t at = b->len;

	if (b->err.code != IKE_OK)
		return (size_t)-1;
	if (b->state != B_OPEN && b->state != B_SK_OPEN) {
		bfail(b, IKE_E_STATE, "%s payload added after the %s", ike_payload_name(type),
		      b->state == B_DONE ? "message was finished" : "SK payload was closed");
		return (size_t)-1;
	}
	if (body_len > UINT16_MAX - IKE_GENERIC_LEN) {
		bfail(b, IKE_E_LENGTH, "%s payload body of %zu bytes exceeds 65531",
		      ike_payload_name(type), body_len);
		return (size_t)-1;
	}
	if (room(b, IKE_GENERIC_LEN + body_len, ike_payload_name(type)) < 0)
		return (size_t)-1;
	b->buf[b->chain] = type;
	b->chain = at;
	put8(b, IKE_PL_NONE);
	put8(b, critical ? 0x80 : 0);
	put16(b, (uint16_t)(IKE_GENERIC_LEN + body_len));
	return at;
}

int ike_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body, size_t len)
{
	if (begin(b, type, critical, len) == (size_t)-1)
		return -1;
	put(b, body, len);
	return 0;
}

static size_t transform_len(const struct ike_transform *t)
{
	return 8 + (t->key_len ? 4 : 0);
}

int ike_add_sa(struct ike_builder *b, const struct ike_proposal *props, size_t n)
{
	size_t body = 0, i, k;

	if (n == 0 || n > IKE_MAX_PROPOSALS)
		return bfail(b, IKE_E_SYNTAX, "SA payload with %zu proposals (1..%d)", n,
		             IKE_MAX_PROPOSALS);
	for (i = 0; i < n; i++) {
		if (props[i].spi_size > IKE_SPI_LEN || props[i].ntransforms > IKE_MAX_TRANSFORMS)
			return bfail(b, IKE_E_SYNTAX, "SA payload: proposal %zu is malformed",
			             i + 1);
		body += 8 + props[i].spi_size;
		for (k = 0; k < props[i].ntransforms; k++)
			body += transform_len(&props[i].t[k]);
	}
	if (begin(b, IKE_PL_SA, false, body) == (size_t)-1)
		return -1;
	for (i = 0; i < n; i++) {
		const struct ike_proposal *p = &props[i];
		size_t plen = 8 + p->spi_size;

		for (k = 0; k < p->ntransforms; k++)
			plen += transform_len(&p->t[k]);
		if (plen > UINT16_MAX)
			return bfail(b, IKE_E_LENGTH, "SA payload: proposal %zu too long", i + 1);
		/* RFC 7296 §3.3.1 */
		put8(b, i + 1 == n ? 0 : 2);
		put8(b, 0);
		put16(b, (uint16_t)plen);
		put8(b, p->num ? p->num : (uint8_t)(i + 1));
		put8(b, p->protocol);
		put8(b, p->spi_size);
		put8(b, p->ntransforms);
		put(b, p->spi, p->spi_size);
		for (k = 0; k < p->ntransforms; k++) {
			const struct ike_transform *t = &p->t[k];

			/* RFC 7296 §3.3.2 */
			put8(b, k + 1 == p->ntransforms ? 0 : 3);
			put8(b, 0);
			put16(b, (uint16_t)transform_len(t));
			put8(b, t->type);
			put8(b, 0);
			put16(b, t->id);
			if (t->key_len) { /* §3.3.5, TV format */
				put16(b, 0x8000 | IKE_ATTR_KEY_LENGTH);
				put16(b, t->key_len);
			}
		}
	}
	return 0;
}

int ike_add_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	if (begin(b, IKE_PL_KE, false, 4 + len) == (size_t)-1)
		return -1;
	put16(b, group);
	put16(b, 0);
	put(b, data, len);
	return 0;
}

int ike_add_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len)
{
	if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
		return bfail(b, IKE_E_SYNTAX, "nonce of %zu bytes (RFC 7296 §3.9: 16..256)", len);
	return ike_add_raw(b, IKE_PL_NONCE, false, nonce, len);
}

/* The payloads with a one-octet type, three reserved octets and data. */
static int add_typed(struct ike_builder *b, uint8_t ptype, uint8_t first, const uint8_t *data,
                     size_t len)
{
	if (begin(b, ptype, false, 4 + len) == (size_t)-1)
		return -1;
	put8(b, first);
	put8(b, 0);
	put16(b, 0);
	put(b, data, len);
	return 0;
}

int ike_add_id(struct ike_builder *b, uint8_t type, uint8_t id_type, const uint8_t *data,
               size_t len)
{
	if (type != IKE_PL_IDI && type != IKE_PL_IDR)
		return bfail(b, IKE_E_STATE, "ike_add_id with payload type %u", type);
	return add_typed(b, type, id_type, data, len);
}

int ike_add_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	return add_typed(b, IKE_PL_AUTH, method, data, len);
}

static int add_cert(struct ike_builder *b, uint8_t type, uint8_t encoding, const uint8_t *data,
                    size_t len)
{
	if (begin(b, type, false, 1 + len) == (size_t)-1)
		return -1;
	put8(b, encoding);
	put(b, data, len);
	return 0;
}

int ike_add_cert(struct ike_builder *b, uint8_t encoding, const uint8_t *data, size_t len)
{
	return add_cert(b, IKE_PL_CERT, encoding, data, len);
}

int ike_add_certreq(struct ike_builder *b, uint8_t encoding, const uint8_t *data, size_t len)
{
	return add_cert(b, IKE_PL_CERTREQ, encoding, data, len);
}

int ike_add_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, size_t spi_len,
                   uint16_t type, const uint8_t *data, size_t len)
{
	if (spi_len > UINT8_MAX)
		return bfail(b, IKE_E_SYNTAX, "notify SPI of %zu bytes", spi_len);
	if (begin(b, IKE_PL_NOTIFY, false, 4 + spi_len + len) == (size_t)-1)
		return -1;
	put8(b, protocol);
	put8(b, (uint8_t)spi_len);
	put16(b, type);
	put(b, spi, spi_len);
	put(b, data, len);
	return 0;
}

int ike_add_delete(struct ike_builder *b, uint8_t protocol, uint8_t spi_size, const uint8_t *spis,
                   uint16_t nspi)
{
	if (begin(b, IKE_PL_DELETE, false, 4 + (size_t)spi_size * nspi) == (size_t)-1)
		return -1;
	put8(b, protocol);
	put8(b, spi_size);
	put16(b, nspi);
	put(b, spis, (size_t)spi_size * nspi);
	return 0;
}

int ike_add_ts(struct ike_builder *b, uint8_t type, const struct ike_ts *ts, size_t n)
{
	size_t body = 4, i;

	if (type != IKE_PL_TSI && type != IKE_PL_TSR)
		return bfail(b, IKE_E_STATE, "ike_add_ts with payload type %u", type);
	if (n == 0 || n > IKE_MAX_TS)
		return bfail(b, IKE_E_SYNTAX, "%s payload with %zu selectors (1..%d)",
		             ike_payload_name(type), n, IKE_MAX_TS);
	for (i = 0; i < n; i++) {
		if (ts[i].type != IKE_TS_IPV4_ADDR_RANGE && ts[i].type != IKE_TS_IPV6_ADDR_RANGE)
			return bfail(b, IKE_E_SYNTAX, "traffic selector type %u cannot be built",
			             ts[i].type);
		body += ts[i].type == IKE_TS_IPV4_ADDR_RANGE ? 16 : 40;
	}
	if (begin(b, type, false, body) == (size_t)-1)
		return -1;
	put8(b, (uint8_t)n);
	put8(b, 0);
	put16(b, 0);
	for (i = 0; i < n; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

		put8(b, ts[i].type);
		put8(b, ts[i].ip_proto);
		put16(b, (uint16_t)(8 + 2 * alen));
		put16(b, ts[i].start_port);
		put16(b, ts[i].end_port);
		put(b, ts[i].start_addr, alen);
		put(b, ts[i].end_addr, alen);
	}
	return 0;
}

int ike_add_vendor(struct ike_builder *b, const uint8_t *data, size_t len)
{
	return ike_add_raw(b, IKE_PL_VENDOR, false, data, len);
}

int ike_add_eap(struct ike_builder *b, const uint8_t *data, size_t len)
{
	return ike_add_raw(b, IKE_PL_EAP, false, data, len);
}

int ike_add_cp(struct ike_builder *b, uint8_t cfg_type, const struct ike_cp_attr *attrs, size_t n)
{
	size_t body = 4, i;

	for (i = 0; i < n; i++)
		body += 4 + (size_t)attrs[i].len;
	if (begin(b, IKE_PL_CP, false, body) == (size_t)-1)
		return -1;
	put8(b, cfg_type);
	put8(b, 0);
	put16(b, 0);
	for (i = 0; i < n; i++) {
		put16(b, attrs[i].type & 0x7fff);
		put16(b, attrs[i].len);
		put(b, attrs[i].value, attrs[i].len);
	}
	return 0;
}

/* Open an encrypted payload of `type`: its generic header, fixed_len bytes
 * of `fixed` (SKF: Fragment Number and Total Fragments, RFC 7383 §2.5; SK:
 * none, RFC 7296 §3.14) and iv_len bytes reserved for the IV.  Its inner
 * payloads follow until ike_sk_end(). */
static int sk_open(struct ike_builder *b, uint8_t type, const uint8_t *fixed, size_t fixed_len,
                   size_t iv_len)
{
	size_t at;

	if (b->err.code == IKE_OK && b->state != B_OPEN)
		return bfail(b, IKE_E_STATE, "a message has at most one SK or SKF payload");
	at = begin(b, type, false, 0);
	if (at == (size_t)-1 || room(b, fixed_len + iv_len, ike_payload_name(type)) < 0)
		return -1;
	put(b, fixed, fixed_len);
	memset(b->buf + b->len, 0, iv_len);
	b->len += iv_len;
	b->sk = at;
	b->sk_fixed = fixed_len;
	b->sk_iv = iv_len;
	b->state = B_SK_OPEN;
	return 0;
}

int ike_sk_begin(struct ike_builder *b, size_t iv_len)
{
	return sk_open(b, IKE_PL_SK, NULL, 0, iv_len);
}

int ike_skf_begin(struct ike_builder *b, size_t iv_len, uint16_t number, uint16_t total,
                  uint8_t first_inner)
{
	uint8_t fixed[4];

	put_be16(fixed, number);
	put_be16(fixed + 2, total);
	if (sk_open(b, IKE_PL_SKF, fixed, sizeof(fixed), iv_len) < 0)
		return -1;
	/* RFC 7383 §2.5: the SKF payload's own Next Payload, not a chain. */
	b->buf[b->sk] = first_inner;
	return 0;
}

int ike_sk_put(struct ike_builder *b, const uint8_t *data, size_t len)
{
	if (b->err.code == IKE_OK && b->state != B_SK_OPEN)
		return bfail(b, IKE_E_STATE, "ike_sk_put outside an open SK payload");
	if (room(b, len, "SK plaintext") < 0)
		return -1;
	put(b, data, len);
	return 0;
}

int ike_sk_end(struct ike_builder *b, size_t block_size, size_t icv_len,
               struct ike_sk_layout *layout)
{
	size_t plain, inner, pad, total;

	if (b->err.code != IKE_OK)
		return -1;
	if (b->state != B_SK_OPEN)
		return bfail(b, IKE_E_STATE, "ike_sk_end without ike_sk_begin");
	if (block_size == 0 || block_size > 255)
		return bfail(b, IKE_E_STATE, "SK block size %zu", block_size);
	plain = b->sk + IKE_GENERIC_LEN + b->sk_fixed + b->sk_iv;
	inner = b->len - plain;
	/* RFC 7296 §3.14: Padding || Pad Length complete the cipher's block. */
	pad = (block_size - (inner + 1) % block_size) % block_size;
	if (room(b, pad + 1 + icv_len, "SK padding and ICV") < 0)
		return -1;
	memset(b->buf + b->len, 0, pad);
	b->len += pad;
	put8(b, (uint8_t)pad);
	memset(b->buf + b->len, 0, icv_len);
	b->len += icv_len;
	total = b->len - b->sk;
	if (total > UINT16_MAX)
		return bfail(b, IKE_E_LENGTH, "SK payload of %zu bytes exceeds 65535", total);
	put_be16(b->buf + b->sk + 2, (uint16_t)total);
	put_be32(b->buf + 24, (uint32_t)b->len);
	b->state = B_SK_CLOSED;
	layout->sk = b->sk;
	layout->iv = b->sk + IKE_GENERIC_LEN + b->sk_fixed;
	layout->iv_len = b->sk_iv;
	layout->plain = plain;
	layout->plain_len = inner + pad + 1;
	layout->icv = b->len - icv_len;
	layout->icv_len = icv_len;
	return 0;
}

int ike_builder_finish(struct ike_builder *b, size_t *len)
{
	if (b->err.code != IKE_OK)
		return -1;
	if (b->state == B_SK_OPEN)
		return bfail(b, IKE_E_STATE, "SK payload still open (call ike_sk_end)");
	if (b->len > UINT32_MAX)
		return bfail(b, IKE_E_LENGTH, "message too long");
	put_be32(b->buf + 24, (uint32_t)b->len);
	b->state = B_DONE;
	*len = b->len;
	return 0;
}
