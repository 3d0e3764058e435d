/* IKE in a run's results: the IKE SA and Child SA lifecycles, every
 * exchange with its round-trip time and retransmissions, negotiation
 * failures with their diagnostics, NAT-T state and per-node counters
 * (docs/metrics-schema.md); names for the SAs IKE installed; the keys of
 * every SA of the run for Wireshark. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"
#include "ike_names.h"
#include "keys.h"
#include "sim_internal.h"

const char *sim_ike_sa_name(const struct sim *sim, size_t node, uint32_t sa_id, char *buf,
                            size_t len)
{
	if (!sa_id)
		return NULL;
	const struct sim_ike_log *log = &sim->ike_events;
	for (size_t i = 0; i < log->n; i++) {
		const struct sim_ike_event *e = &log->items[i];
		if (e->node == node && e->ev.type == IKE_EV_CHILD_SA &&
		    e->ev.state == IKE_CHILD_INSTALLED &&
		    (e->ev.sa_in == sa_id || e->ev.sa_out == sa_id)) {
			snprintf(buf, len, "%s/%s#%08x", e->ev.conn ? e->ev.conn : "?",
			         e->ev.child ? e->ev.child : "?",
			         e->ev.sa_in == sa_id ? e->ev.spi_in : e->ev.spi_out);
			return buf;
		}
	}
	snprintf(buf, len, "sa#%" PRIu32, sa_id);
	return buf;
}

static int write_event(struct metrics *m, const char *node, double t, const struct ike_event *ev)
{
	char spi_i[17], spi_r[17], spi_in[9], spi_out[9];
	snprintf(spi_i, sizeof spi_i, "%016" PRIx64, ev->spi_i);
	snprintf(spi_r, sizeof spi_r, "%016" PRIx64, ev->spi_r);
	snprintf(spi_in, sizeof spi_in, "%08" PRIx32, ev->spi_in);
	snprintf(spi_out, sizeof spi_out, "%08" PRIx32, ev->spi_out);
	switch (ev->type) {
	case IKE_EV_IKE_SA:
		return metrics_insert(
		        m,
		        "INSERT INTO ike_sa_events VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		        "?10,?11)",
		        "dttittitti", t, node, ev->conn, (int64_t)ev->ike_sa, spi_i, spi_r,
		        (int64_t)ev->initiator, ike_sa_state_name(ev->state), ev->reason,
		        ev->replaced_by ? (int64_t)ev->replaced_by : METRICS_NULL_INT);
	case IKE_EV_CHILD_SA: {
		/* A rekey (IKE_CHILD_REKEYED) names the pair it replaced, its
		 * duration and the packets this node lost to it; the removal of
		 * the old inbound SA (IKE_CHILD_REMOVED) what arrived on it after
		 * the rekey. */
		bool rekeyed = ev->state == IKE_CHILD_REKEYED;
		bool removed = ev->state == IKE_CHILD_REMOVED;
		char old_in[9], old_out[9];
		snprintf(old_in, sizeof old_in, "%08" PRIx32, ev->old_spi_in);
		snprintf(old_out, sizeof old_out, "%08" PRIx32, ev->old_spi_out);
		return metrics_insert(
		        m,
		        "INSERT INTO child_sa_events VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		        "?10,?11,?12,?13,?14,?15)",
		        "dtttittttttdii", t, node, ev->conn, ev->child, (int64_t)ev->ike_sa, spi_in,
		        spi_out, ike_child_state_name(ev->state), ev->reason,
		        rekeyed ? old_in : NULL, rekeyed ? old_out : NULL,
		        rekeyed ? (double)ev->rekey_duration_ns * 1e-6 : NAN,
		        rekeyed ? (int64_t)ev->rekey_lost : METRICS_NULL_INT,
		        removed ? (int64_t)ev->late_packets : METRICS_NULL_INT);
	}
	case IKE_EV_EXCHANGE:
		return metrics_insert(m,
		                      "INSERT INTO ike_exchanges VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		                      "?10,?11)",
		                      "dttitiidii", t, node, ev->conn, (int64_t)ev->ike_sa,
		                      ike_exchange_name(ev->exchange), (int64_t)ev->initiator,
		                      (int64_t)ev->message_id,
		                      ev->initiator ? (double)ev->rtt_ns * 1e-6 : NAN,
		                      (int64_t)ev->retransmits, (int64_t)ev->ok);
	case IKE_EV_FAILURE:
		return metrics_insert(m, "INSERT INTO ike_failures VALUES(?1,?2,?3,?4,?5,?6)",
		                      "dtttt", t, node, ev->conn, ev->child,
		                      ev->text ? ev->text : "");
	case IKE_EV_NAT: {
		char peer[IP_ENDPOINT_STRLEN];
		ip_endpoint_str(&ev->peer_addr, ev->peer_port, peer);
		return metrics_insert(m, "INSERT INTO ike_nat VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
		                      "dttiiiti", t, node, ev->conn, (int64_t)ev->ike_sa,
		                      (int64_t)ev->nat_local, (int64_t)ev->nat_remote, peer,
		                      (int64_t)ev->nat_fake);
	}
	case IKE_EV_KE_RETRY: {
		char detail[256];
		snprintf(detail, sizeof detail, "%s%s%s: %s", ev->conn ? ev->conn : "",
		         ev->child ? "/" : "", ev->child ? ev->child : "", ev->text);
		return metrics_insert(m, "INSERT INTO events VALUES(?1,?2,?3,?4,?5,?6)", "dtttt", t,
		                      node, NULL, ike_event_type_name(ev->type), detail);
	}
	case IKE_EV_IKE_KEYS:
	case IKE_EV_CHILD_KEYS:
		return 0; /* exported as key files */
	}
	return 0;
}

