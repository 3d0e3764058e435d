/* IKE_AUTH (RFC 7296 §1.2):
 *
 *   Initiator                         Responder
 *   HDR, SK {IDi, [IDr,] AUTH,
 *       SAi2, TSi, TSr}  -->
 *                                <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *
 * Each side proves its identity with AUTH over its IKE_SA_INIT message,
 * the peer's nonce and its ID payload (§2.15); a failed check on the
 * responder is answered with AUTHENTICATION_FAILED, on the initiator it is
 * reported in an INFORMATIONAL (§2.21.2).  The first Child SA rides along:
 * ESP proposal (§2.7, no KE), traffic selectors narrowed by the responder
 * (§2.9), transport mode on request (§1.3.1); a Child SA failure leaves the
 * IKE SA up (§1.2).
 *
 * Authentication methods: shared key MIC (method 2).  Public-key
 * authentication (RFC 7427 method 14 with CERT payloads) plugs in at
 * auth_compute() / auth_check(); ike_conn_add() refuses it until then.
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <stdio.h>
#include <string.h>

#define ID_DATA_MAX (IKE_ID_MAX + 512)

/* RestOfIDPayload (§2.15): ID type, three reserved octets, data. */
struct id_body {
	uint8_t b[4 + ID_DATA_MAX];
	size_t len;
};

static int own_id(struct ike *ike, struct ike_sa *sa, struct id_body *id)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	size_t n;

	memset(id->b, 0, 4);
	if (ike_id_encode(c->local.id.id, sa->local_addr, &id->b[0], id->b + 4, ID_DATA_MAX, &n,
	                  ike->diag, sizeof(ike->diag)) < 0)
		return -1;
	id->len = 4 + n;
	return 0;
}

static struct ike_auth_input auth_input(const struct ike_sa *sa, bool ours, const uint8_t *idb,
                                        size_t idb_len)
{
	/* The initiator signs its IKE_SA_INIT request, the responder its
	 * response; each with the other's nonce and its own SK_p. */
	bool signer_is_initiator = ours ? sa->initiator : !sa->initiator;
	struct ike_auth_input in = {
	        .prf = sa->suite.prf,
	        .real_msg = signer_is_initiator ? sa->init_req : sa->init_resp,
	        .real_msg_len = signer_is_initiator ? sa->init_req_len : sa->init_resp_len,
	        .peer_nonce = signer_is_initiator ? sa->nr : sa->ni,
	        .peer_nonce_len = signer_is_initiator ? sa->nr_len : sa->ni_len,
	        .sk_p = signer_is_initiator ? sa->keys.sk_pi : sa->keys.sk_pr,
	        .sk_p_len = sa->keys.prf_len,
	        .id_body = idb,
	        .id_body_len = idb_len,
	};
	return in;
}

/* Our AUTH payload. */
static int auth_compute(struct ike *ike, struct ike_sa *sa, const struct id_body *id,
                        struct ike_builder *b)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	struct ike_auth_input in = auth_input(sa, true, id->b, id->len);
	uint8_t auth[IKE_PRF_MAX_LEN];
	size_t n;

	if (ike_auth_psk(&in, c->psk, c->psk_len, auth, &n) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "AUTH computation failed");
		return -1;
	}
	return ike_add_auth(b, IKE_AUTH_PSK, auth, n);
}

/* The peer's identity and AUTH payload: NULL if fine, else the diagnostic
 * (which check failed) in ike->diag. */
