#include "report_text.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The flow metrics, in the order of the table's columns. */
static const enum report_metric FLOW_COLUMNS[] = {REPORT_THROUGHPUT, REPORT_LOSS, REPORT_DELAY_MEAN,
                                                  REPORT_DELAY_P50, REPORT_DELAY_P99};
#define N_FLOW_COLUMNS (sizeof FLOW_COLUMNS / sizeof FLOW_COLUMNS[0])
#define CELL_WIDTH 22

/* "1.234 ± 0.056" (Student's t), "1.234 [1.100, 1.400]" (bootstrap),
 * "1.234 (n=1)" or "-", followed by " n=2/3" when fewer than the `runs`
 * of its configuration contributed (0: do not say); `width` is the display
 * width to pad to (± is two bytes, one column). */
static void cell(FILE *f, const struct report_table *t, const struct stats_ci *c, size_t runs,
                 int width)
{
	char buf[128];
	int len;
	if (!c || c->n == 0)
		len = snprintf(buf, sizeof buf, "-");
	else if (isnan(c->low))
		len = snprintf(buf, sizeof buf, "%.*f (n=1)", t->decimals, c->mean);
	else if (isnan(c->half_width))
		len = snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", t->decimals, c->mean,
		               t->decimals, c->low, t->decimals, c->high);
	else
		len = snprintf(buf, sizeof buf, "%.*f ± %.*f", t->decimals, c->mean, t->decimals,
		               c->half_width);
	if (c && c->n && c->n < runs)
		snprintf(buf + len, sizeof buf - (size_t)len, " n=%zu/%zu", c->n, runs);
	int columns = (int)strlen(buf) - (strstr(buf, "±") ? 1 : 0);
	fprintf(f, "%s%*s", buf, width > columns ? width - columns : 0, "");
}

/* Packets lost within ±WINDOW of each kind of rekey event, per event and
 * as a share of the packets sent then. */
static void print_rekey_loss(const struct report *r, size_t c, FILE *f)
{
	const struct report_table *lost = &r->tables[REPORT_REKEY_LOST];
	const struct report_table *loss = &r->tables[REPORT_REKEY_LOSS];
	const struct report_table *excess = &r->tables[REPORT_REKEY_EXCESS];
	fprintf(f,
	        "  lost within ±%.0f s of a rekey [packets per event; %% of packets sent; excess "
	        "over the loss outside the windows, packets per event]:",
	        REPORT_REKEY_WINDOW_S);
	size_t shown = 0;
	for (int k = 0; k < REPORT_REKEY__KINDS; k++) {
		const char *name = REPORT_REKEY_KIND_NAMES[k];
		const struct report_rekey_curve *curve = &r->rekey[c * REPORT_REKEY__KINDS + k];
		if (!curve->events)
			continue;
		fprintf(f, "%s %s (%zu events) ", shown++ ? "," : "", name, curve->events);
		cell(f, lost, report_cell(lost, c, name), 0, 0);
		fputs("; ", f);
		cell(f, loss, report_cell(loss, c, name), 0, 0);
		fputs("; ", f);
		cell(f, excess, report_cell(excess, c, name), 0, 0);
	}
	fprintf(f, "%s\n", shown ? "" : " none (no rekeys, or no metrics.flow_bins)");
}

static void print_setup(const struct report *r, size_t c, FILE *f)
{
	const struct report_table *t = &r->tables[REPORT_SETUP];
	fprintf(f, "  %s [%s]:%s", t->title, t->unit, t->n_groups ? "" : " no IKE");
	for (size_t g = 0; g < t->n_groups; g++) {
		fprintf(f, "%s %s ", g ? "," : "", t->groups[g]);
		cell(f, t, &t->cells[c * t->n_groups + g], r->configs[c].complete, 0);
	}
	fputc('\n', f);
}

/* The rows printed as "title [unit]: group value, group value, ...". */
static const enum report_metric GROUP_ROWS[] = {
        REPORT_TOTAL_THROUGHPUT, REPORT_TOTAL_LOSS,  REPORT_DROPS,
        REPORT_SA_DROPS,         REPORT_NAT,         REPORT_IKE,
        REPORT_CRYPTO_UTIL,      REPORT_CRYPTO_PEAK,
};

