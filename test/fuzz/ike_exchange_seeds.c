/* Writes the seed corpus of the IKE exchange fuzz target: scripts
 * (ike_exchange_input.h) of well-formed exchanges of every kind, built
 * with the engine's own builder; the SPIs of the Child SAs come from
 * running the same deterministic harness the target runs.
 * Usage: ike_exchange_seeds DIR */
#include "ike_exchange_input.h"
#include "ike_harness.h"
#include "ike_proposal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir;
static int count;

struct script {
	uint8_t buf[8192];
	size_t len;
};

static void op(struct script *s, uint8_t o)
{
	s->buf[s->len++] = o;
}

/* A message record: the chain is what `b` holds after its header. */
static void msg(struct script *s, enum ikef_op to, uint8_t flags, uint8_t exchange,
                const struct ike_builder *b)
{
	size_t len = b->len - IKE_HDR_LEN;

	op(s, (uint8_t)to);
	op(s, flags);
	op(s, exchange);
	op(s, 0);
	op(s, b->buf[16]); /* the header's Next Payload: the first payload */
	op(s, (uint8_t)(len >> 8));
	op(s, (uint8_t)len);
	memcpy(s->buf + s->len, b->buf + IKE_HDR_LEN, len);
	s->len += len;
}

/* The same message as Encrypted Fragments (RFC 7383): the chain in `n`
 * pieces, sent last piece first, the first one twice. */
static void msg_fragments(struct script *s, enum ikef_op to, uint8_t flags, uint8_t exchange,
                          const struct ike_builder *b, int n)
{
	size_t len = b->len - IKE_HDR_LEN, piece = (len + (size_t)n - 1) / (size_t)n;

	for (int k = n; k >= 0; k--) {
		int num = k ? k : 1;
		size_t at = (size_t)(num - 1) * piece;
		size_t plen = len - at < piece ? len - at : piece;

		op(s, (uint8_t)to);
		op(s, flags | IKEF_MSG_FRAGMENT);
		op(s, exchange);
		op(s, 0);
		op(s, num == 1 ? b->buf[16] : IKE_PL_NONE);
		op(s, (uint8_t)((plen + 2) >> 8));
		op(s, (uint8_t)(plen + 2));
		op(s, (uint8_t)num);
		op(s, (uint8_t)n);
		memcpy(s->buf + s->len, b->buf + IKE_HDR_LEN + at, plen);
		s->len += plen;
	}
}

static void save(const struct script *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, count++);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static uint8_t chain_buf[4096];

static struct ike_builder *chain(struct ike_builder *b)
{
	struct ike_header h = {0};

	ike_builder_init(b, chain_buf, sizeof(chain_buf), &h);
	return b;
}

static struct ike_proposal_list proposals(uint8_t proto, const char *text, uint32_t spi)
{
	struct ike_proposal_list l;
	char err[200];

	memset(&l, 0, sizeof(l));
	if (ike_proposals_parse(proto, text, &l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	for (int i = 0; i < l.n; i++) {
		l.p[i].spi_size = proto == IKE_PROTO_IKE ? (spi ? 8 : 0) : 4;
		memset(l.p[i].spi, 0, sizeof(l.p[i].spi));
		if (spi)
			put_be32(l.p[i].spi + l.p[i].spi_size - 4, spi);
	}
	return l;
}

static const uint8_t nonce[32] = "a nonce of thirty-two octets....";
static const uint8_t ke[32] = "an X25519 public value.........";
static const uint8_t junk[32] = "an AUTH value that cannot verify";

static void add_ts(struct ike_builder *b, uint32_t i_lan, uint32_t r_lan)
{
	struct ike_ts ti = ike_ts_ipv4(0, i_lan, i_lan | 0xffff, 0, 65535);
	struct ike_ts tr = ike_ts_ipv4(0, r_lan, r_lan | 0xffff, 0, 65535);

	ike_add_ts(b, IKE_PL_TSI, &ti, 1);
	ike_add_ts(b, IKE_PL_TSR, &tr, 1);
}

static void init_chain(struct ike_builder *b, bool response)
{
	struct ike_proposal_list ike = proposals(IKE_PROTO_IKE, "aes128-sha256-x25519", 0);
	uint8_t natd[20] = {0};

	ike_add_sa(b, ike.p, 1);
	ike_add_ke(b, IKE_DH_CURVE25519, ke, sizeof(ke));
	ike_add_nonce(b, nonce, sizeof(nonce));
	ike_add_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, natd, 20);
	ike_add_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, 20);
	if (!response)
		ike_add_notify(b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS,
		               (const uint8_t *)"\0\2\0\3", 4);
}

