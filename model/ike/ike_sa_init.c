/* IKE_SA_INIT (RFC 7296 §1.2):
 *
 *   Initiator                         Responder
 *   HDR, SA, KEi, Ni,
 *        N(NAT_DETECTION_*)  -->
 *                                <--  HDR, SA, KEr, Nr, N(NAT_DETECTION_*)
 *
 * with the stateless detours of §2.6 (the responder under a half-open flood
 * answers N(COOKIE) and the initiator repeats its request with the cookie
 * in front) and §1.3/§2.7 (the responder wants another DH group: it answers
 * N(INVALID_KE_PAYLOAD) naming it, the initiator repeats with a KE of that
 * group), the negotiation of the IKE SA's proposal (§2.7, with a diagnostic
 * when nothing matches), the nonces (§2.10) and NAT detection (§2.23).
 * Connections with public-key authentication add N(SIGNATURE_HASH_ALGORITHMS)
 * (RFC 7427 §4) and, in the response, CERTREQ (§3.7): ike_auth_init_*().
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IKE_DETOURS_MAX 3 /* cookie or INVALID_KE round trips we follow */

static int keep_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	uint8_t *p = realloc(*dst, len);

	if (!p)
		return -1;
	memcpy(p, src, len);
	*dst = p;
	*dst_len = len;
	return 0;
}

/* --- initiator ------------------------------------------------------------------- */

int ike_sa_init_build(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t cap, size_t *len)
{
	struct ike_conn *c = ike_sa_conn(ike, sa);
	struct ike_header h = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR};
	struct ike_builder b;
	const uint8_t zero[IKE_SPI_LEN] = {0};
	const uint8_t *ke;
	size_t ke_len;

	if (!sa->dh) {
		/* §1.2: KEi for the first DH group of the preferred proposal. */
		const struct ike_transform *g = ike_proposal_get(&c->ike_props.p[0], IKE_TT_DH);

		sa->dh = ike_dh_for(ike, g ? g->id : IKE_DH_CURVE25519);
		if (!sa->dh)
			return -1;
	}
	if (!sa->ni_len) {
		/* §2.10: at least half the PRF's key size and 128 bits. */
		sa->ni_len = IKE_NONCE_LEN;
		ike_random(ike, sa->ni, sa->ni_len);
	}
	ke = ike_dh_public(sa->dh, &ke_len);
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	ike_builder_init(&b, buf, cap, &h);
	/* §2.6: the cookie goes first, everything else unchanged. */
	if (sa->cookie_len)
		ike_add_notify(&b, 0, NULL, 0, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	ike_add_sa(&b, c->ike_props.p, c->ike_props.n);
	ike_add_ke(&b, ike_dh_group(sa->dh), ke, ke_len);
	ike_add_nonce(&b, sa->ni, sa->ni_len);
	ike_natt_add_notifies(ike, sa, &b, zero);
	ike_auth_init_payloads(ike, sa, &b, false);
	ike_frag_add_supported(ike, sa, &b, false);
	if (ike_builder_finish(&b, len) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "IKE_SA_INIT: %s", b.err.reason);
		return -1;
	}
	/* §2.15: AUTH signs the request that was answered, i.e. the last. */
	if (keep_copy(&sa->init_req, &sa->init_req_len, buf, *len) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "out of memory");
		return -1;
	}
	return 0;
}

static bool offered_group(const struct ike_conn *c, uint16_t group)
{
	for (size_t i = 0; i < c->ike_props.n; i++)
		for (size_t j = 0; j < c->ike_props.p[i].ntransforms; j++)
			if (c->ike_props.p[i].t[j].type == IKE_TT_DH &&
			    c->ike_props.p[i].t[j].id == group)
				return true;
	return false;
}

/* The response is a notification only: COOKIE, INVALID_KE_PAYLOAD or an
 * error.  true if it was handled as one. */
