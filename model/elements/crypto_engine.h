/* A gateway's crypto hardware as a queueing model (sans-I/O: no clock of its
 * own, every call is given the current time in nanoseconds).
 *
 * The engine has `lanes` identical servers (crypto cores, offload engines)
 * in front of one FIFO queue holding at most `queue` waiting packets (not
 * counting those in service): an M/D/c-like queue with a finite waiting room
 * (Kendall G/D/c/c+K with K = queue) and tail drop.  A packet of `bytes`
 * bytes of transform class k occupies a lane for
 *
 *     service = per_packet[k] + bytes * per_byte[k]
 *
 * and completes `latency` after it leaves its lane (a pipeline delay that
 * does not occupy the lane: DMA, descriptor rings).  A packet starts on the
 * lane that becomes free first, never before an earlier packet has started
 * (FIFO), so:
 *
 *     start      = max(now, earliest time any lane is free)
 *     completion = start + service + latency
 *
 * and it is dropped when `queue` packets are already waiting at `now`.
 * Different lanes may finish packets out of order, as real multi-engine
 * hardware does (that is what the anti-replay window is for).
 *
 * IKE work (Diffie-Hellman, signatures, PRF) is a work item of its own
 * cost.  It runs either on the same lanes and queue as packets (`ike:
 * engine`, a software gateway or an embedded CPU doing everything) or on a
 * separate pool of `ike_lanes` lanes with an unlimited queue (`ike: cpu`,
 * an offload card for ESP while the IKE daemon runs on the host CPU).
 *
 * Calls must come in nondecreasing `now` order (an earlier time is taken
 * as the latest time seen).  Everything is integer nanoseconds except the
 * costs, which are rounded to the nearest nanosecond per work item; the
 * same calls give the same results on every machine.
 */
#ifndef IPSEC_CRYPTO_ENGINE_H
#define IPSEC_CRYPTO_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec.h"

/* Transform classes: costs differ between them (AES-NI GCM vs CBC + HMAC
 * vs ChaCha20 on a CPU without AES instructions). */
enum ce_class {
	CE_AES128_GCM,        /* aes128gcm16, aes128gmac */
	CE_AES256_GCM,        /* aes256gcm16, aes256gmac */
	CE_CHACHA20_POLY1305, /* chacha20poly1305 */
	CE_AES_CBC_HMAC,      /* aes128/aes256 (CBC) with an HMAC-SHA2 */
	CE_HMAC,              /* AH, or ESP with NULL encryption: HMAC-SHA2 only */
	CE_CLASS__COUNT
};

/* Diffie-Hellman group classes (keygen + derive). */
enum ce_dh {
	CE_DH_X25519,   /* groups 31, 32 */
	CE_DH_ECP256,   /* 19, 28 */
	CE_DH_ECP384,   /* 20, 21, 29, 30 */
	CE_DH_MODP2048, /* 14 and smaller MODP groups */
	CE_DH_MODP3072, /* 15 and larger MODP groups */
	CE_DH__COUNT
};

/* Signature classes. */
enum ce_sig { CE_SIG_ECDSA256, CE_SIG_RSA2048, CE_SIG__COUNT };

/* Kinds of IKE work, for the statistics. */
enum ce_ike_op { CE_IKE_DH, CE_IKE_SIGN, CE_IKE_VERIFY, CE_IKE_PRF, CE_IKE_OP__COUNT };

/* Cost of one packet of a class: nanoseconds per packet and per byte. */
struct ce_cost {
	double per_packet_ns;
	double per_byte_ns;
};

struct crypto_engine_config {
	uint32_t lanes;      /* >= 1 */
	uint32_t queue;      /* packets waiting, 0 = no waiting room */
	uint64_t latency_ns; /* pipeline latency after service */
	struct ce_cost cost[CE_CLASS__COUNT];
	bool ike_on_engine; /* IKE work shares the lanes and the queue */
	uint32_t ike_lanes; /* else: a separate pool (>= 1), unlimited queue */
	double dh_ns[CE_DH__COUNT];
	double sign_ns[CE_SIG__COUNT], verify_ns[CE_SIG__COUNT];
	double prf_ns; /* one key schedule (SKEYSEED + prf+ or KEYMAT) */
};

