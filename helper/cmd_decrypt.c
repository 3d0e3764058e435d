/* ipsec-sim decrypt --esp-sa FILE IN.pcap OUT.pcap [--mode auto|tunnel|transport]
 *
 * Decrypts the ESP packets of a capture with the engine's own inbound code
 * (ipsec_input), keyed from a Wireshark esp_sa table (esp_sa_file.h), and
 * writes the capture "as seen in the clear" to OUT.pcap as raw IPv4
 * (LINKTYPE_RAW) with the original timestamps:
 *
 *  - an ESP packet (IP protocol 50, or UDP-encapsulated ESP, RFC 3948, to or
 *    from port 4500) that decrypts and verifies is replaced by what the
 *    engine delivers: in tunnel mode the inner packet, in transport mode the
 *    original packet rebuilt with the payload in clear;
 *  - an ESP packet that fails is dropped and counted by the engine's reason
 *    (no_sa, icv_fail, malformed, ...);
 *  - every other IP packet (IKE, AH, plain traffic, IPv6) is written
 *    unchanged ("passed");
 *  - frames that are not IP (ARP, PPP control protocols) cannot be written
 *    as raw IP and are skipped (counted separately).
 *
 * The esp_sa table does not say whether an SA is in tunnel or transport
 * mode.  --mode auto (the default) tries tunnel mode first and, when the
 * decrypted payload is not an IPv4 packet (next header other than 4),
 * transport mode.  Every SA has anti-replay off: a capture may hold both
 * directions of a flow, retransmissions or duplicates, and a replay check
 * would wrongly drop them.  ESP fragments are not reassembled: they count as
 * malformed.
 *
 * Link types read: Ethernet (with 802.1Q tags), PPP (as ns-3's
 * PointToPointNetDevice writes it: a 2-byte protocol field, 0x0021 for IPv4;
 * an HDLC ff 03 prefix is skipped), raw IP, BSD loopback, Linux cooked.
 *
 * Prints one line to stdout:
 *   decrypted N, passed M, dropped K (no_sa=A, icv_fail=B[, reason=C]...)
 * followed by ", skipped S not-IP frames" when S > 0.  Exit 0 when the
 * capture was processed (even if packets were dropped), 2 on usage and file
 * errors.
 */
/* libpcap's headers use u_int, u_char...: BSD types glibc hides under
 * plain _POSIX_C_SOURCE. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "esp_sa_file.h"
#include "ipsec.h"
#include "paths.h"

#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define SNAPLEN 65535

enum decrypt_mode { MODE_AUTO, MODE_TUNNEL, MODE_TRANSPORT };

struct decrypt_stats {
	uint64_t decrypted, passed, dropped, skipped;
	uint64_t drops[IPSEC_DROP__COUNT];
};

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

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void ipv4_checksum(uint8_t *h, size_t hlen)
{
	uint32_t sum = 0;
	h[10] = h[11] = 0;
	for (size_t i = 0; i + 1 < hlen; i += 2)
		sum += be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(h + 10, (uint16_t)~sum);
}

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim decrypt --esp-sa FILE IN.pcap OUT.pcap"
	                " [--mode auto|tunnel|transport]\n");
	return 2;
}

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
		type = be16(f + o);
		while ((type == 0x8100 || type == 0x88a8) && len >= o + 6) {
			o += 4;
			type = be16(f + o);
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
			type = be16(f + o);
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
		type = be16(f + 14);
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

static int supported_dlt(int dlt)
{
	size_t off;
	return link_payload(dlt, (const uint8_t *)"", 0, &off) >= 0;
}

/* Is this IPv4 packet ESP?  UDP-encapsulated ESP (RFC 3948) to or from port
 * 4500 is rewritten in place into plain ESP (the UDP header removed), so
 * that it is found whatever the NAT did to the ports; the engine handles
 * the rest the same way.  Returns 1 for ESP, 0 otherwise. */
static int as_esp(uint8_t *p, size_t *len)
{
	size_t hl = (size_t)(p[0] & 15) * 4;
	if (p[9] == 50)
		return 1;
	if (p[9] != 17 || (be16(p + 6) & 0x3fff) || *len < hl + 8)
		return 0; /* not UDP, or a fragment */
	const uint8_t *u = p + hl;
	if (be16(u) != 4500 && be16(u + 2) != 4500)
		return 0;
	size_t ulen = *len - hl - 8;
	/* RFC 3948 §2.2, §2.3: IKE (zero non-ESP marker) and keepalives. */
	if (ulen < 8 || (u[8] == 0 && u[9] == 0 && u[10] == 0 && u[11] == 0))
		return 0;
	memmove(p + hl, p + hl + 8, ulen);
	*len -= 8;
	put_be16(p + 2, (uint16_t)*len);
	p[9] = 50;
	ipv4_checksum(p, hl);
	return 1;
}

