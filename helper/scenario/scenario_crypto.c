/* Scenario loader: crypto engines (`crypto_engine:`, model/elements/crypto_engine.h)
 * and the profile files they name (profiles/NAME.yaml).
 *
 *   crypto_engine: asic-10g                     a shipped or nearby profile
 *   crypto_engine: ./my-gateway.yaml            a profile file (relative to
 *                                               the scenario's folder)
 *   crypto_engine: {profile: embedded, lanes: 2, queue: 64}   with overrides
 *
 * A profile name is looked up as NAME.yaml in the folders of
 * $IPSEC_SIM_PROFILES (colon-separated), then in profiles/ beside the
 * scenario, then in the shipped profiles: share/ipsec-sim/profiles of the
 * prefix the program is installed in (`cmake --install`), or the source
 * tree's profiles/ folder it was built from (IPSEC_SIM_PROFILE_DIR).
 * Errors in a profile file are reported at their place in that file.
 */
#include "scenario_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "units.h"

#ifndef IPSEC_SIM_PROFILE_DIR
#define IPSEC_SIM_PROFILE_DIR "profiles"
#endif
/* Profiles are small; a larger file is surely not one. */
#define PROFILE_MAX_FILE_SIZE (1 << 20)

static const char *const node_keys[] = {"profile", "lanes",     "queue", "latency",
                                        "ike",     "ike_lanes", NULL};
static const char *const profile_keys[] = {
        "profile",    "description", "lanes", "queue",  "latency", "ike", "ike_lanes",
        "transforms", "dh",          "sign",  "verify", "prf",     NULL};
static const char *const cost_keys[] = {"per_packet", "per_byte", "throughput", NULL};
static const struct name_val ike_names[] = {
        {"engine", 1, false}, {"cpu", 0, false}, {NULL, 0, false}};

/* A cost: a decimal number of ns, us, ms or s; fractions of a nanosecond
 * are allowed ("0.35ns" per byte).  Returns 0 with *ns set, or -1. */
static int parse_cost(const char *s, double *ns, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	const char *p = s;
	double v = 0, scale = 1;
	bool digits = false;

	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			scale /= 10;
			v += (*p++ - '0') * scale;
			digits = true;
		}
	}
	while (*p == ' ')
		p++;
	if (digits && *p == '\0' && v == 0) {
		*ns = 0;
		return 0;
	}
	for (size_t i = 0; digits && i < sizeof units / sizeof units[0]; i++)
		if (strcmp(p, units[i].unit) == 0) {
			*ns = v * units[i].ns;
			return 0;
		}
	snprintf(err, errlen,
	         "'%.40s' is not a cost: give a number and ns, us, ms or s (like 1.5us or 0.35ns)",
	         s);
	return -1;
}

static int p_cost(const char *s, void *o, char *e, size_t l)
{
	return parse_cost(s, o, e, l);
}

/* A mapping of names (`names`, `n` of them) to costs, each one required. */
static void load_cost_map(struct ctx *c, yaml_node_t *m, const char *key, const char *const *names,
                          size_t n, double *out)
{
	char what[64];
	const char *list[8];

	if (!scn_want_map(c, m, key))
		return;
	for (size_t i = 0; i < n && i < 7; i++)
		list[i] = names[i];
	list[n < 7 ? n : 7] = NULL;
	snprintf(what, sizeof what, "'%s'", key);
	scn_check_keys(c, m, what, list);
	char missing[160] = "";
	for (size_t i = 0; i < n; i++)
		if (scn_opt_parse(c, m, names[i], p_cost, &out[i], NULL) == 0) {
			size_t len = strlen(missing);
			snprintf(missing + len, sizeof missing - len, "%s%s", len ? ", " : "",
			         names[i]);
		}
	if (missing[0])
		scn_error_at(c, m, "%s: no cost for %s (give every one of them)", key, missing);
}

