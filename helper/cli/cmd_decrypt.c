/* ipsec-sim decrypt --esp-sa FILE IN.pcap OUT.pcap [--mode auto|tunnel|transport]
 *
 * Decrypts the ESP packets of a capture with the engine's own inbound code
 * (ipsec_input), keyed from a Wireshark esp_sa table (esp_sa_file.h), and
 * writes the capture "as seen in the clear" to OUT.pcap as raw IP
 * (LINKTYPE_RAW, IPv4 and IPv6) with the original timestamps:
 *
 *  - an ESP packet over IPv4 or IPv6 (IP protocol 50, after the IPv6
 *    extension headers that precede it, or UDP-encapsulated ESP, RFC 3948,
 *    to or from port 4500) that decrypts and verifies with an SA of its
 *    family ("IPv4" or "IPv6" rows) is replaced by what the engine
 *    delivers: in tunnel mode the inner packet of either family (4-in-4,
 *    6-in-6, 4-in-6, 6-in-4), in transport mode the original packet
 *    rebuilt with the payload in clear (its extension headers kept, its
 *    length fields fixed);
 *  - an ESP packet that fails is dropped and counted by the engine's reason
 *    (no_sa, icv_fail, malformed, ...);
 *  - every other IP packet (IKE, AH, plain traffic) is written unchanged
 *    ("passed");
 *  - frames that are not IP (ARP, PPP control protocols) cannot be written
 *    as raw IP and are skipped (counted separately).
 *
 * The esp_sa table does not say whether an SA is in tunnel or transport
 * mode.  --mode auto (the default) tries tunnel mode first and, when the
 * decrypted payload is not an IP packet (next header other than 4 or 41),
 * transport mode.  Every SA has anti-replay off: a capture may hold both
 * directions of a flow, retransmissions or duplicates, and a replay check
 * would wrongly drop them.  ESP fragments (IPv4 or an IPv6 Fragment
 * header) are not reassembled: they count as malformed, as does an IPv6
 * packet whose extension-header chain the engine refuses (model/ipsec/ipv6.h)
 * if its first Next Header says ESP.
 *
 * Link types read: Ethernet (with 802.1Q tags), PPP (as ns-3's
 * PointToPointNetDevice writes it: a 2-byte protocol field, 0x0021 for IPv4,
 * 0x0057 for IPv6; an HDLC ff 03 prefix is skipped), raw IP, BSD loopback,
 * Linux cooked.
 *
 * Prints one line to stdout:
 *   decrypted N, passed M, dropped K (no_sa=A, icv_fail=B[, reason=C]...)
 * followed by ", skipped S not-IP frames" when S > 0.  Exit 0 when the
 * capture was processed (even if packets were dropped), 2 on usage and file
 * errors.  The work is decrypt_capture.c's.
 */
/* libpcap's headers use u_int, u_char...: BSD types glibc hides under
 * plain _POSIX_C_SOURCE. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "decrypt_capture.h"
#include "paths.h"

#define SNAPLEN 65535

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim decrypt --esp-sa FILE IN.pcap OUT.pcap"
	                " [--mode auto|tunnel|transport]\n");
	return 2;
}

/* Timestamp precision of a pcap file from its magic number, so the output
 * keeps the input's (ns-3 writes microseconds). */
