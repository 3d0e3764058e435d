#include "run_config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct param {
	const char *line; /* "key=value", not terminated: ends at '\n' or NUL */
	size_t key_len, len;
	size_t order; /* position given, for "last value wins" */
};

static int by_key_then_order(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->line, y->line, n);
	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

char *run_config_parameters(const char *lines)
{
	size_t n = 0, cap = 1;
	for (const char *p = lines; *p; p++)
		cap += *p == '\n';
	struct param *ps = calloc(cap, sizeof *ps);
	char *out = calloc(1, strlen(lines) + 2);
	if (!ps || !out) {
		free(ps);
		free(out);
		return NULL;
	}
	for (const char *p = lines; *p;) {
		size_t len = strcspn(p, "\n");
		if (len) {
			const char *eq = memchr(p, '=', len);
			ps[n] = (struct param){p, eq ? (size_t)(eq - p) : len, len, n};
			n++;
		}
		p += len + (p[len] == '\n');
	}
	qsort(ps, n, sizeof *ps, by_key_then_order);
	char *o = out;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && ps[i + 1].key_len == ps[i].key_len &&
		    !memcmp(ps[i + 1].line, ps[i].line, ps[i].key_len))
			continue; /* a later value for the same key wins */
		memcpy(o, ps[i].line, ps[i].len);
		o += ps[i].len;
		*o++ = '\n';
	}
	*o = 0;
	free(ps);
	return out;
}

void run_config_sha256(const char *text, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int md_len = 0;
	EVP_Digest(text, len, md, &md_len, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[64] = 0;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int find(sqlite3 *db, const char *sha, const char *parameters, int64_t *id)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT config_id FROM configs"
	                       " WHERE scenario_sha256 = ? AND parameters = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, parameters, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int insert_parameters(sqlite3 *db, int64_t id, const char *parameters)
{
	for (const char *p = parameters; *p;) {
		size_t len = strcspn(p, "\n");
		const char *eq = memchr(p, '=', len);
		size_t key_len = eq ? (size_t)(eq - p) : len;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "INSERT INTO parameters VALUES(?,?,?)", -1, &st, NULL) !=
		    SQLITE_OK)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, p, (int)key_len, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, eq ? eq + 1 : "", eq ? (int)(len - key_len - 1) : 0,
		                  SQLITE_STATIC);
		if (step_done(st) != 0)
			return -1;
		p += len + (p[len] == '\n');
	}
	return 0;
}

int run_config_record(sqlite3 *db, const char *scenario_name, const char *scenario_sha256,
                      const char *parameters, int64_t want_id, int64_t *config_id)
{
	if (find(db, scenario_sha256, parameters, config_id) != 0)
		return -1;
	if (*config_id)
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO configs VALUES("
	                       " CASE WHEN ?1 > 0 AND ?1 NOT IN (SELECT config_id FROM configs)"
	                       " THEN ?1 END, ?2, ?3, ?4)",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, want_id);
	sqlite3_bind_text(st, 2, scenario_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, scenario_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, parameters, -1, SQLITE_STATIC);
	if (step_done(st) != 0)
		return -1;
	*config_id = sqlite3_last_insert_rowid(db);
	return insert_parameters(db, *config_id, parameters);
}
