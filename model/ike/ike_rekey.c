/* When and how SAs are replaced (RFC 7296 §2.8):
 *
 * Triggers.  A Child SA is rekeyed at rekey_time - random(0..rand_time)
 * after it was installed (strongSwan's jitter: §2.8.1 asks for it so that
 * both ends rarely start at once), when the data plane reports a soft byte
 * or packet lifetime (IPSEC_EV_SOFT_EXPIRE; the limits are jittered with
 * rand_bytes / rand_packets in ike_child.c), or on ike_rekey().  The IKE SA
 * is rekeyed at its rekey_time - random(rand_time), reauthenticated at its
 * reauth_time - random(rand_time), and deleted at the larger of the two
 * plus over_time if neither has happened.  The random numbers come from
 * the host's random_bytes, so a fixed source gives fixed times.
 *
 * The data plane around a Child SA rekey (per child, `rekey_policy`):
 *
 *   make-before-break    initiator                   responder
 *     request sent        -                           -
 *     request received                                new in+out SAs; the
 *                                                     policies still send
 *                                                     on the old pair
 *     response received   new in+out SAs; policies    -
 *                         switch to the new pair;
 *                         DELETE of the old sent
 *     DELETE received                                 policies switch; old
 *                                                     pair removed
 *     DELETE answered     old pair removed            -
 *
 *   break-before-make: the old outbound SA is deleted first -- by the
 *   initiator when it sends its request, by the responder when it receives
 *   it -- so the policies drop packets (no_sa) until the new pair is in
 *   place; the responder switches to the new pair with its response.
 *
 * This is strongSwan's make-before-break since 5.5 (src/libcharon/sa/ikev2/
 * tasks/child_rekey.c build_r() and child_delete.c, with child_sa.c's
 * CHILD_OUTBOUND_REGISTERED state: the responder installs the new outbound
 * SA only once the old one is deleted), which never loses a packet that is
 * not itself late: the
 * initiator receives on the old SA until its DELETE is answered, and the
 * responder uses the new SA only once the initiator has it.  RFC 7296 §2.8
 * lets either side use the new SA once it is established, and requires
 * both to accept packets on old and new SAs while both exist.  As
 * strongSwan does (child_delete.c, charon.delete_rekeyed_delay, 5 s), the
 * DELETE exchange removes only the old outbound SA; the old inbound SA
 * stays for the connection's delete_rekeyed_delay, so that packets still in
 * flight on it (reordered, or queued behind the DELETE) are accepted, and
 * its removal reports how many arrived in that time (IKE_CHILD_REMOVED,
 * late_packets).
 *
 * The policies' SA ids are switched in place (ipsec_spd_replace_sa), so the
 * SPD order never changes.  Per rekey an IKE_CHILD_REKEYED event reports
 * the new SPIs, the old ones, the duration (request sent or received ->
 * old pair removed) and the packets this node dropped on the old outbound
 * SA in that window.
 */
#include "ike_sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL
/* strongSwan's child_create.c / ike_rekey.c: retry after TEMPORARY_FAILURE
 * in RETRY_INTERVAL - random(RETRY_JITTER) seconds. */
#define RETRY_INTERVAL_NS (15 * NS)
#define RETRY_JITTER_NS (10 * NS)

static uint64_t jittered(struct ike *ike, uint64_t from, uint64_t t, uint64_t rand)
{
	if (!t)
		return UINT64_MAX;
	return from + t - ike_random_below(ike, rand < t ? rand : t - 1);
}

/* --- §2.8.1: the lowest nonce ----------------------------------------------------- */

/* "Lowest" is an octet-by-octet comparison; of two nonces of which one is
 * the start of the other, the shorter is lower. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

void ike_rekey_note_collision(struct ike_child_nego *n, const uint8_t *ni, size_t ni_len,
                              const uint8_t *nr, size_t nr_len)
{
	bool first = nonce_cmp(ni, ni_len, nr, nr_len) < 0;

	n->collision = true;
	n->peer_nonce_len = first ? ni_len : nr_len;
	memcpy(n->peer_nonce, first ? ni : nr, n->peer_nonce_len);
}

bool ike_rekey_we_lose(const struct ike_child_nego *n, const uint8_t *nr, size_t nr_len)
{
	bool ni_lower = nonce_cmp(n->ni, n->ni_len, nr, nr_len) < 0;
	const uint8_t *ours = ni_lower ? n->ni : nr;
	size_t len = ni_lower ? n->ni_len : nr_len;

	return nonce_cmp(ours, len, n->peer_nonce, n->peer_nonce_len) < 0;
}

/* --- Child SAs ----------------------------------------------------------------------- */

