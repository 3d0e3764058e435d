/* Reading a report from a metrics database: the configurations and their
 * labels (the parameters that differ), then every table (report_table.c)
 * and the loaders of loss around rekeys, setup times and time series. */
#include "report_data.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static int load_configs(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db,
	                       "SELECT c.config_id, c.scenario_name,"
	                       " (SELECT count(*) FROM runs WHERE config_id = c.config_id"
	                       "  AND status = 'complete'),"
	                       " (SELECT count(*) FROM runs WHERE config_id = c.config_id"
	                       "  AND status != 'complete')"
	                       " FROM configs c WHERE c.config_id IN (SELECT config_id FROM runs)"
	                       " ORDER BY c.config_id",
	                       -1, &st, NULL) != SQLITE_OK)
		return report_fail(r->db, err, errlen, "configurations");
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->n_configs == cap) {
			cap = cap ? 2 * cap : 16;
			struct report_config *bigger = realloc(r->configs, cap * sizeof *bigger);
			if (!bigger)
				break;
			r->configs = bigger;
		}
		struct report_config *c = &r->configs[r->n_configs++];
		*c = (struct report_config){
		        .id = sqlite3_column_int64(st, 0),
		        .complete = (size_t)sqlite3_column_int64(st, 2),
		        .incomplete = (size_t)sqlite3_column_int64(st, 3),
		};
		/* the scenario leads the label when runs of several are here */
		c->label = strdup(r->scenario ? "" : (const char *)sqlite3_column_text(st, 1));
		if (!c->label)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : report_fail(r->db, err, errlen, "configurations");
}

static int append(char **label, const char *key, const char *value)
{
	size_t len = strlen(*label) + strlen(key) + strlen(value) + 3;
	char *l = realloc(*label, len);
	if (!l)
		return -1;
	snprintf(l + strlen(l), len - strlen(l), "%s%s=%s", *l ? " " : "", key, value);
	*label = l;
	return 0;
}

/* A varied parameter: its key and each configuration's value (taken from
 * values[]).  0, or -1 when out of memory. */
static int add_key(struct report *r, const char *key, char **values)
{
	char **keys = realloc(r->keys, (r->n_keys + 1) * sizeof *keys);
	if (!keys)
		return -1;
	r->keys = keys;
	if (!(keys[r->n_keys] = strdup(key)))
		return -1;
	for (size_t c = 0; c < r->n_configs; c++) {
		struct report_config *rc = &r->configs[c];
		char **v = realloc(rc->values, (r->n_keys + 1) * sizeof *v);
		if (!v)
			return -1;
		rc->values = v;
		v[r->n_keys] = values[c];
		values[c] = NULL;
	}
	r->n_keys++;
	return 0;
}

/* Labels: the parameters whose values differ between configurations (all of
 * a lone configuration's).  The scenario file counts as one, `scenario`
 * (its path and the start of its text's SHA-256), when merged databases
 * hold runs of different texts. */
static int label_configs(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
	            r->db,
	            "SELECT key, config_id, value FROM parameters"
	            " WHERE config_id IN (SELECT config_id FROM runs)"
	            " UNION ALL SELECT 'scenario', c.config_id,"
	            " (SELECT min(scenario_path) FROM runs WHERE config_id = c.config_id)"
	            " || ' (' || substr(c.scenario_sha256, 1, 8) || ')' FROM configs c"
	            " WHERE c.config_id IN (SELECT config_id FROM runs)"
	            " AND (SELECT count(DISTINCT scenario_sha256) FROM configs"
	            "  WHERE config_id IN (SELECT config_id FROM runs)) > 1"
	            " ORDER BY key, config_id",
	            -1, &st, NULL) != SQLITE_OK)
		return report_fail(r->db, err, errlen, "parameters");
	char **values = calloc(r->n_configs + 1, sizeof *values); /* of one key */
	int ok = values != NULL, rc = sqlite3_step(st);
	while (ok && rc == SQLITE_ROW) {
		char *key = strdup((const char *)sqlite3_column_text(st, 0));
		for (size_t c = 0; c < r->n_configs; c++) {
			free(values[c]);
			values[c] = NULL;
		}
		for (; key && rc == SQLITE_ROW &&
		       !strcmp(key, (const char *)sqlite3_column_text(st, 0));
		     rc = sqlite3_step(st)) {
			size_t c = report_config_index(r, sqlite3_column_int64(st, 1));
			ok &= (values[c] = strdup((const char *)sqlite3_column_text(st, 2))) !=
			      NULL;
		}
		int varied = r->n_configs == 1;
		for (size_t c = 0; c < r->n_configs; c++)
			varied |= !values[c] || !values[0] || strcmp(values[c], values[0]);
		for (size_t c = 0; ok && key && varied && c < r->n_configs; c++)
			ok = append(&r->configs[c].label, key, values[c] ? values[c] : "unset") ==
			     0;
		if (ok && key && varied)
			ok = add_key(r, key, values) == 0;
		ok &= key != NULL;
		free(key);
	}
	sqlite3_finalize(st);
	for (size_t c = 0; values && c < r->n_configs; c++)
		free(values[c]);
	free(values);
	for (size_t c = 0; ok && c < r->n_configs; c++)
		if (!*r->configs[c].label) {
			char id[32];
			snprintf(id, sizeof id, "config %lld", (long long)r->configs[c].id);
			if (r->n_configs == 1)
				snprintf(id, sizeof id, "no overrides");
			free(r->configs[c].label);
			ok = (r->configs[c].label = strdup(id)) != NULL;
		}
	return ok && rc == SQLITE_DONE ? 0 : report_fail(r->db, err, errlen, "parameters");
}

