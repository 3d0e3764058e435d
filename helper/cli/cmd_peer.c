/* ipsec-sim peer SCENARIO --node NAME [--duration T] [--keys DIR]
 *                 [--at T ACTION]... [--set key=value]...
 *
 * Runs one node's IKE connections and data plane over real UDP sockets
 * against the wall clock (helper/peer/peer_host.h), for interoperability tests
 * with a real IKEv2 peer.  ACTION is initiate=CONN/CHILD, rekey=CONN/CHILD
 * (a Child SA), rekey=CONN (the IKE SA), reauth=CONN, terminate=CONN or
 * move=OLD,NEW (the node's address OLD became NEW, IPv4 or IPv6: a handover,
 * RFC 4555). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "peer_host.h"
#include "units.h"

#define MAX_ACTIONS 32

struct action {
	uint64_t at_ns;
	char verb[16];
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX];
	struct ip_addr from, to; /* move */
	const char *text;        /* as given */
};

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim peer SCENARIO --node NAME [--duration T] [--keys DIR]"
	                " [--at T ACTION]... [--set key=value]...\n"
	                "  ACTION: initiate=CONN/CHILD, rekey=CONN[/CHILD], reauth=CONN,"
	                " terminate=CONN, move=OLD_ADDR,NEW_ADDR\n");
	return 2;
}

/* move=OLD,NEW: two addresses, of either family. */
static int parse_move(const char *at, const char *addrs, struct action *a)
{
	char err[128], old[IP_ADDR_STRLEN];
	const char *comma = strchr(addrs, ',');
	if (!comma || (size_t)(comma - addrs) >= sizeof old) {
		fprintf(stderr, "--at %s: move takes OLD_ADDR,NEW_ADDR, not '%s'\n", at, addrs);
		return -1;
	}
	memcpy(old, addrs, (size_t)(comma - addrs));
	old[comma - addrs] = 0;
	if (units_ip(old, &a->from, err, sizeof err) != 0 ||
	    units_ip(comma + 1, &a->to, err, sizeof err) != 0) {
		fprintf(stderr, "--at %s: move: %s\n", at, err);
		return -1;
	}
	return 0;
}

static int parse_action(const char *at, const char *what, struct action *a)
{
	char err[128];
	const char *eq = strchr(what, '=');
	a->text = what;
	if (units_time_ns(at, &a->at_ns, err, sizeof err) != 0) {
		fprintf(stderr, "--at: %s\n", err);
		return -1;
	}
	if (!eq || (size_t)(eq - what) >= sizeof a->verb) {
		fprintf(stderr, "--at %s: '%s' is not VERB=CONN[/CHILD]\n", at, what);
		return -1;
	}
	memcpy(a->verb, what, (size_t)(eq - what));
	a->verb[eq - what] = 0;
	if (!strcmp(a->verb, "move"))
		return parse_move(at, eq + 1, a);
	const char *slash = strchr(eq + 1, '/');
	size_t conn_len = slash ? (size_t)(slash - eq - 1) : strlen(eq + 1);
	if (!conn_len || conn_len >= IKE_NAME_MAX || (slash && strlen(slash + 1) >= IKE_NAME_MAX)) {
		fprintf(stderr, "--at %s: '%s': bad connection or child name\n", at, what);
		return -1;
	}
	memcpy(a->conn, eq + 1, conn_len);
	if (slash)
		strcpy(a->child, slash + 1);
	bool needs_child = !strcmp(a->verb, "initiate");
	bool child_allowed = needs_child || !strcmp(a->verb, "rekey");
	if (strcmp(a->verb, "initiate") && strcmp(a->verb, "rekey") && strcmp(a->verb, "reauth") &&
	    strcmp(a->verb, "terminate")) {
		fprintf(stderr, "--at %s: unknown action '%s'\n", at, a->verb);
		return -1;
	}
	if ((needs_child && !slash) || (!child_allowed && slash)) {
		fprintf(stderr, "--at %s: %s takes %s\n", at, a->verb,
		        needs_child ? "CONN/CHILD" : "CONN");
		return -1;
	}
	return 0;
}

