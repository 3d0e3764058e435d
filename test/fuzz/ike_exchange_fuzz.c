/* libFuzzer target for IKEv2's exchanges (model/ike*.c): two nodes of the
 * unit tests' harness go through a script of fuzzed messages and actions
 * (ike_exchange_input.h).  Messages carry fuzzed payload chains inside SK
 * payloads sealed with the receiving IKE SA's real keys, so they pass the
 * integrity check (RFC 7296 §3.14) and reach IKE_SA_INIT, IKE_AUTH,
 * CREATE_CHILD_SA and INFORMATIONAL handling, cookies, NAT detection,
 * MOBIKE and rekey collisions, in the state the script led to; or in
 * Encrypted Fragment payloads that reach RFC 7383 reassembly.
 *
 * The harness reports broken invariants with cmocka's assertions; with
 * CMOCKA_TEST_ABORT=1 they abort, which libFuzzer reports as a crash.
 * Built by test/fuzz/CMakeLists.txt. */
#include "ike_exchange_input.h"
#include "ike_harness.h"

#include <stdlib.h>
#include <string.h>

#define MOVED_BIT 0x10 /* A's address with this bit flipped: IKEF_MOVE */

static const uint8_t fixed_spi[IKE_SPI_LEN] = {0xf0, 0x0d, 0, 0, 0, 0, 0, 1};

/* Node i's k-th IKE SA (the first if there are fewer), NULL if none. */
static struct ike_sa *nth_sa(struct hnode *n, int k)
{
	struct ike_sa *sa = n->ike->sas;

	for (; k > 0 && sa && sa->next; k--)
		sa = sa->next;
	return sa;
}

/* The fuzzed chain, verbatim, after the header or the open SK payload
 * (whose Next Payload field names its first payload, §3.2). */
static void append_chain(struct ike_builder *b, uint8_t first, const uint8_t *body, size_t len)
{
	if (b->err.code != IKE_OK || b->len + len > b->cap) {
		b->err.code = IKE_E_NOSPACE;
		return;
	}
	b->buf[b->chain] = first;
	memcpy(b->buf + b->len, body, len);
	b->len += len;
}

/* Builds the message of record `r` (IKEF_MSG_HDR octets, then `len` of
 * chain) for node `to` into buf; returns its length, 0 if it cannot. */
static size_t build(int to, struct ike_sa *sa, const uint8_t *r, const uint8_t *body, size_t len,
                    uint8_t *buf, size_t cap)
{
	static uint8_t ivs; /* AEAD IVs must differ under a key (RFC 5282 §3.1) */
	uint8_t flags = r[0], iv[16];
	bool response = flags & IKEF_MSG_RESPONSE;
	bool peer_initiator = sa ? !sa->initiator : to == 1;
	struct ike_header hd = {.exchange = r[1]};
	struct ike_builder b;
	struct ike_sk_layout l;
	struct ike_sk sk;
	size_t n = 0;
	char err[200];

	hd.flags = (uint8_t)(((peer_initiator ? IKE_FLAG_INITIATOR : 0) ^
	                      (flags & IKEF_MSG_FLIP_I ? IKE_FLAG_INITIATOR : 0)) |
	                     (response ? IKE_FLAG_RESPONSE : 0));
	hd.message_id = (uint32_t)((sa ? (response ? sa->x.mid : sa->x.mid_in) : 0) + (int8_t)r[2]);
	memcpy(hd.spi_i, sa ? sa->spi_i : fixed_spi, IKE_SPI_LEN);
	if (sa && memcmp(sa->spi_r, "\0\0\0\0\0\0\0\0", IKE_SPI_LEN))
		memcpy(hd.spi_r, sa->spi_r, IKE_SPI_LEN);
	else if (response)
		memcpy(hd.spi_r, fixed_spi, IKE_SPI_LEN);
	ike_builder_init(&b, buf, cap, &hd);
	if (!sa || !sa->keyed || (flags & IKEF_MSG_PLAIN)) {
		append_chain(&b, r[3], body, len);
		return ike_builder_finish(&b, &n) ? 0 : n;
	}
	/* §2.14: what the receiver opens with SK_ei/SK_ai if it responded. */
	if (ike_sk_init(&sk, &sa->suite, sa->initiator ? sa->keys.sk_er : sa->keys.sk_ei,
	                sa->initiator ? sa->keys.sk_ar : sa->keys.sk_ai, true, err, sizeof(err)))
		abort();
	memset(iv, 0x3c, sizeof(iv));
	iv[0] = ++ivs;
	if (flags & IKEF_MSG_FRAGMENT && len >= 2) {
		ike_skf_begin(&b, sk.sz.iv, body[0], body[1], r[3]);
		ike_sk_put(&b, body + 2, len - 2);
	} else {
		ike_sk_begin(&b, sk.sz.iv);
		append_chain(&b, r[3], body, len);
	}
	ike_sk_end(&b, sk.sz.block, sk.sz.icv, &l);
	if (ike_builder_finish(&b, &n) || ike_sk_protect(&sk, buf, &l, iv))
		n = 0;
	ike_sk_free(&sk);
	return n;
}

