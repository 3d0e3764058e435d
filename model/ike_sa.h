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
 *   ike_ts.c        traffic selectors and narrowing (§2.9)
 *   ike_child.c     Child SAs in the data plane, SPIs, trap policies
 *   ike_info.c      INFORMATIONAL (§1.4): DELETE, DPD (§2.4), notifies
 */
#ifndef IPSEC_IKE_SA_H
#define IPSEC_IKE_SA_H

#include "ike.h"
#include "ike_crypto.h"
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
#define IKE_HALF_OPEN_TIMEOUT_NS (30ULL * 1000000000ULL) /* charon.half_open_timeout */
#define IKE_DIAG_MAX 1024

/* Where an IKE SA is in its life (the externally visible enum ike_sa_state
 * is derived from it). */
enum ike_phase {
	IKE_PHASE_INIT_SENT,   /* initiator: IKE_SA_INIT request outstanding */
	IKE_PHASE_INIT_DONE,   /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_PHASE_AUTH_SENT,   /* initiator: IKE_AUTH request outstanding */
	IKE_PHASE_ESTABLISHED, /* authenticated */
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
	IKE_TASK_DELETE_CHILD, /* arg: index of the child */
	IKE_TASK_DELETE_IKE,
	IKE_TASK_AUTH_FAILED, /* §2.21.2: N(AUTHENTICATION_FAILED), then gone */
};

struct ike_task {
	enum ike_task_kind kind;
	uint32_t arg;
};

/* A Child SA: one inbound and one outbound data-plane SA and the SPD
 * entries of its (narrowed) traffic selectors. */
struct ike_child {
	bool used;
	size_t cfg;             /* index in the connection's children */
	bool deleting;          /* our DELETE is outstanding */
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
	bool soft_expired, hard_expired; /* data-plane events not yet acted on */
};

/* The Child SA negotiated inside IKE_AUTH, between request and response. */
struct ike_child_nego {
	bool active;
	size_t cfg;
	uint32_t spi_in;
	bool transport;
	struct ike_ts tsi[IKE_TS_MAX], tsr[IKE_TS_MAX];
	size_t ntsi, ntsr;
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
	uint64_t first_sent, deadline;
	unsigned retransmits;
	struct ike_task queue[IKE_QUEUE_MAX];
	size_t nqueue;
	/* as responder */
	uint32_t mid_in; /* Message ID of the next request we expect */
	bool have_resp;
	uint8_t resp[IKE_MSG_MAX]; /* our last response, for retransmitted requests */
	size_t resp_len;
};

struct ike_sa {
	struct ike_sa *next;
	uint64_t id;
	size_t conn;
	bool initiator; /* original initiator (§2.2) */
	enum ike_phase phase;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint32_t local_addr, remote_addr;
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
};

/* A connection: the configuration and what is derived from it. */
struct ike_conn {
	struct ike_conn_config cfg;
	struct ike_proposal_list ike_props;
	struct ike_proposal_list esp_props[IKE_CHILDREN_MAX];
	/* start_action trap: SPD entries without SAs, one per TS pair. */
	uint32_t trap[IKE_CHILDREN_MAX][IKE_CHILD_SPD_MAX];
	size_t ntrap[IKE_CHILDREN_MAX];
	bool acquire[IKE_CHILDREN_MAX]; /* a packet hit the trap */
	bool start_pending;             /* start_action start, or a restart */
	size_t start_child;
	unsigned attempts; /* keyingtries used by the current initiation */
};

