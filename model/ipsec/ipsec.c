/* The engine's entry points: the context, SAD and SPD management, and the
 * RFC 4301 §5.1 / §5.2 packet processing dispatch. */
#include "ipsec.h"
#include "errf.h"

#include "ah.h"
#include "context.h"
#include "esp.h"
#include "ip_packet.h"
#include "lifetime.h"
#include "tunnel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const drop_names[IPSEC_DROP__COUNT] = {
        [IPSEC_DROP_NO_SA] = "no_sa",
        [IPSEC_DROP_REPLAY] = "replay",
        [IPSEC_DROP_ICV_FAIL] = "icv_fail",
        [IPSEC_DROP_POLICY_DISCARD] = "policy_discard",
        [IPSEC_DROP_POLICY_MISMATCH] = "policy_mismatch",
        [IPSEC_DROP_MALFORMED] = "malformed",
        [IPSEC_DROP_SEQ_EXHAUSTED] = "seq_exhausted",
        [IPSEC_DROP_SA_EXPIRED] = "sa_expired",
        [IPSEC_DROP_DUMMY] = "dummy",
        [IPSEC_DROP_CRYPTO_ERROR] = "crypto_error",
        [IPSEC_DROP_CRYPTO_QUEUE_FULL] = "crypto_queue_full",
        [IPSEC_DROP_TOO_BIG] = "too_big",
};

const char *ipsec_drop_name(enum ipsec_drop reason)
{
	if ((unsigned)reason >= IPSEC_DROP__COUNT)
		return "unknown";
	return drop_names[reason];
}

struct ipsec *ipsec_new(const struct ipsec_host_ops *ops, void *host)
{
	struct ipsec *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	if (ops)
		ctx->ops = *ops;
	ctx->host = host;
	sad_init(&ctx->sad);
	spd_init(&ctx->spd);
	ctx->timer_deadline = SA_NO_DEADLINE;
	return ctx;
}

void ipsec_free(struct ipsec *ctx)
{
	if (!ctx)
		return;
	sad_free(&ctx->sad);
	spd_free(&ctx->spd);
	free(ctx);
}

/* ---- SAD ---- */

int ipsec_sa_add(struct ipsec *ctx, const struct ipsec_sa_config *cfg, uint32_t *sa_id, char *err,
                 size_t errlen)
{
	struct ipsec_sa *sa;

	if (!ctx || !cfg)
		return errf(err, errlen, "no context or configuration");
	if (sa_config_check(cfg, err, errlen))
		return -1;
	if (cfg->dir == IPSEC_DIR_IN &&
	    sad_find_inbound(&ctx->sad, cfg->spi, &cfg->dst, (uint8_t)cfg->protocol)) {
		char dst[IP_ADDR_STRLEN];

		return errf(err, errlen,
		            "an inbound %s SA with SPI 0x%08x for destination %s already exists",
		            cfg->protocol == IPSEC_PROTO_ESP ? "ESP" : "AH", cfg->spi,
		            ip_addr_str(&cfg->dst, dst));
	}
	sa = sa_create(cfg, ipsec_now(ctx), err, errlen);
	if (!sa)
		return -1;
	if (sad_insert(&ctx->sad, sa)) {
		sa_destroy(sa);
		return errf(err, errlen, "out of memory adding an SA");
	}
	if (sa_id)
		*sa_id = sa->id;
	lifetime_rearm(ctx);
	return 0;
}

int ipsec_sa_delete(struct ipsec *ctx, uint32_t sa_id)
{
	struct ipsec_sa *sa = sad_get(&ctx->sad, sa_id);

	if (!sa || sa->deleted)
		return -1;
	if (sa_alive(sa))
		sad_unhash(&ctx->sad, sa);
	sa->deleted = true;
	sa_crypto_free(&sa->crypto);
	lifetime_rearm(ctx);
	return 0;
}

