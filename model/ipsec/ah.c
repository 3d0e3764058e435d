/* IP Authentication Header (RFC 4302) over IPv4 and IPv6.
 *
 * Packets whose IPv4 header carries options are dropped as malformed in
 * transport mode (in tunnel mode the options are inside the protected inner
 * packet and do not matter): classifying every option as mutable or not
 * (RFC 4302 Appendix A.1) buys nothing in a simulator whose hosts never send
 * options.  IPv6 extension headers before AH are covered as §3.3.3.1.2
 * says, up to AH_MAX_HEADERS bytes of them. */
#include "ah.h"

#include "lifetime.h"
#include "tunnel.h"

#include <openssl/crypto.h>
#include <string.h>

#define DROP(r)                                                                                    \
	do {                                                                                       \
		*reason = (r);                                                                     \
		return -1;                                                                         \
	} while (0)

/* RFC 4302 §3.3.3.1.1.1: TOS, flags, fragment offset, TTL and header
 * checksum are mutable and count as zero in the ICV. */
static void ah_zero_mutable(uint8_t *h)
{
	h[1] = 0;
	h[6] = h[7] = 0;
	h[8] = 0;
	h[10] = h[11] = 0;
}

/* RFC 4302 §3.3.3.1.2.2: an option whose type has the third-highest bit
 * set may change en route (RFC 8200 §4.2): its data counts as zeros. */
static void zero_mutable_option(uint8_t type, uint8_t *data, size_t len, void *arg)
{
	(void)arg;
	if (type & 0x20)
		memset(data, 0, len);
}

/* RFC 4302 §3.3.3.1.2.3: the sender takes a Routing header into the ICV as
 * the receiver will see it, the processing of every remaining segment (RFC
 * 8200 §4.4, RFC 2460 §4.4's algorithm) done ahead: the final destination
 * in the IPv6 header, the addresses moved along, Segments Left 0.  Types 0
 * and 2 (RFC 6275 §6.4) hold such a list; where another type is still to
 * be processed, the receiver's view is not ours to predict (-1). */
static int predict_routing(uint8_t *h, uint8_t *rh, size_t len)
{
	size_t n = (len - 8) / 16;
	uint8_t left = rh[3], t[IPV6_ADDR_LEN];

	if (left == 0)
		return 0;
	if ((rh[2] != 0 && rh[2] != 2) || (len - 8) % 16 || left > n)
		return -1;
	while (left > 0) {
		uint8_t *a = rh + 8 + 16 * (n - --left - 1);

		memcpy(t, a, IPV6_ADDR_LEN);
		memcpy(a, h + 24, IPV6_ADDR_LEN);
		memcpy(h + 24, t, IPV6_ADDR_LEN);
	}
	rh[3] = 0;
	return 0;
}

int ah_ipv6_zero_mutable(uint8_t *h, size_t len, bool sending)
{
	size_t off = IPV6_HDR_LEN;
	uint8_t nh = h[6];

	if (len < IPV6_HDR_LEN)
		return -1;
	/* §3.3.3.1.2.1: traffic class, flow label and hop limit */
	h[0] &= 0xf0;
	h[1] = h[2] = h[3] = 0;
	h[7] = 0;
	while (off < len) {
		size_t n = ipv6_ext_len(nh, h + off, len - off);

		if (!n)
			return -1;
		switch (nh) {
		case IPPROTO_NUM_HOPOPTS:
		case IPPROTO_NUM_DSTOPTS:
			if (ipv6_options_walk(h + off, n, zero_mutable_option, NULL))
				return -1;
			break;
		case IPPROTO_NUM_ROUTING:
			if (sending && predict_routing(h, h + off, n))
				return -1;
			break;
		default: /* a Fragment header: reassembly comes before AH (§3.4.1) */
			return -1;
		}
		nh = h[off];
		off += n;
	}
	return 0;
}

/* RFC 4302 §3.3: the IP header and, for IPv6, the extension headers
 * before AH, as they enter the ICV: mutable fields zeroed (IPv4 §3.3.3.1.1,
 * IPv6 §3.3.3.1.2), a Routing header as the receiver will see it when
 * `sending`.  `hdr` holds the header with its final length fields and AH
 * named as the next header.  0, or -1 for headers that cannot precede AH. */
