/* Scenario loader: traffic flows (`traffic:`, docs/scenario-reference.md
 * "traffic").  Keys common to every type are read here; each type takes a
 * subset of the others (type_keys) and gets its defaults and checks in a
 * function of its own. */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"

/* Bytes at the start of each UDP payload (udp, poisson, onoff, reqresp)
 * and each echo request's data: the measurement header (helper/sim/traffic.h). */
#define UDP_HEADER_MIN 24
#define PING_HEADER_MIN 8
/* 65507 = 65535 - 20 (IPv4 header) - 8 (UDP or ICMP header). */
#define DATAGRAM_MAX 65507

static const char *const traffic_keys[] = {
        "type",          "name",         "from",       "to",     "port", "size",
        "rate",          "interval",     "start",      "stop",   "on",   "off",
        "response_size", "segment_size", "congestion", "family", NULL};

/* Keys beyond type, name, from, to, start and stop, by type. */
static const char *const *type_keys(enum scenario_flow_type t)
{
	static const char *const udp[] = {"port", "size", "rate", "interval", NULL};
	static const char *const ping[] = {"size", "interval", NULL};
	static const char *const onoff[] = {"port", "size", "rate", "interval", "on", "off", NULL};
	static const char *const tcp[] = {"port", "size", "segment_size", "congestion", NULL};
	static const char *const reqresp[] = {"port", "size",     "response_size",
	                                      "rate", "interval", NULL};
	switch (t) {
	case SCENARIO_FLOW_UDP:
	case SCENARIO_FLOW_POISSON:
		return udp;
	case SCENARIO_FLOW_PING:
		return ping;
	case SCENARIO_FLOW_ONOFF:
		return onoff;
	case SCENARIO_FLOW_TCP:
		return tcp;
	case SCENARIO_FLOW_REQRESP:
		return reqresp;
	}
	return udp;
}

static const struct name_val type_names[] = {{"udp", SCENARIO_FLOW_UDP, false},
                                             {"ping", SCENARIO_FLOW_PING, false},
                                             {"poisson", SCENARIO_FLOW_POISSON, false},
                                             {"onoff", SCENARIO_FLOW_ONOFF, false},
                                             {"tcp", SCENARIO_FLOW_TCP, false},
                                             {"reqresp", SCENARIO_FLOW_REQRESP, false},
                                             {NULL, 0, false}};

static const struct name_val cc_names[] = {{"newreno", SCENARIO_TCP_CC_NEWRENO, false},
                                           {"cubic", SCENARIO_TCP_CC_CUBIC, false},
                                           {"bbr", SCENARIO_TCP_CC_BBR, false},
                                           {"vegas", SCENARIO_TCP_CC_VEGAS, false},
                                           {"westwood", SCENARIO_TCP_CC_WESTWOOD, false},
                                           {"highspeed", SCENARIO_TCP_CC_HIGHSPEED, false},
                                           {"htcp", SCENARIO_TCP_CC_HTCP, false},
                                           {"scalable", SCENARIO_TCP_CC_SCALABLE, false},
                                           {NULL, 0, false}};

const char *scenario_flow_type_name(enum scenario_flow_type t)
{
	for (const struct name_val *n = type_names; n->name; n++)
		if (n->val == (int)t)
			return n->name;
	return "?";
}

const char *scenario_tcp_cc_name(enum scenario_tcp_cc cc)
{
	for (const struct name_val *n = cc_names; n->name; n++)
		if (n->val == (int)cc)
			return n->name;
	return "default";
}

static bool in_list(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* A key the flow's type does not take: say which types do. */
static void check_type_keys(struct ctx *c, yaml_node_t *m, enum scenario_flow_type t)
{
	static const char *const common[] = {"type",  "name", "from",   "to",
	                                     "start", "stop", "family", NULL};
	const char *const *mine = type_keys(t);

	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = scn_node(c, p->key);
		const char *w = scn_text_of(k);
		char types[96] = "";

		if (k->type != YAML_SCALAR_NODE || in_list(w, common) || in_list(w, mine) ||
		    !in_list(w, traffic_keys))
			continue;
		if (t == SCENARIO_FLOW_PING && strcmp(w, "rate") == 0) {
			scn_error_at(c, k,
			             "ping sends one packet per 'interval', it has no 'rate'");
			continue;
		}
		for (const struct name_val *n = type_names; n->name; n++)
			if (in_list(w, type_keys((enum scenario_flow_type)n->val))) {
				size_t len = strlen(types);
				snprintf(types + len, sizeof(types) - len, "%s%s", len ? ", " : "",
				         n->name);
			}
		scn_error_at(c, k, "'%s' is not a key of %s traffic (it is for %s)", w,
		             scenario_flow_type_name(t), types);
	}
}

