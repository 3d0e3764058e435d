#include "sim_host.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns3c.h"
#include "sim_crypto.h"

struct sim_host {
	uint32_t node;
	struct ipsec *engine;
	uint64_t timer;            /* ns3c event id, 0 = none */
	EVP_CIPHER_CTX *keystream; /* AES-128-CTR over zeros: the random stream */
	EVP_CIPHER_CTX *keys;      /* the same, another IV: IKE's private keys */
	struct sim_event_log *log;
	struct ike *ike; /* NULL until started */
	uint64_t ike_timer;
	int sock[2]; /* UDP 500, 4500 */
	struct sim_ike_log *ike_log;
	struct sim_crypto *crypto; /* NULL without a crypto engine */
	unsigned boot;
	/* Ids reported = the engines' + these (lives before a reboot). */
	uint32_t sa_base;
	uint64_t ike_base;
	uint64_t ike_max; /* the highest IKE SA id of this life reported */
};

static uint64_t host_now(void *arg)
{
	(void)arg;
	return ns3c_now_ns();
}

static int stream(EVP_CIPHER_CTX *ctr, uint8_t *buf, size_t len)
{
	int outl = 0;
	memset(buf, 0, len);
	return EVP_EncryptUpdate(ctr, buf, &outl, buf, (int)len) == 1 ? 0 : -1;
}

static int host_random(void *arg, uint8_t *buf, size_t len)
{
	return stream(((struct sim_host *)arg)->keystream, buf, len);
}

static int host_key_bytes(void *arg, uint8_t *buf, size_t len)
{
	return stream(((struct sim_host *)arg)->keys, buf, len);
}

static void host_timeout(void *arg)
{
	struct sim_host *h = arg;
	h->timer = 0;
	ipsec_handle_timeout(h->engine);
}

static void host_timer_arm(void *arg, uint64_t at_ns)
{
	struct sim_host *h = arg;
	if (h->timer)
		ns3c_cancel(h->timer);
	h->timer = at_ns == UINT64_MAX ? 0 : ns3c_schedule_at(at_ns, host_timeout, h);
}

static void host_event(void *arg, const struct ipsec_event *ev)
{
	struct sim_host *h = arg;
	struct sim_event_log *log = h->log;
	if (log->n == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 64;
		struct sim_event *items = realloc(log->items, cap * sizeof *items);
		if (!items)
			return;
		log->items = items;
		log->cap = cap;
	}
	struct sim_event *e = &log->items[log->n++];
	*e = (struct sim_event){ns3c_now_ns(), h->node, *ev};
	e->ev.sa_id = sim_host_sa_id(h, ev->sa_id);
	if (h->ike)
		ike_dataplane_event(h->ike, ev);
}

/* The node's IP stack numbers the outer headers it sends, as every other
 * datagram it originates (sim_ip_id.c). */
static uint16_t host_ip_id(void *arg, uint32_t src, uint32_t dst, uint8_t proto)
{
	return ns3c_ip_id_next(((struct sim_host *)arg)->node, src, dst, proto);
}

static const struct ipsec_host_ops sim_ops = {
        .now_ns = host_now,
        .random_bytes = host_random,
        .timer_arm = host_timer_arm,
        .event = host_event,
        .ip_id = host_ip_id,
};

static void ike_timeout(void *arg)
{
	struct sim_host *h = arg;
	h->ike_timer = 0;
	ike_handle_timeout(h->ike);
}

static void ike_timer_arm(void *arg, uint64_t at_ns)
{
	struct sim_host *h = arg;
	if (h->ike_timer)
		ns3c_cancel(h->ike_timer);
	h->ike_timer = at_ns == UINT64_MAX ? 0 : ns3c_schedule_at(at_ns, ike_timeout, h);
}

/* ns-3 picks the source address by routing; `src` is the one IKE expects. */
static void ike_send(void *arg, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                     uint16_t dport, const uint8_t *data, size_t len)
{
	struct sim_host *h = arg;
	(void)src;
	ns3c_udp_sendto(h->sock[sport == IKE_NATT_PORT], data, len, &dst, dport);
}

