/* ESP throughput of the engine against raw OpenSSL.
 *
 * For each transform and inner packet size: ipsec_output() on one node and
 * ipsec_input() on the other (tunnel mode, one SA pair), against raw EVP
 * making the same EVP calls on the same byte counts with one reused context
 * per direction (as the engine keeps one per SA).  Engine and raw take turns
 * in every round; prints packets per second for both and the median of the
 * rounds' ratios.  `--packets N` runs a fixed count untimed instead, for
 * instruction counts under callgrind (bench/instructions.sh).  Never sets
 * OPENSSL_ia32cap. */
#include "ipsec.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIN_SECONDS 0.1
#define ROUNDS 12

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t host_now(void *h)
{
	(void)h;
	return 0;
}

static int host_random(void *h, uint8_t *buf, size_t len)
{
	uint32_t *s = h;

	for (size_t i = 0; i < len; i++) {
		*s = *s * 1103515245u + 12345u;
		buf[i] = (uint8_t)(*s >> 16);
	}
	return 0;
}

static const struct ipsec_host_ops ops = {.now_ns = host_now, .random_bytes = host_random};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* A UDP packet of `len` bytes over IPv4 with a valid header checksum, or
 * over IPv6 (the engine looks at neither UDP checksum). */
static void build_packet(uint8_t *p, size_t len, int family)
{
	uint32_t sum = 0;

	memset(p, 0xab, len);
	if (family == 6) {
		memset(p, 0, 48);
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(len - 40));
		p[6] = 17;
		p[7] = 64;
		p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
		p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[29] = 1, p[39] = 2;
		put16(p + 40, 1000);
		put16(p + 42, 2000);
		put16(p + 44, (uint16_t)(len - 40));
		return;
	}
	memset(p, 0, 28);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = 17;
	put32(p + 12, 0x0a000001);
	put32(p + 16, 0x0a000102);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(p + 10, (uint16_t)~sum);
	put16(p + 20, 1000);
	put16(p + 22, 2000);
	put16(p + 24, (uint16_t)(len - 20));
}

struct transform {
	const char *name;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	size_t key_len, integ_key_len;
};

/* ---- the engine ---- */

struct engine {
	struct ipsec *a, *b;
	uint32_t seed_a, seed_b;
};

/* A tunnel between 192.0.2.1 and .2, or 2001:db8:ff::1 and ::2. */
static void engine_setup(struct engine *e, const struct transform *t, int family)
{
	struct ipsec_sa_config c = {0};
	struct ipsec_spd_entry sp = {0};
	char err[256];
	uint32_t id;

	e->seed_a = 1;
	e->seed_b = 2;
	e->a = ipsec_new(&ops, &e->seed_a);
	e->b = ipsec_new(&ops, &e->seed_b);
	c.dir = IPSEC_DIR_OUT;
	c.protocol = IPSEC_PROTO_ESP;
	c.mode = IPSEC_MODE_TUNNEL;
	c.spi = 0x1000;
	c.src = ip_addr_v4(0xc0000201);
	c.dst = ip_addr_v4(0xc0000202);
	if (family == 6 &&
	    (ip_addr_parse("2001:db8:ff::1", &c.src) || ip_addr_parse("2001:db8:ff::2", &c.dst)))
		exit(1);
	c.enc = t->enc;
	c.integ = t->integ;
	c.enc_key_len = t->key_len;
	c.integ_key_len = t->integ_key_len;
	for (size_t i = 0; i < sizeof(c.enc_key); i++)
		c.enc_key[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < sizeof(c.integ_key); i++)
		c.integ_key[i] = (uint8_t)(i * 7 + 5);
	c.esn = true;
	if (ipsec_sa_add(e->a, &c, &id, err, sizeof(err))) {
		fprintf(stderr, "esp-bench: %s\n", err);
		exit(1);
	}
	sp.action = IPSEC_ACTION_PROTECT;
	sp.sa_out[0] = id;
	if (ipsec_spd_add(e->a, &sp, err, sizeof(err))) {
		fprintf(stderr, "esp-bench: %s\n", err);
		exit(1);
	}
	c.dir = IPSEC_DIR_IN;
	c.replay_window = 1024;
	if (ipsec_sa_add(e->b, &c, &id, err, sizeof(err))) {
		fprintf(stderr, "esp-bench: %s\n", err);
		exit(1);
	}
}

