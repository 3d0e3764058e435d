/* The IKE SA's life (RFC 7296 §1.2, §2.4, §2.14): created by IKE_SA_INIT,
 * keyed from g^ir, established by IKE_AUTH, ended by DELETE, by a failure
 * or by a dead peer, when its children get their dpd_action. */
#include "ike_sa.h"

#include "ipv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ike_sa_spi_alloc(struct ike *ike, uint8_t spi[IKE_SPI_LEN])
{
	/* §2.6: random and not zero; unique among our SAs. */
	do {
		ike_random(ike, spi, IKE_SPI_LEN);
	} while (!memcmp(spi, "\0\0\0\0\0\0\0\0", IKE_SPI_LEN) || ike_sa_find(ike, spi, true) ||
	         ike_sa_find(ike, spi, false));
}

static struct ike_sa *sa_alloc(struct ike *ike, size_t conn, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->id = ++ike->next_sa_id;
	sa->conn = conn;
	sa->initiator = initiator;
	sa->created = sa->last_rx = ike_now(ike);
	sa->rekey_at = sa->reauth_at = sa->hard_at = UINT64_MAX;
	ike_sa_spi_alloc(ike, initiator ? sa->spi_i : sa->spi_r);
	sa->next = ike->sas;
	ike->sas = sa;
	return sa;
}

struct ike_sa *ike_sa_new_rekeyed(struct ike *ike, const struct ike_sa *old, bool initiator)
{
	struct ike_sa *sa = sa_alloc(ike, old->conn, initiator);

	if (!sa)
		return NULL;
	sa->phase = IKE_PHASE_ESTABLISHED;
	sa->local_addr = old->local_addr;
	sa->local_port = old->local_port;
	sa->remote_addr = old->remote_addr;
	sa->remote_port = old->remote_port;
	sa->nat_local = old->nat_local;
	sa->nat_remote = old->nat_remote;
	sa->mobike = old->mobike;
	sa->frag_peer = old->frag_peer; /* negotiated once, for its rekeyed successors too */
	sa->peer_id_type = old->peer_id_type;
	memcpy(sa->peer_id, old->peer_id, old->peer_id_len);
	sa->peer_id_len = old->peer_id_len;
	return sa;
}

bool ike_sa_same_peer(const struct ike_sa *a, const struct ike_sa *b)
{
	return a->conn == b->conn && a->peer_id_type == b->peer_id_type &&
	       a->peer_id_len == b->peer_id_len && !memcmp(a->peer_id, b->peer_id, a->peer_id_len);
}

struct ike_sa *ike_sa_new(struct ike *ike, size_t conn, bool initiator)
{
	const struct ike_conn_config *c = &ike->conns[conn].cfg;
	struct ike_sa *sa = sa_alloc(ike, conn, initiator);

	if (!sa)
		return NULL;
	sa->phase = initiator ? IKE_PHASE_INIT_SENT : IKE_PHASE_INIT_DONE;
	sa->local_addr = c->local_addr;
	sa->local_port = c->local_port;
	sa->remote_addr = c->remote_addr;
	sa->remote_port = c->remote_port;
	if (initiator) {
		struct ike_event ev = ike_event_for(ike, sa, IKE_EV_IKE_SA);

		ev.state = IKE_STATE_CONNECTING;
		ev.reason = "initiate";
		ike_emit(ike, &ev);
	}
	return sa;
}

void ike_sa_free(struct ike_sa *sa)
{
	ike_dh_free(sa->dh);
	ike_dh_free(sa->nego.dh);
	if (sa->keyed)
		ike_sk_pair_free(&sa->sk);
	ike_keys_wipe(&sa->keys);
	free(sa->init_req);
	free(sa->init_resp);
	ike_frag_sa_free(sa);
	free(sa);
}

void ike_nego_clear(struct ike_child_nego *n)
{
	ike_dh_free(n->dh);
	memset(n, 0, sizeof(*n));
}

const uint8_t *ike_sa_local_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *ike_sa_find(const struct ike *ike, const uint8_t spi[IKE_SPI_LEN], bool as_initiator)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->initiator == as_initiator && sa->phase != IKE_PHASE_DEAD &&
		    !memcmp(ike_sa_local_spi(sa), spi, IKE_SPI_LEN))
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_by_id(const struct ike *ike, uint64_t id)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->id == id && sa->phase != IKE_PHASE_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_find_init(const struct ike *ike, struct ip_addr addr, uint16_t port,
                                const uint8_t spi_i[IKE_SPI_LEN])
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (!sa->initiator && sa->phase != IKE_PHASE_DEAD &&
		    ip_addr_eq(&sa->remote_addr, &addr) && sa->remote_port == port &&
		    !memcmp(sa->spi_i, spi_i, IKE_SPI_LEN))
			return sa;
	return NULL;
}

