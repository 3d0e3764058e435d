/* Requests and responses (RFC 7296 §2.1-§2.3).
 *
 * Every exchange is a request and its response.  As requester an IKE SA
 * has at most one request outstanding (window size 1, §2.3): further
 * requests wait in a small queue.  A request is retransmitted after
 * timeout * base^n until `tries` retransmissions went unanswered (§2.1,
 * strongSwan's charon.retransmit_*); then the peer is considered dead and
 * the SA ends.  As responder the SA expects the next Message ID, answers a
 * retransmission of the previous request from the cached response (§2.1:
 * "the responder MUST retransmit the response") and drops anything else.
 * Every message after IKE_SA_INIT is protected by the SK payload (§3.14);
 * the integrity is checked before anything else is looked at (§2.21).
 * A message may go, and arrive, as RFC 7383 fragments (ike_frag.c): a
 * retransmission sends every fragment again.
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <stdio.h>
#include <string.h>

static uint8_t task_exchange(enum ike_task_kind kind)
{
	switch (kind) {
	case IKE_TASK_SA_INIT:
		return IKE_SA_INIT;
	case IKE_TASK_AUTH:
		return IKE_AUTH;
	case IKE_TASK_CREATE_CHILD:
	case IKE_TASK_REKEY_CHILD:
	case IKE_TASK_REKEY_IKE:
		return IKE_CREATE_CHILD_SA;
	default:
		return IKE_INFORMATIONAL;
	}
}

/* §2.1: timeout * base^n for the n-th retransmission. */
static uint64_t retransmit_delay(const struct ike_conn_config *c, unsigned n)
{
	double d = (double)c->retransmit_timeout_ns;

	for (unsigned i = 0; i < n; i++)
		d *= c->retransmit_base;
	return d >= 1e19 ? UINT64_MAX / 2 : (uint64_t)d;
}

void ike_x_begin(struct ike_sa *sa, struct ike_builder *b, uint8_t *buf, size_t cap,
                 uint8_t exchange, bool response, uint32_t mid)
{
	struct ike_header h = {.exchange = exchange, .message_id = mid};

	/* §3.1: I is set in messages sent by the original initiator. */
	h.flags = (uint8_t)((sa->initiator ? IKE_FLAG_INITIATOR : 0) |
	                    (response ? IKE_FLAG_RESPONSE : 0));
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, sa->spi_r, IKE_SPI_LEN);
	ike_builder_init(b, buf, cap, &h);
	if (sa->keyed)
		ike_sk_begin(b, sa->sk.out.sz.iv);
}

int ike_x_iv(struct ike *ike, struct ike_sa *sa, uint8_t *iv)
{
	/* RFC 5282 §3.1 / RFC 7634 §4: an AEAD IV must never repeat under a
	 * key -- a counter does that; RFC 7296 §3.14: CBC IVs are random. */
	memset(iv, 0, sa->sk.out.sz.iv);
	if (!sa->sk.out.sz.aead)
		return ike_random(ike, iv, sa->sk.out.sz.iv);
	put_be64(iv, ++sa->iv_counter);
	return 0;
}

int ike_x_seal(struct ike *ike, struct ike_sa *sa, struct ike_builder *b, size_t *len,
               struct ike_frag_set **frags)
{
	struct ike_sk_layout l;
	uint8_t iv[CRYPTO_MAX_IV];
	int rc;

	if (ike_sk_end(b, sa->sk.out.sz.block, sa->sk.out.sz.icv, &l) < 0 ||
	    ike_builder_finish(b, len) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "cannot build message: %s", b->err.reason);
		return -1;
	}
	rc = ike_frag_seal(ike, sa, b->buf, *len, &l, frags);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (ike_x_iv(ike, sa, iv) < 0 || ike_sk_protect(&sa->sk.out, b->buf, &l, iv) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "SK payload protection failed");
		return -1;
	}
	return 0;
}

/* --- as requester ---------------------------------------------------------------- */

