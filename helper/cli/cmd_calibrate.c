/* ipsec-sim calibrate [--out FILE] [--name NAME] [--time SECONDS]
 *
 * Measures this host's cryptography through the engine's own code and
 * writes a crypto-engine profile (docs/scenario-reference.md,
 * "crypto_engine") for one core:
 *   - per transform class, ipsec_output() and ipsec_input() of one tunnel
 *     SA pair at 64- and 1400-byte inner packets; the mean of both
 *     directions is fitted as per_packet + per_byte * (ESP/AH packet
 *     length), the length the simulation charges;
 *   - Diffie-Hellman keygen + derive per group (ike_dh_new, ike_dh_derive);
 *   - ECDSA P-256 and RSA-2048 AUTH signatures and verifications
 *     (ike_auth_sign, ike_auth_verify, RFC 7427, SHA-256);
 *   - one IKE key schedule: SKEYSEED and SK_* (ike_skeyseed,
 *     ike_derive_keys).
 * OPENSSL_ia32cap is never set here: OpenSSL uses what the CPU offers (a
 * value in the environment is reported in the profile's header, since it
 * changes what is measured).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "crypto_engine.h"
#include "ike_crypto.h"
#include "ipsec.h"
#include "ipv4.h"

#define BATCH 256
/* Each figure is the least of this many runs sharing the time budget:
 * other processes on a shared machine only ever make things slower. */
#define REPEATS 7
#define PKT_CAP (1500 + IPSEC_MAX_OVERHEAD)

static const size_t SIZES[2] = {64, 1400};

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

/* IVs for CBC: a cheap deterministic stream (the simulation's host uses
 * AES-CTR; either costs little beside the packet's own work). */
static int host_random(void *h, uint8_t *buf, size_t len)
{
	uint64_t *s = h;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (uint8_t)(*s >> 56);
	}
	return 0;
}

static void host_timer(void *h, uint64_t at)
{
	(void)h;
	(void)at;
}

static const struct ipsec_host_ops ops = {
        .now_ns = host_now, .random_bytes = host_random, .timer_arm = host_timer};

struct transform {
	enum ce_class cls;
	enum ipsec_protocol proto;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	const char *what;
};

static const struct transform TRANSFORMS[CE_CLASS__COUNT] = {
        {CE_AES128_GCM, IPSEC_PROTO_ESP, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE,
         "ESP aes128gcm16"},
        {CE_AES256_GCM, IPSEC_PROTO_ESP, IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE,
         "ESP aes256gcm16"},
        {CE_CHACHA20_POLY1305, IPSEC_PROTO_ESP, IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE,
         "ESP chacha20poly1305"},
        {CE_AES_CBC_HMAC, IPSEC_PROTO_ESP, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128,
         "ESP aes128-sha256"},
        {CE_HMAC, IPSEC_PROTO_AH, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128, "AH sha256"},
};

struct pair {
	struct ipsec *out, *in;
	uint64_t rng_out, rng_in;
};

static int pair_new(struct pair *p, const struct transform *t, char *err, size_t errlen)
{
	const struct enc_transform *et = enc_transform(t->enc);
	const struct integ_transform *it = integ_transform(t->integ);
	struct ipsec_sa_config c = {
	        .dir = IPSEC_DIR_OUT,
	        .protocol = t->proto,
	        .mode = IPSEC_MODE_TUNNEL,
	        .spi = 0x1001,
	        .src = ip_addr_v4(0xC0000201), /* 192.0.2.1 */
	        .dst = ip_addr_v4(0xC0000202),
	        .enc = t->enc,
	        .integ = t->integ,
	        .enc_key_len = et->key_len + et->salt_len,
	        .integ_key_len = it->key_len,
	};
	for (size_t i = 0; i < sizeof c.enc_key; i++)
		c.enc_key[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < sizeof c.integ_key; i++)
		c.integ_key[i] = (uint8_t)(0x80 + i);
	p->rng_out = 1;
	p->rng_in = 2;
	p->out = ipsec_new(&ops, &p->rng_out);
	p->in = ipsec_new(&ops, &p->rng_in);
	uint32_t out_id, in_id;
	if (!p->out || !p->in || ipsec_sa_add(p->out, &c, &out_id, err, errlen) != 0)
		return -1;
	c.dir = IPSEC_DIR_IN;
	if (ipsec_sa_add(p->in, &c, &in_id, err, errlen) != 0)
		return -1;
	struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT, .sa_out = {out_id}};
	struct ipsec_spd_entry f = {.action = IPSEC_ACTION_PROTECT, .sa_in = {in_id}};
	if (ipsec_spd_add(p->out, &e, err, errlen) != 0 ||
	    ipsec_spd_add(p->in, &f, err, errlen) != 0)
		return -1;
	return 0;
}

