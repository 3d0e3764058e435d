/* The Security Association Database (RFC 4301 §4.4.2).  SAs are numbered
 * from 1 in the order they are added and kept (with their counters) after
 * they are deleted or expire; live inbound SAs are hashed by
 * (SPI, destination, protocol) for O(1) lookup (RFC 4301 §4.1). */
#ifndef IPSEC_SAD_H
#define IPSEC_SAD_H

#include "sa.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sad {
	struct ipsec_sa **sas; /* index = id - 1 */
	size_t count, cap;
	size_t first_live; /* every SA below this index is dead */
	struct ipsec_sa **buckets;
	size_t nbuckets; /* power of two */
	size_t nhashed;
	/* Every inbound SPI ever added: open addressing, 0 marks a free slot
	 * (SPI 0 is never an SA's, RFC 4303 §2.1). */
	uint32_t *spis;
	size_t nspi_slots, nspis; /* slots: zero or a power of two */
};

void sad_init(struct sad *sad);
void sad_free(struct sad *sad);

/* Take ownership of `sa`, give it an id and hash it if inbound.  0 or -1. */
int sad_insert(struct sad *sad, struct ipsec_sa *sa);

/* Any SA ever added (deleted and expired included), or NULL. */
struct ipsec_sa *sad_get(const struct sad *sad, uint32_t id);

/* The index in sas of the first SA that may be alive: scans over live SAs
 * start there, so that SAs long gone cost nothing. */
size_t sad_first_live(struct sad *sad);

/* True if an inbound SA with this SPI was ever added. */
bool sad_spi_used(const struct sad *sad, uint32_t spi);

/* RFC 4301 §4.1: the live inbound SA for (SPI, destination, protocol). */
struct ipsec_sa *sad_find_inbound(const struct sad *sad, uint32_t spi, const struct ip_addr *dst,
                                  uint8_t proto);

/* Take a (dead) inbound SA out of the lookup hash. */
void sad_unhash(struct sad *sad, struct ipsec_sa *sa);
/* A hashed inbound SA's destination address changes (RFC 4555 §3.5). */
void sad_set_dst(struct sad *sad, struct ipsec_sa *sa, const struct ip_addr *dst);

#endif
