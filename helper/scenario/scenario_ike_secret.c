/* Scenario loader: IKE secrets (`ipsec: secrets:`), swanctl.conf's
 *
 *   secrets { ike-gw { id = gwB; secret = "..." }  private-gw { file = gw.key } }
 *
 * as a list of {type: ike, id: ..., secret: ...} and {type: private, file:
 * gw.key} (also rsa, ecdsa, pkcs8: any unencrypted PEM private key), the
 * choice of the pre-shared key a connection uses, made as strongSwan makes
 * it, and the CAs of `ipsec: authorities:` (swanctl.conf authorities {
 * name { cacert = ca.pem } }).
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

static const char *const secret_keys[] = {"type", "name", "id", "secret", "file", NULL};
static const char *const authority_keys[] = {"name", "cacert", NULL};

/* swanctl.conf's other secret types (section name prefixes). */
static const struct name_val secret_types[] = {
        {"ike", 0, false},     {"eap", 1, false},   {"xauth", 2, false}, {"ntlm", 3, false},
        {"private", 4, false}, {"rsa", 5, false},   {"ecdsa", 6, false}, {"pkcs8", 7, false},
        {"pkcs12", 8, false},  {"token", 9, false}, {NULL, 0, false}};

/* RFC 4648 base64, as swanctl's "0s" prefix takes it. */
static int base64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int base64_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0, chars = 0, pad = 0;

	for (; *s; s++) {
		int v;

		if (*s == '=') {
			pad++;
			continue;
		}
		v = base64_value(*s);
		if (v < 0 || pad)
			return -1;
		chars++;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || (chars + pad) % 4 != 0 || chars % 4 == 1)
		return -1;
	*len = n;
	return 0;
}

/* swanctl.conf: "0x" hex, "0s" base64, anything else the string's bytes. */
static void secret_value(struct ctx *c, yaml_node_t *v, struct scenario_secret *sec)
{
	const char *t = scn_scalar(c, v, "secret");
	char err[256];

	if (!t)
		return;
	if (strncmp(t, "0x", 2) == 0) {
		if (units_hex_bytes(t, sec->secret, sizeof(sec->secret), &sec->secret_len, err,
		                    sizeof(err))) {
			scn_error_at(c, v, "secret: %s", err);
			sec->secret_len = 0;
			return;
		}
		if (sec->secret_len > sizeof(sec->secret)) {
			scn_error_at(c, v, "secret: %zu bytes, at most %zu", sec->secret_len,
			             sizeof(sec->secret));
			sec->secret_len = 0;
			return;
		}
	} else if (strncmp(t, "0s", 2) == 0) {
		if (base64_decode(t + 2, sec->secret, sizeof(sec->secret), &sec->secret_len)) {
			scn_error_at(c, v,
			             "secret: '0s' starts base64, and the rest is not valid base64 "
			             "of at most %zu bytes",
			             sizeof(sec->secret));
			sec->secret_len = 0;
			return;
		}
	} else if (strlen(t) > sizeof(sec->secret)) {
		scn_error_at(c, v, "secret: %zu bytes, at most %zu", strlen(t),
		             sizeof(sec->secret));
		return;
	} else {
		sec->secret_len = strlen(t);
		memcpy(sec->secret, t, sec->secret_len);
	}
	if (sec->secret_len == 0)
		scn_error_at(c, v, "secret: an empty pre-shared key");
}

void scn_load_ike_secrets(struct load *L, size_t ni, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];

	nd->n_secrets = scn_seq_len(list);
	nd->secrets = scn_arena_alloc(c->a, nd->n_secrets * sizeof(*nd->secrets));
	for (size_t i = 0; i < nd->n_secrets; i++) {
		struct scenario_secret *sec = &nd->secrets[i];
		yaml_node_t *m = scn_seq_item(c, list, i), *v;
		char what[160];
		const char *t;
		int x;

		snprintf(what, sizeof(what), "nodes.%s.ipsec.secrets.%zu", nd->name, i);
		snprintf(sec->name, sizeof(sec->name), "secrets.%zu", i);
		if (!scn_want_map(c, m, "a secret"))
			continue;
		scn_check_keys(c, m, "secret", secret_keys);
		if ((v = scn_get(c, m, "name")) && (t = scn_name_value(c, v, "name"))) {
			for (size_t j = 0; j < i; j++)
				if (strcmp(nd->secrets[j].name, t) == 0)
					scn_error_at(c, v,
					             "duplicate secret name '%s' on node '%s'", t,
					             nd->name);
			snprintf(sec->name, sizeof(sec->name), "%s", t);
		}
		x = 0;
		if (scn_opt_enum(c, m, "type", secret_types, "secret type", &x, &v) == 1 &&
		    x != 0 && (x < 4 || x > 7)) {
			scn_error_at(
			        c, v,
			        "secrets of type %s are not supported by this module: only ike "
			        "(pre-shared keys) and private (rsa, ecdsa, pkcs8: key files)",
			        scn_text_of(v));
			continue;
		}
		if (x >= 4) {
			/* A private key file: the connection whose certificate
			 * it matches uses it (strongSwan finds keys by their
			 * public key). */
			bool pki;

			if ((v = scn_get(c, m, "secret")) || (v = scn_get(c, m, "id")))
				scn_error_at(c, v,
				             "a %s secret is a key file: give file, not id or "
				             "secret",
				             secret_types[x].name);
			else if (!(v = scn_get(c, m, "file")))
				scn_missing(c, m, "file", what);
			else if ((sec->key_pem = scn_read_pem(L, v, "file", &pki, NULL)) && pki) {
				scn_error_at(c, v,
				             "file: pki certificates bring their own key: leave "
				             "this secret out");
				sec->key_pem = NULL;
			} else if (sec->key_pem && !strstr(sec->key_pem, "PRIVATE KEY-----")) {
				scn_error_at(c, v, "file: '%s' holds no PEM private key",
				             scn_text_of(v));
				sec->key_pem = NULL;
			}
			continue;
		}
		if ((v = scn_get(c, m, "file")))
			scn_error_at(c, v, "file: only for private key secrets (type: private)");
		if ((v = scn_get(c, m, "id")) != NULL) {
			size_t n = v->type == YAML_SEQUENCE_NODE ? scn_seq_len(v) : 1;

			if (n > SCENARIO_SECRET_IDS_MAX || n == 0) {
				scn_error_at(c, v, "'id' lists %zu identities: give 1 to %d", n,
				             SCENARIO_SECRET_IDS_MAX);
				n = 0;
			}
			for (size_t k = 0; k < n; k++) {
				yaml_node_t *iv =
				        v->type == YAML_SEQUENCE_NODE ? scn_seq_item(c, v, k) : v;

				if (!(t = scn_scalar(c, iv, "id")))
					continue;
				if (strlen(t) >= IKE_ID_MAX)
					scn_error_at(c, iv, "id: at most %d characters",
					             IKE_ID_MAX - 1);
				else
					strcpy(sec->ids[sec->n_ids++], t);
			}
		}
		if ((v = scn_get(c, m, "secret")) == NULL)
			scn_missing(c, m, "secret", what);
		else
			secret_value(c, v, sec);
	}
}

