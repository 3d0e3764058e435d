/* libFuzzer target for the data plane's inbound path (ipsec_input and
 * ipsec_input_policy: ESP, AH, UDP-encapsulated ESP) with real SAs, so that
 * fuzzed packets pass the ICV and reach decapsulation, the padding and
 * next-header checks (RFC 4303 §2.4, §2.6, §3.4.4), the inner packet and
 * the selector checks (RFC 4301 §5.2).
 *
 * Input: a 8-byte header, `nmut` mutations, then the payload.
 *
 *   0     SA kind (index into `kinds`, modulo)
 *   1     how the packet is made (modulo 4):
 *           0 SEAL_RAW: payload = ESP plaintext, padding, pad length and
 *             next header included, sealed as is (AH kinds: as 1)
 *           1 SEAL: payload after an IPv4 or IPv6 header (the kind's
 *             family) of protocol `nh` (IPv6: extension headers may
 *             follow), protected by the engine's own esp_output /
 *             ah_output
 *           2 RAW: payload = the whole outer packet
 *           3 SEAL_MUTATED: as 1, then the mutations
 *   2..5  sequence number (big endian)
 *   6     nh: next header / protocol of the payload
 *   7     nmut, then nmut times: offset (2 bytes, big endian) and an XOR
 *         byte; an XOR of 0 truncates the packet at the offset instead.
 *
 * The engine is fresh for each input (one inbound SA, window 64 or off,
 * and a PROTECT entry naming it), so runs do not depend on each other.
 * Built by test/fuzz/CMakeLists.txt. */
#include "ah.h"
#include "esp.h"
#include "harness.h"
#include "sa.h"

#include <stdlib.h>
#include <string.h>

#define GW_A A4(192, 0, 2, 1)
#define GW_B A4(192, 0, 2, 2)
#define GW6_A "2001:db8:ff::1"
#define GW6_B "2001:db8:ff::2"
#define PKT_MAX 4096

enum make { SEAL_RAW, SEAL, RAW, SEAL_MUTATED };

struct kind {
	enum ipsec_protocol proto;
	enum ipsec_mode mode;
	enum ipsec_enc enc;
	enum ipsec_integ integ;
	bool esn, encap;
	uint32_t window;
	uint8_t sel_proto; /* 0: selectors of the LANs, any protocol */
	bool v6;           /* over IPv6: 2001:db8:ff::1 -> ::2, LANs 2001:db8:1::/48, :2::/48 */
};

static const struct kind kinds[] = {
        {IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, false,
         false, 64, 0, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128,
         true, false, 64, 0, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_AES_CBC_256, IPSEC_INTEG_HMAC_SHA512_256,
         false, false, 0, IPPROTO_NUM_UDP, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128, false,
         false, 64, 0, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_GMAC_128, IPSEC_INTEG_NONE, true, false,
         64, IPPROTO_NUM_ICMP, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_CHACHA20_POLY1305, IPSEC_INTEG_NONE, false,
         true, 64, 0, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_AES_GCM16_256, IPSEC_INTEG_NONE, false,
         true, 0, 0, false},
        {IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128, false,
         false, 64, 0, false},
        {IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA384_192, true,
         false, 64, IPPROTO_NUM_TCP, false},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_ENC_AES_GCM16_128, IPSEC_INTEG_NONE, false,
         false, 64, 0, true},
        {IPSEC_PROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_ENC_AES_CBC_128, IPSEC_INTEG_HMAC_SHA256_128,
         false, true, 64, 0, true},
        {IPSEC_PROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA256_128, false,
         false, 64, 0, true},
        {IPSEC_PROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_ENC_NULL, IPSEC_INTEG_HMAC_SHA512_256, true,
         false, 64, IPPROTO_NUM_ICMPV6, true},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static struct ipsec_sa_config kind_config(const struct kind *k)
{
	struct ipsec_sa_config c =
	        sa_cfg(IPSEC_DIR_IN, k->proto, k->mode, 0x1000, GW_A, GW_B, k->enc, k->integ);

	c.esn = k->esn;
	c.replay_window = k->window;
	if (k->encap)
		c.encap_sport = c.encap_dport = NATT_PORT;
	if (k->v6) {
		c.src = parse_addr(GW6_A);
		c.dst = parse_addr(GW6_B);
	}
	if (k->mode == IPSEC_MODE_TUNNEL && k->v6) {
		struct ip_addr l = parse_addr("2001:db8:2::"), r = parse_addr("2001:db8:1::");

		c.sel = (struct ipsec_selector){.local_addr = ip_range_prefix(&l, 48),
		                                .remote_addr = ip_range_prefix(&r, 48),
		                                .protocol = k->sel_proto};
	} else if (k->mode == IPSEC_MODE_TUNNEL) {
		c.sel = (struct ipsec_selector){
		        .local_addr = ip_range_v4(A4(10, 2, 0, 0), A4(10, 2, 255, 255)),
		        .remote_addr = ip_range_v4(A4(10, 1, 0, 0), A4(10, 1, 255, 255)),
		        .protocol = k->sel_proto};
	} else {
		c.sel = (struct ipsec_selector){.local_addr = ip_range_single(&c.dst),
		                                .remote_addr = ip_range_single(&c.src),
		                                .protocol = k->sel_proto,
		                                .local_port = {53, 53}};
	}
	return c;
}

