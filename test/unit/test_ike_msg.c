/* IKEv2 message codec (model/ike/ike_msg.h): build/parse round trips for every
 * payload type, every parse error with its reason, builder errors, and a
 * mutation loop that must never crash or read out of bounds (this file is
 * also built with ASan/UBSan as unit_ike_msg_asan). */
#include "harness.h"

#include "ike_crypto.h"
#include "ike_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ike_header hdr(uint8_t exchange, uint8_t flags, uint32_t mid)
{
	struct ike_header h = {.exchange = exchange, .flags = flags, .message_id = mid};

	for (int i = 0; i < 8; i++) {
		h.spi_i[i] = (uint8_t)(0x10 + i);
		h.spi_r[i] = (uint8_t)(0x20 + i);
	}
	return h;
}

/* Two IKE proposals (AEAD and classic) as strongSwan would offer them. */
static void sample_proposals(struct ike_proposal p[2])
{
	memset(p, 0, 2 * sizeof(*p));
	p[0].num = 1;
	p[0].protocol = IKE_PROTO_IKE;
	p[0].ntransforms = 5;
	p[0].t[0] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256, false};
	p[0].t[1] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, false};
	p[0].t[2] = (struct ike_transform){IKE_TT_PRF, IKE_PRF_HMAC_SHA2_384, 0, false};
	p[0].t[3] = (struct ike_transform){IKE_TT_DH, IKE_DH_CURVE25519, 0, false};
	p[0].t[4] = (struct ike_transform){IKE_TT_DH, IKE_DH_ECP_384, 0, false};
	p[1].num = 2;
	p[1].protocol = IKE_PROTO_IKE;
	p[1].ntransforms = 4;
	p[1].t[0] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_AES_CBC, 128, false};
	p[1].t[1] = (struct ike_transform){IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, false};
	p[1].t[2] = (struct ike_transform){IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0, false};
	p[1].t[3] = (struct ike_transform){IKE_TT_DH, IKE_DH_MODP_2048, 0, false};
}

