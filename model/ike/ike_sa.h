/* The IKE daemon's internal state (RFC 7296): the per-node context
 * (`struct ike`), connections, IKE SAs with their exchange state and their
 * Child SAs, and the functions the files of the IKE control plane share:
 *
 *   ike.c           the context, connections, dispatch of received messages,
 *                   the timer, events, statistics
 *   ike_sa.c        IKE SA lifecycle: creation, SPIs, state, deletion
 *   ike_exchange.c  requests and responses (§2.1-§2.3): message IDs, window
 *                   of one, request queue, retransmission, response cache
 *   ike_sa_init.c   IKE_SA_INIT (§1.2, §2.5-§2.7, §2.10, §2.23)
 *   ike_auth_exchange.c  IKE_AUTH (§1.2, §2.15, §2.16) and its Child SA
 *   ike_id.c        identities (§3.5)
 *   ike_cert.c      X.509 credentials for pubkey AUTH (ike_cert.h)
 *   ike_ts.c        traffic selectors and narrowing (§2.9)
 *   ike_child.c     Child SAs in the data plane, SPIs, trap policies
 *   ike_child_select.c  the responder's choice of a child for offered TS (§2.9)
 *   ike_info.c      INFORMATIONAL (§1.4): DELETE, DPD (§2.4), notifies
 *   ike_create_child.c  CREATE_CHILD_SA for Child SAs (§1.3.1, §1.3.3, §2.8.1)
 *   ike_rekey.c     when and how Child SAs are replaced: triggers, jitter,
 *                   make-before-break / break-before-make, the rekey summary
 *   ike_rekey_ike.c CREATE_CHILD_SA rekeying the IKE SA (§1.3.2, §2.18, §2.8.2)
 *   ike_reauth.c    reauthentication: a new IKE SA from scratch (§2.8.3)
 *   ike_natt.c      NAT-T upkeep: following the peer (§2.23), keepalives
 *                   when idle (RFC 3948 §2.3, §4)
 *   ike_frag.c      RFC 7383 fragmentation on an IKE SA: negotiation, our
 *                   messages in fragments, the peer's reassembled (the
 *                   codec in ike_frag_split.c, ike_frag_reassembly.c)
 */
#ifndef IPSEC_IKE_SA_H
#define IPSEC_IKE_SA_H

#include "ike.h"
#include "ike_crypto.h"
#include "ike_frag.h"
#include "ike_msg.h"
#include "ike_proposal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_MSG_MAX 8192  /* largest IKE message we build or accept */
#define IKE_NONCE_LEN 32  /* §2.10: at least half the PRF key size, >= 16 */
#define IKE_QUEUE_MAX 8   /* requests waiting for the window */
#define IKE_COOKIE_MAX 64 /* §2.6: 1..64 octets */
#define IKE_SA_CHILDREN (2 * IKE_CHILDREN_MAX)
#define IKE_CHILD_SPD_MAX (IKE_TS_MAX * IKE_TS_MAX)
#define IKE_DIAG_MAX 1024

/* Where an IKE SA is in its life (the externally visible enum ike_sa_state
 * is derived from it). */
enum ike_phase {
	IKE_PHASE_INIT_SENT,   /* initiator: IKE_SA_INIT request outstanding */
	IKE_PHASE_INIT_DONE,   /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_PHASE_AUTH_SENT,   /* initiator: IKE_AUTH request outstanding */
	IKE_PHASE_ESTABLISHED, /* authenticated */
	IKE_PHASE_REKEYED,     /* replaced by a new IKE SA (§2.18): the children moved
	                          there, the DELETE of this one is pending */
	IKE_PHASE_DELETING,    /* our DELETE (or AUTHENTICATION_FAILED) is on its way */
	IKE_PHASE_DEAD,        /* gone; freed at the end of the current entry point */
};

/* What happens to the children of an IKE SA that ends. */
enum ike_end_children {
	IKE_END_CLEAR,      /* removed (we ended it) */
	IKE_END_DPD_ACTION, /* the peer is dead: each child's dpd_action */
	IKE_END_CLOSE,      /* the peer closed it: each child's close_action */
};

/* A request this node wants to send on an IKE SA (window size 1, §2.3). */
enum ike_task_kind {
	IKE_TASK_SA_INIT,      /* ike_sa_init.c */
	IKE_TASK_AUTH,         /* ike_auth_exchange.c */
	IKE_TASK_DPD,          /* ike_info.c: empty INFORMATIONAL, §2.4 */
	IKE_TASK_DELETE_CHILD, /* arg: uid of the child */
	IKE_TASK_DELETE_IKE,
	IKE_TASK_AUTH_FAILED,  /* §2.21.2: N(AUTHENTICATION_FAILED), then gone */
	IKE_TASK_CREATE_CHILD, /* ike_create_child.c, arg: child config (§1.3.1) */
	IKE_TASK_REKEY_CHILD,  /* ike_create_child.c, arg: uid of the child (§1.3.3) */
	IKE_TASK_REKEY_IKE,    /* ike_rekey_ike.c (§1.3.2) */
	IKE_TASK_MOBIKE,       /* ike_mobike.c: N(UPDATE_SA_ADDRESSES), RFC 4555 §3.5 */
};

