/* IP Encapsulating Security Payload (RFC 4303). */
#include "esp.h"

#include "lifetime.h"
#include "tunnel.h"

#include <openssl/crypto.h>
#include <string.h>

#define DROP(r)                                                                                    \
	do {                                                                                       \
		*reason = (r);                                                                     \
		return -1;                                                                         \
	} while (0)

/* RFC 4106 §5, RFC 4543 §3.5, RFC 7634 §3: AAD = SPI || seq, with the full
 * 64-bit extended sequence number (high half first) when ESN is on. */
static size_t esp_aad(const struct ipsec_sa *sa, uint64_t seq, uint8_t *aad)
{
	put_be32(aad, sa->cfg.spi);
	if (sa->cfg.esn) {
		put_be64(aad + 4, seq);
		return 12;
	}
	put_be32(aad + 4, (uint32_t)seq);
	return 8;
}

/* RFC 4303 §3.3.2.1 / §2.2.1: with ESN the high-order 32 bits take part in
 * the ICV computation, appended after the packet, but are not sent. */
static int esp_hmac(struct ipsec_sa *sa, const uint8_t *esp, size_t len, uint64_t seq, uint8_t *icv)
{
	uint8_t hi[4];
	struct crypto_buf b[2] = {{esp, len}, {hi, sa->cfg.esn ? 4 : 0}};

	put_be32(hi, (uint32_t)(seq >> 32));
	return crypto_hmac(&sa->crypto, b, 2, icv);
}

/* RFC 3948 §2.1: the UDP checksum of encapsulated ESP SHOULD be zero over
 * IPv4; over IPv6 a zero checksum is not allowed (RFC 8200 §8.1), so it is
 * computed. */
static void esp_udp_header(const struct ipsec_sa *sa, uint8_t *out, size_t hdr_len, size_t total)
{
	uint8_t *udp = out + hdr_len;

	put_be16(udp, sa->cfg.encap_sport);
	put_be16(udp + 2, sa->cfg.encap_dport);
	put_be16(udp + 4, (uint16_t)(total - hdr_len));
	put_be16(udp + 6, 0);
	if (ip_version(out, total) == 6)
		put_be16(udp + 6, ipv6_l4_checksum(out, IPPROTO_NUM_UDP, udp, total - hdr_len));
}

/* RFC 4303 §2.4: the payload padded to the cipher's block size and so that
 * the ICV starts on a 4-byte boundary (powers of two: a mask, no
 * division), with Pad Length and Next Header. */
static size_t esp_ct_len(const struct enc_transform *enc, size_t plen)
{
	size_t align = enc->block_size > 4 ? enc->block_size : 4;

	return plen + 2 + ((align - (plen + 2)) & (align - 1));
}

size_t esp_output_len(const struct ipsec_sa *sa, size_t hdr_len, size_t total_len)
{
	bool tunnel = sa->cfg.mode == IPSEC_MODE_TUNNEL;
	size_t plen = tunnel ? total_len : total_len - hdr_len;

	return (tunnel ? tunnel_outer_len(&sa->cfg) : hdr_len) +
	       (sa->cfg.encap_dport != 0 ? UDP_HDR_LEN : 0) + ESP_HDR_LEN + sa->crypto.enc->iv_len +
	       esp_ct_len(sa->crypto.enc, plen) + sa->icv_len;
}

