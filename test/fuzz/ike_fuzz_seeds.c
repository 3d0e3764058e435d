/* Writes the seed corpus of the IKE fuzz target: valid messages of every
 * exchange type and payload, two of them encrypted with the target's fixed
 * keys.  Usage: ike_fuzz_seeds DIR */
#include "ike_crypto.h"
#include "ike_fuzz_keys.h"
#include "ike_msg.h"
#include "ike_proposal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir;
static int count;

static void save(const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, count++);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void finish(struct ike_builder *b, uint8_t *buf)
{
	size_t len;

	if (ike_builder_finish(b, &len)) {
		fprintf(stderr, "seed %d: %s\n", count, b->err.reason);
		exit(1);
	}
	save(buf, len);
}

static struct ike_header header(uint8_t exchange, uint8_t flags, uint32_t mid)
{
	struct ike_header h = {.exchange = exchange, .flags = flags, .message_id = mid};

	memcpy(h.spi_i, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	if (exchange != IKE_SA_INIT || (flags & IKE_FLAG_RESPONSE))
		memcpy(h.spi_r, "\xfe\xdc\xba\x98\x76\x54\x32\x10", 8);
	return h;
}

int main(int argc, char **argv)
{
	uint8_t buf[4096], nonce[32], ke[256], data[64];
	struct ike_proposal_list ike, esp;
	struct ike_builder b;
	struct ike_header h;
	struct ike_ts ts[2];
	char err[300];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	memset(&ike, 0, sizeof(ike));
	memset(&esp, 0, sizeof(esp));
	if (ike_proposals_parse(IKE_PROTO_IKE, "default, aes256gcm16-prfsha384-x25519", &ike, err,
	                        sizeof(err)) ||
	    ike_proposals_parse(IKE_PROTO_ESP, "aes128-sha256-esn, aes256gcm16-x25519", &esp, err,
	                        sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (int i = 0; i < esp.n; i++) {
		esp.p[i].spi_size = 4;
		memcpy(esp.p[i].spi, "\xc0\x01\xd0\x0d", 4);
	}
	for (int i = 0; i < 32; i++)
		nonce[i] = (uint8_t)(i * 13);
	memset(ke, 0x42, sizeof(ke));
	memset(data, 0x5a, sizeof(data));
	ts[0] = ike_ts_ipv4(0, 0x0a000000, 0x0a00ffff, 0, 65535);
	ts[1] = ike_ts_ipv4(17, 0xc0a80101, 0xc0a80101, 53, 53);

	/* IKE_SA_INIT request and response */
	h = header(IKE_SA_INIT, IKE_FLAG_INITIATOR, 0);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, ike.p, ike.n);
	ike_add_ke(&b, IKE_DH_CURVE25519, ke, 32);
	ike_add_nonce(&b, nonce, 32);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, data, 20);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, data, 20);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS,
	               (const uint8_t *)"\0\2\0\3\0\4", 6);
	finish(&b, buf);
	h = header(IKE_SA_INIT, IKE_FLAG_RESPONSE, 0);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_sa(&b, &ike.p[2], 1);
	ike_add_ke(&b, IKE_DH_MODP_2048, ke, 256);
	ike_add_nonce(&b, nonce, 32);
	ike_add_certreq(&b, IKE_CERT_X509_SIG, data, 20);
	finish(&b, buf);
	/* An error response and a cookie request. */
	h = header(IKE_SA_INIT, IKE_FLAG_RESPONSE, 0);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD, (const uint8_t *)"\0\x13", 2);
	finish(&b, buf);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_COOKIE, data, 32);
	finish(&b, buf);
	/* IKE_AUTH request in the clear (what goes inside SK) */
	h = header(IKE_AUTH, IKE_FLAG_INITIATOR, 1);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_id(&b, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)"moon.example", 12);
	ike_add_id(&b, IKE_PL_IDR, IKE_ID_IPV4_ADDR, (const uint8_t *)"\xc0\x00\x02\x01", 4);
	ike_add_auth(&b, IKE_AUTH_PSK, data, 32);
	ike_add_cert(&b, IKE_CERT_X509_SIG, data, 40);
	ike_add_notify(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	{
		struct ike_cp_attr a[2] = {{IKE_CP_INTERNAL_IP4_ADDRESS, NULL, 0},
		                           {IKE_CP_INTERNAL_IP4_DNS, NULL, 0}};

		ike_add_cp(&b, IKE_CFG_REQUEST, a, 2);
	}
	ike_add_sa(&b, esp.p, esp.n);
	ike_add_ts(&b, IKE_PL_TSI, ts, 2);
	ike_add_ts(&b, IKE_PL_TSR, ts, 1);
	ike_add_vendor(&b, data, 16);
	ike_add_eap(&b, (const uint8_t *)"\x02\x01\x00\x05\x01", 5);
	ike_add_raw(&b, 200, false, data, 8);
	finish(&b, buf);
	/* INFORMATIONAL with deletes */
	h = header(IKE_INFORMATIONAL, 0, 7);
	ike_builder_init(&b, buf, sizeof(buf), &h);
	ike_add_delete(&b, IKE_PROTO_ESP, 4, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08",
	               2);
	ike_add_delete(&b, IKE_PROTO_IKE, 0, NULL, 0);
	finish(&b, buf);

	/* CREATE_CHILD_SA encrypted with each of the target's suites, in an
	 * SK payload and as the one fragment of an SKF payload (RFC 7383). */
	for (int s = 0; s < 4; s++) {
		uint8_t sk_e[IKE_ENCR_KEY_MAX], sk_a[IKE_INTEG_KEY_MAX], iv[16];
		struct ike_sk out;
		struct ike_sk_layout l;
		size_t len;

		ike_fuzz_keys(sk_e, sk_a);
		if (ike_sk_init(&out, &ike_fuzz_suites[s % 2], sk_e, sk_a, true, err,
		                sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		memset(iv, 0x99, sizeof(iv));
		h = header(IKE_CREATE_CHILD_SA, IKE_FLAG_INITIATOR, 2);
		ike_builder_init(&b, buf, sizeof(buf), &h);
		if (s < 2)
			ike_sk_begin(&b, out.sz.iv);
		else
			ike_skf_begin(&b, out.sz.iv, 1, 1, IKE_PL_NONE);
		ike_add_sa(&b, esp.p, esp.n);
		ike_add_nonce(&b, nonce, 32);
		ike_add_ke(&b, IKE_DH_CURVE25519, ke, 32);
		ike_add_ts(&b, IKE_PL_TSI, ts, 1);
		ike_add_ts(&b, IKE_PL_TSR, ts + 1, 1);
		ike_sk_end(&b, out.sz.block, out.sz.icv, &l);
		if (ike_builder_finish(&b, &len) || ike_sk_protect(&out, buf, &l, iv)) {
			fprintf(stderr, "encrypted seed failed\n");
			return 1;
		}
		save(buf, len);
		ike_sk_free(&out);
	}
	printf("%d seeds in %s\n", count, dir);
	return 0;
}