struct ike_task {
	enum ike_task_kind kind;
	uint32_t arg;
};

/* A Child SA: one inbound and one outbound data-plane SA and the SPD
 * entries of its (narrowed) traffic selectors.
 *
 * Rekeying (ike_rekey.c) links two children: the old one names its
 * replacement in `successor` from the moment the replacement is installed
 * until the old one is retired; while `outbound_pending` the replacement
 * has its SAs but the SPD entries still send on the old child
 * (make-before-break responder).  The SPD entries belong to whichever of
 * the two carries the outbound traffic. */
struct ike_child {
	bool used;
	uint32_t uid;           /* unique in the node: tasks name children by it */
	size_t cfg;             /* index in the connection's children */
	bool deleting;          /* our DELETE is outstanding */
	uint64_t installed;     /* when it was installed */
	uint64_t rekey_at;      /* rekey_time - random(rand_time), or a retry; UINT64_MAX: never */
	bool rekeying;          /* our rekey of it is queued or outstanding */
	uint32_t successor;     /* uid of the replacement, 0 if none */
	bool outbound_pending;  /* a replacement whose SPD switch waits (MBB responder) */
	bool redundant;         /* created by a rekey collision we lost (§2.8.1): deleted */
	bool broken;            /* break-before-make: its outbound SA is gone already */
	uint64_t rekey_started; /* the old child: our request sent or the peer's received */
	uint32_t spi_in;        /* ours: the peer sends with it */
	uint32_t spi_out;       /* the peer's */
	uint32_t sa_in, sa_out; /* ids in the data plane */
	uint32_t spd[IKE_CHILD_SPD_MAX];
	size_t nspd;
	enum ipsec_mode mode;
	struct ike_child_transforms tr;
	struct ike_ts ts_local[IKE_TS_MAX], ts_remote[IKE_TS_MAX];
	size_t n_local, n_remote;
	uint64_t in_packets;             /* inbound packets at the last liveness check */
	uint64_t out_packets;            /* outbound packets at the last keepalive check */
	bool soft_expired, hard_expired; /* data-plane events not yet acted on */
};

/* The Child SA (or, for an IKE rekey, the IKE SA) negotiated by our
 * outstanding IKE_AUTH or CREATE_CHILD_SA request, between request and
 * response. */
struct ike_child_nego {
	bool active;
	size_t cfg;
	uint32_t spi_in;
	bool transport;
	struct ike_ts tsi[IKE_TS_MAX], tsr[IKE_TS_MAX];
	size_t ntsi, ntsr;
	/* CREATE_CHILD_SA */
	uint32_t old;      /* uid of the child being rekeyed, 0 for a new child */
	bool old_gone;     /* the peer deleted it meanwhile (§2.25.1) */
	bool old_replaced; /* ... after the peer rekeyed it (§2.8.1) */
	uint8_t ni[IKE_NONCE_MAX];
	size_t ni_len;
	struct ike_dh *dh;            /* PFS (§1.3.1) or the IKE rekey's KE */
	uint8_t ike_spi[IKE_SPI_LEN]; /* IKE rekey: our SPI of the new IKE SA */
	/* §2.8.1, §2.8.2: the peer rekeyed the same SA meanwhile; what its
	 * exchange created (a child's uid, an IKE SA's id) and the lowest of
	 * its two nonces */
	bool collision;
	uint32_t peer_child;
	uint64_t peer_ike;
	uint8_t peer_nonce[IKE_NONCE_MAX];
	size_t peer_nonce_len;
};

/* §2.1-§2.3: our requests and the peer's. */
struct ike_exchange_state {
	/* as requester */
	uint32_t mid_out; /* Message ID of our next request */
	bool pending;     /* a request is outstanding (window size 1) */
	struct ike_task task;
	uint8_t exchange;
	uint32_t mid;
	uint8_t req[IKE_MSG_MAX];
	size_t req_len;
	struct ike_frag_set *req_frags; /* RFC 7383: req as sent in fragments */
	uint64_t first_sent, deadline;
	unsigned retransmits;
	struct ike_task queue[IKE_QUEUE_MAX];
	size_t nqueue;
	/* as responder */
	uint32_t mid_in; /* Message ID of the next request we expect */
	bool have_resp;
	uint8_t resp[IKE_MSG_MAX]; /* our last response, for retransmitted requests */
	size_t resp_len;
	struct ike_frag_set *resp_frags; /* RFC 7383: resp as sent in fragments */
};

