/* NAT traversal upkeep once an IKE SA is up (RFC 7296 §2.23, RFC 3948):
 *
 *   - following the peer: with a NAT on the path, the peer's address and
 *     port are those of the last authenticated message (never of an
 *     unauthenticated one); when they move (the NAT rebound the mapping,
 *     libreswan#1728), the IKE SA and the UDP encapsulation of every
 *     outbound Child SA follow at once;
 *   - NAT keepalives (RFC 3948 §2.3): behind a NAT, a single 0xff octet
 *     from port 4500 every keepalive_ns in which we sent nothing else to
 *     the peer, so that the mapping stays (strongSwan's charon.keep_alive;
 *     it also counts ESP, we count IKE messages only).
 */
#include "ike_sa.h"

void ike_natt_follow(struct ike *ike, struct ike_sa *sa, uint32_t src, uint16_t sport, uint32_t dst,
                     uint16_t dport)
{
	struct ike_event ev;

	sa->local_addr = dst;
	sa->local_port = dport;
	if (src == sa->remote_addr && sport == sa->remote_port)
		return;
	if (!sa->nat_local && !sa->nat_remote)
		return;
	sa->remote_addr = src;
	sa->remote_port = sport;
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used)
			ipsec_sa_set_peer(ike->dp, sa->children[k].sa_out, src, sport);
	ev = ike_event_for(ike, sa, IKE_EV_NAT);
	ev.nat_local = sa->nat_local;
	ev.nat_remote = sa->nat_remote;
	ev.reason = "peer moved";
	ike_emit(ike, &ev);
}

void ike_natt_schedule(struct ike *ike, struct ike_sa *sa)
{
	uint64_t every = ike_sa_conn(ike, sa)->cfg.keepalive_ns;

	sa->keepalive_at = sa->nat_local && every ? ike_now(ike) + every : UINT64_MAX;
}

uint64_t ike_natt_deadline(const struct ike_sa *sa)
{
	return sa->phase == IKE_PHASE_ESTABLISHED ? sa->keepalive_at : UINT64_MAX;
}

void ike_natt_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t every = ike_sa_conn(ike, sa)->cfg.keepalive_ns;
	static const uint8_t keepalive = 0xff;

	if (sa->phase != IKE_PHASE_ESTABLISHED || now < sa->keepalive_at)
		return;
	if (sa->last_tx + every <= now) {
		ike->st.keepalives++;
		ike->ops.send(ike->host, sa->local_addr, sa->local_port, sa->remote_addr,
		              sa->remote_port, &keepalive, 1);
		sa->last_tx = now;
	}
	sa->keepalive_at = sa->last_tx + every;
}
