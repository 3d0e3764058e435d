#include "attack.h"

#include <stdlib.h>
#include <string.h>

#include "flood.h"
#include "ip_packet.h"
#include "ipv6.h"
#include "ns3c.h"

#define MAX_PACKET 65535
#define NAT_T_PORT 4500
#define UNKNOWN_SPI 0xdead0bad

struct attacker {
	const struct scenario_attack *attacks;
	size_t n_attacks;
	uint64_t *performed, *bytes;
	uint64_t *last_ns;
	struct flood **floods; /* per action: its flood, or NULL */
	uint8_t *last;         /* the previous IPsec packet forwarded, for replay */
	size_t last_len;
	uint8_t *forged;
};

/* Offset of the ESP or AH header in the packet (of either family, after
 * IPv6's extension headers), or 0 if it carries neither (RFC 3948: ESP in
 * UDP/4500 starts after the UDP header; a zero SPI there is the non-ESP
 * marker of IKE). */
static size_t ipsec_offset(const uint8_t *pkt, size_t len, const struct ip_packet *ip)
{
	size_t h = ip->hdr_len;
	if (ip->proto == IPPROTO_NUM_ESP || ip->proto == IPPROTO_NUM_AH)
		return h + 8 <= len ? h : 0;
	if (ip->proto == IPPROTO_NUM_UDP && h + 16 <= len && get_be16(pkt + h + 2) == NAT_T_PORT &&
	    get_be32(pkt + h + 8) != 0)
		return h + 8;
	return 0;
}

/* The packet was cut to len bytes: its lengths, and for UDP over IPv6 the
 * checksum it must have (RFC 8200 §8.1; over IPv4 ESP-in-UDP sends none). */
static void set_length(uint8_t *pkt, const struct ip_packet *ip, size_t len)
{
	ip_packet_set_length(pkt, ip->family, len);
	if (ip->proto != IPPROTO_NUM_UDP)
		return;
	uint8_t *udp = pkt + ip->hdr_len;
	put_be16(udp + 4, (uint16_t)(len - ip->hdr_len));
	if (ip->family == IP_FAMILY_V6) {
		put_be16(udp + 6, 0);
		put_be16(udp + 6, ipv6_l4_checksum(pkt, IPPROTO_NUM_UDP, udp, len - ip->hdr_len));
	}
}

/* Builds the forged packet for `action` into a->forged; returns its length. */
static size_t forge(struct attacker *a, enum scenario_attack_action action, const uint8_t *pkt,
                    size_t len, const struct ip_packet *ip, size_t off)
{
	uint8_t *f = a->forged;
	switch (action) {
	case SCENARIO_ATTACK_REPLAY:
		if (!a->last_len)
			return 0;
		memcpy(f, a->last, a->last_len);
		return a->last_len;
	case SCENARIO_ATTACK_FLIP:
		memcpy(f, pkt, len);
		f[off + 8 + (len - off - 8) / 2] ^= 0x01; /* in the protected payload */
		return len;
	case SCENARIO_ATTACK_TRUNCATE:
		/* SPI, sequence number and 4 bytes: shorter than any IV + ICV. */
		memcpy(f, pkt, off + 12);
		set_length(f, ip, off + 12);
		return off + 12;
	case SCENARIO_ATTACK_UNKNOWN_SPI:
		memcpy(f, pkt, len);
		put_be32(f + off + (ip->proto == IPPROTO_NUM_AH ? 4 : 0), UNKNOWN_SPI);
		return len;
	case SCENARIO_ATTACK_FLOOD:
		break; /* flood.c */
	}
	return 0;
}

static int tap(void *arg, uint32_t node, const uint8_t *pkt, size_t len)
{
	struct attacker *a = arg;
	struct ip_packet ip;
	(void)node;
	if (ip_packet_parse(pkt, len, true, &ip) != 0 || ip.fragment)
		return 0;
	size_t off = ipsec_offset(pkt, ip.total_len, &ip);
	if (!off)
		return 0;
	uint64_t now = ns3c_now_ns();
	for (size_t i = 0; i < a->n_attacks; i++) {
		const struct scenario_attack *at = &a->attacks[i];
		if (a->floods[i] && ip.family == IP_FAMILY_V4 && ip.proto != IPPROTO_NUM_AH)
			flood_observe(a->floods[i], pkt, &ip.v4, off); /* floods are IPv4 */
		if (at->action == SCENARIO_ATTACK_FLOOD || now < at->at_ns ||
		    a->performed[i] >= at->count ||
		    (a->performed[i] && now - a->last_ns[i] < at->interval_ns))
			continue;
		size_t n = forge(a, at->action, pkt, ip.total_len, &ip, off);
		if (n) {
			ns3c_inject(node, a->forged, n);
			a->performed[i]++;
			a->bytes[i] += n;
			a->last_ns[i] = now;
		}
	}
	memcpy(a->last, pkt, ip.total_len);
	a->last_len = ip.total_len;
	return 0;
}

struct attacker *attacker_install(uint32_t node, const struct scenario_attack *attacks,
                                  size_t n_attacks)
{
	struct attacker *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->attacks = attacks;
	a->n_attacks = n_attacks;
	a->performed = calloc(n_attacks + 1, sizeof *a->performed);
	a->bytes = calloc(n_attacks + 1, sizeof *a->bytes);
	a->last_ns = calloc(n_attacks + 1, sizeof *a->last_ns);
	a->floods = calloc(n_attacks + 1, sizeof *a->floods);
	a->last = malloc(MAX_PACKET);
	a->forged = malloc(MAX_PACKET);
	if (!a->performed || !a->bytes || !a->last_ns || !a->floods || !a->last || !a->forged) {
		attacker_free(a);
		return NULL;
	}
	for (size_t i = 0; i < n_attacks; i++)
		if (attacks[i].action == SCENARIO_ATTACK_FLOOD &&
		    !(a->floods[i] = flood_start(node, i, &attacks[i]))) {
			attacker_free(a);
			return NULL;
		}
	ns3c_set_forward_tap(node, tap, a);
	return a;
}

uint64_t attacker_performed(const struct attacker *a, size_t attack)
{
	return a->floods[attack] ? flood_sent(a->floods[attack]) : a->performed[attack];
}

uint64_t attacker_bytes(const struct attacker *a, size_t attack)
{
	return a->floods[attack] ? flood_bytes(a->floods[attack]) : a->bytes[attack];
}

void attacker_free(struct attacker *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->floods && i < a->n_attacks; i++)
		flood_free(a->floods[i]);
	free(a->floods);
	free(a->performed);
	free(a->bytes);
	free(a->last_ns);
	free(a->last);
	free(a->forged);
	free(a);
}