void ike_rekey_schedule_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c)
{
	const struct ike_child_config *cc = &ike_sa_conn(ike, sa)->cfg.children[c->cfg];

	c->rekey_at = jittered(ike, c->installed, cc->rekey_time_ns, cc->rand_time_ns);
}

void ike_rekey_child_start(struct ike *ike, struct ike_sa *sa, struct ike_child *c)
{
	if (c->rekeying || c->successor || c->deleting || c->redundant ||
	    sa->phase != IKE_PHASE_ESTABLISHED)
		return;
	c->rekeying = true;
	ike_x_queue(ike, sa, IKE_TASK_REKEY_CHILD, c->uid);
}

void ike_rekey_retry_child(struct ike *ike, struct ike_child *c)
{
	c->rekeying = false;
	c->rekey_at = ike_now(ike) + RETRY_INTERVAL_NS - ike_random_below(ike, RETRY_JITTER_NS);
}

static enum ike_rekey_policy policy(struct ike *ike, struct ike_sa *sa, const struct ike_child *c)
{
	return ike_sa_conn(ike, sa)->cfg.children[c->cfg].rekey_policy;
}

/* Break-before-make: the old outbound SA goes first. */
static void rekey_break(struct ike *ike, struct ike_child *old)
{
	if (old->broken)
		return;
	ipsec_sa_delete(ike->dp, old->sa_out);
	old->broken = true;
}

/* The policies move from `old` to `new` (both directions, in place). */
static void handover(struct ike *ike, struct ike_child *old, struct ike_child *new)
{
	if (!old->nspd)
		return;
	ipsec_spd_replace_sa(ike->dp, old->sa_out, new->sa_out);
	ipsec_spd_replace_sa(ike->dp, old->sa_in, new->sa_in);
	memcpy(new->spd, old->spd, old->nspd * sizeof(old->spd[0]));
	new->nspd = old->nspd;
	old->nspd = 0;
	new->outbound_pending = false;
}

void ike_rekey_child_requested(struct ike *ike, struct ike_sa *sa, struct ike_child *old)
{
	if (!old->rekey_started)
		old->rekey_started = ike_now(ike);
	if (policy(ike, sa, old) == IKE_BREAK_BEFORE_MAKE)
		rekey_break(ike, old);
}

void ike_rekey_child_answered(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                              struct ike_child *new, const uint8_t *ni, size_t ni_len,
                              const uint8_t *nr, size_t nr_len)
{
	struct ike_child_nego *n = &sa->nego;

	if (!old->rekey_started)
		old->rekey_started = ike_now(ike);
	old->successor = new->uid;
	new->outbound_pending = true;
	if (n->active && n->old == old->uid) {
		/* §2.8.1: we are rekeying it too; our answer decides. */
		ike_rekey_note_collision(n, ni, ni_len, nr, nr_len);
		n->peer_child = new->uid;
		return;
	}
	for (size_t i = 0; i < sa->x.nqueue; i++)
		if (sa->x.queue[i].kind == IKE_TASK_REKEY_CHILD && sa->x.queue[i].arg == old->uid) {
			/* ours was not sent yet: no collision, drop it */
			memmove(&sa->x.queue[i], &sa->x.queue[i + 1],
			        (--sa->x.nqueue - i) * sizeof(sa->x.queue[0]));
			break;
		}
	old->rekeying = false;
	if (policy(ike, sa, old) == IKE_BREAK_BEFORE_MAKE) {
		rekey_break(ike, old);
		handover(ike, old, new);
	}
}

void ike_rekey_child_done(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                          struct ike_child *new, uint32_t peer_child)
{
	struct ike_child *pc = ike_child_by_uid(sa, peer_child);

	if (pc) {
		/* §2.8.1: we won; the peer deletes the child its rekey made. */
		pc->redundant = true;
		pc->outbound_pending = false;
	}
	old->successor = new->uid;
	old->rekeying = false;
	handover(ike, old, new);
	/* §2.8: "the initiator ... deletes the old SA". */
	old->deleting = true;
	ike_x_queue(ike, sa, IKE_TASK_DELETE_CHILD, old->uid);
}

