/* Scenario loader: a link's `cellular:` section (docs/scenario-reference.md,
 * "cellular links"): rate, delay and loss per direction as constants,
 * piecewise schedules or random processes; outages; handovers.
 *
 * Runs after the nodes' second pass, so handovers can name a NAT.
 */
#include "scenario_cellular.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"
#include "units.h"

static const char *const cellular_keys[] = {"rate",    "delay",     "loss",   "uplink", "downlink",
                                            "outages", "handovers", "window", NULL};
static const char *const dir_keys[] = {"rate", "delay", "loss", NULL};
static const char *const step_keys[] = {"at", "value", NULL};
static const char *const outage_keys[] = {"at", "duration", "mean_interval", NULL};
static const char *const handover_keys[] = {"at",  "mean_interval", "interruption",
                                            "nat", "addresses",     NULL};

/* Per process: the keys it takes. */
static const char *const normal_keys[] = {"process", "mean", "sd", "min", "max", "interval", NULL};
static const char *const pareto_keys[] = {"process", "scale",    "shape", "min",
                                          "max",     "interval", NULL};
static const char *const uniform_keys[] = {"process", "min", "max", "interval", NULL};
static const char *const walk_keys[] = {"process", "start", "step", "min", "max", "interval", NULL};
static const char *const gilbert_keys[] = {"process", "p",     "r",    "loss_good", "loss_bad",
                                           "mean",    "burst", "step", NULL};

static const struct name_val process_names[] = {{"normal", SCENARIO_VARY_NORMAL, false},
                                                {"lognormal", SCENARIO_VARY_LOGNORMAL, false},
                                                {"pareto", SCENARIO_VARY_PARETO, false},
                                                {"uniform", SCENARIO_VARY_UNIFORM, false},
                                                {"random-walk", SCENARIO_VARY_RANDOM_WALK, false},
                                                {"gilbert-elliott", SCENARIO_VARY_GILBERT, false},
                                                {"gilbert", SCENARIO_VARY_GILBERT, true},
                                                {NULL, 0, false}};

static const char *const quantity_names[] = {"rate", "delay", "loss"};

const char *scenario_quantity_name(enum scenario_quantity q)
{
	return quantity_names[q];
}

const char *scenario_vary_name(enum scenario_vary_kind k)
{
	if (k == SCENARIO_VARY_FIXED)
		return "fixed";
	if (k == SCENARIO_VARY_SCHEDULE)
		return "schedule";
	return scn_name_of(process_names, (int)k);
}

/* A positive decimal number (a Pareto shape, a burst length). */
static int p_number(const char *s, void *o, char *e, size_t l)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0) {
		snprintf(e, l, "'%s' is not a positive number", s);
		return -1;
	}
	*(double *)o = v;
	return 0;
}

/* A value of quantity q at `key` of map m: 1, 0 (absent) or -1. */
static int opt_q(struct ctx *c, yaml_node_t *m, const char *key, enum scenario_quantity q,
                 double *out)
{
	uint64_t u;
	int r;

	switch (q) {
	case SCENARIO_Q_RATE:
		r = scn_opt_rate(c, m, key, &u);
		break;
	case SCENARIO_Q_DELAY:
		r = scn_opt_time(c, m, key, &u, NULL);
		break;
	default:
		return scn_opt_parse(c, m, key, scn_p_fraction, out, NULL);
	}
	if (r == 1)
		*out = (double)u;
	return r;
}

/* A value for messages: "5Mbps", "30ms", "2%". */
static const char *q_str(enum scenario_quantity q, double v, char *buf, size_t len)
{
	if (q == SCENARIO_Q_RATE)
		snprintf(buf, len, "%gbps", v);
	else if (q == SCENARIO_Q_DELAY)
		scn_time_str((uint64_t)v, buf, len);
	else
		snprintf(buf, len, "%g%%", v * 100);
	return buf;
}

static void load_schedule(struct load *L, yaml_node_t *seq, enum scenario_quantity q,
                          struct scenario_vary *out)
{
	struct ctx *c = L->c;
	size_t n = scn_seq_len(seq);
	const char *name = quantity_names[q];