static const char *auth_check(struct ike *ike, struct ike_sa *sa, const struct ike_payload *id,
                              const struct ike_payload *auth)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	const char *side = sa->initiator ? "initiator" : "responder";
	const char *peer = sa->initiator ? "responder" : "initiator";
	struct ike_auth_input in;
	char got[300];

	if (!id || !auth) {
		snprintf(ike->diag, sizeof(ike->diag), "%s: the %s sent no %s payload", side, peer,
		         !id ? (sa->initiator ? "IDr" : "IDi") : "AUTH");
		return ike->diag;
	}
	ike_id_format(id->u.id.type, id->u.id.data, id->u.id.len, got, sizeof(got));
	if (!ike_id_matches(c->remote.id.id, id->u.id.type, id->u.id.data, id->u.id.len)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: identity mismatch: the %s is '%s', connection '%s' expects remote "
		         "id '%s'",
		         side, peer, got, c->name, c->remote.id.id);
		return ike->diag;
	}
	if (auth->u.auth.method != IKE_AUTH_PSK) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: the %s '%s' authenticates with AUTH method %u, connection '%s' "
		         "expects a pre-shared key (method 2)",
		         side, peer, got, auth->u.auth.method, c->name);
		return ike->diag;
	}
	in = auth_input(sa, false, id->body, id->body_len);
	if (ike_auth_psk_verify(&in, c->psk, c->psk_len, auth->u.auth.data, auth->u.auth.len)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: AUTH mismatch: the %s '%s' proved a different pre-shared key than "
		         "connection '%s' has",
		         side, peer, got, c->name);
		return ike->diag;
	}
	/* Authenticated: who the peer is, for INITIAL_CONTACT (§2.4) and
	 * reauthentication. */
	sa->peer_id_type = id->u.id.type;
	sa->peer_id_len = id->u.id.len < sizeof(sa->peer_id) ? id->u.id.len : sizeof(sa->peer_id);
	memcpy(sa->peer_id, id->u.id.data, sa->peer_id_len);
	return NULL;
}

/* --- initiator ------------------------------------------------------------------- */

int ike_auth_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_conn_config *c = &conn->cfg;
	const struct ike_child_config *cc = &c->children[sa->start_child];
	struct ike_child_nego *n = &sa->nego;
	struct ike_proposal_list props;
	struct id_body id;

	if (own_id(ike, sa, &id) < 0)
		return -1;
	ike_add_id(b, IKE_PL_IDI, id.b[0], id.b + 4, id.len - 4);
	if (c->remote.id.id[0] && strcmp(c->remote.id.id, "%any") != 0) {
		/* §3.5: IDr tells the responder whom we want to talk to. */
		uint8_t t, d[ID_DATA_MAX];
		size_t len;

		if (ike_id_encode(c->remote.id.id, sa->remote_addr, &t, d, sizeof(d), &len,
		                  ike->diag, sizeof(ike->diag)) < 0)
			return -1;
		ike_add_id(b, IKE_PL_IDR, t, d, len);
	}
	if (auth_compute(ike, sa, &id, b) < 0)
		return -1;
	/* §2.4: unless another IKE SA with the peer stays in use (a
	 * make-before-break reauthentication), any the peer has are stale. */
	if (ike_reauth_initial_contact(ike, sa))
		ike_add_notify(b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	/* The first Child SA (§1.2): our inbound SPI in every proposal. */
	memset(n, 0, sizeof(*n));
	n->cfg = sa->start_child;
	n->spi_in = ike_child_spi_alloc(ike);
	if (!n->spi_in) {
		snprintf(ike->diag, sizeof(ike->diag), "no SPI available");
		return -1;
	}
	n->active = true;
	n->transport = cc->mode == IPSEC_MODE_TRANSPORT;
	n->ntsi = ike_ts_from_config(cc->local_ts, cc->n_local_ts, c->local_addr, n->tsi);
	n->ntsr = ike_ts_from_config(cc->remote_ts, cc->n_remote_ts, c->remote_addr, n->tsr);
	props = conn->esp_props[n->cfg];
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = 4;
		put_be32(props.p[i].spi, n->spi_in);
	}
	if (n->transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, props.p, props.n);
	ike_add_ts(b, IKE_PL_TSI, n->tsi, n->ntsi);
	return ike_add_ts(b, IKE_PL_TSR, n->tsr, n->ntsr);
}

/* A notification about the Child SA instead of SA/TS payloads. */
static const struct ike_payload *child_error(const struct ike_msg *m)
{
	for (size_t i = 0; i < m->npayloads; i++)
		if (m->p[i].inner && m->p[i].type == IKE_PL_NOTIFY && m->p[i].u.notify.type < 16384)
			return &m->p[i];
	return NULL;
}

