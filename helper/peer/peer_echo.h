/* The one thing the peer's synthetic inner host answers: an echo request
 * of either family, ICMP (RFC 792) or ICMPv6 (RFC 4443 §4.1), that came
 * through a Child SA for one of the node's inner addresses, so that the
 * other end can ping through the tunnel. */
#ifndef PEER_ECHO_H
#define PEER_ECHO_H

#include <stddef.h>
#include <stdint.h>

/* If the packet `pkt` of `len` bytes (IPv4 or IPv6) is an unfragmented
 * echo request, turns it in place into the echo reply and returns the
 * reply's length; otherwise returns 0 and leaves it alone. */
size_t peer_echo_reply(uint8_t *pkt, size_t len);

#endif
