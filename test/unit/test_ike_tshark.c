/* Independent check of the IKEv2 codec: an IKE_SA_INIT request built with
 * ike_msg.h (SA with two proposals, KE x25519, Ni, NAT_DETECTION notifies)
 * is written into a pcap (raw IPv4, UDP 500) and dissected by tshark, which
 * must find nothing malformed and show the fields we put in.  Exits 77
 * (skip) only when tshark is not installed. */
#include "harness.h"

#include "ike_crypto.h"
#include "ike_msg.h"
#include "ike_proposal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/ike_tshark.XXXXXX";

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | port). */
static void nat_hash(const uint8_t *spi_i, uint32_t ip, uint16_t port, uint8_t out[20])
{
	uint8_t in[8 + 8 + 4 + 2] = {0};
	unsigned int len = 20;

	memcpy(in, spi_i, 8); /* SPIr is zero in the first message */
	put_be32(in + 16, ip);
	put_be16(in + 20, port);
	assert_true(EVP_Digest(in, sizeof(in), out, &len, EVP_sha1(), NULL));
}

/* Write `ike` as UDP 500 -> 500 from src to dst into a pcap file. */
static void write_pcap(const char *path, const uint8_t *ike, size_t len, uint32_t src, uint32_t dst)
{
	uint8_t pkt[2048], ghdr[24] = {0}, rhdr[16] = {0}, pseudo[12];
	size_t total = 20 + 8 + len;
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_true(total <= sizeof(pkt));
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	put_be16(pkt + 2, (uint16_t)total);
	pkt[8] = 64;
	pkt[9] = 17;
	put_be32(pkt + 12, src);
	put_be32(pkt + 16, dst);
	put_be16(pkt + 10, csum(pkt, 20, 0));
	put_be16(pkt + 20, 500);
	put_be16(pkt + 22, 500);
	put_be16(pkt + 24, (uint16_t)(8 + len));
	memcpy(pkt + 28, ike, len);
	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	put_be16(pseudo + 10, (uint16_t)(8 + len));
	{
		uint32_t sum = 0;

		for (size_t i = 0; i < 12; i += 2)
			sum += (uint32_t)(pseudo[i] << 8 | pseudo[i + 1]);
		put_be16(pkt + 26, csum(pkt + 20, 8 + len, sum));
	}
	/* pcap global header, little-endian, LINKTYPE_IPV4 (228). */
	ghdr[0] = 0xd4, ghdr[1] = 0xc3, ghdr[2] = 0xb2, ghdr[3] = 0xa1;
	ghdr[4] = 2, ghdr[6] = 4;
	ghdr[16] = 0xff, ghdr[17] = 0xff;
	ghdr[20] = 228;
	rhdr[0] = 1; /* ts 1 s */
	rhdr[8] = (uint8_t)total, rhdr[9] = (uint8_t)(total >> 8);
	rhdr[12] = (uint8_t)total, rhdr[13] = (uint8_t)(total >> 8);
	assert_int_equal(fwrite(ghdr, 1, 24, f), 24);
	assert_int_equal(fwrite(rhdr, 1, 16, f), 16);
	assert_int_equal(fwrite(pkt, 1, total, f), total);
	fclose(f);
}

/* One more record (IPv4/UDP 500) at time `sec` for an open pcap file. */
static void append_pcap(FILE *f, const uint8_t *ike, size_t len, uint32_t src, uint32_t dst,
                        uint32_t sec)
{
	char tmp[800];
	uint8_t whole[4096];
	size_t n;
	FILE *t;

	/* Write a one-packet pcap next to it and copy its record over. */
	snprintf(tmp, sizeof(tmp), "%s/one.pcap", tmpdir);
	write_pcap(tmp, ike, len, src, dst);
	t = fopen(tmp, "rb");
	assert_non_null(t);
	n = fread(whole, 1, sizeof(whole), t);
	fclose(t);
	assert_true(n > 24 + 16);
	whole[24] = (uint8_t)sec;
	assert_int_equal(fwrite(whole + 24, 1, n - 24, f), n - 24);
}