	if (n == 0) {
		scn_error_at(c, seq,
		             "the %s schedule is empty: list steps like [{at: 0s, value: ...}]",
		             name);
		return;
	}
	out->kind = SCENARIO_VARY_SCHEDULE;
	out->steps = scn_arena_alloc(c->a, n * sizeof(*out->steps));
	for (size_t i = 0; i < n; i++) {
		struct scenario_step *st = &out->steps[out->n_steps];
		yaml_node_t *m = scn_seq_item(c, seq, i), *at;
		char what[48], t1[32], t2[32];

		snprintf(what, sizeof(what), "a %s schedule step", name);
		if (!scn_want_map(c, m, what))
			continue;
		scn_check_keys(c, m, what, step_keys);
		int ra = scn_opt_time(c, m, "at", &st->at_ns, &at);
		int rv = opt_q(c, m, "value", q, &st->value);
		if (ra == 0)
			scn_missing(c, m, "at", what);
		if (rv == 0)
			scn_missing(c, m, "value", what);
		if (ra != 1 || rv != 1)
			continue;
		if (out->n_steps && st->at_ns <= out->steps[out->n_steps - 1].at_ns) {
			scn_error_at(
			        c, at, "schedule steps must be in time order: %s is not after %s",
			        scn_time_str(st->at_ns, t1, sizeof t1),
			        scn_time_str(out->steps[out->n_steps - 1].at_ns, t2, sizeof t2));
			continue;
		}
		if (c->duration_ok && st->at_ns >= L->s->duration_ns) {
			scn_error_at(c, at, "at %s is not before the end of the run (duration %s)",
			             scn_time_str(st->at_ns, t1, sizeof t1),
			             scn_time_str(L->s->duration_ns, t2, sizeof t2));
			continue;
		}
		out->n_steps++;
	}
}

/* The Gilbert-Elliott loss model: Gilbert (1960), "Capacity of a
 * burst-noise channel"; Elliott (1963), "Estimates of error rates for codes
 * on burst-noise channels"; parameters as netem's `loss gemodel p r 1-h
 * 1-k` (Hasslinger and Hohlfeld, "The Gilbert-Elliott model for packet
 * loss in real time services on the Internet", MMB 2008). */
static void load_gilbert(struct load *L, yaml_node_t *m, struct scenario_vary *out)
{
	struct ctx *c = L->c;
	yaml_node_t *pv = scn_get(c, m, "p"), *rv = scn_get(c, m, "r");
	yaml_node_t *mv = scn_get(c, m, "mean"), *bv = scn_get(c, m, "burst");
	double burst = 0, mean = 0;

	out->loss_good = 0;
	out->loss_bad = 1;
	scn_opt_parse(c, m, "loss_good", scn_p_fraction, &out->loss_good, NULL);
	scn_opt_parse(c, m, "loss_bad", scn_p_fraction, &out->loss_bad, NULL);
	scn_opt_time(c, m, "step", &out->step_ns, NULL);
	if ((pv || rv) && (mv || bv)) {
		scn_error_at(c, mv ? mv : bv,
		             "gilbert-elliott takes either p and r (transition probabilities) "
		             "or mean and burst, not both");
		return;
	}
	if (mv || bv) {
		if (!mv || !bv) {
			scn_missing(c, m, mv ? "burst" : "mean", "gilbert-elliott");
			return;
		}
		if (scn_get(c, m, "loss_good") || scn_get(c, m, "loss_bad")) {
			scn_error_at(c, mv,
			             "mean and burst describe the simple Gilbert model (no loss in "
			             "the good state, all lost in the bad one): use p and r with "
			             "loss_good and loss_bad");
			return;
		}
		if (scn_opt_parse(c, m, "mean", scn_p_fraction, &mean, NULL) != 1 ||
		    scn_opt_parse(c, m, "burst", p_number, &burst, NULL) != 1)
			return;
		if (mean <= 0 || mean >= 1) {
			scn_error_at(c, mv, "mean loss must be above 0 and below 1");
			return;
		}
		if (burst < 1) {
			scn_error_at(
			        c, bv,
			        "burst is the mean number of packets lost in a row: at least 1");
			return;
		}
		/* Stationary P(bad) = p/(p+r) = mean; mean sojourn in bad = 1/r. */
		out->r = 1 / burst;
		out->p = mean * out->r / (1 - mean);
		if (out->p > 1)
			scn_error_at(
			        c, mv,
			        "mean loss %g%% cannot be reached with bursts of %g: it needs a "
			        "good-to-bad probability of %.3g, above 1",
			        mean * 100, burst, out->p);
		return;
	}
	if (!pv || !rv) {
		scn_error_at(c, m,
		             "gilbert-elliott needs p and r (good-to-bad and bad-to-good "
		             "transition probabilities), or mean and burst");
		return;
	}
	if (scn_opt_parse(c, m, "p", scn_p_fraction, &out->p, NULL) != 1 ||
	    scn_opt_parse(c, m, "r", scn_p_fraction, &out->r, NULL) != 1)
		return;
	if (out->p <= 0)
		scn_error_at(c, pv,
		             "p must be above 0 (the chain would never leave the good state)");
	if (out->r <= 0)
		scn_error_at(c, rv,
		             "r must be above 0 (the chain would never leave the bad state)");
}

