/* IKEv2 for one node (RFC 7296): the context, connections, dispatch of
 * received datagrams (§2.21 error handling), the one timer, events and
 * statistics.  The exchanges live in the files listed in ike_sa.h. */
#include "errf.h"
#include "ike_sa.h"

#include "ike_cert.h"

#include "ipv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000ULL

/* --- defaults (strongSwan 5.9: swanctl.conf and strongswan.conf) ------------- */

void ike_conn_defaults(struct ike_conn_config *c)
{
	memset(c, 0, sizeof(*c));
	c->local_port = IKE_PORT;
	c->remote_port = IKE_PORT;
	c->local.auth = IKE_AUTHC_PUBKEY; /* swanctl: auth = pubkey */
	c->remote.auth = IKE_AUTHC_PUBKEY;
	c->rekey_time_ns = 4 * 3600 * NS;
	c->reauth_time_ns = 0;
	c->over_time_ns = c->rekey_time_ns / 10; /* 10 % of max(rekey, reauth) */
	c->rand_time_ns = c->over_time_ns;
	c->reauth_policy = IKE_MAKE_BEFORE_BREAK;
	c->dpd_delay_ns = 0;
	c->keepalive_ns = 20 * NS;
	c->retransmit_timeout_ns = 4 * NS;
	c->retransmit_base = 1.8;
	c->retransmit_tries = 5;
	c->keyingtries = 1;
	c->half_open_cookie_threshold = 30;
	c->half_open_timeout_ns = 30 * NS;
	c->delete_rekeyed_delay_ns = 5 * NS;
	c->fragment_size = 1280; /* charon.fragment_size */
}

void ike_child_defaults(struct ike_child_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = IPSEC_MODE_TUNNEL;
	c->start_action = IKE_START_NONE;
	c->dpd_action = IKE_ACTION_CLEAR;
	c->close_action = IKE_ACTION_CLEAR;
	c->rekey_time_ns = 3600 * NS;
	c->life_time_ns = c->rekey_time_ns + c->rekey_time_ns / 10;
	c->rand_time_ns = c->life_time_ns - c->rekey_time_ns;
	c->replay_window = 32;
	c->rekey_policy = IKE_MAKE_BEFORE_BREAK;
}

void ike_conn_strongswan(struct ike_conn_config *c)
{
	c->mobike = true;                         /* swanctl.conf: mobike = yes */
	c->reauth_policy = IKE_BREAK_BEFORE_MAKE; /* charon.make_before_break = no */
}

void ike_child_strongswan(struct ike_child_config *c)
{
	c->copy_dscp = true; /* swanctl.conf: copy_dscp = out */
}

/* --- host services -------------------------------------------------------------- */

uint64_t ike_now(const struct ike *ike)
{
	return ike->ops.now_ns ? ike->ops.now_ns(ike->host) : 0;
}

int ike_random(struct ike *ike, void *buf, size_t len)
{
	if (!ike->ops.random_bytes || ike->ops.random_bytes(ike->host, buf, len) != 0) {
		memset(buf, 0, len);
		return -1;
	}
	return 0;
}

static int draw(void *arg, uint8_t *buf, size_t len)
{
	struct ike *ike = arg;

	if (!ike->ops.key_bytes)
		return ike_random(ike, buf, len);
	return ike->ops.key_bytes(ike->host, buf, len) == 0 ? 0 : -1;
}

struct ike_dh *ike_dh_for(struct ike *ike, uint16_t group)
{
	return ike_dh_new_drawn(group, draw, ike, ike->diag, sizeof(ike->diag));
}

uint64_t ike_random_below(struct ike *ike, uint64_t n)
{
	uint8_t b[8];
	uint64_t r = 0;

	if (!n)
		return 0;
	ike_random(ike, b, sizeof(b));
	for (int i = 0; i < 8; i++)
		r = r << 8 | b[i];
	return n == UINT64_MAX ? r : r % (n + 1);
}