const struct ipsec_sa_config *ipsec_sa_config(const struct ipsec *ctx, uint32_t sa_id)
{
	const struct ipsec_sa *sa = sad_get(&ctx->sad, sa_id);

	return sa ? &sa->cfg : NULL;
}

int ipsec_sa_set_addresses(struct ipsec *ctx, uint32_t sa_id, const struct ip_addr *src,
                           const struct ip_addr *dst, uint16_t encap_sport, uint16_t encap_dport)
{
	struct ipsec_sa *sa = sad_get(&ctx->sad, sa_id);

	/* RFC 4555 §3.5 lets an SA move from one family to the other; its
	 * two ends stay of one family. */
	if (!sa || !sa_alive(sa) || !ip_addr_is_set(src) || src->family != dst->family ||
	    !encap_sport != !encap_dport)
		return -1;
	sa->stats.readdressed |= !ip_addr_eq(src, &sa->cfg.src) || !ip_addr_eq(dst, &sa->cfg.dst);
	sa->cfg.src = *src;
	if (sa->cfg.dir == IPSEC_DIR_IN)
		sad_set_dst(&ctx->sad, sa, dst);
	else
		sa->cfg.dst = *dst;
	sa->cfg.encap_sport = encap_sport;
	sa->cfg.encap_dport = encap_dport;
	return 0;
}

const struct ipsec_sa_stats *ipsec_sa_stats(const struct ipsec *ctx, uint32_t sa_id)
{
	const struct ipsec_sa *sa = sad_get(&ctx->sad, sa_id);

	return sa ? &sa->stats : NULL;
}

void ipsec_sa_foreach(const struct ipsec *ctx, void (*fn)(void *arg, uint32_t sa_id), void *arg)
{
	for (size_t i = 0; i < ctx->sad.count; i++)
		fn(arg, ctx->sad.sas[i]->id);
}

bool ipsec_sa_spi_used(const struct ipsec *ctx, uint32_t spi)
{
	return sad_spi_used(&ctx->sad, spi);
}

/* ---- SPD ---- */

static int port_range_check(const char *what, const struct ipsec_range16 *r, char *err,
                            size_t errlen)
{
	if (r->lo > r->hi)
		return errf(err, errlen, "SPD entry: %s range is empty (low %u > high %u)", what,
		            r->lo, r->hi);
	return 0;
}

static int addr_range_check(const char *what, const struct ip_range *r, char *err, size_t errlen)
{
	char lo[IP_ADDR_STRLEN], hi[IP_ADDR_STRLEN];

	if (ip_range_valid(r))
		return 0;
	if (r->lo.family != r->hi.family || !ip_family_len(r->lo.family))
		return errf(err, errlen, "SPD entry: %s range mixes address families", what);
	return errf(err, errlen, "SPD entry: %s range is empty (low %s > high %s)", what,
	            ip_addr_str(&r->lo, lo), ip_addr_str(&r->hi, hi));
}

static int spd_sa_check(struct ipsec *ctx, const uint32_t *ids, enum ipsec_dir dir,
                        const char *field, char *err, size_t errlen)
{
	for (int i = 0; i < IPSEC_BUNDLE_MAX; i++) {
		const struct ipsec_sa *sa;

		if (!ids[i])
			continue;
		if (i > 0 && !ids[i - 1])
			return errf(err, errlen, "SPD entry: %s[%d] is set but %s[%d] is not",
			            field, i, field, i - 1);
		sa = sad_get(&ctx->sad, ids[i]);
		if (!sa)
			return errf(err, errlen,
			            "SPD entry: %s[%d] names SA %u, which does not exist", field, i,
			            ids[i]);
		if (sa->cfg.dir != dir)
			return errf(err, errlen, "SPD entry: %s[%d] names SA %u, which is %s",
			            field, i, ids[i],
			            sa->cfg.dir == IPSEC_DIR_IN ? "inbound" : "outbound");
	}
	return 0;
}

