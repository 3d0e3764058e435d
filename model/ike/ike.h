/* IKEv2 (RFC 7296) for one node: connections, IKE SAs and Child SAs.
 *
 * Sans-I/O like the data plane (ipsec.h): the host gives an ops table (time,
 * one timer, randomness, sending UDP datagrams, events) and feeds in the UDP
 * datagrams that arrive on ports 500 and 4500.  Child SAs and their policies
 * are installed directly into the node's data plane, the `struct ipsec`
 * given to ike_new(); its lifetime and acquire events are passed back in
 * with ike_dataplane_event().
 *
 * Configuration uses strongSwan's swanctl.conf vocabulary (connections,
 * children, proposals, local_ts, remote_ts, start_action, rekey_time, ...)
 * with strongSwan 5.9's defaults, listed with each field.
 */
#ifndef IPSEC_IKE_H
#define IPSEC_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipsec.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500 /* RFC 3948, RFC 7296 §2.23 */
#define IKE_NAME_MAX 64
#define IKE_ADDRS_MAX 8       /* a node's addresses MOBIKE announces (RFC 4555 §3.4) */
#define IKE_PROPOSALS_MAX 256 /* characters of a proposal string */
#define IKE_ID_MAX 256
#define IKE_TS_MAX 4 /* traffic selectors per side of a child */
#define IKE_CHILDREN_MAX 8
/* The smallest fragment_size but 0: room for the largest SKF overhead over
 * IPv6 and a 255th of the largest message in each fragment (ike_frag.h). */
#define IKE_FRAGMENT_SIZE_MIN 200

enum ike_start_action {
	IKE_START_NONE,  /* wait for the peer */
	IKE_START_TRAP,  /* install trap policies: the first packet initiates */
	IKE_START_START, /* initiate when the connection is added */
};

/* What to do with a child when its peer is found dead or deletes it. */
enum ike_child_action {
	IKE_ACTION_CLEAR,   /* remove it */
	IKE_ACTION_TRAP,    /* install trap policies */
	IKE_ACTION_RESTART, /* initiate again */
};

/* Rekeying and reauthentication, the module's research knob:
 * make-before-break installs the new inbound SA before the old outbound SA
 * is retired (RFC 7296 §2.8); break-before-make deletes first. */
enum ike_rekey_policy { IKE_MAKE_BEFORE_BREAK, IKE_BREAK_BEFORE_MAKE };

enum ike_auth_class { IKE_AUTHC_PSK, IKE_AUTHC_PUBKEY };

/* swanctl's `fragmentation`: IKEv2 Message Fragmentation (RFC 7383,
 * ike_frag.c) with strongSwan 5.9's meaning of each value.  Fragments a
 * peer sends are accepted whatever the value (as in charon). */
enum ike_fragmentation {
	IKE_FRAGMENTATION_YES,    /* announce it (§2.3); fragment if the peer did too */
	IKE_FRAGMENTATION_ACCEPT, /* announce it, never fragment */
	IKE_FRAGMENTATION_FORCE,  /* announce it, fragment even if the peer did not */
	IKE_FRAGMENTATION_NO,     /* neither announce nor fragment */
};

/* swanctl's send_cert: when our CERT payload goes out (RFC 7296 §3.6). */
enum ike_send_cert {
	IKE_SEND_CERT_IFASKED, /* the peer sent a CERTREQ (strongSwan's default) */
	IKE_SEND_CERT_ALWAYS,
	IKE_SEND_CERT_NEVER,
};

/* An identity (RFC 7296 §3.5) as in swanctl's `id`: an IPv4 address, an
 * FQDN ("gw.example.org"), an RFC 822 address ("user@example.org") or a
 * distinguished name ("C=CH, O=strongSwan, CN=gw").  Empty: the address. */
struct ike_identity {
	char id[IKE_ID_MAX];
};

struct ike_auth_config {
	/* `auth = psk | pubkey` (swanctl's default, also ike_conn_defaults()'s);
	 * pubkey: X.509 certificates and RFC 7427 signatures (ike_cert.h). */
	enum ike_auth_class auth;
	struct ike_identity id; /* pubkey, local, empty: the certificate's subject */
	/* pubkey: PEM of this side's certificate and private key (local) or
	 * of the CA(s) that must have signed the peer's certificate (remote);
	 * parsed by ike_conn_add(), not kept. */
	const char *cert_pem, *key_pem, *ca_pem;
};

