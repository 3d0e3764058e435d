/* The progress of a sweep on stderr: on a terminal one line redrawn in
 * place (runs done / total, simulated vs wall time, ETA); otherwise a plain
 * line per finished run. */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *f;
	bool tty;
	size_t total, done, not_complete;
	size_t jobs;         /* runs at a time */
	double sim_seconds;  /* simulated by the finished runs */
	double wall_seconds; /* their wall times added up */
	double t0;           /* monotonic seconds */
	double drawn_at;
};

void progress_start(struct progress *p, FILE *f, size_t total, size_t jobs);
/* Monotonic wall-clock seconds. */
double progress_now(void);
/* A run finished with `status` after simulating `sim_seconds` in
 * `wall_seconds`; `running` runs are still going. */
void progress_run_done(struct progress *p, int64_t run_id, size_t config, size_t replication,
                       const char *status, double sim_seconds, double wall_seconds, size_t running);
/* Redraws the terminal line if it is older than a fraction of a second. */
void progress_tick(struct progress *p, size_t running);
/* Ends the terminal line. */
void progress_end(struct progress *p);

#endif
