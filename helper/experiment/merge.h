/* Merging metrics databases: the runs of one database appended to another
 * with every table that has a run_id.  Used by `ipsec-sim merge`, by sweeps
 * (each worker writes its own database; the parent alone writes the sweep's)
 * and by batch systems that run replications on several machines. */
#ifndef MERGE_H
#define MERGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Appends every run of the metrics database at `in` to `out` (opened, with
 * metrics_schema() applied), in one transaction.  Runs keep their run_id
 * unless one of them is taken in `out`; then all of them are renumbered
 * after the largest run_id of `out`.  Configurations are matched by
 * (scenario_sha256, parameters) and keep their config_id where it is free.
 * Runs still 'running' in `in` get the status `running_as` unless that is
 * NULL.  Returns the number of runs merged, or -1 with a message in err. */
int64_t metrics_merge(sqlite3 *out, const char *in, const char *running_as, char *err,
                      size_t errlen);

#endif
