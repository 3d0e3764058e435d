/* Scenario loader: what the metrics database records beyond the defaults
 * (`metrics:`): per-flow bins by send time (docs/metrics-schema.md
 * "flow_bins"). */
#include "scenario_internal.h"

static const char *const metrics_keys[] = {"flow_bins", NULL};

/* A flow's bins are counters in memory for the whole run: this many per
 * flow at most (80 MB for a flow). */
#define FLOW_BINS_MAX 10000000ULL

void scn_load_metrics(struct load *L, yaml_node_t *m)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t *v;

	if (!scn_want_map(c, m, "metrics"))
		return;
	scn_check_keys(c, m, "metrics", metrics_keys);
	if (scn_opt_time(c, m, "flow_bins", &s->flow_bin_ns, &v) != 1)
		return;
	if (s->flow_bin_ns == 0)
		scn_error_at(c, v, "flow_bins must be above 0 (leave it out for no bins)");
	else if (c->duration_ok && s->duration_ns / s->flow_bin_ns >= FLOW_BINS_MAX)
		scn_error_at(c, v,
		             "flow_bins of %s make %llu or more bins per flow over the duration: "
		             "make them wider",
		             scn_text_of(v), FLOW_BINS_MAX);
}