struct ike_sa {
	struct ike_sa *next;
	uint64_t id;
	size_t conn;
	bool initiator; /* original initiator (§2.2) */
	enum ike_phase phase;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	struct ip_addr local_addr, remote_addr;
	uint16_t local_port, remote_port;
	/* IKE_SA_INIT */
	struct ike_proposal chosen;
	struct ike_suite suite;
	struct ike_dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_req, *init_resp; /* whole messages, for AUTH (§2.15) */
	size_t init_req_len, init_resp_len;
	uint8_t cookie[IKE_COOKIE_MAX];
	size_t cookie_len;
	unsigned cookie_retries, ke_retries;
	bool nat_local, nat_remote; /* §2.23: we / the peer are behind a NAT */
	bool mobike;                /* RFC 4555 §3.3: both sent MOBIKE_SUPPORTED */
	/* RFC 4555 §3.4: the peer's addresses besides the one in use, from
	 * its ADDITIONAL_IP4/IP6_ADDRESS notifies in IKE_AUTH */
	struct ip_addr peer_addrs[IKE_ADDRS_MAX];
	size_t n_peer_addrs;
	bool frag_peer; /* RFC 7383 §2.3: the peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	/* RFC 7383 §2.6: the peer's request and response being reassembled */
	struct ike_reassembly *reassembly[2];
	unsigned peer_hashes; /* RFC 7427 §4: bit h set if the peer announced hash h */
	bool peer_certreq;    /* §3.7: the peer asked for a certificate */
	/* the peer's authenticated identity (IDi/IDr type and data) */
	uint8_t peer_id_type;
	uint8_t peer_id[IKE_ID_MAX];
	size_t peer_id_len;
	bool counted_half_open;
	/* keys */
	bool keyed;
	struct ike_keys keys;
	struct ike_sk_pair sk;
	uint64_t iv_counter; /* AEAD IVs: unique per key (RFC 5282 §3.1) */
	/* exchanges */
	struct ike_exchange_state x;
	uint64_t created, last_rx, dpd_at;
	/* Child SAs */
	size_t start_child; /* child config to negotiate in IKE_AUTH */
	struct ike_child_nego nego;
	struct ike_child children[IKE_SA_CHILDREN];
	const char *end_reason; /* why the SA is going away */
	enum ike_end_children end_children;
	/* lifetimes (ike_rekey.c, ike_rekey_ike.c, ike_reauth.c) */
	uint64_t rekey_at, reauth_at; /* UINT64_MAX: never */
	uint64_t hard_at;             /* rekey/reauth time + over_time: deleted */
	uint64_t rekey_started;       /* this (old) SA's rekey or reauth began */
	uint64_t replaced_by;         /* the new IKE SA, once rekeyed or reauthenticated */
	bool rekey_queued;            /* our IKE rekey or reauth is queued or outstanding */
	/* reauthentication: the new IKE SA replaces `reauth_of` once the
	 * children of `reauth_pending` (a bit per child config) are created */
	uint64_t reauth_of;
	uint32_t reauth_pending;
	bool reauth_bbm; /* break-before-make: once this SA is deleted */
	/* NAT-T (ike_natt.c): the last IKE message (or ESP, ike_natt_timeout)
	 * to the peer, the next keepalive check */
	uint64_t last_tx, keepalive_at;
};

/* A connection: the configuration and what is derived from it. */
struct ike_conn {
	struct ike_conn_config cfg;
	struct ike_proposal_list ike_props;
	struct ike_proposal_list esp_props[IKE_CHILDREN_MAX];
	/* start_action trap: SPD entries without SAs, one per TS pair. */
	uint32_t trap[IKE_CHILDREN_MAX][IKE_CHILD_SPD_MAX];
	size_t ntrap[IKE_CHILDREN_MAX];
	bool acquire[IKE_CHILDREN_MAX];      /* a packet hit the trap */
	bool start_pending;                  /* start_action start, or a restart */
	uint16_t ke_group[IKE_CHILDREN_MAX]; /* PFS group a responder asked for (INVALID_KE) */
	uint16_t ike_ke_group;               /* the same for IKE SA rekeys */
	size_t start_child;
	unsigned attempts;     /* keyingtries used by the current initiation */
	struct ike_cred *cred; /* pubkey credentials (ike_cert.h), NULL for PSK */
};

/* The inbound SA of a rekeyed Child SA, kept until remove_at so that
 * packets in flight on it are still accepted (ike_rekey.c). */
struct ike_rekeyed_in {
	uint32_t sa_in;
	uint64_t remove_at;
	uint64_t packets; /* its packet count when its child was retired */
	uint64_t ike_sa;
	size_t conn, cfg;
	uint32_t spi_in, spi_out;
};

