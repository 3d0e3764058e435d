/* IKEv2 Message Fragmentation (RFC 7383): the negotiation in IKE_SA_INIT
 * for each of swanctl's `fragmentation` values, IKE_AUTH in fragments both
 * ways (AEAD and CBC), lost, duplicated and reordered fragments and
 * retransmitted sets, and hostile fragments against the reassembly's
 * limits -- every fragment not kept counted by its reason. */
#include "ike_harness.h"

#include "ipv6.h"

#include <stdlib.h>
#include <string.h>

/* fragment_size that cuts a PSK IKE_AUTH in pieces, both ways: the
 * smallest there is */
#define SMALL IKE_FRAGMENT_SIZE_MIN

static const struct ike_stats *stats(const struct ike_harness *h, int i)
{
	static struct ike_stats st[2];

	ike_get_stats(h->n[i].ike, &st[i]);
	return &st[i];
}

/* The exchange type of a datagram (after the non-ESP marker on 4500) and
 * its first payload. */
static uint8_t exchange_of(const struct hdgram *d)
{
	return d->data[d->dport == IKE_NATT_PORT ? 22 : 18];
}

static uint8_t first_payload(const struct hdgram *d)
{
	return d->data[d->dport == IKE_NATT_PORT ? 20 : 16];
}

static const uint8_t *ike_of(const struct hdgram *d, size_t *len)
{
	size_t off = d->dport == IKE_NATT_PORT ? 4 : 0;

	*len = d->len - off;
	return d->data + off;
}

static bool announces(const struct hdgram *d)
{
	struct ike_msg m;
	struct ike_error e;
	size_t len;
	const uint8_t *p = ike_of(d, &len);

	assert_int_equal(ike_msg_parse(&m, p, len, &e), 0);
	return ike_msg_find_notify(&m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
}

/* Both sides with `fa` / `fb`, fragment_size SMALL, establish; the log
 * holds every datagram. */
static void establish(struct ike_harness *h, enum ike_fragmentation fa, enum ike_fragmentation fb,
                      const char *ike_props)
{
	struct ike_conn_config a, b;

	h_init(h);
	h_conn(h, 0, &a, ike_props, NULL);
	h_conn(h, 1, &b, ike_props, NULL);
	a.children[0].start_action = IKE_START_START;
	a.fragmentation = fa;
	b.fragmentation = fb;
	a.fragment_size = b.fragment_size = SMALL;
	h->record = true;
	h_add(h, 1, &b);
	h_add(h, 0, &a);
	h_run_for(h, 2 * H_S);
}

/* IKE_AUTH datagrams sent by node i, and how many of them are SKF. */
static int auth_datagrams(const struct ike_harness *h, int i, int *skf)
{
	int n = 0;

	*skf = 0;
	for (size_t k = 0; k < h->nlog; k++) {
		if (h->log[k].from != i || exchange_of(&h->log[k]) != IKE_AUTH)
			continue;
		n++;
		if (first_payload(&h->log[k]) != IKE_PL_SKF)
			continue;
		(*skf)++;
		assert_true(h->log[k].len <= SMALL - 28); /* IPv4 and UDP headers */
	}
	return n;
}

static void test_auth_in_fragments(void **state)
{
	static const char *const suites[] = {"aes128gcm16-prfsha256-x25519",
	                                     "aes256-sha512-prfsha512-ecp256"};

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		struct ike_harness h;
		int n, skf;

		establish(&h, IKE_FRAGMENTATION_YES, IKE_FRAGMENTATION_YES, suites[s]);
		h_assert_settled(&h, 1);
		h_assert_flows(&h);
		/* §2.3: both announce it in IKE_SA_INIT. */
		assert_true(announces(&h.log[0]) && announces(&h.log[1]));
		for (int i = 0; i < 2; i++) {
			n = auth_datagrams(&h, i, &skf);
			assert_true(n >= 2);
			assert_int_equal(skf, n);
			assert_int_equal(stats(&h, i)->frag_tx, (uint64_t)n);
			assert_int_equal(stats(&h, 1 - i)->frag_rx, (uint64_t)n);
			assert_int_equal(stats(&h, i)->frag_reassembled, 1);
			for (int r = 0; r < IKE_FRAG_DROP__COUNT; r++)
				assert_int_equal(stats(&h, i)->frag_dropped[r], 0);
		}
		h_free(&h);
	}
}