/* 0, 1 if the task has nothing left to do (its SA is gone meanwhile, ...),
 * -1 on error. */
static int build_request(struct ike *ike, struct ike_sa *sa, const struct ike_task *t)
{
	struct ike_builder b;
	int rc;

	if (t->kind == IKE_TASK_SA_INIT)
		return ike_sa_init_build(ike, sa, sa->x.req, sizeof(sa->x.req), &sa->x.req_len);
	ike_x_begin(sa, &b, sa->x.req, sizeof(sa->x.req), task_exchange(t->kind), false, sa->x.mid);
	switch (t->kind) {
	case IKE_TASK_AUTH:
		rc = ike_auth_build_request(ike, sa, &b);
		break;
	case IKE_TASK_CREATE_CHILD:
	case IKE_TASK_REKEY_CHILD:
		rc = ike_ccs_build_request(ike, sa, t, &b);
		break;
	case IKE_TASK_REKEY_IKE:
		rc = ike_rekey_ike_build_request(ike, sa, &b);
		break;
	default:
		rc = ike_info_build_request(ike, sa, t, &b);
		break;
	}
	if (rc != 0)
		return rc;
	return ike_x_seal(ike, sa, &b, &sa->x.req_len, &sa->x.req_frags);
}

void ike_x_queue(struct ike *ike, struct ike_sa *sa, enum ike_task_kind kind, uint32_t arg)
{
	if (sa->phase == IKE_PHASE_DEAD)
		return;
	for (size_t i = 0; i < sa->x.nqueue; i++)
		if (sa->x.queue[i].kind == kind && sa->x.queue[i].arg == arg)
			return; /* already waiting */
	if (sa->x.nqueue == IKE_QUEUE_MAX) {
		ike->st.dropped_other++;
		return;
	}
	sa->x.queue[sa->x.nqueue++] = (struct ike_task){kind, arg};
	ike_x_kick(ike, sa);
}

/* A message of `sa`, whole or every one of its fragments (RFC 7383
 * §2.6.1: a retransmission too), from local:lport to remote:rport. */
static void send_message(struct ike *ike, struct ike_sa *sa, const uint8_t *msg, size_t len,
                         const struct ike_frag_set *set, struct ip_addr local, uint16_t lport,
                         struct ip_addr remote, uint16_t rport)
{
	sa->last_tx = ike_now(ike);
	for (size_t i = 0; i < ike_frag_count(set); i++) {
		size_t n;
		const uint8_t *d = ike_frag_get(set, msg, len, i, &n);

		ike->st.frag_tx += set && set->n;
		ike_send_to(ike, local, lport, remote, rport, d, n);
	}
}

static void send_request_datagrams(struct ike *ike, struct ike_sa *sa)
{
	send_message(ike, sa, sa->x.req, sa->x.req_len, sa->x.req_frags, sa->local_addr,
	             sa->local_port, sa->remote_addr, sa->remote_port);
}

static void send_request(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	uint64_t now = ike_now(ike);

	sa->x.first_sent = now;
	sa->x.retransmits = 0;
	sa->x.deadline = now + retransmit_delay(c, 0);
	send_request_datagrams(ike, sa);
}

void ike_x_kick(struct ike *ike, struct ike_sa *sa)
{
	struct ike_task t;

	while (!sa->x.pending && sa->x.nqueue && sa->phase != IKE_PHASE_DEAD) {
		int rc;

		t = sa->x.queue[0];
		memmove(&sa->x.queue[0], &sa->x.queue[1], --sa->x.nqueue * sizeof(sa->x.queue[0]));
		sa->x.task = t;
		sa->x.mid = sa->x.mid_out;
		sa->x.exchange = task_exchange(t.kind);
		rc = build_request(ike, sa, &t);
		if (rc > 0)
			continue; /* nothing to do any more */
		if (rc < 0) {
			ike_failure(ike, sa, NULL, "%s request: %s",
			            ike_exchange_name(sa->x.exchange), ike->diag);
			ike_sa_end(ike, sa, IKE_STATE_FAILED, "internal error", IKE_END_CLEAR);
			return;
		}
		sa->x.pending = true;
		send_request(ike, sa);
	}
}

