/* For validate_scapy_ah6_mutable: reads lines "S HEX" (as sent) or "R HEX"
 * (as received), each an IPv6 packet with AH, and prints the headers before
 * AH with their mutable fields zeroed by ah_ipv6_zero_mutable (model/ipsec),
 * in hex, or "error". */
#include <stdio.h>
#include <string.h>

#include "ah.h"
#include "ipv6.h"

int main(void)
{
	char line[8192];

	while (fgets(line, sizeof line, stdin)) {
		uint8_t pkt[4096];
		size_t n = 0;
		struct ipv6_view ip;
		unsigned byte;

		for (const char *p = line + 2; n < sizeof pkt && sscanf(p, "%2x", &byte) == 1;
		     p += 2)
			pkt[n++] = (uint8_t)byte;
		if (ipv6_parse(pkt, n, &ip) || ip.proto != IPPROTO_NUM_AH ||
		    ah_ipv6_zero_mutable(pkt, ip.proto_off, line[0] == 'S')) {
			puts("error");
			continue;
		}
		for (size_t i = 0; i < ip.proto_off; i++)
			printf("%02x", pkt[i]);
		putchar('\n');
	}
	return 0;
}
