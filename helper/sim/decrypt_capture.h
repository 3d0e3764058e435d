/* The capture side of `ipsec-sim decrypt` (cmd_decrypt.c): each frame of
 * a capture has its link layer stripped; ESP over IPv4 or IPv6 (IP protocol
 * 50, after IPv6 extension headers too, or UDP-encapsulated ESP to or from
 * port 4500, RFC 3948) goes through the engine's inbound path keyed from an
 * esp_sa table and is replaced by what it delivers; every other IP packet
 * passes unchanged; frames that are not IP are skipped.  Apart from the
 * command so that it can be fuzzed (test/fuzz/decrypt_fuzz.c).
 *
 * libpcap's headers use u_int, u_char...: define _DEFAULT_SOURCE before
 * including this header. */
#ifndef DECRYPT_CAPTURE_H
#define DECRYPT_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp_sa_file.h"
#include "ipsec.h"

enum decrypt_mode { MODE_AUTO, MODE_TUNNEL, MODE_TRANSPORT };

struct decrypt_stats {
	uint64_t decrypted, passed, dropped, skipped;
	uint64_t drops[IPSEC_DROP__COUNT];
};

struct decryptor;

/* Engines for the SAs of `sas` (read from `sa_path`) in `mode`; NULL after
 * printing an error to stderr. */
struct decryptor *decryptor_new(const struct esp_sa_list *sas, const char *sa_path,
                                enum decrypt_mode mode);
void decryptor_free(struct decryptor *d);
/* Is link type `dlt` one decrypt_capture() reads (Ethernet, PPP, raw IP,
 * loopback, Linux cooked)? */
bool decrypt_link_supported(int dlt);
/* Every frame of `in` (of a supported link type) into `out` as raw IP
 * (LINKTYPE_RAW: IPv4 and IPv6).
 * 0, or -1 on a read error (pcap_geterr(in) says which). */
int decrypt_capture(struct decryptor *d, pcap_t *in, pcap_dumper_t *out);
const struct decrypt_stats *decrypt_stats(const struct decryptor *d);

#endif