static void load_process(struct load *L, yaml_node_t *m, enum scenario_quantity q, double base,
                         struct scenario_vary *out)
{
	struct ctx *c = L->c;
	const char *name = quantity_names[q];
	yaml_node_t *kv, *v;
	char what[64], b1[32], b2[32];
	int kind = 0;

	switch (scn_opt_enum(c, m, "process", process_names, "process", &kind, &kv)) {
	case 0:
		scn_error_at(c, m,
		             "missing 'process' in the %s process: normal, lognormal, pareto, "
		             "uniform, random-walk%s",
		             name, q == SCENARIO_Q_LOSS ? " or gilbert-elliott" : "");
		return;
	case -1:
		return;
	}
	snprintf(what, sizeof(what), "the %s process (%s)", name,
	         scenario_vary_name((enum scenario_vary_kind)kind));
	if (kind == SCENARIO_VARY_GILBERT) {
		if (q != SCENARIO_Q_LOSS) {
			scn_error_at(c, kv, "gilbert-elliott is a loss model, not a %s process",
			             name);
			return;
		}
		scn_check_keys(c, m, what, gilbert_keys);
		out->kind = SCENARIO_VARY_GILBERT;
		load_gilbert(L, m, out);
		return;
	}
	out->kind = (enum scenario_vary_kind)kind;
	out->interval_ns = 1000000000ULL;
	out->min = q == SCENARIO_Q_RATE ? 1000 : 0;
	out->max = q == SCENARIO_Q_LOSS ? 1 : INFINITY;
	if (scn_opt_time(c, m, "interval", &out->interval_ns, &v) == 1 && out->interval_ns == 0)
		scn_error_at(c, v, "interval must be above 0");
	bool has_min = opt_q(c, m, "min", q, &out->min) == 1;
	bool has_max = opt_q(c, m, "max", q, &out->max) == 1;
	switch (out->kind) {
	case SCENARIO_VARY_NORMAL:
	case SCENARIO_VARY_LOGNORMAL:
		scn_check_keys(c, m, what, normal_keys);
		if (opt_q(c, m, "mean", q, &out->a) == 0)
			scn_missing(c, m, "mean", what);
		if (opt_q(c, m, "sd", q, &out->b) == 0)
			scn_missing(c, m, "sd", what);
		if (out->kind == SCENARIO_VARY_LOGNORMAL && scn_get(c, m, "mean") && out->a <= 0)
			scn_error_at(c, scn_get(c, m, "mean"), "a lognormal mean must be above 0");
		if (out->kind == SCENARIO_VARY_LOGNORMAL && scn_get(c, m, "sd") && out->b <= 0)
			scn_error_at(c, scn_get(c, m, "sd"), "a lognormal sd must be above 0");
		break;
	case SCENARIO_VARY_PARETO:
		scn_check_keys(c, m, what, pareto_keys);
		if (opt_q(c, m, "scale", q, &out->a) == 0)
			scn_missing(c, m, "scale", what);
		else if (out->a <= 0)
			scn_error_at(c, scn_get(c, m, "scale"),
			             "a Pareto scale (the smallest value) must be above 0");
		if (scn_opt_parse(c, m, "shape", p_number, &out->b, NULL) == 0)
			scn_missing(c, m, "shape", what);
		break;
	case SCENARIO_VARY_UNIFORM:
		scn_check_keys(c, m, what, uniform_keys);
		if (!has_min)
			scn_missing(c, m, "min", what);
		if (!has_max)
			scn_missing(c, m, "max", what);
		out->a = out->min;
		out->b = out->max;
		break;
	default: /* random walk */
		scn_check_keys(c, m, what, walk_keys);
		if (!has_min)
			scn_missing(c, m, "min", what);
		if (!has_max)
			scn_missing(c, m, "max", what);
		out->a = base;
		if (opt_q(c, m, "start", q, &out->a) == 1 && has_min && has_max &&
		    (out->a < out->min || out->a > out->max))
			scn_error_at(c, scn_get(c, m, "start"), "start %s is outside min..max",
			             q_str(q, out->a, b1, sizeof b1));
		if (opt_q(c, m, "step", q, &out->b) == 0)
			scn_missing(c, m, "step", what);
		break;
	}
	if (has_min && has_max && out->min > out->max)
		scn_error_at(c, scn_get(c, m, "max"), "max %s is below min %s",
		             q_str(q, out->max, b1, sizeof b1), q_str(q, out->min, b2, sizeof b2));
}