struct ike {
	struct ike_host_ops ops;
	void *host;
	struct ip_addr addrs[IKE_ADDRS_MAX]; /* ike_set_local_addresses */
	size_t n_addrs;
	struct ipsec *dp;
	struct ike_conn *conns;
	size_t nconns;
	struct ike_sa *sas;
	uint64_t next_sa_id;
	uint8_t cookie_secret[32];
	struct ike_stats st;
	uint32_t bypass[2]; /* SPD entries for UDP 500 and 4500 */
	uint64_t timer_at;
	int depth;       /* entry points in progress (events may call back in) */
	bool dp_pending; /* data-plane events to act on at the next timeout */
	uint32_t next_child_uid;
	struct ike_rekeyed_in *rekeyed_in; /* by remove_at */
	size_t n_rekeyed_in, cap_rekeyed_in;
	/* scratch, one message at a time */
	uint8_t rx[IKE_MSG_MAX];
	uint8_t tx[IKE_MSG_MAX + 4];
	uint8_t frag_plain[IKE_FRAG_BYTES_MAX]; /* a reassembled message's inner payloads */
	struct ike_msg m;
	struct ike_sa_payload sap;
	struct ike_ts_payload tsp[2];
	struct ike_select_diag sel_diag;
	char diag[IKE_DIAG_MAX];
	char keys_line[512];
};

/* --- ike.c ------------------------------------------------------------------- */

uint64_t ike_now(const struct ike *ike);
int ike_random(struct ike *ike, void *buf, size_t len);
/* A key pair whose private key comes from the host's key_bytes (or
 * random_bytes), so a seeded host repeats its runs byte for byte; NULL with
 * ike->diag. */
struct ike_dh *ike_dh_for(struct ike *ike, uint16_t group);
/* Uniform in 0..n from the host's random_bytes. */
uint64_t ike_random_below(struct ike *ike, uint64_t n);
/* Send an IKE message (non-ESP marker on port 4500). */
void ike_send_to(struct ike *ike, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                 uint16_t dport, const uint8_t *msg, size_t len);
/* An event with the conn name and SPIs of `sa` filled in (sa may be NULL). */
struct ike_event ike_event_for(const struct ike *ike, const struct ike_sa *sa,
                               enum ike_event_type type);
void ike_emit(struct ike *ike, const struct ike_event *ev);
/* IKE_EV_KE_RETRY: the peer answered our `exchange` request with
 * INVALID_KE_PAYLOAD(`asked`); we had sent a KE of group `sent` (0: none)
 * and ask again (for child `child`, NULL for the IKE SA). */
void ike_ke_retry(struct ike *ike, const struct ike_sa *sa, const char *child, uint8_t exchange,
                  uint16_t sent, uint16_t asked);
/* IKE_EV_FAILURE with a printf-formatted diagnostic. */
void ike_failure(struct ike *ike, const struct ike_sa *sa, const char *conn, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
struct ike_conn *ike_sa_conn(const struct ike *ike, const struct ike_sa *sa);
/* The timer: recompute the earliest deadline and give it to the host. */
void ike_rearm(struct ike *ike);
/* Initiate conn's child `child` (a new IKE SA). */
int ike_initiate_conn(struct ike *ike, size_t conn, size_t child);

/* --- ike_sa.c ---------------------------------------------------------------- */

struct ike_sa *ike_sa_new(struct ike *ike, size_t conn, bool initiator);
/* The IKE SA a rekey creates (§2.18): established, on the old one's
 * connection, addresses and NAT state, with our SPI (SPIi if `initiator`,
 * the rekey's initiator); no event yet. */
struct ike_sa *ike_sa_new_rekeyed(struct ike *ike, const struct ike_sa *old, bool initiator);
/* Do two IKE SAs connect us with the same authenticated peer over the same
 * connection (a road-warrior connection has many peers)? */
bool ike_sa_same_peer(const struct ike_sa *a, const struct ike_sa *b);
/* A fresh IKE SPI of ours (§2.6). */
void ike_sa_spi_alloc(struct ike *ike, uint8_t spi[IKE_SPI_LEN]);
/* The SA whose SPI of our side is `spi`. */
struct ike_sa *ike_sa_find(const struct ike *ike, const uint8_t spi[IKE_SPI_LEN],
                           bool as_initiator);
struct ike_sa *ike_sa_by_id(const struct ike *ike, uint64_t id);
/* A responder's SA made from the IKE_SA_INIT request of (addr, port, SPIi). */
struct ike_sa *ike_sa_find_init(const struct ike *ike, struct ip_addr addr, uint16_t port,
                                const uint8_t spi_i[IKE_SPI_LEN]);
const uint8_t *ike_sa_local_spi(const struct ike_sa *sa);
/* Forget a negotiation (its DH key pair included). */
void ike_nego_clear(struct ike_child_nego *n);
/* Keys from g^ir and the SA's nonces and SPIs (§2.14; §2.18 with the SA
 * `old` it rekeys); emits IKE_EV_IKE_KEYS.  0 or -1 with ike->diag. */
int ike_sa_derive_keys(struct ike *ike, struct ike_sa *sa, const struct ike_sa *old,
                       const uint8_t *g_ir, size_t g_ir_len);
/* Authenticated (or rekeyed): lifetimes start; IKE_EV_IKE_SA with `reason`
 * (NULL: "initiated" / "responded"). */
void ike_sa_established(struct ike *ike, struct ike_sa *sa, const char *reason);
/* The SA is gone (reason for the event).  state: IKE_STATE_DELETED,
 * IKE_STATE_FAILED or IKE_STATE_REKEYED. */
void ike_sa_end(struct ike *ike, struct ike_sa *sa, enum ike_sa_state state, const char *reason,
                enum ike_end_children children);
uint64_t ike_sa_deadline(const struct ike *ike, const struct ike_sa *sa);
void ike_sa_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now);
void ike_sa_free(struct ike_sa *sa);

