/* Reassembly of IKE fragments (RFC 7383 §2.6) within the limits §5 asks
 * for: at most IKE_FRAG_MAX fragments and IKE_FRAG_BYTES_MAX bytes per
 * message, kept for a bounded time, each fragment authenticated before it
 * is kept, every one not kept counted by reason. */
#include "ike_frag.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const char *ike_frag_drop_name(enum ike_frag_drop why)
{
	static const char *const names[IKE_FRAG_DROP__COUNT] = {
	        [IKE_FRAG_DROP_INVALID] = "invalid",
	        [IKE_FRAG_DROP_TOO_MANY] = "too_many",
	        [IKE_FRAG_DROP_MALFORMED] = "malformed",
	        [IKE_FRAG_DROP_INTEGRITY] = "integrity",
	        [IKE_FRAG_DROP_DUPLICATE] = "duplicate",
	        [IKE_FRAG_DROP_STALE] = "stale",
	        [IKE_FRAG_DROP_TOO_LARGE] = "too_large",
	        [IKE_FRAG_DROP_SUPERSEDED] = "superseded",
	        [IKE_FRAG_DROP_TIMEOUT] = "timeout",
	        [IKE_FRAG_DROP_RETRANSMITTED] = "retransmitted",
	};

	return (unsigned)why < IKE_FRAG_DROP__COUNT ? names[why] : "unknown";
}

int ike_frag_open(const struct ike_msg *m, uint8_t *msg, struct ike_sk *sk, uint8_t **plain,
                  size_t *plain_len, enum ike_frag_drop *why)
{
	const struct ike_payload *p = &m->p[m->sk_index];
	uint16_t num = p->u.sk.frag_number, total = p->u.sk.frag_total;
	char err[160];
	int rc;

	/* §2.5: numbered 1 .. Total Fragments; the Next Payload of every
	 * fragment but the first is 0. */
	if (total == 0 || num == 0 || num > total ||
	    (num != 1 && p->u.sk.first_inner != IKE_PL_NONE)) {
		*why = IKE_FRAG_DROP_INVALID;
		return -1;
	}
	if (total > IKE_FRAG_MAX) {
		*why = IKE_FRAG_DROP_TOO_MANY;
		return -1;
	}
	/* §2.6: "the receiver MUST check the ICV" of each fragment. */
	rc = ike_sk_unprotect(sk, msg, p, plain, plain_len, err, sizeof(err));
	if (rc != 0) {
		*why = rc > 0 ? IKE_FRAG_DROP_INTEGRITY : IKE_FRAG_DROP_MALFORMED;
		return -1;
	}
	return 0;
}

static bool kept(const struct ike_reassembly *r, uint16_t num)
{
	return r->got[(num - 1) / 8] & (1u << ((num - 1) % 8));
}

/* Give up the fragments kept so far, counting them as `why`. */
static void give_up(struct ike_reassembly *r, uint64_t *drops, enum ike_frag_drop why)
{
	drops[why] += r->have;
	OPENSSL_cleanse(r->data, r->len);
	r->total = r->have = 0;
	r->len = 0;
	memset(r->got, 0, sizeof(r->got));
}

enum ike_reassembly_result ike_reassembly_add(struct ike_reassembly **rp,
                                              uint64_t drops[IKE_FRAG_DROP__COUNT],
                                              const struct ike_msg *m, uint8_t *msg,
                                              struct ike_sk *sk, uint64_t now_ns,
                                              uint64_t timeout_ns)
{
	const struct ike_payload *p = &m->p[m->sk_index];
	uint16_t num = p->u.sk.frag_number, total = p->u.sk.frag_total;
	struct ike_reassembly *r = *rp;
	bool under_way = r && r->total,
	     timed_out = under_way && now_ns - r->started_ns > timeout_ns;
	bool current = under_way && !timed_out && r->message_id == m->message_id;
	enum ike_frag_drop why;
	uint8_t *plain;
	size_t plen;

	/* What would not be kept is dropped before it is decrypted. */
	if (current && total < r->total) {
		drops[IKE_FRAG_DROP_STALE]++;
		return IKE_REASSEMBLY_DROPPED;
	}
	if (current && total == r->total && num >= 1 && num <= total && kept(r, num)) {
		drops[IKE_FRAG_DROP_DUPLICATE]++;
		return IKE_REASSEMBLY_DROPPED;
	}
	if (ike_frag_open(m, msg, sk, &plain, &plen, &why) < 0) {
		drops[why]++;
		return IKE_REASSEMBLY_DROPPED;
	}
	/* Authentic: only now may it replace what is kept.  §2.6: more Total
	 * Fragments than the set under way means the sender cut the message
	 * again, smaller; the fragments of the old cut are no use. */
	if (under_way && (!current || total > r->total))
		give_up(r, drops, timed_out ? IKE_FRAG_DROP_TIMEOUT : IKE_FRAG_DROP_SUPERSEDED);
	if (!r && !(r = *rp = calloc(1, sizeof(*r)))) {
		drops[IKE_FRAG_DROP_TOO_LARGE]++; /* too large for this node's memory */
		return IKE_REASSEMBLY_DROPPED;
	}
	if (!r->total) {
		r->message_id = m->message_id;
		r->total = total;
		r->started_ns = now_ns;
	}
	if (plen > IKE_FRAG_BYTES_MAX - r->len) {
		give_up(r, drops, IKE_FRAG_DROP_TOO_LARGE);
		drops[IKE_FRAG_DROP_TOO_LARGE]++;
		return IKE_REASSEMBLY_DROPPED;
	}
	memcpy(r->data + r->len, plain, plen);
	r->off[num - 1] = (uint16_t)r->len;
	r->flen[num - 1] = (uint16_t)plen;
	r->got[(num - 1) / 8] |= (uint8_t)(1u << ((num - 1) % 8));
	r->len += plen;
	r->have++;
	if (num == 1)
		r->first_inner = p->u.sk.first_inner;
	return r->have == r->total ? IKE_REASSEMBLY_COMPLETE : IKE_REASSEMBLY_KEPT;
}

size_t ike_reassembly_take(struct ike_reassembly **rp, uint8_t *out, uint8_t *first)
{
	struct ike_reassembly *r = *rp;
	size_t n = 0;

	for (size_t i = 0; i < r->total; i++) {
		memcpy(out + n, r->data + r->off[i], r->flen[i]);
		n += r->flen[i];
	}
	*first = r->first_inner;
	ike_reassembly_free(rp);
	return n;
}

void ike_reassembly_free(struct ike_reassembly **rp)
{
	if (!*rp)
		return;
	OPENSSL_cleanse((*rp)->data, (*rp)->len);
	free(*rp);
	*rp = NULL;
}
