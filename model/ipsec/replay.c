/* Anti-replay window (RFC 4303 §3.4.3, Appendix A). */
#include "replay.h"

#include <string.h>

static uint32_t replay_words(const struct replay_window *r)
{
	return r->size / 32 + 1;
}

void replay_init(struct replay_window *r, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
}

bool replay_seq_infer(const struct replay_window *r, uint32_t seq_lo, bool esn, uint64_t *seq)
{
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	/* Without anti-replay the window only serves to guess the high half:
	 * take the half of the number space around T. */
	uint32_t w = r->size ? r->size : UINT32_C(1) << 31;
	uint32_t bl = tl - w + 1; /* bottom of the window, mod 2^32 */
	uint64_t seq_hi;

	if (!esn) {
		*seq = seq_lo;
		return true;
	}
	if (tl >= w - 1) {
		/* Case A: the window lies within one subspace. */
		seq_hi = seq_lo >= bl ? th : (uint64_t)th + 1;
	} else {
		/* Case B: the window spans two subspaces. */
		if (seq_lo >= bl) {
			if (th == 0)
				return false;
			seq_hi = th - 1;
		} else {
			seq_hi = th;
		}
	}
	if (seq_hi > UINT32_MAX)
		return false;
	*seq = seq_hi << 32 | seq_lo;
	return true;
}

bool replay_check(const struct replay_window *r, uint64_t seq)
{
	uint32_t word;

	if (!r->size)
		return true;
	if (seq == 0) /* RFC 4303 §3.3.3: the first packet carries 1 */
		return false;
	if (seq > r->top)
		return true;
	if (r->top - seq >= r->size)
		return false; /* left of the window */
	word = (uint32_t)((seq / 32) % replay_words(r));
	return !(r->bitmap[word] & (UINT32_C(1) << (seq % 32)));
}

void replay_update(struct replay_window *r, uint64_t seq)
{
	uint32_t n = replay_words(r);

	if (!r->size) {
		if (seq > r->top)
			r->top = seq;
		return;
	}
	if (seq > r->top) {
		uint64_t from = r->top / 32, to = seq / 32;

		if (to - from >= n) {
			memset(r->bitmap, 0, n * sizeof(r->bitmap[0]));
		} else {
			for (uint64_t i = from + 1; i <= to; i++)
				r->bitmap[i % n] = 0;
		}
		r->top = seq;
	}
	r->bitmap[(seq / 32) % n] |= UINT32_C(1) << (seq % 32);
}