void ike_send_to(struct ike *ike, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                 uint16_t dport, const uint8_t *msg, size_t len)
{
	ike->st.tx++;
	if (sport != IKE_NATT_PORT && dport != IKE_NATT_PORT) {
		ike->ops.send(ike->host, src, sport, dst, dport, msg, len);
		return;
	}
	/* RFC 3948 §2.2: the non-ESP marker tells IKE from ESP on 4500. */
	memset(ike->tx, 0, 4);
	memcpy(ike->tx + 4, msg, len);
	ike->ops.send(ike->host, src, sport, dst, dport, ike->tx, len + 4);
}

struct ike_conn *ike_sa_conn(const struct ike *ike, const struct ike_sa *sa)
{
	return &ike->conns[sa->conn];
}

struct ike_event ike_event_for(const struct ike *ike, const struct ike_sa *sa,
                               enum ike_event_type type)
{
	struct ike_event ev = {.type = type};

	if (sa) {
		ev.conn = ike->conns[sa->conn].cfg.name;
		ev.ike_sa = sa->id;
		ev.spi_i = (uint64_t)get_be32(sa->spi_i) << 32 | get_be32(sa->spi_i + 4);
		ev.spi_r = (uint64_t)get_be32(sa->spi_r) << 32 | get_be32(sa->spi_r + 4);
		ev.initiator = sa->initiator;
		ev.peer_addr = sa->remote_addr;
		ev.peer_port = sa->remote_port;
	}
	return ev;
}

void ike_emit(struct ike *ike, const struct ike_event *ev)
{
	if (ike->ops.event)
		ike->ops.event(ike->host, ev);
}

void ike_failure(struct ike *ike, const struct ike_sa *sa, const char *conn, const char *fmt, ...)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_FAILURE);
	char text[IKE_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!ev.conn)
		ev.conn = conn;
	ev.text = text;
	ike_emit(ike, &ev);
}

void ike_ke_retry(struct ike *ike, const struct ike_sa *sa, const char *child, uint8_t exchange,
                  uint16_t sent, uint16_t asked)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_KE_RETRY);
	char text[160], a[32], b[32];
	const char *want = ike_transform_name(IKE_TT_DH, asked, 0, a, sizeof(a));

	/* strongSwan: "peer didn't accept DH group X, it requested Y" */
	snprintf(text, sizeof(text),
	         "INVALID_KE_PAYLOAD: %s with %s refused, peer wants %s: retrying",
	         ike_exchange_name(exchange), ike_transform_name(IKE_TT_DH, sent, 0, b, sizeof(b)),
	         want);
	ev.child = child;
	ev.exchange = exchange;
	ev.initiator = true;
	ev.ke_group_sent = sent;
	ev.ke_group = asked;
	ev.text = text;
	ike_emit(ike, &ev);
}

/* --- the context ---------------------------------------------------------------- */

static uint32_t bypass_port(struct ike *ike, uint16_t port, uint32_t before)
{
	struct ipsec_spd_entry e = {.action = IPSEC_ACTION_BYPASS};

	/* An SPD entry applies to both directions: outbound from local
	 * port `port`, inbound to it. */
	e.sel.protocol = IPPROTO_NUM_UDP;
	e.sel.local_port = (struct ipsec_range16){port, port};
	return ipsec_spd_insert(ike->dp, &e, before, NULL, 0);
}

struct ike *ike_new(const struct ike_host_ops *ops, void *host, struct ipsec *dataplane)
{
	struct ike *ike;

	if (!ops || !ops->send || !dataplane)
		return NULL;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	ike->ops = *ops;
	ike->host = host;
	ike->dp = dataplane;
	ike->timer_at = UINT64_MAX;
	ike_random(ike, ike->cookie_secret, sizeof(ike->cookie_secret));
	/* IKE's own traffic is never protected by the policies it installs. */
	ike->bypass[0] = bypass_port(ike, IKE_PORT, IPSEC_SPD_TOP);
	ike->bypass[1] = bypass_port(ike, IKE_NATT_PORT, ipsec_spd_next(dataplane, ike->bypass[0]));
	if (!ike->bypass[1])
		ike->bypass[1] = bypass_port(ike, IKE_NATT_PORT, 0);
	return ike;
}

