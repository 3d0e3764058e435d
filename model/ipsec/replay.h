/* Anti-replay window (RFC 4303 §3.4.3, Appendix A) with extended sequence
 * number reconstruction (RFC 4303 Appendix A2). */
#ifndef IPSEC_REPLAY_H
#define IPSEC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_MAX_WINDOW 4096
/* The bitmap is a ring of 32-bit words with one word more than the window
 * needs, so sliding right clears whole words (RFC 6479's layout). */
#define REPLAY_WORDS (REPLAY_MAX_WINDOW / 32 + 1)

struct replay_window {
	uint32_t size; /* W in packets; 0 = anti-replay off */
	uint64_t top;  /* T: highest authenticated sequence number, 0 = none */
	uint32_t bitmap[REPLAY_WORDS];
};

void replay_init(struct replay_window *r, uint32_t size);

/* RFC 4303 Appendix A2.2: the full sequence number a received low half
 * stands for.  false if it cannot be valid (before the first subspace). */
bool replay_seq_infer(const struct replay_window *r, uint32_t seq_lo, bool esn, uint64_t *seq);

/* RFC 4303 §3.4.3: may a packet with this sequence number be accepted?
 * Done before the ICV check; does not change the window. */
bool replay_check(const struct replay_window *r, uint64_t seq);

/* Record an authenticated sequence number (only after the ICV verified). */
void replay_update(struct replay_window *r, uint64_t seq);

#endif