static const uint8_t nonce[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* One message with every payload type (not a valid exchange, but every
 * payload well formed).  Returns its length. */
static size_t build_everything(uint8_t *buf, size_t cap)
{
	struct ike_header h = hdr(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
	struct ike_builder b;
	struct ike_proposal p[2], esp;
	uint8_t ke[32], v6s[16] = {0x20, 0x01, 0x0d, 0xb8}, v6e[16] = {0x20, 0x01, 0x0d, 0xb8};
	uint8_t spis[8] = {0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe};
	uint8_t ip4[4] = {10, 0, 0, 1}, mask[4] = {255, 255, 255, 0};
	struct ike_ts ts[2];
	struct ike_cp_attr attrs[3] = {{IKE_CP_INTERNAL_IP4_ADDRESS, ip4, 4},
	                               {IKE_CP_INTERNAL_IP4_NETMASK, mask, 4},
	                               {IKE_CP_INTERNAL_IP4_DNS, NULL, 0}};
	size_t len;

	memset(ke, 0x77, sizeof(ke));
	sample_proposals(p);
	memset(&esp, 0, sizeof(esp));
	esp.num = 1;
	esp.protocol = IKE_PROTO_ESP;
	esp.spi_size = 4;
	memcpy(esp.spi, spis, 4);
	esp.ntransforms = 2;
	esp.t[0] = (struct ike_transform){IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128, false};
	esp.t[1] = (struct ike_transform){IKE_TT_ESN, IKE_ESN_NO, 0, false};
	ts[0] = ike_ts_ipv4(17, A4(10, 1, 0, 0), A4(10, 1, 255, 255), 500, 4500);
	memset(&ts[1], 0, sizeof(ts[1]));
	ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	ts[1].end_port = 65535;
	v6e[15] = 0xff;
	memcpy(ts[1].start_addr, v6s, 16);
	memcpy(ts[1].end_addr, v6e, 16);

	ike_builder_init(&b, buf, cap, &h);
	ike_add_sa(&b, p, 2);
	ike_add_ke(&b, IKE_DH_CURVE25519, ke, sizeof(ke));
	ike_add_nonce(&b, nonce, sizeof(nonce));
	ike_add_id(&b, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)"alice.example", 13);
	ike_add_id(&b, IKE_PL_IDR, IKE_ID_IPV4_ADDR, ip4, 4);
	ike_add_auth(&b, IKE_AUTH_PSK, ke, 32);
	ike_add_cert(&b, IKE_CERT_X509_SIG, (const uint8_t *)"\x30\x03\x02\x01\x01", 5);
	ike_add_certreq(&b, IKE_CERT_X509_SIG, ke, 20);
	ike_add_notify(&b, IKE_PROTO_ESP, spis, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, ke, 20);
	ike_add_delete(&b, IKE_PROTO_ESP, 4, spis, 2);
	ike_add_delete(&b, IKE_PROTO_IKE, 0, NULL, 0);
	ike_add_vendor(&b, (const uint8_t *)"vendor-id", 9);
	ike_add_ts(&b, IKE_PL_TSI, ts, 2);
	ike_add_ts(&b, IKE_PL_TSR, ts, 1);
	ike_add_cp(&b, IKE_CFG_REQUEST, attrs, 3);
	ike_add_eap(&b, (const uint8_t *)"\x01\x02\x00\x05\x01", 5);
	ike_add_sa(&b, &esp, 1);
	ike_add_raw(&b, 200, false, (const uint8_t *)"opaque", 6);
	ike_add_raw(&b, IKE_PL_VENDOR, true, (const uint8_t *)"crit", 4);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	return len;
}

static void test_roundtrip_every_payload(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t len = build_everything(buf, sizeof(buf));
	struct ike_msg m;
	struct ike_error e;
	struct ike_sa_payload sa;
	struct ike_ts_payload ts;
	const struct ike_payload *p;
	struct ike_cp_attr a;
	size_t pos = 0;
	static const uint8_t types[] = {IKE_PL_SA,     IKE_PL_KE,     IKE_PL_NONCE,  IKE_PL_IDI,
	                                IKE_PL_IDR,    IKE_PL_AUTH,   IKE_PL_CERT,   IKE_PL_CERTREQ,
	                                IKE_PL_NOTIFY, IKE_PL_NOTIFY, IKE_PL_DELETE, IKE_PL_DELETE,
	                                IKE_PL_VENDOR, IKE_PL_TSI,    IKE_PL_TSR,    IKE_PL_CP,
	                                IKE_PL_EAP,    IKE_PL_SA,     200,           IKE_PL_VENDOR};

	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(e.code, IKE_OK);
	/* Header */
	assert_int_equal(m.length, len);
	assert_int_equal(m.major, 2);
	assert_int_equal(m.minor, 0);
	assert_int_equal(m.exchange, IKE_AUTH);
	assert_int_equal(m.flags, IKE_FLAG_INITIATOR);
	assert_int_equal(m.message_id, 1);
	assert_int_equal(m.spi_i[7], 0x17);
	assert_int_equal(m.spi_r[0], 0x20);
	assert_int_equal(m.next_payload, IKE_PL_SA);
	assert_int_equal(m.sk_index, -1);
	assert_int_equal(m.npayloads, sizeof(types));
	for (size_t i = 0; i < sizeof(types); i++) {
		assert_int_equal(m.p[i].type, types[i]);
		assert_false(m.p[i].inner);
	}
	/* SA */
	assert_int_equal(ike_sa_decode(&m.p[0], &sa, &e), 0);
	assert_int_equal(sa.nproposals, 2);
	assert_int_equal(sa.p[0].num, 1);
	assert_int_equal(sa.p[0].protocol, IKE_PROTO_IKE);
	assert_int_equal(sa.p[0].spi_size, 0);
	assert_int_equal(sa.p[0].ntransforms, 5);
	assert_int_equal(sa.p[0].t[0].type, IKE_TT_ENCR);
	assert_int_equal(sa.p[0].t[0].id, IKE_ENCR_AES_GCM_16);
	assert_int_equal(sa.p[0].t[0].key_len, 256);
	assert_int_equal(sa.p[0].t[1].key_len, 0);
	assert_int_equal(sa.p[0].t[4].id, IKE_DH_ECP_384);
	assert_int_equal(sa.p[1].num, 2);
	assert_int_equal(sa.p[1].t[0].key_len, 128);
	assert_int_equal(sa.p[1].t[1].type, IKE_TT_INTEG);
	assert_false(sa.p[1].t[0].unknown_attr);
	assert_int_equal(m.p[0].u.sa.nproposals, 2);
	/* KE, Nonce */
	assert_int_equal(m.p[1].u.ke.group, IKE_DH_CURVE25519);
	assert_int_equal(m.p[1].u.ke.len, 32);
	assert_int_equal(m.p[1].u.ke.data[31], 0x77);
	assert_int_equal(m.p[2].body_len, 32);
	assert_memory_equal(m.p[2].body, nonce, 32);
	/* IDi, IDr: body is RestOfIDPayload */
	assert_int_equal(m.p[3].u.id.type, IKE_ID_FQDN);
	assert_int_equal(m.p[3].u.id.len, 13);
	assert_memory_equal(m.p[3].u.id.data, "alice.example", 13);
	assert_int_equal(m.p[3].body_len, 17);
	assert_int_equal(m.p[3].body[0], IKE_ID_FQDN);
	assert_int_equal(m.p[4].u.id.type, IKE_ID_IPV4_ADDR);
	/* AUTH, CERT, CERTREQ */
	assert_int_equal(m.p[5].u.auth.method, IKE_AUTH_PSK);
	assert_int_equal(m.p[5].u.auth.len, 32);
	assert_int_equal(m.p[6].u.cert.encoding, IKE_CERT_X509_SIG);
	assert_int_equal(m.p[6].u.cert.len, 5);
	assert_int_equal(m.p[7].u.cert.len, 20);
	/* N */
	p = ike_msg_find_notify(&m, IKE_N_REKEY_SA);
	assert_ptr_equal(p, &m.p[8]);
	assert_int_equal(p->u.notify.protocol, IKE_PROTO_ESP);
	assert_int_equal(p->u.notify.spi_size, 4);
	assert_int_equal(get_be32(p->u.notify.spi), 0xdeadbeef);
	assert_int_equal(p->u.notify.len, 0);
	p = ike_msg_find_notify(&m, IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(p->u.notify.spi_size, 0);
	assert_int_equal(p->u.notify.len, 20);
	assert_null(ike_msg_find_notify(&m, IKE_N_COOKIE));
	/* D */
	assert_int_equal(m.p[10].u.del.protocol, IKE_PROTO_ESP);
	assert_int_equal(m.p[10].u.del.nspi, 2);
	assert_int_equal(get_be32(m.p[10].u.del.spis + 4), 0xcafebabe);
	assert_int_equal(m.p[11].u.del.protocol, IKE_PROTO_IKE);
	assert_int_equal(m.p[11].u.del.nspi, 0);
	/* V */
	assert_memory_equal(m.p[12].body, "vendor-id", 9);
	/* TSi, TSr */
	assert_int_equal(ike_ts_decode(&m.p[13], &ts, &e), 0);
	assert_int_equal(ts.n, 2);
	assert_int_equal(ts.ts[0].type, IKE_TS_IPV4_ADDR_RANGE);
	assert_int_equal(ts.ts[0].ip_proto, 17);
	assert_int_equal(ts.ts[0].start_port, 500);
	assert_int_equal(ts.ts[0].end_port, 4500);
	assert_true(range_v4_is(ike_ts_range(&ts.ts[0]), A4(10, 1, 0, 0), A4(10, 1, 255, 255)));
	assert_int_equal(ts.ts[1].type, IKE_TS_IPV6_ADDR_RANGE);
	assert_int_equal(ts.ts[1].end_addr[15], 0xff);
	assert_int_equal(ts.ts[1].start_addr[1], 0x01);
	assert_int_equal(ike_ts_decode(&m.p[14], &ts, &e), 0);
	assert_int_equal(ts.n, 1);
	assert_int_equal(m.p[14].u.ts.n, 1);
	/* CP */
	assert_int_equal(m.p[15].u.cp.type, IKE_CFG_REQUEST);
	assert_int_equal(m.p[15].u.cp.nattrs, 3);
	assert_int_equal(ike_cp_next(&m.p[15], &pos, &a), 1);
	assert_int_equal(a.type, IKE_CP_INTERNAL_IP4_ADDRESS);
	assert_int_equal(a.len, 4);
	assert_int_equal(a.value[0], 10);
	assert_int_equal(ike_cp_next(&m.p[15], &pos, &a), 1);
	assert_int_equal(a.type, IKE_CP_INTERNAL_IP4_NETMASK);
	assert_int_equal(ike_cp_next(&m.p[15], &pos, &a), 1);
	assert_int_equal(a.type, IKE_CP_INTERNAL_IP4_DNS);
	assert_int_equal(a.len, 0);
	assert_int_equal(ike_cp_next(&m.p[15], &pos, &a), 0);
	/* EAP, ESP SA with SPI */
	assert_int_equal(m.p[16].body_len, 5);
	assert_int_equal(ike_sa_decode(&m.p[17], &sa, &e), 0);
	assert_int_equal(sa.nproposals, 1);
	assert_int_equal(sa.p[0].protocol, IKE_PROTO_ESP);
	assert_int_equal(sa.p[0].spi_size, 4);
	assert_int_equal(get_be32(sa.p[0].spi), 0xdeadbeef);
	assert_int_equal(sa.p[0].t[1].type, IKE_TT_ESN);
	/* Unknown non-critical payload kept; the critical bit of a known
	 * type is ignored (RFC 7296 §3.2). */
	assert_false(m.p[18].known);
	assert_false(m.p[18].critical);
	assert_memory_equal(m.p[18].body, "opaque", 6);
	assert_true(m.p[19].known);
	assert_true(m.p[19].critical);
	/* Lookups */
	assert_ptr_equal(ike_msg_find(&m, IKE_PL_SA, NULL), &m.p[0]);
	assert_ptr_equal(ike_msg_find(&m, IKE_PL_SA, &m.p[0]), &m.p[17]);
	assert_null(ike_msg_find(&m, IKE_PL_SA, &m.p[17]));
	assert_int_equal(ike_sa_decode(&m.p[1], &sa, &e), -1);
	assert_int_equal(ike_ts_decode(&m.p[1], &ts, &e), -1);
	/* Names */
	assert_string_equal(ike_payload_name(IKE_PL_NONCE), "Nonce");
	assert_string_equal(ike_payload_name(200), "UNKNOWN");
	assert_string_equal(ike_exchange_name(IKE_SA_INIT), "IKE_SA_INIT");
	assert_string_equal(ike_notify_name(IKE_N_NO_PROPOSAL_CHOSEN), "NO_PROPOSAL_CHOSEN");
	assert_null(ike_notify_name(12345));
}

/* Exact bytes of a small message, checked by hand against RFC 7296 §3.1,
 * §3.2, §3.4, §3.9. */
static void test_wire_bytes(void **state)
{
	(void)state;
	struct ike_header h = hdr(IKE_SA_INIT, IKE_FLAG_INITIATOR, 0);
	uint8_t buf[128], ke[4] = {0xa, 0xb, 0xc, 0xd};
	struct ike_builder b;
	size_t len;
	static const uint8_t
	        want[] =
	                {
	                        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, /* SPIi */
	                        0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, /* SPIr */
	                        34,   0x20, 34,   0x08, 0,    0,    0,    0,    0,   0,
	                        0,    60, /* KE, 2.0, SA_INIT, I, 0, len */
	                        40,   0,    0,    12,   0,    31,   0,    0,    0xa, 0xb,
	                        0xc,  0xd, /* KE -> Nonce */
	                        0,    0,    0,    20,   1,    2,    3,    4,    5,   6,
	                        7,    8,    9,    10,   11,   12,   13,   14,   15,  16,
	                };

	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_add_ke(&b, IKE_DH_CURVE25519, ke, 4), 0);
	assert_int_equal(ike_add_nonce(&b, nonce, 16), 0);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* Transform attribute encoding (RFC 7296 §3.3.5): Key Length in TV
 * format; unknown attributes mark the transform. */
static void test_sa_attributes(void **state)
{
	(void)state;
	/* One proposal, one ENCR transform with Key Length 256 and an
	 * unknown TLV attribute (type 99, 2 bytes). */
	static const uint8_t body[] = {
	        0,           0,
	        0,           26,
	        1,           IKE_PROTO_IKE,
	        0,           1, /* proposal */
	        0,           0,
	        0,           18,
	        IKE_TT_ENCR, 0,
	        0,           IKE_ENCR_AES_CBC, /* transform */
	        0x80,        IKE_ATTR_KEY_LENGTH,
	        0x01,        0x00, /* TV key len */
	        0x00,        99,
	        0x00,        0x02,
	        0xab,        0xcd, /* TLV */
	};
	uint8_t buf[256];
	struct ike_header h = hdr(IKE_SA_INIT, 0, 0);
	struct ike_builder b;
	struct ike_msg m;
	struct ike_error e;
	struct ike_sa_payload sa;
	size_t len;

	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, IKE_PL_SA, false, body, sizeof(body));
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(ike_sa_decode(&m.p[0], &sa, &e), 0);
	assert_int_equal(sa.p[0].t[0].key_len, 256);
	assert_true(sa.p[0].t[0].unknown_attr);

	/* Key Length in TLV format is refused. */
	buf[IKE_HDR_LEN + 4 + 16] = 0x00;
	buf[IKE_HDR_LEN + 4 + 18] = 0x00;
	buf[IKE_HDR_LEN + 4 + 19] = 0x00;
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), -1);
	assert_int_equal(e.code, IKE_E_SYNTAX);
	assert_non_null(strstr(e.reason, "TLV"));
}

