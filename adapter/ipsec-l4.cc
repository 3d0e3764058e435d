#include "ipsec-l4.h"

#include <ns3/icmpv4-l4-protocol.h>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecL4Protocol);
NS_OBJECT_ENSURE_REGISTERED(IpsecL4Guard);

/* RFC 3948 §3: UDP-encapsulated ESP arrives on the IKE NAT-T port. */
static const uint16_t NAT_T_PORT = 4500;
static const uint8_t UDP_PROTOCOL = 17;

TypeId IpsecL4Protocol::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecL4Protocol")
	                            .SetParent<IpL4Protocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecL4Protocol>();
	return tid;
}

void IpsecL4Protocol::Setup(int protocol, Ptr<IpsecIpv4L3Protocol> l3, IpsecIpv6L3Protocol *l3v6)
{
	m_protocol = protocol;
	m_l3 = l3;
	m_l3v6 = l3v6;
}

int IpsecL4Protocol::GetProtocolNumber() const
{
	return m_protocol;
}

enum IpL4Protocol::RxStatus IpsecL4Protocol::Receive(Ptr<Packet> p, const Ipv4Header &header,
                                                     Ptr<Ipv4Interface> iface)
{
	m_l3->InputIpsec(p, header, iface);
	return RX_OK;
}

enum IpL4Protocol::RxStatus IpsecL4Protocol::Receive(Ptr<Packet> p, const Ipv6Header &header,
                                                     Ptr<Ipv6Interface> iface)
{
	if (!m_l3v6) {
		return RX_ENDPOINT_UNREACH;
	}
	m_l3v6->InputIpsec(p, header, static_cast<uint8_t>(m_protocol), iface);
	return RX_OK;
}

void IpsecL4Protocol::SetDownTarget(IpL4Protocol::DownTargetCallback cb)
{
	m_down = cb;
}

void IpsecL4Protocol::SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb)
{
	m_down6 = cb;
}

IpL4Protocol::DownTargetCallback IpsecL4Protocol::GetDownTarget() const
{
	return m_down;
}

IpL4Protocol::DownTargetCallback6 IpsecL4Protocol::GetDownTarget6() const
{
	return m_down6;
}

void IpsecL4Protocol::DoDispose()
{
	m_l3 = nullptr;
	m_l3v6 = nullptr;
	IpL4Protocol::DoDispose();
}

TypeId IpsecL4Guard::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecL4Guard")
	                            .SetParent<IpL4Protocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecL4Guard>();
	return tid;
}

void IpsecL4Guard::Setup(Ptr<IpL4Protocol> inner, Ptr<IpsecIpv4L3Protocol> l3,
                         IpsecIpv6L3Protocol *l3v6)
{
	m_inner = inner;
	m_l3 = l3;
	m_l3v6 = l3v6;
}

int IpsecL4Guard::GetProtocolNumber() const
{
	return m_inner->GetProtocolNumber();
}

static uint16_t UdpDestinationPort(Ptr<const Packet> p)
{
	uint8_t udp[4];
	if (p->CopyData(udp, sizeof udp) != sizeof udp) {
		return 0;
	}
	return static_cast<uint16_t>(udp[2] << 8 | udp[3]);
}

enum IpL4Protocol::RxStatus IpsecL4Guard::Receive(Ptr<Packet> p, const Ipv4Header &header,
                                                  Ptr<Ipv4Interface> iface)
{
	if (header.GetProtocol() == UDP_PROTOCOL && UdpDestinationPort(p) == NAT_T_PORT &&
	    m_l3->InputIpsec(p, header, iface)) {
		return RX_OK;
	}
	if (!m_l3->InputPolicy(p, header)) {
		return RX_OK; /* dropped and counted by the engine; no ICMP error */
	}
	Ptr<Packet> copy = p->Copy();
	enum RxStatus status = m_inner->Receive(p, header, iface);
	if (status == RX_CSUM_FAILED) {
		/* Links here corrupt nothing: a datagram reassembled from the
		 * fragments of two that shared an identification. */
		m_l3->CountL4Checksum();
	}
	if (status != RX_ENDPOINT_UNREACH) {
		return status;
	}
	m_l3->CountNoSocket();
	/* No socket: ns-3's LocalDeliver would answer Port Unreachable
	 * (RFC 1122 §4.1.3.1) through Ipv4L3Protocol::GetIcmp(), which finds
	 * this guard, not ICMP; answer here as it would. */
	Ipv4Address dst = header.GetDestination();
	if (!dst.IsBroadcast() && !dst.IsMulticast() &&
	    !IpsecIpv4L3Protocol::IsDirectedBroadcast(dst, iface->GetAddress(0).GetMask())) {
		Ptr<Icmpv4L4Protocol> icmp = m_l3->GetObject<Icmpv4L4Protocol>();
		if (icmp) {
			icmp->SendDestUnreachPort(header, copy);
		}
	}
	return RX_OK;
}

enum IpL4Protocol::RxStatus IpsecL4Guard::Receive(Ptr<Packet> p, const Ipv6Header &header,
                                                  Ptr<Ipv6Interface> iface)
{
	uint8_t protocol = static_cast<uint8_t>(GetProtocolNumber());
	if (!m_l3v6) {
		return m_inner->Receive(p, header, iface);
	}
	if (protocol == UDP_PROTOCOL && UdpDestinationPort(p) == NAT_T_PORT &&
	    m_l3v6->InputIpsec(p, header, protocol, iface)) {
		return RX_OK;
	}
	if (!m_l3v6->InputPolicy(p, header, protocol)) {
		return RX_OK; /* dropped and counted by the engine; no ICMPv6 error */
	}
	enum RxStatus status = m_inner->Receive(p, header, iface);
	if (status == RX_CSUM_FAILED) {
		m_l3->CountL4Checksum();
	} else if (status == RX_ENDPOINT_UNREACH) {
		m_l3->CountNoSocket(); /* ns-3 answers Port Unreachable (RFC 4443 §3.1) */
	}
	return status;
}

void IpsecL4Guard::ReceiveIcmp(Ipv4Address icmpSource, uint8_t icmpTtl, uint8_t icmpType,
                               uint8_t icmpCode, uint32_t icmpInfo, Ipv4Address payloadSource,
                               Ipv4Address payloadDestination, const uint8_t payload[8])
{
	m_inner->ReceiveIcmp(icmpSource, icmpTtl, icmpType, icmpCode, icmpInfo, payloadSource,
	                     payloadDestination, payload);
}

void IpsecL4Guard::SetDownTarget(IpL4Protocol::DownTargetCallback cb)
{
	m_inner->SetDownTarget(cb);
}

void IpsecL4Guard::SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb)
{
	m_inner->SetDownTarget6(cb);
}

IpL4Protocol::DownTargetCallback IpsecL4Guard::GetDownTarget() const
{
	return m_inner->GetDownTarget();
}

IpL4Protocol::DownTargetCallback6 IpsecL4Guard::GetDownTarget6() const
{
	return m_inner->GetDownTarget6();
}

void IpsecL4Guard::DoDispose()
{
	m_inner = nullptr;
	m_l3 = nullptr;
	m_l3v6 = nullptr;
	IpL4Protocol::DoDispose();
}

} // namespace ns3
