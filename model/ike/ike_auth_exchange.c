/* IKE_AUTH (RFC 7296 §1.2):
 *
 *   Initiator                         Responder
 *   HDR, SK {IDi, [IDr,] AUTH,
 *       SAi2, TSi, TSr}  -->
 *                                <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *
 * Each side proves its identity with AUTH over its IKE_SA_INIT message,
 * the peer's nonce and its ID payload (§2.15); a failed check on the
 * responder is answered with AUTHENTICATION_FAILED, on the initiator it is
 * reported in an INFORMATIONAL (§2.21.2).  The first Child SA rides along:
 * ESP proposal (§2.7, no KE), traffic selectors narrowed by the responder
 * (§2.9), transport mode on request (§1.3.1); a Child SA failure leaves the
 * IKE SA up (§1.2).
 *
 * Authentication methods, per side (`local.auth`, `remote.auth`, mixed
 * allowed as strongSwan allows it): shared key MIC (method 2) and public
 * keys: Digital Signature (method 14, RFC 7427) with our X.509 certificate
 * in a CERT payload (§3.6, encoding 4; when asked by a CERTREQ, or always
 * or never: swanctl's send_cert) and CERTREQ for the CAs we trust (§3.7;
 * the responder sends it in IKE_SA_INIT).  With
 * certificates the messages are
 *
 *   HDR, SK {IDi, CERT, [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}  -->
 *                                   <--  HDR, SK {IDr, CERT, AUTH, SAr2, TSi, TSr}
 *
 * The peer's certificate must chain to the connection's CA, be valid at the
 * configured time (ike.h cert_epoch_s), contain its IDi/IDr (subject DN or
 * subjectAltName) and verify its AUTH.
 */
#include "ike_sa.h"

#include "ike_cert.h"
#include "ipv4.h"

#include <stdio.h>
#include <string.h>

#define AUTH_SIG_MAX 1100 /* AlgorithmIdentifier + RSA-8192 signature */
#define PEER_CERTS_MAX 4  /* end entity + intermediates */

#define ID_DATA_MAX (IKE_ID_MAX + 512)

/* RestOfIDPayload (§2.15): ID type, three reserved octets, data. */
struct id_body {
	uint8_t b[4 + ID_DATA_MAX];
	size_t len;
};

static int own_id(struct ike *ike, struct ike_sa *sa, struct id_body *id)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	size_t n;

	memset(id->b, 0, 4);
	if (!c->local.id.id[0] && c->local.auth == IKE_AUTHC_PUBKEY) {
		/* strongSwan: the certificate's subject is the default id. */
		if (ike_cred_subject_der(ike_sa_conn(ike, sa)->cred, id->b + 4, ID_DATA_MAX, &n) <
		    0) {
			snprintf(ike->diag, sizeof(ike->diag), "no certificate subject for IDi");
			return -1;
		}
		id->b[0] = IKE_ID_DER_ASN1_DN;
		id->len = 4 + n;
		return 0;
	}
	if (ike_id_encode(c->local.id.id, sa->local_addr, &id->b[0], id->b + 4, ID_DATA_MAX, &n,
	                  ike->diag, sizeof(ike->diag)) < 0)
		return -1;
	id->len = 4 + n;
	return 0;
}

/* RFC 7427 §4: the hash algorithms we sign and verify with. */
void ike_auth_init_payloads(struct ike *ike, struct ike_sa *sa, struct ike_builder *b,
                            bool response)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	static const uint8_t hashes[] = {0, IKE_HASH_SHA2_256, 0, IKE_HASH_SHA2_384,
	                                 0, IKE_HASH_SHA2_512};
	const uint8_t *req;
	size_t n;

	if (conn->cfg.local.auth != IKE_AUTHC_PUBKEY && conn->cfg.remote.auth != IKE_AUTHC_PUBKEY)
		return;
	/* §1.2: HDR, SAr1, KEr, Nr, [CERTREQ] */
	req = ike_cred_certreq(conn->cred, &n);
	if (response && req)
		ike_add_certreq(b, IKE_CERT_X509_SIG, req, n);
	ike_add_notify(b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes, sizeof(hashes));
}