/* strongSwan's id_match_t, in the order of preference. */
enum id_match { ID_MATCH_NONE, ID_MATCH_ANY, ID_MATCH_WILDCARD, ID_MATCH_PERFECT };

/* How well identity `id` (of the IKE SA) matches `owner` (a secret's id):
 * identification_t's matches(): equal is perfect; an owner "%any" matches
 * anything; an owner "*@example.org" or "*.example.org" matches by suffix.
 * Identities compare without regard to case, as FQDNs and RFC 822
 * addresses do. */
static enum id_match id_match(const char *id, const char *owner)
{
	size_t li = strlen(id), lo = strlen(owner);

	if (strcmp(owner, "%any") == 0)
		return ID_MATCH_ANY;
	if (strcmp(id, "%any") == 0)
		return ID_MATCH_NONE;
	if (strcasecmp(id, owner) == 0)
		return ID_MATCH_PERFECT;
	if (owner[0] == '*' && lo > 1 && li >= lo - 1 &&
	    strcasecmp(id + li - (lo - 1), owner + 1) == 0)
		return ID_MATCH_WILDCARD;
	return ID_MATCH_NONE;
}

/* The best match of any of the secret's ids (none given: %any). */
static enum id_match owner_match(const struct scenario_secret *sec, const char *id)
{
	enum id_match best = ID_MATCH_NONE;

	if (sec->n_ids == 0)
		return ID_MATCH_ANY;
	for (size_t i = 0; i < sec->n_ids; i++) {
		enum id_match m = id_match(id, sec->ids[i]);

		if (m > best)
			best = m;
	}
	return best;
}

/* mem_cred's shared key filter skips a key matching neither identity;
 * credential_manager's get_shared() keeps the best match of the remote
 * identity, then of the local one (the first of equals). */
size_t scn_ike_secret_find(const struct scenario_node *nd, const char *me, const char *other,
                           size_t *tie)
{
	size_t best = SCENARIO_NONE;
	enum id_match best_me = ID_MATCH_NONE, best_other = ID_MATCH_NONE;

	*tie = SCENARIO_NONE;
	for (size_t i = 0; i < nd->n_secrets; i++) {
		const struct scenario_secret *sec = &nd->secrets[i];
		enum id_match m = owner_match(sec, me), o = owner_match(sec, other);

		if (sec->key_pem || (m == ID_MATCH_NONE && o == ID_MATCH_NONE))
			continue;
		if (best == SCENARIO_NONE || o > best_other || (o == best_other && m > best_me)) {
			best = i;
			best_me = m;
			best_other = o;
			*tie = SCENARIO_NONE;
		} else if (o == best_other && m == best_me && *tie == SCENARIO_NONE) {
			*tie = i;
		}
	}
	return best;
}

void scn_load_ike_authorities(struct load *L, size_t ni, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	size_t n = scn_seq_len(list), used = 0, cap = 0;
	char *all = NULL;

	if (!L->authorities)
		L->authorities = scn_arena_alloc(c->a, L->s->n_nodes * sizeof(*L->authorities));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = scn_seq_item(c, list, i), *v;
		char what[160];
		const char *pem;
		bool pki;
		size_t len;

		snprintf(what, sizeof(what), "nodes.%s.ipsec.authorities.%zu", nd->name, i);
		if (!scn_want_map(c, m, "an authority"))
			continue;
		scn_check_keys(c, m, "authority", authority_keys);
		if ((v = scn_get(c, m, "name")))
			scn_name_value(c, v, "name");
		if (!(v = scn_get(c, m, "cacert"))) {
			scn_missing(c, m, "cacert", what);
			continue;
		}
		if (!(pem = scn_read_pem(L, v, "cacert", &pki, NULL)))
			continue;
		len = strlen(pem);
		if (used + len + 2 > cap) {
			char *grown = scn_arena_alloc(c->a, cap = 2 * (used + len + 2));

			if (all)
				memcpy(grown, all, used);
			all = grown;
		}
		memcpy(all + used, pem, len);
		used += len;
		if (len && pem[len - 1] != '\n')
			all[used++] = '\n';
		all[used] = '\0';
	}
	L->authorities[ni] = all;
}
