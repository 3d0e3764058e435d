/* The IPsec engine's public API (RFC 4301 architecture, sans-I/O).
 *
 * The engine never reads a clock, opens a socket or includes an ns-3 header:
 * the host (the ns-3 adapter, a unit test, a fuzzer, a real-socket driver)
 * gives it an ops table and feeds it IPv4 and IPv6 packets as byte buffers in
 * wire format.  One `struct ipsec` is the IPsec state of one node: its SPD, its
 * SAD and its drop counters.
 */
#ifndef IPSEC_H
#define IPSEC_H

#include "ip_addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest number of bytes outbound processing adds to a packet: outer IPv6
 * header, UDP encapsulation, ESP header, IV, padding, trailer and ICV, or an
 * AH header with the largest ICV and its padding.  An `out` buffer of len + IPSEC_MAX_OVERHEAD
 * bytes is always large enough. */
#define IPSEC_MAX_OVERHEAD 128

/* Why a packet was dropped.  Every drop is counted per node by reason. */
enum ipsec_drop {
	IPSEC_DROP_NO_SA,             /* inbound SPI unknown, or outbound SA gone */
	IPSEC_DROP_REPLAY,            /* RFC 4303 §3.4.3: duplicate or left of window */
	IPSEC_DROP_ICV_FAIL,          /* integrity check failed */
	IPSEC_DROP_POLICY_DISCARD,    /* SPD entry says DISCARD */
	IPSEC_DROP_POLICY_MISMATCH,   /* RFC 4301 §5.2: inner packet not allowed by
	                                 the SA it came in on, or plaintext that
	                                 policy says must arrive protected */
	IPSEC_DROP_MALFORMED,         /* truncated, bad lengths, bad padding */
	IPSEC_DROP_SEQ_EXHAUSTED,     /* RFC 4303 §3.3.3: counter would wrap */
	IPSEC_DROP_SA_EXPIRED,        /* hard lifetime reached */
	IPSEC_DROP_DUMMY,             /* RFC 4303 §2.6: next header 59, discarded */
	IPSEC_DROP_CRYPTO_ERROR,      /* OpenSSL refused an operation */
	IPSEC_DROP_CRYPTO_QUEUE_FULL, /* the node's crypto engine had no room
	                                 (model/elements/crypto_engine.h); counted by the
	                                 host with ipsec_count_drop() */
	IPSEC_DROP_TOO_BIG,           /* RFC 4301 §8.2: protected, it would exceed the
	                                 link's MTU and may not be fragmented
	                                 (ipsec_output_mtu) */
	IPSEC_DROP__COUNT
};

const char *ipsec_drop_name(enum ipsec_drop reason);

enum ipsec_protocol { IPSEC_PROTO_ESP = 50, IPSEC_PROTO_AH = 51 };
enum ipsec_mode { IPSEC_MODE_TRANSPORT, IPSEC_MODE_TUNNEL };
enum ipsec_dir { IPSEC_DIR_IN, IPSEC_DIR_OUT };

/* Encryption transforms (IKEv2 transform type 1 names in comments). */
enum ipsec_enc {
	IPSEC_ENC_NULL,        /* ENCR_NULL, RFC 2410 */
	IPSEC_ENC_AES_CBC_128, /* ENCR_AES_CBC, RFC 3602 */
	IPSEC_ENC_AES_CBC_256,
	IPSEC_ENC_AES_GCM16_128, /* ENCR_AES_GCM_16, RFC 4106 */
	IPSEC_ENC_AES_GCM16_256,
	IPSEC_ENC_AES_GMAC_128, /* ENCR_NULL_AUTH_AES_GMAC, RFC 4543 */
	IPSEC_ENC_AES_GMAC_256,
	IPSEC_ENC_CHACHA20_POLY1305, /* RFC 7634 */
	IPSEC_ENC__COUNT
};

/* Integrity transforms (type 3).  AEAD transforms take IPSEC_INTEG_NONE. */
enum ipsec_integ {
	IPSEC_INTEG_NONE,
	IPSEC_INTEG_HMAC_SHA256_128, /* RFC 4868 */
	IPSEC_INTEG_HMAC_SHA384_192,
	IPSEC_INTEG_HMAC_SHA512_256,
	IPSEC_INTEG__COUNT
};

/* An inclusive port range (host byte order).  {0, 0} and the full range
 * both mean ANY (which alone matches OPAQUE ports of non-initial fragments,
 * RFC 4301 §4.4.1.1). */
struct ipsec_range16 {
	uint16_t lo, hi;
};