/* --- ike_exchange.c ---------------------------------------------------------- */

void ike_x_queue(struct ike *ike, struct ike_sa *sa, enum ike_task_kind kind, uint32_t arg);
/* Start the next queued request if the window is free. */
void ike_x_kick(struct ike *ike, struct ike_sa *sa);
/* Resend the outstanding request rebuilt (cookie, new KE group): the
 * retransmission count and the RTT start again. */
void ike_x_restart(struct ike *ike, struct ike_sa *sa);
/* Start a message in buf: header, and the SK payload if the SA is keyed. */
void ike_x_begin(struct ike_sa *sa, struct ike_builder *b, uint8_t *buf, size_t cap,
                 uint8_t exchange, bool response, uint32_t mid);
/* Close the SK payload, finish and protect: whole, or as fragments in
 * *frags (RFC 7383, ike_frag_seal).  0 or -1. */
int ike_x_seal(struct ike *ike, struct ike_sa *sa, struct ike_builder *b, size_t *len,
               struct ike_frag_set **frags);
/* The IV of the next SK or SKF payload sa protects: 0 or -1. */
int ike_x_iv(struct ike *ike, struct ike_sa *sa, uint8_t *iv);
/* A protected message (not IKE_SA_INIT) for `sa`: message IDs,
 * retransmissions, decryption, then the exchange's handler. */
void ike_x_receive(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t len, struct ip_addr src,
                   uint16_t sport, struct ip_addr dst, uint16_t dport);
/* The outstanding request was answered (ok) or given up; emits
 * IKE_EV_EXCHANGE and starts the next request. */
void ike_x_complete(struct ike *ike, struct ike_sa *sa, bool ok);
void ike_x_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now);
/* Answer a request of IKE_SA_INIT without state (COOKIE, INVALID_KE,
 * NO_PROPOSAL_CHOSEN, parse errors). */
void ike_x_notify_response(struct ike *ike, const struct ike_msg *req, struct ip_addr src,
                           uint16_t sport, struct ip_addr dst, uint16_t dport, uint16_t type,
                           const uint8_t *data, size_t len);

/* --- ike_sa_init.c ----------------------------------------------------------- */

int ike_sa_init_build(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t cap, size_t *len);
void ike_sa_init_request(struct ike *ike, const struct ike_msg *m, const uint8_t *raw, size_t len,
                         struct ip_addr src, uint16_t sport, struct ip_addr dst, uint16_t dport);
void ike_sa_init_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                          const uint8_t *raw, size_t len, struct ip_addr src, uint16_t sport,
                          struct ip_addr dst, uint16_t dport);

/* --- ike_auth_exchange.c ----------------------------------------------------- */

int ike_auth_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b);
/* Responder: fills the response; true if the SA must go once it is sent. */
bool ike_auth_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b);
void ike_auth_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m);
/* IKE_SA_INIT of a connection with pubkey authentication on either side:
 * N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 §4) and, in the response, CERTREQ
 * for the CAs we trust (§3.7).  Nothing for PSK-only connections. */
void ike_auth_init_payloads(struct ike *ike, struct ike_sa *sa, struct ike_builder *b,
                            bool response);
/* Note the hashes the peer announced in its IKE_SA_INIT message. */
void ike_auth_init_received(struct ike_sa *sa, const struct ike_msg *m);

/* --- ike_id.c ---------------------------------------------------------------- */

/* An ID payload's type and data from a configured identity (empty: the
 * IPv4 address `addr`).  0 or -1 with a message. */
int ike_id_encode(const char *id, struct ip_addr addr, uint8_t *type, uint8_t *data, size_t cap,
                  size_t *len, char *err, size_t errlen);
/* Readable form of an ID payload ("fqdn:gw.example.org", "ipv4:192.0.2.1",
 * "dn:CN=gw,O=..."). */
void ike_id_format(uint8_t type, const uint8_t *data, size_t len, char *out, size_t cap);
/* Does a received ID match a configured remote identity (empty or "%any":
 * anything)? */
