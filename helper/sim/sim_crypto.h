/* A node's crypto engine in the simulation (model/elements/crypto_engine.h): the
 * hook the adapter asks for the completion time of every ESP/AH packet
 * (ns3c_crypto_attach), and IKE work charged from the IKE messages the node
 * receives.
 *
 * IKE work is approximated from the outside, because the IKE engine does
 * not report its cryptographic operations (yet): the host reads the
 * cleartext IKE header (exchange type at byte 18, flags at 19) and, for
 * IKE_SA_INIT, the KE payload's DH group, and charges
 *   - IKE_SA_INIT with a KE payload received: one DH (keygen + derive) of
 *     that group and one PRF key schedule (SKEYSEED, SK_*); a response also
 *     a signature when this node authenticates with pubkey; a request only
 *     when the IKE engine would compute the DH for it now
 *     (ike_sa_init_computes_dh: not when it demands a COOKIE, RFC 7296
 *     §2.6, asks for another group or sees a retransmission; "now" counts
 *     the half-open SAs made so far, not those the requests still waiting
 *     for the engine will make);
 *   - IKE_AUTH received: one PRF (Child SA KEYMAT); a signature
 *     verification when the peer authenticates with pubkey; a request also
 *     our signature when we authenticate with pubkey;
 *   - CREATE_CHILD_SA received: one PRF, and one DH of the PFS group when a
 *     child's esp_proposals name a DH group (the payloads are encrypted, so
 *     an IKE SA rekey without PFS in the children is charged no DH).
 * The message is handed to the IKE engine when that work is done, which is
 * when a real daemon would answer or go on: the receiving side is the one
 * that computes.  Retransmitted copies (same SPIs, message id, flags and
 * length) are not charged again.  The exact alternative: the IKE engine
 * reports each operation (an IKE_EV_CRYPTO event with the operation and
 * group) before it sends the message that needed it; the host would then
 * charge those and delay the send instead (see docs/scenario-reference.md,
 * "crypto_engine").
 */
#ifndef SIM_CRYPTO_H
#define SIM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "crypto_engine.h"
#include "ike.h"
#include "ipsec.h"
#include "ns3c.h"
#include "scenario.h"

struct sim_crypto;

/* Bins of the engine's utilisation (metrics.crypto_engine_bins) when the
 * scenario asks for no flow_bins (else theirs, so the series line up). */
#define SIM_CRYPTO_BIN_NS 1000000000ull

/* The engine of node `node` of s (which must have has_crypto), counting its
 * queue-full drops on `engine`.  NULL when out of memory. */
struct sim_crypto *sim_crypto_new(uint32_t node, const struct scenario *s, struct ipsec *engine);
void sim_crypto_free(struct sim_crypto *c);
/* The node rebooted: the IKE messages waiting for their work are lost
 * (their work stays charged), queue-full drops are counted on `engine`
 * from now on.  ESP/AH packets in the queue are lost in the adapter
 * (ns3c_node_set_up); the lanes stay busy with their work. */
void sim_crypto_reboot(struct sim_crypto *c, struct ipsec *engine);

/* The ns3c_crypto_fn of the node (arg: its sim_crypto). */
uint64_t sim_crypto_packet(void *arg, uint32_t node, int inbound, int dropped, const uint8_t *pkt,
                           size_t len);

/* An IKE datagram arrived for `ike`: 1 when it will be handed to
 * ike_receive() later (work to do, or an earlier message still waiting),
 * 0 to hand it on now. */
int sim_crypto_ike_receive(struct sim_crypto *c, struct ike *ike, const struct ns3c_datagram *d);

void sim_crypto_stats(const struct sim_crypto *c, uint64_t end, struct crypto_engine_stats *out);

#endif
