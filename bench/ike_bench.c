/* IKE SA setups per second of the engine on one core, beside the bare
 * Diffie-Hellman rate measured in the same run.
 *
 * Two IKE engines (initiator and responder, X25519 + PSK, AES-GCM-128,
 * with a Child SA installed into each data plane) exchange messages through
 * an in-memory queue: each setup is IKE_SA_INIT + IKE_AUTH, then a DELETE.
 * Both ends run in this process, so one setup costs two DH key pairs and
 * two shared-secret derivations; the bare rate is X25519 keygen + derive
 * pairs per second.  The two are measured in turns within each round.
 * Printed: setups/s, DH pairs/s, and the ratio per end (2 x setups / DH
 * pairs; 1.0 would mean IKE costs nothing beyond DH), the median of the
 * rounds'.  `--setups N` runs a fixed count untimed instead, for
 * instruction counts under callgrind (bench/instructions.sh). */
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike.h"
#include "ike_crypto.h"

#define QUEUE 16
#define DGRAM 4096
#define ROUNDS 9

struct dgram {
	int to;
	struct ip_addr src, dst;
	uint16_t sport, dport;
	size_t len;
	uint8_t data[DGRAM];
};

struct end {
	struct ipsec *dp;
	struct ike *ike;
	uint64_t ike_deadline;
	unsigned established;
};

static struct end ends[2];
static struct dgram queue[QUEUE];
static size_t queued;
static uint64_t clock_ns;

static uint64_t now_ns(void *h)
{
	(void)h;
	return clock_ns;
}

/* The hosts' random bytes: OpenSSL's RAND drawn 4 KiB at a time, as the
 * simulator's hosts draw theirs from a keystream.  RAND_bytes per request
 * (a dozen per setup) would count its own per-call cost as IKE's: in
 * OpenSSL 3.0 a lock and a getpid() system call each. */
static int random_bytes(void *h, uint8_t *buf, size_t len)
{
	static uint8_t pool[4096];
	static size_t left;
	(void)h;
	while (len) {
		if (!left) {
			if (RAND_bytes(pool, sizeof pool) != 1)
				return -1;
			left = sizeof pool;
		}
		size_t take = len < left ? len : left;
		memcpy(buf, pool + sizeof pool - left, take);
		left -= take;
		buf += take;
		len -= take;
	}
	return 0;
}

static void dp_timer(void *h, uint64_t at)
{
	(void)h;
	(void)at;
}

static void ike_timer(void *h, uint64_t at)
{
	((struct end *)h)->ike_deadline = at;
}

static void send_dgram(void *h, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                       uint16_t dport, const uint8_t *data, size_t len)
{
	if (queued == QUEUE || len > DGRAM)
		return;
	struct dgram *d = &queue[queued++];
	*d = (struct dgram){.to = (struct end *)h == &ends[0],
	                    .src = src,
	                    .dst = dst,
	                    .sport = sport,
	                    .dport = dport,
	                    .len = len};
	memcpy(d->data, data, len);
}

static void event(void *h, const struct ike_event *ev)
{
	if (ev->type == IKE_EV_IKE_SA && ev->state == IKE_STATE_ESTABLISHED)
		((struct end *)h)->established++;
}

static const struct ipsec_host_ops dp_ops = {now_ns, random_bytes, dp_timer, NULL, NULL};
static const struct ike_host_ops ike_ops = {now_ns,     random_bytes, ike_timer,
                                            send_dgram, event,        NULL};

/* Delivers queued datagrams (and due timers) until nothing moves. */
static void pump(void)
{
	static struct dgram d;
	for (;;) {
		clock_ns += 1000;
		for (int i = 0; i < 2; i++)
			if (ends[i].ike_deadline <= clock_ns) {
				ends[i].ike_deadline = UINT64_MAX;
				ike_handle_timeout(ends[i].ike);
			}
		if (!queued)
			return;
		d = queue[0];
		memmove(queue, queue + 1, --queued * sizeof queue[0]);
		ike_receive(ends[d.to].ike, d.src, d.sport, d.dst, d.dport, d.data, d.len);
	}
}

