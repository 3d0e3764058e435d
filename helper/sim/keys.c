#include "keys.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "units.h"

/* Wireshark's ESP preference names for our transforms (packet-ipsec.c's
 * esp_encryption_type_vals); NULL where that version cannot decrypt
 * (ChaCha20-Poly1305 before 4.2, whose table does not have the name and
 * reports the line as an error) or would misparse (AES-GMAC: IV and ICV
 * taken for the inner packet): such SAs are left out of its table. */
static const char *wireshark_enc(enum ipsec_enc enc, enum keys_wireshark w)
{
	switch (enc) {
	case IPSEC_ENC_NULL:
		return "NULL";
	case IPSEC_ENC_AES_CBC_128:
	case IPSEC_ENC_AES_CBC_256:
		return "AES-CBC [RFC3602]";
	case IPSEC_ENC_AES_GCM16_128:
	case IPSEC_ENC_AES_GCM16_256:
		return "AES-GCM with 16 octet ICV [RFC4106]";
	case IPSEC_ENC_CHACHA20_POLY1305: /* RFC 7634: key and salt, 36 bytes */
		return w == KEYS_WIRESHARK_4_2 ? "ChaCha20 with Poly1305 [RFC7634]" : NULL;
	case IPSEC_ENC_AES_GMAC_128:
	case IPSEC_ENC_AES_GMAC_256:
	case IPSEC_ENC__COUNT:
		break;
	}
	return NULL;
}