/* One packet sealed on a and opened on b; *wire_len is the ESP packet's
 * size.  Not inlined, so that callgrind counts it (bench/instructions.sh). */
__attribute__((noinline)) static void engine_seal_open(struct engine *e, const uint8_t *pkt,
                                                       size_t len, uint8_t *out, size_t *wire_len)
{
	static uint8_t wire[2048];
	size_t olen;
	enum ipsec_drop r = IPSEC_DROP__COUNT;

	if (ipsec_output(e->a, pkt, len, wire, sizeof(wire), wire_len, &r) !=
	            IPSEC_VERDICT_PROTECT ||
	    ipsec_input(e->b, wire, *wire_len, out, 2048, &olen, NULL, &r) !=
	            IPSEC_VERDICT_DELIVER ||
	    olen != len) {
		fprintf(stderr, "esp-bench: engine failed: %s\n", ipsec_drop_name(r));
		exit(1);
	}
}

/* ---- raw OpenSSL doing the same work ---- */

struct raw {
	EVP_CIPHER_CTX *ctx, *dec;
	EVP_MAC_CTX *mac;
	const struct transform *t;
	uint64_t seq;
};

static void raw_setup(struct raw *r, const struct transform *t)
{
	uint8_t key[64], mkey[64];
	const EVP_CIPHER *c = t->enc == IPSEC_ENC_AES_GCM16_128       ? EVP_aes_128_gcm()
	                      : t->enc == IPSEC_ENC_AES_GCM16_256     ? EVP_aes_256_gcm()
	                      : t->enc == IPSEC_ENC_CHACHA20_POLY1305 ? EVP_chacha20_poly1305()
	                                                              : EVP_aes_128_cbc();

	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 13 + 1);
		mkey[i] = (uint8_t)(i * 7 + 5);
	}
	r->t = t;
	r->seq = 0;
	r->ctx = EVP_CIPHER_CTX_new();
	EVP_CipherInit_ex2(r->ctx, c, key, NULL, 1, NULL);
	r->dec = EVP_CIPHER_CTX_new();
	EVP_CipherInit_ex2(r->dec, c, key, NULL, 0, NULL);
	/* Padding off only where there is padding (CBC), as the engine does:
	 * OpenSSL 3.0 re-applies the setting on every IV change, ~380
	 * instructions that an AEAD context need not pay. */
	if (EVP_CIPHER_get_block_size(c) > 1) {
		EVP_CIPHER_CTX_set_padding(r->ctx, 0);
		EVP_CIPHER_CTX_set_padding(r->dec, 0);
	}
	r->mac = NULL;
	if (t->integ != IPSEC_INTEG_NONE) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
		OSSL_PARAM p[2] = {
		        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		        OSSL_PARAM_construct_end()};

		r->mac = EVP_MAC_CTX_new(m);
		EVP_MAC_free(m);
		EVP_MAC_init(r->mac, mkey, 32, p);
	}
}

static void raw_free(struct raw *r)
{
	EVP_CIPHER_CTX_free(r->ctx);
	EVP_CIPHER_CTX_free(r->dec);
	EVP_MAC_CTX_free(r->mac);
}

/* Encrypt then decrypt `ct_len` bytes (the ESP plaintext: inner packet,
 * padding, trailer) from pkt into pt with the same AAD and IV sizes ESP
 * uses.  Not inlined, so that callgrind counts it. */