/* RFC 4301 §4.4.1.1 selectors, seen from this node: "local" is the source of
 * outbound packets and the destination of inbound ones.  protocol 0 = any.
 * An address range without an address (ip_range_any) matches either family;
 * one of a family matches only packets of that family.  A port range of
 * {0, 0} means ANY; a zeroed selector matches every packet.  For ICMP and
 * ICMPv6 the ports carry type (local) and code (remote).  Non-initial
 * fragments (ports OPAQUE, RFC 4301 §4.4.1.1) and protocols without ports
 * match only ANY port ranges. */
struct ipsec_selector {
	struct ip_range local_addr, remote_addr;
	uint8_t protocol;
	struct ipsec_range16 local_port, remote_port;
};

/* RFC 4301 §4.4.2.1 lifetimes; 0 = no limit.  Seconds count from SA add. */
struct ipsec_lifetime {
	uint64_t bytes, packets, seconds;
};

/* RFC 4301 §5.1.2.1: outer header DF bit in tunnel mode. */
enum ipsec_df { IPSEC_DF_COPY, IPSEC_DF_SET, IPSEC_DF_CLEAR };

struct ipsec_sa_config {
	enum ipsec_dir dir;
	enum ipsec_protocol protocol;
	enum ipsec_mode mode;
	uint32_t spi;
	/* Tunnel endpoints in tunnel mode; the peers' addresses in transport
	 * mode, both of one family.  Inbound SAs are found by (spi, dst,
	 * protocol). */
	struct ip_addr src, dst;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	/* Encryption keying material; for AEAD and GMAC transforms the 4-byte
	 * salt follows the key (RFC 4106 §8.1, RFC 7634 §2). */
	uint8_t enc_key[36];
	size_t enc_key_len;
	uint8_t integ_key[64];
	size_t integ_key_len;
	bool esn;               /* RFC 4303 §2.2.1 extended sequence numbers */
	uint32_t replay_window; /* inbound: 0 = off, else a multiple of 32 up to 4096 */
	struct ipsec_lifetime soft, hard;
	/* Tunnel mode, RFC 4301 §5.1.2.1 */
	enum ipsec_df df;
	bool copy_dscp; /* else DSCP 0 in the outer header */
	uint8_t ttl;    /* outer TTL; 0 means 64 */
	/* RFC 3948 UDP encapsulation; both 0 = none */
	uint16_t encap_sport, encap_dport;
	/* RFC 4301 §5.2: inbound, the selectors the inner packet must match;
	 * outbound, informational.  Filled by the caller from the policy. */
	struct ipsec_selector sel;
};

struct ipsec_sa_stats {
	uint64_t packets, bytes; /* processed successfully (bytes of payload) */
	uint64_t drops[IPSEC_DROP__COUNT];
	uint64_t seq; /* last sequence number sent or highest received */
	bool soft_expired, hard_expired;
	/* its addresses changed during its life (ipsec_sa_set_addresses:
	 * a NAT's new mapping, a MOBIKE move) */
	bool readdressed;
};

enum ipsec_action { IPSEC_ACTION_BYPASS, IPSEC_ACTION_DISCARD, IPSEC_ACTION_PROTECT };

#define IPSEC_BUNDLE_MAX 2

/* One SPD entry (RFC 4301 §4.4.1).  Entries are ordered, first match wins.
 * An entry applies to outbound packets whose (src, dst) match (local,
 * remote), and to inbound packets whose (src, dst) match (remote, local).
 * For PROTECT, `sa_out` names the outbound SA (or SA bundle, applied in
 * order: sa_out[0] innermost) and `sa_in` the inbound SAs allowed. */
struct ipsec_spd_entry {
	struct ipsec_selector sel;
	enum ipsec_action action;
	uint32_t sa_out[IPSEC_BUNDLE_MAX]; /* SA ids, 0 = unused */
	uint32_t sa_in[IPSEC_BUNDLE_MAX];
};

enum ipsec_event_type {
	IPSEC_EV_SOFT_EXPIRE, /* a soft lifetime was reached: rekey now */
	IPSEC_EV_HARD_EXPIRE, /* a hard lifetime was reached: the SA is removed */
	IPSEC_EV_SEQ_EXHAUSTED,
	IPSEC_EV_ACQUIRE, /* an outbound packet hit a PROTECT entry without an SA */
};

struct ipsec_event {
	enum ipsec_event_type type;
	uint32_t sa_id;
	const char *limit; /* "bytes", "packets", "seconds" or NULL */
	/* IPSEC_EV_ACQUIRE: the SPD entry and the packet's selector fields
	 * (RFC 7296 §2.9: the initiator may propose them as the first TS). */
	uint32_t spd_id;
	struct ip_addr src, dst;
	uint8_t protocol;
	uint16_t sport, dport;
};

