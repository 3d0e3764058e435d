/* Scenario files: a YAML description of a network, its IPsec configuration
 * and its traffic (docs/scenario-reference.md), loaded into plain C data
 * that the simulation builder walks.
 *
 * Everything is validated here, and every name is resolved to an index: the
 * builder needs no string lookups and can hand `struct ipsec_sa_config` and
 * the policies' selectors to the engine as they are.  Addresses are in host
 * byte order, like ipsec.h; times in nanoseconds, rates in bits per second,
 * sizes in bytes.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto_engine.h"
#include "ike.h"
#include "ipsec.h"
#include "nat.h"

/* Names (nodes, SAs, flows) are [A-Za-z0-9_-]+, at most 63 characters. */
#define SCENARIO_NAME_MAX 64
/* An index that refers to nothing (e.g. a flow to an address no node has). */
#define SCENARIO_NONE ((size_t)-1)
/* Documents larger than this, counting nodes after alias expansion, are
 * refused (a YAML "billion laughs" is a few lines long); a generated
 * hub-and-spoke of 1,000 spokes has about 140,000. */
#define SCENARIO_MAX_YAML_NODES 1000000
/* Deepest nesting of lists and mappings in a scenario file. */
#define SCENARIO_MAX_YAML_DEPTH 64
/* Larger files are refused. */
#define SCENARIO_MAX_FILE_SIZE (16 << 20)
/* At most this many errors are printed. */
#define SCENARIO_MAX_ERRORS 20

/* One end of a link, seen from its node.  A node's interfaces are listed in
 * the order of the links in the file. */
struct scenario_cellular;

struct scenario_iface {
	size_t link;          /* index into scenario.links */
	unsigned end;         /* 0 or 1: which end of that link this node is */
	size_t peer;          /* the node at the other end (SCENARIO_NONE: a TAP) */
	uint32_t addr;        /* this node's IPv4 address on the link (0: none) */
	uint8_t prefix_len;   /* the link's IPv4 subnet */
	struct ip_addr addr6; /* its IPv6 address (family NONE: none) */
	uint8_t prefix6_len;  /* the link's IPv6 subnet */
};

/* A static route, of one family.  Connected subnets need none. */
struct scenario_route {
	struct ip_addr dst; /* network address (host bits zero) */
	uint8_t prefix_len; /* 0 = default route */
	struct ip_addr via; /* next hop: the neighbour's address on `iface` */
	size_t iface;       /* index into the node's ifaces */
};

struct scenario_sa {
	char name[SCENARIO_NAME_MAX];
	/* Complete, defaults applied.  cfg.sel is the selector of the first
	 * policy that names this SA (all zero if none does). */
	struct ipsec_sa_config cfg;
};

/* One SPD entry, in file order (first match wins). */
struct scenario_policy {
	struct ipsec_selector sel;
	enum ipsec_action action;
	/* PROTECT only: indices into the node's sas.  out[] is the bundle
	 * applied outbound, innermost first; in[] the inbound SAs allowed. */
	size_t n_out, n_in;
	size_t out[IPSEC_BUNDLE_MAX];
	size_t in[IPSEC_BUNDLE_MAX];
};

/* What an attacker node does.  The first four forge copies of the ESP/AH
 * packets it forwards; the original packet is always forwarded unchanged
 * as well: the forged copies must fail at the receiver on their own
 * merit.  FLOOD sends packets of its own (struct scenario_flood). */
enum scenario_attack_action {
	SCENARIO_ATTACK_REPLAY,      /* a copy of the previous IPsec packet */
	SCENARIO_ATTACK_FLIP,        /* a copy with one payload bit flipped */
	SCENARIO_ATTACK_TRUNCATE,    /* a copy cut short */
	SCENARIO_ATTACK_UNKNOWN_SPI, /* a copy carrying an SPI nobody has */
	SCENARIO_ATTACK_FLOOD,       /* packets of its own, at a rate */
};

enum scenario_flood_kind {
	SCENARIO_FLOOD_IKE_SA_INIT, /* IKE_SA_INIT requests (RFC 7296 §1.2) to UDP 500 */
	SCENARIO_FLOOD_ESP,         /* ESP packets with a garbage payload */
	SCENARIO_FLOOD_UDP,         /* plain UDP datagrams */
};

