/* An attacker's flood (flood.h). */
#include "flood.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flood_ike.h"
#include "ns3c.h"
#include "units.h"

#define MAX_PACKET 65535
#define IKE_SERVER_PORT 500
#define PORT_MIN 1024 /* random source ports: above the well-known ones */
#define SPI_MIN 256   /* RFC 4303 §2.1: 1..255 are reserved */
#define TTL 64
/* ns-3 RNG streams of the floods: node n's i-th attacker action has
 * FLOOD_RNG_STREAM + n * FLOOD_STREAMS_PER_NODE + i (traffic's start at
 * 2^32, ns-3's own at 2^63). */
#define FLOOD_RNG_STREAM ((int64_t)1 << 40)
#define FLOOD_STREAMS_PER_NODE 4096

/* The SA whose packets an ESP flood imitates (spi: live). */
struct live_sa {
	bool seen;
	uint32_t src, dst, spi, seq;
	bool udp; /* RFC 3948 UDP encapsulation */
	uint16_t sport, dport;
};

struct flood {
	uint32_t node;
	const struct scenario_attack *a;
	const struct scenario_flood *f;
	int rng;
	struct flood_ike *ike; /* kind ike_sa_init */
	struct live_sa live;
	uint32_t next; /* the next packet's number, 0..count */
	uint16_t ip_id;
	uint64_t sent, bytes;
	uint8_t *garbage; /* the payload of esp and udp packets */
	uint8_t pkt[MAX_PACKET];
};

static uint32_t random32(struct flood *f)
{
	return (uint32_t)(ns3c_rng_uniform(f->rng) * 4294967296.0);
}

static void random_bytes(void *arg, uint8_t *buf, size_t len)
{
	struct flood *f = arg;
	for (size_t i = 0; i < len; i += 4) {
		uint8_t w[4];
		put_be32(w, random32(f));
		memcpy(buf + i, w, len - i < 4 ? len - i : 4);
	}
}

static uint32_t source(struct flood *f)
{
	if (!f->f->spoof_len)
		return f->f->source;
	return f->f->spoof | (random32(f) & ~units_mask(f->f->spoof_len));
}

static uint16_t random_port(struct flood *f)
{
	return (uint16_t)(PORT_MIN + random32(f) % (65536 - PORT_MIN));
}

/* UDP checksum over the pseudo-header (RFC 768): one's complement sums of
 * even-length parts add up. */
static void udp_checksum(uint8_t *pkt, size_t len)
{
	uint8_t pseudo[12];
	memcpy(pseudo, pkt + 12, 8); /* source and destination addresses */
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_NUM_UDP;
	put_be16(pseudo + 10, (uint16_t)(len - 20));
	put_be16(pkt + 26, 0);
	uint32_t sum = (uint16_t)~inet_checksum(pseudo, sizeof pseudo) +
	               (uint16_t)~inet_checksum(pkt + 20, len - 20);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	put_be16(pkt + 26, c ? c : 0xffff);
}

/* IPv4 header (and UDP header when sport is not 0) around `payload` bytes
 * already at their place; the packet's length. */
static size_t frame(struct flood *f, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
                    uint16_t dport, size_t payload)
{
	size_t len = 20 + (sport ? 8 : 0) + payload;
	ipv4_build(f->pkt, 0, (uint16_t)len, f->ip_id++, 0, TTL, proto, src, dst);
	if (sport) {
		put_be16(f->pkt + 20, sport);
		put_be16(f->pkt + 22, dport);
		put_be16(f->pkt + 24, (uint16_t)(len - 20));
		udp_checksum(f->pkt, len);
	}
	return len;
}

static size_t build_ike(struct flood *f)
{
	size_t n = flood_ike_request(f->ike, f->pkt + 28, sizeof f->pkt - 28);
	uint32_t src = source(f);
	uint16_t sport = random_port(f);
	return n ? frame(f, IPPROTO_NUM_UDP, src, f->f->target, sport, IKE_SERVER_PORT, n) : 0;
}

/* ESP (RFC 4303 §2): SPI, sequence number, then `size` bytes that no key
 * made. */
