/* Scenario loader: TAP links (docs/scenario-reference.md, "TAP links").
 *
 *   links:
 *     - {tap: ipsim0, node: gwA, addresses: [10.97.1.2/24, 10.97.1.1/24]}
 *
 * attaches node gwA to the TAP device ipsim0 of the host that runs the
 * simulation: the first address is the node's, the second the Linux side's
 * (the next hop of the node's routes out).  Real frames cross it, so the
 * scenario must run on the wall clock (`realtime: true`).
 */
#include "scenario_internal.h"

#include <string.h>

/* Keys of a link between two simulated nodes, and of a TAP link only. */
static const char *const p2p_only[] = {"between", "rate", "delay", "loss", "queue", "mtu", NULL};
static const char *const tap_only[] = {"node", "mac", "configure", NULL};

/* Linux's rule (dev_valid_name) narrowed to what a shell needs no quotes
 * for: 1 to 15 characters, letters, digits, '.', '-', '_', not "." or "..". */
static bool tap_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return -1;
}

/* "02:00:0a:61:01:02": six hex octets; a unicast address, not all zero. */
static int p_mac(const char *s, void *out, char *err, size_t errlen)
{
	uint8_t *mac = out;
	unsigned any = 0;

	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);

		if (lo < 0 || p[2] != (i < 5 ? ':' : '\0')) {
			snprintf(err, errlen,
			         "'%.40s' is not a MAC address: six hex octets like "
			         "02:00:0a:61:01:02",
			         s);
			return -1;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
		any |= mac[i];
	}
	if (mac[0] & 1) {
		snprintf(err, errlen, "mac %s is a multicast address (the first octet is odd)", s);
		return -1;
	}
	if (!any) {
		snprintf(err, errlen, "mac 00:00:00:00:00:00 is no address");
		return -1;
	}
	return 0;
}

int scn_load_tap_link(struct load *L, size_t i, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	struct scenario_link *l = &s->links[i];
	yaml_node_t *tv = scn_get(c, m, "tap"), *v;
	const char *name;
	char what[32];
	bool good = true;

	if (!tv) {
		for (const char *const *k = tap_only; *k; k++)
			if ((v = scn_get(c, m, *k)))
				scn_error_at(c, v,
				             "'%s' is for TAP links (with 'tap:'), not links "
				             "between two nodes",
				             *k);
		return -1;
	}
	for (const char *const *k = p2p_only; *k; k++)
		if ((v = scn_get(c, m, *k))) {
			scn_error_at(c, v,
			             "'%s' is for links between two simulated nodes: a TAP link "
			             "has one node, given with 'node:'",
			             *k);
			good = false;
		}
	name = scn_scalar(c, tv, "tap");
	if (!name) {
		good = false;
	} else if (!tap_name_ok(name)) {
		scn_error_at(c, tv,
		             "'%.40s' is not a TAP device name: 1 to 15 letters, digits, '.', '-' "
		             "or '_'",
		             name);
		good = false;
	} else {
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->links[j].tap, name) == 0) {
				scn_error_at(c, tv, "TAP '%s' is already links.%zu", name, j);
				good = false;
				break;
			}
		strcpy(l->tap, name);
		if (!s->realtime)
			scn_error_at(
			        c, tv,
			        "TAP link '%s' needs 'realtime: true' at the top level: real "
			        "frames cross it, so the simulation must follow the wall clock",
			        name);
	}
	snprintf(what, sizeof(what), "links.%zu", i);
	if (!(v = scn_get(c, m, "node"))) {
		scn_missing(c, m, "node", what);
		good = false;
	} else if ((l->node[0] = scn_node_ref(L, v, "node")) == SCENARIO_NONE) {
		good = false;
	}
	l->node[1] = SCENARIO_NONE;
	if (scn_opt_parse(c, m, "mac", p_mac, l->mac, NULL) < 0)
		good = false;
	scn_opt_bool(c, m, "configure", &l->tap_configure);
	return good ? 1 : 0;
}