int esp_output(struct ipsec *ctx, struct ipsec_sa *sa, const uint8_t *pkt,
               const struct ip_packet *ip, uint8_t *out, size_t cap, size_t *out_len,
               const struct esp_test_opts *opts, enum ipsec_drop *reason)
{
	const struct enc_transform *enc = sa->crypto.enc;
	bool tunnel = sa->cfg.mode == IPSEC_MODE_TUNNEL;
	bool encap = sa->cfg.encap_dport != 0;
	size_t hdr_len = tunnel ? tunnel_outer_len(&sa->cfg) : ip->hdr_len;
	size_t udp_len = encap ? UDP_HDR_LEN : 0;
	const uint8_t *payload = tunnel ? pkt : pkt + ip->hdr_len;
	size_t plen = tunnel ? ip->total_len : ip->total_len - ip->hdr_len;
	uint8_t nh = tunnel ? ip_packet_tunnel_proto(ip) : ip->proto;
	size_t ct_len = esp_ct_len(enc, plen);
	size_t pad = ct_len - plen - 2;
	size_t total = esp_output_len(sa, ip->hdr_len, ip->total_len);
	uint8_t *esp, *iv, *ct, *icv, aad[12];
	size_t aad_len;
	uint64_t seq;
	int rc = 0;

	if (opts && opts->next_header >= 0)
		nh = (uint8_t)opts->next_header;
	if (total > IPSEC_MAX_PACKET || total > cap)
		DROP(IPSEC_DROP_MALFORMED);
	if (!lifetime_seq_next(ctx, sa, &seq))
		DROP(IPSEC_DROP_SEQ_EXHAUSTED);

	esp = out + hdr_len + udp_len;
	iv = esp + ESP_HDR_LEN;
	ct = iv + enc->iv_len;
	icv = ct + ct_len;
	put_be32(esp, sa->cfg.spi);
	put_be32(esp + 4, (uint32_t)seq); /* RFC 4303 §2.2.1: low half only */
	if (enc->iv_len) {
		if (opts && opts->iv) {
			memcpy(iv, opts->iv, enc->iv_len);
		} else if (enc->block_size > 1) {
			/* RFC 3602 §2.1: CBC IVs MUST be unpredictable. */
			if (!ctx->ops.random_bytes ||
			    ctx->ops.random_bytes(ctx->host, iv, enc->iv_len))
				DROP(IPSEC_DROP_CRYPTO_ERROR);
		} else {
			/* RFC 4106 §3.1, RFC 7634 §2: the IV must never repeat
			 * under a key; the sequence number is such a counter. */
			put_be64(iv, seq);
		}
	}
	/* The plaintext is assembled in place and encrypted with one cipher
	 * call: copying the payload costs less than a second EVP call for the
	 * trailer (and GCM's partial-block path between the two). */
	memcpy(ct, payload, plen);
	/* RFC 4303 §2.4: default padding 1, 2, 3, ... */
	for (size_t i = 0; i < pad; i++)
		ct[plen + i] = (uint8_t)(i + 1);
	ct[plen + pad] = (uint8_t)pad;
	ct[plen + pad + 1] = nh;

	aad_len = esp_aad(sa, seq, aad);
	if (enc->aead) {
		struct crypto_buf a = {aad, aad_len}, in = {ct, ct_len};

		rc = crypto_aead(&sa->crypto, iv, &a, 1, &in, 1, ct, icv);
	} else if (enc->gmac) {
		/* RFC 4543 §3.5: everything is authenticated, nothing hidden. */
		struct crypto_buf a[3] = {{aad, aad_len}, {iv, enc->iv_len}, {ct, ct_len}};

		rc = crypto_aead(&sa->crypto, iv, a, 3, NULL, 0, NULL, icv);
	} else {
		if (enc->cipher)
			rc = crypto_cbc(&sa->crypto, iv, ct, ct, ct_len);
		/* RFC 4303 §3.3.4: the ICV covers SPI through Next Header. */
		if (!rc && sa->crypto.mac)
			rc = esp_hmac(sa, esp, ESP_HDR_LEN + enc->iv_len + ct_len, seq, icv);
	}
	if (rc)
		DROP(IPSEC_DROP_CRYPTO_ERROR);

	if (tunnel) {
		tunnel_outer_build(ctx, sa, ip, out, total,
		                   encap ? IPPROTO_NUM_UDP : IPPROTO_NUM_ESP);
	} else {
		/* RFC 4303 §3.1.1: ESP goes after the IP header (IPv6: and the
		 * extension headers ip_packet_parse placed before it). */
		memcpy(out, pkt, hdr_len);
		out[ip->nh_off] = encap ? IPPROTO_NUM_UDP : IPPROTO_NUM_ESP;
		ip_packet_set_length(out, ip->family, total);
	}
	if (encap)
		esp_udp_header(sa, out, hdr_len, total);
	*out_len = total;
	return 0;
}

int esp_input(struct ipsec *ctx, const uint8_t *pkt, const struct ip_packet *ip, size_t esp_off,
              uint8_t *out, size_t cap, size_t *out_len, struct ipsec_sa **sap, uint64_t *bytes,
              enum ipsec_drop *reason)
{
	const uint8_t *esp = pkt + esp_off, *iv, *ct, *icv;
	size_t esp_len = ip->total_len - esp_off;
	const struct enc_transform *enc;
	struct ip_addr dst = ip_packet_dst(pkt, ip);
	struct ipsec_sa *sa;
	size_t ct_len, off, plen, aad_len;
	uint8_t *pt, aad[12], padlen, nh;
	uint64_t seq;
	int rc = 0;

