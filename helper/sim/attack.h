/* An attacker node.  On path, a forwarding node that, on a schedule,
 * replays, tampers with or misaddresses the ESP and AH packets it forwards.
 * The legitimate packet is always forwarded too (tampered copies go first,
 * so they reach the receiver before the original and fail on their own
 * merit: ICV, length or SPI, not anti-replay).  Any attacker node can also
 * flood (flood.h). */
#ifndef ATTACK_H
#define ATTACK_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

struct attacker;

struct attacker *attacker_install(uint32_t node, const struct scenario_attack *attacks,
                                  size_t n_attacks);
/* How many forged or flood packets action a has sent, and their bytes. */
uint64_t attacker_performed(const struct attacker *a, size_t attack);
uint64_t attacker_bytes(const struct attacker *a, size_t attack);
void attacker_free(struct attacker *a);

#endif