/* Build a message with one payload given raw and return the parse status. */
static int parse_with(uint8_t type, bool critical, const uint8_t *body, size_t n,
                      struct ike_error *e)
{
	uint8_t buf[1024];
	struct ike_header h = hdr(IKE_INFORMATIONAL, 0, 3);
	struct ike_builder b;
	struct ike_msg m;
	size_t len;

	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, type, critical, body, n);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	return ike_msg_parse(&m, buf, len, e);
}

#define EXPECT_ERR(call, code_, text)                                                              \
	do {                                                                                       \
		assert_int_equal((call), -1);                                                      \
		assert_int_equal(e.code, (code_));                                                 \
		if (!strstr(e.reason, (text)))                                                     \
			fail_msg("reason \"%s\" lacks \"%s\"", e.reason, (text));                  \
	} while (0)

static void test_header_errors(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t len = build_everything(buf, sizeof(buf));
	struct ike_msg m;
	struct ike_error e;

	EXPECT_ERR(ike_msg_parse(&m, buf, 27, &e), IKE_E_TRUNCATED, "shorter than the 28-byte");
	EXPECT_ERR(ike_msg_parse(&m, buf, 0, &e), IKE_E_TRUNCATED, "message of 0 bytes");
	/* Datagram shorter / longer than the header's Length. */
	EXPECT_ERR(ike_msg_parse(&m, buf, len - 1, &e), IKE_E_TRUNCATED, "but the datagram has");
	EXPECT_ERR(ike_msg_parse(&m, buf, len + 1, &e), IKE_E_LENGTH, "but the datagram has");
	/* RFC 7296 §2.5: major version 3 -> INVALID_MAJOR_VERSION, header
	 * fields still available for the answer. */
	buf[17] = 0x30;
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_MAJOR_VERSION, "major version 3");
	assert_int_equal(ike_error_notify(&e), IKE_N_INVALID_MAJOR_VERSION);
	assert_int_equal(m.exchange, IKE_AUTH);
	assert_int_equal(m.spi_i[0], 0x10);
	/* A minor version is ignored. */
	buf[17] = 0x27;
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
	assert_int_equal(m.minor, 7);
	buf[17] = 0x20;
	/* Length below the header size. */
	put_be32(buf + 24, 20);
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_LENGTH, "shorter than the header");
	assert_int_equal(ike_error_notify(&e), IKE_N_INVALID_SYNTAX);
}

