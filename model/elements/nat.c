/* NAPT (RFC 3022 §2.2) with RFC 4787 mapping behaviours; see nat.h. */
#include "nat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"

#define UDP_HDR 8
#define TCP_CSUM_END 18 /* a TCP header up to and including its checksum */
#define ICMP_HDR 8
#define FRAG_SLOTS 64
#define FRAG_TIMEOUT_NS (30ULL * 1000000000ULL)

/* ICMP types (RFC 792, RFC 950). */
static bool icmp_is_query(uint8_t type)
{
	switch (type) {
	case 0:  /* echo reply */
	case 8:  /* echo */
	case 13: /* timestamp */
	case 14: /* timestamp reply */
	case 15: /* information request */
	case 16: /* information reply */
	case 17: /* address mask request */
	case 18: /* address mask reply */
		return true;
	default:
		return false;
	}
}

static bool icmp_is_error(uint8_t type)
{
	/* unreachable, source quench, redirect, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Ports are allocated per protocol: UDP, TCP and ICMP identifiers. */
enum { SPACE_UDP, SPACE_TCP, SPACE_ICMP, SPACES, SPACE_NONE = -1 };

static int port_space(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_NUM_UDP:
		return SPACE_UDP;
	case IPPROTO_NUM_TCP:
		return SPACE_TCP;
	case IPPROTO_NUM_ICMP:
		return SPACE_ICMP;
	default:
		return SPACE_NONE;
	}
}

/* Later fragments inbound follow their first fragment. */
struct frag_slot {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint32_t src, int_addr;
	uint64_t at_ns;
};

struct nat {
	struct nat_config cfg;
	struct nat_map *maps;
	size_t n, cap;
	uint8_t used[SPACES][65536 / 8]; /* external ports taken */
	uint32_t next_port;              /* where the sequential search starts */
	struct frag_slot frags[FRAG_SLOTS];
	size_t frag_next;
	struct nat_stats st;
};

const char *nat_drop_name(enum nat_drop reason)
{
	static const char *const names[NAT_DROP__COUNT] = {
	        [NAT_DROP_NO_MAPPING] = "no_mapping",
	        [NAT_DROP_FILTERED] = "filtered",
	        [NAT_DROP_PORTS_EXHAUSTED] = "ports_exhausted",
	        [NAT_DROP_FRAGMENT] = "fragment",
	        [NAT_DROP_ICMP_ERROR] = "icmp_error",
	        [NAT_DROP_UNSUPPORTED] = "unsupported",
	        [NAT_DROP_MALFORMED] = "malformed",
	        [NAT_DROP_IP_FRAGMENT] = "ip_fragment",
	};
	return (unsigned)reason < NAT_DROP__COUNT ? names[reason] : "?";
}

struct nat *nat_new(const struct nat_config *cfg, char *err, size_t errlen)
{
	struct nat_config c = *cfg;

	if (c.port_lo == 0 && c.port_hi == 0) {
		c.port_lo = NAT_DEFAULT_PORT_LO;
		c.port_hi = NAT_DEFAULT_PORT_HI;
	}
	if (c.port_lo == 0 || c.port_lo > c.port_hi) {
		snprintf(err, errlen, "invalid external port range %u-%u", c.port_lo, c.port_hi);
		return NULL;
	}
	if (c.mapping != NAT_MAPPING_ENDPOINT_INDEPENDENT &&
	    c.mapping != NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT) {
		snprintf(err, errlen, "unknown mapping behaviour %d", (int)c.mapping);
		return NULL;
	}
	if (c.timeout_ns == 0)
		c.timeout_ns = NAT_DEFAULT_TIMEOUT_NS;
	if (c.tcp_timeout_ns == 0)
		c.tcp_timeout_ns = NAT_DEFAULT_TCP_TIMEOUT_NS;
	struct nat *nat = calloc(1, sizeof *nat);
	if (!nat) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nat->cfg = c;
	nat->next_port = c.port_lo;
	return nat;
}

void nat_free(struct nat *nat)
{
	if (!nat)
		return;
	free(nat->maps);
	free(nat);
}

const struct nat_config *nat_config(const struct nat *nat)
{
	return &nat->cfg;
}