/* --- keys (§2.14) and Wireshark's ikev2_decryption_table ------------------------- */

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	/* By hand: sprintf per byte was 2 % of an IKE SA setup. */
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Wireshark 4.0's names (epan/dissectors/packet-isakmp.c, the IKEv2 UAT
 * encryption and integrity algorithm tables); NULL where it cannot decrypt. */
static const char *wireshark_encr(const struct ike_suite *s)
{
	switch (s->encr) {
	case IKE_ENCR_AES_CBC:
		return s->encr_bits == 128   ? "AES-CBC-128 [RFC3602]"
		       : s->encr_bits == 256 ? "AES-CBC-256 [RFC3602]"
		                             : NULL;
	case IKE_ENCR_AES_GCM_16:
		return s->encr_bits == 128   ? "AES-GCM-128 with 16 octet ICV [RFC5282]"
		       : s->encr_bits == 256 ? "AES-GCM-256 with 16 octet ICV [RFC5282]"
		                             : NULL;
	default:
		return NULL; /* ChaCha20-Poly1305: not in Wireshark 4.0 */
	}
}

static const char *wireshark_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_NONE:
		return "NONE [RFC4306]";
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "HMAC_SHA2_256_128 [RFC4868]";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "HMAC_SHA2_384_192 [RFC4868]";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "HMAC_SHA2_512_256 [RFC4868]";
	default:
		return NULL;
	}
}

static void emit_keys(struct ike *ike, struct ike_sa *sa)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_IKE_KEYS);
	const struct ike_keys *k = &sa->keys;
	const char *encr = wireshark_encr(&sa->suite), *integ = wireshark_integ(sa->suite.integ);
	char si[17], sr[17], ei[2 * IKE_ENCR_KEY_MAX + 1], er[2 * IKE_ENCR_KEY_MAX + 1];
	char ai[2 * IKE_INTEG_KEY_MAX + 1], ar[2 * IKE_INTEG_KEY_MAX + 1];

	hex(si, sa->spi_i, IKE_SPI_LEN);
	hex(sr, sa->spi_r, IKE_SPI_LEN);
	hex(ei, k->sk_ei, k->encr_len);
	hex(er, k->sk_er, k->encr_len);
	hex(ai, k->sk_ai, k->integ_len);
	hex(ar, k->sk_ar, k->integ_len);
	if (encr && integ) {
		/* DESIGN.md §5: SPIi,SPIr,SK_ei,SK_er,"enc",SK_ai,SK_ar,"integ" */
		snprintf(ike->keys_line, sizeof(ike->keys_line), "%s,%s,%s,%s,\"%s\",%s,%s,\"%s\"",
		         si, sr, ei, er, encr, ai, ar, integ);
		ev.text = ike->keys_line;
	} else {
		ev.reason = "Wireshark 4.0 cannot decrypt this suite";
	}
	ike_emit(ike, &ev);
}

int ike_sa_derive_keys(struct ike *ike, struct ike_sa *sa, const struct ike_sa *old,
                       const uint8_t *g_ir, size_t g_ir_len)
{
	uint8_t skeyseed[IKE_PRF_MAX_LEN];
	int rc;

	/* SKEYSEED = prf(Ni | Nr, g^ir), or for a rekeyed SA (§2.18)
	 * prf(SK_d (old), g^ir (new) | Ni | Nr) with the old PRF;
	 * {SK_d | SK_ai | ...} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
	rc = old ? ike_skeyseed_rekey(old->suite.prf, old->keys.sk_d, old->keys.prf_len, g_ir,
	                              g_ir_len, sa->ni, sa->ni_len, sa->nr, sa->nr_len, skeyseed)
	         : ike_skeyseed(sa->suite.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, g_ir,
	                        g_ir_len, skeyseed);
	if (rc < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "SKEYSEED computation failed");
		return -1;
	}
	rc = ike_derive_keys(&sa->suite, skeyseed,
	                     ike_prf_len(old ? old->suite.prf : sa->suite.prf), sa->ni, sa->ni_len,
	                     sa->nr, sa->nr_len, sa->spi_i, sa->spi_r, &sa->keys, ike->diag,
	                     sizeof(ike->diag));
	memset(skeyseed, 0, sizeof(skeyseed));
	if (rc < 0)
		return -1;
	if (ike_sk_pair_init(&sa->sk, &sa->suite, &sa->keys, sa->initiator, ike->diag,
	                     sizeof(ike->diag)) < 0)
		return -1;
	sa->keyed = true;
	emit_keys(ike, sa);
	return 0;
}

/* --- state ------------------------------------------------------------------------- */

void ike_sa_established(struct ike *ike, struct ike_sa *sa, const char *reason)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_IKE_SA);
	uint64_t now = ike_now(ike);

	sa->phase = IKE_PHASE_ESTABLISHED;
	sa->counted_half_open = false;
	sa->last_rx = now;
	sa->dpd_at = now + ike_sa_conn(ike, sa)->cfg.dpd_delay_ns;
	ike_sa_conn(ike, sa)->attempts = 0;
	ike_rekey_schedule_ike(ike, sa);
	ike_natt_schedule(ike, sa);
	ev.state = IKE_STATE_ESTABLISHED;
	ev.reason = reason ? reason : sa->initiator ? "initiated" : "responded";
	ike_emit(ike, &ev);
}

