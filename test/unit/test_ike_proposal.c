/* IKEv2 proposals (model/ike/ike_proposal.h): strongSwan proposal strings,
 * negotiation (RFC 7296 §2.7, §3.3.6) and its diagnostic text, response
 * checks, and the mapping to IKE suites and engine SAs. */
#include "harness.h"

#include "ike_proposal.h"

#include <stdio.h>
#include <string.h>

#define ERRLEN 400

static struct ike_proposal_list parse_ok(uint8_t protocol, const char *text)
{
	struct ike_proposal_list l;
	char err[ERRLEN] = "";

	memset(&l, 0, sizeof(l));
	if (ike_proposals_parse(protocol, text, &l, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", text, err);
	return l;
}

static void expect_format(const struct ike_proposal *p, const char *want)
{
	char buf[512];

	assert_int_equal(ike_proposal_format(p, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
}

static void expect_parse_error(uint8_t protocol, const char *text, const char *want)
{
	struct ike_proposal_list l;
	char err[ERRLEN] = "";

	memset(&l, 0, sizeof(l));
	assert_int_equal(ike_proposals_parse(protocol, text, &l, err, sizeof(err)), -1);
	if (strcmp(err, want) != 0)
		fail_msg("'%s':\n  got  %s\n  want %s", text, err, want);
}

/* --- parsing ----------------------------------------------------------------------- */

static void test_parse_ike(void **state)
{
	(void)state;
	struct ike_proposal_list l = parse_ok(IKE_PROTO_IKE, "aes256gcm16-prfsha384-x25519");

	assert_int_equal(l.n, 1);
	assert_int_equal(l.p[0].num, 1);
	assert_int_equal(l.p[0].protocol, IKE_PROTO_IKE);
	assert_int_equal(l.p[0].spi_size, 0);
	assert_int_equal(l.p[0].ntransforms, 3);
	assert_int_equal(l.p[0].t[0].type, IKE_TT_ENCR);
	assert_int_equal(l.p[0].t[0].id, IKE_ENCR_AES_GCM_16);
	assert_int_equal(l.p[0].t[0].key_len, 256);
	assert_int_equal(l.p[0].t[1].type, IKE_TT_PRF);
	assert_int_equal(l.p[0].t[1].id, IKE_PRF_HMAC_SHA2_384);
	assert_int_equal(l.p[0].t[2].type, IKE_TT_DH);
	assert_int_equal(l.p[0].t[2].id, IKE_DH_CURVE25519);

	/* The PRF follows the integrity algorithm (strongSwan). */
	l = parse_ok(IKE_PROTO_IKE, "aes128-sha256-modp2048");
	expect_format(&l.p[0], "aes128-prfsha256-sha256-modp2048");
	assert_int_equal(l.p[0].t[2].id, IKE_INTEG_HMAC_SHA2_256_128);
	assert_int_equal(l.p[0].t[3].id, IKE_DH_MODP_2048);
	l = parse_ok(IKE_PROTO_IKE, "aes256-sha512-ecp384");
	expect_format(&l.p[0], "aes256-prfsha512-sha512-ecp384");
	l = parse_ok(IKE_PROTO_IKE, "chacha20poly1305-prfsha256-curve25519");
	expect_format(&l.p[0], "chacha20poly1305-prfsha256-x25519");
	assert_int_equal(l.p[0].t[0].key_len, 0); /* RFC 7634 §3: no Key Length */
	/* Several of a kind, preference kept, duplicates and case ignored. */
	l = parse_ok(IKE_PROTO_IKE, "AES256-aes128-sha384-sha256-aes256-ecp521-ecp256-modp3072");
	expect_format(&l.p[0], "aes256-aes128-prfsha384-prfsha256-sha384-sha256-ecp521-ecp256-"
	                       "modp3072");
	/* AEAD with an integrity keyword: it gives the PRF and is dropped. */
	l = parse_ok(IKE_PROTO_IKE, "aes256gcm16-sha256-x25519");
	expect_format(&l.p[0], "aes256gcm16-prfsha256-x25519");
	/* Lists with spaces. */
	l = parse_ok(IKE_PROTO_IKE, "aes128-sha256-modp2048, aes256gcm16-prfsha384-x25519");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.p[1].num, 2);
	expect_format(&l.p[1], "aes256gcm16-prfsha384-x25519");
}

static void test_parse_esp_ah(void **state)
{
	(void)state;
	struct ike_proposal_list l = parse_ok(IKE_PROTO_ESP, "aes256gcm16");

	expect_format(&l.p[0], "aes256gcm16-noesn");
	assert_int_equal(l.p[0].protocol, IKE_PROTO_ESP);
	l = parse_ok(IKE_PROTO_ESP, "aes128-sha256-esn");
	expect_format(&l.p[0], "aes128-sha256-esn");
	l = parse_ok(IKE_PROTO_ESP, "aes128-sha256-esn-noesn");
	expect_format(&l.p[0], "aes128-sha256-esn-noesn");
	/* A DH group in ESP: PFS for CREATE_CHILD_SA. */
	l = parse_ok(IKE_PROTO_ESP, "aes128gcm16-x25519");
	expect_format(&l.p[0], "aes128gcm16-x25519-noesn");
	l = parse_ok(IKE_PROTO_ESP, "chacha20poly1305,aes128gmac");
	expect_format(&l.p[0], "chacha20poly1305-noesn");
	expect_format(&l.p[1], "aes128gmac-noesn");
	l = parse_ok(IKE_PROTO_AH, "sha384-sha256");
	expect_format(&l.p[0], "sha384-sha256-noesn");
}

/* `default`: strongSwan 5.9's defaults restricted to what we implement. */
static void test_parse_default(void **state)
{
	(void)state;
	struct ike_proposal_list l = parse_ok(IKE_PROTO_IKE, "default");

	assert_int_equal(l.n, 2);
	expect_format(&l.p[0], "aes128-aes256-prfsha256-prfsha384-prfsha512-sha256-sha384-sha512-"
	                       "ecp256-ecp384-ecp521-x25519-modp3072-modp2048");
	expect_format(&l.p[1], "aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-"
	                       "prfsha512-ecp256-ecp384-ecp521-x25519-modp3072-modp2048");
	l = parse_ok(IKE_PROTO_ESP, "default");
	assert_int_equal(l.n, 2);
	expect_format(&l.p[0], "aes128-aes256-sha256-sha384-sha512-noesn");
	expect_format(&l.p[1], "aes128gcm16-aes256gcm16-noesn");
	l = parse_ok(IKE_PROTO_AH, "default");
	expect_format(&l.p[0], "sha256-sha384-sha512-noesn");
	/* default can be combined with others. */
	l = parse_ok(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384, default");
	assert_int_equal(l.n, 3);
	assert_int_equal(l.p[2].num, 3);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct ike_proposal_list l;
	char err[ERRLEN];

	expect_parse_error(IKE_PROTO_IKE, "aes512-sha256-modp2048",
	                   "IKE proposal 'aes512-sha256-modp2048': unknown algorithm 'aes512'");
	expect_parse_error(IKE_PROTO_IKE, "aes192-sha256-modp2048",
	                   "IKE proposal 'aes192-sha256-modp2048': 'aes192' is not implemented by "
	                   "this module (encryption algorithm: aes128, aes256, aes128gcm16, "
	                   "aes256gcm16, chacha20poly1305)");
	expect_parse_error(IKE_PROTO_ESP, "aes128-sha1",
	                   "ESP proposal 'aes128-sha1': 'sha1' is not implemented by this module "
	                   "(integrity algorithm: sha256, sha384, sha512)");
	expect_parse_error(
	        IKE_PROTO_IKE, "aes128-sha256-modp1024",
	        "IKE proposal 'aes128-sha256-modp1024': 'modp1024' is not implemented by "
	        "this module (DH group: modp2048, modp3072, ecp256, ecp384, ecp521, "
	        "x25519)");
	expect_parse_error(
	        IKE_PROTO_ESP, "aes128gcm16-prfsha256",
	        "ESP proposal 'aes128gcm16-prfsha256': 'prfsha256' (PRF) is not valid in "
	        "an ESP proposal");
	expect_parse_error(
	        IKE_PROTO_IKE, "aes128-sha256-modp2048-esn",
	        "IKE proposal 'aes128-sha256-modp2048-esn': 'esn' (ESN mode) is not valid "
	        "in an IKE proposal");
	expect_parse_error(
	        IKE_PROTO_AH, "aes128-sha256",
	        "AH proposal 'aes128-sha256': 'aes128' (encryption algorithm) is not valid "
	        "in an AH proposal");
	expect_parse_error(IKE_PROTO_IKE, "aes128gmac-prfsha256-x25519",
	                   "IKE proposal 'aes128gmac-prfsha256-x25519': 'aes128gmac' (encryption "
	                   "algorithm) is not valid in an IKE proposal");
	expect_parse_error(IKE_PROTO_IKE, "aes128--sha256",
	                   "IKE proposal 'aes128--sha256': empty algorithm name");
	expect_parse_error(IKE_PROTO_IKE, "aes128-sha256-x25519,,default",
	                   "empty IKE proposal in 'aes128-sha256-x25519,,default'");
	expect_parse_error(IKE_PROTO_ESP, "", "empty ESP proposal in ''");
	expect_parse_error(
	        IKE_PROTO_IKE, "aes128-aes128gcm16-sha256-x25519",
	        "IKE proposal 'aes128-aes128gcm16-sha256-x25519' mixes AEAD and non-AEAD "
	        "encryption algorithms; put them in separate proposals (separated by a "
	        "comma)");
	expect_parse_error(IKE_PROTO_IKE, "aes256gcm16-x25519",
	                   "IKE proposal 'aes256gcm16-x25519' has no PRF (add e.g. prfsha256; AEAD "
	                   "proposals need one explicitly)");
	expect_parse_error(IKE_PROTO_IKE, "aes128-prfsha256-x25519",
	                   "IKE proposal 'aes128-prfsha256-x25519' has no integrity algorithm (add "
	                   "e.g. sha256, or use an AEAD like aes128gcm16)");
	expect_parse_error(IKE_PROTO_ESP, "aes128",
	                   "ESP proposal 'aes128' has no integrity algorithm (add e.g. sha256, or "
	                   "use an AEAD like aes128gcm16)");
	expect_parse_error(IKE_PROTO_IKE, "aes128-sha256",
	                   "IKE proposal 'aes128-sha256' has no DH group (add e.g. x25519)");
	expect_parse_error(IKE_PROTO_ESP, "sha256-esn",
	                   "ESP proposal 'sha256-esn' has no encryption algorithm");
	expect_parse_error(IKE_PROTO_AH, "esn",
	                   "AH proposal 'esn' has no integrity algorithm (add "
	                   "e.g. sha256)");
	/* Too many proposals; mixing protocols in one list; bad protocol. */
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < IKE_MAX_PROPOSALS; i++)
		assert_int_equal(
		        ike_proposals_parse(IKE_PROTO_ESP, "aes128gcm16", &l, err, sizeof(err)), 0);
	assert_int_equal(ike_proposals_parse(IKE_PROTO_ESP, "aes128gcm16", &l, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "more than 16 ESP proposals");
	memset(&l, 0, sizeof(l));
	assert_int_equal(ike_proposals_parse(IKE_PROTO_ESP, "aes128gcm16", &l, err, sizeof(err)),
	                 0);
	assert_int_equal(ike_proposals_parse(IKE_PROTO_AH, "sha256", &l, err, sizeof(err)), -1);
	assert_string_equal(err, "AH proposals added to a list of ESP proposals");
	assert_int_equal(ike_proposals_parse(9, "sha256", &l, err, sizeof(err)), -1);
}

static void test_names(void **state)
{
	(void)state;
	char buf[32];

	assert_string_equal(ike_transform_name(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 256, buf, 32),
	                    "aes256");
	assert_string_equal(ike_transform_name(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 192, buf, 32),
	                    "aes192");
	assert_string_equal(ike_transform_name(IKE_TT_DH, IKE_DH_CURVE25519, 0, buf, 32), "x25519");
	assert_string_equal(ike_transform_name(IKE_TT_ENCR, 99, 128, buf, 32), "ENCR_99_128");
	assert_string_equal(ike_transform_name(IKE_TT_DH, 77, 0, buf, 32), "DH_77");
	assert_string_equal(ike_transform_name(IKE_TT_INTEG, 0, 0, buf, 32), "none");
	assert_string_equal(ike_transform_name(9, 3, 0, buf, 32), "TYPE9_3");
	assert_string_equal(ike_transform_type_name(IKE_TT_DH), "DH group");
}

/* --- negotiation ------------------------------------------------------------------- */

/* Negotiate initiator string `ini` against responder string `res`; on
 * failure return the diagnostic text in buf. */
static int negotiate(uint8_t protocol, const char *ini, const char *res, unsigned flags,
                     struct ike_proposal *chosen, char *buf, size_t len)
{
	struct ike_proposal_list o = parse_ok(protocol, ini), c = parse_ok(protocol, res);
	struct ike_select_diag d;
	int rc = ike_proposal_select(o.p, o.n, &c, flags, chosen, &d);

	if (rc < 0)
		ike_select_diag_format(&d, buf, len);
	return rc;
}

static void expect_no_choice(uint8_t protocol, const char *ini, const char *res, unsigned flags,
                             const char *want)
{
	struct ike_proposal chosen;
	char buf[1024];

	assert_int_equal(negotiate(protocol, ini, res, flags, &chosen, buf, sizeof(buf)), -1);
	if (strcmp(buf, want) != 0)
		fail_msg("%s vs %s:\n  got  %s\n  want %s", ini, res, buf, want);
}

static void test_select_rfc7296_order(void **state)
{
	(void)state;
	struct ike_proposal chosen;
	char buf[1024];
	struct ike_proposal_list o, c;

	/* §2.7: the initiator's first acceptable proposal wins, whatever the
	 * responder's order. */
	assert_int_equal(negotiate(IKE_PROTO_IKE,
	                           "aes128-sha256-modp2048, aes256gcm16-prfsha384-x25519",
	                           "aes256gcm16-prfsha384-x25519, aes128-sha256-modp2048", 0,
	                           &chosen, buf, sizeof(buf)),
	                 0);
	assert_int_equal(chosen.num, 1);
	expect_format(&chosen, "aes128-prfsha256-sha256-modp2048");
	/* Within it, the initiator's preferred transform of each type the
	 * responder accepts: one per type. */
	assert_int_equal(
	        negotiate(IKE_PROTO_IKE, "aes128-aes256-sha512-sha256-ecp256-x25519-modp2048",
	                  "aes256-sha256-sha512-modp2048-x25519", 0, &chosen, buf, sizeof(buf)),
	        0);
	expect_format(&chosen, "aes256-prfsha512-sha512-x25519");
	/* The second initiator proposal, accepted by the second configured. */
	assert_int_equal(negotiate(IKE_PROTO_IKE, "aes128-sha256-modp3072, aes256-sha384-ecp384",
	                           "aes128gcm16-prfsha256-x25519, aes256-sha384-ecp384", 0, &chosen,
	                           buf, sizeof(buf)),
	                 0);
	assert_int_equal(chosen.num, 2);
	/* The SPI of the initiator's proposal is kept (the responder puts its
	 * own in before answering). */
	o = parse_ok(IKE_PROTO_ESP, "aes128gcm16-esn-noesn");
	c = parse_ok(IKE_PROTO_ESP, "aes128gcm16");
	o.p[0].spi_size = 4;
	memcpy(o.p[0].spi, "\x01\x02\x03\x04", 4);
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, NULL), 0);
	assert_int_equal(chosen.spi_size, 4);
	assert_int_equal(get_be32(chosen.spi), 0x01020304);
	expect_format(&chosen, "aes128gcm16-noesn");
	/* strongSwan defaults on both sides: the classic proposal, AES-128. */
	assert_int_equal(
	        negotiate(IKE_PROTO_IKE, "default", "default", 0, &chosen, buf, sizeof(buf)), 0);
	expect_format(&chosen, "aes128-prfsha256-sha256-ecp256");
}

static void test_select_equivalences(void **state)
{
	(void)state;
	struct ike_proposal_list o = parse_ok(IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519");
	struct ike_proposal_list c = parse_ok(IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519");
	struct ike_proposal chosen;
	char buf[1024];

	/* INTEG NONE and DH NONE sent explicitly count as absent (RFC 7296
	 * §3.3.3); they are not echoed. */
	o.p[0].t[o.p[0].ntransforms++] = (struct ike_transform){IKE_TT_INTEG, 0, 0, false};
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, NULL), 0);
	expect_format(&chosen, "aes128gcm16-prfsha256-x25519");
	/* An ESP proposal without ESN transform counts as "no ESN" (as in
	 * strongSwan). */
	o = parse_ok(IKE_PROTO_ESP, "aes256gcm16");
	o.p[0].ntransforms = 1;
	c = parse_ok(IKE_PROTO_ESP, "aes256gcm16");
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, NULL), 0);
	expect_format(&chosen, "aes256gcm16"); /* only what was offered is echoed */
	/* Regression (found by the fuzz target): a wire transform ID of 0xffff
	 * is an ID like any other, not "absent" -- an ESP proposal with a PRF
	 * must not match a configuration without one. */
	o = parse_ok(IKE_PROTO_ESP, "aes256gcm16");
	o.p[0].t[o.p[0].ntransforms++] = (struct ike_transform){IKE_TT_PRF, 0xffff, 0, false};
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, NULL), -1);
	/* PFS: no DH offered, DH required -> refused, unless DH is not
	 * negotiated (IKE_AUTH's Child SA). */
	expect_no_choice(IKE_PROTO_ESP, "aes128gcm16", "aes128gcm16-x25519", 0,
	                 "no proposal chosen: no common DH group: initiator offered [none], "
	                 "responder accepts [x25519]");
	assert_int_equal(negotiate(IKE_PROTO_ESP, "aes128gcm16-ecp256", "aes128gcm16-x25519",
	                           IKE_SELECT_IGNORE_DH, &chosen, buf, sizeof(buf)),
	                 0);
	expect_format(&chosen, "aes128gcm16-noesn");
}

