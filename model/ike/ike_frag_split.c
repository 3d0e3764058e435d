/* Fragmenting (RFC 7383 §2.5): a protected IKE message cut into Encrypted
 * Fragment payloads, each a message of its own; and the datagrams of a
 * message, sent whole or as its set of fragments. */
#include "ike_frag.h"

#include "ipv4.h"

#include <stdio.h>
#include <string.h>

#define UDP_HDR_LEN 8
#define NON_ESP_MARKER_LEN 4 /* RFC 3948 §2.2 */
#define SKF_FIXED_LEN 4      /* Fragment Number, Total Fragments */

static size_t less(size_t v, size_t by)
{
	return v > by ? v - by : 1;
}

size_t ike_frag_max_message(size_t fragment_size, size_t ip_hdr_len, bool non_esp_marker)
{
	size_t n = fragment_size;

	/* §2.5.1: without a configured size, fragments fit the datagrams
	 * every IPv4 host must reassemble (RFC 791) or IPv6's minimum MTU. */
	if (!n)
		n = ip_hdr_len > IPV4_HDR_LEN ? IKE_FRAG_SIZE_V6 : IKE_FRAG_SIZE_V4;
	n = less(n, ip_hdr_len + UDP_HDR_LEN);
	return non_esp_marker ? less(n, NON_ESP_MARKER_LEN) : n;
}

int ike_frag_split(struct ike_frag_set *set, const uint8_t *msg, const struct ike_sk_layout *l,
                   size_t plain_len, size_t max_msg, struct ike_sk *sk, ike_frag_iv_fn next_iv,
                   void *iv_arg, char *err, size_t errlen)
{
	const struct ike_suite_sizes *sz = &sk->sz;
	/* Each fragment: the IKE header, the SKF header with its numbers, IV,
	 * a piece of the plaintext, padding and Pad Length up to the
	 * cipher's block, ICV. */
	size_t overhead = IKE_HDR_LEN + IKE_GENERIC_LEN + SKF_FIXED_LEN + sz->iv + sz->icv;
	struct ike_header h = {.exchange = msg[18], .flags = msg[19]};
	size_t room, total, used = 0, pos = 0;

	set->n = 0;
	if (max_msg < overhead + 2 * sz->block) {
		snprintf(err, errlen,
		         "a fragment of %zu bytes has no room after its %zu-byte overhead", max_msg,
		         overhead);
		return -1;
	}
	room = (max_msg - overhead) / sz->block * sz->block - 1;
	total = plain_len ? (plain_len + room - 1) / room : 1;
	if (total > IKE_FRAG_MAX) {
		snprintf(err, errlen, "%zu plaintext bytes need %zu fragments of %zu, at most %d",
		         plain_len, total, room, IKE_FRAG_MAX);
		return -1;
	}
	/* §2.5: the original header, Message ID included, in every fragment. */
	memcpy(h.spi_i, msg, IKE_SPI_LEN);
	memcpy(h.spi_r, msg + IKE_SPI_LEN, IKE_SPI_LEN);
	h.message_id = get_be32(msg + 20);
	for (size_t num = 1; num <= total; num++) {
		size_t piece = plain_len - used < room ? plain_len - used : room, len;
		struct ike_builder b;
		struct ike_sk_layout fl;
		uint8_t iv[CRYPTO_MAX_IV];

		ike_builder_init(&b, set->buf + pos, sizeof(set->buf) - pos, &h);
		/* Only the first fragment names the first inner payload. */
		ike_skf_begin(&b, sz->iv, (uint16_t)num, (uint16_t)total,
		              num == 1 ? msg[l->sk] : IKE_PL_NONE);
		ike_sk_put(&b, msg + l->plain + used, piece);
		if (ike_sk_end(&b, sz->block, sz->icv, &fl) < 0 ||
		    ike_builder_finish(&b, &len) < 0) {
			snprintf(err, errlen, "fragment %zu of %zu: %s", num, total, b.err.reason);
			return -1;
		}
		if (next_iv(iv_arg, iv) < 0 || ike_sk_protect(sk, b.buf, &fl, iv) < 0) {
			snprintf(err, errlen, "fragment %zu of %zu: SKF protection failed", num,
			         total);
			return -1;
		}
		used += piece;
		pos += len;
		set->end[num - 1] = pos;
	}
	set->n = (uint16_t)total;
	return 0;
}

size_t ike_frag_count(const struct ike_frag_set *set)
{
	return set && set->n ? set->n : 1;
}

const uint8_t *ike_frag_get(const struct ike_frag_set *set, const uint8_t *whole, size_t whole_len,
                            size_t i, size_t *len)
{
	size_t start;

	if (!set || !set->n) {
		*len = whole_len;
		return whole;
	}
	start = i ? set->end[i - 1] : 0;
	*len = set->end[i] - start;
	return set->buf + start;
}