static int act(struct peer_host *p, const struct action *a, char *err, size_t errlen)
{
	struct ike *ike = peer_host_ike(p);
	const char *child = a->child[0] ? a->child : NULL;
	if (!strcmp(a->verb, "initiate"))
		return ike_initiate(ike, a->conn, child);
	if (!strcmp(a->verb, "rekey"))
		return ike_rekey(ike, a->conn, child, false);
	if (!strcmp(a->verb, "reauth"))
		return ike_rekey(ike, a->conn, NULL, true);
	if (!strcmp(a->verb, "move"))
		return peer_host_move(p, a->from, a->to, err, errlen);
	return ike_terminate(ike, a->conn);
}

static int by_time(const void *x, const void *y)
{
	const struct action *a = x, *b = y;
	return a->at_ns < b->at_ns ? -1 : a->at_ns > b->at_ns;
}

int cmd_peer(int argc, char **argv)
{
	const char *path = NULL, *node_name = NULL, *keys = ".", *duration = "30s";
	const char *sets[64];
	size_t n_sets = 0, n_actions = 0;
	struct action actions[MAX_ACTIONS];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--node") && i + 1 < argc)
			node_name = argv[++i];
		else if (!strcmp(argv[i], "--duration") && i + 1 < argc)
			duration = argv[++i];
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keys = argv[++i];
		else if (!strcmp(argv[i], "--set") && i + 1 < argc && n_sets < 64)
			sets[n_sets++] = argv[++i];
		else if (!strcmp(argv[i], "--at") && i + 2 < argc && n_actions < MAX_ACTIONS) {
			memset(&actions[n_actions], 0, sizeof actions[n_actions]);
			if (parse_action(argv[i + 1], argv[i + 2], &actions[n_actions++]) != 0)
				return 2;
			i += 2;
		} else if (argv[i][0] == '-' || path)
			return usage();
		else
			path = argv[i];
	}
	uint64_t until;
	char err[256];
	if (!path || !node_name)
		return usage();
	if (units_time_ns(duration, &until, err, sizeof err) != 0) {
		fprintf(stderr, "--duration: %s\n", err);
		return 2;
	}
	struct scenario s;
	if (scenario_load(path, sets, n_sets, &s, stderr) != 0) {
		scenario_free(&s);
		return 2;
	}
	int rc = 2;
	size_t node = scenario_node_index(&s, node_name);
	if (node == SCENARIO_NONE) {
		fprintf(stderr, "%s: no node named '%s'\n", path, node_name);
		goto done;
	}
	struct peer_options o = {.s = &s, .node = node, .keys_dir = keys, .log = stdout};
	struct peer_host *p = peer_host_new(&o, err, sizeof err);
	if (!p) {
		fprintf(stderr, "%s: node %s: %s\n", path, node_name, err);
		rc = 1;
		goto done;
	}
	qsort(actions, n_actions, sizeof actions[0], by_time);
	rc = 0;
	for (size_t i = 0; i < n_actions; i++) {
		peer_host_run(p, actions[i].at_ns);
		err[0] = 0;
		if (act(p, &actions[i], err, sizeof err) != 0) {
			fprintf(stderr, "%s failed%s%s\n", actions[i].text, err[0] ? ": " : "",
			        err);
			rc = 1;
		}
	}
	peer_host_run(p, until);
	uint64_t echoes, other;
	peer_host_counts(p, &echoes, &other);
	printf("peer: %llu echo requests answered, %llu other inner packets\n",
	       (unsigned long long)echoes, (unsigned long long)other);
	if (peer_host_failures(p)) {
		fprintf(stderr, "peer: %llu IKE failure%s (see the failure and ike_sa lines)\n",
		        (unsigned long long)peer_host_failures(p),
		        peer_host_failures(p) == 1 ? "" : "s");
		rc = 1;
	}
	peer_host_free(p);
done:
	scenario_free(&s);
	return rc;
}
