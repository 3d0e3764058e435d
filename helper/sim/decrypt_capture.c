/* Decrypting a capture with the engine (decrypt_capture.h). */
#define _DEFAULT_SOURCE
#include "decrypt_capture.h"

#include "ip_packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define SNAPLEN 65535

/* The trivial host: inbound processing needs no clock, timer or random. */
static uint64_t host_now(void *host)
{
	(void)host;
	return 0;
}

static int host_random(void *host, uint8_t *buf, size_t len)
{
	(void)host;
	memset(buf, 0, len);
	return 0;
}

static void host_timer_arm(void *host, uint64_t at_ns)
{
	(void)host;
	(void)at_ns;
}

static const struct ipsec_host_ops decrypt_ops = {
        .now_ns = host_now,
        .random_bytes = host_random,
        .timer_arm = host_timer_arm,
        .event = NULL,
};

/* Where the network-layer packet starts in a frame of link type `dlt`.
 * Returns 4 (IPv4), 6 (IPv6) or 0 (not IP) and sets *off. */
static int link_payload(int dlt, const uint8_t *f, size_t len, size_t *off)
{
	size_t o = 0;
	unsigned type;
	switch (dlt) {
	case DLT_EN10MB:
		o = 12;
		if (len < o + 2)
			return 0;
		type = get_be16(f + o);
		while ((type == 0x8100 || type == 0x88a8) && len >= o + 6) {
			o += 4;
			type = get_be16(f + o);
		}
		o += 2;
		*off = o;
		return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		/* RFC 1662 framing if present, then the (maybe compressed,
		 * RFC 1661 §6.5) protocol field. */
		if (len >= 2 && f[0] == 0xff && f[1] == 0x03)
			o = 2;
		if (len < o + 1)
			return 0;
		if (f[o] & 1) {
			type = f[o];
			o += 1;
		} else {
			if (len < o + 2)
				return 0;
			type = get_be16(f + o);
			o += 2;
		}
		*off = o;
		return type == 0x0021 ? 4 : type == 0x0057 ? 6 : 0;
	case DLT_NULL:
	case DLT_LOOP: {
		if (len < 4)
			return 0;
		uint32_t af = dlt == DLT_LOOP
		                      ? (uint32_t)f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3]
		                      : (uint32_t)f[3] << 24 | f[2] << 16 | f[1] << 8 | f[0];
		if (af > 0xffff) /* written in the other byte order */
			af = __builtin_bswap32(af);
		*off = 4;
		return af == 2 ? 4 : (af == 10 || af == 24 || af == 28 || af == 30) ? 6 : 0;
	}
	case DLT_LINUX_SLL:
		if (len < 16)
			return 0;
		*off = 16;
		type = get_be16(f + 14);
		return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		*off = 0;
		if (len < 1)
			return 0;
		return f[0] >> 4 == 4 ? 4 : f[0] >> 4 == 6 ? 6 : 0;
	default:
		return -1;
	}
}

bool decrypt_link_supported(int dlt)
{
	size_t off;
	return link_payload(dlt, (const uint8_t *)"", 0, &off) >= 0;
}

/* Is this packet (parsed inbound as `ip`) ESP?  UDP-encapsulated ESP (RFC
 * 3948) to or from port 4500 is rewritten in place into plain ESP: the UDP
 * header removed, the protocol (IPv4) or Next Header (IPv6, after the
 * extension headers) that named UDP naming ESP, the lengths fixed, so that
 * it is found whatever the NAT did to the ports; the engine handles the
 * rest the same way.  The UDP checksum leaves with its header (zero over
 * IPv4, RFC 3948 §2.1; computed over IPv6, RFC 8200 §8.1): what follows
 * is ESP's to protect.  Returns 1 for ESP, 0 otherwise. */
