#include "report_plot.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report_axis.h"

/* Every figure is drawn on a canvas laid out here, in pixels of the PNG
 * (the PDF and SVG have the same proportions): a title band on top, panels
 * in a grid (each with gnuplot's own margins inside), and the legend in a
 * band of its own at the bottom, out of the data.  No gnuplot key: gnuplot
 * fits a key by shrinking or dropping entries, and warns ("difficulty
 * fitting plot titles into key") when it cannot. */
#define WIDTH 1000   /* one or two columns of panels */
#define WIDE 1450    /* three */
#define PLOT_H 250.0 /* a panel without its tic labels and title */
/* The font is 10 pt at 96 dpi, 13.3 px, in each format (the PDF page is the
 * PNG at 96 dpi, the SVG font 13.3 px) */
#define CHAR_W 7.5     /* a character of it, on average at most */
#define LINE_H 16.0    /* a line of it */
#define LEFT_PX 90.0   /* a panel's left margin: y tic labels and y label */
#define RIGHT_PX 30.0  /* its right margin */
#define SAMPLE_PX 28.0 /* a legend entry's line or box */
#define MAX_ENTRIES 64 /* legend entries at most (then "..."): 12 configs x 5 */
#define N_COLOURS 12

/* Colours of the curves and bars (Tableau 10 and two darker ones); after
 * the twelfth, dashed lines. */
static const char *const COLOURS[N_COLOURS] = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
};

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
 * double quotes and backslashes inside become single quotes, newlines
 * "\n". */
static void gp_quoted(FILE *gp, const char *s)
{
	fputc('"', gp);
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", gp);
		else
			fputc(*s == '"' || *s == '\\' ? '\'' : *s, gp);
	fputc('"', gp);
}

static void gp_number(FILE *gp, double v)
{
	if (isnan(v))
		fputs(" NaN", gp);
	else
		fprintf(gp, " %.10g", v);
}

/* Curve i's colour (and dash pattern, after N_COLOURS). */
static void gp_style(FILE *gp, size_t i)
{
	fprintf(gp, "lc rgb '%s' dt %zu", COLOURS[i % N_COLOURS], i / N_COLOURS + 1);
}

/* Breaks `text` into lines of at most `max` characters at spaces, in
 * place; returns the number of lines. */
static size_t wrap(char *text, size_t max)
{
	size_t lines = 1;
	char *line = text, *space = NULL;
	for (char *p = text; *p; p++) {
		if (*p == '\n') {
			line = p + 1;
			space = NULL;
			lines++;
		} else if (*p == ' ')
			space = p;
		if ((size_t)(p - line) >= max && space) {
			*space = '\n';
			line = space + 1;
			space = NULL;
			lines++;
		}
	}
	return lines;
}

/* ---- the canvas ---- */

struct entry {
	char text[400];
	size_t style;
	bool box; /* a bar's colour, else a line's */
};

struct fig {
	FILE *gp;
	const struct report *r;
	const struct report_axis *ax;
	double width, height, title_h, legend_h, panel_w, panel_h;
	double bottom; /* of the current panel, px from the canvas's bottom */
	size_t rows, cols;
	struct entry entries[MAX_ENTRIES];
	size_t n_entries, dropped;
};

static void fig_init(struct fig *f, FILE *gp, const struct report *r, const struct report_axis *ax,
                     size_t cols)
{
	*f = (struct fig){.gp = gp, .r = r, .ax = ax, .cols = cols};
	f->width = cols > 2 ? WIDE : WIDTH;
	f->panel_w = f->width / (double)cols;
}

/* A legend entry for curve or bar colour `style`. */
static void fig_entry(struct fig *f, const char *text, size_t style, bool box)
{
	if (f->n_entries == MAX_ENTRIES) {
		f->dropped++;
		return;
	}
	struct entry *e = &f->entries[f->n_entries++];
	snprintf(e->text, sizeof e->text, "%s", text);
	e->style = style;
	e->box = box;
}

/* The legend's columns: as many as the widest entry allows. */
static size_t legend_columns(const struct fig *f, double *entry_w)
{
	size_t longest = f->dropped ? 16 : 0;
	for (size_t i = 0; i < f->n_entries; i++)
		if (strlen(f->entries[i].text) > longest)
			longest = strlen(f->entries[i].text);
	*entry_w = SAMPLE_PX + 8 + (double)longest * CHAR_W + 20;
	size_t cols = (size_t)((f->width - 20) / *entry_w);
	return cols ? cols : 1;
}

/* "site-to-site: throughput per flow" and, on a second line, how the
 * numbers were made, wrapped to the canvas. */
static size_t fig_title(const struct fig *f, const char *what, char *title, size_t len)
{
	size_t min = (size_t)-1, max = 0;
	for (size_t c = 0; c < f->r->n_configs; c++) {
		if (f->r->configs[c].complete > max)
			max = f->r->configs[c].complete;
		if (f->r->configs[c].complete < min)
			min = f->r->configs[c].complete;
	}
	char reps[64];
	if (min == max)
		snprintf(reps, sizeof reps, "%zu", max);
	else
		snprintf(reps, sizeof reps, "%zu to %zu", min, max);
	snprintf(title, len,
	         "%s: %s\nmean of %s replications per configuration, %.0f %% confidence interval "
	         "(Student's t; percentile bootstrap for shares in %%)",
	         f->r->scenario ? f->r->scenario : "several scenarios", what, reps,
	         REPORT_CONFIDENCE * 100);
	return wrap(title, (size_t)((f->width - 40) / CHAR_W));
}

