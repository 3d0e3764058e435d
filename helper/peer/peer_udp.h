/* UDP sockets of either family for `ipsec-sim peer`, with addresses as the
 * engine has them (struct ip_addr, host-order ports). */
#ifndef PEER_UDP_H
#define PEER_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ip_addr.h"

/* A non-blocking socket bound to `addr`:`port` (an IPv6 one takes IPv6
 * only), or -1 with errno: the address must be on an interface. */
int peer_udp_open(const struct ip_addr *addr, uint16_t port);

/* sendto() to `dst`:`port`; 0, or -1 with errno. */
int peer_udp_send(int fd, const struct ip_addr *dst, uint16_t port, const uint8_t *data,
                  size_t len);

/* recvfrom(): the datagram's length and its source, or -1 with errno
 * (EAGAIN when none is waiting). */
ssize_t peer_udp_recv(int fd, uint8_t *buf, size_t len, struct ip_addr *src, uint16_t *port);

#endif
