#include "report_plot.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 1000
#define HEIGHT 560
#define PANEL_HEIGHT 300
/* Longer configuration labels are written at a slant. */
#define UPRIGHT_LABEL_MAX 24

/* A gnuplot string literal: single quotes, '' for a quote. */
static void gp_string(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		fputc(*s, gp);
	}
	fputc('\'', gp);
}

/* A double-quoted string (a datablock field, or text with "\n" escapes):
 * double quotes inside become single ones. */
static void gp_quoted(FILE *gp, const char *s)
{
	fputc('"', gp);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : *s, gp);
	fputc('"', gp);
}

static void gp_number(FILE *gp, double v)
{
	if (isnan(v))
		fputs(" NaN", gp);
	else
		fprintf(gp, " %.10g", v);
}

/* The terminal for `fmt` (set by whoever runs the script, PNG if not):
 * the same size in each, so a figure restyled once redraws alike in all
 * three; the output is the script's name with the format's extension. */
static void gp_begin(FILE *gp, const char *name, size_t height)
{
	fprintf(gp,
	        "if (!exists('fmt')) fmt = 'png'\n"
	        "if (fmt eq 'png') set terminal pngcairo size %d,%zu noenhanced font ',10'\n"
	        "if (fmt eq 'pdf') set terminal pdfcairo size %.2fin,%.2fin noenhanced font ',10'\n"
	        "if (fmt eq 'svg') set terminal svg size %d,%zu noenhanced font ',10' background "
	        "'white'\n"
	        "set output ",
	        WIDTH, height, WIDTH / 100.0, (double)height / 100.0, WIDTH, height);
	gp_string(gp, name);
	/* room above the highest bar */
	fprintf(gp, ".'.'.fmt\nset grid ytics\nset key outside right top\n"
	            "set offsets 0, 0, graph 0.08, 0\n");
}

static size_t runs_per_config(const struct report *r, size_t *min)
{
	size_t max = 0;
	*min = (size_t)-1;
	for (size_t c = 0; c < r->n_configs; c++) {
		if (r->configs[c].complete > max)
			max = r->configs[c].complete;
		if (r->configs[c].complete < *min)
			*min = r->configs[c].complete;
	}
	return max;
}

/* "site-to-site: throughput per flow" and, on a second line, how the
 * numbers were made; `command` is "set title" or "set multiplot ... title". */
static void gp_title(FILE *gp, const char *command, const struct report *r, const char *what)
{
	size_t min, max = runs_per_config(r, &min);
	char title[512], reps[64];
	if (min == max)
		snprintf(reps, sizeof reps, "%zu", max);
	else
		snprintf(reps, sizeof reps, "%zu to %zu", min, max);
	snprintf(title, sizeof title,
	         "%s: %s\\nmean of %s replications per configuration, %.0f %% "
	         "confidence interval (Student's t; percentile bootstrap for shares in %%)",
	         r->scenario ? r->scenario : "several scenarios", what, reps,
	         REPORT_CONFIDENCE * 100);
	fprintf(gp, "%s ", command);
	gp_quoted(gp, title);
	fputc('\n', gp);
}

/* The parameters of a tic: "key=value" tokens of the label with each key cut
 * to its last component ("rekey_policy=break-before-make" for
 * "nodes.gw.ipsec.connections.rw.children.office.rekey_policy=..."),
 * without unset ones and repeats; the table and the CSV keep the full
 * paths.  Returns how many were written into tok. */
static size_t tic_parameters(const char *label, char tok[][128], size_t max)
{
	size_t n = 0;
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", label);
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && n < max;
	     t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		if (eq && !strcmp(eq + 1, "unset"))
			continue;
		const char *key = t;
		for (const char *q = t; eq && q < eq; q++)
			if (*q == '.')
				key = q + 1;
		snprintf(tok[n], sizeof tok[n], "%s", key);
		bool repeat = false;
		for (size_t i = 0; i < n && !repeat; i++)
			repeat = !strcmp(tok[i], tok[n]);
		n += !repeat;
	}
	return n;
}

/* A tic per configuration, its parameters one per line (they say what the
 * configuration is: no axis label), at a slant if a line is long.  gnuplot
 * does not make room for labels of several lines: the bottom margin does. */