static int spd_entry_check(struct ipsec *ctx, const struct ipsec_spd_entry *e, char *err,
                           size_t errlen)
{
	const struct ipsec_selector *s;

	if (!ctx || !e)
		return errf(err, errlen, "no context or SPD entry");
	s = &e->sel;
	if (e->action != IPSEC_ACTION_BYPASS && e->action != IPSEC_ACTION_DISCARD &&
	    e->action != IPSEC_ACTION_PROTECT)
		return errf(err, errlen, "SPD entry: action must be bypass, discard or protect");
	if (addr_range_check("local address", &s->local_addr, err, errlen) ||
	    addr_range_check("remote address", &s->remote_addr, err, errlen) ||
	    port_range_check("local port", &s->local_port, err, errlen) ||
	    port_range_check("remote port", &s->remote_port, err, errlen))
		return -1;
	/* A policy is of one family (either address may be ANY). */
	if (ip_addr_is_set(&s->local_addr.lo) && ip_addr_is_set(&s->remote_addr.lo) &&
	    s->local_addr.lo.family != s->remote_addr.lo.family)
		return errf(err, errlen,
		            "SPD entry: local and remote addresses are of different families");
	if (e->action == IPSEC_ACTION_PROTECT) {
		if (spd_sa_check(ctx, e->sa_out, IPSEC_DIR_OUT, "sa_out", err, errlen) ||
		    spd_sa_check(ctx, e->sa_in, IPSEC_DIR_IN, "sa_in", err, errlen))
			return -1;
	} else {
		for (int i = 0; i < IPSEC_BUNDLE_MAX; i++)
			if (e->sa_out[i] || e->sa_in[i])
				return errf(err, errlen,
				            "SPD entry: only protect entries name SAs");
	}
	return 0;
}

int ipsec_spd_add(struct ipsec *ctx, const struct ipsec_spd_entry *e, char *err, size_t errlen)
{
	return ipsec_spd_insert(ctx, e, 0, err, errlen) ? 0 : -1;
}

uint32_t ipsec_spd_insert(struct ipsec *ctx, const struct ipsec_spd_entry *e, uint32_t before_id,
                          char *err, size_t errlen)
{
	size_t pos;
	uint32_t id;

	if (spd_entry_check(ctx, e, err, errlen))
		return 0;
	if (before_id == 0) {
		pos = ctx->spd.count;
	} else if (before_id == IPSEC_SPD_TOP) {
		pos = 0;
	} else {
		long i = spd_find(&ctx->spd, before_id);

		if (i < 0) {
			errf(err, errlen, "SPD entry: no entry %u to insert before", before_id);
			return 0;
		}
		pos = (size_t)i;
	}
	id = spd_insert_at(&ctx->spd, pos, e);
	if (!id)
		errf(err, errlen, "out of memory adding an SPD entry");
	return id;
}

int ipsec_spd_update(struct ipsec *ctx, uint32_t id, const struct ipsec_spd_entry *e, char *err,
                     size_t errlen)
{
	long i;

	if (spd_entry_check(ctx, e, err, errlen))
		return -1;
	i = spd_find(&ctx->spd, id);
	if (i < 0)
		return errf(err, errlen, "SPD entry %u does not exist", id);
	ctx->spd.entries[i] = *e;
	return 0;
}

int ipsec_spd_remove(struct ipsec *ctx, uint32_t id)
{
	long i = spd_find(&ctx->spd, id);

	if (i < 0)
		return -1;
	spd_remove_at(&ctx->spd, (size_t)i);
	return 0;
}

const struct ipsec_spd_entry *ipsec_spd_get(const struct ipsec *ctx, uint32_t id)
{
	long i = spd_find(&ctx->spd, id);

	return i < 0 ? NULL : &ctx->spd.entries[i];
}

uint32_t ipsec_spd_next(const struct ipsec *ctx, uint32_t id)
{
	long i = id ? spd_find(&ctx->spd, id) : -1;

	if (id && i < 0)
		return 0;
	return (size_t)(i + 1) < ctx->spd.count ? ctx->spd.ids[i + 1] : 0;
}

