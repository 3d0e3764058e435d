/* The scenario loader's insides, shared by helper/scenario*.c (not installed,
 * not for the builder: scenario.h is the interface).
 *
 *   scenario.c           scenario_load(), the top level, nodes (second pass)
 *   scenario_yaml.c      arena, errors, reading the tree, typed getters
 *   scenario_set.c       --set overrides on the YAML tree
 *   scenario_sweep.c     the experiment: `replications:` and `sweep:`
 *   scenario_topology.c  node names, links, interfaces, routes
 *   scenario_tap.c       TAP links (a node attached to a real TAP device)
 *   scenario_lte.c       LTE links (ns-3's LTE radio and EPC), their cell
 *   scenario_sa.c        manually keyed SAs
 *   scenario_ipsec.c     the `ipsec:` section, policies, traffic selectors
 *   scenario_ike.c       IKEv2 connections (swanctl.conf `connections`)
 *   scenario_ike_child.c their children and traffic selectors
 *   scenario_ike_secret.c IKE pre-shared keys and private keys (swanctl.conf
 *                        `secrets`), CA authorities
 *   scenario_pki.c       the `pki:` certificate generator, PEM files
 *   scenario_attacker.c  on-path attacker actions
 *   scenario_nat.c       NAT boxes
 *   scenario_crypto.c    crypto engines and their profile files
 *   scenario_events.c    timed events
 *   scenario_cellular.c  cellular links: varying rate, delay, loss; outages; handovers
 *   scenario_traffic.c   traffic flows
 *   scenario_capture.c   what a run captures
 *   scenario_check.c     reachability warnings
 *
 * Helpers are prefixed scn_: the library is linked into programs with many
 * other objects.
 */
#ifndef SCENARIO_INTERNAL_H
#define SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#include "scenario.h"

/* ---- memory: everything a scenario owns comes from its arena ---- */

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct scenario_arena {
	struct chunk *head;
};

/* Zeroed memory that lives as long as the scenario (aborts when out of
 * memory). */
void *scn_arena_alloc(struct scenario_arena *a, size_t n);
char *scn_arena_strdup(struct scenario_arena *a, const char *s);
void scn_arena_free(struct scenario_arena *a);

/* ---- the loading context ---- */

struct ctx {
	const char *file;
	size_t copied; /* nodes made by --set values */
	unsigned nwarn;
	const char *text;
	FILE *errors;
	unsigned nerr;
	yaml_document_t doc;
	bool have_doc;
	unsigned *origin;              /* by node id: 0 = the file, N = the N-th --set */
	const char *const *set_labels; /* per --set, its name in messages (NULL: "--set:N") */
	size_t origin_cap;
	struct scenario *s;
	struct scenario_arena *a;
	bool duration_ok;
	bool no_warnings; /* checking a sweep value: the scenario's warnings are out */
};

/* Per-node working state while loading. */
struct node_work {
	yaml_node_t *map;
	yaml_node_t *name_node;
	bool *sel_set;   /* per SA: cfg.sel was filled from a policy */
	int *sel_policy; /* per SA: which policy filled it (1-based) */
};

/* Keys seen while loading (names, addresses), each mapped to the index of
 * its first holder in constant time, so that loading stays linear in the
 * file's size: a scan of the earlier items made 10,000 nodes take 2.6 s
 * and the largest file hours (scenario_index.c). */
struct scn_index {
	struct scn_slot *slots;
	size_t cap, n;
};

/* The value stored for the key, or SCENARIO_NONE. */
size_t scn_index_get(const struct scn_index *x, const void *key, size_t len);
/* Stores key -> value unless the key is there: returns the value it had
 * (SCENARIO_NONE if it was new).  Aborts when out of memory, like the
 * arena. */
size_t scn_index_put(struct scn_index *x, const void *key, size_t len, size_t value);
void scn_index_free(struct scn_index *x);

struct load {
	struct ctx *c;
	struct scenario *s;
	struct scn_index node_names; /* name -> node index */
	struct node_work *nw;
	/* Per node: on a link that failed validation, so its interfaces are
	 * incomplete; checks that depend on them are skipped (no cascades). */
	bool *suspect;
	/* The nodes list itself is unusable: references cannot be checked. */
	bool nodes_failed;
	yaml_node_t **flow_maps; /* per flow: its mapping */
	/* Certificates (scenario_pki.c): the generated `pki:` entries, each
	 * node's `ipsec: authorities:` CA PEM (concatenated; NULL: none), and
	 * `start_time` (Unix time of simulated time 0; 0: not given). */
	struct scn_pki *pki;
	char **authorities;
	int64_t start_time;
};

/* ---- size limits (scenario_shape.c) ---- */