static void test_negotiation(void **state)
{
	static const struct {
		enum ike_fragmentation a, b;
		bool a_announces, b_announces;
		bool a_fragments, b_fragments;
	} cases[] = {
	        /* yes: only if the peer announced it */
	        {IKE_FRAGMENTATION_YES, IKE_FRAGMENTATION_NO, true, false, false, false},
	        /* accept: announce, never send fragments */
	        {IKE_FRAGMENTATION_ACCEPT, IKE_FRAGMENTATION_YES, true, true, false, true},
	        /* force: fragments whatever the peer said; accepted by a
	         * peer that said no (as charon does) */
	        {IKE_FRAGMENTATION_FORCE, IKE_FRAGMENTATION_NO, true, false, true, false},
	        /* no: not announced, so the responder does not either */
	        {IKE_FRAGMENTATION_NO, IKE_FRAGMENTATION_YES, false, false, false, false},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct ike_harness h;
		int skf;

		establish(&h, cases[c].a, cases[c].b, NULL);
		h_assert_settled(&h, 1);
		assert_int_equal(announces(&h.log[0]), cases[c].a_announces);
		assert_int_equal(announces(&h.log[1]), cases[c].b_announces);
		auth_datagrams(&h, 0, &skf);
		assert_int_equal(skf > 0, cases[c].a_fragments);
		auth_datagrams(&h, 1, &skf);
		assert_int_equal(skf > 0, cases[c].b_fragments);
		h_free(&h);
	}
}

/* --- loss, duplication, reordering ------------------------------------------------- */

struct fate {
	int from;         /* whose IKE_AUTH fragments */
	unsigned nth;     /* 1-based among them */
	int copies;       /* 0 lost, 2 duplicated */
	uint64_t delay;   /* extra delay */
	unsigned counted; /* how many seen */
};

static int fate_hook(struct ike_harness *h, struct hdgram *d, void *arg)
{
	struct fate *f = arg;

	(void)h;
	if (d->from != f->from || exchange_of(d) != IKE_AUTH || first_payload(d) != IKE_PL_SKF ||
	    ++f->counted != f->nth)
		return 1;
	d->at += f->delay;
	return f->copies;
}

static void run_with(struct ike_harness *h, struct fate *f, uint64_t dt)
{
	struct ike_conn_config a, b;

	h_init(h);
	h_conn(h, 0, &a, NULL, NULL);
	h_conn(h, 1, &b, NULL, NULL);
	a.children[0].start_action = IKE_START_START;
	a.fragment_size = b.fragment_size = SMALL;
	h->hook = fate_hook;
	h->hook_arg = f;
	h_add(h, 1, &b);
	h_add(h, 0, &a);
	h_run_for(h, dt);
	h_assert_settled(h, 1);
	h_assert_flows(h);
}

static void test_reordered_and_duplicated(void **state)
{
	struct ike_harness h;
	struct fate late = {.from = 0, .nth = 1, .copies = 1, .delay = 5 * H_MS};
	struct fate twice = {.from = 1, .nth = 1, .copies = 2};

	(void)state;
	/* The first fragment of the request arrives last. */
	run_with(&h, &late, 2 * H_S);
	assert_int_equal(stats(&h, 1)->frag_reassembled, 1);
	assert_int_equal(stats(&h, 0)->retransmits, 0);
	h_free(&h);
	/* A fragment of the response arrives twice: kept once. */
	run_with(&h, &twice, 2 * H_S);
	assert_int_equal(stats(&h, 0)->frag_dropped[IKE_FRAG_DROP_DUPLICATE], 1);
	assert_int_equal(stats(&h, 0)->frag_reassembled, 1);
	h_free(&h);
}

static void test_lost_fragments_resend_the_set(void **state)
{
	struct ike_harness h;
	struct fate lost_req = {.from = 0, .nth = 2, .copies = 0};
	struct fate lost_resp = {.from = 1, .nth = 1, .copies = 0};
	uint64_t n;

	(void)state;
	/* The second request fragment is lost: after 4 s every fragment
	 * goes again; the first is kept already (a duplicate), the second
	 * completes the request, the rest belong to a request answered. */
	run_with(&h, &lost_req, 6 * H_S);
	n = stats(&h, 0)->frag_tx / 2; /* fragments of one request */
	assert_int_equal(stats(&h, 0)->retransmits, 1);
	assert_int_equal(stats(&h, 0)->frag_tx, 2 * n);
	assert_int_equal(stats(&h, 1)->frag_dropped[IKE_FRAG_DROP_DUPLICATE], 1);
	assert_int_equal(stats(&h, 1)->frag_dropped[IKE_FRAG_DROP_RETRANSMITTED], n - 2);
	assert_int_equal(stats(&h, 1)->frag_reassembled, 1);
	h_free(&h);
	/* A response fragment is lost: the responder gets the whole request
	 * again and answers it once, on its first fragment (§2.6.1), with
	 * every fragment of its response. */
	run_with(&h, &lost_resp, 6 * H_S);
	n = stats(&h, 0)->frag_tx / 2; /* fragments of one request */
	assert_int_equal(stats(&h, 1)->frag_dropped[IKE_FRAG_DROP_RETRANSMITTED], n - 1);
	assert_int_equal(stats(&h, 1)->frag_reassembled, 1);
	/* The first fragment completes the response; the rest of the second
	 * set answer no outstanding request (RFC 7296 §2.3). */
	assert_int_equal(stats(&h, 0)->frag_reassembled, 1);
	assert_int_equal(stats(&h, 0)->dropped_replay, stats(&h, 1)->frag_tx / 2 - 1);
	h_free(&h);
}

