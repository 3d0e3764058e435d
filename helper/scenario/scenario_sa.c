/* Scenario loader: manually keyed SAs (`ipsec: sas:`), their transforms,
 * keys and lifetimes (docs/scenario-reference.md, "sas").
 */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

static const char *const sa_keys[] = {"name",      "dir",       "proto",         "mode",  "spi",
                                      "src",       "dst",       "enc",           "integ", "enc_key",
                                      "integ_key", "esn",       "replay_window", "soft",  "hard",
                                      "df",        "copy_dscp", "ttl",           "encap", NULL};
static const char *const lifetime_keys[] = {"bytes", "packets", "time", NULL};

static const struct name_val dir_names[] = {
        {"in", IPSEC_DIR_IN, false}, {"out", IPSEC_DIR_OUT, false}, {NULL, 0, false}};
static const struct name_val proto_names[] = {
        {"esp", IPSEC_PROTO_ESP, false}, {"ah", IPSEC_PROTO_AH, false}, {NULL, 0, false}};
static const struct name_val mode_names[] = {{"tunnel", IPSEC_MODE_TUNNEL, false},
                                             {"transport", IPSEC_MODE_TRANSPORT, false},
                                             {NULL, 0, false}};
static const struct name_val enc_names[] = {
        {"null", IPSEC_ENC_NULL, false},
        {"aes128", IPSEC_ENC_AES_CBC_128, false},
        {"aes256", IPSEC_ENC_AES_CBC_256, false},
        {"aes128gcm16", IPSEC_ENC_AES_GCM16_128, false},
        {"aes256gcm16", IPSEC_ENC_AES_GCM16_256, false},
        {"aes128gcm128", IPSEC_ENC_AES_GCM16_128, true},
        {"aes256gcm128", IPSEC_ENC_AES_GCM16_256, true},
        {"aes128gmac", IPSEC_ENC_AES_GMAC_128, false},
        {"aes256gmac", IPSEC_ENC_AES_GMAC_256, false},
        {"chacha20poly1305", IPSEC_ENC_CHACHA20_POLY1305, false},
        {NULL, 0, false}};
static const struct name_val integ_names[] = {{"none", IPSEC_INTEG_NONE, false},
                                              {"sha256", IPSEC_INTEG_HMAC_SHA256_128, false},
                                              {"sha384", IPSEC_INTEG_HMAC_SHA384_192, false},
                                              {"sha512", IPSEC_INTEG_HMAC_SHA512_256, false},
                                              {"sha2_256", IPSEC_INTEG_HMAC_SHA256_128, true},
                                              {"sha2_384", IPSEC_INTEG_HMAC_SHA384_192, true},
                                              {"sha2_512", IPSEC_INTEG_HMAC_SHA512_256, true},
                                              {NULL, 0, false}};
static const struct name_val df_names[] = {{"copy", IPSEC_DF_COPY, false},
                                           {"set", IPSEC_DF_SET, false},
                                           {"clear", IPSEC_DF_CLEAR, false},
                                           {NULL, 0, false}};

struct alg_info {
	size_t key_len; /* bytes of key, salt included */
	size_t salt_len;
	bool combined; /* AEAD or GMAC: provides integrity itself */
};

static const struct alg_info enc_info[IPSEC_ENC__COUNT] = {
        [IPSEC_ENC_NULL] = {0, 0, false},          [IPSEC_ENC_AES_CBC_128] = {16, 0, false},
        [IPSEC_ENC_AES_CBC_256] = {32, 0, false},  [IPSEC_ENC_AES_GCM16_128] = {20, 4, true},
        [IPSEC_ENC_AES_GCM16_256] = {36, 4, true}, [IPSEC_ENC_AES_GMAC_128] = {20, 4, true},
        [IPSEC_ENC_AES_GMAC_256] = {36, 4, true},  [IPSEC_ENC_CHACHA20_POLY1305] = {36, 4, true},
};

