/* IKE_SA_INIT requests of a flood (flood_ike.h). */
#include "flood_ike.h"

#include <stdlib.h>
#include <string.h>

#include "ike_crypto.h"
#include "ike_proposal.h"

#define KEY_POOL 8       /* key pairs, used in turn */
#define KEY_TRIES 16     /* draws for an ECP scalar that must be below the order */
#define NONCE_LEN 32     /* RFC 7296 §2.10: at least half the PRF's key size */
#define MODP_EXPONENT 32 /* bytes: twice the strength of MODP-2048/3072 (RFC 3526 §8) */

struct flood_ike {
	flood_random_fn rnd;
	void *arg;
	struct ike_proposal_list props;
	uint16_t group;
	struct ike_dh *keys[KEY_POOL];
	size_t next;
};

/* The private key's length for ike_dh_new_private() (ike_crypto.h). */
static size_t private_len(uint16_t group)
{
	switch (group) {
	case IKE_DH_ECP_256:
	case IKE_DH_ECP_384:
	case IKE_DH_ECP_521:
		return ike_dh_public_len(group) / 2; /* the field length */
	case IKE_DH_CURVE25519:
		return 32;
	default:
		return MODP_EXPONENT;
	}
}

static struct ike_dh *key_pair(struct flood_ike *k)
{
	uint8_t priv[IKE_DH_MAX_PUBLIC];
	size_t len = private_len(k->group);
	char err[128];
	for (int i = 0; i < KEY_TRIES; i++) {
		k->rnd(k->arg, priv, len);
		if (k->group == IKE_DH_ECP_521)
			priv[0] &= 0x01; /* 521 bits */
		struct ike_dh *dh = ike_dh_new_private(k->group, priv, len, err, sizeof err);
		if (dh)
			return dh;
	}
	return NULL;
}

struct flood_ike *flood_ike_new(const struct scenario_flood *f, flood_random_fn rnd, void *arg)
{
	struct flood_ike *k = calloc(1, sizeof *k);
	char err[256];
	if (!k)
		return NULL;
	k->rnd = rnd;
	k->arg = arg;
	k->group = f->dh_group;
	if (ike_proposals_parse(IKE_PROTO_IKE, f->proposals, &k->props, err, sizeof err) < 0)
		goto fail;
	for (size_t i = 0; i < KEY_POOL; i++)
		if (!(k->keys[i] = key_pair(k)))
			goto fail;
	return k;
fail:
	flood_ike_free(k);
	return NULL;
}

size_t flood_ike_request(struct flood_ike *k, uint8_t *buf, size_t cap)
{
	struct ike_header h = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR};
	struct ike_builder b;
	uint8_t nonce[NONCE_LEN];
	size_t pub_len, len;
	const uint8_t *pub = ike_dh_public(k->keys[k->next++ % KEY_POOL], &pub_len);

	k->rnd(k->arg, h.spi_i, IKE_SPI_LEN);
	k->rnd(k->arg, nonce, sizeof nonce);
	ike_builder_init(&b, buf, cap, &h);
	ike_add_sa(&b, k->props.p, k->props.n);
	ike_add_ke(&b, k->group, pub, pub_len);
	ike_add_nonce(&b, nonce, sizeof nonce);
	return ike_builder_finish(&b, &len) == 0 ? len : 0;
}

void flood_ike_free(struct flood_ike *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < KEY_POOL; i++)
		ike_dh_free(k->keys[i]);
	free(k);
}
