/* Scenario loader: an attacker's floods (`attacker: - {action: flood, ...}`),
 * docs/scenario-reference.md "attacker". */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ike_proposal.h"
#include "units.h"

#define FLOOD_COUNT_MAX 10000000u
/* IPv4 + UDP header, or IPv4 + ESP's SPI and sequence number (RFC 4303
 * §2): 28 bytes either way. */
#define IP_UDP_HEADERS 28
#define FLOOD_SIZE_DEFAULT 1000
#define UDP_DISCARD_PORT 9 /* RFC 863 */

static const struct name_val kind_names[] = {{"ike_sa_init", SCENARIO_FLOOD_IKE_SA_INIT, false},
                                             {"esp", SCENARIO_FLOOD_ESP, false},
                                             {"udp", SCENARIO_FLOOD_UDP, false},
                                             {NULL, 0, false}};

static const struct name_val spi_names[] = {
        {"random", 0, false}, {"live", 1, false}, {NULL, 0, false}};

const char *scenario_flood_kind_name(enum scenario_flood_kind k)
{
	return scn_name_of(kind_names, (int)k);
}

/* A key that only some kinds of flood take. */
static void only_for(struct ctx *c, yaml_node_t *m, const char *key, bool ok, const char *kinds)
{
	yaml_node_t *v = scn_get(c, m, key);
	if (v && !ok)
		scn_error_at(c, v, "'%s' is a key of %s floods only", key, kinds);
}

/* `target`: an address, or a node name (its first interface's address),
 * which the attacker must have a route to. */
static void load_target(struct load *L, size_t ni, yaml_node_t *m, struct scenario_flood *f,
                        const char *what)
{
	struct ctx *c = L->c;
	const struct scenario *s = L->s;
	yaml_node_t *v = scn_get(c, m, "target");
	const char *t;
	char err[128], a[16];
	size_t i;

	f->target_node = SCENARIO_NONE;
	if (!v) {
		scn_missing(c, m, "target", what);
		return;
	}
	if (!(t = scn_scalar(c, v, "target")))
		return;
	/* Floods are IPv4 (helper/sim/flood.c builds IPv4 packets). */
	if (units_ipv4(t, &f->target, err, sizeof(err)) == 0) {
		struct ip_addr a = ip_addr_v4(f->target);

		f->target_node = scn_addr_owner(s, &a);
	} else {
		f->target_node = scn_node_ref(L, v, "target");
		if (f->target_node == SCENARIO_NONE || !s->nodes[f->target_node].n_ifaces)
			return;
		f->target = s->nodes[f->target_node].ifaces[0].addr;
	}
	struct ip_addr target = ip_addr_v4(f->target);
	if (f->target_node == ni)
		scn_error_at(c, v, "node '%s' floods itself (%s)", s->nodes[ni].name,
		             scn_addr_str(f->target, a));
	else if ((i = scn_route_iface(s, ni, &target)) != SCENARIO_NONE)
		f->source = s->nodes[ni].ifaces[i].addr;
	else if (!L->suspect[ni])
		scn_error_at(c, v, "node '%s' has no route to the flood's target %s",
		             s->nodes[ni].name, scn_addr_str(f->target, a));
}

/* `proposals` (default "default"): the SA payload and, from its first
 * proposal's first DH group, the KE payload. */
static void load_proposals(struct ctx *c, yaml_node_t *m, struct scenario_flood *f)
{
	yaml_node_t *v = scn_get(c, m, "proposals");
	const char *t = "default";
	struct ike_proposal_list *props = calloc(1, sizeof(*props));
	char err[256];

	snprintf(f->proposals, sizeof f->proposals, "default");
	if (!props)
		return;
	if (v && !(t = scn_scalar(c, v, "proposals"))) {
		free(props);
		return;
	}
	if (strlen(t) >= sizeof(f->proposals)) {
		scn_error_at(c, v, "proposals: at most %zu characters", sizeof(f->proposals) - 1);
	} else if (ike_proposals_parse(IKE_PROTO_IKE, t, props, err, sizeof(err))) {
		scn_error_at(c, v, "%s", err);
	} else {
		/* the parser refuses IKE proposals without a DH group */
		const struct ike_transform *dh = ike_proposal_get(&props->p[0], IKE_TT_DH);
		f->dh_group = dh ? dh->id : 0;
		snprintf(f->proposals, sizeof f->proposals, "%s", t);
	}
	free(props);
}

