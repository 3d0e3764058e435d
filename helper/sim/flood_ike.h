/* IKE_SA_INIT requests as a flooding attacker sends them (RFC 7296 §1.2):
 * HDR(SPIi random, SPIr 0), SA, KEi, Ni -- real proposals and real public
 * values, so that a responder below its cookie threshold does the whole key
 * exchange for each.  The KE values come from a small pool of key pairs
 * made once (a real attacker would not pay a key exchange per packet
 * either); the private keys are drawn from the caller's random stream, so
 * runs are reproducible. */
#ifndef FLOOD_IKE_H
#define FLOOD_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Fills buf with len random bytes. */
typedef void (*flood_random_fn)(void *arg, uint8_t *buf, size_t len);

struct flood_ike;

/* Requests offering f->proposals with a KE of f->dh_group; NULL on error. */
struct flood_ike *flood_ike_new(const struct scenario_flood *f, flood_random_fn rnd, void *arg);
/* The next request (the UDP payload) into buf; its length, 0 on error. */
size_t flood_ike_request(struct flood_ike *k, uint8_t *buf, size_t cap);
void flood_ike_free(struct flood_ike *k);

#endif