void ike_auth_init_received(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *p = ike_msg_find_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);

	sa->peer_certreq = ike_msg_find(m, IKE_PL_CERTREQ, NULL) != NULL;
	sa->peer_hashes = 0;
	for (size_t i = 0; p && i + 1 < p->u.notify.len; i += 2) {
		uint16_t h = get_be16(p->u.notify.data + i);

		if (h < 16)
			sa->peer_hashes |= 1u << h;
	}
}

/* Our CERT, and CERTREQ for the peer's CAs (initiator: §1.2 puts it in
 * IKE_AUTH; the responder's went with IKE_SA_INIT). */
static void add_certs(struct ike *ike, struct ike_sa *sa, struct ike_builder *b, bool certreq)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const uint8_t *p;
	size_t n;

	bool send = conn->cfg.send_cert == IKE_SEND_CERT_ALWAYS ||
	            (conn->cfg.send_cert == IKE_SEND_CERT_IFASKED && sa->peer_certreq);

	if (send && conn->cfg.local.auth == IKE_AUTHC_PUBKEY &&
	    (p = ike_cred_cert_der(conn->cred, &n)))
		ike_add_cert(b, IKE_CERT_X509_SIG, p, n);
	if (certreq && conn->cfg.remote.auth == IKE_AUTHC_PUBKEY &&
	    (p = ike_cred_certreq(conn->cred, &n)))
		ike_add_certreq(b, IKE_CERT_X509_SIG, p, n);
}

static struct ike_auth_input auth_input(const struct ike_sa *sa, bool ours, const uint8_t *idb,
                                        size_t idb_len)
{
	/* The initiator signs its IKE_SA_INIT request, the responder its
	 * response; each with the other's nonce and its own SK_p. */
	bool signer_is_initiator = ours ? sa->initiator : !sa->initiator;
	struct ike_auth_input in = {
	        .prf = sa->suite.prf,
	        .real_msg = signer_is_initiator ? sa->init_req : sa->init_resp,
	        .real_msg_len = signer_is_initiator ? sa->init_req_len : sa->init_resp_len,
	        .peer_nonce = signer_is_initiator ? sa->nr : sa->ni,
	        .peer_nonce_len = signer_is_initiator ? sa->nr_len : sa->ni_len,
	        .sk_p = signer_is_initiator ? sa->keys.sk_pi : sa->keys.sk_pr,
	        .sk_p_len = sa->keys.prf_len,
	        .id_body = idb,
	        .id_body_len = idb_len,
	};
	return in;
}

/* Our AUTH payload. */
static int auth_compute(struct ike *ike, struct ike_sa *sa, const struct id_body *id,
                        struct ike_builder *b)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_conn_config *c = &conn->cfg;
	struct ike_auth_input in = auth_input(sa, true, id->b, id->len);
	uint8_t auth[AUTH_SIG_MAX];
	size_t n;

	if (c->local.auth == IKE_AUTHC_PUBKEY) {
		char err[200];

		/* RFC 7427 §3: AUTH method 14 with the hash the peer supports. */
		if (ike_cred_sign(conn->cred, ike_cred_sign_hash(conn->cred, sa->peer_hashes), &in,
		                  auth, sizeof(auth), &n, err, sizeof(err)) < 0) {
			snprintf(ike->diag, sizeof(ike->diag), "AUTH signature failed: %s", err);
			return -1;
		}
		return ike_add_auth(b, IKE_AUTH_DIGITAL_SIGNATURE, auth, n);
	}
	if (ike_auth_psk(&in, c->psk, c->psk_len, auth, &n) < 0) {
		snprintf(ike->diag, sizeof(ike->diag), "AUTH computation failed");
		return -1;
	}
	return ike_add_auth(b, IKE_AUTH_PSK, auth, n);
}

/* The peer's identity and AUTH payload: NULL if fine, else the diagnostic
 * (which check failed) in ike->diag. */
