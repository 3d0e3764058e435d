#include "peer_host.h"

#include <errno.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ike_names.h"
#include "ip_packet.h"
#include "keys.h"
#include "peer_echo.h"
#include "peer_udp.h"

#define UDP_HDR 8
#define BUF (IPV6_HDR_LEN + 65535 + IPSEC_MAX_OVERHEAD)

/* UDP sockets on one local address of either family: [0] port 500, [1]
 * port 4500. */
struct peer_addr {
	struct ip_addr addr;
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
	struct peer_addr addrs[IKE_ADDRS_MAX];
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

/* The socket bound to `src`:`sport`, else one of the same family. */
static int socket_for(const struct peer_host *p, const struct ip_addr *src, uint16_t sport)
{
	int fd = -1;
	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct peer_addr *pa = &p->addrs[i];
		if (ip_addr_eq(&pa->addr, src))
			return pa->fd[sport == IKE_NATT_PORT];
		if (fd < 0 && pa->addr.family == src->family)
			fd = pa->fd[sport == IKE_NATT_PORT];
	}
	return fd;
}

static void send_udp(struct peer_host *p, const struct ip_addr *src, uint16_t sport,
                     const struct ip_addr *dst, uint16_t dport, const uint8_t *data, size_t len)
{
	char to[IP_ENDPOINT_STRLEN];
	int fd = socket_for(p, src, sport);
	if (fd < 0 || peer_udp_send(fd, dst, dport, data, len) != 0)
		fprintf(p->log, "%.6f sendto %s: %s\n", (double)peer_host_now(p) * 1e-9,
		        ip_endpoint_str(dst, dport, to),
		        fd < 0 ? "no socket of its family" : strerror(errno));
}