void ike_x_restart(struct ike *ike, struct ike_sa *sa)
{
	if (build_request(ike, sa, &sa->x.task) < 0) {
		ike_failure(ike, sa, NULL, "%s request: %s", ike_exchange_name(sa->x.exchange),
		            ike->diag);
		ike_sa_end(ike, sa, IKE_STATE_FAILED, "internal error", IKE_END_CLEAR);
		return;
	}
	send_request(ike, sa);
}

void ike_x_complete(struct ike *ike, struct ike_sa *sa, bool ok)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_EXCHANGE);

	if (!sa->x.pending)
		return;
	sa->x.pending = false;
	sa->x.mid_out++;
	ev.exchange = sa->x.exchange;
	ev.initiator = true;
	ev.message_id = sa->x.mid;
	ev.rtt_ns = ok ? ike_now(ike) - sa->x.first_sent : 0;
	ev.retransmits = sa->x.retransmits;
	ev.ok = ok;
	ev.reason = ok ? NULL : "timeout";
	ike_emit(ike, &ev);
}

void ike_x_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_conn_config *c = &conn->cfg;
	enum ike_task_kind kind = sa->x.task.kind;
	enum ike_phase phase = sa->phase;
	unsigned tries = sa->x.retransmits;

	if (sa->x.retransmits < c->retransmit_tries) {
		sa->x.retransmits++;
		ike->st.retransmits++;
		sa->x.deadline = now + retransmit_delay(c, sa->x.retransmits);
		send_request_datagrams(ike, sa);
		return;
	}
	/* §2.4: "the other endpoint has failed". */
	ike_x_complete(ike, sa, false);
	ike_failure(ike, sa, NULL, "no response to %s request (Message ID %u) after %u retransmits",
	            ike_exchange_name(task_exchange(kind)), sa->x.mid, tries);
	if (phase == IKE_PHASE_INIT_SENT || phase == IKE_PHASE_AUTH_SENT) {
		/* keyingtries: how many times to try establishing (0: forever). */
		if (++conn->attempts < c->keyingtries || c->keyingtries == 0) {
			conn->start_pending = true;
			conn->start_child = sa->start_child;
		}
		ike_sa_end(ike, sa, IKE_STATE_FAILED, "timeout", IKE_END_CLEAR);
	} else if (phase == IKE_PHASE_DELETING) {
		ike_sa_end(ike, sa, IKE_STATE_DELETED, sa->end_reason ? sa->end_reason : "timeout",
		           IKE_END_CLEAR);
	} else if (phase == IKE_PHASE_REKEYED) {
		/* The DELETE of a replaced SA went unanswered: it is gone
		 * either way (strongswan#3042: never the new one). */
		ike_sa_end(ike, sa, IKE_STATE_REKEYED, sa->end_reason ? sa->end_reason : "rekeyed",
		           IKE_END_CLEAR);
	} else {
		ike_sa_end(ike, sa, IKE_STATE_FAILED, kind == IKE_TASK_DPD ? "dpd" : "timeout",
		           IKE_END_DPD_ACTION);
	}
}

/* --- receiving ----------------------------------------------------------------- */

/* Authenticate and decrypt ike->m: 1 with its inner payloads parsed (or
 * *e saying why they are not), 0 for a fragment kept until the message is
 * complete, -1 if dropped (counted).  A fragment of a request we answered
 * already (`answered`) is only authenticated: 1 if it is the one to answer
 * again (RFC 7383 §2.6.1). */