/* The diagnostic names each transform type without overlap, with both
 * sides' offers. */
static void test_diag_each_type(void **state)
{
	(void)state;
	expect_no_choice(IKE_PROTO_IKE, "aes128-sha256-x25519-modp2048", "aes128-sha256-ecp384", 0,
	                 "no proposal chosen: no common DH group: initiator offered [x25519, "
	                 "modp2048], responder accepts [ecp384]");
	expect_no_choice(IKE_PROTO_IKE, "aes128-sha256-x25519", "aes256-sha256-x25519", 0,
	                 "no proposal chosen: no common encryption algorithm: initiator offered "
	                 "[aes128], responder accepts [aes256]");
	expect_no_choice(IKE_PROTO_IKE, "aes128-sha256-prfsha256-x25519",
	                 "aes128-sha256-prfsha384-prfsha512-x25519", 0,
	                 "no proposal chosen: no common PRF: initiator offered [prfsha256], "
	                 "responder accepts [prfsha384, prfsha512]");
	expect_no_choice(IKE_PROTO_IKE, "aes128-sha256-prfsha256-x25519",
	                 "aes128-sha512-prfsha256-x25519", 0,
	                 "no proposal chosen: no common integrity algorithm: initiator offered "
	                 "[sha256], responder accepts [sha512]");
	expect_no_choice(IKE_PROTO_ESP, "aes128gcm16-esn", "aes128gcm16-noesn", 0,
	                 "no proposal chosen: no common ESN mode: initiator offered [esn], "
	                 "responder accepts [noesn]");
	/* Several types at once, in type order. */
	expect_no_choice(
	        IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519", "aes128-sha384-ecp384", 0,
	        "no proposal chosen: no common encryption algorithm: initiator offered "
	        "[aes128gcm16], responder accepts [aes128]; no common PRF: initiator "
	        "offered [prfsha256], responder accepts [prfsha384]; no common integrity "
	        "algorithm: initiator offered [none], responder accepts [sha384]; no common "
	        "DH group: initiator offered [x25519], responder accepts [ecp384]");
	/* Unions over several proposals on both sides. */
	expect_no_choice(IKE_PROTO_ESP, "aes128gcm16-x25519, aes256gcm16-ecp256",
	                 "aes128gcm16-modp2048, aes256gcm16-ecp384-modp2048", 0,
	                 "no proposal chosen: no common DH group: initiator offered [x25519, "
	                 "ecp256], responder accepts [modp2048, ecp384]");
}

