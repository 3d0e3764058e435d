#include "ike_harness.h"

#include "ip_packet.h"
#include "sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t n_now(void *arg)
{
	return ((struct hnode *)arg)->h->now;
}

static int n_random(void *arg, uint8_t *buf, size_t len)
{
	struct hnode *n = arg;

	for (size_t i = 0; i < len; i++) {
		n->rng = n->rng * 1103515245u + 12345u;
		buf[i] = (uint8_t)(n->rng >> 16);
	}
	return 0;
}

static void n_dp_timer(void *arg, uint64_t at)
{
	((struct hnode *)arg)->dp_timer = at;
}

static void n_ike_timer(void *arg, uint64_t at)
{
	((struct hnode *)arg)->ike_timer = at;
}

static void n_dp_event(void *arg, const struct ipsec_event *ev)
{
	struct hnode *n = arg;

	if (n->ike)
		ike_dataplane_event(n->ike, ev);
}

static void copy_str(char *dst, size_t cap, const char **p)
{
	if (!*p)
		return;
	snprintf(dst, cap, "%s", *p);
	*p = dst;
}

static void n_ike_event(void *arg, const struct ike_event *ev)
{
	struct hnode *n = arg;
	struct hev *e;

	if (n->nev == H_EVENTS)
		return;
	e = &n->ev[n->nev++];
	e->ev = *ev;
	e->at = n->h->now;
	copy_str(e->conn, sizeof(e->conn), &e->ev.conn);
	copy_str(e->child, sizeof(e->child), &e->ev.child);
	copy_str(e->reason, sizeof(e->reason), &e->ev.reason);
	copy_str(e->text, sizeof(e->text), &e->ev.text);
	if (getenv("IKE_HARNESS_VERBOSE"))
		fprintf(stderr, "[%8.3f] node %d event %d state %d %s%s%s\n",
		        (double)n->h->now / 1e9, n->idx, ev->type, ev->state,
		        ev->reason ? ev->reason : "", ev->text ? ": " : "",
		        ev->text ? ev->text : "");
}

static void enqueue(struct ike_harness *h, const struct hdgram *d)
{
	assert_true(h->nq < H_QUEUE);
	h->q[h->nq++] = *d;
}

/* The NAT in front of node 0: ports 500/4500 map to 40500/44500 (until a
 * rebind). */
static uint16_t nat_port(const struct ike_harness *h, uint16_t p)
{
	return (uint16_t)(p + h->nat_offset);
}

static void n_send(void *arg, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                   uint16_t dport, const uint8_t *data, size_t len)
{
	struct hnode *n = arg;
	struct ike_harness *h = n->h;
	struct hdgram *d = malloc(sizeof(*d));
	int copies = 1;

	assert_non_null(d);
	assert_true(len <= sizeof(d->data));
	d->from = n->idx;
	d->src = src;
	d->sport = sport;
	d->dst = dst;
	d->dport = dport;
	d->at = h->now + h->delay;
	d->seq = ++h->seq;
	d->len = len;
	memcpy(d->data, data, len);
	if (h->nat && n->idx == 0) {
		d->src = ip_addr_v4(H_NAT_ADDR);
		d->sport = nat_port(h, sport);
	}
	if (len == 1 && data[0] == 0xff)
		h->keepalives[n->idx]++;
	if (h->record) {
		h->log = realloc(h->log, (h->nlog + 1) * sizeof(*h->log));
		assert_non_null(h->log);
		h->log[h->nlog++] = *d;
	}
	if (h->hook)
		copies = h->hook(h, d, h->hook_arg);
	while (copies-- > 0)
		enqueue(h, d);
	free(d);
}

static const struct ipsec_host_ops dp_ops = {
        .now_ns = n_now,
        .random_bytes = n_random,
        .timer_arm = n_dp_timer,
        .event = n_dp_event,
};

static const struct ike_host_ops ike_ops = {
        .now_ns = n_now,
        .random_bytes = n_random,
        .timer_arm = n_ike_timer,
        .send = n_send,
        .event = n_ike_event,
};

void h_init(struct ike_harness *h)
{
	memset(h, 0, sizeof(*h));
	h->now = 1000 * H_S;
	h->delay = 10 * H_MS;
	h->nat_offset = 40000;
	h->q = calloc(H_QUEUE, sizeof(*h->q));
	assert_non_null(h->q);
	for (int i = 0; i < 2; i++) {
		struct hnode *n = &h->n[i];

		n->h = h;
		n->idx = i;
		n->addr = ip_addr_v4(i == 0 ? H_ADDR_A : H_ADDR_B);
		n->rng = 0x1234u + 7919u * (uint32_t)i;
		n->dp_timer = n->ike_timer = UINT64_MAX;
		n->dp = ipsec_new(&dp_ops, n);
		assert_non_null(n->dp);
		n->ike = ike_new(&ike_ops, n, n->dp);
		assert_non_null(n->ike);
	}
}