static void test_chain_errors(void **state)
{
	(void)state;
	uint8_t buf[256], body[300];
	struct ike_header h = hdr(IKE_SA_INIT, 0, 0);
	struct ike_builder b;
	struct ike_msg m;
	struct ike_error e;
	size_t len;

	memset(body, 0, sizeof(body));
	/* RFC 7296 §2.5: unknown payload type with the critical bit. */
	EXPECT_ERR(parse_with(150, true, body, 4, &e), IKE_E_CRITICAL, "unknown type 150");
	assert_int_equal(e.payload, 150);
	assert_int_equal(ike_error_notify(&e), IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(parse_with(150, false, body, 4, &e), 0);

	/* A payload length of 3, and one running past the end. */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_vendor(&b, nonce, 16);
	ike_builder_finish(&b, &len);
	put_be16(buf + IKE_HDR_LEN + 2, 3);
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_LENGTH, "has length 3 (at least 4)");
	put_be16(buf + IKE_HDR_LEN + 2, 21);
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_TRUNCATED, "only 20 bytes are left");
	/* Bytes left after the chain ends. */
	put_be16(buf + IKE_HDR_LEN + 2, 16);
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_LENGTH, "4 bytes after the last payload");
	/* The chain announces a payload that is not there. */
	put_be16(buf + IKE_HDR_LEN + 2, 20);
	buf[IKE_HDR_LEN] = IKE_PL_KE;
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_TRUNCATED, "KE payload expected at 48");

	/* SK must be last (RFC 7296 §3.14). */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_raw(&b, IKE_PL_SK, false, body, 40);
	ike_add_nonce(&b, nonce, 16);
	ike_builder_finish(&b, &len);
	EXPECT_ERR(ike_msg_parse(&m, buf, len, &e), IKE_E_SYNTAX, "must be last");

	/* Too many payloads. */
	{
		uint8_t big[4096];

		ike_builder_init(&b, big, sizeof(big), &h);
		for (int i = 0; i <= IKE_MAX_PAYLOADS; i++)
			ike_add_vendor(&b, body, 1);
		assert_int_equal(ike_builder_finish(&b, &len), 0);
		EXPECT_ERR(ike_msg_parse(&m, big, len, &e), IKE_E_TOO_MANY,
		           "more than 48 payloads");
	}
}

