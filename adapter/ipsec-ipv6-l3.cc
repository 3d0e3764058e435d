#include "ipsec-ipv6-l3.h"

#include "ipsec-routing6.h"

#include <ns3/ipv6-interface.h>
#include <ns3/ipv6-route.h>
#include <ns3/node.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>
#include <ns3/uinteger.h>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecIpv6L3Protocol);
NS_OBJECT_ENSURE_REGISTERED(IpsecIcmpv6L4Protocol);

static const size_t IPV6_HEADER = 40; /* RFC 8200 §3 */

TypeId IpsecIpv6L3Protocol::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecIpv6L3Protocol")
	                            .SetParent<Ipv6L3Protocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecIpv6L3Protocol>();
	return tid;
}

void IpsecIpv6L3Protocol::NotifyNewAggregate()
{
	Ipv6L3Protocol::NotifyNewAggregate();
	if (Ptr<Node> node = GetObject<Node>()) {
		m_nodeId = node->GetId();
	}
	if (!m_dropsCounted) {
		TraceConnectWithoutContext("Drop",
		                           MakeCallback(&IpsecIpv6L3Protocol::CountDrop, this));
		m_dropsCounted = true;
	}
	/* What the base Send puts in a header without socket tags (set when
	 * the stack is built; nothing changes them later). */
	UintegerValue hopLimit, tclass;
	GetAttribute("DefaultTtl", hopLimit);
	GetAttribute("DefaultTclass", tclass);
	m_defaultHopLimit = static_cast<uint8_t>(hopLimit.Get());
	m_defaultTclass = static_cast<uint8_t>(tclass.Get());
}

void IpsecIpv6L3Protocol::DoDispose()
{
	m_v4 = nullptr;
	Ipv6L3Protocol::DoDispose();
}

void IpsecIpv6L3Protocol::CountDrop(const Ipv6Header &, Ptr<const Packet>, DropReason why,
                                    Ptr<Ipv6>, uint32_t)
{
	if (why < DROP_REASONS) {
		m_stackDrops[why]++;
	}
}

void IpsecIpv6L3Protocol::SetRoutingProtocol(Ptr<Ipv6RoutingProtocol> routing)
{
	Ipv6L3Protocol::SetRoutingProtocol(routing);
	NS_ASSERT_MSG(DynamicCast<IpsecRouting6>(routing),
	              "IpsecIpv6L3Protocol needs IpsecRouting6");
}

size_t IpsecIpv6L3Protocol::ToBytes(Ptr<const Packet> p, const Ipv6Header &h,
                                    std::vector<uint8_t> &buf, std::vector<uint8_t> &out)
{
	size_t n = IPV6_HEADER + p->GetSize();
	if (buf.size() < n + IPSEC_MAX_OVERHEAD) {
		buf.resize(n + IPSEC_MAX_OVERHEAD);
	}
	if (out.size() < buf.size()) {
		out.resize(buf.size());
	}
	uint8_t *b = buf.data();
	uint8_t tclass = h.GetTrafficClass();
	uint32_t flow = h.GetFlowLabel() & 0xfffff;
	b[0] = static_cast<uint8_t>(0x60 | tclass >> 4);
	b[1] = static_cast<uint8_t>(tclass << 4 | flow >> 16);
	b[2] = static_cast<uint8_t>(flow >> 8);
	b[3] = static_cast<uint8_t>(flow);
	b[4] = static_cast<uint8_t>(p->GetSize() >> 8);
	b[5] = static_cast<uint8_t>(p->GetSize());
	b[6] = h.GetNextHeader();
	b[7] = h.GetHopLimit();
	h.GetSource().Serialize(b + 8);
	h.GetDestination().Serialize(b + 24);
	p->CopyData(b + IPV6_HEADER, p->GetSize());
	return n;
}