void ipsec_spd_set_default(struct ipsec *ctx, enum ipsec_action default_action)
{
	ctx->spd.default_action = default_action;
}

int ipsec_spd_replace_sa(struct ipsec *ctx, uint32_t old_id, uint32_t new_id)
{
	const struct ipsec_sa *o = sad_get(&ctx->sad, old_id), *n = sad_get(&ctx->sad, new_id);
	int count = 0;

	if (!o || !n || o->cfg.dir != n->cfg.dir)
		return -1;
	for (size_t i = 0; i < ctx->spd.count; i++) {
		struct ipsec_spd_entry *e = &ctx->spd.entries[i];
		uint32_t *ids = o->cfg.dir == IPSEC_DIR_OUT ? e->sa_out : e->sa_in;

		for (int j = 0; j < IPSEC_BUNDLE_MAX; j++) {
			if (ids[j] == old_id) {
				ids[j] = new_id;
				count++;
			}
		}
	}
	return count;
}

/* ---- drops ---- */

static enum ipsec_verdict drop(struct ipsec *ctx, struct ipsec_sa *sa, enum ipsec_drop r,
                               enum ipsec_drop *reason)
{
	ctx->drops[r]++;
	if (sa)
		sa->stats.drops[r]++;
	if (reason)
		*reason = r;
	return IPSEC_VERDICT_DROP;
}

uint64_t ipsec_drops(const struct ipsec *ctx, enum ipsec_drop reason)
{
	if ((unsigned)reason >= IPSEC_DROP__COUNT)
		return 0;
	return ctx->drops[reason];
}

void ipsec_count_drop(struct ipsec *ctx, enum ipsec_drop reason)
{
	if ((unsigned)reason < IPSEC_DROP__COUNT)
		ctx->drops[reason]++;
}

/* ---- RFC 4301 §5.1 outbound ---- */

/* Protect `pkt`, already parsed as `ip`, with outbound SA `id`. */
static enum ipsec_verdict output_sa(struct ipsec *ctx, uint32_t id, const uint8_t *pkt,
                                    const struct ip_packet *ip, uint8_t *out, size_t cap,
                                    size_t *out_len, const struct esp_test_opts *opts,
                                    enum ipsec_drop *reason)
{
	struct ipsec_sa *sa = sad_get(&ctx->sad, id);
	uint64_t bytes;
	enum ipsec_drop r;
	int rc;

	if (!sa || sa->cfg.dir != IPSEC_DIR_OUT)
		return drop(ctx, NULL, IPSEC_DROP_NO_SA, reason);
	/* A policy still naming a deleted SA (break-before-make rekeying):
	 * the drop is counted on that SA too, so the gap can be measured. */
	if (sa->deleted)
		return drop(ctx, sa, IPSEC_DROP_NO_SA, reason);
	if (!sa_alive(sa) || !lifetime_sa_usable(ctx, sa))
		return drop(ctx, sa, IPSEC_DROP_SA_EXPIRED, reason);
	/* RFC 4301 §4.1: transport mode applies to whole packets only; the
	 * host reassembles first.  Tunnel mode carries fragments.  A
	 * transport-mode SA protects packets of its own family. */
	if (sa->cfg.mode == IPSEC_MODE_TRANSPORT &&
	    (ip->fragment || (ip_addr_is_set(&sa->cfg.dst) && sa->cfg.dst.family != ip->family)))
		return drop(ctx, sa, IPSEC_DROP_MALFORMED, reason);
	bytes = sa->cfg.mode == IPSEC_MODE_TUNNEL ? ip->total_len : ip->total_len - ip->hdr_len;
	if (sa->cfg.protocol == IPSEC_PROTO_ESP)
		rc = esp_output(ctx, sa, pkt, ip, out, cap, out_len, opts, &r);
	else
		rc = ah_output(ctx, sa, pkt, ip, out, cap, out_len, opts, &r);
	if (rc)
		return drop(ctx, sa, r, reason);
	lifetime_account(ctx, sa, bytes);
	return IPSEC_VERDICT_PROTECT;
}

