#include "ipsec-routing6.h"

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecRouting6);

TypeId IpsecRouting6::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecRouting6")
	                            .SetParent<Ipv6RoutingProtocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecRouting6>();
	return tid;
}

void IpsecRouting6::SetInner(Ptr<Ipv6RoutingProtocol> inner)
{
	m_inner = inner;
}

Ptr<Ipv6RoutingProtocol> IpsecRouting6::GetInner() const
{
	return m_inner;
}

Ptr<Ipv6Route> IpsecRouting6::RouteOutput(Ptr<Packet> p, const Ipv6Header &header,
                                          Ptr<NetDevice> oif, Socket::SocketErrno &sockerr)
{
	return m_inner->RouteOutput(p, header, oif, sockerr);
}

void IpsecRouting6::Forward(UnicastForwardCallback ucb, Ptr<const NetDevice> idev,
                            Ptr<Ipv6Route> route, Ptr<const Packet> p, const Ipv6Header &header)
{
	m_l3->Forward(idev, route, p, header, ucb);
}

bool IpsecRouting6::RouteInput(Ptr<const Packet> p, const Ipv6Header &header,
                               Ptr<const NetDevice> idev, UnicastForwardCallback ucb,
                               MulticastForwardCallback mcb, LocalDeliverCallback lcb,
                               ErrorCallback ecb)
{
	/* The stack passes the same callback every time: bind ours once. */
	if (m_ucb.IsNull() || !m_ucb.IsEqual(ucb)) {
		m_ucb = ucb;
		m_forward = MakeCallback(&IpsecRouting6::Forward, this).Bind(ucb);
	}
	return m_inner->RouteInput(p, header, idev, m_forward, mcb, lcb, ecb);
}

void IpsecRouting6::NotifyInterfaceUp(uint32_t interface)
{
	m_inner->NotifyInterfaceUp(interface);
}

void IpsecRouting6::NotifyInterfaceDown(uint32_t interface)
{
	m_inner->NotifyInterfaceDown(interface);
}

void IpsecRouting6::NotifyAddAddress(uint32_t interface, Ipv6InterfaceAddress address)
{
	m_inner->NotifyAddAddress(interface, address);
}

void IpsecRouting6::NotifyRemoveAddress(uint32_t interface, Ipv6InterfaceAddress address)
{
	m_inner->NotifyRemoveAddress(interface, address);
}

void IpsecRouting6::NotifyAddRoute(Ipv6Address dst, Ipv6Prefix mask, Ipv6Address nextHop,
                                   uint32_t interface, Ipv6Address prefixToUse)
{
	m_inner->NotifyAddRoute(dst, mask, nextHop, interface, prefixToUse);
}

void IpsecRouting6::NotifyRemoveRoute(Ipv6Address dst, Ipv6Prefix mask, Ipv6Address nextHop,
                                      uint32_t interface, Ipv6Address prefixToUse)
{
	m_inner->NotifyRemoveRoute(dst, mask, nextHop, interface, prefixToUse);
}

void IpsecRouting6::SetIpv6(Ptr<Ipv6> ipv6)
{
	m_l3 = PeekPointer(DynamicCast<IpsecIpv6L3Protocol>(ipv6));
	m_inner->SetIpv6(ipv6);
}

void IpsecRouting6::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const
{
	m_inner->PrintRoutingTable(stream, unit);
}

void IpsecRouting6::DoDispose()
{
	m_inner = nullptr;
	m_l3 = nullptr;
	m_ucb = m_forward = UnicastForwardCallback();
	Ipv6RoutingProtocol::DoDispose();
}

} // namespace ns3