/* Does another IKE SA of the connection carry child config `cfg` (a
 * reauthentication's new SA)?  Then a child's close/dpd action is moot. */
static bool covered(const struct ike *ike, const struct ike_sa *sa, size_t cfg)
{
	for (const struct ike_sa *o = ike->sas; o; o = o->next) {
		if (o == sa || !ike_sa_same_peer(o, sa) || o->phase != IKE_PHASE_ESTABLISHED)
			continue;
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
			if (o->children[k].used && o->children[k].cfg == cfg)
				return true;
	}
	return false;
}

void ike_sa_end(struct ike *ike, struct ike_sa *sa, enum ike_sa_state state, const char *reason,
                enum ike_end_children children)
{
	const struct ike_conn *c = ike_sa_conn(ike, sa);
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_IKE_SA);

	if (sa->phase == IKE_PHASE_DEAD)
		return;
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *ch = &sa->children[k];
		const struct ike_child_config *cc;
		enum ike_child_action action = IKE_ACTION_CLEAR;

		if (!ch->used)
			continue;
		cc = &c->cfg.children[ch->cfg];
		if (children == IKE_END_DPD_ACTION)
			action = cc->dpd_action;
		else if (children == IKE_END_CLOSE)
			action = cc->close_action;
		if (covered(ike, sa, ch->cfg))
			action = IKE_ACTION_CLEAR;
		ike_child_remove(ike, sa, ch, reason, action);
	}
	sa->phase = IKE_PHASE_DEAD;
	sa->counted_half_open = false;
	sa->x.pending = false;
	sa->x.nqueue = 0;
	ev.state = state;
	ev.reason = reason;
	if (state == IKE_STATE_REKEYED) {
		ev.replaced_by = sa->replaced_by;
		ev.rekey_duration_ns = sa->rekey_started ? ike_now(ike) - sa->rekey_started : 0;
	}
	ike_emit(ike, &ev);
	ike_reauth_sa_ended(ike, sa);
}

/* --- the timer ---------------------------------------------------------------------- */

uint64_t ike_sa_deadline(const struct ike *ike, const struct ike_sa *sa)
{
	const struct ike_conn *c = ike_sa_conn(ike, sa);
	uint64_t at = UINT64_MAX;

	if (sa->phase == IKE_PHASE_DEAD)
		return at;
	if (sa->x.pending)
		at = sa->x.deadline;
	if (sa->phase == IKE_PHASE_INIT_DONE && sa->created + c->cfg.half_open_timeout_ns < at)
		at = sa->created + c->cfg.half_open_timeout_ns;
	if (sa->phase == IKE_PHASE_ESTABLISHED && c->cfg.dpd_delay_ns && !sa->x.pending &&
	    sa->dpd_at < at)
		at = sa->dpd_at;
	if (ike_rekey_deadline(sa) < at)
		at = ike_rekey_deadline(sa);
	if (sa->phase == IKE_PHASE_REKEYED && !sa->x.pending && sa->hard_at < at)
		at = sa->hard_at;
	if (ike_natt_deadline(sa) < at)
		at = ike_natt_deadline(sa);
	return at;
}

void ike_sa_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	if (sa->x.pending && now >= sa->x.deadline)
		ike_x_timeout(ike, sa, now);
	if (sa->phase == IKE_PHASE_INIT_DONE &&
	    now >= sa->created + ike_sa_conn(ike, sa)->cfg.half_open_timeout_ns) {
		/* charon.half_open_timeout: the initiator never came back. */
		ike_sa_end(ike, sa, IKE_STATE_FAILED, "half-open timeout", IKE_END_CLEAR);
		return;
	}
	if (sa->phase == IKE_PHASE_REKEYED && !sa->x.pending && now >= sa->hard_at) {
		/* The peer never deleted it (ike_rekey_ike.c). */
		ike_sa_end(ike, sa, IKE_STATE_REKEYED, "rekeyed", IKE_END_CLEAR);
		return;
	}
	if (sa->phase == IKE_PHASE_ESTABLISHED)
		ike_info_dpd_check(ike, sa, now);
	ike_rekey_timeout(ike, sa, now);
	ike_natt_timeout(ike, sa, now);
}
