/* Scenario loader: IKEv2 connections (`ipsec: connections:`), swanctl.conf's
 * connections.<conn> section in YAML, into struct ike_conn_config (ike.h)
 * with strongSwan's defaults where the file says nothing.  Children are in
 * scenario_ike_child.c, secrets in scenario_ike_secret.c.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ike_cert.h"
#include "ike_proposal.h"
#include "units.h"

static const char *const conn_keys[] = {"local_addrs",
                                        "remote_addrs",
                                        "local_port",
                                        "remote_port",
                                        "proposals",
                                        "local",
                                        "remote",
                                        "version",
                                        "rekey_time",
                                        "reauth_time",
                                        "over_time",
                                        "rand_time",
                                        "dpd_delay",
                                        "encap",
                                        "mobike",
                                        "keyingtries",
                                        "retransmit",
                                        "keep_alive",
                                        "cookie_threshold",
                                        "half_open_timeout",
                                        "reauth_policy",
                                        "children",
                                        "send_cert",
                                        "delete_rekeyed_delay",
                                        "fragmentation",
                                        "fragment_size",
                                        NULL};
/* swanctl.conf connection keys this module does not implement. */
static const char *const conn_unsupported[] = {
        "vips",      "aggressive",   "pull",           "dscp",        "childless", "send_certreq",
        "ppk_id",    "ppk_required", "unique",         "pools",       "if_id_in",  "if_id_out",
        "mediation", "mediated_by",  "mediation_peer", "dpd_timeout", NULL};
static const char *const auth_keys[] = {"auth", "id", "certs", "cacerts", NULL};
static const char *const auth_unsupported[] = {"round",    "pubkeys",    "eap_id", "aaa_id",
                                               "xauth_id", "revocation", "groups", "cert_policy",
                                               "ca_id",    NULL};
static const struct name_val send_cert_names[] = {{"ifasked", IKE_SEND_CERT_IFASKED, false},
                                                  {"always", IKE_SEND_CERT_ALWAYS, false},
                                                  {"never", IKE_SEND_CERT_NEVER, false},
                                                  {NULL, 0, false}};
static const struct name_val fragmentation_names[] = {{"yes", IKE_FRAGMENTATION_YES, false},
                                                      {"accept", IKE_FRAGMENTATION_ACCEPT, false},
                                                      {"force", IKE_FRAGMENTATION_FORCE, false},
                                                      {"no", IKE_FRAGMENTATION_NO, false},
                                                      {NULL, 0, false}};
static const char *const retransmit_keys[] = {"timeout", "base", "tries", NULL};
static const char *const retransmit_unsupported[] = {"jitter", "limit", NULL};

static const struct name_val auth_names[] = {
        {"psk", IKE_AUTHC_PSK, false}, {"pubkey", IKE_AUTHC_PUBKEY, false}, {NULL, 0, false}};

/* certs: [one] (local) or cacerts: [...] (remote): PEM from files or
 * pki:NAME; cacerts concatenated.  A pki certificate brings its key. */