const struct nat_stats *nat_stats(const struct nat *nat)
{
	return &nat->st;
}

const struct nat_map *nat_mappings(const struct nat *nat, size_t *count)
{
	*count = nat->n;
	return nat->maps;
}

/* ---- external ports ---- */

static bool port_used(const struct nat *nat, int space, uint16_t port)
{
	return nat->used[space][port / 8] & (1u << (port % 8));
}

static void port_mark(struct nat *nat, int space, uint16_t port, bool used)
{
	if (used)
		nat->used[space][port / 8] |= (uint8_t)(1u << (port % 8));
	else
		nat->used[space][port / 8] &= (uint8_t) ~(1u << (port % 8));
}

/* Port preservation when `preferred` is in range and free (0: none), else
 * the next free port after the last one assigned.  -1 if all are taken. */
static int port_alloc(struct nat *nat, int space, uint16_t preferred)
{
	uint32_t lo = nat->cfg.port_lo, hi = nat->cfg.port_hi, range = hi - lo + 1;

	if (preferred >= lo && preferred <= hi && !port_used(nat, space, preferred)) {
		port_mark(nat, space, preferred, true);
		return preferred;
	}
	for (uint32_t i = 0; i < range; i++) {
		uint32_t p = lo + (nat->next_port - lo + i) % range;

		if (!port_used(nat, space, (uint16_t)p)) {
			port_mark(nat, space, (uint16_t)p, true);
			nat->next_port = p == hi ? lo : p + 1;
			return (int)p;
		}
	}
	return -1;
}

/* ---- the table ---- */

static uint64_t timeout_of(const struct nat *nat, uint8_t proto)
{
	return proto == IPPROTO_NUM_TCP ? nat->cfg.tcp_timeout_ns : nat->cfg.timeout_ns;
}

static void map_remove(struct nat *nat, size_t i)
{
	struct nat_map *m = &nat->maps[i];
	int space = port_space(m->proto);

	if (space != SPACE_NONE)
		port_mark(nat, space, m->ext_port, false);
	nat->maps[i] = nat->maps[--nat->n];
	nat->st.mappings = nat->n;
}

/* RFC 4787 REQ-5: a mapping lives until it has been idle for its timeout. */
void nat_expire(struct nat *nat, uint64_t now_ns)
{
	for (size_t i = 0; i < nat->n;) {
		const struct nat_map *m = &nat->maps[i];

		if (now_ns >= m->refreshed_ns &&
		    now_ns - m->refreshed_ns >= timeout_of(nat, m->proto)) {
			map_remove(nat, i);
			nat->st.mappings_expired++;
		} else {
			i++;
		}
	}
}

size_t nat_flush(struct nat *nat)
{
	size_t n = nat->n;

	nat->n = 0;
	nat->st.mappings = 0;
	nat->st.mappings_flushed += n;
	memset(nat->used, 0, sizeof nat->used);
	memset(nat->frags, 0, sizeof nat->frags);
	return n;
}

size_t nat_rebind(struct nat *nat)
{
	size_t moved = 0;

	for (size_t i = 0; i < nat->n; i++) {
		struct nat_map *m = &nat->maps[i];
		int space = port_space(m->proto);

		if (space == SPACE_NONE)
			continue;
		/* The old port is still taken while the new one is chosen, so
		 * the new one differs (unless it is the only port there is). */
		int p = port_alloc(nat, space, 0);
		if (p < 0)
			continue;
		port_mark(nat, space, m->ext_port, false);
		m->ext_port = (uint16_t)p;
		moved++;
	}
	nat->st.mappings_rebound += moved;
	return moved;
}

static bool apdm(const struct nat *nat)
{
	return nat->cfg.mapping == NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT;
}

/* The mapping an outbound packet uses.  Address-only mappings are one per
 * (protocol, inside host) whatever the behaviour. */
static struct nat_map *find_out(struct nat *nat, uint8_t proto, uint32_t int_addr,
                                uint16_t int_port, uint32_t rem_addr, uint16_t rem_port)
{
	bool by_remote = apdm(nat) && port_space(proto) != SPACE_NONE;

	if (!by_remote)
		rem_addr = rem_port = 0;
	if (proto == IPPROTO_NUM_ICMP)
		rem_port = 0;
	for (size_t i = 0; i < nat->n; i++) {
		struct nat_map *m = &nat->maps[i];

		if (m->proto == proto && m->int_addr == int_addr && m->int_port == int_port &&
		    m->rem_addr == rem_addr && m->rem_port == rem_port)
			return m;
	}
	return NULL;
}