int scn_p_rate(const char *s, void *o, char *e, size_t l)
{
	struct scn_rate *r = o;
	size_t n = strlen(s);

	if (n > 3 && strcmp(s + n - 3, "pps") == 0) {
		char *end;
		double v = strtod(s, &end);

		if (end == s || end != s + n - 3 || s[0] == ' ' || !(v > 0) || v > 1e9) {
			snprintf(e, l, "'%s' is not a packet rate: use a number above 0 and pps",
			         s);
			return -1;
		}
		r->pps = v;
		return 0;
	}
	if (units_rate_bps(s, &r->bps, e, l) != 0) {
		size_t len = strlen(e);

		snprintf(e + len, l - len, " (or pps: packets per second)");
		return -1;
	}
	return 0;
}

/* "1s" or "exp(1s)". */
static int p_period(const char *s, void *o, char *e, size_t l)
{
	struct scenario_period *p = o;
	size_t n = strlen(s);
	char inner[64], err[128];

	p->exponential = n > 5 && strncmp(s, "exp(", 4) == 0 && s[n - 1] == ')';
	if (p->exponential) {
		if (n - 5 >= sizeof(inner)) {
			snprintf(e, l,
			         "'%s' is not a period: use a time (1s) or exp(MEAN) (exp(1s))", s);
			return -1;
		}
		memcpy(inner, s + 4, n - 5);
		inner[n - 5] = '\0';
	} else {
		snprintf(inner, sizeof(inner), "%s", s);
	}
	if (units_time_ns(inner, &p->mean_ns, err, sizeof(err)) != 0) {
		snprintf(e, l,
		         "'%s' is not a period: use a time (1s) or exp(MEAN) for exponentially "
		         "distributed ones (exp(1s))",
		         s);
		return -1;
	}
	if (p->exponential && p->mean_ns == 0) {
		snprintf(e, l, "'%s': an exponential period needs a mean above 0", s);
		return -1;
	}
	return 0;
}

/* `rate` or `interval` (exactly one): sets interval_ns (and rate_bps). */
static void load_pacing(struct ctx *c, yaml_node_t *m, struct scenario_flow *f, const char *what)
{
	yaml_node_t *rv = scn_get(c, m, "rate"), *iv = scn_get(c, m, "interval");
	struct scn_rate r = {0, 0};

	if (rv && iv) {
		scn_error_at(c, iv, "give either 'rate' or 'interval', not both");
		return;
	}
	if (!rv && !iv) {
		scn_error_at(c, m, "%s traffic needs a 'rate' or an 'interval' (%s)",
		             scenario_flow_type_name(f->type), what);
		return;
	}
	if (iv) {
		if (scn_opt_time(c, m, "interval", &f->interval_ns, NULL) == 1 &&
		    f->interval_ns == 0)
			scn_error_at(c, iv, "interval must be above 0");
		return;
	}
	if (scn_opt_parse(c, m, "rate", scn_p_rate, &r, NULL) != 1)
		return;
	if (r.pps > 0) {
		f->interval_ns = (uint64_t)(1e9 / r.pps + 0.5);
	} else {
		/* Payload bits per second -> time between packets, to the
		 * nearest ns. */
		uint64_t bits = (uint64_t)f->size * 8 * 1000000000;

		f->rate_bps = r.bps;
		f->interval_ns = (bits + r.bps / 2) / r.bps;
	}
	if (f->interval_ns == 0)
		scn_error_at(c, rv, "rate %s sends %u-byte packets less than 1 ns apart",
		             scn_text_of(rv), f->size);
}

/* A datagram payload size for `key`, at least `min` bytes. */
static void load_datagram_size(struct ctx *c, yaml_node_t *m, const char *key, uint32_t min,
                               const char *why, uint32_t *out)
{
	yaml_node_t *v;
	uint64_t u;

	if (scn_opt_size(c, m, key, &u, &v) != 1)
		return;
	if (u < min || u > DATAGRAM_MAX)
		scn_error_at(c, v, "%s must be %u..%u bytes (%s), got %s", key, min, DATAGRAM_MAX,
		             why, scn_text_of(v));
	else
		*out = (uint32_t)u;
}

static void load_port(struct ctx *c, yaml_node_t *m, struct scenario_flow *f, uint16_t dflt)
{
	uint64_t u;

	f->port = dflt;
	if (scn_opt_uint(c, m, "port", 1, 65535, &u, NULL) == 1)
		f->port = (uint16_t)u;
}

