#include "sim_host.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "ns3c.h"

struct sim_host {
	uint32_t node;
	struct ipsec *engine;
	uint64_t timer;            /* ns3c event id, 0 = none */
	EVP_CIPHER_CTX *keystream; /* AES-128-CTR over zeros: the random stream */
	struct sim_event_log *log;
};

static uint64_t host_now(void *arg)
{
	(void)arg;
	return ns3c_now_ns();
}

static int host_random(void *arg, uint8_t *buf, size_t len)
{
	struct sim_host *h = arg;
	int outl = 0;
	memset(buf, 0, len);
	return EVP_EncryptUpdate(h->keystream, buf, &outl, buf, (int)len) == 1 ? 0 : -1;
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
	log->items[log->n++] = (struct sim_event){ns3c_now_ns(), h->node, *ev};
}

static const struct ipsec_host_ops sim_ops = {
        .now_ns = host_now,
        .random_bytes = host_random,
        .timer_arm = host_timer_arm,
        .event = host_event,
};

struct sim_host *sim_host_new(uint32_t node, uint64_t seed, struct sim_event_log *log)
{
	struct sim_host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->node = node;
	h->log = log;
	uint8_t key[16] = {0}, iv[16] = {0};
	memcpy(key, &seed, sizeof seed);
	memcpy(key + 8, &node, sizeof node);
	h->keystream = EVP_CIPHER_CTX_new();
	if (!h->keystream ||
	    EVP_EncryptInit_ex(h->keystream, EVP_aes_128_ctr(), NULL, key, iv) != 1)
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

void sim_host_free(struct sim_host *h)
{
	if (!h)
		return;
	if (h->engine)
		ipsec_free(h->engine);
	EVP_CIPHER_CTX_free(h->keystream);
	free(h);
}
