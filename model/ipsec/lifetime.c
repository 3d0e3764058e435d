/* SA lifetimes (RFC 4301 §4.4.2.1). */
#include "lifetime.h"

static void soft_expire(struct ipsec *ctx, struct ipsec_sa *sa, const char *limit)
{
	if (sa->stats.soft_expired)
		return;
	sa->stats.soft_expired = true;
	ipsec_emit_event(ctx, IPSEC_EV_SOFT_EXPIRE, sa->id, limit);
}

void lifetime_hard_expire(struct ipsec *ctx, struct ipsec_sa *sa, const char *limit)
{
	if (!sa_alive(sa))
		return;
	sa->stats.hard_expired = true;
	sad_unhash(&ctx->sad, sa);
	sa_crypto_free(&sa->crypto);
	ipsec_emit_event(ctx, IPSEC_EV_HARD_EXPIRE, sa->id, limit);
	lifetime_rearm(ctx);
}

bool lifetime_seq_next(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t *seq)
{
	if (sa_seq_next(sa, seq))
		return true;
	if (!sa->seq_exhausted_reported) {
		sa->seq_exhausted_reported = true;
		ipsec_emit_event(ctx, IPSEC_EV_SEQ_EXHAUSTED, sa->id, NULL);
	}
	return false;
}

void lifetime_account(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t bytes)
{
	const struct ipsec_lifetime *soft = &sa->cfg.soft, *hard = &sa->cfg.hard;

	sa->stats.packets++;
	sa->stats.bytes += bytes;
	if (soft->packets && sa->stats.packets >= soft->packets)
		soft_expire(ctx, sa, "packets");
	else if (soft->bytes && sa->stats.bytes >= soft->bytes)
		soft_expire(ctx, sa, "bytes");
	/* The packet that reaches a hard limit is the last one the SA carries. */
	if (hard->packets && sa->stats.packets >= hard->packets)
		lifetime_hard_expire(ctx, sa, "packets");
	else if (hard->bytes && sa->stats.bytes >= hard->bytes)
		lifetime_hard_expire(ctx, sa, "bytes");
}

bool lifetime_check_time(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t now_ns)
{
	if (!sa_alive(sa))
		return false;
	if (now_ns >= sa->hard_deadline_ns) {
		lifetime_hard_expire(ctx, sa, "seconds");
		return false;
	}
	if (now_ns >= sa->soft_deadline_ns && !sa->stats.soft_expired) {
		soft_expire(ctx, sa, "seconds");
		lifetime_rearm(ctx);
	}
	return true;
}

void lifetime_rearm(struct ipsec *ctx)
{
	uint64_t next = SA_NO_DEADLINE;

	for (size_t i = sad_first_live(&ctx->sad); i < ctx->sad.count; i++) {
		const struct ipsec_sa *sa = ctx->sad.sas[i];

		if (!sa_alive(sa))
			continue;
		if (!sa->stats.soft_expired && sa->soft_deadline_ns < next)
			next = sa->soft_deadline_ns;
		if (sa->hard_deadline_ns < next)
			next = sa->hard_deadline_ns;
	}
	if (next == ctx->timer_deadline)
		return;
	ctx->timer_deadline = next;
	if (ctx->ops.timer_arm)
		ctx->ops.timer_arm(ctx->host, next);
}
