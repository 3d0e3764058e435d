/* C bindings to the parts of ns-3 the simulation builder uses.
 *
 * This is the only door from C to ns-3.  It makes nodes, point-to-point
 * links, routes, sockets and events, and plugs an IPsec engine (model/) into
 * a node's IP stacks.  It holds no protocol logic: every IPsec decision is
 * the engine's.  Nodes and sockets are small integer handles.
 */
#ifndef NS3C_H
#define NS3C_H

#include <stddef.h>
#include <stdint.h>

#include "ip_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ipsec;
struct nat;

/* Resets the simulator, seeds ns-3's RNG (seed, run) and enables checksums. */
void ns3c_init(uint32_t seed, uint64_t run);
/* The same with ns-3's real-time simulator: simulated time follows the wall
 * clock (hard-limit mode: the run aborts when it falls more than
 * `hard_limit_ns` behind).  For nodes attached to real devices. */
void ns3c_init_realtime(uint32_t seed, uint64_t run, uint64_t hard_limit_ns);
/* Runs until `stop_ns` of simulated time; returns the number of events run. */
uint64_t ns3c_run(uint64_t stop_ns);
void ns3c_destroy(void);
/* Stops the run at the current simulated time (e.g. on SIGINT). */
void ns3c_stop_now(void);
/* The same from another thread (a signal's watcher): the run stops at its
 * next event. */
void ns3c_stop_from_thread(void);
/* Events executed so far. */
uint64_t ns3c_event_count(void);

uint64_t ns3c_now_ns(void);
typedef void (*ns3c_fn)(void *arg);
/* Schedules fn(arg) at absolute simulated time at_ns; returns an event id. */
uint64_t ns3c_schedule_at(uint64_t at_ns, ns3c_fn fn, void *arg);
void ns3c_cancel(uint64_t event_id);

/* A node with an IPv4 stack, and an IPv6 one if `ipv6` (RFC 8200: its
 * interfaces get link-local addresses, do duplicate address detection and,
 * on hosts, router solicitation), whose local-out, forward and local-in
 * paths can carry an IPsec engine. */
uint32_t ns3c_node_create(int ipv6);
/* Names the node in ns-3's name service, which pcap file names use. */
void ns3c_node_set_name(uint32_t node, const char *name);
void ns3c_node_set_forwarding(uint32_t node, int on);

struct ns3c_p2p {
	uint64_t rate_bps;
	uint64_t delay_ns;
	uint32_t mtu;
	uint32_t queue_packets;
	double loss;      /* packet error rate applied on receive, both ends */
	uint32_t addr[2]; /* 0: no IPv4 on the link */
	uint8_t prefix_len[2];
	struct ip_addr addr6[2]; /* family NONE: no IPv6 address (nodes need ipv6) */
	uint8_t prefix6_len;
};
/* Connects nodes a and b; returns the link index or -1. */
int ns3c_link_p2p(uint32_t a, uint32_t b, const struct ns3c_p2p *cfg);
/* What to capture.  `ends`, per link index (ns3c_link_p2p's sequence), has
 * bit 0 for the device of its first node (a TAP's, an LTE UE's) and bit 1
 * for its second's (an LTE link: the PGW's SGi link, one capture for the
 * cell); NULL captures every device.  A file holds the packets its device
 * sees from start_ns until before stop_ns (0: the end), the first
 * max_packets of them (0: all), each cut to snaplen bytes (0: ns-3's
 * 65535, and the file's header as ns-3 writes it). */
struct ns3c_capture {
	const uint8_t *ends;
	size_t n_links;
	uint64_t start_ns, stop_ns;
	uint64_t max_packets;
	uint32_t snaplen;
};
/* One pcap per device captured: DIR/PREFIX-NODE-DEVICE.pcap (ns-3's
 * naming).  0, or -1 with the file that cannot be created in err. */
int ns3c_enable_pcap(const char *prefix, const struct ns3c_capture *cap, char *err, size_t errlen);
/* Closes every capture file, counting what they hold: 0, or -1 with the
 * first file that could not be written whole (a full disk, an I/O error) in
 * err.  Call it once the run is over, before its results are recorded. */
struct ns3c_pcap_totals {
	uint64_t files, packets, bytes;
};
int ns3c_pcap_close(struct ns3c_pcap_totals *totals, char *err, size_t errlen);

/* Attaches a node to a real TAP device: an ns-3 FdNetDevice (DIX Ethernet
 * frames) on `fd`, a TAP opened with IFF_TAP | IFF_NO_PI, which it owns from
 * then on.  The interface gets addr/prefix_len like a link's end and the
 * MAC `mac`.  Needs ns3c_init_realtime.  Returns the link index (the same
 * sequence as ns3c_link_p2p's) or -1. */
