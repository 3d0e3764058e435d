/* MOBIKE (RFC 4555): an IKE SA and its Child SAs move to new addresses.
 *
 *   IKE_AUTH     both ends announce N(MOBIKE_SUPPORTED) when their
 *                connection has `mobike` (§3.3); a MOBIKE initiator is on
 *                port 4500 from IKE_AUTH on (ike_natt_float).
 *   moving       only the original initiator decides which addresses are
 *                used (§3.1).  When the host reports that one of this
 *                node's addresses changed, the initiator moves the IKE SA
 *                and its Child SAs to the new address at once and tells
 *                the peer (§3.5):
 *
 *     Initiator                             Responder
 *     HDR, SK { N(UPDATE_SA_ADDRESSES),
 *               N(NAT_DETECTION_SOURCE_IP),
 *               N(NAT_DETECTION_DESTINATION_IP) }  -->
 *                           <--  HDR, SK { N(NAT_DETECTION_SOURCE_IP),
 *                                          N(NAT_DETECTION_DESTINATION_IP) }
 *
 *                the responder takes the addresses and ports of the
 *                request's IP and UDP headers for the IKE SA and every
 *                Child SA, and both redo NAT detection (§3.5, §3.8):
 *                UDP encapsulation goes on or off with the NAT.
 *   without MOBIKE  an initiator whose address changed reauthenticates
 *                from the new one (a new IKE SA and Child SAs, RFC 7296
 *                §2.8.3), as strongSwan does; a responder cannot move an
 *                IKE SA and waits for the peer (its DPD or its traffic).
 *   setting up   an initiator's IKE SA that is not established yet sends
 *                its IKE_SA_INIT again from the new address; after
 *                IKE_SA_INIT the responder knows it by the old address and
 *                nothing can move a half-open SA, so a new IKE SA starts
 *                over in its place (one a reauthentication was making
 *                goes on as that reauthentication).
 *
 *   families     with IKE_AUTH both ends list the addresses they do not
 *                use (ADDITIONAL_IP4_ADDRESS, ADDITIONAL_IP6_ADDRESS,
 *                §3.4; the host gives them, ike_set_local_addresses).  An
 *                initiator whose new address is of the other family moves
 *                to the peer's first address of that family (and keeps the
 *                one it leaves among the peer's addresses, to come back);
 *                without one the IKE SA cannot move and stays, until DPD
 *                or the peer ends it.
 *
 * Not implemented: later changes of the address lists (§3.6: updates in
 * INFORMATIONAL, NO_ADDITIONAL_ADDRESSES) and path probing (§3.6), the
 * return routability check (§3.9, COOKIE2), NO_NATS_ALLOWED (§3.8).
 * MOBIKE moves tunnel-mode Child SAs; a transport-mode child's selectors
 * name the old address and stay.
 */
#include "ike_sa.h"

void ike_mobike_add_supported(const struct ike *ike, const struct ike_sa *sa, struct ike_builder *b)
{
	if (!ike_sa_conn(ike, sa)->cfg.mobike)
		return;
	ike_add_notify(b, 0, NULL, 0, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	/* §3.4: the addresses besides the one the IKE SA uses. */
	for (size_t i = 0; i < ike->n_addrs; i++) {
		const struct ip_addr *a = &ike->addrs[i];

		if (!ip_addr_eq(a, &sa->local_addr))
			ike_add_notify(b, 0, NULL, 0,
			               a->family == IP_FAMILY_V4 ? IKE_N_ADDITIONAL_IP4_ADDRESS
			                                         : IKE_N_ADDITIONAL_IP6_ADDRESS,
			               a->b, ip_family_len(a->family));
	}
}

void ike_mobike_auth_received(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	sa->mobike = ike_sa_conn(ike, sa)->cfg.mobike &&
	             ike_msg_find_notify(m, IKE_N_MOBIKE_SUPPORTED) != NULL;
	sa->n_peer_addrs = 0;
	for (size_t i = 0; sa->mobike && i < m->npayloads; i++) {
		const struct ike_payload *p = &m->p[i];
		uint8_t family = 0;

		if (p->type != IKE_PL_NOTIFY || sa->n_peer_addrs == IKE_ADDRS_MAX)
			continue;
		if (p->u.notify.type == IKE_N_ADDITIONAL_IP4_ADDRESS && p->u.notify.len == 4)
			family = IP_FAMILY_V4;
		else if (p->u.notify.type == IKE_N_ADDITIONAL_IP6_ADDRESS && p->u.notify.len == 16)
			family = IP_FAMILY_V6;
		if (family)
			sa->peer_addrs[sa->n_peer_addrs++] =
			        ip_addr_from_bytes(family, p->u.notify.data);
	}
}

/* §3.4: the peer's first address of `family` (the IKE SA's is of the
 * other), swapped with the one in use so that a move back finds it.
 * False: the peer gave none. */
static bool peer_of_family(struct ike_sa *sa, uint8_t family, struct ip_addr *remote)
{
	for (size_t i = 0; i < sa->n_peer_addrs; i++) {
		if (sa->peer_addrs[i].family == family) {
			*remote = sa->peer_addrs[i];
			sa->peer_addrs[i] = sa->remote_addr;
			return true;
		}
	}
	return false;
}

void ike_mobike_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b)
{
	ike_add_notify(b, 0, NULL, 0, IKE_N_UPDATE_SA_ADDRESSES, NULL, 0);
	ike_natt_add_notifies(ike, sa, b, sa->spi_r);
}