void ike_free(struct ike *ike)
{
	if (!ike)
		return;
	while (ike->sas) {
		struct ike_sa *sa = ike->sas;

		ike->sas = sa->next;
		ike_sa_free(sa);
	}
	for (size_t i = 0; i < ike->nconns; i++)
		ike_cred_free(ike->conns[i].cred);
	free(ike->conns);
	free(ike->rekeyed_in);
	free(ike);
}

void ike_get_stats(const struct ike *ike, struct ike_stats *st)
{
	*st = ike->st;
	st->half_open = 0;
	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->counted_half_open)
			st->half_open++;
}

/* Entry points nest when an event handler calls back in; dead SAs are freed
 * and the timer re-armed only when the outermost one returns. */
static void enter(struct ike *ike)
{
	ike->depth++;
}

static void leave(struct ike *ike)
{
	if (--ike->depth > 0)
		return;
	for (struct ike_sa **pp = &ike->sas; *pp;) {
		struct ike_sa *sa = *pp;

		if (sa->phase == IKE_PHASE_DEAD) {
			*pp = sa->next;
			ike_sa_free(sa);
		} else {
			pp = &sa->next;
		}
	}
	ike_rearm(ike);
}

/* --- connections ------------------------------------------------------------------ */

static int check_auth(const struct ike_conn_config *c, const struct ike_auth_config *a,
                      const char *side, char *err, size_t errlen)
{
	uint8_t type, data[IKE_ID_MAX + 512];
	size_t len;
	char msg[200];

	if (a->auth == IKE_AUTHC_PSK && c->psk_len == 0)
		return errf(err, errlen, "connection '%s': %s auth = psk needs a secret", c->name,
		            side);
	if (a->id.id[0] && strcmp(a->id.id, "%any") != 0 &&
	    ike_id_encode(a->id.id, (struct ip_addr){0}, &type, data, sizeof(data), &len, msg,
	                  sizeof(msg)) < 0)
		return errf(err, errlen, "connection '%s': %s id: %s", c->name, side, msg);
	return 0;
}

static int check_child(const struct ike_conn_config *c, const struct ike_child_config *ch,
                       struct ike_proposal_list *props, char *err, size_t errlen)
{
	char msg[300];

	if (!ch->name[0])
		return errf(err, errlen, "connection '%s': a child has no name", c->name);
	if (ch->n_local_ts > IKE_TS_MAX || ch->n_remote_ts > IKE_TS_MAX)
		return errf(err, errlen, "child '%s': at most %d traffic selectors per side",
		            ch->name, IKE_TS_MAX);
	memset(props, 0, sizeof(*props));
	if (ike_proposals_parse(IKE_PROTO_ESP, ch->esp_proposals[0] ? ch->esp_proposals : "default",
	                        props, msg, sizeof(msg)) < 0)
		return errf(err, errlen, "child '%s': %s", ch->name, msg);
	if (ch->replay_window % 32 || ch->replay_window > 4096)
		return errf(err, errlen,
		            "child '%s': replay_window %u is not a multiple of 32 up to 4096",
		            ch->name, ch->replay_window);
	for (size_t i = 0; i < ch->n_local_ts + ch->n_remote_ts; i++) {
		const struct ike_ts_config *t =
		        i < ch->n_local_ts ? &ch->local_ts[i] : &ch->remote_ts[i - ch->n_local_ts];

		if (!ip_range_valid(&t->addr) || t->port_lo > t->port_hi)
			return errf(err, errlen, "child '%s': empty traffic selector range",
			            ch->name);
	}
	if (ch->start_action != IKE_START_NONE && !ip_addr_is_set(&c->remote_addr))
		return errf(err, errlen,
		            "child '%s': start_action start/trap needs the connection's remote "
		            "address",
		            ch->name);
	return 0;
}

