/* The scenario loader: shipped scenarios, --set overrides, limits, the
 * `check` command.  SCENARIO_DIR is the repository's scenarios/ folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "load.h"
#include "scenario.h"

#define MS 1000000ull
#define SEC 1000000000ull

static const struct scenario_node *node(const struct scenario *s, const char *name)
{
	size_t i = scenario_node_index(s, name);

	assert_true(i != SCENARIO_NONE);
	return &s->nodes[i];
}

static const struct scenario_sa *sa(const struct scenario *s, const char *n, const char *name)
{
	const struct scenario_node *nd = node(s, n);
	size_t i = scenario_sa_index(nd, name);

	assert_true(i != SCENARIO_NONE);
	return &nd->sas[i];
}

static void test_site_to_site(void **state)
{
	struct scenario s;
	const struct scenario_node *gwa, *hosta;
	const struct scenario_sa *out, *in;
	static const uint8_t key_ab[36] = {0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52,
	                                   0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b,
	                                   0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64,
	                                   0x65, 0x66, 0x67, 0x68, 0x69, 0x0a, 0x0b, 0x0c, 0x0d};

	(void)state;
	assert_int_equal(load_file("site-to-site.yaml", NULL, 0, &s), 0);
	assert_string_equal(errbuf, "");
	assert_string_equal(s.name, "site-to-site");
	assert_true(s.duration_ns == 10 * SEC);
	assert_true(s.seed == 1);
	assert_int_equal(s.n_nodes, 4);
	assert_int_equal(s.n_links, 3);
	assert_int_equal(s.n_sas, 4);
	assert_int_equal(s.n_flows, 4);
	assert_true(s.text_len > 100 && strstr(s.text, "name: site-to-site"));

	/* Links and interfaces. */
	assert_true(s.links[1].rate_bps == 10000000);
	assert_true(s.links[1].delay_ns == 10 * MS);
	assert_true(s.links[1].addr[0] == 0xc0000201 && s.links[1].addr[1] == 0xc0000202);
	assert_int_equal(s.links[1].prefix_len, 30);
	assert_int_equal(s.links[0].mtu, 1500);
	assert_int_equal(s.links[0].queue, 100);
	assert_true(s.links[0].loss == 0.0);
	gwa = node(&s, "gwA");
	hosta = node(&s, "hostA");
	assert_int_equal(gwa->n_ifaces, 2);
	assert_true(gwa->forwarding);
	assert_false(hosta->forwarding);
	assert_int_equal(gwa->ifaces[1].link, 1);
	assert_int_equal(gwa->ifaces[1].peer, scenario_node_index(&s, "gwB"));
	assert_int_equal(s.links[1].iface[0], 1);

	/* Routes resolve to the interface of the next hop. */
	assert_int_equal(hosta->n_routes, 1);
	struct ip_addr any4 = ip_addr_v4(0);
	assert_true(ip_addr_eq(&hosta->routes[0].dst, &any4) && hosta->routes[0].prefix_len == 0);
	assert_int_equal(ip_addr_v4_value(&hosta->routes[0].via), 0x0a010001);
	assert_int_equal(hosta->routes[0].iface, 0);
	assert_int_equal(ip_addr_v4_value(&gwa->routes[0].dst), 0x0a020000);
	assert_int_equal(gwa->routes[0].prefix_len, 24);
	assert_int_equal(gwa->routes[0].iface, 1);

	/* SAs, with defaults and keys shared through YAML aliases. */
	out = sa(&s, "gwA", "gwA-out");
	in = sa(&s, "gwB", "gwB-in");
	assert_int_equal(out->cfg.dir, IPSEC_DIR_OUT);
	assert_int_equal(out->cfg.protocol, IPSEC_PROTO_ESP);
	assert_int_equal(out->cfg.mode, IPSEC_MODE_TUNNEL);
	assert_true(out->cfg.spi == 0x1001);
	assert_string_equal(ADDR_TEXT(out->cfg.src), "192.0.2.1");
	assert_string_equal(ADDR_TEXT(out->cfg.dst), "192.0.2.2");
	assert_int_equal(out->cfg.enc, IPSEC_ENC_AES_GCM16_256);
	assert_int_equal(out->cfg.integ, IPSEC_INTEG_NONE);
	assert_int_equal(out->cfg.enc_key_len, 36);
	assert_memory_equal(out->cfg.enc_key, key_ab, 36);
	assert_memory_equal(in->cfg.enc_key, key_ab, 36);
	assert_int_equal(out->cfg.replay_window, 0);
	assert_int_equal(in->cfg.replay_window, 64);
	assert_int_equal(out->cfg.df, IPSEC_DF_COPY);
	assert_true(out->cfg.copy_dscp);
	assert_int_equal(out->cfg.ttl, 64);
	assert_int_equal(out->cfg.encap_sport, 0);
	assert_true(out->cfg.soft.bytes == 0 && out->cfg.hard.seconds == 0);
	/* The SA's selector comes from the policy naming it. */
	assert_string_equal(range_text(out->cfg.sel.local_addr), "10.1.0.0/24");
	assert_string_equal(range_text(out->cfg.sel.remote_addr), "10.2.0.0/24");
	assert_int_equal(out->cfg.sel.protocol, 0);
	assert_int_equal(out->cfg.sel.remote_port.hi, 65535);

	/* Policies name SAs by index. */
	assert_true(gwa->has_ipsec);
	assert_int_equal(gwa->ipsec_default, IPSEC_ACTION_BYPASS);
	assert_int_equal(gwa->n_policies, 1);
	assert_int_equal(gwa->policies[0].action, IPSEC_ACTION_PROTECT);
	assert_int_equal(gwa->policies[0].n_out, 1);
	assert_int_equal(gwa->policies[0].out[0], scenario_sa_index(gwa, "gwA-out"));
	assert_int_equal(gwa->policies[0].n_in, 1);
	assert_int_equal(gwa->policies[0].in[0], scenario_sa_index(gwa, "gwA-in"));
	assert_false(hosta->has_ipsec);

	/* Traffic. */
	assert_string_equal(s.flows[0].name, "a-to-b");
	assert_int_equal(s.flows[0].type, SCENARIO_FLOW_UDP);
	assert_int_equal(s.flows[0].from, scenario_node_index(&s, "hostA"));
	assert_int_equal(s.flows[0].to, scenario_node_index(&s, "hostB"));
	assert_int_equal(ip_addr_v4_value(&s.flows[0].dst), 0x0a020002);
	assert_int_equal(s.flows[0].port, 9000);
	assert_int_equal(s.flows[0].size, 1000);
	assert_true(s.flows[0].rate_bps == 2000000);
	assert_true(s.flows[0].interval_ns == 4 * MS); /* 8000 bits at 2 Mbit/s */
	assert_true(s.flows[0].start_ns == SEC && s.flows[0].stop_ns == 9 * SEC);
	assert_int_equal(s.flows[2].type, SCENARIO_FLOW_PING);
	assert_int_equal(s.flows[2].size, 56);
	assert_true(s.flows[2].interval_ns == SEC);
	assert_true(s.flows[2].start_ns == 500 * MS);
	assert_true(s.flows[2].stop_ns == 10 * SEC); /* default: the duration */
	scenario_free(&s);
}