/* The mapping an inbound packet to ext_port from (rem_addr, rem_port)
 * belongs to.  *port_mapped tells whether the port is mapped at all (for
 * another remote endpoint, under APDM's filtering). */
static struct nat_map *find_in(struct nat *nat, uint8_t proto, uint16_t ext_port, uint32_t rem_addr,
                               uint16_t rem_port, bool *port_mapped)
{
	*port_mapped = false;
	if (proto == IPPROTO_NUM_ICMP)
		rem_port = 0;
	for (size_t i = 0; i < nat->n; i++) {
		struct nat_map *m = &nat->maps[i];

		if (m->proto != proto || m->ext_port != ext_port)
			continue;
		*port_mapped = true;
		if (!apdm(nat) || (m->rem_addr == rem_addr && m->rem_port == rem_port))
			return m;
	}
	return NULL;
}

/* Inbound address-only protocols: the one inside host using `proto`. */
static struct nat_map *find_in_addr_only(struct nat *nat, uint8_t proto)
{
	struct nat_map *found = NULL;

	for (size_t i = 0; i < nat->n; i++) {
		if (nat->maps[i].proto != proto)
			continue;
		if (found)
			return NULL; /* ambiguous (RFC 3715 §2.1) */
		found = &nat->maps[i];
	}
	return found;
}

static struct nat_map *map_create(struct nat *nat, uint8_t proto, uint32_t int_addr,
                                  uint16_t int_port, uint32_t rem_addr, uint16_t rem_port,
                                  uint64_t now_ns, enum nat_drop *why)
{
	int space = port_space(proto);
	int ext = 0;

	if (nat->n == nat->cap) {
		size_t cap = nat->cap ? 2 * nat->cap : 16;
		struct nat_map *maps = realloc(nat->maps, cap * sizeof *maps);

		if (!maps) {
			*why = NAT_DROP_PORTS_EXHAUSTED;
			return NULL;
		}
		nat->maps = maps;
		nat->cap = cap;
	}
	if (space != SPACE_NONE) {
		ext = port_alloc(nat, space, int_port);
		if (ext < 0) {
			*why = NAT_DROP_PORTS_EXHAUSTED;
			return NULL;
		}
	}
	if (!apdm(nat) || space == SPACE_NONE)
		rem_addr = rem_port = 0;
	if (proto == IPPROTO_NUM_ICMP)
		rem_port = 0;
	struct nat_map *m = &nat->maps[nat->n++];
	*m = (struct nat_map){proto,    int_addr,      int_port, rem_addr,
	                      rem_port, (uint16_t)ext, now_ns,   now_ns};
	nat->st.mappings_created++;
	nat->st.mappings = nat->n;
	if (nat->n > nat->st.peak_mappings)
		nat->st.peak_mappings = nat->n;
	return m;
}

