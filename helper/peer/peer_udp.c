#include "peer_udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static socklen_t to_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == IP_FAMILY_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		return sizeof *s6;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->b, 4);
	return sizeof *s4;
}

int peer_udp_open(const struct ip_addr *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if ((ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int peer_udp_send(int fd, const struct ip_addr *dst, uint16_t port, const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(dst, port, &ss);
	return sendto(fd, data, len, 0, (struct sockaddr *)&ss, sl) < 0 ? -1 : 0;
}

ssize_t peer_udp_recv(int fd, uint8_t *buf, size_t len, struct ip_addr *src, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	ssize_t n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&ss, &sl);
	if (n < 0)
		return -1;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		*src = ip_addr_from_bytes(IP_FAMILY_V6, s6->sin6_addr.s6_addr);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
		*src = ip_addr_from_bytes(IP_FAMILY_V4, (const uint8_t *)&s4->sin_addr);
		*port = ntohs(s4->sin_port);
	}
	return n;
}
