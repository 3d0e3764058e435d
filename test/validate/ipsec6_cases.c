/* For validate_ipsec6: the engine protects packets over and inside IPv6 --
 * ESP and AH, transport mode behind extension headers, tunnel mode 6-in-6,
 * 4-in-6 and 6-in-4, UDP-encapsulated ESP over IPv6 -- and writes what it
 * sent for tools we did not write to check:
 *
 *   DIR/out.pcap   every protected packet (LINKTYPE_RAW)
 *   DIR/inner.txt  per packet: SPI, and the packet as it was before IPsec
 *   DIR/sas.txt    per SA: proto mode spi src dst enc integ enc_key integ_key
 *   DIR/esp_sa     Wireshark's ESP SA table (helper/sim/keys.c), IPv6 rows
 *   DIR/esp_sa-wireshark-4.2  the same with the ChaCha20-Poly1305 SA too
 *
 * It also takes every packet back through a receiving engine and checks that
 * what comes out is the packet that went in (exit 1 if not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec.h"
#include "ipv6.h"
#include "keys.h"

#define PACKETS 3 /* per case */
#define MAX 2048

struct cas {
	const char *name;
	enum ipsec_protocol proto;
	enum ipsec_mode mode;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	const char *outer_src, *outer_dst; /* tunnel endpoints, or the hosts' addresses */
	const char *inner_src, *inner_dst; /* tunnel mode */
	bool ext_headers;                  /* transport: hop-by-hop and destination options */
	bool encap;                        /* RFC 3948 */
};

static const struct cas cases[] = {
        {"esp6-transport-gcm", IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_AES_GCM16_128,
         IPSEC_INTEG_NONE, "2001:db8:a::1", "2001:db8:b::2", NULL, NULL, true, false},
        {"esp6-transport-cbc", IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_AES_CBC_256,
         IPSEC_INTEG_HMAC_SHA256_128, "2001:db8:a::1", "2001:db8:b::2", NULL, NULL, false, false},
        {"esp-6in6", IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE,
         "2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:1::10", "2001:db8:2::20", false, false},
        {"esp-4in6", IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE,
         "2001:db8:ff::1", "2001:db8:ff::2", "10.1.0.10", "10.2.0.20", false, false},
        {"esp-6in4", IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_CHACHA20_POLY1305,
         IPSEC_INTEG_NONE, "192.0.2.1", "192.0.2.2", "2001:db8:1::10", "2001:db8:2::20", false,
         false},
        {"esp-6in6-udp", IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_CBC_128,
         IPSEC_INTEG_HMAC_SHA512_256, "2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:1::10",
         "2001:db8:2::20", false, true},
        {"ah6-transport", IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_ENC_NULL,
         IPSEC_INTEG_HMAC_SHA256_128, "2001:db8:a::1", "2001:db8:b::2", NULL, NULL, true, false},
        {"ah-6in6", IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192,
         "2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:1::10", "2001:db8:2::20", false, false},
        {"ah-4in6", IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA512_256,
         "2001:db8:ff::1", "2001:db8:ff::2", "10.1.0.10", "10.2.0.20", false, false},
        {"ah-6in4", IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128,
         "192.0.2.1", "192.0.2.2", "2001:db8:1::10", "2001:db8:2::20", false, false},
};

static uint64_t clock_ns;
static uint64_t now(void *h)
{
	(void)h;
	return clock_ns;
}

/* Deterministic "random" bytes: the files are the same on every run. */
static int rnd(void *h, uint8_t *b, size_t n)
{
	static uint32_t x = 0x2545f491;

	(void)h;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
	return 0;
}

static const struct ipsec_host_ops ops = {.now_ns = now, .random_bytes = rnd};

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	if (ip_addr_parse(s, &a)) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return a;
}

/* UDP (port 5000 -> 6000, `n` bytes of payload) from src to dst, IPv6 with
 * a hop-by-hop header (a mutable option and a Router Alert) and destination
 * options when `ext`, or IPv4.  Checksums as a host would send them. */