int ns3c_tap_attach(uint32_t node, int fd, uint32_t addr, uint8_t prefix_len, const uint8_t mac[6]);

/* A static route to dst/prefix_len via the neighbour next_hop, of one family. */
void ns3c_route_add(uint32_t node, const struct ip_addr *dst, uint8_t prefix_len,
                    const struct ip_addr *next_hop);

/* Takes link `link` (the index ns3c_link_p2p returned) down or up again.
 * While down, every packet on it is lost in both directions, in flight ones
 * included; senders notice nothing and routes stay. */
void ns3c_link_set_up(int link, int up);

/* Takes a node down (a reboot's power-off) or up again.  While down, the
 * node sends nothing (its sockets refuse to send, its stack drops what it
 * would still send, e.g. TCP retransmissions, and ESP/AH packets its
 * crypto engine held) and every packet arriving at its point-to-point
 * devices is lost there.  Its links stay up: peers notice nothing but
 * the silence, as behind a switch or a modem.  ns3c_drops counts every
 * packet lost to it (NS3C_DROP_NODE_DOWN). */
void ns3c_node_set_up(uint32_t node, int up);

/* Packets a node's IP stacks and point-to-point devices lost outside the
 * IPsec engine (whose drops are enum ipsec_drop), by reason. */
enum ns3c_drop {
	NS3C_DROP_NODE_DOWN,   /* sent or arriving while the node was down */
	NS3C_DROP_LINK_DOWN,   /* arriving over a link that was down */
	NS3C_DROP_LINK_LOSS,   /* to the link's loss model (`loss`, `cellular`) */
	NS3C_DROP_QUEUE_FULL,  /* a full transmit queue (`queue`) */
	NS3C_DROP_TTL_EXPIRED, /* as a router, TTL or hop limit ran out (RFC 1812 §5.3.1) */
	NS3C_DROP_NO_NEIGHBOR, /* as a router, not the point-to-point neighbour's address */
	NS3C_DROP_NO_ROUTE,    /* no route (not for this node, or to send it on) */
	NS3C_DROP_REASSEMBLY,  /* fragments that timed out before reassembly */
	NS3C_DROP_IP_OTHER,    /* ns-3's other IP drops: bad checksum, interface down,
	                          unknown extension header, 2001:db8::/32 (ns-3 forwards
	                          no packet to the documentation prefix) */
	NS3C_DROP_NO_SOCKET,   /* for this node, but no socket took it (UDP, TCP) */
	NS3C_DROP_L4_CHECKSUM, /* for this node, UDP/TCP checksum failed: mixed fragments */
	NS3C_DROP__COUNT
};
uint64_t ns3c_drops(uint32_t node, enum ns3c_drop why);

/* Cellular links (variable-link.cc): makes the point-to-point link on the
 * node's interface `iface` (1 = first link) variable and returns a handle,
 * or -1.  Direction `dir` 0 is from this node to its peer, 1 back.  Each
 * direction then has its own rate (the sending device's DataRate), delay
 * (the channel's, per direction; packets keep their order) and loss (a
 * callback asked about each packet arriving, 1 = lose it; it replaces the
 * link's `loss`; ns3c_link_set_up still takes the link down over it). */
typedef int (*ns3c_loss_fn)(void *arg, uint32_t bytes);
int ns3c_vlink_create(uint32_t node, uint32_t iface);
void ns3c_vlink_set_rate(int vlink, int dir, uint64_t bps);
void ns3c_vlink_set_delay(int vlink, int dir, uint64_t ns);
void ns3c_vlink_set_loss(int vlink, int dir, ns3c_loss_fn fn, void *arg);
/* Forgets every handle (after ns3c_destroy). */
void ns3c_vlink_reset(void);

/* LTE links (lte.cc): ns-3's LTE radio and EPC.  One cell per simulation:
 * an eNodeB, the EPC's PGW, SGW and MME (ns-3's nodes, not ours), and the
 * SGi link from the PGW to `node` (pgw_addr and node_addr, 10 Gbit/s, no
 * delay), over which `node` gets a route to the UEs' network.  The S1-U
 * link (eNodeB to SGW) has delay epc_delay_ns.  The eNodeB uses
 * bandwidth_rb resource blocks each way and the FfMacScheduler TypeId
 * `scheduler`; its devices and the EPC draw from ns-3 RNG streams from
 * `stream` on.  0, or -1 (made already, no such node). */