/* `key` of map m, if present, into out (left as it is otherwise). */
static void load_vary(struct load *L, yaml_node_t *m, const char *key, enum scenario_quantity q,
                      double base, struct scenario_vary *out)
{
	yaml_node_t *v = scn_get(L->c, m, key);

	if (!v)
		return;
	*out = (struct scenario_vary){.kind = SCENARIO_VARY_FIXED, .value = base};
	switch (v->type) {
	case YAML_SEQUENCE_NODE:
		load_schedule(L, v, q, out);
		break;
	case YAML_MAPPING_NODE:
		load_process(L, v, q, base, out);
		break;
	default:
		opt_q(L->c, m, key, q, &out->value);
		break;
	}
}

static void load_outages(struct load *L, yaml_node_t *seq, struct scenario_cellular *cl)
{
	struct ctx *c = L->c;
	char t1[32], t2[32];

	cl->n_outages = scn_seq_len(seq);
	cl->outages = scn_arena_alloc(c->a, cl->n_outages * sizeof(*cl->outages));
	for (size_t i = 0; i < cl->n_outages; i++) {
		struct scenario_outage *o = &cl->outages[i];
		yaml_node_t *m = scn_seq_item(c, seq, i), *at, *mi, *dv;

		if (!scn_want_map(c, m, "an outage"))
			continue;
		scn_check_keys(c, m, "outage", outage_keys);
		int ra = scn_opt_time(c, m, "at", &o->at_ns, &at);
		int rm = scn_opt_time(c, m, "mean_interval", &o->mean_interval_ns, &mi);
		if (ra == 0 && rm == 0)
			scn_error_at(c, m,
			             "an outage needs 'at' (one outage then) or 'mean_interval' "
			             "(random outages, exponential gaps)");
		else if (at && mi)
			scn_error_at(c, mi, "an outage takes 'at' or 'mean_interval', not both");
		else if (ra == 1 && c->duration_ok && o->at_ns >= L->s->duration_ns)
			scn_error_at(c, at, "at %s is not before the end of the run (duration %s)",
			             scn_time_str(o->at_ns, t1, sizeof t1),
			             scn_time_str(L->s->duration_ns, t2, sizeof t2));
		else if (rm == 1 && o->mean_interval_ns == 0)
			scn_error_at(c, mi, "mean_interval must be above 0");
		o->random = mi != NULL;
		switch (scn_opt_time(c, m, "duration", &o->duration_ns, &dv)) {
		case 0:
			scn_missing(c, m, "duration", "outage");
			break;
		case 1:
			if (o->duration_ns == 0)
				scn_error_at(c, dv, "an outage's duration must be above 0");
			break;
		}
	}
}