static void test_payload_errors(void **state)
{
	(void)state;
	uint8_t body[600];
	struct ike_error e;

	memset(body, 0, sizeof(body));
	/* RFC 7296 §3.9: nonce 16..256 bytes. */
	EXPECT_ERR(parse_with(IKE_PL_NONCE, false, body, 15, &e), IKE_E_SYNTAX, "16..256");
	EXPECT_ERR(parse_with(IKE_PL_NONCE, false, body, 257, &e), IKE_E_SYNTAX, "257 bytes");
	assert_int_equal(parse_with(IKE_PL_NONCE, false, body, 256, &e), 0);
	/* KE: fixed part, no data. */
	EXPECT_ERR(parse_with(IKE_PL_KE, false, body, 3, &e), IKE_E_LENGTH, "4-byte fixed part");
	EXPECT_ERR(parse_with(IKE_PL_KE, false, body, 4, &e), IKE_E_SYNTAX, "no key exchange");
	/* ID, AUTH need data; CERT needs the encoding. */
	EXPECT_ERR(parse_with(IKE_PL_IDI, false, body, 4, &e), IKE_E_LENGTH, "IDi payload");
	EXPECT_ERR(parse_with(IKE_PL_AUTH, false, body, 4, &e), IKE_E_LENGTH, "AUTH payload");
	EXPECT_ERR(parse_with(IKE_PL_CERT, false, body, 0, &e), IKE_E_LENGTH, "encoding octet");
	/* N: SPI larger than the payload. */
	body[1] = 8;
	EXPECT_ERR(parse_with(IKE_PL_NOTIFY, false, body, 8, &e), IKE_E_LENGTH, "SPI of 8 bytes");
	/* D: counts that do not match; IKE with SPIs; ESP SPI size. */
	body[0] = IKE_PROTO_ESP;
	body[1] = 4;
	body[3] = 2;
	EXPECT_ERR(parse_with(IKE_PL_DELETE, false, body, 8, &e), IKE_E_LENGTH, "2 SPIs of 4");
	body[0] = IKE_PROTO_IKE;
	EXPECT_ERR(parse_with(IKE_PL_DELETE, false, body, 12, &e), IKE_E_SYNTAX, "SPI size 0");
	body[0] = IKE_PROTO_ESP;
	body[1] = 8;
	body[3] = 1;
	EXPECT_ERR(parse_with(IKE_PL_DELETE, false, body, 12, &e), IKE_E_SYNTAX, "not 8");
	memset(body, 0, 16);
	/* TS: no selectors, wrong selector length, trailing bytes. */
	EXPECT_ERR(parse_with(IKE_PL_TSI, false, body, 4, &e), IKE_E_SYNTAX, "no selector");
	{
		struct ike_ts ts = ike_ts_ipv4(0, 0, 0xffffffff, 0, 65535);
		uint8_t tsb[32] = {1, 0, 0, 0, 7, 0, 0, 16};

		memcpy(tsb + 8, "\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 12);
		(void)ts;
		assert_int_equal(parse_with(IKE_PL_TSR, false, tsb, 20, &e), 0);
		EXPECT_ERR(parse_with(IKE_PL_TSR, false, tsb, 24, &e), IKE_E_LENGTH,
		           "4 bytes after the last");
		tsb[7] = 40;
		EXPECT_ERR(parse_with(IKE_PL_TSR, false, tsb, 20, &e), IKE_E_LENGTH,
		           "selector 1 has length 40");
		tsb[7] = 16;
		tsb[0] = 2; /* announces two */
		EXPECT_ERR(parse_with(IKE_PL_TSR, false, tsb, 20, &e), IKE_E_TRUNCATED,
		           "selector 2 of 2");
		tsb[0] = 17;
		EXPECT_ERR(parse_with(IKE_PL_TSR, false, tsb, 20, &e), IKE_E_TOO_MANY,
		           "17 selectors");
	}
	/* CP attribute running past the payload. */
	{
		uint8_t cp[12] = {IKE_CFG_REQUEST, 0, 0, 0, 0, 1, 0, 4, 10, 0, 0};

		EXPECT_ERR(parse_with(IKE_PL_CP, false, cp, 11, &e), IKE_E_LENGTH,
		           "has length 4, 3 bytes left");
		EXPECT_ERR(parse_with(IKE_PL_CP, false, cp, 6, &e), IKE_E_TRUNCATED, "truncated");
	}
}

static void test_sa_errors(void **state)
{
	(void)state;
	struct ike_error e;
	uint8_t sa[64];
	/* A well-formed SA body: one proposal, one transform. */
	static const uint8_t good[] = {
	        0, 0, 0, 16, 1, IKE_PROTO_IKE, 0, 1, 0, 0, 0, 8, IKE_TT_DH, 0, 0, 31,
	};

	assert_int_equal(parse_with(IKE_PL_SA, false, good, sizeof(good), &e), 0);
	EXPECT_ERR(parse_with(IKE_PL_SA, false, good, 0, &e), IKE_E_SYNTAX, "no proposal");
	EXPECT_ERR(parse_with(IKE_PL_SA, false, good, 7, &e), IKE_E_TRUNCATED, "needs 8 bytes");
	memcpy(sa, good, sizeof(good));
	sa[0] = 2; /* "more" but nothing follows */
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_SYNTAX,
	           "not marked last");
	sa[0] = 1;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_SYNTAX,
	           "Last Substruc is 1");
	memcpy(sa, good, sizeof(good));
	sa[3] = 17;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_LENGTH,
	           "has length 17");
	memcpy(sa, good, sizeof(good));
	sa[7] = 2; /* two transforms announced */
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_SYNTAX,
	           "transform 1 of 2 has Last Substruc 0 (expected 3)");
	sa[8] = 3;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_TRUNCATED,
	           "transform 2 of 2 missing");
	memcpy(sa, good, sizeof(good));
	sa[7] = 0; /* no transforms but room for one */
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_LENGTH,
	           "transforms end at 8");
	memcpy(sa, good, sizeof(good));
	sa[11] = 7;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_LENGTH,
	           "transform 1 has length 7");
	memcpy(sa, good, sizeof(good));
	sa[6] = 9;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_SYNTAX,
	           "SPI of 9 bytes");
	sa[6] = 8;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_TRUNCATED,
	           "transform 1 of 1 missing");
	sa[3] = 8;
	sa[6] = 1;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, 8, &e), IKE_E_LENGTH, "exceeds its length 8");
	/* Two proposals: numbering 1, 2 (RFC 7296 §3.3.1). */
	memcpy(sa, good, sizeof(good));
	memcpy(sa + 16, good, sizeof(good));
	sa[0] = 2;
	sa[20] = 2;
	assert_int_equal(parse_with(IKE_PL_SA, false, sa, 32, &e), 0);
	sa[20] = 3;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, 32, &e), IKE_E_SYNTAX,
	           "proposal 2 is numbered 3");
	sa[20] = 2;
	sa[4] = 5;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, 32, &e), IKE_E_SYNTAX, "numbered 5, not 1");
	sa[4] = 1;
	sa[0] = 0; /* first marked last, then more data */
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, 32, &e), IKE_E_SYNTAX,
	           "after the proposal marked last");
	/* A truncated attribute. */
	{
		uint8_t t[20] = {0,  0,           0, 18, 1,  IKE_PROTO_IKE, 0, 1, 0, 0, 0,
		                 10, IKE_TT_ENCR, 0, 0,  12, 0x80,          14};

		EXPECT_ERR(parse_with(IKE_PL_SA, false, t, 18, &e), IKE_E_TRUNCATED,
		           "attribute at");
	}
	/* More transforms than the view holds. */
	memcpy(sa, good, sizeof(good));
	sa[7] = IKE_MAX_TRANSFORMS + 1;
	EXPECT_ERR(parse_with(IKE_PL_SA, false, sa, sizeof(good), &e), IKE_E_TOO_MANY,
	           "65 transforms");
}