void h_init_v6(struct ike_harness *h)
{
	h_init(h);
	assert_int_equal(ip_addr_parse(H_ADDR6_A, &h->n[0].addr), 0);
	assert_int_equal(ip_addr_parse(H_ADDR6_B, &h->n[1].addr), 0);
}

void h_free(struct ike_harness *h)
{
	for (int i = 0; i < 2; i++) {
		ike_free(h->n[i].ike);
		ipsec_free(h->n[i].dp);
	}
	free(h->q);
	free(h->log);
}

void h_conn(const struct ike_harness *h, int i, struct ike_conn_config *c, const char *ike_props,
            const char *esp_props)
{
	struct ike_child_config *ch = &c->children[0];

	ike_conn_defaults(c);
	snprintf(c->name, sizeof(c->name), "gw");
	c->local_addr = h->n[i].addr;
	c->remote_addr = h->n[1 - i].addr;
	snprintf(c->proposals, sizeof(c->proposals), "%s", ike_props ? ike_props : "");
	c->local.auth = c->remote.auth = IKE_AUTHC_PSK;
	memcpy(c->psk, "correct horse battery staple", 28);
	c->psk_len = 28;
	c->n_children = 1;
	ike_child_defaults(ch);
	snprintf(ch->name, sizeof(ch->name), "net");
	snprintf(ch->esp_proposals, sizeof(ch->esp_proposals), "%s", esp_props ? esp_props : "");
	ch->n_local_ts = ch->n_remote_ts = 1;
	ch->local_ts[0] = h_ts(i == 0 ? H_LAN_A : H_LAN_B, 0xffff);
	ch->remote_ts[0] = h_ts(i == 0 ? H_LAN_B : H_LAN_A, 0xffff);
}

struct ike_ts_config h_ts(uint32_t lo, uint32_t host_bits)
{
	struct ike_ts_config ts = {.addr = ip_range_v4(lo, lo | host_bits)};

	return ts;
}

void h_add(struct ike_harness *h, int i, const struct ike_conn_config *c)
{
	char err[300] = "";

	if (ike_conn_add(h->n[i].ike, c, err, sizeof(err)) < 0)
		fail_msg("ike_conn_add: %s", err);
}

void h_setup(struct ike_harness *h, struct ike_conn_config *a, struct ike_conn_config *b,
             const char *esp_props)
{
	h_init(h);
	h_conn(h, 0, a, NULL, esp_props);
	h_conn(h, 1, b, NULL, esp_props);
	a->children[0].start_action = IKE_START_START;
	a->rekey_time_ns = b->rekey_time_ns = 0;
	a->children[0].rekey_time_ns = b->children[0].rekey_time_ns = 0;
	a->children[0].life_time_ns = b->children[0].life_time_ns = 3600 * H_S;
	a->children[0].rand_time_ns = b->children[0].rand_time_ns = 0;
}

void h_start(struct ike_harness *h, const struct ike_conn_config *a,
             const struct ike_conn_config *b)
{
	h_add(h, 1, b);
	h_add(h, 0, a);
	h_run_for(h, 1 * H_S);
	h_assert_settled(h, 1);
}

static bool to_nat(const struct ike_harness *h, const struct ip_addr *dst)
{
	return h->nat && ip_addr_v4_value(dst) == H_NAT_ADDR;
}

static int node_for(const struct ike_harness *h, const struct ip_addr *dst)
{
	for (int i = 0; i < 2; i++)
		if (ip_addr_eq(&h->n[i].addr, dst) || ip_addr_eq(&h->n[i].addr2, dst))
			return i;
	return to_nat(h, dst) ? 0 : -1;
}

static void deliver(struct ike_harness *h, const struct hdgram *d)
{
	int to = node_for(h, &d->dst);
	struct ip_addr dst = d->dst;
	uint16_t dport = d->dport;

	if (to < 0 || h->n[to].down)
		return;
	if (to_nat(h, &d->dst)) {
		if (dport != nat_port(h, IKE_PORT) && dport != nat_port(h, IKE_NATT_PORT))
			return; /* no mapping */
		dst = h->n[0].addr;
		dport = (uint16_t)(dport - h->nat_offset);
	}
	ike_receive(h->n[to].ike, d->src, d->sport, dst, dport, d->data, d->len);
}

