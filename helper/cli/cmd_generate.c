/* ipsec-sim generate hub-and-spoke --spokes N [--duration T] [--rekey T]
 *     [--traffic TYPE] [--rate PPS] [--size B] [--jitter T] [--jitter-seed N]
 *     [--crypto-engine PROFILE] [--out FILE]
 *
 * Writes a scenario (docs/scale.md): N branch gateways, each with a host on
 * its own LAN, connected through a core router to one hub whose LAN holds a
 * server.  Every spoke negotiates an IKEv2 tunnel (PSK) to the hub's one
 * %any connection, which narrows its traffic selectors to the spoke's LAN;
 * each host exchanges traffic of one type with the server (udp, poisson,
 * onoff: `rate` datagrams of `size` bytes per second each way; ping,
 * reqresp: `rate` requests per second from the host; tcp: an upload of
 * `size` bytes), starting at 2 s (plus a draw in [0, jitter) per flow,
 * written into the file) and stopping 1 s before the end, so that nothing
 * is in flight when the run ends; the Child SAs are rekeyed every `rekey`;
 * the hub has the crypto engine `crypto_engine`, if given.  Every value is
 * an ordinary scenario key, so `--set`, `--vary` and `sweep:` change it
 * (`traffic.*.rate`, `nodes.hub.crypto_engine`).
 *
 * Addresses: the hub's WAN is 100.64.0.0/30 (hub .1, core .2); spoke i
 * (1..N) has WAN 100.64.0.0/10 + 4i (a /30, core side first) and LAN
 * 10.(1 + i / 256).(i % 256).0/24; the hub's LAN is 10.0.0.0/24. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "units.h"

#define MAX_SPOKES 16000       /* 10.(1..63).x.0/24 LANs */
#define START_NS 2000000000ULL /* traffic starts once the tunnels are up */
#define DRAIN_NS 1000000000ULL /* and stops this long before the end */

/* How each traffic type is generated: --size's default, whether the
 * server sends a flow back (the other types' replies come back by
 * themselves), how --rate is written (`rate: NNpps`, or `interval:` for
 * ping, which has no rate; tcp takes none), and the flow's other keys. */
static const struct kind {
	const char *type;
	const char *size;
	bool both_ways, rate, interval;
	bool response; /* response_size: --size too */
	const char *keys;
} kinds[] = {
        {.type = "udp", .size = "200B", .both_ways = true, .rate = true, .keys = "port: 9000"},
        {.type = "poisson", .size = "200B", .both_ways = true, .rate = true, .keys = "port: 9000"},
        {.type = "onoff",
         .size = "200B",
         .both_ways = true,
         .rate = true,
         .keys = "port: 9000, on: 1s, off: 1s"},
        {.type = "ping", .size = "56", .interval = true, .keys = ""},
        {.type = "reqresp", .size = "200B", .rate = true, .response = true, .keys = "port: 7"},
        {.type = "tcp", .size = "1MB", .keys = "port: 5001"},
};

struct plan {
	unsigned spokes;
	const char *duration, *rekey, *size, *crypto;
	uint64_t duration_ns, jitter_ns, jitter_seed;
	unsigned rate;
	const struct kind *kind;
};

static int usage(void)
{
	fprintf(stderr, "usage: ipsec-sim generate hub-and-spoke --spokes N [--duration T]"
	                " [--rekey T] [--traffic udp|poisson|onoff|ping|reqresp|tcp] [--rate PPS]"
	                " [--size B] [--jitter T] [--jitter-seed N] [--crypto-engine PROFILE]"
	                " [--out FILE]\n");
	return 2;
}

/* A time in seconds, exact to the nanosecond: "2s", "2.000417s". */
static const char *seconds(uint64_t ns, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
	                 (unsigned long long)(ns % 1000000000));
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = 0;
	snprintf(buf + n, len - (size_t)n, "s");
	return buf;
}

/* SplitMix64 (Steele, Lea, Flood, OOPSLA 2014): the same draws from the
 * same --jitter-seed on every machine. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A flow's start: 2 s plus a draw in [0, jitter), in whole microseconds. */
static uint64_t flow_start(const struct plan *p, uint64_t *rng)
{
	uint64_t us = p->jitter_ns / 1000;
	return START_NS + (us ? splitmix64(rng) % us * 1000 : 0);
}

static void write_flow(FILE *f, const struct plan *p, const char *name, const char *from,
                       const char *to, uint64_t *rng)
{
	const struct kind *k = p->kind;
	char start[32], stop[32];
	fprintf(f, "  - {type: %s, name: %s, from: %s, to: %s, size: %s", k->type, name, from, to,
	        p->size);
	if (k->rate)
		fprintf(f, ", rate: %upps", p->rate);
	if (k->interval)
		fprintf(f, ", interval: %s", seconds(1000000000ULL / p->rate, start, sizeof start));
	if (k->response)
		fprintf(f, ", response_size: %s", p->size);
	fprintf(f, "%s%s, start: %s, stop: %s}\n", *k->keys ? ", " : "", k->keys,
	        seconds(flow_start(p, rng), start, sizeof start),
	        seconds(p->duration_ns - DRAIN_NS, stop, sizeof stop));
}