static const char *wireshark_integ(enum ipsec_integ integ)
{
	switch (integ) {
	case IPSEC_INTEG_HMAC_SHA256_128:
		return "HMAC-SHA-256-128 [RFC4868]";
	case IPSEC_INTEG_HMAC_SHA384_192:
		return "HMAC-SHA-384-192 [RFC4868]";
	case IPSEC_INTEG_HMAC_SHA512_256:
		return "HMAC-SHA-512-256 [RFC4868]";
	default:
		return "NULL";
	}
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	fputs("0x", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* A UDP-encapsulated SA (RFC 3948) crosses NATs that rewrite its
 * addresses on the way, and an SA that moved (MOBIKE, RFC 4555) had other
 * addresses before: its row says "*" (any) for both, so that every
 * capture point's copy decrypts, before and after, not only the one its
 * final addresses are seen at (between two NATs, neither end's are). */
static bool any_address(const struct keys *k, size_t i)
{
	const struct ipsec_sa_config *c = k->sas[i];

	return c->encap_sport || c->encap_dport || (k->stats && k->stats[i]->readdressed);
}

static bool same_sa(const struct keys *k, size_t i, size_t j)
{
	const struct ipsec_sa_config *a = k->sas[i], *b = k->sas[j];

	return a->protocol == b->protocol && a->spi == b->spi &&
	       (any_address(k, i) && any_address(k, j)
	                ? true
	                : ip_addr_eq(&a->src, &b->src) && ip_addr_eq(&a->dst, &b->dst));
}

struct collector {
	struct keys *k;
	const struct ipsec *engine;
	int rc;
};

static void collect_sa(void *arg, uint32_t id)
{
	struct collector *c = arg;
	struct keys *k = c->k;

	if (c->rc)
		return;
	if (k->n_sas == k->cap_sas) {
		size_t cap = k->cap_sas ? 2 * k->cap_sas : 64;
		const struct ipsec_sa_config **sas = realloc(k->sas, cap * sizeof *sas);
		if (sas)
			k->sas = sas;
		const struct ipsec_sa_stats **stats = realloc(k->stats, cap * sizeof *stats);
		if (stats)
			k->stats = stats;
		if (!sas || !stats) {
			c->rc = -1;
			return;
		}
		k->cap_sas = cap;
	}
	k->sas[k->n_sas] = ipsec_sa_config(c->engine, id);
	k->stats[k->n_sas++] = ipsec_sa_stats(c->engine, id);
}

int keys_add_engine(struct keys *k, const struct ipsec *engine)
{
	struct collector c = {k, engine, 0};

	ipsec_sa_foreach(engine, collect_sa, &c);
	return c.rc;
}

void keys_release(struct keys *k)
{
	free(k->sas);
	free(k->stats);
	k->sas = NULL;
	k->stats = NULL;
	k->n_sas = k->cap_sas = 0;
}

int keys_write_esp_sa(FILE *f, const struct keys *k, enum keys_wireshark w)
{
	int lines = 0;
	for (size_t i = 0; i < k->n_sas; i++) {
		const struct ipsec_sa_config *c = k->sas[i];
		const char *enc = wireshark_enc(c->enc, w);
		bool listed = false;
		for (size_t j = 0; j < i && !listed; j++)
			listed = same_sa(k, j, i);
		if (c->protocol != IPSEC_PROTO_ESP || !enc || listed)
			continue;
		char src[IP_ADDR_STRLEN] = "*", dst[IP_ADDR_STRLEN] = "*";
		if (!any_address(k, i)) {
			ip_addr_str(&c->src, src);
			ip_addr_str(&c->dst, dst);
		}
		fprintf(f, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"",
		        c->dst.family == IP_FAMILY_V6 ? "IPv6" : "IPv4", src, dst, c->spi, enc);
		if (c->enc != IPSEC_ENC_NULL)
			hex(f, c->enc_key, c->enc_key_len);
		fprintf(f, "\",\"%s\",\"", wireshark_integ(c->integ));
		if (c->integ != IPSEC_INTEG_NONE)
			hex(f, c->integ_key, c->integ_key_len);
		fputs("\"\n", f);
		lines++;
	}
	return ferror(f) ? -1 : lines;
}

static int write_ike_table(FILE *f, const struct keys *k)
{
	for (size_t i = 0; i < k->n_ike_lines; i++) {
		bool listed = false;
		for (size_t j = 0; j < i && !listed; j++)
			listed = !strcmp(k->ike_lines[j], k->ike_lines[i]);
		if (!listed)
			fprintf(f, "%s\n", k->ike_lines[i]);
	}
	return ferror(f) ? -1 : 0;
}

enum table { ESP_SA, ESP_SA_4_2, IKEV2_TABLE, PREFERENCES };

static int write_file(const char *dir, const char *name, const struct keys *k, enum table t)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = 0;
	switch (t) {
	case ESP_SA:
		rc = keys_write_esp_sa(f, k, KEYS_WIRESHARK_4_0);
		break;
	case ESP_SA_4_2:
		rc = keys_write_esp_sa(f, k, KEYS_WIRESHARK_4_2);
		break;
	case IKEV2_TABLE:
		rc = write_ike_table(f, k);
		break;
	case PREFERENCES:
		rc = fputs("esp.enable_encryption_decode: TRUE\n"
		           "esp.enable_authentication_check: TRUE\n",
		           f) < 0
		             ? -1
		             : 0;
		break;
	}
	if (fclose(f) != 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

int keys_export(const char *dir, const struct keys *k)
{
	char keys[4096], home[4096];
	snprintf(keys, sizeof keys, "%s/keys", dir);
	snprintf(home, sizeof home, "%s/keys-home/.config/wireshark", dir);
	if (mkdirs(keys) != 0 || mkdirs(home) != 0)
		return -1;
	const char *dirs[] = {keys, home};
	for (int i = 0; i < 2; i++)
		if (write_file(dirs[i], "esp_sa", k, ESP_SA) != 0 ||
		    write_file(dirs[i], "ikev2_decryption_table", k, IKEV2_TABLE) != 0)
			return -1;
	/* beside, not in keys-home: Wireshark 4.0 (Debian 12's) reports the
	 * ChaCha20-Poly1305 lines as errors */
	if (write_file(keys, "esp_sa-wireshark-4.2", k, ESP_SA_4_2) != 0)
		return -1;
	return write_file(home, "preferences", k, PREFERENCES);
}