void ike_rekey_peer_survives(struct ike *ike, struct ike_sa *sa, struct ike_child *old)
{
	struct ike_child *succ = ike_child_by_uid(sa, old->successor);

	old->rekeying = false;
	/* Our outbound SA is gone already (break-before-make): no reason to
	 * wait for the peer's DELETE. */
	if (succ && old->broken)
		handover(ike, old, succ);
}

void ike_rekey_handover_successor(struct ike *ike, struct ike_sa *sa, struct ike_child *old)
{
	struct ike_child *succ = ike_child_by_uid(sa, old->successor);

	if (succ && !succ->redundant)
		handover(ike, old, succ);
}

void ike_rekey_retire(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                      struct ike_child *new)
{
	const struct ipsec_sa_stats *st = ipsec_sa_stats(ike->dp, old->sa_out);
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_CHILD_SA);

	handover(ike, old, new);
	ev.child = ike_sa_conn(ike, sa)->cfg.children[new->cfg].name;
	ev.state = IKE_CHILD_REKEYED;
	ev.reason = "rekey";
	ev.spi_in = new->spi_in;
	ev.spi_out = new->spi_out;
	ev.sa_in = new->sa_in;
	ev.sa_out = new->sa_out;
	ev.old_spi_in = old->spi_in;
	ev.old_spi_out = old->spi_out;
	ev.rekey_duration_ns = old->rekey_started ? ike_now(ike) - old->rekey_started : 0;
	ev.rekey_lost = st ? st->drops[IPSEC_DROP_NO_SA] + st->drops[IPSEC_DROP_SA_EXPIRED] : 0;
	ike_emit(ike, &ev);
}

/* --- the old inbound SA, kept for delete_rekeyed_delay ----------------------------- */

void ike_rekey_keep_inbound(struct ike *ike, struct ike_sa *sa, const struct ike_child *old)
{
	uint64_t delay = ike_sa_conn(ike, sa)->cfg.delete_rekeyed_delay_ns;
	const struct ipsec_sa_stats *st = ipsec_sa_stats(ike->dp, old->sa_in);
	struct ike_rekeyed_in *r;

	if (delay && ike->n_rekeyed_in == ike->cap_rekeyed_in) {
		size_t cap = ike->cap_rekeyed_in ? 2 * ike->cap_rekeyed_in : 8;
		struct ike_rekeyed_in *grown = realloc(ike->rekeyed_in, cap * sizeof(*grown));

		if (grown) {
			ike->rekeyed_in = grown;
			ike->cap_rekeyed_in = cap;
		}
	}
	if (!delay || ike->n_rekeyed_in == ike->cap_rekeyed_in) {
		ipsec_sa_delete(ike->dp, old->sa_in);
		return;
	}
	/* Every connection's delay is fixed, but connections differ: keep the
	 * list ordered by removal time. */
	r = &ike->rekeyed_in[ike->n_rekeyed_in];
	while (r > ike->rekeyed_in && r[-1].remove_at > ike_now(ike) + delay) {
		r[0] = r[-1];
		r--;
	}
	*r = (struct ike_rekeyed_in){.sa_in = old->sa_in,
	                             .remove_at = ike_now(ike) + delay,
	                             .packets = st ? st->packets : 0,
	                             .ike_sa = sa->id,
	                             .conn = sa->conn,
	                             .cfg = old->cfg,
	                             .spi_in = old->spi_in,
	                             .spi_out = old->spi_out};
	ike->n_rekeyed_in++;
}

uint64_t ike_rekey_inbound_deadline(const struct ike *ike)
{
	return ike->n_rekeyed_in ? ike->rekeyed_in[0].remove_at : UINT64_MAX;
}