static int ah_icv_headers(const uint8_t *hdr, size_t len, bool sending, uint8_t *h)
{
	if (len > AH_MAX_HEADERS)
		return -1;
	memcpy(h, hdr, len);
	if (ip_version(h, len) == 4) {
		ah_zero_mutable(h);
		return 0;
	}
	return ah_ipv6_zero_mutable(h, len, sending);
}

/* RFC 4302 §3.3.3: ICV over the headers (ah_icv_headers), the AH header
 * with a zero ICV, the payload and, with ESN, the high-order 32 bits of the
 * sequence number appended (§2.5.1, §3.3.3.3). */
static int ah_icv(struct ipsec_sa *sa, const uint8_t *h, size_t hlen, const uint8_t *ah,
                  size_t ah_len, const uint8_t *payload, size_t plen, uint64_t seq, uint8_t *icv)
{
	static const uint8_t zeros[CRYPTO_MAX_ICV + 8];
	uint8_t hi[4];
	struct crypto_buf b[5] = {
	        {h, hlen},       {ah, AH_HDR_LEN},          {zeros, ah_len - AH_HDR_LEN},
	        {payload, plen}, {hi, sa->cfg.esn ? 4 : 0},
	};

	put_be32(hi, (uint32_t)(seq >> 32));
	return crypto_hmac(&sa->crypto, b, 5, icv);
}

/* RFC 4302 §2.2, §3.3.3.2.1: the header's length is a multiple of 32 bits
 * over IPv4 and of 64 bits over IPv6, the ICV padded with zeros to get
 * there (all our ICVs are multiples of 8 bytes: IPv6 needs 4 bytes). */
static size_t ah_length(const struct ipsec_sa *sa, uint8_t family)
{
	size_t n = AH_HDR_LEN + sa->icv_len;

	return family == IP_FAMILY_V6 ? (n + 7) / 8 * 8 : n;
}

/* IPv4 transport mode takes no options (see the top of this file). */
static bool ah_header_ok(const struct ip_packet *ip)
{
	return ip->family == IP_FAMILY_V6 || ip->hdr_len == IPV4_HDR_LEN;
}

size_t ah_output_len(const struct ipsec_sa *sa, uint8_t family, size_t total_len)
{
	if (sa->cfg.mode == IPSEC_MODE_TUNNEL)
		return tunnel_outer_len(&sa->cfg) + ah_length(sa, sa->cfg.dst.family) + total_len;
	return total_len + ah_length(sa, family);
}

int ah_output(struct ipsec *ctx, struct ipsec_sa *sa, const uint8_t *pkt,
              const struct ip_packet *ip, uint8_t *out, size_t cap, size_t *out_len,
              const struct esp_test_opts *opts, enum ipsec_drop *reason)
{
	bool tunnel = sa->cfg.mode == IPSEC_MODE_TUNNEL;
	const uint8_t *payload = tunnel ? pkt : pkt + ip->hdr_len;
	size_t plen = tunnel ? ip->total_len : ip->total_len - ip->hdr_len;
	uint8_t nh = tunnel ? ip_packet_tunnel_proto(ip) : ip->proto;
	size_t hdr_len = tunnel ? tunnel_outer_len(&sa->cfg) : ip->hdr_len;
	size_t ah_len = ah_length(sa, tunnel ? sa->cfg.dst.family : ip->family);
	size_t total = ah_output_len(sa, ip->family, ip->total_len);
	uint8_t *ah = out + hdr_len, h[AH_MAX_HEADERS];
	uint64_t seq;

	if (opts && opts->next_header >= 0)
		nh = (uint8_t)opts->next_header;
	if (!tunnel && !ah_header_ok(ip))
		DROP(IPSEC_DROP_MALFORMED);
	if (total > IPSEC_MAX_PACKET || total > cap)
		DROP(IPSEC_DROP_MALFORMED);
	if (!lifetime_seq_next(ctx, sa, &seq))
		DROP(IPSEC_DROP_SEQ_EXHAUSTED);
	if (tunnel) {
		tunnel_outer_build(ctx, sa, ip, out, total, IPPROTO_NUM_AH);
	} else {
		memcpy(out, pkt, hdr_len);
		out[ip->nh_off] = IPPROTO_NUM_AH;
		ip_packet_set_length(out, ip->family, total);
	}
	if (ah_icv_headers(out, hdr_len, true, h))
		DROP(IPSEC_DROP_MALFORMED);
	/* RFC 4302 §2.2: Payload Len is the length in 32-bit words minus 2. */
	ah[0] = nh;
	ah[1] = (uint8_t)(ah_len / 4 - 2);
	ah[2] = ah[3] = 0;
	put_be32(ah + 4, sa->cfg.spi);
	put_be32(ah + 8, (uint32_t)seq);
	memset(ah + AH_HDR_LEN + sa->icv_len, 0, ah_len - AH_HDR_LEN - sa->icv_len);
	memcpy(ah + ah_len, payload, plen);
	if (ah_icv(sa, h, hdr_len, ah, ah_len, ah + ah_len, plen, seq, ah + AH_HDR_LEN))
		DROP(IPSEC_DROP_CRYPTO_ERROR);
	*out_len = total;
	return 0;
}

