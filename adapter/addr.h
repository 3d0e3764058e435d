/* Between the engine's addresses (model/ipsec/ip_addr.h) and ns-3's. */
#ifndef IPSEC_ADAPTER_ADDR_H
#define IPSEC_ADAPTER_ADDR_H

#include <ns3/ipv6-address.h>

extern "C" {
#include "ip_addr.h"
}

namespace ns3
{

inline Ipv6Address ToIpv6(const struct ip_addr *a)
{
	return Ipv6Address::Deserialize(a->b);
}

inline struct ip_addr FromIpv6(Ipv6Address a)
{
	uint8_t b[16];
	a.GetBytes(b);
	return ip_addr_from_bytes(IP_FAMILY_V6, b);
}

} // namespace ns3
#endif