/* A traffic selector range (RFC 7296 §3.13.1) in `struct ipsec_selector`
 * terms, seen from this node: addresses, protocol (0 = any), ports. */
struct ike_ts_config {
	struct ip_range addr; /* ANY: every address of the IKE SA's family */
	uint8_t protocol;
	uint16_t port_lo, port_hi;
};

struct ike_child_config {
	char name[IKE_NAME_MAX];
	struct ike_ts_config local_ts[IKE_TS_MAX], remote_ts[IKE_TS_MAX];
	size_t n_local_ts, n_remote_ts;                     /* 0: the connection's addresses */
	char esp_proposals[IKE_PROPOSALS_MAX];              /* "" = "default" */
	enum ipsec_mode mode;                               /* tunnel */
	enum ike_start_action start_action;                 /* none */
	enum ike_child_action dpd_action;                   /* clear */
	enum ike_child_action close_action;                 /* clear */
	uint64_t rekey_time_ns;                             /* 1 h; 0 = never */
	uint64_t life_time_ns;                              /* rekey_time * 1.1 */
	uint64_t rand_time_ns;                              /* life_time - rekey_time */
	uint64_t rekey_bytes, life_bytes, rand_bytes;       /* 0 */
	uint64_t rekey_packets, life_packets, rand_packets; /* 0 */
	uint32_t replay_window;                             /* 32 */
	bool copy_dscp;                                     /* false (strongSwan copy_dscp = out) */
	enum ike_rekey_policy rekey_policy;                 /* make-before-break */
};

struct ike_conn_config {
	char name[IKE_NAME_MAX];
	struct ip_addr local_addr, remote_addr; /* remote 0 = any (responder only) */
	uint16_t local_port, remote_port;       /* 500 */
	char proposals[IKE_PROPOSALS_MAX];      /* "" = "default" */
	struct ike_auth_config local, remote;
	/* `secrets { ike { secret } }` for this connection's PSK auth. */
	uint8_t psk[256];
	size_t psk_len;
	uint64_t rekey_time_ns;              /* IKE SA rekey, 4 h; 0 = never */
	uint64_t reauth_time_ns;             /* 0 = never */
	uint64_t over_time_ns;               /* 10 % of the larger of rekey/reauth time */
	uint64_t rand_time_ns;               /* over_time */
	enum ike_rekey_policy reauth_policy; /* make-before-break */
	uint64_t dpd_delay_ns;               /* 0 = off; liveness check when idle this long */
	bool encap;                          /* force UDP encapsulation (RFC 7296 §2.23) */
	uint64_t keepalive_ns;               /* NAT keepalives, 20 s (charon.keep_alive) */
	bool mobike;                         /* RFC 4555 (ike_mobike.c); no (swanctl: yes) */
	/* After a Child SA rekey the old inbound SA stays this long, so that
	 * packets in flight on it are still accepted (ike_rekey.c;
	 * charon.delete_rekeyed_delay); 0: removed with the DELETE. */
	uint64_t delete_rekeyed_delay_ns; /* 5 s */
	/* Retransmission (charon.retransmit_*): timeout * base^n, `tries` times. */
	uint64_t retransmit_timeout_ns;      /* 4 s */
	double retransmit_base;              /* 1.8 */
	unsigned retransmit_tries;           /* 5 */
	unsigned keyingtries;                /* 1; 0 = forever */
	unsigned half_open_cookie_threshold; /* charon.cookie_threshold, 30 */
	/* §2.6: a responder's IKE SA whose initiator never sends IKE_AUTH is
	 * deleted after this long (charon.half_open_timeout). */
	uint64_t half_open_timeout_ns; /* 30 s */
	/* Certificate validity periods are checked at this Unix time plus the
	 * host's now_ns(); 0 (default): not checked (the engine has no wall
	 * clock). */
	int64_t cert_epoch_s;
	enum ike_send_cert send_cert;         /* ifasked */
	enum ike_fragmentation fragmentation; /* yes (swanctl's default since 5.5.1) */
	/* The largest IP datagram a fragment makes (charon.fragment_size, per
	 * connection here): messages that would make a larger one go in
	 * fragments.  1280; 0 = 576 over IPv4, 1280 over IPv6 (RFC 7383
	 * §2.5.1); else at least IKE_FRAGMENT_SIZE_MIN. */
	uint32_t fragment_size;
	struct ike_child_config children[IKE_CHILDREN_MAX];
	size_t n_children;
};

