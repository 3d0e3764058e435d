/* The Security Association Database (RFC 4301 §4.4.2). */
#include "sad.h"

#include <stdlib.h>

static size_t sad_hash(uint32_t spi, const struct ip_addr *dst, uint8_t proto, size_t nbuckets)
{
	uint64_t h = (uint64_t)spi * 0x9e3779b97f4a7c15u;

	h ^= ((uint64_t)ip_addr_hash(dst) << 8 | proto) * 0xc2b2ae3d27d4eb4fu;
	h ^= h >> 29;
	return (size_t)h & (nbuckets - 1);
}

static void sad_hash_insert(struct sad *sad, struct ipsec_sa *sa)
{
	size_t b = sad_hash(sa->cfg.spi, &sa->cfg.dst, (uint8_t)sa->cfg.protocol, sad->nbuckets);

	sa->hash_next = sad->buckets[b];
	sad->buckets[b] = sa;
}

static int sad_rehash(struct sad *sad, size_t nbuckets)
{
	struct ipsec_sa **old = sad->buckets;
	size_t oldn = sad->nbuckets;

	sad->buckets = calloc(nbuckets, sizeof(*sad->buckets));
	if (!sad->buckets) {
		sad->buckets = old;
		return -1;
	}
	sad->nbuckets = nbuckets;
	for (size_t i = 0; i < oldn; i++) {
		struct ipsec_sa *sa = old[i], *next;

		for (; sa; sa = next) {
			next = sa->hash_next;
			sad_hash_insert(sad, sa);
		}
	}
	free(old);
	return 0;
}

static size_t spi_slot(uint32_t spi, size_t nslots)
{
	return (size_t)(spi * 0x9e3779b1u) & (nslots - 1);
}

static void spi_put(uint32_t *slots, size_t nslots, uint32_t spi)
{
	size_t i = spi_slot(spi, nslots);

	while (slots[i] && slots[i] != spi)
		i = (i + 1) & (nslots - 1);
	slots[i] = spi;
}

/* Room for one more SPI, the table at most half full.  0 or -1. */
static int spi_reserve(struct sad *sad)
{
	size_t n = sad->nspi_slots ? sad->nspi_slots * 2 : 64;
	uint32_t *slots;

	if (2 * (sad->nspis + 1) <= sad->nspi_slots)
		return 0;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < sad->nspi_slots; i++)
		if (sad->spis[i])
			spi_put(slots, n, sad->spis[i]);
	free(sad->spis);
	sad->spis = slots;
	sad->nspi_slots = n;
	return 0;
}

bool sad_spi_used(const struct sad *sad, uint32_t spi)
{
	if (!sad->nspi_slots || !spi)
		return false;
	for (size_t i = spi_slot(spi, sad->nspi_slots); sad->spis[i];
	     i = (i + 1) & (sad->nspi_slots - 1))
		if (sad->spis[i] == spi)
			return true;
	return false;
}

void sad_init(struct sad *sad)
{
	*sad = (struct sad){0};
}

void sad_free(struct sad *sad)
{
	for (size_t i = 0; i < sad->count; i++)
		sa_destroy(sad->sas[i]);
	free(sad->sas);
	free(sad->buckets);
	free(sad->spis);
	*sad = (struct sad){0};
}

int sad_insert(struct sad *sad, struct ipsec_sa *sa)
{
	if (sad->count == UINT32_MAX)
		return -1;
	if (sad->count == sad->cap) {
		size_t cap = sad->cap ? sad->cap * 2 : 16;
		struct ipsec_sa **n = realloc(sad->sas, cap * sizeof(*n));

		if (!n)
			return -1;
		sad->sas = n;
		sad->cap = cap;
	}
	if (sa->cfg.dir == IPSEC_DIR_IN) {
		if ((sad->nhashed + 1 > sad->nbuckets &&
		     sad_rehash(sad, sad->nbuckets ? sad->nbuckets * 2 : 64)) ||
		    spi_reserve(sad))
			return -1;
		sad_hash_insert(sad, sa);
		sad->nhashed++;
		if (!sad_spi_used(sad, sa->cfg.spi)) {
			spi_put(sad->spis, sad->nspi_slots, sa->cfg.spi);
			sad->nspis++;
		}
	}
	sad->sas[sad->count++] = sa;
	sa->id = (uint32_t)sad->count;
	return 0;
}

struct ipsec_sa *sad_get(const struct sad *sad, uint32_t id)
{
	if (id == 0 || id > sad->count)
		return NULL;
	return sad->sas[id - 1];
}

size_t sad_first_live(struct sad *sad)
{
	while (sad->first_live < sad->count && !sa_alive(sad->sas[sad->first_live]))
		sad->first_live++;
	return sad->first_live;
}

struct ipsec_sa *sad_find_inbound(const struct sad *sad, uint32_t spi, const struct ip_addr *dst,
                                  uint8_t proto)
{
	struct ipsec_sa *sa;

	if (!sad->nbuckets)
		return NULL;
	sa = sad->buckets[sad_hash(spi, dst, proto, sad->nbuckets)];
	for (; sa; sa = sa->hash_next)
		if (sa->cfg.spi == spi && ip_addr_eq(&sa->cfg.dst, dst) &&
		    (uint8_t)sa->cfg.protocol == proto)
			return sa;
	return NULL;
}

void sad_unhash(struct sad *sad, struct ipsec_sa *sa)
{
	struct ipsec_sa **pp;

	if (sa->cfg.dir != IPSEC_DIR_IN || !sad->nbuckets)
		return;
	pp = &sad->buckets[sad_hash(sa->cfg.spi, &sa->cfg.dst, (uint8_t)sa->cfg.protocol,
	                            sad->nbuckets)];
	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == sa) {
			*pp = sa->hash_next;
			sa->hash_next = NULL;
			sad->nhashed--;
			return;
		}
	}
}

void sad_set_dst(struct sad *sad, struct ipsec_sa *sa, const struct ip_addr *dst)
{
	sad_unhash(sad, sa);
	sa->cfg.dst = *dst;
	sad_hash_insert(sad, sa);
	sad->nhashed++;
}