/* §3.5: NAT detection again, on the addresses the update used; a change
 * turns UDP encapsulation of the Child SAs on or off. */
static void redetect(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                     struct ip_addr src, uint16_t sport, struct ip_addr dst, uint16_t dport,
                     struct ip_addr local, uint16_t lport, struct ip_addr remote, uint16_t rport)
{
	bool had = ike_natt_encap(ike, sa);

	ike_natt_detect(ike, sa, m, sa->spi_r, src, sport, dst, dport);
	if (ike_natt_encap(ike, sa) != had || !ip_addr_eq(&local, &sa->local_addr) ||
	    !ip_addr_eq(&remote, &sa->remote_addr) || lport != sa->local_port ||
	    rport != sa->remote_port)
		ike_sa_move(ike, sa, local, lport, remote, rport, "mobike update");
	ike_natt_schedule(ike, sa);
}

void ike_mobike_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	/* The response came from where the request went, to where it came
	 * from (RFC 7296 §2.11); ike_natt_follow noted our side. */
	redetect(ike, sa, m, sa->remote_addr, sa->remote_port, sa->local_addr, sa->local_port,
	         sa->local_addr, sa->local_port, sa->remote_addr, sa->remote_port);
}

void ike_mobike_request_received(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                                 struct ip_addr src, uint16_t sport, struct ip_addr dst,
                                 uint16_t dport)
{
	if (!sa->mobike || sa->initiator || m->exchange != IKE_INFORMATIONAL ||
	    !ike_msg_find_notify(m, IKE_N_UPDATE_SA_ADDRESSES))
		return;
	/* §3.5: the addresses of the request's headers, even if they are the
	 * old ones (the update then only redoes NAT detection). */
	redetect(ike, sa, m, src, sport, dst, dport, dst, dport, src, sport);
}

void ike_mobike_answer(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                       struct ike_builder *b)
{
	if (sa->mobike && !sa->initiator && ike_msg_find_notify(m, IKE_N_UPDATE_SA_ADDRESSES))
		ike_natt_add_notifies(ike, sa, b, sa->spi_r);
}

static void restart(struct ike *ike, struct ike_sa *sa, struct ip_addr new_addr)
{
	struct ike_sa *ns;

	sa->local_addr = new_addr;
	if (sa->phase == IKE_PHASE_INIT_SENT) {
		if (sa->x.pending)
			ike_x_restart(ike, sa); /* the NAT_DETECTION hashes anew */
		return;
	}
	ns = ike_sa_new(ike, sa->conn, true);
	if (!ns)
		return;
	ns->start_child = sa->start_child;
	ns->reauth_pending = sa->reauth_pending;
	ns->reauth_of = sa->reauth_of;
	sa->reauth_of = 0;
	sa->reauth_pending = 0;
	ike_x_queue(ike, ns, IKE_TASK_SA_INIT, 0);
	ike_sa_end(ike, sa, IKE_STATE_FAILED, "address changed", IKE_END_CLEAR);
}

void ike_mobike_address_changed(struct ike *ike, struct ip_addr old_addr, struct ip_addr new_addr)
{
	for (size_t i = 0; i < ike->nconns; i++)
		if (ip_addr_eq(&ike->conns[i].cfg.local_addr, &old_addr))
			ike->conns[i].cfg.local_addr = new_addr;
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (!ip_addr_eq(&sa->local_addr, &old_addr) || sa->phase == IKE_PHASE_DEAD)
			continue;
		if (sa->initiator &&
		    (sa->phase == IKE_PHASE_INIT_SENT || sa->phase == IKE_PHASE_AUTH_SENT)) {
			restart(ike, sa, new_addr);
			continue;
		}
		if (sa->phase != IKE_PHASE_ESTABLISHED) {
			/* Going away, or a responder's half-open SA: its next
			 * messages leave from the new address (§2.11). */
			sa->local_addr = new_addr;
			continue;
		}
		struct ip_addr remote = sa->remote_addr;

		/* To the other family only with MOBIKE, to an address the peer
		 * gave; else it cannot move. */
		if (new_addr.family != remote.family &&
		    !(sa->mobike && sa->initiator && peer_of_family(sa, new_addr.family, &remote)))
			continue;
		ike_sa_move(ike, sa, new_addr, sa->local_port, remote, sa->remote_port,
		            "local address changed");
		if (sa->mobike && sa->initiator)
			ike_x_queue(ike, sa, IKE_TASK_MOBIKE, 0);
		else if (sa->initiator)
			ike_reauth_start(ike, sa);
	}
}
