/* Keys seen while loading a scenario (scenario_internal.h): open addressing
 * with linear probing over FNV-1a hashes, kept at most half full.  Keys are
 * copied, so callers may pass stack buffers. */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

struct scn_slot {
	void *key; /* NULL: empty */
	size_t len, value;
};

static size_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)h;
}

static struct scn_slot *find(const struct scn_index *x, const void *key, size_t len)
{
	for (size_t i = hash(key, len) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
		struct scn_slot *s = &x->slots[i];
		if (!s->key || (s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

static void *must(void *p)
{
	if (!p) {
		fputs("ipsec-sim: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void grow(struct scn_index *x)
{
	struct scn_index bigger = {.cap = x->cap ? 2 * x->cap : 64, .n = x->n};

	bigger.slots = must(calloc(bigger.cap, sizeof *bigger.slots));
	for (size_t i = 0; i < x->cap; i++)
		if (x->slots[i].key)
			*find(&bigger, x->slots[i].key, x->slots[i].len) = x->slots[i];
	free(x->slots);
	*x = bigger;
}

size_t scn_index_get(const struct scn_index *x, const void *key, size_t len)
{
	if (!x->cap)
		return SCENARIO_NONE;
	const struct scn_slot *s = find(x, key, len);
	return s->key ? s->value : SCENARIO_NONE;
}

size_t scn_index_put(struct scn_index *x, const void *key, size_t len, size_t value)
{
	if (2 * (x->n + 1) > x->cap)
		grow(x);
	struct scn_slot *s = find(x, key, len);
	if (s->key)
		return s->value;
	s->key = must(malloc(len ? len : 1));
	memcpy(s->key, key, len);
	s->len = len;
	s->value = value;
	x->n++;
	return SCENARIO_NONE;
}

void scn_index_free(struct scn_index *x)
{
	for (size_t i = 0; i < x->cap; i++)
		free(x->slots[i].key);
	free(x->slots);
	*x = (struct scn_index){0};
}