/* ---- checksums ---- */

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static uint16_t csum_adjust(uint16_t hc, uint16_t m, uint16_t m1)
{
	uint32_t sum = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m1;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Updates the L4 checksum at `csum` (NULL: none to update) for a 16-bit word
 * of what it covers changing from `old` to `new`.  RFC 768: a zero UDP
 * checksum means none was computed and stays zero; a computed zero is sent
 * as all ones. */
static void csum_update16(uint8_t proto, uint8_t *csum, uint16_t old, uint16_t new)
{
	if (!csum || old == new)
		return;
	uint16_t hc = get_be16(csum);
	if (proto == IPPROTO_NUM_UDP && hc == 0)
		return;
	hc = csum_adjust(hc, old, new);
	if (proto == IPPROTO_NUM_UDP && hc == 0)
		hc = 0xffff;
	put_be16(csum, hc);
}

/* Where the L4 checksum is, if `len` bytes of the L4 header hold it. */
static uint8_t *l4_csum(uint8_t proto, uint8_t *l4, size_t len)
{
	switch (proto) {
	case IPPROTO_NUM_UDP:
		return len >= UDP_HDR ? l4 + 6 : NULL;
	case IPPROTO_NUM_TCP:
		return len >= TCP_CSUM_END ? l4 + 16 : NULL;
	case IPPROTO_NUM_ICMP:
		return len >= 4 ? l4 + 2 : NULL;
	default:
		return NULL;
	}
}

/* Rewrites an address in an IP header, and the L4 checksum of protocols
 * whose pseudo-header covers it (UDP, TCP; not ICMP). */
static void set_addr(uint8_t *field, uint32_t addr, uint8_t proto, uint8_t *csum)
{
	uint32_t old = get_be32(field);

	put_be32(field, addr);
	if (proto != IPPROTO_NUM_UDP && proto != IPPROTO_NUM_TCP)
		return;
	csum_update16(proto, csum, (uint16_t)(old >> 16), (uint16_t)(addr >> 16));
	csum_update16(proto, csum, (uint16_t)old, (uint16_t)addr);
}

/* Rewrites a port or ICMP identifier and the L4 checksum covering it. */
static void set_port(uint8_t *field, uint16_t port, uint8_t proto, uint8_t *csum)
{
	uint16_t old = get_be16(field);

	put_be16(field, port);
	csum_update16(proto, csum, old, port);
}

/* ---- fragments ---- */

static void frag_remember(struct nat *nat, const struct ipv4_view *ip, uint32_t int_addr,
                          uint64_t now_ns)
{
	nat->frags[nat->frag_next] =
	        (struct frag_slot){true, ip->proto, ip->id, ip->src, int_addr, now_ns};
	nat->frag_next = (nat->frag_next + 1) % FRAG_SLOTS;
}

static const struct frag_slot *frag_find(const struct nat *nat, const struct ipv4_view *ip,
                                         uint64_t now_ns)
{
	for (size_t i = 0; i < FRAG_SLOTS; i++) {
		const struct frag_slot *f = &nat->frags[i];

		if (f->used && f->proto == ip->proto && f->id == ip->id && f->src == ip->src &&
		    now_ns - f->at_ns < FRAG_TIMEOUT_NS)
			return f;
	}
	return NULL;
}

/* ---- translation ---- */

static enum nat_verdict drop(struct nat *nat, enum nat_drop why, enum nat_drop *reason)
{
	nat->st.drops[why]++;
	if (reason)
		*reason = why;
	return NAT_DROP;
}

/* The port-like field of a transport header (source side): the port for
 * UDP/TCP, the identifier for ICMP queries; NULL for address-only. */
static uint8_t *src_port_field(uint8_t proto, uint8_t *l4)
{
	if (proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_TCP)
		return l4;
	if (proto == IPPROTO_NUM_ICMP)
		return l4 + 4;
	return NULL;
}

static uint8_t *dst_port_field(uint8_t proto, uint8_t *l4)
{
	if (proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_TCP)
		return l4 + 2;
	if (proto == IPPROTO_NUM_ICMP)
		return l4 + 4;
	return NULL;
}

/* RFC 5508 §4.2: an ICMP error carries the start of the packet it is about;
 * that packet went the other way through the NAT and is translated back
 * with the mapping it belongs to.  The ICMP checksum is recomputed. */
static enum nat_verdict icmp_error(struct nat *nat, enum nat_dir dir, uint8_t *pkt,
                                   const struct ipv4_view *ip, enum nat_drop *reason)
{
	uint8_t *icmp = pkt + ip->hdr_len;
	size_t ilen = ip->total_len - ip->hdr_len;
	uint8_t *e = icmp + ICMP_HDR;
	size_t elen = ilen - ICMP_HDR, ehl;
	bool mapped;

	/* A fragmented error cannot have its checksum recomputed. */
	if (ipv4_is_fragment(ip) || elen < IPV4_HDR_LEN || e[0] >> 4 != 4)
		return drop(nat, NAT_DROP_ICMP_ERROR, reason);
	ehl = (size_t)(e[0] & 0x0f) * 4;
	if (ehl < IPV4_HDR_LEN || elen < ehl + 8 || (get_be16(e + 6) & IPV4_OFFSET_MASK))
		return drop(nat, NAT_DROP_ICMP_ERROR, reason);

	uint8_t eproto = e[9];
	uint8_t *el4 = e + ehl;
	uint8_t *ecsum = l4_csum(eproto, el4, elen - ehl);
	struct nat_map *m;

	if (eproto == IPPROTO_NUM_ICMP && !icmp_is_query(el4[0]))
		return drop(nat, NAT_DROP_ICMP_ERROR, reason);
	if (dir == NAT_DIR_OUT) {
		/* The embedded packet came in: remote -> inside host. */
		uint8_t *pf = dst_port_field(eproto, el4);
		uint16_t rem_port = eproto == IPPROTO_NUM_ICMP ? 0 : get_be16(el4);

		m = find_out(nat, eproto, get_be32(e + 16), pf ? get_be16(pf) : 0, get_be32(e + 12),
		             rem_port);
		if (!m)
			return drop(nat, NAT_DROP_ICMP_ERROR, reason);
		set_addr(pkt + 12, nat->cfg.outside_addr, IPPROTO_NUM_ICMP, NULL);
		set_addr(e + 16, nat->cfg.outside_addr, eproto, ecsum);
		if (pf)
			set_port(pf, m->ext_port, eproto, ecsum);
	} else {
		/* The embedded packet went out: outside address -> remote. */
		uint8_t *pf = src_port_field(eproto, el4);
		uint16_t rem_port = eproto == IPPROTO_NUM_ICMP ? 0 : get_be16(el4 + 2);

		if (get_be32(e + 12) != nat->cfg.outside_addr)
			return drop(nat, NAT_DROP_ICMP_ERROR, reason);
		if (pf)
			m = find_in(nat, eproto, get_be16(pf), get_be32(e + 16), rem_port, &mapped);
		else
			m = find_in_addr_only(nat, eproto);
		if (!m)
			return drop(nat, NAT_DROP_ICMP_ERROR, reason);
		set_addr(pkt + 16, m->int_addr, IPPROTO_NUM_ICMP, NULL);
		set_addr(e + 12, m->int_addr, eproto, ecsum);
		if (pf)
			set_port(pf, m->int_port, eproto, ecsum);
	}
	ipv4_set_checksum(e);
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, inet_checksum(icmp, ilen));
	ipv4_set_checksum(pkt);
	return NAT_TRANSLATED;
}