static char *copy(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void ike_event(void *arg, const struct ike_event *ev)
{
	struct sim_host *h = arg;
	struct sim_ike_log *log = h->ike_log;
	if (log->n == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 64;
		struct sim_ike_event *items = realloc(log->items, cap * sizeof *items);
		if (!items)
			return;
		log->items = items;
		log->cap = cap;
	}
	struct sim_ike_event *e = &log->items[log->n++];
	*e = (struct sim_ike_event){ns3c_now_ns(), h->node, *ev};
	e->ev.conn = copy(ev->conn);
	e->ev.child = copy(ev->child);
	e->ev.reason = copy(ev->reason);
	e->ev.text = copy(ev->text);
	e->ev.sa_in = sim_host_sa_id(h, ev->sa_in);
	e->ev.sa_out = sim_host_sa_id(h, ev->sa_out);
	if (ev->ike_sa > h->ike_max)
		h->ike_max = ev->ike_sa;
	if (ev->replaced_by > h->ike_max)
		h->ike_max = ev->replaced_by;
	e->ev.ike_sa = ev->ike_sa ? h->ike_base + ev->ike_sa : 0;
	e->ev.replaced_by = ev->replaced_by ? h->ike_base + ev->replaced_by : 0;
}

static void ike_rx(void *arg, const struct ns3c_datagram *d)
{
	struct sim_host *h = arg;
	if (h->sock[0] < 0) /* halted */
		return;
	if (h->crypto && sim_crypto_ike_receive(h->crypto, h->ike, d))
		return;
	ike_receive(h->ike, d->src, d->sport, d->dst, d->dport, d->data, d->len);
}

static const struct ike_host_ops sim_ike_ops = {
        .now_ns = host_now,
        .random_bytes = host_random,
        .timer_arm = ike_timer_arm,
        .send = ike_send,
        .event = ike_event,
        .key_bytes = host_key_bytes,
};

struct ike *sim_host_start_ike(struct sim_host *h, struct sim_ike_log *log, char *err,
                               size_t errlen)
{
	static const uint16_t ports[2] = {IKE_PORT, IKE_NATT_PORT};
	h->ike_log = log;
	for (int i = 0; i < 2; i++) {
		h->sock[i] = ns3c_udp_open(h->node, ports[i], ike_rx, h);
		if (h->sock[i] < 0) {
			snprintf(err, errlen, "cannot open UDP port %u for IKE", ports[i]);
			return NULL;
		}
	}
	h->ike = ike_new(&sim_ike_ops, h, h->engine);
	if (!h->ike)
		snprintf(err, errlen, "out of memory");
	return h->ike;
}

struct ike *sim_host_ike(struct sim_host *h)
{
	return h->ike;
}

void sim_host_set_crypto(struct sim_host *h, struct sim_crypto *crypto)
{
	h->crypto = crypto;
}

void sim_ike_log_free(struct sim_ike_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		struct ike_event *ev = &log->items[i].ev;
		free((char *)ev->conn);
		free((char *)ev->child);
		free((char *)ev->reason);
		free((char *)ev->text);
	}
	free(log->items);
	*log = (struct sim_ike_log){0};
}

static void count_sa(void *arg, uint32_t id)
{
	(void)id;
	(*(uint32_t *)arg)++;
}

struct sim_host *sim_host_new(uint32_t node, uint64_t seed, const struct sim_host *prev,
                              struct sim_event_log *log)
{
	struct sim_host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->node = node;
	h->log = log;
	h->sock[0] = h->sock[1] = -1;
	if (prev) {
		h->boot = prev->boot + 1;
		h->sa_base = prev->sa_base;
		ipsec_sa_foreach(prev->engine, count_sa, &h->sa_base);
		h->ike_base = prev->ike_base + prev->ike_max;
	}
	uint8_t key[16] = {0}, iv[16] = {0};
	memcpy(key, &seed, sizeof seed);
	memcpy(key + 8, &node, sizeof node);
	memcpy(key + 12, &h->boot, sizeof h->boot);
	h->keystream = EVP_CIPHER_CTX_new();
	h->keys = EVP_CIPHER_CTX_new();
	if (!h->keystream || !h->keys ||
	    EVP_EncryptInit_ex(h->keystream, EVP_aes_128_ctr(), NULL, key, iv) != 1)
		goto fail;
	iv[0] = 0x80; /* the other half of the counter space */
	if (EVP_EncryptInit_ex(h->keys, EVP_aes_128_ctr(), NULL, key, iv) != 1)
		goto fail;
	h->engine = ipsec_new(&sim_ops, h);
	if (!h->engine)
		goto fail;
	return h;
fail:
	sim_host_free(h);
	return NULL;
}

struct ipsec *sim_host_engine(struct sim_host *h)
{
	return h->engine;
}

unsigned sim_host_boot(const struct sim_host *h)
{
	return h->boot;
}

uint32_t sim_host_sa_id(const struct sim_host *h, uint32_t id)
{
	return id ? h->sa_base + id : 0;
}

void sim_host_halt(struct sim_host *h)
{
	if (h->timer)
		ns3c_cancel(h->timer);
	if (h->ike_timer)
		ns3c_cancel(h->ike_timer);
	h->timer = h->ike_timer = 0;
	for (int i = 0; i < 2; i++) {
		ns3c_udp_close(h->sock[i]);
		h->sock[i] = -1;
	}
}

void sim_host_free(struct sim_host *h)
{
	if (!h)
		return;
	if (h->ike)
		ike_free(h->ike);
	if (h->engine)
		ipsec_free(h->engine);
	EVP_CIPHER_CTX_free(h->keystream);
	EVP_CIPHER_CTX_free(h->keys);
	free(h);
}