int ike_conn_add(struct ike *ike, const struct ike_conn_config *c, char *err, size_t errlen)
{
	struct ike_conn *conns, *n;
	struct ike_cred *cred;
	char msg[300];

	if (!c->name[0])
		return errf(err, errlen, "connection without a name");
	for (size_t i = 0; i < ike->nconns; i++)
		if (!strcmp(ike->conns[i].cfg.name, c->name))
			return errf(err, errlen, "connection '%s' exists already", c->name);
	if (!ip_addr_is_set(&c->local_addr))
		return errf(err, errlen, "connection '%s': no local address", c->name);
	if (c->n_children > IKE_CHILDREN_MAX)
		return errf(err, errlen, "connection '%s': at most %d children", c->name,
		            IKE_CHILDREN_MAX);
	if (c->retransmit_base < 1.0 || c->retransmit_timeout_ns == 0)
		return errf(err, errlen,
		            "connection '%s': retransmit timeout must be > 0 and base >= 1",
		            c->name);
	if (!c->local_port || !c->remote_port)
		return errf(err, errlen, "connection '%s': ports must not be 0", c->name);
	if (c->fragment_size && c->fragment_size < IKE_FRAGMENT_SIZE_MIN)
		return errf(err, errlen, "connection '%s': fragment_size %u is below %d", c->name,
		            c->fragment_size, IKE_FRAGMENT_SIZE_MIN);
	if (check_auth(c, &c->local, "local", err, errlen) ||
	    check_auth(c, &c->remote, "remote", err, errlen))
		return -1;
	if (ike_cred_load(c, &cred, err, errlen) < 0)
		return -1;
	conns = realloc(ike->conns, (ike->nconns + 1) * sizeof(*conns));
	if (!conns) {
		ike_cred_free(cred);
		return errf(err, errlen, "out of memory");
	}
	ike->conns = conns;
	n = &conns[ike->nconns];
	memset(n, 0, sizeof(*n));
	n->cfg = *c;
	/* The PEM was parsed into n->cred: the caller's text is not kept. */
	n->cfg.local.cert_pem = n->cfg.local.key_pem = n->cfg.local.ca_pem = NULL;
	n->cfg.remote.cert_pem = n->cfg.remote.key_pem = n->cfg.remote.ca_pem = NULL;
	n->cred = cred;
	if (ike_proposals_parse(IKE_PROTO_IKE, c->proposals[0] ? c->proposals : "default",
	                        &n->ike_props, msg, sizeof(msg)) < 0) {
		ike_cred_free(cred);
		return errf(err, errlen, "connection '%s': %s", c->name, msg);
	}
	for (size_t i = 0; i < c->n_children; i++)
		if (check_child(c, &c->children[i], &n->esp_props[i], err, errlen)) {
			ike_cred_free(cred);
			return -1;
		}
	ike->nconns++;
	enter(ike);
	for (size_t i = 0; i < c->n_children; i++) {
		if (c->children[i].start_action == IKE_START_TRAP) {
			if (ike_trap_install(ike, ike->nconns - 1, i) < 0) {
				errf(err, errlen, "child '%s': %s", c->children[i].name, ike->diag);
				leave(ike);
				return -1;
			}
		} else if (c->children[i].start_action == IKE_START_START && !n->start_pending) {
			/* Initiated from the timer, so that the host finishes
			 * its setup first. */
			n->start_pending = true;
			n->start_child = i;
		}
	}
	leave(ike);
	return 0;
}

static long conn_index(const struct ike *ike, const char *name)
{
	for (size_t i = 0; i < ike->nconns; i++)
		if (!strcmp(ike->conns[i].cfg.name, name))
			return (long)i;
	return -1;
}

static long child_index(const struct ike_conn *c, const char *name)
{
	for (size_t i = 0; i < c->cfg.n_children; i++)
		if (!strcmp(c->cfg.children[i].name, name))
			return (long)i;
	return -1;
}

/* The live IKE SA of a connection (established, else connecting), if any:
 * not one being deleted or replaced. */
static struct ike_sa *conn_sa(const struct ike *ike, size_t conn)
{
	struct ike_sa *found = NULL;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->conn != conn || sa->phase == IKE_PHASE_DEAD ||
		    sa->phase == IKE_PHASE_DELETING || sa->phase == IKE_PHASE_REKEYED)
			continue;
		if (sa->phase == IKE_PHASE_ESTABLISHED)
			return sa;
		found = sa;
	}
	return found;
}

