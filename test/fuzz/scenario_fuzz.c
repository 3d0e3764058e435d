/* libFuzzer target for the scenario loader (helper/scenario*.c, units.c):
 * YAML text -> struct scenario, with `--set` overrides.
 *
 * Input: the scenario's text up to the first NUL byte; each further
 * NUL-separated piece (at most 8) is a `--set` override ("key=value",
 * docs/scenario-reference.md).  The scenario is named fuzz.yaml in the
 * current folder: relative profile and certificate paths are looked up
 * there.  Built by test/fuzz/CMakeLists.txt. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SETS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *sets[SETS_MAX];
	size_t nsets = 0, len;
	struct scenario s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	for (size_t i = len; i < size && nsets < SETS_MAX; i += 1 + strlen(text + i + 1))
		sets[nsets++] = text + i + 1;
	memset(&s, 0, sizeof(s));
	scenario_load_text("fuzz.yaml", text, len, sets, nsets, &s, NULL);
	scenario_free(&s);
	free(text);
	return 0;
}