/* --- hostile fragments --------------------------------------------------------------- */

/* Established with fragments, keeping the first IKE_AUTH request fragment
 * node 0 sent, for mutation. */
static void hostile_setup(struct ike_harness *h, struct hdgram *frag)
{
	establish(h, IKE_FRAGMENTATION_YES, IKE_FRAGMENTATION_YES, NULL);
	h_assert_settled(h, 1);
	for (size_t k = 0; k < h->nlog; k++)
		if (h->log[k].from == 0 && first_payload(&h->log[k]) == IKE_PL_SKF) {
			*frag = h->log[k];
			break;
		}
	assert_int_equal(first_payload(frag), IKE_PL_SKF);
	h->record = false;
}

/* Give node 1 a copy of `frag` with its Message ID set to the next
 * request's and the SKF fields changed; its answer (if any) is lost. */
static void inject_skf(struct ike_harness *h, const struct hdgram *frag, int number, int total,
                       int next, int flip)
{
	uint8_t buf[H_DGRAM_MAX];
	size_t len;
	const uint8_t *p = ike_of(frag, &len);

	memcpy(buf, p, len);
	put_be32(buf + 20, h_sa(h, 1)->x.mid_in);
	if (number >= 0)
		put_be16(buf + 32, (uint16_t)number);
	if (total >= 0)
		put_be16(buf + 34, (uint16_t)total);
	if (next >= 0)
		buf[28] = (uint8_t)next;
	if (flip >= 0)
		buf[flip] ^= 1;
	ike_receive(h->n[1].ike, frag->src, frag->sport, h->n[1].addr, frag->dport, buf, len);
	h->nq = 0;
}

static void test_hostile_fragments(void **state)
{
	struct ike_harness h;
	struct hdgram frag;
	const struct ike_stats *st;
	uint16_t total;
	size_t len;

	(void)state;
	hostile_setup(&h, &frag);
	total = get_be16(ike_of(&frag, &len) + 34);
	inject_skf(&h, &frag, 0, -1, -1, -1);            /* Fragment Number 0 */
	inject_skf(&h, &frag, total + 1, -1, -1, -1);    /* above Total Fragments */
	inject_skf(&h, &frag, -1, 0, -1, -1);            /* Total Fragments 0 */
	inject_skf(&h, &frag, 2, -1, IKE_PL_IDI, -1);    /* Next Payload in fragment 2 */
	inject_skf(&h, &frag, 1, 256, -1, -1);           /* more than 255 */
	inject_skf(&h, &frag, -1, -1, -1, (int)len - 1); /* ICV */
	inject_skf(&h, &frag, -1, -1, -1, 40);           /* ciphertext */
	st = stats(&h, 1);
	assert_int_equal(st->frag_dropped[IKE_FRAG_DROP_INVALID], 4);
	assert_int_equal(st->frag_dropped[IKE_FRAG_DROP_TOO_MANY], 1);
	assert_int_equal(st->frag_dropped[IKE_FRAG_DROP_INTEGRITY], 2);
	/* A truncated SKF payload: malformed. */
	{
		uint8_t buf[64];

		memcpy(buf, ike_of(&frag, &len), 40);
		put_be32(buf + 20, h_sa(&h, 1)->x.mid_in);
		put_be32(buf + 24, 40);
		put_be16(buf + 30, 12);
		ike_receive(h.n[1].ike, frag.src, frag.sport, h.n[1].addr, frag.dport, buf, 40);
		h.nq = 0;
		assert_int_equal(stats(&h, 1)->frag_dropped[IKE_FRAG_DROP_MALFORMED], 1);
	}
	assert_null(h_sa(&h, 1)->reassembly[0]); /* nothing kept */
	h_assert_settled(&h, 1);
	h_assert_flows(&h);
	h_free(&h);
}

