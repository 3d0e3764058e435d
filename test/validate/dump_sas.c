/* validate-dump-sas SCENARIO: prints every SA of a scenario, as the
 * simulation configures it, for the validator scripts (scapy needs keys
 * Wireshark's esp_sa cannot hold: ChaCha20-Poly1305, AH).  One line per SA,
 * fields separated by one space:
 *
 *   node name dir proto mode spi src dst enc integ enc_key integ_key
 *        encap_sport encap_dport esn
 *
 * spi as 0x%08x, keys as hex ("-" when empty), names as in scenario files.
 * Exit 0, or 2 if the scenario does not load. */
#include <stdio.h>

#include "scenario.h"

static void ip(uint32_t a)
{
	printf(" %u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void hex(const uint8_t *b, size_t n)
{
	putchar(' ');
	if (!n)
		putchar('-');
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: validate-dump-sas SCENARIO\n");
		return 2;
	}
	struct scenario s;
	int rc = scenario_load(argv[1], NULL, 0, &s, stderr);
	if (rc == 0) {
		for (size_t n = 0; n < s.n_nodes; n++) {
			for (size_t i = 0; i < s.nodes[n].n_sas; i++) {
				const struct scenario_sa *sa = &s.nodes[n].sas[i];
				const struct ipsec_sa_config *c = &sa->cfg;
				printf("%s %s %s %s %s 0x%08x", s.nodes[n].name, sa->name,
				       c->dir == IPSEC_DIR_IN ? "in" : "out",
				       c->protocol == IPSEC_PROTO_AH ? "ah" : "esp",
				       c->mode == IPSEC_MODE_TUNNEL ? "tunnel" : "transport",
				       c->spi);
				ip(ip_addr_v4_value(&c->src));
				ip(ip_addr_v4_value(&c->dst));
				printf(" %s %s", scenario_enc_name(c->enc),
				       scenario_integ_name(c->integ));
				hex(c->enc_key, c->enc_key_len);
				hex(c->integ_key, c->integ_key_len);
				printf(" %u %u %d\n", c->encap_sport, c->encap_dport,
				       c->esn ? 1 : 0);
			}
		}
	}
	scenario_free(&s);
	return rc ? 2 : 0;
}