/* Fills a config with this module's defaults (name, addresses and children
 * left empty): strongSwan 5.9's, except where ike_conn_strongswan() and
 * ike_child_strongswan() say otherwise. */
void ike_conn_defaults(struct ike_conn_config *c);
void ike_child_defaults(struct ike_child_config *c);
/* Turns this module's defaults in a freshly defaulted config into
 * strongSwan 5.9's where they differ (kept different so that earlier
 * results stay as they were): swanctl.conf's mobike = yes and
 * strongswan.conf's charon.make_before_break = no (reauthentication
 * deletes the old IKE SA first); a child's copy_dscp = out. */
void ike_conn_strongswan(struct ike_conn_config *c);
void ike_child_strongswan(struct ike_child_config *c);

enum ike_event_type {
	IKE_EV_IKE_SA,     /* an IKE SA changed state (ike_sa_state) */
	IKE_EV_CHILD_SA,   /* a Child SA changed state (ike_child_state) */
	IKE_EV_EXCHANGE,   /* a request/response exchange completed or failed */
	IKE_EV_FAILURE,    /* a negotiation failed: `text` is the diagnostic */
	IKE_EV_IKE_KEYS,   /* keys of a new IKE SA (for Wireshark's table) */
	IKE_EV_CHILD_KEYS, /* an SA pair of a new Child SA (for esp_sa) */
	IKE_EV_NAT,        /* NAT detected or the peer's address/port moved */
	IKE_EV_KE_RETRY,   /* the peer answered INVALID_KE_PAYLOAD: we ask again with
	                      the group it wants (`text` says so) */
};

enum ike_sa_state {
	IKE_STATE_CONNECTING,
	IKE_STATE_ESTABLISHED,
	IKE_STATE_REKEYED, /* replaced by a rekeyed or reauthenticated IKE SA */
	IKE_STATE_DELETED,
	IKE_STATE_FAILED,
};

/* A Child SA's life: INSTALLED (reason "established", or "rekeyed" for a
 * replacement), then DELETED (reason "rekeyed" once its replacement took
 * over, or why it went); a rekeyed one's inbound SA is REMOVED
 * delete_rekeyed_delay after that, with the packets that arrived on it
 * meanwhile in late_packets.  IKE_CHILD_REKEYED is the summary of one rekey,
 * emitted just before the old SA's DELETED: it names the new SPIs and the
 * old ones and carries rekey_duration_ns and rekey_lost.  Children keep
 * their SPIs when their IKE SA is rekeyed (later events carry the new
 * IKE SA's id). */
enum ike_child_state {
	IKE_CHILD_INSTALLED,
	IKE_CHILD_REKEYED,
	IKE_CHILD_DELETED,
	IKE_CHILD_REMOVED,
};

