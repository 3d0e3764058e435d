/* Cellular link processes: schedules, GSL random processes, Bernoulli and
 * Gilbert-Elliott loss (link_model.h). */
#include "link_model.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): mixes the inputs into a well-spread seed. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t link_seed(uint64_t seed, uint64_t run, uint64_t link, uint64_t what)
{
	return mix(mix(mix(mix(seed) ^ run) ^ link) ^ what);
}

static gsl_rng *rng_new(uint64_t seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (r)
		gsl_rng_set(r, (unsigned long)(seed ^ (seed >> 32)));
	return r;
}

struct link_process {
	struct scenario_vary v;
	gsl_rng *rng;
	double x; /* the random walk's position */
	bool started;
};

struct link_process *link_process_new(const struct scenario_vary *v, uint64_t seed)
{
	struct link_process *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->v = *v;
	if (v->kind >= SCENARIO_VARY_NORMAL && !(p->rng = rng_new(seed))) {
		free(p);
		return NULL;
	}
	return p;
}

void link_process_free(struct link_process *p)
{
	if (!p)
		return;
	if (p->rng)
		gsl_rng_free(p->rng);
	free(p);
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static double draw(struct link_process *p)
{
	const struct scenario_vary *v = &p->v;
	double x;

	switch (v->kind) {
	case SCENARIO_VARY_NORMAL:
		x = v->a + gsl_ran_gaussian(p->rng, v->b);
		break;
	case SCENARIO_VARY_LOGNORMAL: {
		/* The lognormal with this mean and standard deviation:
		 * sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2. */
		double s2 = log1p(v->b * v->b / (v->a * v->a));
		x = gsl_ran_lognormal(p->rng, log(v->a) - s2 / 2, sqrt(s2));
		break;
	}
	case SCENARIO_VARY_PARETO:
		x = gsl_ran_pareto(p->rng, v->b, v->a); /* shape a, scale b in GSL */
		break;
	case SCENARIO_VARY_UNIFORM:
		x = gsl_ran_flat(p->rng, v->a, v->b);
		break;
	default: /* random walk, reflected at the bounds */
		if (!p->started) {
			p->x = v->a;
		} else {
			p->x += gsl_ran_gaussian(p->rng, v->b);
			if (p->x > v->max)
				p->x = 2 * v->max - p->x;
			if (p->x < v->min)
				p->x = 2 * v->min - p->x;
		}
		x = p->x = clamp(p->x, v->min, v->max);
		break;
	}
	p->started = true;
	return clamp(x, v->min, v->max);
}

double link_process_value(struct link_process *p, uint64_t now_ns, uint64_t *next_ns)
{
	const struct scenario_vary *v = &p->v;
	double x = v->value;

	*next_ns = UINT64_MAX;
	switch (v->kind) {
	case SCENARIO_VARY_FIXED:
	case SCENARIO_VARY_GILBERT:
		return x;
	case SCENARIO_VARY_SCHEDULE:
		for (size_t i = 0; i < v->n_steps; i++) {
			if (v->steps[i].at_ns > now_ns) {
				*next_ns = v->steps[i].at_ns;
				break;
			}
			x = v->steps[i].value;
		}
		return x;
	default:
		*next_ns = now_ns + v->interval_ns;
		return draw(p);
	}
}

struct link_loss {
	struct scenario_vary v;
	gsl_rng *rng;
	double rate; /* Bernoulli */
	bool bad, prev_lost, started;
	uint64_t step_at; /* time-stepped chain: the time of its state */
	struct link_loss_stats st;
};

struct link_loss *link_loss_new(const struct scenario_vary *v, uint64_t seed)
{
	struct link_loss *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->v = *v;
	l->rate = v->kind == SCENARIO_VARY_FIXED ? v->value : 0;
	if (!(l->rng = rng_new(seed))) {
		free(l);
		return NULL;
	}
	return l;
}

void link_loss_free(struct link_loss *l)
{
	if (!l)
		return;
	gsl_rng_free(l->rng);
	free(l);
}

void link_loss_set_rate(struct link_loss *l, double p)
{
	l->rate = p;
}

static double stationary_bad(const struct scenario_vary *v)
{
	return v->p / (v->p + v->r);
}

double link_loss_mean(const struct link_loss *l)
{
	if (l->v.kind != SCENARIO_VARY_GILBERT)
		return l->rate;
	double pb = stationary_bad(&l->v);
	return (1 - pb) * l->v.loss_good + pb * l->v.loss_bad;
}

/* Moves the chain to the state of the packet arriving at now_ns. */
static void gilbert_step(struct link_loss *l, uint64_t now_ns)
{
	const struct scenario_vary *v = &l->v;
	double u;

	if (!l->started) {
		/* Start in the stationary distribution, so that the mean loss
		 * holds from the first packet on. */
		l->bad = gsl_rng_uniform(l->rng) < stationary_bad(v);
		l->started = true;
		l->step_at = now_ns;
		return;
	}
	if (v->step_ns == 0) { /* one transition per packet */
		u = gsl_rng_uniform(l->rng);
		l->bad = l->bad ? !(u < v->r) : u < v->p;
		return;
	}
	/* One transition per step_ns: after n steps from state s0,
	 * P(bad) = pi_B + (s0 - pi_B) (1 - p - r)^n. */
	uint64_t n = (now_ns - l->step_at) / v->step_ns;
	if (n == 0)
		return;
	l->step_at += n * v->step_ns;
	double pb = stationary_bad(v);
	double p_bad = pb + ((l->bad ? 1.0 : 0.0) - pb) * pow(1 - v->p - v->r, (double)n);
	l->bad = gsl_rng_uniform(l->rng) < p_bad;
}

bool link_loss_packet(struct link_loss *l, uint64_t now_ns)
{
	bool lost;

	if (l->v.kind == SCENARIO_VARY_GILBERT) {
		gilbert_step(l, now_ns);
		double p = l->bad ? l->v.loss_bad : l->v.loss_good;
		lost = p > 0 && gsl_rng_uniform(l->rng) < p;
	} else {
		lost = l->rate > 0 && gsl_rng_uniform(l->rng) < l->rate;
	}
	l->st.packets++;
	if (lost) {
		l->st.lost++;
		if (!l->prev_lost)
			l->st.bursts++;
	}
	l->prev_lost = lost;
	return lost;
}

void link_loss_get_stats(const struct link_loss *l, struct link_loss_stats *st)
{
	*st = l->st;
}

struct link_rng {
	gsl_rng *rng;
};

struct link_rng *link_rng_new(uint64_t seed)
{
	struct link_rng *r = calloc(1, sizeof *r);

	if (r && !(r->rng = rng_new(seed))) {
		free(r);
		return NULL;
	}
	return r;
}

void link_rng_free(struct link_rng *r)
{
	if (!r)
		return;
	gsl_rng_free(r->rng);
	free(r);
}

uint64_t link_rng_exponential_ns(struct link_rng *r, uint64_t mean_ns)
{
	double x = gsl_ran_exponential(r->rng, (double)mean_ns);

	return x < 1 ? 1 : x > 9e18 ? (uint64_t)9e18 : (uint64_t)x;
}