static void gp_xtics(FILE *gp, const struct report *r)
{
	size_t longest = 0, lines = 1;
	char tok[16][128];
	fprintf(gp, "set xtics (");
	for (size_t c = 0; c < r->n_configs; c++) {
		size_t n = tic_parameters(r->configs[c].label, tok, 16);
		if (!n)
			snprintf(tok[n++], sizeof tok[0], "%s", r->configs[c].label);
		fprintf(gp, "%s\"", c ? ", " : "");
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs("\\n", gp);
			for (const char *p = tok[i]; *p; p++)
				fputc(*p == '"' || *p == '\\' ? '\'' : *p, gp);
			if (strlen(tok[i]) > longest)
				longest = strlen(tok[i]);
		}
		if (n > lines)
			lines = n;
		fprintf(gp, "\" %zu", c);
	}
	fprintf(gp, ")\n");
	double margin = (double)lines + 1.5;
	if (longest > UPRIGHT_LABEL_MAX) {
		fprintf(gp, "set xtics rotate by -20 left\n");
		margin += (double)longest * 0.3;
	}
	fprintf(gp, "set bmargin %.1f\n", margin);
}

/* Clustered bars with error bars: a cluster per configuration, a bar per
 * column; cells[c][k] for configuration c, column k. */
static void gp_bars(FILE *gp, const struct report *r, const char *block,
                    const struct stats_ci *const *cols, const char *const *names, size_t n_cols,
                    size_t stride, double scale)
{
	double top = 0;
	fprintf(gp, "$%s << EOD\n", block);
	for (size_t c = 0; c < r->n_configs; c++) {
		gp_quoted(gp, r->configs[c].label);
		for (size_t k = 0; k < n_cols; k++) {
			const struct stats_ci *ci = &cols[k][c * stride];
			/* the interval, t or bootstrap; none: the mean */
			double low = isnan(ci->low) ? ci->mean : ci->low;
			double high = isnan(ci->high) ? ci->mean : ci->high;
			gp_number(gp, ci->mean * scale);
			gp_number(gp, low * scale);
			gp_number(gp, high * scale);
			if (high * scale > top)
				top = high * scale;
		}
		fputc('\n', gp);
	}
	fprintf(gp,
	        "EOD\n"
	        "set style data histogram\n"
	        "set style histogram errorbars gap 2 lw 1.5\n"
	        "set style fill solid 0.75 border -1\n"
	        "set yrange [0:%g]\n"
	        "plot ",
	        top > 0 ? top * 1.08 : 1); /* the error bars too, with room above */
	for (size_t k = 0; k < n_cols; k++) {
		fprintf(gp, "%s$%s using %zu:%zu:%zu title ", k ? ", " : "", block, 3 * k + 2,
		        3 * k + 3, 3 * k + 4);
		gp_string(gp, names[k]);
	}
	fputc('\n', gp);
}

/* The groups of one table as bar columns. */
static void gp_table_bars(FILE *gp, const struct report *r, const struct report_table *t,
                          double scale)
{
	const struct stats_ci *cols[t->n_groups + 1];
	const char *names[t->n_groups + 1];
	for (size_t g = 0; g < t->n_groups; g++) {
		cols[g] = &t->cells[g];
		names[g] = t->groups[g];
	}
	gp_bars(gp, r, "data", cols, names, t->n_groups, t->n_groups, scale);
}

/* One panel per flow: mean, p50 and p99 of the delay per configuration.
 * The three tables come from the same rows of `flows`: same groups. */