static const size_t integ_key_len[IPSEC_INTEG__COUNT] = {
        [IPSEC_INTEG_NONE] = 0,
        [IPSEC_INTEG_HMAC_SHA256_128] = 32,
        [IPSEC_INTEG_HMAC_SHA384_192] = 48,
        [IPSEC_INTEG_HMAC_SHA512_256] = 64,
};

const char *scenario_enc_name(enum ipsec_enc enc)
{
	return scn_name_of(enc_names, (int)enc);
}

const char *scenario_integ_name(enum ipsec_integ integ)
{
	return scn_name_of(integ_names, (int)integ);
}

/* A lifetime mapping {bytes, packets, time}; 0 = no limit in that unit. */
static void load_lifetime(struct ctx *c, yaml_node_t *v, const char *which, const char *sa,
                          struct ipsec_lifetime *lt, yaml_node_t *vn[3])
{
	char what[160];
	uint64_t ns;
	yaml_node_t *tv;

	snprintf(what, sizeof(what), "%s lifetime of SA '%s'", which, sa);
	if (!scn_want_map(c, v, what))
		return;
	scn_check_keys(c, v, what, lifetime_keys);
	if (scn_opt_size(c, v, "bytes", &lt->bytes, &vn[0]) == 1 && lt->bytes == 0)
		scn_error_at(c, vn[0], "a lifetime of 0 bytes: leave 'bytes' out for no limit");
	if (scn_opt_uint(c, v, "packets", 1, UINT64_MAX, &lt->packets, &vn[1]) == 1 &&
	    lt->packets == 0)
		scn_error_at(c, vn[1], "a lifetime of 0 packets: leave 'packets' out for no limit");
	if (scn_opt_time(c, v, "time", &ns, &tv) == 1) {
		vn[2] = tv;
		if (ns == 0)
			scn_error_at(c, tv, "a lifetime of 0 s: leave 'time' out for no limit");
		else if (ns % 1000000000)
			scn_error_at(c, tv, "lifetimes count whole seconds, got '%s'",
			             scn_text_of(tv));
		lt->seconds = ns / 1000000000;
	}
}

static size_t sa_index(const struct scenario_node *n, size_t upto, const char *name)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(n->sas[i].name, name) == 0)
			return i;
	return SCENARIO_NONE;
}

size_t scenario_sa_index(const struct scenario_node *n, const char *name)
{
	return sa_index(n, n->n_sas, name);
}

static const char *proto_name(enum ipsec_protocol p)
{
	return p == IPSEC_PROTO_AH ? "ah" : "esp";
}

/* ", which has no IPv6 address" when that is why a is not the node's. */
static const char *no_family(const struct scenario_node *nd, const struct ip_addr *a)
{
	if (scn_node_has_family(nd, a->family))
		return "";
	return a->family == IP_FAMILY_V4 ? ", which has no IPv4 address"
	                                 : ", which has no IPv6 address";
}

