/* CREATE_CHILD_SA for Child SAs (RFC 7296 §1.3.1, §1.3.3):
 *
 *   Initiator                              Responder
 *   HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi],
 *            TSi, TSr}  -->
 *                                     <--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *
 * A further Child SA of a connection on an established IKE SA, or the
 * replacement of one: N(REKEY_SA) names the old child by the SPI its sender
 * receives with (§1.3.3).  A DH group in the ESP proposals asks for PFS:
 * the exchange carries KE payloads and KEYMAT includes g^ir (new) (§1.3.1,
 * §2.17); a responder that wants another group answers INVALID_KE_PAYLOAD
 * and the initiator asks again with it.  What happens to the old child's
 * SAs and policies around the exchange is ike_rekey.c's business.
 *
 * Collisions, all resolved so that both ends keep exactly one pair:
 *   - both ends rekey the same child (§2.8.1): each answers the other's
 *     request; when its own answer arrives, the exchange that saw the
 *     lowest of the four nonces has made the redundant child, which its
 *     initiator deletes; the other initiator deletes the old child;
 *   - a rekey request for a child its receiver is deleting or has already
 *     replaced gets TEMPORARY_FAILURE, one for an unknown child
 *     CHILD_SA_NOT_FOUND (§2.25.1); a DELETE of a child being rekeyed is
 *     answered as usual (ike_info.c), and the rekey's answer then decides:
 *     a new child without a predecessor is kept, a failed rekey of a child
 *     that was deleted under it creates the child afresh;
 *   - TEMPORARY_FAILURE: the rekey is retried after a random delay (§2.25);
 *   - while our IKE SA rekey is outstanding, requests get TEMPORARY_FAILURE
 *     (strongSwan 5.9 does the same).
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/* The DH group of the first proposal that has one (strongSwan sends the KE
 * for it), or the group the responder asked for before. */
static uint16_t pfs_group(const struct ike_conn *conn, size_t cfg)
{
	const struct ike_proposal_list *props = &conn->esp_props[cfg];

	for (size_t i = 0; i < props->n; i++) {
		const struct ike_transform *g = ike_proposal_get(&props->p[i], IKE_TT_DH);

		for (size_t j = 0; conn->ke_group[cfg] && j < props->p[i].ntransforms; j++)
			if (props->p[i].t[j].type == IKE_TT_DH &&
			    props->p[i].t[j].id == conn->ke_group[cfg])
				return conn->ke_group[cfg];
		if (g && g->id != IKE_DH_NONE)
			return g->id;
	}
	return IKE_DH_NONE;
}

/* --- initiator ------------------------------------------------------------------- */

