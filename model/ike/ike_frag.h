/* IKEv2 Message Fragmentation (RFC 7383): cutting a protected message into
 * Encrypted Fragment (SKF) payloads, and putting the ones received together
 * again.  Pure: no IKE SA, no clock, no I/O -- ike_frag.c ties this to IKE
 * SAs, their configuration and their exchanges.
 *
 * Fragmenting (§2.5).  The inner payloads of a message that would be one SK
 * payload are cut into pieces; each piece becomes a message of its own with
 * the original's IKE header (Message ID included), one SKF payload carrying
 * Fragment Number and Total Fragments, and its own IV, padding and ICV.
 * Only the first fragment's Next Payload names the first inner payload.
 * The fragments are kept as a set: a retransmission sends them all again,
 * unchanged (§2.6.1).
 *
 * Reassembly (§2.6, the limits of §5).  Each fragment is checked before it
 * is kept: Fragment Number and Total Fragments, then its ICV; its plaintext
 * is kept, at most IKE_FRAG_MAX fragments and IKE_FRAG_BYTES_MAX bytes per
 * message.  A set begun longer than the caller's timeout ago is given up
 * when the next fragment arrives (memory stays bounded: one set per IKE SA
 * and direction, freed with the SA).  Every fragment that is not kept, and
 * every kept one given up, is counted by reason (enum ike_frag_drop in
 * ike.h).
 */
#ifndef IPSEC_IKE_FRAG_H
#define IPSEC_IKE_FRAG_H

#include "ike.h"
#include "ike_crypto.h"
#include "ike_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_FRAG_MAX 255 /* fragments of one message (strongSwan's MAX_FRAGMENTS) */
/* Plaintext bytes of one reassembled message: the largest message
 * accepted whole (IKE_MSG_MAX in ike_sa.h). */
#define IKE_FRAG_BYTES_MAX 8192
/* The fragments of one message sent, back to back: room for the largest
 * message cut for the smallest fragment_size (IKE_FRAGMENT_SIZE_MIN, about
 * 130 fragments). */
#define IKE_FRAG_SET_MAX (3 * IKE_FRAG_BYTES_MAX)
/* §2.5.1: the IP datagram sizes a fragment must fit when nothing is
 * configured (strongSwan's for fragment_size = 0). */
#define IKE_FRAG_SIZE_V4 576
#define IKE_FRAG_SIZE_V6 1280

/* A message sent as fragments. */
struct ike_frag_set {
	uint16_t n;               /* fragments; 0: the message goes whole */
	size_t end[IKE_FRAG_MAX]; /* fragment i is buf[i ? end[i-1] : 0, end[i]) */
	uint8_t buf[IKE_FRAG_SET_MAX];
};

/* The largest IKE message (from the IKE header on) that makes an IP
 * datagram of at most `fragment_size` bytes (0: IKE_FRAG_SIZE_V4 or _V6 by
 * the IP header's length, 20 or 40), with UDP's 8 bytes and, on port
 * 4500, the non-ESP marker's 4 (RFC 3948 §2.2).  At least 1. */
size_t ike_frag_max_message(size_t fragment_size, size_t ip_hdr_len, bool non_esp_marker);

/* A fresh IV for the next fragment (sk's sz.iv bytes): 0 or -1. */
typedef int (*ike_frag_iv_fn)(void *arg, uint8_t *iv);

/* §2.5: cut the message `msg` (IKE header and one SK payload whose inner
 * payloads lie in plaintext at msg[plain, plain + plain_len), as
 * ike_sk_end() leaves them before protection) into fragments of at most
 * max_msg bytes, each protected with `sk`.  0, or -1 with err (no room
 * for any plaintext in a fragment, more than IKE_FRAG_MAX fragments). */
int ike_frag_split(struct ike_frag_set *set, const uint8_t *msg, const struct ike_sk_layout *l,
                   size_t plain_len, size_t max_msg, struct ike_sk *sk, ike_frag_iv_fn next_iv,
                   void *iv_arg, char *err, size_t errlen);

/* The datagrams of a message: its fragments, or `whole` if set->n is 0
 * (or set is NULL). */
size_t ike_frag_count(const struct ike_frag_set *set);
const uint8_t *ike_frag_get(const struct ike_frag_set *set, const uint8_t *whole, size_t whole_len,
                            size_t i, size_t *len);

/* Check one received fragment (m's SKF payload, in msg): its numbers
 * (§2.5), then its ICV, decrypting it in place.  0 with *plain and
 * *plain_len (inside msg), or -1 and *why. */
int ike_frag_open(const struct ike_msg *m, uint8_t *msg, struct ike_sk *sk, uint8_t **plain,
                  size_t *plain_len, enum ike_frag_drop *why);

/* One message being reassembled. */
struct ike_reassembly {
	uint32_t message_id;
	uint16_t total, have;
	uint8_t first_inner;
	uint64_t started_ns;
	size_t len;                                     /* plaintext bytes kept */
	uint16_t off[IKE_FRAG_MAX], flen[IKE_FRAG_MAX]; /* by Fragment Number - 1 */
	uint8_t got[(IKE_FRAG_MAX + 7) / 8];
	uint8_t data[IKE_FRAG_BYTES_MAX];
};

enum ike_reassembly_result {
	IKE_REASSEMBLY_DROPPED = -1, /* not kept: counted in drops */
	IKE_REASSEMBLY_KEPT = 0,     /* kept, more to come */
	IKE_REASSEMBLY_COMPLETE = 1, /* all there: ike_reassembly_take() */
};

/* §2.6: fragment m (an SKF payload at m->sk_index, raw in msg) of the
 * message with m's Message ID.  *rp is allocated with the first fragment
 * that passes its ICV and freed by ike_reassembly_take() or
 * ike_reassembly_free().  A different Message ID, or more Total Fragments
 * than the set under way (the sender cut it again smaller, §2.6), starts
 * over (the kept ones counted `superseded`); fewer are `stale`; a set
 * begun more than timeout_ns before now_ns is given up (`timeout`). */
enum ike_reassembly_result ike_reassembly_add(struct ike_reassembly **rp,
                                              uint64_t drops[IKE_FRAG_DROP__COUNT],
                                              const struct ike_msg *m, uint8_t *msg,
                                              struct ike_sk *sk, uint64_t now_ns,
                                              uint64_t timeout_ns);
/* The complete message's inner payloads, in order, into out (at least
 * IKE_FRAG_BYTES_MAX bytes) and the type of the first; frees *rp. */
size_t ike_reassembly_take(struct ike_reassembly **rp, uint8_t *out, uint8_t *first);
void ike_reassembly_free(struct ike_reassembly **rp);

#endif