/* The node's counters over all its lives (reboots). */
static int write_stats(struct metrics *m, const char *node, const struct sim_node *sn)
{
	struct ike_stats st = {0};
	for (size_t l = 0; l < sn->n_lives; l++) {
		struct ike *ike = sim_host_ike(sn->lives[l].host);
		struct ike_stats one;
		if (!ike)
			continue;
		ike_get_stats(ike, &one);
		st.rx += one.rx;
		st.tx += one.tx;
		st.retransmits += one.retransmits;
		st.dropped_malformed += one.dropped_malformed;
		st.dropped_unknown_spi += one.dropped_unknown_spi;
		st.dropped_integrity += one.dropped_integrity;
		st.dropped_replay += one.dropped_replay;
		st.dropped_other += one.dropped_other;
		st.cookies_sent += one.cookies_sent;
		st.keepalives += one.keepalives;
		st.frag_tx += one.frag_tx;
		st.frag_rx += one.frag_rx;
		st.frag_reassembled += one.frag_reassembled;
		for (int r = 0; r < IKE_FRAG_DROP__COUNT; r++)
			st.frag_dropped[r] += one.frag_dropped[r];
		if (sn->lives[l].host == sn->host) /* at the end: the live one's */
			st.half_open = one.half_open;
		if (one.half_open_peak > st.half_open_peak)
			st.half_open_peak = one.half_open_peak;
	}
	/* RFC 7383 fragments dropped, by reason (ike.h), as nat_drops. */
	for (int r = 0; r < IKE_FRAG_DROP__COUNT; r++)
		if (st.frag_dropped[r] &&
		    metrics_insert(m, "INSERT INTO ike_frag_drops VALUES(?1,?2,?3,?4)", "tti", node,
		                   ike_frag_drop_name((enum ike_frag_drop)r),
		                   (int64_t)st.frag_dropped[r]) != 0)
			return -1;
	return metrics_insert(
	        m,
	        "INSERT INTO ike_stats VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
	        "?14,?15,?16,?17)",
	        "tiiiiiiiiiiiiiii", node, (int64_t)st.rx, (int64_t)st.tx, (int64_t)st.retransmits,
	        (int64_t)st.dropped_malformed, (int64_t)st.dropped_unknown_spi,
	        (int64_t)st.dropped_integrity, (int64_t)st.dropped_replay,
	        (int64_t)st.dropped_other, (int64_t)st.cookies_sent, (int64_t)st.keepalives,
	        (int64_t)st.half_open, (int64_t)st.half_open_peak, (int64_t)st.frag_tx,
	        (int64_t)st.frag_rx, (int64_t)st.frag_reassembled);
}

