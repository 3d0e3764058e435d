/* Child SAs in the data plane (RFC 7296 §1.2, §2.17; RFC 4301 §4.4): SPI
 * allocation, keys from KEYMAT, the inbound and outbound SAs, the SPD
 * entries of the narrowed traffic selectors, and trap policies
 * (start_action / dpd_action trap: PROTECT entries without SAs whose first
 * packet raises IPSEC_EV_ACQUIRE).  A Child SA is keyed from the nonces
 * of the exchange that created it: IKE_AUTH's or CREATE_CHILD_SA's. */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#define NS 1000000000ULL

static bool spi_in_use(const struct ike *ike, uint32_t spi)
{
	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->nego.active && sa->nego.spi_in == spi)
			return true;
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
			if (sa->children[k].used && sa->children[k].spi_in == spi)
				return true;
	}
	/* Also SAs configured statically or already gone: never reuse. */
	return ipsec_sa_spi_used(ike->dp, spi);
}

uint32_t ike_child_spi_alloc(struct ike *ike)
{
	for (int tries = 0; tries < 64; tries++) {
		uint8_t b[4];
		uint32_t spi;

		if (ike_random(ike, b, sizeof(b)) < 0)
			return 0;
		spi = get_be32(b);
		/* RFC 4303 §2.1: 1..255 are reserved by IANA, 0 is "none". */
		if (spi >= 256 && !spi_in_use(ike, spi))
			return spi;
	}
	return 0;
}

uint32_t ike_child_spd_position(const struct ike *ike, size_t conn, size_t child)
{
	const struct ike_conn *c = &ike->conns[conn];

	if (c->ntrap[child])
		return c->trap[child][0];
	return ipsec_spd_next(ike->dp, ike->bypass[1]);
}

/* RFC 4301 §5.2 step 4 checks an inbound packet against one selector per
 * SA: the hull of the child's selectors. */
static struct ipsec_selector hull(const struct ike_child *c)
{
	struct ipsec_selector s = ike_ts_selector(&c->ts_local[0], &c->ts_remote[0]);

	for (size_t i = 0; i < c->n_local; i++)
		for (size_t j = 0; j < c->n_remote; j++) {
			struct ipsec_selector t =
			        ike_ts_selector(&c->ts_local[i], &c->ts_remote[j]);

			s.local_addr = ip_range_hull(&s.local_addr, &t.local_addr);
			s.remote_addr = ip_range_hull(&s.remote_addr, &t.remote_addr);
			if (t.local_port.lo < s.local_port.lo)
				s.local_port.lo = t.local_port.lo;
			if (t.local_port.hi > s.local_port.hi)
				s.local_port.hi = t.local_port.hi;
			if (t.remote_port.lo < s.remote_port.lo)
				s.remote_port.lo = t.remote_port.lo;
			if (t.remote_port.hi > s.remote_port.hi)
				s.remote_port.hi = t.remote_port.hi;
			if (t.protocol != s.protocol)
				s.protocol = 0;
		}
	return s;
}

void ike_child_event(struct ike *ike, struct ike_sa *sa, const struct ike_child *c,
                     enum ike_event_type type, int state, const char *reason)
{
	struct ike_event ev = ike_event_for(ike, sa, type);

	ev.child = ike_sa_conn(ike, sa)->cfg.children[c->cfg].name;
	ev.state = state;
	ev.reason = reason;
	ev.spi_in = c->spi_in;
	ev.spi_out = c->spi_out;
	ev.sa_in = c->sa_in;
	ev.sa_out = c->sa_out;
	ike_emit(ike, &ev);
}

/* x - random(0..rand) as strongSwan jitters its rekey limits, never below
 * half of x (0: no limit). */
static uint64_t jitter(struct ike *ike, uint64_t x, uint64_t rand)
{
	uint64_t r;

	if (!x)
		return 0;
	r = ike_random_below(ike, rand < x / 2 ? rand : x / 2);
	return x - r;
}

static void set_lifetimes(struct ike *ike, struct ipsec_sa_config *sc,
                          const struct ike_child_config *cc)
{
	/* The hard limits are the data plane's; time-based rekeying is IKE's
	 * own timer (ike_rekey.c), the byte/packet soft limits, jittered with
	 * rand_bytes / rand_packets, raise IPSEC_EV_SOFT_EXPIRE. */
	sc->hard.seconds = (cc->life_time_ns + NS - 1) / NS;
	sc->hard.bytes = cc->life_bytes;
	sc->hard.packets = cc->life_packets;
	sc->soft.bytes = jitter(ike, cc->rekey_bytes, cc->rand_bytes);
	sc->soft.packets = jitter(ike, cc->rekey_packets, cc->rand_packets);
	if (sc->hard.bytes && sc->soft.bytes >= sc->hard.bytes)
		sc->soft.bytes = 0;
	if (sc->hard.packets && sc->soft.packets >= sc->hard.packets)
		sc->soft.packets = 0;
}

/* A free slot, zeroed, with a fresh uid. */
static struct ike_child *child_slot(struct ike *ike, struct ike_sa *sa)
{
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *c = &sa->children[k];