/* The sender's side of each kind, made once: an outbound SA with the same
 * keys, in transport mode (the input decides what the payload is). */
static struct ipsec_sa *sender(size_t k)
{
	static struct ipsec_sa *out[NKINDS];
	struct ipsec_sa_config c;
	char err[256];

	if (out[k])
		return out[k];
	c = kind_config(&kinds[k]);
	c.dir = IPSEC_DIR_OUT;
	c.mode = IPSEC_MODE_TRANSPORT;
	c.replay_window = 0;
	out[k] = sa_create(&c, 0, err, sizeof(err));
	if (!out[k])
		abort();
	return out[k];
}

/* RFC 4303 §2, §3.3: SPI, sequence number, IV, then `pt` encrypted as it
 * is (the input chooses the padding, pad length and next header, cut to
 * the cipher's block size), then the ICV.  Returns the ESP length. */
static size_t esp_seal_raw(struct ipsec_sa *o, uint64_t seq, const uint8_t *pt, size_t len,
                           uint8_t *esp)
{
	const struct enc_transform *e = o->crypto.enc;
	uint8_t *iv = esp + ESP_HDR_LEN, *ct = iv + e->iv_len, *icv, aad[12], hi[4];
	size_t aad_len = o->cfg.esn ? 12 : 8;
	int rc = 0;

	len -= len % e->block_size;
	icv = ct + len;
	put_be32(esp, o->cfg.spi);
	put_be32(esp + 4, (uint32_t)seq);
	memset(iv, 0x5c, e->iv_len);
	if (e->iv_len >= 8)
		put_be64(iv, seq);
	/* RFC 4106 §5, RFC 4543 §3.5: AAD = SPI || (ESN high ||) seq low. */
	put_be32(aad, o->cfg.spi);
	if (o->cfg.esn)
		put_be64(aad + 4, seq);
	else
		put_be32(aad + 4, (uint32_t)seq);
	if (e->aead) {
		struct crypto_buf a = {aad, aad_len}, in = {pt, len};

		rc = crypto_aead(&o->crypto, iv, &a, 1, &in, 1, ct, icv);
	} else {
		memcpy(ct, pt, len);
		if (e->gmac) {
			struct crypto_buf a[3] = {{aad, aad_len}, {iv, e->iv_len}, {ct, len}};

			rc = crypto_aead(&o->crypto, iv, a, 3, NULL, 0, NULL, icv);
		} else {
			/* RFC 4303 §2.2.1: the ESN high half is in the ICV. */
			struct crypto_buf b[2] = {{esp, ESP_HDR_LEN + e->iv_len + len},
			                          {hi, o->cfg.esn ? 4 : 0}};

			put_be32(hi, (uint32_t)(seq >> 32));
			if (e->cipher)
				rc = crypto_cbc(&o->crypto, iv, ct, ct, len);
			if (!rc && o->crypto.mac)
				rc = crypto_hmac(&o->crypto, b, 2, icv);
		}
	}
	if (rc)
		abort();
	return ESP_HDR_LEN + e->iv_len + len + o->icv_len;
}

/* An IP header of the SA's family from its source to its destination
 * with protocol (Next Header) `proto`, for a packet of `total` bytes. */
static size_t ip_header(const struct ipsec_sa *o, uint8_t *pkt, size_t total, uint8_t proto)
{
	if (o->cfg.dst.family == IP_FAMILY_V4) {
		ipv4_build(pkt, 0, (uint16_t)total, 1, 0, 64, proto, GW_A, GW_B);
		return IPV4_HDR_LEN;
	}
	memset(pkt, 0, IPV6_HDR_LEN);
	pkt[0] = 0x60;
	put_be16(pkt + 4, (uint16_t)(total - IPV6_HDR_LEN));
	pkt[6] = proto;
	pkt[7] = 64;
	memcpy(pkt + 8, o->cfg.src.b, 16);
	memcpy(pkt + 24, o->cfg.dst.b, 16);
	return IPV6_HDR_LEN;
}