/* Is child config `child` of the connection installed (or being set up)
 * on `sa`? */
static bool has_child(const struct ike_sa *sa, size_t child)
{
	if (sa->phase != IKE_PHASE_ESTABLISHED)
		return sa->start_child == child || (sa->reauth_pending & (1u << child));
	if (sa->x.pending && sa->x.task.kind == IKE_TASK_CREATE_CHILD && sa->x.task.arg == child)
		return true;
	for (size_t i = 0; i < sa->x.nqueue; i++)
		if (sa->x.queue[i].kind == IKE_TASK_CREATE_CHILD && sa->x.queue[i].arg == child)
			return true;
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++)
		if (sa->children[k].used && sa->children[k].cfg == child &&
		    !sa->children[k].redundant && !sa->children[k].deleting)
			return true;
	return false;
}

int ike_initiate_conn(struct ike *ike, size_t conn, size_t child)
{
	struct ike_conn *c = &ike->conns[conn];
	struct ike_sa *sa = conn_sa(ike, conn);

	if (!ip_addr_is_set(&c->cfg.remote_addr)) {
		ike_failure(ike, NULL, c->cfg.name,
		            "cannot initiate connection '%s': no remote address", c->cfg.name);
		return -1;
	}
	if (sa) {
		/* One IKE SA per connection; a further child is created on it
		 * with CREATE_CHILD_SA (§1.3.1). */
		if (!has_child(sa, child))
			ike_x_queue(ike, sa, IKE_TASK_CREATE_CHILD, (uint32_t)child);
		return 0;
	}
	sa = ike_sa_new(ike, conn, true);
	if (!sa)
		return -1;
	sa->start_child = child;
	ike_x_queue(ike, sa, IKE_TASK_SA_INIT, 0);
	return 0;
}

int ike_initiate(struct ike *ike, const char *conn, const char *child)
{
	long ci = -1, ch = 0;
	int rc;

	if (conn) {
		ci = conn_index(ike, conn);
		if (ci < 0)
			return -1;
		if (child && (ch = child_index(&ike->conns[ci], child)) < 0)
			return -1;
	} else {
		for (size_t i = 0; i < ike->nconns && ci < 0 && child; i++)
			if ((ch = child_index(&ike->conns[i], child)) >= 0)
				ci = (long)i;
		if (ci < 0)
			return -1;
	}
	if (ike->conns[ci].cfg.n_children == 0)
		return -1;
	enter(ike);
	ike->conns[ci].attempts = 0;
	rc = ike_initiate_conn(ike, (size_t)ci, (size_t)ch);
	leave(ike);
	return rc;
}

int ike_rekey(struct ike *ike, const char *conn, const char *child, bool reauth)
{
	long ci = conn_index(ike, conn), ch = -1;
	struct ike_sa *sa;
	int rc;

	if (ci < 0 || (child && (ch = child_index(&ike->conns[ci], child)) < 0))
		return -1;
	sa = conn_sa(ike, (size_t)ci);
	if (!sa)
		return -1;
	enter(ike);
	rc = ike_rekey_request(ike, sa, ch, reauth);
	leave(ike);
	return rc;
}

int ike_terminate(struct ike *ike, const char *conn)
{
	long ci = conn_index(ike, conn);
	struct ike_sa *sa;

	if (ci < 0)
		return -1;
	enter(ike);
	sa = conn_sa(ike, (size_t)ci);
	if (sa) {
		if (sa->phase == IKE_PHASE_ESTABLISHED) {
			sa->phase = IKE_PHASE_DELETING;
			sa->end_reason = "terminate";
			sa->x.nqueue = 0;
			ike_x_queue(ike, sa, IKE_TASK_DELETE_IKE, 0);
		} else {
			ike_sa_end(ike, sa, IKE_STATE_DELETED, "terminate", IKE_END_CLEAR);
		}
	}
	leave(ike);
	return sa ? 0 : -1;
}

int ike_set_local_addresses(struct ike *ike, const struct ip_addr *addrs, size_t n)
{
	if (n > IKE_ADDRS_MAX)
		return -1;
	memcpy(ike->addrs, addrs, n * sizeof(*addrs));
	ike->n_addrs = n;
	return 0;
}