static void pair_free(struct pair *p)
{
	if (p->out)
		ipsec_free(p->out);
	if (p->in)
		ipsec_free(p->in);
}

/* A UDP packet of `len` bytes from 10.1.0.2 to 10.2.0.2. */
static void build_packet(uint8_t *p, size_t len)
{
	ipv4_build(p, 0, (uint16_t)len, 1, 0, 64, 17, 0x0A010002, 0x0A020002);
	for (size_t i = IPV4_HDR_LEN; i < len; i++)
		p[i] = (uint8_t)i;
	p[IPV4_HDR_LEN + 4] = (uint8_t)((len - IPV4_HDR_LEN) >> 8);
	p[IPV4_HDR_LEN + 5] = (uint8_t)(len - IPV4_HDR_LEN);
	p[IPV4_HDR_LEN + 6] = p[IPV4_HDR_LEN + 7] = 0;
}

/* Mean ns per packet over both directions, and the ESP/AH length. */
static int measure_once(struct pair *p, size_t size, double budget, double *ns, size_t *wire,
                        char *err, size_t errlen)
{
	static uint8_t in[PKT_CAP], out[BATCH][PKT_CAP], back[PKT_CAP];
	size_t out_len[BATCH], n;
	uint32_t sa;
	enum ipsec_drop why;
	double t_enc = 0, t_dec = 0;
	uint64_t count = 0;

	build_packet(in, size);
	for (int round = 0; round == 0 || t_enc + t_dec < budget; round++) {
		double t0 = now_s();
		for (int i = 0; i < BATCH; i++)
			if (ipsec_output(p->out, in, size, out[i], PKT_CAP, &out_len[i], &why) !=
			    IPSEC_VERDICT_PROTECT) {
				snprintf(err, errlen, "ipsec_output: %s", ipsec_drop_name(why));
				return -1;
			}
		double t1 = now_s();
		for (int i = 0; i < BATCH; i++)
			if (ipsec_input(p->in, out[i], out_len[i], back, PKT_CAP, &n, &sa, &why) !=
			    IPSEC_VERDICT_DELIVER) {
				snprintf(err, errlen, "ipsec_input: %s", ipsec_drop_name(why));
				return -1;
			}
		double t2 = now_s();
		if (round == 0)
			continue; /* warm-up */
		t_enc += t1 - t0;
		t_dec += t2 - t1;
		count += BATCH;
	}
	*ns = (t_enc + t_dec) * 1e9 / (2.0 * (double)count);
	*wire = out_len[0];
	return 0;
}

static int measure_packets(struct pair *p, size_t size, double budget, double *ns, size_t *wire,
                           char *err, size_t errlen)
{
	for (int r = 0; r < REPEATS; r++) {
		double x;
		if (measure_once(p, size, budget / REPEATS, &x, wire, err, errlen) != 0)
			return -1;
		if (r == 0 || x < *ns)
			*ns = x;
	}
	return 0;
}

/* Runs fn until `budget` / REPEATS seconds have passed (at least `min`
 * times), REPEATS times; the least mean ns per call, or a negative value
 * when fn fails. */