/* The outer header (and UDP header with encapsulation) in front of an ESP
 * payload of `esp_len` bytes at pkt + its returned offset. */
static size_t outer(const struct ipsec_sa *o, uint8_t *pkt, size_t esp_len)
{
	size_t ip = o->cfg.dst.family == IP_FAMILY_V4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;
	size_t hl = ip + (o->cfg.encap_dport ? UDP_HDR_LEN : 0);

	ip_header(o, pkt, hl + esp_len, o->cfg.encap_dport ? IPPROTO_NUM_UDP : IPPROTO_NUM_ESP);
	if (o->cfg.encap_dport) {
		put_be16(pkt + ip, NATT_PORT);
		put_be16(pkt + ip + 2, NATT_PORT);
		put_be16(pkt + ip + 4, (uint16_t)(UDP_HDR_LEN + esp_len));
		put_be16(pkt + ip + 6, 0);
	}
	return hl;
}

/* The payload behind an IP header of protocol nh, protected by the
 * engine's own output path.  0 if it refuses. */
static size_t seal(struct ipsec *ctx, struct ipsec_sa *o, uint64_t seq, uint8_t nh,
                   const uint8_t *payload, size_t len, uint8_t *wire)
{
	static uint8_t pkt[PKT_MAX];
	struct ip_packet ip;
	enum ipsec_drop r;
	size_t wlen = 0;
	int rc;

	size_t hl = o->cfg.dst.family == IP_FAMILY_V4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;

	ip_header(o, pkt, hl + len, nh);
	memcpy(pkt + hl, payload, len);
	if (ip_packet_parse(pkt, hl + len, false, &ip))
		return 0;
	o->seq_out = seq - 1;
	o->seq_exhausted_reported = true;
	rc = o->cfg.protocol == IPSEC_PROTO_AH
	             ? ah_output(ctx, o, pkt, &ip, wire, PKT_MAX, &wlen, NULL, &r)
	             : esp_output(ctx, o, pkt, &ip, wire, PKT_MAX, &wlen, NULL, &r);
	return rc ? 0 : wlen;
}

static size_t mutate(uint8_t *wire, size_t len, const uint8_t *m, size_t nmut)
{
	for (size_t i = 0; i < nmut; i++, m += 3) {
		size_t pos = get_be16(m);

		if (m[2] == 0 && pos < len)
			len = pos;
		else if (len)
			wire[pos % len] ^= m[2];
	}
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t wire[PKT_MAX], out[PKT_MAX];
	struct test_host host = {.rng = 1};
	struct ipsec_spd_entry e = {.action = IPSEC_ACTION_PROTECT};
	struct ipsec_sa_config c;
	struct ipsec_sa *o;
	const uint8_t *payload;
	struct ipsec *ctx;
	enum make make;
	enum ipsec_drop r;
	size_t k, nmut, plen, wlen = 0, olen = 0;
	uint32_t in = 0, via = 0;
	uint64_t seq;
	char err[256];

	if (size < 8 || size - 8 < 3 * (size_t)data[7])
		return 0;
	k = data[0] % NKINDS;
	make = (enum make)(data[1] % 4);
	seq = get_be32(data + 2);
	nmut = data[7];
	payload = data + 8 + 3 * nmut;
	plen = size - 8 - 3 * nmut;
	if (plen > PKT_MAX - 512)
		return 0;
	c = kind_config(&kinds[k]);
	o = sender(k);
	ctx = ipsec_new(&test_ops, &host);
	if (!ctx || ipsec_sa_add(ctx, &c, &in, err, sizeof(err)))
		abort();
	e.sel = c.sel;
	e.sa_in[0] = in;
	if (ipsec_spd_add(ctx, &e, err, sizeof(err)))
		abort();

	if (make == RAW) {
		memcpy(wire, payload, plen);
		wlen = plen;
	} else if (make == SEAL_RAW && c.protocol == IPSEC_PROTO_ESP) {
		size_t hl = outer(o, wire, 0);

		wlen = hl + esp_seal_raw(o, seq, payload, plen, wire + hl);
		outer(o, wire, wlen - hl);
	} else {
		wlen = seal(ctx, o, seq, data[6], payload, plen, wire);
		if (make == SEAL_MUTATED)
			wlen = mutate(wire, wlen, data + 8, nmut);
	}
	if (wlen && ipsec_input(ctx, wire, wlen, out, sizeof(out), &olen, &via, &r) ==
	                    IPSEC_VERDICT_DELIVER) {
		if (via != in || olen > sizeof(out))
			abort();
		ipsec_input_policy(ctx, out, olen, via, &r);
	}
	ipsec_free(ctx);
	return 0;
}
