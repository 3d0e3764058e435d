/* Key export in Wireshark's formats, so captures open decrypted:
 * DIR/keys/esp_sa (the ESP SA table of Wireshark's ESP preferences),
 * DIR/keys/ikev2_decryption_table (its IKEv2 table) and
 * DIR/keys-home/.config/wireshark/, a home with both tables and the
 * preferences switched on, for `HOME=DIR/keys-home tshark -r ...`. */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "ipsec.h"

struct keys {
	const struct ipsec_sa_config **sas; /* every SA of the run, any order */
	size_t n_sas;
	const char **ike_lines; /* ikev2_decryption_table lines, as IKE made them */
	size_t n_ike_lines;
};

/* One line per distinct ESP SA Wireshark 4.0 can decrypt (an SA configured
 * on both peers is listed once).  The number of lines, or -1. */
int keys_write_esp_sa(FILE *f, const struct keys *k);
/* Writes the tables and the keys-home tree under DIR.  0 or -1 (errno). */
int keys_export(const char *dir, const struct keys *k);

#endif
