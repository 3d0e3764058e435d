/* IKEv2 proposals: negotiation (RFC 7296 §2.7, §3.3) with a diagnostic,
 * and the mapping of the choice to suites and engine SAs.  The strongSwan
 * syntax (names, parsing, formatting) is in ike_proposal_syntax.c. */
#include "ike_proposal.h"

#include "crypto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* In the normalised per-type lists below, a type absent from a proposal
 * is the transform with type 0 (no wire transform has it: proposals with
 * type-0 transforms are never chosen); INTEG NONE and DH NONE are
 * normalised to it. */
static bool is_absent(const struct ike_transform *t)
{
	return t->type == 0;
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
			    ike_protocol_name(d->protocol), ike_protocol_name(d->other_protocol));
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
		    first ? "" : "; ", d->nunknown, ike_protocol_name(d->protocol),
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
		         r->num, ike_protocol_name(r->protocol));
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
		         ike_protocol_name(p->protocol));
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
		         ike_protocol_name(p->protocol));
		return -1;
	}
	c->enc_key_len = enc_transform(c->enc)->key_len + enc_transform(c->enc)->salt_len;
	c->integ_key_len = integ_transform(c->integ)->key_len;
	return 0;
}