static void auth_chain(struct ike_builder *b, bool response)
{
	struct ike_proposal_list esp =
	        response ? proposals(IKE_PROTO_ESP, "aes128-sha256-noesn", 0x1234)
	                 : proposals(IKE_PROTO_ESP, "default", 0x1234);

	ike_add_id(b, response ? IKE_PL_IDR : IKE_PL_IDI, IKE_ID_FQDN,
	           (const uint8_t *)"peer.example", 12);
	ike_add_auth(b, IKE_AUTH_PSK, junk, sizeof(junk));
	ike_add_notify(b, 0, NULL, 0, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	ike_add_sa(b, esp.p, response ? 1 : (size_t)esp.n);
	add_ts(b, H_LAN_A, H_LAN_B);
}

/* IKE_SA_INIT and IKE_AUTH, before an IKE SA is up. */
static void early_seeds(void)
{
	struct ike_builder b;
	struct script s = {.len = 0};

	op(&s, IKEF_INIT_REQUEST);
	init_chain(chain(&b), false);
	msg(&s, IKEF_TO_B, 0, IKE_SA_INIT, &b);
	save(&s);
	/* then an IKE_AUTH request with the keys of that exchange */
	auth_chain(chain(&b), false);
	msg(&s, IKEF_TO_B, 0, IKE_AUTH, &b);
	save(&s);
	/* a request with a cookie (§2.6) */
	s.len = 1;
	ike_add_notify(chain(&b), 0, NULL, 0, IKE_N_COOKIE, nonce, 16);
	init_chain(&b, false);
	msg(&s, IKEF_TO_B, 0, IKE_SA_INIT, &b);
	save(&s);

	s.len = 0;
	op(&s, IKEF_INIT_RESPONSE);
	init_chain(chain(&b), true);
	msg(&s, IKEF_TO_A, IKEF_MSG_RESPONSE, IKE_SA_INIT, &b);
	save(&s);
	for (int i = 0; i < 2; i++) {
		s.len = 1;
		if (i)
			ike_add_notify(chain(&b), 0, NULL, 0, IKE_N_COOKIE, nonce, 16);
		else
			ike_add_notify(chain(&b), 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD,
			               (const uint8_t *)"\0\x13", 2);
		msg(&s, IKEF_TO_A, IKEF_MSG_RESPONSE, IKE_SA_INIT, &b);
		op(&s, IKEF_RUN);
		save(&s);
	}

	for (int to = 0; to < 2; to++) {
		s.len = 0;
		op(&s, IKEF_AUTH);
		auth_chain(chain(&b), to == 0);
		msg(&s, to ? IKEF_TO_B : IKEF_TO_A, to ? 0 : IKEF_MSG_RESPONSE, IKE_AUTH, &b);
		save(&s);
		s.len = 1;
		msg_fragments(&s, to ? IKEF_TO_B : IKEF_TO_A, to ? 0 : IKEF_MSG_RESPONSE, IKE_AUTH,
		              &b, 3);
		save(&s);
	}
}

/* CREATE_CHILD_SA and INFORMATIONAL on an established IKE SA. */
static void established_seeds(uint8_t setup)
{
	struct ike_harness h;
	struct ike_builder b;
	struct script s = {.len = 0};
	struct ike_proposal_list esp;
	struct ike_proposal_list ike = proposals(IKE_PROTO_IKE, "aes128-sha256-x25519", 0x99);
	uint8_t spi_a[4], spi_b[4];
	bool pfs = setup & IKEF_PFS;

	ikef_setup(&h, setup);
	put_be32(spi_a, h_sa(&h, 0)->children[0].spi_in);
	put_be32(spi_b, h_sa(&h, 1)->children[0].spi_in);
	h_free(&h);
	/* one transform of each type: a response's choice (§3.3.6) */
	esp = proposals(IKE_PROTO_ESP, pfs ? "aes128gcm16-x25519" : "aes128-sha256-noesn", 0x5678);

	/* a new child, a child rekey (§1.3.3), an IKE SA rekey (§1.3.2) */
	for (int k = 0; k < 3; k++) {
		s.len = 0;
		op(&s, setup);
		chain(&b);
		if (k == 1)
			ike_add_notify(&b, IKE_PROTO_ESP, spi_a, 4, IKE_N_REKEY_SA, NULL, 0);
		ike_add_sa(&b, k == 2 ? ike.p : esp.p, 1);
		ike_add_nonce(&b, nonce, sizeof(nonce));
		if (k == 2 || pfs)
			ike_add_ke(&b, IKE_DH_CURVE25519, ke, sizeof(ke));
		if (k < 2)
			add_ts(&b, H_LAN_A, H_LAN_B);
		msg(&s, IKEF_TO_B, 0, IKE_CREATE_CHILD_SA, &b);
		save(&s);
	}
	/* A rekeys; B's response, or B's colliding rekey (§2.8.1) */
	for (int k = 0; k < 2; k++) {
		s.len = 0;
		op(&s, setup);
		op(&s, IKEF_REKEY);
		chain(&b);
		if (k)
			ike_add_notify(&b, IKE_PROTO_ESP, spi_b, 4, IKE_N_REKEY_SA, NULL, 0);
		ike_add_sa(&b, esp.p, 1);
		ike_add_nonce(&b, nonce, sizeof(nonce));
		if (pfs)
			ike_add_ke(&b, IKE_DH_CURVE25519, ke, sizeof(ke));
		/* TSi: the traffic of the exchange's initiator (§2.9) */
		add_ts(&b, k ? H_LAN_B : H_LAN_A, k ? H_LAN_A : H_LAN_B);
		msg(&s, IKEF_TO_A, k ? 0 : IKEF_MSG_RESPONSE, IKE_CREATE_CHILD_SA, &b);
		op(&s, IKEF_RUN | 8);
		save(&s);
	}
	/* INFORMATIONAL: DELETE of the child and of the IKE SA, DPD, MOBIKE */
	for (int k = 0; k < 4; k++) {
		s.len = 0;
		op(&s, setup);
		chain(&b);
		if (k == 0)
			ike_add_delete(&b, IKE_PROTO_ESP, 4, spi_a, 1);
		if (k == 1)
			ike_add_delete(&b, IKE_PROTO_IKE, 0, NULL, 0);
		if (k == 3)
			ike_add_notify(&b, 0, NULL, 0, IKE_N_UPDATE_SA_ADDRESSES, NULL, 0);
		msg(&s, IKEF_TO_B, 0, IKE_INFORMATIONAL, &b);
		save(&s);
	}
	/* a DELETE in two fragments */
	s.len = 0;
	op(&s, setup);
	ike_add_delete(chain(&b), IKE_PROTO_ESP, 4, spi_a, 1);
	msg_fragments(&s, IKEF_TO_B, 0, IKE_INFORMATIONAL, &b, 2);
	save(&s);
	/* the actions alone */
	s.len = 0;
	op(&s, setup);
	op(&s, IKEF_REKEY | 0x10);
	op(&s, IKEF_REKEY | 0x08);
	op(&s, IKEF_RUN);
	op(&s, IKEF_MOVE);
	op(&s, IKEF_RUN | 0x08);
	op(&s, IKEF_CHILD | 0x08);
	op(&s, IKEF_DROP);
	op(&s, IKEF_REKEY | 0x30);
	op(&s, IKEF_RUN | 0x10);
	op(&s, IKEF_MOVE | 0x18);
	save(&s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	early_seeds();
	established_seeds(IKEF_ESTABLISHED);
	established_seeds(IKEF_ESTABLISHED | IKEF_MOBIKE | IKEF_NAT | IKEF_PFS);
	printf("%d seeds in %s\n", count, dir);
	return 0;
}