static void test_diag_combination_protocol_unknown(void **state)
{
	(void)state;
	struct ike_proposal_list o, c;
	struct ike_select_diag d;
	struct ike_proposal chosen;
	char buf[1024];

	/* Every type has a common algorithm, no proposal as a whole. */
	expect_no_choice(IKE_PROTO_IKE, "aes128-sha256-modp2048, aes256-sha256-ecp384",
	                 "aes128-sha256-ecp384, aes256-sha256-modp2048-x25519", 0,
	                 "no proposal chosen: every transform type has a common algorithm, but no "
	                 "initiator proposal matches a configured one as a whole: initiator "
	                 "proposal 1: no common DH group with configured 1, no common encryption "
	                 "algorithm with configured 2; initiator proposal 2: no common encryption "
	                 "algorithm with configured 1, no common DH group with configured 2");
	/* The initiator offers another protocol. */
	o = parse_ok(IKE_PROTO_AH, "sha256");
	c = parse_ok(IKE_PROTO_ESP, "aes128gcm16");
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, &d), -1);
	ike_select_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "no proposal chosen: initiator offered no ESP proposal (only AH)");
	assert_int_equal(ike_proposal_select(o.p, 0, &c, 0, &chosen, &d), -1);
	ike_select_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "no proposal chosen: initiator offered no proposals");
	/* An unknown transform attribute or type makes a proposal
	 * unacceptable (RFC 7296 §3.3.6). */
	o = parse_ok(IKE_PROTO_ESP, "aes128gcm16, aes256gcm16");
	c = parse_ok(IKE_PROTO_ESP, "aes128gcm16-aes256gcm16");
	o.p[0].t[0].unknown_attr = true;
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, &d), 0);
	assert_int_equal(chosen.num, 2);
	o.p[1].t[o.p[1].ntransforms++] = (struct ike_transform){6, 1, 0, false};
	assert_int_equal(ike_proposal_select(o.p, o.n, &c, 0, &chosen, &d), -1);
	ike_select_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "no proposal chosen: 2 ESP proposals skipped for unknown "
	                         "transform types or attributes (RFC 7296 §3.3.6)");
	/* The text is truncated safely; the length needed is returned. */
	{
		char small[10];
		size_t need = ike_select_diag_format(&d, small, sizeof(small));

		assert_int_equal(need, strlen(buf));
		assert_string_equal(small, "no propos");
	}
}