int ike_ccs_build_request(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                          struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego *n = &sa->nego;
	struct ike_child *old = NULL;
	struct ike_proposal_list props;
	const struct ike_child_config *cc;
	uint16_t group;
	uint8_t spi[4];

	if (sa->phase != IKE_PHASE_ESTABLISHED)
		return 1;
	if (t->kind == IKE_TASK_REKEY_CHILD) {
		old = ike_child_by_uid(sa, t->arg);
		if (!old || old->successor || old->deleting || old->redundant) {
			if (old)
				old->rekeying = false;
			return 1; /* deleted or replaced meanwhile */
		}
	}
	ike_nego_clear(n);
	n->cfg = old ? old->cfg : t->arg;
	cc = &conn->cfg.children[n->cfg];
	n->old = old ? old->uid : 0;
	n->spi_in = ike_child_spi_alloc(ike);
	if (!n->spi_in) {
		snprintf(ike->diag, sizeof(ike->diag), "no SPI available");
		return -1;
	}
	if (old) {
		/* §1.3.3: the same selectors; TSi is our side. */
		n->transport = old->mode == IPSEC_MODE_TRANSPORT;
		memcpy(n->tsi, old->ts_local, old->n_local * sizeof(old->ts_local[0]));
		memcpy(n->tsr, old->ts_remote, old->n_remote * sizeof(old->ts_remote[0]));
		n->ntsi = old->n_local;
		n->ntsr = old->n_remote;
	} else {
		n->transport = cc->mode == IPSEC_MODE_TRANSPORT;
		n->ntsi = ike_ts_from_config(cc->local_ts, cc->n_local_ts, sa->local_addr, n->tsi);
		n->ntsr =
		        ike_ts_from_config(cc->remote_ts, cc->n_remote_ts, sa->remote_addr, n->tsr);
	}
	n->ni_len = IKE_NONCE_LEN;
	ike_random(ike, n->ni, n->ni_len);
	group = pfs_group(conn, n->cfg);
	if (group != IKE_DH_NONE && !(n->dh = ike_dh_for(ike, group)))
		return -1;
	props = conn->esp_props[n->cfg];
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = 4;
		put_be32(props.p[i].spi, n->spi_in);
	}
	if (old) {
		put_be32(spi, old->spi_in);
		ike_add_notify(b, IKE_PROTO_ESP, spi, 4, IKE_N_REKEY_SA, NULL, 0);
	}
	if (n->transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, props.p, props.n);
	ike_add_nonce(b, n->ni, n->ni_len);
	if (n->dh) {
		size_t len;
		const uint8_t *pub = ike_dh_public(n->dh, &len);

		ike_add_ke(b, group, pub, len);
	}
	ike_add_ts(b, IKE_PL_TSI, n->tsi, n->ntsi);
	ike_add_ts(b, IKE_PL_TSR, n->tsr, n->ntsr);
	n->active = true;
	if (old)
		ike_rekey_child_requested(ike, sa, old);
	return 0;
}

/* Our request failed with `notify` (0: an unusable answer). */
static void request_failed(struct ike *ike, struct ike_sa *sa, const struct ike_child_nego *n,
                           struct ike_child *old, uint16_t notify)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const char *child = conn->cfg.children[n->cfg].name;
	const char *name = notify ? ike_notify_name(notify) : NULL;
	char offer[400] = "";

	if (notify == IKE_N_INVALID_KE_PAYLOAD) {
		/* §1.3.1: ask again with the group the responder wants. */
		if (old)
			ike_x_queue(ike, sa, IKE_TASK_REKEY_CHILD, old->uid);
		else
			ike_x_queue(ike, sa, IKE_TASK_CREATE_CHILD, (uint32_t)n->cfg);
		return;
	}
	if (n->old && !old) {
		/* The child was deleted while we rekeyed it (§2.25.1).  If the
		 * peer had replaced it, that replacement lives on; else the
		 * child is created afresh: a rekey means the child is wanted
		 * (strongswan#1458 lost it; charon now does the same). */
		if (!n->old_replaced)
			ike_x_queue(ike, sa, IKE_TASK_CREATE_CHILD, (uint32_t)n->cfg);
		return;
	}
	if (old && n->collision) {
		/* The peer's rekey of the same child won without ours
		 * (strongswan#1896: ours was late, it answered
		 * TEMPORARY_FAILURE): its replacement is the one. */
		ike_rekey_peer_survives(ike, sa, old);
		return;
	}
	if (notify == IKE_N_NO_PROPOSAL_CHOSEN) {
		/* What we offered; the responder's diagnostic names its own. */
		size_t k = (size_t)snprintf(offer, sizeof(offer), "; we offered ESP proposals: ");

		ike_proposals_format(conn->esp_props[n->cfg].p, conn->esp_props[n->cfg].n,
		                     offer + k, sizeof(offer) - k);
	}
	ike_failure(ike, sa, NULL, "initiator: %s of Child SA '%s' failed: %s%s",
	            old ? "rekeying" : "creation", child, name ? name : ike->diag, offer);
	if (!old)
		return;
	if (notify == IKE_N_TEMPORARY_FAILURE) {
		ike_rekey_retry_child(ike, old);
	} else if (notify == IKE_N_CHILD_SA_NOT_FOUND || old->broken) {
		/* §2.25: the peer has no such child (or our outbound SA is gone
		 * already): start over with a fresh one. */
		ike_child_remove(ike, sa, old, "rekey failed", IKE_ACTION_CLEAR);
		ike_x_queue(ike, sa, IKE_TASK_CREATE_CHILD, (uint32_t)n->cfg);
	} else {
		old->rekeying = false; /* it lives until its hard lifetime */
	}
}