__attribute__((noinline)) static void raw_seal_open(struct raw *r, const uint8_t *pkt,
                                                    size_t ct_len, uint8_t *pt)
{
	static uint8_t ct[2048];
	uint8_t nonce[16] = {0}, aad[12] = {1, 2, 3, 4}, tag[64], tail[32];
	int outl;
	bool aead = !r->mac;

	r->seq++;
	memcpy(nonce + 4, &r->seq, 8);
	memcpy(aad + 4, &r->seq, 8);
	EVP_CipherInit_ex2(r->ctx, NULL, NULL, nonce, -1, NULL);
	if (aead)
		EVP_CipherUpdate(r->ctx, NULL, &outl, aad, 12);
	EVP_CipherUpdate(r->ctx, ct, &outl, pkt, (int)ct_len);
	if (aead) {
		EVP_CipherFinal_ex(r->ctx, tail, &outl);
		EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	} else {
		size_t ml;

		EVP_MAC_init(r->mac, NULL, 0, NULL);
		EVP_MAC_update(r->mac, aad, 8);
		EVP_MAC_update(r->mac, nonce, 16);
		EVP_MAC_update(r->mac, ct, ct_len);
		EVP_MAC_final(r->mac, tag, &ml, sizeof(tag));
		/* verify */
		EVP_MAC_init(r->mac, NULL, 0, NULL);
		EVP_MAC_update(r->mac, aad, 8);
		EVP_MAC_update(r->mac, nonce, 16);
		EVP_MAC_update(r->mac, ct, ct_len);
		EVP_MAC_final(r->mac, tag + 32, &ml, sizeof(tag) - 32);
	}
	EVP_CipherInit_ex2(r->dec, NULL, NULL, nonce, -1, NULL);
	if (aead)
		EVP_CipherUpdate(r->dec, NULL, &outl, aad, 12);
	EVP_CipherUpdate(r->dec, pt, &outl, ct, (int)ct_len);
	if (aead) {
		EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, 16, tag);
		if (EVP_CipherFinal_ex(r->dec, tail, &outl) <= 0) {
			fprintf(stderr, "esp-bench: raw tag mismatch\n");
			exit(1);
		}
	}
}

/* ---- one transform and packet size ---- */

struct bench_case {
	struct engine e;
	struct raw r;
	const uint8_t *pkt;
	size_t len, ct_len, wire_len;
	uint8_t out[2048];
};

static void case_setup(struct bench_case *c, const struct transform *t, const uint8_t *pkt,
                       size_t len, int family)
{
	c->pkt = pkt;
	c->len = len;
	/* ESP plaintext: inner + padding + 2-byte trailer. */
	c->ct_len = t->integ ? (len + 2 + 15) / 16 * 16 : (len + 2 + 3) / 4 * 4;
	engine_setup(&c->e, t, family);
	raw_setup(&c->r, t);
}

static void case_free(struct bench_case *c)
{
	ipsec_free(c->e.a);
	ipsec_free(c->e.b);
	raw_free(&c->r);
}

static void case_check(const struct bench_case *c, size_t len, const char *who)
{
	if (memcmp(c->out, c->pkt, len)) {
		fprintf(stderr, "esp-bench: %s round trip mismatch\n", who);
		exit(1);
	}
}

static void run_engine(struct bench_case *c, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		engine_seal_open(&c->e, c->pkt, c->len, c->out, &c->wire_len);
	case_check(c, c->len, "engine");
}

static void run_raw(struct bench_case *c, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		raw_seal_open(&c->r, c->pkt, c->ct_len, c->out);
	case_check(c, c->ct_len, "raw");
}

