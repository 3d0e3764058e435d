/* A node's crypto engine in the simulation (sim_crypto.h), and its row in
 * the results (crypto_engines, docs/metrics-schema.md). */
#include "sim_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"
#include "ipv4.h"
#include "sim_internal.h"

/* IKE messages remembered so that a retransmitted copy is not charged
 * twice. */
#define SEEN_MAX 64
#define ESP_NATT_PORT 4500

struct spi_entry {
	uint64_t key; /* (inbound << 32 | spi) + 1; 0 = empty */
	enum ce_class cls;
};

/* An IKE datagram waiting for its work to be done. */
struct pending {
	struct pending *prev, *next;
	struct sim_crypto *c;
	struct ike *ike;
	uint64_t event; /* ns3c event handing it on */
	struct ns3c_datagram d;
	uint8_t data[];
};

struct seen {
	uint8_t head[20]; /* SPIs, next payload, version, exchange, flags */
	uint32_t msg_id;
	size_t len;
};

struct sim_crypto {
	uint32_t node;
	struct ipsec *ipsec;
	struct crypto_engine *engine;
	struct spi_entry *spis; /* open addressing, a power of two */
	size_t spi_cap, spi_count;
	/* from the node's IKE configuration */
	bool local_pubkey, remote_pubkey;
	enum ce_sig sig;
	uint16_t pfs_group; /* 0: no child asks for PFS */
	struct seen seen[SEEN_MAX];
	size_t n_seen;
	struct pending *pending; /* IKE messages to hand on, in order */
	uint64_t ike_ready;      /* when the last of them is handed on */
};

/* ---- SPI -> transform class ---- */

static size_t spi_slot(const struct sim_crypto *c, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (c->spi_cap - 1);
	while (c->spis[i].key && c->spis[i].key != key)
		i = (i + 1) & (c->spi_cap - 1);
	return i;
}

static void spi_put(struct sim_crypto *c, uint64_t key, enum ce_class cls)
{
	if (2 * (c->spi_count + 1) > c->spi_cap) {
		size_t old_cap = c->spi_cap, cap = old_cap ? 2 * old_cap : 64;
		struct spi_entry *old = c->spis, *n = calloc(cap, sizeof *n);
		if (!n)
			return;
		c->spis = n;
		c->spi_cap = cap;
		c->spi_count = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key)
				spi_put(c, old[i].key, old[i].cls);
		free(old);
	}
	size_t i = spi_slot(c, key);
	if (!c->spis[i].key)
		c->spi_count++;
	c->spis[i] = (struct spi_entry){key, cls};
}

static void learn_sa(void *arg, uint32_t id)
{
	struct sim_crypto *c = arg;
	const struct ipsec_sa_config *cfg = ipsec_sa_config(c->ipsec, id);
	if (!cfg)
		return;
	uint64_t key = ((uint64_t)(cfg->dir == IPSEC_DIR_IN) << 32 | cfg->spi) + 1;
	spi_put(c, key, ce_class_of(cfg->protocol, cfg->enc, cfg->integ));
}

static bool be32_at(const uint8_t *p, size_t len, size_t off, uint32_t *v)
{
	if (off + 4 > len)
		return false;
	*v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
	     p[off + 3];
	return true;
}

/* The SPI of an ESP (RFC 4303 §2.1), AH (RFC 4302 §2.4) or UDP-encapsulated
 * ESP (RFC 3948 §2.1) packet. */
static bool packet_spi(const uint8_t *pkt, size_t len, uint32_t *spi)
{
	struct ipv4_view ip;
	if (ipv4_parse(pkt, len, &ip) != 0)
		return false;
	switch (ip.proto) {
	case IPSEC_PROTO_ESP:
		return be32_at(pkt, len, ip.hdr_len, spi);
	case IPSEC_PROTO_AH:
		return be32_at(pkt, len, ip.hdr_len + 4, spi);
	case 17:
		return be32_at(pkt, len, ip.hdr_len + 8, spi) && *spi != 0;
	default:
		return false;
	}
}

