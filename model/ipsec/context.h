/* The per-node engine state behind `struct ipsec` and helpers shared by
 * the ESP, AH and dispatch code. */
#ifndef IPSEC_CONTEXT_H
#define IPSEC_CONTEXT_H

#include "ipsec.h"
#include "sad.h"
#include "spd.h"

#include <stdbool.h>
#include <stdint.h>

#define IPSEC_MAX_PACKET 65535

struct ipsec {
	struct ipsec_host_ops ops;
	void *host;
	struct sad sad;
	struct spd spd;
	uint64_t drops[IPSEC_DROP__COUNT];
	uint16_t ip_id;          /* RFC 4301 §5.1.2.1: fresh outer header IDs (no ops.ip_id) */
	uint64_t timer_deadline; /* last deadline given to timer_arm */
	/* Intermediate result of an SA bundle's first SA, allocated once. */
	uint8_t scratch[IPSEC_MAX_PACKET + IPSEC_MAX_OVERHEAD];
};

static inline uint64_t ipsec_now(const struct ipsec *ctx)
{
	return ctx->ops.now_ns ? ctx->ops.now_ns(ctx->host) : 0;
}

struct esp_test_opts;
/* ipsec_output() with known-answer-test overrides (see esp.h). */
enum ipsec_verdict ipsec_output_opts(struct ipsec *ctx, const uint8_t *pkt, size_t len,
                                     uint8_t *out, size_t out_cap, size_t *out_len,
                                     enum ipsec_drop *reason, const struct esp_test_opts *opts);

/* An SA event for the host (lifetimes, sequence numbers). */
static inline void ipsec_emit_event(struct ipsec *ctx, enum ipsec_event_type type, uint32_t sa_id,
                                    const char *limit)
{
	struct ipsec_event ev = {.type = type, .sa_id = sa_id, .limit = limit};

	if (ctx->ops.event)
		ctx->ops.event(ctx->host, &ev);
}

#endif