		if (c->used)
			continue;
		memset(c, 0, sizeof(*c));
		c->uid = ++ike->next_child_uid;
		return c;
	}
	snprintf(ike->diag, sizeof(ike->diag), "too many Child SAs on one IKE SA");
	return NULL;
}

/* Where a new child's SPD entries go: ahead of everything but IKE's
 * bypass entries (and so of an older child of the same configuration:
 * outbound traffic moves to the new child at once), or behind the entries
 * of an older child of the same configuration on another IKE SA, so that
 * the old child keeps the traffic until it is deleted (the
 * make-before-break reauthentication's responder). */
static uint32_t spd_position(const struct ike *ike, const struct ike_sa *sa, size_t cfg,
                             enum ike_child_policies pol)
{
	if (pol == IKE_POLICIES_BEHIND)
		for (const struct ike_sa *o = ike->sas; o; o = o->next) {
			if (o == sa || !ike_sa_same_peer(o, sa) || o->phase == IKE_PHASE_DEAD)
				continue;
			for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
				const struct ike_child *c = &o->children[k];

				if (c->used && c->cfg == cfg && c->nspd)
					return ipsec_spd_next(ike->dp, c->spd[c->nspd - 1]);
			}
		}
	return ike_child_spd_position(ike, sa->conn, cfg);
}

struct ike_child *ike_child_install(struct ike *ike, struct ike_sa *sa,
                                    const struct ike_child_spec *sp)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_child_config *cc = &conn->cfg.children[sp->cfg];
	struct ike_child *c = child_slot(ike, sa);
	struct ike_child_keys km;
	struct ipsec_sa_config in = {0}, out = {0};
	const uint8_t *ek_in, *ik_in, *ek_out, *ik_out;
	uint32_t before;
	bool encap;

	if (!c)
		return NULL;
	c->cfg = sp->cfg;
	c->spi_in = sp->spi_in;
	c->spi_out = sp->spi_out;
	c->mode = sp->mode;
	memcpy(c->ts_local, sp->ts_local, sp->n_local * sizeof(*sp->ts_local));
	memcpy(c->ts_remote, sp->ts_remote, sp->n_remote * sizeof(*sp->ts_remote));
	c->n_local = sp->n_local;
	c->n_remote = sp->n_remote;
	if (ike_proposal_to_child(sp->chosen, &c->tr, ike->diag, sizeof(ike->diag)) < 0)
		return NULL;
	/* §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), the keys for
	 * data from the exchange's initiator to its responder first. */
	if (ike_child_keymat(sa->suite.prf, sa->keys.sk_d, sa->keys.prf_len, sp->g_ir, sp->g_ir_len,
	                     sp->ni, sp->ni_len, sp->nr, sp->nr_len, c->tr.enc_key_len,
	                     c->tr.integ_key_len, &km) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "KEYMAT derivation failed");
		return NULL;
	}
	ek_out = sp->initiator ? km.encr_i : km.encr_r;
	ik_out = sp->initiator ? km.integ_i : km.integ_r;
	ek_in = sp->initiator ? km.encr_r : km.encr_i;
	ik_in = sp->initiator ? km.integ_r : km.integ_i;
	encap = ike_natt_encap(ike, sa);

	out.dir = IPSEC_DIR_OUT;
	out.protocol = c->tr.protocol;
	out.mode = sp->mode;
	out.spi = sp->spi_out;
	out.src = sa->local_addr;
	out.dst = sa->remote_addr;
	out.enc = c->tr.enc;
	out.integ = c->tr.integ;
	memcpy(out.enc_key, ek_out, c->tr.enc_key_len);
	out.enc_key_len = c->tr.enc_key_len;
	memcpy(out.integ_key, ik_out, c->tr.integ_key_len);
	out.integ_key_len = c->tr.integ_key_len;
	out.esn = c->tr.esn;
	out.copy_dscp = cc->copy_dscp;
	if (encap) {
		/* RFC 3948 on the IKE SA's ports (§2.23). */
		out.encap_sport = sa->local_port;
		out.encap_dport = sa->remote_port;
	}
	set_lifetimes(ike, &out, cc);
	out.sel = hull(c);
	in = out;
	in.dir = IPSEC_DIR_IN;
	in.spi = sp->spi_in;
	in.src = sa->remote_addr;
	in.dst = sa->local_addr;
	memcpy(in.enc_key, ek_in, c->tr.enc_key_len);
	memcpy(in.integ_key, ik_in, c->tr.integ_key_len);
	in.replay_window = cc->replay_window;
	OPENSSL_cleanse(&km, sizeof(km));
	if (ipsec_sa_add(ike->dp, &in, &c->sa_in, ike->diag, sizeof(ike->diag)) < 0)
		goto fail;
	if (ipsec_sa_add(ike->dp, &out, &c->sa_out, ike->diag, sizeof(ike->diag)) < 0)
		goto fail;
	OPENSSL_cleanse(&in, sizeof(in));
	OPENSSL_cleanse(&out, sizeof(out));
	/* RFC 4301 §4.4.1: one PROTECT entry per pair of selectors, ahead of
	 * the child's trap policy. */
	before = spd_position(ike, sa, sp->cfg, sp->policies);
	for (size_t i = 0; i < sp->n_local && sp->policies != IKE_POLICIES_NONE; i++)
		for (size_t j = 0; j < sp->n_remote; j++) {
			struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT};

			if (sp->ts_local[i].ip_proto && sp->ts_remote[j].ip_proto &&
			    sp->ts_local[i].ip_proto != sp->ts_remote[j].ip_proto)
				continue;
			e.sel = ike_ts_selector(&sp->ts_local[i], &sp->ts_remote[j]);
			e.sa_out[0] = c->sa_out;
			e.sa_in[0] = c->sa_in;
			c->spd[c->nspd] =
			        ipsec_spd_insert(ike->dp, &e, before, ike->diag, sizeof(ike->diag));
			if (!c->spd[c->nspd])
				goto fail;
			c->nspd++;
		}
	c->used = true;
	c->installed = ike_now(ike);
	ike_rekey_schedule_child(ike, sa, c);
	ike_child_event(ike, sa, c, IKE_EV_CHILD_KEYS, IKE_CHILD_INSTALLED, NULL);
	ike_child_event(ike, sa, c, IKE_EV_CHILD_SA, IKE_CHILD_INSTALLED, sp->reason);
	return c;