static double time_calls(int (*fn)(void *), void *arg, double budget, int min)
{
	double best = -1;
	if (fn(arg) != 0) /* warm-up */
		return -1;
	for (int r = 0; r < REPEATS; r++) {
		int n = 0;
		double t0 = now_s(), t;
		do {
			if (fn(arg) != 0)
				return -1;
			n++;
			t = now_s();
		} while (t - t0 < budget / REPEATS || n < min);
		double ns = (t - t0) * 1e9 / n;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

struct dh_job {
	uint16_t group;
	struct ike_dh *peer;
};

static int dh_once(void *arg)
{
	struct dh_job *j = arg;
	char err[128];
	uint8_t secret[IKE_DH_MAX_SECRET];
	size_t peer_len, len;
	const uint8_t *peer = ike_dh_public(j->peer, &peer_len);
	struct ike_dh *dh = ike_dh_new(j->group, err, sizeof err);
	int rc =
	        dh ? ike_dh_derive(dh, peer, peer_len, secret, sizeof secret, &len, err, sizeof err)
	           : -1;
	ike_dh_free(dh);
	return rc;
}

struct sig_job {
	EVP_PKEY *key;
	struct ike_auth_input in;
	uint8_t auth[1024];
	size_t auth_len;
};

static int sign_once(void *arg)
{
	struct sig_job *j = arg;
	char err[128];
	return ike_auth_sign(j->key, IKE_HASH_SHA2_256, &j->in, j->auth, sizeof j->auth,
	                     &j->auth_len, err, sizeof err);
}

static int verify_once(void *arg)
{
	struct sig_job *j = arg;
	char err[128];
	return ike_auth_verify(j->key, &j->in, j->auth, j->auth_len, err, sizeof err);
}

static int prf_once(void *arg)
{
	(void)arg;
	static const uint8_t ni[32] = {1}, nr[32] = {2}, g_ir[32] = {3};
	static const uint8_t spi_i[IKE_SPI_LEN] = {4}, spi_r[IKE_SPI_LEN] = {5};
	struct ike_suite s = {.encr = IKE_ENCR_AES_GCM_16,
	                      .encr_bits = 256,
	                      .prf = IKE_PRF_HMAC_SHA2_256,
	                      .integ = IKE_INTEG_NONE,
	                      .dh = 31};
	uint8_t skeyseed[IKE_PRF_MAX_LEN];
	struct ike_keys k;
	char err[128];
	int rc = ike_skeyseed(s.prf, ni, sizeof ni, nr, sizeof nr, g_ir, sizeof g_ir, skeyseed) ||
	         ike_derive_keys(&s, skeyseed, 32, ni, sizeof ni, nr, sizeof nr, spi_i, spi_r, &k,
	                         err, sizeof err);
	ike_keys_wipe(&k);
	return rc;
}

/* "Intel(R) Xeon(R) ..." from /proc/cpuinfo, or "unknown CPU". */
static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	snprintf(buf, len, "unknown CPU");
	while (f && fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = 0;
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim calibrate [--out FILE] [--name NAME] [--time SECONDS]\n"
	                "  measures OpenSSL through the engine on this host and writes a crypto\n"
	                "  engine profile (stdout without --out); --time is spent per measurement\n"
	                "  (default 0.5)\n");
	return 2;
}

int cmd_calibrate(int argc, char **argv)
{
	const char *out_path = NULL, *name = "software";
	double budget = 0.5;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_path = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--time") && i + 1 < argc) {
			char *end;
			budget = strtod(argv[++i], &end);
			if (*end || !(budget > 0 && budget <= 60)) {
				fprintf(stderr,
				        "calibrate: --time: '%s' is not a number of seconds in "
				        "(0, 60]\n",
				        argv[i]);
				return 2;
			}
		} else
			return usage();
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
	            strlen(name) ||
	    !name[0] || strlen(name) > 63) {
		fprintf(stderr,
		        "calibrate: --name: '%s' is not a valid profile name (letters, "
		        "digits, '_' and '-')\n",
		        name);
		return 2;
	}
	char err[256];
	struct ce_cost cost[CE_CLASS__COUNT];
	double at[CE_CLASS__COUNT][2];
	size_t wire[CE_CLASS__COUNT][2];
	for (int k = -1; k < CE_CLASS__COUNT; k++) { /* -1: warm-up, unrecorded */
		if (k < 0) {
			struct pair p = {0};
			if (pair_new(&p, &TRANSFORMS[0], err, sizeof err) == 0)
				measure_once(&p, SIZES[1], budget / REPEATS, &at[0][1], &wire[0][1],
				             err, sizeof err);
			pair_free(&p);
			continue;
		}
		struct pair p = {0};
		if (pair_new(&p, &TRANSFORMS[k], err, sizeof err) != 0) {
			fprintf(stderr, "calibrate: %s: %s\n", TRANSFORMS[k].what, err);
			pair_free(&p);
			return 1;
		}
		for (int s = 0; s < 2; s++)
			if (measure_packets(&p, SIZES[s], budget, &at[k][s], &wire[k][s], err,
			                    sizeof err) != 0) {
				fprintf(stderr, "calibrate: %s: %s\n", TRANSFORMS[k].what, err);
				pair_free(&p);
				return 1;
			}
		pair_free(&p);
		/* the line through both points; costs are never negative */
		double per_byte = (at[k][1] - at[k][0]) / (double)(wire[k][1] - wire[k][0]);
		if (per_byte < 0)
			per_byte = 0;
		double per_packet = at[k][0] - per_byte * (double)wire[k][0];
		cost[k] = (struct ce_cost){per_packet > 0 ? per_packet : 0, per_byte};
		fprintf(stderr, "%-22s %7.1f ns at %zu B, %7.1f ns at %zu B\n", TRANSFORMS[k].what,
		        at[k][0], wire[k][0], at[k][1], wire[k][1]);
	}

	static const uint16_t groups[CE_DH__COUNT] = {[CE_DH_X25519] = 31,
	                                              [CE_DH_ECP256] = 19,
	                                              [CE_DH_ECP384] = 20,
	                                              [CE_DH_MODP2048] = 14,
	                                              [CE_DH_MODP3072] = 15};
	double dh[CE_DH__COUNT];
	for (int d = 0; d < CE_DH__COUNT; d++) {
		struct dh_job j = {groups[d], ike_dh_new(groups[d], err, sizeof err)};
		dh[d] = j.peer ? time_calls(dh_once, &j, budget, 5) : -1;
		ike_dh_free(j.peer);
		if (dh[d] < 0) {
			fprintf(stderr, "calibrate: DH group %u failed\n", groups[d]);
			return 1;
		}
		fprintf(stderr, "DH %-18s %9.1f us (keygen + derive)\n", ce_dh_name((enum ce_dh)d),
		        dh[d] / 1e3);
	}

	double sign[CE_SIG__COUNT], verify[CE_SIG__COUNT];
	static uint8_t real_msg[400], nonce[32], sk_p[32], id_body[12];
	for (int s = 0; s < CE_SIG__COUNT; s++) {
		struct sig_job j = {.in = {.prf = IKE_PRF_HMAC_SHA2_256,
		                           .real_msg = real_msg,
		                           .real_msg_len = sizeof real_msg,
		                           .peer_nonce = nonce,
		                           .peer_nonce_len = sizeof nonce,
		                           .sk_p = sk_p,
		                           .sk_p_len = sizeof sk_p,
		                           .id_body = id_body,
		                           .id_body_len = sizeof id_body}};
		j.key = s == CE_SIG_ECDSA256 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
		                             : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		sign[s] = j.key ? time_calls(sign_once, &j, budget, 5) : -1;
		verify[s] = sign[s] >= 0 ? time_calls(verify_once, &j, budget, 5) : -1;
		EVP_PKEY_free(j.key);
		if (sign[s] < 0 || verify[s] < 0) {
			fprintf(stderr, "calibrate: %s signatures failed\n",
			        ce_sig_name((enum ce_sig)s));
			return 1;
		}
		fprintf(stderr, "%-22s %9.1f us sign, %9.1f us verify\n",
		        ce_sig_name((enum ce_sig)s), sign[s] / 1e3, verify[s] / 1e3);
	}
	double prf = time_calls(prf_once, NULL, budget, 5);
	if (prf < 0) {
		fprintf(stderr, "calibrate: the IKE key schedule failed\n");
		return 1;
	}
	fprintf(stderr, "%-22s %9.2f us\n", "key schedule (prf)", prf / 1e3);

	FILE *f = out_path ? fopen(out_path, "w") : stdout;
	if (!f) {
		perror(out_path);
		return 1;
	}
	struct utsname u;
	char cpu[256], date[32];
	time_t now = time(NULL);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	const char *ia32cap = getenv("OPENSSL_ia32cap");
	cpu_model(cpu, sizeof cpu);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	if (uname(&u) != 0)
		snprintf(u.nodename, sizeof u.nodename, "unknown");
	fprintf(f,
	        "# Crypto engine profile written by `ipsec-sim calibrate` "
	        "(helper/cli/cmd_calibrate.c).\n"
	        "# host: %s (%s, %ld cores online), %s %s\n"
	        "# date: %s\n"
	        "# OpenSSL: %s\n"
	        "# OPENSSL_ia32cap: %s\n"
	        "# One core.  Packets: the engine's ESP/AH path (ipsec_output + ipsec_input,\n"
	        "# tunnel mode, mean of both directions) at 64- and 1400-byte inner packets,\n"
	        "# fitted as per_packet + per_byte * ESP/AH packet length.  DH: keygen +\n"
	        "# derive.  Signatures: RFC 7427 AUTH data, SHA-256.  prf: SKEYSEED + SK_*.\n"
	        "# Each figure: the least of %d runs, %.2f s in all.  Set `lanes` to the\n"
	        "# cores that do crypto.\n",
	        u.nodename, cpu, cores, u.sysname, u.release, date,
	        OpenSSL_version(OPENSSL_VERSION),
	        ia32cap ? ia32cap : "not set (OpenSSL uses every CPU feature it detects)", REPEATS,
	        budget);
	fprintf(f,
	        "profile: %s\n"
	        "description: software IPsec on one core of this host, calibrated %s\n"
	        "lanes: 1\n"
	        "queue: 1000\n"
	        "latency: 0\n"
	        "ike: engine\n"
	        "transforms:\n",
	        name, date);
	char key[32];