void h_run(struct ike_harness *h, uint64_t until)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t t = UINT64_MAX;
		int what = -1; /* 0..1 ike timer, 2..3 dp timer, 4 datagram */
		size_t qi = 0;

		for (int i = 0; i < 2; i++) {
			if (h->n[i].ike_timer < t) {
				t = h->n[i].ike_timer;
				what = i;
			}
			if (h->n[i].dp_timer < t) {
				t = h->n[i].dp_timer;
				what = 2 + i;
			}
		}
		for (size_t i = 0; i < h->nq; i++)
			if (h->q[i].at < t ||
			    (h->q[i].at == t && what == 4 && h->q[i].seq < h->q[qi].seq)) {
				t = h->q[i].at;
				what = 4;
				qi = i;
			}
		if (what < 0 || t > until) {
			if (until != UINT64_MAX && until > h->now)
				h->now = until;
			return;
		}
		if (t > h->now)
			h->now = t;
		if (what < 2) {
			h->n[what].ike_timer = UINT64_MAX;
			ike_handle_timeout(h->n[what].ike);
		} else if (what < 4) {
			h->n[what - 2].dp_timer = UINT64_MAX;
			ipsec_handle_timeout(h->n[what - 2].dp);
		} else {
			struct hdgram *d = malloc(sizeof(*d));

			assert_non_null(d);
			*d = h->q[qi];
			h->q[qi] = h->q[--h->nq];
			deliver(h, d);
			free(d);
		}
	}
	fail_msg("h_run: the world does not settle");
}

void h_run_for(struct ike_harness *h, uint64_t dt)
{
	h_run(h, h->now + dt);
}

const struct hev *h_event(const struct ike_harness *h, int i, enum ike_event_type type, int n)
{
	const struct hev *last = NULL;
	int k = 0;

	for (int j = 0; j < h->n[i].nev; j++) {
		if (h->n[i].ev[j].ev.type != type)
			continue;
		if (k++ == n)
			return &h->n[i].ev[j];
		last = &h->n[i].ev[j];
	}
	return n < 0 ? last : NULL;
}

int h_count(const struct ike_harness *h, int i, enum ike_event_type type)
{
	int k = 0;

	for (int j = 0; j < h->n[i].nev; j++)
		k += h->n[i].ev[j].ev.type == type;
	return k;
}

const struct hev *h_state_event(const struct ike_harness *h, int i, enum ike_event_type type,
                                int state, int n)
{
	const struct hev *e;

	for (int k = 0; (e = h_event(h, i, type, k)); k++)
		if (e->ev.state == state && n-- == 0)
			return e;
	return NULL;
}

int h_count_state(const struct ike_harness *h, int i, enum ike_event_type type, int state)
{
	const struct hev *e;
	int n = 0;

	for (int k = 0; (e = h_event(h, i, type, k)); k++)
		n += e->ev.state == state;
	return n;
}

int h_ike_state(const struct ike_harness *h, int i)
{
	const struct hev *e = h_event(h, i, IKE_EV_IKE_SA, -1);

	return e ? e->ev.state : -1;
}

struct ike_sa *h_sa(const struct ike_harness *h, int i)
{
	struct ike_sa *sa = h->n[i].ike->sas;

	return sa && !sa->next ? sa : NULL;
}

/* Rewrite a UDP/IPv4 packet's source (the NAT), checksums fixed (UDP: 0).
 * false: no mapping for an inbound packet's destination port. */
static bool nat_rewrite(const struct ike_harness *h, uint8_t *pkt, bool outbound)
{
	size_t hl = (size_t)(pkt[0] & 0x0f) * 4;
	uint16_t dport;

	if (pkt[9] != IPPROTO_NUM_UDP)
		return true;
	if (outbound) {
		put_be32(pkt + 12, H_NAT_ADDR);
		put_be16(pkt + hl, nat_port(h, get_be16(pkt + hl)));
	} else {
		dport = get_be16(pkt + hl + 2);
		if (dport != nat_port(h, IKE_PORT) && dport != nat_port(h, IKE_NATT_PORT))
			return false;
		put_be32(pkt + 16, H_ADDR_A);
		put_be16(pkt + hl + 2, (uint16_t)(dport - h->nat_offset));
	}
	put_be16(pkt + hl + 6, 0);
	ipv4_set_checksum(pkt);
	return true;
}