static bool class_of_packet(struct sim_crypto *c, bool inbound, const uint8_t *pkt, size_t len,
                            enum ce_class *cls)
{
	uint32_t spi;
	if (!packet_spi(pkt, len, &spi))
		return false;
	uint64_t key = ((uint64_t)inbound << 32 | spi) + 1;
	for (int pass = 0; pass < 2 && c->spi_cap; pass++) {
		size_t i = spi_slot(c, key);
		if (c->spis[i].key == key) {
			*cls = c->spis[i].cls;
			return true;
		}
		if (pass == 0) /* an SA added since: learn them all again */
			ipsec_sa_foreach(c->ipsec, learn_sa, c);
	}
	return false;
}

/* Drops after which the engine did the cryptographic work anyway: the ICV
 * was computed, or the packet was decrypted and then refused. */
static bool work_done(int dropped)
{
	return dropped == IPSEC_DROP_ICV_FAIL || dropped == IPSEC_DROP_DUMMY ||
	       dropped == IPSEC_DROP_POLICY_MISMATCH;
}

uint64_t sim_crypto_packet(void *arg, uint32_t node, int inbound, int dropped, const uint8_t *pkt,
                           size_t len)
{
	struct sim_crypto *c = arg;
	uint64_t now = ns3c_now_ns();
	enum ce_class cls;
	(void)node;
	if (dropped >= 0 && !work_done(dropped))
		return now;
	if (!class_of_packet(c, inbound != 0, pkt, len, &cls))
		return now; /* not ours to charge: no SA has this SPI */
	uint64_t at = crypto_engine_submit(c->engine, now, len, cls);
	if (at == CE_DROPPED && dropped < 0)
		ipsec_count_drop(c->ipsec, IPSEC_DROP_CRYPTO_QUEUE_FULL);
	return at == CE_DROPPED ? UINT64_MAX : at;
}

/* ---- IKE ---- */

/* A DH group named in a strongSwan proposal string (ike_proposal.h), 0 if
 * none. */
static uint16_t proposal_group(const char *s)
{
	static const struct {
		const char *word;
		uint16_t group;
	} groups[] = {{"modp2048", 14}, {"modp3072", 15}, {"ecp256", 19},     {"ecp384", 20},
	              {"ecp521", 21},   {"x25519", 31},   {"curve25519", 31}, {NULL, 0}};
	char buf[IKE_PROPOSALS_MAX];
	snprintf(buf, sizeof buf, "%s", s);
	char *save = NULL;
	for (char *t = strtok_r(buf, "-,", &save); t; t = strtok_r(NULL, "-,", &save))
		for (int i = 0; groups[i].word; i++)
			if (!strcmp(t, groups[i].word))
				return groups[i].group;
	return 0;
}

static void configure_ike(struct sim_crypto *c, const struct scenario_node *nd)
{
	c->sig = CE_SIG_ECDSA256;
	for (size_t i = 0; i < nd->n_conns; i++) {
		const struct ike_conn_config *k = &nd->conns[i];
		if (k->local.auth == IKE_AUTHC_PUBKEY) {
			c->local_pubkey = true;
			if (k->local.key_pem && strstr(k->local.key_pem, "RSA"))
				c->sig = CE_SIG_RSA2048;
		}
		if (k->remote.auth == IKE_AUTHC_PUBKEY)
			c->remote_pubkey = true;
		for (size_t j = 0; j < k->n_children && !c->pfs_group; j++)
			c->pfs_group = proposal_group(k->children[j].esp_proposals);
	}
}

/* The DH group of an IKE_SA_INIT's KE payload (RFC 7296 §3.4), 0 if none:
 * the payloads of IKE_SA_INIT are in the clear (§3.2 chaining). */
