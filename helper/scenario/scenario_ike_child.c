/* Scenario loader: the children of an IKEv2 connection, swanctl.conf's
 * connections.<conn>.children.<child> (traffic selectors, ESP proposals,
 * actions, lifetimes), into struct ike_child_config.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ike_proposal.h"
#include "units.h"

static const char *const child_keys[] = {
        "local_ts",     "remote_ts",     "esp_proposals", "mode",          "start_action",
        "dpd_action",   "close_action",  "rekey_time",    "life_time",     "rand_time",
        "rekey_bytes",  "life_bytes",    "rand_bytes",    "rekey_packets", "life_packets",
        "rand_packets", "replay_window", "copy_dscp",     "rekey_policy",  NULL};
/* swanctl.conf child keys this module does not implement. */
static const char *const child_unsupported[] = {
        "ah_proposals",     "sha256_96",  "updown",     "hostaccess", "policies",
        "policies_fwd_out", "ipcomp",     "inactivity", "reqid",      "priority",
        "interface",        "mark_in",    "mark_in_sa", "mark_out",   "set_mark_in",
        "set_mark_out",     "if_id_in",   "if_id_out",  "label",      "label_mode",
        "tfc_padding",      "hw_offload", "copy_df",    "copy_ecn",   NULL};

static const struct name_val mode_names[] = {{"tunnel", IPSEC_MODE_TUNNEL, false},
                                             {"transport", IPSEC_MODE_TRANSPORT, false},
                                             {NULL, 0, false}};
static const struct name_val start_names[] = {{"none", IKE_START_NONE, false},
                                              {"trap", IKE_START_TRAP, false},
                                              {"start", IKE_START_START, false},
                                              {"route", IKE_START_TRAP, true},
                                              {NULL, 0, false}};
/* vici's parse_action(): none = clear, trap = route, start = restart. */
static const struct name_val dpd_names[] = {{"clear", IKE_ACTION_CLEAR, false},
                                            {"trap", IKE_ACTION_TRAP, false},
                                            {"restart", IKE_ACTION_RESTART, false},
                                            {"none", IKE_ACTION_CLEAR, true},
                                            {"route", IKE_ACTION_TRAP, true},
                                            {"start", IKE_ACTION_RESTART, true},
                                            {NULL, 0, false}};
static const struct name_val close_names[] = {{"none", IKE_ACTION_CLEAR, false},
                                              {"trap", IKE_ACTION_TRAP, false},
                                              {"start", IKE_ACTION_RESTART, false},
                                              {"clear", IKE_ACTION_CLEAR, true},
                                              {"route", IKE_ACTION_TRAP, true},
                                              {"restart", IKE_ACTION_RESTART, true},
                                              {NULL, 0, false}};
const struct name_val scn_rekey_policy_names[] = {
        {"make-before-break", IKE_MAKE_BEFORE_BREAK, false},
        {"break-before-make", IKE_BREAK_BEFORE_MAKE, false},
        {NULL, 0, false}};

static const struct name_val ts_proto_names[] = {
        {"%any", 0, false}, {"any", 0, true},     {"icmp", 1, false}, {"tcp", 6, false},
        {"udp", 17, false}, {"sctp", 132, false}, {NULL, 0, false}};

/* The "[proto]" or "[proto/port]" part of a traffic selector. */
static int ts_proto_port(const char *t, struct ike_ts_config *ts, char *err, size_t errlen)
{
	char buf[64], e2[128];
	char *slash;
	uint64_t n;
	const struct name_val *p;
	struct ipsec_range16 r;

	snprintf(buf, sizeof(buf), "%s", t);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	for (p = ts_proto_names; p->name; p++)
		if (strcmp(buf, p->name) == 0)
			break;
	if (p->name)
		ts->protocol = (uint8_t)p->val;
	else if (units_uint(buf, 0, 255, &n, e2, sizeof(e2)) == 0)
		ts->protocol = (uint8_t)n;
	else {
		snprintf(err, errlen,
		         "'%s' is not a protocol: use tcp, udp, icmp, sctp, %%any or a number "
		         "0..255",
		         buf);
		return -1;
	}
	ts->port_lo = 0;
	ts->port_hi = 65535;
	if (!slash || strcmp(slash + 1, "%any") == 0)
		return 0;
	if (ts->protocol != 6 && ts->protocol != 17 && ts->protocol != 132) {
		snprintf(err, errlen,
		         "ports need tcp, udp or sctp (ICMP type/code selectors are not "
		         "supported): got '%s'",
		         t);
		return -1;
	}
	if (strcmp(slash + 1, "%opaque") == 0) {
		snprintf(err, errlen, "OPAQUE ports are not supported: use %%any or a port");
		return -1;
	}
	if (scn_port_value(slash + 1, 65535, &r, err, errlen))
		return -1;
	if (r.lo == 0) {
		snprintf(err, errlen, "port 0: use %%any for any port");
		return -1;
	}
	ts->port_lo = r.lo;
	ts->port_hi = r.hi;
	return 0;
}

