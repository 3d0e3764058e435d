#include "progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define REDRAW_SECONDS 0.25

double progress_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_start(struct progress *p, FILE *f, size_t total, size_t jobs)
{
	*p = (struct progress){.f = f, .tty = isatty(fileno(f)), .total = total, .jobs = jobs};
	p->t0 = progress_now();
}

/* "ETA 12 s": the mean wall time of the finished runs, for the runs left,
 * `jobs` at a time (with 4 jobs the first run to finish does not mean 4
 * times its time per run is left). */
static void eta(const struct progress *p, char *buf, size_t len)
{
	if (!p->done) {
		snprintf(buf, len, "ETA -");
		return;
	}
	size_t left_runs = p->total - p->done;
	size_t lanes = p->jobs < left_runs ? p->jobs : left_runs;
	double left =
	        lanes ? p->wall_seconds / (double)p->done * (double)left_runs / (double)lanes : 0;
	if (left < 120)
		snprintf(buf, len, "ETA %.0f s", left);
	else if (left < 7200)
		snprintf(buf, len, "ETA %.0f min", left / 60);
	else
		snprintf(buf, len, "ETA %.1f h", left / 3600);
}

static void draw(struct progress *p, size_t running)
{
	double now = progress_now(), elapsed = now - p->t0;
	char bar[BAR_WIDTH + 1], e[32];
	size_t filled = p->total ? p->done * BAR_WIDTH / p->total : BAR_WIDTH;
	memset(bar, '#', filled);
	memset(bar + filled, '.', BAR_WIDTH - filled);
	bar[BAR_WIDTH] = 0;
	eta(p, e, sizeof e);
	fprintf(p->f, "\r\033[K[%s] %zu/%zu runs (%zu running", bar, p->done, p->total, running);
	if (p->not_complete)
		fprintf(p->f, ", %zu not complete", p->not_complete);
	fprintf(p->f, "), %.1f s simulated in %.1f s wall, %s", p->sim_seconds, elapsed, e);
	fflush(p->f);
	p->drawn_at = now;
}

void progress_run_done(struct progress *p, int64_t run_id, size_t config, size_t replication,
                       const char *status, double sim_seconds, double wall_seconds, size_t running)
{
	p->done++;
	p->not_complete += strcmp(status, "complete") != 0;
	p->sim_seconds += sim_seconds;
	p->wall_seconds += wall_seconds;
	if (p->tty) {
		draw(p, running);
		return;
	}
	char e[32];
	eta(p, e, sizeof e);
	fprintf(p->f,
	        "[%zu/%zu] run %lld (config %zu, replication %zu): %s, %.3f s simulated in "
	        "%.3f s wall; %s\n",
	        p->done, p->total, (long long)run_id, config, replication, status, sim_seconds,
	        wall_seconds, e);
	fflush(p->f);
}

void progress_tick(struct progress *p, size_t running)
{
	if (p->tty && progress_now() - p->drawn_at >= REDRAW_SECONDS)
		draw(p, running);
}

void progress_end(struct progress *p)
{
	if (p->tty)
		fputc('\n', p->f);
}
