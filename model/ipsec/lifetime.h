/* SA lifetimes (RFC 4301 §4.4.2.1): soft limits warn (the host rekeys), hard
 * limits remove the SA. */
#ifndef IPSEC_LIFETIME_H
#define IPSEC_LIFETIME_H

#include "context.h"

/* Count one packet of `bytes` protected or accepted on `sa` and enforce the
 * byte and packet limits. */
void lifetime_account(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t bytes);

/* Enforce the time limits of one SA at `now`.  false if it is now dead. */
bool lifetime_check_time(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t now_ns);

/* RFC 4303 §3.3.3: allocate the next outbound sequence number; false (and
 * IPSEC_EV_SEQ_EXHAUSTED, once) when the counter would wrap.  The counter
 * is a limit of the SA like its lifetimes: the host must rekey before. */
bool lifetime_seq_next(struct ipsec *ctx, struct ipsec_sa *sa, uint64_t *seq);

/* Before using an SA for a packet: true if still alive. */
static inline bool lifetime_sa_usable(struct ipsec *ctx, struct ipsec_sa *sa)
{
	if (sa->soft_deadline_ns == SA_NO_DEADLINE && sa->hard_deadline_ns == SA_NO_DEADLINE)
		return true;
	return lifetime_check_time(ctx, sa, ipsec_now(ctx));
}

/* The SA reached a hard limit (or its counter is exhausted): remove it. */
void lifetime_hard_expire(struct ipsec *ctx, struct ipsec_sa *sa, const char *limit);

/* Give the host the earliest pending time deadline (timer_arm). */
void lifetime_rearm(struct ipsec *ctx);

#endif