#define KEY(name) (snprintf(key, sizeof key, "%s:", (name)), key)
	for (int k = 0; k < CE_CLASS__COUNT; k++)
		fprintf(f,
		        "  %-18s {per_packet: %.1fns, per_byte: %.4fns}  # %zu B: %.0f ns, %zu B: "
		        "%.0f ns\n",
		        KEY(ce_class_name((enum ce_class)k)), cost[k].per_packet_ns,
		        cost[k].per_byte_ns, wire[k][0], at[k][0], wire[k][1], at[k][1]);
	fprintf(f, "dh:\n");
	for (int d = 0; d < CE_DH__COUNT; d++)
		fprintf(f, "  %-10s %.1fus\n", KEY(ce_dh_name((enum ce_dh)d)), dh[d] / 1e3);
	fprintf(f, "sign:\n");
	for (int s = 0; s < CE_SIG__COUNT; s++)
		fprintf(f, "  %-10s %.1fus\n", KEY(ce_sig_name((enum ce_sig)s)), sign[s] / 1e3);
	fprintf(f, "verify:\n");
	for (int s = 0; s < CE_SIG__COUNT; s++)
		fprintf(f, "  %-10s %.1fus\n", KEY(ce_sig_name((enum ce_sig)s)), verify[s] / 1e3);
#undef KEY
	fprintf(f, "prf: %.2fus\n", prf / 1e3);
	if (out_path && fclose(f) != 0) {
		perror(out_path);
		return 1;
	}
	if (out_path)
		fprintf(stderr, "wrote %s\n", out_path);
	return 0;
}