void IpsecIpv6L3Protocol::Send(Ptr<Packet> packet, Ipv6Address source, Ipv6Address destination,
                               uint8_t protocol, Ptr<Ipv6Route> route)
{
	if (!m_v4->Alive(m_v4->Life())) {
		return;
	}
	struct ipsec *engine = m_v4->GetEngine();
	if (!engine) {
		Ipv6L3Protocol::Send(packet, source, destination, protocol, route);
		return;
	}
	/* The header the base Send would build (it reads the same tags). */
	Ipv6Header h;
	h.SetSource(source);
	h.SetDestination(destination);
	h.SetNextHeader(protocol);
	SocketIpv6HopLimitTag hopLimit;
	h.SetHopLimit(packet->PeekPacketTag(hopLimit) ? hopLimit.GetHopLimit() : m_defaultHopLimit);
	SocketIpv6TclassTag tclass;
	h.SetTrafficClass(packet->PeekPacketTag(tclass) ? tclass.GetTclass() : m_defaultTclass);
	size_t n = ToBytes(packet, h, m_txIn, m_txOut);
	size_t outLen = 0;
	enum ipsec_drop why;
	switch (ipsec_output(engine, m_txIn.data(), n, m_txOut.data(), m_txOut.size(), &outLen,
	                     &why)) {
	case IPSEC_VERDICT_BYPASS:
		Ipv6L3Protocol::Send(packet, source, destination, protocol, route);
		break;
	case IPSEC_VERDICT_PROTECT:
		m_v4->SendProtected(m_txOut.data(), outLen);
		break;
	default:
		break;
	}
}

void IpsecIpv6L3Protocol::SendBytes(const uint8_t *pkt, size_t len)
{
	if (!m_v4->Alive(m_v4->Life()) || len < IPV6_HEADER || pkt[0] >> 4 != 6) {
		return;
	}
	size_t plen = static_cast<size_t>(pkt[4] << 8 | pkt[5]);
	if (plen > len - IPV6_HEADER) {
		return;
	}
	Ptr<Packet> p = Create<Packet>(pkt + IPV6_HEADER, plen);
	SocketIpv6HopLimitTag hopLimit;
	hopLimit.SetHopLimit(pkt[7]);
	p->AddPacketTag(hopLimit);
	SocketIpv6TclassTag tclass;
	tclass.SetTclass(static_cast<uint8_t>((pkt[0] & 0x0f) << 4 | pkt[1] >> 4));
	p->AddPacketTag(tclass);
	Ipv6L3Protocol::Send(p, Ipv6Address::Deserialize(pkt + 8),
	                     Ipv6Address::Deserialize(pkt + 24), pkt[6], nullptr);
}

void IpsecIpv6L3Protocol::Forward(Ptr<const NetDevice> idev, Ptr<Ipv6Route> route,
                                  Ptr<const Packet> p, const Ipv6Header &header,
                                  const Ipv6RoutingProtocol::UnicastForwardCallback &ucb)
{
	if (m_v4->HasForwardTap()) {
		size_t n = ToBytes(p, header, m_in, m_out);
		if (m_v4->ForwardTapDrops(m_in.data(), n)) {
			return;
		}
	}
	if (!m_v4->GetEngine() || header.GetHopLimit() <= 1) {
		/* ns-3's IpForward: Time Exceeded (RFC 4443 §3.3), redirects */
		ucb(idev, route, p, header);
		return;
	}
	Ptr<Packet> q = ConstCast<Packet>(p);
	uint32_t via = IpsecTakeVia(q, m_nodeId);
	/* The packet as it leaves, its hop limit decremented as a router
	 * does (RFC 8200 §3). */
	Ipv6Header h = header;
	h.SetHopLimit(header.GetHopLimit() - 1);
	size_t n = ToBytes(q, h, m_in, m_out);
	size_t room = 0;
	enum ipsec_drop why;
	switch (m_v4->ForwardEngine(m_in, n, m_out, via, route->GetOutputDevice()->GetMtu(), &room,
	                            &why)) {
	case IPSEC_VERDICT_BYPASS:
		ucb(idev, route, q, header);
		break;
	case IPSEC_VERDICT_DROP:
		/* RFC 4443 §3.2: Packet Too Big, with the MTU the inner packet has */
		if (why == IPSEC_DROP_TOO_BIG) {
			Ptr<Packet> copy = q->Copy();
			copy->AddHeader(header);
			GetIcmpv6()->SendErrorTooBig(copy, header.GetSource(),
			                             static_cast<uint32_t>(room));
		}
		break;
	default:
		break;
	}
}

