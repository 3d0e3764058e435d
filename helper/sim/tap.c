/* TAP devices: /dev/net/tun with TUNSETIFF (Documentation/networking/
 * tuntap.rst), addresses and the up flag with the classic SIOCSIF*
 * ioctls.  No helper program, no setuid. */
#define _DEFAULT_SOURCE /* struct ifreq */
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ns3c.h"
#include "units.h"

int tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "TAP '%s': the name is longer than %d characters", name,
		         IFNAMSIZ - 1);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "TAP '%s': cannot open /dev/net/tun: %s", name,
		         strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		snprintf(err, errlen, "TAP '%s': %s%s", name, strerror(e),
		         e == EPERM    ? " (creating or attaching a TAP needs CAP_NET_ADMIN)"
		         : e == EINVAL ? " (is there a device of that name that is not a TAP?)"
		         : e == EBUSY  ? " (another program has it open)"
		                       : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int ifreq_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *what, char *err,
                       size_t errlen)
{
	if (ioctl(sock, req, ifr) == 0)
		return 0;
	snprintf(err, errlen, "TAP '%s': cannot %s: %s", ifr->ifr_name, what, strerror(errno));
	return -1;
}

int tap_configure(const char *name, uint32_t addr, uint8_t prefix_len, char *err, size_t errlen)
{
	struct ifreq ifr;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (sock < 0) {
		snprintf(err, errlen, "TAP '%s': socket: %s", name, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, name, strlen(name) < IFNAMSIZ ? strlen(name) : IFNAMSIZ - 1);
	sin.sin_addr.s_addr = htonl(addr);
	memcpy(&ifr.ifr_addr, &sin, sizeof sin);
	if (ifreq_ioctl(sock, SIOCSIFADDR, &ifr, "set its address", err, errlen))
		goto out;
	sin.sin_addr.s_addr = htonl(units_mask(prefix_len));
	memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
	if (ifreq_ioctl(sock, SIOCSIFNETMASK, &ifr, "set its netmask", err, errlen))
		goto out;
	if (ifreq_ioctl(sock, SIOCGIFFLAGS, &ifr, "read its flags", err, errlen))
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (ifreq_ioctl(sock, SIOCSIFFLAGS, &ifr, "bring it up", err, errlen))
		goto out;
	rc = 0;
out:
	close(sock);
	return rc;
}

int tap_link_build(const struct scenario *s, size_t l, FILE *log)
{
	const struct scenario_link *k = &s->links[l];
	uint8_t mac[6];
	char err[256];
	int fd;

	memcpy(mac, k->mac, sizeof mac);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		/* Locally administered, unicast: 02:00 and the node's address. */
		mac[0] = 0x02;
		for (int i = 0; i < 4; i++)
			mac[2 + i] = (uint8_t)(k->addr[0] >> (24 - 8 * i));
	}
	fd = tap_open(k->tap, err, sizeof err);
	if (fd < 0 || (k->tap_configure &&
	               tap_configure(k->tap, k->addr[1], k->prefix_len, err, sizeof err))) {
		fprintf(log, "%s: links.%zu: %s\n", s->path, l, err);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (ns3c_tap_attach((uint32_t)k->node[0], fd, k->addr[0], k->prefix_len, mac) < 0) {
		fprintf(log, "%s: links.%zu: cannot attach node '%s' to TAP '%s'\n", s->path, l,
		        s->nodes[k->node[0]].name, k->tap);
		close(fd);
		return -1;
	}
	return 0;
}