void ike_local_address_changed(struct ike *ike, struct ip_addr old_addr, struct ip_addr new_addr)
{
	if (!ip_addr_is_set(&old_addr) || !ip_addr_is_set(&new_addr) ||
	    ip_addr_eq(&old_addr, &new_addr))
		return;
	enter(ike);
	ike_mobike_address_changed(ike, old_addr, new_addr);
	leave(ike);
}

/* --- receiving ---------------------------------------------------------------------- */

void ike_receive(struct ike *ike, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                 uint16_t dport, const uint8_t *data, size_t len)
{
	struct ike_msg *m = &ike->m;
	struct ike_error e;
	struct ike_sa *sa;
	bool response, from_initiator;

	ike->st.rx++;
	if (dport == IKE_NATT_PORT) {
		/* RFC 3948 §2.3: a NAT-keepalive is a single 0xff octet. */
		if (len == 1 && data[0] == 0xff)
			return;
		if (len < 4 || get_be32(data) != 0) {
			ike->st.dropped_malformed++;
			return;
		}
		data += 4;
		len -= 4;
	}
	if (len > sizeof(ike->rx) || len < IKE_HDR_LEN) {
		ike->st.dropped_malformed++;
		return;
	}
	enter(ike);
	memcpy(ike->rx, data, len);
	if (ike_msg_parse(m, ike->rx, len, &e) < 0) {
		ike->st.dropped_malformed++;
		/* §2.5, §2.21.1: an unprotected IKE_SA_INIT request is answered
		 * with the error notification; anything else is dropped. */
		if (!(e.code == IKE_E_TRUNCATED && e.offset == 0) && m->exchange == IKE_SA_INIT &&
		    !(m->flags & IKE_FLAG_RESPONSE) && ike_error_notify(&e)) {
			uint8_t pt = e.payload;

			ike_x_notify_response(ike, m, src, sport, dst, dport, ike_error_notify(&e),
			                      e.code == IKE_E_CRITICAL ? &pt : NULL,
			                      e.code == IKE_E_CRITICAL ? 1 : 0);
		}
		goto out;
	}
	response = m->flags & IKE_FLAG_RESPONSE;
	from_initiator = m->flags & IKE_FLAG_INITIATOR;
	if (m->exchange == IKE_SA_INIT) {
		/* §3.1: the initiator's SPI MUST NOT be zero; a request with
		 * one would leave a half-open SA nobody can name. */
		if (!memcmp(m->spi_i, (uint8_t[IKE_SPI_LEN]){0}, IKE_SPI_LEN)) {
			ike->st.dropped_malformed++;
		} else if (!response && from_initiator) {
			ike_sa_init_request(ike, m, ike->rx, len, src, sport, dst, dport);
		} else if (response && !from_initiator && m->message_id == 0 &&
		           (sa = ike_sa_find(ike, m->spi_i, true))) {
			if (sa->phase == IKE_PHASE_INIT_SENT)
				ike_sa_init_response(ike, sa, m, ike->rx, len, src, sport, dst,
				                     dport);
			else
				ike->st.dropped_replay++; /* a duplicate */
		} else if (response) {
			ike->st.dropped_unknown_spi++;
		} else {
			ike->st.dropped_other++;
		}
		goto out;
	}
	if (m->exchange < IKE_AUTH || m->exchange > IKE_INFORMATIONAL) {
		ike->st.dropped_other++; /* §2.21: unknown exchange type */
		goto out;
	}
	/* §2.21, §3.1: our SPI is SPIr if the sender is the original
	 * initiator, SPIi otherwise. */
	sa = ike_sa_find(ike, from_initiator ? m->spi_r : m->spi_i, !from_initiator);
	if (!sa || sa->phase == IKE_PHASE_DEAD ||
	    memcmp(from_initiator ? m->spi_i : m->spi_r, from_initiator ? sa->spi_i : sa->spi_r,
	           IKE_SPI_LEN) != 0) {
		ike->st.dropped_unknown_spi++;
		goto out;
	}
	ike_x_receive(ike, sa, ike->rx, len, src, sport, dst, dport);
out:
	leave(ike);
}

