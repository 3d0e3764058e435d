/* Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18):
 *
 *   Initiator                         Responder
 *   HDR, SK {SA, Ni, KEi}  -->
 *                                <--  HDR, SK {SA, Nr, KEr}
 *
 * The SA payload's proposals carry the new SPIs (8 octets), KE is
 * mandatory.  SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old
 * PRF; the new SA's keys come from prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * with its own.  The initiator of the rekey is the new SA's original
 * initiator and its Message IDs start at 0 (§2.18).  The Child SAs move to
 * the new IKE SA as they are (their SAs in the data plane stay); the old
 * one is REKEYED until the rekey's initiator has deleted it.
 *
 * Collisions (§2.8.2, §2.25.2):
 *   - both ends rekey at once: each answers the other's request, creating
 *     an IKE SA it holds back; when its own answer arrives, the exchange
 *     that saw the lowest of the four nonces made the redundant IKE SA,
 *     which its initiator deletes; the children go to the other new SA and
 *     the other initiator deletes the old one;
 *   - the peer's rekey already won when ours arrives: TEMPORARY_FAILURE
 *     (the old SA is REKEYED here), and the peer's new SA is the one;
 *   - the DELETE of the old SA arrives while ours is outstanding: answered
 *     as usual, the children go to the new SA the peer's rekey made;
 *   - a request for a Child SA (or any other of ours) is outstanding:
 *     TEMPORARY_FAILURE; the rekey is retried after a random delay.
 * Retransmissions after a link outage (strongswan#3042) meet the cached
 * response or one of these rules; a rekeyed SA's hard lifetime no longer
 * applies, and a new SA never inherits the old one's pending DELETE.
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#define NS 1000000000ULL
#define IKE_REKEYED_TIMEOUT_NS (30 * NS) /* waiting for the DELETE of a rekeyed SA */

void ike_rekey_ike_start(struct ike *ike, struct ike_sa *sa)
{
	if (sa->rekey_queued || sa->phase != IKE_PHASE_ESTABLISHED)
		return;
	sa->rekey_queued = true;
	ike_x_queue(ike, sa, IKE_TASK_REKEY_IKE, 0);
}

/* The Child SAs of `from` and the requests about them move to `to`; `from`
 * waits for its DELETE (ours, queued by the caller, or the peer's). */
void ike_rekey_ike_move(struct ike *ike, struct ike_sa *from, struct ike_sa *to)
{
	struct ike_task q[IKE_QUEUE_MAX];
	size_t nq = from->x.nqueue;

	memcpy(to->children, from->children, sizeof(to->children));
	memset(from->children, 0, sizeof(from->children));
	memcpy(q, from->x.queue, nq * sizeof(q[0]));
	from->x.nqueue = 0;
	for (size_t i = 0; i < nq; i++)
		if (q[i].kind == IKE_TASK_DELETE_CHILD || q[i].kind == IKE_TASK_REKEY_CHILD ||
		    q[i].kind == IKE_TASK_CREATE_CHILD)
			ike_x_queue(ike, to, q[i].kind, q[i].arg);
	to->reauth_of = from->reauth_of;
	to->reauth_pending = from->reauth_pending;
	from->reauth_of = 0;
	from->replaced_by = to->id;
	from->rekey_queued = false;
	from->end_reason = "rekeyed";
	from->phase = IKE_PHASE_REKEYED;
	from->hard_at = ike_now(ike) + IKE_REKEYED_TIMEOUT_NS;
}

/* --- initiator ------------------------------------------------------------------- */

int ike_rekey_ike_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego *n = &sa->nego;
	struct ike_proposal_list props = conn->ike_props;
	uint16_t group = conn->ike_ke_group ? conn->ike_ke_group : sa->suite.dh;
	const uint8_t *pub;
	size_t len;

	if (sa->phase != IKE_PHASE_ESTABLISHED) {
		sa->rekey_queued = false;
		return 1;
	}
	ike_nego_clear(n);
	ike_sa_spi_alloc(ike, n->ike_spi);
	n->ni_len = IKE_NONCE_LEN;
	ike_random(ike, n->ni, n->ni_len);
	/* KEi of the group in use (accepted before), unless the peer asked
	 * for another one. */
	n->dh = ike_dh_for(ike, group);
	if (!n->dh)
		return -1;
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = IKE_SPI_LEN;
		memcpy(props.p[i].spi, n->ike_spi, IKE_SPI_LEN);
	}
	pub = ike_dh_public(n->dh, &len);
	ike_add_sa(b, props.p, props.n);
	ike_add_nonce(b, n->ni, n->ni_len);
	ike_add_ke(b, group, pub, len);
	n->active = true;
	if (!sa->rekey_started)
		sa->rekey_started = ike_now(ike);
	return 0;
}