/* The terminal for `fmt` (set by whoever runs the script, PNG if not):
 * the same size in each, so a figure restyled once redraws alike in all
 * three; the output is the script's name with the format's extension.
 * `rows` of panels of `panel_h` pixels. */
static void fig_begin(struct fig *f, const char *name, const char *what, size_t rows,
                      double panel_h)
{
	char title[1024];
	double entry_w;
	size_t cols = legend_columns(f, &entry_w);
	size_t entries = f->n_entries + (f->dropped > 0);
	f->rows = rows;
	f->panel_h = panel_h;
	f->title_h = (double)fig_title(f, what, title, sizeof title) * LINE_H + 24;
	f->legend_h = entries ? (double)((entries + cols - 1) / cols) * LINE_H + 16 : 0;
	f->height = ceil(f->title_h + (double)rows * panel_h + f->legend_h);
	FILE *gp = f->gp;
	fprintf(gp,
	        "if (!exists('fmt')) fmt = 'png'\n"
	        "if (fmt eq 'png') set terminal pngcairo size %.0f,%.0f noenhanced font ',10'\n"
	        "if (fmt eq 'pdf') set terminal pdfcairo size %.2fin,%.2fin noenhanced font ',10'\n"
	        "if (fmt eq 'svg') set terminal svg size %.0f,%.0f noenhanced font ',13.3' "
	        "background "
	        "'white'\n"
	        "set output ",
	        f->width, f->height, f->width / 96.0, f->height / 96.0, f->width, f->height);
	gp_string(gp, name);
	fprintf(gp, ".'.'.fmt\nunset key\nset grid ytics\nset multiplot title ");
	gp_quoted(gp, title);
	fputc('\n', gp);
}

/* The legend, in the band at the bottom: a sample and the text per entry,
 * in columns. */
static void fig_legend(const struct fig *f)
{
	double entry_w, H = f->height;
	size_t cols = legend_columns(f, &entry_w);
	for (size_t i = 0; i <= f->n_entries; i++) {
		if (i == f->n_entries && !f->dropped)
			break;
		double x = 10 + (double)(i % cols) * entry_w;
		double y = f->legend_h - 8 - ((double)(i / cols) + 0.5) * LINE_H;
		if (i == f->n_entries) {
			fprintf(f->gp, "set label '... %zu more' at screen %.4f, %.4f left\n",
			        f->dropped, x / f->width, y / H);
			break;
		}
		const struct entry *e = &f->entries[i];
		fprintf(f->gp,
		        "set arrow from screen %.4f, %.4f to screen %.4f, %.4f nohead lw %d ",
		        x / f->width, y / H, (x + SAMPLE_PX) / f->width, y / H, e->box ? 8 : 2);
		gp_style(f->gp, e->style);
		fprintf(f->gp, "\nset label ");
		gp_string(f->gp, e->text);
		fprintf(f->gp, " at screen %.4f, %.4f left\n", (x + SAMPLE_PX + 8) / f->width,
		        y / H);
	}
}

/* The panel at (row, col) takes the plots that follow; the last one also
 * draws the legend. */
static void fig_panel(struct fig *f, size_t row, size_t col, bool last)
{
	f->bottom = f->legend_h + (double)(f->rows - 1 - row) * f->panel_h;
	fprintf(f->gp, "set origin %.4f, %.4f\nset size %.4f, %.4f\n",
	        (double)col * f->panel_w / f->width, f->bottom / f->height, f->panel_w / f->width,
	        f->panel_h / f->height);
	if (last)
		fig_legend(f);
}

static void fig_end(const struct fig *f)
{
	fprintf(f->gp, "unset multiplot\n");
}

/* A panel's title, wrapped to its width: its lines. */
static size_t gp_panel_title(const struct fig *f, const char *text)
{
	char t[512];
	snprintf(t, sizeof t, "%s", text);
	size_t lines = wrap(t, (size_t)((f->panel_w - 20) / CHAR_W));
	fprintf(f->gp, "set title ");
	gp_quoted(f->gp, t);
	fputc('\n', f->gp);
	return lines;
}

/* ---- configurations on the x axis ---- */

/* A tic per configuration: its varied parameters (their values alone when
 * every configuration sets each, the names then in the axis label), one
 * per line if the longest line fits between two tics; else written
 * upwards, one per line if the lines fit side by side, else on one line.
 * gnuplot does not make room for labels of several lines: the bottom
 * margin does.  Returns the pixels the labels take below the axis. */
struct tics {
	bool upright, stacked; /* a line each; upright or written upwards */
	double px;             /* below the axis */
};

