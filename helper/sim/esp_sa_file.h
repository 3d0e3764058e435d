/* Wireshark's ESP SA table (`esp_sa`, a UAT file under
 * ~/.config/wireshark/), read into inbound engine SA configurations.
 *
 * One SA a line, eight quoted, comma-separated fields, as Wireshark 4.0
 * writes them (epan/dissectors/packet-ipsec.c, esp_uat_flds):
 *
 *   "IPv4","SRC","DST","0xSPI","ENCRYPTION","KEY","AUTHENTICATION","KEY"
 *
 * e.g.
 *
 *   "IPv4","192.0.2.1","192.0.2.2","0x00001001","AES-GCM with 16 octet ICV
 * [RFC4106]","0x<key||salt>","NULL",""
 *
 * Blank lines and lines starting with '#' are ignored.  Inside quotes, \\,
 * \" and \xHH are escapes (Wireshark's UAT quoting).  A key is "0x" and hex
 * digits, or else the bytes of the string itself (as Wireshark reads it).
 *
 * What the engine can use becomes an SA: encryption "NULL", "AES-CBC
 * [RFC3602]" (16- or 32-byte key: AES-128 or AES-256), "AES-GCM with 16
 * octet ICV [RFC4106]" (20 or 36 bytes: key and 4-byte salt), "ChaCha20 with
 * Poly1305 [RFC7634]" (36 bytes; a name newer Wireshark releases use);
 * authentication "NULL", "HMAC-SHA-256-128 [RFC4868]", "HMAC-SHA-384-192
 * [RFC4868]", "HMAC-SHA-512-256 [RFC4868]".
 *
 * The first field names the family of both addresses: "IPv4" (dotted quad)
 * or "IPv6" (RFC 4291 §2.2 text, e.g. "2001:db8::1"); an address of the
 * other family is an error.  "*" for an address is any address of the
 * line's family (what Wireshark's table allows, and what keys.c writes for
 * SAs whose addresses a NAT rewrites on the way).
 *
 * Lines Wireshark would accept but `decrypt` cannot use (a wildcard SPI or
 * partial wildcard address, 3DES, AES-CTR, GCM with 8/12-octet ICV,
 * HMAC-SHA-1, ..., or NULL encryption with NULL authentication) are skipped
 * with a warning "FILE:LINE: warning: ...".  Anything else wrong is an error
 * "FILE:LINE: message".
 */
#ifndef ESP_SA_FILE_H
#define ESP_SA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ipsec.h"

/* At most this many errors are printed. */
#define ESP_SA_MAX_ERRORS 20

struct esp_sa_entry {
	unsigned line; /* 1-based line in the file */
	/* dir IN, protocol ESP, mode TUNNEL (the file does not say: the caller
	 * decides), replay window 0 (off), no ESN, no encapsulation, zeroed
	 * selectors (every inner packet allowed). */
	struct ipsec_sa_config cfg;
	uint8_t family; /* IP_FAMILY_V4 ("IPv4") or IP_FAMILY_V6 ("IPv6") */
	/* The destination was "*" (any; cfg.dst is unset): decrypt_capture.c
	 * finds the SA by its SPI alone (RFC 4301 §4.1 allows it for unicast
	 * SAs), as Wireshark does.  A "*" source is unset in cfg.src; the
	 * inbound path does not look at it. */
	bool any_dst;
};

/* What a "*" address of `family` becomes in an engine's SA (tunnel mode
 * needs both endpoints): an address no packet is sent to -- IPv4 0.0.0.1
 * ("this network", RFC 1122 §3.2.1.3), IPv6 :: (the unspecified address,
 * RFC 4291 §2.5.2).  A packet for an SA of any destination is matched by
 * rewriting its destination to it. */
static inline struct ip_addr esp_sa_any_address(uint8_t family)
{
	struct ip_addr a = {.family = family};

	if (family == IP_FAMILY_V4)
		a.b[3] = 1;
	return a;
}

/* The entry's SA for an engine, in `mode`, "*" addresses as
 * esp_sa_any_address(). */
struct ipsec_sa_config esp_sa_entry_config(const struct esp_sa_entry *e, enum ipsec_mode mode);

struct esp_sa_list {
	struct esp_sa_entry *items;
	size_t n;
	size_t skipped; /* lines skipped with a warning */
};

/* Reads the table at `path`.  Returns 0 with *out filled (warnings printed
 * to `msgs`), or 2 after printing each error to `msgs` (at most
 * ESP_SA_MAX_ERRORS of them; an unreadable file is "PATH: strerror").
 * `msgs` may be NULL.  Call esp_sa_list_free() in both cases. */
int esp_sa_file_load(const char *path, struct esp_sa_list *out, FILE *msgs);
/* The same from text in memory; `name` names it in messages. */
int esp_sa_parse_text(const char *name, const char *text, size_t len, struct esp_sa_list *out,
                      FILE *msgs);
void esp_sa_list_free(struct esp_sa_list *l);

#endif
