/* Wraps a node's routing protocol so that packets it forwards take the
 * IPsec forward path (IpsecIpv4L3Protocol::Forward).  Everything else is the
 * wrapped protocol's. */
#ifndef IPSEC_ROUTING_H
#define IPSEC_ROUTING_H

#include "ipsec-ipv4-l3.h"
#include "route-cache.h"

#include <ns3/ipv4-routing-protocol.h>

namespace ns3
{

class IpsecRouting : public Ipv4RoutingProtocol
{
      public:
	static TypeId GetTypeId();
	void SetInner(Ptr<Ipv4RoutingProtocol> inner);
	Ptr<Ipv4RoutingProtocol> GetInner() const;

	Ptr<Ipv4Route> RouteOutput(Ptr<Packet> p, const Ipv4Header &header, Ptr<NetDevice> oif,
	                           Socket::SocketErrno &sockerr) override;
	bool RouteInput(Ptr<const Packet> p, const Ipv4Header &header, Ptr<const NetDevice> idev,
	                UnicastForwardCallback ucb, MulticastForwardCallback mcb,
	                LocalDeliverCallback lcb, ErrorCallback ecb) override;
	void NotifyInterfaceUp(uint32_t interface) override;
	void NotifyInterfaceDown(uint32_t interface) override;
	void NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
	void NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address) override;
	void SetIpv4(Ptr<Ipv4> ipv4) override;
	/* Routes a packet just decapsulated on `idev` with the stack's own
	 * callbacks, as if it had been received.  False before the first
	 * RouteInput (the callbacks are not known yet). */
	bool RouteDecapsulated(Ptr<const Packet> p, const Ipv4Header &header,
	                       Ptr<const NetDevice> idev);
	/* Routes were added or removed behind ns-3's notifications. */
	void InvalidateCache();
	void PrintRoutingTable(Ptr<OutputStreamWrapper> stream,
	                       Time::Unit unit = Time::S) const override;

      protected:
	void DoDispose() override;

      private:
	void Forward(UnicastForwardCallback ucb, Ptr<Ipv4Route> route, Ptr<const Packet> p,
	             const Ipv4Header &header);
	/* Local delivery or forwarding from the cache, else ns-3's routing
	 * (whose forwarding decision is remembered). */
	bool Dispatch(Ptr<const Packet> p, const Ipv4Header &header, Ptr<const NetDevice> idev);
	void Remember(Ptr<Ipv4Route> route, Ptr<const Packet> p, const Ipv4Header &header);

	Ptr<Ipv4RoutingProtocol> m_inner;
	Ptr<IpsecIpv4L3Protocol> m_l3;
	/* The stack's callbacks, as last given to RouteInput, and ours. */
	UnicastForwardCallback m_ucb, m_forward;
	MulticastForwardCallback m_mcb;
	LocalDeliverCallback m_lcb;
	ErrorCallback m_ecb;
	UnicastForwardCallback m_remember;
	Ptr<Ipv4> m_ipv4;
	RouteCache m_cache;
};

} // namespace ns3
#endif