static struct tics tics_layout(const struct fig *f)
{
	const struct report *r = f->r;
	double spacing = (f->panel_w - LEFT_PX - RIGHT_PX) / (double)r->n_configs;
	size_t longest = 0, joined = 0, lines = 1;
	char text[512];
	for (size_t c = 0; c < r->n_configs; c++) {
		size_t n =
		        report_axis_label(r, f->ax, c, (size_t)-1, false, "\n", text, sizeof text);
		lines = n > lines ? n : lines;
		for (const char *p = text; *p;) {
			size_t len = strcspn(p, "\n");
			longest = len > longest ? len : longest;
			p += len + (p[len] == '\n');
		}
		/* ", " between them on one line */
		size_t one_line = strlen(text) + (n ? n - 1 : 0);
		joined = one_line > joined ? one_line : joined;
	}
	struct tics t = {.upright = (double)longest * CHAR_W <= spacing - 6};
	t.stacked = t.upright || (double)lines * LINE_H <= spacing - 4;
	t.px = t.upright ? (double)lines * LINE_H : (double)(t.stacked ? longest : joined) * CHAR_W;
	if (f->ax->values_only) /* the names' line */
		t.px += LINE_H * 1.2;
	return t;
}

static void gp_xtics(const struct fig *f, size_t lines_of_title)
{
	const struct report *r = f->r;
	const struct report_axis *ax = f->ax;
	struct tics t = tics_layout(f);
	char text[512];
	fprintf(f->gp, "set xtics (");
	for (size_t c = 0; c < r->n_configs; c++) {
		report_axis_label(r, ax, c, (size_t)-1, false, t.stacked ? "\n" : ", ", text,
		                  sizeof text);
		fprintf(f->gp, "%s", c ? ", " : "");
		gp_quoted(f->gp, text);
		fprintf(f->gp, " %zu", c);
	}
	fprintf(f->gp, ")\n%s\n",
	        t.upright ? "set xtics norotate" : "set xtics rotate by 90 right");
	/* the names of the values, in their order, under the tics (not as an
	 * xlabel: gnuplot places that after its own estimate of the tics) */
	fprintf(f->gp, "unset xlabel\nunset label 100\n");
	if (ax->values_only) {
		fprintf(f->gp, "set label 100 '");
		for (size_t k = 0; k < r->n_keys; k++)
			fprintf(f->gp, "%s%s", k ? ", " : "", ax->names[k]);
		fprintf(f->gp, "%s' at graph 0.5, screen %.4f center\n",
		        t.stacked && r->n_keys > 1 ? " (a line each)" : "",
		        (f->bottom + LINE_H * 0.7) / f->height);
	}
	fprintf(f->gp, "set bmargin %.1f\nset tmargin %.1f\n", t.px / LINE_H + 1.5,
	        (double)lines_of_title + 1.0);
}

/* The numeric axis: its parameter's name, and a tic at each value written
 * as in the sweep (so with its unit), left out where it would touch the previous one;
 * logarithmic when the values span two decades or more. */
static void gp_numeric_axis(const struct fig *f)
{
	const struct report *r = f->r;
	const struct report_axis *ax = f->ax;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t c = 0; c < r->n_configs; c++) {
		lo = fmin(lo, ax->x[c]);
		hi = fmax(hi, ax->x[c]);
	}
	bool log = lo > 0 && hi / lo >= 100;
	double span = log ? log10(hi / lo) : hi - lo;
	double px = (f->panel_w - LEFT_PX - RIGHT_PX) / (span > 0 ? span * 1.1 : 1);
	fprintf(f->gp, "%s\nset xrange [%.10g:%.10g]\nset xtics (",
	        log ? "set logscale x" : "unset logscale x",
	        log ? lo / pow(10, span * 0.05) : lo - span * 0.05,
	        log ? hi * pow(10, span * 0.05) : hi + span * 0.05);
	/* values in increasing order, each once */
	double last = -INFINITY, last_end = -INFINITY;
	size_t tics = 0;
	for (;;) {
		size_t next = (size_t)-1;
		for (size_t c = 0; c < r->n_configs; c++)
			if (ax->x[c] > last && (next == (size_t)-1 || ax->x[c] < ax->x[next]))
				next = c;
		if (next == (size_t)-1)
			break;
		last = ax->x[next];
		const char *v = r->configs[next].values[ax->numeric];
		double at = (log ? log10(last / lo) : last - lo) * px;
		double half = (double)strlen(v) * CHAR_W / 2;
		bool room = at - half >= last_end + 4;
		fprintf(f->gp, "%s", tics++ ? ", " : "");
		gp_quoted(f->gp, room ? v : "");
		fprintf(f->gp, " %.10g", last);
		if (room)
			last_end = at + half;
	}
	fprintf(f->gp, ")\nset xtics norotate\nset xlabel ");
	char label[256];
	snprintf(label, sizeof label, "%s%s", ax->names[ax->numeric],
	         log ? " (logarithmic scale)" : "");
	gp_string(f->gp, label);
	fprintf(f->gp, "\nset bmargin 3.5\nset tmargin 3\n");
}

/* The legend of gp_columns: a bar colour per column, or on a numeric axis
 * a line per column and line of the axis. */
