/* libFuzzer target for the IKEv2 codec and what consumes its output: parse
 * a datagram, decode its SA/TS/CP payloads, negotiate the proposals against
 * strongSwan's defaults (and render the diagnostic), map choices to suites
 * and Child SAs, and open an SK payload with fixed keys (AES-GCM and
 * AES-CBC/HMAC) to parse the inner payloads; an Encrypted Fragment payload
 * (RFC 7383) also goes through reassembly.  Built with clang
 * -fsanitize=fuzzer,address,undefined; see test/unit/CMakeLists.txt. */
#include "ike_crypto.h"
#include "ike_frag.h"
#include "ike_fuzz_keys.h"
#include "ike_msg.h"
#include "ike_proposal.h"

#include <stdlib.h>
#include <string.h>

struct fuzz_state {
	struct ike_sk in[2];
	struct ike_proposal_list cfg[4]; /* indexed by protocol id */
};

static struct fuzz_state *state(void)
{
	static struct fuzz_state s;
	static int ready;
	uint8_t sk_e[IKE_ENCR_KEY_MAX], sk_a[IKE_INTEG_KEY_MAX];
	char err[200];

	if (ready)
		return &s;
	ike_fuzz_keys(sk_e, sk_a);
	for (int i = 0; i < 2; i++)
		if (ike_sk_init(&s.in[i], &ike_fuzz_suites[i], sk_e, sk_a, false, err, sizeof(err)))
			abort();
	if (ike_proposals_parse(IKE_PROTO_IKE, "default", &s.cfg[IKE_PROTO_IKE], err,
	                        sizeof(err)) ||
	    ike_proposals_parse(IKE_PROTO_ESP, "default, aes128gcm16-x25519-esn",
	                        &s.cfg[IKE_PROTO_ESP], err, sizeof(err)) ||
	    ike_proposals_parse(IKE_PROTO_AH, "default", &s.cfg[IKE_PROTO_AH], err, sizeof(err)))
		abort();
	ready = 1;
	return &s;
}

static void negotiate(struct fuzz_state *s, const struct ike_sa_payload *sa)
{
	struct ike_select_diag *d = malloc(sizeof(*d));
	struct ike_proposal chosen;
	char text[2048], err[200];

	if (!d)
		return;
	for (uint8_t proto = IKE_PROTO_IKE; proto <= IKE_PROTO_ESP; proto++) {
		for (unsigned flags = 0; flags <= IKE_SELECT_IGNORE_DH; flags++) {
			if (ike_proposal_select(sa->p, sa->nproposals, &s->cfg[proto], flags,
			                        &chosen, d) == 0) {
				struct ike_suite suite;
				struct ike_child_transforms c;

				ike_proposal_format(&chosen, text, sizeof(text));
				if (ike_proposal_check_response(sa->p, sa->nproposals, &chosen,
				                                flags, err, sizeof(err)))
					abort(); /* our own choice must pass our own check */
				ike_proposal_to_suite(&chosen, &suite, err, sizeof(err));
				ike_proposal_to_child(&chosen, &c, err, sizeof(err));
			} else {
				ike_select_diag_format(d, text, sizeof(text));
				ike_select_diag_format(d, text, 17); /* truncation */
			}
		}
	}
	/* The peer's proposal seen as a response to the defaults. */
	if (sa->nproposals)
		ike_proposal_check_response(s->cfg[IKE_PROTO_IKE].p, s->cfg[IKE_PROTO_IKE].n,
		                            &sa->p[0], 0, err, sizeof(err));
	for (int i = 0; i < sa->nproposals; i++)
		ike_proposal_format(&sa->p[i], text, sizeof(text));
	free(d);
}

static void consume(struct fuzz_state *s, const struct ike_msg *m, size_t from)
{
	struct ike_sa_payload *sa = malloc(sizeof(*sa));
	struct ike_ts_payload ts;
	struct ike_error e;

	if (!sa)
		return;
	for (size_t i = from; i < m->npayloads; i++) {
		const struct ike_payload *p = &m->p[i];
		struct ike_cp_attr a;
		size_t pos = 0;

		if (p->type == IKE_PL_SA) {
			if (ike_sa_decode(p, sa, &e))
				abort(); /* validated by the parser */
			negotiate(s, sa);
		} else if ((p->type == IKE_PL_TSI || p->type == IKE_PL_TSR) &&
		           ike_ts_decode(p, &ts, &e)) {
			abort();
		}
		while (ike_cp_next(p, &pos, &a))
			;
	}
	free(sa);
}

/* An SKF payload into a fresh reassembly with each key; the message, if
 * it is whole (Total Fragments 1), parsed and consumed. */
static void reassemble(struct fuzz_state *s, struct ike_msg *m, uint8_t *buf, const uint8_t *data,
                       size_t size, size_t outer)
{
	static uint8_t plain[IKE_FRAG_BYTES_MAX];
	uint64_t drops[IKE_FRAG_DROP__COUNT] = {0};

	for (int k = 0; k < 2; k++) {
		struct ike_reassembly *r = NULL;
		struct ike_error e;
		uint8_t first;

		memcpy(buf, data, size);
		m->npayloads = outer;
		if (ike_reassembly_add(&r, drops, m, buf, &s->in[k], 0, 1) ==
		    IKE_REASSEMBLY_COMPLETE) {
			size_t n = ike_reassembly_take(&r, plain, &first);

			if (ike_msg_parse_inner(m, first, plain, n, &e) == 0)
				consume(s, m, outer);
		}
		ike_reassembly_free(&r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state *s = state();
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t *buf = malloc(size ? size : 1);
	struct ike_error e;

	if (!m || !buf)
		goto out;
	memcpy(buf, data, size);
	if (ike_msg_parse(m, buf, size, &e)) {
		ike_error_notify(&e);
		goto out;
	}
	consume(s, m, 0);
	if (m->sk_index >= 0) {
		size_t outer = m->npayloads;

		for (int k = 0; k < 2; k++) {
			uint8_t *plain;
			size_t plen;
			char err[200];

			memcpy(buf, data, size); /* opening works in place */
			m->npayloads = outer;
			if (ike_sk_unprotect(&s->in[k], buf, &m->p[m->sk_index], &plain, &plen, err,
			                     sizeof(err)) == 0 &&
			    ike_msg_parse_inner(m, m->p[m->sk_index].u.sk.first_inner, plain, plen,
			                        &e) == 0)
				consume(s, m, outer);
		}
		if (m->p[m->sk_index].type == IKE_PL_SKF)
			reassemble(s, m, buf, data, size, outer);
	}
out:
	free(buf);
	free(m);
	return 0;
}