/* A message of the script to node `to`, as from its peer. */
static void deliver_msg(struct ike_harness *h, int to, const uint8_t *r, const uint8_t *body,
                        size_t len)
{
	static uint8_t buf[IKE_MSG_MAX + 4];
	struct hnode *n = &h->n[to];
	struct ike_sa *sa = nth_sa(n, r[0] & IKEF_MSG_SECOND_SA ? 1 : 0);
	struct ip_addr src = sa ? sa->remote_addr : h->n[1 - to].addr,
	               dst = sa ? sa->local_addr : n->addr;
	uint16_t sport = sa ? sa->remote_port : IKE_PORT, dport = sa ? sa->local_port : IKE_PORT;
	size_t marker = dport == IKE_NATT_PORT ? 4 : 0; /* RFC 3948 §2.2 */
	size_t mlen = build(to, sa, r, body, len, buf + marker, IKE_MSG_MAX);

	if (!mlen)
		return;
	memset(buf, 0, marker);
	ike_receive(n->ike, src, sport, dst, dport, buf, marker + mlen);
}

static void act(struct ike_harness *h, uint8_t op)
{
	struct ike *node = h->n[op >> 3 & 1].ike;

	switch ((enum ikef_op)(op & 7)) {
	case IKEF_RUN:
		h_run_for(h, 10 * H_MS + (uint64_t)(op >> 3) * 100 * H_MS);
		break;
	case IKEF_DROP:
		h->nq = 0;
		break;
	case IKEF_REKEY:
		ike_rekey(node, "gw", op & 0x10 ? NULL : "net", op & 0x20);
		break;
	case IKEF_MOVE:
		if (op & 0x10) {
			ike_terminate(node, "gw");
		} else {
			struct ip_addr old = h->n[0].addr;

			h->n[0].addr = ip_addr_v4(ip_addr_v4_value(&old) ^ MOVED_BIT);
			ike_local_address_changed(h->n[0].ike, old, h->n[0].addr);
		}
		break;
	case IKEF_CHILD:
		ike_initiate(node, "gw", "net");
		break;
	default:
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("CMOCKA_TEST_ABORT", "1", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_harness h;
	size_t i = 1;

	if (size < 1)
		return 0;
	ikef_setup(&h, data[0]);
	while (i < size) {
		uint8_t op = data[i++];

		/* The harness holds H_QUEUE datagrams in flight; a script of
		 * many steps without running the clock (each address change
		 * resends the outstanding request) would overflow it: the
		 * network loses them instead. */
		if (h.nq > H_QUEUE / 2)
			h.nq = 0;

		if ((op & 7) == IKEF_TO_A || (op & 7) == IKEF_TO_B) {
			size_t len;

			if (size - i < IKEF_MSG_HDR)
				break;
			len = (size_t)data[i + 4] << 8 | data[i + 5];
			if (size - i - IKEF_MSG_HDR < len)
				len = size - i - IKEF_MSG_HDR;
			deliver_msg(&h, (op & 7) == IKEF_TO_A ? 0 : 1, data + i,
			            data + i + IKEF_MSG_HDR, len);
			i += IKEF_MSG_HDR + len;
		} else {
			act(&h, op);
		}
	}
	h_run_for(&h, 2 * H_S);
	h_free(&h);
	return 0;
}
