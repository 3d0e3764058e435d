/* Quantities in scenario files: see units.h. */
#include "units.h"
#include "errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum decimal_fail {
	DECIMAL_NONE = 1, /* no number */
	DECIMAL_LARGE,    /* more than 19 significant digits, or 10^19 and above */
	DECIMAL_FINE,     /* below 10^-19: finer than any unit here */
};

/* A decimal number "D+[.D*]" or ".D+", with an optional exponent "e[+-]D+",
 * at the start of s: its digits as an integer and the count of fraction
 * digits (m / 10^frac is the number).  Returns the end of the number, or
 * NULL with *fail saying why it cannot be one here. */
static const char *decimal_exp(const char *s, uint64_t *mant, unsigned *frac, int *fail)
{
	uint64_t m = 0;
	unsigned k = 0, ndigits = 0, pending_zeros = 0;
	bool in_frac = false;
	const char *p = s;

	*fail = DECIMAL_LARGE;
	for (;; p++) {
		if (*p == '.' && !in_frac) {
			in_frac = true;
			continue;
		}
		if (!is_digit(*p))
			break;
		ndigits++;
		if (in_frac && *p == '0') {
			/* keep trailing zeros of the fraction pending */
			pending_zeros++;
			continue;
		}
		for (; pending_zeros; pending_zeros--) {
			if (m > UINT64_MAX / 10)
				return NULL;
			m *= 10;
			k++;
		}
		if (m > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return NULL;
		m = m * 10 + (uint64_t)(*p - '0');
		if (in_frac)
			k++;
	}
	if (ndigits == 0) {
		*fail = DECIMAL_NONE;
		return NULL;
	}
	const char *e = *p == 'e' || *p == 'E' ? p + 1 + (p[1] == '+' || p[1] == '-') : p;
	if (e != p && is_digit(*e)) {
		long exp = 0;
		for (; is_digit(*e); e++)
			if (exp < 100000)
				exp = exp * 10 + (*e - '0');
		if (p[1] == '-')
			exp = -exp;
		p = e;
		for (; exp > 0 && k > 0; exp--)
			k--;
		for (; exp > 0 && m; exp--) {
			if (m > UINT64_MAX / 10)
				return NULL;
			m *= 10;
		}
		if (exp < 0)
			k += (unsigned)-exp;
	}
	for (; k > 0 && m % 10 == 0 && m; k--)
		m /= 10;
	if (m == 0)
		k = 0;
	if (k > 19) {
		*fail = DECIMAL_FINE;
		return NULL;
	}
	*mant = m;
	*frac = k;
	return p;
}

static const char *decimal(const char *s, uint64_t *mant, unsigned *frac)
{
	int fail;
	return decimal_exp(s, mant, frac, &fail);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* mant / 10^frac * mult, exactly; -1 if not a whole number, -2 on overflow. */
static int scale(uint64_t mant, unsigned frac, uint64_t mult, uint64_t *out)
{
	uint64_t p = 1, g;

	for (unsigned i = 0; i < frac; i++)
		p *= 10;
	g = gcd(mult, p);
	mult /= g;
	p /= g;
	if (mant % p)
		return -1;
	mant /= p;
	if (mult && mant > UINT64_MAX / mult)
		return -2;
	*out = mant * mult;
	return 0;
}

struct unit {
	const char *name;
	uint64_t mult;
};

/* Parses "<decimal>[ ]<unit>" against a unit table (case-sensitive match
 * first, then case-insensitive).  Returns 0 ok, -1 unknown form, -2 not
 * whole, -3 overflow.  A missing unit is looked up as "". */
static int quantity(const char *s, const struct unit *units, uint64_t *out)
{
	uint64_t mant;
	unsigned frac;
	int fail;
	const char *p = decimal_exp(s, &mant, &frac, &fail);

	if (!p)
		return fail == DECIMAL_NONE ? -1 : fail == DECIMAL_FINE ? -2 : -3;
	while (*p == ' ')
		p++;
	for (int pass = 0; pass < 2; pass++) {
		for (const struct unit *u = units; u->name; u++) {
			if (pass == 0 ? strcmp(p, u->name) : strcasecmp(p, u->name))
				continue;
			switch (scale(mant, frac, u->mult, out)) {
			case 0:
				return 0;
			case -1:
				return -2;
			default:
				return -3;
			}
		}
	}
	return -1;
}

static bool bare_number(const char *s)
{
	uint64_t mant;
	unsigned frac;
	const char *end = decimal(s, &mant, &frac);

	return end && *end == '\0';
}

int units_time_ns(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	static const struct unit units[] = {
	        {"ns", 1},         {"us", 1000},         {"ms", 1000000},
	        {"s", 1000000000}, {"min", 60000000000}, {"h", 3600000000000},
	        {NULL, 0},
	};

	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	switch (quantity(s, units, ns)) {
	case 0:
		return 0;
	case -2:
		return errf(err, errlen, "'%s' is finer than 1 ns", s);
	case -3:
		return errf(err, errlen, "'%s' is too large a time", s);
	}
	if (bare_number(s))
		return errf(err, errlen, "'%s' is not a time: add a unit: ns, us, ms, s, min or h",
		            s);
	return errf(err, errlen, "'%s' is not a time: use ns, us, ms, s, min or h", s);
}

int units_rate_bps(const char *s, uint64_t *bps, char *err, size_t errlen)
{
	static const struct unit units[] = {
	        {"bps", 1}, {"kbps", 1000}, {"Mbps", 1000000}, {"Gbps", 1000000000}, {NULL, 0},
	};

	switch (quantity(s, units, bps)) {
	case 0:
		if (*bps == 0)
			return errf(err, errlen, "a rate must be above 0, got '%s'", s);
		return 0;
	case -2:
		return errf(err, errlen, "'%s' is finer than 1 bps", s);
	case -3:
		return errf(err, errlen, "'%s' is too large a rate", s);
	}
	return errf(err, errlen, "'%s' is not a rate: use bps, kbps, Mbps or Gbps", s);
}

int units_size_bytes(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
	static const struct unit units[] = {
	        {"", 1},          {"B", 1},           {"KB", 1000},
	        {"kB", 1000},     {"KiB", 1024},      {"MB", 1000000},
	        {"MiB", 1048576}, {"GB", 1000000000}, {"GiB", 1073741824},
	        {NULL, 0},
	};

	switch (quantity(s, units, bytes)) {
	case 0:
		return 0;
	case -2:
		return errf(err, errlen, "'%s' is not a whole number of bytes", s);
	case -3:
		return errf(err, errlen, "'%s' is too large a size", s);
	}
	return errf(err, errlen, "'%s' is not a size: use B, KB, KiB, MB, MiB, GB or GiB", s);
}

int units_fraction(const char *s, double *p, char *err, size_t errlen)
{
	uint64_t mant;
	unsigned frac;
	const char *end = decimal(s, &mant, &frac);
	double v;

	if (!end)
		return errf(err, errlen,
		            "'%s' is not a probability: use 0..1 or a percentage like 1%%", s);
	v = (double)mant;
	for (unsigned i = 0; i < frac; i++)
		v /= 10;
	while (*end == ' ')
		end++;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end != '\0')
		return errf(err, errlen,
		            "'%s' is not a probability: use 0..1 or a percentage like 1%%", s);
	if (!(v <= 1.0))
		return errf(err, errlen, "'%s' is above 1 (100%%)", s);
	*p = v;
	return 0;
}

int units_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v, char *err, size_t errlen)
{
	uint64_t x = 0;
	const char *p = s;
	unsigned base = 10;
	bool overflow = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		goto bad;
	for (; *p; p++) {
		unsigned d;

		if (is_digit(*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			goto bad;
		if (x > (UINT64_MAX - d) / base)
			overflow = true;
		else
			x = x * base + d;
	}
	if (overflow || x < min || x > max)
		return errf(err, errlen, "%s is out of range: %llu..%llu", s,
		            (unsigned long long)min, (unsigned long long)max);
	*v = x;
	return 0;
bad:
	return errf(err, errlen, "'%s' is not a number (decimal or 0x hex)", s);
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int units_hex_bytes(const char *s, uint8_t *buf, size_t cap, size_t *len, char *err, size_t errlen)
{
	const char *p = s;
	size_t n;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	n = strlen(p);
	for (size_t i = 0; i < n; i++)
		if (hexval(p[i]) < 0)
			return errf(err, errlen, "'%s' is not hex: unexpected '%c'", s, p[i]);
	if (n == 0)
		return errf(err, errlen, "'%s' holds no hex digits", s);
	if (n % 2)
		return errf(err, errlen, "'%s' has an odd number of hex digits (%zu)", s, n);
	*len = n / 2;
	if (*len > cap)
		return 0;
	for (size_t i = 0; i < *len; i++)
		buf[i] = (uint8_t)(hexval(p[2 * i]) << 4 | hexval(p[2 * i + 1]));
	return 0;
}

int units_bool(const char *s, bool *v, char *err, size_t errlen)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return errf(err, errlen, "'%s' is not a boolean: use true or false", s);
}

/* Parses a dotted quad at the start of s; returns its end or NULL. */
static const char *ipv4(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, nd = 0;
		const char *start;

		if (i > 0) {
			if (*p != '.')
				return NULL;
			p++;
		}
		start = p;
		for (; is_digit(*p); p++, nd++) {
			v = v * 10 + (unsigned)(*p - '0');
			if (nd >= 3)
				return NULL;
		}
		/* No leading zeros: "010" is octal to inet_aton, ambiguous. */
		if (nd == 0 || v > 255 || (nd > 1 && *start == '0'))
			return NULL;
		a = a << 8 | v;
	}
	*addr = a;
	return p;
}

int units_ipv4(const char *s, uint32_t *addr, char *err, size_t errlen)
{
	const char *p = ipv4(s, addr);

	if (!p || *p)
		return errf(err, errlen, "'%s' is not an IPv4 address", s);
	return 0;
}

int units_ipv4_prefix(const char *s, uint32_t *addr, uint8_t *len, char *err, size_t errlen)
{
	const char *p = ipv4(s, addr);
	uint64_t n;
	char dummy[8];

	if (!p || *p != '/' || !is_digit(p[1]) || strlen(p + 1) > 2 ||
	    units_uint(p + 1, 0, 32, &n, dummy, sizeof(dummy)) != 0)
		return errf(err, errlen, "'%s' is not an IPv4 prefix like 10.1.0.0/24", s);
	*len = (uint8_t)n;
	return 0;
}

int units_ip(const char *s, struct ip_addr *addr, char *err, size_t errlen)
{
	if (ip_addr_parse(s, addr))
		return errf(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
	return 0;
}

int units_ip_prefix(const char *s, struct ip_addr *addr, uint8_t *len, char *err, size_t errlen)
{
	const char *slash = strrchr(s, '/');
	char text[IP_ADDR_STRLEN], dummy[8];
	uint64_t n;

	if (!slash || (size_t)(slash - s) >= sizeof(text) || !is_digit(slash[1]) ||
	    strlen(slash + 1) > 3)
		goto bad;
	memcpy(text, s, (size_t)(slash - s));
	text[slash - s] = '\0';
	if (ip_addr_parse(text, addr))
		goto bad;
	if (units_uint(slash + 1, 0, 8 * ip_family_len(addr->family), &n, dummy, sizeof(dummy)))
		return errf(err, errlen, "'%s': an %s prefix length is 0 to %zu", s,
		            addr->family == IP_FAMILY_V4 ? "IPv4" : "IPv6",
		            8 * ip_family_len(addr->family));
	*len = (uint8_t)n;
	return 0;
bad:
	return errf(err, errlen, "'%s' is not a prefix like 10.1.0.0/24 or 2001:db8:1::/64", s);
}

uint32_t units_mask(uint8_t len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

char *units_ipv4_str(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}