/* --- the timer ------------------------------------------------------------------------- */

void ike_rearm(struct ike *ike)
{
	uint64_t at = UINT64_MAX, now = ike_now(ike);

	if (ike->dp_pending)
		at = now;
	for (size_t i = 0; i < ike->nconns; i++)
		if (ike->conns[i].start_pending)
			at = now;
	if (ike_rekey_inbound_deadline(ike) < at)
		at = ike_rekey_inbound_deadline(ike);
	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		uint64_t d = ike_sa_deadline(ike, sa);

		if (d < at)
			at = d;
	}
	if (at != ike->timer_at) {
		ike->timer_at = at;
		if (ike->ops.timer_arm)
			ike->ops.timer_arm(ike->host, at);
	}
}

/* Data-plane events, acted upon here rather than inside the data plane's
 * own call. */
static void dataplane_work(struct ike *ike)
{
	ike->dp_pending = false;
	for (size_t i = 0; i < ike->nconns; i++) {
		struct ike_conn *c = &ike->conns[i];

		for (size_t j = 0; j < c->cfg.n_children; j++) {
			if (!c->acquire[j])
				continue;
			c->acquire[j] = false;
			c->attempts = 0;
			ike_initiate_conn(ike, i, j);
		}
	}
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
			struct ike_child *ch = &sa->children[k];

			if (ch->used && ch->soft_expired && !ch->hard_expired) {
				/* RFC 4301 §4.4.2.1: a soft byte/packet limit:
				 * rekey (ike_rekey.c). */
				ch->soft_expired = false;
				ike_rekey_child_start(ike, sa, ch);
			}
			if (!ch->used || !ch->hard_expired || ch->deleting)
				continue;
			/* RFC 4301 §4.4.2.1: the hard lifetime ended the SA; a
			 * replacement waiting for its turn takes over now, and
			 * the peer is told (§1.4.1). */
			ike_rekey_handover_successor(ike, sa, ch);
			ch->deleting = true;
			if (sa->phase == IKE_PHASE_ESTABLISHED)
				ike_x_queue(ike, sa, IKE_TASK_DELETE_CHILD, ch->uid);
			else
				ike_child_remove(ike, sa, ch, "expired", IKE_ACTION_CLEAR);
		}
	}
}

void ike_handle_timeout(struct ike *ike)
{
	uint64_t now = ike_now(ike);

	enter(ike);
	ike->timer_at = UINT64_MAX; /* consumed */
	for (size_t i = 0; i < ike->nconns; i++) {
		struct ike_conn *c = &ike->conns[i];

		if (c->start_pending) {
			c->start_pending = false;
			ike_initiate_conn(ike, i, c->start_child);
		}
	}
	if (ike->dp_pending)
		dataplane_work(ike);
	ike_rekey_remove_inbound(ike, now);
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->phase != IKE_PHASE_DEAD)
			ike_sa_timeout(ike, sa, now);
	leave(ike);
}

void ike_dataplane_event(struct ike *ike, const struct ipsec_event *ev)
{
	enter(ike);
	switch (ev->type) {
	case IPSEC_EV_ACQUIRE:
		for (size_t i = 0; i < ike->nconns; i++) {
			struct ike_conn *c = &ike->conns[i];

			for (size_t j = 0; j < c->cfg.n_children; j++)
				for (size_t k = 0; k < c->ntrap[j]; k++)
					if (c->trap[j][k] == ev->spd_id) {
						c->acquire[j] = true;
						ike->dp_pending = true;
					}
		}
		break;
	case IPSEC_EV_SOFT_EXPIRE:
	case IPSEC_EV_HARD_EXPIRE:
	case IPSEC_EV_SEQ_EXHAUSTED:
		for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
			struct ike_child *ch = ike_child_by_sa(sa, ev->sa_id);

			if (!ch)
				continue;
			if (ev->type == IPSEC_EV_SOFT_EXPIRE)
				ch->soft_expired = true;
			else
				ch->hard_expired = true;
			ike->dp_pending = true;
		}
		break;
	}
	leave(ike);
}