static int open_sk(struct ike *ike, struct ike_sa *sa, uint8_t *buf, struct ike_error *e,
                   bool answered)
{
	struct ike_msg *m = &ike->m;
	uint8_t *plain;
	size_t plen;
	char err[160];
	int rc;

	if (m->sk_index < 0) {
		/* §3.14: every message after IKE_SA_INIT is protected. */
		ike->st.dropped_malformed++;
		return -1;
	}
	if (m->p[m->sk_index].type == IKE_PL_SKF)
		return answered ? (ike_frag_answer_again(ike, sa, buf) ? 1 : -1)
		                : ike_frag_receive(ike, sa, buf, e);
	rc = ike_sk_unprotect(&sa->sk.in, buf, &m->p[m->sk_index], &plain, &plen, err, sizeof(err));
	if (rc != 0) {
		if (rc > 0)
			ike->st.dropped_integrity++;
		else
			ike->st.dropped_malformed++;
		return -1;
	}
	ike_msg_parse_inner(m, m->p[m->sk_index].u.sk.first_inner, plain, plen, e);
	return 1;
}

/* §2.11: a response goes to the address and port the request came from
 * (a MOBIKE initiator retransmitting from its new address is answered
 * there before it has updated the SA, RFC 4555 §3.5). */
static void reply(struct ike *ike, struct ike_sa *sa, struct ip_addr src, uint16_t sport,
                  struct ip_addr dst, uint16_t dport)
{
	send_message(ike, sa, sa->x.resp, sa->x.resp_len, sa->x.resp_frags, dst, dport, src, sport);
}

static void respond(struct ike *ike, struct ike_sa *sa, const struct ike_error *perr,
                    struct ip_addr src, uint16_t sport, struct ip_addr dst, uint16_t dport)
{
	const struct ike_msg *m = &ike->m;
	struct ike_builder b;
	struct ike_event ev;
	bool end = false;
	uint8_t pt;

