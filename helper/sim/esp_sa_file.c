/* Wireshark's esp_sa table -> inbound SA configurations (esp_sa_file.h). */
#include "esp_sa_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_FIELDS 8
#define FIELD_MAX 512

enum { F_PROTO, F_SRC, F_DST, F_SPI, F_ENC, F_ENC_KEY, F_AUTH, F_AUTH_KEY };
static const char *const field_names[N_FIELDS] = {
        "protocol",
        "source address",
        "destination address",
        "SPI",
        "encryption algorithm",
        "encryption key",
        "authentication algorithm",
        "authentication key",
};

struct parser {
	const char *name;
	unsigned line;
	FILE *msgs;
	unsigned errors;
	struct esp_sa_list *out;
};

static void msg(struct parser *p, bool warning, const char *fmt, ...)
{
	va_list ap;
	if (!warning && ++p->errors > ESP_SA_MAX_ERRORS)
		return;
	if (!p->msgs)
		return;
	fprintf(p->msgs, "%s:%u: %s", p->name, p->line, warning ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(p->msgs, fmt, ap);
	va_end(ap);
	fputc('\n', p->msgs);
}

/* A field: bytes (no NUL inside for the text fields; keys may hold any). */
struct field {
	char s[FIELD_MAX + 1];
	size_t len;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Splits one line (without its newline) into fields, UAT style: each field
 * quoted ("..." with \\, \" and \xHH escapes) or bare (no quote or comma).
 * Returns the number of fields, or -1 after an error message. */
static int split(struct parser *p, const char *s, size_t len, struct field *f, int max)
{
	size_t i = 0;
	int n = 0;
	for (;;) {
		if (n == max) {
			/* count the rest for the message */
			int more = 1;
			bool q = false;
			for (; i < len; i++) {
				if (s[i] == '\\' && q)
					i++;
				else if (s[i] == '"')
					q = !q;
				else if (s[i] == ',' && !q)
					more++;
			}
			msg(p, false, "expected %d fields, found %d or more", max, max + more);
			return -1;
		}
		struct field *cur = &f[n++];
		cur->len = 0;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && s[i] == '"') {
			size_t col = i + 1;
			i++;
			for (;;) {
				if (i >= len) {
					msg(p, false, "column %zu: unterminated quoted field (%s)",
					    col, field_names[n - 1 < N_FIELDS ? n - 1 : 0]);
					return -1;
				}
				char c = s[i++];
				if (c == '"')
					break;
				if (c == '\\') {
					if (i >= len) {
						msg(p, false, "column %zu: '\\' at end of line", i);
						return -1;
					}
					char e = s[i++];
					if (e == 'x') {
						int h = i + 1 < len ? hexval(s[i]) : -1;
						int l = i + 1 < len ? hexval(s[i + 1]) : -1;
						if (h < 0 || l < 0) {
							msg(p, false,
							    "column %zu: '\\x' must be followed by "
							    "two hex digits",
							    i - 1);
							return -1;
						}
						c = (char)(h << 4 | l);
						i += 2;
					} else if (e == '\\' || e == '"') {
						c = e;
					} else {
						msg(p, false, "column %zu: unknown escape '\\%c'",
						    i - 1, e);
						return -1;
					}
				}
				if (cur->len == FIELD_MAX) {
					msg(p, false, "%s is longer than %d bytes",
					    field_names[n - 1 < N_FIELDS ? n - 1 : 0], FIELD_MAX);
					return -1;
				}
				cur->s[cur->len++] = c;
			}
		} else {
			while (i < len && s[i] != ',' && s[i] != '"') {
				if (cur->len == FIELD_MAX) {
					msg(p, false, "field %d is longer than %d bytes", n,
					    FIELD_MAX);
					return -1;
				}
				cur->s[cur->len++] = s[i++];
			}
			while (cur->len &&
			       (cur->s[cur->len - 1] == ' ' || cur->s[cur->len - 1] == '\t'))
				cur->len--;
			if (i < len && s[i] == '"') {
				msg(p, false,
				    "column %zu: unexpected '\"' inside an unquoted field", i + 1);
				return -1;
			}
		}
		cur->s[cur->len] = '\0';
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			return n;
		if (s[i] != ',') {
			msg(p, false, "column %zu: expected ',' after field %d", i + 1, n);
			return -1;
		}
		i++;
	}
}

static const char *family_name(uint8_t family)
{
	return family == IP_FAMILY_V6 ? "IPv6" : "IPv4";
}

/* An address of the line's `family` into *out, or "*" (any: *out stays
 * unset).  false after an error message. */
static bool parse_address(struct parser *p, const struct field *f, const char *what, uint8_t family,
                          struct ip_addr *out)
{
	struct ip_addr a;

	if (!strcmp(f->s, "*"))
		return true;
	if (ip_addr_parse(f->s, &a)) {
		msg(p, false, "%s address \"%s\" is not an %s address", what, f->s,
		    family_name(family));
		return false;
	}
	if (a.family != family) {
		msg(p, false, "%s address \"%s\" is an %s address on an \"%s\" line", what, f->s,
		    family_name(a.family), family_name(family));
		return false;
	}
	*out = a;
	return true;
}

static bool is_wildcard(const struct field *f)
{
	return !strcmp(f->s, "*") || strchr(f->s, '*') != NULL;
}

/* A key: "0x" + hex digits, else the bytes of the string (Wireshark's
 * rule).  Returns the length, or -1 after an error message. */
static long parse_key(struct parser *p, const struct field *f, const char *what, uint8_t *out,
                      size_t cap)
{
	if (f->len >= 2 && f->s[0] == '0' && (f->s[1] == 'x' || f->s[1] == 'X')) {
		size_t digits = f->len - 2;
		if (digits % 2) {
			msg(p, false, "%s \"%s\" has an odd number of hex digits", what, f->s);
			return -1;
		}
		if (digits / 2 > cap) {
			msg(p, false, "%s is %zu bytes long; at most %zu are used by any transform",
			    what, digits / 2, cap);
			return -1;
		}
		for (size_t i = 0; i < digits / 2; i++) {
			int h = hexval(f->s[2 + 2 * i]), l = hexval(f->s[3 + 2 * i]);
			if (h < 0 || l < 0) {
				msg(p, false, "%s \"%s\": '%c' is not a hex digit", what, f->s,
				    h < 0 ? f->s[2 + 2 * i] : f->s[3 + 2 * i]);
				return -1;
			}
			out[i] = (uint8_t)(h << 4 | l);
		}
		return (long)(digits / 2);
	}
	if (f->len > cap) {
		msg(p, false, "%s is %zu bytes long; at most %zu are used by any transform", what,
		    f->len, cap);
		return -1;
	}
	memcpy(out, f->s, f->len);
	return (long)f->len;
}

/* Wireshark 4.0's encryption names (esp_encryption_type_vals) and what the
 * engine makes of them.  `ok` false: a valid name the engine cannot use. */
static const struct {
	const char *name;
	bool ok;
	enum ipsec_enc enc128, enc256; /* by key length; same for NULL/ChaCha */
} enc_names[] = {
        {"NULL", true, IPSEC_ENC_NULL, IPSEC_ENC_NULL},
        {"AES-CBC [RFC3602]", true, IPSEC_ENC_AES_CBC_128, IPSEC_ENC_AES_CBC_256},
        {"AES-GCM with 16 octet ICV [RFC4106]", true, IPSEC_ENC_AES_GCM16_128,
         IPSEC_ENC_AES_GCM16_256},
        /* Wireshark 4.2 and later */
        {"ChaCha20 with Poly1305 [RFC7634]", true, IPSEC_ENC_CHACHA20_POLY1305,
         IPSEC_ENC_CHACHA20_POLY1305},
        {"TripleDES-CBC [RFC2451]", false, 0, 0},
        {"AES-CTR [RFC3686]", false, 0, 0},
        {"DES-CBC [RFC2405]", false, 0, 0},
        {"CAST5-CBC [RFC2144]", false, 0, 0},
        {"BLOWFISH-CBC [RFC2451]", false, 0, 0},
        {"TWOFISH-CBC", false, 0, 0},
        {"AES-GCM [RFC4106]", false, 0, 0},
        {"AES-GCM with 8 octet ICV [RFC4106]", false, 0, 0},
        {"AES-GCM with 12 octet ICV [RFC4106]", false, 0, 0},
        {"AES-GCM with IIV and 16 octet ICV [RFC4106 & RFC8750]", false, 0, 0},
        {"ChaCha20 with Poly1305 and IIV [RFC7634 & RFC8750]", false, 0, 0},
};

static const struct {
	const char *name;
	bool ok;
	enum ipsec_integ integ;
	size_t key_len; /* RFC 4868 §2.1.1: the key is as long as the hash */
} auth_names[] = {
        {"NULL", true, IPSEC_INTEG_NONE, 0},
        {"HMAC-SHA-256-128 [RFC4868]", true, IPSEC_INTEG_HMAC_SHA256_128, 32},
        {"HMAC-SHA-384-192 [RFC4868]", true, IPSEC_INTEG_HMAC_SHA384_192, 48},
        {"HMAC-SHA-512-256 [RFC4868]", true, IPSEC_INTEG_HMAC_SHA512_256, 64},
        {"HMAC-SHA-1-96 [RFC2404]", false, 0, 0},
        {"HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]", false, 0, 0},
        {"HMAC-MD5-96 [RFC2403]", false, 0, 0},
        {"MAC-RIPEMD-160-96 [RFC2857]", false, 0, 0},
        {"ANY 64 bit authentication [no checking]", false, 0, 0},
        {"ANY 96 bit authentication [no checking]", false, 0, 0},
        {"ANY 128 bit authentication [no checking]", false, 0, 0},
        {"ANY 192 bit authentication [no checking]", false, 0, 0},
        {"ANY 256 bit authentication [no checking]", false, 0, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int add_entry(struct parser *p, const struct ipsec_sa_config *cfg, uint8_t family,
                     bool any_dst)
{
	struct esp_sa_list *l = p->out;
	for (size_t i = 0; i < l->n; i++) {
		const struct ipsec_sa_config *o = &l->items[i].cfg;
		if (o->spi == cfg->spi && l->items[i].family == family &&
		    ip_addr_eq(&o->dst, &cfg->dst)) {
			char dst[IP_ADDR_STRLEN];

			msg(p, true,
			    "SPI 0x%08x to %s is already defined on line %u; this line is ignored",
			    cfg->spi, ip_addr_is_set(&cfg->dst) ? ip_addr_str(&cfg->dst, dst) : "*",
			    l->items[i].line);
			l->skipped++;
			return 0;
		}
	}
	struct esp_sa_entry *items = realloc(l->items, (l->n + 1) * sizeof *items);
	if (!items) {
		msg(p, false, "out of memory");
		return -1;
	}
	l->items = items;
	items[l->n].line = p->line;
	items[l->n].cfg = *cfg;
	items[l->n].family = family;
	items[l->n].any_dst = any_dst;
	l->n++;
	return 0;
}

static void parse_line(struct parser *p, const char *s, size_t len)
{
	struct field f[N_FIELDS];
	int n = split(p, s, len, f, N_FIELDS);
	if (n < 0)
		return;
	if (n != N_FIELDS) {
		msg(p, false, "expected %d fields, found %d", N_FIELDS, n);
		return;
	}

	/* Names first: an unknown name is an error even on a line skipped for
	 * another reason. */
	size_t e, a;
	for (e = 0; e < COUNT(enc_names) && strcmp(f[F_ENC].s, enc_names[e].name); e++)
		;
	for (a = 0; a < COUNT(auth_names) && strcmp(f[F_AUTH].s, auth_names[a].name); a++)
		;
	bool bad = false;
	if (strcmp(f[F_PROTO].s, "IPv4") && strcmp(f[F_PROTO].s, "IPv6")) {
		msg(p, false, "protocol must be \"IPv4\" or \"IPv6\", got \"%s\"", f[F_PROTO].s);
		bad = true;
	}
	if (e == COUNT(enc_names)) {
		msg(p, false,
		    "unknown encryption algorithm \"%s\" (expected a Wireshark name such as "
		    "\"AES-GCM with 16 octet ICV [RFC4106]\", \"AES-CBC [RFC3602]\" or \"NULL\")",
		    f[F_ENC].s);
		bad = true;
	}
	if (a == COUNT(auth_names)) {
		msg(p, false,
		    "unknown authentication algorithm \"%s\" (expected a Wireshark name such as "
		    "\"HMAC-SHA-256-128 [RFC4868]\" or \"NULL\")",
		    f[F_AUTH].s);
		bad = true;
	}
	if (bad)
		return;

	const char *skip = NULL;
	if (is_wildcard(&f[F_SPI]))
		skip = "wildcard SPI: the engine finds an SA by its SPI";
	else if ((is_wildcard(&f[F_SRC]) && strcmp(f[F_SRC].s, "*")) ||
	         (is_wildcard(&f[F_DST]) && strcmp(f[F_DST].s, "*")))
		skip = "partial wildcard address: only \"*\" (any) is read";
	else if (!enc_names[e].ok)
		skip = "encryption algorithm not supported by the engine";
	else if (!auth_names[a].ok)
		skip = "authentication algorithm not supported by the engine";
	if (skip) {
		msg(p, true, "%s (\"%s\" / \"%s\"); line skipped", skip, f[F_ENC].s, f[F_AUTH].s);
		p->out->skipped++;
		return;
	}

	struct ipsec_sa_config c;
	memset(&c, 0, sizeof c);
	c.dir = IPSEC_DIR_IN;
	c.protocol = IPSEC_PROTO_ESP;
	c.mode = IPSEC_MODE_TUNNEL;
	c.replay_window = 0;

	/* "*": any address (unset stands for it; decrypt_capture.c matches it) */
	uint8_t family = strcmp(f[F_PROTO].s, "IPv6") ? IP_FAMILY_V4 : IP_FAMILY_V6;
	bool any_dst = !strcmp(f[F_DST].s, "*");
	if (!parse_address(p, &f[F_SRC], "source", family, &c.src))
		bad = true;
	if (!parse_address(p, &f[F_DST], "destination", family, &c.dst))
		bad = true;
	{
		const char *t = f[F_SPI].s;
		bool hex = t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
		const char *d = hex ? t + 2 : t;
		size_t nd = strlen(d);
		bool ok = nd > 0 && nd <= (hex ? 8u : 10u);
		for (size_t i = 0; ok && i < nd; i++)
			ok = hex ? hexval(d[i]) >= 0 : (d[i] >= '0' && d[i] <= '9');
		unsigned long long v = ok ? strtoull(d, NULL, hex ? 16 : 10) : 0;
		if (!ok || v > UINT32_MAX) {
			msg(p, false, "SPI \"%s\" is not a 32-bit number (e.g. \"0x00001001\")", t);
			bad = true;
		} else if (v == 0) {
			msg(p, false, "SPI 0 is reserved (RFC 4303 §2.1)");
			bad = true;
		}
		c.spi = (uint32_t)v;
	}

	long kl = parse_key(p, &f[F_ENC_KEY], "encryption key", c.enc_key, sizeof c.enc_key);
	if (kl < 0) {
		bad = true;
	} else {
		c.enc_key_len = (size_t)kl;
		const char *en = enc_names[e].name;
		switch (enc_names[e].enc128) {
		case IPSEC_ENC_NULL:
			if (kl) {
				msg(p, false, "NULL encryption takes no key, got %ld bytes", kl);
				bad = true;
			}
			c.enc = IPSEC_ENC_NULL;
			break;
		case IPSEC_ENC_AES_CBC_128:
			if (kl != 16 && kl != 32) {
				msg(p, false,
				    "%s: encryption key is %ld bytes; the engine supports AES-128 "
				    "(16 bytes) or AES-256 (32 bytes)",
				    en, kl);
				bad = true;
			}
			c.enc = kl == 32 ? IPSEC_ENC_AES_CBC_256 : IPSEC_ENC_AES_CBC_128;
			break;
		case IPSEC_ENC_AES_GCM16_128:
			if (kl != 20 && kl != 36) {
				msg(p, false,
				    "%s: encryption key is %ld bytes; expected the key followed by "
				    "the 4-byte salt (RFC 4106 §8.1): 20 bytes (AES-128) or 36 "
				    "(AES-256)",
				    en, kl);
				bad = true;
			}
			c.enc = kl == 36 ? IPSEC_ENC_AES_GCM16_256 : IPSEC_ENC_AES_GCM16_128;
			break;
		case IPSEC_ENC_CHACHA20_POLY1305:
			if (kl != 36) {
				msg(p, false,
				    "%s: encryption key is %ld bytes; expected 36 (32-byte key and "
				    "4-byte salt, RFC 7634 §2)",
				    en, kl);
				bad = true;
			}
			c.enc = IPSEC_ENC_CHACHA20_POLY1305;
			break;
		default:
			break;
		}
	}

	long il =
	        parse_key(p, &f[F_AUTH_KEY], "authentication key", c.integ_key, sizeof c.integ_key);
	if (il < 0) {
		bad = true;
	} else {
		c.integ = auth_names[a].integ;
		c.integ_key_len = (size_t)il;
		if ((size_t)il != auth_names[a].key_len) {
			if (auth_names[a].key_len)
				msg(p, false,
				    "%s: authentication key is %ld bytes; expected %zu "
				    "(RFC 4868 §2.1.1)",
				    auth_names[a].name, il, auth_names[a].key_len);
			else
				msg(p, false, "NULL authentication takes no key, got %ld bytes",
				    il);
			bad = true;
		}
	}
	if (bad)
		return;

	bool aead = c.enc == IPSEC_ENC_AES_GCM16_128 || c.enc == IPSEC_ENC_AES_GCM16_256 ||
	            c.enc == IPSEC_ENC_CHACHA20_POLY1305;
	if (aead && c.integ != IPSEC_INTEG_NONE) {
		msg(p, false, "%s has its own ICV: authentication must be \"NULL\", got \"%s\"",
		    enc_names[e].name, f[F_AUTH].s);
		return;
	}
	if (c.enc == IPSEC_ENC_NULL && c.integ == IPSEC_INTEG_NONE) {
		/* What keys.c writes for AES-GMAC SAs (Wireshark 4.0 has no GMAC). */
		msg(p, true,
		    "NULL encryption with NULL authentication: nothing to decrypt or "
		    "verify; line skipped");
		p->out->skipped++;
		return;
	}
	add_entry(p, &c, family, any_dst);
}

int esp_sa_parse_text(const char *name, const char *text, size_t len, struct esp_sa_list *out,
                      FILE *msgs)
{
	struct parser p = {.name = name, .msgs = msgs, .out = out};
	memset(out, 0, sizeof *out);
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		size_t e = end;
		if (e > i && text[e - 1] == '\r')
			e--;
		size_t b = i;
		while (b < e && (text[b] == ' ' || text[b] == '\t'))
			b++;
		if (b < e && text[b] != '#')
			parse_line(&p, text + b, e - b);
		i = end + 1;
	}
	if (p.errors > ESP_SA_MAX_ERRORS && msgs)
		fprintf(msgs, "%s: %u more errors not shown\n", name, p.errors - ESP_SA_MAX_ERRORS);
	return p.errors ? 2 : 0;
}

int esp_sa_file_load(const char *path, struct esp_sa_list *out, FILE *msgs)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (msgs)
			fprintf(msgs, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				if (msgs)
					fprintf(msgs, "%s: out of memory\n", path);
				return 2;
			}
			buf = nb;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(buf);
		if (msgs)
			fprintf(msgs, "%s: read error\n", path);
		return 2;
	}
	int rc = esp_sa_parse_text(path, buf, len, out, msgs);
	free(buf);
	return rc;
}

void esp_sa_list_free(struct esp_sa_list *l)
{
	if (!l)
		return;
	free(l->items);
	memset(l, 0, sizeof *l);
}

struct ipsec_sa_config esp_sa_entry_config(const struct esp_sa_entry *e, enum ipsec_mode mode)
{
	struct ipsec_sa_config c = e->cfg;
	c.mode = mode;
	if (!ip_addr_is_set(&c.src))
		c.src = esp_sa_any_address(e->family);
	if (e->any_dst)
		c.dst = esp_sa_any_address(e->family);
	return c;
}
