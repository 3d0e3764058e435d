/* The scenario loader's IKEv2 connections and secrets: strongSwan's
 * defaults applied where the file says nothing, every key's value, traffic
 * selector forms, and the secret each connection picks.  SCENARIO_DIR is
 * the repository's scenarios/ folder. */
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

#define MS 1000000ull
#define SEC 1000000000ull
#define MIN (60 * SEC)
#define HOUR (3600 * SEC)

/* Two gateways on one /30 and a LAN behind gwA; `top` more top-level
 * keys, `ipsec` gwA's ipsec section, indented by 6. */
static int load_gw_top(const char *top, const char *ipsec, struct scenario *s)
{
	char text[8192];

	snprintf(text, sizeof(text),
	         "%s"
	         "duration: 10s\n"
	         "nodes:\n"
	         "  - name: gwA\n"
	         "    routes: [{dst: 10.2.0.0/24, via: 192.0.2.2}]\n"
	         "    ipsec:\n"
	         "%s"
	         "  - name: gwB\n"
	         "  - name: hostA\n"
	         "links:\n"
	         "  - {between: [hostA, gwA], addresses: [10.1.0.2/24, 10.1.0.1/24]}\n"
	         "  - {between: [gwA, gwB], addresses: [192.0.2.1/30, 192.0.2.2/30]}\n",
	         top, ipsec);
	return load_text(text, NULL, 0, s);
}

static int load_gw(const char *ipsec, struct scenario *s)
{
	return load_gw_top("", ipsec, s);
}

static const struct scenario_node *node(const struct scenario *s, const char *name)
{
	size_t i = scenario_node_index(s, name);

	assert_true(i != SCENARIO_NONE);
	return &s->nodes[i];
}

static void test_shipped_ikev2_psk(void **state)
{
	struct scenario s;
	const struct scenario_node *a, *b;
	const struct ike_conn_config *c;
	const struct ike_child_config *ch;
	static const char psk[] = "demo pre-shared key, not for real use";

	(void)state;
	assert_int_equal(load_file("ikev2-psk.yaml", NULL, 0, &s), 0);
	assert_string_equal(errbuf, "");
	assert_int_equal(s.n_conns, 2);
	assert_int_equal(s.n_sas, 0);
	a = node(&s, "gwA");
	b = node(&s, "gwB");
	assert_true(a->has_ipsec && b->has_ipsec);
	assert_int_equal(a->n_conns, 1);
	c = &a->conns[0];
	assert_string_equal(c->name, "gw-gw");
	assert_string_equal(ADDR_TEXT(c->local_addr), "192.0.2.1");
	assert_string_equal(ADDR_TEXT(c->remote_addr), "192.0.2.2");
	assert_int_equal(c->local_port, 500);
	assert_int_equal(c->remote_port, 500);
	assert_string_equal(c->proposals, "aes256gcm16-prfsha384-x25519");
	assert_int_equal(c->local.auth, IKE_AUTHC_PSK);
	assert_string_equal(c->local.id.id, "gwA");
	assert_string_equal(c->remote.id.id, "gwB");
	assert_true(c->dpd_delay_ns == 30 * SEC);
	assert_false(c->mobike);
	/* The secret, through a YAML alias on gwB. */
	assert_int_equal(a->n_secrets, 1);
	assert_int_equal(a->conn_secret[0], 0);
	assert_int_equal(c->psk_len, strlen(psk));
	assert_memory_equal(c->psk, psk, strlen(psk));
	assert_int_equal(b->conns[0].psk_len, strlen(psk));
	assert_memory_equal(b->conns[0].psk, psk, strlen(psk));

	assert_int_equal(c->n_children, 1);
	ch = &c->children[0];
	assert_string_equal(ch->name, "net");
	assert_int_equal(ch->n_local_ts, 1);
	assert_string_equal(range_text(ch->local_ts[0].addr), "10.1.0.0/24");
	assert_int_equal(ch->local_ts[0].protocol, 0);
	assert_true(ch->local_ts[0].port_lo == 0 && ch->local_ts[0].port_hi == 65535);
	assert_string_equal(range_text(ch->remote_ts[0].addr), "10.2.0.0/24");
	assert_string_equal(ch->esp_proposals, "aes256gcm16");
	assert_int_equal(ch->start_action, IKE_START_START);
	assert_int_equal(ch->dpd_action, IKE_ACTION_RESTART);
	assert_int_equal(b->conns[0].children[0].start_action, IKE_START_NONE);
	assert_int_equal(b->conns[0].children[0].dpd_action, IKE_ACTION_CLEAR);
	scenario_free(&s);
}