/* A flood: `count` packets from `at`, `interval_ns` apart, to `target`
 * (SCENARIO_NONE: an address no node owns), from the attacker's own
 * address or (spoof_len > 0) random addresses of spoof/spoof_len, from
 * random ports. */
struct scenario_flood {
	enum scenario_flood_kind kind;
	uint32_t target;
	size_t target_node;
	uint32_t source; /* the attacker's address on its interface toward target */
	double rate_pps;
	uint32_t spoof;
	uint8_t spoof_len; /* 0: the attacker's own address */
	uint16_t port;     /* udp: the destination port */
	uint32_t size;     /* udp: UDP payload bytes; esp: bytes after SPI and sequence number */
	bool live_spi;     /* esp: the SPI of the SA last seen forwarded to target */
	/* ike_sa_init: the SA payload's proposals (strongSwan syntax) and the
	 * KE payload's group (the first DH group they name). */
	char proposals[IKE_PROPOSALS_MAX];
	uint16_t dh_group;
};

/* From time `at`, forge (or flood) `count` packets, at least `interval`
 * apart. */
struct scenario_attack {
	enum scenario_attack_action action;
	uint64_t at_ns;
	uint32_t count;
	uint64_t interval_ns;
	struct scenario_flood flood; /* FLOOD only */
};

/* A NAT box (docs/scenario-reference.md, "nat"): NAPT from the node's other
 * interfaces to its outside one.  cfg.outside_addr is the node's address on
 * the outside interface; defaults are applied. */
struct scenario_nat {
	size_t outside; /* index into the node's ifaces */
	struct nat_config cfg;
};

/* A crypto engine (`crypto_engine:`, docs/scenario-reference.md): a
 * profile file with the node's overrides applied. */
struct scenario_crypto {
	const char *profile; /* `profile:` of the file, else its name without .yaml */
	const char *path;    /* the profile file that was loaded */
	struct crypto_engine_config cfg;
};

/* The ids a secret belongs to (swanctl.conf `id<suffix>`). */
#define SCENARIO_SECRET_IDS_MAX 8

/* An IKE pre-shared key (`ipsec: secrets:`, swanctl.conf secrets { ike<suffix>
 * { id; secret } }). */
struct scenario_secret {
	char name[SCENARIO_NAME_MAX]; /* `name`, else "secrets.N" */
	char ids[SCENARIO_SECRET_IDS_MAX][IKE_ID_MAX];
	size_t n_ids; /* 0: any identity (%any) */
	uint8_t secret[256];
	size_t secret_len;
	char *key_pem; /* type private (rsa, ecdsa, pkcs8): the key file's PEM; else NULL */
};

struct scenario_node {
	char name[SCENARIO_NAME_MAX];
	bool forwarding;
	bool ipv6; /* an interface has an IPv6 address */
	struct scenario_iface *ifaces;
	size_t n_ifaces;
	struct scenario_route *routes;
	size_t n_routes;
	/* IPsec: has_ipsec is true when the node has an `ipsec:` section. */
	bool has_ipsec;
	enum ipsec_action ipsec_default; /* BYPASS or DISCARD */
	/* On a node with IPv6: neighbour discovery and MLD bypass IPsec ahead
	 * of every policy (`nd_bypass`, default yes; sim_node.c). */
	bool nd_bypass;
	struct scenario_sa *sas;
	size_t n_sas;
	struct scenario_policy *policies;
	size_t n_policies;
	struct scenario_attack *attacks;
	size_t n_attacks;
	bool has_nat; /* the node has a `nat:` section */
	struct scenario_nat nat;
	bool has_crypto; /* the node has a `crypto_engine:` */
	struct scenario_crypto crypto;
	/* IKEv2 (`ipsec: connections:`), in file order: complete, with
	 * strongSwan's defaults applied (ike_conn_defaults(),
	 * ike_child_defaults()), local_addr resolved, and psk/psk_len taken
	 * from the node's secrets; ready for ike_conn_add(). */
	struct ike_conn_config *conns;
	size_t n_conns;
	/* Per connection: the index into secrets of the PSK it uses, or
	 * SCENARIO_NONE when neither side authenticates with psk. */
	size_t *conn_secret;
	struct scenario_secret *secrets;
	size_t n_secrets;
};

