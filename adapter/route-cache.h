/* ns-3's answers to "is this packet for me?" and "where does it go?",
 * remembered per node.  ns-3.37 finds both by scanning every interface and
 * every static route for each packet, which dominates a router with a
 * thousand links (docs/scale.md).  The cache holds the node's own
 * addresses, its devices' interface indices and, per unicast destination,
 * the route ns-3 chose; it is emptied whenever an interface, an address or
 * a route changes.  No decision of its own: a miss asks ns-3. */
#ifndef IPSEC_ROUTE_CACHE_H
#define IPSEC_ROUTE_CACHE_H

#include <ns3/ipv4-route.h>
#include <ns3/ipv4.h>
#include <ns3/net-device.h>

#include <unordered_map>
#include <unordered_set>

namespace ns3
{

class RouteCache
{
      public:
	void Clear();
	/* Interface index of idev, or -1; builds the address tables on first
	 * use after a Clear(). */
	int32_t Interface(Ptr<Ipv4> ipv4, Ptr<const NetDevice> idev);
	/* Is dst one of the node's unicast addresses (RFC 1122 weak host)? */
	bool IsLocal(Ptr<Ipv4> ipv4, Ipv4Address dst);
	Ptr<Ipv4Route> Find(Ipv4Address dst) const;
	void Insert(Ipv4Address dst, Ptr<Ipv4Route> route);

      private:
	void Build(Ptr<Ipv4> ipv4);

	bool m_built = false;
	std::unordered_set<uint32_t> m_local;
	std::unordered_map<const NetDevice *, int32_t> m_iif;
	std::unordered_map<uint32_t, Ptr<Ipv4Route>> m_routes;
};

} // namespace ns3
#endif