static void load_certs(struct load *L, struct ike_conn_config *conn, yaml_node_t *m,
                       const char *side, struct ike_auth_config *a)
{
	struct ctx *c = L->c;
	bool local = strcmp(side, "local") == 0, pki;
	yaml_node_t *v;
	const char *key_pem;

	if ((v = scn_get(c, m, local ? "cacerts" : "certs")))
		scn_error_at(c, v,
		             local ? "cacerts belongs in remote: the CAs the peer's certificate "
		                     "must chain to"
		                   : "certs belongs in local (our certificate): the peer sends "
		                     "its own in a CERT payload");
	if ((v = scn_get(c, m, local ? "certs" : "cacerts")) == NULL)
		return;
	if (v->type == YAML_SCALAR_NODE && !scn_is_null(v)) {
		scn_error_at(c, v, "%s: give a list, like [%s]", local ? "certs" : "cacerts",
		             local ? "gwA.pem" : "ca.pem");
		return;
	}
	if (!scn_want_seq(c, v, local ? "certs" : "cacerts"))
		return;
	if (local) {
		if (scn_seq_len(v) != 1) {
			scn_error_at(c, v,
			             "certs of connection '%s': give one certificate (ours, signed "
			             "by the CA), not %zu",
			             conn->name, scn_seq_len(v));
			return;
		}
		a->cert_pem = scn_read_pem(L, scn_seq_item(c, v, 0), "certs", &pki, &key_pem);
		if (pki)
			a->key_pem = key_pem;
		return;
	}
	for (size_t i = 0, used = 0; i < scn_seq_len(v); i++) {
		const char *pem = scn_read_pem(L, scn_seq_item(c, v, i), "cacerts", &pki, NULL);
		size_t len = pem ? strlen(pem) : 0;
		char *all;

		if (!pem)
			continue;
		all = scn_arena_alloc(c->a, used + len + 2);
		if (a->ca_pem)
			memcpy(all, a->ca_pem, used);
		memcpy(all + used, pem, len);
		used += len;
		if (all[used - 1] != '\n')
			all[used++] = '\n';
		a->ca_pem = all;
	}
}

/* `local` or `remote`: {auth, id, certs | cacerts}.  Returns false if the
 * side is unusable (an error was reported). */
static bool load_auth(struct load *L, struct ike_conn_config *conn, yaml_node_t *key_n,
                      yaml_node_t *m, const char *side, struct ike_auth_config *a)
{
	struct ctx *c = L->c;
	yaml_node_t *v = NULL, *av = NULL;
	char what[160];
	const char *t;
	int x;

	snprintf(what, sizeof(what), "%s of connection '%s'", side, conn->name);
	if (m) {
		if (!scn_want_map(c, m, what))
			return false;
		scn_check_keys_known(c, m, what, auth_keys, auth_unsupported);
		if (scn_opt_enum(c, m, "auth", auth_names, "auth method", &x, &av) == 1)
			a->auth = (enum ike_auth_class)x;
		else if (av)
			return false;
		if ((v = scn_get(c, m, "id")) && (t = scn_scalar(c, v, "id"))) {
			if (strlen(t) >= sizeof(a->id.id))
				scn_error_at(c, v, "id: at most %zu characters",
				             sizeof(a->id.id) - 1);
			else if (strcmp(side, "local") == 0 && strcmp(t, "%any") == 0)
				scn_error_at(c, v,
				             "the local id cannot be %%any: leave it out for the "
				             "local address");
			else
				strcpy(a->id.id, t);
		}
	}
	if (m) {
		bool had = c->nerr;

		load_certs(L, conn, m, side, a);
		if (c->nerr != had)
			return false;
	}
	(void)key_n;
	return true;
}

/* Pubkey auth: our key (with a pki certificate, or the node's private key
 * secret matching the certificate), the CAs (cacerts, else the node's
 * authorities); then the engine's own check (ike_cred_load()): key and
 * certificate belong together, the local id is in the certificate. */