/* One traffic selector as swanctl.conf writes it: an address, a prefix
 * ("0.0.0.0/0" for any) or a range, then optionally "[proto]" or
 * "[proto/port]" ("10.1.0.0/24[udp/53]", "[tcp/1024-65535]"). */
static int ts_parse(const char *t, struct ike_ts_config *ts, char *err, size_t errlen)
{
	char addr[96];
	const char *br = strchr(t, '[');
	struct ip_range r = {{0}, {0}};
	size_t alen = br ? (size_t)(br - t) : strlen(t);

	memset(ts, 0, sizeof(*ts));
	ts->port_hi = 65535;
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, t, alen);
	addr[alen] = '\0';
	if (alen && scn_ts_value(addr, &r, err, errlen))
		goto bad_addr;
	if (alen && ip_addr_is_set(&r.lo) && ip_addr_eq(&r.lo, &r.hi) &&
	    !memcmp(r.lo.b, (uint8_t[16]){0}, 16)) {
		snprintf(err, errlen, "%s is not a host: use %s for any address", addr,
		         r.lo.family == IP_FAMILY_V4 ? "0.0.0.0/0" : "::/0");
		return -1;
	}
	ts->addr = r;
	if (!br)
		return 0;
	if (t[strlen(t) - 1] != ']' || strlen(br) < 3)
		goto bad;
	{
		char pp[64];
		size_t plen = strlen(br) - 2;

		if (plen >= sizeof(pp))
			goto bad;
		memcpy(pp, br + 1, plen);
		pp[plen] = '\0';
		return ts_proto_port(pp, ts, err, errlen);
	}
bad_addr:
	if (strstr(err, "host bits"))
		return -1;
bad:
	snprintf(err, errlen,
	         "'%s' is not a traffic selector: use dynamic, an address, a prefix like "
	         "10.1.0.0/24 or fd00:1::/64, a range like 10.1.0.1-10.1.0.9, optionally followed "
	         "by [proto] "
	         "or [proto/port] like 10.1.0.0/24[udp/53]",
	         t);
	return -1;
}

/* The families a list of selectors covers: bit 0 IPv4, bit 1 IPv6 (ANY
 * both). */
static unsigned ts_families(const struct ike_ts_config *ts, size_t n)
{
	unsigned f = 0;

	for (size_t i = 0; i < n; i++)
		f |= ts[i].addr.lo.family == IP_FAMILY_V4   ? 1u
		     : ts[i].addr.lo.family == IP_FAMILY_V6 ? 2u
		                                            : 3u;
	return f;
}

/* local_ts or remote_ts: one selector, a comma-separated string of them, or
 * a list; "dynamic" (the IKE SA's address, the default) alone. */