static void print_groups(const struct report *r, size_t c, const struct report_table *t, FILE *f)
{
	fprintf(f, "  %s [%s]:%s", t->title, t->unit, t->n_groups ? "" : " none");
	for (size_t g = 0; g < t->n_groups; g++) {
		fprintf(f, "%s %s ", g ? "," : "", t->groups[g]);
		cell(f, t, &t->cells[c * t->n_groups + g], r->configs[c].complete, 0);
	}
	fputc('\n', f);
}

static void print_config(const struct report *r, size_t c, FILE *f)
{
	const struct report_config *rc = &r->configs[c];
	fprintf(f, "\nconfig %lld: %s (%zu complete run%s", (long long)rc->id, rc->label,
	        rc->complete, rc->complete == 1 ? "" : "s");
	if (rc->incomplete)
		fprintf(f, ", %zu incomplete left out", rc->incomplete);
	fprintf(f, ")\n  %-16s ", "flow");
	for (size_t m = 0; m < N_FLOW_COLUMNS; m++) {
		const struct report_table *t = &r->tables[FLOW_COLUMNS[m]];
		char head[64];
		snprintf(head, sizeof head, "%s [%s]", t->title, t->unit);
		fprintf(f, "%-*s", m + 1 < N_FLOW_COLUMNS ? CELL_WIDTH : 0, head);
	}
	fputc('\n', f);
	const struct report_table *flows = &r->tables[REPORT_THROUGHPUT];
	for (size_t g = 0; g < flows->n_groups; g++) {
		fprintf(f, "  %-16s ", flows->groups[g]);
		for (size_t m = 0; m < N_FLOW_COLUMNS; m++) {
			const struct report_table *t = &r->tables[FLOW_COLUMNS[m]];
			cell(f, t, report_cell(t, c, flows->groups[g]), rc->complete,
			     m + 1 < N_FLOW_COLUMNS ? CELL_WIDTH : 0);
		}
		fputc('\n', f);
	}
	for (size_t m = 0; m < sizeof GROUP_ROWS / sizeof GROUP_ROWS[0]; m++) {
		const struct report_table *t = &r->tables[GROUP_ROWS[m]];
		bool crypto =
		        GROUP_ROWS[m] == REPORT_CRYPTO_UTIL || GROUP_ROWS[m] == REPORT_CRYPTO_PEAK;
		if (t->n_groups || !crypto) /* no line for runs without engines */
			print_groups(r, c, t, f);
	}
	print_rekey_loss(r, c, f);
	print_setup(r, c, f);
}

void report_print(const struct report *r, FILE *f)
{
	size_t complete = 0;
	for (size_t c = 0; c < r->n_configs; c++)
		complete += r->configs[c].complete;
	fprintf(f,
	        "%s: %zu configuration%s, %zu complete run%s; mean and %.0f %% confidence "
	        "interval over replications: ± half-width (Student's t), or [low, high] for a "
	        "share (percentile bootstrap); n=k/N: k of the N runs had a value\n",
	        r->scenario ? r->scenario : "several scenarios", r->n_configs,
	        r->n_configs == 1 ? "" : "s", complete, complete == 1 ? "" : "s",
	        REPORT_CONFIDENCE * 100);
	for (size_t c = 0; c < r->n_configs; c++)
		print_config(r, c, f);
}

void report_csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_number(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.17g", v);
}

/* label,metric,unit,group,n,mean,sd,ci95_half_width of a cell, after its
 * configuration's id (and its baseline's) */
static void csv_cell(FILE *f, const struct report *r, size_t c, const struct report_table *t,
                     size_t g, const struct stats_ci *ci)
{
	report_csv_text(f, r->configs[c].label);
	fprintf(f, ",%s,%s,", t->title, t->unit);
	report_csv_text(f, t->groups[g]);
	fprintf(f, ",%zu,", ci->n);
	csv_number(f, ci->mean);
	fputc(',', f);
	csv_number(f, ci->sd);
	fputc(',', f);
	csv_number(f, ci->half_width);
}