/* One line per node: IKE SAs established, Child SAs installed, failures. */
static void summarise(const struct sim *sim, size_t n, FILE *summary)
{
	unsigned established = 0, children = 0, rekeys = 0, failures = 0;
	for (size_t i = 0; i < sim->ike_events.n; i++) {
		const struct sim_ike_event *e = &sim->ike_events.items[i];
		if (e->node != n)
			continue;
		established += e->ev.type == IKE_EV_IKE_SA && e->ev.state == IKE_STATE_ESTABLISHED;
		children += e->ev.type == IKE_EV_CHILD_SA && e->ev.state == IKE_CHILD_INSTALLED;
		rekeys += e->ev.type == IKE_EV_CHILD_SA && e->ev.state == IKE_CHILD_REKEYED;
		failures += e->ev.type == IKE_EV_FAILURE;
	}
	fprintf(summary,
	        "ike %s: %u IKE SAs established, %u Child SAs installed, %u rekeyed, %u failures\n",
	        sim->s->nodes[n].name, established, children, rekeys, failures);
	for (size_t i = 0; i < sim->ike_events.n; i++) {
		const struct sim_ike_event *e = &sim->ike_events.items[i];
		if (e->node == n && (e->ev.type == IKE_EV_FAILURE || e->ev.type == IKE_EV_KE_RETRY))
			fprintf(summary, "  %.3f s %s: %s\n", (double)e->time_ns * 1e-9,
			        e->ev.conn ? e->ev.conn : "", e->ev.text ? e->ev.text : "");
	}
}

int sim_write_ike(struct metrics *m, const struct sim *sim, FILE *summary)
{
	const struct scenario *s = sim->s;
	for (size_t i = 0; i < sim->ike_events.n; i++) {
		const struct sim_ike_event *e = &sim->ike_events.items[i];
		if (write_event(m, s->nodes[e->node].name, (double)e->time_ns * 1e-9, &e->ev) != 0)
			return -1;
	}
	for (size_t n = 0; n < s->n_nodes; n++) {
		if (!s->nodes[n].n_conns || !sim->nodes[n].n_lives)
			continue;
		if (write_stats(m, s->nodes[n].name, &sim->nodes[n]) != 0)
			return -1;
		if (summary)
			summarise(sim, n, summary);
	}
	return 0;
}

int sim_export_keys(const struct sim *sim, const char *dir)
{
	const struct scenario *s = sim->s;
	struct keys k = {0};
	int rc = 0;

	for (size_t n = 0; n < s->n_nodes && rc == 0; n++)
		for (size_t l = 0; l < sim->nodes[n].n_lives && rc == 0; l++)
			rc = keys_add_engine(&k, sim_host_engine(sim->nodes[n].lives[l].host));
	k.ike_lines = calloc(sim->ike_events.n + 1, sizeof *k.ike_lines);
	if (rc == 0 && k.ike_lines) {
		for (size_t i = 0; i < sim->ike_events.n; i++) {
			const struct ike_event *ev = &sim->ike_events.items[i].ev;
			if (ev->type == IKE_EV_IKE_KEYS && ev->text)
				k.ike_lines[k.n_ike_lines++] = ev->text;
		}
		rc = keys_export(dir, &k);
	} else {
		rc = -1;
	}
	free(k.ike_lines);
	keys_release(&k);
	return rc;
}