/* Packets per second of `run` in batches of 1000 for at least MIN_SECONDS. */
static double rate(void (*run)(struct bench_case *, uint64_t), struct bench_case *c)
{
	uint64_t n = 0;
	double t0 = now_s(), t;

	do {
		run(c, 1000);
		n += 1000;
		t = now_s() - t0;
	} while (t < MIN_SECONDS);
	return (double)n / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const struct transform transforms[] = {
        {"aes-gcm-16-128", IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, 20, 0},
        {"aes-gcm-16-256", IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE, 36, 0},
        {"chacha20-poly1305", IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE, 36, 0},
        {"aes-cbc-128+hmac-sha256-128", IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128, 16, 32},
};
static const size_t sizes[] = {64, 1400};
/* 4-in-4, and 6-in-6 (the outer header and the SAD key 20 bytes longer) */
static const int families[] = {4, 6};

#define NTRANSFORMS (sizeof(transforms) / sizeof(transforms[0]))
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* Engine and raw EVP take turns within each round; the ratio is the median
 * of the rounds' ratios, so a noisy neighbour slows both sides of a round
 * alike rather than one side's best round. */
static void timed(void)
{
	static uint8_t pkt[2048];

	printf("ESP seal+open (ipsec_output + ipsec_input, tunnel, one SA pair) vs raw EVP\n");
	printf("doing the same encrypt+decrypt(+HMAC) work, one reused context per direction.\n");
	printf("%d rounds, each engine then raw for >= %.1f s; pps: best round; ratio: median\n"
	       "of the rounds' engine/raw.\n\n",
	       ROUNDS, MIN_SECONDS);
	printf("%-28s %2s %6s %12s %12s %10s %7s\n", "transform", "IP", "inner", "engine pps",
	       "raw pps", "engine Gb/s", "ratio");
	for (size_t i = 0; i < NTRANSFORMS; i++) {
		for (size_t k = 0; k < NSIZES * NFAMILIES; k++) {
			size_t s = k / NFAMILIES;
			int f = families[k % NFAMILIES];
			struct bench_case c;
			double ratio[ROUNDS], best_e = 0, best_r = 0;

			build_packet(pkt, sizes[s], f);
			case_setup(&c, &transforms[i], pkt, sizes[s], f);
			for (int round = 0; round < ROUNDS; round++) {
				double pe = rate(run_engine, &c), pr = rate(run_raw, &c);

				best_e = pe > best_e ? pe : best_e;
				best_r = pr > best_r ? pr : best_r;
				ratio[round] = pe / pr;
			}
			printf("%-28s %2d %6zu %12.0f %12.0f %10.2f %7.3f\n", transforms[i].name, f,
			       sizes[s], best_e, best_r, best_e * (double)sizes[s] * 8 / 1e9,
			       median(ratio, ROUNDS));
			case_free(&c);
		}
	}
}

/* --packets N: every case for exactly N packets on each side, untimed, for
 * an instruction count of engine_seal_open and raw_seal_open under
 * callgrind (bench/instructions.sh); NAME, SIZE and FAMILY (4, the
 * default, or 6) pick one case. */
static int counted(uint64_t n, const char *name, size_t size, int family)
{
	static uint8_t pkt[2048];
	int ran = 0;

	for (size_t i = 0; i < NTRANSFORMS; i++) {
		for (size_t k = 0; k < NSIZES * NFAMILIES; k++) {
			size_t s = k / NFAMILIES;
			int f = families[k % NFAMILIES];
			struct bench_case c;

			if ((name && strcmp(name, transforms[i].name)) ||
			    (size && size != sizes[s]) || (family && family != f))
				continue;
			build_packet(pkt, sizes[s], f);
			case_setup(&c, &transforms[i], pkt, sizes[s], f);
			run_engine(&c, n);
			run_raw(&c, n);
			case_free(&c);
			ran++;
		}
	}
	if (!ran)
		fprintf(stderr, "esp-bench: no case %s %zu\n", name, size);
	return ran ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc == 1) {
		timed();
		return 0;
	}
	if ((argc == 3 || argc == 5 || argc == 6) && !strcmp(argv[1], "--packets") &&
	    atoll(argv[2]) > 0)
		return counted((uint64_t)atoll(argv[2]), argc >= 5 ? argv[3] : NULL,
		               argc >= 5 ? (size_t)atol(argv[4]) : 0,
		               argc == 6   ? atoi(argv[5])
		               : argc == 5 ? 4
		                           : 0);
	fprintf(stderr, "usage: esp-bench [--packets N [TRANSFORM SIZE [4|6]]]\n");
	return 2;
}