/* The new IKE SA of a rekey exchange, keyed; NULL with ike->diag. */
static struct ike_sa *new_sa(struct ike *ike, struct ike_sa *old, bool initiator,
                             const struct ike_proposal *chosen, const uint8_t *ni, size_t ni_len,
                             const uint8_t *nr, size_t nr_len, const uint8_t *our_spi,
                             const uint8_t *peer_spi, const uint8_t *g_ir, size_t g_len)
{
	struct ike_sa *sa = ike_sa_new_rekeyed(ike, old, initiator);

	if (!sa) {
		snprintf(ike->diag, sizeof(ike->diag), "out of memory");
		return NULL;
	}
	if (our_spi)
		memcpy(initiator ? sa->spi_i : sa->spi_r, our_spi, IKE_SPI_LEN);
	memcpy(initiator ? sa->spi_r : sa->spi_i, peer_spi, IKE_SPI_LEN);
	sa->chosen = *chosen;
	memcpy(sa->ni, ni, ni_len);
	sa->ni_len = ni_len;
	memcpy(sa->nr, nr, nr_len);
	sa->nr_len = nr_len;
	if (ike_proposal_to_suite(chosen, &sa->suite, ike->diag, sizeof(ike->diag)) < 0 ||
	    ike_sa_derive_keys(ike, sa, old, g_ir, g_len) < 0) {
		sa->phase = IKE_PHASE_DEAD;
		return NULL;
	}
	ike_sa_established(ike, sa, "rekeyed");
	return sa;
}

static const struct ike_payload *error_notify(const struct ike_msg *m)
{
	for (size_t i = 0; i < m->npayloads; i++)
		if (m->p[i].inner && m->p[i].type == IKE_PL_NOTIFY && m->p[i].u.notify.type < 16384)
			return &m->p[i];
	return NULL;
}

/* The peer's rekey made `peer_new`, which is the one (we lost, or ours
 * failed): the children go there, the peer deletes the old SA. */
static void peer_survives(struct ike *ike, struct ike_sa *sa, uint64_t peer_new)
{
	struct ike_sa *p = ike_sa_by_id(ike, peer_new);

	if (p && p->phase == IKE_PHASE_ESTABLISHED)
		ike_rekey_ike_move(ike, sa, p);
}

static void request_failed(struct ike *ike, struct ike_sa *sa, const struct ike_child_nego *n,
                           uint16_t notify)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const char *name = notify ? ike_notify_name(notify) : NULL;

	if (n->collision) {
		peer_survives(ike, sa, n->peer_ike);
		return;
	}
	if (notify == IKE_N_INVALID_KE_PAYLOAD) {
		sa->rekey_queued = false;
		ike_rekey_ike_start(ike, sa);
		return;
	}
	ike_failure(ike, sa, NULL, "initiator: rekeying IKE SA of connection '%s' failed: %s",
	            conn->cfg.name, name ? name : ike->diag);
	if (notify == IKE_N_TEMPORARY_FAILURE) {
		ike_rekey_retry_ike(ike, sa);
	} else {
		/* It lives until its hard lifetime (over_time). */
		sa->rekey_queued = false;
		sa->rekey_at = UINT64_MAX;
	}
}

void ike_rekey_ike_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego nego = sa->nego, *n = &nego;
	const struct ike_payload *err = error_notify(m), *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	struct ike_proposal_list props = conn->ike_props;
	uint8_t g_ir[IKE_DH_MAX_SECRET];
	size_t g_len;
	struct ike_sa *ns;

	if (!n->active)
		return;
	/* The negotiation is ours now: what we do may start the next. */
	memset(&sa->nego, 0, sizeof(sa->nego));
	if (err) {
		if (err->u.notify.type == IKE_N_INVALID_KE_PAYLOAD && err->u.notify.len == 2) {
			conn->ike_ke_group = get_be16(err->u.notify.data);
			ike_ke_retry(ike, sa, NULL, IKE_CREATE_CHILD_SA,
			             n->dh ? ike_dh_group(n->dh) : 0, conn->ike_ke_group);
		}
		request_failed(ike, sa, n, err->u.notify.type);
		ike_nego_clear(n);
		return;
	}
	for (size_t i = 0; i < props.n; i++) {
		props.p[i].spi_size = IKE_SPI_LEN;
		memcpy(props.p[i].spi, n->ike_spi, IKE_SPI_LEN);
	}
	if (!sap || !ke || !nr || nr->body_len < IKE_NONCE_MIN || nr->body_len > IKE_NONCE_MAX ||
	    ike_sa_decode(sap, &ike->sap, NULL) < 0 || ike->sap.nproposals != 1 ||
	    ike->sap.p[0].spi_size != IKE_SPI_LEN) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "the response needs SA (one proposal with an 8-octet SPI), Nr and KEr");
		request_failed(ike, sa, n, 0);
		ike_nego_clear(n);
		return;
	}
	if (ike_proposal_check_response(props.p, props.n, &ike->sap.p[0], 0, ike->diag,
	                                sizeof(ike->diag)) < 0 ||
	    !ike_proposal_get(&ike->sap.p[0], IKE_TT_DH) ||
	    ike_proposal_get(&ike->sap.p[0], IKE_TT_DH)->id != ke->u.ke.group ||
	    ke->u.ke.group != ike_dh_group(n->dh) ||
	    ike_dh_derive(n->dh, ke->u.ke.data, ke->u.ke.len, g_ir, sizeof(g_ir), &g_len, ike->diag,
	                  sizeof(ike->diag)) < 0) {
		request_failed(ike, sa, n, 0);
		ike_nego_clear(n);
		return;
	}
	ns = new_sa(ike, sa, true, &ike->sap.p[0], n->ni, n->ni_len, nr->body, nr->body_len,
	            n->ike_spi, ike->sap.p[0].spi, g_ir, g_len);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (!ns) {
		request_failed(ike, sa, n, 0);
		ike_nego_clear(n);
		return;
	}
	if (n->collision && ike_rekey_we_lose(n, nr->body, nr->body_len)) {
		/* §2.8.2: ours is redundant; we made it, we delete it. */
		ns->phase = IKE_PHASE_DELETING;
		ns->end_reason = "rekey collision";
		ike_x_queue(ike, ns, IKE_TASK_DELETE_IKE, 0);
		peer_survives(ike, sa, n->peer_ike);
	} else {
		/* Ours is the one (the peer deletes what its rekey made);
		 * §2.18: the rekey's initiator deletes the old SA. */
		ike_rekey_ike_move(ike, sa, ns);
		ike_x_queue(ike, sa, IKE_TASK_DELETE_IKE, 0);
	}
	ike_nego_clear(n);
}