static void plot_delay(FILE *gp, const struct report *r, const char *name)
{
	const struct report_table *mean = &r->tables[REPORT_DELAY_MEAN];
	const struct report_table *p50 = &r->tables[REPORT_DELAY_P50];
	const struct report_table *p99 = &r->tables[REPORT_DELAY_P99];
	size_t flows = mean->n_groups;
	gp_begin(gp, name, flows > 1 ? PANEL_HEIGHT * flows : HEIGHT);
	char layout[64];
	snprintf(layout, sizeof layout, "set multiplot layout %zu,1 title", flows);
	gp_title(gp, layout, r, "delay per flow: one-way for UDP, round trip for ping and reqresp");
	fprintf(gp, "set ylabel 'delay [ms]'\n");
	gp_xtics(gp, r);
	for (size_t g = 0; g < flows; g++) {
		const char *flow = mean->groups[g];
		fprintf(gp, "set title ");
		gp_string(gp, flow);
		fputc('\n', gp);
		const struct stats_ci *cols[] = {report_cell(mean, 0, flow),
		                                 report_cell(p50, 0, flow),
		                                 report_cell(p99, 0, flow)};
		const char *names[] = {"mean", "p50", "p99"};
		char block[32];
		snprintf(block, sizeof block, "delay%zu", g);
		gp_bars(gp, r, block, cols, names, 3, mean->n_groups, 1);
	}
	fprintf(gp, "unset multiplot\n");
}

/* A configuration's label for a key: its tic's parameters, comma-separated. */
static void key_label(const struct report *r, size_t c, char *buf, size_t len)
{
	char tok[16][128];
	size_t n = tic_parameters(r->configs[c].label, tok, 16);
	snprintf(buf, len, "%s", n ? "" : r->configs[c].label);
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", tok[i]);
}

/* One panel of rekey curves: per configuration, the mean per bin as a line
 * and its interval as a band (the mean alone where n < 2). */
static void gp_rekey_panel(FILE *gp, const struct report *r, int kind, bool loss)
{
	fprintf(gp, "set title '%s: %s'\n", REPORT_REKEY_KIND_NAMES[kind],
	        loss ? "loss ratio of the packets sent in each bin"
	             : "packets lost per event, by send time");
	fprintf(gp, "set ylabel '%s'\nplot ",
	        loss ? "lost [% of packets sent]" : "packets lost per event");
	size_t drawn = 0;
	for (size_t c = 0; c < r->n_configs; c++) {
		const struct report_rekey_curve *k = &r->rekey[c * REPORT_REKEY__KINDS + kind];
		if (!k->runs)
			continue;
		fprintf(gp,
		        "%s'-' using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc "
		        "%zu notitle, "
		        "'-' using 1:2 with lines lw 1.5 lc %zu title ",
		        drawn ? ", " : "", c + 1, c + 1);
		char label[256], title[320];
		key_label(r, c, label, sizeof label);
		snprintf(title, sizeof title, "%s (%zu events)", label, k->events);
		gp_string(gp, title);
		drawn++;
	}
	fputc('\n', gp);
	/* inline data: each curve twice (band, line) */
	for (size_t c = 0; c < r->n_configs; c++) {
		const struct report_rekey_curve *k = &r->rekey[c * REPORT_REKEY__KINDS + kind];
		for (int copy = 0; k->runs && copy < 2; copy++) {
			for (size_t b = 0; b < k->n_bins; b++) {
				const struct stats_ci *ci = loss ? &k->loss[b] : &k->lost[b];
				gp_number(gp, ((double)k->first + (double)b) * k->width_s);
				gp_number(gp, ci->mean);
				gp_number(gp, isnan(ci->low) ? ci->mean : ci->low);
				gp_number(gp, isnan(ci->high) ? ci->mean : ci->high);
				fputc('\n', gp);
			}
			fputs("e\n", gp);
		}
	}
}

/* A row per kind of event with data, packets lost per event on the left,
 * the loss ratio on the right. */
static void plot_rekey_loss(FILE *gp, const struct report *r, const char *name)
{
	int kinds[REPORT_REKEY__KINDS], n = 0;
	for (int k = 0; k < REPORT_REKEY__KINDS; k++)
		for (size_t c = 0; c < r->n_configs; c++)
			if (r->rekey[c * REPORT_REKEY__KINDS + k].runs) {
				kinds[n++] = k;
				break;
			}
	gp_begin(gp, name, (size_t)(n > 1 ? PANEL_HEIGHT * n : HEIGHT));
	char layout[64], what[160];
	snprintf(layout, sizeof layout, "set multiplot layout %d,2 title", n);
	snprintf(what, sizeof what,
	         "packets by send time around rekey events (0: the bin of the event; all flows)");
	gp_title(gp, layout, r, what);
	fprintf(gp,
	        "set key inside right top\nset xlabel 'time since the event [s]'\n"
	        "set xrange [%g:%g]\nset arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n",
	        -REPORT_REKEY_BEFORE_S, REPORT_REKEY_AFTER_S);
	for (int i = 0; i < n; i++) {
		gp_rekey_panel(gp, r, kinds[i], false);
		gp_rekey_panel(gp, r, kinds[i], true);
	}
	fprintf(gp, "unset multiplot\n");
}