static void write_traffic(FILE *f, const struct plan *p)
{
	uint64_t rng = p->jitter_seed;
	char name[32], host[32];
	fprintf(f, "traffic:\n");
	for (unsigned i = 1; i <= p->spokes; i++) {
		snprintf(host, sizeof host, "host%u", i);
		snprintf(name, sizeof name, "up%u", i);
		write_flow(f, p, name, host, "server", &rng);
		if (p->kind->both_ways) {
			snprintf(name, sizeof name, "down%u", i);
			write_flow(f, p, name, "server", host, &rng);
		}
	}
}

static void wan(unsigned i, unsigned host, char *buf)
{
	uint32_t a = 0x64400000u + 4 * i + host; /* 100.64.0.0 */
	units_ipv4_str(a, buf);
}

/* The command line that makes the same file. */
static void write_command(FILE *f, const struct plan *p)
{
	fprintf(f,
	        "# Hub and spoke, generated by `ipsec-sim generate hub-and-spoke --spokes %u"
	        " --duration %s --rekey %s --traffic %s",
	        p->spokes, p->duration, p->rekey, p->kind->type);
	if (p->kind->rate || p->kind->interval)
		fprintf(f, " --rate %u", p->rate);
	fprintf(f, " --size %s", p->size);
	if (p->jitter_ns) {
		char j[32];
		fprintf(f, " --jitter %s --jitter-seed %llu", seconds(p->jitter_ns, j, sizeof j),
		        (unsigned long long)p->jitter_seed);
	}
	if (p->crypto)
		fprintf(f, " --crypto-engine %s", p->crypto);
	fprintf(f, "`.\n");
}

static void write_scenario(FILE *f, const struct plan *p)
{
	char core[16], spoke[16];
	write_command(f, p);
	fprintf(f,
	        "# The pre-shared key is a demo key: do not use it anywhere real.\n"
	        "name: hub-and-spoke-%u\n"
	        "duration: %s\n"
	        "nodes:\n"
	        "  - name: server\n"
	        "    routes: [{dst: default, via: 10.0.0.1}]\n"
	        "  - name: hub\n"
	        "    routes: [{dst: default, via: 100.64.0.2}]\n",
	        p->spokes, p->duration);
	if (p->crypto)
		fprintf(f, "    crypto_engine: %s\n", p->crypto);
	fprintf(f,
	        "    ipsec:\n"
	        "      connections:\n"
	        "        spokes:\n"
	        "          local_addrs: 100.64.0.1\n"
	        "          remote_addrs: \"%%any\"\n"
	        "          proposals: aes128gcm16-prfsha256-x25519\n"
	        "          local: {auth: psk, id: hub.example}\n"
	        "          remote: {auth: psk, id: \"*.spokes.example\"}\n"
	        "          children:\n"
	        "            lan:\n"
	        "              local_ts: 10.0.0.0/24\n"
	        "              remote_ts: 10.0.0.0/8\n"
	        "              esp_proposals: aes128gcm16\n"
	        "              rekey_time: %s\n"
	        "      secrets:\n"
	        "        - {type: ike, id: \"*.spokes.example\","
	        " secret: \"demo pre-shared key, not for real use\"}\n"
	        "  - name: core\n"
	        "    routes:\n",
	        p->rekey);
	fprintf(f, "      - {dst: 10.0.0.0/24, via: 100.64.0.1}\n");
	for (unsigned i = 1; i <= p->spokes; i++) {
		wan(i, 2, spoke);
		fprintf(f, "      - {dst: 10.%u.%u.0/24, via: %s}\n", 1 + i / 256, i % 256, spoke);
	}
	for (unsigned i = 1; i <= p->spokes; i++) {
		wan(i, 1, core);
		wan(i, 2, spoke);
		fprintf(f,
		        "  - name: spoke%u\n"
		        "    routes: [{dst: default, via: %s}]\n"
		        "    ipsec:\n"
		        "      connections:\n"
		        "        hub:\n"
		        "          local_addrs: %s\n"
		        "          remote_addrs: 100.64.0.1\n"
		        "          proposals: aes128gcm16-prfsha256-x25519\n"
		        "          local: {auth: psk, id: spoke%u.spokes.example}\n"
		        "          remote: {auth: psk, id: hub.example}\n"
		        "          children:\n"
		        "            lan:\n"
		        "              local_ts: 10.%u.%u.0/24\n"
		        "              remote_ts: 10.0.0.0/24\n"
		        "              esp_proposals: aes128gcm16\n"
		        "              start_action: start\n"
		        "              rekey_time: %s\n"
		        "      secrets:\n"
		        "        - {type: ike, id: hub.example, secret: \"demo pre-shared key, not "
		        "for"
		        " real use\"}\n"
		        "  - name: host%u\n"
		        "    routes: [{dst: default, via: 10.%u.%u.1}]\n",
		        i, core, spoke, i, 1 + i / 256, i % 256, p->rekey, i, 1 + i / 256, i % 256);
	}
	fprintf(f,
	        "links:\n"
	        "  - {between: [server, hub], addresses: [10.0.0.2/24, 10.0.0.1/24],"
	        " rate: 10Gbps, delay: 100us, queue: %u}\n"
	        "  - {between: [hub, core], addresses: [100.64.0.1/30, 100.64.0.2/30],"
	        " rate: 10Gbps, delay: 1ms, queue: %u}\n",
	        /* every spoke starts IKE at once: room for all their first messages */
	        2 * p->spokes + 100, p->spokes + 100);
	for (unsigned i = 1; i <= p->spokes; i++) {
		wan(i, 1, core);
		wan(i, 2, spoke);
		fprintf(f,
		        "  - {between: [core, spoke%u], addresses: [%s/30, %s/30], rate: 100Mbps,"
		        " delay: 10ms}\n"
		        "  - {between: [spoke%u, host%u], addresses: [10.%u.%u.1/24, "
		        "10.%u.%u.2/24],"
		        " rate: 1Gbps, delay: 100us}\n",
		        i, core, spoke, i, i, 1 + i / 256, i % 256, 1 + i / 256, i % 256);
	}
	write_traffic(f, p);
}

