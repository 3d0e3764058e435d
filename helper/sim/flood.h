/* An attacker's flood (scenario `attacker: - {action: flood}`): packets of
 * its own, sent at a constant rate from `at`, with ns3c_inject (a raw
 * socket: any source address).
 *
 *   ike_sa_init  IKE_SA_INIT requests (flood_ike.h) to UDP 500 of the
 *                target, from random ports;
 *   esp          ESP packets with a garbage payload: a random SPI (the
 *                target drops them as no_sa after a hash lookup), or the SPI,
 *                addresses and UDP encapsulation of the SA last seen
 *                forwarded to the target with the next sequence number
 *                (the target must decrypt before it can drop them as
 *                icv_fail);
 *   udp          UDP datagrams of `size` bytes to a port.
 *
 * Sources are the attacker's own address or random ones in a `spoof`
 * prefix.  Answers to spoofed sources go wherever the target's routes send
 * them: to nobody who asked. */
#ifndef FLOOD_H
#define FLOOD_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"
#include "scenario.h"

struct flood;

/* Flood `index` of node `node`; random draws from its own ns-3 RNG stream.
 * Scheduled from a->at_ns on.  NULL when out of memory.  Free it after
 * ns3c_destroy(). */
struct flood *flood_start(uint32_t node, size_t index, const struct scenario_attack *a);
/* An ESP packet the node forwards (ESP header at `esp`, UDP-encapsulated
 * when ip->proto is UDP): with spi: live, a packet to the target names the
 * SA to imitate. */
void flood_observe(struct flood *f, const uint8_t *pkt, const struct ipv4_view *ip, size_t esp);
/* Packets sent so far, and their bytes (IP packets). */
uint64_t flood_sent(const struct flood *f);
uint64_t flood_bytes(const struct flood *f);
void flood_free(struct flood *f);

#endif