struct ike {
	struct ike_host_ops ops;
	void *host;
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
	/* scratch, one message at a time */
	uint8_t rx[IKE_MSG_MAX];
	uint8_t tx[IKE_MSG_MAX + 4];
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
/* Send an IKE message of `sa` (non-ESP marker on port 4500). */
void ike_send_sa(struct ike *ike, const struct ike_sa *sa, const uint8_t *msg, size_t len);
void ike_send_to(struct ike *ike, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                 const uint8_t *msg, size_t len);
/* An event with the conn name and SPIs of `sa` filled in (sa may be NULL). */
struct ike_event ike_event_for(const struct ike *ike, const struct ike_sa *sa,
                               enum ike_event_type type);
void ike_emit(struct ike *ike, const struct ike_event *ev);
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
/* The SA whose SPI of our side is `spi`. */
struct ike_sa *ike_sa_find(const struct ike *ike, const uint8_t spi[IKE_SPI_LEN],
                           bool as_initiator);
/* A responder's SA made from the IKE_SA_INIT request of (addr, port, SPIi). */
struct ike_sa *ike_sa_find_init(const struct ike *ike, uint32_t addr, uint16_t port,
                                const uint8_t spi_i[IKE_SPI_LEN]);
const uint8_t *ike_sa_local_spi(const struct ike_sa *sa);
/* Keys from g^ir (§2.14); emits IKE_EV_IKE_KEYS.  0 or -1 with ike->diag. */
int ike_sa_derive_keys(struct ike *ike, struct ike_sa *sa, const uint8_t *g_ir, size_t g_ir_len);
void ike_sa_established(struct ike *ike, struct ike_sa *sa);
/* The SA is gone (reason for the event).  state: IKE_STATE_DELETED or
 * IKE_STATE_FAILED. */
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
/* Close the SK payload, finish and protect.  0 or -1. */
int ike_x_seal(struct ike *ike, struct ike_sa *sa, struct ike_builder *b, size_t *len);
/* A protected message (not IKE_SA_INIT) for `sa`: message IDs,
 * retransmissions, decryption, then the exchange's handler. */
void ike_x_receive(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t len, uint32_t src,
                   uint16_t sport, uint32_t dst, uint16_t dport);
/* The outstanding request was answered (ok) or given up; emits
 * IKE_EV_EXCHANGE and starts the next request. */
void ike_x_complete(struct ike *ike, struct ike_sa *sa, bool ok);
void ike_x_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now);
/* Answer a request of IKE_SA_INIT without state (COOKIE, INVALID_KE,
 * NO_PROPOSAL_CHOSEN, parse errors). */
void ike_x_notify_response(struct ike *ike, const struct ike_msg *req, uint32_t src, uint16_t sport,
                           uint32_t dst, uint16_t dport, uint16_t type, const uint8_t *data,
                           size_t len);

/* --- ike_sa_init.c ----------------------------------------------------------- */

int ike_sa_init_build(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t cap, size_t *len);
void ike_sa_init_request(struct ike *ike, const struct ike_msg *m, const uint8_t *raw, size_t len,
                         uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);
void ike_sa_init_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                          const uint8_t *raw, size_t len, uint32_t src, uint16_t sport,
                          uint32_t dst, uint16_t dport);

/* --- ike_auth_exchange.c ----------------------------------------------------- */

int ike_auth_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b);
/* Responder: fills the response; true if the SA must go once it is sent. */
bool ike_auth_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b);
void ike_auth_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m);

/* --- ike_id.c ---------------------------------------------------------------- */

/* An ID payload's type and data from a configured identity (empty: the
 * IPv4 address `addr`).  0 or -1 with a message. */
int ike_id_encode(const char *id, uint32_t addr, uint8_t *type, uint8_t *data, size_t cap,
                  size_t *len, char *err, size_t errlen);
/* Readable form of an ID payload ("fqdn:gw.example.org", "ipv4:192.0.2.1",
 * "dn:CN=gw,O=..."). */
void ike_id_format(uint8_t type, const uint8_t *data, size_t len, char *out, size_t cap);
/* Does a received ID match a configured remote identity (empty or "%any":
 * anything)? */
bool ike_id_matches(const char *want, uint8_t type, const uint8_t *data, size_t len);

/* --- ike_ts.c ---------------------------------------------------------------- */

/* The configured selectors of a child (empty: the connection's address). */
size_t ike_ts_from_config(const struct ike_ts_config *c, size_t n, uint32_t addr,
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
/* Install a negotiated Child SA: keys from KEYMAT (§2.17), data-plane SAs,
 * SPD entries, events.  Returns the child or NULL with ike->diag. */
struct ike_child *ike_child_install(struct ike *ike, struct ike_sa *sa, size_t cfg,
                                    const struct ike_proposal *chosen, uint32_t spi_in,
                                    uint32_t spi_out, enum ipsec_mode mode,
                                    const struct ike_ts *ts_local, size_t n_local,
                                    const struct ike_ts *ts_remote, size_t n_remote);
/* Remove a child from the data plane; emits IKE_CHILD_DELETED and then
 * applies `action` (clear / trap / restart). */
void ike_child_remove(struct ike *ike, struct ike_sa *sa, struct ike_child *c, const char *reason,
                      enum ike_child_action action);
struct ike_child *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi_out);
struct ike_child *ike_child_by_sa(struct ike_sa *sa, uint32_t sa_id);
/* Trap policies of a connection's child (start_action / dpd_action trap). */
int ike_trap_install(struct ike *ike, size_t conn, size_t child);
/* SPD id before which a child's entries go: its trap, else the first entry
 * after IKE's own bypass entries (0: at the end). */
uint32_t ike_child_spd_position(const struct ike *ike, size_t conn, size_t child);

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

#endif
