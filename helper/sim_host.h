/* The engine's host inside the simulator: simulated time, ns-3 events for
 * the engine's timer, a seeded random stream for IVs, and lifetime events
 * recorded for the metrics. */
#ifndef SIM_HOST_H
#define SIM_HOST_H

#include <stddef.h>
#include <stdint.h>

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

struct sim_host;

/* An engine for `node`, its randomness derived from (seed, node) so that a
 * run is reproducible to the byte. */
struct sim_host *sim_host_new(uint32_t node, uint64_t seed, struct sim_event_log *log);
struct ipsec *sim_host_engine(struct sim_host *h);
void sim_host_free(struct sim_host *h);

#endif