/* `addresses`: one address or a list, each a new address for the UE's end
 * of link `li`: on its subnet, and no other node's. */
static void load_addresses(struct load *L, size_t li, yaml_node_t *v, struct scenario_handover *h)
{
	struct ctx *c = L->c;
	const struct scenario_link *l = &L->s->links[li];
	bool one = v->type == YAML_SCALAR_NODE;
	char a[16];

	if (!one && !scn_want_seq(c, v, "addresses"))
		return;
	h->n_addresses = one ? 1 : scn_seq_len(v);
	if (h->n_addresses == 0) {
		scn_error_at(c, v,
		             "addresses is empty: give the UE's new address(es) or leave it out");
		return;
	}
	if (l->addr[0] == 0) {
		scn_error_at(c, v,
		             "a handover's new addresses are IPv4 only, and this link has none");
		return;
	}
	h->addresses = scn_arena_alloc(c->a, h->n_addresses * sizeof(*h->addresses));
	for (size_t i = 0; i < h->n_addresses; i++) {
		yaml_node_t *av = one ? v : scn_seq_item(c, v, i);
		const char *s = scn_scalar(c, av, "addresses");
		char err[128];
		size_t owner;

		if (!s)
			continue;
		if (units_ipv4(s, &h->addresses[i], err, sizeof err) != 0) {
			scn_error_at(c, av, "addresses: %s", err);
			continue;
		}
		struct ip_addr a4 = ip_addr_v4(h->addresses[i]);

		owner = scn_addr_owner(L->s, &a4);
		if (!scn_same_subnet(h->addresses[i], l->addr[0], l->prefix_len))
			scn_error_at(c, av,
			             "%s is not on the link's subnet %s/%u: a handover's new "
			             "address is on the same link",
			             s, scn_addr_str(l->addr[0] & units_mask(l->prefix_len), a),
			             l->prefix_len);
		else if (owner != SCENARIO_NONE && owner != l->node[0])
			scn_error_at(c, av, "%s belongs to node '%s'", s, L->s->nodes[owner].name);
		else if (h->addresses[i] == (l->addr[0] | ~units_mask(l->prefix_len)) ||
		         h->addresses[i] == (l->addr[0] & units_mask(l->prefix_len)))
			scn_error_at(c, av, "%s is the subnet's %s address, not a host's", s,
			             h->addresses[i] & ~units_mask(l->prefix_len) ? "broadcast"
			                                                          : "network");
	}
}