/* --- the reassembly's limits, on authentic fragments -------------------------------- */

struct iv_counter {
	struct ike *ike;
	struct ike_sa *sa;
};

static int iv_next(void *arg, uint8_t *iv)
{
	struct iv_counter *c = arg;

	return ike_x_iv(c->ike, c->sa, iv);
}

/* Node 0 cuts an INFORMATIONAL request with Message ID `mid` whose
 * plaintext is `plain_len` bytes of one unknown payload into fragments of
 * at most max_msg bytes. */
static void cut(struct ike_harness *h, struct ike_frag_set *set, uint32_t mid, size_t plain_len,
                size_t max_msg)
{
	static uint8_t msg[3 * IKE_FRAG_BYTES_MAX], body[2 * IKE_FRAG_BYTES_MAX];
	struct ike_sa *sa = h_sa(h, 0);
	struct iv_counter ivc = {h->n[0].ike, sa};
	struct ike_builder b;
	struct ike_sk_layout l;
	struct ike_header hd = {
	        .exchange = IKE_INFORMATIONAL, .flags = IKE_FLAG_INITIATOR, .message_id = mid};
	size_t len;
	char err[200];

	memcpy(hd.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(hd.spi_r, sa->spi_r, IKE_SPI_LEN);
	ike_builder_init(&b, msg, sizeof(msg), &hd);
	ike_sk_begin(&b, sa->sk.out.sz.iv);
	ike_add_raw(&b, 200, false, body, plain_len - IKE_GENERIC_LEN);
	assert_int_equal(ike_sk_end(&b, sa->sk.out.sz.block, sa->sk.out.sz.icv, &l), 0);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(ike_frag_split(set, msg, &l, plain_len, max_msg, &sa->sk.out, iv_next,
	                                &ivc, err, sizeof(err)),
	                 0);
}

/* Fragment i of set into node 1's reassembly at `now`. */
static enum ike_reassembly_result feed(struct ike_harness *h, struct ike_reassembly **r,
                                       uint64_t *drops, const struct ike_frag_set *set, size_t i,
                                       uint64_t now)
{
	static uint8_t buf[IKE_MSG_MAX];
	struct ike_msg m;
	struct ike_error e;
	size_t len;
	const uint8_t *d = ike_frag_get(set, NULL, 0, i, &len);

	memcpy(buf, d, len);
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	return ike_reassembly_add(r, drops, &m, buf, &h_sa(h, 1)->sk.in, now, 30 * H_S);
}

static void test_reassembly_limits(void **state)
{
	static struct ike_frag_set a, b;
	static uint8_t out[IKE_FRAG_BYTES_MAX];
	struct ike_harness h;
	struct ike_reassembly *r = NULL;
	uint64_t drops[IKE_FRAG_DROP__COUNT] = {0};
	uint8_t first;

	(void)state;
	establish(&h, IKE_FRAGMENTATION_YES, IKE_FRAGMENTATION_YES, NULL);
	h_assert_settled(&h, 1);

	/* Out of order, complete: the plaintext in order. */
	cut(&h, &a, 7, 1000, 300);
	assert_true(a.n >= 4);
	for (size_t i = a.n; i-- > 1;)
		assert_int_equal(feed(&h, &r, drops, &a, i, 0), IKE_REASSEMBLY_KEPT);
	assert_int_equal(feed(&h, &r, drops, &a, 0, 0), IKE_REASSEMBLY_COMPLETE);
	assert_int_equal(ike_reassembly_take(&r, out, &first), 1000);
	assert_int_equal(first, 200);
	assert_int_equal(get_be16(out + 2), 1000);
	assert_null(r);

	/* §2.6: cut again smaller (more Total Fragments): the old cut is
	 * given up; a fragment of the old cut after that is stale. */
	cut(&h, &b, 7, 1000, 200);
	assert_true(b.n > a.n);
	assert_int_equal(feed(&h, &r, drops, &a, 0, 0), IKE_REASSEMBLY_KEPT);
	assert_int_equal(feed(&h, &r, drops, &a, 1, 0), IKE_REASSEMBLY_KEPT);
	assert_int_equal(feed(&h, &r, drops, &b, 0, 0), IKE_REASSEMBLY_KEPT);
	assert_int_equal(drops[IKE_FRAG_DROP_SUPERSEDED], 2);
	assert_int_equal(feed(&h, &r, drops, &a, 2, 0), IKE_REASSEMBLY_DROPPED);
	assert_int_equal(drops[IKE_FRAG_DROP_STALE], 1);
	assert_int_equal(feed(&h, &r, drops, &b, 0, 0), IKE_REASSEMBLY_DROPPED);
	assert_int_equal(drops[IKE_FRAG_DROP_DUPLICATE], 1);

	/* Bounded time: a set begun more than 30 s ago is given up. */
	assert_int_equal(feed(&h, &r, drops, &b, 1, 31 * H_S), IKE_REASSEMBLY_KEPT);
	assert_int_equal(drops[IKE_FRAG_DROP_TIMEOUT], 1);
	assert_int_equal(r->have, 1);

	/* Another message: the one under way is given up. */
	cut(&h, &a, 8, 500, 300);
	assert_int_equal(feed(&h, &r, drops, &a, 0, 31 * H_S), IKE_REASSEMBLY_KEPT);
	assert_int_equal(drops[IKE_FRAG_DROP_SUPERSEDED], 3);
	ike_reassembly_free(&r);

	/* Bounded bytes: authentic fragments of a message above 8192 bytes. */
	cut(&h, &a, 9, IKE_FRAG_BYTES_MAX + 100, 1200);
	for (size_t i = 0; i + 1 < a.n; i++)
		assert_int_equal(feed(&h, &r, drops, &a, i, 0), IKE_REASSEMBLY_KEPT);
	assert_int_equal(feed(&h, &r, drops, &a, a.n - 1, 0), IKE_REASSEMBLY_DROPPED);
	assert_int_equal(drops[IKE_FRAG_DROP_TOO_LARGE], a.n);
	assert_int_equal(r->have, 0);
	ike_reassembly_free(&r);
	h_free(&h);
}

/* Over IPv6 a fragment's IP header is 40 bytes: every fragment datagram
 * fits fragment_size with it (§2.5.1). */
static void test_ipv6(void **state)
{
	struct ike_harness h;
	struct ike_conn_config a, b;
	int skf = 0;

	(void)state;
	h_init_v6(&h);
	h_conn(&h, 0, &a, NULL, NULL);
	h_conn(&h, 1, &b, NULL, NULL);
	a.children[0].start_action = IKE_START_START;
	a.fragment_size = b.fragment_size = SMALL;
	h.record = true;
	h_add(&h, 1, &b);
	h_add(&h, 0, &a);
	h_run_for(&h, 2 * H_S);
	assert_int_equal(h_ike_state(&h, 0), IKE_STATE_ESTABLISHED);
	for (size_t k = 0; k < h.nlog; k++) {
		if (first_payload(&h.log[k]) != IKE_PL_SKF)
			continue;
		skf++;
		assert_true(h.log[k].len <= SMALL - IPV6_HDR_LEN - 8);
	}
	assert_true(skf >= 4);
	assert_int_equal(stats(&h, 0)->frag_reassembled, 1);
	assert_int_equal(stats(&h, 1)->frag_reassembled, 1);
	h_free(&h);
}

static void test_sizes(void **state)
{
	struct ike_harness h;
	struct ike_conn_config c;
	char err[300];

	(void)state;
	h_init(&h);
	h_conn(&h, 0, &c, NULL, NULL);
	c.fragment_size = IKE_FRAGMENT_SIZE_MIN - 1;
	assert_int_equal(ike_conn_add(h.n[0].ike, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "connection 'gw': fragment_size 199 is below 200");
	h_free(&h);
	/* charon's: fragment_size is the IP datagram (message.c, 5.9.8). */
	assert_int_equal(ike_frag_max_message(1280, IPV4_HDR_LEN, false), 1252);
	assert_int_equal(ike_frag_max_message(1280, IPV4_HDR_LEN, true), 1248);
	assert_int_equal(ike_frag_max_message(0, IPV4_HDR_LEN, false), 548);
	assert_int_equal(ike_frag_max_message(0, IPV6_HDR_LEN, false), 1232);
	assert_int_equal(ike_frag_max_message(1280, IPV6_HDR_LEN, true), 1228);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_auth_in_fragments),
	        cmocka_unit_test(test_negotiation),
	        cmocka_unit_test(test_reordered_and_duplicated),
	        cmocka_unit_test(test_lost_fragments_resend_the_set),
	        cmocka_unit_test(test_hostile_fragments),
	        cmocka_unit_test(test_reassembly_limits),
	        cmocka_unit_test(test_ipv6),
	        cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