/* A point-to-point link between two nodes, or a TAP link: node[0] attached
 * to the host's TAP device `tap`, whose Linux side has addr[1]. */
struct scenario_link {
	size_t node[2];   /* indices into scenario.nodes; a TAP link's node[1] is SCENARIO_NONE */
	size_t iface[2];  /* index into each node's ifaces */
	uint32_t addr[2]; /* IPv4 (0: the link has none) */
	uint8_t prefix_len;
	struct ip_addr addr6[2]; /* IPv6 (family NONE: the link has none) */
	uint8_t prefix6_len;
	uint64_t rate_bps;
	uint64_t delay_ns;
	double loss; /* packet error rate, 0..1 */
	uint32_t mtu;
	uint32_t queue;     /* packets */
	char tap[16];       /* a TAP link: the device's name ("" otherwise) */
	uint8_t mac[6];     /* a TAP link: the node's MAC (all zero: derived from addr[0]) */
	bool tap_configure; /* a TAP link: give the Linux side addr[1] and bring it up */
	/* `cellular:` (scenario_cellular.h): rate, delay and loss that vary over
	 * time, outages, handovers; NULL for a fixed link. */
	struct scenario_cellular *cellular;
	/* `type: lte` (scenario_lte.c): ns-3's LTE radio and EPC; NULL otherwise. */
	struct scenario_lte *lte;
};

/* An LTE link: node[0] is a UE of the scenario's one cell, node[1] the node
 * on the internet side of the EPC's PGW.  The link that sets up the cell
 * (the first `type: lte` one) gives the SGi link's addresses, addr[0] the
 * PGW's and addr[1] node[1]'s, and the cell's keys; later ones share them.
 * node[0]'s interface has ue_addr/8 (the EPC's UE network, 7.0.0.0/8 in
 * ns-3.37, addresses in attach order from 7.0.0.2). */
struct scenario_lte {
	double distance_m; /* from the eNodeB */
	double speed_mps;  /* away from it */
	uint16_t bandwidth_rb;
	const char *scheduler; /* an ns-3 FfMacScheduler TypeId */
	uint64_t epc_delay_ns; /* the S1-U link's */
	size_t cell_link;      /* the link that sets up the cell */
	uint32_t ue_addr;
};

/* Things that happen to the network at a given time (`events:`). */
enum scenario_event_action {
	SCENARIO_EVENT_NAT_FLUSH,  /* the NAT drops all its mappings */
	SCENARIO_EVENT_NAT_REBIND, /* the NAT moves every mapping to a new port */
	SCENARIO_EVENT_LINK_DOWN,  /* the link loses every packet, both ways */
	SCENARIO_EVENT_LINK_UP,
	SCENARIO_EVENT_REBOOT, /* the node is off for `down_ns`, then starts afresh */
};

struct scenario_event {
	uint64_t at_ns;
	enum scenario_event_action action;
	size_t node;      /* NAT actions: a node with has_nat; reboot: any; else SCENARIO_NONE */
	size_t link;      /* link actions: index into links; else SCENARIO_NONE */
	uint64_t down_ns; /* reboot: how long the node is off (0: restarts at once) */
};

enum scenario_flow_type {
	SCENARIO_FLOW_UDP,     /* constant bit rate UDP */
	SCENARIO_FLOW_PING,    /* ICMP echo */
	SCENARIO_FLOW_POISSON, /* UDP, exponential inter-arrival times */
	SCENARIO_FLOW_ONOFF,   /* UDP at a constant rate during on periods */
	SCENARIO_FLOW_TCP,     /* bulk transfer over ns-3's TCP */
	SCENARIO_FLOW_REQRESP, /* UDP requests, each answered by a response */
};

/* An on or off period of an onoff flow: constant, or exponentially
 * distributed with that mean. */
struct scenario_period {
	uint64_t mean_ns;
	bool exponential;
};

/* TCP congestion control (ns-3's TcpCongestionOps); DEFAULT leaves
 * TcpL4Protocol's SocketType as it is. */