struct decryptor {
	struct ipsec *engine[2]; /* tunnel, transport (either may be NULL) */
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
	if (v == 6) {
		d->st.passed++;
		write_packet(d, h, ip, avail);
		return;
	}
	size_t hl = avail >= 1 ? (size_t)(ip[0] & 15) * 4 : 0;
	size_t total = avail >= 4 ? be16(ip + 2) : 0;
	if (avail < 20 || hl < 20 || total < hl || total > avail) {
		/* Not a whole IPv4 packet (truncated capture or garbage). */
		int esp = avail >= 10 && ip[9] == 50;
		if (esp) {
			d->st.dropped++;
			d->st.drops[IPSEC_DROP_MALFORMED]++;
		} else {
			d->st.passed++;
			write_packet(d, h, ip, avail);
		}
		return;
	}
	/* Ethernet may pad short frames: the IP total length rules. */
	size_t len = total;
	memcpy(d->buf, ip, len);
	if (!as_esp(d->buf, &len)) {
		d->st.passed++;
		write_packet(d, h, ip, total);
		return;
	}
	enum ipsec_drop reason = IPSEC_DROP_NO_SA;
	for (int m = 0; m < 2; m++) {
		if (!d->engine[m])
			continue;
		size_t out_len = 0;
		uint32_t sa = 0;
		enum ipsec_verdict vd = ipsec_input(d->engine[m], d->buf, len, d->clear,
		                                    sizeof d->clear, &out_len, &sa, &reason);
		if (vd == IPSEC_VERDICT_DELIVER) {
			d->st.decrypted++;
			write_packet(d, h, d->clear, out_len);
			return;
		}
		if (vd != IPSEC_VERDICT_DROP) { /* cannot happen for ESP */
			reason = IPSEC_DROP_MALFORMED;
			break;
		}
		/* Auto mode: a payload that is not an IPv4 packet may be
		 * transport mode; any other failure would fail again. */
		if (reason != IPSEC_DROP_MALFORMED)
			break;
	}
	d->st.dropped++;
	d->st.drops[reason]++;
}

/* Timestamp precision of a pcap file from its magic number, so the output
 * keeps the input's (ns-3 writes microseconds). */
static int file_precision(const char *path)
{
	uint8_t m[4];
	FILE *f = fopen(path, "rb");
	int prec = PCAP_TSTAMP_PRECISION_MICRO;
	if (f) {
		if (fread(m, 1, 4, f) == 4 &&
		    ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
		     (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1)))
			prec = PCAP_TSTAMP_PRECISION_NANO;
		fclose(f);
	}
	return prec;
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
		struct ipsec_sa_config c = sas->items[i].cfg;
		c.mode = mode;
		if (ipsec_sa_add(e, &c, NULL, err, sizeof err) != 0) {
			fprintf(stderr, "%s:%u: %s\n", path, sas->items[i].line, err);
			ipsec_free(e);
			return NULL;
		}
	}
	return e;
}

