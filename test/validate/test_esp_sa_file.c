/* Wireshark esp_sa table parsing (helper/sim/esp_sa_file.c): the lines our own
 * keys export writes, the transforms the engine can use, and every error
 * with its FILE:LINE message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp_sa_file.h"

/* Parses `text` as file "t", collecting messages; returns the exit code. */
struct result {
	int rc;
	struct esp_sa_list l;
	char msgs[8192];
};

static void parse(struct result *r, const char *text)
{
	memset(r, 0, sizeof *r);
	FILE *f = fmemopen(r->msgs, sizeof r->msgs - 1, "w");
	assert_non_null(f);
	r->rc = esp_sa_parse_text("t", text, strlen(text), &r->l, f);
	fclose(f);
}

#define GCM256_KEY "0x4a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768690a0b0c0d"
#define SHA256_KEY "0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"

static void test_gcm_line_from_keys_export(void **state)
{
	(void)state;
	struct result r;
	parse(&r, "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x00001001\","
	          "\"AES-GCM with 16 octet ICV [RFC4106]\",\"" GCM256_KEY "\",\"NULL\",\"\"\n"
	          "\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"0x00002001\","
	          "\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x000102030405060708090a0b0c0d0e0f"
	          "cafebabe\",\"NULL\",\"\"\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.msgs, "");
	assert_int_equal(r.l.n, 2);
	const struct ipsec_sa_config *c = &r.l.items[0].cfg;
	assert_int_equal(r.l.items[0].line, 1);
	assert_int_equal(c->dir, IPSEC_DIR_IN);
	assert_int_equal(c->protocol, IPSEC_PROTO_ESP);
	assert_int_equal(c->spi, 0x1001);
	assert_int_equal(ip_addr_v4_value(&c->src), 0xc0000201);
	assert_int_equal(ip_addr_v4_value(&c->dst), 0xc0000202);
	assert_int_equal(c->enc, IPSEC_ENC_AES_GCM16_256);
	assert_int_equal(c->enc_key_len, 36);
	assert_int_equal(c->enc_key[0], 0x4a);
	assert_int_equal(c->enc_key[35], 0x0d);
	assert_int_equal(c->integ, IPSEC_INTEG_NONE);
	assert_int_equal(c->replay_window, 0);
	/* key length decides AES-128 */
	assert_int_equal(r.l.items[1].cfg.enc, IPSEC_ENC_AES_GCM16_128);
	assert_int_equal(r.l.items[1].cfg.enc_key_len, 20);
	assert_int_equal(r.l.items[1].line, 2);
	esp_sa_list_free(&r.l);
}

static void test_cbc_hmac_null(void **state)
{
	(void)state;
	struct result r;
	parse(&r,
	      "# comment\n"
	      "\n"
	      "\"IPv4\",\"10.0.1.2\",\"10.0.2.2\",\"0x3001\",\"AES-CBC [RFC3602]\","
	      "\"0x000102030405060708090a0b0c0d0e0f\",\"HMAC-SHA-256-128 [RFC4868]\",\"" SHA256_KEY
	      "\"\r\n"
	      "\"IPv4\",\"10.0.1.2\",\"10.0.2.3\",\"12289\",\"AES-CBC [RFC3602]\","
	      "\"0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\","
	      "\"HMAC-SHA-384-192 [RFC4868]\",\"0x"
	      "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	      "000102030405060708090a0b0c0d0e0f\"\n"
	      "  \"IPv4\" , \"10.0.1.2\",\"10.0.2.4\",\"0xffffffff\",\"NULL\",\"\","
	      "\"HMAC-SHA-512-256 [RFC4868]\",\"0x"
	      "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
	      "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\"\n"
	      /* ASCII key (Wireshark reads a key without 0x as bytes) and escapes */
	      "\"IPv4\",\"10.0.1.2\",\"10.0.2.5\",\"0x5\",\"AES-CBC [RFC3602]\","
	      "\"0123456789ab\\\\\\\"\\x41F\",\"NULL\",\"\"\n");
	assert_string_equal(r.msgs, "");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.l.n, 4);
	assert_int_equal(r.l.items[0].line, 3);
	assert_int_equal(r.l.items[0].cfg.enc, IPSEC_ENC_AES_CBC_128);
	assert_int_equal(r.l.items[0].cfg.integ, IPSEC_INTEG_HMAC_SHA256_128);
	assert_int_equal(r.l.items[0].cfg.integ_key_len, 32);
	assert_int_equal(r.l.items[0].cfg.integ_key[31], 0x3f);
	assert_int_equal(r.l.items[1].cfg.spi, 12289);
	assert_int_equal(r.l.items[1].cfg.enc, IPSEC_ENC_AES_CBC_256);
	assert_int_equal(r.l.items[1].cfg.integ, IPSEC_INTEG_HMAC_SHA384_192);
	assert_int_equal(r.l.items[2].cfg.spi, 0xffffffffu);
	assert_int_equal(r.l.items[2].cfg.enc, IPSEC_ENC_NULL);
	assert_int_equal(r.l.items[2].cfg.enc_key_len, 0);
	assert_int_equal(r.l.items[2].cfg.integ, IPSEC_INTEG_HMAC_SHA512_256);
	assert_int_equal(r.l.items[2].cfg.integ_key_len, 64);
	assert_int_equal(r.l.items[3].cfg.enc_key_len, 16);
	assert_memory_equal(r.l.items[3].cfg.enc_key, "0123456789ab\\\"AF", 16);
	esp_sa_list_free(&r.l);
}

