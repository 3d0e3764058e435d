#include "peer_host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ike_names.h"
#include "ipv4.h"
#include "keys.h"
#include "units.h"

#define MAX_ADDRS 8
#define UDP_HDR 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define BUF (65536 + IPSEC_MAX_OVERHEAD)

/* UDP sockets on one local address: [0] port 500, [1] port 4500. */
struct peer_addr {
	uint32_t addr;
	int fd[2];
};

struct peer_host {
	const struct scenario *s;
	size_t node;
	FILE *log;
	const char *keys_dir;
	struct timespec t0;
	struct ipsec *ipsec;
	struct ike *ike;
	uint64_t ipsec_deadline, ike_deadline;
	struct peer_addr addrs[MAX_ADDRS];
	size_t n_addrs;
	char **ike_lines;
	size_t n_ike_lines;
	uint64_t echoes, other;
	uint64_t failures; /* IKE SAs failed, and failures reported */
	uint8_t rx[BUF], pkt[BUF], out[BUF];
};

uint64_t peer_host_failures(const struct peer_host *p)
{
	return p->failures;
}

uint64_t peer_host_now(const struct peer_host *p)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - p->t0.tv_sec) * 1000000000u + (uint64_t)t.tv_nsec -
	       (uint64_t)p->t0.tv_nsec;
}

static uint64_t now_ns(void *arg)
{
	return peer_host_now(arg);
}

static int random_bytes(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static void ipsec_timer_arm(void *arg, uint64_t at_ns)
{
	((struct peer_host *)arg)->ipsec_deadline = at_ns;
}

static void ike_timer_arm(void *arg, uint64_t at_ns)
{
	((struct peer_host *)arg)->ike_deadline = at_ns;
}

static void ipsec_event(void *arg, const struct ipsec_event *ev)
{
	struct peer_host *p = arg;
	if (p->ike)
		ike_dataplane_event(p->ike, ev);
}

static int socket_for(const struct peer_host *p, uint32_t src, uint16_t sport)
{
	for (size_t i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].addr == src)
			return p->addrs[i].fd[sport == IKE_NATT_PORT];
	return p->n_addrs ? p->addrs[0].fd[sport == IKE_NATT_PORT] : -1;
}