enum scenario_tcp_cc {
	SCENARIO_TCP_CC_DEFAULT,
	SCENARIO_TCP_CC_NEWRENO,
	SCENARIO_TCP_CC_CUBIC,
	SCENARIO_TCP_CC_BBR,
	SCENARIO_TCP_CC_VEGAS,
	SCENARIO_TCP_CC_WESTWOOD,
	SCENARIO_TCP_CC_HIGHSPEED,
	SCENARIO_TCP_CC_HTCP,
	SCENARIO_TCP_CC_SCALABLE,
};

struct scenario_flow {
	char name[SCENARIO_NAME_MAX];
	enum scenario_flow_type type;
	size_t from;          /* node index */
	size_t to;            /* node index, SCENARIO_NONE if dst belongs to no node */
	struct ip_addr dst;   /* destination address */
	uint16_t port;        /* udp/poisson/onoff/reqresp/tcp destination port (0 for ping) */
	uint32_t size;        /* payload bytes per packet (reqresp: per request) */
	uint64_t rate_bps;    /* given a rate: payload bits per second, else 0 */
	uint64_t interval_ns; /* time between packets (computed from rate if given); poisson:
	                         the mean; onoff: while on */
	uint64_t start_ns, stop_ns;
	struct scenario_period on, off;  /* onoff */
	uint32_t response_size;          /* reqresp: payload bytes per response */
	uint64_t bytes;                  /* tcp: bytes to transfer, 0 = until stop */
	uint32_t segment_size;           /* tcp: ns-3 TcpSocket SegmentSize (MSS), bytes */
	enum scenario_tcp_cc congestion; /* tcp */
};

/* The experiment a scenario describes (docs/experiments.md): its `sweep:`
 * as axes of a cartesian product, each axis a list of levels and each level
 * the overrides ("key=value", as `--set` takes them) of one value.  A sweep
 * map has an axis per key, in file order, each level one override; a sweep
 * list has one axis whose levels are its configurations. */
struct scenario_override {
	char *key;    /* a path like links.1.loss */
	char *value;  /* the value as YAML text, like 0.1 or "a b" */
	int key_node; /* private: the loader's YAML node ids */
	int value_node;
};

struct scenario_sweep_level {
	struct scenario_override *sets;
	size_t n_sets;
	char *where; /* the value or configuration: "FILE:LINE:COL" or "--set:N" */
};

struct scenario_sweep_axis {
	char *key;   /* a map's key; "sweep" for a list */
	char *where; /* where it is written: "FILE:LINE:COL" or "--set:N" */
	struct scenario_sweep_level *levels;
	size_t n_levels;
};

/* What a run captures (`capture:`, docs/scenario-reference.md): without
 * the section, every interface, every packet, whole. */
struct scenario_capture {
	/* Per node (all of its interfaces) and per link (both ends): chosen.
	 * NULL when the section names neither: every interface. */
	bool *nodes, *links;
	uint64_t start_ns, stop_ns; /* packets seen in [start, stop); stop 0: to the end */
	uint64_t max_packets;       /* per capture file; 0: no limit */
	uint32_t snaplen;           /* bytes kept per packet; 0: ns-3's 65535 */
};

/* At most this many runs (configurations x replications) in an experiment. */
#define SCENARIO_MAX_RUNS 1000000

struct scenario_experiment {
	uint32_t replications; /* `replications:`; 0 when not given */
	struct scenario_sweep_axis *axes;
	size_t n_axes;
	size_t n_configs; /* the product of the axes' levels (1 without a sweep) */
};

struct scenario {
	char *path;        /* as given to scenario_load */
	char *name;        /* `name:`, else the file name without folder and extension */
	char *description; /* "" if none */
	uint64_t duration_ns;
	uint64_t seed; /* 1..2^32-1 (ns-3's RngSeedManager) */
	bool realtime; /* simulated time follows the wall clock (TAP links need it) */
	/* `defaults: strongswan`: IKE connections and children start from
	 * strongSwan 5.9's defaults where this module's differ (ike.h
	 * ike_conn_strongswan); `module` (the default): from this module's. */
	bool strongswan_defaults;
	uint64_t flow_bin_ns; /* metrics.flow_bins: width of the flow_bins rows, 0 = none */
	struct scenario_capture capture;