int ah_input(struct ipsec *ctx, const uint8_t *pkt, const struct ip_packet *ip, uint8_t *out,
             size_t cap, size_t *out_len, struct ipsec_sa **sap, uint64_t *bytes,
             enum ipsec_drop *reason)
{
	const uint8_t *ah = pkt + ip->hdr_len, *payload;
	size_t avail = ip->total_len - ip->hdr_len, ah_len, plen;
	uint8_t want[CRYPTO_MAX_ICV], nh, h[AH_MAX_HEADERS];
	struct ip_addr dst = ip_packet_dst(pkt, ip);
	struct ipsec_sa *sa;
	uint64_t seq;

	if (avail < AH_HDR_LEN)
		DROP(IPSEC_DROP_MALFORMED);
	/* RFC 4302 §3.4.2 */
	sa = sad_find_inbound(&ctx->sad, get_be32(ah + 4), &dst, IPPROTO_NUM_AH);
	if (!sa)
		DROP(IPSEC_DROP_NO_SA);
	*sap = sa;
	if (!lifetime_sa_usable(ctx, sa))
		DROP(IPSEC_DROP_SA_EXPIRED);
	ah_len = ((size_t)ah[1] + 2) * 4;
	if (!ah_header_ok(ip) || ah_len != ah_length(sa, ip->family) || ah_len > avail ||
	    ah_icv_headers(pkt, ip->hdr_len, false, h))
		DROP(IPSEC_DROP_MALFORMED);
	payload = ah + ah_len;
	plen = avail - ah_len;
	nh = ah[0];

	/* RFC 4302 §3.4.3: replay check, then ICV, then window update. */
	if (!replay_seq_infer(&sa->replay, get_be32(ah + 8), sa->cfg.esn, &seq) ||
	    !replay_check(&sa->replay, seq))
		DROP(IPSEC_DROP_REPLAY);
	if (ah_icv(sa, h, ip->hdr_len, ah, ah_len, payload, plen, seq, want))
		DROP(IPSEC_DROP_CRYPTO_ERROR);
	if (CRYPTO_memcmp(want, ah + AH_HDR_LEN, sa->icv_len))
		DROP(IPSEC_DROP_ICV_FAIL);
	replay_update(&sa->replay, seq);
	sa->stats.seq = sa->replay.top;

	if (nh == IPPROTO_NUM_NONE)
		DROP(IPSEC_DROP_DUMMY);
	if (sa->cfg.mode == IPSEC_MODE_TUNNEL) {
		struct ip_packet inner;

		if (plen > cap)
			DROP(IPSEC_DROP_MALFORMED);
		memcpy(out, payload, plen);
		if (ip_packet_parse(out, plen, true, &inner) ||
		    nh != ip_packet_tunnel_proto(&inner) || tunnel_decap(ip->tclass, out))
			DROP(IPSEC_DROP_MALFORMED);
		*out_len = inner.total_len;
		*bytes = inner.total_len;
	} else {
		if (ip->hdr_len + plen > cap)
			DROP(IPSEC_DROP_MALFORMED);
		memcpy(out, pkt, ip->hdr_len);
		out[ip->nh_off] = nh;
		ip_packet_set_length(out, ip->family, ip->hdr_len + plen);
		memcpy(out + ip->hdr_len, payload, plen);
		*out_len = ip->hdr_len + plen;
		*bytes = plen;
	}
	return 0;
}