struct ike_event {
	enum ike_event_type type;
	const char *conn, *child; /* names, NULL where none */
	uint64_t ike_sa;          /* this node's id of the IKE SA */
	uint64_t spi_i, spi_r;    /* IKE SPIs */
	int state;                /* enum ike_sa_state or ike_child_state */
	const char *reason;       /* why: "dpd", "rekey", "peer delete", "timeout", ... */
	/* IKE_EV_EXCHANGE, IKE_EV_KE_RETRY */
	uint8_t exchange; /* IKE_SA_INIT, IKE_AUTH, ... (ike_msg.h) */
	bool initiator;   /* we sent the request */
	uint32_t message_id;
	uint64_t rtt_ns; /* request sent (first time) to response */
	unsigned retransmits;
	bool ok;
	/* IKE_EV_CHILD_SA, IKE_EV_CHILD_KEYS: the data-plane SAs */
	uint32_t spi_in, spi_out;
	uint32_t sa_in, sa_out; /* ids in the node's struct ipsec */
	/* IKE_EV_IKE_KEYS: the ikev2_decryption_table line, ready to write:
	 * SPIi,SPIr,SK_ei,SK_er,"enc",SK_ai,SK_ar,"integ" -- NULL (and
	 * `reason` says why) for suites Wireshark 4.0 cannot decrypt
	 * (ChaCha20-Poly1305).  IKE_EV_FAILURE: the diagnostic.  Strings are
	 * valid during the callback only. */
	const char *text;
	/* IKE_EV_KE_RETRY: the group of the KE payload we sent (0: none) and
	 * the one the peer asked for (RFC 7296 §1.3, §1.3.1, §2.7) */
	uint16_t ke_group_sent, ke_group;
	/* IKE_EV_NAT; nat_fake: we fake a NAT ourselves (`encap`), strongSwan's
	 * nat-fake */
	bool nat_local, nat_remote, nat_fake;
	struct ip_addr peer_addr;
	uint16_t peer_port;
	/* The rekey summary, with IKE_CHILD_REKEYED (spi_in/spi_out and sa_in/
	 * sa_out name the new Child SA, old_spi_in/old_spi_out the one it
	 * replaced) and IKE_STATE_REKEYED (the old IKE SA; replaced_by is the
	 * id of the new one): from our rekey request sent, or the peer's
	 * received, to the old SA deleted.  rekey_lost: packets this node could
	 * not send on the child in that window (outbound drops no_sa /
	 * sa_expired on the old outbound SA: break-before-make's gap). */
	uint64_t rekey_duration_ns;
	uint64_t rekey_lost;
	uint32_t old_spi_in, old_spi_out;
	uint64_t replaced_by;
	/* IKE_CHILD_REMOVED: packets accepted on the old inbound SA between
	 * the DELETE and its removal (delete_rekeyed_delay). */
	uint64_t late_packets;
};

struct ike_host_ops {
	uint64_t (*now_ns)(void *host);
	int (*random_bytes)(void *host, uint8_t *buf, size_t len);
	/* One deadline, as in ipsec_host_ops: call ike_handle_timeout() then;
	 * UINT64_MAX cancels. */
	void (*timer_arm)(void *host, uint64_t at_ns);
	/* Send a UDP datagram (IKE message, with the non-ESP marker already in
	 * front on port 4500, or a NAT keepalive). */
	void (*send)(void *host, struct ip_addr src, uint16_t sport, struct ip_addr dst,
	             uint16_t dport, const uint8_t *data, size_t len);
	void (*event)(void *host, const struct ike_event *ev); /* may be NULL */
	/* Private key material (Diffie-Hellman), from a stream of its own so
	 * that adding a key exchange leaves every other draw as it was; NULL:
	 * random_bytes. */
	int (*key_bytes)(void *host, uint8_t *buf, size_t len);
};

struct ike;

/* IKE for a node whose data plane is `dataplane`.  Installs BYPASS policies
 * for IKE's own UDP ports at the top of its SPD. */
struct ike *ike_new(const struct ike_host_ops *ops, void *host, struct ipsec *dataplane);
void ike_free(struct ike *ike);

/* Adds a connection (copied).  start_action start initiates at once (as a
 * timer event), trap installs trap policies.  0, or -1 with err. */
int ike_conn_add(struct ike *ike, const struct ike_conn_config *c, char *err, size_t errlen);

/* swanctl --initiate --child CHILD (conn NULL: the child's connection): a
 * new IKE SA, or CREATE_CHILD_SA on the connection's established one. */
int ike_initiate(struct ike *ike, const char *conn, const char *child);
/* swanctl --rekey: rekey a Child SA (the newest of that child config), or
 * the IKE SA when child is NULL; reauthenticate instead of rekeying the
 * IKE SA when `reauth`.  Starts the exchange (queued behind an outstanding
 * one); -1 if there is no established IKE SA or no such Child SA. */
int ike_rekey(struct ike *ike, const char *conn, const char *child, bool reauth);
/* swanctl --terminate: delete the IKE SA of `conn` (with its children). */
int ike_terminate(struct ike *ike, const char *conn);

/* The node's addresses (at most IKE_ADDRS_MAX, either family): a MOBIKE
 * IKE SA announces those it does not use to its peer in IKE_AUTH
 * (ADDITIONAL_IP4_ADDRESS, ADDITIONAL_IP6_ADDRESS, RFC 4555 §3.4), which
 * lets the peer move the IKE SA to another family.  0, or -1 if too many. */