static int as_esp(uint8_t *p, size_t *len, const struct ip_packet *ip)
{
	size_t hl = ip->hdr_len;
	if (ip->proto == IPPROTO_NUM_ESP)
		return 1;
	if (ip->proto != IPPROTO_NUM_UDP || ip->fragment || *len < hl + 8)
		return 0; /* not UDP, or a fragment */
	const uint8_t *u = p + hl;
	if (get_be16(u) != 4500 && get_be16(u + 2) != 4500)
		return 0;
	size_t ulen = *len - hl - 8;
	/* RFC 3948 §2.2, §2.3: IKE (zero non-ESP marker) and keepalives. */
	if (ulen < 8 || (u[8] == 0 && u[9] == 0 && u[10] == 0 && u[11] == 0))
		return 0;
	memmove(p + hl, p + hl + 8, ulen);
	*len -= 8;
	p[ip->nh_off] = IPPROTO_NUM_ESP;
	ip_packet_set_length(p, ip->family, *len);
	return 1;
}

/* The destination address of the header at `h` (of `a`'s family) becomes
 * `a`; an IPv4 header gets its checksum again. */
static void set_dst(uint8_t *h, const struct ip_addr *a)
{
	memcpy(h + ip_packet_dst_off(a->family), a->b, ip_family_len(a->family));
	if (a->family == IP_FAMILY_V4)
		ipv4_set_checksum(h);
}

/* Does a packet that is not whole (a capture cut short, or garbage) of
 * IP version `v` say ESP in its first header? */
static bool says_esp(const uint8_t *ip, size_t avail, int v)
{
	size_t nh = v == 4 ? 9 : 6; /* Protocol, Next Header */
	return avail > nh && ip[nh] == IPPROTO_NUM_ESP;
}

struct decryptor {
	struct ipsec *engine[2]; /* tunnel, transport (either may be NULL) */
	uint32_t *any_dst;       /* SPIs of the SAs for any destination, sorted */
	size_t n_any_dst;
	struct decrypt_stats st;
	pcap_dumper_t *out;
	uint8_t buf[SNAPLEN + 64];
	uint8_t clear[SNAPLEN + IPSEC_MAX_OVERHEAD];
};

static void write_packet(struct decryptor *d, const struct pcap_pkthdr *h, const uint8_t *p,
                         size_t len)
{
	struct pcap_pkthdr o = *h;
	o.caplen = o.len = (bpf_u_int32)len;
	pcap_dump((u_char *)d->out, &o, p);
}

