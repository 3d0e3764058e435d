/* A run's configuration: the scenario it ran (by the SHA-256 of its text)
 * and its parameters, the `--set`/`--vary` overrides in canonical form.
 * Replications of one configuration share a config_id, in the `configs` and
 * `parameters` tables (docs/metrics-schema.md). */
#ifndef RUN_CONFIG_H
#define RUN_CONFIG_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* "key=value" lines -> the canonical parameters: one "key=value\n" per key,
 * the last value given for a key, sorted by key.  NULL when out of memory. */
char *run_config_parameters(const char *lines);

/* The SHA-256 of a scenario's text, as 64 lowercase hex digits. */
void run_config_sha256(const char *text, size_t len, char hex[65]);

/* The config_id of (scenario_sha256, parameters) in `db`, recording the
 * configuration and its `parameters` rows if it is new: as `want_id` if
 * that is not 0 and free, else as the next free id.  `parameters` must be
 * canonical.  0, or -1 with SQLite's message on db. */
int run_config_record(sqlite3 *db, const char *scenario_name, const char *scenario_sha256,
                      const char *parameters, int64_t want_id, int64_t *config_id);

#endif
