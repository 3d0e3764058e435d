/* Traffic generators and their measurements: constant-rate UDP flows and
 * ping, carried over ns-3 sockets.  Each UDP datagram carries a measurement
 * header (flow, sequence number, send time), so one-way delay, loss and
 * duplicates are measured at the receiver without ns-3 packet tags (which do
 * not survive IPsec processing). */
#ifndef TRAFFIC_H
#define TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Bytes of measurement header at the start of each UDP payload and each
 * echo request's data. */
#define TRAFFIC_UDP_HEADER 24
#define TRAFFIC_PING_HEADER 8

struct flow_result {
	uint64_t sent, received, duplicates;
	uint64_t bytes_received;
	/* One-way delay (UDP) or round-trip time (ping), seconds. */
	double delay_mean, delay_p50, delay_p99, delay_min, delay_max;
	double throughput_bps; /* payload bits received over the flow's active time */
};

struct traffic;

/* Opens the sockets and schedules the first packet of every flow.  NULL and
 * a message in err on failure. */
struct traffic *traffic_start(const struct scenario *s, char *err, size_t errlen);
/* Summarises flow i (call after the run). */
void traffic_result(const struct traffic *t, size_t i, struct flow_result *r);
void traffic_free(struct traffic *t);

#endif
