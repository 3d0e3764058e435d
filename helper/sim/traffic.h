/* Traffic generators and their measurements, over ns-3 sockets
 * (docs/scenario-reference.md "traffic", docs/metrics-schema.md "flows"):
 *
 *   udp      UDP at a constant rate
 *   poisson  UDP with exponential inter-arrival times (ns-3's RNG)
 *   onoff    UDP at a constant rate during on periods (ns-3 OnOffApplication)
 *   ping     ICMP echo requests; the replies measure the round trip
 *   reqresp  UDP requests, each answered by the receiver; the response time
 *   tcp      a bulk transfer over ns-3's TCP: goodput, completion time
 *
 * Each UDP datagram carries a measurement header (flow, sequence number,
 * send time), so delay, loss and duplicates are measured at the receiver
 * without ns-3 packet tags (which do not survive IPsec processing). */
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
	/* Packets (tcp: data segments, retransmissions included, as the
	 * sender's and the receiver's TCP saw them; reqresp: requests sent,
	 * responses received). */
	uint64_t sent, received, duplicates;
	uint64_t bytes_received; /* payload (tcp: bytes delivered to the receiving application) */
	/* One-way delay (udp, poisson, onoff), round-trip time (ping) or
	 * response time (reqresp), seconds; NAN for tcp. */
	double delay_mean, delay_p50, delay_p99, delay_min, delay_max;
	/* Payload bits received over the flow's active time (stop - start);
	 * tcp: goodput, over start to completion (or stop). */
	double throughput_bps;
	double completion_s; /* tcp with a size, once delivered: since start; else NAN */
	int64_t retransmits; /* tcp: data segments sent again; else -1 */
};

/* A flow's packets by the time they were sent (metrics.flow_bins): bin k
 * covers [(first + k) * width_ns, + width_ns); a packet received counts in
 * the bin it was sent in, so sent - received are the packets lost of those
 * sent then. */
struct flow_bins {
	uint64_t width_ns, first;
	size_t n; /* 0: no bins (none asked for, or tcp) */
	const uint32_t *sent, *received;
	/* of the packets received: their delays (s, as flows.delay_kind
	 * says), summed, and the largest */
	const double *delay_sum, *delay_max;
};

struct traffic;

/* Opens the sockets and schedules the first packet of every flow.  NULL and
 * a message in err on failure. */
struct traffic *traffic_start(const struct scenario *s, char *err, size_t errlen);
/* Summarises flow i (call after the run, before ns3c_destroy). */
void traffic_result(struct traffic *t, size_t i, struct flow_result *r);
void traffic_bins(const struct traffic *t, size_t i, struct flow_bins *b);
void traffic_free(struct traffic *t);

#endif
