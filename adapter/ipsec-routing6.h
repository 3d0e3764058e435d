/* Wraps a node's IPv6 routing protocol so that packets it forwards take the
 * IPsec forward path (IpsecIpv6L3Protocol::Forward), as IpsecRouting does
 * for IPv4.  Unlike IPv4's, ns-3's IPv6 stack delivers packets for the
 * node's own addresses before routing: RouteInput sees only packets to
 * forward (and multicast). */
#ifndef IPSEC_ROUTING6_H
#define IPSEC_ROUTING6_H

#include "ipsec-ipv6-l3.h"

#include <ns3/ipv6-route.h>
#include <ns3/ipv6-routing-protocol.h>

namespace ns3
{

class IpsecRouting6 : public Ipv6RoutingProtocol
{
      public:
	static TypeId GetTypeId();
	void SetInner(Ptr<Ipv6RoutingProtocol> inner);
	Ptr<Ipv6RoutingProtocol> GetInner() const;

	Ptr<Ipv6Route> RouteOutput(Ptr<Packet> p, const Ipv6Header &header, Ptr<NetDevice> oif,
	                           Socket::SocketErrno &sockerr) override;
	bool RouteInput(Ptr<const Packet> p, const Ipv6Header &header, Ptr<const NetDevice> idev,
	                UnicastForwardCallback ucb, MulticastForwardCallback mcb,
	                LocalDeliverCallback lcb, ErrorCallback ecb) override;
	void NotifyInterfaceUp(uint32_t interface) override;
	void NotifyInterfaceDown(uint32_t interface) override;
	void NotifyAddAddress(uint32_t interface, Ipv6InterfaceAddress address) override;
	void NotifyRemoveAddress(uint32_t interface, Ipv6InterfaceAddress address) override;
	void NotifyAddRoute(Ipv6Address dst, Ipv6Prefix mask, Ipv6Address nextHop,
	                    uint32_t interface, Ipv6Address prefixToUse) override;
	void NotifyRemoveRoute(Ipv6Address dst, Ipv6Prefix mask, Ipv6Address nextHop,
	                       uint32_t interface, Ipv6Address prefixToUse) override;
	void SetIpv6(Ptr<Ipv6> ipv6) override;
	void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
	                       Time::Unit unit = Time::S) const override;

      protected:
	void DoDispose() override;

      private:
	void Forward(UnicastForwardCallback ucb, Ptr<const NetDevice> idev, Ptr<Ipv6Route> route,
	             Ptr<const Packet> p, const Ipv6Header &header);

	Ptr<Ipv6RoutingProtocol> m_inner;
	IpsecIpv6L3Protocol *m_l3 = nullptr; /* its routing protocol holds us */
	/* The stack's unicast forward callback, as last given, and ours. */
	UnicastForwardCallback m_ucb, m_forward;
};

} // namespace ns3
#endif
