/* Scenario loader: the values of traffic selectors (RFC 4301 §4.4.1.1),
 * shared by SPD entries (`policies:`) and IKE children (`local_ts`,
 * `remote_ts`): addresses as "any", an address, a prefix or a range, and
 * ports as "any", a number or a range.
 */
#include "scenario_internal.h"

#include <string.h>

#include "units.h"

/* Traffic selectors: "any", an address, a prefix or a range "A-B". */
int scn_ts_value(const char *t, struct ip_range *r, char *err, size_t errlen)
{
	char buf[64], a1[IP_ADDR_STRLEN];
	const char *dash = strchr(t, '-');
	struct ip_addr a;
	uint8_t len;

	if (strcmp(t, "any") == 0) {
		*r = (struct ip_range){{0}, {0}};
		return 0;
	}
	if (strchr(t, '/')) {
		if (units_ip_prefix(t, &a, &len, err, errlen))
			return -1;
		*r = ip_range_prefix(&a, len);
		if (!ip_addr_eq(&r->lo, &a)) {
			snprintf(err, errlen, "%s has host bits set: did you mean %s/%u?", t,
			         ip_addr_str(&r->lo, a1), len);
			return -1;
		}
		return 0;
	}
	if (dash && (size_t)(dash - t) < sizeof(buf)) {
		memcpy(buf, t, (size_t)(dash - t));
		buf[dash - t] = '\0';
		if (units_ip(buf, &r->lo, err, errlen) || units_ip(dash + 1, &r->hi, err, errlen))
			goto bad;
		if (r->lo.family != r->hi.family) {
			snprintf(err, errlen, "range %s mixes IPv4 and IPv6", t);
			return -1;
		}
		if (ip_addr_cmp(&r->lo, &r->hi) > 0) {
			snprintf(err, errlen, "range %s is empty: its start is above its end", t);
			return -1;
		}
		return 0;
	}
	if (units_ip(t, &a, err, errlen) == 0) {
		*r = ip_range_single(&a);
		return 0;
	}
bad:
	snprintf(err, errlen,
	         "'%s' is not a traffic selector: use any, an address, a prefix like "
	         "10.1.0.0/24 or 2001:db8:1::/64, or a range like 10.1.0.1-10.1.0.9",
	         t);
	return -1;
}

int scn_port_value(const char *t, uint16_t max, struct ipsec_range16 *r, char *err, size_t errlen)
{
	char buf[16];
	const char *dash = strchr(t, '-');
	uint64_t lo, hi;
	char e2[128];

	if (strcmp(t, "any") == 0) {
		r->lo = 0;
		r->hi = max;
		return 0;
	}
	if (dash && (size_t)(dash - t) < sizeof(buf)) {
		memcpy(buf, t, (size_t)(dash - t));
		buf[dash - t] = '\0';
		if (units_uint(buf, 0, max, &lo, e2, sizeof(e2)) ||
		    units_uint(dash + 1, 0, max, &hi, e2, sizeof(e2)))
			goto bad;
		if (lo > hi) {
			snprintf(err, errlen, "port range %s is empty: its start is above its end",
			         t);
			return -1;
		}
	} else if (units_uint(t, 0, max, &lo, e2, sizeof(e2)) == 0) {
		hi = lo;
	} else {
		goto bad;
	}
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a port: use any, a number 0..%u or a range like 500-510",
	         t, max);
	return -1;
}