static const struct ike_payload *error_notify(const struct ike_msg *m)
{
	for (size_t i = 0; i < m->npayloads; i++)
		if (m->p[i].inner && m->p[i].type == IKE_PL_NOTIFY && m->p[i].u.notify.type < 16384)
			return &m->p[i];
	return NULL;
}

/* The responder's SA payload, KE and selectors: 0 with the chosen proposal
 * in ike->sap.p[0] and g^ir in g_ir (g_len 0 without PFS), or -1 with
 * ike->diag. */
static int check_response(struct ike *ike, struct ike_sa *sa, const struct ike_child_nego *n,
                          const struct ike_msg *m, uint8_t *g_ir, size_t *g_len)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	struct ike_proposal_list props = conn->esp_props[n->cfg];
	const struct ike_transform *g;

	*g_len = 0;
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = 4;
		put_be32(props.p[i].spi, n->spi_in);
	}
	if (!sap || !tsi || !tsr || ike_sa_decode(sap, &ike->sap, NULL) < 0 ||
	    ike->sap.nproposals != 1 || ike->sap.p[0].spi_size != 4) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "the response needs an SA payload with one ESP proposal with an SPI, "
		         "TSi and TSr");
		return -1;
	}
	if (ike_proposal_check_response(props.p, props.n, &ike->sap.p[0], 0, ike->diag,
	                                sizeof(ike->diag)) < 0)
		return -1;
	g = ike_proposal_get(&ike->sap.p[0], IKE_TT_DH);
	if (g && g->id != IKE_DH_NONE) {
		/* §1.3.1: the chosen group must be the one of our KE. */
		if (!n->dh || !ke || ke->u.ke.group != g->id || ike_dh_group(n->dh) != g->id) {
			snprintf(ike->diag, sizeof(ike->diag),
			         "the responder chose DH group %u without a matching KE payload",
			         g->id);
			return -1;
		}
		if (ike_dh_derive(n->dh, ke->u.ke.data, ke->u.ke.len, g_ir, IKE_DH_MAX_SECRET,
		                  g_len, ike->diag, sizeof(ike->diag)) < 0)
			return -1;
	}
	if (ike_ts_decode(tsi, &ike->tsp[0], NULL) < 0 ||
	    ike_ts_decode(tsr, &ike->tsp[1], NULL) < 0 ||
	    !ike_ts_subset(ike->tsp[0].ts, ike->tsp[0].n, n->tsi, n->ntsi) ||
	    !ike_ts_subset(ike->tsp[1].ts, ike->tsp[1].n, n->tsr, n->ntsr)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "the responder's selectors are not within ours (§2.9)");
		return -1;
	}
	if ((ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL) != n->transport) {
		snprintf(ike->diag, sizeof(ike->diag), "the responder changed the mode");
		return -1;
	}
	return 0;
}