static void test_chacha_newer_wireshark_name(void **state)
{
	(void)state;
	struct result r;
	parse(&r, "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x1001\","
	          "\"ChaCha20 with Poly1305 [RFC7634]\",\"" GCM256_KEY "\",\"NULL\",\"\"\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.l.n, 1);
	assert_int_equal(r.l.items[0].cfg.enc, IPSEC_ENC_CHACHA20_POLY1305);
	esp_sa_list_free(&r.l);
}

/* Valid for Wireshark, unusable by the engine: warnings, not errors. */
static void test_skipped_lines_warn(void **state)
{
	(void)state;
	struct result r;
	parse(&r, "\"IPv6\",\"2001:db8::*\",\"2001:db8::2\",\"0x1\",\"NULL\",\"\","
	          "\"HMAC-SHA-256-128 [RFC4868]\",\"" SHA256_KEY "\"\n"
	          "\"IPv4\",\"192.0.*\",\"192.0.2.2\",\"0x2\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n"
	          "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x3\",\"TripleDES-CBC [RFC2451]\","
	          "\"0x00\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x00\"\n"
	          "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x4\",\"AES-CBC [RFC3602]\","
	          "\"0x000102030405060708090a0b0c0d0e0f\",\"HMAC-MD5-96 [RFC2403]\",\"0x00\"\n"
	          /* what keys.c writes for GMAC SAs */
	          "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x5\",\"NULL\",\"\",\"NULL\",\"\"\n"
	          "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x6\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n"
	          /* duplicate (SPI, destination): the first wins, as in Wireshark */
	          "\"IPv4\",\"192.0.2.9\",\"192.0.2.2\",\"0x6\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.l.n, 1);
	assert_int_equal(r.l.skipped, 6);
	assert_int_equal(r.l.items[0].cfg.spi, 6);
	assert_int_equal(r.l.items[0].line, 6);
	assert_non_null(strstr(r.msgs, "t:1: warning: partial wildcard address"));
	assert_non_null(strstr(r.msgs, "t:2: warning: partial wildcard address"));
	assert_non_null(strstr(r.msgs, "t:3: warning: encryption algorithm not supported"));
	assert_non_null(strstr(r.msgs, "t:4: warning: authentication algorithm not supported"));
	assert_non_null(strstr(r.msgs, "t:5: warning: NULL encryption with NULL authentication"));
	assert_non_null(strstr(r.msgs, "t:7: warning: SPI 0x00000006 to 192.0.2.2 is already "
	                               "defined on line 6"));
	esp_sa_list_free(&r.l);
}

/* "*" for an address (any), as Wireshark reads it and keys.c writes it for
 * UDP-encapsulated SAs; a wildcard SPI is skipped. */
static void test_wildcard_addresses(void **state)
{
	(void)state;
	struct result r;
	parse(&r, "\"IPv4\",\"*\",\"*\",\"0x7\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n"
	          "\"IPv4\",\"192.0.2.1\",\"*\",\"0x8\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n"
	          "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"*\",\"NULL\",\"\",\"HMAC-SHA-256-128 "
	          "[RFC4868]\",\"" SHA256_KEY "\"\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.l.n, 2);
	assert_int_equal(r.l.skipped, 1);
	assert_true(r.l.items[0].any_dst && !ip_addr_is_set(&r.l.items[0].cfg.src));
	assert_true(r.l.items[1].any_dst && ip_addr_v4_value(&r.l.items[1].cfg.src) == 0xc0000201);
	struct ipsec_sa_config c = esp_sa_entry_config(&r.l.items[0], IPSEC_MODE_TUNNEL);
	assert_int_equal(ip_addr_v4_value(&c.src), 1); /* 0.0.0.1 */
	assert_int_equal(ip_addr_v4_value(&c.dst), 1);
	assert_non_null(strstr(r.msgs, "t:3: warning: wildcard SPI"));
	esp_sa_list_free(&r.l);
}

/* One bad line -> rc 2 and exactly `want` as the message. */
static void expect_error(const char *line, const char *want)
{
	struct result r;
	char text[1024];
	snprintf(text, sizeof text, "# header\n%s\n", line);
	parse(&r, text);
	if (r.rc != 2 || strcmp(r.msgs, want)) {
		print_error("line:  %s\nwant:  %s     got: %s(rc %d)\n", line, want, r.msgs, r.rc);
		fail();
	}
	esp_sa_list_free(&r.l);
}

#define L(proto, src, dst, spi, enc, ekey, auth, akey)                                             \
	"\"" proto "\",\"" src "\",\"" dst "\",\"" spi "\",\"" enc "\",\"" ekey "\",\"" auth       \
	"\",\"" akey "\""
#define GCM "AES-GCM with 16 octet ICV [RFC4106]"
#define CBC "AES-CBC [RFC3602]"
#define SHA "HMAC-SHA-256-128 [RFC4868]"

/* "IPv6" rows: RFC 4291 §2.2 text, "*" as for IPv4 (any address of the
 * family, :: in the engine's SA), SPIs and duplicates per family. */
static void test_ipv6_rows(void **state)
{
	(void)state;
	struct result r;
	struct ip_addr a;
	static const char *const lines[] = {
	        L("IPv6", "2001:db8:ff::1", "2001:DB8:FF:0:0:0:0:2", "0x00006002", GCM, GCM256_KEY,
	          "NULL", ""),
	        L("IPv6", "*", "*", "0x6005", CBC, "0x000102030405060708090a0b0c0d0e0f", SHA,
	          SHA256_KEY),
	        /* the same SPI for any IPv4 destination: another SA */
	        L("IPv4", "*", "*", "0x6005", CBC, "0x000102030405060708090a0b0c0d0e0f", SHA,
	          SHA256_KEY),
	        L("IPv6", "::ffff:192.0.2.1", "::1", "0x6006", "NULL", "", SHA, SHA256_KEY),
	        /* the same SPI and destination as line 1, written otherwise */
	        L("IPv6", "2001:db8:ff::9", "2001:db8:ff::2", "0x6002", GCM, GCM256_KEY, "NULL",
	          ""),
	};
	char text[2048] = "";
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		strcat(strcat(text, lines[i]), "\n");
	parse(&r, text);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.l.n, 4);
	assert_int_equal(r.l.skipped, 1);
	assert_string_equal(r.msgs, "t:5: warning: SPI 0x00006002 to 2001:db8:ff::2 is already "
	                            "defined on line 1; this line is ignored\n");
	const struct esp_sa_entry *e = r.l.items;
	assert_int_equal(e[0].family, IP_FAMILY_V6);
	assert_false(e[0].any_dst);
	assert_int_equal(ip_addr_parse("2001:db8:ff::1", &a), 0);
	assert_true(ip_addr_eq(&e[0].cfg.src, &a));
	assert_int_equal(ip_addr_parse("2001:db8:ff::2", &a), 0);
	assert_true(ip_addr_eq(&e[0].cfg.dst, &a));
	assert_int_equal(e[0].cfg.spi, 0x6002);
	assert_int_equal(e[0].cfg.enc, IPSEC_ENC_AES_GCM16_256);
	/* "*": unset in the entry, :: in the engine's SA */
	assert_int_equal(e[1].family, IP_FAMILY_V6);
	assert_true(e[1].any_dst && !ip_addr_is_set(&e[1].cfg.src) &&
	            !ip_addr_is_set(&e[1].cfg.dst));
	struct ipsec_sa_config c = esp_sa_entry_config(&e[1], IPSEC_MODE_TUNNEL);
	assert_int_equal(ip_addr_parse("::", &a), 0);
	assert_true(ip_addr_eq(&c.src, &a) && ip_addr_eq(&c.dst, &a));
	assert_int_equal(c.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(e[2].family, IP_FAMILY_V4);
	assert_true(e[2].any_dst);
	c = esp_sa_entry_config(&e[2], IPSEC_MODE_TRANSPORT);
	assert_int_equal(c.dst.family, IP_FAMILY_V4);
	assert_int_equal(ip_addr_v4_value(&c.dst), 1);
	/* an IPv4-mapped address is IPv6 text (RFC 4291 §2.5.5.2) */
	assert_int_equal(e[3].family, IP_FAMILY_V6);
	assert_int_equal(e[3].cfg.src.family, IP_FAMILY_V6);
	/* every one an SA the engine takes */
	struct ipsec *engine = ipsec_new(&(struct ipsec_host_ops){0}, NULL);
	char err[256] = "";
	assert_non_null(engine);
	for (size_t i = 0; i < r.l.n; i++) {
		c = esp_sa_entry_config(&e[i], IPSEC_MODE_TUNNEL);
		assert_int_equal(ipsec_sa_add(engine, &c, NULL, err, sizeof err), 0);
	}
	ipsec_free(engine);
	esp_sa_list_free(&r.l);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("\"IPv4\",\"1.2.3.4\"", "t:2: expected 8 fields, found 2\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, "NULL", "") ",\"x\"",
	             "t:2: expected 8 fields, found 9 or more\n");
	expect_error("\"IPv4\",\"1.2.3.4",
	             "t:2: column 8: unterminated quoted field (source address)\n");
	expect_error("\"IPv4\"x,", "t:2: column 7: expected ',' after field 1\n");
	expect_error("\"IP\\q\"", "t:2: column 4: unknown escape '\\q'\n");
	expect_error("\"IP\\x4\"", "t:2: column 4: '\\x' must be followed by two hex digits\n");
	expect_error(L("IPv5", "1.1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: protocol must be \"IPv4\" or \"IPv6\", got \"IPv5\"\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", "AES-GCM", GCM256_KEY, "NULL", ""),
	             "t:2: unknown encryption algorithm \"AES-GCM\" (expected a Wireshark name "
	             "such as \"AES-GCM with 16 octet ICV [RFC4106]\", \"AES-CBC [RFC3602]\" or "
	             "\"NULL\")\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, "SHA256", ""),
	             "t:2: unknown authentication algorithm \"SHA256\" (expected a Wireshark "
	             "name such as \"HMAC-SHA-256-128 [RFC4868]\" or \"NULL\")\n");
	expect_error(L("IPv4", "1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: source address \"1.1.1\" is not an IPv4 address\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.256", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: destination address \"2.2.2.256\" is not an IPv4 address\n");
	expect_error(L("IPv6", "2001:db8::1", "2001:db8::g", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: destination address \"2001:db8::g\" is not an IPv6 address\n");
	expect_error(L("IPv6", "2001:db8:::1", "2001:db8::2", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: source address \"2001:db8:::1\" is not an IPv6 address\n");
	expect_error(L("IPv6", "2001:db8::1", "192.0.2.2", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: destination address \"192.0.2.2\" is an IPv4 address on an \"IPv6\" "
	             "line\n");
	expect_error(L("IPv4", "2001:db8::1", "192.0.2.2", "0x1", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: source address \"2001:db8::1\" is an IPv6 address on an \"IPv4\" "
	             "line\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1g", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: SPI \"0x1g\" is not a 32-bit number (e.g. \"0x00001001\")\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x100000000", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: SPI \"0x100000000\" is not a 32-bit number (e.g. \"0x00001001\")\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "4294967296", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: SPI \"4294967296\" is not a 32-bit number (e.g. \"0x00001001\")\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: SPI \"\" is not a 32-bit number (e.g. \"0x00001001\")\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x0", GCM, GCM256_KEY, "NULL", ""),
	             "t:2: SPI 0 is reserved (RFC 4303 §2.1)\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM,
	               "0x0102030405060708090a0b0c0d0e0f10", "NULL", ""),
	             "t:2: AES-GCM with 16 octet ICV [RFC4106]: encryption key is 16 bytes; "
	             "expected the key followed by the 4-byte salt (RFC 4106 §8.1): 20 bytes "
	             "(AES-128) or 36 (AES-256)\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, "0x123", "NULL", ""),
	             "t:2: encryption key \"0x123\" has an odd number of hex digits\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, "0x12zz", "NULL", ""),
	             "t:2: encryption key \"0x12zz\": 'z' is not a hex digit\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", CBC,
	               "0x000102030405060708090a0b0c0d0e0f0001020304050607", SHA, SHA256_KEY),
	             "t:2: AES-CBC [RFC3602]: encryption key is 24 bytes; the engine supports "
	             "AES-128 (16 bytes) or AES-256 (32 bytes)\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", CBC,
	               "0x000102030405060708090a0b0c0d0e0f", SHA, "0x0001"),
	             "t:2: HMAC-SHA-256-128 [RFC4868]: authentication key is 2 bytes; expected "
	             "32 (RFC 4868 §2.1.1)\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", "NULL", "0x00", SHA, SHA256_KEY),
	             "t:2: NULL encryption takes no key, got 1 bytes\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", CBC,
	               "0x000102030405060708090a0b0c0d0e0f", "NULL", "0x00"),
	             "t:2: NULL authentication takes no key, got 1 bytes\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, SHA, SHA256_KEY),
	             "t:2: AES-GCM with 16 octet ICV [RFC4106] has its own ICV: authentication "
	             "must be \"NULL\", got \"HMAC-SHA-256-128 [RFC4868]\"\n");
	expect_error(L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", "ChaCha20 with Poly1305 [RFC7634]",
	               "0x0001", "NULL", ""),
	             "t:2: ChaCha20 with Poly1305 [RFC7634]: encryption key is 2 bytes; expected "
	             "36 (32-byte key and 4-byte salt, RFC 7634 §2)\n");
}

/* Several bad lines: every one reported with its own line number, good
 * lines between them still parsed, rc 2. */
static void test_errors_keep_going(void **state)
{
	(void)state;
	struct result r;
	parse(&r, L("IPv4", "1.1.1.1", "2.2.2.2", "0x1", GCM, GCM256_KEY, "NULL",
	            "") "\n" L("IPv4", "1.1.1", "2.2.2.2", "0x2", GCM, GCM256_KEY, "NULL",
	                       "") "\n"
	                           "# comment\n" L("IPv4", "1.1.1.1", "2.2.2.2", "0x0", GCM, "0x01",
	                                           "NULL", "") "\n");
	assert_int_equal(r.rc, 2);
	assert_string_equal(
	        r.msgs,
	        "t:2: source address \"1.1.1\" is not an IPv4 address\n"
	        "t:4: SPI 0 is reserved (RFC 4303 §2.1)\n"
	        "t:4: AES-GCM with 16 octet ICV [RFC4106]: encryption key is 1 bytes; expected "
	        "the key followed by the 4-byte salt (RFC 4106 §8.1): 20 bytes (AES-128) or 36 "
	        "(AES-256)\n");
	esp_sa_list_free(&r.l);
}

static void test_error_limit(void **state)
{
	(void)state;
	struct result r;
	char *text = calloc(1, 30 * 16 + 1);
	for (int i = 0; i < 30; i++)
		strcat(text, "\"IPv4\",\"1\"\n");
	parse(&r, text);
	free(text);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.msgs, "t:20: expected 8 fields"));
	assert_null(strstr(r.msgs, "t:21:"));
	assert_non_null(strstr(r.msgs, "t: 10 more errors not shown\n"));
	esp_sa_list_free(&r.l);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct esp_sa_list l;
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	int rc = esp_sa_file_load("/nonexistent/esp_sa", &l, f);
	fclose(f);
	assert_int_equal(rc, 2);
	assert_string_equal(buf, "/nonexistent/esp_sa: No such file or directory\n");
	esp_sa_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gcm_line_from_keys_export),
	        cmocka_unit_test(test_cbc_hmac_null),
	        cmocka_unit_test(test_chacha_newer_wireshark_name),
	        cmocka_unit_test(test_skipped_lines_warn),
	        cmocka_unit_test(test_wildcard_addresses),
	        cmocka_unit_test(test_ipv6_rows),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_errors_keep_going),
	        cmocka_unit_test(test_error_limit),
	        cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
