/* The engines' host inside the simulator, one per node: simulated time,
 * ns-3 events for the engines' timers, a random stream seeded from (seed,
 * node) for IVs, nonces, SPIs and DH keys, UDP sockets for IKE, and the
 * events of both engines recorded for the metrics.  Data-plane events are
 * also passed on to the node's IKE. */
#ifndef SIM_HOST_H
#define SIM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "ipsec.h"

struct sim_event {
	uint64_t time_ns;
	uint32_t node;
	struct ipsec_event ev;
};

/* Events of all nodes, in the order they happened. */
struct sim_event_log {
	struct sim_event *items;
	size_t n, cap;
};

/* IKE events of all nodes, strings copied. */
struct sim_ike_event {
	uint64_t time_ns;
	uint32_t node;
	struct ike_event ev;
};

struct sim_ike_log {
	struct sim_ike_event *items;
	size_t n, cap;
};

struct sim_host;

/* An engine for `node`, its randomness derived from (seed, node, boot) so
 * that a run is reproducible to the byte.  `prev` is the host of the node's
 * life before a reboot (NULL at the start): the new one is boot
 * prev's + 1, with another random stream (new SPIs, nonces, keys), and
 * numbers its SAs and IKE SAs after prev's in everything it reports (the
 * event logs, sim_host_sa_id), so ids stay unique within a node. */
struct sim_host *sim_host_new(uint32_t node, uint64_t seed, const struct sim_host *prev,
                              struct sim_event_log *log);
struct ipsec *sim_host_engine(struct sim_host *h);
/* 0 at the start, 1 after the first reboot, ... */
unsigned sim_host_boot(const struct sim_host *h);
/* The id the logs and results use for the engine's SA `id` (0 stays 0). */
uint32_t sim_host_sa_id(const struct sim_host *h, uint32_t id);
/* Ends the life (a reboot): timers cancelled, IKE's sockets closed, the
 * engines left as they were, for their counters and SAs. */
void sim_host_halt(struct sim_host *h);
/* Starts IKE on the node: sockets on UDP 500 and 4500.  NULL and a message
 * in err on failure. */
struct ike *sim_host_start_ike(struct sim_host *h, struct sim_ike_log *log, char *err,
                               size_t errlen);
struct ike *sim_host_ike(struct sim_host *h);
/* The node's crypto engine: received IKE messages wait for the work they
 * imply (sim_crypto.h). */
struct sim_crypto;
void sim_host_set_crypto(struct sim_host *h, struct sim_crypto *crypto);
void sim_ike_log_free(struct sim_ike_log *log);
void sim_host_free(struct sim_host *h);

#endif