void ike_ccs_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                             const struct ike_msg *m)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego nego = sa->nego, *n = &nego;
	struct ike_child *old, *c;
	const struct ike_payload *err = error_notify(m), *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	uint8_t g_ir[IKE_DH_MAX_SECRET];
	struct ike_child_spec sp;
	size_t g_len = 0;
	bool redundant;

	(void)t;
	if (!n->active)
		return;
	/* The negotiation is ours now: what we do may start the next. */
	memset(&sa->nego, 0, sizeof(sa->nego));
	old = n->old ? ike_child_by_uid(sa, n->old) : NULL;
	if (err) {
		if (err->u.notify.type == IKE_N_INVALID_KE_PAYLOAD && err->u.notify.len == 2) {
			conn->ke_group[n->cfg] = get_be16(err->u.notify.data);
			ike_ke_retry(ike, sa, conn->cfg.children[n->cfg].name, IKE_CREATE_CHILD_SA,
			             n->dh ? ike_dh_group(n->dh) : 0, conn->ke_group[n->cfg]);
		}
		request_failed(ike, sa, n, old, err->u.notify.type);
		ike_nego_clear(n);
		return;
	}
	if (!nr || nr->body_len < IKE_NONCE_MIN || nr->body_len > IKE_NONCE_MAX ||
	    check_response(ike, sa, n, m, g_ir, &g_len) < 0) {
		if (!nr || nr->body_len < IKE_NONCE_MIN || nr->body_len > IKE_NONCE_MAX)
			snprintf(ike->diag, sizeof(ike->diag), "the response has no valid nonce");
		request_failed(ike, sa, n, old, 0);
		OPENSSL_cleanse(g_ir, sizeof(g_ir));
		ike_nego_clear(n);
		return;
	}
	/* §2.8.1: of two rekeys of one child, the exchange with the lowest
	 * of the four nonces made the redundant one.  A child the peer
	 * replaced under us makes ours redundant as well. */
	redundant = n->old && (old ? n->collision && ike_rekey_we_lose(n, nr->body, nr->body_len)
	                           : n->old_replaced);
	sp = (struct ike_child_spec){
	        .cfg = n->cfg,
	        .chosen = &ike->sap.p[0],
	        .spi_in = n->spi_in,
	        .spi_out = get_be32(ike->sap.p[0].spi),
	        .mode = n->transport ? IPSEC_MODE_TRANSPORT : IPSEC_MODE_TUNNEL,
	        .ts_local = ike->tsp[0].ts,
	        .n_local = ike->tsp[0].n,
	        .ts_remote = ike->tsp[1].ts,
	        .n_remote = ike->tsp[1].n,
	        .ni = n->ni,
	        .ni_len = n->ni_len,
	        .nr = nr->body,
	        .nr_len = nr->body_len,
	        .g_ir = g_len ? g_ir : NULL,
	        .g_ir_len = g_len,
	        .initiator = true,
	        .policies = old || redundant ? IKE_POLICIES_NONE : IKE_POLICIES_INSERT,
	        .reason = n->old ? "rekeyed" : "established",
	};
	c = ike_child_install(ike, sa, &sp);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (!c) {
		ike_failure(ike, sa, NULL, "initiator: Child SA '%s': %s",
		            conn->cfg.children[n->cfg].name, ike->diag);
		if (old)
			old->rekeying = false;
		ike_nego_clear(n);
		return;
	}
	if (redundant) {
		/* §2.8.1: "closed by the endpoint that created it". */
		c->redundant = true;
		c->deleting = true;
		ike_x_queue(ike, sa, IKE_TASK_DELETE_CHILD, c->uid);
		if (old)
			ike_rekey_peer_survives(ike, sa, old);
	} else if (old) {
		ike_rekey_child_done(ike, sa, old, c, n->collision ? n->peer_child : 0);
	}
	ike_nego_clear(n);
	ike_reauth_child_done(ike, sa);
}

/* --- responder ------------------------------------------------------------------- */

/* §1.3.3: the child named by N(REKEY_SA), or why it cannot be rekeyed
 * (an error notification added to b). */
static int rekeyed_child(struct ike_sa *sa, const struct ike_payload *rk, struct ike_builder *b,
                         struct ike_child **out)
{
	uint32_t spi;