static const struct kind *kind_named(const char *name)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].type, name))
			return &kinds[i];
	return NULL;
}

/* A profile name or file that YAML reads as written (plain scalar). */
static int profile_value(const char *s, char *err, size_t len)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/") ==
	                  strlen(s))
		return 0;
	snprintf(err, len, "not a profile name or file (letters, digits, _ . - /)");
	return -1;
}

/* Options that depend on others: the traffic type's, the time left. */
static int check_plan(struct plan *p, bool rate_given)
{
	if (!p->spokes) {
		fprintf(stderr, "generate: --spokes is required\n");
		return -1;
	}
	if (rate_given && !p->kind->rate && !p->kind->interval) {
		fprintf(stderr,
		        "generate: --rate: %s traffic has no rate (it sends --size bytes as"
		        " fast as TCP goes)\n",
		        p->kind->type);
		return -1;
	}
	if (!p->size)
		p->size = p->kind->size;
	if (p->duration_ns < START_NS + p->jitter_ns + DRAIN_NS + 1000000) {
		char j[32];
		fprintf(stderr,
		        "generate: --duration %s leaves no time for traffic: flows start at 2s"
		        " (+ --jitter %s) and stop 1s before the end\n",
		        p->duration, seconds(p->jitter_ns, j, sizeof j));
		return -1;
	}
	return 0;
}

int cmd_generate(int argc, char **argv)
{
	struct plan p = {.duration = "60s",
	                 .duration_ns = 60000000000ULL,
	                 .rekey = "10min",
	                 .rate = 1,
	                 .jitter_seed = 1,
	                 .kind = &kinds[0]};
	const char *out = NULL;
	char err[128];
	uint64_t v;
	bool rate_given = false;
	if (argc < 2 || strcmp(argv[1], "hub-and-spoke"))
		return usage();
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = -1;
		snprintf(err, sizeof err, "unknown option");
		if (!val)
			return usage();
		if (!strcmp(a, "--spokes")) {
			rc = units_uint(val, 1, MAX_SPOKES, &v, err, sizeof err);
			p.spokes = (unsigned)v;
		} else if (!strcmp(a, "--rate")) {
			rc = units_uint(val, 1, 1000, &v, err, sizeof err);
			p.rate = (unsigned)v;
			rate_given = true;
		} else if (!strcmp(a, "--duration")) {
			rc = units_time_ns(val, &p.duration_ns, err, sizeof err);
			p.duration = val;
		} else if (!strcmp(a, "--rekey")) {
			rc = units_time_ns(val, &v, err, sizeof err);
			p.rekey = val;
		} else if (!strcmp(a, "--size")) {
			rc = units_size_bytes(val, &v, err, sizeof err);
			p.size = val;
		} else if (!strcmp(a, "--traffic")) {
			rc = (p.kind = kind_named(val)) ? 0 : -1;
			snprintf(err, sizeof err, "not udp, poisson, onoff, ping, reqresp or tcp");
		} else if (!strcmp(a, "--jitter")) {
			rc = units_time_ns(val, &p.jitter_ns, err, sizeof err);
		} else if (!strcmp(a, "--jitter-seed")) {
			rc = units_uint(val, 0, UINT64_MAX, &p.jitter_seed, err, sizeof err);
		} else if (!strcmp(a, "--crypto-engine")) {
			rc = profile_value(val, err, sizeof err);
			p.crypto = val;
		} else if (!strcmp(a, "--out")) {
			rc = 0;
			out = val;
		}
		if (rc != 0) {
			fprintf(stderr, "generate: %s %s: %s\n", a, val, err);
			return 2;
		}
	}
	if (check_plan(&p, rate_given) != 0)
		return 2;
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		perror(out);
		return 2;
	}
	write_scenario(f, &p);
	if (out && fclose(f) != 0) {
		perror(out);
		return 1;
	}
	return 0;
}
