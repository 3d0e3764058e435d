/* Reauthentication (RFC 7296 §2.8.3): a new IKE SA from scratch --
 * IKE_SA_INIT and IKE_AUTH with its first Child SA, the other children
 * created on it with CREATE_CHILD_SA -- that replaces the old IKE SA and
 * its children.  Two orders (the connection's `reauth_policy`):
 *
 *   make-before-break  the new IKE SA and all its children are set up while
 *                      the old ones carry the traffic; then the old IKE SA
 *                      is deleted with its children.  Our IKE_AUTH leaves
 *                      out INITIAL_CONTACT (§2.4) since the old SA is still
 *                      in use; the responder installs the new children's
 *                      policies behind the old ones (ike_child.c), so that
 *                      both ends switch no earlier than the peer can
 *                      receive (strongSwan's charon.make_before_break).
 *   break-before-make  the old IKE SA is deleted first, then the new one is
 *                      set up: packets are dropped in between (strongSwan
 *                      5.9's default reauthentication).
 *
 * Only the initiator of the reauthentication does anything special; the
 * old IKE SA ends as IKE_STATE_REKEYED (make-before-break, replaced_by
 * names the new one) or IKE_STATE_DELETED with reason "reauth".
 */
#include "ike_sa.h"

/* Child configs with live children on `sa`, a bit each. */
static uint32_t child_configs(const struct ike_sa *sa)
{
	uint32_t mask = 0;

	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		const struct ike_child *c = &sa->children[k];

		if (c->used && !c->redundant && !c->deleting)
			mask |= 1u << c->cfg;
	}
	return mask;
}

static size_t lowest_bit(uint32_t mask)
{
	size_t i = 0;

	while (mask && !(mask & (1u << i)))
		i++;
	return i;
}

/* A new IKE SA for the child configs of `mask`: the first one rides along
 * in IKE_AUTH, the others follow (ike_reauth_child_done). */
static struct ike_sa *initiate(struct ike *ike, size_t conn, uint32_t mask, size_t fallback)
{
	struct ike_sa *ns = ike_sa_new(ike, conn, true);

	if (!ns)
		return NULL;
	ns->start_child = mask ? lowest_bit(mask) : fallback;
	ns->reauth_pending = mask & ~(1u << ns->start_child);
	ike_x_queue(ike, ns, IKE_TASK_SA_INIT, 0);
	return ns;
}

void ike_reauth_start(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	struct ike_sa *ns;

	if (sa->rekey_queued || sa->phase != IKE_PHASE_ESTABLISHED)
		return;
	sa->rekey_queued = true;
	sa->rekey_started = ike_now(ike);
	if (c->reauth_policy == IKE_BREAK_BEFORE_MAKE) {
		/* Deleted first; ike_reauth_sa_ended() sets up the new one. */
		sa->reauth_pending = child_configs(sa);
		sa->reauth_bbm = true;
		sa->phase = IKE_PHASE_DELETING;
		sa->end_reason = "reauth";
		sa->x.nqueue = 0;
		ike_x_queue(ike, sa, IKE_TASK_DELETE_IKE, 0);
		return;
	}
	ns = initiate(ike, sa->conn, child_configs(sa), sa->start_child);
	if (ns)
		ns->reauth_of = sa->id;
}

void ike_reauth_sa_ended(struct ike *ike, struct ike_sa *sa)
{
	if (sa->reauth_bbm) {
		sa->reauth_bbm = false;
		initiate(ike, sa->conn, sa->reauth_pending, sa->start_child);
	}
}

void ike_reauth_child_done(struct ike *ike, struct ike_sa *sa)
{
	struct ike_sa *old;

	if (sa->phase != IKE_PHASE_ESTABLISHED || sa->x.pending || sa->x.nqueue)
		return;
	if (sa->reauth_pending) {
		size_t cfg = lowest_bit(sa->reauth_pending);

		sa->reauth_pending &= ~(1u << cfg);
		ike_x_queue(ike, sa, IKE_TASK_CREATE_CHILD, (uint32_t)cfg);
		return;
	}
	old = sa->reauth_of ? ike_sa_by_id(ike, sa->reauth_of) : NULL;
	sa->reauth_of = 0;
	if (!old || old->phase != IKE_PHASE_ESTABLISHED)
		return;
	/* Make-before-break: everything is in place; the old SA goes. */
	old->replaced_by = sa->id;
	old->phase = IKE_PHASE_REKEYED;
	old->end_reason = "reauth";
	old->x.nqueue = 0;
	ike_x_queue(ike, old, IKE_TASK_DELETE_IKE, 0);
}

bool ike_reauth_initial_contact(const struct ike *ike, const struct ike_sa *sa)
{
	/* §2.4: only when this is to be the only IKE SA with the peer. */
	for (const struct ike_sa *o = ike->sas; o; o = o->next)
		if (o != sa && o->conn == sa->conn &&
		    (o->phase == IKE_PHASE_ESTABLISHED || o->phase == IKE_PHASE_REKEYED))
			return false;
	return true;
}

void ike_reauth_initial_contact_received(struct ike *ike, struct ike_sa *sa)
{
	/* §2.4: every other IKE SA with this peer (its authenticated
	 * identity) is stale: it restarted. */
	for (struct ike_sa *o = ike->sas; o; o = o->next)
		if (o != sa && ike_sa_same_peer(o, sa) &&
		    (o->phase == IKE_PHASE_ESTABLISHED || o->phase == IKE_PHASE_REKEYED ||
		     o->phase == IKE_PHASE_DELETING))
			ike_sa_end(ike, o, IKE_STATE_DELETED, "initial contact", IKE_END_CLEAR);
}