static void column_entries(struct fig *f, const char *const *names, size_t n_cols)
{
	const struct report_axis *ax = f->ax;
	if (ax->numeric == (size_t)-1) {
		for (size_t k = 0; k < n_cols; k++)
			fig_entry(f, names[k], k, true);
		return;
	}
	char label[300], text[400];
	for (size_t k = 0; k < n_cols; k++)
		for (size_t l = 0; l < ax->n_lines; l++) {
			size_t n = report_axis_label(f->r, ax, ax->line_head[l], ax->numeric, true,
			                             ", ", label, sizeof label);
			if (n && n_cols > 1)
				snprintf(text, sizeof text, "%s, %s", names[k], label);
			else
				snprintf(text, sizeof text, "%s", n ? label : names[k]);
			fig_entry(f, text, k * ax->n_lines + l, false);
		}
}

/* One panel of a table's columns per configuration: on a numeric axis, a
 * line with its interval as a band per column and line of the axis; else
 * clustered bars with error bars, a cluster per configuration.  cols[k]
 * [c * stride] is column k's cell of configuration c. */
static void gp_columns(const struct fig *f, const char *block, const struct stats_ci *const *cols,
                       size_t n_cols, size_t stride)
{
	const struct report *r = f->r;
	const struct report_axis *ax = f->ax;
	FILE *gp = f->gp;
	bool numeric = ax->numeric != (size_t)-1;
	double top = 0;
	size_t n_lines = numeric ? ax->n_lines : 1;
	/* the data: a block per column and line (bars: one per column) */
	for (size_t k = 0; k < n_cols; k++)
		for (size_t l = 0; l < n_lines; l++) {
			fprintf(gp, "$%s_%zu_%zu << EOD\n", block, k, l);
			/* by increasing x on a numeric axis */
			double last = -INFINITY;
			for (size_t done = 0; done < r->n_configs; done++) {
				size_t c = done;
				if (numeric) {
					c = (size_t)-1;
					for (size_t d = 0; d < r->n_configs; d++)
						if (ax->line[d] == l && ax->x[d] > last &&
						    (c == (size_t)-1 || ax->x[d] < ax->x[c]))
							c = d;
					if (c == (size_t)-1)
						break;
					last = ax->x[c];
					gp_number(gp, ax->x[c]);
				}
				const struct stats_ci *ci = &cols[k][c * stride];
				/* the interval, t or bootstrap; none: the mean */
				double low = isnan(ci->low) ? ci->mean : ci->low;
				double high = isnan(ci->high) ? ci->mean : ci->high;
				gp_number(gp, ci->mean);
				gp_number(gp, low);
				gp_number(gp, high);
				fprintf(gp, " %lld\n", (long long)r->configs[c].id);
				top = high > top ? high : top;
			}
			fprintf(gp, "EOD\n");
		}
	fprintf(gp, "set yrange [0:%g]\n", top > 0 ? top * 1.08 : 1);
	if (!numeric) {
		/* a configuration per unit: the spacing gp_xtics laid out for */
		fprintf(gp, "set xrange [-0.5:%g]\n", (double)r->n_configs - 0.5);
		fprintf(gp, "set style data histogram\n"
		            "set style histogram errorbars gap 2 lw 1.5\n"
		            "set style fill solid 0.75 border -1\nplot ");
		for (size_t k = 0; k < n_cols; k++) {
			fprintf(gp, "%s$%s_%zu_0 using 1:2:3 ", k ? ", " : "", block, k);
			gp_style(gp, k);
		}
		fputc('\n', gp);
		return;
	}
	fprintf(gp, "set style data lines\nplot ");
	for (size_t k = 0; k < n_cols; k++)
		for (size_t l = 0; l < n_lines; l++) {
			size_t style = k * n_lines + l;
			fprintf(gp,
			        "%s$%s_%zu_%zu using 1:3:4 with filledcurves fs transparent solid "
			        "0.2 "
			        "noborder ",
			        k || l ? ", " : "", block, k, l);
			gp_style(gp, style);
			fprintf(gp, ", $%s_%zu_%zu using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 ",
			        block, k, l);
			gp_style(gp, style);
		}
	fputc('\n', gp);
}

/* The x axis of a panel of gp_columns: the numeric parameter or the
 * configurations. */
static void gp_columns_axis(const struct fig *f, size_t lines_of_title)
{
	if (f->ax->numeric == (size_t)-1)
		gp_xtics(f, lines_of_title);
	else
		gp_numeric_axis(f);
}

/* The pixels that axis takes below the plot. */
static double columns_axis_height(const struct fig *f)
{
	return f->ax->numeric == (size_t)-1 ? tics_layout(f).px : 2.5 * LINE_H;
}

/* The height of a panel: the plot, its title and what is below its axis. */
static double panel_height(size_t title_lines, double below)
{
	return PLOT_H + (double)title_lines * LINE_H + below + 2 * LINE_H;
}

/* ---- the plots ---- */

/* Every plot: its name, the table it needs rows in, and its function; or,
 * for a plot of the table's groups per configuration, no function but its
 * title and y label. */
struct plot {
	const char *name;
	enum report_metric needs;
	void (*draw)(FILE *gp, const struct report *r, const struct report_axis *ax,
	             const struct plot *p);
	const char *title, *ylabel;
};