/* transforms.<class>: {per_packet, per_byte | throughput}. */
static void load_transform(struct ctx *c, yaml_node_t *m, const char *name, struct ce_cost *out)
{
	yaml_node_t *pb, *tp;
	uint64_t bps;
	char what[64];

	snprintf(what, sizeof what, "transform '%s'", name);
	if (!scn_want_map(c, m, what))
		return;
	scn_check_keys(c, m, what, cost_keys);
	if (scn_opt_parse(c, m, "per_packet", p_cost, &out->per_packet_ns, NULL) == 0)
		scn_missing(c, m, "per_packet", what);
	pb = scn_get(c, m, "per_byte");
	tp = scn_get(c, m, "throughput");
	if (pb && tp)
		scn_error_at(
		        c, tp,
		        "%s: give per_byte or throughput, not both (throughput T is a per_byte "
		        "of 8 / T)",
		        what);
	else if (pb)
		scn_opt_parse(c, m, "per_byte", p_cost, &out->per_byte_ns, NULL);
	else if (tp) {
		if (scn_opt_rate(c, m, "throughput", &bps) == 1)
			out->per_byte_ns = 8e9 / (double)bps;
	} else
		scn_error_at(c, m, "%s: missing 'per_byte' or 'throughput' (the cost of each byte)",
		             what);
}

static void load_transforms(struct ctx *c, yaml_node_t *m, struct crypto_engine_config *cfg)
{
	const char *names[CE_CLASS__COUNT + 2];
	bool have[CE_CLASS__COUNT] = {false};
	struct ce_cost def;
	bool have_def = false;
	char missing[160] = "";

	if (!scn_want_map(c, m, "transforms"))
		return;
	for (int k = 0; k < CE_CLASS__COUNT; k++)
		names[k] = ce_class_name((enum ce_class)k);
	names[CE_CLASS__COUNT] = "default";
	names[CE_CLASS__COUNT + 1] = NULL;
	scn_check_keys(c, m, "transforms", names);
	for (int k = 0; k <= CE_CLASS__COUNT; k++) {
		yaml_node_t *v = scn_get(c, m, names[k]);
		if (!v)
			continue;
		if (k == CE_CLASS__COUNT) {
			def = (struct ce_cost){0, 0};
			load_transform(c, v, names[k], &def);
			have_def = true;
		} else {
			load_transform(c, v, names[k], &cfg->cost[k]);
			have[k] = true;
		}
	}
	for (int k = 0; k < CE_CLASS__COUNT; k++) {
		if (have[k])
			continue;
		if (have_def) {
			cfg->cost[k] = def;
			continue;
		}
		size_t len = strlen(missing);
		snprintf(missing + len, sizeof missing - len, "%s%s", len ? ", " : "", names[k]);
	}
	if (missing[0])
		scn_error_at(c, m, "transforms: no cost for %s (give them, or a 'default')",
		             missing);
}

/* The settings a node may override, read from mapping m into cfg. */
static void load_settings(struct ctx *c, yaml_node_t *m, struct crypto_engine_config *cfg)
{
	uint64_t u;
	int x;
	yaml_node_t *v;

	if (scn_opt_uint(c, m, "lanes", 1, 4096, &u, NULL) == 1)
		cfg->lanes = (uint32_t)u;
	if (scn_opt_uint(c, m, "queue", 0, 1000000, &u, NULL) == 1)
		cfg->queue = (uint32_t)u;
	if (scn_opt_time(c, m, "latency", &u, NULL) == 1)
		cfg->latency_ns = u;
	if (scn_opt_enum(c, m, "ike", ike_names, "place for IKE work", &x, &v) == 1)
		cfg->ike_on_engine = x;
	if (scn_opt_uint(c, m, "ike_lanes", 1, 4096, &u, NULL) == 1)
		cfg->ike_lanes = (uint32_t)u;
}