static bool init_notify(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_conn *c = ike_sa_conn(ike, sa);
	const struct ike_payload *n;
	char offer[600], a[IP_ADDR_STRLEN];

	n = ike_msg_find_notify(m, IKE_N_COOKIE);
	if (n) {
		/* §2.6 */
		if (n->u.notify.len == 0 || n->u.notify.len > IKE_COOKIE_MAX ||
		    ++sa->cookie_retries > IKE_DETOURS_MAX) {
			ike->st.dropped_other++;
			return true;
		}
		memcpy(sa->cookie, n->u.notify.data, n->u.notify.len);
		sa->cookie_len = n->u.notify.len;
		ike_x_restart(ike, sa);
		return true;
	}
	n = ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	if (n) {
		/* §1.3, §2.7: retry with the group the responder wants, if we
		 * offered it (else this is not a genuine answer). */
		uint16_t group = n->u.notify.len == 2 ? get_be16(n->u.notify.data) : 0, sent;
		char tmp[32];

		if (!group || !offered_group(c, group) || group == ike_dh_group(sa->dh) ||
		    ++sa->ke_retries > IKE_DETOURS_MAX) {
			ike->st.dropped_other++;
			return true;
		}
		sent = ike_dh_group(sa->dh);
		ike_dh_free(sa->dh);
		sa->dh = ike_dh_for(ike, group);
		if (!sa->dh) {
			ike_x_complete(ike, sa, true);
			ike_failure(ike, sa, NULL, "INVALID_KE_PAYLOAD asks for %s: %s",
			            ike_transform_name(IKE_TT_DH, group, 0, tmp, sizeof(tmp)),
			            ike->diag);
			ike_sa_end(ike, sa, IKE_STATE_FAILED, "invalid ke", IKE_END_CLEAR);
			return true;
		}
		ike_ke_retry(ike, sa, NULL, IKE_SA_INIT, sent, group);
		ike_x_restart(ike, sa);
		return true;
	}
	for (size_t i = 0; i < m->npayloads; i++) {
		const struct ike_payload *p = &m->p[i];
		const char *name;

		if (p->type != IKE_PL_NOTIFY || p->u.notify.type >= 16384)
			continue;
		/* §2.21.1: an error notification ends the attempt. */
		name = ike_notify_name(p->u.notify.type);
		ike_proposals_format(c->ike_props.p, c->ike_props.n, offer, sizeof(offer));
		ike_x_complete(ike, sa, true);
		ike_failure(ike, sa, NULL,
		            "initiator: responder %s answered IKE_SA_INIT with %s; we offered "
		            "IKE proposals [%s]",
		            ip_addr_str(&sa->remote_addr, a), name ? name : "an error notify",
		            offer);
		ike_sa_end(ike, sa, IKE_STATE_FAILED,
		           p->u.notify.type == IKE_N_NO_PROPOSAL_CHOSEN ? "no proposal chosen"
		                                                        : "peer error",
		           IKE_END_CLEAR);
		return true;
	}
	return false;
}

static void init_fail(struct ike *ike, struct ike_sa *sa, const char *reason)
{
	ike_x_complete(ike, sa, true);
	ike_failure(ike, sa, NULL, "initiator: IKE_SA_INIT response: %s", ike->diag);
	ike_sa_end(ike, sa, IKE_STATE_FAILED, reason, IKE_END_CLEAR);
}

void ike_sa_init_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                          const uint8_t *raw, size_t len, struct ip_addr src, uint16_t sport,
                          struct ip_addr dst, uint16_t dport)
{
	struct ike_conn *c = ike_sa_conn(ike, sa);
	const struct ike_payload *sap, *ke, *nr;
	uint8_t g_ir[IKE_DH_MAX_SECRET];
	size_t g_len;
	const uint8_t zero[IKE_SPI_LEN] = {0};