/* What the host provides.  `host` is passed back unchanged. */
struct ipsec_host_ops {
	uint64_t (*now_ns)(void *host);
	/* Fill `buf` with `len` random bytes (CBC IVs); return 0 on success. */
	int (*random_bytes)(void *host, uint8_t *buf, size_t len);
	/* Ask to be called back with ipsec_handle_timeout() at `at_ns` (an
	 * absolute time); a later call replaces the earlier deadline.  UINT64_MAX
	 * cancels. */
	void (*timer_arm)(void *host, uint64_t at_ns);
	/* Lifetime and sequence events; may be NULL. */
	void (*event)(void *host, const struct ipsec_event *ev);
	/* The identification of the next datagram the host's IP stack sends
	 * from src to dst with protocol `proto` (RFC 791, RFC 6864), for the
	 * IPv4 outer headers of tunnel mode (host-order addresses); NULL: a
	 * counter of the engine's own. */
	uint16_t (*ip_id)(void *host, uint32_t src, uint32_t dst, uint8_t proto);
};

struct ipsec;

struct ipsec *ipsec_new(const struct ipsec_host_ops *ops, void *host);
void ipsec_free(struct ipsec *ctx);

/* SAD.  Returns 0 and a positive id, or -1 with a message in err. */
int ipsec_sa_add(struct ipsec *ctx, const struct ipsec_sa_config *cfg, uint32_t *sa_id, char *err,
                 size_t errlen);
int ipsec_sa_delete(struct ipsec *ctx, uint32_t sa_id);
const struct ipsec_sa_config *ipsec_sa_config(const struct ipsec *ctx, uint32_t sa_id);
/* The endpoints of a live SA moved: the peer's public address or port
 * behind a NAT (RFC 7296 §2.23), or either end's address with MOBIKE
 * (RFC 4555 §3.5).  `src`, `dst` become the outer addresses (tunnel mode)
 * or the peers' (transport mode: its selectors are the caller's
 * business); `encap_sport`, `encap_dport` the RFC 3948 ports, both 0 for
 * plain ESP.  An inbound SA is found by its new destination from now on.
 * 0, or -1 if `sa_id` is no live SA or the arguments are inconsistent. */
int ipsec_sa_set_addresses(struct ipsec *ctx, uint32_t sa_id, const struct ip_addr *src,
                           const struct ip_addr *dst, uint16_t encap_sport, uint16_t encap_dport);
const struct ipsec_sa_stats *ipsec_sa_stats(const struct ipsec *ctx, uint32_t sa_id);
/* Calls fn for every SA ever added, removed ones included. */
void ipsec_sa_foreach(const struct ipsec *ctx, void (*fn)(void *arg, uint32_t sa_id), void *arg);
/* True if an inbound SA with this SPI was ever added, removed ones
 * included (key management never hands such an SPI out again).  O(1). */
bool ipsec_sa_spi_used(const struct ipsec *ctx, uint32_t spi);

/* SPD.  Entries are appended in order; `default_action` applies when no
 * entry matches (BYPASS unless set). */
int ipsec_spd_add(struct ipsec *ctx, const struct ipsec_spd_entry *entry, char *err, size_t errlen);

/* Entries have ids (1, 2, ... in the order they are added, never reused), so
 * that IKE can manage its own entries among the configured ones.
 * ipsec_spd_insert() puts the entry before the entry `before_id`, at the end
 * when before_id is 0, at the top when it is IPSEC_SPD_TOP; it returns the
 * new entry's id, or 0 with a message in err.  A PROTECT entry without an
 * outbound SA is a trap (acquire) policy: outbound packets that match it are
 * dropped as no_sa and reported as IPSEC_EV_ACQUIRE. */
#define IPSEC_SPD_TOP UINT32_MAX
uint32_t ipsec_spd_insert(struct ipsec *ctx, const struct ipsec_spd_entry *entry,
                          uint32_t before_id, char *err, size_t errlen);
/* Replace the entry `id` in place (same position, same id).  0 or -1. */
int ipsec_spd_update(struct ipsec *ctx, uint32_t id, const struct ipsec_spd_entry *entry, char *err,
                     size_t errlen);
/* 0, or -1 if there is no entry `id`. */
int ipsec_spd_remove(struct ipsec *ctx, uint32_t id);
/* The entry `id`, NULL if none. */
const struct ipsec_spd_entry *ipsec_spd_get(const struct ipsec *ctx, uint32_t id);
/* The id of the entry after `id` (after 0: the first), 0 at the end or if
 * there is no entry `id`. */