bool ike_id_matches(const char *want, uint8_t type, const uint8_t *data, size_t len);
/* Are two ID payloads the same identity?  DNs compare as names (RFC 5280
 * §7.1), whatever string types encode them; others byte for byte. */
bool ike_id_equal(uint8_t t1, const uint8_t *d1, size_t l1, uint8_t t2, const uint8_t *d2,
                  size_t l2);

/* --- ike_ts.c ---------------------------------------------------------------- */

/* The configured selectors of a child (empty: the connection's address). */
size_t ike_ts_from_config(const struct ike_ts_config *c, size_t n, struct ip_addr addr,
                          struct ike_ts *out);
/* §2.9: the parts of `offered` that `allowed` permits (at most IKE_TS_MAX). */
size_t ike_ts_narrow(const struct ike_ts *offered, size_t noffered, const struct ike_ts *allowed,
                     size_t nallowed, struct ike_ts *out);
/* Is every selector of `sub` inside one of `outer`? */
bool ike_ts_subset(const struct ike_ts *sub, size_t nsub, const struct ike_ts *outer,
                   size_t nouter);
void ike_ts_format(const struct ike_ts *ts, size_t n, char *out, size_t cap);
/* An SPD selector from a local and a remote TS (IPv4). */
struct ipsec_selector ike_ts_selector(const struct ike_ts *local, const struct ike_ts *remote);

/* --- ike_child.c ------------------------------------------------------------- */

/* A fresh inbound SPI (random, >= 256, unused).  0 on failure. */
uint32_t ike_child_spi_alloc(struct ike *ike);

enum ike_child_policies {
	IKE_POLICIES_INSERT, /* its own SPD entries, ahead: it carries the traffic at once */
	IKE_POLICIES_BEHIND, /* its own, behind an older child of the same config */
	IKE_POLICIES_NONE,   /* none: it replaces a child and takes over its entries */
};

/* A negotiated Child SA to install. */
struct ike_child_spec {
	size_t cfg;
	const struct ike_proposal *chosen;
	uint32_t spi_in, spi_out;
	enum ipsec_mode mode;
	const struct ike_ts *ts_local, *ts_remote;
	size_t n_local, n_remote;
	/* §2.17: the nonces of the exchange that created it (IKE_AUTH: the
	 * IKE SA's), g^ir with PFS (NULL without), and whether we initiated
	 * that exchange */
	const uint8_t *ni, *nr;
	size_t ni_len, nr_len;
	const uint8_t *g_ir;
	size_t g_ir_len;
	bool initiator;
	enum ike_child_policies policies;
	const char *reason; /* of its IKE_CHILD_INSTALLED event */
};

/* Install a negotiated Child SA: keys from KEYMAT (§2.17), data-plane SAs,
 * SPD entries, its rekey time, events.  The child or NULL with ike->diag. */
struct ike_child *ike_child_install(struct ike *ike, struct ike_sa *sa,
                                    const struct ike_child_spec *spec);
/* Remove a child from the data plane; emits IKE_CHILD_DELETED and then
 * applies `action` (clear / trap / restart).  A child with a successor is
 * retired instead (ike_rekey_retire): reason "rekeyed", no action. */
void ike_child_remove(struct ike *ike, struct ike_sa *sa, struct ike_child *c, const char *reason,
                      enum ike_child_action action);
void ike_child_event(struct ike *ike, struct ike_sa *sa, const struct ike_child *c,
                     enum ike_event_type type, int state, const char *reason);
struct ike_child *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out);
struct ike_child *ike_child_by_sa(struct ike_sa *sa, uint32_t sa_id);
struct ike_child *ike_child_by_uid(struct ike_sa *sa, uint32_t uid);
/* Trap policies of a connection's child (start_action / dpd_action trap). */
int ike_trap_install(struct ike *ike, size_t conn, size_t child);
/* SPD id before which a child's entries go: its trap, else the first entry
 * after IKE's own bypass entries (0: at the end). */
uint32_t ike_child_spd_position(const struct ike *ike, size_t conn, size_t child);

/* --- ike_child_select.c ------------------------------------------------------ */

/* What the responder makes of a Child SA request. */
struct ike_child_offer {
	size_t cfg; /* the child of the connection */
	struct ike_proposal chosen;
	struct ike_ts ni[IKE_TS_MAX], nr[IKE_TS_MAX]; /* narrowed TSi, TSr */
	size_t nni, nnr;
	bool transport;
};

/* The responder's choice for the SA, TSi and TSr payloads of `m` (which
 * must be there): the child (`cfg` >= 0: that one, a rekey), the proposal
 * (`flags` as for ike_proposal_select) and the mode.  0, or -1 with the
 * error notification added to `b` and an IKE_EV_FAILURE diagnostic. */
int ike_child_select(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                     struct ike_builder *b, unsigned flags, long cfg, struct ike_child_offer *o);

/* --- ike_info.c -------------------------------------------------------------- */