	struct scenario_node *nodes;
	size_t n_nodes;
	struct scenario_link *links;
	size_t n_links;
	struct scenario_flow *flows;
	size_t n_flows;
	struct scenario_event *events; /* in file order */
	size_t n_events;
	size_t n_sas;   /* over all nodes */
	size_t n_conns; /* IKE connections, over all nodes */

	/* Provenance, to be stored with results: the file as read (before
	 * overrides) and the overrides, "key=value", in order. */
	char *text;
	size_t text_len;
	char **sets;
	size_t n_sets;

	/* `replications:` and `sweep:`: not applied by the loader (the
	 * scenario as loaded has its base values), checked value by value. */
	struct scenario_experiment experiment;

	struct scenario_arena *arena; /* private: owns all of the above */
};

/* Loads and validates the scenario at `path`, applying `sets` ("key=value"
 * overrides, see docs/scenario-reference.md) to the YAML tree first.
 * Returns 0 with *out filled, or 2 after printing each error to `errors` as
 * "FILE:LINE:COL: message\n" ("--set:N: message\n" for the N-th override),
 * at most SCENARIO_MAX_ERRORS of them; *out is then empty.  A valid
 * scenario may still print warnings ("FILE:LINE:COL: warning: ...", e.g.
 * traffic that no route carries) and return 0.  `errors` may be NULL.
 * Call scenario_free() in both cases. */
int scenario_load(const char *path, const char *const *sets, size_t nsets, struct scenario *out,
                  FILE *errors);
/* The same from text in memory; `path` names it in messages. */
int scenario_load_text(const char *path, const char *text, size_t len, const char *const *sets,
                       size_t nsets, struct scenario *out, FILE *errors);
/* One configuration of the scenario's experiment: `sets` holds its
 * overrides (sweep_plan_sets()).  As scenario_load_text, but the values of
 * the scenario's `sweep:` are not checked one by one again (they were when
 * the scenario was loaded as it is).  `labels`, if not NULL, names where
 * each override came from in messages ("--vary", or the sweep value's
 * FILE:LINE:COL), a NULL label meaning "--set:N". */
int scenario_load_config(const char *path, const char *text, size_t len, const char *const *sets,
                         const char *const *labels, size_t nsets, struct scenario *out,
                         FILE *errors);
void scenario_free(struct scenario *s);
/* A name for a scenario, node or connection: letters, digits, '_' and '-',
 * 1 to SCENARIO_NAME_MAX - 1 of them.  The scenario's name becomes part of
 * output file names, so it can hold no '/' and no "..". */
bool scenario_name_valid(const char *s);

/* Is end `end` (0 or 1, as in scenario_link.node) of link `link` captured?
 * A TAP link's end 1 is the host's; an LTE link's the PGW's SGi link. */
bool scenario_captures(const struct scenario *s, size_t link, unsigned end);
/* Is any interface captured? */
bool scenario_captures_any(const struct scenario *s);

/* "4 configurations x 2 replications = 8 runs" */
const char *scenario_experiment_summary(const struct scenario *s, char *buf, size_t len);

/* Lookups for tools and tests: an index or SCENARIO_NONE. */
size_t scenario_node_index(const struct scenario *s, const char *name);
/* The node's addresses on its links, IPv4 ones in link order and then IPv6
 * ones: the first `cap` into out; returns how many the node has. */
size_t scenario_node_addresses(const struct scenario_node *n, struct ip_addr *out, size_t cap);
size_t scenario_sa_index(const struct scenario_node *n, const char *name);

const char *scenario_enc_name(enum ipsec_enc enc);
const char *scenario_integ_name(enum ipsec_integ integ);
const char *scenario_attack_name(enum scenario_attack_action a);
/* "ike_sa_init", "esp", "udp". */
const char *scenario_flood_kind_name(enum scenario_flood_kind k);
const char *scenario_event_name(enum scenario_event_action a);
const char *scenario_nat_mapping_name(enum nat_mapping_behaviour m);
/* "udp", "ping", "poisson", "onoff", "tcp", "reqresp". */
const char *scenario_flow_type_name(enum scenario_flow_type t);
/* "newreno", "cubic", ...; "default" for SCENARIO_TCP_CC_DEFAULT. */
const char *scenario_tcp_cc_name(enum scenario_tcp_cc cc);

#endif
