/* A Security Association (RFC 4301 §4.4.2): configuration, keyed crypto
 * state, sequence counter or replay window, lifetimes and counters. */
#ifndef IPSEC_SA_H
#define IPSEC_SA_H

#include "crypto.h"
#include "ipsec.h"
#include "replay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SA_NO_DEADLINE UINT64_MAX

struct ipsec_sa {
	uint32_t id;
	struct ipsec_sa_config cfg;
	struct ipsec_sa_stats stats;
	struct sa_crypto crypto;
	size_t icv_len;              /* from the AEAD tag or the integrity transform */
	uint64_t seq_out;            /* outbound: last sequence number sent */
	struct replay_window replay; /* inbound */
	uint64_t soft_deadline_ns, hard_deadline_ns;
	bool deleted;                /* ipsec_sa_delete(); distinct from hard expiry */
	bool seq_exhausted_reported; /* IPSEC_EV_SEQ_EXHAUSTED is sent once */
	struct ipsec_sa *hash_next;  /* SAD inbound hash chain */
};

/* Validate a configuration: 0, or -1 with a message naming the problem. */
int sa_config_check(const struct ipsec_sa_config *cfg, char *err, size_t errlen);

/* Allocate and key an SA (config already checked); NULL with err. */
struct ipsec_sa *sa_create(const struct ipsec_sa_config *cfg, uint64_t now_ns, char *err,
                           size_t errlen);
void sa_destroy(struct ipsec_sa *sa);

/* True if the SA can carry traffic (not deleted, not hard-expired). */
static inline bool sa_alive(const struct ipsec_sa *sa)
{
	return !sa->deleted && !sa->stats.hard_expired;
}

/* RFC 4303 §3.3.3, RFC 4302 §3.3.2: the next outbound sequence number, or
 * false if the counter would wrap (2^32 - 1 without ESN, 2^64 - 1 with). */
static inline bool sa_seq_next(struct ipsec_sa *sa, uint64_t *seq)
{
	uint64_t max = sa->cfg.esn ? UINT64_MAX : UINT32_MAX;

	if (sa->seq_out >= max)
		return false;
	*seq = ++sa->seq_out;
	sa->stats.seq = *seq;
	return true;
}

#endif
