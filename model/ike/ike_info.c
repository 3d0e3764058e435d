/* INFORMATIONAL exchanges (RFC 7296 §1.4): deleting Child SAs (§1.4.1,
 * both directions of a pair at once) and the IKE SA, dead-peer detection
 * (§2.4: an empty request when the peer has been quiet for dpd_delay), and
 * notifications (§3.10.1: unknown status types are ignored). */
#include "ike_sa.h"

#include "ipv4.h"

#include <stdio.h>
#include <string.h>

int ike_info_build_request(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                           struct ike_builder *b)
{
	struct ike_child *c;
	uint8_t spi[4];

	switch (t->kind) {
	case IKE_TASK_DELETE_CHILD:
		/* §1.4.1: the SPI the peer sends with, i.e. our inbound one. */
		c = ike_child_by_uid(sa, t->arg);
		if (!c)
			return 1; /* gone meanwhile */
		put_be32(spi, c->spi_in);
		ike_add_delete(b, IKE_PROTO_ESP, 4, spi, 1);
		break;
	case IKE_TASK_DELETE_IKE:
		ike_add_delete(b, IKE_PROTO_IKE, 0, NULL, 0);
		break;
	case IKE_TASK_AUTH_FAILED:
		/* §2.21.2: the initiator could not verify the responder. */
		ike_add_notify(b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		break;
	case IKE_TASK_MOBIKE:
		ike_mobike_build_request(ike, sa, b);
		break;
	default: /* IKE_TASK_DPD: an empty INFORMATIONAL (§2.4) */
		break;
	}
	return 0;
}

/* §1.4.1: delete the Child SAs whose outbound SPIs the peer names (its
 * inbound ones) and answer with our inbound SPIs of the same pairs -- but
 * not of those we are deleting ourselves: both sides sent a DELETE, and
 * each removes the pair once (§1.4.1).  §2.25.1: a child we are rekeying
 * is deleted all the same, and our rekey forgotten (ike_create_child.c
 * learns it from the negotiation state). */
static void delete_children(struct ike *ike, struct ike_sa *sa, const struct ike_payload *d,
                            uint8_t *spis, uint16_t *n)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);

	if ((d->u.del.protocol != IKE_PROTO_ESP && d->u.del.protocol != IKE_PROTO_AH) ||
	    d->u.del.spi_size != 4)
		return;
	for (uint16_t i = 0; i < d->u.del.nspi; i++) {
		struct ike_child *c = ike_child_by_spi_out(sa, get_be32(d->u.del.spis + 4 * i));
		enum ike_child_action action;

		if (!c)
			continue; /* §1.4.1: not an error; already gone */
		if (!c->deleting && *n < IKE_SA_CHILDREN) {
			put_be32(spis + 4 * *n, c->spi_in);
			(*n)++;
		}
		action = conn->cfg.children[c->cfg].close_action;
		if (c->deleting || c->redundant)
			action = IKE_ACTION_CLEAR;
		if (sa->nego.active && sa->nego.old == c->uid) {
			sa->nego.old_gone = true;
			sa->nego.old_replaced = c->successor != 0;
			action = IKE_ACTION_CLEAR; /* the rekey's answer decides */
		}
		ike_child_remove(ike, sa, c, "peer delete", action);
	}
}

bool ike_info_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b)
{
	uint8_t spis[4 * IKE_SA_CHILDREN];
	uint16_t n = 0;
	bool end = false;

	for (size_t i = 0; i < m->npayloads; i++) {
		const struct ike_payload *p = &m->p[i];

		if (!p->inner)
			continue;
		if (p->type == IKE_PL_DELETE) {
			if (p->u.del.protocol == IKE_PROTO_IKE) {
				/* §1.4.1: the response is empty; the IKE SA and its
				 * children are gone -- unless they moved to a new
				 * IKE SA (§2.25.2). */
				ike_rekey_ike_peer_deleted(ike, sa);
				sa->end_reason =
				        sa->phase == IKE_PHASE_REKEYED ? "rekeyed" : "peer delete";
				sa->end_children = IKE_END_CLOSE;
				end = true;
			} else {
				delete_children(ike, sa, p, spis, &n);
			}
		} else if (p->type == IKE_PL_NOTIFY &&
		           p->u.notify.type == IKE_N_AUTHENTICATION_FAILED) {
			ike_failure(
			        ike, sa, NULL,
			        "responder: the initiator reports AUTHENTICATION_FAILED: it could "
			        "not verify our identity or AUTH payload (check its remote id and "
			        "secret)");
			sa->end_reason = "authentication failed";
			end = true;
		}
		/* Other notifications: errors in a request mean nothing to us
		 * here, unknown status types are ignored (§3.10.1). */
	}
	if (n && !end)
		ike_add_delete(b, IKE_PROTO_ESP, 4, spis, n);
	if (!end)
		ike_mobike_answer(ike, sa, m, b);
	return end;
}

void ike_info_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                              const struct ike_msg *m)
{
	struct ike_child *c;

	switch (t->kind) {
	case IKE_TASK_DELETE_CHILD:
		c = ike_child_by_uid(sa, t->arg);
		if (c)
			ike_child_remove(ike, sa, c,
			                 c->redundant      ? "rekey collision"
			                 : c->hard_expired ? "expired"
			                                   : "delete",
			                 IKE_ACTION_CLEAR);
		break;
	case IKE_TASK_DELETE_IKE:
		ike_sa_end(ike, sa,
		           sa->phase == IKE_PHASE_REKEYED ? IKE_STATE_REKEYED : IKE_STATE_DELETED,
		           sa->end_reason ? sa->end_reason : "delete", IKE_END_CLEAR);
		break;
	case IKE_TASK_AUTH_FAILED:
		ike_sa_end(ike, sa, IKE_STATE_FAILED, "authentication failed", IKE_END_CLEAR);
		break;
	case IKE_TASK_MOBIKE:
		ike_mobike_handle_response(ike, sa, m);
		break;
	default: /* DPD: the peer is alive; ike_x_receive noted the time */
		break;
	}
}

void ike_info_dpd_check(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t delay = ike_sa_conn(ike, sa)->cfg.dpd_delay_ns;
	bool traffic = false;

	if (!delay || now < sa->dpd_at || sa->x.pending)
		return;
	/* strongSwan counts inbound ESP as a sign of life too. */
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *c = &sa->children[k];
		const struct ipsec_sa_stats *st;

		if (!c->used || !(st = ipsec_sa_stats(ike->dp, c->sa_in)))
			continue;
		if (st->packets != c->in_packets) {
			c->in_packets = st->packets;
			traffic = true;
		}
	}
	sa->dpd_at = now + delay;
	if (!traffic)
		ike_x_queue(ike, sa, IKE_TASK_DPD, 0);
}
