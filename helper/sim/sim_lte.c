/* LTE links: the scenario's cell and UEs on ns-3's LTE radio and EPC
 * (adapter/lte.cc). */
#include "ns3c.h"
#include "sim_internal.h"

/* The LTE devices' and the EPC's ns-3 RNG streams start here, clear of the
 * links' error models (1000 on) and the helper's streams (flows from 2^32,
 * floods from 2^40, doubled by ns3c_rng_open). */
#define SIM_LTE_RNG_STREAM ((int64_t)1 << 48)

int sim_lte_link_build(const struct scenario *s, size_t l, FILE *log)
{
	const struct scenario_link *k = &s->links[l];
	const struct scenario_lte *lte = k->lte;
	char a[16], b[16];

	if (lte->cell_link == l) {
		struct ns3c_lte_cell cell = {
		        .node = (uint32_t)k->node[1],
		        .pgw_addr = k->addr[0],
		        .node_addr = k->addr[1],
		        .prefix_len = k->prefix_len,
		        .bandwidth_rb = lte->bandwidth_rb,
		        .scheduler = lte->scheduler,
		        .epc_delay_ns = lte->epc_delay_ns,
		        .stream = SIM_LTE_RNG_STREAM,
		};
		if (ns3c_lte_cell_create(&cell) != 0) {
			fprintf(log, "%s: links.%zu: cannot create the LTE cell\n", s->path, l);
			return -1;
		}
	}
	struct ns3c_lte_ue ue = {.node = (uint32_t)k->node[0],
	                         .distance_m = lte->distance_m,
	                         .speed_mps = lte->speed_mps};
	uint32_t addr = 0;
	if (ns3c_link_lte(&ue, &addr) < 0) {
		fprintf(log, "%s: links.%zu: cannot attach '%s' to the LTE cell\n", s->path, l,
		        s->nodes[k->node[0]].name);
		return -1;
	}
	/* The scenario's addressing (policies, traffic) assumed the EPC's
	 * numbering (scenario_lte.c). */
	if (addr != lte->ue_addr) {
		fprintf(log,
		        "%s: links.%zu: the EPC gave UE '%s' the address %s, not %s as the "
		        "scenario assumes (ns-3's EPC numbers its UEs differently)\n",
		        s->path, l, s->nodes[k->node[0]].name, units_ipv4_str(addr, a),
		        units_ipv4_str(lte->ue_addr, b));
		return -1;
	}
	return 0;
}