/* A table's groups as columns, one panel. */
static void plot_table(FILE *gp, const struct report *r, const struct report_axis *ax,
                       const struct plot *p)
{
	const struct report_table *t = &r->tables[p->needs];
	const struct stats_ci *cols[t->n_groups + 1];
	const char *names[t->n_groups + 1];
	for (size_t g = 0; g < t->n_groups; g++) {
		cols[g] = &t->cells[g];
		names[g] = t->groups[g];
	}
	struct fig f;
	fig_init(&f, gp, r, ax, 1);
	column_entries(&f, names, t->n_groups);
	fig_begin(&f, p->name, p->title, 1, panel_height(1, columns_axis_height(&f)));
	fig_panel(&f, 0, 0, true);
	fprintf(gp, "unset title\nset ylabel '%s'\n", p->ylabel);
	gp_columns_axis(&f, 0);
	gp_columns(&f, "data", cols, t->n_groups, t->n_groups);
	fig_end(&f);
}

/* One panel per flow: mean, p50 and p99 of the delay per configuration.
 * The three tables come from the same rows of `flows`: same groups. */
static void plot_delay(FILE *gp, const struct report *r, const struct report_axis *ax,
                       const struct plot *p)
{
	const struct report_table *mean = &r->tables[REPORT_DELAY_MEAN];
	const struct report_table *p50 = &r->tables[REPORT_DELAY_P50];
	const struct report_table *p99 = &r->tables[REPORT_DELAY_P99];
	const char *names[] = {"mean", "p50", "p99"};
	size_t flows = mean->n_groups;
	struct fig f;
	fig_init(&f, gp, r, ax, 1);
	column_entries(&f, names, 3);
	fig_begin(&f, p->name, "delay per flow: one-way for UDP, round trip for ping and reqresp",
	          flows, panel_height(1, columns_axis_height(&f)));
	fprintf(gp, "set ylabel 'delay [ms]'\n");
	for (size_t g = 0; g < flows; g++) {
		const char *flow = mean->groups[g];
		fig_panel(&f, g, 0, g + 1 == flows);
		size_t lines = gp_panel_title(&f, flow);
		gp_columns_axis(&f, lines);
		const struct stats_ci *cols[] = {report_cell(mean, 0, flow),
		                                 report_cell(p50, 0, flow),
		                                 report_cell(p99, 0, flow)};
		char block[32];
		snprintf(block, sizeof block, "delay%zu", g);
		gp_columns(&f, block, cols, 3, mean->n_groups);
	}
	fig_end(&f);
}

/* A legend entry per configuration with a curve in some panel. */
static void config_entries(struct fig *f, const bool *drawn, const char *suffix[])
{
	char label[256], text[300];
	for (size_t c = 0; c < f->r->n_configs; c++) {
		if (drawn && !drawn[c])
			continue;
		report_axis_label(f->r, f->ax, c, (size_t)-1, true, ", ", label, sizeof label);
		snprintf(text, sizeof text, "%s%s", label, suffix ? suffix[c] : "");
		fig_entry(f, text, c, false);
	}
}

/* A curve per configuration c with data: the mean as a line and its
 * interval as a band (the mean alone where n < 2); point(c, i, &x, &ci)
 * gives its points, false after the last. */
typedef bool (*point_fn)(const struct report *r, size_t c, size_t i, const void *arg, double *x,
                         const struct stats_ci **ci);

/* Whether configuration c's curve has a point with a mean. */
static bool has_points(const struct report *r, size_t c, point_fn point, const void *arg)
{
	double x;
	const struct stats_ci *ci;
	for (size_t i = 0; point(r, c, i, arg, &x, &ci); i++)
		if (!isnan(ci->mean))
			return true;
	return false;
}

static void gp_curves(FILE *gp, const struct report *r, point_fn point, const void *arg)
{
	double x;
	const struct stats_ci *ci;
	size_t drawn = 0;
	fprintf(gp, "plot ");
	for (size_t c = 0; c < r->n_configs; c++) {
		if (!has_points(r, c, point, arg))
			continue;
		fprintf(gp,
		        "%s'-' using 1:3:4 with filledcurves fs transparent solid 0.2 noborder ",
		        drawn++ ? ", " : "");
		gp_style(gp, c);
		fprintf(gp, ", '-' using 1:2 with lines lw 1.5 ");
		gp_style(gp, c);
	}
	if (!drawn) /* an empty panel: a line below the y range */
		fprintf(gp, "-1 notitle");
	fputc('\n', gp);
	/* inline data: each curve twice (band, line) */
	for (size_t c = 0; c < r->n_configs; c++)
		for (int copy = 0; copy < 2 && has_points(r, c, point, arg); copy++) {
			for (size_t i = 0; point(r, c, i, arg, &x, &ci); i++) {
				if (isnan(ci->mean))
					continue; /* nothing then (a loss ratio of nothing sent) */
				gp_number(gp, x);
				gp_number(gp, ci->mean);
				gp_number(gp, isnan(ci->low) ? ci->mean : ci->low);
				gp_number(gp, isnan(ci->high) ? ci->mean : ci->high);
				fputc('\n', gp);
			}
			fputs("e\n", gp);
		}
}