int ike_info_build_request(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                           struct ike_builder *b);
/* Responder: fills the response; true if the SA must go once it is sent. */
bool ike_info_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b);
void ike_info_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                              const struct ike_msg *m);
/* §2.4: is the peer quiet for dpd_delay?  Queues a liveness check. */
void ike_info_dpd_check(struct ike *ike, struct ike_sa *sa, uint64_t now);

/* --- ike_create_child.c ------------------------------------------------------ */

/* IKE_TASK_CREATE_CHILD / IKE_TASK_REKEY_CHILD: 0, 1 if there is nothing
 * to do any more, -1 with ike->diag. */
int ike_ccs_build_request(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                          struct ike_builder *b);
void ike_ccs_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_task *t,
                             const struct ike_msg *m);
/* Responder: any CREATE_CHILD_SA request (an IKE rekey goes on to
 * ike_rekey_ike.c); fills the response. */
void ike_ccs_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                            struct ike_builder *b);

/* --- ike_rekey.c --------------------------------------------------------------- */

void ike_rekey_schedule_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c);
/* Queue a rekey of `c` unless one is under way or it is replaced. */
void ike_rekey_child_start(struct ike *ike, struct ike_sa *sa, struct ike_child *c);
/* TEMPORARY_FAILURE: again in 15 s - random(10 s). */
void ike_rekey_retry_child(struct ike *ike, struct ike_child *c);
/* Our rekey request for `old` is being sent (break-before-make: its
 * outbound SA goes). */
void ike_rekey_child_requested(struct ike *ike, struct ike_sa *sa, struct ike_child *old);
/* We answered the peer's rekey of `old` with `new` (nonces of that
 * exchange: §2.8.1 if ours is outstanding). */
void ike_rekey_child_answered(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                              struct ike_child *new, const uint8_t *ni, size_t ni_len,
                              const uint8_t *nr, size_t nr_len);
/* Our rekey of `old` made `new` and it stays: switch, delete `old`;
 * `peer_child` (a colliding rekey's child, 0 if none) is redundant. */
void ike_rekey_child_done(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                          struct ike_child *new, uint32_t peer_child);
/* The peer's rekey of `old` is the one; it deletes `old`. */
void ike_rekey_peer_survives(struct ike *ike, struct ike_sa *sa, struct ike_child *old);
/* `old` is going (hard lifetime): its successor takes the policies now. */
void ike_rekey_handover_successor(struct ike *ike, struct ike_sa *sa, struct ike_child *old);
/* `old` is removed, `new` replaces it: policies, IKE_CHILD_REKEYED summary. */
void ike_rekey_retire(struct ike *ike, struct ike_sa *sa, struct ike_child *old,
                      struct ike_child *new);
/* §2.8.1/§2.8.2: remember the peer's colliding exchange's nonces; did our
 * exchange (our Ni in n, the response's Nr) see the lowest of the four? */
void ike_rekey_note_collision(struct ike_child_nego *n, const uint8_t *ni, size_t ni_len,
                              const uint8_t *nr, size_t nr_len);
bool ike_rekey_we_lose(const struct ike_child_nego *n, const uint8_t *nr, size_t nr_len);
/* The IKE SA's rekey, reauth and hard times, from now. */
void ike_rekey_schedule_ike(struct ike *ike, struct ike_sa *sa);
void ike_rekey_retry_ike(struct ike *ike, struct ike_sa *sa);
uint64_t ike_rekey_deadline(const struct ike_sa *sa);
void ike_rekey_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now);
/* The retired `old`'s inbound SA: kept for the connection's
 * delete_rekeyed_delay, or removed now if that is 0. */
void ike_rekey_keep_inbound(struct ike *ike, struct ike_sa *sa, const struct ike_child *old);
/* When the next kept inbound SA goes (UINT64_MAX: none); removes those
 * due by `now`, each with IKE_CHILD_REMOVED. */
uint64_t ike_rekey_inbound_deadline(const struct ike *ike);
void ike_rekey_remove_inbound(struct ike *ike, uint64_t now);
/* ike_rekey(): child config `child`, or the IKE SA (-1). */
int ike_rekey_request(struct ike *ike, struct ike_sa *sa, long child, bool reauth);

/* --- ike_rekey_ike.c ----------------------------------------------------------- */

void ike_rekey_ike_start(struct ike *ike, struct ike_sa *sa);
int ike_rekey_ike_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b);
void ike_rekey_ike_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m);
/* Responder; ike->sap holds the decoded SA payload. */
void ike_rekey_ike_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                                  struct ike_builder *b);
/* The children of `from` and their requests go to `to`; `from` is REKEYED. */
void ike_rekey_ike_move(struct ike *ike, struct ike_sa *from, struct ike_sa *to);
/* The peer deletes `sa` (§2.25.2). */
void ike_rekey_ike_peer_deleted(struct ike *ike, struct ike_sa *sa);