bool IpsecIpv6L3Protocol::InputIpsec(Ptr<Packet> p, const Ipv6Header &header, uint8_t protocol,
                                     Ptr<Ipv6Interface> iface)
{
	if (!m_v4->GetEngine()) {
		return false;
	}
	Ipv6Header h = header;
	h.SetNextHeader(protocol);
	size_t n = ToBytes(p, h, m_in, m_out);
	return m_v4->Decapsulate(m_in, n, m_out, iface->GetDevice());
}

bool IpsecIpv6L3Protocol::InputPolicy(Ptr<Packet> &p, const Ipv6Header &header, uint8_t protocol)
{
	uint32_t via = IpsecTakeVia(p, m_nodeId);
	struct ipsec *engine = m_v4->GetEngine();
	if (!engine) {
		return true;
	}
	Ipv6Header h = header;
	h.SetNextHeader(protocol);
	size_t n = ToBytes(p, h, m_in, m_out);
	enum ipsec_drop why;
	return ipsec_input_policy(engine, m_in.data(), n, via, &why) != IPSEC_VERDICT_DROP;
}

/* An interface to receive an inner packet on.  ns-3 takes a packet as
 * local only if its destination is an address of the interface it arrives
 * on (the strong end-system model), so: the interface owning the
 * destination, else the one the packet came in on if it has IPv6, else the
 * first one up (6-in-4). */
Ptr<NetDevice> IpsecIpv6L3Protocol::InnerDevice(Ptr<NetDevice> dev, Ipv6Address dst)
{
	int32_t i = GetInterfaceForAddress(dst);
	if (i < 0) {
		i = GetInterfaceForDevice(dev);
	}
	for (uint32_t k = 1; i < 0 && k < GetNInterfaces(); k++) {
		if (IsUp(k)) {
			i = static_cast<int32_t>(k);
		}
	}
	return i < 0 ? nullptr : GetNetDevice(static_cast<uint32_t>(i));
}

void IpsecIpv6L3Protocol::DeliverInner(const uint8_t *pkt, size_t len, const IpsecViaTag &tag,
                                       Ptr<NetDevice> dev)
{
	if (len < IPV6_HEADER) {
		return;
	}
	Ptr<NetDevice> in = InnerDevice(dev, Ipv6Address::Deserialize(pkt + 24));
	if (!in) {
		m_stackDrops[DROP_NO_ROUTE]++;
		return;
	}
	Ptr<Packet> inner = Create<Packet>(pkt, len);
	inner->AddPacketTag(tag);
	/* Not from within the L4 protocol that is delivering the outer
	 * packet: LocalDeliver is not reentrant. */
	Simulator::ScheduleNow(&IpsecIpv6L3Protocol::Receive6, Ptr<IpsecIpv6L3Protocol>(this), in,
	                       inner);
}

void IpsecIpv6L3Protocol::Receive6(Ptr<NetDevice> dev, Ptr<Packet> p)
{
	if (m_v4->Alive(m_v4->Life())) {
		Receive(dev, p, PROT_NUMBER, dev->GetAddress(), dev->GetAddress(),
		        NetDevice::PACKET_HOST);
	}
}

TypeId IpsecIcmpv6L4Protocol::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecIcmpv6L4Protocol")
	                            .SetParent<Icmpv6L4Protocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecIcmpv6L4Protocol>();
	return tid;
}

TypeId IpsecIcmpv6L4Protocol::GetInstanceTypeId() const
{
	return GetTypeId();
}

enum IpL4Protocol::RxStatus IpsecIcmpv6L4Protocol::Receive(Ptr<Packet> p, const Ipv6Header &header,
                                                           Ptr<Ipv6Interface> iface)
{
	Ptr<IpsecIpv6L3Protocol> l3 = GetObject<IpsecIpv6L3Protocol>();
	if (l3 && !l3->InputPolicy(p, header, PROT_NUMBER)) {
		return IpL4Protocol::RX_OK; /* dropped and counted by the engine */
	}
	return Icmpv6L4Protocol::Receive(p, header, iface);
}

} // namespace ns3