/* Public-key authentication of the peer (RFC 7296 §2.15, RFC 7427): its
 * certificate chains to our CA, is valid, holds its identity, and its key
 * verifies AUTH.  NULL if fine, else the diagnostic in ike->diag. */
static const char *pubkey_check(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                                const struct ike_payload *id, const struct ike_payload *auth,
                                const char *got, const struct ike_auth_input *in)
{
	const struct ike_conn *conn = ike_sa_conn(ike, sa);
	const char *side = sa->initiator ? "initiator" : "responder";
	const char *peer = sa->initiator ? "responder" : "initiator";
	const uint8_t *ders[PEER_CERTS_MAX];
	size_t lens[PEER_CERTS_MAX], n = 0, other = 0;
	char detail[600], subj[256], err[200];
	int64_t at = INT64_MIN;
	enum ike_cert_status st;
	X509 *x = NULL;
	int rc;

	if (auth->u.auth.method != IKE_AUTH_DIGITAL_SIGNATURE) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: the %s '%s' authenticates with AUTH method %u%s, connection '%s' "
		         "expects a digital signature (method 14, RFC 7427) with a certificate",
		         side, peer, got, auth->u.auth.method,
		         auth->u.auth.method == IKE_AUTH_PSK ? " (pre-shared key)" : "",
		         conn->cfg.name);
		return ike->diag;
	}
	for (const struct ike_payload *p = ike_msg_find(m, IKE_PL_CERT, NULL); p;
	     p = ike_msg_find(m, IKE_PL_CERT, p)) {
		if (p->u.cert.encoding != IKE_CERT_X509_SIG)
			other++;
		else if (n < PEER_CERTS_MAX) {
			ders[n] = p->u.cert.data;
			lens[n++] = p->u.cert.len;
		}
	}
	if (n == 0) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: no certificate: the %s '%s' sent no CERT payload with an X.509 "
		         "certificate%s, connection '%s' authenticates it with pubkey",
		         side, peer, got, other ? " (only other encodings)" : "", conn->cfg.name);
		return ike->diag;
	}
	if (conn->cfg.cert_epoch_s)
		at = conn->cfg.cert_epoch_s + (int64_t)(ike_now(ike) / 1000000000ULL);
	st = ike_cred_verify_peer(conn->cred, ders, lens, n, at, &x, detail, sizeof(detail));
	switch (st) {
	case IKE_CERT_OK:
		break;
	case IKE_CERT_MALFORMED:
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: malformed certificate: the %s '%s' sent a CERT payload that is %s",
		         side, peer, got, detail);
		return ike->diag;
	case IKE_CERT_UNTRUSTED:
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: untrusted chain: the %s's certificate %s (no path to a CA of "
		         "connection '%s')",
		         side, peer, detail, conn->cfg.name);
		return ike->diag;
	case IKE_CERT_EXPIRED:
	case IKE_CERT_NOT_YET_VALID:
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: certificate %s: the %s's certificate %s", side,
		         st == IKE_CERT_EXPIRED ? "expired" : "not yet valid", peer, detail);
		return ike->diag;
	}
	ike_cert_subject(x, subj, sizeof(subj));
	if (!ike_cert_has_id(x, id->u.id.type, id->u.id.data, id->u.id.len)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: ID not in certificate: the %s's identity '%s' is neither the subject "
		         "nor a subjectAltName of its certificate '%s'",
		         side, peer, got, subj);
		X509_free(x);
		return ike->diag;
	}
	rc = ike_auth_verify(X509_get0_pubkey(x), in, auth->u.auth.data, auth->u.auth.len, err,
	                     sizeof(err));
	X509_free(x);
	if (rc != 0) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: bad signature: the AUTH payload of the %s '%s' does not verify with "
		         "the public key of its certificate '%s' (%s)",
		         side, peer, got, subj, err);
		return ike->diag;
	}
	return NULL;
}