uint32_t ipsec_spd_next(const struct ipsec *ctx, uint32_t id);
void ipsec_spd_set_default(struct ipsec *ctx, enum ipsec_action default_action);
/* Rekeying: make every SPD entry that names SA `old_id` (in sa_out or sa_in,
 * by the SA's direction) name `new_id` instead.  Returns the number of
 * references replaced, or -1 if either SA is unknown or their directions
 * differ. */
int ipsec_spd_replace_sa(struct ipsec *ctx, uint32_t old_id, uint32_t new_id);

enum ipsec_verdict {
	IPSEC_VERDICT_BYPASS,  /* send/deliver the packet unchanged */
	IPSEC_VERDICT_PROTECT, /* send `out` instead (outbound) */
	IPSEC_VERDICT_DELIVER, /* handle `out`, the decapsulated packet (inbound) */
	IPSEC_VERDICT_DROP,    /* *reason says why; already counted */
};

/* RFC 4301 §5.1: outbound processing of an IPv4 or IPv6 packet leaving this
 * node, locally originated or forwarded.  `pkt` is a whole packet (an IPv4
 * header with a valid checksum; IPv6 extension headers walked with limits,
 * ipv6.h).  On PROTECT, `out` holds the packet to send: an ESP or AH packet
 * (protocol 50/51), or UDP to port 4500 with encapsulation, with valid
 * lengths and IPv4 checksum; in transport mode of the packet's family, after
 * the IPv6 extension headers RFC 4303 §3.1.1 and RFC 4302 §3.1.1 place before
 * ESP and AH; in tunnel mode of the SA's family, whatever the inner one
 * (4-in-4, 6-in-6, 4-in-6, 6-in-4).  Fragmentation is the host's job. */
enum ipsec_verdict ipsec_output(struct ipsec *ctx, const uint8_t *pkt, size_t len, uint8_t *out,
                                size_t out_cap, size_t *out_len, enum ipsec_drop *reason);

/* ipsec_output for a packet this node forwards onto a link of `mtu` bytes
 * (RFC 4301 §8.2).  When the protected packet would not fit and the inner
 * one may not be fragmented on its way -- IPv6 (RFC 8200 §5), IPv4 with DF
 * set (RFC 1191) -- the packet is dropped (IPSEC_DROP_TOO_BIG, on the
 * outermost SA) before any SA state changes, and *out_len is the largest
 * inner packet that fits: the host tells the source (ICMPv6 Packet Too Big,
 * RFC 4443 §3.2; ICMP Fragmentation Needed, RFC 1191 §4).  When that would
 * be below the inner family's minimum MTU (1280, 68) the packet is
 * protected and the host fragments the outer packet (RFC 2473 §7.1). */
enum ipsec_verdict ipsec_output_mtu(struct ipsec *ctx, const uint8_t *pkt, size_t len, size_t mtu,
                                    uint8_t *out, size_t out_cap, size_t *out_len,
                                    enum ipsec_drop *reason);

/* RFC 4301 §5.2: inbound processing of a reassembled IPv4 or IPv6 packet
 * addressed to this node whose protocol is ESP or AH (or UDP-encapsulated
 * ESP, RFC 3948, for SAs with encapsulation).  On DELIVER, `out` holds the
 * inner packet (tunnel: the inner packet as sent, of either family;
 * transport: the original packet rebuilt with the next header in place of
 * ESP or AH, lengths and checksum fixed) and
 * *sa_id the SA it came in on.  The selector check of §5.2 step 4 against
 * the SA is done here for transport mode; tunnel mode's inner packet is
 * checked by ipsec_input_policy() when the host handles it. */
enum ipsec_verdict ipsec_input(struct ipsec *ctx, const uint8_t *pkt, size_t len, uint8_t *out,
                               size_t out_cap, size_t *out_len, uint32_t *sa_id,
                               enum ipsec_drop *reason);

/* RFC 4301 §5.2 for plaintext: may this inbound (to this node or forwarded)
 * IPv4 or IPv6 packet pass?  `via_sa` is the inbound SA it was decapsulated from, 0
 * if it arrived in the clear.  Returns BYPASS or DROP. */
enum ipsec_verdict ipsec_input_policy(struct ipsec *ctx, const uint8_t *pkt, size_t len,
                                      uint32_t via_sa, enum ipsec_drop *reason);

/* The host calls this when the deadline it was given through timer_arm is
 * reached: time-based lifetimes are enforced here. */
void ipsec_handle_timeout(struct ipsec *ctx);

/* Drops counted on this node by reason (packets no SA could be blamed for
 * included). */
uint64_t ipsec_drops(const struct ipsec *ctx, enum ipsec_drop reason);
/* Count a drop the host decided on (e.g. a packet too short to parse). */
void ipsec_count_drop(struct ipsec *ctx, enum ipsec_drop reason);

#endif