/* RFC 4301 §8.2: would `ip`, protected by the SAs of `e` (a bundle's
 * innermost first), exceed `mtu` while it may not be fragmented on its way
 * (IPv6, RFC 8200 §5; IPv4 with DF)?  Then it is dropped, *room the largest
 * inner packet that would fit -- unless that is below the inner family's
 * minimum MTU (RFC 8200 §5: 1280; RFC 791: 68), which the host carries by
 * fragmenting the outer packet (RFC 2473 §7.1). */
static bool too_big(struct ipsec *ctx, const struct ipsec_spd_entry *e, const struct ip_packet *ip,
                    size_t mtu, size_t *room, enum ipsec_drop *reason)
{
	size_t min = ip->family == IP_FAMILY_V6 ? 1280 : 68;
	size_t hdr_len = ip->hdr_len, len = ip->total_len;
	uint8_t family = ip->family;
	struct ipsec_sa *sa = NULL;

	if (ip->family == IP_FAMILY_V4 && !ip->df)
		return false;
	for (size_t i = 0; i < 2 && e->sa_out[i]; i++) {
		if (!(sa = sad_get(&ctx->sad, e->sa_out[i])) || sa->cfg.dir != IPSEC_DIR_OUT)
			return false; /* output_sa says why */
		len = sa->cfg.protocol == IPSEC_PROTO_ESP ? esp_output_len(sa, hdr_len, len)
		                                          : ah_output_len(sa, family, len);
		if (sa->cfg.mode == IPSEC_MODE_TUNNEL) {
			family = sa->cfg.dst.family;
			hdr_len = tunnel_outer_len(&sa->cfg);
		}
	}
	if (len <= mtu || mtu < len - ip->total_len + min)
		return false;
	*room = mtu - (len - ip->total_len);
	drop(ctx, sa, IPSEC_DROP_TOO_BIG, reason);
	return true;
}

/* ipsec_output's work; mtu 0: no limit. */
static enum ipsec_verdict output(struct ipsec *ctx, const uint8_t *pkt, size_t len, size_t mtu,
                                 uint8_t *out, size_t out_cap, size_t *out_len,
                                 enum ipsec_drop *reason, const struct esp_test_opts *opts)
{
	const struct ipsec_spd_entry *e;
	struct ip_selector_fields f;
	struct ip_packet ip, mid;
	enum ipsec_action action;
	enum ipsec_verdict v;
	size_t mid_len;

	if (ip_packet_parse(pkt, len, false, &ip) || ip_packet_selector_fields(pkt, &ip, &f))
		return drop(ctx, NULL, IPSEC_DROP_MALFORMED, reason);
	e = spd_lookup(&ctx->spd, &f, IPSEC_DIR_OUT);
	action = e ? e->action : ctx->spd.default_action;
	if (action == IPSEC_ACTION_BYPASS)
		return IPSEC_VERDICT_BYPASS;
	if (action == IPSEC_ACTION_DISCARD || !e)
		return drop(ctx, NULL,
		            action == IPSEC_ACTION_DISCARD ? IPSEC_DROP_POLICY_DISCARD
		                                           : IPSEC_DROP_NO_SA,
		            reason);
	if (!e->sa_out[0]) {
		/* RFC 4301 §5.1 step 3a: no SA yet for a PROTECT entry: ask the
		 * key management to negotiate one (a trap policy). */
		struct ipsec_event ev = {.type = IPSEC_EV_ACQUIRE,
		                         .spd_id = spd_entry_id(&ctx->spd, e),
		                         .src = f.src,
		                         .dst = f.dst,
		                         .protocol = f.proto,
		                         .sport = f.sport,
		                         .dport = f.dport};

		drop(ctx, NULL, IPSEC_DROP_NO_SA, reason);
		if (ctx->ops.event)
			ctx->ops.event(ctx->host, &ev);
		return IPSEC_VERDICT_DROP;
	}
	if (mtu && too_big(ctx, e, &ip, mtu, out_len, reason))
		return IPSEC_VERDICT_DROP;
	if (!e->sa_out[1])
		return output_sa(ctx, e->sa_out[0], pkt, &ip, out, out_cap, out_len, opts, reason);
	/* RFC 4301 §4.5: a bundle, sa_out[0] innermost. */
	v = output_sa(ctx, e->sa_out[0], pkt, &ip, ctx->scratch, sizeof(ctx->scratch), &mid_len,
	              opts, reason);
	if (v != IPSEC_VERDICT_PROTECT)
		return v;
	if (ip_packet_parse(ctx->scratch, mid_len, false, &mid))
		return drop(ctx, NULL, IPSEC_DROP_MALFORMED, reason);
	return output_sa(ctx, e->sa_out[1], ctx->scratch, &mid, out, out_cap, out_len, NULL,
	                 reason);
}