static void load_onoff(struct ctx *c, yaml_node_t *m, struct scenario_flow *f)
{
	yaml_node_t *v;

	/* ns-3 OnOffApplication's defaults: ConstantRandomVariable 1 s each. */
	f->on = f->off = (struct scenario_period){1000000000, false};
	if (scn_opt_parse(c, m, "on", p_period, &f->on, &v) == 1 && f->on.mean_ns == 0)
		scn_error_at(c, v, "an on period must be above 0");
	scn_opt_parse(c, m, "off", p_period, &f->off, NULL);
}

static void load_tcp(struct ctx *c, yaml_node_t *m, struct scenario_flow *f)
{
	yaml_node_t *v;
	uint64_t u;
	int x;

	load_port(c, m, f, 5001);
	/* 1380 bytes of data, 12 of timestamp option, 40 of TCP and IP
	 * headers: 1432, which an ESP tunnel (AES-GCM or AES-CBC + HMAC)
	 * still carries in 1500 bytes. */
	f->segment_size = 1380;
	if (scn_opt_size(c, m, "size", &u, &v) == 1) {
		if (u == 0)
			scn_error_at(c, v,
			             "size must be above 0 bytes (leave it out to send until "
			             "stop)");
		else
			f->bytes = u;
	}
	if (scn_opt_uint(c, m, "segment_size", 1, 65495, &u, NULL) == 1)
		f->segment_size = (uint32_t)u;
	if (scn_opt_enum(c, m, "congestion", cc_names, "TCP congestion control", &x, NULL) == 1)
		f->congestion = (enum scenario_tcp_cc)x;
}

static void load_type_keys(struct ctx *c, yaml_node_t *m, struct scenario_flow *f, const char *what)
{
	switch (f->type) {
	case SCENARIO_FLOW_UDP:
	case SCENARIO_FLOW_POISSON:
	case SCENARIO_FLOW_ONOFF:
		load_port(c, m, f, 9000);
		f->size = 1000;
		load_datagram_size(c, m, "size", UDP_HEADER_MIN, "24 carry the measurement header",
		                   &f->size);
		load_pacing(c, m, f, what);
		if (f->type == SCENARIO_FLOW_ONOFF)
			load_onoff(c, m, f);
		break;
	case SCENARIO_FLOW_PING:
		f->size = 56;
		f->interval_ns = 1000000000;
		load_datagram_size(c, m, "size", PING_HEADER_MIN, "8 carry the send time",
		                   &f->size);
		if (scn_opt_time(c, m, "interval", &f->interval_ns, NULL) == 1 &&
		    f->interval_ns == 0)
			scn_error_at(c, scn_get(c, m, "interval"), "interval must be above 0");
		break;
	case SCENARIO_FLOW_REQRESP:
		load_port(c, m, f, 7);
		f->size = 100;
		f->response_size = 1000;
		load_datagram_size(c, m, "size", UDP_HEADER_MIN, "24 carry the measurement header",
		                   &f->size);
		load_datagram_size(c, m, "response_size", UDP_HEADER_MIN,
		                   "24 carry the measurement header", &f->response_size);
		load_pacing(c, m, f, what);
		break;
	case SCENARIO_FLOW_TCP:
		load_tcp(c, m, f);
		break;
	}
}

/* `to`: an address or a node name (its first interface's address of
 * `family`, ipv4 unless the node has none). */
static void load_to(struct load *L, yaml_node_t *m, yaml_node_t *tov, struct scenario_flow *f,
                    bool from_ok)
{
	static const struct name_val families[] = {
	        {"ipv4", IP_FAMILY_V4, false}, {"ipv6", IP_FAMILY_V6, false}, {NULL, 0, false}};
	struct ctx *c = L->c;
	struct scenario *s = L->s;
	yaml_node_t *fv = NULL;
	int family = 0;
	const char *t;
	char err[128], a1[IP_ADDR_STRLEN];

	scn_opt_enum(c, m, "family", families, "address family", &family, &fv);
	if (!(t = scn_scalar(c, tov, "to")))
		return;
	if (units_ip(t, &f->dst, err, sizeof(err)) == 0) {
		f->to = scn_addr_owner(s, &f->dst);
		if (fv && family != (int)f->dst.family)
			scn_error_at(c, fv,
			             "'to' %s is not %s: 'family' chooses among a node's "
			             "addresses",
			             t, scn_text_of(fv));
	} else if ((f->to = scn_node_ref(L, tov, "to")) != SCENARIO_NONE) {
		const struct scenario_node *nd = &s->nodes[f->to];
		uint8_t len;

		if (!nd->n_ifaces)
			return;
		if (!fv)
			family = nd->ifaces[0].addr ? IP_FAMILY_V4 : IP_FAMILY_V6;
		if (!scn_iface_addr(&nd->ifaces[0], (uint8_t)family, &f->dst, &len))
			scn_error_at(c, fv ? fv : tov,
			             "node '%s' has no %s address on its first link", nd->name,
			             family == IP_FAMILY_V4 ? "IPv4" : "IPv6");
	}
	if (from_ok && f->to == f->from)
		scn_error_at(c, tov, "traffic from node '%s' to itself (%s)",
		             s->nodes[f->from].name, ip_addr_str(&f->dst, a1));
}