static size_t build_esp(struct flood *f)
{
	const struct live_sa *l = &f->live;
	uint32_t size = f->f->size;
	if (!f->f->live_spi) {
		uint8_t *esp = f->pkt + 20;
		put_be32(esp, SPI_MIN + random32(f) % (UINT32_MAX - SPI_MIN));
		put_be32(esp + 4, f->next + 1);
		memcpy(esp + 8, f->garbage, size);
		return frame(f, IPPROTO_NUM_ESP, source(f), f->f->target, 0, 0, 8 + size);
	}
	if (!l->seen)
		return 0; /* nothing to imitate yet */
	uint8_t *esp = f->pkt + 20 + (l->udp ? 8 : 0);
	put_be32(esp, l->spi);
	/* §3.4.3: right of the receiver's window, which an ICV failure
	 * does not move: every copy reaches the integrity check. */
	put_be32(esp + 4, l->seq + 1);
	memcpy(esp + 8, f->garbage, size);
	return l->udp ? frame(f, IPPROTO_NUM_UDP, l->src, l->dst, l->sport, l->dport, 8 + size)
	              : frame(f, IPPROTO_NUM_ESP, l->src, l->dst, 0, 0, 8 + size);
}

static size_t build_udp(struct flood *f)
{
	uint32_t src = source(f);
	uint16_t sport = random_port(f);
	memcpy(f->pkt + 28, f->garbage, f->f->size);
	return frame(f, IPPROTO_NUM_UDP, src, f->f->target, sport, f->f->port, f->f->size);
}

static void fire(void *arg)
{
	struct flood *f = arg;
	size_t len = 0;
	switch (f->f->kind) {
	case SCENARIO_FLOOD_IKE_SA_INIT:
		len = build_ike(f);
		break;
	case SCENARIO_FLOOD_ESP:
		len = build_esp(f);
		break;
	case SCENARIO_FLOOD_UDP:
		len = build_udp(f);
		break;
	}
	if (len) {
		ns3c_inject(f->node, f->pkt, len);
		f->sent++;
		f->bytes += len;
	}
	if (++f->next < f->a->count)
		ns3c_schedule_at(f->a->at_ns + f->next * f->a->interval_ns, fire, f);
}

void flood_observe(struct flood *f, const uint8_t *pkt, const struct ipv4_view *ip, size_t esp)
{
	struct live_sa *l = &f->live;
	if (!f->f->live_spi || ip->dst != f->f->target)
		return;
	uint32_t spi = get_be32(pkt + esp), seq = get_be32(pkt + esp + 4);
	if (l->seen && l->spi == spi && seq <= l->seq)
		return;
	*l = (struct live_sa){.seen = true,
	                      .src = ip->src,
	                      .dst = ip->dst,
	                      .spi = spi,
	                      .seq = seq,
	                      .udp = ip->proto == IPPROTO_NUM_UDP};
	if (l->udp) {
		l->sport = get_be16(pkt + ip->hdr_len);
		l->dport = get_be16(pkt + ip->hdr_len + 2);
	}
}

struct flood *flood_start(uint32_t node, size_t index, const struct scenario_attack *a)
{
	struct flood *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->node = node;
	f->a = a;
	f->f = &a->flood;
	f->rng = ns3c_rng_open(FLOOD_RNG_STREAM + (int64_t)node * FLOOD_STREAMS_PER_NODE +
	                       (int64_t)index);
	f->garbage = malloc(f->f->size);
	if (!f->garbage)
		goto fail;
	random_bytes(f, f->garbage, f->f->size);
	if (f->f->kind == SCENARIO_FLOOD_IKE_SA_INIT &&
	    !(f->ike = flood_ike_new(f->f, random_bytes, f)))
		goto fail;
	ns3c_schedule_at(a->at_ns, fire, f);
	return f;
fail:
	flood_free(f);
	return NULL;
}

uint64_t flood_sent(const struct flood *f)
{
	return f->sent;
}

uint64_t flood_bytes(const struct flood *f)
{
	return f->bytes;
}

void flood_free(struct flood *f)
{
	if (!f)
		return;
	flood_ike_free(f->ike);
	free(f->garbage);
	ns3c_rng_close(f->rng);
	free(f);
}