/* At most this many flows get a row of the time series. */
#define SERIES_FLOWS 8

/* The timeline's marks: a dashed line each, named at the top. */
static void gp_marks(FILE *gp, const struct report_series *s)
{
	fprintf(gp, "unset arrow\nunset label\n");
	for (size_t m = 0; m < s->n_marks; m++) {
		fprintf(gp, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc 'gray40'\n",
		        s->marks[m].t, s->marks[m].t);
		fprintf(gp, "set label ");
		gp_string(gp, s->marks[m].what);
		fprintf(gp, " at %g, graph 0.98 rotate by 90 right font ',7' tc 'gray40'\n",
		        s->marks[m].t);
	}
}

/* One panel: a line per configuration, its interval as a band. */
static void gp_series_panel(FILE *gp, const struct report *r, size_t flow, bool loss)
{
	const struct report_series *s = &r->series;
	fprintf(gp, "set title ");
	char title[300];
	snprintf(title, sizeof title, "%s: %s", s->flows[flow],
	         loss ? "loss ratio of the packets sent in each bin" : "throughput received");
	gp_string(gp, title);
	fprintf(gp, "\nset ylabel '%s'\nplot ", loss ? "lost [% of packets sent]" : "Mbit/s");
	for (size_t c = 0; c < r->n_configs; c++) {
		char label[256];
		key_label(r, c, label, sizeof label);
		fprintf(gp,
		        "%s'-' using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc "
		        "%zu notitle, '-' using 1:2 with lines lw 1.2 lc %zu title ",
		        c ? ", " : "", c + 1, c + 1);
		gp_string(gp, label);
	}
	fputc('\n', gp);
	for (size_t c = 0; c < r->n_configs; c++)
		for (int copy = 0; copy < 2; copy++) {
			for (size_t b = 0; b < s->n_bins; b++) {
				const struct stats_ci *ci =
				        &(loss ? s->loss
				               : s->tput)[(c * s->n_flows + flow) * s->n_bins + b];
				if (isnan(ci->mean))
					continue; /* nothing sent then: no loss ratio */
				gp_number(gp, ((double)b + 0.5) * s->width_s);
				gp_number(gp, ci->mean);
				gp_number(gp, isnan(ci->low) ? ci->mean : ci->low);
				gp_number(gp, isnan(ci->high) ? ci->mean : ci->high);
				fputc('\n', gp);
			}
			fputs("e\n", gp);
		}
}

/* A row per flow (the first SERIES_FLOWS), throughput left, loss right,
 * over simulated time, the timeline's events marked. */
static void plot_series(FILE *gp, const struct report *r, const char *name)
{
	const struct report_series *s = &r->series;
	size_t n = s->n_flows < SERIES_FLOWS ? s->n_flows : SERIES_FLOWS;
	gp_begin(gp, name, n > 1 ? PANEL_HEIGHT * n : HEIGHT);
	char layout[64], what[200];
	snprintf(layout, sizeof layout, "set multiplot layout %zu,2 title", n);
	snprintf(what, sizeof what, "over simulated time, bins of %g s%s; marks: events and rekeys",
	         s->width_s, s->n_flows > n ? " (the first 8 flows)" : "");
	gp_title(gp, layout, r, what);
	/* the key under each panel, out of the data; none for one line */
	fprintf(gp,
	        "%s\nset xlabel 'simulated time [s]'\nset yrange [0:*]\n"
	        "set offsets 0, 0, graph 0.1, 0\n",
	        r->n_configs > 1 ? "set key below horizontal font ',8'" : "unset key");
	gp_marks(gp, s);
	for (size_t f = 0; f < n; f++) {
		gp_series_panel(gp, r, f, false);
		gp_series_panel(gp, r, f, true);
	}
	fprintf(gp, "unset multiplot\n");
}

