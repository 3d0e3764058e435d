/* Hostile and broken input (RFC 7296 §2.21): truncated messages, bad
 * lengths, unknown SPIs, bad integrity, replays, a missing non-ESP marker
 * and thousands of mutations of real messages are dropped and counted,
 * never crash (this test also runs under ASan/UBSan), and leave the
 * established SAs working. */
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

static struct hdgram *captured;
static size_t ncaptured;

/* Establish with a DPD exchange, and keep copies of every datagram. */
static void setup(struct ike_harness *h)
{
	struct ike_conn_config a, b;

	h_init(h);
	h_conn(h, 0, &a, "aes128-sha256-x25519", NULL);
	h_conn(h, 1, &b, "aes128-sha256-x25519", NULL);
	a.children[0].start_action = IKE_START_START;
	a.dpd_delay_ns = 10 * H_S;
	h->record = true;
	h_add(h, 1, &b);
	h_add(h, 0, &a);
	h_run_for(h, 12 * H_S);
	assert_int_equal(h_ike_state(h, 0), IKE_STATE_ESTABLISHED);
	assert_true(h->nlog >= 6); /* INIT, AUTH, one DPD exchange */
	ncaptured = h->nlog;
	captured = malloc(ncaptured * sizeof(*captured));
	assert_non_null(captured);
	memcpy(captured, h->log, ncaptured * sizeof(*captured));
	h->record = false;
}

static void inject(struct ike_harness *h, const struct hdgram *d, const uint8_t *data, size_t len)
{
	int to = d->from == 0 ? 1 : 0;

	ike_receive(h->n[to].ike, d->src, d->sport, h->n[to].addr, d->dport, data, len);
	h->nq = 0; /* answers go nowhere */
}

static void still_working(struct ike_harness *h)
{
	bool ok;
	int n = h_count(h, 0, IKE_EV_EXCHANGE);

	h->nq = 0;
	h_run_for(h, 11 * H_S); /* a DPD exchange */
	assert_int_equal(h_count(h, 0, IKE_EV_EXCHANGE), n + 1);
	assert_true(h_event(h, 0, IKE_EV_EXCHANGE, -1)->ev.ok);
	assert_int_equal(h_ike_state(h, 0), IKE_STATE_ESTABLISHED);
	assert_int_equal(h_send_ip(h, 0, H_LAN_A | 1, H_LAN_B | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
	assert_int_equal(h_send_ip(h, 1, H_LAN_B | 1, H_LAN_A | 1, &ok, NULL, NULL),
	                 IPSEC_VERDICT_PROTECT);
	assert_true(ok);
}

static void teardown(struct ike_harness *h)
{
	free(captured);
	captured = NULL;
	h_free(h);
}

static void test_truncated_and_lengths(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_stats st0, st1;
	uint8_t buf[H_DGRAM_MAX];

	setup(&h);
	for (size_t i = 0; i < ncaptured; i++) {
		const struct hdgram *d = &captured[i];

		for (size_t n = 0; n < d->len; n++)
			inject(&h, d, d->data, n);
		/* Header length larger / smaller than the datagram. */
		memcpy(buf, d->data, d->len);
		put_be32(buf + 24, (uint32_t)d->len + 1);
		inject(&h, d, buf, d->len);
		put_be32(buf + 24, (uint32_t)d->len - 1);
		inject(&h, d, buf, d->len);
		put_be32(buf + 24, 0xffffffffu);
		inject(&h, d, buf, d->len);
	}
	ike_get_stats(h.n[0].ike, &st0);
	ike_get_stats(h.n[1].ike, &st1);
	assert_true(st0.dropped_malformed > 0 && st1.dropped_malformed > 0);
	still_working(&h);
	teardown(&h);
}

static void test_spis_integrity_replay(void **state)
{
	(void)state;
	struct ike_harness h;
	struct ike_stats st;
	uint8_t buf[H_DGRAM_MAX];
	const struct hdgram *auth_req = NULL, *init_resp = NULL, *dpd_req = NULL;
	uint64_t tx;

	setup(&h);
	for (size_t i = 0; i < ncaptured; i++) {
		const struct hdgram *d = &captured[i];
		uint8_t ex = d->data[18], fl = d->data[19];

		if (ex == IKE_AUTH && !(fl & IKE_FLAG_RESPONSE))
			auth_req = d;
		if (ex == IKE_SA_INIT && (fl & IKE_FLAG_RESPONSE))
			init_resp = d;
		if (ex == IKE_INFORMATIONAL && !(fl & IKE_FLAG_RESPONSE))
			dpd_req = d;
	}
	assert_non_null(auth_req);
	assert_non_null(init_resp);
	assert_non_null(dpd_req);

	/* Unknown SPIs (§2.21): dropped and counted, nothing sent. */
	ike_get_stats(h.n[1].ike, &st);
	tx = st.tx;
	memcpy(buf, auth_req->data, auth_req->len);
	buf[9] ^= 0x55; /* SPIr */
	inject(&h, auth_req, buf, auth_req->len);
	memcpy(buf, auth_req->data, auth_req->len);
	buf[1] ^= 0x55; /* SPIi */
	inject(&h, auth_req, buf, auth_req->len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_unknown_spi, 2);
	assert_int_equal(st.tx, tx);

	/* Bad integrity: every byte of the SK payload's IV, ciphertext and
	 * ICV flipped in turn. */
	for (size_t i = IKE_HDR_LEN + 4; i < dpd_req->len; i++) {
		memcpy(buf, dpd_req->data, dpd_req->len);
		buf[i] ^= 0x01;
		inject(&h, dpd_req, buf, dpd_req->len);
	}
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_integrity, dpd_req->len - IKE_HDR_LEN - 4);
	assert_int_equal(st.tx, tx);

	/* Replays: the last request again is a retransmission (the cached
	 * response goes out again); the IKE_AUTH request is outside the
	 * window; the IKE_SA_INIT response is a duplicate. */
	inject(&h, dpd_req, dpd_req->data, dpd_req->len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.tx, tx + 1);
	inject(&h, auth_req, auth_req->data, auth_req->len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_replay, 1);
	inject(&h, init_resp, init_resp->data, init_resp->len);
	ike_get_stats(h.n[0].ike, &st);
	assert_int_equal(st.dropped_replay, 1);

	/* An IKE_SA_INIT request whose initiator SPI is zero (§3.1: MUST
	 * NOT be): dropped as malformed, no answer and no half-open SA. */
	const struct hdgram *init_req = &captured[0];
	ike_get_stats(h.n[1].ike, &st);
	tx = st.tx;
	uint64_t malformed = st.dropped_malformed, half_open = st.half_open;
	memcpy(buf, init_req->data, init_req->len);
	memset(buf, 0, IKE_SPI_LEN);
	inject(&h, init_req, buf, init_req->len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_malformed, malformed + 1);
	assert_int_equal(st.half_open, half_open);
	assert_int_equal(st.tx, tx);
	/* The same request with its SPI is answered (the check is the SPI's). */
	memcpy(buf, init_req->data, init_req->len);
	buf[0] ^= 0x80;
	inject(&h, init_req, buf, init_req->len);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.tx, tx + 1);
	assert_int_equal(st.half_open, half_open + 1);

	/* Port 4500 without the non-ESP marker; a NAT-keepalive. */
	ike_get_stats(h.n[1].ike, &st);
	tx = st.dropped_malformed;
	ike_receive(h.n[1].ike, ip_addr_v4(H_ADDR_A), 4500, ip_addr_v4(H_ADDR_B), 4500,
	            dpd_req->data, dpd_req->len);
	ike_receive(h.n[1].ike, ip_addr_v4(H_ADDR_A), 4500, ip_addr_v4(H_ADDR_B), 4500,
	            (const uint8_t *)"\xff", 1);
	ike_get_stats(h.n[1].ike, &st);
	assert_int_equal(st.dropped_malformed, tx + 1);
	still_working(&h);
	teardown(&h);
}