static void resolve_pubkey(struct load *L, size_t ni, size_t ci, yaml_node_t *key_n,
                           yaml_node_t *conn_m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct ike_conn_config *conn = &nd->conns[ci];
	yaml_node_t *lm = scn_get(c, conn_m, "local"), *rm = scn_get(c, conn_m, "remote");
	struct ike_cred *cr;
	char err[400];
	bool ok = true;

	conn->cert_epoch_s = L->start_time;
	if (conn->local.auth == IKE_AUTHC_PUBKEY && !conn->local.cert_pem &&
	    scn_get(c, lm, "certs")) {
		ok = false; /* reported: the file or the pki entry */
	} else if (conn->local.auth == IKE_AUTHC_PUBKEY && !conn->local.cert_pem) {
		scn_error_at(c, lm ? lm : key_n,
		             "local of connection '%s': auth pubkey needs our certificate: give "
		             "certs: [FILE.pem] (its key in secrets: [{type: private, file: "
		             "FILE.key}]) or certs: [pki:NAME]%s",
		             conn->name,
		             lm && scn_get(c, lm, "auth") ? ""
		                                          : " (auth defaults to pubkey, as in "
		                                            "swanctl.conf; or give auth: psk)");
		ok = false;
	} else if (conn->local.auth == IKE_AUTHC_PUBKEY && !conn->local.key_pem) {
		for (size_t i = 0; i < nd->n_secrets && !conn->local.key_pem; i++) {
			struct ike_conn_config probe = *conn;

			if (!nd->secrets[i].key_pem)
				continue;
			probe.local.key_pem = nd->secrets[i].key_pem;
			probe.remote.auth = IKE_AUTHC_PSK;
			if (ike_cred_load(&probe, &cr, err, sizeof(err)) == 0 ||
			    !strstr(err, "does not belong"))
				conn->local.key_pem = nd->secrets[i].key_pem;
			ike_cred_free(cr);
		}
		if (!conn->local.key_pem) {
			scn_error_at(c, scn_get(c, lm, "certs"),
			             "connection '%s': no private key secret of node '%s' belongs "
			             "to this certificate (give secrets: [{type: private, file: "
			             "FILE.key}])",
			             conn->name, nd->name);
			ok = false;
		}
	}
	if (conn->remote.auth == IKE_AUTHC_PUBKEY && !conn->remote.ca_pem)
		conn->remote.ca_pem = L->authorities ? L->authorities[ni] : NULL;
	if (conn->remote.auth == IKE_AUTHC_PUBKEY && !conn->remote.ca_pem &&
	    scn_get(c, rm, "cacerts")) {
		ok = false; /* reported */
	} else if (conn->remote.auth == IKE_AUTHC_PUBKEY && !conn->remote.ca_pem) {
		scn_error_at(c, rm ? rm : key_n,
		             "remote of connection '%s': auth pubkey needs a CA to check the "
		             "peer's certificate with: give cacerts: [ca.pem] or [pki:NAME], or "
		             "the node's ipsec authorities: [{cacert: ca.pem}]%s",
		             conn->name,
		             rm && scn_get(c, rm, "auth") ? ""
		                                          : " (auth defaults to pubkey, as in "
		                                            "swanctl.conf; or give auth: psk)");
		ok = false;
	}
	if (!ok)
		return;
	if (ike_cred_load(conn, &cr, err, sizeof(err)) < 0)
		scn_error_at(c, conn->local.auth == IKE_AUTHC_PUBKEY && lm ? lm : key_n, "%s", err);
	ike_cred_free(cr);
}

/* retransmit: {timeout, base, tries} (strongswan.conf charon.retransmit_*). */
static void load_retransmit(struct ctx *c, struct ike_conn_config *conn, yaml_node_t *m)
{
	char what[160];
	yaml_node_t *v;
	uint64_t u;
	const char *t;

	snprintf(what, sizeof(what), "retransmit of connection '%s'", conn->name);
	if (!scn_want_map(c, m, what))
		return;
	scn_check_keys_known(c, m, what, retransmit_keys, retransmit_unsupported);
	if (scn_opt_time(c, m, "timeout", &u, &v) == 1) {
		if (u == 0)
			scn_error_at(c, v, "retransmit timeout must be above 0");
		else
			conn->retransmit_timeout_ns = u;
	}
	if ((v = scn_get(c, m, "base")) && (t = scn_scalar(c, v, "base"))) {
		char *end;
		double b = strtod(t, &end);

		if (t[strspn(t, "0123456789.")] != '\0' || *end || b < 1.0 || b > 100.0)
			scn_error_at(c, v,
			             "retransmit base must be a number from 1 to 100, like 1.8, "
			             "got '%s'",
			             t);
		else
			conn->retransmit_base = b;
	}
	if (scn_opt_uint(c, m, "tries", 0, 100, &u, NULL) == 1)
		conn->retransmit_tries = (unsigned)u;
}