static enum nat_verdict translate_out(struct nat *nat, uint8_t *pkt, const struct ipv4_view *ip,
                                      uint64_t now_ns, enum nat_drop *reason)
{
	uint8_t *l4 = pkt + ip->hdr_len;
	size_t l4len = ip->total_len - ip->hdr_len;
	uint8_t *csum = l4_csum(ip->proto, l4, l4len);
	uint8_t *pf = NULL;
	uint16_t port = 0, rem_port = 0;
	enum nat_drop why;

	/* Later fragments carry no ports: the address is all there is to
	 * translate, and it is the same for every mapping. */
	if (ip->frag & IPV4_OFFSET_MASK) {
		set_addr(pkt + 12, nat->cfg.outside_addr, 0, NULL);
		ipv4_set_checksum(pkt);
		nat->st.translated_out++;
		return NAT_TRANSLATED;
	}
	switch (ip->proto) {
	case IPPROTO_NUM_UDP:
	case IPPROTO_NUM_TCP:
		if (!csum)
			return drop(nat, NAT_DROP_MALFORMED, reason);
		pf = l4;
		rem_port = get_be16(l4 + 2);
		break;
	case IPPROTO_NUM_ICMP:
		if (l4len < ICMP_HDR)
			return drop(nat, NAT_DROP_MALFORMED, reason);
		if (icmp_is_error(l4[0])) {
			enum nat_verdict v = icmp_error(nat, NAT_DIR_OUT, pkt, ip, reason);
			if (v == NAT_TRANSLATED)
				nat->st.translated_out++;
			return v;
		}
		if (!icmp_is_query(l4[0]))
			return drop(nat, NAT_DROP_UNSUPPORTED, reason);
		pf = l4 + 4;
		break;
	default:
		break; /* address only */
	}
	if (pf)
		port = get_be16(pf);
	struct nat_map *m = find_out(nat, ip->proto, ip->src, port, ip->dst, rem_port);
	if (!m) {
		m = map_create(nat, ip->proto, ip->src, port, ip->dst, rem_port, now_ns, &why);
		if (!m)
			return drop(nat, why, reason);
	}
	m->refreshed_ns = now_ns; /* RFC 4787 REQ-6 */
	set_addr(pkt + 12, nat->cfg.outside_addr, ip->proto, csum);
	if (pf)
		set_port(pf, m->ext_port, ip->proto, csum);
	ipv4_set_checksum(pkt);
	nat->st.translated_out++;
	return NAT_TRANSLATED;
}

