/* Traffic: the measurement record of a flow -- the sequence numbers seen,
 * packets sent and received, their delays and bins -- and the measurement
 * header UDP flows carry. */
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"
#include "traffic_internal.h"

bool traffic_number(struct flow *f, uint64_t seq)
{
	if (seq >= f->seq_limit)
		return false;
	if (seq < f->seen_bits)
		return true;
	uint64_t bits = f->seen_bits ? f->seen_bits : 1024;
	while (bits <= seq)
		bits *= 2;
	if (bits > f->seq_limit)
		bits = f->seq_limit;
	uint8_t *seen = realloc(f->seen, (bits + 7) / 8);
	if (!seen)
		return false;
	memset(seen + (f->seen_bits + 7) / 8, 0, (bits + 7) / 8 - (f->seen_bits + 7) / 8);
	f->seen = seen;
	f->seen_bits = bits;
	return true;
}

/* The index of the bin of send time t, or -1: f has none, or t is outside
 * them. */
static ptrdiff_t bin_of(const struct flow *f, uint64_t t)
{
	if (!f->bin_sent)
		return -1;
	uint64_t k = t / f->t->bin_ns;
	return k >= f->bin_first && k - f->bin_first < f->n_bins ? (ptrdiff_t)(k - f->bin_first)
	                                                         : -1;
}

void traffic_sent(struct flow *f, uint64_t now_ns)
{
	f->sent++;
	ptrdiff_t b = bin_of(f, now_ns);
	if (b >= 0)
		f->bin_sent[b]++;
}

void traffic_record(struct flow *f, uint64_t seq, uint64_t sent_ns, size_t bytes)
{
	if (seq >= f->seen_bits)
		return;
	if (f->seen[seq / 8] & (1u << (seq % 8))) {
		f->duplicates++;
		return;
	}
	f->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	f->received++;
	f->bytes += bytes;
	double delay = (double)(ns3c_now_ns() - sent_ns) * 1e-9;
	ptrdiff_t b = bin_of(f, sent_ns);
	if (b >= 0) {
		f->bin_received[b]++;
		f->bin_delay_sum[b] += delay;
		if (delay > f->bin_delay_max[b])
			f->bin_delay_max[b] = delay;
	}
	if (f->n_delays == f->cap_delays) {
		size_t cap = f->cap_delays ? 2 * f->cap_delays : 256;
		double *d = realloc(f->delays, cap * sizeof *d);
		if (!d)
			return;
		f->delays = d;
		f->cap_delays = cap;
	}
	f->delays[f->n_delays++] = delay;
}

void traffic_header(uint8_t *b, uint32_t magic, uint32_t flow, uint64_t seq, uint64_t time_ns)
{
	put_be32(b, magic);
	put_be32(b + 4, flow);
	put_be64(b + 8, seq);
	put_be64(b + 16, time_ns);
}

void traffic_record_udp(struct flow *f, const struct ns3c_datagram *d)
{
	const uint8_t *data = d->data;

	traffic_record(f, (uint64_t)get_be32(data + 8) << 32 | get_be32(data + 12),
	               (uint64_t)get_be32(data + 16) << 32 | get_be32(data + 20), d->len);
}