/* The IKE SA's lifetimes: strongSwan's defaults (vici_config.c): over_time
 * = 10 % of the larger of rekey_time and reauth_time, rand_time = over_time
 * but at most half of the (smaller non-zero) rekey/reauth time. */
static void ike_lifetimes(struct ctx *c, struct ike_conn_config *conn, yaml_node_t *m)
{
	yaml_node_t *rk = NULL, *ra = NULL, *ov = NULL, *rn = NULL;
	char b1[32], b2[32];
	bool bad = false;

	bad |= scn_opt_time(c, m, "rekey_time", &conn->rekey_time_ns, &rk) < 0;
	bad |= scn_opt_time(c, m, "reauth_time", &conn->reauth_time_ns, &ra) < 0;
	bad |= scn_opt_time(c, m, "over_time", &conn->over_time_ns, &ov) < 0;
	bad |= scn_opt_time(c, m, "rand_time", &conn->rand_time_ns, &rn) < 0;
	if (bad)
		return;
	uint64_t rekey = conn->rekey_time_ns, reauth = conn->reauth_time_ns;
	uint64_t larger = rekey > reauth ? rekey : reauth;
	uint64_t smaller = rekey && reauth ? (rekey < reauth ? rekey : reauth) : larger;

	if (!ov)
		conn->over_time_ns = larger / 10;
	if (!rn)
		conn->rand_time_ns =
		        conn->over_time_ns < smaller / 2 ? conn->over_time_ns : smaller / 2;
	/* The rekey (reauth) is due at rekey_time minus a random part of
	 * rand_time: it must stay positive. */
	if (rn && smaller && conn->rand_time_ns >= smaller)
		scn_error_at(c, rn, "connection '%s': rand_time %s must be below %s %s", conn->name,
		             scn_time_str(conn->rand_time_ns, b1, sizeof(b1)),
		             smaller == rekey ? "rekey_time" : "reauth_time",
		             scn_time_str(smaller, b2, sizeof(b2)));
}

/* local_addrs: one of the node's addresses; by default the one facing
 * remote_addrs (the route to it), or the node's only address when the
 * remote is %any. */
static void local_address(struct load *L, size_t ni, struct ike_conn_config *conn,
                          yaml_node_t *key_n, yaml_node_t *m, bool remote_any)
{
	struct ctx *c = L->c;
	const struct scenario_node *nd = &L->s->nodes[ni];
	yaml_node_t *v = scn_get(c, m, "local_addrs");
	const char *t;
	char a1[IP_ADDR_STRLEN], a2[IP_ADDR_STRLEN], err[200];
	struct ip_addr a;
	uint8_t len;

	if (v && (t = scn_scalar(c, v, "local_addrs")) && strcmp(t, "%any") != 0 &&
	    strcmp(t, "any") != 0) {
		if (strchr(t, ',') || strchr(t, '/') || strchr(t, '-'))
			scn_error_at(c, v,
			             "local_addrs: give one address of node '%s' (the IKE "
			             "daemon here binds one), got '%s'",
			             nd->name, t);
		else if (units_ip(t, &a, err, sizeof(err)))
			scn_error_at(c, v, "local_addrs: %s", err);
		else if (!L->suspect[ni] && scn_iface_with_addr(nd, &a) == SCENARIO_NONE)
			scn_error_at(c, v, "local_addrs %s is not an address of node '%s'",
			             ip_addr_str(&a, a1), nd->name);
		else if (!remote_any && a.family != conn->remote_addr.family)
			scn_error_at(c, v,
			             "local_addrs %s and remote_addrs %s are of different families "
			             "(an IKE SA runs over one)",
			             ip_addr_str(&a, a1), ip_addr_str(&conn->remote_addr, a2));
		else
			conn->local_addr = a;
		return;
	}
	if (v && !scn_scalar(c, v, "local_addrs"))
		return;
	if (L->suspect[ni] || nd->n_ifaces == 0)
		return; /* reported: its links */
	if (!remote_any) {
		size_t k = scn_route_iface(L->s, ni, &conn->remote_addr);

		if (k == SCENARIO_NONE)
			scn_error_at(
			        c, key_n,
			        "connection '%s': node '%s' has no route to remote_addrs %s, so "
			        "local_addrs cannot default to the address facing it: give "
			        "local_addrs (or a route)",
			        conn->name, nd->name, ip_addr_str(&conn->remote_addr, a1));
		else
			scn_iface_addr(&nd->ifaces[k], conn->remote_addr.family, &conn->local_addr,
			               &len);
		return;
	}
	size_t n = 0;
	for (size_t k = 0; k < nd->n_ifaces; k++)
		for (uint8_t f = IP_FAMILY_V4; f <= IP_FAMILY_V6; f += 2)
			n += scn_iface_addr(&nd->ifaces[k], f, &a, &len) ? 1 : 0;
	if (n == 1) {
		for (uint8_t f = IP_FAMILY_V4; f <= IP_FAMILY_V6; f += 2)
			if (scn_iface_addr(&nd->ifaces[0], f, &a, &len))
				conn->local_addr = a;
	} else {
		scn_error_at(c, key_n,
		             "connection '%s' answers any peer (remote_addrs %%any) and node '%s' "
		             "has %zu addresses: give local_addrs",
		             conn->name, nd->name, n);
	}
}