static void test_check_response(void **state)
{
	(void)state;
	struct ike_proposal_list o =
	        parse_ok(IKE_PROTO_IKE, "aes128-sha256-modp2048, aes256gcm16-prfsha384-x25519");
	struct ike_proposal r;
	char err[ERRLEN];

	memset(&r, 0, sizeof(r));
	r.num = 2;
	r.protocol = IKE_PROTO_IKE;
	r.ntransforms = 3;
	r.t[0] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false};
	r.t[1] = (struct ike_transform){IKE_TT_PRF, IKE_PRF_HMAC_SHA2_384, 0, false};
	r.t[2] = (struct ike_transform){IKE_TT_DH, IKE_DH_CURVE25519, 0, false};
	assert_int_equal(ike_proposal_check_response(o.p, o.n, &r, 0, err, sizeof(err)), 0);
	r.t[0].key_len = 128;
	assert_int_equal(ike_proposal_check_response(o.p, o.n, &r, 0, err, sizeof(err)), -1);
	assert_string_equal(err,
	                    "responder chose encryption algorithm aes128gcm16, which proposal 2 "
	                    "did not offer");
	r.t[0].key_len = 256;
	r.t[2].type = IKE_TT_PRF;
	assert_int_equal(ike_proposal_check_response(o.p, o.n, &r, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "responder's proposal has a second PRF transform");
	r.ntransforms = 2;
	assert_int_equal(ike_proposal_check_response(o.p, o.n, &r, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "responder's proposal lacks a DH group");
	assert_int_equal(
	        ike_proposal_check_response(o.p, o.n, &r, IKE_SELECT_IGNORE_DH, err, sizeof(err)),
	        0);
	r.num = 3;
	assert_int_equal(ike_proposal_check_response(o.p, o.n, &r, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "responder chose proposal 3 (IKE), which was not offered");
}

/* --- mapping ------------------------------------------------------------------------ */

static void test_to_suite(void **state)
{
	(void)state;
	struct ike_proposal chosen;
	struct ike_suite s;
	char buf[1024], err[ERRLEN];

	assert_int_equal(negotiate(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384",
	                           "aes256gcm16-prfsha384-ecp384", 0, &chosen, buf, sizeof(buf)),
	                 0);
	assert_int_equal(ike_proposal_to_suite(&chosen, &s, err, sizeof(err)), 0);
	assert_int_equal(s.encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(s.encr_bits, 256);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_384);
	assert_int_equal(s.integ, IKE_INTEG_NONE);
	assert_int_equal(s.dh, IKE_DH_ECP_384);
	assert_int_equal(negotiate(IKE_PROTO_IKE, "aes128-sha512-modp3072", "default", 0, &chosen,
	                           buf, sizeof(buf)),
	                 0);
	assert_int_equal(ike_proposal_to_suite(&chosen, &s, err, sizeof(err)), 0);
	assert_int_equal(s.integ, IKE_INTEG_HMAC_SHA2_512_256);
	assert_int_equal(s.prf, IKE_PRF_HMAC_SHA2_512);
	/* A peer's choice we cannot run. */
	chosen.t[0].key_len = 192;
	assert_int_equal(ike_proposal_to_suite(&chosen, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "192-bit"));
	chosen.protocol = IKE_PROTO_ESP;
	assert_int_equal(ike_proposal_to_suite(&chosen, &s, err, sizeof(err)), -1);
}

static void test_to_child(void **state)
{
	(void)state;
	struct {
		uint8_t protocol;
		const char *text;
		enum ipsec_enc enc;
		enum ipsec_integ integ;
		size_t ek, ik;
		bool esn;
		uint16_t dh;
	} v[] = {
	        {IKE_PROTO_ESP, "aes256gcm16", IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE, 36, 0,
	         false, 0},
	        {IKE_PROTO_ESP, "aes128gcm16-x25519", IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, 20,
	         0, false, IKE_DH_CURVE25519},
	        {IKE_PROTO_ESP, "aes128-sha256-esn", IPSEC_ENC_AES_CBC_128,
	         IPSEC_INTEG_HMAC_SHA256_128, 16, 32, true, 0},
	        {IKE_PROTO_ESP, "aes256-sha512", IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA512_256,
	         32, 64, false, 0},
	        {IKE_PROTO_ESP, "chacha20poly1305", IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE,
	         36, 0, false, 0},
	        {IKE_PROTO_ESP, "aes256gmac", IPSEC_ENC_AES_GMAC_256, IPSEC_INTEG_NONE, 36, 0,
	         false, 0},
	        {IKE_PROTO_AH, "sha384", IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192, 0, 48, false,
	         0},
	};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ike_proposal_list l = parse_ok(v[i].protocol, v[i].text);
		struct ike_proposal chosen;
		struct ike_child_transforms c;

		assert_int_equal(ike_proposal_select(l.p, 1, &l, 0, &chosen, NULL), 0);
		assert_int_equal(ike_proposal_to_child(&chosen, &c, err, sizeof(err)), 0);
		assert_int_equal(c.protocol,
		                 v[i].protocol == IKE_PROTO_AH ? IPSEC_PROTO_AH : IPSEC_PROTO_ESP);
		assert_int_equal(c.enc, v[i].enc);
		assert_int_equal(c.integ, v[i].integ);
		assert_int_equal(c.enc_key_len, v[i].ek);
		assert_int_equal(c.integ_key_len, v[i].ik);
		assert_int_equal(c.esn, v[i].esn);
		assert_int_equal(c.dh, v[i].dh);
	}
	/* What a peer might choose that the engine lacks. */
	{
		struct ike_proposal p;
		struct ike_child_transforms c;

		memset(&p, 0, sizeof(p));
		p.protocol = IKE_PROTO_ESP;
		p.ntransforms = 1;
		p.t[0] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_AES_CBC, 192, false};
		assert_int_equal(ike_proposal_to_child(&p, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "ESP encryption aes192 is not implemented by the engine");
		p.t[0].key_len = 128;
		assert_int_equal(ike_proposal_to_child(&p, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "ESP proposal without integrity protection");
		p.protocol = IKE_PROTO_IKE;
		assert_int_equal(ike_proposal_to_child(&p, &c, err, sizeof(err)), -1);
	}
}

/* Configuration -> SA payload -> wire -> parse -> select -> response SA
 * payload -> parse -> check, the way the exchanges will use the API. */
static void test_through_the_codec(void **state)
{
	(void)state;
	struct ike_proposal_list offer = parse_ok(IKE_PROTO_ESP, "aes128-sha256, aes256gcm16-esn");
	struct ike_proposal_list accept = parse_ok(IKE_PROTO_ESP, "aes256gcm16-esn-noesn");
	struct ike_header h = {.exchange = IKE_CREATE_CHILD_SA, .flags = IKE_FLAG_INITIATOR};
	struct ike_builder b;
	struct ike_msg m;
	struct ike_error e;
	struct ike_sa_payload sa;
	struct ike_proposal chosen;
	struct ike_child_transforms c;
	uint8_t buf[1024];
	size_t len;
	char err[ERRLEN];

	for (int i = 0; i < offer.n; i++) {
		offer.p[i].spi_size = 4;
		put_be32(offer.p[i].spi, 0xc0ffee00);
	}
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, offer.p, offer.n);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(ike_sa_decode(&m.p[0], &sa, &e), 0);
	assert_int_equal(ike_proposal_select(sa.p, sa.nproposals, &accept, 0, &chosen, NULL), 0);
	assert_int_equal(chosen.num, 2);
	assert_int_equal(get_be32(chosen.spi), 0xc0ffee00);
	put_be32(chosen.spi, 0xbeef0001); /* the responder's SPI */

	h.flags = IKE_FLAG_RESPONSE;
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, &chosen, 1);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(ike_sa_decode(&m.p[0], &sa, &e), 0);
	assert_int_equal(sa.nproposals, 1);
	assert_int_equal(sa.p[0].num, 2);
	assert_int_equal(
	        ike_proposal_check_response(offer.p, offer.n, &sa.p[0], 0, err, sizeof(err)), 0);
	assert_int_equal(ike_proposal_to_child(&sa.p[0], &c, err, sizeof(err)), 0);
	assert_int_equal(c.enc, IPSEC_ENC_AES_GCM16_256);
	assert_true(c.esn);
	assert_int_equal(get_be32(sa.p[0].spi), 0xbeef0001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_ike),
	        cmocka_unit_test(test_parse_esp_ah),
	        cmocka_unit_test(test_parse_default),
	        cmocka_unit_test(test_parse_errors),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_select_rfc7296_order),
	        cmocka_unit_test(test_select_equivalences),
	        cmocka_unit_test(test_diag_each_type),
	        cmocka_unit_test(test_diag_combination_protocol_unknown),
	        cmocka_unit_test(test_check_response),
	        cmocka_unit_test(test_to_suite),
	        cmocka_unit_test(test_to_child),
	        cmocka_unit_test(test_through_the_codec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
