/* Key export in Wireshark's formats, so captures open decrypted:
 * DIR/keys/esp_sa (the ESP SA table of Wireshark's ESP preferences; with
 * the ChaCha20-Poly1305 SAs too for Wireshark 4.2+: esp_sa-wireshark-4.2),
 * DIR/keys/ikev2_decryption_table (its IKEv2 table) and
 * DIR/keys-home/.config/wireshark/, a home with both tables and the
 * preferences switched on, for `HOME=DIR/keys-home tshark -r ...`. */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "ipsec.h"

struct keys {
	const struct ipsec_sa_config **sas;  /* every SA of the run, any order */
	const struct ipsec_sa_stats **stats; /* of each SA, or NULL */
	size_t n_sas, cap_sas;
	const char **ike_lines; /* ikev2_decryption_table lines, as IKE made them */
	size_t n_ike_lines;
};

/* Adds every SA `engine` has had (ipsec_sa_foreach) to sas and stats,
 * which grow as needed; keys_release frees them.  0, or -1 when out of
 * memory. */
int keys_add_engine(struct keys *k, const struct ipsec *engine);
void keys_release(struct keys *k);

/* The Wireshark versions whose esp_sa tables differ: 4.2 added
 * ChaCha20-Poly1305 (RFC 7634), a name 4.0 reports as an error. */
enum keys_wireshark { KEYS_WIRESHARK_4_0, KEYS_WIRESHARK_4_2 };

/* One line per distinct ESP SA that Wireshark version can decrypt (an SA
 * configured on both peers is listed once).  The number of lines, or -1. */
int keys_write_esp_sa(FILE *f, const struct keys *k, enum keys_wireshark w);
/* Writes the tables (esp_sa for Wireshark 4.0 and later,
 * esp_sa-wireshark-4.2 with the ChaCha20-Poly1305 SAs too) and the
 * keys-home tree under DIR.  0 or -1 (errno). */
int keys_export(const char *dir, const struct keys *k);

#endif