/* swanctl.conf's children { name { ... } }. */
static void load_children(struct load *L, struct ike_conn_config *conn, yaml_node_t *m,
                          bool remote_any)
{
	struct ctx *c = L->c;
	char what[160];
	size_t n;

	snprintf(what, sizeof(what), "children of connection '%s'", conn->name);
	if (scn_is_null(m) || !scn_want_map(c, m, what))
		return;
	n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	if (n > IKE_CHILDREN_MAX) {
		scn_error_at(c, m, "connection '%s' has %zu children: at most %d", conn->name, n,
		             IKE_CHILDREN_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
		yaml_node_t *k = scn_node(c, p->key);
		struct ike_child_config *ch = &conn->children[conn->n_children];
		const char *name = scn_name_value(c, k, "child name");
		bool dup = false;

		if (!name)
			continue;
		for (size_t j = 0; j < conn->n_children; j++)
			dup |= strcmp(conn->children[j].name, name) == 0;
		if (dup) {
			scn_error_at(c, k, "duplicate child name '%s' in connection '%s'", name,
			             conn->name);
			continue;
		}
		ike_child_defaults(ch);
		if (L->s->strongswan_defaults)
			ike_child_strongswan(ch);
		strcpy(ch->name, name);
		conn->n_children++;
		scn_load_ike_child(L, conn, ch, scn_node(c, p->value), remote_any);
	}
}

/* PSK auth: the secret strongSwan would pick for (local id, remote id). */
static void resolve_psk(struct load *L, size_t ni, size_t ci, yaml_node_t *key_n)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct ike_conn_config *conn = &nd->conns[ci];
	char me[IKE_ID_MAX], a1[IP_ADDR_STRLEN];
	const char *other = conn->remote.id.id[0] ? conn->remote.id.id : "%any";
	size_t idx, tie;

	nd->conn_secret[ci] = SCENARIO_NONE;
	if (conn->local.auth != IKE_AUTHC_PSK && conn->remote.auth != IKE_AUTHC_PSK)
		return;
	/* swanctl.conf: the local id defaults to the local address. */
	snprintf(me, sizeof(me), "%s",
	         conn->local.id.id[0] ? conn->local.id.id : ip_addr_str(&conn->local_addr, a1));
	idx = scn_ike_secret_find(nd, me, other, &tie);
	if (idx == SCENARIO_NONE) {
		scn_error_at(c, key_n,
		             "connection '%s' authenticates with psk, but no ike secret of node "
		             "'%s' belongs to its local id '%s' or remote id '%s'%s",
		             conn->name, nd->name, me, other,
		             conn->remote.id.id[0] ? ""
		                                   : " (the remote id defaults to %any as in "
		                                     "swanctl.conf: give remote id, or a secret "
		                                     "with id %any or the local id)");
		return;
	}
	if (tie != SCENARIO_NONE)
		scn_warn_at(c, key_n,
		            "secrets '%s' and '%s' match connection '%s' equally well: it uses "
		            "'%s', the first",
		            nd->secrets[idx].name, nd->secrets[tie].name, conn->name,
		            nd->secrets[idx].name);
	nd->conn_secret[ci] = idx;
	memcpy(conn->psk, nd->secrets[idx].secret, nd->secrets[idx].secret_len);
	conn->psk_len = nd->secrets[idx].secret_len;
}