static char *run_tshark(const char *pcap)
{
	char cmd[1024];
	static char out[1 << 17];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "HOME=%s XDG_CONFIG_HOME=%s/.config tshark -n -r %s -V 2>&1",
	         tmpdir, tmpdir, pcap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

static void hexstr(const uint8_t *p, size_t n, char *buf, size_t len, const char *prefix)
{
	size_t used = (size_t)snprintf(buf, len, "%s", prefix);

	for (size_t i = 0; i < n && used + 3 <= len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%02x", p[i]);
}

static void expect(const char *out, const char *what)
{
	if (!strstr(out, what))
		fail_msg("tshark output lacks \"%s\":\n%s", what, out);
}

static void expect_count(const char *out, const char *what, int n)
{
	int k = 0;

	for (const char *p = out; (p = strstr(p, what)); p += strlen(what))
		k++;
	if (k != n)
		fail_msg("tshark output has \"%s\" %d times, not %d:\n%s", what, k, n, out);
}

static void test_ike_sa_init_dissects(void **state)
{
	(void)state;
	struct ike_proposal_list l;
	struct ike_header h = {.exchange = IKE_SA_INIT, .flags = IKE_FLAG_INITIATOR};
	struct ike_builder b;
	struct ike_dh *dh;
	uint8_t buf[1024], nonce[32], hash[20];
	const uint8_t *ke;
	size_t ke_len, len;
	char err[200], pcap[256], line[200], nat_line[100], *out;
	uint32_t src = A4(192, 0, 2, 1), dst = A4(198, 51, 100, 2);

	memset(&l, 0, sizeof(l));
	assert_int_equal(ike_proposals_parse(IKE_PROTO_IKE,
	                                     "aes256gcm16-prfsha384-x25519, aes128-sha256-modp2048",
	                                     &l, err, sizeof(err)),
	                 0);
	memcpy(h.spi_i, "\x8a\x1b\x2c\x3d\x4e\x5f\x60\x71", 8);
	for (int i = 0; i < 32; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	dh = ike_dh_new(IKE_DH_CURVE25519, err, sizeof(err));
	assert_non_null(dh);
	ke = ike_dh_public(dh, &ke_len);

	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, l.p, l.n);
	ike_add_ke(&b, IKE_DH_CURVE25519, ke, ke_len);
	ike_add_nonce(&b, nonce, sizeof(nonce));
	nat_hash(h.spi_i, src, 500, hash);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, hash, 20);
	nat_hash(h.spi_i, dst, 500, hash);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	hexstr(hash, 20, nat_line, sizeof(nat_line), "Notification DATA: ");
	assert_int_equal(ike_builder_finish(&b, &len), 0);

	snprintf(pcap, sizeof(pcap), "%s/ike_sa_init.pcap", tmpdir);
	write_pcap(pcap, buf, len, src, dst);
	out = run_tshark(pcap);

	if (strstr(out, "Malformed") || strstr(out, "Expert Info (Error"))
		fail_msg("tshark reports errors:\n%s", out);
	expect(out, "Internet Security Association and Key Management Protocol");
	expect(out, "Initiator SPI: 8a1b2c3d4e5f6071");
	expect(out, "Version: 2.0");
	expect(out, "Exchange type: IKE_SA_INIT (34)");
	expect(out, "Payload: Security Association (33)");
	expect(out, "Proposal number: 1");
	expect(out, "Proposal number: 2");
	expect(out, "Transform ID (ENCR): AES-GCM with a 16 octet ICV (20)");
	expect(out, "Key Length: 256");
	expect(out, "Transform ID (PRF): PRF_HMAC_SHA2_384 (6)");
	expect(out, "Transform ID (ENCR): ENCR_AES_CBC (12)");
	expect(out, "Key Length: 128");
	expect(out, "Transform ID (INTEG): AUTH_HMAC_SHA2_256_128 (12)");
	expect(out, "Transform ID (PRF): PRF_HMAC_SHA2_256 (5)");
	expect(out, "Transform ID (D-H): 2048 bit MODP group (14)");
	expect(out, "Transform ID (D-H): Curve25519 (31)");
	expect(out, "Payload: Key Exchange (34)");
	expect(out, "DH Group #: Curve25519 (31)");
	hexstr(ke, ke_len, line, sizeof(line), "Key Exchange Data: ");
	expect(out, line);
	snprintf(line, sizeof(line), "Length: %zu\n", len);
	expect(out, line);
	expect(out, "Payload: Nonce (40)");
	expect(out, "Nonce DATA: a0a1a2a3");
	expect(out, "Notify Message Type: NAT_DETECTION_SOURCE_IP (16388)");
	expect(out, "Notify Message Type: NAT_DETECTION_DESTINATION_IP (16389)");
	expect(out, nat_line);
	ike_dh_free(dh);
}

/* One encrypted IKE_AUTH request per SK transform Wireshark 4.0 can decrypt,
 * keyed by a real X25519 exchange through SKEYSEED and prf+ (RFC 7296
 * §2.14).  tshark, given SK_e/SK_a in an ikev2_decryption_table, must
 * decrypt each, verify the integrity checksum and show the inner payloads:
 * an independent check of the SK payload layout and of the key split.  A
 * tampered copy of the first message must fail Wireshark's check. */
struct sk_case {
	struct ike_suite suite;
	const char *encr_name, *integ_name;
};

static void test_sk_decrypts_in_tshark(void **state)
{
	(void)state;
	static const struct sk_case cases[] = {
	        {{IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_NONE,
	          IKE_DH_CURVE25519},
	         "AES-GCM-128 with 16 octet ICV [RFC5282]",
	         "NONE [RFC4306]"},
	        {{IKE_ENCR_AES_GCM_16, 256, IKE_PRF_HMAC_SHA2_384, IKE_INTEG_NONE,
	          IKE_DH_CURVE25519},
	         "AES-GCM-256 with 16 octet ICV [RFC5282]",
	         "NONE [RFC4306]"},
	        {{IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128,
	          IKE_DH_CURVE25519},
	         "AES-CBC-128 [RFC3602]",
	         "HMAC_SHA2_256_128 [RFC4868]"},
	        {{IKE_ENCR_AES_CBC, 256, IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256,
	          IKE_DH_CURVE25519},
	         "AES-CBC-256 [RFC3602]",
	         "HMAC_SHA2_512_256 [RFC4868]"},
	};
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	char dir[600], path[700], err[200], *out;
	FILE *table, *pcap;
	uint8_t ni[32], nr[32], tampered[1024];
	size_t tampered_len = 0;
	uint32_t src = A4(192, 0, 2, 1), dst = A4(198, 51, 100, 2);

	snprintf(dir, sizeof(dir), "%s/.config/wireshark", tmpdir);
	snprintf(path, sizeof(path), "mkdir -p %s", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/ikev2_decryption_table", dir);
	table = fopen(path, "w");
	assert_non_null(table);
	memset(ni, 0x11, sizeof(ni));
	memset(nr, 0x22, sizeof(nr));
	snprintf(path, sizeof(path), "%s/ike_auth.pcap", tmpdir);
	pcap = NULL;
	for (int c = 0; c < NCASES; c++) {
		const struct ike_suite *s = &cases[c].suite;
		struct ike_dh *a = ike_dh_new(s->dh, err, sizeof(err));
		struct ike_dh *b = ike_dh_new(s->dh, err, sizeof(err));
		uint8_t gir[64], skeyseed[IKE_PRF_MAX_LEN], buf[1024], iv[16], esp_spi[4];
		size_t pl, gl, len;
		const uint8_t *pub;
		struct ike_keys k;
		struct ike_sk_pair sk;
		struct ike_header h = {
		        .exchange = IKE_AUTH, .flags = IKE_FLAG_INITIATOR, .message_id = 1};
		struct ike_builder bl;
		struct ike_sk_layout l;
		struct ike_proposal_list esp;
		struct ike_ts ts = ike_ts_ipv4(0, A4(10, 1, 0, 0), A4(10, 1, 255, 255), 0, 65535);
		uint8_t auth[64] = {0};

		assert_non_null(a);
		assert_non_null(b);
		pub = ike_dh_public(b, &pl);
		assert_int_equal(ike_dh_derive(a, pub, pl, gir, sizeof(gir), &gl, err, sizeof(err)),
		                 0);
		for (int i = 0; i < 8; i++) {
			h.spi_i[i] = (uint8_t)(0x10 * (c + 1) + i);
			h.spi_r[i] = (uint8_t)(0xa0 + 8 * c + i);
		}
		assert_int_equal(ike_skeyseed(s->prf, ni, 32, nr, 32, gir, gl, skeyseed), 0);
		assert_int_equal(ike_derive_keys(s, skeyseed, ike_prf_len(s->prf), ni, 32, nr, 32,
		                                 h.spi_i, h.spi_r, &k, err, sizeof(err)),
		                 0);
		assert_int_equal(ike_sk_pair_init(&sk, s, &k, true, err, sizeof(err)), 0);

		memset(&esp, 0, sizeof(esp));
		assert_int_equal(
		        ike_proposals_parse(IKE_PROTO_ESP, "aes128gcm16", &esp, err, sizeof(err)),
		        0);
		esp.p[0].spi_size = 4;
		put_be32(esp_spi, 0xc0000001u + (uint32_t)c);
		memcpy(esp.p[0].spi, esp_spi, 4);
		ike_builder_init(&bl, buf, sizeof(buf), &h);
		ike_sk_begin(&bl, sk.out.sz.iv);
		ike_add_id(&bl, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)"carol.example", 13);
		ike_add_auth(&bl, IKE_AUTH_PSK, auth, ike_prf_len(s->prf));
		ike_add_sa(&bl, esp.p, 1);
		ike_add_ts(&bl, IKE_PL_TSI, &ts, 1);
		ike_add_ts(&bl, IKE_PL_TSR, &ts, 1);
		ike_sk_end(&bl, sk.out.sz.block, sk.out.sz.icv, &l);
		assert_int_equal(ike_builder_finish(&bl, &len), 0);
		for (int i = 0; i < 16; i++)
			iv[i] = (uint8_t)(0x30 + i + c);
		assert_int_equal(ike_sk_protect(&sk.out, buf, &l, iv), 0);
		if (c == 0) {
			write_pcap(path, buf, len, src, dst);
			pcap = fopen(path, "ab");
			assert_non_null(pcap);
			memcpy(tampered, buf, len);
			tampered_len = len;
			tampered[l.plain + 3] ^= 0x01;
		} else {
			append_pcap(pcap, buf, len, src, dst, (uint32_t)c + 1);
		}
		{
			char si[40], sr[40], ei[80], er[80], ai[140], ar[140];

			hexstr(h.spi_i, 8, si, sizeof(si), "");
			hexstr(h.spi_r, 8, sr, sizeof(sr), "");
			hexstr(k.sk_ei, k.encr_len, ei, sizeof(ei), "");
			hexstr(k.sk_er, k.encr_len, er, sizeof(er), "");
			hexstr(k.sk_ai, k.integ_len, ai, sizeof(ai), "");
			hexstr(k.sk_ar, k.integ_len, ar, sizeof(ar), "");
			fprintf(table, "%s,%s,%s,%s,\"%s\",%s,%s,\"%s\"\n", si, sr, ei, er,
			        cases[c].encr_name, ai, ar, cases[c].integ_name);
		}
		ike_sk_pair_free(&sk);
		ike_keys_wipe(&k);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	append_pcap(pcap, tampered, tampered_len, src, dst, NCASES + 1);
	fclose(pcap);
	fclose(table);
	out = run_tshark(path);
	{
		/* Frames 1..4: nothing malformed, every one decrypted, its
		 * checksum verified, its inner payloads dissected. */
		char *last = strstr(out, "Frame 5:");

		assert_non_null(last);
		*last = '\0';
		if (strstr(out, "Malformed") || strstr(out, "Expert Info (Error"))
			fail_msg("tshark reports errors:\n%s", out);
		for (int c = 0; c < NCASES; c++) {
			char want[100];

			snprintf(want, sizeof(want), "Frame %d:", c + 1);
			expect(out, want);
		}
		expect_count(out, "Decrypted Data", NCASES);
		expect_count(out, "Payload: Identification - Initiator (35)", NCASES);
		expect_count(out, "ID_FQDN: carol.example", NCASES);
		expect_count(out, "Payload: Traffic Selector - Responder (45)", NCASES);
		expect_count(out, "Starting Addr: 10.1.0.0", 2 * NCASES);
		expect_count(out, "[correct]", NCASES);
		*last = 'F';
	}
	/* Wireshark really checks: the tampered copy of frame 1 fails. */
	expect_count(out, "Integrity Checksum Data: ", NCASES + 1);
	expect_count(out, "[correct]", NCASES);
	expect_count(out, "[incorrect", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ike_sa_init_dissects),
	        cmocka_unit_test(test_sk_decrypts_in_tshark),
	};

	return tshark_test_main("ike_tshark", tests, sizeof(tests) / sizeof(tests[0]), tmpdir);
}
