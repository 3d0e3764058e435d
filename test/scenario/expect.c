/* Bad-scenario driver.
 *
 *   scenario_expect FILE.yaml...     check each file's expectations
 *   scenario_expect --fuzz FILE...   mutate each (good) file many times and
 *                                    load every mutant: the loader must
 *                                    return 0 or 2 and never crash (run this
 *                                    under AddressSanitizer)
 *
 * A bad file starts with comment lines:
 *   # expect: LINE:COL: message     an error that must be printed exactly as
 *                                   "FILE:LINE:COL: message" (repeatable)
 *   # expect: --set:N: message      an error about the N-th override
 *   # expect: message               an error without a position ("FILE: ...")
 *   # set: key=value                an override to apply (repeatable)
 * and loading it must return 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define MAX_LINES 16

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

/* Does `out` hold `line` as a whole line? */
static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static int check_file(const char *path)
{
	char *text, *line, *save = NULL, *copy;
	size_t len, nexp = 0, nsets = 0;
	char *expect[MAX_LINES];
	const char *sets[MAX_LINES];
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem;
	struct scenario s;
	int rc, failed = 0;

	text = read_file(path, &len);
	if (!text) {
		printf("FAIL %s: cannot read\n", path);
		return 1;
	}
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line && line[0] == '#';
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# expect: ", 10) == 0 && nexp < MAX_LINES) {
			const char *e = line + 10;
			size_t n = strlen(path) + strlen(e) + 3;

			expect[nexp] = malloc(n);
			if (strncmp(e, "--set:", 6) == 0)
				snprintf(expect[nexp], n, "%s", e); /* about an override */
			else if (e[0] >= '0' && e[0] <= '9')
				snprintf(expect[nexp], n, "%s:%s", path, e); /* LINE:COL: */
			else
				snprintf(expect[nexp], n, "%s: %s", path, e); /* no position */
			nexp++;
		} else if (strncmp(line, "# set: ", 7) == 0 && nsets < MAX_LINES) {
			sets[nsets++] = line + 7;
		}
	}
	if (nexp == 0) {
		printf("FAIL %s: no '# expect:' line at the top\n", path);
		free(copy);
		free(text);
		return 1;
	}
	mem = open_memstream(&out, &outlen);
	rc = scenario_load(path, sets, nsets, &s, mem);
	fclose(mem);
	scenario_free(&s);
	if (rc != 2) {
		printf("FAIL %s: returned %d, expected 2\n", path, rc);
		failed = 1;
	}
	for (size_t i = 0; i < nexp; i++) {
		if (!has_line(out, expect[i])) {
			printf("FAIL %s: missing the line\n  %s\n", path, expect[i]);
			failed = 1;
		}
		free(expect[i]);
	}
	if (failed)
		printf("--- output was:\n%s---\n", out);
	else
		printf("ok   %s\n", path);
	free(out);
	free(copy);
	free(text);
	return failed;
}

/* Deterministic mutations of a good scenario: the loader must cope. */
static int fuzz_file(const char *path, unsigned rounds)
{
	static const char alphabet[] = " \t\n:-[]{},&*!|>'\"#%@`0123456789abcxyz.";
	char *text, *buf;
	size_t len;
	uint64_t x = 0x9e3779b97f4a7c15u;
	unsigned count[3] = {0, 0, 0};

	text = read_file(path, &len);
	if (!text) {
		printf("FAIL %s: cannot read\n", path);
		return 1;
	}
	buf = malloc(2 * len + 16);
	for (unsigned r = 0; r < rounds; r++) {
		size_t n = len;
		FILE *devnull = fopen("/dev/null", "w");
		struct scenario s;
		int rc;

		memcpy(buf, text, len);
		for (unsigned k = 0; k < 1 + r % 4; k++) {
			size_t at;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			at = n ? (size_t)(x >> 8) % n : 0;
			switch (x % 4) {
			case 0: /* overwrite a byte */
				if (n)
					buf[at] = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
				break;
			case 1: /* delete a span */
				if (n) {
					size_t span = 1 + (x >> 32) % 16;

					if (at + span > n)
						span = n - at;
					memmove(buf + at, buf + at + span, n - at - span);
					n -= span;
				}
				break;
			case 2: /* duplicate a span */
				if (n && n < len + len / 2) {
					size_t span = 1 + (x >> 32) % 40;

					if (at + span > n)
						span = n - at;
					memmove(buf + at + span, buf + at, n - at);
					n += span;
				}
				break;
			case 3: /* truncate */
				n = at;
				break;
			}
		}
		rc = scenario_load_text(path, buf, n, NULL, 0, &s, devnull);
		scenario_free(&s);
		fclose(devnull);
		if (rc != 0 && rc != 2) {
			printf("FAIL %s: mutant %u returned %d\n", path, r, rc);
			free(buf);
			free(text);
			return 1;
		}
		count[rc == 0 ? 0 : 1]++;
	}
	printf("ok   %s: %u mutants, %u loaded, %u refused\n", path, rounds, count[0], count[1]);
	free(buf);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;
	bool fuzz = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fuzz") == 0)
			fuzz = true;
		else
			failed += fuzz ? fuzz_file(argv[i], 3000) : check_file(argv[i]);
	}
	if (failed)
		printf("%d file(s) failed\n", failed);
	return failed ? 1 : 0;
}