	if (!ip_addr_eq(&src, &sa->remote_addr) || sport != sa->remote_port) {
		ike->st.dropped_other++; /* not from where we sent it */
		return;
	}
	if (init_notify(ike, sa, m))
		return;
	sap = ike_msg_find(m, IKE_PL_SA, NULL);
	ke = ike_msg_find(m, IKE_PL_KE, NULL);
	nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (!sap || !ke || !nr || !memcmp(m->spi_r, zero, IKE_SPI_LEN) ||
	    nr->body_len < IKE_NONCE_MIN || nr->body_len > IKE_NONCE_MAX) {
		ike->st.dropped_malformed++; /* a forgery, or broken: keep waiting */
		return;
	}
	if (ike_sa_decode(sap, &ike->sap, NULL) < 0 || ike->sap.nproposals != 1) {
		snprintf(ike->diag, sizeof(ike->diag), "the SA payload must hold one proposal");
		init_fail(ike, sa, "invalid proposal");
		return;
	}
	/* §3.3.6: the responder's choice must be one of ours. */
	if (ike_proposal_check_response(c->ike_props.p, c->ike_props.n, &ike->sap.p[0], 0,
	                                ike->diag, sizeof(ike->diag)) < 0 ||
	    ike_proposal_to_suite(&ike->sap.p[0], &sa->suite, ike->diag, sizeof(ike->diag)) < 0) {
		init_fail(ike, sa, "invalid proposal");
		return;
	}
	/* §1.2: the responder's KE is of the group it chose, which must be the
	 * group of our KE (else it answers INVALID_KE_PAYLOAD, §1.3). */
	if (ke->u.ke.group != sa->suite.dh || ke->u.ke.group != ike_dh_group(sa->dh)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "the responder chose group %u and sent a KE payload of group %u; ours "
		         "was of group %u",
		         sa->suite.dh, ke->u.ke.group, ike_dh_group(sa->dh));
		init_fail(ike, sa, "invalid ke");
		return;
	}
	if (ike_dh_derive(sa->dh, ke->u.ke.data, ke->u.ke.len, g_ir, sizeof(g_ir), &g_len,
	                  ike->diag, sizeof(ike->diag)) < 0) {
		init_fail(ike, sa, "invalid ke");
		return;
	}
	sa->chosen = ike->sap.p[0];
	ike_auth_init_received(sa, m);
	ike_frag_init_received(sa, m);
	memcpy(sa->spi_r, m->spi_r, IKE_SPI_LEN);
	memcpy(sa->nr, nr->body, nr->body_len);
	sa->nr_len = nr->body_len;
	if (keep_copy(&sa->init_resp, &sa->init_resp_len, raw, len) < 0 ||
	    ike_sa_derive_keys(ike, sa, NULL, g_ir, g_len) < 0) {
		OPENSSL_cleanse(g_ir, sizeof(g_ir));
		init_fail(ike, sa, "internal error");
		return;
	}
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	ike_natt_detect(ike, sa, m, sa->spi_r, src, sport, dst, dport);
	ike_natt_float(ike, sa);
	ike_x_complete(ike, sa, true);
	sa->phase = IKE_PHASE_AUTH_SENT;
	ike_x_queue(ike, sa, IKE_TASK_AUTH, 0);
}

/* --- responder ------------------------------------------------------------------- */

/* §2.6: Cookie = Hash(Ni | IPi | SPIi | <secret>), SHA-256; the secret is
 * drawn once per node (no versioning: it is never rotated). */
static void cookie_of(const struct ike *ike, const struct ike_payload *ni, struct ip_addr ip,
                      const uint8_t *spi_i, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 32;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, ni->body, ni->body_len) ||
	    !EVP_DigestUpdate(ctx, ip.b, ip_family_len(ip.family)) ||
	    !EVP_DigestUpdate(ctx, spi_i, IKE_SPI_LEN) ||
	    !EVP_DigestUpdate(ctx, ike->cookie_secret, sizeof(ike->cookie_secret)) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

static unsigned half_open(const struct ike *ike)
{
	unsigned n = 0;

	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		n += sa->counted_half_open;
	return n;
}