/* Empirical CDFs of the setup times, a curve per configuration. */
static void plot_setup(FILE *gp, const struct report *r, const char *name)
{
	int n = 0, kinds[REPORT_SETUP__KINDS];
	for (int k = 0; k < REPORT_SETUP__KINDS; k++)
		for (size_t c = 0; c < r->n_configs; c++)
			if (r->setup[c * REPORT_SETUP__KINDS + k].n) {
				kinds[n++] = k;
				break;
			}
	gp_begin(gp, name, HEIGHT);
	char layout[64];
	snprintf(layout, sizeof layout, "set multiplot layout 1,%d title", n);
	gp_title(gp, layout, r,
	         "IKE SA setup (first IKE_SA_INIT to IKE_AUTH done, initiator) and CREATE_CHILD_SA "
	         "exchange times: empirical CDF over all runs");
	fprintf(gp, "set key inside right bottom\nset yrange [0:1]\nset offsets 0, 0, 0, 0\n"
	            "set grid xtics ytics\nset ylabel 'fraction of setups'\n");
	for (int i = 0; i < n; i++) {
		int k = kinds[i];
		double top = 0;
		for (size_t c = 0; c < r->n_configs; c++) {
			const struct report_samples *sm = &r->setup[c * REPORT_SETUP__KINDS + k];
			if (sm->n && sm->v[sm->n - 1] > top)
				top = sm->v[sm->n - 1];
		}
		fprintf(gp, "set xrange [0:%g]\n", top > 0 ? top * 1.05 : 1);
		fprintf(gp, "set title '%s'\nset xlabel '%s [ms]'\nplot ",
		        REPORT_SETUP_KIND_NAMES[k],
		        k == REPORT_IKE_SA_SETUP ? "setup time" : "exchange time");
		size_t drawn = 0;
		for (size_t c = 0; c < r->n_configs; c++) {
			const struct report_samples *sm = &r->setup[c * REPORT_SETUP__KINDS + k];
			if (!sm->n)
				continue;
			char label[256], title[320];
			key_label(r, c, label, sizeof label);
			snprintf(title, sizeof title, "%s (%zu)", label, sm->n);
			fprintf(gp, "%s'-' using 1:2 with steps lw 1.5 lc %zu title ",
			        drawn++ ? ", " : "", c + 1);
			gp_string(gp, title);
		}
		fputc('\n', gp);
		for (size_t c = 0; c < r->n_configs; c++) {
			const struct report_samples *sm = &r->setup[c * REPORT_SETUP__KINDS + k];
			if (!sm->n)
				continue;
			/* a step up at each value, from 0 before the first */
			gp_number(gp, sm->v[0]);
			gp_number(gp, 0);
			fputc('\n', gp);
			for (size_t j = 0; j < sm->n; j++) {
				gp_number(gp, sm->v[j]);
				gp_number(gp, (double)(j + 1) / (double)sm->n);
				fputc('\n', gp);
			}
			fputs("e\n", gp);
		}
	}
	fprintf(gp, "unset multiplot\n");
}

/* Every plot: its name, the table it needs rows in, and its function; or,
 * for a plot of the table's groups as bars per configuration, no function
 * but its title and y label. */
static const struct plot {
	const char *name;
	enum report_metric needs;
	void (*draw)(FILE *gp, const struct report *r, const char *name);
	const char *title, *ylabel;
} PLOTS[] = {
        {"throughput", REPORT_THROUGHPUT, NULL, "throughput per flow",
         "throughput (payload) [Mbit/s]"},
        {"delay", REPORT_DELAY_MEAN, plot_delay, NULL, NULL},
        {"loss", REPORT_LOSS, NULL, "packet loss per flow", "loss [% of packets sent]"},
        {"sa-drops", REPORT_SA_DROPS, NULL, "packets dropped by SAs, by reason (all nodes)",
         "packets dropped per run"},
        {"drops", REPORT_DROPS, NULL, "packets lost, by node and reason",
         "packets dropped per run"},
        {"crypto-utilisation", REPORT_CRYPTO_UTIL, NULL, "crypto engine utilisation per node",
         "utilisation [% of the lanes busy]"},
        {"rekey-loss", REPORT_REKEY_LOST, plot_rekey_loss, NULL, NULL},
        {"ike-setup", REPORT_SETUP, plot_setup, NULL, NULL},
        {"series", REPORT__COUNT, plot_series, NULL, NULL},
};

