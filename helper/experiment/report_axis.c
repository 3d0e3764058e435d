#include "report_axis.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

bool report_axis_number(const char *s, double *v, const char **unit)
{
	char err[160], *end;
	uint64_t u;
	double p;
	*v = strtod(s, &end);
	if (end != s && !*end && isfinite(*v) && !isspace((unsigned char)*s)) {
		*unit = "";
		return true;
	}
	if (units_time_ns(s, &u, err, sizeof err) == 0) {
		*v = (double)u * 1e-9;
		*unit = "s";
	} else if (units_rate_bps(s, &u, err, sizeof err) == 0) {
		*v = (double)u;
		*unit = "bit/s";
	} else if (units_size_bytes(s, &u, err, sizeof err) == 0) {
		*v = (double)u;
		*unit = "B";
	} else if (units_fraction(s, &p, err, sizeof err) == 0) { /* "1%" */
		*v = p;
		*unit = "";
	} else
		return false;
	return true;
}

/* The start of component `n` of key (0: the first), or NULL. */
static const char *component(const char *key, size_t n)
{
	for (; n && key; n--)
		key = (key = strchr(key, '.')) ? key + 1 : NULL;
	return key;
}

static size_t component_len(const char *c)
{
	return strcspn(c, ".");
}

/* Key i's name: its last component ("rekey_policy"), after the first one
 * that tells it from every other key of that last component
 * ("gw.rekey_policy" and "ue.rekey_policy" for nodes.gw.ipsec...  and
 * nodes.ue.ipsec...), that one after its predecessor when it is a number
 * ("links.1.loss"). */
static char *short_name(const struct report *r, size_t i)
{
	const char *key = r->keys[i], *last = strrchr(key, '.');
	last = last ? last + 1 : key;
	size_t differ = 0; /* the component that tells it from all */
	bool shared = false;
	for (size_t j = 0; j < r->n_keys; j++) {
		const char *other = strrchr(r->keys[j], '.');
		if (j == i || strcmp(other ? other + 1 : r->keys[j], last))
			continue;
		shared = true;
		size_t d = 0;
		const char *a, *b;
		while ((a = component(key, d)) && (b = component(r->keys[j], d)) &&
		       component_len(a) == component_len(b) && !strncmp(a, b, component_len(a)))
			d++;
		differ = d > differ ? d : differ;
	}
	const char *to = component(key, differ), *from = to;
	if (!shared || !to || to == last)
		return strdup(shared ? key : last);
	if (differ && isdigit((unsigned char)*to))
		from = component(key, differ - 1);
	char name[512];
	snprintf(name, sizeof name, "%.*s.%s", (int)(to + component_len(to) - from), from, last);
	return strdup(name);
}

/* Whether configurations a and b have the same values but for key k. */
static bool same_but(const struct report *r, size_t a, size_t b, size_t k)
{
	for (size_t i = 0; i < r->n_keys; i++) {
		const char *x = r->configs[a].values[i], *y = r->configs[b].values[i];
		if (i != k && (x || y) && (!x || !y || strcmp(x, y)))
			return false;
	}
	return true;
}

/* Key k as the numeric axis: its values' numbers into x, the lines into
 * a; the number of distinct values, or 0 when it cannot be one (a value
 * that is no number, units that differ, or no line of two values). */
static size_t try_numeric(const struct report *r, size_t k, struct report_axis *a)
{
	const char *unit = NULL;
	for (size_t c = 0; c < r->n_configs; c++) {
		const char *u, *v = r->configs[c].values[k];
		if (!v || !report_axis_number(v, &a->x[c], &u) || (unit && strcmp(unit, u)))
			return 0;
		unit = u;
	}
	a->n_lines = 0;
	bool two = false;
	for (size_t c = 0; c < r->n_configs; c++) {
		size_t l = 0;
		while (l < a->n_lines && !same_but(r, a->line_head[l], c, k))
			l++;
		if (l == a->n_lines)
			a->line_head[a->n_lines++] = c;
		two |= a->x[a->line_head[l]] != a->x[c];
		a->line[c] = l;
	}
	if (!two)
		return 0;
	size_t distinct = 0;
	for (size_t c = 0; c < r->n_configs; c++) {
		size_t d = 0;
		while (d < c && a->x[d] != a->x[c])
			d++;
		distinct += d == c;
	}
	return distinct;
}

int report_axis_build(const struct report *r, struct report_axis *a)
{
	*a = (struct report_axis){.numeric = (size_t)-1, .values_only = r->n_keys > 0};
	size_t n = r->n_configs + 1;
	a->names = calloc(r->n_keys + 1, sizeof *a->names);
	a->x = calloc(n, sizeof *a->x);
	a->line = calloc(n, sizeof *a->line);
	a->line_head = calloc(n, sizeof *a->line_head);
	if (!a->names || !a->x || !a->line || !a->line_head)
		return -1;
	for (size_t k = 0; k < r->n_keys; k++) {
		if (!(a->names[k] = short_name(r, k)))
			return -1;
		for (size_t j = 0; j < k; j++) /* not unique after all: the keys */
			if (!strcmp(a->names[j], a->names[k])) {
				free(a->names[j]);
				free(a->names[k]);
				a->names[k] = NULL;
				if (!(a->names[j] = strdup(r->keys[j])) ||
				    !(a->names[k] = strdup(r->keys[k])))
					return -1;
			}
		for (size_t c = 0; c < r->n_configs; c++)
			a->values_only &= r->configs[c].values[k] != NULL;
	}
	/* the numeric key of most distinct values (the first of equals) */
	size_t best = 0;
	for (size_t k = 0; k < r->n_keys && r->n_configs > 1; k++) {
		size_t d = try_numeric(r, k, a);
		if (d > best) {
			best = d;
			a->numeric = k;
		}
	}
	if (a->numeric != (size_t)-1)
		try_numeric(r, a->numeric, a);
	else
		for (size_t c = 0; c < r->n_configs; c++) { /* a line each */
			a->line[c] = c;
			a->line_head[c] = c;
			a->n_lines = r->n_configs;
		}
	return 0;
}

void report_axis_free(struct report_axis *a)
{
	for (size_t k = 0; a->names && a->names[k]; k++)
		free(a->names[k]);
	free(a->names);
	free(a->x);
	free(a->line);
	free(a->line_head);
	*a = (struct report_axis){0};
}

size_t report_axis_label(const struct report *r, const struct report_axis *a, size_t c, size_t skip,
                         bool names, const char *sep, char *buf, size_t len)
{
	size_t n = 0, used = 0;
	buf[0] = 0;
	for (size_t k = 0; k < r->n_keys; k++) {
		const char *v = r->configs[c].values[k];
		if (k == skip || !v)
			continue;
		int w = names || !a->values_only
		                ? snprintf(buf + used, len - used, "%s%s=%s", n ? sep : "",
		                           a->names[k], v)
		                : snprintf(buf + used, len - used, "%s%s", n ? sep : "", v);
		used += w > 0 && (size_t)w < len - used ? (size_t)w : 0;
		n++;
	}
	if (!n && skip == (size_t)-1)
		snprintf(buf, len, "%s", r->configs[c].label);
	return n;
}
