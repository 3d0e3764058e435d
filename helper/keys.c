#include "keys.h"

#include <string.h>

#include "paths.h"

/* Wireshark 4.0 ESP preference names for our transforms (packet-ipsec.c);
 * NULL where Wireshark 4.0 cannot decrypt (ChaCha20-Poly1305) or would
 * misparse (AES-GMAC: IV and ICV taken for the inner packet): such SAs are
 * left out of the table. */
static const char *wireshark_enc(enum ipsec_enc enc)
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
	case IPSEC_ENC_AES_GMAC_128:
	case IPSEC_ENC_AES_GMAC_256:
	case IPSEC_ENC_CHACHA20_POLY1305:
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

static void ip_text(char *buf, uint32_t a)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	fputs("0x", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static int listed_before(const struct scenario *s, size_t node, size_t sa)
{
	const struct ipsec_sa_config *c = &s->nodes[node].sas[sa].cfg;
	for (size_t n = 0; n <= node; n++)
		for (size_t i = 0; i < s->nodes[n].n_sas && (n < node || i < sa); i++) {
			const struct ipsec_sa_config *o = &s->nodes[n].sas[i].cfg;
			if (o->protocol == c->protocol && o->spi == c->spi && o->src == c->src &&
			    o->dst == c->dst)
				return 1;
		}
	return 0;
}

int keys_write_esp_sa(FILE *f, const struct scenario *s)
{
	int lines = 0;
	for (size_t n = 0; n < s->n_nodes; n++) {
		for (size_t i = 0; i < s->nodes[n].n_sas; i++) {
			const struct ipsec_sa_config *c = &s->nodes[n].sas[i].cfg;
			const char *enc = wireshark_enc(c->enc);
			if (c->protocol != IPSEC_PROTO_ESP || !enc || listed_before(s, n, i))
				continue;
			char src[16], dst[16];
			ip_text(src, c->src);
			ip_text(dst, c->dst);
			fprintf(f, "\"IPv4\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"", src, dst, c->spi,
			        enc);
			if (c->enc != IPSEC_ENC_NULL)
				hex(f, c->enc_key, c->enc_key_len);
			fprintf(f, "\",\"%s\",\"", wireshark_integ(c->integ));
			if (c->integ != IPSEC_INTEG_NONE)
				hex(f, c->integ_key, c->integ_key_len);
			fputs("\"\n", f);
			lines++;
		}
	}
	return ferror(f) ? -1 : lines;
}

static int write_file(const char *path, const struct scenario *s, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = text ? (fputs(text, f) < 0 ? -1 : 0) : keys_write_esp_sa(f, s);
	if (fclose(f) != 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

int keys_export(const char *dir, const struct scenario *s)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/keys", dir);
	if (mkdirs(path) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/keys/esp_sa", dir);
	if (write_file(path, s, NULL) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/keys-home/.config/wireshark", dir);
	if (mkdirs(path) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/keys-home/.config/wireshark/esp_sa", dir);
	if (write_file(path, s, NULL) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/keys-home/.config/wireshark/preferences", dir);
	return write_file(path, s,
	                  "esp.enable_encryption_decode: TRUE\n"
	                  "esp.enable_authentication_check: TRUE\n");
}