/* A bar plot of the groups of one table. */
static void plot_table(FILE *gp, const struct report *r, const struct plot *p)
{
	gp_begin(gp, p->name, HEIGHT);
	gp_title(gp, "set title", r, p->title);
	fprintf(gp, "set ylabel '%s'\n", p->ylabel);
	gp_xtics(gp, r);
	gp_table_bars(gp, r, &r->tables[p->needs], 1);
}

static const char *const FORMATS[] = {"png", "pdf", "svg"};
#define N_FORMATS (sizeof FORMATS / sizeof FORMATS[0])

/* DIR/NAME.gp: the plot's script with its data inline, to restyle and
 * redraw without the database (gnuplot -e "fmt='pdf'" NAME.gp).  0, or -1
 * with errno set. */
static int write_script(const struct report *r, size_t i, const char *path)
{
	FILE *gp = fopen(path, "w");
	if (!gp)
		return -1;
	fprintf(gp,
	        "# ipsec-sim report: %s.  The data are inline; redraw in the folder with\n"
	        "#   gnuplot -e \"fmt='png'\" %s.gp   (or fmt='pdf', fmt='svg')\n",
	        PLOTS[i].name, PLOTS[i].name);
	if (PLOTS[i].draw)
		PLOTS[i].draw(gp, r, PLOTS[i].name);
	else
		plot_table(gp, r, &PLOTS[i]);
	int err = ferror(gp);
	return fclose(gp) != 0 || err ? -1 : 0;
}

/* Runs the script in `dir` (passed through the environment: no quoting of
 * a path in a shell command) for each format. */
static int draw(const char *dir, const char *name, FILE *out, FILE *log)
{
	char cmd[256];
	if (setenv("IPSEC_SIM_PLOT_DIR", dir, 1) != 0)
		return -1;
	for (size_t f = 0; f < N_FORMATS; f++) {
		snprintf(cmd, sizeof cmd,
		         "cd \"$IPSEC_SIM_PLOT_DIR\" && exec gnuplot -e \"fmt='%s'\" %s.gp",
		         FORMATS[f], name);
		fflush(NULL);
		int status = system(cmd);
		if (status != 0) {
			fprintf(log, "%s/%s.%s: gnuplot failed (status %d)%s\n", dir, name,
			        FORMATS[f], status,
			        status == 127 << 8 ? ": is gnuplot installed (Debian gnuplot-nox)?"
			                           : "");
			return -1;
		}
		fprintf(out, "%s/%s.%s\n", dir, name, FORMATS[f]);
	}
	return 0;
}

int report_plot_all(const struct report *r, const char *dir, FILE *out, FILE *log)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof PLOTS / sizeof PLOTS[0] && rc == 0; i++) {
		char path[4200];
		bool empty = PLOTS[i].needs == REPORT__COUNT ? !r->series.n_flows
		                                             : !r->tables[PLOTS[i].needs].n_groups;
		if (empty) {
			fprintf(out, "%s: nothing to plot\n", PLOTS[i].name);
			for (size_t f = 0; f <= N_FORMATS; f++) {
				snprintf(path, sizeof path, "%s/%s.%s", dir, PLOTS[i].name,
				         f < N_FORMATS ? FORMATS[f] : "gp");
				remove(path);
			}
			continue;
		}
		snprintf(path, sizeof path, "%s/%s.gp", dir, PLOTS[i].name);
		if (write_script(r, i, path) != 0) {
			fprintf(log, "%s: %s\n", path, strerror(errno));
			rc = -1;
		} else if (draw(dir, PLOTS[i].name, out, log) != 0) {
			rc = -1;
		}
	}
	return rc;
}