static enum nat_verdict translate_in(struct nat *nat, uint8_t *pkt, const struct ipv4_view *ip,
                                     uint64_t now_ns, enum nat_drop *reason)
{
	uint8_t *l4 = pkt + ip->hdr_len;
	size_t l4len = ip->total_len - ip->hdr_len;
	uint8_t *csum = l4_csum(ip->proto, l4, l4len);
	uint8_t *pf = NULL;
	struct nat_map *m;
	bool mapped = false;

	if (ip->dst != nat->cfg.outside_addr) {
		nat->st.passed++;
		return NAT_PASS;
	}
	if (ip->frag & IPV4_OFFSET_MASK) {
		const struct frag_slot *f = frag_find(nat, ip, now_ns);

		if (!f)
			return drop(nat, NAT_DROP_FRAGMENT, reason);
		set_addr(pkt + 16, f->int_addr, 0, NULL);
		ipv4_set_checksum(pkt);
		nat->st.translated_in++;
		return NAT_TRANSLATED;
	}
	switch (ip->proto) {
	case IPPROTO_NUM_UDP:
	case IPPROTO_NUM_TCP:
		if (!csum)
			return drop(nat, NAT_DROP_MALFORMED, reason);
		pf = l4 + 2;
		m = find_in(nat, ip->proto, get_be16(pf), ip->src, get_be16(l4), &mapped);
		break;
	case IPPROTO_NUM_ICMP:
		if (l4len < ICMP_HDR)
			return drop(nat, NAT_DROP_MALFORMED, reason);
		if (icmp_is_error(l4[0])) {
			enum nat_verdict v = icmp_error(nat, NAT_DIR_IN, pkt, ip, reason);
			if (v == NAT_TRANSLATED)
				nat->st.translated_in++;
			return v;
		}
		if (!icmp_is_query(l4[0]))
			return drop(nat, NAT_DROP_UNSUPPORTED, reason);
		pf = l4 + 4;
		m = find_in(nat, ip->proto, get_be16(pf), ip->src, 0, &mapped);
		break;
	default:
		m = find_in_addr_only(nat, ip->proto);
		break;
	}
	if (!m)
		return drop(nat, mapped ? NAT_DROP_FILTERED : NAT_DROP_NO_MAPPING, reason);
	if (nat->cfg.refresh == NAT_REFRESH_BOTH)
		m->refreshed_ns = now_ns;
	set_addr(pkt + 16, m->int_addr, ip->proto, csum);
	if (pf)
		set_port(pf, m->int_port, ip->proto, csum);
	ipv4_set_checksum(pkt);
	if (ip->frag & IPV4_MF)
		frag_remember(nat, ip, m->int_addr, now_ns);
	nat->st.translated_in++;
	return NAT_TRANSLATED;
}

enum nat_verdict nat_translate(struct nat *nat, enum nat_dir dir, uint8_t *pkt, size_t len,
                               uint64_t now_ns, enum nat_drop *reason)
{
	struct ipv4_view ip;

	if (ipv4_parse(pkt, len, &ip) != 0)
		return drop(nat, NAT_DROP_MALFORMED, reason);
	if (nat->cfg.drop_fragments && ipv4_is_fragment(&ip))
		return drop(nat, NAT_DROP_IP_FRAGMENT, reason);
	nat_expire(nat, now_ns);
	return dir == NAT_DIR_OUT ? translate_out(nat, pkt, &ip, now_ns, reason)
	                          : translate_in(nat, pkt, &ip, now_ns, reason);
}
