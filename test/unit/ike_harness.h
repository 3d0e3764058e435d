/* Two IKE nodes in one process: each a data plane (`struct ipsec`) and an
 * IKE daemon (`struct ike`), a shared fake clock, a datagram queue between
 * them with per-message loss/delay/duplication hooks and an optional NAT in
 * front of node 0, and data-plane packet injection (a UDP packet from a LAN
 * host through one node's ipsec_output, across, into the other's
 * ipsec_input) to prove that negotiated Child SAs carry traffic. */
#ifndef IPSEC_IKE_HARNESS_H
#define IPSEC_IKE_HARNESS_H

#include "harness.h"

#include "ike.h"
#include "ike_sa.h"

#define H_EVENTS 256
#define H_QUEUE 128
#define H_DGRAM_MAX (IKE_MSG_MAX + 4)

/* Node 0 ("A"): 192.0.2.1, LAN 10.1.0.0/16; node 1 ("B"): 198.51.100.2,
 * LAN 10.2.0.0/16.  NAT (if on): 203.0.113.7 in front of node 0. */
#define H_ADDR_A A4(192, 0, 2, 1)
#define H_ADDR_B A4(198, 51, 100, 2)
#define H_LAN_A A4(10, 1, 0, 0)
#define H_LAN_B A4(10, 2, 0, 0)
#define H_NAT_ADDR A4(203, 0, 113, 7)
/* h_init_v6(): the nodes talk IKE and ESP over IPv6 */
#define H_ADDR6_A "2001:db8:ff::1"
#define H_ADDR6_B "2001:db8:ff::2"
#define H_MS 1000000ULL
#define H_S 1000000000ULL

struct hev {
	struct ike_event ev;
	uint64_t at; /* when it was emitted */
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX], reason[128], text[IKE_DIAG_MAX];
};

struct hdgram {
	int from; /* node index */
	struct ip_addr src, dst;
	uint16_t sport, dport;
	uint64_t at;  /* delivery time */
	unsigned seq; /* 1, 2, ... in the order sent */
	size_t len;
	uint8_t data[H_DGRAM_MAX];
};

struct ike_harness;

/* Decide the fate of a datagram as it is sent: return how many copies to
 * deliver (0 = lost, 2 = duplicated); may change d->at (delay) or the
 * bytes. */
typedef int (*h_hook)(struct ike_harness *h, struct hdgram *d, void *arg);

struct hnode {
	struct ike_harness *h;
	int idx;
	struct ip_addr addr;
	struct ip_addr addr2; /* another address it receives on (family NONE: none) */
	struct ipsec *dp;
	struct ike *ike;
	uint64_t dp_timer, ike_timer;
	uint32_t rng;
	struct hev ev[H_EVENTS];
	int nev;
	bool down; /* drops everything it would receive */
};

struct ike_harness {
	uint64_t now;
	uint64_t delay; /* one-way, default 10 ms */
	struct hnode n[2];
	struct hdgram *q;
	size_t nq;
	unsigned seq;
	h_hook hook;
	void *hook_arg;
	bool nat; /* node 0 behind a NAT */
	/* The NAT maps node 0's port p to p + nat_offset (40000); a rebind
	 * (h_nat_rebind) moves every mapping, the old ports are dropped. */
	uint16_t nat_offset;
	unsigned keepalives[2]; /* NAT keepalives (one 0xff octet) sent by each node */
	/* every datagram sent, if `record` (for pcaps) */
	bool record;
	struct hdgram *log;
	size_t nlog;
};

void h_init(struct ike_harness *h);
/* The same with IPv6 addresses for the nodes (H_ADDR6_A, H_ADDR6_B): IKE
 * over IPv6, tunnels 4-in-6 between the (IPv4) LANs of h_conn(). */
void h_init_v6(struct ike_harness *h);
void h_free(struct ike_harness *h);

/* An IPv4 traffic selector lo .. lo | host_bits, any protocol and port. */
struct ike_ts_config h_ts(uint32_t lo, uint32_t host_bits);

/* A PSK connection from node `i` to the other node: child "net" in tunnel
 * mode between the LANs (TS empty: the address of the node). */
void h_conn(const struct ike_harness *h, int i, struct ike_conn_config *c, const char *ike_props,
            const char *esp_props);