struct rekey_arg {
	int kind;
	bool loss;
};

static bool rekey_point(const struct report *r, size_t c, size_t i, const void *arg, double *x,
                        const struct stats_ci **ci)
{
	const struct rekey_arg *a = arg;
	const struct report_rekey_curve *k = &r->rekey[c * REPORT_REKEY__KINDS + a->kind];
	if (!k->runs || i >= k->n_bins)
		return false;
	*x = ((double)k->first + (double)i) * k->width_s;
	*ci = a->loss ? &k->loss[i] : &k->lost[i];
	return true;
}

/* A row per kind of event with data, packets lost per event on the left,
 * the loss ratio on the right. */
static void plot_rekey_loss(FILE *gp, const struct report *r, const struct report_axis *ax,
                            const struct plot *p)
{
	int kinds[REPORT_REKEY__KINDS], n = 0;
	bool drawn[r->n_configs + 1];
	char *events[r->n_configs + 1];
	const char *suffix[r->n_configs + 1];
	for (size_t c = 0; c < r->n_configs; c++) {
		drawn[c] = false;
		events[c] = calloc(1, 160);
		suffix[c] = events[c] ? events[c] : "";
	}
	for (int k = 0; k < REPORT_REKEY__KINDS; k++) {
		bool any = false;
		for (size_t c = 0; c < r->n_configs; c++) {
			const struct report_rekey_curve *rk =
			        &r->rekey[c * REPORT_REKEY__KINDS + k];
			if (!rk->runs)
				continue;
			any = drawn[c] = true;
			if (events[c])
				snprintf(events[c] + strlen(events[c]), 160 - strlen(events[c]),
				         "%s%zu %s", *events[c] ? ", " : " (", rk->events,
				         REPORT_REKEY_KIND_NAMES[k]);
		}
		if (any)
			kinds[n++] = k;
	}
	for (size_t c = 0; c < r->n_configs; c++)
		if (events[c] && *events[c])
			strcat(events[c], ")");
	struct fig f;
	fig_init(&f, gp, r, ax, 2);
	config_entries(&f, drawn, suffix);
	fig_begin(&f, p->name,
	          "packets by send time around rekey events (0: the bin of the event; all flows)",
	          (size_t)n, panel_height(2, 2.5 * LINE_H));
	fprintf(gp,
	        "set xlabel 'time since the event [s]'\nset xrange [%g:%g]\n"
	        "set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2\n",
	        -REPORT_REKEY_BEFORE_S, REPORT_REKEY_AFTER_S);
	for (int i = 0; i < n; i++)
		for (int loss = 0; loss < 2; loss++) {
			fig_panel(&f, (size_t)i, (size_t)loss, i + 1 == n && loss);
			char title[200];
			snprintf(title, sizeof title, "%s: %s", REPORT_REKEY_KIND_NAMES[kinds[i]],
			         loss ? "loss ratio of the packets sent in each bin"
			              : "packets lost per event, by send time");
			gp_panel_title(&f, title);
			fprintf(gp, "set ylabel '%s'\n",
			        loss ? "lost [% of packets sent]" : "packets lost per event");
			struct rekey_arg a = {kinds[i], loss != 0};
			gp_curves(gp, r, rekey_point, &a);
		}
	fig_end(&f);
	for (size_t c = 0; c < r->n_configs; c++)
		free(events[c]);
}

/* At most this many flows get a row of the time series. */
#define SERIES_FLOWS 8

/* The timeline's marks within [0, span] (sorted by time): a dashed line
 * each, named at the top; marks closer than a line of text to the first of
 * a group share its name, their names joined (px_per_s: the panel's
 * scale). */
static void gp_marks(FILE *gp, const struct report_series *s, double span, double px_per_s)
{
	fprintf(gp, "unset arrow\nunset label\n");
	char names[256] = "";
	double at = 0;
	for (size_t m = 0; m <= s->n_marks; m++) {
		const struct report_mark *k = m < s->n_marks ? &s->marks[m] : NULL;
		if (k && (k->t < 0 || k->t > span))
			continue;
		if (*names && (!k || (k->t - at) * px_per_s >= 12)) {
			fprintf(gp, "set label ");
			gp_string(gp, names);
			fprintf(gp, " at %g, graph 0.98 rotate by 90 right font ',7' tc 'gray40'\n",
			        at);
			*names = 0;
		}
		if (!k)
			break;
		fprintf(gp, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc 'gray40'\n",
		        k->t, k->t);
		if (!*names)
			at = k->t;
		if (!strstr(names, k->what))
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			         *names ? " + " : "", k->what);
	}
}

enum series_kind { SERIES_TPUT, SERIES_LOSS, SERIES_DELAY, SERIES_UTIL };

struct series_arg {
	enum series_kind kind;
	size_t row; /* flow or engine */
};