/* Nothing but what is required: everything else is strongSwan's default
 * (ike.h, swanctl.conf), and local_addrs is the address facing the peer. */
static void test_defaults(void **state)
{
	struct scenario s;
	const struct ike_conn_config *c;
	const struct ike_child_config *ch;

	(void)state;
	assert_int_equal(load_gw("      connections:\n"
	                         "        gw:\n"
	                         "          remote_addrs: 192.0.2.2\n"
	                         "          local: {auth: psk}\n"
	                         "          remote: {auth: psk, id: 192.0.2.2}\n"
	                         "          children: {net: {}}\n"
	                         "      secrets:\n"
	                         "        - {id: 192.0.2.2, secret: abc}\n",
	                         &s),
	                 0);
	assert_string_equal(errbuf, "");
	c = &node(&s, "gwA")->conns[0];
	/* not 10.1.0.1: the route to the peer */
	assert_string_equal(ADDR_TEXT(c->local_addr), "192.0.2.1");
	assert_string_equal(c->proposals, "");
	assert_string_equal(c->local.id.id, "");
	assert_true(c->rekey_time_ns == 4 * HOUR);
	assert_true(c->reauth_time_ns == 0);
	assert_true(c->over_time_ns == 24 * MIN);
	assert_true(c->rand_time_ns == 24 * MIN);
	assert_true(c->dpd_delay_ns == 0);
	assert_false(c->encap);
	assert_false(c->mobike);
	assert_int_equal(c->fragmentation, IKE_FRAGMENTATION_YES); /* swanctl's default */
	assert_int_equal(c->fragment_size, 1280);                  /* charon.fragment_size */
	assert_true(c->keepalive_ns == 20 * SEC);
	assert_true(c->retransmit_timeout_ns == 4 * SEC);
	assert_true(c->retransmit_base == 1.8);
	assert_int_equal(c->retransmit_tries, 5);
	assert_int_equal(c->keyingtries, 1);
	assert_int_equal(c->half_open_cookie_threshold, 30);
	assert_int_equal(c->reauth_policy, IKE_MAKE_BEFORE_BREAK);
	ch = &c->children[0];
	assert_int_equal(ch->n_local_ts, 0); /* dynamic */
	assert_int_equal(ch->n_remote_ts, 0);
	assert_string_equal(ch->esp_proposals, "");
	assert_int_equal(ch->mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(ch->start_action, IKE_START_NONE);
	assert_int_equal(ch->dpd_action, IKE_ACTION_CLEAR);
	assert_int_equal(ch->close_action, IKE_ACTION_CLEAR);
	assert_true(ch->rekey_time_ns == HOUR);
	assert_true(ch->life_time_ns == 66 * MIN);
	assert_true(ch->rand_time_ns == 6 * MIN);
	assert_true(ch->rekey_bytes == 0 && ch->life_bytes == 0 && ch->rand_bytes == 0);
	assert_true(ch->rekey_packets == 0 && ch->life_packets == 0 && ch->rand_packets == 0);
	assert_int_equal(ch->replay_window, 32);
	assert_int_equal(ch->rekey_policy, IKE_MAKE_BEFORE_BREAK);
	scenario_free(&s);
}

/* defaults: strongswan: charon 5.9's defaults where this module's differ
 * (mobike, reauthentication order, copy_dscp); what the file gives wins. */
static void test_defaults_strongswan(void **state)
{
	static const char *const ipsec = "      connections:\n"
	                                 "        gw:\n"
	                                 "          remote_addrs: 192.0.2.2\n"
	                                 "          local: {auth: psk}\n"
	                                 "          remote: {auth: psk, id: 192.0.2.2}\n"
	                                 "          children: {net: {}, voice: {copy_dscp: no}}\n"
	                                 "        other:\n"
	                                 "          remote_addrs: 192.0.2.2\n"
	                                 "          local: {auth: psk}\n"
	                                 "          remote: {auth: psk, id: 192.0.2.2}\n"
	                                 "          mobike: no\n"
	                                 "          reauth_policy: make-before-break\n"
	                                 "      secrets:\n"
	                                 "        - {id: 192.0.2.2, secret: abc}\n";
	struct scenario s;
	const struct ike_conn_config *c;

	(void)state;
	assert_int_equal(load_gw_top("defaults: strongswan\n", ipsec, &s), 0);
	assert_string_equal(errbuf, "");
	assert_true(s.strongswan_defaults);
	c = &node(&s, "gwA")->conns[0];
	assert_true(c->mobike);
	assert_int_equal(c->reauth_policy, IKE_BREAK_BEFORE_MAKE);
	assert_true(c->children[0].copy_dscp);
	assert_false(c->children[1].copy_dscp);
	/* the rest as without the switch */
	assert_true(c->rekey_time_ns == 4 * HOUR);
	assert_true(c->delete_rekeyed_delay_ns == 5 * SEC);
	assert_int_equal(c->children[0].rekey_policy, IKE_MAKE_BEFORE_BREAK);
	c = &node(&s, "gwA")->conns[1];
	assert_false(c->mobike);
	assert_int_equal(c->reauth_policy, IKE_MAKE_BEFORE_BREAK);
	scenario_free(&s);
	assert_int_equal(load_gw_top("defaults: module\n", ipsec, &s), 0);
	c = &node(&s, "gwA")->conns[0];
	assert_false(c->mobike);
	assert_int_equal(c->reauth_policy, IKE_MAKE_BEFORE_BREAK);
	assert_false(c->children[0].copy_dscp);
	scenario_free(&s);
}

/* Every key given. */
static void test_every_key(void **state)
{
	struct scenario s;
	const struct ike_conn_config *c;
	const struct ike_child_config *ch;

	(void)state;
	assert_int_equal(
	        load_gw("      connections:\n"
	                "        gw:\n"
	                "          version: 2\n"
	                "          local_addrs: 10.1.0.1\n"
	                "          remote_addrs: 192.0.2.2\n"
	                "          local_port: 4500\n"
	                "          remote_port: 4501\n"
	                "          proposals: aes128-sha256-modp2048, "
	                "aes256gcm16-prfsha384-x25519\n"
	                "          local: {auth: psk, id: gwA.example.org}\n"
	                "          remote: {auth: psk, id: gwB.example.org}\n"
	                "          rekey_time: 2h\n"
	                "          reauth_time: 8h\n"
	                "          dpd_delay: 10s\n"
	                "          encap: yes\n"
	                "          mobike: no\n"
	                "          keyingtries: 0\n"
	                "          retransmit: {timeout: 2s, base: 2, tries: 3}\n"
	                "          keep_alive: 5s\n"
	                "          cookie_threshold: 10\n"
	                "          reauth_policy: break-before-make\n"
	                "          fragmentation: force\n"
	                "          fragment_size: 0\n"
	                "          children:\n"
	                "            web:\n"
	                "              local_ts: 10.1.0.0/24[tcp/80], 10.1.0.5-10.1.0.9\n"
	                "              remote_ts: [0.0.0.0/0, '10.2.0.1[udp/1024-2047]', '[17]']\n"
	                "              esp_proposals: aes128gcm16-x25519\n"
	                "              mode: transport\n"
	                "              start_action: trap\n"
	                "              dpd_action: trap\n"
	                "              close_action: start\n"
	                "              rekey_time: 10min\n"
	                "              rekey_bytes: 1MB\n"
	                "              life_bytes: 1.5MB\n"
	                "              rand_bytes: 100KB\n"
	                "              rekey_packets: 1000\n"
	                "              replay_window: 128\n"
	                "              copy_dscp: yes\n"
	                "              rekey_policy: break-before-make\n"
	                "            other: {life_time: 2h, rand_time: 0}\n"
	                "      secrets:\n"
	                "        - {id: '*.example.org', secret: 0x00010203}\n",
	                &s),
	        0);
	assert_string_equal(errbuf, "");
	c = &node(&s, "gwA")->conns[0];
	assert_string_equal(ADDR_TEXT(c->local_addr), "10.1.0.1");
	assert_int_equal(c->local_port, 4500);
	assert_int_equal(c->remote_port, 4501);
	assert_string_equal(c->proposals, "aes128-sha256-modp2048, aes256gcm16-prfsha384-x25519");
	assert_string_equal(c->remote.id.id, "gwB.example.org");
	assert_true(c->rekey_time_ns == 2 * HOUR && c->reauth_time_ns == 8 * HOUR);
	assert_true(c->over_time_ns == 48 * MIN); /* 10 % of 8 h */
	assert_true(c->rand_time_ns == 48 * MIN); /* over_time, below 2 h / 2 */
	assert_true(c->dpd_delay_ns == 10 * SEC);
	assert_true(c->encap);
	assert_int_equal(c->keyingtries, 0);
	assert_true(c->retransmit_timeout_ns == 2 * SEC);
	assert_true(c->retransmit_base == 2.0);
	assert_int_equal(c->retransmit_tries, 3);
	assert_true(c->keepalive_ns == 5 * SEC);
	assert_int_equal(c->half_open_cookie_threshold, 10);
	assert_int_equal(c->reauth_policy, IKE_BREAK_BEFORE_MAKE);
	assert_int_equal(c->fragmentation, IKE_FRAGMENTATION_FORCE);
	assert_int_equal(c->fragment_size, 0);
	assert_int_equal(c->psk_len, 4);
	assert_memory_equal(c->psk, "\x00\x01\x02\x03", 4);

	assert_int_equal(c->n_children, 2);
	ch = &c->children[0];
	assert_int_equal(ch->n_local_ts, 2);
	assert_int_equal(ch->local_ts[0].protocol, 6);
	assert_true(ch->local_ts[0].port_lo == 80 && ch->local_ts[0].port_hi == 80);
	assert_string_equal(range_text(ch->local_ts[1].addr), "10.1.0.5-10.1.0.9");
	assert_int_equal(ch->local_ts[1].protocol, 0);
	assert_int_equal(ch->n_remote_ts, 3);
	assert_string_equal(range_text(ch->remote_ts[0].addr), "0.0.0.0/0");
	assert_string_equal(range_text(ch->remote_ts[1].addr), "10.2.0.1");
	assert_int_equal(ch->remote_ts[1].protocol, 17);
	assert_true(ch->remote_ts[1].port_lo == 1024 && ch->remote_ts[1].port_hi == 2047);
	assert_string_equal(range_text(ch->remote_ts[2].addr), "any"); /* the IKE SA's family */
	assert_int_equal(ch->remote_ts[2].protocol, 17);
	assert_string_equal(ch->esp_proposals, "aes128gcm16-x25519");
	assert_int_equal(ch->mode, IPSEC_MODE_TRANSPORT);
	assert_int_equal(ch->start_action, IKE_START_TRAP);
	assert_int_equal(ch->dpd_action, IKE_ACTION_TRAP);
	assert_int_equal(ch->close_action, IKE_ACTION_RESTART);
	/* check_lifetimes(): life = rekey + 10 %, rand = life - rekey. */
	assert_true(ch->rekey_time_ns == 10 * MIN && ch->life_time_ns == 11 * MIN &&
	            ch->rand_time_ns == MIN);
	assert_true(ch->rekey_bytes == 1000000 && ch->life_bytes == 1500000 &&
	            ch->rand_bytes == 100000);
	assert_true(ch->rekey_packets == 1000 && ch->life_packets == 1100 &&
	            ch->rand_packets == 100);
	assert_int_equal(ch->replay_window, 128);
	assert_true(ch->copy_dscp);
	assert_int_equal(ch->rekey_policy, IKE_BREAK_BEFORE_MAKE);
	ch = &c->children[1];
	assert_true(ch->rekey_time_ns == HOUR && ch->life_time_ns == 2 * HOUR &&
	            ch->rand_time_ns == 0);
	scenario_free(&s);
}

/* Secrets are chosen as strongSwan's credential manager does: the best
 * match of the remote identity, then of the local one. */
static void test_secret_matching(void **state)
{
	struct scenario s;
	const struct scenario_node *a;

	(void)state;
	assert_int_equal(load_gw("      connections:\n"
	                         "        exact:\n"
	                         "          remote_addrs: 192.0.2.2\n"
	                         "          local: {auth: psk, id: gwA}\n"
	                         "          remote: {auth: psk, id: gwB}\n"
	                         "        wild:\n"
	                         "          remote_addrs: 192.0.2.2\n"
	                         "          local: {auth: psk, id: gwA}\n"
	                         "          remote: {auth: psk, id: peer@example.org}\n"
	                         "        any:\n"
	                         "          remote_addrs: \"%any\"\n"
	                         "          local_addrs: 192.0.2.1\n"
	                         "          local: {auth: psk, id: gwX}\n"
	                         "          remote: {auth: psk}\n"
	                         "        local-only:\n"
	                         "          remote_addrs: 192.0.2.2\n"
	                         "          local: {auth: psk, id: gwL}\n"
	                         "          remote: {auth: psk, id: nobody}\n"
	                         "      secrets:\n"
	                         "        - {name: fallback, id: \"%any\", secret: fallback}\n"
	                         "        - {name: ab, id: [gwA, gwB], secret: 0sYWI=}\n"
	                         "        - {name: b-only, id: gwB, secret: b}\n"
	                         "        - {name: wildcard, id: '*@example.org', secret: w}\n"
	                         "        - {name: mine, id: gwL, secret: l}\n",
	                         &s),
	                 0);
	assert_string_equal(errbuf, "");
	a = node(&s, "gwA");
	assert_int_equal(a->n_secrets, 5);
	assert_string_equal(a->secrets[1].name, "ab");
	/* exact: 'ab' and 'b-only' match gwB perfectly; 'ab' also matches gwA. */
	assert_int_equal(a->conn_secret[0], 1);
	assert_int_equal(a->conns[0].psk_len, 2);
	assert_memory_equal(a->conns[0].psk, "ab", 2);
	/* wild: the wildcard beats %any for the remote id. */
	assert_int_equal(a->conn_secret[1], 3);
	/* any: remote %any matches only the %any secret. */
	assert_int_equal(a->conn_secret[2], 0);
	/* local-only: nothing for 'nobody' but %any; 'mine' is as good for the
	 * remote (%any vs none: the %any secret wins on the remote id). */
	assert_int_equal(a->conn_secret[3], 0);
	scenario_free(&s);

	/* Two secrets matching equally: the first, with a warning. */
	assert_int_equal(load_gw("      connections:\n"
	                         "        gw:\n"
	                         "          remote_addrs: 192.0.2.2\n"
	                         "          local: {auth: psk}\n"
	                         "          remote: {auth: psk, id: gwB}\n"
	                         "      secrets:\n"
	                         "        - {name: one, id: gwB, secret: one}\n"
	                         "        - {name: two, id: gwB, secret: two}\n",
	                         &s),
	                 0);
	assert_non_null(strstr(errbuf, "t.yaml:7:9: warning: secrets 'one' and 'two' match "
	                               "connection 'gw' equally well: it uses 'one', the first"));
	assert_int_equal(node(&s, "gwA")->conn_secret[0], 0);
	scenario_free(&s);
}

/* A node may have manual SAs and connections; --set reaches connection
 * keys through the names. */
static void test_manual_and_ike_and_set(void **state)
{
	struct scenario s;
	static const char *const sets[] = {
	        "nodes.gwA.ipsec.connections.gw-gw.children.net.rekey_time=20min",
	        "nodes.gwA.ipsec.connections.gw-gw.rekey_tme=1h"};

	(void)state;
	assert_int_equal(load_file("ikev2-psk.yaml", sets, 1, &s), 0);
	assert_true(node(&s, "gwA")->conns[0].children[0].rekey_time_ns == 20 * MIN);
	assert_true(node(&s, "gwA")->conns[0].children[0].life_time_ns == 22 * MIN);
	scenario_free(&s);
	assert_int_equal(load_file("ikev2-psk.yaml", sets + 1, 1, &s), 2);
	assert_non_null(strstr(errbuf, "--set:1: unknown key 'rekey_tme' in connection 'gw-gw' "
	                               "(did you mean 'rekey_time'?)"));
	scenario_free(&s);

	assert_int_equal(
	        load_gw("      sas:\n"
	                "        - {name: o, dir: out, spi: 0x1001, src: 192.0.2.1,\n"
	                "           dst: 192.0.2.2, enc: aes128gcm16,\n"
	                "           enc_key: 0x000102030405060708090a0b0c0d0e0f10111213}\n"
	                "        - {name: i, dir: in, spi: 0x2001, src: 192.0.2.2,\n"
	                "           dst: 192.0.2.1, enc: aes128gcm16,\n"
	                "           enc_key: 0x000102030405060708090a0b0c0d0e0f10111213}\n"
	                "      policies:\n"
	                "        - {remote_ts: 10.9.0.0/16, action: protect, out: o, in: i}\n"
	                "      connections:\n"
	                "        gw:\n"
	                "          remote_addrs: 192.0.2.2\n"
	                "          local: {auth: psk}\n"
	                "          remote: {auth: psk, id: 192.0.2.2}\n"
	                "      secrets: [{secret: s}]\n",
	                &s),
	        0);
	assert_string_equal(errbuf, "");
	assert_int_equal(s.n_sas, 2);
	assert_int_equal(s.n_conns, 1);
	assert_int_equal(node(&s, "gwA")->n_policies, 1);
	assert_int_equal(node(&s, "gwA")->conns[0].psk_len, 1);
	scenario_free(&s);
}

/* The reachability check follows connections' children like protect
 * policies: their tunnel leads to remote_addrs. */
static void test_reachability(void **state)
{
	struct scenario s;
	static const char *const nowhere[] = {
	        "nodes.gwA.ipsec.connections.gw-gw.remote_addrs=192.0.2.77"};

	(void)state;
	assert_int_equal(load_file("ikev2-psk.yaml", nowhere, 1, &s), 0);
	assert_non_null(strstr(errbuf, "warning: traffic 'a-to-b' cannot reach hostB: the tunnel "
	                               "from 'gwA' leads to 192.0.2.77, which no node has"));
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_shipped_ikev2_psk),
	        cmocka_unit_test(test_defaults),
	        cmocka_unit_test(test_defaults_strongswan),
	        cmocka_unit_test(test_every_key),
	        cmocka_unit_test(test_secret_matching),
	        cmocka_unit_test(test_manual_and_ike_and_set),
	        cmocka_unit_test(test_reachability),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(errbuf);
	return rc;
}