static void send_udp(struct peer_host *p, uint32_t src, uint16_t sport, uint32_t dst,
                     uint16_t dport, const uint8_t *data, size_t len)
{
	struct sockaddr_in to = {
	        .sin_family = AF_INET, .sin_port = htons(dport), .sin_addr.s_addr = htonl(dst)};
	int fd = socket_for(p, src, sport);
	if (fd >= 0 && sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		fprintf(p->log, "%.6f sendto: %s\n", (double)peer_host_now(p) * 1e-9,
		        strerror(errno));
}

static void ike_send(void *arg, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                     uint16_t dport, const uint8_t *data, size_t len)
{
	send_udp(arg, ip_addr_v4_value(&src), sport, ip_addr_v4_value(&dst), dport, data, len);
}

/* Keeps DIR/keys/{esp_sa,ikev2_decryption_table} current. */
static void export_keys(struct peer_host *p)
{
	struct keys k = {.ike_lines = (const char **)p->ike_lines, .n_ike_lines = p->n_ike_lines};

	if (keys_add_engine(&k, p->ipsec) != 0 || keys_export(p->keys_dir, &k) != 0)
		fprintf(p->log, "%s/keys: %s\n", p->keys_dir, strerror(errno));
	keys_release(&k);
}

static void ike_event(void *arg, const struct ike_event *ev)
{
	struct peer_host *p = arg;
	FILE *f = p->log;
	char a[IP_ADDR_STRLEN];
	fprintf(f, "%.6f %s conn=%s", (double)peer_host_now(p) * 1e-9,
	        ike_event_type_name(ev->type), ev->conn ? ev->conn : "-");
	switch (ev->type) {
	case IKE_EV_IKE_SA:
		p->failures += ev->state == IKE_STATE_FAILED;
		fprintf(f, " spi_i=%016llx spi_r=%016llx state=%s reason=%s",
		        (unsigned long long)ev->spi_i, (unsigned long long)ev->spi_r,
		        ike_sa_state_name(ev->state), ev->reason ? ev->reason : "-");
		break;
	case IKE_EV_CHILD_SA:
		fprintf(f, " child=%s spi_in=%08x spi_out=%08x state=%s reason=%s",
		        ev->child ? ev->child : "-", ev->spi_in, ev->spi_out,
		        ike_child_state_name(ev->state), ev->reason ? ev->reason : "-");
		break;
	case IKE_EV_EXCHANGE:
		fprintf(f,
		        " exchange=%u initiator=%d message_id=%u rtt_ms=%.3f retransmits=%u ok=%d",
		        ev->exchange, ev->initiator, ev->message_id, (double)ev->rtt_ns * 1e-6,
		        ev->retransmits, ev->ok);
		break;
	case IKE_EV_FAILURE:
		p->failures++;
		fprintf(f, " %s", ev->text ? ev->text : "");
		break;
	case IKE_EV_NAT:
		fprintf(f, " local=%d remote=%d fake=%d peer=%s:%u reason=%s", ev->nat_local,
		        ev->nat_remote, ev->nat_fake, ip_addr_str(&ev->peer_addr, a), ev->peer_port,
		        ev->reason ? ev->reason : "-");
		break;
	case IKE_EV_KE_RETRY:
		fprintf(f, " child=%s %s", ev->child ? ev->child : "-", ev->text);
		break;
	case IKE_EV_IKE_KEYS:
		if (ev->text) {
			char **lines = realloc(p->ike_lines, (p->n_ike_lines + 1) * sizeof *lines);
			if (lines) {
				p->ike_lines = lines;
				p->ike_lines[p->n_ike_lines++] = strdup(ev->text);
			}
		}
		export_keys(p);
		break;
	case IKE_EV_CHILD_KEYS:
		fprintf(f, " spi_in=%08x spi_out=%08x", ev->spi_in, ev->spi_out);
		export_keys(p);
		break;
	}
	fputc('\n', f);
	fflush(f);
}

static const struct ipsec_host_ops ipsec_ops = {
        .now_ns = now_ns,
        .random_bytes = random_bytes,
        .timer_arm = ipsec_timer_arm,
        .event = ipsec_event,
};

static const struct ike_host_ops ike_ops = {
        .now_ns = now_ns,
        .random_bytes = random_bytes,
        .timer_arm = ike_timer_arm,
        .send = ike_send,
        .event = ike_event,
};

static int open_udp(uint32_t addr, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;
	struct sockaddr_in sa = {
	        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct peer_addr *find_addr(struct peer_host *p, uint32_t addr)
{
	for (size_t i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].addr == addr)
			return &p->addrs[i];
	return NULL;
}

static void close_addr(struct peer_addr *pa)
{
	for (int j = 0; j < 2; j++) {
		if (pa->fd[j] >= 0)
			close(pa->fd[j]);
		pa->fd[j] = -1;
	}
}

/* Binds UDP 500 and 4500 on `addr` into `pa`. */
static int bind_addr(struct peer_addr *pa, uint32_t addr, char *err, size_t errlen)
{
	char a[16];
	pa->addr = addr;
	pa->fd[0] = open_udp(addr, IKE_PORT);
	pa->fd[1] = pa->fd[0] < 0 ? -1 : open_udp(addr, IKE_NATT_PORT);
	if (pa->fd[1] < 0) {
		snprintf(err, errlen, "cannot bind UDP %s:%u and :%u: %s", units_ipv4_str(addr, a),
		         IKE_PORT, IKE_NATT_PORT, strerror(errno));
		close_addr(pa);
		return -1;
	}
	return 0;
}

static int add_addr(struct peer_host *p, uint32_t addr, char *err, size_t errlen)
{
	if (find_addr(p, addr))
		return 0;
	if (p->n_addrs == MAX_ADDRS) {
		snprintf(err, errlen, "more than %d local addresses", MAX_ADDRS);
		return -1;
	}
	if (bind_addr(&p->addrs[p->n_addrs], addr, err, errlen) != 0)
		return -1;
	p->n_addrs++;
	return 0;
}

int peer_host_move(struct peer_host *p, uint32_t old_addr, uint32_t new_addr, char *err,
                   size_t errlen)
{
	char a[16], b[16];
	struct peer_addr *old = find_addr(p, old_addr);
	if (!old) {
		snprintf(err, errlen, "%s is not a local address of a connection",
		         units_ipv4_str(old_addr, a));
		return -1;
	}
	if (old_addr == new_addr) {
		snprintf(err, errlen, "the new address is the old one");
		return -1;
	}
	if (find_addr(p, new_addr)) {
		/* Sockets on the new address exist already: the old ones go. */
		close_addr(old);
		*old = p->addrs[--p->n_addrs];
	} else {
		struct peer_addr moved;
		if (bind_addr(&moved, new_addr, err, errlen) != 0)
			return -1;
		close_addr(old);
		*old = moved;
	}
	fprintf(p->log, "%.6f move from=%s to=%s\n", (double)peer_host_now(p) * 1e-9,
	        units_ipv4_str(old_addr, a), units_ipv4_str(new_addr, b));
	fflush(p->log);
	ike_local_address_changed(p->ike, ip_addr_v4(old_addr), ip_addr_v4(new_addr));
	return 0;
}

struct peer_host *peer_host_new(const struct peer_options *o, char *err, size_t errlen)
{
	const struct scenario_node *node = &o->s->nodes[o->node];
	struct peer_host *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->s = o->s;
	p->node = o->node;
	p->log = o->log;
	p->keys_dir = o->keys_dir;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->ipsec_deadline = p->ike_deadline = UINT64_MAX;
	if (!node->n_conns) {
		snprintf(err, errlen, "node %s has no IKE connections", node->name);
		goto fail;
	}
	for (size_t i = 0; i < node->n_conns; i++)
		if (add_addr(p, ip_addr_v4_value(&node->conns[i].local_addr), err, errlen) != 0)
			goto fail;
	p->ipsec = ipsec_new(&ipsec_ops, p);
	if (!p->ipsec) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ipsec_spd_set_default(p->ipsec, node->ipsec_default);
	p->ike = ike_new(&ike_ops, p, p->ipsec);
	if (!p->ike) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < node->n_conns; i++) {
		char e[256];
		if (ike_conn_add(p->ike, &node->conns[i], e, sizeof e) != 0) {
			snprintf(err, errlen, "connection %s: %s", node->conns[i].name, e);
			goto fail;
		}
	}
	return p;
fail:
	peer_host_free(p);
	return NULL;
}

/* Answers an ICMP echo request (RFC 792) through the tunnel it came in. */
static void echo_reply(struct peer_host *p, uint8_t *pkt, const struct ipv4_view *ip)
{
	uint8_t *icmp = pkt + ip->hdr_len;
	size_t icmp_len = ip->total_len - ip->hdr_len;
	icmp[0] = ICMP_ECHO_REPLY;
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, inet_checksum(icmp, icmp_len));
	ipv4_build(pkt, ip->tos, (uint16_t)ip->total_len, ip->id, IPV4_DF, 64, IPPROTO_NUM_ICMP,
	           ip->dst, ip->src);
	size_t out_len;
	enum ipsec_drop why;
	if (ipsec_output(p->ipsec, pkt, ip->total_len, p->out, sizeof p->out, &out_len, &why) !=
	    IPSEC_VERDICT_PROTECT)
		return;
	struct ipv4_view o;
	if (ipv4_parse(p->out, out_len, &o) != 0 || o.proto != IPPROTO_NUM_UDP)
		return; /* only ESP in UDP can leave through a socket */
	const uint8_t *udp = p->out + o.hdr_len;
	send_udp(p, o.src, get_be16(udp), o.dst, get_be16(udp + 2), udp + UDP_HDR,
	         o.total_len - o.hdr_len - UDP_HDR);
	p->echoes++;
}