enum ipsec_verdict h_seal(struct ike_harness *h, int from, uint32_t src, uint32_t dst,
                          struct hpacket *p, enum ipsec_drop *reason)
{
	enum ipsec_drop r = IPSEC_DROP__COUNT;
	enum ipsec_verdict v;

	p->from = from;
	p->len = build_udp(p->pkt, src, dst, 4000, 5000, 100);
	p->wlen = 0;
	v = ipsec_output(h->n[from].dp, p->pkt, p->len, p->wire, sizeof(p->wire), &p->wlen, &r);
	if (reason)
		*reason = r;
	return v;
}

bool h_open(struct ike_harness *h, struct hpacket *p, enum ipsec_drop *reason)
{
	struct hnode *b = &h->n[1 - p->from];
	uint8_t inner[BUF + IPSEC_MAX_OVERHEAD];
	enum ipsec_drop r = IPSEC_DROP__COUNT;
	uint32_t via = 0;
	size_t ilen;
	bool ok;

	if (h->nat && !nat_rewrite(h, p->wire, p->from == 0))
		return false; /* the NAT has no mapping: lost */
	if (ipsec_input(b->dp, p->wire, p->wlen, inner, sizeof(inner), &ilen, &via, &r) !=
	    IPSEC_VERDICT_DELIVER) {
		if (reason)
			*reason = r;
		return false;
	}
	ok = ilen == p->len && !memcmp(inner, p->pkt, p->len) &&
	     ipsec_input_policy(b->dp, inner, ilen, via, &r) == IPSEC_VERDICT_BYPASS;
	if (!ok && reason)
		*reason = r;
	return ok;
}

enum ipsec_verdict h_send_ip(struct ike_harness *h, int from, uint32_t src, uint32_t dst,
                             bool *delivered, uint32_t *spi, enum ipsec_drop *reason)
{
	struct hpacket p;
	enum ipsec_verdict v = h_seal(h, from, src, dst, &p, reason);
	struct ip_packet ip;

	*delivered = false;
	if (spi)
		*spi = 0;
	if (v != IPSEC_VERDICT_PROTECT)
		return v;
	assert_int_equal(ip_packet_parse(p.wire, p.wlen, true, &ip), 0);
	if (spi)
		*spi = get_be32(p.wire + ip.hdr_len + (ip.proto == IPPROTO_NUM_UDP ? 8 : 0));
	*delivered = h_open(h, &p, reason);
	return v;
}

void h_run_traffic(struct ike_harness *h, uint64_t dt, uint64_t period, struct htraffic *t)
{
	uint64_t end = h->now + dt;

	while (h->now < end) {
		for (int i = 0; i < 2; i++) {
			uint32_t src = (i == 0 ? H_LAN_A : H_LAN_B) | 1;
			uint32_t dst = (i == 0 ? H_LAN_B : H_LAN_A) | 1;
			bool ok;

			t->sent[i]++;
			h_send_ip(h, i, src, dst, &ok, NULL, NULL);
			t->delivered[i] += ok;
		}
		h_run(h, h->now + period < end ? h->now + period : end);
	}
}

