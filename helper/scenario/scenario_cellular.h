/* Cellular links (docs/scenario-reference.md, "cellular"): a point-to-point
 * link whose rate, delay and loss change while the simulation runs, per
 * direction, after a piecewise schedule or a random process; outages; and
 * handovers (a short outage plus a rebind of the carrier NAT in front of
 * the UE).  Loaded by scenario_cellular.c into `scenario_link.cellular`;
 * drawn by link_model.c; applied by sim_link.c.
 *
 * Units as everywhere in struct scenario: rates in bit/s, times in ns,
 * loss as a probability 0..1 (all held as double in a scenario_vary, so
 * one process type serves the three quantities).
 */
#ifndef SCENARIO_CELLULAR_H
#define SCENARIO_CELLULAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The two directions of a cellular link: uplink from the link's first
 * node (`between[0]`, the UE) to its second, downlink back. */
enum { SCENARIO_UPLINK = 0, SCENARIO_DOWNLINK = 1 };

/* The three quantities that can vary. */
enum scenario_quantity { SCENARIO_Q_RATE, SCENARIO_Q_DELAY, SCENARIO_Q_LOSS };

enum scenario_vary_kind {
	SCENARIO_VARY_FIXED,       /* `value`: the link's own value, or a constant */
	SCENARIO_VARY_SCHEDULE,    /* piecewise constant: steps[] */
	SCENARIO_VARY_NORMAL,      /* a = mean, b = standard deviation */
	SCENARIO_VARY_LOGNORMAL,   /* a = mean, b = standard deviation (of the value) */
	SCENARIO_VARY_PARETO,      /* a = scale (the minimum), b = shape */
	SCENARIO_VARY_UNIFORM,     /* a = low, b = high */
	SCENARIO_VARY_RANDOM_WALK, /* a = start, b = step standard deviation */
	SCENARIO_VARY_GILBERT,     /* loss only: the Gilbert-Elliott chain */
};

struct scenario_step {
	uint64_t at_ns;
	double value;
};

/* A quantity over time.  Random kinds draw a new value every interval_ns
 * (from 0), clamped to [min, max]. */
struct scenario_vary {
	enum scenario_vary_kind kind;
	double value; /* FIXED; SCHEDULE: the value before the first step */
	struct scenario_step *steps;
	size_t n_steps;
	double a, b;
	double min, max;
	uint64_t interval_ns;
	/* GILBERT (netem's "loss gemodel p r 1-h 1-k"): per-step transition
	 * probabilities good->bad `p` and bad->good `r`, and the loss
	 * probability in each state; a step is a packet (step_ns 0) or
	 * step_ns of time. */
	double p, r, loss_good, loss_bad;
	uint64_t step_ns;
};

/* A scheduled outage (at_ns, duration_ns), or random ones (`random`):
 * exponentially distributed gaps of mean mean_interval_ns between the end
 * of one and the start of the next, and durations of mean duration_ns. */
struct scenario_outage {
	bool random;
	uint64_t at_ns;
	uint64_t duration_ns;
	uint64_t mean_interval_ns;
};

/* A handover at at_ns (or random ones, exponential gaps of mean
 * mean_interval_ns): the link is down for interruption_ns, and the NAT
 * `nat` (a node index, SCENARIO_NONE: none) rebinds its mappings.  With
 * `addresses`, the UE's end of the link takes the next of them (in turn,
 * from the first) as the link comes up again. */
struct scenario_handover {
	bool random;
	uint64_t at_ns;
	uint64_t mean_interval_ns;
	uint64_t interruption_ns;
	size_t nat;
	uint32_t *addresses;
	size_t n_addresses;
};

struct scenario_cellular {
	/* [quantity][direction] */
	struct scenario_vary vary[3][2];
	struct scenario_outage *outages;
	size_t n_outages;
	struct scenario_handover *handovers;
	size_t n_handovers;
	uint64_t window_ns; /* link_windows rows: one per window per direction */
};

const char *scenario_quantity_name(enum scenario_quantity q);
const char *scenario_vary_name(enum scenario_vary_kind k);

#endif