static const char *auth_check(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                              const struct ike_payload *id, const struct ike_payload *auth)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	const char *side = sa->initiator ? "initiator" : "responder";
	const char *peer = sa->initiator ? "responder" : "initiator";
	struct ike_auth_input in;
	char got[300];

	if (!id || !auth) {
		snprintf(ike->diag, sizeof(ike->diag), "%s: the %s sent no %s payload", side, peer,
		         !id ? (sa->initiator ? "IDr" : "IDi") : "AUTH");
		return ike->diag;
	}
	ike_id_format(id->u.id.type, id->u.id.data, id->u.id.len, got, sizeof(got));
	if (!ike_id_matches(c->remote.id.id, id->u.id.type, id->u.id.data, id->u.id.len)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: identity mismatch: the %s is '%s', connection '%s' expects remote "
		         "id '%s'",
		         side, peer, got, c->name, c->remote.id.id);
		return ike->diag;
	}
	in = auth_input(sa, false, id->body, id->body_len);
	if (c->remote.auth == IKE_AUTHC_PUBKEY) {
		if (pubkey_check(ike, sa, m, id, auth, got, &in))
			return ike->diag;
	} else if (auth->u.auth.method != IKE_AUTH_PSK) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: the %s '%s' authenticates with AUTH method %u, connection '%s' "
		         "expects a pre-shared key (method 2)",
		         side, peer, got, auth->u.auth.method, c->name);
		return ike->diag;
	} else if (ike_auth_psk_verify(&in, c->psk, c->psk_len, auth->u.auth.data,
	                               auth->u.auth.len)) {
		snprintf(ike->diag, sizeof(ike->diag),
		         "%s: AUTH mismatch: the %s '%s' proved a different pre-shared key than "
		         "connection '%s' has",
		         side, peer, got, c->name);
		return ike->diag;
	}
	/* Authenticated: who the peer is, for INITIAL_CONTACT (§2.4) and
	 * reauthentication. */
	sa->peer_id_type = id->u.id.type;
	sa->peer_id_len = id->u.id.len < sizeof(sa->peer_id) ? id->u.id.len : sizeof(sa->peer_id);
	memcpy(sa->peer_id, id->u.id.data, sa->peer_id_len);
	return NULL;
}

/* --- initiator ------------------------------------------------------------------- */

/* The ESP proposals of the first Child SA as SAi2 carries them: without
 * D-H transforms (§1.2) and with our inbound SPI in each. */
static void offered_esp(const struct ike_conn *conn, const struct ike_child_nego *n,
                        struct ike_proposal_list *props)
{
	*props = conn->esp_props[n->cfg];
	ike_proposals_strip_dh(props);
	for (size_t i = 0; i < props->n; i++) {
		props->p[i].spi_size = 4;
		put_be32(props->p[i].spi, n->spi_in);
	}
}