static void load_handovers(struct load *L, size_t li, yaml_node_t *seq,
                           struct scenario_cellular *cl)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	char t1[32], t2[32];

	cl->n_handovers = scn_seq_len(seq);
	cl->handovers = scn_arena_alloc(c->a, cl->n_handovers * sizeof(*cl->handovers));
	for (size_t i = 0; i < cl->n_handovers; i++) {
		struct scenario_handover *h = &cl->handovers[i];
		yaml_node_t *m = scn_seq_item(c, seq, i), *at, *mi, *nv, *iv, *av;

		h->nat = SCENARIO_NONE;
		h->interruption_ns = 50000000ULL; /* 3GPP TR 36.881 §5.2: ~50 ms in LTE */
		if (!scn_want_map(c, m, "a handover"))
			continue;
		scn_check_keys(c, m, "handover", handover_keys);
		int ra = scn_opt_time(c, m, "at", &h->at_ns, &at);
		int rm = scn_opt_time(c, m, "mean_interval", &h->mean_interval_ns, &mi);
		if (ra == 0 && rm == 0)
			scn_error_at(c, m,
			             "a handover needs 'at' (one handover then) or 'mean_interval' "
			             "(random handovers, exponential gaps)");
		else if (at && mi)
			scn_error_at(c, mi, "a handover takes 'at' or 'mean_interval', not both");
		else if (ra == 1 && c->duration_ok && h->at_ns >= s->duration_ns)
			scn_error_at(c, at, "at %s is not before the end of the run (duration %s)",
			             scn_time_str(h->at_ns, t1, sizeof t1),
			             scn_time_str(s->duration_ns, t2, sizeof t2));
		else if (rm == 1 && h->mean_interval_ns == 0)
			scn_error_at(c, mi, "mean_interval must be above 0");
		h->random = mi != NULL;
		if (scn_opt_time(c, m, "interruption", &h->interruption_ns, &iv) == 1 &&
		    h->interruption_ns == 0)
			scn_error_at(c, iv,
			             "interruption must be above 0 (the time the UE is attached to "
			             "neither cell)");
		if ((av = scn_get(c, m, "addresses")))
			load_addresses(L, li, av, h);
		if ((nv = scn_get(c, m, "nat"))) {
			size_t n = scn_node_ref(L, nv, "nat");
			if (n != SCENARIO_NONE && !s->nodes[n].has_nat)
				scn_error_at(c, nv,
				             "a handover's nat must be a NAT node, and '%s' has no "
				             "'nat:'",
				             s->nodes[n].name);
			else
				h->nat = n;
		}
	}
}

static void load_link(struct load *L, size_t li, yaml_node_t *lm, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario_link *l = &L->s->links[li];
	struct scenario_cellular *cl;
	const double base[3] = {(double)l->rate_bps, (double)l->delay_ns, l->loss};
	yaml_node_t *v;

	if (l->tap[0]) {
		scn_error_at(c, scn_get(c, lm, "cellular"),
		             "'cellular' is for links between two simulated nodes, not TAP '%s'",
		             l->tap);
		return;
	}
	if (!scn_want_map(c, m, "cellular"))
		return;
	scn_check_keys(c, m, "cellular", cellular_keys);
	cl = scn_arena_alloc(c->a, sizeof(*cl));
	cl->window_ns = 1000000000ULL;
	for (int q = 0; q < 3; q++) {
		struct scenario_vary both = {.kind = SCENARIO_VARY_FIXED, .value = base[q]};

		load_vary(L, m, quantity_names[q], (enum scenario_quantity)q, base[q], &both);
		cl->vary[q][0] = cl->vary[q][1] = both;
	}
	static const char *const dirs[2] = {"uplink", "downlink"};
	for (int d = 0; d < 2; d++) {
		if (!(v = scn_get(c, m, dirs[d])) || !scn_want_map(c, v, dirs[d]))
			continue;
		scn_check_keys(c, v, dirs[d], dir_keys);
		for (int q = 0; q < 3; q++)
			load_vary(L, v, quantity_names[q], (enum scenario_quantity)q, base[q],
			          &cl->vary[q][d]);
	}
	if ((v = scn_get(c, m, "outages")) && scn_want_seq(c, v, "outages"))
		load_outages(L, v, cl);
	if ((v = scn_get(c, m, "handovers")) && scn_want_seq(c, v, "handovers"))
		load_handovers(L, li, v, cl);
	if (scn_opt_time(c, m, "window", &cl->window_ns, &v) == 1 && cl->window_ns == 0)
		scn_error_at(c, v, "window must be above 0");
	l->cellular = cl;
}

void scn_load_cellular(struct load *L, yaml_node_t *links)
{
	struct ctx *c = L->c;

	for (size_t i = 0; i < L->s->n_links && i < scn_seq_len(links); i++) {
		yaml_node_t *lm = scn_seq_item(c, links, i), *m;

		if (lm && lm->type == YAML_MAPPING_NODE && (m = scn_get(c, lm, "cellular")))
			load_link(L, i, lm, m);
	}
}
