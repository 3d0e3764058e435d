/* The engines over real UDP sockets: one scenario node's IKE and data plane
 * run against the wall clock, with IKE on UDP 500/4500 and ESP in UDP on
 * 4500 (RFC 3948), over IPv4 or IPv6 (sockets on each of the node's
 * addresses in the scenario, which MOBIKE announces, RFC 4555 §3.4), so a
 * real IKEv2 implementation can be the peer (`ipsec-sim peer`,
 * docs/interop.md).  Plain ESP (protocol 50) is neither received nor sent.
 * The node has no IP stack of its own: a packet decapsulated for one of its
 * inner addresses, of either family, is answered if it is an ICMP or ICMPv6
 * echo request (the tunnel's ping target, peer_echo.h), else counted. */
#ifndef PEER_HOST_H
#define PEER_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

struct peer_host;

struct peer_options {
	const struct scenario *s;
	size_t node;
	const char *keys_dir; /* where the Wireshark key tables are kept up to date */
	FILE *log;            /* one line per event */
};

struct peer_host *peer_host_new(const struct peer_options *o, char *err, size_t errlen);
/* Runs until `until_ns` on the host's clock (ns since peer_host_new). */
void peer_host_run(struct peer_host *p, uint64_t until_ns);
/* IKE SAs that failed and failures the engine reported (a proposal refused,
 * an authentication failed, ...): `peer` exits 1 if there were any. */
uint64_t peer_host_failures(const struct peer_host *p);
uint64_t peer_host_now(const struct peer_host *p);
struct ike *peer_host_ike(struct peer_host *p);
/* A handover: this node's address `old_addr` is now `new_addr`, of either
 * family.  The UDP sockets bound to the old address are closed and, unless
 * the node has sockets on the new one already (a dual-stack node), ones
 * bound to it opened (it must be on an interface by then).  The IKE engine
 * gets the new address list and is told (ike_local_address_changed: with
 * MOBIKE an UPDATE_SA_ADDRESSES, RFC 4555 §3.5, to the peer's address of
 * the new family if it is the other, §3.4; without it a reauthentication
 * from the new address). */
int peer_host_move(struct peer_host *p, struct ip_addr old_addr, struct ip_addr new_addr, char *err,
                   size_t errlen);
/* Echo requests answered and other inner packets received so far. */
void peer_host_counts(const struct peer_host *p, uint64_t *echoes, uint64_t *other);
void peer_host_free(struct peer_host *p);

#endif
