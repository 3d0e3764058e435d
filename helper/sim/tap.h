/* TAP devices of the scenario's TAP links (docs/scenario-reference.md, "TAP
 * links"): a simulated node's interface whose frames are a real Linux
 * interface's, in whatever network namespace ipsec-sim runs in.  Needs
 * CAP_NET_ADMIN there (root, or a user namespace of one's own). */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

/* Opens TAP device `name` (IFF_TAP | IFF_NO_PI), creating it if there is
 * none; a device created here disappears when the descriptor is closed.
 * Returns the descriptor, or -1 with a message in err. */
int tap_open(const char *name, char *err, size_t errlen);
/* Gives the device addr/prefix_len (its primary address) and brings it up. */
int tap_configure(const char *name, uint32_t addr, uint8_t prefix_len, char *err, size_t errlen);
/* Builds links[l], a TAP link: opens the device, configures it if the
 * scenario says `configure: true`, attaches the node (ns3c_tap_attach).
 * Returns 0, or -1 after a message to `log`. */
int tap_link_build(const struct scenario *s, size_t l, FILE *log);

#endif