/* `rate` (packets or bits per second) -> interval; `duration` or `count`. */
static void load_pacing(struct ctx *c, yaml_node_t *m, struct scenario_attack *a, const char *what)
{
	struct scenario_flood *f = &a->flood;
	struct scn_rate r = {0, 0};
	yaml_node_t *rv, *dv = scn_get(c, m, "duration"), *cv = scn_get(c, m, "count");
	uint64_t duration = 0, u;

	switch (scn_opt_parse(c, m, "rate", scn_p_rate, &r, &rv)) {
	case 0:
		scn_missing(c, m, "rate", what);
		return;
	case -1:
		return;
	}
	if (r.bps && f->kind == SCENARIO_FLOOD_IKE_SA_INIT) {
		scn_error_at(c, rv,
		             "an IKE_SA_INIT flood's rate is in packets per second (like 500pps), "
		             "not %s",
		             scn_text_of(rv));
		return;
	}
	f->rate_pps = r.pps ? r.pps : (double)r.bps / (8.0 * (f->size + IP_UDP_HEADERS));
	a->interval_ns = (uint64_t)(1e9 / f->rate_pps + 0.5);
	if (a->interval_ns == 0) {
		scn_error_at(c, rv, "rate %s sends packets less than 1 ns apart", scn_text_of(rv));
		return;
	}
	if (dv && cv) {
		scn_error_at(c, cv, "give a flood either 'duration' or 'count', not both");
		return;
	}
	if (!dv && !cv) {
		scn_error_at(c, m, "a flood needs a 'duration' or a 'count' (%s)", what);
		return;
	}
	if (cv) {
		if (scn_opt_uint(c, m, "count", 1, FLOOD_COUNT_MAX, &u, NULL) == 1)
			a->count = (uint32_t)u;
		return;
	}
	if (scn_opt_time(c, m, "duration", &duration, NULL) != 1)
		return;
	u = duration / a->interval_ns;
	if (u == 0 || u > FLOOD_COUNT_MAX)
		scn_error_at(c, dv, "duration %s at rate %s is %llu packets: use 1..%u",
		             scn_text_of(dv), scn_text_of(rv), (unsigned long long)u,
		             FLOOD_COUNT_MAX);
	else
		a->count = (uint32_t)u;
}

void scn_load_flood(struct load *L, size_t ni, yaml_node_t *m, struct scenario_attack *a,
                    const char *what)
{
	struct ctx *c = L->c;
	struct scenario_flood *f = &a->flood;
	yaml_node_t *v;
	uint64_t u;
	int x;
	char err[128];

	f->size = FLOOD_SIZE_DEFAULT;
	f->port = UDP_DISCARD_PORT;
	if (scn_get(c, m, "interval"))
		scn_error_at(c, scn_get(c, m, "interval"),
		             "a flood is paced by 'rate', not 'interval'");
	switch (scn_opt_enum(c, m, "kind", kind_names, "flood kind", &x, NULL)) {
	case 0:
		scn_missing(c, m, "kind", what);
		return;
	case -1:
		return;
	}
	f->kind = (enum scenario_flood_kind)x;
	bool ike = f->kind == SCENARIO_FLOOD_IKE_SA_INIT, esp = f->kind == SCENARIO_FLOOD_ESP;
	only_for(c, m, "size", !ike, "esp and udp");
	only_for(c, m, "port", f->kind == SCENARIO_FLOOD_UDP, "udp");
	only_for(c, m, "spi", esp, "esp");
	only_for(c, m, "proposals", ike, "ike_sa_init");
	if (scn_opt_enum(c, m, "spi", spi_names, "flood spi", &x, NULL) == 1)
		f->live_spi = x;
	if (scn_opt_size(c, m, "size", &u, &v) == 1) {
		if (u < 1 || u > 65535 - IP_UDP_HEADERS - (esp ? 8 : 0))
			scn_error_at(c, v, "size must be 1..%u bytes, got %s",
			             65535 - IP_UDP_HEADERS - (esp ? 8 : 0), scn_text_of(v));
		else
			f->size = (uint32_t)u;
	}
	if (scn_opt_uint(c, m, "port", 1, 65535, &u, NULL) == 1)
		f->port = (uint16_t)u;
	if ((v = scn_get(c, m, "spoof"))) {
		const char *t = scn_scalar(c, v, "spoof");
		if (f->live_spi)
			scn_error_at(c, v,
			             "an ESP flood with spi: live sends from the live SA's own "
			             "addresses: 'spoof' does not apply");
		else if (t && (units_ipv4_prefix(t, &f->spoof, &f->spoof_len, err, sizeof err) ||
		               f->spoof_len == 0))
			scn_error_at(c, v,
			             "spoof: '%s' is not a prefix to draw source addresses from "
			             "(like 198.51.100.0/24, /1 to /32)",
			             t);
		f->spoof &= units_mask(f->spoof_len);
	}
	if (ike)
		load_proposals(c, m, f);
	load_target(L, ni, m, f, what);
	load_pacing(c, m, a, what);
}