struct ns3c_lte_cell {
	uint32_t node;
	uint32_t pgw_addr, node_addr;
	uint8_t prefix_len;
	uint16_t bandwidth_rb;
	const char *scheduler;
	uint64_t epc_delay_ns;
	int64_t stream;
};
int ns3c_lte_cell_create(const struct ns3c_lte_cell *cfg);
/* Makes `node` a UE of the cell, distance_m from the eNodeB and moving
 * away at speed_mps, and attaches it (default EPS bearer).  Its interface
 * gets the address the EPC assigns (*ue_addr) and a default route via the
 * PGW.  Returns the link index (the sequence of ns3c_link_p2p's) or -1. */
struct ns3c_lte_ue {
	uint32_t node;
	double distance_m, speed_mps;
};
int ns3c_link_lte(const struct ns3c_lte_ue *cfg, uint32_t *ue_addr);

/* Makes the node a NAT (model/elements/nat.h; NULL: not any more).  Interface
 * `outside_iface` (1 = first link) is the outside one, all others are
 * inside.  Packets forwarded from an inside interface out through the
 * outside one are translated outbound; packets arriving on the outside
 * interface are translated inbound before they are routed.  Both happen
 * before IPsec processing on this node. */
void ns3c_nat_attach(uint32_t node, struct nat *nat, uint32_t outside_iface);

/* Plugs `engine` into the node (NULL unplugs).  From then on every IP
 * packet (of either family) the node sends or forwards goes through ipsec_output, every ESP/AH
 * (and UDP-encapsulated ESP) packet it receives through ipsec_input, and
 * every plaintext packet it delivers or forwards through ipsec_input_policy. */
void ns3c_ipsec_attach(uint32_t node, struct ipsec *engine);

/* A crypto engine for the node (helper/sim/sim_crypto.c holds the model).  `fn`
 * is told of every ESP/AH packet the node's IPsec engine processed:
 * outbound (inbound 0) after ipsec_output protected it, inbound (1) after
 * ipsec_input decapsulated it (dropped -1) or dropped it (dropped = the
 * enum ipsec_drop reason).  It returns the simulated time (ns) at which the
 * crypto engine is done with the packet: the protected packet is sent, or
 * the decapsulated one handed on, then; UINT64_MAX drops it (fn counts the
 * drop).  The return value is ignored for packets already dropped.
 * Plaintext and bypassed packets are never delayed.  NULL detaches. */
typedef uint64_t (*ns3c_crypto_fn)(void *arg, uint32_t node, int inbound, int dropped,
                                   const uint8_t *pkt, size_t len);
void ns3c_crypto_attach(uint32_t node, ns3c_crypto_fn fn, void *arg);

/* The node's IPv4 identifications (RFC 791, RFC 6864): for each (source,
 * destination, protocol) a counter, as real stacks keep them, starting at
 * two bytes drawn from `fn` when the triple is first used (without a
 * source: 0, as ns-3 starts).  Every datagram the node originates gets
 * one: from its sockets, and (ns3c_ip_id_next) the outer header of what
 * IPsec protects in tunnel mode. */
typedef int (*ns3c_random_fn)(void *arg, uint8_t *buf, size_t len);
void ns3c_ip_id_source(uint32_t node, ns3c_random_fn fn, void *arg);
/* The identification of the node's next datagram from src to dst with
 * protocol `proto` (the outer header of a tunnel-mode packet). */
uint16_t ns3c_ip_id_next(uint32_t node, uint32_t src, uint32_t dst, uint8_t proto);

/* A look at every IP packet (either family) the node forwards, before IPsec
 * processing.
 * Return 0 to forward the packet, 1 to drop it silently.  Used by on-path
 * attacker nodes. */
typedef int (*ns3c_forward_tap)(void *arg, uint32_t node, const uint8_t *pkt, size_t len);
void ns3c_set_forward_tap(uint32_t node, ns3c_forward_tap tap, void *arg);
/* Sends a whole IP packet of either family (header included) from `node`, routed by its
 * destination, bypassing IPsec: what a raw-socket attacker can do. */
void ns3c_inject(uint32_t node, const uint8_t *pkt, size_t len);

/* Sockets.  Received datagrams are handed to `rx`.  UDP: the payload, with
 * both ends' addresses and ports.  Raw (a protocol number): the whole
 * packet, IP header included, ports 0. */
struct ns3c_datagram {
	const uint8_t *data;
	size_t len;
	struct ip_addr src, dst;
	uint16_t sport, dport;
};
typedef void (*ns3c_rx)(void *arg, const struct ns3c_datagram *d);
/* A UDP socket on `port` of every address of the node, of both families
 * when the node has IPv6. */
int ns3c_udp_open(uint32_t node, uint16_t port, ns3c_rx rx, void *arg);
/* Closes a UDP socket: the port is free again, nothing more is received. */
void ns3c_udp_close(int sock);
int ns3c_udp_sendto(int sock, const uint8_t *data, size_t len, const struct ip_addr *dst,
                    uint16_t port);