static void load_times(struct ctx *c, yaml_node_t *m, struct scenario_flow *f)
{
	const struct scenario *s = c->s;
	yaml_node_t *sv, *ev;

	f->stop_ns = s->duration_ns;
	scn_opt_time(c, m, "start", &f->start_ns, &sv);
	if (scn_opt_time(c, m, "stop", &f->stop_ns, &ev) < 0 || !c->duration_ok)
		return;
	if (ev && f->stop_ns > s->duration_ns)
		scn_error_at(c, ev, "stop %s is after the end of the run (duration %s)",
		             scn_text_of(ev),
		             scn_text_of(scn_get(c, c->doc.nodes.start, "duration")));
	else if (sv && f->start_ns >= f->stop_ns)
		scn_error_at(c, sv, "start %s is not before stop (%s)", scn_text_of(sv),
		             ev ? scn_text_of(ev) : "the end of the run");
}

/* Above this many packets a flow is probably a typo (1e9pps for 1e3pps):
 * ns-3 simulates some 10^5 packets per wall second here, so it would run
 * for hours.  Only a warning: it may be meant. */
#define ABSURD_PACKETS 1e8

static void warn_volume(struct ctx *c, yaml_node_t *m, const struct scenario_flow *f)
{
	yaml_node_t *v = scn_get(c, m, "rate");
	if (!v)
		v = scn_get(c, m, "interval");
	if (!v || !f->interval_ns || f->stop_ns <= f->start_ns)
		return;
	double packets = (double)(f->stop_ns - f->start_ns) / (double)f->interval_ns;
	if (packets > ABSURD_PACKETS)
		scn_warn_at(c, v,
		            "flow '%s' sends about %.2g packets: at some 10^5 simulated packets "
		            "per second of wall time that takes %.0f hours",
		            f->name, packets, packets / 1e5 / 3600);
}

void scn_load_traffic(struct load *L, yaml_node_t *list)
{
	struct ctx *c = L->c;
	struct scenario *s = L->s;

	struct scn_index names = {0};

	s->n_flows = scn_seq_len(list);
	s->flows = scn_arena_alloc(c->a, s->n_flows * sizeof(*s->flows));
	L->flow_maps = scn_arena_alloc(c->a, s->n_flows * sizeof(*L->flow_maps));
	for (size_t i = 0; i < s->n_flows; i++) {
		struct scenario_flow *f = &s->flows[i];
		yaml_node_t *m = scn_seq_item(c, list, i), *v, *namev;
		char what[64];
		const char *t;
		int x;
		bool type_ok = false, from_ok = false;

		snprintf(what, sizeof(what), "traffic.%zu", i);
		f->from = f->to = SCENARIO_NONE;
		if (!scn_want_map(c, m, "a traffic flow"))
			continue;
		L->flow_maps[i] = m;
		scn_check_keys(c, m, "traffic", traffic_keys);
		switch (scn_opt_enum(c, m, "type", type_names, "traffic type", &x, NULL)) {
		case 0:
			scn_missing(c, m, "type", what);
			break;
		case 1:
			f->type = (enum scenario_flow_type)x;
			type_ok = true;
		}
		namev = scn_get(c, m, "name");
		if (namev) {
			if ((t = scn_name_value(c, namev, "name")))
				strcpy(f->name, t);
		} else if (type_ok) {
			snprintf(f->name, sizeof(f->name), "%s-%zu",
			         scenario_flow_type_name(f->type), i);
		}
		if (f->name[0] &&
		    scn_index_put(&names, f->name, strlen(f->name), i) != SCENARIO_NONE)
			scn_error_at(c, namev ? namev : m, "duplicate traffic name '%s'", f->name);

		if (!(v = scn_get(c, m, "from")))
			scn_missing(c, m, "from", what);
		else if ((f->from = scn_node_ref(L, v, "from")) != SCENARIO_NONE)
			from_ok = true;
		if (!(v = scn_get(c, m, "to")))
			scn_missing(c, m, "to", what);
		else
			load_to(L, m, v, f, from_ok);

		if (type_ok) {
			check_type_keys(c, m, f->type);
			load_type_keys(c, m, f, what);
		}
		load_times(c, m, f);
		warn_volume(c, m, f);
	}
	scn_index_free(&names);
}
