/* Child SAs in the data plane (RFC 7296 §1.2, §2.17; RFC 4301 §4.4): SPI
 * allocation, keys from KEYMAT, the inbound and outbound SAs, the SPD
 * entries of the narrowed traffic selectors, and trap policies
 * (start_action / dpd_action trap: PROTECT entries without SAs whose first
 * packet raises IPSEC_EV_ACQUIRE). */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#define NS 1000000000ULL

struct spi_probe {
	const struct ipsec *dp;
	uint32_t spi;
	bool used;
};

static void probe_sa(void *arg, uint32_t id)
{
	struct spi_probe *p = arg;
	const struct ipsec_sa_config *c = ipsec_sa_config(p->dp, id);

	if (c && c->dir == IPSEC_DIR_IN && c->spi == p->spi)
		p->used = true;
}

static bool spi_in_use(const struct ike *ike, uint32_t spi)
{
	struct spi_probe p = {ike->dp, spi, false};

	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->nego.active && sa->nego.spi_in == spi)
			return true;
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
			if (sa->children[k].used && sa->children[k].spi_in == spi)
				return true;
	}
	/* Also SAs configured statically or already gone: never reuse. */
	ipsec_sa_foreach(ike->dp, probe_sa, &p);
	return p.used;
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

			if (t.local_addr.lo < s.local_addr.lo)
				s.local_addr.lo = t.local_addr.lo;
			if (t.local_addr.hi > s.local_addr.hi)
				s.local_addr.hi = t.local_addr.hi;
			if (t.remote_addr.lo < s.remote_addr.lo)
				s.remote_addr.lo = t.remote_addr.lo;
			if (t.remote_addr.hi > s.remote_addr.hi)
				s.remote_addr.hi = t.remote_addr.hi;
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

static void child_event(struct ike *ike, struct ike_sa *sa, const struct ike_child *c,
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

static void set_lifetimes(struct ipsec_sa_config *sc, const struct ike_child_config *cc)
{
	/* The hard limits are the data plane's; time-based rekeying is IKE's
	 * own timer (rekey_time - rand), the byte/packet soft limits raise
	 * IPSEC_EV_SOFT_EXPIRE. */
	sc->hard.seconds = (cc->life_time_ns + NS - 1) / NS;
	sc->hard.bytes = cc->life_bytes;
	sc->hard.packets = cc->life_packets;
	sc->soft.bytes = cc->rekey_bytes;
	sc->soft.packets = cc->rekey_packets;
}

struct ike_child *ike_child_install(struct ike *ike, struct ike_sa *sa, size_t cfg,
                                    const struct ike_proposal *chosen, uint32_t spi_in,
                                    uint32_t spi_out, enum ipsec_mode mode,
                                    const struct ike_ts *ts_local, size_t n_local,
                                    const struct ike_ts *ts_remote, size_t n_remote)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_child_config *cc = &conn->cfg.children[cfg];
	struct ike_child *c = NULL;
	struct ike_child_keys km;
	struct ipsec_sa_config in = {0}, out = {0};
	const uint8_t *ek_in, *ik_in, *ek_out, *ik_out;
	uint32_t before;
	bool encap;

	for (size_t k = 0; k < IKE_SA_CHILDREN && !c; k++)
		if (!sa->children[k].used)
			c = &sa->children[k];
	if (!c) {
		snprintf(ike->diag, sizeof(ike->diag), "too many Child SAs on one IKE SA");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->mode = mode;
	memcpy(c->ts_local, ts_local, n_local * sizeof(*ts_local));
	memcpy(c->ts_remote, ts_remote, n_remote * sizeof(*ts_remote));
	c->n_local = n_local;
	c->n_remote = n_remote;
	if (ike_proposal_to_child(chosen, &c->tr, ike->diag, sizeof(ike->diag)) < 0)
		return NULL;
	/* §2.17: KEYMAT = prf+(SK_d, Ni | Nr), initiator-to-responder keys
	 * first. */
	if (ike_child_keymat(sa->suite.prf, sa->keys.sk_d, sa->keys.prf_len, NULL, 0, sa->ni,
	                     sa->ni_len, sa->nr, sa->nr_len, c->tr.enc_key_len, c->tr.integ_key_len,
	                     &km) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "KEYMAT derivation failed");
		return NULL;
	}
	ek_out = sa->initiator ? km.encr_i : km.encr_r;
	ik_out = sa->initiator ? km.integ_i : km.integ_r;
	ek_in = sa->initiator ? km.encr_r : km.encr_i;
	ik_in = sa->initiator ? km.integ_r : km.integ_i;
	encap = sa->nat_local || sa->nat_remote || conn->cfg.encap;

	out.dir = IPSEC_DIR_OUT;
	out.protocol = c->tr.protocol;
	out.mode = mode;
	out.spi = spi_out;
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
	set_lifetimes(&out, cc);
	out.sel = hull(c);
	in = out;
	in.dir = IPSEC_DIR_IN;
	in.spi = spi_in;
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
	before = ike_child_spd_position(ike, sa->conn, cfg);
	for (size_t i = 0; i < n_local; i++)
		for (size_t j = 0; j < n_remote; j++) {
			struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT};

			if (ts_local[i].ip_proto && ts_remote[j].ip_proto &&
			    ts_local[i].ip_proto != ts_remote[j].ip_proto)
				continue;
			e.sel = ike_ts_selector(&ts_local[i], &ts_remote[j]);
			e.sa_out[0] = c->sa_out;
			e.sa_in[0] = c->sa_in;
			c->spd[c->nspd] =
			        ipsec_spd_insert(ike->dp, &e, before, ike->diag, sizeof(ike->diag));
			if (!c->spd[c->nspd])
				goto fail;
			c->nspd++;
		}
	c->used = true;
	child_event(ike, sa, c, IKE_EV_CHILD_KEYS, IKE_CHILD_INSTALLED, NULL);
	child_event(ike, sa, c, IKE_EV_CHILD_SA, IKE_CHILD_INSTALLED,
	            sa->phase == IKE_PHASE_ESTABLISHED ? "established" : "installed");
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
	size_t cfg = c->cfg;

	for (size_t i = 0; i < c->nspd; i++)
		ipsec_spd_remove(ike->dp, c->spd[i]);
	ipsec_sa_delete(ike->dp, c->sa_in);
	ipsec_sa_delete(ike->dp, c->sa_out);
	child_event(ike, sa, c, IKE_EV_CHILD_SA, IKE_CHILD_DELETED, reason);
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