static int by_spi(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The ESP packet in d->buf through the engines (tunnel mode, then
 * transport): IPSEC_DROP__COUNT with the inner packet in d->clear and
 * *transport saying which engine delivered it, or why it was dropped. */
static enum ipsec_drop decrypt_esp(struct decryptor *d, size_t len, size_t *out_len,
                                   bool *transport)
{
	enum ipsec_drop reason = IPSEC_DROP_NO_SA;
	for (int m = 0; m < 2; m++) {
		if (!d->engine[m])
			continue;
		uint32_t sa = 0;
		*out_len = 0;
		enum ipsec_verdict vd = ipsec_input(d->engine[m], d->buf, len, d->clear,
		                                    sizeof d->clear, out_len, &sa, &reason);
		if (vd == IPSEC_VERDICT_DELIVER) {
			*transport = m == 1;
			return IPSEC_DROP__COUNT;
		}
		if (vd != IPSEC_VERDICT_DROP) /* cannot happen for ESP */
			return IPSEC_DROP_MALFORMED;
		/* Auto mode: a payload that is not an IP packet (Next Header
		 * other than 4 or 41) may be transport mode; any other failure
		 * would fail again. */
		if (reason != IPSEC_DROP_MALFORMED)
			break;
	}
	return reason;
}

static void handle(struct decryptor *d, int dlt, const struct pcap_pkthdr *h, const uint8_t *f)
{
	size_t off = 0;
	int v = link_payload(dlt, f, h->caplen, &off);
	if (v <= 0) {
		d->st.skipped++;
		return;
	}
	const uint8_t *ip = f + off;
	size_t avail = h->caplen - off;
	struct ip_packet p;
	if (ip_packet_parse(ip, avail, true, &p) || p.family != v) {
		/* Not a whole IP packet of the link layer's version (a
		 * truncated capture, garbage, an IPv6 extension-header chain
		 * ipv6.c refuses). */
		if (says_esp(ip, avail, v)) {
			d->st.dropped++;
			d->st.drops[IPSEC_DROP_MALFORMED]++;
		} else {
			d->st.passed++;
			write_packet(d, h, ip, avail);
		}
		return;
	}
	/* Ethernet may pad short frames: the IP length field rules. */
	size_t len = p.total_len;
	memcpy(d->buf, ip, len);
	if (!as_esp(d->buf, &len, &p)) {
		d->st.passed++;
		write_packet(d, h, ip, p.total_len);
		return;
	}
	size_t out_len;
	bool transport = false;
	enum ipsec_drop reason = decrypt_esp(d, len, &out_len, &transport);
	/* No SA for this SPI and destination: one for any destination of the
	 * packet's family is found by its SPI alone, under the
	 * esp_sa_any_address() it was added with (the ICV does not cover the
	 * outer header).  Transport mode rebuilt the header around that
	 * address: the packet's own goes back. */
	if (reason == IPSEC_DROP_NO_SA && len >= p.hdr_len + 4 &&
	    bsearch(&(uint32_t){get_be32(d->buf + p.hdr_len)}, d->any_dst, d->n_any_dst,
	            sizeof *d->any_dst, by_spi)) {
		struct ip_addr any = esp_sa_any_address(p.family), dst = ip_packet_dst(ip, &p);
		set_dst(d->buf, &any);
		reason = decrypt_esp(d, len, &out_len, &transport);
		if (reason == IPSEC_DROP__COUNT && transport)
			set_dst(d->clear, &dst);
	}
	if (reason == IPSEC_DROP__COUNT) {
		d->st.decrypted++;
		write_packet(d, h, d->clear, out_len);
		return;
	}
	d->st.dropped++;
	d->st.drops[reason]++;
}

static struct ipsec *build_engine(const struct esp_sa_list *sas, const char *path,
                                  enum ipsec_mode mode)
{
	struct ipsec *e = ipsec_new(&decrypt_ops, NULL);
	char err[256];
	if (!e) {
		fprintf(stderr, "ipsec-sim decrypt: out of memory\n");
		return NULL;
	}
	for (size_t i = 0; i < sas->n; i++) {
		struct ipsec_sa_config c = esp_sa_entry_config(&sas->items[i], mode);
		if (ipsec_sa_add(e, &c, NULL, err, sizeof err) != 0) {
			fprintf(stderr, "%s:%u: %s\n", path, sas->items[i].line, err);
			ipsec_free(e);
			return NULL;
		}
	}
	return e;
}

struct decryptor *decryptor_new(const struct esp_sa_list *sas, const char *sa_path,
                                enum decrypt_mode mode)
{
	struct decryptor *d = calloc(1, sizeof *d);
	if (!d) {
		fprintf(stderr, "ipsec-sim decrypt: out of memory\n");
		return NULL;
	}
	d->any_dst = calloc(sas->n + 1, sizeof *d->any_dst);
	for (size_t i = 0; d->any_dst && i < sas->n; i++)
		if (sas->items[i].any_dst)
			d->any_dst[d->n_any_dst++] = sas->items[i].cfg.spi;
	if (d->any_dst)
		qsort(d->any_dst, d->n_any_dst, sizeof *d->any_dst, by_spi);
	if (!d->any_dst ||
	    (mode != MODE_TRANSPORT &&
	     !(d->engine[0] = build_engine(sas, sa_path, IPSEC_MODE_TUNNEL))) ||
	    (mode != MODE_TUNNEL &&
	     !(d->engine[1] = build_engine(sas, sa_path, IPSEC_MODE_TRANSPORT)))) {
		decryptor_free(d);
		return NULL;
	}
	return d;
}

void decryptor_free(struct decryptor *d)
{
	if (!d)
		return;
	ipsec_free(d->engine[0]);
	ipsec_free(d->engine[1]);
	free(d->any_dst);
	free(d);
}

int decrypt_capture(struct decryptor *d, pcap_t *in, pcap_dumper_t *out)
{
	int dlt = pcap_datalink(in);
	struct pcap_pkthdr *h;
	const u_char *frame;
	int r;

	d->out = out;
	while ((r = pcap_next_ex(in, &h, &frame)) == 1)
		handle(d, dlt, h, frame);
	return r == PCAP_ERROR ? -1 : 0;
}

const struct decrypt_stats *decrypt_stats(const struct decryptor *d)
{
	return &d->st;
}