	*out = NULL;
	if (!rk)
		return 0;
	if ((rk->u.notify.protocol != IKE_PROTO_ESP && rk->u.notify.protocol != IKE_PROTO_AH) ||
	    rk->u.notify.spi_size != 4) {
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -1;
	}
	spi = get_be32(rk->u.notify.spi);
	*out = ike_child_by_spi_out(sa, spi);
	if (!*out) {
		/* §2.25: it does not exist (any more). */
		ike_add_notify(b, rk->u.notify.protocol, rk->u.notify.spi, 4,
		               IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
		return -1;
	}
	if ((*out)->deleting || (*out)->successor || (*out)->redundant) {
		/* §2.25.1: being deleted, or replaced already. */
		ike_add_notify(b, 0, NULL, 0, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return -1;
	}
	return 0;
}

void ike_ccs_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                            struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	struct ike_child *old, *c;
	const struct ike_transform *g;
	struct ike_dh *dh = NULL;
	struct ike_child_offer o;
	struct ike_child_spec sp;
	uint8_t g_ir[IKE_DH_MAX_SECRET], nr[IKE_NONCE_LEN], grp[2];
	size_t g_len = 0;
	uint32_t spi_in;

	if (sap && ike_sa_decode(sap, &ike->sap, NULL) == 0 && ike->sap.nproposals &&
	    ike->sap.p[0].protocol == IKE_PROTO_IKE) {
		ike_rekey_ike_handle_request(ike, sa, m, b);
		return;
	}
	if (sa->phase != IKE_PHASE_ESTABLISHED ||
	    (sa->x.pending && sa->x.task.kind == IKE_TASK_REKEY_IKE)) {
		ike_add_notify(b, 0, NULL, 0, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (!sap || !ni || ni->body_len < IKE_NONCE_MIN || ni->body_len > IKE_NONCE_MAX ||
	    !ike_msg_find(m, IKE_PL_TSI, NULL) || !ike_msg_find(m, IKE_PL_TSR, NULL)) {
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (rekeyed_child(sa, ike_msg_find_notify(m, IKE_N_REKEY_SA), b, &old) < 0)
		return;
	if (ike_child_select(ike, sa, m, b, 0, old ? (long)old->cfg : -1, &o) < 0)
		return;
	g = ike_proposal_get(&o.chosen, IKE_TT_DH);
	if (g && g->id != IKE_DH_NONE) {
		/* §1.3.1: PFS with the chosen group, or tell which one. */
		if (!ke || ke->u.ke.group != g->id) {
			put_be16(grp, g->id);
			ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD, grp, 2);
			return;
		}
		dh = ike_dh_for(ike, g->id);
		if (!dh || ike_dh_derive(dh, ke->u.ke.data, ke->u.ke.len, g_ir, sizeof(g_ir),
		                         &g_len, ike->diag, sizeof(ike->diag)) < 0) {
			ike_dh_free(dh);
			ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
	}
	ike_random(ike, nr, sizeof(nr));
	spi_in = ike_child_spi_alloc(ike);
	sp = (struct ike_child_spec){
	        .cfg = o.cfg,
	        .chosen = &o.chosen,
	        .spi_in = spi_in,
	        .spi_out = get_be32(o.chosen.spi),
	        .mode = o.transport ? IPSEC_MODE_TRANSPORT : IPSEC_MODE_TUNNEL,
	        .ts_local = o.nr,
	        .n_local = o.nnr,
	        .ts_remote = o.ni,
	        .n_remote = o.nni,
	        .ni = ni->body,
	        .ni_len = ni->body_len,
	        .nr = nr,
	        .nr_len = sizeof(nr),
	        .g_ir = g_len ? g_ir : NULL,
	        .g_ir_len = g_len,
	        .initiator = false,
	        .policies = old ? IKE_POLICIES_NONE : IKE_POLICIES_BEHIND,
	        .reason = old ? "rekeyed" : "established",
	};
	c = spi_in ? ike_child_install(ike, sa, &sp) : NULL;
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (!c) {
		ike_failure(ike, sa, NULL, "responder: Child SA '%s': %s",
		            conn->cfg.children[o.cfg].name,
		            spi_in ? ike->diag : "no SPI available");
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		ike_dh_free(dh);
		return;
	}
	put_be32(o.chosen.spi, spi_in);
	if (o.transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, &o.chosen, 1);
	ike_add_nonce(b, nr, sizeof(nr));
	if (dh) {
		size_t len;
		const uint8_t *pub = ike_dh_public(dh, &len);

		ike_add_ke(b, g->id, pub, len);
		ike_dh_free(dh);
	}
	ike_add_ts(b, IKE_PL_TSI, o.ni, o.nni);
	ike_add_ts(b, IKE_PL_TSR, o.nr, o.nnr);
	if (old)
		ike_rekey_child_answered(ike, sa, old, c, ni->body, ni->body_len, nr, sizeof(nr));
}