static size_t udp_packet(uint8_t *b, const char *src, const char *dst, bool ext, size_t n,
                         uint8_t tclass)
{
	struct ip_addr s = addr(src), d = addr(dst);
	size_t hl = s.family == IP_FAMILY_V6 ? IPV6_HDR_LEN : IPV4_HDR_LEN, off = hl;
	uint8_t *nh = s.family == IP_FAMILY_V6 ? b + 6 : b + 9, *udp;

	memset(b, 0, MAX);
	if (s.family == IP_FAMILY_V6 && ext) {
		*nh = IPPROTO_NUM_HOPOPTS;
		nh = b + off;
		/* 8 bytes: option 0x3e (mutable: third bit set) of 2 bytes, PadN */
		b[off + 1] = 0;
		b[off + 2] = 0x3e, b[off + 3] = 2, b[off + 4] = 0xaa, b[off + 5] = 0xbb;
		b[off + 6] = 1, b[off + 7] = 0;
		off += 8;
		*nh = IPPROTO_NUM_DSTOPTS;
		nh = b + off;
		b[off + 1] = 0; /* 8 bytes: option 0x1e (immutable) of 4 bytes */
		b[off + 2] = 0x1e, b[off + 3] = 4;
		memcpy(b + off + 4, "\x01\x02\x03\x04", 4);
		off += 8;
	}
	*nh = IPPROTO_NUM_UDP;
	udp = b + off;
	put_be16(udp, 5000);
	put_be16(udp + 2, 6000);
	put_be16(udp + 4, (uint16_t)(8 + n));
	for (size_t i = 0; i < n; i++)
		udp[8 + i] = (uint8_t)(i * 7 + 3);
	if (s.family == IP_FAMILY_V6) {
		put_be32(b, 6u << 28 | (uint32_t)tclass << 20 | 0x12345);
		put_be16(b + 4, (uint16_t)(off + 8 + n - IPV6_HDR_LEN));
		b[7] = 64;
		memcpy(b + 8, s.b, 16);
		memcpy(b + 24, d.b, 16);
		put_be16(udp + 6, ipv6_l4_checksum(b, IPPROTO_NUM_UDP, udp, 8 + n));
	} else {
		ipv4_build(b, tclass, (uint16_t)(off + 8 + n), 0x1234, IPV4_DF, 64, IPPROTO_NUM_UDP,
		           ip_addr_v4_value(&s), ip_addr_v4_value(&d));
	}
	return off + 8 + n;
}

static void hexline(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void pcap_header(FILE *f)
{
	uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 /* LINKTYPE_RAW */};

	fwrite(h, sizeof(h), 1, f);
}

static void pcap_packet(FILE *f, const uint8_t *b, size_t n, uint32_t t)
{
	uint32_t h[4] = {t, 0, (uint32_t)n, (uint32_t)n};

	fwrite(h, sizeof(h), 1, f);
	fwrite(b, 1, n, f);
}

static const char *const enc_names[] = {
        [IPSEC_ENC_NULL] = "null",
        [IPSEC_ENC_AES_CBC_128] = "aes128",
        [IPSEC_ENC_AES_CBC_256] = "aes256",
        [IPSEC_ENC_AES_GCM16_128] = "aes128gcm16",
        [IPSEC_ENC_AES_GCM16_256] = "aes256gcm16",
        [IPSEC_ENC_CHACHA20_POLY1305] = "chacha20poly1305",
};
static const char *const integ_names[] = {
        [IPSEC_INTEG_NONE] = "none",
        [IPSEC_INTEG_HMAC_SHA256_128] = "sha256",
        [IPSEC_INTEG_HMAC_SHA384_192] = "sha384",
        [IPSEC_INTEG_HMAC_SHA512_256] = "sha512",
};
static const size_t enc_key_len[] = {
        [IPSEC_ENC_AES_CBC_128] = 16,       [IPSEC_ENC_AES_CBC_256] = 32,
        [IPSEC_ENC_AES_GCM16_128] = 20,     [IPSEC_ENC_AES_GCM16_256] = 36,
        [IPSEC_ENC_CHACHA20_POLY1305] = 36,
};
static const size_t integ_key_len[] = {
        [IPSEC_INTEG_HMAC_SHA256_128] = 32,
        [IPSEC_INTEG_HMAC_SHA384_192] = 48,
        [IPSEC_INTEG_HMAC_SHA512_256] = 64,
};

static struct ipsec_sa_config config(const struct cas *c, uint32_t spi, enum ipsec_dir dir)
{
	struct ipsec_sa_config cfg = {0};

	cfg.dir = dir;
	cfg.protocol = c->proto;
	cfg.mode = c->mode;
	cfg.spi = spi;
	cfg.src = addr(c->outer_src);
	cfg.dst = addr(c->outer_dst);
	cfg.enc = c->enc;
	cfg.integ = c->integ;
	cfg.enc_key_len = enc_key_len[c->enc];
	cfg.integ_key_len = integ_key_len[c->integ];
	for (size_t i = 0; i < cfg.enc_key_len; i++)
		cfg.enc_key[i] = (uint8_t)(spi * 31 + i);
	for (size_t i = 0; i < cfg.integ_key_len; i++)
		cfg.integ_key[i] = (uint8_t)(spi * 17 + 3 * i);
	cfg.replay_window = dir == IPSEC_DIR_IN ? 64 : 0;
	cfg.copy_dscp = true;
	if (c->encap)
		cfg.encap_sport = cfg.encap_dport = 4500;
	return cfg;
}