static uint16_t ke_group(const uint8_t *m, size_t len)
{
	uint8_t next = m[16];
	size_t off = IKE_HDR_LEN;
	while (next && off + 8 <= len) {
		size_t plen = (size_t)m[off + 2] << 8 | m[off + 3];
		if (plen < 4 || off + plen > len)
			return 0;
		if (next == IKE_PL_KE)
			return (uint16_t)(m[off + 4] << 8 | m[off + 5]);
		next = m[off];
		off += plen;
	}
	return 0;
}

static bool seen_before(struct sim_crypto *c, const uint8_t *m, size_t len)
{
	struct seen s = {.len = len};
	memcpy(s.head, m, sizeof s.head);
	s.msg_id = (uint32_t)m[20] << 24 | (uint32_t)m[21] << 16 | (uint32_t)m[22] << 8 | m[23];
	for (size_t i = 0; i < c->n_seen && i < SEEN_MAX; i++)
		if (!memcmp(&c->seen[i].head, s.head, sizeof s.head) &&
		    c->seen[i].msg_id == s.msg_id && c->seen[i].len == len)
			return true;
	c->seen[c->n_seen++ % SEEN_MAX] = s;
	return false;
}

/* Charges the work a received IKE message implies; its completion time, 0
 * if there is none. */
static uint64_t charge_ike(struct sim_crypto *c, struct ike *ike, const struct ns3c_datagram *d,
                           const uint8_t *m, size_t len, uint64_t now)
{
	struct crypto_engine *e = c->engine;
	const struct crypto_engine_config *cfg = crypto_engine_config(e);
	uint64_t at = 0;
	if (len < IKE_HDR_LEN || seen_before(c, m, len))
		return 0;
	uint8_t exchange = m[18];
	bool response = m[19] & 0x20; /* RFC 7296 §3.1 flags: R */
#define CHARGE(op, ns) (at = crypto_engine_submit_ike(e, now, (op), (ns)))
	switch (exchange) {
	case IKE_SA_INIT: {
		uint16_t group = ke_group(m, len);
		/* A request answered without state (a COOKIE demanded under a
		 * flood of half-open SAs, RFC 7296 §2.6; INVALID_KE_PAYLOAD; a
		 * retransmission) computes no DH. */
		if (!group ||
		    (!response && !ike_sa_init_computes_dh(ike, d->src, d->sport, d->dst, m, len)))
			break;
		CHARGE(CE_IKE_DH, crypto_engine_dh_cost(e, group));
		CHARGE(CE_IKE_PRF, cfg->prf_ns);
		if (response && c->local_pubkey)
			CHARGE(CE_IKE_SIGN, crypto_engine_sign_cost(e, c->sig));
		break;
	}
	case IKE_AUTH:
		CHARGE(CE_IKE_PRF, cfg->prf_ns);
		if (c->remote_pubkey)
			CHARGE(CE_IKE_VERIFY, crypto_engine_verify_cost(e, c->sig));
		if (!response && c->local_pubkey)
			CHARGE(CE_IKE_SIGN, crypto_engine_sign_cost(e, c->sig));
		break;
	case IKE_CREATE_CHILD_SA:
		if (c->pfs_group)
			CHARGE(CE_IKE_DH, crypto_engine_dh_cost(e, c->pfs_group));
		CHARGE(CE_IKE_PRF, cfg->prf_ns);
		break;
	default:
		break;
	}
#undef CHARGE
	return at;
}

static void pending_fire(void *arg)
{
	struct pending *p = arg;
	struct sim_crypto *c = p->c;
	if (p->prev)
		p->prev->next = p->next;
	else
		c->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	ike_receive(p->ike, p->d.src, p->d.sport, p->d.dst, p->d.dport, p->data, p->d.len);
	free(p);
}