static bool series_point(const struct report *r, size_t c, size_t i, const void *arg, double *x,
                         const struct stats_ci **ci)
{
	const struct series_arg *a = arg;
	const struct report_series *s = &r->series;
	bool util = a->kind == SERIES_UTIL;
	size_t bins = util ? s->n_engine_bins : s->n_bins;
	if (i >= bins)
		return false;
	const struct stats_ci *v = util                     ? s->util
	                           : a->kind == SERIES_TPUT ? s->tput
	                           : a->kind == SERIES_LOSS ? s->loss
	                                                    : s->delay;
	*x = ((double)i + 0.5) * (util ? s->engine_width_s : s->width_s);
	*ci = &v[(c * (util ? s->n_engines : s->n_flows) + a->row) * bins + i];
	return true;
}

static const struct {
	const char *title, *ylabel;
} SERIES[] = {
        [SERIES_TPUT] = {"throughput received", "Mbit/s"},
        [SERIES_LOSS] = {"loss ratio of the packets sent in each bin", "lost [% of packets sent]"},
        [SERIES_DELAY] = {"mean delay of the packets sent in each bin", "delay [ms]"},
        [SERIES_UTIL] = {"crypto engine utilisation", "utilisation [% of the lanes busy]"},
};

/* The time series: a row per flow (the first SERIES_FLOWS), throughput,
 * loss and delay (when recorded) side by side; or a row per crypto
 * engine, its utilisation; over simulated time, the timeline's events
 * marked. */
static void draw_series(FILE *gp, const struct report *r, const struct report_axis *ax,
                        const char *name, bool engines)
{
	const struct report_series *s = &r->series;
	size_t rows = engines                     ? s->n_engines
	              : s->n_flows < SERIES_FLOWS ? s->n_flows
	                                          : SERIES_FLOWS;
	size_t cols = engines ? 1 : s->has_delay ? 3 : 2;
	struct fig f;
	fig_init(&f, gp, r, ax, cols);
	config_entries(&f, NULL, NULL);
	char what[200];
	snprintf(what, sizeof what,
	         "%s over simulated time, bins of %g s%s; marks: events and rekeys",
	         engines ? "crypto engines" : "flows", engines ? s->engine_width_s : s->width_s,
	         !engines && s->n_flows > rows ? " (the first 8 flows)" : "");
	fig_begin(&f, name, what, rows, panel_height(1, 2.5 * LINE_H));
	fprintf(gp, "set xlabel 'simulated time [s]'\nset yrange [0:*]\n"
	            "set offsets 0, 0, graph 0.1, 0\n");
	double span = engines ? (double)s->n_engine_bins * s->engine_width_s
	                      : (double)s->n_bins * s->width_s;
	fprintf(gp, "set xrange [0:%g]\n", span > 0 ? span : 1);
	gp_marks(gp, s, span, (f.panel_w - LEFT_PX - RIGHT_PX) / (span > 0 ? span : 1));
	for (size_t row = 0; row < rows; row++)
		for (size_t col = 0; col < cols; col++) {
			enum series_kind kind = engines ? SERIES_UTIL : (enum series_kind)col;
			fig_panel(&f, row, col, row + 1 == rows && col + 1 == cols);
			char title[300];
			snprintf(title, sizeof title, "%s: %s",
			         engines ? s->engines[row] : s->flows[row], SERIES[kind].title);
			gp_panel_title(&f, title);
			fprintf(gp, "set ylabel '%s'\n", SERIES[kind].ylabel);
			struct series_arg a = {kind, row};
			gp_curves(gp, r, series_point, &a);
		}
	fig_end(&f);
}

static void plot_series(FILE *gp, const struct report *r, const struct report_axis *ax,
                        const struct plot *p)
{
	draw_series(gp, r, ax, p->name, false);
}

static void plot_engines(FILE *gp, const struct report *r, const struct report_axis *ax,
                         const struct plot *p)
{
	draw_series(gp, r, ax, p->name, true);
}

