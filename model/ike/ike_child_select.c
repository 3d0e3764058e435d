/* The responder's half of negotiating a Child SA, shared by IKE_AUTH
 * (RFC 7296 §1.2) and CREATE_CHILD_SA (§1.3.1, §1.3.3): which child of the
 * connection the initiator's traffic selectors ask for (§2.9, narrowed to
 * ours; a rekey keeps its child), the ESP proposal (§2.7, with a
 * diagnostic when nothing matches) and the mode (§1.3.1).  A refusal puts
 * the error notification into the response and reports why. */
#include "ike_sa.h"

#include <stdio.h>
#include <string.h>

/* §2.9: narrow the initiator's selectors to those of child `i`; true if
 * something is left on both sides. */
static bool narrow(const struct ike *ike, const struct ike_sa *sa, size_t i,
                   const struct ike_ts_payload *tsi, const struct ike_ts_payload *tsr,
                   struct ike_child_offer *o)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	const struct ike_child_config *cc = &c->children[i];
	struct ike_ts l[IKE_TS_MAX], r[IKE_TS_MAX];
	size_t nl = ike_ts_from_config(cc->local_ts, cc->n_local_ts, c->local_addr, l);
	size_t nrem = ike_ts_from_config(
	        cc->remote_ts, cc->n_remote_ts,
	        ip_addr_is_set(&c->remote_addr) ? c->remote_addr : sa->remote_addr, r);

	/* TSi is the initiator's side: our remote. */
	o->nni = ike_ts_narrow(tsi->ts, tsi->n, r, nrem, o->ni);
	o->nnr = ike_ts_narrow(tsr->ts, tsr->n, l, nl, o->nr);
	return o->nni && o->nnr;
}

static void ts_unacceptable(struct ike *ike, struct ike_sa *sa, const struct ike_ts_payload *tsi,
                            const struct ike_ts_payload *tsr, struct ike_builder *b)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	char t1[300], t2[300], mine[600] = "";
	size_t used = 0;

	ike_ts_format(tsi->ts, tsi->n, t1, sizeof(t1));
	ike_ts_format(tsr->ts, tsr->n, t2, sizeof(t2));
	for (size_t i = 0; i < c->n_children && used < sizeof(mine); i++) {
		const struct ike_child_config *cc = &c->children[i];
		struct ike_ts l[IKE_TS_MAX], r[IKE_TS_MAX];
		char a[250], z[250];

		ike_ts_format(l, ike_ts_from_config(cc->local_ts, cc->n_local_ts, c->local_addr, l),
		              a, sizeof(a));
		ike_ts_format(r,
		              ike_ts_from_config(cc->remote_ts, cc->n_remote_ts,
		                                 ip_addr_is_set(&c->remote_addr) ? c->remote_addr
		                                                                 : sa->remote_addr,
		                                 r),
		              z, sizeof(z));
		used += (size_t)snprintf(mine + used, sizeof(mine) - used,
		                         "%schild '%s' local %s remote %s", i ? "; " : "", cc->name,
		                         a, z);
	}
	ike_failure(ike, sa, NULL,
	            "responder: TS_UNACCEPTABLE: the initiator proposed TSi %s, TSr %s; no "
	            "child of connection '%s' overlaps on both sides (%s)",
	            t1, t2, c->name, mine);
	ike_add_notify(b, 0, NULL, 0, IKE_N_TS_UNACCEPTABLE, NULL, 0);
}

int ike_child_select(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                     struct ike_builder *b, unsigned flags, long cfg, struct ike_child_offer *o)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	struct ike_ts_payload *pi = &ike->tsp[0], *pr = &ike->tsp[1];
	const struct ike_child_config *cc;

	o->transport = ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	if (ike_sa_decode(sap, &ike->sap, NULL) < 0 || ike_ts_decode(tsi, pi, NULL) < 0 ||
	    ike_ts_decode(tsr, pr, NULL) < 0) {
		ike_add_notify(b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -1;
	}
	if (cfg >= 0) {
		/* A rekey (§1.3.3): the child stays what it is. */
		o->cfg = (size_t)cfg;
		if (!narrow(ike, sa, o->cfg, pi, pr, o)) {
			ts_unacceptable(ike, sa, pi, pr, b);
			return -1;
		}
	} else {
		size_t i;

		for (i = 0; i < conn->cfg.n_children && !narrow(ike, sa, i, pi, pr, o); i++)
			;
		if (i == conn->cfg.n_children) {
			ts_unacceptable(ike, sa, pi, pr, b);
			return -1;
		}
		o->cfg = i;
	}
	cc = &conn->cfg.children[o->cfg];
	if (ike_proposal_select(ike->sap.p, ike->sap.nproposals, &conn->esp_props[o->cfg], flags,
	                        &o->chosen, &ike->sel_diag) < 0) {
		char got[400], ours[400];

		/* both lists as strongSwan logs them, in its syntax */
		ike_select_diag_format(&ike->sel_diag, ike->diag, sizeof(ike->diag));
		ike_proposals_format(ike->sap.p, ike->sap.nproposals, got, sizeof(got));
		ike_proposals_format(conn->esp_props[o->cfg].p, conn->esp_props[o->cfg].n, ours,
		                     sizeof(ours));
		ike_failure(ike, sa, NULL,
		            "responder: Child SA '%s': %s; received proposals: %s; configured "
		            "proposals: %s; sending NO_PROPOSAL_CHOSEN",
		            cc->name, ike->diag, got, ours);
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -1;
	}
	if (o->transport != (cc->mode == IPSEC_MODE_TRANSPORT)) {
		/* §1.3.1 lets a responder fall back to tunnel mode; we refuse
		 * any mismatch so that a misconfiguration is visible. */
		ike_failure(ike, sa, NULL,
		            "responder: Child SA '%s': the initiator asked for %s mode, the child "
		            "is configured for %s mode; sending NO_PROPOSAL_CHOSEN",
		            cc->name, o->transport ? "transport" : "tunnel",
		            o->transport ? "tunnel" : "transport");
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -1;
	}
	return 0;
}