/* A raw socket of `family` (IP_FAMILY_V4 or _V6) for `protocol`.  An
 * ICMPv6 echo request sent on one gets its checksum from ns-3 (it alone
 * knows the source address). */
int ns3c_raw_open(uint32_t node, uint8_t family, uint8_t protocol, ns3c_rx rx, void *arg);
int ns3c_raw_sendto(int sock, const uint8_t *data, size_t len, const struct ip_addr *dst);

/* TCP (ns-3's TcpSocketBase, over the node's IPv4 stack and so through its
 * IPsec engine).  A connection is a socket handle like the others; its
 * events go to the callbacks of the ns3c_tcp it was opened or accepted
 * with.  Every callback may be NULL. */
struct ns3c_tcp {
	/* connect() finished: ok 1 (established) or 0 (refused or timed out). */
	void (*connected)(void *arg, int sock, int ok);
	/* Room in the send buffer (TcpSocket SndBufSize) became available. */
	void (*sendable)(void *arg, int sock, size_t available);
	/* In-order bytes for the application. */
	void (*recv)(void *arg, int sock, const uint8_t *data, size_t len);
	/* A listener accepted connection `sock` from src:sport; it reports to
	 * the same callbacks. */
	void (*accepted)(void *arg, int listener, int sock, const struct ip_addr *src,
	                 uint16_t sport);
	/* The peer closed (error 0) or the connection failed (error 1). */
	void (*closed)(void *arg, int sock, int error);
	void *arg;
};

/* Socket attributes; 0 leaves ns-3's default. */
struct ns3c_tcp_opts {
	uint32_t segment_size;   /* TcpSocket SegmentSize (data bytes per segment, the MSS) */
	uint32_t sndbuf, rcvbuf; /* TcpSocket SndBufSize, RcvBufSize */
	const char *congestion;  /* a TcpCongestionOps TypeId name ("ns3::TcpNewReno"), or NULL */
};

/* Segments carrying data (SYN, FIN and pure ACKs are not counted). */
struct ns3c_tcp_stats {
	uint64_t segments_sent; /* by the socket (Tx trace), retransmissions included */
	uint64_t retransmits;   /* data segments sent again (sequence below the highest sent) */
	uint64_t bytes_sent;    /* data bytes in segments sent, retransmissions included */
	/* Accepted connections only: segments of the connection IP delivered
	 * to the node (LocalDeliver trace), duplicates included, and those
	 * the socket accepted (Rx trace: in the receive window). */
	uint64_t segments_received;
	uint64_t segments_accepted;
};

/* Listens on `port` of the node's addresses of `family`. */
int ns3c_tcp_listen(uint32_t node, uint8_t family, uint16_t port, const struct ns3c_tcp_opts *opts,
                    const struct ns3c_tcp *cb);
int ns3c_tcp_connect(uint32_t node, const struct ip_addr *dst, uint16_t port,
                     const struct ns3c_tcp_opts *opts, const struct ns3c_tcp *cb);
/* Queues up to len bytes (data NULL: zeros); returns the number taken,
 * at most the send buffer's room (ns3c_tcp_tx_available), or -1. */
long ns3c_tcp_send(int sock, const uint8_t *data, size_t len);
size_t ns3c_tcp_tx_available(int sock);
/* Closes after the queued data is sent (FIN); no callback fires after it. */
void ns3c_tcp_close(int sock);
void ns3c_tcp_stats(int sock, struct ns3c_tcp_stats *st);

/* Random variates from ns-3's RNG (MRG32k3a): stream `stream` of the run's
 * seed and run number (RngSeedManager), so the same seed and run give the
 * same draws and another run number other ones.  The caller numbers the
 * streams, 0 to 2^61 (the handle takes ns-3 streams 2k and 2k + 1; ns-3's
 * automatic streams start at 2^63); a handle is returned. */
int ns3c_rng_open(int64_t stream);
void ns3c_rng_close(int rng);
/* Exponentially distributed with this mean (ExponentialRandomVariable). */
double ns3c_rng_exponential(int rng, double mean);
/* Uniform in [0, 1) (UniformRandomVariable). */
double ns3c_rng_uniform(int rng);

/* The interface of `node` that has old_addr gets new_addr instead (same
 * prefix length): a handover to a cell that hands out another address.
 * Sockets bound to the wildcard address send from it from then on.  0, or
 * -1 if no interface has old_addr. */
int ns3c_address_replace(uint32_t node, uint32_t old_addr, uint32_t new_addr);

#ifdef __cplusplus
}
#endif
#endif
