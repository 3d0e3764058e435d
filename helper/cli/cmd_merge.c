/* ipsec-sim merge OUT.sqlite IN.sqlite... */
#include <stdio.h>
#include <sys/stat.h>

#include "commands.h"
#include "merge.h"
#include "metrics.h"

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Every input is checked before anything is merged. */
static int check_input(const char *out, const char *in)
{
	struct stat sb;
	if (stat(in, &sb) != 0) {
		fprintf(stderr, "%s: no such database\n", in);
		return -1;
	}
	if (same_file(out, in)) {
		fprintf(stderr, "%s: is the output database\n", in);
		return -1;
	}
	sqlite3 *db;
	int version = -1;
	if (sqlite3_open_v2(in, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		version = metrics_schema_version(db, "main");
	if (version < 0)
		fprintf(stderr, "%s: %s\n", in, sqlite3_errmsg(db));
	else if (version != METRICS_SCHEMA_VERSION)
		fprintf(stderr,
		        "%s: not a metrics database of schema version %d (user_version %d)\n", in,
		        METRICS_SCHEMA_VERSION, version);
	sqlite3_close(db);
	return version == METRICS_SCHEMA_VERSION ? 0 : -1;
}

int cmd_merge(int argc, char **argv)
{
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ipsec-sim merge OUT.sqlite IN.sqlite...\n");
		return 2;
	}
	const char *out = argv[1];
	for (int i = 2; i < argc; i++)
		if (check_input(out, argv[i]) != 0)
			return 2;
	sqlite3 *db;
	char err[512];
	int rc = 0;
	if (sqlite3_open(out, &db) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", out, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_busy_timeout(db, 10000);
	if (metrics_schema(db, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", out, err);
		rc = 1;
	}
	for (int i = 2; i < argc && !rc; i++) {
		int64_t n = metrics_merge(db, argv[i], NULL, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "%s\n", err);
			rc = 1;
		} else
			printf("%s: %lld runs\n", argv[i], (long long)n);
	}
	sqlite3_close(db);
	return rc;
}