static void load_conn(struct load *L, size_t ni, size_t ci, yaml_node_t *key_n, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct ike_conn_config *conn = &nd->conns[ci];
	yaml_node_t *v;
	char what[160], err[320];
	const char *t;
	uint64_t u;
	int x;
	bool remote_any = true, auth_ok;

	snprintf(what, sizeof(what), "connection '%s'", conn->name);
	nd->conn_secret[ci] = SCENARIO_NONE;
	if (!scn_want_map(c, m, what))
		return;
	scn_check_keys_known(c, m, what, conn_keys, conn_unsupported);

	if (scn_opt_uint(c, m, "version", 0, 2, &u, &v) == 1 && u == 1)
		scn_error_at(c, v, "IKEv1 is not implemented: use version 2 (or 0 for any)");

	/* remote_addrs: an address, or %any (swanctl's default): respond only. */
	v = scn_get(c, m, "remote_addrs");
	t = v ? scn_scalar(c, v, "remote_addrs") : "%any";
	if (t && (strcmp(t, "%any") == 0 || strcmp(t, "any") == 0)) {
		local_address(L, ni, conn, key_n, m, true);
	} else if (t) {
		remote_any = false;
		struct ip_addr a;
		struct ip_addr none = {0};

		if (units_ip(t, &a, err, sizeof(err)))
			scn_error_at(c, v,
			             "remote_addrs: %s (or %%any; names, ranges and lists are not "
			             "supported)",
			             err);
		else if (!memcmp(a.b, none.b, sizeof(a.b)))
			scn_error_at(c, v, "remote_addrs: use %%any for any peer, not %s", t);
		else if (scn_iface_with_addr(nd, &a) != SCENARIO_NONE)
			scn_error_at(c, v, "remote_addrs %s is node '%s''s own address", t,
			             nd->name);
		else
			conn->remote_addr = a;
		if (ip_addr_is_set(&conn->remote_addr))
			local_address(L, ni, conn, key_n, m, false);
	} else {
		remote_any = false; /* reported: no cascades */
	}

	if (scn_opt_uint(c, m, "local_port", 1, 65535, &u, NULL) == 1)
		conn->local_port = (uint16_t)u;
	if (scn_opt_uint(c, m, "remote_port", 1, 65535, &u, NULL) == 1)
		conn->remote_port = (uint16_t)u;

	if ((v = scn_get(c, m, "proposals")) && (t = scn_scalar(c, v, "proposals"))) {
		struct ike_proposal_list *props = calloc(1, sizeof(*props));

		if (strlen(t) >= sizeof(conn->proposals))
			scn_error_at(c, v, "proposals: at most %zu characters",
			             sizeof(conn->proposals) - 1);
		else if (props && ike_proposals_parse(IKE_PROTO_IKE, t, props, err, sizeof(err)))
			scn_error_at(c, v, "%s", err);
		else
			strcpy(conn->proposals, t);
		free(props);
	}

	v = scn_get(c, m, "local");
	if (!v) {
		scn_error_at(c, key_n,
		             "missing 'local' in connection '%s' (how this side authenticates, "
		             "like local: {auth: psk, id: gwA})",
		             conn->name);
		auth_ok = false;
	} else {
		auth_ok = load_auth(L, conn, key_n, v, "local", &conn->local);
	}
	auth_ok &= load_auth(L, conn, key_n, scn_get(c, m, "remote"), "remote", &conn->remote);
	if (scn_opt_enum(c, m, "send_cert", send_cert_names, "send_cert", &x, NULL) == 1)
		conn->send_cert = (enum ike_send_cert)x;

	ike_lifetimes(c, conn, m);
	scn_opt_time(c, m, "dpd_delay", &conn->dpd_delay_ns, NULL);
	scn_opt_bool(c, m, "encap", &conn->encap);
	scn_opt_bool(c, m, "mobike", &conn->mobike);
	if (scn_opt_uint(c, m, "keyingtries", 0, UINT32_MAX, &u, NULL) == 1)
		conn->keyingtries = (unsigned)u;
	if ((v = scn_get(c, m, "retransmit")))
		load_retransmit(c, conn, v);
	scn_opt_time(c, m, "keep_alive", &conn->keepalive_ns, NULL);
	if (scn_opt_uint(c, m, "cookie_threshold", 0, UINT32_MAX, &u, NULL) == 1)
		conn->half_open_cookie_threshold = (unsigned)u;
	if (scn_opt_time(c, m, "half_open_timeout", &conn->half_open_timeout_ns, &v) == 1 &&
	    conn->half_open_timeout_ns == 0)
		scn_error_at(c, v,
		             "half_open_timeout must be above 0 (a half-open IKE SA is "
		             "deleted after this long, like 30s)");
	scn_opt_time(c, m, "delete_rekeyed_delay", &conn->delete_rekeyed_delay_ns, NULL);
	if (scn_opt_enum(c, m, "fragmentation", fragmentation_names, "fragmentation", &x, NULL) ==
	    1)
		conn->fragmentation = (enum ike_fragmentation)x;
	if (scn_opt_uint(c, m, "fragment_size", 0, 65535, &u, &v) == 1) {
		if (u && u < IKE_FRAGMENT_SIZE_MIN)
			scn_error_at(c, v,
			             "fragment_size %llu: give 0 (576 bytes over IPv4, 1280 over "
			             "IPv6) or the IP datagram size of a fragment from %d to 65535",
			             (unsigned long long)u, IKE_FRAGMENT_SIZE_MIN);
		else
			conn->fragment_size = (uint32_t)u;
	}
	if (scn_opt_enum(c, m, "reauth_policy", scn_rekey_policy_names, "reauth_policy", &x,
	                 NULL) == 1)
		conn->reauth_policy = (enum ike_rekey_policy)x;
	if ((v = scn_get(c, m, "children")))
		load_children(L, conn, v, remote_any);
	if (auth_ok) {
		resolve_psk(L, ni, ci, key_n);
		resolve_pubkey(L, ni, ci, key_n, m);
	}
}

void scn_load_ike_conns(struct load *L, size_t ni, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	size_t n;

	if (scn_is_null(m) || !scn_want_map(c, m, "connections"))
		return;
	n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	nd->conns = scn_arena_alloc(c->a, n * sizeof(*nd->conns));
	nd->conn_secret = scn_arena_alloc(c->a, n * sizeof(*nd->conn_secret));
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
		yaml_node_t *k = scn_node(c, p->key);
		struct ike_conn_config *conn = &nd->conns[nd->n_conns];
		const char *name = scn_name_value(c, k, "connection name");
		bool dup = false;

		if (!name)
			continue;
		for (size_t j = 0; j < nd->n_conns; j++)
			dup |= strcmp(nd->conns[j].name, name) == 0;
		if (dup) {
			scn_error_at(c, k, "duplicate connection name '%s' on node '%s'", name,
			             nd->name);
			continue;
		}
		ike_conn_defaults(conn);
		if (L->s->strongswan_defaults)
			ike_conn_strongswan(conn);
		strcpy(conn->name, name);
		nd->n_conns++;
		load_conn(L, ni, nd->n_conns - 1, k, scn_node(c, p->value));
	}
}