static int file_precision(const char *path)
{
	uint8_t m[4];
	FILE *f = fopen(path, "rb");
	int prec = PCAP_TSTAMP_PRECISION_MICRO;
	if (f) {
		if (fread(m, 1, 4, f) == 4 &&
		    ((m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
		     (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1)))
			prec = PCAP_TSTAMP_PRECISION_NANO;
		fclose(f);
	}
	return prec;
}

int cmd_decrypt(int argc, char **argv)
{
	const char *sa_path = NULL, *in_path = NULL, *out_path = NULL;
	enum decrypt_mode mode = MODE_AUTO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--esp-sa") || !strcmp(a, "--mode")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ipsec-sim decrypt: %s needs a value\n", a);
				return usage();
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--esp-sa")) {
				sa_path = v;
			} else if (!strcmp(v, "auto")) {
				mode = MODE_AUTO;
			} else if (!strcmp(v, "tunnel")) {
				mode = MODE_TUNNEL;
			} else if (!strcmp(v, "transport")) {
				mode = MODE_TRANSPORT;
			} else {
				fprintf(stderr,
				        "ipsec-sim decrypt: --mode must be auto, tunnel or "
				        "transport, got '%s'\n",
				        v);
				return usage();
			}
		} else if (!strncmp(a, "--esp-sa=", 9)) {
			sa_path = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ipsec-sim decrypt: unknown option '%s'\n", a);
			return usage();
		} else if (!in_path) {
			in_path = a;
		} else if (!out_path) {
			out_path = a;
		} else {
			fprintf(stderr, "ipsec-sim decrypt: unexpected argument '%s'\n", a);
			return usage();
		}
	}
	if (!sa_path || !in_path || !out_path) {
		fprintf(stderr, "ipsec-sim decrypt: %s\n",
		        !sa_path ? "--esp-sa FILE is required"
		                 : "IN.pcap and OUT.pcap are required");
		return usage();
	}

	if (same_file(in_path, out_path) != 0) {
		fprintf(stderr,
		        "ipsec-sim decrypt: %s is %s: writing it would destroy the capture\n",
		        out_path, in_path);
		return 2;
	}

	struct esp_sa_list sas;
	if (esp_sa_file_load(sa_path, &sas, stderr) != 0) {
		esp_sa_list_free(&sas);
		return 2;
	}
	if (sas.n == 0) {
		fprintf(stderr, "%s: no usable SA (%zu line%s skipped): no packet would decrypt\n",
		        sa_path, sas.skipped, sas.skipped == 1 ? "" : "s");
		esp_sa_list_free(&sas);
		return 2;
	}

	int rc = 2;
	struct decryptor *d = decryptor_new(&sas, sa_path, mode);
	pcap_t *in = NULL, *dead = NULL;
	pcap_dumper_t *out = NULL;
	char errbuf[PCAP_ERRBUF_SIZE];
	if (!d)
		goto done;

	int prec = file_precision(in_path);
	in = pcap_open_offline_with_tstamp_precision(in_path, (u_int)prec, errbuf);
	if (!in) {
		fprintf(stderr, "%s: %s\n", in_path, errbuf);
		goto done;
	}
	int dlt = pcap_datalink(in);
	if (!decrypt_link_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		fprintf(stderr,
		        "%s: link type %d (%s) is not supported (Ethernet, PPP, raw IP, "
		        "loopback or Linux cooked)\n",
		        in_path, dlt, name ? name : "unknown");
		goto done;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SNAPLEN, (u_int)prec);
	if (!dead || !(out = pcap_dump_open(dead, out_path))) {
		fprintf(stderr, "%s: %s\n", out_path, dead ? pcap_geterr(dead) : "out of memory");
		goto done;
	}
	if (decrypt_capture(d, in, out) != 0) {
		fprintf(stderr, "%s: %s\n", in_path, pcap_geterr(in));
		goto done;
	}
	if (pcap_dump_flush(out) != 0) {
		fprintf(stderr, "%s: write error: %s\n", out_path, strerror(errno));
		goto done;
	}

	const struct decrypt_stats *st = decrypt_stats(d);
	printf("decrypted %llu, passed %llu, dropped %llu (no_sa=%llu, icv_fail=%llu",
	       (unsigned long long)st->decrypted, (unsigned long long)st->passed,
	       (unsigned long long)st->dropped, (unsigned long long)st->drops[IPSEC_DROP_NO_SA],
	       (unsigned long long)st->drops[IPSEC_DROP_ICV_FAIL]);
	for (int i = 0; i < IPSEC_DROP__COUNT; i++)
		if (i != IPSEC_DROP_NO_SA && i != IPSEC_DROP_ICV_FAIL && st->drops[i])
			printf(", %s=%llu", ipsec_drop_name((enum ipsec_drop)i),
			       (unsigned long long)st->drops[i]);
	printf(")");
	if (st->skipped)
		printf(", skipped %llu not-IP frames", (unsigned long long)st->skipped);
	printf("\n");
	rc = 0;
done:
	if (out)
		pcap_dump_close(out);
	if (dead)
		pcap_close(dead);
	if (in)
		pcap_close(in);
	decryptor_free(d);
	esp_sa_list_free(&sas);
	return rc;
}