static void test_builder_errors(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct ike_header h = hdr(IKE_SA_INIT, 0, 0);
	struct ike_builder b;
	struct ike_sk_layout l;
	size_t len;

	/* Too small for the header: the first call fails, errors stick. */
	ike_builder_init(&b, buf, 20, &h);
	assert_int_equal(b.err.code, IKE_E_NOSPACE);
	assert_int_equal(ike_add_nonce(&b, nonce, 16), -1);
	assert_int_equal(ike_builder_finish(&b, &len), -1);
	/* Too small for a payload. */
	ike_builder_init(&b, buf, 60, &h);
	assert_int_equal(ike_add_nonce(&b, nonce, 32), -1);
	assert_int_equal(b.err.code, IKE_E_NOSPACE);
	assert_non_null(strstr(b.err.reason, "Nonce needs 36 bytes at 28, buffer holds 60"));
	assert_int_equal(ike_add_nonce(&b, nonce, 16), -1); /* sticky */
	/* Nonce size rule. */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_add_nonce(&b, nonce, 8), -1);
	assert_int_equal(b.err.code, IKE_E_SYNTAX);
	/* SK: end without begin; finish with SK open; payload after SK end;
	 * a second SK. */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_sk_end(&b, 1, 16, &l), -1);
	assert_int_equal(b.err.code, IKE_E_STATE);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_sk_begin(&b, 8), 0);
	assert_int_equal(ike_builder_finish(&b, &len), -1);
	assert_non_null(strstr(b.err.reason, "still open"));
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_sk_begin(&b, 8), 0);
	assert_int_equal(ike_sk_end(&b, 1, 16, &l), 0);
	assert_int_equal(ike_add_vendor(&b, buf, 1), -1);
	assert_non_null(strstr(b.err.reason, "SK payload was closed"));
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_sk_begin(&b, 0), 0);
	assert_int_equal(ike_sk_begin(&b, 0), -1);
	/* After finish nothing can be added. */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(len, IKE_HDR_LEN);
	assert_int_equal(ike_add_vendor(&b, buf, 1), -1);
	/* Wrong payload types for typed adders; bad counts. */
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_add_id(&b, IKE_PL_AUTH, 1, buf, 4), -1);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_add_ts(&b, IKE_PL_TSI, NULL, 0), -1);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	assert_int_equal(ike_add_sa(&b, NULL, 0), -1);
	assert_string_equal(ike_status_name(IKE_E_STATE), "builder misuse");
}