static void ts_list(struct ctx *c, yaml_node_t *v, const char *key, struct ike_ts_config *out,
                    size_t *n)
{
	size_t items = v->type == YAML_SEQUENCE_NODE ? scn_seq_len(v) : 1;
	size_t count = 0;
	bool dynamic = false;

	*n = 0;
	if (v->type == YAML_MAPPING_NODE || (v->type == YAML_SEQUENCE_NODE && items == 0)) {
		scn_error_at(c, v, "'%s' must be a traffic selector or a list of them, like %s",
		             key, "10.1.0.0/24");
		return;
	}
	for (size_t i = 0; i < items; i++) {
		yaml_node_t *iv = v->type == YAML_SEQUENCE_NODE ? scn_seq_item(c, v, i) : v;
		const char *t = scn_scalar(c, iv, key);
		char buf[512], *save = NULL, *one;

		if (!t)
			return;
		snprintf(buf, sizeof(buf), "%s", t);
		for (one = strtok_r(buf, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
			char err[320];

			while (*one == ' ')
				one++;
			for (char *e = one + strlen(one); e > one && e[-1] == ' ';)
				*--e = '\0';
			if (strcmp(one, "dynamic") == 0 || strcmp(one, "%dynamic") == 0) {
				dynamic = true;
				count++;
				continue;
			}
			if (count - dynamic >= IKE_TS_MAX) {
				scn_error_at(c, iv, "'%s': at most %d traffic selectors", key,
				             IKE_TS_MAX);
				return;
			}
			if (ts_parse(one, &out[count - dynamic], err, sizeof(err))) {
				scn_error_at(c, iv, "%s: %s", key, err);
				return;
			}
			count++;
		}
	}
	if (dynamic && count > 1) {
		scn_error_at(c, v,
		             "'%s': dynamic (the IKE SA's own address) cannot be combined with "
		             "other selectors here",
		             key);
		return;
	}
	*n = dynamic ? 0 : count;
}

/* One kind of limit of a child (time, bytes or packets): rekey (soft),
 * life (hard), rand (jitter subtracted from rekey). */
struct limit {
	const char *rekey_key, *life_key, *rand_key;
	uint64_t *rekey, *life, *rand;
	yaml_node_t *rekey_n, *life_n, *rand_n;
	bool time;
};

static const char *limit_str(const struct limit *l, uint64_t v, char *buf, size_t len)
{
	if (l->time)
		return scn_time_str(v, buf, len);
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* strongSwan's check_lifetimes() (vici_config.c) for the defaults: life =
 * rekey + 10 %, rand = life - rekey; then the consistency this module
 * insists on: the hard limit above the soft one (else the Child SA expires
 * before it is rekeyed), and rand below rekey (the rekey is scheduled at
 * rekey minus a random part of rand, which must stay positive). */
static void limits_apply(struct ctx *c, struct limit *l, const char *child)
{
	char b1[32], b2[32];

	if (!l->life_n && (l->rekey_n || !l->time))
		*l->life = *l->rekey > UINT64_MAX / 110 * 100
		                   ? UINT64_MAX
		                   : *l->rekey / 100 * 110 + *l->rekey % 100 * 110 / 100;
	if (!l->rand_n)
		*l->rand = *l->life - (*l->life < *l->rekey ? *l->life : *l->rekey);
	if (*l->rekey && *l->life && *l->life <= *l->rekey) {
		scn_error_at(c, l->life_n ? l->life_n : l->rekey_n,
		             "child '%s': %s %s must be above %s %s%s: the Child SA would expire "
		             "before it is rekeyed",
		             child, l->life_key, limit_str(l, *l->life, b1, sizeof(b1)),
		             l->rekey_key, limit_str(l, *l->rekey, b2, sizeof(b2)),
		             l->rekey_n ? "" : " (the default)");
		return;
	}
	if (*l->rekey && *l->rand >= *l->rekey) {
		if (l->rand_n)
			scn_error_at(c, l->rand_n,
			             "child '%s': %s %s must be below %s %s (the rekey is due "
			             "at %s minus a random part of %s)",
			             child, l->rand_key, limit_str(l, *l->rand, b1, sizeof(b1)),
			             l->rekey_key, limit_str(l, *l->rekey, b2, sizeof(b2)),
			             l->rekey_key, l->rand_key);
		else
			scn_error_at(c, l->life_n ? l->life_n : l->rekey_n,
			             "child '%s': with %s %s, the default %s (%s - %s = %s) is not "
			             "below %s: give %s",
			             child, l->life_key, limit_str(l, *l->life, b1, sizeof(b1)),
			             l->rand_key, l->life_key, l->rekey_key,
			             limit_str(l, *l->rand, b2, sizeof(b2)), l->rekey_key,
			             l->rand_key);
	}
}

static int opt_count(struct ctx *c, yaml_node_t *m, const char *key, uint64_t *out,
                     yaml_node_t **vn)
{
	return scn_opt_uint(c, m, key, 0, UINT64_MAX, out, vn);
}

void scn_load_ike_child(struct load *L, struct ike_conn_config *conn, struct ike_child_config *ch,
                        yaml_node_t *m, bool remote_any)
{
	struct ctx *c = L->c;
	yaml_node_t *v;
	char what[200];
	const char *t;
	int x;

	snprintf(what, sizeof(what), "child '%s'", ch->name);
	if (!scn_want_map(c, m, what))
		return;
	scn_check_keys_known(c, m, what, child_keys, child_unsupported);

	if ((v = scn_get(c, m, "local_ts")))
		ts_list(c, v, "local_ts", ch->local_ts, &ch->n_local_ts);
	if ((v = scn_get(c, m, "remote_ts"))) {
		ts_list(c, v, "remote_ts", ch->remote_ts, &ch->n_remote_ts);
		if (ch->n_local_ts && ch->n_remote_ts &&
		    !(ts_families(ch->local_ts, ch->n_local_ts) &
		      ts_families(ch->remote_ts, ch->n_remote_ts)))
			scn_error_at(c, v,
			             "local_ts and remote_ts have no address family in common: no "
			             "packet matches both");
	}

	if ((v = scn_get(c, m, "esp_proposals")) && (t = scn_scalar(c, v, "esp_proposals"))) {
		struct ike_proposal_list *props = calloc(1, sizeof(*props));
		char err[320];

		if (strlen(t) >= sizeof(ch->esp_proposals))
			scn_error_at(c, v, "esp_proposals: at most %zu characters",
			             sizeof(ch->esp_proposals) - 1);
		else if (props && ike_proposals_parse(IKE_PROTO_ESP, t, props, err, sizeof(err)))
			scn_error_at(c, v, "%s", err);
		else
			strcpy(ch->esp_proposals, t);
		free(props);
	}

	if ((v = scn_get(c, m, "mode")) && (t = scn_scalar(c, v, "mode")) &&
	    (strcmp(t, "beet") == 0 || strcmp(t, "pass") == 0 || strcmp(t, "drop") == 0))
		scn_error_at(c, v,
		             "mode %s is not supported by this module: use tunnel or transport", t);
	else if (scn_opt_enum(c, m, "mode", mode_names, "mode", &x, NULL) == 1)
		ch->mode = (enum ipsec_mode)x;
	if (scn_opt_enum(c, m, "start_action", start_names, "start_action", &x, &v) == 1) {
		ch->start_action = (enum ike_start_action)x;
		/* A responder for any peer has no one to initiate to. */
		if (remote_any && x != IKE_START_NONE)
			scn_error_at(c, v,
			             "start_action %s needs a peer to initiate to, but connection "
			             "'%s' has remote_addrs %%any (it can only respond): give "
			             "remote_addrs an address, or use start_action none",
			             scn_text_of(v), conn->name);
	}
	if (scn_opt_enum(c, m, "dpd_action", dpd_names, "dpd_action", &x, NULL) == 1)
		ch->dpd_action = (enum ike_child_action)x;
	if (scn_opt_enum(c, m, "close_action", close_names, "close_action", &x, NULL) == 1)
		ch->close_action = (enum ike_child_action)x;
	if (scn_opt_enum(c, m, "rekey_policy", scn_rekey_policy_names, "rekey_policy", &x, NULL) ==
	    1)
		ch->rekey_policy = (enum ike_rekey_policy)x;
	scn_opt_bool(c, m, "copy_dscp", &ch->copy_dscp);
	scn_opt_parse(c, m, "replay_window", scn_p_replay_window, &ch->replay_window, NULL);

	/* Lifetimes: rekey (soft), life (hard), rand (jitter) per unit. */
	{
		struct limit lim[3] = {
		        {"rekey_time", "life_time", "rand_time", &ch->rekey_time_ns,
		         &ch->life_time_ns, &ch->rand_time_ns, NULL, NULL, NULL, true},
		        {"rekey_bytes", "life_bytes", "rand_bytes", &ch->rekey_bytes,
		         &ch->life_bytes, &ch->rand_bytes, NULL, NULL, NULL, false},
		        {"rekey_packets", "life_packets", "rand_packets", &ch->rekey_packets,
		         &ch->life_packets, &ch->rand_packets, NULL, NULL, NULL, false},
		};
		bool bad = false;

		bad |= scn_opt_time(c, m, "rekey_time", lim[0].rekey, &lim[0].rekey_n) < 0;
		bad |= scn_opt_time(c, m, "life_time", lim[0].life, &lim[0].life_n) < 0;
		bad |= scn_opt_time(c, m, "rand_time", lim[0].rand, &lim[0].rand_n) < 0;
		bad |= scn_opt_size(c, m, "rekey_bytes", lim[1].rekey, &lim[1].rekey_n) < 0;
		bad |= scn_opt_size(c, m, "life_bytes", lim[1].life, &lim[1].life_n) < 0;
		bad |= scn_opt_size(c, m, "rand_bytes", lim[1].rand, &lim[1].rand_n) < 0;
		bad |= opt_count(c, m, "rekey_packets", lim[2].rekey, &lim[2].rekey_n) < 0;
		bad |= opt_count(c, m, "life_packets", lim[2].life, &lim[2].life_n) < 0;
		bad |= opt_count(c, m, "rand_packets", lim[2].rand, &lim[2].rand_n) < 0;
		for (int k = 0; !bad && k < 3; k++)
			limits_apply(c, &lim[k], ch->name);
	}
}