void h_add(struct ike_harness *h, int i, const struct ike_conn_config *c);
/* h_init, then both nodes' h_conn connections (ESP proposals `esp_props`,
 * NULL: the default) with A starting the child, and no time-based
 * rekeying (the Child SA lives an hour) unless a test asks for it. */
void h_setup(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b,
             const char *esp_props);
/* Adds B's connection, then A's, and runs 1 s: one settled Child SA. */
void h_start(struct ike_harness *h, const struct ike_conn_config *a,
             const struct ike_conn_config *b);

/* Run the world until `until` (absolute), or until nothing is left. */
void h_run(struct ike_harness *h, uint64_t until);
/* Run for `dt` from now. */
void h_run_for(struct ike_harness *h, uint64_t dt);

/* Events of node i of `type` (the n-th, from 0; -1: the last), or NULL. */
const struct hev *h_event(const struct ike_harness *h, int i, enum ike_event_type type, int n);
int h_count(const struct ike_harness *h, int i, enum ike_event_type type);
/* The n-th event of node i of `type` (IKE_EV_IKE_SA or IKE_EV_CHILD_SA)
 * in `state`, or NULL; how many there are. */
const struct hev *h_state_event(const struct ike_harness *h, int i, enum ike_event_type type,
                                int state, int n);
int h_count_state(const struct ike_harness *h, int i, enum ike_event_type type, int state);
/* The last IKE_EV_IKE_SA state of node i, -1 if none. */
int h_ike_state(const struct ike_harness *h, int i);

/* Send a UDP packet from a host on node `from`'s LAN (or the node itself
 * if lan_src is 0) to dst through from's ipsec_output, across, into the
 * other node's ipsec_input and ipsec_input_policy.  Returns the outbound
 * verdict; on PROTECT, *delivered says whether the other node delivered
 * exactly the packet sent; *spi the SPI it carried. */
enum ipsec_verdict h_send_ip(struct ike_harness *h, int from, uint32_t src, uint32_t dst,
                             bool *delivered, uint32_t *spi, enum ipsec_drop *reason);

/* The same in two steps, for a packet held in the network: h_seal() runs
 * it through from's ipsec_output now (on the SA its policies name now);
 * h_open() gives it to the other node's ipsec_input and
 * ipsec_input_policy and says whether it got through unchanged (else
 * *reason, if given, says why). */
struct hpacket {
	int from;
	size_t len, wlen;
	uint8_t pkt[BUF], wire[BUF + IPSEC_MAX_OVERHEAD];
};
enum ipsec_verdict h_seal(struct ike_harness *h, int from, uint32_t src, uint32_t dst,
                          struct hpacket *p, enum ipsec_drop *reason);
bool h_open(struct ike_harness *h, struct hpacket *p, enum ipsec_drop *reason);

/* The only IKE SA of node i (internal view), NULL if none. */
struct ike_sa *h_sa(const struct ike_harness *h, int i);

/* Continuous traffic: run the world for `dt`, sending one packet each way
 * (LAN host 1 to LAN host 1) every `period`; counts per direction (index:
 * the sending node). */
struct htraffic {
	unsigned sent[2], delivered[2];
};
void h_run_traffic(struct ike_harness *h, uint64_t dt, uint64_t period, struct htraffic *t);
/* One packet each way right now; both must arrive. */
void h_assert_flows(struct ike_harness *h);
/* Both nodes have exactly one IKE SA, established, with `children` Child
 * SAs that pair up across the nodes (A's inbound SPI is B's outbound and
 * vice versa); their data planes hold exactly those SAs alive and PROTECT
 * entries naming only them -- nothing dangling. */
void h_assert_settled(struct ike_harness *h, int children);
/* The NAT in front of node 0 moves all its mappings to new ports. */
void h_nat_rebind(struct ike_harness *h, uint16_t new_offset);
/* Live (not deleted, not expired) SAs in node i's data plane. */
int h_live_sas(const struct ike_harness *h, int i);

/* Writes d as a pcap record (raw IPv4/UDP, no checksum) at usec. */
void h_pcap_record(FILE *f, const struct hdgram *d, uint32_t usec);
/* How often `what` occurs in tshark's output; fails the test unless n. */
int h_occurrences(const char *out, const char *what);
void h_expect_count(const char *out, const char *what, int n);

#endif