enum ipsec_verdict ipsec_output_opts(struct ipsec *ctx, const uint8_t *pkt, size_t len,
                                     uint8_t *out, size_t out_cap, size_t *out_len,
                                     enum ipsec_drop *reason, const struct esp_test_opts *opts)
{
	return output(ctx, pkt, len, 0, out, out_cap, out_len, reason, opts);
}

enum ipsec_verdict ipsec_output(struct ipsec *ctx, const uint8_t *pkt, size_t len, uint8_t *out,
                                size_t out_cap, size_t *out_len, enum ipsec_drop *reason)
{
	return output(ctx, pkt, len, 0, out, out_cap, out_len, reason, NULL);
}

enum ipsec_verdict ipsec_output_mtu(struct ipsec *ctx, const uint8_t *pkt, size_t len, size_t mtu,
                                    uint8_t *out, size_t out_cap, size_t *out_len,
                                    enum ipsec_drop *reason)
{
	return output(ctx, pkt, len, mtu, out, out_cap, out_len, reason, NULL);
}

/* ---- RFC 4301 §5.2 inbound ---- */

static bool sa_selectors_match(const struct ipsec_sa *sa, const uint8_t *pkt, size_t len)
{
	struct ip_selector_fields f;
	struct ip_packet ip;

	if (ip_packet_parse(pkt, len, true, &ip) || ip_packet_selector_fields(pkt, &ip, &f))
		return false;
	return selector_match(&sa->cfg.sel, &f, IPSEC_DIR_IN);
}

enum ipsec_verdict ipsec_input(struct ipsec *ctx, const uint8_t *pkt, size_t len, uint8_t *out,
                               size_t out_cap, size_t *out_len, uint32_t *sa_id,
                               enum ipsec_drop *reason)
{
	struct ipsec_sa *sa = NULL;
	struct ip_packet ip;
	enum ipsec_drop r;
	uint64_t bytes = 0;
	int rc;