/* --- responder ------------------------------------------------------------------- */

void ike_rekey_ike_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                                  struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	bool ours = sa->x.pending && sa->x.task.kind == IKE_TASK_REKEY_IKE;
	struct ike_proposal chosen;
	const struct ike_transform *g;
	uint8_t g_ir[IKE_DH_MAX_SECRET], nr[IKE_NONCE_LEN], grp[2];
	const uint8_t *pub;
	struct ike_dh *dh;
	struct ike_sa *ns;
	size_t g_len, len;

	if (sa->phase != IKE_PHASE_ESTABLISHED || (sa->x.pending && !ours)) {
		/* §2.25.2: rekeyed or being closed already, or busy with a
		 * request of ours that must finish on this SA. */
		ike_add_notify(b, 0, NULL, 0, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (!ke || !ni || ni->body_len < IKE_NONCE_MIN || ni->body_len > IKE_NONCE_MAX) {
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (ike_proposal_select(ike->sap.p, ike->sap.nproposals, &conn->ike_props, 0, &chosen,
	                        &ike->sel_diag) < 0 ||
	    chosen.spi_size != IKE_SPI_LEN) {
		ike_select_diag_format(&ike->sel_diag, ike->diag, sizeof(ike->diag));
		ike_failure(ike, sa, NULL,
		            "responder: rekeying IKE SA of connection '%s': %s; sending "
		            "NO_PROPOSAL_CHOSEN",
		            conn->cfg.name, ike->diag);
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	g = ike_proposal_get(&chosen, IKE_TT_DH);
	if (!g || ke->u.ke.group != g->id) {
		put_be16(grp, g ? g->id : 0);
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD, grp, 2);
		return;
	}
	dh = ike_dh_for(ike, g->id);
	if (!dh || ike_dh_derive(dh, ke->u.ke.data, ke->u.ke.len, g_ir, sizeof(g_ir), &g_len,
	                         ike->diag, sizeof(ike->diag)) < 0) {
		ike_dh_free(dh);
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	ike_random(ike, nr, sizeof(nr));
	ns = new_sa(ike, sa, false, &chosen, ni->body, ni->body_len, nr, sizeof(nr), NULL,
	            chosen.spi, g_ir, g_len);
	OPENSSL_cleanse(g_ir, sizeof(g_ir));
	if (!ns) {
		ike_dh_free(dh);
		ike_failure(ike, sa, NULL, "responder: rekeying IKE SA: %s", ike->diag);
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	memcpy(chosen.spi, ns->spi_r, IKE_SPI_LEN);
	pub = ike_dh_public(dh, &len);
	ike_add_sa(b, &chosen, 1);
	ike_add_nonce(b, nr, sizeof(nr));
	ike_add_ke(b, g->id, pub, len);
	ike_dh_free(dh);
	if (!sa->rekey_started)
		sa->rekey_started = ike_now(ike);
	if (ours) {
		/* §2.8.2: our answer decides which new SA stays. */
		ike_rekey_note_collision(&sa->nego, ni->body, ni->body_len, nr, sizeof(nr));
		sa->nego.peer_ike = ns->id;
		return;
	}
	ike_rekey_ike_move(ike, sa, ns);
}

void ike_rekey_ike_peer_deleted(struct ike *ike, struct ike_sa *sa)
{
	/* §2.25.2: forget our rekey; the peer's is the one. */
	if (sa->nego.active && sa->nego.collision && sa->phase == IKE_PHASE_ESTABLISHED)
		peer_survives(ike, sa, sa->nego.peer_ike);
}