/* RFC 3948: ESP in UDP.  The engine takes whole IPv4 packets, so the
 * datagram gets back the headers the socket took off. */
static void esp_in_udp(struct peer_host *p, uint32_t src, uint16_t sport, uint32_t dst,
                       const uint8_t *data, size_t len)
{
	size_t total = IPV4_HDR_LEN + UDP_HDR + len;
	if (total > 65535)
		return;
	ipv4_build(p->pkt, 0, (uint16_t)total, 0, 0, 64, IPPROTO_NUM_UDP, src, dst);
	uint8_t *udp = p->pkt + IPV4_HDR_LEN;
	put_be16(udp, sport);
	put_be16(udp + 2, IKE_NATT_PORT);
	put_be16(udp + 4, (uint16_t)(UDP_HDR + len));
	put_be16(udp + 6, 0);
	memcpy(udp + UDP_HDR, data, len);
	size_t out_len;
	uint32_t sa;
	enum ipsec_drop why;
	if (ipsec_input(p->ipsec, p->pkt, total, p->out, sizeof p->out, &out_len, &sa, &why) !=
	    IPSEC_VERDICT_DELIVER)
		return;
	struct ipv4_view ip;
	if (ipv4_parse(p->out, out_len, &ip) != 0 ||
	    ipsec_input_policy(p->ipsec, p->out, out_len, sa, &why) == IPSEC_VERDICT_DROP)
		return;
	if (ip.proto == IPPROTO_NUM_ICMP && ip.total_len >= ip.hdr_len + 8 &&
	    p->out[ip.hdr_len] == ICMP_ECHO_REQUEST) {
		memcpy(p->pkt, p->out, ip.total_len);
		echo_reply(p, p->pkt, &ip);
	} else {
		p->other++;
	}
}