/* What happened to a pool of lanes, up to `end` (crypto_engine_stats()). */
struct ce_pool_stats {
	uint32_t lanes;
	uint64_t packets;   /* accepted packets */
	uint64_t bytes;     /* of the accepted packets */
	uint64_t drops;     /* refused: queue full */
	uint64_t busy_ns;   /* summed over the lanes, within [0, end] */
	double utilisation; /* busy_ns / (lanes * end) */
	double queue_mean;  /* time-averaged number waiting over [0, end] */
	uint64_t queue_max;
	double wait_mean_ns; /* start - arrival, over every accepted work item
	                        (packets and IKE work served by the pool) */
	uint64_t wait_max_ns;
};

struct crypto_engine_stats {
	struct ce_pool_stats data; /* packets (and IKE work when on the engine) */
	struct ce_pool_stats ike;  /* the separate IKE pool; zero when shared */
	uint64_t ike_ops[CE_IKE_OP__COUNT];
	uint64_t ike_busy_ns; /* service time of IKE work, wherever it ran */
};

struct crypto_engine;

/* NULL when out of memory or the configuration is unusable (lanes 0, or
 * ike_lanes 0 with a separate pool, or a negative cost). */
struct crypto_engine *crypto_engine_new(const struct crypto_engine_config *cfg);
void crypto_engine_free(struct crypto_engine *e);
const struct crypto_engine_config *crypto_engine_config(const struct crypto_engine *e);

#define CE_DROPPED UINT64_MAX

/* A packet of `bytes` bytes and class `k` arrives at `now`: its completion
 * time, or CE_DROPPED when the queue is full (counted). */
uint64_t crypto_engine_submit(struct crypto_engine *e, uint64_t now, size_t bytes, enum ce_class k);

/* IKE work arriving at `now`: its completion time (IKE work is never
 * dropped: the daemon's job queue waits).  `ns` is the cost; the helpers
 * below look it up in the configuration. */
uint64_t crypto_engine_submit_ike(struct crypto_engine *e, uint64_t now, enum ce_ike_op op,
                                  double ns);
double crypto_engine_dh_cost(const struct crypto_engine *e, uint16_t group);
double crypto_engine_sign_cost(const struct crypto_engine *e, enum ce_sig s);
double crypto_engine_verify_cost(const struct crypto_engine *e, enum ce_sig s);

/* Per bin of time of the packet pool (crypto_engine_record_bins): the
 * service given within the bin, summed over the lanes, and the packets
 * refused (queue full) that arrived in it. */
struct ce_bin {
	uint64_t busy_ns;
	uint64_t drops;
};

/* From now on, also sums the packet pool's busy time and drops per bin of
 * `width_ns` (bin k covers [k * width, (k + 1) * width)), up to `horizon_ns`
 * (work after it is not counted: the end of the run, as in
 * crypto_engine_stats).  0, or -1 when out of memory or width is 0. */
int crypto_engine_record_bins(struct crypto_engine *e, uint64_t width_ns, uint64_t horizon_ns);
/* The bins: *n of them, *width_ns wide, covering [0, horizon); NULL when
 * not recorded. */
const struct ce_bin *crypto_engine_bins(const struct crypto_engine *e, size_t *n,
                                        uint64_t *width_ns);

/* Statistics over [0, end]: work after `end` is not counted as busy. */
void crypto_engine_stats(const struct crypto_engine *e, uint64_t end,
                         struct crypto_engine_stats *out);

/* The class of an SA's transforms (AH: pass IPSEC_ENC_NULL). */
enum ce_class ce_class_of(enum ipsec_protocol proto, enum ipsec_enc enc, enum ipsec_integ integ);
/* The class of an IKE Diffie-Hellman group number (RFC 7296 Transform Type
 * 4 values); MODP-2048's for groups this module does not know. */
enum ce_dh ce_dh_of(uint16_t group);

/* Names as in profile files ("aes128gcm", "x25519", "ecdsa256", "dh"). */
const char *ce_class_name(enum ce_class k);
const char *ce_dh_name(enum ce_dh d);
const char *ce_sig_name(enum ce_sig s);
const char *ce_ike_op_name(enum ce_ike_op op);

#endif
