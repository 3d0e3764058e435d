/* Whole-simulation cost of IPsec: simulated packets per wall-second on a
 * host-gateway-gateway-host line (bench/line.yaml; bench/line6.yaml is the
 * same over IPv6), run three ways in one
 * process, and the ratios between them:
 *   ipsec    the ESP tunnel as configured
 *   bypass   the same engines, but policies that match nothing (BYPASS)
 *   plain    no IPsec engine on any node (plain ns-3 with our stack)
 * The variants take turns, so a load that comes and goes on the machine
 * hits them alike; each reports its best of N rounds.
 * Usage: sim-bench [SCENARIO] [--repeat N]  (default 3) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "sim.h"

enum variant { IPSEC, BYPASS, PLAIN };
static const char *const names[] = {"ipsec", "bypass", "plain"};

/* The bypass variant's overrides: the gateways' policies select a network
 * no packet goes to, of the family they have. */
static const char *const bypass4[] = {"nodes.gwA.ipsec.policies.0.remote_ts=10.9.0.0/24",
                                      "nodes.gwB.ipsec.policies.0.remote_ts=10.9.0.0/24"};
static const char *const bypass6[] = {"nodes.gwA.ipsec.policies.0.remote_ts=fd09::/64",
                                      "nodes.gwB.ipsec.policies.0.remote_ts=fd09::/64"};

/* One run of variant v: delivered packets per wall-second. */
static double measure(const char *path, enum variant v, const char *const *bypass,
                      uint64_t *packets)
{
	struct scenario s;
	if (scenario_load(path, bypass, v == BYPASS ? 2 : 0, &s, stderr) != 0)
		exit(2);
	if (v == PLAIN)
		for (size_t n = 0; n < s.n_nodes; n++)
			s.nodes[n].has_ipsec = false;
	struct sim_options o = {.seed = 1, .run_number = 1, .out_dir = "/tmp/ipsec-sim-bench"};
	struct sim_report r;
	if (sim_run(&s, &o, NULL, stderr, &r) != 0)
		exit(1);
	scenario_free(&s);
	*packets = r.packets_received;
	return (double)r.packets_received / r.wall_seconds;
}

int main(int argc, char **argv)
{
	const char *path = "bench/line.yaml";
	int repeat = 3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else
			path = argv[i];
	}
	if (repeat < 1)
		repeat = 1;
	struct scenario s;
	if (scenario_load(path, NULL, 0, &s, stderr) != 0)
		return 2;
	size_t gw = scenario_node_index(&s, "gwA");
	bool v6 = gw < s.n_nodes && s.nodes[gw].n_policies &&
	          s.nodes[gw].policies[0].sel.remote_addr.lo.family == IP_FAMILY_V6;
	scenario_free(&s);
	double rate[3] = {0};
	uint64_t packets[3] = {0};
	for (int round = 0; round < repeat; round++)
		for (int v = IPSEC; v <= PLAIN; v++) {
			double r =
			        measure(path, (enum variant)v, v6 ? bypass6 : bypass4, &packets[v]);
			if (r > rate[v])
				rate[v] = r;
		}
	for (int v = IPSEC; v <= PLAIN; v++)
		printf("%-7s %9.0f simulated packets per wall-second (%llu packets delivered)\n",
		       names[v], rate[v], (unsigned long long)packets[v]);
	printf("ratio ipsec/bypass %.3f (target >= 0.8)\n", rate[IPSEC] / rate[BYPASS]);
	printf("ratio ipsec/plain  %.3f\n", rate[IPSEC] / rate[PLAIN]);
	printf("ratio bypass/plain %.3f (cost of the hooks alone)\n", rate[BYPASS] / rate[PLAIN]);
	return 0;
}