	if (ip_packet_parse(pkt, len, true, &ip))
		return drop(ctx, NULL, IPSEC_DROP_MALFORMED, reason);
	switch (ip.proto) {
	case IPPROTO_NUM_ESP:
	case IPPROTO_NUM_AH:
		break;
	case IPPROTO_NUM_UDP: {
		const uint8_t *udp = pkt + ip.hdr_len;
		size_t ulen = ip.total_len - ip.hdr_len;

		if (ip.fragment || ulen < UDP_HDR_LEN || get_be16(udp + 2) != NATT_PORT)
			return IPSEC_VERDICT_BYPASS;
		/* RFC 3948 §2.2: a zero non-ESP marker means IKE; §2.3: a
		 * single 0xff byte is a NAT-keepalive.  Both go to IKE. */
		if (ulen == UDP_HDR_LEN + 1 && udp[UDP_HDR_LEN] == 0xff)
			return IPSEC_VERDICT_BYPASS;
		if (ulen >= UDP_HDR_LEN + 4 && get_be32(udp + UDP_HDR_LEN) == 0)
			return IPSEC_VERDICT_BYPASS;
		break;
	}
	default:
		return IPSEC_VERDICT_BYPASS;
	}
	/* RFC 4303 §3.4.1, RFC 4302 §3.4.1: ESP/AH fragments are dropped; the
	 * host reassembles before calling us. */
	if (ip.fragment)
		return drop(ctx, NULL, IPSEC_DROP_MALFORMED, reason);
	if (ip.proto == IPPROTO_NUM_AH)
		rc = ah_input(ctx, pkt, &ip, out, out_cap, out_len, &sa, &bytes, &r);
	else
		rc = esp_input(ctx, pkt, &ip,
		               ip.hdr_len + (ip.proto == IPPROTO_NUM_UDP ? UDP_HDR_LEN : 0), out,
		               out_cap, out_len, &sa, &bytes, &r);
	if (rc)
		return drop(ctx, sa, r, reason);
	/* RFC 4301 §5.2 step 4: a transport-mode packet must match the
	 * selectors of the SA it arrived on. */
	if (sa->cfg.mode == IPSEC_MODE_TRANSPORT && !sa_selectors_match(sa, out, *out_len))
		return drop(ctx, sa, IPSEC_DROP_POLICY_MISMATCH, reason);
	lifetime_account(ctx, sa, bytes);
	if (sa_id)
		*sa_id = sa->id;
	return IPSEC_VERDICT_DELIVER;
}

enum ipsec_verdict ipsec_input_policy(struct ipsec *ctx, const uint8_t *pkt, size_t len,
                                      uint32_t via_sa, enum ipsec_drop *reason)
{
	const struct ipsec_spd_entry *e;
	struct ip_selector_fields f;
	struct ip_packet ip;
	enum ipsec_action action;

	if (ip_packet_parse(pkt, len, true, &ip) || ip_packet_selector_fields(pkt, &ip, &f))
		return drop(ctx, NULL, IPSEC_DROP_MALFORMED, reason);
	if (via_sa) {
		struct ipsec_sa *sa = sad_get(&ctx->sad, via_sa);

		if (!sa || sa->cfg.dir != IPSEC_DIR_IN)
			return drop(ctx, NULL, IPSEC_DROP_NO_SA, reason);
		/* RFC 4301 §5.2 step 4 */
		if (!selector_match(&sa->cfg.sel, &f, IPSEC_DIR_IN))
			return drop(ctx, sa, IPSEC_DROP_POLICY_MISMATCH, reason);
		return IPSEC_VERDICT_BYPASS;
	}
	/* RFC 4301 §5.2 step 3a: plaintext must match a BYPASS entry. */
	e = spd_lookup(&ctx->spd, &f, IPSEC_DIR_IN);
	action = e ? e->action : ctx->spd.default_action;
	if (action == IPSEC_ACTION_BYPASS)
		return IPSEC_VERDICT_BYPASS;
	return drop(ctx, NULL,
	            action == IPSEC_ACTION_DISCARD ? IPSEC_DROP_POLICY_DISCARD
	                                           : IPSEC_DROP_POLICY_MISMATCH,
	            reason);
}

void ipsec_handle_timeout(struct ipsec *ctx)
{
	uint64_t now = ipsec_now(ctx);

	ctx->timer_deadline = SA_NO_DEADLINE; /* the armed deadline was consumed */
	for (size_t i = sad_first_live(&ctx->sad); i < ctx->sad.count; i++) {
		struct ipsec_sa *sa = ctx->sad.sas[i];

		if (sa_alive(sa))
			lifetime_check_time(ctx, sa, now);
	}
	lifetime_rearm(ctx);
}
