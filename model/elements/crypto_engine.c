/* A gateway's crypto hardware as a FIFO queue in front of parallel lanes
 * (crypto_engine.h).  Deterministic service times make this the M/D/c
 * queue of queueing theory when arrivals are Poisson (Kleinrock, Queueing
 * Systems vol. 1, §5.7) and a plain deterministic schedule when they are
 * periodic; the unit tests check both against hand-computed schedules.
 *
 * Why the schedule is this simple: with FIFO service each arrival is given
 * the lane that frees first, and since arrival times never decrease, start
 * times never decrease either.  So the items still waiting at any time are
 * a suffix of the arrivals, kept as a ring of their start times: those
 * whose start has passed have left the queue.
 */
#include "crypto_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lane {
	uint64_t free_at; /* end of the last work item given to this lane */
	uint64_t busy_ns; /* service given, in total */
};

struct pool {
	struct lane *lanes;
	uint32_t n_lanes;
	bool limited; /* tail drop at `limit` waiting items */
	uint32_t limit;
	uint64_t *ring; /* start times of waiting items, oldest first */
	size_t head, count, cap;
	uint64_t last_t; /* queue_area integrated up to here */
	uint64_t area;   /* integral of the number waiting over time (ns) */
	uint64_t q_max;
	uint64_t packets, bytes, drops;
	uint64_t served; /* work items started or queued: packets and IKE work */
	uint64_t wait_sum, wait_max;
	struct ce_bin *bins; /* crypto_engine_record_bins: NULL when not asked */
	size_t n_bins;
	uint64_t bin_ns, horizon;
};

struct crypto_engine {
	struct crypto_engine_config cfg;
	struct pool data, ike; /* ike unused when cfg.ike_on_engine */
	uint64_t now;          /* latest time seen */
	uint64_t ike_ops[CE_IKE_OP__COUNT];
	uint64_t ike_busy_ns;
};

static const char *const class_names[CE_CLASS__COUNT] = {
        [CE_AES128_GCM] = "aes128gcm",
        [CE_AES256_GCM] = "aes256gcm",
        [CE_CHACHA20_POLY1305] = "chacha20poly1305",
        [CE_AES_CBC_HMAC] = "aescbc-hmac",
        [CE_HMAC] = "hmac",
};
static const char *const dh_names[CE_DH__COUNT] = {
        [CE_DH_X25519] = "x25519",     [CE_DH_ECP256] = "ecp256",     [CE_DH_ECP384] = "ecp384",
        [CE_DH_MODP2048] = "modp2048", [CE_DH_MODP3072] = "modp3072",
};
static const char *const sig_names[CE_SIG__COUNT] = {
        [CE_SIG_ECDSA256] = "ecdsa256", [CE_SIG_RSA2048] = "rsa2048"};
static const char *const op_names[CE_IKE_OP__COUNT] = {[CE_IKE_DH] = "dh",
                                                       [CE_IKE_SIGN] = "sign",
                                                       [CE_IKE_VERIFY] = "verify",
                                                       [CE_IKE_PRF] = "prf"};

const char *ce_class_name(enum ce_class k)
{
	return (unsigned)k < CE_CLASS__COUNT ? class_names[k] : "?";
}

const char *ce_dh_name(enum ce_dh d)
{
	return (unsigned)d < CE_DH__COUNT ? dh_names[d] : "?";
}

const char *ce_sig_name(enum ce_sig s)
{
	return (unsigned)s < CE_SIG__COUNT ? sig_names[s] : "?";
}

const char *ce_ike_op_name(enum ce_ike_op op)
{
	return (unsigned)op < CE_IKE_OP__COUNT ? op_names[op] : "?";
}

enum ce_class ce_class_of(enum ipsec_protocol proto, enum ipsec_enc enc, enum ipsec_integ integ)
{
	(void)integ;
	if (proto == IPSEC_PROTO_AH)
		return CE_HMAC;
	switch (enc) {
	case IPSEC_ENC_AES_GCM16_128:
	case IPSEC_ENC_AES_GMAC_128:
		return CE_AES128_GCM;
	case IPSEC_ENC_AES_GCM16_256:
	case IPSEC_ENC_AES_GMAC_256:
		return CE_AES256_GCM;
	case IPSEC_ENC_CHACHA20_POLY1305:
		return CE_CHACHA20_POLY1305;
	case IPSEC_ENC_AES_CBC_128:
	case IPSEC_ENC_AES_CBC_256:
		return CE_AES_CBC_HMAC;
	default:
		return CE_HMAC; /* NULL encryption: the HMAC is the work */
	}
}

/* RFC 7296 §3.3.2 Transform Type 4 values (IANA "Transform Type 4 - Key
 * Exchange Method Transform IDs"). */
