/* IKE setup times for `ipsec-sim report`: per configuration, every setup of
 * every complete run (sorted, for the empirical CDF) and the per-run means
 * (the table REPORT_SETUP, mean and interval over replications).
 *
 *   IKE SA setup     the initiator's IKE SAs, from its first IKE_SA_INIT
 *                    request (ike_sa_events 'connecting') to IKE_AUTH done
 *                    ('established'): retransmissions, COOKIE and
 *                    INVALID_KE_PAYLOAD round trips (RFC 7296 §2.6, §1.2)
 *                    included; reauthentications are setups too
 *   CREATE_CHILD_SA  the initiator's exchanges (Child SA and IKE SA rekeys,
 *                    §1.3), first request to response (ike_exchanges
 *                    rtt_ms), successful ones */
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_data.h"

const char *const REPORT_SETUP_KIND_NAMES[REPORT_SETUP__KINDS] = {
        [REPORT_IKE_SA_SETUP] = "IKE SA setup",
        [REPORT_CREATE_CHILD_SA] = "CREATE_CHILD_SA",
};

static const char *const SETUP_SQL[REPORT_SETUP__KINDS] = {
        [REPORT_IKE_SA_SETUP] = "SELECT r.config_id, r.run_id, 1000 * (e.time_s - c.time_s)"
                                " FROM ike_sa_events c JOIN ike_sa_events e"
                                " ON e.run_id = c.run_id AND e.node = c.node"
                                " AND e.ike_sa = c.ike_sa AND e.state = 'established'"
                                " JOIN runs r ON r.run_id = c.run_id"
                                " WHERE c.state = 'connecting' AND c.initiator = 1"
                                " AND r.status = 'complete' ORDER BY r.run_id",
        [REPORT_CREATE_CHILD_SA] = "SELECT r.config_id, r.run_id, x.rtt_ms"
                                   " FROM ike_exchanges x JOIN runs r USING(run_id)"
                                   " WHERE x.exchange = 'CREATE_CHILD_SA' AND x.initiator = 1"
                                   " AND x.ok = 1 AND r.status = 'complete'"
                                   " ORDER BY r.run_id",
};

/* Setups of one kind: into r->setup, and a per-run mean into means. */
static int load_kind(struct report *r, enum report_setup_kind k, struct report_sample **rows,
                     size_t *n_rows)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, SETUP_SQL[k], -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc, ok = 1;
	int64_t run = -1, config = -1;
	double sum = 0;
	size_t count = 0;
	/* one row per setup, ordered by run: a mean when the run changes */
	for (rc = sqlite3_step(st); ok; rc = sqlite3_step(st)) {
		int row = rc == SQLITE_ROW;
		if (count && (!row || sqlite3_column_int64(st, 1) != run)) {
			struct report_sample *more = realloc(*rows, (*n_rows + 1) * sizeof *more);
			ok = more != NULL;
			if (ok) {
				*rows = more;
				more[(*n_rows)++] = (struct report_sample){
				        config, REPORT_SETUP_KIND_NAMES[k], sum / (double)count};
			}
			sum = 0;
			count = 0;
		}
		if (!row)
			break;
		config = sqlite3_column_int64(st, 0);
		run = sqlite3_column_int64(st, 1);
		size_t c = report_config_index(r, config);
		double v = sqlite3_column_double(st, 2);
		if (c == (size_t)-1)
			continue;
		ok = report_samples_push(&r->setup[c * REPORT_SETUP__KINDS + k], v) == 0;
		sum += v;
		count++;
	}
	sqlite3_finalize(st);
	return ok && rc == SQLITE_DONE ? 0 : -1;
}

int report_setup_load(struct report *r, char *err, size_t errlen)
{
	r->setup = calloc(r->n_configs * REPORT_SETUP__KINDS + 1, sizeof *r->setup);
	struct report_sample *rows = NULL;
	size_t n_rows = 0;
	int rc = r->setup ? 0 : -1;
	for (int k = 0; rc == 0 && k < REPORT_SETUP__KINDS; k++)
		rc = load_kind(r, (enum report_setup_kind)k, &rows, &n_rows);
	for (size_t i = 0; rc == 0 && i < r->n_configs * REPORT_SETUP__KINDS; i++)
		if (r->setup[i].n)
			gsl_sort(r->setup[i].v, 1, r->setup[i].n);
	if (rc == 0)
		rc = report_summarise(r, REPORT_SETUP, rows, n_rows);
	free(rows);
	if (rc != 0)
		snprintf(err, errlen, "setup times: %s", sqlite3_errmsg(r->db));
	return rc;
}