static int load_scenario(struct report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT DISTINCT scenario_name FROM runs LIMIT 2", -1, &st,
	                       NULL) != SQLITE_OK)
		return report_fail(r->db, err, errlen, "runs");
	int rows = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (rows++ == 0)
			r->scenario = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rows != 1) {
		free(r->scenario);
		r->scenario = NULL;
	}
	if (rows == 0) {
		snprintf(err, errlen, "no runs");
		return -1;
	}
	return rc == SQLITE_DONE ? 0 : report_fail(r->db, err, errlen, "runs");
}

int report_load(struct report *r, const char *path, char *err, size_t errlen)
{
	*r = (struct report){0};
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", r->db ? sqlite3_errmsg(r->db) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(r->db, 10000);
	int version = metrics_schema_version(r->db, "main");
	if (version < REPORT_OLDEST_SCHEMA || version > METRICS_SCHEMA_VERSION) {
		if (version < 0)
			snprintf(err, errlen, "%s", sqlite3_errmsg(r->db));
		else
			snprintf(err, errlen,
			         "not a metrics database of schema version %d to %d (user_version "
			         "%d)",
			         REPORT_OLDEST_SCHEMA, METRICS_SCHEMA_VERSION, version);
		return -1;
	}
	r->schema = version;
	if (load_scenario(r, err, errlen) != 0 || load_configs(r, err, errlen) != 0 ||
	    label_configs(r, err, errlen) != 0)
		return -1;
	for (int m = 0; m < REPORT__COUNT; m++)
		if (report_table_load(r, (enum report_metric)m, err, errlen) != 0)
			return -1;
	return report_rekey_load(r, err, errlen) == 0 && report_setup_load(r, err, errlen) == 0 &&
	                       report_series_load(r, err, errlen) == 0
	               ? 0
	               : -1;
}

void report_free(struct report *r)
{
	for (int m = 0; m < REPORT__COUNT; m++) {
		struct report_table *t = &r->tables[m];
		for (size_t g = 0; g < t->n_groups; g++)
			free(t->groups[g]);
		free(t->groups);
		free(t->cells);
		free(t->samples);
	}
	for (size_t i = 0; r->rekey && i < r->n_configs * REPORT_REKEY__KINDS; i++) {
		free(r->rekey[i].lost);
		free(r->rekey[i].loss);
	}
	free(r->rekey);
	for (size_t i = 0; r->setup && i < r->n_configs * REPORT_SETUP__KINDS; i++)
		free(r->setup[i].v);
	free(r->setup);
	report_series_free(&r->series);
	for (size_t c = 0; c < r->n_configs; c++) {
		free(r->configs[c].label);
		for (size_t k = 0; r->configs[c].values && k < r->n_keys; k++)
			free(r->configs[c].values[k]);
		free(r->configs[c].values);
	}
	for (size_t k = 0; k < r->n_keys; k++)
		free(r->keys[k]);
	free(r->keys);
	free(r->configs);
	free(r->scenario);
	sqlite3_close(r->db);
	*r = (struct report){0};
}
