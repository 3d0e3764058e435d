/* libFuzzer target for the reader of crypto-engine profiles
 * (helper/scenario/scenario_crypto.c, profiles/NAME.yaml): the input is written to
 * a profile file that a one-node scenario names (`crypto_engine: FILE`),
 * and the scenario is loaded.  Built by test/fuzz/CMakeLists.txt. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scenario[4200];
static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/ipsec-fuzz-profile-%ld.yaml",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	snprintf(scenario, sizeof(scenario),
	         "nodes:\n  - name: gw\n    crypto_engine: {profile: %s, lanes: 2}\n"
	         "    ipsec: {sas: []}\n",
	         path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario s;
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	memset(&s, 0, sizeof(s));
	scenario_load_text("fuzz.yaml", scenario, strlen(scenario), NULL, 0, &s, NULL);
	scenario_free(&s);
	return 0;
}