fail:
	OPENSSL_cleanse(&in, sizeof(in));
	OPENSSL_cleanse(&out, sizeof(out));
	for (size_t i = 0; i < c->nspd; i++)
		ipsec_spd_remove(ike->dp, c->spd[i]);
	if (c->sa_in)
		ipsec_sa_delete(ike->dp, c->sa_in);
	if (c->sa_out)
		ipsec_sa_delete(ike->dp, c->sa_out);
	memset(c, 0, sizeof(*c));
	return NULL;
}

void ike_child_remove(struct ike *ike, struct ike_sa *sa, struct ike_child *c, const char *reason,
                      enum ike_child_action action)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child *succ = c->successor ? ike_child_by_uid(sa, c->successor) : NULL;
	bool rekeyed = succ && !succ->redundant;
	size_t cfg = c->cfg;

	if (rekeyed) {
		/* Rekeyed (ike_rekey.c): the replacement takes over the
		 * policies; the child lives on in it. */
		ike_rekey_retire(ike, sa, c, succ);
		reason = "rekeyed";
		action = IKE_ACTION_CLEAR;
	}
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used && sa->children[k].successor == c->uid)
			sa->children[k].successor = 0;
	for (size_t i = 0; i < c->nspd; i++)
		ipsec_spd_remove(ike->dp, c->spd[i]);
	ipsec_sa_delete(ike->dp, c->sa_out);
	if (rekeyed)
		ike_rekey_keep_inbound(ike, sa, c);
	else
		ipsec_sa_delete(ike->dp, c->sa_in);
	ike_child_event(ike, sa, c, IKE_EV_CHILD_SA, IKE_CHILD_DELETED, reason);
	memset(c, 0, sizeof(*c));
	switch (action) {
	case IKE_ACTION_CLEAR:
		break;
	case IKE_ACTION_TRAP:
		if (!conn->ntrap[cfg])
			ike_trap_install(ike, sa->conn, cfg);
		break;
	case IKE_ACTION_RESTART:
		conn->start_pending = true;
		conn->start_child = cfg;
		conn->attempts = 0;
		break;
	}
}

struct ike_child *ike_child_by_uid(struct ike_sa *sa, uint32_t uid)
{
	for (size_t k = 0; uid && k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used && sa->children[k].uid == uid)
			return &sa->children[k];
	return NULL;
}

struct ike_child *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out)
{
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used && sa->children[k].spi_out == spi_out)
			return &sa->children[k];
	return NULL;
}

struct ike_child *ike_child_by_sa(struct ike_sa *sa, uint32_t sa_id)
{
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used &&
		    (sa->children[k].sa_in == sa_id || sa->children[k].sa_out == sa_id))
			return &sa->children[k];
	return NULL;
}

int ike_trap_install(struct ike *ike, size_t conn, size_t child)
{
	struct ike_conn *c = &ike->conns[conn];
	const struct ike_child_config *cc = &c->cfg.children[child];
	struct ike_ts l[IKE_TS_MAX], r[IKE_TS_MAX];
	size_t nl = ike_ts_from_config(cc->local_ts, cc->n_local_ts, c->cfg.local_addr, l);
	size_t nr = ike_ts_from_config(cc->remote_ts, cc->n_remote_ts, c->cfg.remote_addr, r);
	uint32_t before = ipsec_spd_next(ike->dp, ike->bypass[1]);

	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nr; j++) {
			struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT};
			uint32_t id;

			if (l[i].ip_proto && r[j].ip_proto && l[i].ip_proto != r[j].ip_proto)
				continue;
			e.sel = ike_ts_selector(&l[i], &r[j]);
			id = ipsec_spd_insert(ike->dp, &e, before, ike->diag, sizeof(ike->diag));
			if (!id)
				return -1;
			c->trap[child][c->ntrap[child]++] = id;
		}
	return 0;
}