int ike_set_local_addresses(struct ike *ike, const struct ip_addr *addrs, size_t n);
/* One of this node's addresses changed (a handover, a new DHCP lease):
 * connections and IKE SAs on `old_addr` move to `new_addr` -- with MOBIKE
 * the original initiator tells the peer (RFC 4555 §3.5), without it the
 * initiator reauthenticates from the new address (ike_mobike.c). */
void ike_local_address_changed(struct ike *ike, struct ip_addr old_addr, struct ip_addr new_addr);

/* A UDP datagram that arrived on port 500 or 4500 (after the data plane
 * declined it as ESP on 4500, i.e. with the non-ESP marker still there). */
void ike_receive(struct ike *ike, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                 uint16_t dport, const uint8_t *data, size_t len);

void ike_handle_timeout(struct ike *ike);

/* The data plane's events: soft lifetime -> rekey, hard -> delete, acquire
 * (a packet hit a trap policy) -> initiate. */
void ike_dataplane_event(struct ike *ike, const struct ipsec_event *ev);

/* Why a received IKE fragment (RFC 7383) was not kept, or a kept one was
 * given up (ike_frag.h). */
enum ike_frag_drop {
	IKE_FRAG_DROP_INVALID,       /* §2.5: Fragment Number 0 or above Total Fragments, Total
	                                Fragments 0, Next Payload set in a fragment but the first */
	IKE_FRAG_DROP_TOO_MANY,      /* Total Fragments above 255 */
	IKE_FRAG_DROP_MALFORMED,     /* too short, bad padding */
	IKE_FRAG_DROP_INTEGRITY,     /* §2.6: its ICV does not verify */
	IKE_FRAG_DROP_DUPLICATE,     /* its Fragment Number is kept already */
	IKE_FRAG_DROP_STALE,         /* §2.6: fewer Total Fragments than the set under way */
	IKE_FRAG_DROP_TOO_LARGE,     /* the message would exceed 8192 bytes: all given up */
	IKE_FRAG_DROP_SUPERSEDED,    /* kept, then given up for a new set or message (§2.6) */
	IKE_FRAG_DROP_TIMEOUT,       /* kept, then given up: the message took too long */
	IKE_FRAG_DROP_RETRANSMITTED, /* §2.6.1: a fragment but the first of a request we
	                                answered already */
	IKE_FRAG_DROP__COUNT
};
const char *ike_frag_drop_name(enum ike_frag_drop why);

/* Counters: messages in/out, dropped by reason (malformed, unknown SPI,
 * bad integrity, replayed, ...), half-open SAs, cookies sent. */
struct ike_stats {
	uint64_t rx, tx, retransmits, dropped_malformed, dropped_unknown_spi, dropped_integrity,
	        dropped_other, cookies_sent, half_open;
	/* §2.3: a response to no outstanding request, or a request outside the
	 * window (a duplicate or a replay). */
	uint64_t dropped_replay;
	uint64_t keepalives;     /* NAT keepalives sent (RFC 3948 §2.3) */
	uint64_t half_open_peak; /* the most half-open IKE SAs at any time */
	/* RFC 7383: fragments sent (also in tx) and received (also in rx),
	 * messages reassembled from them, fragments dropped by reason (not in
	 * the dropped_* above). */
	uint64_t frag_tx, frag_rx, frag_reassembled;
	uint64_t frag_dropped[IKE_FRAG_DROP__COUNT];
};
void ike_get_stats(const struct ike *ike, struct ike_stats *st);

/* Would ike_receive() of this datagram (on port 500, or 4500 after the
 * non-ESP marker) make the responder compute a Diffie-Hellman shared
 * secret now?  True only for a new IKE_SA_INIT request that passes every
 * check before the key exchange: well formed, a connection, a valid
 * COOKIE when one is demanded (RFC 7296 §2.6), an acceptable proposal and
 * its KE group (§1.3).  For a host charging the work to a model of its
 * crypto hardware; changes no state. */
bool ike_sa_init_computes_dh(struct ike *ike, struct ip_addr src, uint16_t sport,
                             struct ip_addr dst, const uint8_t *data, size_t len);

#endif
