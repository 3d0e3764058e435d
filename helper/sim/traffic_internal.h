/* The traffic generators' insides, shared by helper/sim/traffic*.c (traffic.h
 * is the interface).
 *
 *   traffic.c          start, results
 *   traffic_record.c   the measurement record of a flow, the UDP header
 *   traffic_sink.c     UDP receivers (sinks) and senders shared by flows
 *   traffic_udp.c      udp (constant rate), poisson and onoff senders
 *   traffic_ping.c     ping: ICMP echo over a raw socket
 *   traffic_reqresp.c  reqresp: requests and their responses over UDP
 *   traffic_tcp.c      tcp: bulk transfer on ns-3's TCP
 */
#ifndef TRAFFIC_INTERNAL_H
#define TRAFFIC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ns3c.h"
#include "traffic.h"

/* First four bytes of a UDP measurement header: a datagram of a one-way
 * flow or a request ("IPS1"), a response ("IPSR").  TCP streams start with
 * "IPST" and the flow index. */
#define TRAFFIC_MAGIC_DATA 0x49505331u
#define TRAFFIC_MAGIC_RESPONSE 0x49505352u
#define TRAFFIC_MAGIC_TCP 0x49505354u
#define TRAFFIC_TCP_HEADER 8

/* ns-3 RNG streams of flow i: TRAFFIC_RNG_STREAM + i (ns3c_rng_open), far
 * from the links' error models (1000, 1001, ...). */
#define TRAFFIC_RNG_STREAM ((int64_t)1 << 32)

struct tcp_conn;
struct sink;

struct flow {
	const struct scenario_flow *cfg;
	size_t index;
	struct traffic *t;
	int sock;
	uint64_t seq; /* next to send */
	uint64_t sent, received, duplicates, bytes;
	uint8_t *seen;      /* bitmap of received sequence numbers */
	uint64_t seen_bits; /* its size: grows as the sender numbers packets */
	uint64_t seq_limit; /* no sequence number at or above this (ping: 16 bits) */
	double *delays;
	size_t n_delays, cap_delays;
	int rng; /* ns3c_rng handle, or -1 */
	/* What the sink on (to, port) does with a datagram of this flow (set
	 * by its kind's start): count it, or answer it. */
	void (*at_sink)(struct sink *k, struct flow *f, const struct ns3c_datagram *d);
	/* metrics.flow_bins: per bin of send time, packets sent and the
	 * distinct ones received, and the sum and maximum of the latter's
	 * delays (s); bin k covers [(first + k) * width, +width) */
	uint32_t *bin_sent, *bin_received;
	double *bin_delay_sum, *bin_delay_max;
	uint64_t bin_first;
	size_t n_bins;

	/* onoff: the state of ns-3's OnOffApplication */
	uint64_t last_start_ns; /* when the wait for the next packet began */
	uint64_t residual_ns;   /* of that wait, already spent in earlier on periods */
	uint64_t send_event;
	bool send_pending;

	/* tcp */
	uint64_t queued;        /* stream bytes given to the socket, header included */
	bool connected, closed; /* the sender's state */
	bool complete, stopped; /* all bytes delivered; results frozen */
	uint64_t end_ns;        /* when the results were frozen */
	struct tcp_conn *rx;    /* the receiving end, once it named its flow */
	struct ns3c_tcp_stats tx_stats, rx_stats;
};

/* One UDP socket per (node, port) receives for every flow sent to it (and
 * answers reqresp requests from it). */
struct sink {
	struct traffic *t;
	size_t node;
	uint16_t port;
	int sock;
};

/* One TCP listener per (node, port); connections name their flow in their
 * first TRAFFIC_TCP_HEADER bytes. */
struct listener {
	struct traffic *t;
	size_t node;
	uint16_t port;
	int sock;
	uint8_t family; /* of the addresses it listens on */
};

struct tcp_conn {
	struct traffic *t;
	int sock;
	uint8_t header[TRAFFIC_TCP_HEADER];
	size_t header_len;
	struct flow *f; /* NULL until the header is read */
};

struct traffic {
	struct flow *flows;
	size_t n_flows;
	struct sink *sinks;
	size_t n_sinks;
	struct listener *listeners;
	size_t n_listeners;
	struct tcp_conn *conns; /* at most one per tcp flow */
	size_t n_conns, cap_conns;
	/* One UDP socket per sending node, shared by its flows (receivers tell
	 * them apart by the measurement header): ns-3 looks up a node's
	 * sockets one by one for every datagram it receives. */
	int *udp_senders;
	size_t n_nodes;
	uint64_t bin_ns; /* metrics.flow_bins, 0 = none */
	uint8_t *buf;
	size_t buf_len;
};

/* A packet with sequence number seq, sent at sent_ns, arrived with `bytes`
 * of payload: counts it (or a duplicate) and its delay until now. */
void traffic_record(struct flow *f, uint64_t seq, uint64_t sent_ns, size_t bytes);
/* A datagram carrying the measurement header, arrived now: traffic_record. */
void traffic_record_udp(struct flow *f, const struct ns3c_datagram *d);
/* A packet of f left now: counts it sent (and in its bin). */
void traffic_sent(struct flow *f, uint64_t now_ns);
/* Makes room in f->seen for sequence number seq; false when out of memory
 * or at f->seq_limit. */
bool traffic_number(struct flow *f, uint64_t seq);
/* Writes the 24-byte measurement header: magic, flow, seq, time (ns). */
void traffic_header(uint8_t *b, uint32_t magic, uint32_t flow, uint64_t seq, uint64_t time_ns);
/* The node's shared UDP sending socket (opened on first use), or -1. */
int traffic_udp_sender(struct traffic *t, size_t node);
/* The UDP socket listening on (node, port), opened if need be; NULL with a
 * message in err. */
struct sink *traffic_sink(struct traffic *t, size_t node, uint16_t port, char *err, size_t errlen);

/* Per type: open sockets and schedule the first event (0, or -1 with a
 * message in err). */
int traffic_udp_start(struct flow *f, char *err, size_t errlen);
int traffic_ping_start(struct flow *f, char *err, size_t errlen);
int traffic_reqresp_start(struct flow *f, char *err, size_t errlen);
int traffic_tcp_start(struct flow *f, char *err, size_t errlen);
/* Freezes a tcp flow's results (at its stop time, or the end of the run). */
void traffic_tcp_freeze(struct flow *f);

#endif
