/* Fixed keys shared by the IKE fuzz target and its seed generator, so that
 * seed messages with an SK payload open in the target. */
#ifndef IKE_FUZZ_KEYS_H
#define IKE_FUZZ_KEYS_H

#include "ike_crypto.h"

#include <stdint.h>

static const struct ike_suite ike_fuzz_suites[2] = {
        {IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE, IKE_DH_CURVE25519},
        {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
         IKE_DH_MODP_2048},
};

static inline void ike_fuzz_keys(uint8_t *sk_e, uint8_t *sk_a)
{
	for (int i = 0; i < IKE_ENCR_KEY_MAX; i++)
		sk_e[i] = (uint8_t)(0x11 * i + 3);
	for (int i = 0; i < IKE_INTEG_KEY_MAX; i++)
		sk_a[i] = (uint8_t)(0x07 * i + 5);
}

#endif