/* The connection for a request to dst from src: a configured remote
 * address beats "any". */
static long find_conn(const struct ike *ike, struct ip_addr dst, struct ip_addr src)
{
	long any = -1;

	for (size_t i = 0; i < ike->nconns; i++) {
		const struct ike_conn_config *c = &ike->conns[i].cfg;

		if (!ip_addr_eq(&c->local_addr, &dst))
			continue;
		if (ip_addr_eq(&c->remote_addr, &src))
			return (long)i;
		if (!ip_addr_is_set(&c->remote_addr) && any < 0)
			any = (long)i;
	}
	return any;
}

/* What the responder does with an IKE_SA_INIT request, decided before any
 * state is created or any key exchange is computed. */
enum init_verdict {
	INIT_NEW,         /* create a half-open IKE SA: computes the DH */
	INIT_BAD_SPI,     /* SPIr or message ID not zero: dropped */
	INIT_RETRANSMIT,  /* §2.1: a request we already answered */
	INIT_REPLAY,      /* same SPIi from the same place, another request */
	INIT_MALFORMED,   /* SA, KE or Ni missing or a bad nonce: INVALID_SYNTAX */
	INIT_NO_CONN,     /* no connection: NO_PROPOSAL_CHOSEN */
	INIT_COOKIE,      /* §2.6: demand a COOKIE */
	INIT_NO_PROPOSAL, /* §2.7: nothing acceptable: NO_PROPOSAL_CHOSEN */
	INIT_INVALID_KE,  /* §1.3: another DH group: INVALID_KE_PAYLOAD */
};

struct init_screen {
	struct ike_sa *sa; /* INIT_RETRANSMIT, INIT_REPLAY */
	const struct ike_payload *sap, *ke, *ni;
	long ci;                    /* the connection, from INIT_COOKIE on */
	uint8_t cookie[32];         /* INIT_COOKIE */
	struct ike_proposal chosen; /* INIT_INVALID_KE, INIT_NEW */
	struct ike_suite suite;
};

/* Screens request m from src:sport to dst.  Changes nothing but the
 * scratch space ike->sap, ike->sel_diag and ike->diag. */
static enum init_verdict screen(struct ike *ike, const struct ike_msg *m, const uint8_t *raw,
                                size_t len, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                                struct init_screen *v)
{
	const uint8_t zero[IKE_SPI_LEN] = {0};
	const struct ike_payload *ck;
	const struct ike_conn *c;

	if (memcmp(m->spi_r, zero, IKE_SPI_LEN) || m->message_id != 0)
		return INIT_BAD_SPI;
	v->sa = ike_sa_find_init(ike, src, sport, m->spi_i);
	if (v->sa)
		return v->sa->phase == IKE_PHASE_INIT_DONE && v->sa->init_req_len == len &&
		                       !memcmp(v->sa->init_req, raw, len)
		               ? INIT_RETRANSMIT
		               : INIT_REPLAY;
	v->sap = ike_msg_find(m, IKE_PL_SA, NULL);
	v->ke = ike_msg_find(m, IKE_PL_KE, NULL);
	v->ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (!v->sap || !v->ke || !v->ni || v->ni->body_len < IKE_NONCE_MIN ||
	    v->ni->body_len > IKE_NONCE_MAX)
		return INIT_MALFORMED;
	v->ci = find_conn(ike, dst, src);
	if (v->ci < 0)
		return INIT_NO_CONN;
	c = &ike->conns[v->ci];
	if (c->cfg.half_open_cookie_threshold &&
	    half_open(ike) >= c->cfg.half_open_cookie_threshold) {
		/* §2.6: under a flood of half-open SAs, prove the return path
		 * first, without keeping state. */
		cookie_of(ike, v->ni, src, m->spi_i, v->cookie);
		ck = ike_msg_find_notify(m, IKE_N_COOKIE);
		if (!ck || ck != &m->p[0] || ck->u.notify.len != sizeof(v->cookie) ||
		    CRYPTO_memcmp(ck->u.notify.data, v->cookie, sizeof(v->cookie)))
			return INIT_COOKIE;
	}
	if (ike_sa_decode(v->sap, &ike->sap, NULL) < 0 ||
	    ike_proposal_select(ike->sap.p, ike->sap.nproposals, &c->ike_props, 0, &v->chosen,
	                        &ike->sel_diag) < 0 ||
	    ike_proposal_to_suite(&v->chosen, &v->suite, ike->diag, sizeof(ike->diag)) < 0)
		return INIT_NO_PROPOSAL;
	if (v->ke->u.ke.group != v->suite.dh)
		return INIT_INVALID_KE;
	return INIT_NEW;
}