	ike_x_begin(sa, &b, sa->x.resp, sizeof(sa->x.resp), m->exchange, true, m->message_id);
	if (perr) {
		/* §2.5: UNSUPPORTED_CRITICAL_PAYLOAD names the payload type;
		 * §2.21.2: other syntax errors get INVALID_SYNTAX. */
		pt = perr->payload;
		ike_add_notify(&b, 0, NULL, 0, ike_error_notify(perr),
		               perr->code == IKE_E_CRITICAL ? &pt : NULL,
		               perr->code == IKE_E_CRITICAL ? 1 : 0);
	} else if (m->exchange == IKE_AUTH && sa->phase == IKE_PHASE_INIT_DONE) {
		end = ike_auth_handle_request(ike, sa, m, &b);
	} else if (sa->phase != IKE_PHASE_ESTABLISHED && sa->phase != IKE_PHASE_REKEYED &&
	           sa->phase != IKE_PHASE_DELETING) {
		ike->st.dropped_other++; /* nothing but IKE_AUTH before authentication */
		return;
	} else if (m->exchange == IKE_INFORMATIONAL) {
		end = ike_info_handle_request(ike, sa, m, &b);
	} else if (m->exchange == IKE_CREATE_CHILD_SA) {
		ike_ccs_handle_request(ike, sa, m, &b);
	} else {
		ike_add_notify(&b, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
	}
	if (sa->phase == IKE_PHASE_DEAD)
		return;
	if (ike_x_seal(ike, sa, &b, &sa->x.resp_len, &sa->x.resp_frags) < 0) {
		ike_failure(ike, sa, NULL, "%s response: %s", ike_exchange_name(m->exchange),
		            ike->diag);
		ike_sa_end(ike, sa, IKE_STATE_FAILED, "internal error", IKE_END_CLEAR);
		return;
	}
	sa->x.have_resp = true;
	sa->x.mid_in++;
	reply(ike, sa, src, sport, dst, dport);
	ev = ike_event_for(ike, sa, IKE_EV_EXCHANGE);
	ev.exchange = m->exchange;
	ev.initiator = false;
	ev.message_id = m->message_id;
	ev.ok = true;
	ike_emit(ike, &ev);
	if (end)
		ike_sa_end(ike, sa,
		           sa->phase == IKE_PHASE_REKEYED       ? IKE_STATE_REKEYED
		           : sa->phase == IKE_PHASE_ESTABLISHED ? IKE_STATE_DELETED
		                                                : IKE_STATE_FAILED,
		           sa->end_reason ? sa->end_reason : "peer delete", sa->end_children);
}

void ike_x_receive(struct ike *ike, struct ike_sa *sa, uint8_t *buf, size_t len, struct ip_addr src,
                   uint16_t sport, struct ip_addr dst, uint16_t dport)
{
	const struct ike_msg *m = &ike->m;
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	struct ike_error e;
	struct ike_task t;
	uint64_t now = ike_now(ike);
	bool answered;

	(void)len;
	e.code = IKE_OK;
	if (!sa->keyed) {
		ike->st.dropped_other++;
		return;
	}
	if (m->flags & IKE_FLAG_RESPONSE) {
		/* §2.3: a response to anything but our outstanding request
		 * (a duplicate, a replay) is dropped. */
		if (!sa->x.pending || m->message_id != sa->x.mid || m->exchange != sa->x.exchange) {
			ike->st.dropped_replay++;
			return;
		}
		if (open_sk(ike, sa, buf, &e, false) <= 0)
			return;
		if (e.code != IKE_OK) {
			ike->st.dropped_malformed++;
			return;
		}
		sa->last_rx = now;
		sa->dpd_at = now + c->dpd_delay_ns;
		ike_natt_follow(ike, sa, src, sport, dst, dport);
		t = sa->x.task;
		ike_x_complete(ike, sa, true);
		switch (t.kind) {
		case IKE_TASK_AUTH:
			ike_auth_handle_response(ike, sa, m);
			break;
		case IKE_TASK_CREATE_CHILD:
		case IKE_TASK_REKEY_CHILD:
			ike_ccs_handle_response(ike, sa, &t, m);
			break;
		case IKE_TASK_REKEY_IKE:
			ike_rekey_ike_handle_response(ike, sa, m);
			break;
		default:
			ike_info_handle_response(ike, sa, &t, m);
			break;
		}
		ike_x_kick(ike, sa);
		ike_reauth_child_done(ike, sa);
		return;
	}
	if (m->message_id != sa->x.mid_in &&
	    !(sa->x.have_resp && m->message_id + 1 == sa->x.mid_in)) {
		ike->st.dropped_replay++; /* §2.3: outside the window */
		return;
	}
	answered = m->message_id + 1 == sa->x.mid_in;
	if (open_sk(ike, sa, buf, &e, answered) <= 0)
		return; /* not authentic (counted), or a fragment kept */
	if (answered) {
		/* §2.1: a retransmitted request gets the same response. */
		reply(ike, sa, src, sport, dst, dport);
		return;
	}
	sa->last_rx = now;
	sa->dpd_at = now + c->dpd_delay_ns;
	ike_natt_follow(ike, sa, src, sport, dst, dport);
	if (e.code != IKE_OK) {
		ike->st.dropped_malformed++;
		respond(ike, sa, &e, src, sport, dst, dport);
		return;
	}
	ike_mobike_request_received(ike, sa, m, src, sport, dst, dport);
	respond(ike, sa, NULL, src, sport, dst, dport);
}

/* --- IKE_SA_INIT without state --------------------------------------------------- */

void ike_x_notify_response(struct ike *ike, const struct ike_msg *req, struct ip_addr src,
                           uint16_t sport, struct ip_addr dst, uint16_t dport, uint16_t type,
                           const uint8_t *data, size_t len)
{
	struct ike_header h = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE};
	struct ike_builder b;
	uint8_t buf[256];
	size_t n;

	/* §2.6, §1.3: SPIr zero, Message ID zero, no state kept. */
	memcpy(h.spi_i, req->spi_i, IKE_SPI_LEN);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, type, data, len);
	if (ike_builder_finish(&b, &n) == 0)
		ike_send_to(ike, dst, dport, src, sport, buf, n);
}