static void initiator_child(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego *n = &sa->nego;
	const char *child = conn->cfg.children[n->cfg].name;
	const struct ike_payload *err = child_error(m), *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	struct ike_proposal_list props = conn->esp_props[n->cfg];
	struct ike_ts_payload *ri = &ike->tsp[0], *rr = &ike->tsp[1];
	char ts1[300], ts2[300], ts3[300], ts4[300];
	struct ike_child_spec sp;
	bool transport;
	struct ike_child *c;

	n->active = false;
	if (err || !sap || !tsi || !tsr) {
		const char *name = err ? ike_notify_name(err->u.notify.type) : NULL;

		ike_ts_format(n->tsi, n->ntsi, ts1, sizeof(ts1));
		ike_ts_format(n->tsr, n->ntsr, ts2, sizeof(ts2));
		ike_failure(ike, sa, NULL,
		            "initiator: the responder refused Child SA '%s' (%s); we proposed TSi "
		            "%s, TSr %s",
		            child, name ? name : "no SA/TS payloads", ts1, ts2);
		return;
	}
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = 4;
		put_be32(props.p[i].spi, n->spi_in);
	}
	if (ike_sa_decode(sap, &ike->sap, NULL) < 0 || ike->sap.nproposals != 1 ||
	    ike->sap.p[0].spi_size != 4 ||
	    ike_proposal_check_response(props.p, props.n, &ike->sap.p[0], IKE_SELECT_IGNORE_DH,
	                                ike->diag, sizeof(ike->diag)) < 0) {
		if (ike->sap.nproposals != 1 || ike->sap.p[0].spi_size != 4)
			snprintf(ike->diag, sizeof(ike->diag),
			         "the SA payload must hold one ESP proposal with an SPI");
		ike_failure(ike, sa, NULL, "initiator: Child SA '%s': %s", child, ike->diag);
		return;
	}
	if (ike_ts_decode(tsi, ri, NULL) < 0 || ike_ts_decode(tsr, rr, NULL) < 0 ||
	    !ike_ts_subset(ri->ts, ri->n, n->tsi, n->ntsi) ||
	    !ike_ts_subset(rr->ts, rr->n, n->tsr, n->ntsr)) {
		/* §2.9: the responder may only narrow. */
		ike_ts_format(n->tsi, n->ntsi, ts1, sizeof(ts1));
		ike_ts_format(n->tsr, n->ntsr, ts2, sizeof(ts2));
		ike_ts_format(ri->ts, ri->n, ts3, sizeof(ts3));
		ike_ts_format(rr->ts, rr->n, ts4, sizeof(ts4));
		ike_failure(
		        ike, sa, NULL,
		        "initiator: Child SA '%s': the responder's selectors TSi %s, TSr %s are "
		        "not within ours (TSi %s, TSr %s)",
		        child, ts3, ts4, ts1, ts2);
		return;
	}
	transport = ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	sp = (struct ike_child_spec){
	        .cfg = n->cfg,
	        .chosen = &ike->sap.p[0],
	        .spi_in = n->spi_in,
	        .spi_out = get_be32(ike->sap.p[0].spi),
	        .mode = transport ? IPSEC_MODE_TRANSPORT : IPSEC_MODE_TUNNEL,
	        .ts_local = ri->ts,
	        .n_local = ri->n,
	        .ts_remote = rr->ts,
	        .n_remote = rr->n,
	        .ni = sa->ni,
	        .ni_len = sa->ni_len,
	        .nr = sa->nr,
	        .nr_len = sa->nr_len,
	        .initiator = true,
	        .policies = IKE_POLICIES_INSERT,
	        .reason = "established",
	};
	c = ike_child_install(ike, sa, &sp);
	if (!c) {
		ike_failure(ike, sa, NULL, "initiator: Child SA '%s': %s", child, ike->diag);
		return;
	}
	if (transport != n->transport) {
		/* §1.3.1: the responder decides; a mode we did not ask for
		 * is not what the configuration wants. */
		ike_failure(ike, sa, NULL,
		            "initiator: Child SA '%s': we asked for %s mode, the responder "
		            "installed %s mode; deleting it",
		            child, n->transport ? "transport" : "tunnel",
		            transport ? "transport" : "tunnel");
		c->deleting = true;
		ike_x_queue(ike, sa, IKE_TASK_DELETE_CHILD, c->uid);
	}
}

void ike_auth_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *auth = ike_msg_find(m, IKE_PL_AUTH, NULL);
	const struct ike_payload *err = ike_msg_find_notify(m, IKE_N_AUTHENTICATION_FAILED);
	const char *why;

	if (sa->phase != IKE_PHASE_AUTH_SENT)
		return;
	if (err || (!auth && child_error(m))) {
		const struct ike_payload *e = err ? err : child_error(m);
		const char *name = ike_notify_name(e->u.notify.type);

		ike_failure(ike, sa, NULL,
		            "initiator: the responder answered IKE_AUTH with %s: it did not accept "
		            "our identity or AUTH payload (check its remote id and secret for us)",
		            name ? name : "an error");
		ike_sa_end(ike, sa, IKE_STATE_FAILED, err ? "authentication failed" : "peer error",
		           IKE_END_CLEAR);
		return;
	}
	why = auth_check(ike, sa, idr, auth);
	if (why) {
		/* §2.21.2: tell the responder, then the SA is gone. */
		ike_failure(ike, sa, NULL, "%s", why);
		sa->phase = IKE_PHASE_DELETING;
		sa->end_reason = "authentication failed";
		ike_x_queue(ike, sa, IKE_TASK_AUTH_FAILED, 0);
		return;
	}
	ike_sa_established(ike, sa, NULL);
	initiator_child(ike, sa, m);
}