	if (esp_len < ESP_HDR_LEN)
		DROP(IPSEC_DROP_MALFORMED);
	/* RFC 4303 §3.4.2: find the SA by SPI, destination and protocol. */
	sa = sad_find_inbound(&ctx->sad, get_be32(esp), &dst, IPPROTO_NUM_ESP);
	if (!sa)
		DROP(IPSEC_DROP_NO_SA);
	*sap = sa;
	if (!lifetime_sa_usable(ctx, sa))
		DROP(IPSEC_DROP_SA_EXPIRED);
	enc = sa->crypto.enc;
	if (esp_len < ESP_HDR_LEN + enc->iv_len + sa->icv_len + 2)
		DROP(IPSEC_DROP_MALFORMED);
	ct_len = esp_len - ESP_HDR_LEN - enc->iv_len - sa->icv_len;
	if (ct_len & (enc->block_size - 1))
		DROP(IPSEC_DROP_MALFORMED);
	iv = esp + ESP_HDR_LEN;
	ct = iv + enc->iv_len;
	icv = ct + ct_len;

	/* RFC 4303 §3.4.3: the replay check comes before the ICV check. */
	if (!replay_seq_infer(&sa->replay, get_be32(esp + 4), sa->cfg.esn, &seq) ||
	    !replay_check(&sa->replay, seq))
		DROP(IPSEC_DROP_REPLAY);

	off = sa->cfg.mode == IPSEC_MODE_TUNNEL ? 0 : ip->hdr_len;
	if (off + ct_len > cap)
		DROP(IPSEC_DROP_MALFORMED);
	pt = out + off;
	aad_len = esp_aad(sa, seq, aad);
	if (enc->aead) {
		struct crypto_buf a = {aad, aad_len}, in = {ct, ct_len};

		rc = crypto_aead(&sa->crypto, iv, &a, 1, &in, 1, pt, (uint8_t *)icv);
	} else if (enc->gmac) {
		struct crypto_buf a[3] = {{aad, aad_len}, {iv, enc->iv_len}, {ct, ct_len}};

		rc = crypto_aead(&sa->crypto, iv, a, 3, NULL, 0, NULL, (uint8_t *)icv);
		if (!rc)
			memcpy(pt, ct, ct_len);
	} else {
		/* RFC 4303 §3.4.4: verify the ICV before decrypting. */
		if (sa->crypto.mac) {
			uint8_t want[CRYPTO_MAX_ICV];

			rc = esp_hmac(sa, esp, ESP_HDR_LEN + enc->iv_len + ct_len, seq, want);
			if (!rc && CRYPTO_memcmp(want, icv, sa->icv_len))
				rc = 1;
		}
		if (!rc) {
			if (enc->cipher)
				rc = crypto_cbc(&sa->crypto, iv, ct, pt, ct_len) ? -1 : 0;
			else
				memcpy(pt, ct, ct_len);
		}
	}
	if (rc > 0)
		DROP(IPSEC_DROP_ICV_FAIL);
	if (rc < 0)
		DROP(IPSEC_DROP_CRYPTO_ERROR);
	/* RFC 4303 §3.4.3: the window moves only for authentic packets. */
	replay_update(&sa->replay, seq);
	sa->stats.seq = sa->replay.top;

	padlen = pt[ct_len - 2];
	nh = pt[ct_len - 1];
	if ((size_t)padlen + 2 > ct_len)
		DROP(IPSEC_DROP_MALFORMED);
	plen = ct_len - 2 - padlen;
	/* RFC 4303 §2.4: "the receiver SHOULD inspect the Padding field". */
	for (size_t i = 0; i < padlen; i++)
		if (pt[plen + i] != (uint8_t)(i + 1))
			DROP(IPSEC_DROP_MALFORMED);
	/* RFC 4303 §2.6: dummy packets are discarded. */
	if (nh == IPPROTO_NUM_NONE)
		DROP(IPSEC_DROP_DUMMY);

	if (sa->cfg.mode == IPSEC_MODE_TUNNEL) {
		struct ip_packet inner;

		/* The inner packet, of the family Next Header names, may be
		 * followed by TFC padding (§2.7). */
		if (ip_packet_parse(pt, plen, true, &inner) || nh != ip_packet_tunnel_proto(&inner))
			DROP(IPSEC_DROP_MALFORMED);
		if (tunnel_decap(ip->tclass, pt))
			DROP(IPSEC_DROP_MALFORMED);
		*out_len = inner.total_len;
		*bytes = inner.total_len;
	} else {
		memcpy(out, pkt, ip->hdr_len);
		out[ip->nh_off] = nh;
		ip_packet_set_length(out, ip->family, ip->hdr_len + plen);
		*out_len = ip->hdr_len + plen;
		*bytes = plen;
	}
	return 0;
}