void h_assert_flows(struct ike_harness *h)
{
	bool ok;

	assert_int_equal(h_send_ip(h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
}

int h_live_sas(const struct ike_harness *h, int i)
{
	const struct sad *sad = &h->n[i].dp->sad;
	int n = 0;

	for (size_t k = 0; k < sad->count; k++)
		n += sa_alive(sad->sas[k]);
	return n;
}

/* The child of `sa` that owns SPD entry `id`, or NULL. */
static const struct ike_child *spd_owner(const struct ike_sa *sa, uint32_t id)
{
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		for (size_t j = 0; sa->children[k].used && j < sa->children[k].nspd; j++)
			if (sa->children[k].spd[j] == id)
				return &sa->children[k];
	return NULL;
}

void h_assert_settled(struct ike_harness *h, int children)
{
	for (int i = 0; i < 2; i++) {
		const struct ike_sa *sa = h_sa(h, i), *peer = h_sa(h, 1 - i);
		struct ipsec *dp = h->n[i].dp;
		int used = 0, kept;

		assert_non_null(sa);
		assert_non_null(peer);
		assert_int_equal(sa->phase, IKE_PHASE_ESTABLISHED);
		assert_false(sa->x.pending);
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
			const struct ike_child *c = &sa->children[k];
			bool paired = false;

			if (!c->used)
				continue;
			used++;
			assert_false(c->successor || c->redundant || c->deleting || c->rekeying ||
			             c->outbound_pending);
			assert_true(c->nspd > 0);
			for (size_t j = 0; j < IKE_SA_CHILDREN; j++)
				paired |= peer->children[j].used &&
				          peer->children[j].spi_out == c->spi_in &&
				          peer->children[j].spi_in == c->spi_out;
			assert_true(paired);
			assert_true(sa_alive(dp->sad.sas[c->sa_in - 1]));
			assert_true(sa_alive(dp->sad.sas[c->sa_out - 1]));
		}
		assert_int_equal(used, children);
		/* ... and the inbound SAs of rekeyed children, kept for
		 * delete_rekeyed_delay (unless their lifetime ended first). */
		kept = 0;
		for (size_t k = 0; k < h->n[i].ike->n_rekeyed_in; k++)
			kept += sa_alive(dp->sad.sas[h->n[i].ike->rekeyed_in[k].sa_in - 1]);
		assert_int_equal(h_live_sas(h, i), 2 * children + kept);
		/* Every PROTECT entry with an SA belongs to a child and names
		 * its SAs. */
		for (uint32_t id = ipsec_spd_next(dp, 0); id; id = ipsec_spd_next(dp, id)) {
			const struct ipsec_spd_entry *e = ipsec_spd_get(dp, id);
			const struct ike_child *c;

			if (e->action != IPSEC_ACTION_PROTECT || !e->sa_out[0])
				continue;
			c = spd_owner(sa, id);
			assert_non_null(c);
			assert_int_equal(e->sa_out[0], c->sa_out);
			assert_int_equal(e->sa_in[0], c->sa_in);
		}
	}
}

void h_nat_rebind(struct ike_harness *h, uint16_t new_offset)
{
	h->nat_offset = new_offset;
}

/* pcap (linktype raw IP) record of a datagram, as a UDP packet. */
void h_pcap_record(FILE *f, const struct hdgram *d, uint32_t usec)
{
	uint8_t hdr[IPV6_HDR_LEN + 8], rec[16] = {0};
	bool v6 = d->src.family == IP_FAMILY_V6;
	size_t hl = v6 ? IPV6_HDR_LEN : IPV4_HDR_LEN, total = hl + 8 + d->len;

	if (v6) {
		memset(hdr, 0, IPV6_HDR_LEN);
		hdr[0] = 0x60;
		put_be16(hdr + 4, (uint16_t)(8 + d->len));
		hdr[6] = IPPROTO_NUM_UDP;
		hdr[7] = 64;
		memcpy(hdr + 8, d->src.b, 16);
		memcpy(hdr + 24, d->dst.b, 16);
	} else {
		ipv4_build(hdr, 0, (uint16_t)total, 0, 0, 64, IPPROTO_NUM_UDP,
		           ip_addr_v4_value(&d->src), ip_addr_v4_value(&d->dst));
	}
	put_be16(hdr + hl, d->sport);
	put_be16(hdr + hl + 2, d->dport);
	put_be16(hdr + hl + 4, (uint16_t)(8 + d->len));
	/* no UDP checksum over IPv4 (RFC 768); over IPv6 it is mandatory */
	put_be16(hdr + hl + 6, 0);
	rec[0] = 1;
	rec[4] = (uint8_t)usec, rec[5] = (uint8_t)(usec >> 8), rec[6] = (uint8_t)(usec >> 16);
	rec[8] = rec[12] = (uint8_t)total;
	rec[9] = rec[13] = (uint8_t)(total >> 8);
	assert_int_equal(fwrite(rec, 1, 16, f), 16);
	if (v6) {
		uint8_t *pkt = malloc(total);

		assert_non_null(pkt);
		memcpy(pkt, hdr, hl + 8);
		memcpy(pkt + hl + 8, d->data, d->len);
		put_be16(hdr + hl + 6,
		         ipv6_l4_checksum(pkt, IPPROTO_NUM_UDP, pkt + hl, 8 + d->len));
		free(pkt);
	}
	assert_int_equal(fwrite(hdr, 1, hl + 8, f), hl + 8);
	assert_int_equal(fwrite(d->data, 1, d->len, f), d->len);
}

int h_occurrences(const char *out, const char *what)
{
	int k = 0;

	for (const char *p = out; (p = strstr(p, what)); p += strlen(what))
		k++;
	return k;
}

void h_expect_count(const char *out, const char *what, int n)
{
	int k = h_occurrences(out, what);

	if (k != n)
		fail_msg("tshark output has \"%s\" %d times, not %d:\n%s", what, k, n, out);
}