int cmd_decrypt(int argc, char **argv)
{
	const char *sa_path = NULL, *in_path = NULL, *out_path = NULL;
	enum decrypt_mode mode = MODE_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--esp-sa") || !strcmp(a, "--mode")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ipsec-sim decrypt: %s needs a value\n", a);
				return usage();
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--esp-sa")) {
				sa_path = v;
			} else if (!strcmp(v, "auto")) {
				mode = MODE_AUTO;
			} else if (!strcmp(v, "tunnel")) {
				mode = MODE_TUNNEL;
			} else if (!strcmp(v, "transport")) {
				mode = MODE_TRANSPORT;
			} else {
				fprintf(stderr,
				        "ipsec-sim decrypt: --mode must be auto, tunnel or "
				        "transport, got '%s'\n",
				        v);
				return usage();
			}
		} else if (!strncmp(a, "--esp-sa=", 9)) {
			sa_path = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ipsec-sim decrypt: unknown option '%s'\n", a);
			return usage();
		} else if (!in_path) {
			in_path = a;
		} else if (!out_path) {
			out_path = a;
		} else {
			fprintf(stderr, "ipsec-sim decrypt: unexpected argument '%s'\n", a);
			return usage();
		}
	}
	if (!sa_path || !in_path || !out_path) {
		fprintf(stderr, "ipsec-sim decrypt: %s\n",
		        !sa_path ? "--esp-sa FILE is required"
		                 : "IN.pcap and OUT.pcap are required");
		return usage();
	}

	if (same_file(in_path, out_path) != 0) {
		fprintf(stderr,
		        "ipsec-sim decrypt: %s is %s: writing it would destroy the capture\n",
		        out_path, in_path);
		return 2;
	}

	struct esp_sa_list sas;
	if (esp_sa_file_load(sa_path, &sas, stderr) != 0) {
		esp_sa_list_free(&sas);
		return 2;
	}
	if (sas.n == 0)
		fprintf(stderr, "%s: warning: no usable SA: no packet will decrypt\n", sa_path);

	int rc = 2;
	struct decryptor *d = calloc(1, sizeof *d);
	pcap_t *in = NULL, *dead = NULL;
	char errbuf[PCAP_ERRBUF_SIZE];
	if (!d) {
		fprintf(stderr, "ipsec-sim decrypt: out of memory\n");
		goto done;
	}
	if (mode != MODE_TRANSPORT &&
	    !(d->engine[0] = build_engine(&sas, sa_path, IPSEC_MODE_TUNNEL)))
		goto done;
	if (mode != MODE_TUNNEL &&
	    !(d->engine[1] = build_engine(&sas, sa_path, IPSEC_MODE_TRANSPORT)))
		goto done;

	int prec = file_precision(in_path);
	in = pcap_open_offline_with_tstamp_precision(in_path, (u_int)prec, errbuf);
	if (!in) {
		fprintf(stderr, "%s: %s\n", in_path, errbuf);
		goto done;
	}
	int dlt = pcap_datalink(in);
	if (!supported_dlt(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		fprintf(stderr,
		        "%s: link type %d (%s) is not supported (Ethernet, PPP, raw IP, "
		        "loopback or Linux cooked)\n",
		        in_path, dlt, name ? name : "unknown");
		goto done;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SNAPLEN, (u_int)prec);
	if (!dead || !(d->out = pcap_dump_open(dead, out_path))) {
		fprintf(stderr, "%s: %s\n", out_path, dead ? pcap_geterr(dead) : "out of memory");
		goto done;
	}

	struct pcap_pkthdr *h;
	const u_char *frame;
	int r;
	while ((r = pcap_next_ex(in, &h, &frame)) == 1)
		handle(d, dlt, h, frame);
	if (r == PCAP_ERROR) {
		fprintf(stderr, "%s: %s\n", in_path, pcap_geterr(in));
		goto done;
	}
	if (pcap_dump_flush(d->out) != 0) {
		fprintf(stderr, "%s: write error: %s\n", out_path, strerror(errno));
		goto done;
	}

	printf("decrypted %llu, passed %llu, dropped %llu (no_sa=%llu, icv_fail=%llu",
	       (unsigned long long)d->st.decrypted, (unsigned long long)d->st.passed,
	       (unsigned long long)d->st.dropped, (unsigned long long)d->st.drops[IPSEC_DROP_NO_SA],
	       (unsigned long long)d->st.drops[IPSEC_DROP_ICV_FAIL]);
	for (int i = 0; i < IPSEC_DROP__COUNT; i++)
		if (i != IPSEC_DROP_NO_SA && i != IPSEC_DROP_ICV_FAIL && d->st.drops[i])
			printf(", %s=%llu", ipsec_drop_name((enum ipsec_drop)i),
			       (unsigned long long)d->st.drops[i]);
	printf(")");
	if (d->st.skipped)
		printf(", skipped %llu not-IP frames", (unsigned long long)d->st.skipped);
	printf("\n");
	rc = 0;
done:
	if (d && d->out) {
		pcap_dump_close(d->out);
		d->out = NULL;
	}
	if (dead)
		pcap_close(dead);
	if (in)
		pcap_close(in);
	if (d) {
		ipsec_free(d->engine[0]);
		ipsec_free(d->engine[1]);
		free(d);
	}
	esp_sa_list_free(&sas);
	return rc;
}