bool ike_sa_init_computes_dh(struct ike *ike, struct ip_addr src, uint16_t sport,
                             struct ip_addr dst, const uint8_t *data, size_t len)
{
	struct init_screen v;
	struct ike_error e;

	if (len > sizeof(ike->rx) || len < IKE_HDR_LEN)
		return false;
	memcpy(ike->rx, data, len);
	if (ike_msg_parse(&ike->m, ike->rx, len, &e) < 0 || ike->m.exchange != IKE_SA_INIT ||
	    (ike->m.flags & IKE_FLAG_RESPONSE) || !(ike->m.flags & IKE_FLAG_INITIATOR))
		return false;
	return screen(ike, &ike->m, ike->rx, len, src, sport, dst, &v) == INIT_NEW;
}

void ike_sa_init_request(struct ike *ike, const struct ike_msg *m, const uint8_t *raw, size_t len,
                         struct ip_addr src, uint16_t sport, struct ip_addr dst, uint16_t dport)
{
	const uint8_t zero[IKE_SPI_LEN] = {0};
	struct init_screen v;
	struct ike_conn *c;
	struct ike_sa *sa;
	struct ike_header h = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE};
	struct ike_builder b;
	uint8_t g_ir[IKE_DH_MAX_SECRET], grp[2];
	size_t g_len, rlen;
	const uint8_t *pub;
	size_t pub_len;
	unsigned now_half_open;
	char a[IP_ADDR_STRLEN], s[IP_ADDR_STRLEN];

	switch (screen(ike, m, raw, len, src, sport, dst, &v)) {
	case INIT_BAD_SPI:
		ike->st.dropped_other++;
		return;
	case INIT_RETRANSMIT:
		/* §2.1: the same request again gets the same response. */
		ike_send_to(ike, dst, dport, src, sport, v.sa->init_resp, v.sa->init_resp_len);
		return;
	case INIT_REPLAY:
		ike->st.dropped_replay++;
		return;
	case INIT_MALFORMED:
		ike->st.dropped_malformed++;
		ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_INVALID_SYNTAX, NULL,
		                      0);
		return;
	case INIT_NO_CONN:
		ike_failure(ike, NULL, NULL,
		            "responder: no connection for IKE_SA_INIT from %s to %s, sending "
		            "NO_PROPOSAL_CHOSEN",
		            ip_addr_str(&src, a), ip_addr_str(&dst, s));
		ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_NO_PROPOSAL_CHOSEN,
		                      NULL, 0);
		return;
	case INIT_COOKIE:
		ike->st.cookies_sent++;
		ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_COOKIE, v.cookie,
		                      sizeof(v.cookie));
		return;
	case INIT_NO_PROPOSAL:
		c = &ike->conns[v.ci];
		ike_select_diag_format(&ike->sel_diag, ike->diag, sizeof(ike->diag));
		ike_failure(ike, NULL, c->cfg.name,
		            "responder: IKE_SA_INIT from %s for connection '%s': %s; sending "
		            "NO_PROPOSAL_CHOSEN",
		            ip_addr_str(&src, a), c->cfg.name, ike->diag);
		ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_NO_PROPOSAL_CHOSEN,
		                      NULL, 0);
		return;
	case INIT_INVALID_KE:
		/* §1.3: tell the initiator which group to use; stateless. */
		put_be16(grp, v.suite.dh);
		ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_INVALID_KE_PAYLOAD, grp,
		                      2);
		return;
	case INIT_NEW:
		break;
	}
	sa = ike_sa_new(ike, (size_t)v.ci, false);
	if (!sa)
		return;
	sa->remote_addr = src;
	sa->remote_port = sport;
	sa->local_addr = dst;
	sa->local_port = dport;
	memcpy(sa->spi_i, m->spi_i, IKE_SPI_LEN);
	sa->chosen = v.chosen;
	sa->suite = v.suite;
	sa->dh = ike_dh_for(ike, v.suite.dh);
	if (!sa->dh || ike_dh_derive(sa->dh, v.ke->u.ke.data, v.ke->u.ke.len, g_ir, sizeof(g_ir),
	                             &g_len, ike->diag, sizeof(ike->diag)) < 0) {
		/* A KE of the wrong length is a syntax error; a bad value is
		 * an attack or noise: dropped (ike_crypto.h). */
		if (v.ke->u.ke.len != ike_dh_public_len(v.suite.dh))
			ike_x_notify_response(ike, m, src, sport, dst, dport, IKE_N_INVALID_SYNTAX,
			                      NULL, 0);
		ike->st.dropped_malformed++;
		sa->phase = IKE_PHASE_DEAD;
		return;
	}
	memcpy(sa->ni, v.ni->body, v.ni->body_len);
	sa->ni_len = v.ni->body_len;
	ike_auth_init_received(sa, m);
	ike_frag_init_received(sa, m);
	sa->nr_len = IKE_NONCE_LEN;
	ike_random(ike, sa->nr, sa->nr_len);
	ike_natt_detect(ike, sa, m, zero, src, sport, dst, dport);
	if (ike_sa_derive_keys(ike, sa, NULL, g_ir, g_len) < 0 ||
	    keep_copy(&sa->init_req, &sa->init_req_len, raw, len) < 0) {
		OPENSSL_cleanse(g_ir, sizeof(g_ir));
		ike_failure(ike, sa, NULL, "responder: IKE_SA_INIT: %s", ike->diag);
		sa->phase = IKE_PHASE_DEAD;
		return;
	}
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	/* HDR, SA, KEr, Nr, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) */
	v.chosen.spi_size = 0;
	pub = ike_dh_public(sa->dh, &pub_len);
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, sa->spi_r, IKE_SPI_LEN);
	ike_builder_init(&b, sa->x.resp, sizeof(sa->x.resp), &h);
	ike_add_sa(&b, &v.chosen, 1);
	ike_add_ke(&b, v.suite.dh, pub, pub_len);
	ike_add_nonce(&b, sa->nr, sa->nr_len);
	ike_auth_init_payloads(ike, sa, &b, true);
	ike_natt_add_notifies(ike, sa, &b, sa->spi_r);
	ike_frag_add_supported(ike, sa, &b, true);
	if (ike_builder_finish(&b, &rlen) < 0 ||
	    keep_copy(&sa->init_resp, &sa->init_resp_len, sa->x.resp, rlen) < 0) {
		ike_failure(ike, sa, NULL, "responder: IKE_SA_INIT response: %s", b.err.reason);
		sa->phase = IKE_PHASE_DEAD;
		return;
	}
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	sa->counted_half_open = true;
	now_half_open = half_open(ike);
	if (now_half_open > ike->st.half_open_peak)
		ike->st.half_open_peak = now_half_open;
	sa->x.mid_in = 1;
	ike_send_to(ike, dst, dport, src, sport, sa->init_resp, sa->init_resp_len);
	{
		struct ike_event ev = ike_event_for(ike, sa, IKE_EV_IKE_SA);

		ev.state = IKE_STATE_CONNECTING;
		ev.reason = "respond";
		ike_emit(ike, &ev);
	}
}