/* RFC 7296 §3.14 padding: inner || pad || pad length fills whole blocks. */
static void test_sk_layout(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct ike_header h = hdr(IKE_INFORMATIONAL, 0, 0);

	for (size_t inner = 1; inner <= 40; inner++) {
		for (size_t block = 1; block <= 16; block *= 16) {
			struct ike_builder b;
			struct ike_sk_layout l;
			struct ike_msg m;
			struct ike_error e;
			size_t len;
			uint8_t v[64] = {0};

			ike_builder_init(&b, buf, sizeof(buf), &h);
			assert_int_equal(ike_sk_begin(&b, 16), 0);
			assert_int_equal(ike_add_vendor(&b, v, inner), 0);
			assert_int_equal(ike_sk_end(&b, block, 12, &l), 0);
			assert_int_equal(ike_builder_finish(&b, &len), 0);
			assert_int_equal(l.plain_len % block, 0);
			assert_true(l.plain_len >= inner + 4 + 1);
			assert_true(l.plain_len < inner + 4 + 1 + block);
			assert_int_equal(buf[l.plain + l.plain_len - 1],
			                 l.plain_len - (inner + 4) - 1);
			assert_int_equal(l.sk, IKE_HDR_LEN);
			assert_int_equal(l.iv, IKE_HDR_LEN + 4);
			assert_int_equal(l.plain, l.iv + 16);
			assert_int_equal(l.icv + 12, len);
			assert_int_equal(get_be32(buf + 24), len);
			/* The header chains to SK, SK's Next Payload is V. */
			assert_int_equal(buf[16], IKE_PL_SK);
			assert_int_equal(buf[IKE_HDR_LEN], IKE_PL_VENDOR);
			assert_int_equal(ike_msg_parse(&m, buf, len, &e), 0);
			assert_int_equal(m.p[0].u.sk.first_inner, IKE_PL_VENDOR);
			assert_int_equal(m.p[0].u.sk.len, 16 + l.plain_len + 12);
		}
	}
}

/* Messages to mutate: the everything message, an IKE_SA_INIT and encrypted
 * messages for each SK transform. */
static size_t seeds(uint8_t out[][2048], size_t *lens)
{
	size_t n = 0;

	lens[n] = build_everything(out[n], 2048);
	n++;
	{
		struct ike_header h = hdr(IKE_SA_INIT, IKE_FLAG_INITIATOR, 0);
		struct ike_builder b;
		struct ike_proposal p[2];
		uint8_t ke[32] = {9};

		sample_proposals(p);
		ike_builder_init(&b, out[n], 2048, &h);
		ike_add_sa(&b, p, 2);
		ike_add_ke(&b, IKE_DH_CURVE25519, ke, 32);
		ike_add_nonce(&b, nonce, 32);
		ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, ke, 20);
		assert_int_equal(ike_builder_finish(&b, &lens[n]), 0);
		n++;
	}
	return n;
}

/* An encrypted INFORMATIONAL message protected with `out`. */
static size_t sk_seed(struct ike_sk *out, uint8_t *buf)
{
	struct ike_header h = hdr(IKE_INFORMATIONAL, IKE_FLAG_RESPONSE, 5);
	struct ike_builder b;
	struct ike_sk_layout l;
	struct ike_ts ts = ike_ts_ipv4(6, A4(10, 0, 0, 0), A4(10, 0, 0, 255), 0, 65535);
	uint8_t iv[16] = {7}, spi[4] = {1, 2, 3, 4};
	size_t len;

	ike_builder_init(&b, buf, 2048, &h);
	ike_sk_begin(&b, out->sz.iv);
	ike_add_delete(&b, IKE_PROTO_ESP, 4, spi, 1);
	ike_add_ts(&b, IKE_PL_TSI, &ts, 1);
	ike_sk_end(&b, out->sz.block, out->sz.icv, &l);
	assert_int_equal(ike_builder_finish(&b, &len), 0);
	assert_int_equal(ike_sk_protect(out, buf, &l, iv), 0);
	return len;
}