static void receive(struct peer_host *p, const struct peer_addr *pa, int which)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	ssize_t n;
	while ((n = recvfrom(pa->fd[which], p->rx, sizeof p->rx, 0, (struct sockaddr *)&from,
	                     &fl)) >= 0) {
		uint32_t src = ntohl(from.sin_addr.s_addr);
		uint16_t sport = ntohs(from.sin_port);
		uint16_t dport = which ? IKE_NATT_PORT : IKE_PORT;
		/* RFC 3948 §2.2: on 4500 a zero non-ESP marker is IKE, one 0xFF
		 * byte a keepalive, anything else ESP. */
		if (which && n >= 4 && !memcmp(p->rx, "\0\0\0\0", 4))
			ike_receive(p->ike, ip_addr_v4(src), sport, ip_addr_v4(pa->addr), dport,
			            p->rx, (size_t)n);
		else if (which && !(n == 1 && p->rx[0] == 0xff))
			esp_in_udp(p, src, sport, pa->addr, p->rx, (size_t)n);
		else if (!which)
			ike_receive(p->ike, ip_addr_v4(src), sport, ip_addr_v4(pa->addr), dport,
			            p->rx, (size_t)n);
		fl = sizeof from;
	}
}

void peer_host_run(struct peer_host *p, uint64_t until_ns)
{
	struct pollfd fds[2 * MAX_ADDRS];
	for (size_t i = 0; i < p->n_addrs; i++)
		for (int j = 0; j < 2; j++)
			fds[2 * i + j] = (struct pollfd){.fd = p->addrs[i].fd[j], .events = POLLIN};
	for (;;) {
		uint64_t now = peer_host_now(p);
		if (now >= until_ns)
			return;
		if (p->ipsec_deadline <= now) {
			p->ipsec_deadline = UINT64_MAX;
			ipsec_handle_timeout(p->ipsec);
			continue;
		}
		if (p->ike_deadline <= now) {
			p->ike_deadline = UINT64_MAX;
			ike_handle_timeout(p->ike);
			continue;
		}
		uint64_t next = until_ns;
		if (p->ipsec_deadline < next)
			next = p->ipsec_deadline;
		if (p->ike_deadline < next)
			next = p->ike_deadline;
		int timeout_ms = (int)((next - now + 999999) / 1000000);
		if (poll(fds, 2 * p->n_addrs, timeout_ms) <= 0)
			continue;
		for (size_t i = 0; i < 2 * p->n_addrs; i++)
			if (fds[i].revents & POLLIN)
				receive(p, &p->addrs[i / 2], (int)(i % 2));
	}
}

struct ike *peer_host_ike(struct peer_host *p)
{
	return p->ike;
}

void peer_host_counts(const struct peer_host *p, uint64_t *echoes, uint64_t *other)
{
	*echoes = p->echoes;
	*other = p->other;
}

void peer_host_free(struct peer_host *p)
{
	if (!p)
		return;
	if (p->ike)
		ike_free(p->ike);
	if (p->ipsec)
		ipsec_free(p->ipsec);
	for (size_t i = 0; i < p->n_addrs; i++)
		close_addr(&p->addrs[i]);
	for (size_t i = 0; i < p->n_ike_lines; i++)
		free(p->ike_lines[i]);
	free(p->ike_lines);
	free(p);
}