int ike_auth_build_request(struct ike *ike, struct ike_sa *sa, struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	const struct ike_conn_config *c = &conn->cfg;
	const struct ike_child_config *cc = &c->children[sa->start_child];
	struct ike_child_nego *n = &sa->nego;
	struct ike_proposal_list props;
	struct id_body id;

	if (own_id(ike, sa, &id) < 0)
		return -1;
	ike_add_id(b, IKE_PL_IDI, id.b[0], id.b + 4, id.len - 4);
	add_certs(ike, sa, b, true);
	if (c->remote.id.id[0] && strcmp(c->remote.id.id, "%any") != 0) {
		/* §3.5: IDr tells the responder whom we want to talk to. */
		uint8_t t, d[ID_DATA_MAX];
		size_t len;

		if (ike_id_encode(c->remote.id.id, sa->remote_addr, &t, d, sizeof(d), &len,
		                  ike->diag, sizeof(ike->diag)) < 0)
			return -1;
		ike_add_id(b, IKE_PL_IDR, t, d, len);
	}
	if (auth_compute(ike, sa, &id, b) < 0)
		return -1;
	/* §2.4: unless another IKE SA with the peer stays in use (a
	 * make-before-break reauthentication), any the peer has are stale. */
	if (ike_reauth_initial_contact(ike, sa))
		ike_add_notify(b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	ike_mobike_add_supported(ike, sa, b);
	/* The first Child SA (§1.2): our inbound SPI in every proposal. */
	memset(n, 0, sizeof(*n));
	n->cfg = sa->start_child;
	n->spi_in = ike_child_spi_alloc(ike);
	if (!n->spi_in) {
		snprintf(ike->diag, sizeof(ike->diag), "no SPI available");
		return -1;
	}
	n->active = true;
	n->transport = cc->mode == IPSEC_MODE_TRANSPORT;
	n->ntsi = ike_ts_from_config(cc->local_ts, cc->n_local_ts, c->local_addr, n->tsi);
	n->ntsr = ike_ts_from_config(cc->remote_ts, cc->n_remote_ts, c->remote_addr, n->tsr);
	offered_esp(conn, n, &props);
	if (n->transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, props.p, props.n);
	ike_add_ts(b, IKE_PL_TSI, n->tsi, n->ntsi);
	return ike_add_ts(b, IKE_PL_TSR, n->tsr, n->ntsr);
}

/* A notification about the Child SA instead of SA/TS payloads. */
static const struct ike_payload *child_error(const struct ike_msg *m)
{
	for (size_t i = 0; i < m->npayloads; i++)
		if (m->p[i].inner && m->p[i].type == IKE_PL_NOTIFY && m->p[i].u.notify.type < 16384)
			return &m->p[i];
	return NULL;
}

static void initiator_child(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_nego *n = &sa->nego;
	const char *child = conn->cfg.children[n->cfg].name;
	const struct ike_payload *err = child_error(m), *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	struct ike_proposal_list props;
	struct ike_ts_payload *ri = &ike->tsp[0], *rr = &ike->tsp[1];
	char ts1[300], ts2[300], ts3[300], ts4[300];
	struct ike_child_spec sp;
	bool transport;
	struct ike_child *c;

	n->active = false;
	if (err && err->u.notify.type == IKE_N_NO_PROPOSAL_CHOSEN) {
		/* What we offered; the responder's diagnostic names its own. */
		offered_esp(conn, n, &props);
		ike_proposals_format(props.p, props.n, ts1, sizeof(ts1));
		ike_failure(
		        ike, sa, NULL,
		        "initiator: the responder refused Child SA '%s' (NO_PROPOSAL_CHOSEN); we "
		        "offered ESP proposals: %s",
		        child, ts1);
		return;
	}
	if (err || !sap || !tsi || !tsr) {
		const char *name = err ? ike_notify_name(err->u.notify.type) : NULL;

		ike_ts_format(n->tsi, n->ntsi, ts1, sizeof(ts1));
		ike_ts_format(n->tsr, n->ntsr, ts2, sizeof(ts2));
		ike_failure(ike, sa, NULL,
		            "initiator: the responder refused Child SA '%s' (%s); we proposed TSi "
		            "%s, TSr %s",
		            child, name ? name : "no SA/TS payloads", ts1, ts2);
		return;
	}
	offered_esp(conn, n, &props);
	if (ike_sa_decode(sap, &ike->sap, NULL) < 0 || ike->sap.nproposals != 1 ||
	    ike->sap.p[0].spi_size != 4 ||
	    ike_proposal_check_response(props.p, props.n, &ike->sap.p[0], IKE_SELECT_IGNORE_DH,
	                                ike->diag, sizeof(ike->diag)) < 0) {
		if (ike->sap.nproposals != 1 || ike->sap.p[0].spi_size != 4)
			snprintf(ike->diag, sizeof(ike->diag),
			         "the SA payload must hold one ESP proposal with an SPI");
		ike_failure(ike, sa, NULL, "initiator: Child SA '%s': %s", child, ike->diag);
		return;
	}
	if (ike_ts_decode(tsi, ri, NULL) < 0 || ike_ts_decode(tsr, rr, NULL) < 0 ||
	    !ike_ts_subset(ri->ts, ri->n, n->tsi, n->ntsi) ||
	    !ike_ts_subset(rr->ts, rr->n, n->tsr, n->ntsr)) {
		/* §2.9: the responder may only narrow. */
		ike_ts_format(n->tsi, n->ntsi, ts1, sizeof(ts1));
		ike_ts_format(n->tsr, n->ntsr, ts2, sizeof(ts2));
		ike_ts_format(ri->ts, ri->n, ts3, sizeof(ts3));
		ike_ts_format(rr->ts, rr->n, ts4, sizeof(ts4));
		ike_failure(
		        ike, sa, NULL,
		        "initiator: Child SA '%s': the responder's selectors TSi %s, TSr %s are "
		        "not within ours (TSi %s, TSr %s)",
		        child, ts3, ts4, ts1, ts2);
		return;
	}
	transport = ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	sp = (struct ike_child_spec){
	        .cfg = n->cfg,
	        .chosen = &ike->sap.p[0],
	        .spi_in = n->spi_in,
	        .spi_out = get_be32(ike->sap.p[0].spi),
	        .mode = transport ? IPSEC_MODE_TRANSPORT : IPSEC_MODE_TUNNEL,
	        .ts_local = ri->ts,
	        .n_local = ri->n,
	        .ts_remote = rr->ts,
	        .n_remote = rr->n,
	        .ni = sa->ni,
	        .ni_len = sa->ni_len,
	        .nr = sa->nr,
	        .nr_len = sa->nr_len,
	        .initiator = true,
	        .policies = IKE_POLICIES_INSERT,
	        .reason = "established",
	};
	c = ike_child_install(ike, sa, &sp);
	if (!c) {
		ike_failure(ike, sa, NULL, "initiator: Child SA '%s': %s", child, ike->diag);
		return;
	}
	if (transport != n->transport) {
		/* §1.3.1: the responder decides; a mode we did not ask for
		 * is not what the configuration wants. */
		ike_failure(ike, sa, NULL,
		            "initiator: Child SA '%s': we asked for %s mode, the responder "
		            "installed %s mode; deleting it",
		            child, n->transport ? "transport" : "tunnel",
		            transport ? "transport" : "tunnel");
		c->deleting = true;
		ike_x_queue(ike, sa, IKE_TASK_DELETE_CHILD, c->uid);
	}
}

void ike_auth_handle_response(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *auth = ike_msg_find(m, IKE_PL_AUTH, NULL);
	const struct ike_payload *err = ike_msg_find_notify(m, IKE_N_AUTHENTICATION_FAILED);
	const char *why;

	if (sa->phase != IKE_PHASE_AUTH_SENT)
		return;
	if (err || (!auth && child_error(m))) {
		const struct ike_payload *e = err ? err : child_error(m);
		const char *name = ike_notify_name(e->u.notify.type);

		ike_failure(ike, sa, NULL,
		            "initiator: the responder answered IKE_AUTH with %s: it did not accept "
		            "our identity or AUTH payload (check its remote id and %s for us)",
		            name ? name : "an error",
		            ike_sa_conn(ike, sa)->cfg.local.auth == IKE_AUTHC_PUBKEY
		                    ? "the CA it trusts"
		                    : "secret");
		ike_sa_end(ike, sa, IKE_STATE_FAILED, err ? "authentication failed" : "peer error",
		           IKE_END_CLEAR);
		return;
	}
	why = auth_check(ike, sa, m, idr, auth);
	if (why) {
		/* §2.21.2: tell the responder, then the SA is gone. */
		ike_failure(ike, sa, NULL, "%s", why);
		sa->phase = IKE_PHASE_DELETING;
		sa->end_reason = "authentication failed";
		ike_x_queue(ike, sa, IKE_TASK_AUTH_FAILED, 0);
		return;
	}
	ike_mobike_auth_received(ike, sa, m);
	ike_sa_established(ike, sa, NULL);
	initiator_child(ike, sa, m);
}

/* --- responder ------------------------------------------------------------------- */

static void responder_child(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                            struct ike_builder *b)
{
	struct ike_conn *conn = ike_sa_conn(ike, sa);
	struct ike_child_offer o;
	struct ike_child_spec sp;
	uint32_t spi_in;

	if (!ike_msg_find(m, IKE_PL_SA, NULL) || !ike_msg_find(m, IKE_PL_TSI, NULL) ||
	    !ike_msg_find(m, IKE_PL_TSR, NULL))
		return; /* no Child SA asked for */
	if (ike_child_select(ike, sa, m, b, IKE_SELECT_IGNORE_DH, -1, &o) < 0)
		return;
	spi_in = ike_child_spi_alloc(ike);
	sp = (struct ike_child_spec){
	        .cfg = o.cfg,
	        .chosen = &o.chosen,
	        .spi_in = spi_in,
	        .spi_out = get_be32(o.chosen.spi),
	        .mode = conn->cfg.children[o.cfg].mode,
	        .ts_local = o.nr,
	        .n_local = o.nnr,
	        .ts_remote = o.ni,
	        .n_remote = o.nni,
	        .ni = sa->ni,
	        .ni_len = sa->ni_len,
	        .nr = sa->nr,
	        .nr_len = sa->nr_len,
	        .initiator = false,
	        .policies = IKE_POLICIES_BEHIND,
	        .reason = "established",
	};
	if (!spi_in || !ike_child_install(ike, sa, &sp)) {
		ike_failure(ike, sa, NULL, "responder: Child SA '%s': %s",
		            conn->cfg.children[o.cfg].name,
		            spi_in ? ike->diag : "no SPI available");
		ike_add_notify(b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	put_be32(o.chosen.spi, spi_in);
	if (o.transport)
		ike_add_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_add_sa(b, &o.chosen, 1);
	ike_add_ts(b, IKE_PL_TSI, o.ni, o.nni);
	ike_add_ts(b, IKE_PL_TSR, o.nr, o.nnr);
}

bool ike_auth_handle_request(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                             struct ike_builder *b)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;
	const struct ike_payload *idi = ike_msg_find(m, IKE_PL_IDI, NULL);
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *auth = ike_msg_find(m, IKE_PL_AUTH, NULL);
	struct id_body id;
	const char *why;

	sa->peer_certreq |= ike_msg_find(m, IKE_PL_CERTREQ, NULL) != NULL;
	why = auth_check(ike, sa, m, idi, auth);
	if (!why && own_id(ike, sa, &id) < 0)
		why = ike->diag;
	if (!why && idr &&
	    !ike_id_equal(idr->u.id.type, idr->u.id.data, idr->u.id.len, id.b[0], id.b + 4,
	                  id.len - 4)) {
		char want[300], have[300];

		/* §3.5: the initiator wants to talk to someone else. */
		ike_id_format(idr->u.id.type, idr->u.id.data, idr->u.id.len, want, sizeof(want));
		ike_id_format(id.b[0], id.b + 4, id.len - 4, have, sizeof(have));
		snprintf(ike->diag, sizeof(ike->diag),
		         "responder: identity mismatch: the initiator asks for IDr '%s', "
		         "connection '%s' is '%s'",
		         want, c->name, have);
		why = ike->diag;
	}
	if (why) {
		/* §2.21.2: AUTHENTICATION_FAILED, and the IKE SA is gone. */
		ike_failure(ike, sa, NULL, "%s; sending AUTHENTICATION_FAILED", why);
		ike_add_notify(b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		sa->end_reason = "authentication failed";
		sa->end_children = IKE_END_CLEAR;
		return true;
	}
	ike_add_id(b, IKE_PL_IDR, id.b[0], id.b + 4, id.len - 4);
	add_certs(ike, sa, b, false);
	ike_mobike_auth_received(ike, sa, m);
	ike_mobike_add_supported(ike, sa, b);
	if (auth_compute(ike, sa, &id, b) < 0) {
		ike_failure(ike, sa, NULL, "responder: %s", ike->diag);
		sa->end_reason = "internal error";
		return true;
	}
	ike_sa_established(ike, sa, NULL);
	if (ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT))
		ike_reauth_initial_contact_received(ike, sa);
	responder_child(ike, sa, m, b);
	return false;
}