/* Thousands of random mutations of every captured message, to both
 * nodes: whatever happens is counted, nothing crashes. */
static void test_mutations(void **state)
{
	(void)state;
	struct ike_harness h;
	uint8_t buf[H_DGRAM_MAX];
	uint32_t rng = 12345;
	struct ike_stats s0, s1;

	setup(&h);
	for (size_t i = 0; i < ncaptured; i++) {
		const struct hdgram *d = &captured[i];

		for (int k = 0; k < 1500; k++) {
			int flips;

			memcpy(buf, d->data, d->len);
			rng = rng * 1103515245u + 12345u;
			flips = 1 + (int)(rng >> 28) % 4;
			for (int f = 0; f < flips; f++) {
				rng = rng * 1103515245u + 12345u;
				/* Mostly the header and payload headers. */
				buf[(rng >> 8) % (k & 1 ? d->len : (d->len < 80 ? d->len : 80))] ^=
				        (uint8_t)(1u << ((rng >> 4) & 7));
			}
			inject(&h, d, buf, d->len);
		}
	}
	ike_get_stats(h.n[0].ike, &s0);
	ike_get_stats(h.n[1].ike, &s1);
	assert_true(s0.rx + s1.rx >= 1500 * ncaptured);
	assert_true(s1.dropped_malformed + s1.dropped_unknown_spi + s1.dropped_integrity +
	                    s1.dropped_replay + s1.dropped_other >
	            1000);
	/* Mutated IKE_SA_INIT requests may well have opened half-open SAs
	 * on B; A's SA must be untouched. */
	h.n[0].ike->sas->x.nqueue = 0;
	still_working(&h);
	teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_truncated_and_lengths),
	        cmocka_unit_test(test_spis_integrity_replay),
	        cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