/* --- responder ------------------------------------------------------------------- */

static void responder_child(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                            struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_offer o;
	struct ike_child_spec sp;
	uint32_t spi_in;

	if (!ike_msg_find(m, IKE_PL_SA, NULL) || !ike_msg_find(m, IKE_PL_TSI, NULL) ||
	    !ike_msg_find(m, IKE_PL_TSR, NULL))
		return; /* no Child SA asked for */
	if (ike_child_select(ike, sa, m, b, IKE_SELECT_IGNORE_DH, -1, &o) < 0)
		return;
	spi_in = ike_child_spi_alloc(ike);
	sp = (struct ike_child_spec){
	        .cfg = o.cfg,
	        .chosen = &o.chosen,
	        .spi_in = spi_in,
	        .spi_out = get_be32(o.chosen.spi),
	        .mode = conn->cfg.children[o.cfg].mode,
	        .ts_local = o.nr,
	        .n_local = o.nnr,
	        .ts_remote = o.ni,
	        .n_remote = o.nni,
	        .ni = sa->ni,
	        .ni_len = sa->ni_len,
	        .nr = sa->nr,
	        .nr_len = sa->nr_len,
	        .initiator = false,
	        .policies = IKE_POLICIES_BEHIND,
	        .reason = "established",
	};
	if (!spi_in || !ike_child_install(ike, sa, &sp)) {
		ike_failure(ike, sa, NULL, "responder: Child SA '%s': %s",
		            conn->cfg.children[o.cfg].name,
		            spi_in ? ike->diag : "no SPI available");
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	put_be32(o.chosen.spi, spi_in);
	if (o.transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, &o.chosen, 1);
	ike_add_ts(b, IKE_PL_TSI, o.ni, o.nni);
	ike_add_ts(b, IKE_PL_TSR, o.nr, o.nnr);
}

bool ike_auth_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	const struct ike_payload *idi = ike_msg_find(m, IKE_PL_IDI, NULL);
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *auth = ike_msg_find(m, IKE_PL_AUTH, NULL);
	struct id_body id;
	const char *why;

	why = auth_check(ike, sa, idi, auth);
	if (!why && own_id(ike, sa, &id) < 0)
		why = ike->diag;
	if (!why && idr &&
	    (idr->u.id.type != id.b[0] || idr->u.id.len != id.len - 4 ||
	     memcmp(idr->u.id.data, id.b + 4, id.len - 4))) {
		char want[300], have[300];

		/* §3.5: the initiator wants to talk to someone else. */
		ike_id_format(idr->u.id.type, idr->u.id.data, idr->u.id.len, want, sizeof(want));
		ike_id_format(id.b[0], id.b + 4, id.len - 4, have, sizeof(have));
		snprintf(ike->diag, sizeof(ike->diag),
		         "responder: identity mismatch: the initiator asks for IDr '%s', "
		         "connection '%s' is '%s'",
		         want, c->name, have);
		why = ike->diag;
	}
	if (why) {
		/* §2.21.2: AUTHENTICATION_FAILED, and the IKE SA is gone. */
		ike_failure(ike, sa, NULL, "%s; sending AUTHENTICATION_FAILED", why);
		ike_add_notify(b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		sa->end_reason = "authentication failed";
		sa->end_children = IKE_END_CLEAR;
		return true;
	}
	ike_add_id(b, IKE_PL_IDR, id.b[0], id.b + 4, id.len - 4);
	if (auth_compute(ike, sa, &id, b) < 0) {
		ike_failure(ike, sa, NULL, "responder: %s", ike->diag);
		sa->end_reason = "internal error";
		return true;
	}
	ike_sa_established(ike, sa, NULL);
	if (ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT))
		ike_reauth_initial_contact_received(ike, sa);
	responder_child(ike, sa, m, b);
	return false;
}
