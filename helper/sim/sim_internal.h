/* What sim.c builds and the result writers read: one simulation run. */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "attack.h"
#include "metrics.h"
#include "nat.h"
#include "scenario.h"
#include "sim_crypto.h"
#include "sim_host.h"
#include "traffic.h"
#include "units.h"

struct sim_links;

/* A life of a node's engines: from the start, or a reboot, to the next
 * reboot. */
struct sim_life {
	struct sim_host *host;
	uint32_t *sa_ids; /* the engine's id of each scenario SA */
};

struct sim_node {
	struct sim_host *host;  /* the current life's; NULL without ipsec or while down */
	struct sim_life *lives; /* every life, the current one last; none without ipsec */
	size_t n_lives;
	struct attacker *attacker;
	struct nat *nat;                  /* NULL unless the node is a NAT */
	struct sim_crypto *crypto;        /* NULL without a crypto_engine */
	struct evp_cipher_ctx_st *ip_ids; /* sim_ip_id.c */
};

/* A scenario event (`events:`) and what became of it. */
struct sim_timeline {
	struct sim *sim;
	size_t index; /* into scenario.events */
	bool done;
	size_t mappings; /* NAT events and reboots: how many mappings were dropped or moved */
	bool booted;     /* reboot: the node came up again */
};

struct sim {
	const struct scenario *s;
	struct sim_node *nodes;
	struct sim_timeline *timeline;
	struct traffic *traffic;
	struct sim_event_log events;   /* data-plane events, all nodes */
	struct sim_ike_log ike_events; /* IKE events, all nodes */
	struct sim_links *links;       /* cellular links (sim_link.c), NULL if none */
	uint64_t stop_ns;
	uint64_t seed;
	/* Why the run failed ("" if it did not): a node could not be rebuilt
	 * after a reboot, an output could not be written. */
	char failure[512];
};

/* sim_node.c: a node's engines (`ipsec:`, IKE connections, crypto engine)
 * built from the scenario, at the start and after each reboot, as a new
 * life (0, or -1 with a message on `log`).  sim_node_down takes the node
 * down, its volatile state lost, and returns the NAT mappings it flushed;
 * sim_node_up brings it up with its configuration (-1: out of memory, the
 * run stopped and failed). */
int sim_node_build_ipsec(struct sim *sim, size_t n, FILE *log);
size_t sim_node_down(struct sim *sim, size_t n);
int sim_node_up(struct sim *sim, size_t n);
void sim_node_free(struct sim_node *sn);

/* sim_ip_id.c: the node's IPv4 identifications drawn from a stream of its
 * own (ns3c_ip_id_source); 0, or -1 out of memory. */
int sim_ip_id_start(struct sim_node *sn, uint32_t node, uint64_t seed);
void sim_ip_id_free(struct sim_node *sn);

/* sim_lte.c: links[l], an LTE link: its UE on the cell (made with the
 * cell's link); 0, or -1 with a message on `log`. */
int sim_lte_link_build(const struct scenario *s, size_t l, FILE *log);

/* sim_results.c: everything measured, in one transaction (the caller's). */
int sim_write_results(struct metrics *m, const struct sim *sim, uint64_t end_ns, FILE *summary);

/* sim_crypto.c: the crypto_engines table and summary lines. */
int sim_write_crypto(struct metrics *m, const struct sim *sim, uint64_t end_ns, FILE *summary);

/* sim_ike.c: IKE SA and Child SA lifecycles, exchanges, failures, NAT-T
 * state; the name of an SA that IKE installed; the keys of the run. */
int sim_write_ike(struct metrics *m, const struct sim *sim, FILE *summary);
const char *sim_ike_sa_name(const struct sim *sim, size_t node, uint32_t sa_id, char *buf,
                            size_t len);
int sim_export_keys(const struct sim *sim, const char *dir);

/* sim_link.c: cellular links.  sim_links_start makes the scenario's
 * cellular links variable and schedules their processes, outages and
 * handovers (after the links and NATs are built); NULL with a message in
 * err on failure, and sim->links NULL too when there are none. */
int sim_links_start(struct sim *sim, uint64_t seed, uint64_t run, char *err, size_t errlen);
/* The link_stats and link_windows tables and the links' events. */
int sim_links_write(struct metrics *m, const struct sim *sim, uint64_t end_ns);
void sim_links_free(struct sim_links *l);

#endif