void ike_rekey_remove_inbound(struct ike *ike, uint64_t now)
{
	size_t n = 0;

	while (n < ike->n_rekeyed_in && ike->rekeyed_in[n].remove_at <= now) {
		const struct ike_rekeyed_in *r = &ike->rekeyed_in[n++];
		const struct ipsec_sa_stats *st = ipsec_sa_stats(ike->dp, r->sa_in);
		const struct ike_conn_config *cc = &ike->conns[r->conn].cfg;
		struct ike_event ev = ike_event_for(ike, NULL, IKE_EV_CHILD_SA);

		ev.conn = cc->name;
		ev.child = cc->children[r->cfg].name;
		ev.ike_sa = r->ike_sa;
		ev.state = IKE_CHILD_REMOVED;
		ev.reason = "delete_rekeyed_delay";
		ev.spi_in = r->spi_in;
		ev.spi_out = r->spi_out;
		ev.sa_in = r->sa_in;
		ev.late_packets = st ? st->packets - r->packets : 0;
		ipsec_sa_delete(ike->dp, r->sa_in);
		ike_emit(ike, &ev);
	}
	if (!n)
		return;
	ike->n_rekeyed_in -= n;
	memmove(ike->rekeyed_in, ike->rekeyed_in + n,
	        ike->n_rekeyed_in * sizeof(ike->rekeyed_in[0]));
}

/* --- the IKE SA's lifetimes -------------------------------------------------------- */

void ike_rekey_schedule_ike(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	uint64_t now = ike_now(ike);
	uint64_t longest =
	        c->rekey_time_ns > c->reauth_time_ns ? c->rekey_time_ns : c->reauth_time_ns;

	sa->rekey_at = jittered(ike, now, c->rekey_time_ns, c->rand_time_ns);
	sa->reauth_at = jittered(ike, now, c->reauth_time_ns, c->rand_time_ns);
	sa->hard_at = longest ? now + longest + c->over_time_ns : UINT64_MAX;
}

void ike_rekey_retry_ike(struct ike *ike, struct ike_sa *sa)
{
	sa->rekey_queued = false;
	sa->rekey_at = ike_now(ike) + RETRY_INTERVAL_NS - ike_random_below(ike, RETRY_JITTER_NS);
}

/* --- the timer ---------------------------------------------------------------------- */

static bool child_due(const struct ike_child *c)
{
	return c->used && !c->rekeying && !c->successor && !c->deleting && !c->redundant;
}

uint64_t ike_rekey_deadline(const struct ike_sa *sa)
{
	uint64_t at = UINT64_MAX;

	if (sa->phase != IKE_PHASE_ESTABLISHED)
		return at;
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (child_due(&sa->children[k]) && sa->children[k].rekey_at < at)
			at = sa->children[k].rekey_at;
	if (!sa->rekey_queued && sa->rekey_at < at)
		at = sa->rekey_at;
	if (!sa->rekey_queued && sa->reauth_at < at)
		at = sa->reauth_at;
	if (!sa->rekey_queued && sa->hard_at < at)
		at = sa->hard_at;
	return at;
}

void ike_rekey_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	if (sa->phase != IKE_PHASE_ESTABLISHED)
		return;
	if (now >= sa->hard_at && !sa->rekey_queued) {
		/* Neither rekeyed nor reauthenticated in time.  A rekey under
		 * way is let finish (its retransmissions end it if the peer
		 * is gone): deleting the SA under it would lose the children
		 * the rekey is about to save (strongswan#3042). */
		sa->phase = IKE_PHASE_DELETING;
		sa->end_reason = "expired";
		sa->x.nqueue = 0;
		ike_x_queue(ike, sa, IKE_TASK_DELETE_IKE, 0);
		return;
	}
	if (!sa->rekey_queued && now >= sa->reauth_at) {
		ike_reauth_start(ike, sa);
		return;
	}
	if (!sa->rekey_queued && now >= sa->rekey_at)
		ike_rekey_ike_start(ike, sa);
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *c = &sa->children[k];

		if (child_due(c) && now >= c->rekey_at)
			ike_rekey_child_start(ike, sa, c);
	}
}

/* --- swanctl --rekey ---------------------------------------------------------------- */

int ike_rekey_request(struct ike *ike, struct ike_sa *sa, long child, bool reauth)
{
	if (sa->phase != IKE_PHASE_ESTABLISHED)
		return -1;
	if (child < 0) {
		if (sa->rekey_queued)
			return 0;
		if (reauth)
			ike_reauth_start(ike, sa);
		else
			ike_rekey_ike_start(ike, sa);
		return 0;
	}
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *c = &sa->children[k];

		if (c->used && c->cfg == (size_t)child && !c->successor && !c->redundant &&
		    !c->deleting) {
			ike_rekey_child_start(ike, sa, c);
			return 0;
		}
	}
	return -1;
}