void scn_load_sa(struct load *L, size_t ni, size_t si, yaml_node_t *m, yaml_node_t **spi_nodes)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	struct scenario_sa *sa = &nd->sas[si];
	struct ipsec_sa_config *cfg = &sa->cfg;
	yaml_node_t *v, *sv = NULL, *dv = NULL, *ev = NULL, *iv = NULL;
	char what[160], a1[IP_ADDR_STRLEN], a2[IP_ADDR_STRLEN];
	const char *name;
	int x;
	uint64_t u;
	struct ip_addr src = {0}, dst = {0};
	bool dir_ok = false, src_ok = false, dst_ok = false, enc_ok = true, integ_ok = true;
	yaml_node_t *soft_n[3] = {NULL, NULL, NULL}, *hard_n[3] = {NULL, NULL, NULL};

	cfg->protocol = IPSEC_PROTO_ESP;
	cfg->mode = IPSEC_MODE_TUNNEL;
	cfg->enc = IPSEC_ENC_NULL;
	cfg->integ = IPSEC_INTEG_NONE;
	cfg->replay_window = 64;
	cfg->df = IPSEC_DF_COPY;
	cfg->copy_dscp = true;
	cfg->ttl = 64;
	snprintf(what, sizeof(what), "nodes.%s.ipsec.sas.%zu", nd->name, si);
	if (!scn_want_map(c, m, "an SA"))
		return;
	scn_check_keys(c, m, "SA", sa_keys);
	v = scn_get(c, m, "name");
	if (!v) {
		scn_missing(c, m, "name", what);
	} else if ((name = scn_name_value(c, v, "name")) != NULL) {
		if (sa_index(nd, si, name) != SCENARIO_NONE)
			scn_error_at(c, v, "duplicate SA name '%s' on node '%s'", name, nd->name);
		else
			strcpy(sa->name, name);
	}

	switch (scn_opt_enum(c, m, "dir", dir_names, "direction", &x, NULL)) {
	case 1:
		cfg->dir = (enum ipsec_dir)x;
		dir_ok = true;
		break;
	case 0:
		scn_missing(c, m, "dir", what);
		break;
	}
	if (scn_opt_enum(c, m, "proto", proto_names, "IPsec protocol", &x, NULL) == 1)
		cfg->protocol = (enum ipsec_protocol)x;
	if (scn_opt_enum(c, m, "mode", mode_names, "mode", &x, NULL) == 1)
		cfg->mode = (enum ipsec_mode)x;

	switch (scn_opt_uint(c, m, "spi", 0, UINT32_MAX, &u, &v)) {
	case 1:
		if (u < 256)
			scn_error_at(c, v,
			             "spi %s is reserved (RFC 4303 §2.1: 0 is invalid, 1..255 are "
			             "reserved): use 256..0xffffffff",
			             scn_text_of(v));
		cfg->spi = (uint32_t)u;
		spi_nodes[si] = v;
		break;
	case 0:
		scn_missing(c, m, "spi", what);
		break;
	}

	switch (scn_opt_addr(c, m, "src", &src, &sv)) {
	case 1:
		src_ok = true;
		break;
	case 0:
		scn_missing(c, m, "src", what);
		break;
	}
	switch (scn_opt_addr(c, m, "dst", &dst, &dv)) {
	case 1:
		dst_ok = true;
		break;
	case 0:
		scn_missing(c, m, "dst", what);
		break;
	}
	if (src_ok)
		cfg->src = src;
	if (dst_ok)
		cfg->dst = dst;
	if (L->suspect[ni])
		; /* its addresses are not all known */
	else if (src_ok && dst_ok && src.family != dst.family)
		scn_error_at(c, dv, "src %s and dst %s are of different families",
		             ip_addr_str(&src, a1), ip_addr_str(&dst, a2));
	else if (src_ok && dst_ok && ip_addr_eq(&src, &dst))
		scn_error_at(c, dv, "src and dst are both %s", ip_addr_str(&src, a1));
	else if (dir_ok && cfg->dir == IPSEC_DIR_OUT && src_ok &&
	         scn_iface_with_addr(nd, &src) == SCENARIO_NONE)
		scn_error_at(c, sv, "src %s of an outbound SA must be an address of node '%s'%s",
		             ip_addr_str(&src, a1), nd->name, no_family(nd, &src));
	else if (dir_ok && cfg->dir == IPSEC_DIR_IN && dst_ok &&
	         scn_iface_with_addr(nd, &dst) == SCENARIO_NONE)
		scn_error_at(c, dv, "dst %s of an inbound SA must be an address of node '%s'%s",
		             ip_addr_str(&dst, a1), nd->name, no_family(nd, &dst));

	/* Transforms. */
	switch (scn_opt_enum(c, m, "enc", enc_names, "encryption algorithm", &x, &ev)) {
	case 1:
		cfg->enc = (enum ipsec_enc)x;
		if (cfg->protocol == IPSEC_PROTO_AH && cfg->enc != IPSEC_ENC_NULL) {
			scn_error_at(c, ev,
			             "AH does not encrypt: leave 'enc' out, or use proto esp");
			enc_ok = false;
		}
		break;
	case 0:
		if (cfg->protocol == IPSEC_PROTO_ESP) {
			scn_error_at(
			        c, m,
			        "missing 'enc' in %s (ESP needs an encryption algorithm; 'null' "
			        "for integrity only)",
			        what);
			enc_ok = false;
		}
		break;
	default:
		enc_ok = false;
	}
	if (scn_opt_enum(c, m, "integ", integ_names, "integrity algorithm", &x, &iv) == -1)
		integ_ok = false;
	else if (iv)
		cfg->integ = (enum ipsec_integ)x;
	if (enc_ok && integ_ok) {
		const struct alg_info *ai = &enc_info[cfg->enc];

		if (ai->combined && cfg->integ != IPSEC_INTEG_NONE) {
			scn_error_at(c, iv,
			             "%s provides integrity itself (AEAD): integ must be none, got "
			             "'%s'",
			             scenario_enc_name(cfg->enc), scn_text_of(iv));
			integ_ok = false;
		} else if (cfg->protocol == IPSEC_PROTO_AH && cfg->integ == IPSEC_INTEG_NONE) {
			scn_error_at(
			        c, iv ? iv : m,
			        "AH needs an integrity algorithm: integ sha256, sha384 or sha512");
			integ_ok = false;
		} else if (cfg->protocol == IPSEC_PROTO_ESP && cfg->enc == IPSEC_ENC_NULL &&
		           cfg->integ == IPSEC_INTEG_NONE) {
			scn_error_at(c, iv ? iv : ev,
			             "ESP with enc null and integ none protects nothing (RFC 4303 "
			             "§3.2): choose an integrity algorithm");
			integ_ok = false;
		}
	}

	/* Keys: required exactly when the algorithm takes one. */
	v = scn_get(c, m, "enc_key");
	if (enc_ok) {
		const struct alg_info *ai = &enc_info[cfg->enc];
		const char *t;
		char err[256];

		if (ai->key_len == 0 && v) {
			scn_error_at(c, v, "enc_key given, but %s takes no key",
			             cfg->protocol == IPSEC_PROTO_AH ? "AH" : "enc null");
		} else if (ai->key_len && !v) {
			scn_missing(c, m, "enc_key", what);
		} else if (v && (t = scn_scalar(c, v, "enc_key")) != NULL) {
			if (units_hex_bytes(t, cfg->enc_key, sizeof(cfg->enc_key),
			                    &cfg->enc_key_len, err, sizeof(err)))
				scn_error_at(c, v, "enc_key: %s", err);
			else if (cfg->enc_key_len != ai->key_len && ai->salt_len)
				scn_error_at(
				        c, v,
				        "enc_key for %s must be %zu bytes (%zu-byte key + %zu-byte "
				        "salt), got %zu",
				        scenario_enc_name(cfg->enc), ai->key_len,
				        ai->key_len - ai->salt_len, ai->salt_len, cfg->enc_key_len);
			else if (cfg->enc_key_len != ai->key_len)
				scn_error_at(c, v, "enc_key for %s must be %zu bytes, got %zu",
				             scenario_enc_name(cfg->enc), ai->key_len,
				             cfg->enc_key_len);
		}
	}
	v = scn_get(c, m, "integ_key");
	if (integ_ok) {
		size_t want = integ_key_len[cfg->integ];
		const char *t;
		char err[256];

		if (want == 0 && v) {
			scn_error_at(c, v, "integ_key given, but integ is none");
		} else if (want && !v) {
			scn_missing(c, m, "integ_key", what);
		} else if (v && (t = scn_scalar(c, v, "integ_key")) != NULL) {
			if (units_hex_bytes(t, cfg->integ_key, sizeof(cfg->integ_key),
			                    &cfg->integ_key_len, err, sizeof(err)))
				scn_error_at(c, v, "integ_key: %s", err);
			else if (cfg->integ_key_len != want)
				scn_error_at(c, v, "integ_key for %s must be %zu bytes, got %zu",
				             scenario_integ_name(cfg->integ), want,
				             cfg->integ_key_len);
		}
	}

	scn_opt_bool(c, m, "esn", &cfg->esn);
	if (scn_opt_parse(c, m, "replay_window", scn_p_replay_window, &cfg->replay_window, &v) ==
	            1 &&
	    dir_ok && cfg->dir == IPSEC_DIR_OUT)
		scn_error_at(c, v, "replay_window applies to inbound SAs only");
	if (dir_ok && cfg->dir == IPSEC_DIR_OUT)
		cfg->replay_window = 0;

	if ((v = scn_get(c, m, "soft")) != NULL)
		load_lifetime(c, v, "soft", sa->name, &cfg->soft, soft_n);
	if ((v = scn_get(c, m, "hard")) != NULL)
		load_lifetime(c, v, "hard", sa->name, &cfg->hard, hard_n);
	{
		static const char *const unit[3] = {"bytes", "packets", "time"};
		const uint64_t sv3[3] = {cfg->soft.bytes, cfg->soft.packets, cfg->soft.seconds};
		const uint64_t hv3[3] = {cfg->hard.bytes, cfg->hard.packets, cfg->hard.seconds};

		for (int k = 0; k < 3; k++)
			if (soft_n[k] && hard_n[k] && sv3[k] && hv3[k] && sv3[k] >= hv3[k])
				scn_error_at(c, soft_n[k],
				             "soft %s limit (%s) must be below the hard one (%s)",
				             unit[k], scn_text_of(soft_n[k]),
				             scn_text_of(hard_n[k]));
	}

	/* Tunnel-only settings. */
	{
		static const char *const tunnel_only[] = {"df", "copy_dscp", "ttl"};

		for (int k = 0; k < 3; k++)
			if (cfg->mode == IPSEC_MODE_TRANSPORT &&
			    (v = scn_get(c, m, tunnel_only[k])))
				scn_error_at(c, v, "'%s' applies to tunnel mode only",
				             tunnel_only[k]);
	}
	if (scn_opt_enum(c, m, "df", df_names, "df setting", &x, NULL) == 1)
		cfg->df = (enum ipsec_df)x;
	scn_opt_bool(c, m, "copy_dscp", &cfg->copy_dscp);
	if (scn_opt_uint(c, m, "ttl", 1, 255, &u, NULL) == 1)
		cfg->ttl = (uint8_t)u;
	{
		bool encap = false;

		if (scn_opt_bool(c, m, "encap", &encap) == 1 && encap) {
			if (cfg->protocol == IPSEC_PROTO_AH)
				scn_error_at(c, scn_get(c, m, "encap"),
				             "UDP encapsulation (RFC 3948) is for ESP only");
			cfg->encap_sport = cfg->encap_dport = 4500;
		}
	}

	/* Inbound SAs are found by (spi, dst, protocol): RFC 4301 §4.1. */
	if (dir_ok && cfg->dir == IPSEC_DIR_IN && spi_nodes[si] && dst_ok) {
		for (size_t j = 0; j < si; j++) {
			const struct ipsec_sa_config *o = &nd->sas[j].cfg;

			if (spi_nodes[j] && o->dir == IPSEC_DIR_IN && o->spi == cfg->spi &&
			    ip_addr_eq(&o->dst, &cfg->dst) && o->protocol == cfg->protocol) {
				scn_error_at(
				        c, spi_nodes[si],
				        "inbound SA '%s' has the same spi 0x%x, dst %s and proto "
				        "%s as SA '%s'",
				        sa->name, cfg->spi, ip_addr_str(&cfg->dst, a2),
				        proto_name(cfg->protocol), nd->sas[j].name);
				break;
			}
		}
	}
}