/* Random mutations of valid messages (plain and encrypted with AES-GCM and
 * AES-CBC/HMAC): parse, decode and open must never crash or read outside
 * the buffer (run under ASan/UBSan as unit_ike_msg_asan). */
static void test_mutation_fuzz(void **state)
{
	(void)state;
	static uint8_t base[4][2048];
	size_t lens[4], nbase = seeds(base, lens);
	const struct ike_suite suites[2] = {
	        {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 0},
	        {IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, 0}};
	struct ike_sk in[2], out;
	uint8_t ke[36] = {1}, ka[32] = {2};
	char err[200];
	uint32_t rng = 12345;
	unsigned parsed = 0, opened = 0, iters = 40000;

	for (int s = 0; s < 2; s++) {
		assert_int_equal(ike_sk_init(&in[s], &suites[s], ke, ka, false, err, sizeof(err)),
		                 0);
		assert_int_equal(ike_sk_init(&out, &suites[s], ke, ka, true, err, sizeof(err)), 0);
		lens[nbase] = sk_seed(&out, base[nbase]);
		nbase++;
		ike_sk_free(&out);
	}
	for (unsigned it = 0; it < iters; it++) {
		size_t which = it % nbase, len = lens[which];
		uint8_t *buf = malloc(len); /* exact size: ASan sees overreads */
		struct ike_msg m;
		struct ike_error e;
		int nmut;

		memcpy(buf, base[which], len);
		rng = rng * 1103515245u + 12345u;
		/* Every 8th message is left intact (the encrypted ones must open). */
		nmut = (it / nbase) % 8 == 0 ? 0 : 1 + (int)((rng >> 16) % 4);
		for (int k = 0; k < nmut; k++) {
			size_t at;

			rng = rng * 1103515245u + 12345u;
			at = (rng >> 8) % len;
			switch ((rng >> 28) % 4) {
			case 0:
				buf[at] ^= (uint8_t)(1u << ((rng >> 4) % 8));
				break;
			case 1:
				buf[at] = (uint8_t)(rng >> 3);
				break;
			case 2: /* truncate, keeping the header Length honest */
				len = at < IKE_HDR_LEN ? len : at;
				if (len >= IKE_HDR_LEN)
					put_be32(buf + 24, (uint32_t)len);
				break;
			default: /* a random length field */
				if (at + 1 < len)
					put_be16(buf + at, (uint16_t)((rng >> 5) % 600));
				break;
			}
		}
		if (ike_msg_parse(&m, buf, len, &e) == 0) {
			parsed++;
			for (size_t i = 0; i < m.npayloads; i++) {
				struct ike_sa_payload sa;
				struct ike_ts_payload ts;
				struct ike_cp_attr a;
				size_t pos = 0;

				if (m.p[i].type == IKE_PL_SA)
					assert_int_equal(ike_sa_decode(&m.p[i], &sa, &e), 0);
				if (m.p[i].type == IKE_PL_TSI || m.p[i].type == IKE_PL_TSR)
					assert_int_equal(ike_ts_decode(&m.p[i], &ts, &e), 0);
				while (ike_cp_next(&m.p[i], &pos, &a))
					;
			}
			if (m.sk_index >= 0) {
				/* The context of the seed (an AEAD failure wipes the
				 * ciphertext, so one try per message). */
				struct ike_sk *sk = &in[which >= 2 ? which - 2 : it % 2];
				uint8_t *plain;
				size_t plen;

				if (ike_sk_unprotect(sk, buf, &m.p[m.sk_index], &plain, &plen, err,
				                     sizeof(err)) == 0) {
					opened++;
					assert_int_equal(ike_msg_parse_inner(
					                         &m,
					                         m.p[m.sk_index].u.sk.first_inner,
					                         plain, plen, &e),
					                 0);
				}
			}
		} else {
			assert_int_not_equal(e.code, IKE_OK);
			assert_true(e.reason[0] != '\0');
			assert_true(e.offset <= len);
		}
		free(buf);
	}
	for (int s = 0; s < 2; s++)
		ike_sk_free(&in[s]);
	/* The loop must exercise both outcomes; intact encrypted seeds open. */
	assert_true(parsed > 0 && parsed < iters);
	assert_true(opened >= iters / 8 / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip_every_payload),
	        cmocka_unit_test(test_wire_bytes),
	        cmocka_unit_test(test_sa_attributes),
	        cmocka_unit_test(test_header_errors),
	        cmocka_unit_test(test_chain_errors),
	        cmocka_unit_test(test_payload_errors),
	        cmocka_unit_test(test_sa_errors),
	        cmocka_unit_test(test_builder_errors),
	        cmocka_unit_test(test_sk_layout),
	        cmocka_unit_test(test_mutation_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
