/* The random and scheduled processes of cellular links
 * (scenario_cellular.h), sans-I/O: given the time, they say what a link's
 * rate, delay or loss rate is and when it next changes, and whether a
 * packet is lost.  Draws come from GSL (gsl_rng_mt19937 and gsl_ran_*),
 * one generator per process, seeded by link_seed() from the scenario seed,
 * the run number and the process's place in the scenario, so that adding
 * a process leaves the others' draws as they were.
 */
#ifndef LINK_MODEL_H
#define LINK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario_cellular.h"

/* A 64-bit seed for process `what` of link `link` (splitmix64 of the
 * four).  Same (seed, run) => same draws; another run => other draws. */
uint64_t link_seed(uint64_t seed, uint64_t run, uint64_t link, uint64_t what);

/* A rate, delay or loss rate over time (FIXED, SCHEDULE or a random kind;
 * not GILBERT). */
struct link_process;
struct link_process *link_process_new(const struct scenario_vary *v, uint64_t seed);
void link_process_free(struct link_process *p);
/* The value in force from now_ns on; *next_ns: when to ask again
 * (UINT64_MAX: never).  Ask first at 0, then at each *next_ns: each call
 * of a random process draws. */
double link_process_value(struct link_process *p, uint64_t now_ns, uint64_t *next_ns);

/* Per-packet loss: Bernoulli with a rate that link_loss_set_rate changes,
 * or a Gilbert-Elliott chain (a GILBERT scenario_vary). */
struct link_loss;
struct link_loss *link_loss_new(const struct scenario_vary *v, uint64_t seed);
void link_loss_free(struct link_loss *l);
void link_loss_set_rate(struct link_loss *l, double p);
/* Whether the packet arriving at now_ns is lost. */
bool link_loss_packet(struct link_loss *l, uint64_t now_ns);
/* The long-run loss ratio of the model (Gilbert-Elliott: stationary). */
double link_loss_mean(const struct link_loss *l);

struct link_loss_stats {
	uint64_t packets, lost;
	uint64_t bursts; /* maximal runs of consecutive lost packets */
};
void link_loss_get_stats(const struct link_loss *l, struct link_loss_stats *st);

/* Exponential draws (outage and handover times). */
struct link_rng;
struct link_rng *link_rng_new(uint64_t seed);
void link_rng_free(struct link_rng *r);
/* Exponentially distributed with mean mean_ns, at least 1 ns. */
uint64_t link_rng_exponential_ns(struct link_rng *r, uint64_t mean_ns);

#endif