int report_write_csv(const struct report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "config_id,label,metric,unit,group,n,mean,sd,ci95_half_width,ci95_low,ci95_high,"
	           "ci_method\n");
	for (int m = 0; m < REPORT__COUNT; m++) {
		const struct report_table *t = &r->tables[m];
		for (size_t c = 0; c < r->n_configs; c++)
			for (size_t g = 0; g < t->n_groups; g++) {
				const struct stats_ci *ci = &t->cells[c * t->n_groups + g];
				fprintf(f, "%lld,", (long long)r->configs[c].id);
				csv_cell(f, r, c, t, g, ci);
				fputc(',', f);
				csv_number(f, ci->low);
				fputc(',', f);
				csv_number(f, ci->high);
				fprintf(f, ",%s\n", t->bounded ? "bootstrap" : "t");
			}
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* The metrics read per run from the database, which can be paired. */
static const enum report_metric PAIRED[] = {
        REPORT_THROUGHPUT, REPORT_LOSS,      REPORT_DELAY_MEAN,
        REPORT_DELAY_P50,  REPORT_DELAY_P99, REPORT_TOTAL_THROUGHPUT,
        REPORT_TOTAL_LOSS, REPORT_DROPS,     REPORT_SA_DROPS,
        REPORT_NAT,        REPORT_IKE,       REPORT_CRYPTO_UTIL,
        REPORT_CRYPTO_PEAK};

static void csv_difference(FILE *f, const struct report *r, size_t c, size_t base,
                           const struct report_table *t, size_t g, const struct stats_ci *ci)
{
	fprintf(f, "%lld,%lld,", (long long)r->configs[c].id, (long long)r->configs[base].id);
	csv_cell(f, r, c, t, g, ci);
	fputc('\n', f);
}

int report_print_differences(const struct report *r, size_t base, FILE *f, const char *path)
{
	FILE *csv = path ? fopen(path, "w") : NULL;
	if (path && !csv)
		return -1;
	if (csv)
		fprintf(csv, "config_id,baseline_id,label,metric,unit,group,n,mean,sd,"
		             "ci95_half_width\n");
	fprintf(f,
	        "\npaired differences against config %lld (%s): per replication, config minus "
	        "baseline (the same run number: the same random streams), mean ± half-width "
	        "(Student's t, %.0f %%) over the replications both have\n",
	        (long long)r->configs[base].id, r->configs[base].label, REPORT_CONFIDENCE * 100);
	int rc = 0;
	for (size_t c = 0; c < r->n_configs && rc == 0; c++) {
		if (c == base)
			continue;
		fprintf(f, "\nconfig %lld - config %lld: %s\n", (long long)r->configs[c].id,
		        (long long)r->configs[base].id, r->configs[c].label);
		for (size_t k = 0; k < sizeof PAIRED / sizeof PAIRED[0] && rc == 0; k++) {
			const struct report_table *t = &r->tables[PAIRED[k]];
			struct stats_ci *d = calloc(r->n_configs * t->n_groups + 1, sizeof *d);
			if (!d || report_differences(r, PAIRED[k], base, d) != 0) {
				free(d);
				errno = ENOMEM;
				rc = -1;
				break;
			}
			for (size_t g = 0; g < t->n_groups; g++) {
				const struct stats_ci *ci = &d[c * t->n_groups + g];
				if (!ci->n)
					continue;
				fprintf(f, "  %-28s %-16s ", t->title, t->groups[g]);
				if (isnan(ci->half_width))
					fprintf(f, "%+.*f (n=%zu)", t->decimals, ci->mean, ci->n);
				else
					fprintf(f, "%+.*f ± %.*f (n=%zu)", t->decimals, ci->mean,
					        t->decimals, ci->half_width, ci->n);
				fprintf(f, " %s\n", t->unit);
				if (csv)
					csv_difference(csv, r, c, base, t, g, ci);
			}
			free(d);
		}
	}
	if (csv && fclose(csv) != 0)
		rc = -1;
	return rc;
}