enum ce_dh ce_dh_of(uint16_t group)
{
	switch (group) {
	case 31: /* Curve25519, RFC 8031 */
	case 32: /* Curve448 */
		return CE_DH_X25519;
	case 19: /* ECP-256, RFC 5903 */
	case 28: /* brainpoolP256r1, RFC 6954 */
		return CE_DH_ECP256;
	case 20:
	case 21:
	case 29:
	case 30:
		return CE_DH_ECP384;
	case 15: /* MODP-3072 and larger, RFC 3526 */
	case 16:
	case 17:
	case 18:
		return CE_DH_MODP3072;
	default:
		return CE_DH_MODP2048;
	}
}

static int pool_init(struct pool *p, uint32_t lanes, bool limited, uint32_t limit)
{
	p->lanes = calloc(lanes, sizeof *p->lanes);
	p->n_lanes = lanes;
	p->limited = limited;
	p->limit = limit;
	return p->lanes ? 0 : -1;
}

static void pool_free(struct pool *p)
{
	free(p->lanes);
	free(p->ring);
	free(p->bins);
}

/* Service over [start, end) spread over the bins it covers, cut at the
 * horizon. */
static void bins_add_busy(struct pool *p, uint64_t start, uint64_t end)
{
	if (end > p->horizon)
		end = p->horizon;
	while (start < end) {
		size_t k = (size_t)(start / p->bin_ns);
		uint64_t bin_end = ((uint64_t)k + 1) * p->bin_ns;
		uint64_t until = bin_end < end ? bin_end : end;
		p->bins[k].busy_ns += until - start;
		start = until;
	}
}

int crypto_engine_record_bins(struct crypto_engine *e, uint64_t width_ns, uint64_t horizon_ns)
{
	struct pool *p = &e->data;
	if (!width_ns)
		return -1;
	size_t n = (size_t)((horizon_ns + width_ns - 1) / width_ns);
	struct ce_bin *bins = calloc(n + 1, sizeof *bins);
	if (!bins)
		return -1;
	free(p->bins);
	p->bins = bins;
	p->n_bins = n;
	p->bin_ns = width_ns;
	p->horizon = horizon_ns;
	return 0;
}

const struct ce_bin *crypto_engine_bins(const struct crypto_engine *e, size_t *n,
                                        uint64_t *width_ns)
{
	*n = e->data.n_bins;
	*width_ns = e->data.bin_ns;
	return e->data.bins;
}

static bool cost_ok(double ns)
{
	return isfinite(ns) && ns >= 0;
}

struct crypto_engine *crypto_engine_new(const struct crypto_engine_config *cfg)
{
	if (!cfg->lanes || (!cfg->ike_on_engine && !cfg->ike_lanes) || !cost_ok(cfg->prf_ns))
		return NULL;
	for (int k = 0; k < CE_CLASS__COUNT; k++)
		if (!cost_ok(cfg->cost[k].per_packet_ns) || !cost_ok(cfg->cost[k].per_byte_ns))
			return NULL;
	for (int d = 0; d < CE_DH__COUNT; d++)
		if (!cost_ok(cfg->dh_ns[d]))
			return NULL;
	for (int s = 0; s < CE_SIG__COUNT; s++)
		if (!cost_ok(cfg->sign_ns[s]) || !cost_ok(cfg->verify_ns[s]))
			return NULL;
	struct crypto_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cfg = *cfg;
	if (pool_init(&e->data, cfg->lanes, true, cfg->queue) != 0 ||
	    (!cfg->ike_on_engine && pool_init(&e->ike, cfg->ike_lanes, false, 0) != 0)) {
		crypto_engine_free(e);
		return NULL;
	}
	return e;
}

void crypto_engine_free(struct crypto_engine *e)
{
	if (!e)
		return;
	pool_free(&e->data);
	pool_free(&e->ike);
	free(e);
}

const struct crypto_engine_config *crypto_engine_config(const struct crypto_engine *e)
{
	return &e->cfg;
}

/* Items whose start time has come leave the queue; the area under the
 * queue length grows up to t. */
static void pool_advance(struct pool *p, uint64_t t)
{
	while (p->count && p->ring[p->head] <= t) {
		uint64_t s = p->ring[p->head];
		p->area += p->count * (s - p->last_t);
		p->last_t = s;
		p->head = (p->head + 1) % p->cap;
		p->count--;
	}
	p->area += p->count * (t - p->last_t);
	p->last_t = t;
}

static int ring_push(struct pool *p, uint64_t start)
{
	if (p->count == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		uint64_t *r = malloc(cap * sizeof *r);
		if (!r)
			return -1;
		for (size_t i = 0; i < p->count; i++)
			r[i] = p->ring[(p->head + i) % p->cap];
		free(p->ring);
		p->ring = r;
		p->head = 0;
		p->cap = cap;
	}
	p->ring[(p->head + p->count) % p->cap] = start;
	p->count++;
	if (p->count > p->q_max)
		p->q_max = p->count;
	return 0;
}

/* Serves `service` ns of work arriving at `now` (the engine's time) on the
 * lane that frees first; returns the end of service, or CE_DROPPED. */