static char *read_text(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(PROFILE_MAX_FILE_SIZE + 1);
	*len = buf ? fread(buf, 1, PROFILE_MAX_FILE_SIZE + 1, f) : 0;
	fclose(f);
	if (!buf)
		snprintf(err, errlen, "out of memory");
	else if (*len > PROFILE_MAX_FILE_SIZE)
		snprintf(err, errlen, "too large for a profile (over %d MiB)",
		         PROFILE_MAX_FILE_SIZE >> 20);
	else if (memchr(buf, '\0', *len))
		snprintf(err, errlen, "a binary file, not a profile");
	else {
		buf[*len] = '\0';
		return buf;
	}
	free(buf);
	return NULL;
}

/* Loads the profile file at `path` into out; false after errors, which are
 * reported at their place in the file (or, if the file cannot be read, at
 * `ref` in the scenario). */
static bool load_profile(struct ctx *c, yaml_node_t *ref, const char *path,
                         struct scenario_crypto *out)
{
	struct ctx pc = {.file = path, .errors = c->errors, .a = c->a, .s = c->s};
	yaml_parser_t parser;
	yaml_node_t *root, *v;
	char err[256];
	size_t len;
	char *text = read_text(path, &len, err, sizeof err);

	if (!text) {
		scn_error_at(c, ref, "crypto_engine: profile %s: %s", path, err);
		return false;
	}
	pc.text = text;
	out->path = scn_arena_strdup(c->a, path);
	*out = (struct scenario_crypto){
	        .path = out->path,
	        .cfg = {.lanes = 1, .queue = 1000, .ike_on_engine = true, .ike_lanes = 1},
	};
	if (scn_check_shape(&pc, text, len) != 0 || !yaml_parser_initialize(&parser)) {
		if (!pc.nerr)
			scn_error_at(c, ref, "out of memory");
		free(text);
		c->nerr += pc.nerr;
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &pc.doc)) {
		scn_error_pos(&pc, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		              "%s", parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		free(text);
		c->nerr += pc.nerr;
		return false;
	}
	yaml_parser_delete(&parser);
	pc.have_doc = true;
	root = yaml_document_get_root_node(&pc.doc);
	if (!root)
		scn_error_pos(&pc, 1, 1, "the profile is empty: it needs at least 'transforms'");
	else if (scn_want_map(&pc, root, "a profile")) {
		scn_check_keys(&pc, root, "a profile", profile_keys);
		if ((v = scn_get(&pc, root, "profile")) && scn_name_value(&pc, v, "profile"))
			out->profile = scn_arena_strdup(c->a, scn_text_of(v));
		load_settings(&pc, root, &out->cfg);
		if ((v = scn_get(&pc, root, "transforms")))
			load_transforms(&pc, v, &out->cfg);
		else
			scn_missing(&pc, root, "transforms", "a profile");
		const char *dh[CE_DH__COUNT], *sig[CE_SIG__COUNT];
		for (int d = 0; d < CE_DH__COUNT; d++)
			dh[d] = ce_dh_name((enum ce_dh)d);
		for (int s = 0; s < CE_SIG__COUNT; s++)
			sig[s] = ce_sig_name((enum ce_sig)s);
		if ((v = scn_get(&pc, root, "dh")))
			load_cost_map(&pc, v, "dh", dh, CE_DH__COUNT, out->cfg.dh_ns);
		if ((v = scn_get(&pc, root, "sign")))
			load_cost_map(&pc, v, "sign", sig, CE_SIG__COUNT, out->cfg.sign_ns);
		if ((v = scn_get(&pc, root, "verify")))
			load_cost_map(&pc, v, "verify", sig, CE_SIG__COUNT, out->cfg.verify_ns);
		scn_opt_parse(&pc, root, "prf", p_cost, &out->cfg.prf_ns, NULL);
	}
	yaml_document_delete(&pc.doc);
	free(text);
	c->nerr += pc.nerr;
	return pc.nerr == 0;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The installed profiles: PREFIX/share/ipsec-sim/profiles for a program in
 * PREFIX/bin (or any folder of PREFIX), into buf; false if there are none. */
static bool installed_profile_dir(char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return false;
	*slash = '\0'; /* PREFIX/bin */
	if (snprintf(buf, len, "%s/../share/ipsec-sim/profiles", exe) >= (int)len)
		return false;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The scenario's folder ("." if none) into buf. */
static void scenario_dir(const struct ctx *c, char *buf, size_t len)
{
	const char *slash = strrchr(c->file, '/');
	if (!slash)
		snprintf(buf, len, ".");
	else
		snprintf(buf, len, "%.*s", (int)(slash != c->file ? slash - c->file : 1), c->file);
}

/* Where the profile `ref` names is: a path, or NAME.yaml in the search
 * folders.  False after an error. */
static bool find_profile(struct ctx *c, yaml_node_t *v, const char *ref, char *path, size_t len)
{
	char dir[4096];

	scenario_dir(c, dir, sizeof dir);
	if (strchr(ref, '/') || (strlen(ref) > 5 && !strcmp(ref + strlen(ref) - 5, ".yaml"))) {
		if (ref[0] == '/')
			snprintf(path, len, "%s", ref);
		else
			snprintf(path, len, "%s/%s", dir, ref);
		if (is_file(path))
			return true;
		scn_error_at(c, v, "crypto_engine: no profile file %s", path);
		return false;
	}
	if (!scn_name_value(c, v, "crypto_engine"))
		return false;
	const char *env = getenv("IPSEC_SIM_PROFILES");
	if (env) {
		for (const char *p = env; *p;) {
			size_t n = strcspn(p, ":");
			if (n) {
				snprintf(path, len, "%.*s/%s.yaml", (int)n, p, ref);
				if (is_file(path))
					return true;
			}
			p += n + (p[n] == ':');
		}
	}
	snprintf(path, len, "%s/profiles/%s.yaml", dir, ref);
	if (is_file(path))
		return true;
	char shipped[4096];
	if (!installed_profile_dir(shipped, sizeof(shipped)))
		snprintf(shipped, sizeof(shipped), "%s", IPSEC_SIM_PROFILE_DIR);
	snprintf(path, len, "%s/%s.yaml", shipped, ref);
	if (is_file(path))
		return true;
	scn_error_at(c, v,
	             "crypto_engine: no profile '%s' (shipped: asic-10g, embedded, software; "
	             "or give a file path like ./my-profile.yaml)",
	             ref);
	return false;
}

void scn_load_crypto(struct load *L, size_t ni, yaml_node_t *v)
{
	struct ctx *c = L->c;
	struct scenario_node *nd = &L->s->nodes[ni];
	yaml_node_t *m = NULL, *pv = v;
	char path[4200], what[160];
	const char *ref;

	snprintf(what, sizeof what, "nodes.%s.crypto_engine", nd->name);
	if (v->type == YAML_MAPPING_NODE) {
		m = v;
		scn_check_keys(c, m, "crypto_engine", node_keys);
		pv = scn_get(c, m, "profile");
		if (!pv) {
			scn_missing(c, m, "profile", what);
			return;
		}
	}
	ref = scn_scalar(c, pv, "crypto_engine");
	if (!ref || !find_profile(c, pv, ref, path, sizeof path))
		return;
	if (!load_profile(c, pv, path, &nd->crypto))
		return;
	if (!nd->crypto.profile) {
		const char *base = strrchr(path, '/');
		char *name = scn_arena_strdup(c->a, base ? base + 1 : path);
		char *dot = strrchr(name, '.');
		if (dot && dot != name)
			*dot = '\0';
		nd->crypto.profile = name;
	}
	if (m)
		load_settings(c, m, &nd->crypto.cfg);
	nd->has_crypto = true;
	if (!nd->has_ipsec)
		scn_error_at(c, v,
		             "node '%s' has a crypto_engine but no 'ipsec:' section: there is no "
		             "IPsec work for it to do",
		             nd->name);
}
