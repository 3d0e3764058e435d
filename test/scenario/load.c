#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *errbuf;
static size_t errlen;

/* Messages go to a fresh errbuf. */
static FILE *messages(void)
{
	free(errbuf);
	errbuf = NULL;
	return open_memstream(&errbuf, &errlen);
}

int load_file(const char *name, const char *const *sets, size_t nsets, struct scenario *s)
{
	char path[512];
	FILE *mem = messages();
	int rc;

	snprintf(path, sizeof(path), "%s/%s", SCENARIO_DIR, name);
	rc = scenario_load(path, sets, nsets, s, mem);
	fclose(mem);
	return rc;
}

int load_text(const char *text, const char *const *sets, size_t nsets, struct scenario *s)
{
	FILE *mem = messages();
	int rc = scenario_load_text("t.yaml", text, strlen(text), sets, nsets, s, mem);

	fclose(mem);
	return rc;
}