static uint64_t pool_submit(struct pool *p, uint64_t now, uint64_t service, bool packet,
                            size_t bytes)
{
	pool_advance(p, now);
	struct lane *l = &p->lanes[0];
	for (uint32_t i = 1; i < p->n_lanes; i++)
		if (p->lanes[i].free_at < l->free_at)
			l = &p->lanes[i];
	uint64_t start = l->free_at > now ? l->free_at : now;
	if (start > now) {
		if (packet && p->limited && p->count >= p->limit) {
			p->drops++;
			if (p->bins && now < p->horizon)
				p->bins[now / p->bin_ns].drops++;
			return CE_DROPPED;
		}
		if (ring_push(p, start) != 0) {
			p->drops++; /* out of memory: as good as a full queue */
			return CE_DROPPED;
		}
	}
	l->free_at = start + service;
	l->busy_ns += service;
	if (p->bins)
		bins_add_busy(p, start, start + service);
	if (packet) {
		p->packets++;
		p->bytes += bytes;
	}
	p->served++;
	p->wait_sum += start - now;
	if (start - now > p->wait_max)
		p->wait_max = start - now;
	return start + service;
}

static uint64_t round_ns(double ns)
{
	return ns > 0 ? (uint64_t)(ns + 0.5) : 0;
}

static uint64_t engine_now(struct crypto_engine *e, uint64_t now)
{
	if (now > e->now)
		e->now = now;
	return e->now;
}

uint64_t crypto_engine_submit(struct crypto_engine *e, uint64_t now, size_t bytes, enum ce_class k)
{
	if ((unsigned)k >= CE_CLASS__COUNT)
		k = CE_HMAC;
	const struct ce_cost *c = &e->cfg.cost[k];
	uint64_t service = round_ns(c->per_packet_ns + (double)bytes * c->per_byte_ns);
	uint64_t done = pool_submit(&e->data, engine_now(e, now), service, true, bytes);
	return done == CE_DROPPED ? CE_DROPPED : done + e->cfg.latency_ns;
}

uint64_t crypto_engine_submit_ike(struct crypto_engine *e, uint64_t now, enum ce_ike_op op,
                                  double ns)
{
	uint64_t service = round_ns(ns);
	struct pool *p = e->cfg.ike_on_engine ? &e->data : &e->ike;
	uint64_t done = pool_submit(p, engine_now(e, now), service, false, 0);
	if (done == CE_DROPPED) /* out of memory only */
		return e->now + service;
	if ((unsigned)op < CE_IKE_OP__COUNT)
		e->ike_ops[op]++;
	e->ike_busy_ns += service;
	return done;
}

double crypto_engine_dh_cost(const struct crypto_engine *e, uint16_t group)
{
	return e->cfg.dh_ns[ce_dh_of(group)];
}

double crypto_engine_sign_cost(const struct crypto_engine *e, enum ce_sig s)
{
	return (unsigned)s < CE_SIG__COUNT ? e->cfg.sign_ns[s] : 0;
}

double crypto_engine_verify_cost(const struct crypto_engine *e, enum ce_sig s)
{
	return (unsigned)s < CE_SIG__COUNT ? e->cfg.verify_ns[s] : 0;
}

static void pool_stats(const struct pool *p, uint64_t end, struct ce_pool_stats *s)
{
	*s = (struct ce_pool_stats){.lanes = p->n_lanes,
	                            .packets = p->packets,
	                            .bytes = p->bytes,
	                            .drops = p->drops,
	                            .queue_max = p->q_max,
	                            .wait_max_ns = p->wait_max};
	if (!p->n_lanes)
		return;
	for (uint32_t i = 0; i < p->n_lanes; i++) {
		/* after `end` a lane is busy without a gap until free_at: gaps
		 * only open at an arrival, and none comes after the end */
		uint64_t after = p->lanes[i].free_at > end ? p->lanes[i].free_at - end : 0;
		s->busy_ns += p->lanes[i].busy_ns > after ? p->lanes[i].busy_ns - after : 0;
	}
	/* the queue's area up to `end`, without disturbing the ring */
	uint64_t area = p->area, last = p->last_t, count = p->count;
	for (size_t i = 0; i < p->count && end > last; i++) {
		uint64_t st = p->ring[(p->head + i) % p->cap];
		if (st > end)
			break;
		area += count * (st - last);
		last = st;
		count--;
	}
	if (end > last)
		area += count * (end - last);
	if (end) {
		s->utilisation = (double)s->busy_ns / ((double)p->n_lanes * (double)end);
		s->queue_mean = (double)area / (double)end;
	}
	s->wait_mean_ns = p->served ? (double)p->wait_sum / (double)p->served : 0;
}

void crypto_engine_stats(const struct crypto_engine *e, uint64_t end,
                         struct crypto_engine_stats *out)
{
	memset(out, 0, sizeof *out);
	pool_stats(&e->data, end, &out->data);
	if (!e->cfg.ike_on_engine)
		pool_stats(&e->ike, end, &out->ike);
	memcpy(out->ike_ops, e->ike_ops, sizeof out->ike_ops);
	out->ike_busy_ns = e->ike_busy_ns;
}
