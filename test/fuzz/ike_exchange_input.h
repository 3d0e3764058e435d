/* The input format of the IKE exchange fuzz target (ike_exchange_fuzz.c),
 * shared with its seed generator (ike_exchange_seeds.c).
 *
 * Two IKE nodes of the unit tests' harness (test/unit/ike_harness.h): A
 * (node 0) initiates connection "gw" with child "net", B (node 1)
 * responds.  The first octet sets the world up:
 *
 *   bits 0-1  phase: the point the script starts from
 *     IKEF_INIT_REQUEST   only B is there, no IKE SA yet
 *     IKEF_INIT_RESPONSE  A has sent its IKE_SA_INIT request, B is down
 *     IKEF_AUTH           IKE_SA_INIT done, every IKE_AUTH message lost
 *     IKEF_ESTABLISHED    the IKE SA and its Child SA are up
 *   bit 2  MOBIKE on both (RFC 4555)
 *   bit 3  a NAT in front of A (RFC 7296 §2.23)
 *   bit 4  PFS: the children's proposals ask for X25519 (§1.3.1)
 *
 * Then a script of records, each starting with an op octet (low 3 bits):
 *
 *   IKEF_TO_B, IKEF_TO_A  a message to that node: flags, exchange type,
 *       Message ID delta (signed), first payload type, 2-octet length
 *       (big endian) and that many octets: the payload chain.  It is sent
 *       as from the peer, on the receiver's IKE SA (the second one if
 *       IKEF_MSG_SECOND_SA and there is one; fixed SPIs if there is none),
 *       with its SPIs, addresses and ports; the Message ID is the one the
 *       receiver expects (for a response: that of its outstanding
 *       request) plus the delta.  Encrypted in an SK payload with the
 *       SA's keys, so that it passes integrity (unless IKEF_MSG_PLAIN or
 *       the SA has no keys yet).  With IKEF_MSG_FRAGMENT an Encrypted
 *       Fragment payload instead (RFC 7383): the first two octets are
 *       its Fragment Number and Total Fragments, the rest its share of
 *       the plaintext, the first payload type its Next Payload.
 *   IKEF_RUN    run the world for 10 ms + (op >> 3) * 100 ms
 *   IKEF_DROP   lose every datagram in flight
 *   IKEF_REKEY  node (op >> 3) & 1 rekeys its child, or (op & 0x10) its
 *               IKE SA, reauthenticating if op & 0x20
 *   IKEF_MOVE   A's address changes (MOBIKE update or reauth), or if
 *               op & 0x10 node (op >> 3) & 1 terminates the IKE SA
 *   IKEF_CHILD  node (op >> 3) & 1 initiates another child "net"
 *   7           nothing
 *
 * Whenever more than H_QUEUE / 2 datagrams are in flight before a record,
 * they are lost (the harness's queue is bounded).  After the script the
 * world runs 2 s more. */
#ifndef IKE_EXCHANGE_INPUT_H
#define IKE_EXCHANGE_INPUT_H

#include <stdint.h>

enum ikef_phase { IKEF_INIT_REQUEST, IKEF_INIT_RESPONSE, IKEF_AUTH, IKEF_ESTABLISHED };

#define IKEF_MOBIKE 0x04
#define IKEF_NAT 0x08
#define IKEF_PFS 0x10

enum ikef_op { IKEF_TO_B, IKEF_TO_A, IKEF_RUN, IKEF_DROP, IKEF_REKEY, IKEF_MOVE, IKEF_CHILD };

/* Message flags */
#define IKEF_MSG_RESPONSE 0x01
#define IKEF_MSG_FLIP_I 0x02 /* the Initiator flag the other way round */
#define IKEF_MSG_PLAIN 0x04
#define IKEF_MSG_SECOND_SA 0x08
#define IKEF_MSG_FRAGMENT 0x10

#define IKEF_MSG_HDR 6 /* flags, exchange, delta, first payload, length */

struct ike_harness;
/* h_init() and the phase of `setup` (the first octet) reached. */
void ikef_setup(struct ike_harness *h, uint8_t setup);

#endif