int sim_crypto_ike_receive(struct sim_crypto *c, struct ike *ike, const struct ns3c_datagram *d)
{
	uint64_t now = ns3c_now_ns();
	const uint8_t *m = d->data;
	size_t len = d->len;
	/* RFC 3948 §2.2: IKE on port 4500 follows a 4-byte non-ESP marker;
	 * a 1-byte NAT keepalive carries no work */
	if ((d->dport == ESP_NATT_PORT || d->sport == ESP_NATT_PORT) && len >= 4 &&
	    !memcmp(m, "\0\0\0\0", 4)) {
		m += 4;
		len -= 4;
	}
	uint64_t at = charge_ike(c, ike, d, m, len, now);
	if (at < c->ike_ready)
		at = c->ike_ready; /* keep the order of arrival */
	if (at <= now)
		return 0;
	struct pending *p = malloc(sizeof *p + d->len);
	if (!p)
		return 0;
	*p = (struct pending){.c = c, .ike = ike, .d = *d, .next = c->pending};
	memcpy(p->data, d->data, d->len);
	p->d.data = p->data;
	if (c->pending)
		c->pending->prev = p;
	c->pending = p;
	c->ike_ready = at;
	p->event = ns3c_schedule_at(at, pending_fire, p);
	return 1;
}

/* ---- life ---- */

struct sim_crypto *sim_crypto_new(uint32_t node, const struct scenario *s, struct ipsec *engine)
{
	const struct scenario_node *nd = &s->nodes[node];
	struct sim_crypto *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->node = node;
	c->ipsec = engine;
	c->engine = crypto_engine_new(&nd->crypto.cfg);
	if (!c->engine || crypto_engine_record_bins(
	                          c->engine, s->flow_bin_ns ? s->flow_bin_ns : SIM_CRYPTO_BIN_NS,
	                          s->duration_ns) != 0) {
		crypto_engine_free(c->engine);
		free(c);
		return NULL;
	}
	configure_ike(c, nd);
	spi_put(c, 0 + 1, CE_HMAC); /* sizes the table; key 1 is never an SA's */
	return c;
}

/* The IKE messages still waiting are dropped, their hand-over cancelled
 * when `cancel` (not after ns3c_destroy). */
static void drop_pending(struct sim_crypto *c, bool cancel)
{
	while (c->pending) {
		struct pending *p = c->pending;
		c->pending = p->next;
		if (cancel)
			ns3c_cancel(p->event);
		free(p);
	}
	c->ike_ready = 0;
	c->n_seen = 0;
}

void sim_crypto_reboot(struct sim_crypto *c, struct ipsec *engine)
{
	drop_pending(c, true);
	c->ipsec = engine;
}

void sim_crypto_free(struct sim_crypto *c)
{
	if (!c)
		return;
	drop_pending(c, false);
	crypto_engine_free(c->engine);
	free(c->spis);
	free(c);
}

void sim_crypto_stats(const struct sim_crypto *c, uint64_t end, struct crypto_engine_stats *out)
{
	crypto_engine_stats(c->engine, end, out);
}

/* ---- results ---- */

/* The profile as loaded and overridden, for the record: costs per class in
 * ns per packet + ns per byte, IKE costs in us. */
static void describe_costs(const struct crypto_engine_config *cfg, char *buf, size_t len)
{
	size_t n = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < len)                                                                       \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);                      \
	} while (0)
	for (int k = 0; k < CE_CLASS__COUNT; k++)
		ADD("%s%s=%.6gns+%.6gns/B", k ? " " : "", ce_class_name((enum ce_class)k),
		    cfg->cost[k].per_packet_ns, cfg->cost[k].per_byte_ns);
	for (int d = 0; d < CE_DH__COUNT; d++)
		ADD(" dh.%s=%.6gus", ce_dh_name((enum ce_dh)d), cfg->dh_ns[d] / 1e3);
	for (int s = 0; s < CE_SIG__COUNT; s++)
		ADD(" sign.%s=%.6gus verify.%s=%.6gus", ce_sig_name((enum ce_sig)s),
		    cfg->sign_ns[s] / 1e3, ce_sig_name((enum ce_sig)s), cfg->verify_ns[s] / 1e3);
	ADD(" prf=%.6gus", cfg->prf_ns / 1e3);
#undef ADD
}