/* --- ike_reauth.c -------------------------------------------------------------- */

void ike_reauth_start(struct ike *ike, struct ike_sa *sa);
/* An exchange on `sa` ended: create its next child, or delete the IKE SA
 * it reauthenticates. */
void ike_reauth_child_done(struct ike *ike, struct ike_sa *sa);
/* From ike_sa_end(): break-before-make goes on with the new IKE SA. */
void ike_reauth_sa_ended(struct ike *ike, struct ike_sa *sa);
/* §2.4: does our IKE_AUTH carry INITIAL_CONTACT? */
bool ike_reauth_initial_contact(const struct ike *ike, const struct ike_sa *sa);
void ike_reauth_initial_contact_received(struct ike *ike, struct ike_sa *sa);

/* --- ike_mobike.c ------------------------------------------------------------- */

/* IKE_AUTH: our N(MOBIKE_SUPPORTED), and the peer's. */
void ike_mobike_add_supported(const struct ike *ike, const struct ike_sa *sa,
                              struct ike_builder *b);
void ike_mobike_auth_received(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m);
/* Initiator: the UPDATE_SA_ADDRESSES request and its response. */
void ike_mobike_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b);
void ike_mobike_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m);
/* Responder: an authenticated request `m` from src:sport to dst:dport
 * moves the SA if it carries UPDATE_SA_ADDRESSES; the response then gets
 * our NAT_DETECTION notifies (ike_mobike_answer). */
void ike_mobike_request_received(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                                 struct ip_addr src, uint16_t sport, struct ip_addr dst,
                                 uint16_t dport);
void ike_mobike_answer(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                       struct ike_builder *b);
/* ike_local_address_changed() */
void ike_mobike_address_changed(struct ike *ike, struct ip_addr old_addr, struct ip_addr new_addr);

/* --- ike_frag.c ---------------------------------------------------------------- */

/* IKE_SA_INIT: our N(IKEV2_FRAGMENTATION_SUPPORTED) (§2.3), and the peer's. */
void ike_frag_add_supported(const struct ike *ike, const struct ike_sa *sa, struct ike_builder *b,
                            bool response);
void ike_frag_init_received(struct ike_sa *sa, const struct ike_msg *m);
/* ike_x_seal's: msg (len bytes, its SK payload closed as `l` says, not yet
 * protected) goes in fragments if the connection and the peer want them
 * and it does not fit whole: 1 with *set filled (allocated if NULL), 0 to
 * send it whole, -1 with ike->diag. */
int ike_frag_seal(struct ike *ike, struct ike_sa *sa, const uint8_t *msg, size_t len,
                  const struct ike_sk_layout *l, struct ike_frag_set **set);
/* A fragment (ike->m's SKF payload, raw in buf) of the request or response
 * under way: -1 dropped (counted), 0 kept, 1 the message is complete: its
 * inner payloads are parsed into ike->m (or *e says why not). */
int ike_frag_receive(struct ike *ike, struct ike_sa *sa, uint8_t *buf, struct ike_error *e);
/* A fragment of a request answered already: is it authentic and the one
 * to answer again (counted otherwise)? */
bool ike_frag_answer_again(struct ike *ike, struct ike_sa *sa, uint8_t *buf);
void ike_frag_sa_free(struct ike_sa *sa);

/* --- ike_natt.c ---------------------------------------------------------------- */

/* NAT detection (§2.23) from the NAT_DETECTION_* notifies of `m`, which
 * came from src:sport to dst:dport; spi_r as the sender hashed it. */
void ike_natt_detect(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                     const uint8_t *spi_r, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                     uint16_t dport);
void ike_natt_add_notifies(struct ike *ike, struct ike_sa *sa, struct ike_builder *b,
                           const uint8_t *spi_r);
/* After IKE_SA_INIT: to port 4500 if a NAT, `encap` or MOBIKE want it. */
void ike_natt_float(struct ike *ike, struct ike_sa *sa);
/* Are the SA's Child SAs UDP-encapsulated (RFC 3948)? */
bool ike_natt_encap(const struct ike *ike, const struct ike_sa *sa);
/* The IKE SA and all its Child SAs now run between local:lport and
 * remote:rport; an IKE_EV_NAT event says `why`. */
void ike_sa_move(struct ike *ike, struct ike_sa *sa, struct ip_addr local, uint16_t lport,
                 struct ip_addr remote, uint16_t rport, const char *why);
/* An authenticated message of `sa` came from src:sport to dst:dport. */
void ike_natt_follow(struct ike *ike, struct ike_sa *sa, struct ip_addr src, uint16_t sport,
                     struct ip_addr dst, uint16_t dport);
void ike_natt_schedule(struct ike *ike, struct ike_sa *sa);
uint64_t ike_natt_deadline(const struct ike_sa *sa);
void ike_natt_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now);

#endif
