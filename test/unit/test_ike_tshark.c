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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ike_sa_init_dissects),
	};
	char path[512];
	int rc;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: tshark is not installed (apt-get install tshark)\n");
		return 77;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "rm -rf %s", tmpdir);
	if (rc == 0 && system(path) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