/* The engine's bins up to the end of the run (metrics.crypto_engine_bins):
 * utilisation of the packet pool's lanes within each (the last one over its
 * part before the end). */
static int write_bins(struct metrics *m, const char *node, const struct sim_crypto *c,
                      uint64_t end_ns)
{
	size_t n;
	uint64_t width;
	const struct ce_bin *b = crypto_engine_bins(c->engine, &n, &width);
	const struct crypto_engine_config *cfg = crypto_engine_config(c->engine);
	for (size_t k = 0; k < n && k * width < end_ns; k++) {
		uint64_t w = end_ns - k * width < width ? end_ns - k * width : width;
		if (metrics_insert(m, "INSERT INTO crypto_engine_bins VALUES(?1,?2,?3,?4,?5,?6,?7)",
		                   "tddddi", node, (double)(k * width) * 1e-9, (double)w * 1e-9,
		                   (double)b[k].busy_ns * 1e-6,
		                   (double)b[k].busy_ns / ((double)cfg->lanes * (double)w),
		                   (int64_t)b[k].drops) != 0)
			return -1;
	}
	return 0;
}

int sim_write_crypto(struct metrics *m, const struct sim *sim, uint64_t end_ns, FILE *summary)
{
	const struct scenario *s = sim->s;
	for (size_t n = 0; n < s->n_nodes; n++) {
		const struct sim_crypto *c = sim->nodes[n].crypto;
		if (!c)
			continue;
		const struct scenario_crypto *sc = &s->nodes[n].crypto;
		const struct crypto_engine_config *cfg = &sc->cfg;
		struct crypto_engine_stats st;
		char costs[1024];
		sim_crypto_stats(c, end_ns, &st);
		describe_costs(cfg, costs, sizeof costs);
		uint64_t ike_ops = 0;
		for (int i = 0; i < CE_IKE_OP__COUNT; i++)
			ike_ops += st.ike_ops[i];
		if (metrics_insert(
		            m,
		            "INSERT INTO crypto_engines "
		            "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		            "?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
		            "tttiidtiiiddiddiiiiddt", s->nodes[n].name, sc->profile, sc->path,
		            (int64_t)cfg->lanes, (int64_t)cfg->queue,
		            (double)cfg->latency_ns * 1e-3, cfg->ike_on_engine ? "engine" : "cpu",
		            (int64_t)st.data.packets, (int64_t)st.data.bytes,
		            (int64_t)st.data.drops, st.data.utilisation, st.data.queue_mean,
		            (int64_t)st.data.queue_max, st.data.wait_mean_ns * 1e-3,
		            (double)st.data.wait_max_ns * 1e-3, (int64_t)st.ike_ops[CE_IKE_DH],
		            (int64_t)st.ike_ops[CE_IKE_SIGN], (int64_t)st.ike_ops[CE_IKE_VERIFY],
		            (int64_t)st.ike_ops[CE_IKE_PRF], (double)st.ike_busy_ns * 1e-6,
		            cfg->ike_on_engine ? st.data.utilisation : st.ike.utilisation,
		            costs) != 0)
			return -1;
		if (write_bins(m, s->nodes[n].name, c, end_ns) != 0)
			return -1;
		if (summary)
			fprintf(summary,
			        "crypto %s (%s, %u lane%s): %llu packets, %llu dropped (queue "
			        "full), "
			        "utilisation %.2f %%, queue mean %.1f max %llu, wait mean %.3f ms; "
			        "IKE %llu ops, %.3f ms\n",
			        s->nodes[n].name, sc->profile, cfg->lanes,
			        cfg->lanes == 1 ? "" : "s", (unsigned long long)st.data.packets,
			        (unsigned long long)st.data.drops, st.data.utilisation * 100,
			        st.data.queue_mean, (unsigned long long)st.data.queue_max,
			        st.data.wait_mean_ns * 1e-6, (unsigned long long)ike_ops,
			        (double)st.ike_busy_ns * 1e-6);
	}
	return 0;
}
