/* The loader on TAP links and `realtime:` (helper/scenario/scenario_tap.c): what a
 * TAP link fills in, the interfaces and routes it gives its node, IKE's
 * local address found through it, no reachability warnings about the host
 * beyond it, overrides on its keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "scenario.h"

static const char gateway[] =
        "duration: 12s\n"
        "realtime: true\n"
        "nodes:\n"
        "  - name: hostA\n"
        "    routes: [{dst: default, via: 10.96.1.1}]\n"
        "  - name: gwA\n"
        "    routes: [{dst: default, via: 10.97.1.1}]\n"
        "    ipsec:\n"
        "      connections:\n"
        "        peer:\n"
        "          remote_addrs: 10.97.0.2\n"
        "          local: {auth: psk, id: gwA}\n"
        "          remote: {auth: psk, id: peer}\n"
        "          children: {net: {local_ts: 10.96.1.0/24, remote_ts: 10.96.2.0/24}}\n"
        "      secrets: [{type: ike, id: [gwA, peer], secret: s3cret}]\n"
        "links:\n"
        "  - {between: [hostA, gwA], addresses: [10.96.1.2/24, 10.96.1.1/24]}\n"
        "  - {tap: ipsim0, node: gwA, addresses: [10.97.1.2/24, 10.97.1.1/24],\n"
        "     mac: 02:aa:bb:cc:dd:ee, configure: yes}\n"
        "traffic:\n"
        "  - {type: ping, from: hostA, to: 10.96.2.1, interval: 0.5s}\n";

static void test_tap_link(void **state)
{
	(void)state;
	struct scenario s;
	static const uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

	assert_int_equal(load_text(gateway, NULL, 0, &s), 0);
	assert_string_equal(errbuf, ""); /* no warning about the host beyond */
	assert_true(s.realtime);
	assert_int_equal(s.n_links, 2);
	const struct scenario_link *l = &s.links[1];
	size_t gw = scenario_node_index(&s, "gwA");
	assert_string_equal(l->tap, "ipsim0");
	assert_int_equal(l->node[0], gw);
	assert_true(l->node[1] == SCENARIO_NONE);
	assert_int_equal(l->addr[0], 0x0a610102);
	assert_int_equal(l->addr[1], 0x0a610101);
	assert_int_equal(l->prefix_len, 24);
	assert_memory_equal(l->mac, mac, 6);
	assert_true(l->tap_configure);
	assert_string_equal(s.links[0].tap, "");

	const struct scenario_node *g = &s.nodes[gw];
	assert_int_equal(g->n_ifaces, 2);
	assert_true(g->forwarding);
	assert_int_equal(g->ifaces[1].link, 1);
	assert_true(g->ifaces[1].peer == SCENARIO_NONE);
	assert_int_equal(g->ifaces[1].addr, 0x0a610102);
	assert_int_equal(g->routes[0].iface, 1);
	/* local_addrs defaults to the address facing remote_addrs: the TAP's. */
	assert_string_equal(ADDR_TEXT(g->conns[0].local_addr), "10.97.1.2");
	scenario_free(&s);
}

static void test_tap_defaults_and_overrides(void **state)
{
	(void)state;
	struct scenario s;
	static const uint8_t zero[6];
	const char *sets[] = {"links.1.tap=veth-sim.1", "links.1.configure=false"};

	assert_int_equal(load_text(gateway, sets, 2, &s), 0);
	assert_string_equal(s.links[1].tap, "veth-sim.1");
	assert_false(s.links[1].tap_configure);
	scenario_free(&s);

	/* No mac: all zero, the builder derives 02:00 + the node's address. */
	char *text = strdup(gateway);
	char *m = strstr(text, "mac: 02:aa:bb:cc:dd:ee, ");
	memmove(m, m + strlen("mac: 02:aa:bb:cc:dd:ee, "),
	        strlen(m + strlen("mac: 02:aa:bb:cc:dd:ee, ")) + 1);
	assert_int_equal(load_text(text, NULL, 0, &s), 0);
	assert_memory_equal(s.links[1].mac, zero, 6);
	scenario_free(&s);
	free(text);

	/* Without `realtime: true`, a TAP link is refused; the default is off. */
	const char *off[] = {"realtime=false"};
	assert_int_equal(load_text(gateway, off, 1, &s), 2);
	assert_non_null(strstr(errbuf, "needs 'realtime: true'"));
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tap_link),
	        cmocka_unit_test(test_tap_defaults_and_overrides),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(errbuf);
	return rc;
}
