/* IKE SA setups per second of the engine on one core, beside the bare
 * Diffie-Hellman rate measured in the same run.
 *
 * Two IKE engines (initiator and responder, X25519 + PSK, AES-GCM-128,
 * with a Child SA installed into each data plane) exchange messages through
 * an in-memory queue: each setup is IKE_SA_INIT + IKE_AUTH, then a DELETE.
 * Both ends run in this process, so one setup costs two DH key pairs and
 * two shared-secret derivations; the bare rate is X25519 keygen + derive
 * pairs per second.  Printed: setups/s, DH pairs/s, and the ratio per end
 * (2 x setups / DH pairs; 1.0 would mean IKE costs nothing beyond DH). */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike.h"
#include "ike_crypto.h"

#define QUEUE 16
#define DGRAM 4096
#define ROUNDS 3

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

static int random_bytes(void *h, uint8_t *buf, size_t len)
{
	(void)h;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
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

static double setups_per_second(unsigned n)
{
	unsigned before = ends[0].established;
	double t0 = seconds();
	for (unsigned i = 0; i < n; i++) {
		ike_initiate(ends[0].ike, "bench", "net");
		pump();
		ike_terminate(ends[0].ike, "bench");
		pump();
	}
	double t = seconds() - t0;
	if (ends[0].established - before != n) {
		fprintf(stderr, "ike-bench: %u of %u setups established\n",
		        ends[0].established - before, n);
		exit(1);
	}
	return n / t;
}

static double dh_pairs_per_second(unsigned n)
{
	char err[128];
	uint8_t secret[64];
	size_t len;
	struct ike_dh *peer = ike_dh_new(31, err, sizeof err);
	size_t peer_len;
	const uint8_t *peer_pub = ike_dh_public(peer, &peer_len);
	double t0 = seconds();
	for (unsigned i = 0; i < n; i++) {
		struct ike_dh *dh = ike_dh_new(31, err, sizeof err);
		if (!dh || ike_dh_derive(dh, peer_pub, peer_len, secret, sizeof secret, &len, err,
		                         sizeof err) != 0) {
			fprintf(stderr, "ike-bench: %s\n", err);
			exit(1);
		}
		ike_dh_free(dh);
	}
	double t = seconds() - t0;
	ike_dh_free(peer);
	return n / t;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	char err[256];
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
	setups_per_second(n / 10 + 1); /* warm up */
	double best_setup = 0, best_dh = 0;
	for (int r = 0; r < ROUNDS; r++) { /* taking turns, best of each */
		double s = setups_per_second(n), d = dh_pairs_per_second(2 * n);
		best_setup = s > best_setup ? s : best_setup;
		best_dh = d > best_dh ? d : best_dh;
	}
	printf("IKE SA setups (X25519 + PSK, IKE_SA_INIT + IKE_AUTH + Child SA, then DELETE),\n"
	       "both ends in this process, best of %d rounds of %u:\n",
	       ROUNDS, n);
	printf("  setups        %9.0f /s\n", best_setup);
	printf("  X25519 pairs  %9.0f /s (keygen + derive)\n", best_dh);
	printf("  ratio per end %9.3f (2 x setups / DH pairs; target >= 0.5)\n",
	       2 * best_setup / best_dh);
	for (int i = 0; i < 2; i++) {
		ike_free(ends[i].ike);
		ipsec_free(ends[i].dp);
	}
	return 0;
}