static int run_case(const struct cas *c, uint32_t spi, FILE *pcap, FILE *inner, FILE *sas,
                    struct ipsec *tx, struct ipsec *rx, uint32_t *frame)
{
	struct ipsec_sa_config out = config(c, spi, IPSEC_DIR_OUT),
	                       in = config(c, spi, IPSEC_DIR_IN);
	struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT};
	char err[256];
	uint32_t id;

	if (ipsec_sa_add(tx, &out, &id, err, sizeof(err)) ||
	    ipsec_sa_add(rx, &in, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", c->name, err);
		return -1;
	}
	/* This case's SA only: the spd holds one entry at a time. */
	e.sa_out[0] = id;
	ipsec_spd_remove(tx, ipsec_spd_next(tx, 0));
	if (ipsec_spd_add(tx, &e, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", c->name, err);
		return -1;
	}
	fprintf(sas, "%s %s %s %08x %s %s %s %s ", c->name,
	        c->proto == IPSEC_PROTO_ESP ? "esp" : "ah",
	        c->mode == IPSEC_MODE_TUNNEL ? "tunnel" : "transport", spi, c->outer_src,
	        c->outer_dst, enc_names[c->enc], integ_names[c->integ]);
	hexline(sas, out.enc_key, out.enc_key_len);
	fputs(out.enc_key_len ? " " : "- ", sas);
	hexline(sas, out.integ_key, out.integ_key_len);
	fprintf(sas, "%s %d\n", out.integ_key_len ? "" : "-", c->encap);
	for (int k = 0; k < PACKETS; k++) {
		uint8_t pkt[MAX], wire[MAX + IPSEC_MAX_OVERHEAD], back[MAX + IPSEC_MAX_OVERHEAD];
		const char *s = c->mode == IPSEC_MODE_TUNNEL ? c->inner_src : c->outer_src;
		const char *d = c->mode == IPSEC_MODE_TUNNEL ? c->inner_dst : c->outer_dst;
		/* DSCP AF41 with ECT(0), then CE: RFC 6040 copies the ECN field */
		size_t n = udp_packet(pkt, s, d, c->ext_headers, 20 + 37 * (size_t)k,
		                      k == 2 ? 0x8b : 0x8a);
		size_t wlen, blen;
		enum ipsec_drop why;

		if (ipsec_output(tx, pkt, n, wire, sizeof(wire), &wlen, &why) !=
		    IPSEC_VERDICT_PROTECT) {
			fprintf(stderr, "%s #%d: not protected (%s)\n", c->name, k,
			        ipsec_drop_name(why));
			return -1;
		}
		if (ipsec_input(rx, wire, wlen, back, sizeof(back), &blen, NULL, &why) !=
		            IPSEC_VERDICT_DELIVER ||
		    blen != n || memcmp(back, pkt, n)) {
			fprintf(stderr, "%s #%d: the receiving engine did not give it back (%s)\n",
			        c->name, k, ipsec_drop_name(why));
			return -1;
		}
		pcap_packet(pcap, wire, wlen, ++*frame);
		fprintf(inner, "%08x ", spi);
		hexline(inner, pkt, n);
		fputc('\n', inner);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	FILE *pcap, *inner, *sas, *esp_sa, *esp_sa_42;
	struct ipsec *tx = ipsec_new(&ops, NULL), *rx = ipsec_new(&ops, NULL);
	struct keys k = {0};
	uint32_t frame = 0;
	int rc = 0;

	if (argc != 2 || !tx || !rx) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/out.pcap", argv[1]);
	pcap = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/inner.txt", argv[1]);
	inner = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/sas.txt", argv[1]);
	sas = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/esp_sa", argv[1]);
	esp_sa = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/esp_sa-wireshark-4.2", argv[1]);
	esp_sa_42 = fopen(path, "w");
	if (!pcap || !inner || !sas || !esp_sa || !esp_sa_42) {
		perror(argv[1]);
		return 2;
	}
	pcap_header(pcap);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !rc; i++)
		rc = run_case(&cases[i], 0x6000 + (uint32_t)i, pcap, inner, sas, tx, rx, &frame);
	if (!rc &&
	    (keys_add_engine(&k, tx) || keys_write_esp_sa(esp_sa, &k, KEYS_WIRESHARK_4_0) < 0 ||
	     keys_write_esp_sa(esp_sa_42, &k, KEYS_WIRESHARK_4_2) < 0))
		rc = -1;
	keys_release(&k);
	if (fclose(pcap) | fclose(inner) | fclose(sas) | fclose(esp_sa) | fclose(esp_sa_42))
		rc = -1;
	ipsec_free(tx);
	ipsec_free(rx);
	printf("%u packets in %zu cases\n", frame, sizeof(cases) / sizeof(cases[0]));
	return rc ? 1 : 0;
}