static void test_transport_scenarios(void **state)
{
	struct scenario s;
	const struct scenario_sa *x;

	(void)state;
	assert_int_equal(load_file("host-to-host-esp-transport.yaml", NULL, 0, &s), 0);
	assert_int_equal(s.n_nodes, 3);
	assert_int_equal(s.n_sas, 4);
	x = sa(&s, "hostA", "a-to-b");
	assert_int_equal(x->cfg.mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(x->cfg.enc, IPSEC_ENC_AES_CBC_128);
	assert_int_equal(x->cfg.enc_key_len, 16);
	assert_int_equal(x->cfg.integ, IPSEC_INTEG_HMAC_SHA256_128);
	assert_int_equal(x->cfg.integ_key_len, 32);
	assert_int_equal(x->cfg.integ_key[31], 0x3f);
	assert_string_equal(range_text(x->cfg.sel.local_addr), "10.0.1.2");
	assert_true(node(&s, "router")->forwarding);
	assert_false(node(&s, "router")->has_ipsec);
	scenario_free(&s);

	assert_int_equal(load_file("host-to-host-ah-transport.yaml", NULL, 0, &s), 0);
	x = sa(&s, "hostB", "a-to-b");
	assert_int_equal(x->cfg.protocol, IPSEC_PROTO_AH);
	assert_int_equal(x->cfg.dir, IPSEC_DIR_IN);
	assert_int_equal(x->cfg.enc, IPSEC_ENC_NULL);
	assert_int_equal(x->cfg.enc_key_len, 0);
	assert_int_equal(x->cfg.integ_key_len, 32);
	assert_true(x->cfg.spi == 0x4001);
	scenario_free(&s);
}

static void test_tunnel_variants(void **state)
{
	struct scenario s;

	(void)state;
	assert_int_equal(load_file("chacha-tunnel.yaml", NULL, 0, &s), 0);
	assert_int_equal(sa(&s, "gwB", "gwB-out")->cfg.enc, IPSEC_ENC_CHACHA20_POLY1305);
	assert_int_equal(sa(&s, "gwB", "gwB-out")->cfg.enc_key_len, 36);
	scenario_free(&s);
	assert_int_equal(load_file("ah-tunnel.yaml", NULL, 0, &s), 0);
	assert_int_equal(sa(&s, "gwA", "gwA-out")->cfg.protocol, IPSEC_PROTO_AH);
	assert_int_equal(sa(&s, "gwA", "gwA-out")->cfg.mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(sa(&s, "gwA", "gwA-in")->cfg.protocol, IPSEC_PROTO_AH);
	scenario_free(&s);
}

static void test_attack(void **state)
{
	struct scenario s;
	const struct scenario_node *m;

	(void)state;
	assert_int_equal(load_file("attack.yaml", NULL, 0, &s), 0);
	assert_int_equal(s.n_nodes, 5);
	assert_int_equal(s.n_links, 4);
	assert_int_equal(s.n_flows, 1);
	m = node(&s, "mitm");
	assert_true(m->forwarding);
	assert_false(m->has_ipsec);
	assert_int_equal(m->n_attacks, 4);
	assert_int_equal(m->attacks[0].action, SCENARIO_ATTACK_REPLAY);
	assert_int_equal(m->attacks[1].action, SCENARIO_ATTACK_FLIP);
	assert_int_equal(m->attacks[2].action, SCENARIO_ATTACK_TRUNCATE);
	assert_int_equal(m->attacks[3].action, SCENARIO_ATTACK_UNKNOWN_SPI);
	assert_true(m->attacks[0].at_ns == 2 * SEC);
	assert_int_equal(m->attacks[0].count, 5);
	assert_true(m->attacks[0].interval_ns == 10 * MS);
	assert_string_equal(scenario_attack_name(m->attacks[3].action), "unknown_spi");
	assert_int_equal(sa(&s, "gwB", "gwB-in")->cfg.enc, IPSEC_ENC_AES_GCM16_128);
	assert_int_equal(sa(&s, "gwB", "gwB-in")->cfg.enc_key_len, 20);
	/* Routes over the attacker. */
	assert_int_equal(node(&s, "gwA")->n_routes, 2);
	assert_int_equal(node(&s, "gwA")->routes[1].iface, 1);
	scenario_free(&s);
}

static void test_overrides_applied(void **state)
{
	struct scenario s;
	const char *sets[] = {
	        "duration=20s",                                       /* replace a scalar */
	        "seed=7",                                             /* replace a scalar */
	        "links.1.loss=1%",                                    /* add a key */
	        "traffic.a-to-b.rate=4Mbps",                          /* list item by name */
	        "nodes.gwA.ipsec.sas.gwA-in.replay_window=128",       /* nested by name */
	        "nodes.gwB.ipsec.sas.0.soft={bytes: 1MB, time: 30s}", /* a mapping */
	        "nodes.gwA.ipsec.policies.0.out=[gwA-out]",           /* a list */
	        "traffic.2.stop=", /* empty: error? no: see below */
	};

	(void)state;
	/* An empty value where a time is needed is an error about that --set. */
	assert_int_equal(load_file("site-to-site.yaml", sets, 8, &s), 2);
	assert_string_equal(errbuf, "--set:8: expected a single value for 'stop', got an empty "
	                            "value\n");
	scenario_free(&s);

	assert_int_equal(load_file("site-to-site.yaml", sets, 7, &s), 0);
	assert_string_equal(errbuf, "");
	assert_true(s.duration_ns == 20 * SEC);
	assert_true(s.seed == 7);
	assert_true(s.links[1].loss > 0.0099 && s.links[1].loss < 0.0101);
	assert_true(s.flows[0].rate_bps == 4000000);
	assert_true(s.flows[0].interval_ns == 2 * MS);
	assert_true(s.flows[2].stop_ns == 20 * SEC); /* defaults follow the new duration */
	assert_int_equal(sa(&s, "gwA", "gwA-in")->cfg.replay_window, 128);
	assert_true(sa(&s, "gwB", "gwB-in")->cfg.soft.bytes == 1000000);
	assert_true(sa(&s, "gwB", "gwB-in")->cfg.soft.seconds == 30);
	/* Provenance: the overrides, and the text before them. */
	assert_int_equal(s.n_sets, 7);
	assert_string_equal(s.sets[3], "traffic.a-to-b.rate=4Mbps");
	assert_non_null(strstr(s.text, "duration: 10s"));
	scenario_free(&s);
}

/* `capture:`: nothing said, everything; nodes and links, their union (a
 * node: every end of its links; a link: both ends); the window and limits
 * as given. */
static void test_capture(void **state)
{
	struct scenario s;
	const char *none[] = {"capture={start: 1s}"};
	const char *some[] = {"capture={nodes: [hostA], links: [[gwB, gwA]], start: 2s, stop: 3s, "
	                      "max_packets: 10, snaplen: 96}"};
	const char *empty[] = {"capture={nodes: []}"};

	(void)state;
	assert_int_equal(load_file("site-to-site.yaml", none, 1, &s), 0);
	for (size_t l = 0; l < s.n_links; l++)
		assert_true(scenario_captures(&s, l, 0) && scenario_captures(&s, l, 1));
	assert_true(s.capture.start_ns == 1 * SEC && s.capture.stop_ns == 0);
	scenario_free(&s);

	assert_int_equal(load_file("site-to-site.yaml", some, 1, &s), 0);
	assert_string_equal(errbuf, "");
	/* links: hostA-gwA, gwA-gwB, gwB-hostB */
	assert_true(scenario_captures(&s, 0, 0) && !scenario_captures(&s, 0, 1));
	assert_true(scenario_captures(&s, 1, 0) && scenario_captures(&s, 1, 1));
	assert_true(!scenario_captures(&s, 2, 0) && !scenario_captures(&s, 2, 1));
	assert_true(scenario_captures_any(&s));
	assert_true(s.capture.start_ns == 2 * SEC && s.capture.stop_ns == 3 * SEC);
	assert_true(s.capture.max_packets == 10 && s.capture.snaplen == 96);
	scenario_free(&s);

	assert_int_equal(load_file("site-to-site.yaml", empty, 1, &s), 0);
	assert_false(scenario_captures_any(&s));
	scenario_free(&s);
}

static void test_override_aliases(void **state)
{
	struct scenario s;
	const char *sets[] = {"nodes.gwA.ipsec.sas.gwA-out.enc_key="
	                      "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	                      "01020304"};

	(void)state;
	/* Replacing an aliased value changes that place only. */
	assert_int_equal(load_file("site-to-site.yaml", sets, 1, &s), 0);
	assert_int_equal(sa(&s, "gwA", "gwA-out")->cfg.enc_key[0], 0x00);
	assert_int_equal(sa(&s, "gwB", "gwB-in")->cfg.enc_key[0], 0x4a);
	scenario_free(&s);
}

static void test_override_errors(void **state)
{
	static const struct {
		const char *set, *message;
	} cases[] = {
	        {"traffic.9.rate=1Mbps",
	         "--set:1: traffic has 4 items (counted from 0), there is no item 9\n"},
	        {"nodes.gwZ.forwarding=false", "--set:1: there is no item named 'gwZ' in nodes\n"},
	        {"nodes.gwA.ipsec.nothere.x=1",
	         "--set:1: there is no 'nothere' in nodes.gwA.ipsec\n"},
	        {"duration.x=1", "--set:1: duration is a single value, it has no 'x'\n"},
	        {"=1", "--set:1: expected key=value, like duration=20s, got '=1'\n"},
	        {"duration", "--set:1: expected key=value, like duration=20s, got 'duration'\n"},
	        {"duration=[1s",
	         "--set:1: the value is not valid YAML: did not find expected ',' or "
	         "']'\n"},
	        {"duration=10 parsecs",
	         "--set:1: '10 parsecs' is not a time: use ns, us, ms, s, min or h\n"},
	        {"links.0.rtae=1Mbps",
	         "--set:1: unknown key 'rtae' in link (did you mean 'rate'?)\n"},
	        {"nodes.gwA.ipsec.sas.0.enc_key=0x0011",
	         "--set:1: enc_key for aes256gcm16 must be 36 bytes (32-byte key + 4-byte salt), "
	         "got 2\n"},
	        {"duration.=1", "--set:1: 'duration.' is not a key path like traffic.0.rate\n"},
	        {"nodes..x=1", "--set:1: 'nodes..x' is not a key path like traffic.0.rate\n"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario s;
		const char *sets[] = {"seed=3", cases[i].set};
		char want[512];

		/* The failing override is the 2nd. */
		snprintf(want, sizeof(want), "--set:2:%s", cases[i].message + strlen("--set:1:"));
		assert_int_equal(load_file("site-to-site.yaml", sets, 2, &s), 2);
		if (strcmp(errbuf, want) != 0)
			fail_msg("--set %s\n got: %s want: %s", cases[i].set, errbuf, want);
		assert_int_equal(s.n_nodes, 0); /* nothing half-loaded */
		scenario_free(&s);
	}
}

static void test_missing_and_odd_files(void **state)
{
	struct scenario s;

	(void)state;
	assert_int_equal(load_file("no-such-scenario.yaml", NULL, 0, &s), 2);
	assert_non_null(strstr(errbuf, "no-such-scenario.yaml: cannot open: No such file or "
	                               "directory\n"));
	scenario_free(&s);
	assert_int_equal(load_file(".", NULL, 0, &s), 2); /* a directory */
	assert_non_null(strstr(errbuf, "cannot"));
	scenario_free(&s);
	assert_int_equal(load_text("", NULL, 0, &s), 2);
	assert_string_equal(errbuf, "t.yaml:1:1: the file is empty: a scenario needs at least "
	                            "'duration', 'nodes' and 'links'\n");
	scenario_free(&s);
	assert_int_equal(load_text("# only a comment\n\n", NULL, 0, &s), 2);
	scenario_free(&s);
	assert_int_equal(scenario_load_text("t.yaml", "a\0b", 3, NULL, 0, &s, NULL), 2);
	scenario_free(&s);
	assert_int_equal(load_text("duration: 'unterminated\n", NULL, 0, &s), 2);
	assert_non_null(strstr(errbuf, "t.yaml:2:1: found unexpected end of stream"));
	scenario_free(&s);
	/* A plain string, a number: not a mapping. */
	assert_int_equal(load_text("hello\n", NULL, 0, &s), 2);
	assert_string_equal(errbuf, "t.yaml:1:1: expected a mapping (key: value) for the "
	                            "scenario, got 'hello'\n");
	scenario_free(&s);
}

static void test_limits(void **state)
{
	struct scenario s;
	char *big, *p;
	size_t n = 170000;

	(void)state;
	/* Many nodes in a flat list: refused past the node limit, at the
	 * node that passes it, before libyaml builds its tree. */
	big = malloc(n * 40 + 64);
	p = big + sprintf(big, "duration: 1s\nlinks: []\nnodes:\n");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "  - {name: n%zu, x: [1, 2]}\n", i);
	assert_int_equal(load_text(big, NULL, 0, &s), 2);
	assert_string_equal(errbuf, "t.yaml:142860:6: the document has more than 1000000 nodes\n");
	scenario_free(&s);

	/* Deep nesting is refused as the parser reaches it: 200 KB of '['
	 * and 125,000 levels of "{a: " (a minute and more each when libyaml
	 * built the whole tree first: its cost grows with the square of the
	 * depth). */
	n = 200000;
	big = realloc(big, 5 * n + 1);
	memset(big, '[', n);
	big[n] = 0;
	assert_int_equal(load_text(big, NULL, 0, &s), 2);
	assert_string_equal(errbuf,
	                    "t.yaml:1:65: the document is nested more than 64 levels deep\n");
	scenario_free(&s);
	for (size_t i = 0; i < n / 2; i++)
		memcpy(big + 4 * i, "{a: ", 4);
	big[4 * (n / 2)] = 0;
	assert_int_equal(load_text(big, NULL, 0, &s), 2);
	assert_string_equal(errbuf,
	                    "t.yaml:1:257: the document is nested more than 64 levels deep\n");
	scenario_free(&s);

	/* An override whose value explodes through aliases is refused. */
	{
		const char *sets[] = {
		        "description=[&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], &b [*a, *a, *a, *a, "
		        "*a, *a, *a, *a, *a, *a], &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, "
		        "*b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], &e [*d, *d, *d, *d, "
		        "*d, *d, *d, *d, *d, *d], [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]]"};

		assert_int_equal(load_file("site-to-site.yaml", sets, 1, &s), 2);
		assert_string_equal(errbuf,
		                    "--set:1: the value is too large or nested too deeply\n");
		scenario_free(&s);
	}

	/* Deep nesting. */
	p = big;
	p += sprintf(p, "duration: ");
	for (int i = 0; i < 200; i++)
		*p++ = '[';
	for (int i = 0; i < 200; i++)
		*p++ = ']';
	*p = '\0';
	assert_int_equal(load_text(big, NULL, 0, &s), 2);
	assert_non_null(strstr(errbuf, "nested more than 64 levels deep"));
	scenario_free(&s);

	/* Many errors: at most 20 printed, then a note. */
	p = big + sprintf(big, "duration: 1s\nlinks: []\n");
	for (int i = 0; i < 50; i++)
		p += sprintf(p, "bad%d: 1\n", i);
	assert_int_equal(load_text(big, NULL, 0, &s), 2);
	{
		size_t lines = 0;

		for (const char *q = errbuf; *q; q++)
			lines += *q == '\n';
		assert_int_equal(lines, SCENARIO_MAX_ERRORS + 1);
		assert_non_null(strstr(errbuf, "t.yaml: too many errors, stopping after 20\n"));
	}
	scenario_free(&s);
	free(big);
}

static void test_minimal_defaults(void **state)
{
	struct scenario s;
	static const char text[] =
	        "duration: 1.5s\n"
	        "nodes: [{name: a}, {name: b}]\n"
	        "links: [{between: [a, b], addresses: [10.0.0.1/31, 10.0.0.0/31]}]\n"
	        "traffic:\n"
	        "  - {type: ping, from: a, to: 10.0.0.0}\n"
	        "  - {type: udp, from: b, to: 192.0.2.99, interval: 10ms, size: 1KiB}\n";

	(void)state;
	assert_int_equal(load_text(text, NULL, 0, &s), 0);
	assert_string_equal(s.name, "t");
	assert_string_equal(s.description, "");
	assert_true(s.links[0].rate_bps == 100000000 && s.links[0].delay_ns == MS);
	assert_false(s.nodes[0].forwarding);
	assert_string_equal(s.flows[0].name, "ping-0");
	assert_int_equal(s.flows[0].to, 1);
	assert_string_equal(s.flows[1].name, "udp-1");
	assert_int_equal(s.flows[1].to, SCENARIO_NONE); /* nobody has it: allowed */
	assert_int_equal(s.flows[1].size, 1024);
	assert_true(s.flows[1].interval_ns == 10 * MS && s.flows[1].rate_bps == 0);
	assert_true(s.flows[1].stop_ns == 1500 * MS);
	scenario_free(&s);
}

static void test_policy_selectors(void **state)
{
	struct scenario s;
	static const char text[] =
	        "duration: 1s\n"
	        "nodes:\n"
	        "  - name: a\n"
	        "    ipsec:\n"
	        "      default: discard\n"
	        "      sas:\n"
	        "        - {name: o, dir: out, mode: transport, spi: 300, src: 10.0.0.1, dst: "
	        "10.0.0.2, enc: aes128gmac, enc_key: 0x000102030405060708090a0b0c0d0e0f01020304, "
	        "esn: true, encap: true, hard: {packets: 100}}\n"
	        "        - {name: i, dir: in, mode: transport, spi: 301, src: 10.0.0.2, dst: "
	        "10.0.0.1, enc: null, integ: sha512, integ_key: "
	        "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f0001020304050607"
	        "08"
	        "090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f, replay_window: 0}\n"
	        "      policies:\n"
	        "        - {local_ts: 10.0.0.1-10.0.0.5, remote_ts: any, proto: udp, local_port: "
	        "500-510, remote_port: 4500, action: protect, out: o, in: [i]}\n"
	        "        - {proto: icmp, remote_port: 0, action: bypass}\n"
	        "        - {proto: 47, action: discard}\n"
	        "  - name: b\n"
	        "links: [{between: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], mtu: 1400, "
	        "queue: "
	        "10, loss: 0.25, rate: 1.5Mbps, delay: 250us}]\n";
	const struct scenario_node *a;

	(void)state;
	assert_int_equal(load_text(text, NULL, 0, &s), 0);
	a = &s.nodes[0];
	assert_int_equal(a->ipsec_default, IPSEC_ACTION_DISCARD);
	assert_int_equal(a->n_policies, 3);
	assert_string_equal(range_text(a->policies[0].sel.local_addr), "10.0.0.1-10.0.0.5");
	assert_string_equal(range_text(a->policies[0].sel.remote_addr), "any");
	assert_int_equal(a->policies[0].sel.protocol, 17);
	assert_int_equal(a->policies[0].sel.local_port.lo, 500);
	assert_int_equal(a->policies[0].sel.local_port.hi, 510);
	assert_int_equal(a->policies[0].sel.remote_port.lo, 4500);
	assert_int_equal(a->policies[0].sel.remote_port.hi, 4500);
	assert_int_equal(a->policies[1].sel.protocol, 1);
	assert_int_equal(a->policies[1].sel.local_port.hi, 255); /* any ICMP type */
	assert_int_equal(a->policies[1].sel.remote_port.hi, 0);
	assert_int_equal(a->policies[1].action, IPSEC_ACTION_BYPASS);
	assert_int_equal(a->policies[2].sel.protocol, 47);
	assert_int_equal(a->sas[0].cfg.enc, IPSEC_ENC_AES_GMAC_128);
	assert_true(a->sas[0].cfg.esn);
	assert_int_equal(a->sas[0].cfg.encap_sport, 4500);
	assert_int_equal(a->sas[0].cfg.encap_dport, 4500);
	assert_true(a->sas[0].cfg.hard.packets == 100);
	assert_int_equal(a->sas[1].cfg.integ, IPSEC_INTEG_HMAC_SHA512_256);
	assert_int_equal(a->sas[1].cfg.integ_key_len, 64);
	assert_int_equal(a->sas[1].cfg.replay_window, 0);
	assert_int_equal(a->sas[1].cfg.sel.local_port.lo, 500); /* from the policy */
	assert_int_equal(s.links[0].mtu, 1400);
	assert_int_equal(s.links[0].queue, 10);
	assert_true(s.links[0].loss == 0.25);
	assert_true(s.links[0].rate_bps == 1500000);
	assert_true(s.links[0].delay_ns == 250000);
	scenario_free(&s);
}

static void test_no_warnings_in_shipped(void **state)
{
	static const char *const files[] = {
	        "site-to-site.yaml",
	        "host-to-host-esp-transport.yaml",
	        "host-to-host-ah-transport.yaml",
	        "attack.yaml",
	        "chacha-tunnel.yaml",
	        "ah-tunnel.yaml",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct scenario s;

		assert_int_equal(load_file(files[i], NULL, 0, &s), 0);
		if (errbuf[0])
			fail_msg("%s: %s", files[i], errbuf);
		scenario_free(&s);
	}
}

/* Traffic that cannot arrive is a warning (the load succeeds). */
static void test_reachability_warnings(void **state)
{
	struct scenario s;
	const char *no_route[] = {"nodes.gwB.routes="};
	const char *no_forward[] = {"nodes.mitm.forwarding=false", "nodes.mitm.attacker="};
	const char *discard[] = {"nodes.gwA.ipsec.default=discard",
	                         "nodes.gwA.ipsec.policies.0.remote_ts=10.3.0.0/24"};

	(void)state;
	assert_int_equal(load_file("site-to-site.yaml", no_route, 1, &s), 0);
	assert_non_null(strstr(errbuf, "site-to-site.yaml:75:48: warning: traffic 'b-to-a' cannot "
	                               "reach hostA: node 'gwB' has no route to 10.1.0.2\n"));
	assert_non_null(strstr(errbuf, "site-to-site.yaml:76:51: warning: the replies of traffic "
	                               "'ping-a-b' cannot come back: node 'gwB' has no route to "
	                               "10.1.0.2\n"));
	assert_int_equal(s.n_flows, 4);
	scenario_free(&s);
	/* Tunnelled traffic follows the tunnel: mitm needs no LAN routes, but
	 * it must forward. */
	assert_int_equal(load_file("attack.yaml", no_forward, 2, &s), 0);
	assert_non_null(strstr(errbuf, "warning: traffic 'a-to-b' cannot reach hostB: node 'mitm' "
	                               "is on the path to 192.0.2.6 but does not forward\n"));
	scenario_free(&s);
	assert_int_equal(load_file("site-to-site.yaml", discard, 2, &s), 0);
	assert_non_null(strstr(errbuf, "warning: traffic 'a-to-b' cannot reach hostB: node 'gwA' "
	                               "discards packets to 10.2.0.2 (default: discard)\n"));
	scenario_free(&s);
}

/* Runs cmd_check with stdout and stderr captured. */
static int run_check(int argc, char **argv, char *out, size_t cap)
{
	FILE *tmp = tmpfile();
	int saved1 = dup(1), saved2 = dup(2), rc;
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(tmp), 1);
	dup2(fileno(tmp), 2);
	rc = cmd_check(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return rc;
}

static void test_cmd_check(void **state)
{
	char path[512], out[4096], want[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/site-to-site.yaml", SCENARIO_DIR);
	{
		char *argv[] = {"check", path, NULL};

		assert_int_equal(run_check(2, argv, out, sizeof(out)), 0);
		snprintf(want, sizeof(want), "%s: ok (4 nodes, 3 links, 4 SAs, 4 flows)\n", path);
		assert_string_equal(out, want);
	}
	{
		char *argv[] = {"check", path, "--set", "links.0.rtae=1Mbps", "--set=seed=2", NULL};

		assert_int_equal(run_check(5, argv, out, sizeof(out)), 2);
		assert_string_equal(out, "--set:1: unknown key 'rtae' in link (did you mean "
		                         "'rate'?)\n");
	}
	{
		char *argv[] = {"check", NULL};

		assert_int_equal(run_check(1, argv, out, sizeof(out)), 2);
		assert_non_null(strstr(out, "usage: ipsec-sim check SCENARIO"));
	}
	{
		char *argv[] = {"check", path, "--bogus", NULL};

		assert_int_equal(run_check(3, argv, out, sizeof(out)), 2);
		assert_non_null(strstr(out, "unexpected argument '--bogus'"));
	}
}

/* '*' in a --set path: every item of a list, every key of a mapping, and
 * only values that are there (the ping flows have no rate to change). */
static void test_wildcards(void **state)
{
	struct scenario s;
	const char *rate[] = {"traffic.*.rate=10pps"}, *none[] = {"nodes.*.foo.bar=1"},
	           *size[] = {"traffic.*.size=200B", "links.*.delay=7ms"};

	(void)state;
	assert_int_equal(load_file("site-to-site.yaml", rate, 1, &s), 0);
	assert_int_equal(s.n_flows, 4);
	assert_int_equal(s.flows[0].interval_ns, 100000000);
	assert_int_equal(s.flows[1].interval_ns, 100000000);
	assert_int_equal(s.flows[2].interval_ns, 1000000000); /* ping: its interval */
	scenario_free(&s);
	assert_int_equal(load_file("site-to-site.yaml", size, 2, &s), 0);
	for (size_t l = 0; l < s.n_links; l++)
		assert_int_equal(s.links[l].delay_ns, 7000000);
	assert_int_equal(s.flows[0].size, 200);
	scenario_free(&s);
	assert_int_equal(load_file("site-to-site.yaml", none, 1, &s), 2);
	assert_string_equal(errbuf, "--set:1: 'nodes.*.foo.bar' matches no value in the scenario "
	                            "(a '*' only changes values that are there)\n");
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_site_to_site),
	        cmocka_unit_test(test_transport_scenarios),
	        cmocka_unit_test(test_tunnel_variants),
	        cmocka_unit_test(test_attack),
	        cmocka_unit_test(test_overrides_applied),
	        cmocka_unit_test(test_override_aliases),
	        cmocka_unit_test(test_capture),
	        cmocka_unit_test(test_override_errors),
	        cmocka_unit_test(test_missing_and_odd_files),
	        cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_minimal_defaults),
	        cmocka_unit_test(test_policy_selectors),
	        cmocka_unit_test(test_no_warnings_in_shipped),
	        cmocka_unit_test(test_reachability_warnings),
	        cmocka_unit_test(test_cmd_check),
	        cmocka_unit_test(test_wildcards),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(errbuf);
	return rc;
}
