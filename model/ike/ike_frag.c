/* IKEv2 Message Fragmentation (RFC 7383) on an IKE SA: the
 * IKEV2_FRAGMENTATION_SUPPORTED notifies of IKE_SA_INIT (§2.3), which of
 * our messages go out in fragments and how small (§2.5, §2.5.1: swanctl's
 * `fragmentation`, charon.fragment_size), and the fragments we receive
 * (§2.6).  Cutting and reassembling are in ike_frag_split.c and
 * ike_frag_reassembly.c (ike_frag.h). */
#include "ike_sa.h"

#include "ipv4.h"
#include "ipv6.h"

#include <stdio.h>
#include <stdlib.h>

#define NS 1000000000ULL
/* §5: a message whose fragments have not all arrived this long after the
 * first one kept is given up -- charon.half_open_timeout's length, well
 * within an exchange's retransmissions (4 s, then 7.2 s, ...), which
 * resend every fragment. */
#define IKE_FRAG_TIMEOUT_NS (30 * NS)

_Static_assert(IKE_FRAG_BYTES_MAX <= IKE_MSG_MAX, "a reassembled message fits ike->m's limits");

void ike_frag_add_supported(const struct ike *ike, const struct ike_sa *sa, struct ike_builder *b,
                            bool response)
{
	/* §2.3: the initiator announces it; the responder answers in kind
	 * only if the initiator did. */
	if (ike_sa_conn(ike, sa)->cfg.fragmentation == IKE_FRAGMENTATION_NO ||
	    (response && !sa->frag_peer))
		return;
	ike_add_notify(b, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
}

void ike_frag_init_received(struct ike_sa *sa, const struct ike_msg *m)
{
	sa->frag_peer = ike_msg_find_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
}

struct iv_source {
	struct ike *ike;
	struct ike_sa *sa;
};

static int next_iv(void *arg, uint8_t *iv)
{
	struct iv_source *s = arg;

	return ike_x_iv(s->ike, s->sa, iv);
}

int ike_frag_seal(struct ike *ike, struct ike_sa *sa, const uint8_t *msg, size_t len,
                  const struct ike_sk_layout *l, struct ike_frag_set **set)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	bool marker = sa->local_port == IKE_NATT_PORT || sa->remote_port == IKE_NATT_PORT;
	size_t ip_hdr = sa->remote_addr.family == IP_FAMILY_V6 ? IPV6_HDR_LEN : IPV4_HDR_LEN;
	size_t max = ike_frag_max_message(c->fragment_size, ip_hdr, marker);
	struct iv_source src = {ike, sa};
	size_t pad;

	if (*set)
		(*set)->n = 0;
	/* strongSwan: `force` fragments whether the peer announced support
	 * or not, `yes` only if it did (§2.3); §2.5: only messages that would
	 * not fit whole. */
	if (len <= max || !(c->fragmentation == IKE_FRAGMENTATION_FORCE ||
	                    (c->fragmentation == IKE_FRAGMENTATION_YES && sa->frag_peer)))
		return 0;
	if (!*set && !(*set = malloc(sizeof(**set)))) {
		snprintf(ike->diag, sizeof(ike->diag), "out of memory for fragments");
		return -1;
	}
	pad = msg[l->plain + l->plain_len - 1];
	if (ike_frag_split(*set, msg, l, l->plain_len - pad - 1, max, &sa->sk.out, next_iv, &src,
	                   ike->diag, sizeof(ike->diag)) < 0)
		return -1;
	return 1;
}

int ike_frag_receive(struct ike *ike, struct ike_sa *sa, uint8_t *buf, struct ike_error *e)
{
	struct ike_msg *m = &ike->m;
	struct ike_reassembly **rp = &sa->reassembly[(m->flags & IKE_FLAG_RESPONSE) ? 1 : 0];
	uint8_t first;
	size_t len;

	ike->st.frag_rx++;
	switch (ike_reassembly_add(rp, ike->st.frag_dropped, m, buf, &sa->sk.in, ike_now(ike),
	                           IKE_FRAG_TIMEOUT_NS)) {
	case IKE_REASSEMBLY_DROPPED:
		return -1;
	case IKE_REASSEMBLY_KEPT:
		return 0;
	case IKE_REASSEMBLY_COMPLETE:
		break;
	}
	len = ike_reassembly_take(rp, ike->frag_plain, &first);
	ike->st.frag_reassembled++;
	ike_msg_parse_inner(m, first, ike->frag_plain, len, e);
	return 1;
}

bool ike_frag_answer_again(struct ike *ike, struct ike_sa *sa, uint8_t *buf)
{
	const struct ike_msg *m = &ike->m;
	enum ike_frag_drop why;
	uint8_t *plain;
	size_t len;

	ike->st.frag_rx++;
	if (ike_frag_open(m, buf, &sa->sk.in, &plain, &len, &why) < 0) {
		ike->st.frag_dropped[why]++;
		return false;
	}
	/* §2.6.1: Message ID, Fragment Number and Total Fragments tell a
	 * retransmission.  Its response goes again once per retransmitted
	 * set, not once per fragment: on fragment 1, as strongSwan does
	 * (task_manager_v2.c). */
	if (m->p[m->sk_index].u.sk.frag_number != 1) {
		ike->st.frag_dropped[IKE_FRAG_DROP_RETRANSMITTED]++;
		return false;
	}
	return true;
}

void ike_frag_sa_free(struct ike_sa *sa)
{
	ike_reassembly_free(&sa->reassembly[0]);
	ike_reassembly_free(&sa->reassembly[1]);
	free(sa->x.req_frags);
	free(sa->x.resp_frags);
}