/* Parses `text` as a stream of events only, and refuses it as soon as it is
 * nested deeper than SCENARIO_MAX_YAML_DEPTH or holds more than
 * SCENARIO_MAX_YAML_NODES nodes: call it before yaml_parser_load, whose
 * time grows with the square of the depth.  0, or -1 after an error. */
int scn_check_shape(struct ctx *c, const char *text, size_t len);
/* The number of nodes under node `id` once aliases are expanded
 * (saturating above SCENARIO_MAX_YAML_NODES), refusing recursion (an alias
 * inside its own anchor) and deep nesting with an error and *failed.
 * state and memo: one zeroed entry per node of the document. */
uint64_t scn_measure(struct ctx *c, int id, int depth, uint8_t *state, uint64_t *memo,
                     bool *failed);
/* libyaml's parse error as a FILE:LINE:COL message. */
void scn_parser_error(struct ctx *c, yaml_parser_t *p);

/* ---- errors (scenario_yaml.c) ---- */

/* An error about node n: at its position in the file, or at its --set. */
void scn_error_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* A warning: printed like an error, with "warning: ", but loading succeeds. */
void scn_warn_at(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void scn_error_pos(struct ctx *c, size_t line, size_t col, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void scn_error_file(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How messages name the set-th override: "--set:N", or its label. */
const char *scn_set_label(const struct ctx *c, unsigned set, char *buf, size_t len);
void scn_error_set(struct ctx *c, unsigned set, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- reading the tree (scenario_yaml.c) ---- */

yaml_node_t *scn_node(struct ctx *c, int id);
/* An empty plain scalar or "~" (not "null": that is an algorithm's name). */
bool scn_is_null(const yaml_node_t *n);
const char *scn_text_of(const yaml_node_t *n);
/* Is n a mapping (a list, or null = empty list)?  Reports an error if not. */
bool scn_want_map(struct ctx *c, yaml_node_t *n, const char *what);
bool scn_want_seq(struct ctx *c, yaml_node_t *n, const char *what);
size_t scn_seq_len(const yaml_node_t *n);
yaml_node_t *scn_seq_item(struct ctx *c, const yaml_node_t *n, size_t i);
/* The closest of a NULL-terminated list of words, or NULL if none is close. */
const char *scn_nearest(const char *word, const char *const *words);
/* Checks a mapping's keys: each must be a scalar from `keys`, at most once.
 * `what` names the mapping in messages ("link", "SA 'gwA-out'"). */
void scn_check_keys(struct ctx *c, yaml_node_t *map, const char *what, const char *const *keys);
/* The same, where keys listed in `unsupported` (swanctl.conf's, not
 * implemented here) get a message saying so instead of "unknown key". */
void scn_check_keys_known(struct ctx *c, yaml_node_t *map, const char *what,
                          const char *const *keys, const char *const *unsupported);
/* The value of `key` in a mapping, or NULL. */
yaml_node_t *scn_get(struct ctx *c, yaml_node_t *map, const char *key);
/* The text of a scalar value, or NULL after an error. */
const char *scn_scalar(struct ctx *c, yaml_node_t *v, const char *key);
void scn_missing(struct ctx *c, yaml_node_t *map, const char *key, const char *what);

/* Optional typed values: each returns 1 (present and valid, *out set), 0
 * (absent, *out untouched) or -1 (present but invalid, error reported).
 * `vn`, when not NULL, receives the value node. */
typedef int (*parse_fn)(const char *s, void *out, char *err, size_t errlen);
int scn_opt_parse(struct ctx *c, yaml_node_t *map, const char *key, parse_fn fn, void *out,
                  yaml_node_t **vn);
int scn_p_fraction(const char *s, void *o, char *e, size_t l);
int scn_p_replay_window(const char *s, void *o, char *e, size_t l);
int scn_opt_time(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn);
int scn_opt_rate(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o);
int scn_opt_size(struct ctx *c, yaml_node_t *m, const char *k, uint64_t *o, yaml_node_t **vn);
int scn_opt_bool(struct ctx *c, yaml_node_t *m, const char *k, bool *o);
/* An address of either family. */
int scn_opt_addr(struct ctx *c, yaml_node_t *m, const char *k, struct ip_addr *o, yaml_node_t **vn);
/* An integer in [min, max]. */
int scn_opt_uint(struct ctx *c, yaml_node_t *m, const char *key, uint64_t min, uint64_t max,
                 uint64_t *out, yaml_node_t **vn);

struct name_val {
	const char *name;
	int val;
	bool alias; /* accepted, not listed in messages */
};

/* The (first, non-alias) name of `val` in a table, "?" if none. */
const char *scn_name_of(const struct name_val *tab, int val);
/* One of a table's names; the message lists them and suggests the nearest. */
int scn_opt_enum(struct ctx *c, yaml_node_t *m, const char *key, const struct name_val *tab,
                 const char *kind, int *out, yaml_node_t **vn);
/* A name value ([A-Za-z0-9_-]+): returns it, or NULL after an error. */
const char *scn_name_value(struct ctx *c, yaml_node_t *v, const char *key);
char *scn_addr_str(uint32_t a, char *buf);

/* ---- --set overrides (scenario_set.c) ---- */

/* Makes room in c->origin for every node of the document. */
bool scn_grow_origin(struct ctx *c);
/* Applies the `set`-th override "key=value" to the tree. */
void scn_apply_set(struct ctx *c, unsigned set, const char *arg);
/* Applies a value of the scenario's sweep (its own node) to the tree. */
void scn_apply_override(struct ctx *c, const struct scenario_override *o);
/* Does `path` lead somewhere in the tree (a value to replace, or a mapping
 * to add its last key to)?  If not, false after an error at `key`. */
bool scn_check_path(struct ctx *c, const char *path, const yaml_node_t *key);
/* Is `path` a key path (no empty segment)? */
bool scn_path_ok(const char *path);

/* ---- the experiment (scenario_sweep.c) ---- */

/* `replications:` and `sweep:` into s->experiment (not applied). */
void scn_load_experiment(struct load *L, yaml_node_t *root);

/* ---- references (scenario_ref.c) ---- */

size_t scn_find_node(const struct scenario *s, const char *name);
/* A node name reference: its index, or SCENARIO_NONE after an error. */
size_t scn_node_ref(struct load *L, yaml_node_t *v, const char *key);
bool scn_same_subnet(uint32_t a, uint32_t b, uint8_t len);
/* Are a and b (of either family) in one subnet of prefix length len? */
bool scn_same_prefix(const struct ip_addr *a, const struct ip_addr *b, uint8_t len);
/* The interface's address of a's family (false: it has none). */
bool scn_iface_addr(const struct scenario_iface *f, uint8_t family, struct ip_addr *a,
                    uint8_t *prefix_len);
size_t scn_iface_with_addr(const struct scenario_node *n, const struct ip_addr *a);
/* Has the node an address of `family` on any link? */
bool scn_node_has_family(const struct scenario_node *n, uint8_t family);
/* The node that owns address a, or SCENARIO_NONE. */
size_t scn_addr_owner(const struct scenario *s, const struct ip_addr *a);

/* ---- topology (scenario_topology.c) ---- */

void scn_load_node_names(struct load *L, yaml_node_t *nodes);
void scn_load_links(struct load *L, yaml_node_t *links);
void scn_load_routes(struct load *L, size_t ni, yaml_node_t *routes);
/* The neighbour node n sends a packet for dst to (longest prefix match over
 * its connected subnets and static routes, as ns-3's static routing does),
 * or SCENARIO_NONE; *via_iface gets the interface used. */
size_t scn_next_hop(const struct scenario *s, size_t n, const struct ip_addr *dst,
                    size_t *via_iface);
/* Just that interface, or SCENARIO_NONE. */
size_t scn_route_iface(const struct scenario *s, size_t n, const struct ip_addr *dst);
/* links[i]'s keys that make it a TAP link or not (scenario_tap.c): -1 when
 * it is a point-to-point link, else 1 if its TAP end is valid, 0 if not
 * (errors reported).  `addresses` is left to scn_load_links. */
int scn_load_tap_link(struct load *L, size_t i, yaml_node_t *m);
/* LTE links (scenario_lte.c).  links[i]'s type and LTE keys, after its
 * `between`: -1 when it is no LTE link (LTE keys refused), else 1 if valid,
 * 0 if not (errors reported). */
int scn_load_lte_link(struct load *L, size_t i, yaml_node_t *m, bool tap);
/* links[i] is a UE's link to a cell another link set up: no addresses,
 * no interface of its own on node[1]. */
bool scn_lte_shares(const struct scenario *s, size_t i);
/* An LTE link's interface f (end e): the UE's EPC address, the PGW beyond
 * node[1]'s. */
void scn_lte_iface(const struct scenario *s, size_t i, unsigned e, struct scenario_iface *f);
/* With an EPC, no link address may be in its UE network. */
void scn_lte_check_addresses(struct load *L, yaml_node_t **addr_nodes, const bool *ok);
/* A route of node `node` over interface f, via vv: refused (error, true)
 * when f is a UE's radio. */
bool scn_lte_route_refused(struct load *L, const struct scenario_iface *f, yaml_node_t *vv,
                           const char *node);
/* scn_next_hop's part for the EPC's routes: a UE's default route, node[1]'s
 * route to the UEs through the PGW. */
void scn_lte_next_hop(const struct scenario *s, size_t n, uint32_t dst, size_t *best, int *best_len,
                      size_t *via_iface);

/* ---- traffic selectors (scenario_selector.c) ---- */

/* Traffic selectors: "any", an address, a prefix or a range "A-B". */
int scn_ts_value(const char *t, struct ip_range *r, char *err, size_t errlen);
/* Ports: "any", a number 0..max or a range "A-B". */
int scn_port_value(const char *t, uint16_t max, struct ipsec_range16 *r, char *err, size_t errlen);

/* ---- IPsec (scenario_sa.c, scenario_ipsec.c) ---- */

void scn_load_sa(struct load *L, size_t ni, size_t si, yaml_node_t *m, yaml_node_t **spi_nodes);
void scn_load_ipsec(struct load *L, size_t ni, yaml_node_t *m);

/* ---- IKEv2 (scenario_ike*.c) ---- */

/* make-before-break, break-before-make (rekey_policy, reauth_policy). */
extern const struct name_val scn_rekey_policy_names[];
/* "1h", "66min", "90s", "1500ms", ...: a time for messages. */
const char *scn_time_str(uint64_t ns, char *buf, size_t len);
/* `connections:` of node ni (after its `secrets:`). */
void scn_load_ike_conns(struct load *L, size_t ni, yaml_node_t *m);
/* `secrets:` of node ni. */
void scn_load_ike_secrets(struct load *L, size_t ni, yaml_node_t *list);
/* A child (swanctl.conf children.<name>) of connection `conn`, its name
 * already set and checked; `remote_any`: the connection's remote_addrs is
 * %any. */
void scn_load_ike_child(struct load *L, struct ike_conn_config *conn, struct ike_child_config *ch,
                        yaml_node_t *m, bool remote_any);
/* The secret of node ni that strongSwan would pick for identities `me`
 * and `other` ("%any" = any): the best match of `other`, then of `me`
 * (credential_manager get_shared()).  SCENARIO_NONE if none matches;
 * *tie is set when another secret matches exactly as well. */
size_t scn_ike_secret_find(const struct scenario_node *nd, const char *me, const char *other,
                           size_t *tie);

/* ---- certificates (scenario_pki.c) ---- */

/* A generated CA or certificate: PEM of the certificate and its key. */
struct scn_pki_item {
	char name[SCENARIO_NAME_MAX];
	bool ca;
	const char *cert_pem, *key_pem; /* NULL if generation failed (reported) */
};
/* The top level's `pki:` and `start_time` (before the nodes). */
void scn_load_pki(struct load *L, yaml_node_t *root);
const struct scn_pki_item *scn_pki_find(const struct load *L, const char *name);
/* The PEM a `certs`/`cacerts`/`cacert`/`file` value names: "pki:NAME" (then
 * *from_pki, and *key_pem gets its key if key_pem is given) or a file
 * relative to the scenario's folder.  NULL after an error. */
char *scn_read_pem(struct load *L, yaml_node_t *v, const char *key, bool *from_pki,
                   const char **key_pem);
/* `ipsec: authorities:` of node ni (swanctl.conf authorities { cacert }). */
void scn_load_ike_authorities(struct load *L, size_t ni, yaml_node_t *list);

/* ---- the rest ---- */

void scn_load_attacker(struct load *L, size_t ni, yaml_node_t *list);
/* The flood keys of attacker action a of node ni (scenario_flood.c). */
void scn_load_flood(struct load *L, size_t ni, yaml_node_t *m, struct scenario_attack *a,
                    const char *what);
/* A rate (scenario_traffic.c, a parse_fn): bits per second
 * (units_rate_bps) or packets per second "NNpps"; the other field 0. */
struct scn_rate {
	uint64_t bps;
	double pps;
};
int scn_p_rate(const char *s, void *o, char *e, size_t l);
void scn_load_nat(struct load *L, size_t ni, yaml_node_t *m);
/* `crypto_engine:` of node ni (after its `ipsec:`): loads the profile. */
void scn_load_crypto(struct load *L, size_t ni, yaml_node_t *v);
void scn_load_events(struct load *L, yaml_node_t *list);
/* capture: (scenario_capture.c) */
void scn_load_capture(struct load *L, yaml_node_t *m);
/* metrics: (scenario_metrics.c) */
void scn_load_metrics(struct load *L, yaml_node_t *m);
/* Links' `cellular:` sections (scenario_cellular.c), after the nodes. */
void scn_load_cellular(struct load *L, yaml_node_t *links);
void scn_load_traffic(struct load *L, yaml_node_t *list);
/* Warns about flows whose packets (or ping replies) cannot arrive. */
void scn_check_reachability(struct load *L);

#endif
