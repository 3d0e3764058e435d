/* libFuzzer target for IPv6 parsing (model/ipsec/ipv6.c) and AH's mutable
 * fields over IPv6 (ah_ipv6_zero_mutable): whatever the input, the walk
 * stays inside the packet, its offsets are ordered, and zeroing the headers
 * before ESP/AH either works or refuses.  Built by test/fuzz/CMakeLists.txt. */
#include "ah.h"
#include "ipv6.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipv6_view ip;
	struct ip_selector_fields f;
	uint8_t *copy;

	if (ipv6_parse(data, size, &ip) != 0)
		return 0;
	if (ip.total_len > size || ip.proto_off > ip.total_len || ip.ipsec_off > ip.proto_off ||
	    ip.ipsec_nh_off >= ip.ipsec_off || ip.ipsec_off < IPV6_HDR_LEN)
		abort();
	(void)ipv6_selector_fields(data, &ip, &f);
	copy = malloc(ip.ipsec_off); /* exactly: ASan sees a read past it */
	if (!copy)
		return 0;
	memcpy(copy, data, ip.ipsec_off);
	(void)ah_ipv6_zero_mutable(copy, ip.ipsec_off, true);
	memcpy(copy, data, ip.ipsec_off);
	(void)ah_ipv6_zero_mutable(copy, ip.ipsec_off, false);
	free(copy);
	return 0;
}