static void conn(struct ike_conn_config *c, int me)
{
	static const uint32_t addr[2] = {0xc0000201, 0xc0000202}; /* 192.0.2.1, .2 */
	static const uint32_t lan[2] = {0x0a010000, 0x0a020000};  /* 10.1/16, 10.2/16 */
	static const char *const id[2] = {"initiator.example", "responder.example"};
	ike_conn_defaults(c);
	strcpy(c->name, "bench");
	c->local_addr = ip_addr_v4(addr[me]);
	c->remote_addr = ip_addr_v4(addr[!me]);
	strcpy(c->proposals, "aes128gcm16-prfsha256-x25519");
	c->local.auth = c->remote.auth = IKE_AUTHC_PSK;
	strcpy(c->local.id.id, id[me]);
	strcpy(c->remote.id.id, id[!me]);
	memcpy(c->psk, "benchmark pre-shared key", 24);
	c->psk_len = 24;
	c->n_children = 1;
	struct ike_child_config *ch = &c->children[0];
	ike_child_defaults(ch);
	strcpy(ch->name, "net");
	strcpy(ch->esp_proposals, "aes128gcm16");
	ch->n_local_ts = ch->n_remote_ts = 1;
	ch->local_ts[0] =
	        (struct ike_ts_config){ip_range_v4(lan[me], lan[me] | 0xffff), 0, 0, 65535};
	ch->remote_ts[0] =
	        (struct ike_ts_config){ip_range_v4(lan[!me], lan[!me] | 0xffff), 0, 0, 65535};
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One IKE SA with its Child SA set up and deleted again.  Not inlined, so
 * that callgrind counts it (bench/instructions.sh). */
__attribute__((noinline)) static void one_setup(void)
{
	ike_initiate(ends[0].ike, "bench", "net");
	pump();
	ike_terminate(ends[0].ike, "bench");
	pump();
}

/* The bare Diffie-Hellman work of one setup: an X25519 key pair and a
 * derivation for each end.  Not inlined, so that callgrind counts it. */
__attribute__((noinline)) static void dh_both_ends(const uint8_t *peer_pub, size_t peer_len)
{
	char err[128];
	uint8_t secret[64];
	size_t len;

	for (int end = 0; end < 2; end++) {
		struct ike_dh *dh = ike_dh_new(IKE_DH_CURVE25519, err, sizeof err);
		if (!dh || ike_dh_derive(dh, peer_pub, peer_len, secret, sizeof secret, &len, err,
		                         sizeof err) != 0) {
			fprintf(stderr, "ike-bench: %s\n", err);
			exit(1);
		}
		ike_dh_free(dh);
	}
}

static void setups(unsigned n)
{
	unsigned before = ends[0].established;
	for (unsigned i = 0; i < n; i++)
		one_setup();
	if (ends[0].established - before != n) {
		fprintf(stderr, "ike-bench: %u of %u setups established\n",
		        ends[0].established - before, n);
		exit(1);
	}
}

static void dh_work(unsigned n, const struct ike_dh *peer)
{
	size_t peer_len;
	const uint8_t *peer_pub = ike_dh_public(peer, &peer_len);
	for (unsigned i = 0; i < n; i++)
		dh_both_ends(peer_pub, peer_len);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	bool counted = argc == 3 && !strcmp(argv[1], "--setups");
	unsigned n = argc == 2 ? (unsigned)atoi(argv[1]) : counted ? (unsigned)atoi(argv[2]) : 300;
	char err[256];
	if (n == 0 || argc > 3 || (argc == 3 && !counted)) {
		fprintf(stderr, "usage: ike-bench [SETUPS_PER_ROUND | --setups N]\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		struct ike_conn_config c;
		ends[i].ike_deadline = UINT64_MAX;
		ends[i].dp = ipsec_new(&dp_ops, &ends[i]);
		ends[i].ike = ike_new(&ike_ops, &ends[i], ends[i].dp);
		conn(&c, i);
		if (!ends[i].ike || ike_conn_add(ends[i].ike, &c, err, sizeof err) != 0) {
			fprintf(stderr, "ike-bench: %s\n", err);
			return 1;
		}
	}
	struct ike_dh *peer = ike_dh_new(IKE_DH_CURVE25519, err, sizeof err);
	if (!peer) {
		fprintf(stderr, "ike-bench: %s\n", err);
		return 1;
	}
	if (counted) {
		/* --setups N: N setups and the DH work of N setups, untimed, for
		 * instructions per call of dh_both_ends and one_setup. */
		setups(n);
		dh_work(n, peer);
	} else {
		/* Each round: the DH work of n setups, then n setups, back to
		 * back, so that a noisy neighbour slows both alike; the ratio
		 * is the median of the rounds'. */
		double ratio[ROUNDS], best_setup = 0, best_dh = 0;
		setups(n / 10 + 1); /* warm up */
		for (int r = 0; r < ROUNDS; r++) {
			double t0 = seconds();
			dh_work(n, peer);
			double t1 = seconds();
			setups(n);
			double t2 = seconds();
			double d = 2 * n / (t1 - t0), s = n / (t2 - t1);
			best_dh = d > best_dh ? d : best_dh;
			best_setup = s > best_setup ? s : best_setup;
			ratio[r] = 2 * s / d;
		}
		qsort(ratio, ROUNDS, sizeof ratio[0], cmp_double);
		printf("IKE SA setups (X25519 + PSK, IKE_SA_INIT + IKE_AUTH + Child SA, then "
		       "DELETE),\n"
		       "both ends in this process, against bare X25519 key pairs + derivations;\n"
		       "%d rounds, each the DH work of %u setups then %u setups:\n",
		       ROUNDS, n, n);
		printf("  setups        %9.0f /s (best round)\n", best_setup);
		printf("  X25519 pairs  %9.0f /s (keygen + derive, best round)\n", best_dh);
		printf("  ratio per end %9.3f (2 x setups / DH pairs, median of the rounds;\n"
		       "                          range %.3f-%.3f; target >= 0.6)\n",
		       ratio[ROUNDS / 2], ratio[0], ratio[ROUNDS - 1]);
	}
	ike_dh_free(peer);
	for (int i = 0; i < 2; i++) {
		ike_free(ends[i].ike);
		ipsec_free(ends[i].dp);
	}
	return 0;
}
