#include "ipsec-routing.h"

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecRouting);

TypeId IpsecRouting::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecRouting")
	                            .SetParent<Ipv4RoutingProtocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecRouting>();
	return tid;
}

void IpsecRouting::SetInner(Ptr<Ipv4RoutingProtocol> inner)
{
	m_inner = inner;
}

Ptr<Ipv4RoutingProtocol> IpsecRouting::GetInner() const
{
	return m_inner;
}

Ptr<Ipv4Route> IpsecRouting::RouteOutput(Ptr<Packet> p, const Ipv4Header &header,
                                         Ptr<NetDevice> oif, Socket::SocketErrno &sockerr)
{
	if (!oif) {
		if (Ptr<Ipv4Route> route = m_cache.Find(header.GetDestination())) {
			sockerr = Socket::ERROR_NOTERROR;
			return route;
		}
	}
	Ptr<Ipv4Route> route = m_inner->RouteOutput(p, header, oif, sockerr);
	if (!oif)
		m_cache.Insert(header.GetDestination(), route);
	return route;
}

void IpsecRouting::Remember(Ptr<Ipv4Route> route, Ptr<const Packet> p, const Ipv4Header &header)
{
	m_cache.Insert(header.GetDestination(), route);
	m_forward(route, p, header);
}

bool IpsecRouting::Dispatch(Ptr<const Packet> p, const Ipv4Header &header,
                            Ptr<const NetDevice> idev)
{
	Ipv4Address dst = header.GetDestination();
	int32_t iif = m_cache.Interface(m_ipv4, idev);
	if (iif >= 0 && m_cache.IsLocal(m_ipv4, dst)) {
		m_lcb(p, header, iif);
		return true;
	}
	if (iif >= 0 && m_ipv4->IsForwarding(iif)) {
		if (Ptr<Ipv4Route> route = m_cache.Find(dst)) {
			m_forward(route, p, header);
			return true;
		}
	}
	return m_inner->RouteInput(p, header, idev, m_remember, m_mcb, m_lcb, m_ecb);
}

void IpsecRouting::InvalidateCache()
{
	m_cache.Clear();
}

void IpsecRouting::Forward(UnicastForwardCallback ucb, Ptr<Ipv4Route> route, Ptr<const Packet> p,
                           const Ipv4Header &header)
{
	m_l3->Forward(route, p, header, ucb);
}

bool IpsecRouting::RouteInput(Ptr<const Packet> p, const Ipv4Header &header,
                              Ptr<const NetDevice> idev, UnicastForwardCallback ucb,
                              MulticastForwardCallback mcb, LocalDeliverCallback lcb,
                              ErrorCallback ecb)
{
	/* The stack passes the same callbacks every time: keep them, and bind
	 * ours once. */
	if (m_ucb.IsNull() || !m_ucb.IsEqual(ucb)) {
		m_ucb = ucb;
		m_forward = MakeCallback(&IpsecRouting::Forward, this).Bind(ucb);
		m_mcb = mcb;
		m_lcb = lcb;
		m_ecb = ecb;
		m_remember = MakeCallback(&IpsecRouting::Remember, this);
	}
	if (m_l3->HasNat()) {
		/* NAT inbound before routing: the translated destination is the
		 * one to route to. */
		Ptr<const Packet> q = p;
		Ipv4Header h = header;
		if (!m_l3->NatInbound(idev, q, h)) {
			return true; /* dropped, counted by the NAT */
		}
		return Dispatch(q, h, idev);
	}
	return Dispatch(p, header, idev);
}

bool IpsecRouting::RouteDecapsulated(Ptr<const Packet> p, const Ipv4Header &header,
                                     Ptr<const NetDevice> idev)
{
	if (m_ucb.IsNull()) {
		return false;
	}
	if (!Dispatch(p, header, idev)) {
		m_l3->CountDrop(header, p, Ipv4L3Protocol::DROP_NO_ROUTE, m_l3, 0);
	}
	return true;
}

void IpsecRouting::NotifyInterfaceUp(uint32_t interface)
{
	m_cache.Clear();
	m_inner->NotifyInterfaceUp(interface);
}

void IpsecRouting::NotifyInterfaceDown(uint32_t interface)
{
	m_cache.Clear();
	m_inner->NotifyInterfaceDown(interface);
}

void IpsecRouting::NotifyAddAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
	m_cache.Clear();
	m_inner->NotifyAddAddress(interface, address);
}

void IpsecRouting::NotifyRemoveAddress(uint32_t interface, Ipv4InterfaceAddress address)
{
	m_cache.Clear();
	m_inner->NotifyRemoveAddress(interface, address);
}

void IpsecRouting::SetIpv4(Ptr<Ipv4> ipv4)
{
	m_l3 = DynamicCast<IpsecIpv4L3Protocol>(ipv4);
	m_ipv4 = ipv4;
	m_cache.Clear();
	m_inner->SetIpv4(ipv4);
}

void IpsecRouting::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const
{
	m_inner->PrintRoutingTable(stream, unit);
}

void IpsecRouting::DoDispose()
{
	m_inner = nullptr;
	m_l3 = nullptr;
	m_ucb = m_forward = m_remember = UnicastForwardCallback();
	m_ipv4 = nullptr;
	m_cache.Clear();
	m_mcb = MulticastForwardCallback();
	m_lcb = LocalDeliverCallback();
	m_ecb = ErrorCallback();
	Ipv4RoutingProtocol::DoDispose();
}

} // namespace ns3