static void ike_send(void *arg, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                     uint16_t dport, const uint8_t *data, size_t len)
{
	send_udp(arg, &src, sport, &dst, dport, data, len);
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
	char a[IP_ENDPOINT_STRLEN];
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
		fprintf(f, " local=%d remote=%d fake=%d peer=%s reason=%s", ev->nat_local,
		        ev->nat_remote, ev->nat_fake,
		        ip_endpoint_str(&ev->peer_addr, ev->peer_port, a),
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

static struct peer_addr *find_addr(struct peer_host *p, const struct ip_addr *addr)
{
	for (size_t i = 0; i < p->n_addrs; i++)
		if (ip_addr_eq(&p->addrs[i].addr, addr))
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
static int bind_addr(struct peer_addr *pa, const struct ip_addr *addr, char *err, size_t errlen)
{
	char a[IP_ENDPOINT_STRLEN];
	pa->addr = *addr;
	pa->fd[0] = peer_udp_open(addr, IKE_PORT);
	pa->fd[1] = pa->fd[0] < 0 ? -1 : peer_udp_open(addr, IKE_NATT_PORT);
	if (pa->fd[1] < 0) {
		snprintf(err, errlen, "cannot bind UDP %s and :%u: %s",
		         ip_endpoint_str(addr, IKE_PORT, a), IKE_NATT_PORT, strerror(errno));
		close_addr(pa);
		return -1;
	}
	return 0;
}

static int add_addr(struct peer_host *p, const struct ip_addr *addr, char *err, size_t errlen)
{
	if (find_addr(p, addr))
		return 0;
	if (p->n_addrs == IKE_ADDRS_MAX) {
		snprintf(err, errlen, "more than %d local addresses", IKE_ADDRS_MAX);
		return -1;
	}
	if (bind_addr(&p->addrs[p->n_addrs], addr, err, errlen) != 0)
		return -1;
	p->n_addrs++;
	return 0;
}

/* The addresses we have sockets on, for MOBIKE to announce (RFC 4555
 * §3.4) in the IKE_AUTH exchanges to come. */
static void announce_addresses(struct peer_host *p)
{
	struct ip_addr addrs[IKE_ADDRS_MAX];
	for (size_t i = 0; i < p->n_addrs; i++)
		addrs[i] = p->addrs[i].addr;
	ike_set_local_addresses(p->ike, addrs, p->n_addrs);
}

/* The node's addresses on its links in the scenario, IPv4 before IPv6 as
 * the simulator announces them (every connection's local_addrs is one). */
static int add_node_addrs(struct peer_host *p, const struct scenario_node *node, char *err,
                          size_t errlen)
{
	/* one more than it can take: add_addr says so */
	struct ip_addr addrs[IKE_ADDRS_MAX + 1];
	size_t n = scenario_node_addresses(node, addrs, IKE_ADDRS_MAX + 1);
	for (size_t i = 0; i < n && i <= IKE_ADDRS_MAX; i++)
		if (add_addr(p, &addrs[i], err, errlen) != 0)
			return -1;
	return 0;
}

int peer_host_move(struct peer_host *p, struct ip_addr old_addr, struct ip_addr new_addr, char *err,
                   size_t errlen)
{
	char a[IP_ADDR_STRLEN], b[IP_ADDR_STRLEN];
	struct peer_addr *old = find_addr(p, &old_addr);
	if (!old) {
		snprintf(err, errlen, "%s is not one of the node's addresses",
		         ip_addr_str(&old_addr, a));
		return -1;
	}
	if (ip_addr_eq(&old_addr, &new_addr)) {
		snprintf(err, errlen, "the new address is the old one");
		return -1;
	}
	if (find_addr(p, &new_addr)) {
		/* Sockets on the new address exist already: the old ones go. */
		close_addr(old);
		*old = p->addrs[--p->n_addrs];
	} else {
		struct peer_addr moved;
		if (bind_addr(&moved, &new_addr, err, errlen) != 0)
			return -1;
		close_addr(old);
		*old = moved;
	}
	fprintf(p->log, "%.6f move from=%s to=%s\n", (double)peer_host_now(p) * 1e-9,
	        ip_addr_str(&old_addr, a), ip_addr_str(&new_addr, b));
	fflush(p->log);
	/* RFC 4555 lets an IKE SA move to an address of the other family. */
	announce_addresses(p);
	ike_local_address_changed(p->ike, old_addr, new_addr);
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
	if (add_node_addrs(p, node, err, errlen) != 0)
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
	announce_addresses(p);
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

/* A packet of the inner host's protected through its SA; only ESP in UDP
 * can leave through a socket. */
static bool protect_and_send(struct peer_host *p, const uint8_t *pkt, size_t len)
{
	size_t out_len;
	enum ipsec_drop why;
	struct ip_packet o;
	if (ipsec_output(p->ipsec, pkt, len, p->pkt, sizeof p->pkt, &out_len, &why) !=
	            IPSEC_VERDICT_PROTECT ||
	    ip_packet_parse(p->pkt, out_len, true, &o) != 0 || o.proto != IPPROTO_NUM_UDP ||
	    o.total_len < o.hdr_len + UDP_HDR)
		return false;
	struct ip_addr src = ip_packet_src(p->pkt, &o), dst = ip_packet_dst(p->pkt, &o);
	const uint8_t *udp = p->pkt + o.hdr_len;
	send_udp(p, &src, get_be16(udp), &dst, get_be16(udp + 2), udp + UDP_HDR,
	         o.total_len - o.hdr_len - UDP_HDR);
	return true;
}

/* The IP and UDP headers the socket took off a datagram of `len` bytes,
 * written again in front of it at `pkt`; their length, or 0 if the
 * packet would be too long for its family. */
static size_t udp_headers(uint8_t *pkt, const struct ip_addr *src, uint16_t sport,
                          const struct ip_addr *dst, size_t len)
{
	bool v6 = src->family == IP_FAMILY_V6;
	size_t hl = v6 ? IPV6_HDR_LEN : IPV4_HDR_LEN, total = hl + UDP_HDR + len;
	if (total > ip_packet_max_len(src->family))
		return 0;
	if (v6) {
		put_be32(pkt, 6u << 28);
		ip_packet_set_length(pkt, IP_FAMILY_V6, total);
		pkt[6] = IPPROTO_NUM_UDP;
		pkt[7] = 64;
		memcpy(pkt + 8, src->b, IPV6_ADDR_LEN);
		memcpy(pkt + 24, dst->b, IPV6_ADDR_LEN);
	} else {
		ipv4_build(pkt, 0, (uint16_t)total, 0, 0, 64, IPPROTO_NUM_UDP,
		           ip_addr_v4_value(src), ip_addr_v4_value(dst));
	}
	uint8_t *udp = pkt + hl;
	put_be16(udp, sport);
	put_be16(udp + 2, IKE_NATT_PORT);
	put_be16(udp + 4, (uint16_t)(UDP_HDR + len));
	put_be16(udp + 6, 0); /* the socket checked it; the engine does not */
	return hl + UDP_HDR;
}

/* RFC 3948: ESP in UDP, over either family.  The engine takes whole IP
 * packets, so the datagram gets back the headers the socket took off.
 * The inner packet, of either family (4-in-6 and 6-in-4 too), goes to the
 * inner host: an echo request is answered through the tunnel, anything
 * else counted. */
static void esp_in_udp(struct peer_host *p, const struct ip_addr *src, uint16_t sport,
                       const struct ip_addr *dst, const uint8_t *data, size_t len)
{
	size_t hl = udp_headers(p->pkt, src, sport, dst, len);
	if (!hl)
		return;
	memcpy(p->pkt + hl, data, len);
	size_t out_len, reply_len;
	uint32_t sa;
	enum ipsec_drop why;
	if (ipsec_input(p->ipsec, p->pkt, hl + len, p->out, sizeof p->out, &out_len, &sa, &why) !=
	            IPSEC_VERDICT_DELIVER ||
	    ipsec_input_policy(p->ipsec, p->out, out_len, sa, &why) == IPSEC_VERDICT_DROP)
		return;
	reply_len = peer_echo_reply(p->out, out_len);
	if (!reply_len)
		p->other++;
	else if (protect_and_send(p, p->out, reply_len))
		p->echoes++;
}

static void receive(struct peer_host *p, const struct peer_addr *pa, int which)
{
	struct ip_addr src;
	uint16_t sport, dport = which ? IKE_NATT_PORT : IKE_PORT;
	ssize_t n;
	while ((n = peer_udp_recv(pa->fd[which], p->rx, sizeof p->rx, &src, &sport)) >= 0) {
		/* RFC 3948 §2.2: on 4500 a zero non-ESP marker is IKE, one 0xFF
		 * byte a keepalive, anything else ESP. */
		if (which && n >= 4 && !memcmp(p->rx, "\0\0\0\0", 4))
			ike_receive(p->ike, src, sport, pa->addr, dport, p->rx, (size_t)n);
		else if (which && !(n == 1 && p->rx[0] == 0xff))
			esp_in_udp(p, &src, sport, &pa->addr, p->rx, (size_t)n);
		else if (!which)
			ike_receive(p->ike, src, sport, pa->addr, dport, p->rx, (size_t)n);
	}
}

void peer_host_run(struct peer_host *p, uint64_t until_ns)
{
	struct pollfd fds[2 * IKE_ADDRS_MAX];
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