/* Empirical CDFs of the setup times, a curve per configuration. */
static void plot_setup(FILE *gp, const struct report *r, const struct report_axis *ax,
                       const struct plot *p)
{
	int n = 0, kinds[REPORT_SETUP__KINDS];
	bool drawn[r->n_configs + 1];
	for (size_t c = 0; c < r->n_configs; c++)
		drawn[c] = false;
	for (int k = 0; k < REPORT_SETUP__KINDS; k++) {
		bool any = false;
		for (size_t c = 0; c < r->n_configs; c++)
			if (r->setup[c * REPORT_SETUP__KINDS + k].n)
				any = drawn[c] = true;
		if (any)
			kinds[n++] = k;
	}
	struct fig f;
	fig_init(&f, gp, r, ax, (size_t)n);
	config_entries(&f, drawn, NULL);
	fig_begin(
	        &f, p->name,
	        "IKE SA setup (first IKE_SA_INIT to IKE_AUTH done, initiator) and CREATE_CHILD_SA "
	        "exchange times: empirical CDF over all runs",
	        1, panel_height(1, 2.5 * LINE_H));
	fprintf(gp, "set yrange [0:1]\nset offsets 0, 0, 0, 0\n"
	            "set grid xtics ytics\nset ylabel 'fraction of setups'\n");
	for (int i = 0; i < n; i++) {
		int k = kinds[i];
		double top = 0;
		for (size_t c = 0; c < r->n_configs; c++) {
			const struct report_samples *sm = &r->setup[c * REPORT_SETUP__KINDS + k];
			if (sm->n && sm->v[sm->n - 1] > top)
				top = sm->v[sm->n - 1];
		}
		fig_panel(&f, 0, (size_t)i, i + 1 == n);
		fprintf(gp, "set xrange [0:%g]\n", top > 0 ? top * 1.05 : 1);
		gp_panel_title(&f, REPORT_SETUP_KIND_NAMES[k]);
		fprintf(gp, "set xlabel '%s [ms]'\nplot ",
		        k == REPORT_IKE_SA_SETUP ? "setup time" : "exchange time");
		size_t shown = 0;
		for (size_t c = 0; c < r->n_configs; c++) {
			if (!r->setup[c * REPORT_SETUP__KINDS + k].n)
				continue;
			fprintf(gp, "%s'-' using 1:2 with steps lw 1.5 ", shown++ ? ", " : "");
			gp_style(gp, c);
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
	fig_end(&f);
}

/* REPORT__COUNT as `needs`: the flows' series; REPORT_CRYPTO_PEAK for the
 * engines' series needs their bins too. */
static const struct plot PLOTS[] = {
        {"throughput", REPORT_THROUGHPUT, plot_table, "throughput per flow",
         "throughput (payload) [Mbit/s]"},
        {"delay", REPORT_DELAY_MEAN, plot_delay, NULL, NULL},
        {"loss", REPORT_LOSS, plot_table, "packet loss per flow", "loss [% of packets sent]"},
        {"sa-drops", REPORT_SA_DROPS, plot_table, "packets dropped by SAs, by reason (all nodes)",
         "packets dropped per run"},
        {"drops", REPORT_DROPS, plot_table, "packets lost, by node and reason",
         "packets dropped per run"},
        {"crypto-utilisation", REPORT_CRYPTO_UTIL, plot_table,
         "crypto engine utilisation per node, over the run", "utilisation [% of the lanes busy]"},
        {"crypto-peak", REPORT_CRYPTO_PEAK, plot_table,
         "crypto engine utilisation per node, in its busiest bin",
         "utilisation [% of the lanes busy]"},
        {"crypto-series", REPORT_CRYPTO_PEAK, plot_engines, NULL, NULL},
        {"rekey-loss", REPORT_REKEY_LOST, plot_rekey_loss, NULL, NULL},
        {"ike-setup", REPORT_SETUP, plot_setup, NULL, NULL},
        {"series", REPORT__COUNT, plot_series, NULL, NULL},
};

static const char *const FORMATS[] = {"png", "pdf", "svg"};
#define N_FORMATS (sizeof FORMATS / sizeof FORMATS[0])

/* DIR/NAME.gp: the plot's script with its data inline, to restyle and
 * redraw without the database (gnuplot -e "fmt='pdf'" NAME.gp).  0, or -1
 * with errno set. */
static int write_script(const struct report *r, const struct report_axis *ax, size_t i,
                        const char *path)
{
	FILE *gp = fopen(path, "w");
	if (!gp)
		return -1;
	fprintf(gp,
	        "# ipsec-sim report: %s.  The data are inline; redraw in the folder with\n"
	        "#   gnuplot -e \"fmt='png'\" %s.gp   (or fmt='pdf', fmt='svg')\n",
	        PLOTS[i].name, PLOTS[i].name);
	PLOTS[i].draw(gp, r, ax, &PLOTS[i]);
	int err = ferror(gp);
	return fclose(gp) != 0 || err ? -1 : 0;
}

/* Runs the script in `dir` (passed through the environment: no quoting of
 * a path in a shell command) for each format; gnuplot's warnings go to
 * our standard error. */
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

static bool nothing_to_plot(const struct report *r, const struct plot *p)
{
	if (p->needs == REPORT__COUNT)
		return !r->series.n_flows;
	if (p->draw == plot_engines)
		return !r->series.n_engines;
	return !r->tables[p->needs].n_groups;
}

int report_plot_all(const struct report *r, const char *dir, FILE *out, FILE *log)
{
	struct report_axis ax;
	if (report_axis_build(r, &ax) != 0) {
		report_axis_free(&ax);
		fprintf(log, "plots: out of memory\n");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < sizeof PLOTS / sizeof PLOTS[0] && rc == 0; i++) {
		char path[4200];
		if (nothing_to_plot(r, &PLOTS[i])) {
			fprintf(out, "%s: nothing to plot\n", PLOTS[i].name);
			for (size_t f = 0; f <= N_FORMATS; f++) {
				snprintf(path, sizeof path, "%s/%s.%s", dir, PLOTS[i].name,
				         f < N_FORMATS ? FORMATS[f] : "gp");
				remove(path);
			}
			continue;
		}
		snprintf(path, sizeof path, "%s/%s.gp", dir, PLOTS[i].name);
		if (write_script(r, &ax, i, path) != 0) {
			fprintf(log, "%s: %s\n", path, strerror(errno));
			rc = -1;
		} else if (draw(dir, PLOTS[i].name, out, log) != 0) {
			rc = -1;
		}
	}
	report_axis_free(&ax);
	return rc;
}
