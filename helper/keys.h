/* Key export in Wireshark's formats, so captures open decrypted:
 * DIR/keys/esp_sa (the ESP SA table of Wireshark's ESP preferences) and
 * DIR/keys-home/.config/wireshark/, a home with those preferences switched
 * on, for `HOME=DIR/keys-home tshark -r ...`. */
#ifndef KEYS_H
#define KEYS_H

#include <stdio.h>

#include "scenario.h"

/* Writes one line per distinct ESP SA (an SA configured on both peers is
 * listed once).  Returns the number of lines, or -1. */
int keys_write_esp_sa(FILE *f, const struct scenario *s);
/* Writes DIR/keys/esp_sa and the keys-home tree.  0 or -1 (errno set). */
int keys_export(const char *dir, const struct scenario *s);

#endif
