/* Security Association configuration checks and setup (RFC 4301 §4.4.2). */
#include "sa.h"
#include "errf.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lifetime_check(const char *what, uint64_t soft, uint64_t hard, char *err, size_t errlen)
{
	if (soft && hard && soft >= hard)
		return errf(err, errlen,
		            "soft lifetime %s (%llu) must be below the hard lifetime %s (%llu)",
		            what, (unsigned long long)soft, what, (unsigned long long)hard);
	return 0;
}

int sa_config_check(const struct ipsec_sa_config *cfg, char *err, size_t errlen)
{
	const struct enc_transform *enc;
	const struct integ_transform *integ;
	const char *proto;

	if (cfg->dir != IPSEC_DIR_IN && cfg->dir != IPSEC_DIR_OUT)
		return errf(err, errlen, "SA direction must be in or out");
	if (cfg->protocol != IPSEC_PROTO_ESP && cfg->protocol != IPSEC_PROTO_AH)
		return errf(err, errlen, "SA protocol must be esp (50) or ah (51), got %d",
		            (int)cfg->protocol);
	proto = cfg->protocol == IPSEC_PROTO_ESP ? "ESP" : "AH";
	if (cfg->mode != IPSEC_MODE_TRANSPORT && cfg->mode != IPSEC_MODE_TUNNEL)
		return errf(err, errlen, "SA mode must be transport or tunnel");
	enc = enc_transform(cfg->enc);
	integ = integ_transform(cfg->integ);
	if (!enc)
		return errf(err, errlen, "unknown encryption transform %d", (int)cfg->enc);
	if (!integ)
		return errf(err, errlen, "unknown integrity transform %d", (int)cfg->integ);
	/* RFC 4303 §2.1: SPI 0 is reserved for local use, never sent. */
	if (cfg->spi == 0)
		return errf(err, errlen, "%s SPI 0 is reserved (RFC 4303 §2.1, RFC 4302 §2.4)",
		            proto);
	if (cfg->protocol == IPSEC_PROTO_AH) {
		if (cfg->enc != IPSEC_ENC_NULL)
			return errf(err, errlen,
			            "AH (RFC 4302) provides no encryption: encryption must be "
			            "null, got %s",
			            enc->name);
		if (cfg->integ == IPSEC_INTEG_NONE)
			return errf(err, errlen,
			            "AH (RFC 4302) needs an integrity transform "
			            "(hmac-sha256-128, hmac-sha384-192 or hmac-sha512-256)");
		if (cfg->encap_sport || cfg->encap_dport)
			return errf(err, errlen,
			            "UDP encapsulation (RFC 3948) applies to ESP only, not AH");
	} else {
		if ((enc->aead || enc->gmac) && cfg->integ != IPSEC_INTEG_NONE)
			return errf(err, errlen,
			            "%s is a combined-mode transform with its own ICV; "
			            "integrity must be none, got %s",
			            enc->name, integ->name);
		/* RFC 4303 §3.2: confidentiality, integrity or both; never neither. */
		if (cfg->enc == IPSEC_ENC_NULL && cfg->integ == IPSEC_INTEG_NONE)
			return errf(err, errlen,
			            "ESP with null encryption needs an integrity transform "
			            "(RFC 4303 §3.2: NULL encryption and no integrity is not "
			            "allowed)");
	}
	if (cfg->enc_key_len != enc->key_len + enc->salt_len) {
		if (enc->salt_len)
			return errf(err, errlen,
			            "%s needs %zu bytes of keying material (key + %zu-byte "
			            "salt), got %zu",
			            enc->name, enc->key_len + enc->salt_len, enc->salt_len,
			            cfg->enc_key_len);
		return errf(err, errlen, "%s needs a %zu-byte key, got %zu", enc->name,
		            enc->key_len, cfg->enc_key_len);
	}
	if (cfg->integ_key_len != integ->key_len)
		return errf(err, errlen, "%s needs a %zu-byte key (RFC 4868 §2.1.1), got %zu",
		            integ->name, integ->key_len, cfg->integ_key_len);
	if (cfg->dir == IPSEC_DIR_IN && cfg->replay_window &&
	    (cfg->replay_window % 32 || cfg->replay_window > REPLAY_MAX_WINDOW))
		return errf(err, errlen,
		            "replay window must be 0 (off) or a multiple of 32 up to %d, got %u",
		            REPLAY_MAX_WINDOW, cfg->replay_window);
	if ((cfg->encap_sport == 0) != (cfg->encap_dport == 0))
		return errf(err, errlen,
		            "UDP encapsulation needs both ports (got source %u, destination %u)",
		            cfg->encap_sport, cfg->encap_dport);
	if (cfg->mode == IPSEC_MODE_TUNNEL &&
	    (!ip_addr_is_set(&cfg->src) || !ip_addr_is_set(&cfg->dst)))
		return errf(err, errlen,
		            "tunnel mode needs both tunnel endpoint addresses (src and dst)");
	if (ip_addr_is_set(&cfg->src) && ip_addr_is_set(&cfg->dst) &&
	    cfg->src.family != cfg->dst.family)
		return errf(err, errlen, "src and dst are of different address families");
	if (cfg->df != IPSEC_DF_COPY && cfg->df != IPSEC_DF_SET && cfg->df != IPSEC_DF_CLEAR)
		return errf(err, errlen, "df must be copy, set or clear");
	if (lifetime_check("bytes", cfg->soft.bytes, cfg->hard.bytes, err, errlen) ||
	    lifetime_check("packets", cfg->soft.packets, cfg->hard.packets, err, errlen) ||
	    lifetime_check("seconds", cfg->soft.seconds, cfg->hard.seconds, err, errlen))
		return -1;
	return 0;
}

static uint64_t deadline(uint64_t now_ns, uint64_t seconds)
{
	if (!seconds)
		return SA_NO_DEADLINE;
	if (seconds > (SA_NO_DEADLINE - now_ns) / 1000000000u)
		return SA_NO_DEADLINE - 1;
	return now_ns + seconds * 1000000000u;
}

struct ipsec_sa *sa_create(const struct ipsec_sa_config *cfg, uint64_t now_ns, char *err,
                           size_t errlen)
{
	struct ipsec_sa *sa = calloc(1, sizeof(*sa));

	if (!sa) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	sa->cfg = *cfg;
	if (sa_crypto_init(&sa->crypto, cfg->enc, cfg->integ, cfg->enc_key, cfg->integ_key,
	                   cfg->dir == IPSEC_DIR_OUT, err, errlen)) {
		free(sa);
		return NULL;
	}
	sa->icv_len = sa->crypto.enc->icv_len ? sa->crypto.enc->icv_len : sa->crypto.integ->icv_len;
	replay_init(&sa->replay, cfg->dir == IPSEC_DIR_IN ? cfg->replay_window : 0);
	sa->soft_deadline_ns = deadline(now_ns, cfg->soft.seconds);
	sa->hard_deadline_ns = deadline(now_ns, cfg->hard.seconds);
	return sa;
}

void sa_destroy(struct ipsec_sa *sa)
{
	if (!sa)
		return;
	sa_crypto_free(&sa->crypto);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}
