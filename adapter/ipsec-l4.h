/* Local-in hooks, which run after reassembly (RFC 4301 §5.2 needs whole
 * packets).  IpsecL4Protocol takes ESP (50) and AH (51) to the engine;
 * IpsecL4Guard stands in front of UDP, TCP and ICMP (ICMPv6:
 * IpsecIcmpv6L4Protocol) and lets a packet through only if inbound policy
 * allows it (and takes UDP-encapsulated ESP, RFC 3948, to the engine
 * first).  Each serves both families. */
#ifndef IPSEC_L4_H
#define IPSEC_L4_H

#include "ipsec-ipv4-l3.h"
#include "ipsec-ipv6-l3.h"

#include <ns3/ip-l4-protocol.h>
#include <ns3/ipv4-interface.h>
#include <ns3/ipv6-interface.h>

namespace ns3
{

class IpsecL4Protocol : public IpL4Protocol
{
      public:
	static TypeId GetTypeId();
	/* l3v6: the node's IPv6 stack, or nullptr. */
	void Setup(int protocol, Ptr<IpsecIpv4L3Protocol> l3, IpsecIpv6L3Protocol *l3v6);

	int GetProtocolNumber() const override;
	enum RxStatus Receive(Ptr<Packet> p, const Ipv4Header &header,
	                      Ptr<Ipv4Interface> incomingInterface) override;
	enum RxStatus Receive(Ptr<Packet> p, const Ipv6Header &header,
	                      Ptr<Ipv6Interface> incomingInterface) override;
	void SetDownTarget(IpL4Protocol::DownTargetCallback cb) override;
	void SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb) override;
	IpL4Protocol::DownTargetCallback GetDownTarget() const override;
	IpL4Protocol::DownTargetCallback6 GetDownTarget6() const override;

      protected:
	void DoDispose() override;

      private:
	int m_protocol = 0;
	Ptr<IpsecIpv4L3Protocol> m_l3;
	IpsecIpv6L3Protocol *m_l3v6 = nullptr; /* holds us in its protocol list */
	IpL4Protocol::DownTargetCallback m_down;
	IpL4Protocol::DownTargetCallback6 m_down6;
};

class IpsecL4Guard : public IpL4Protocol
{
      public:
	static TypeId GetTypeId();
	void Setup(Ptr<IpL4Protocol> inner, Ptr<IpsecIpv4L3Protocol> l3, IpsecIpv6L3Protocol *l3v6);

	int GetProtocolNumber() const override;
	enum RxStatus Receive(Ptr<Packet> p, const Ipv4Header &header,
	                      Ptr<Ipv4Interface> incomingInterface) override;
	enum RxStatus Receive(Ptr<Packet> p, const Ipv6Header &header,
	                      Ptr<Ipv6Interface> incomingInterface) override;
	void ReceiveIcmp(Ipv4Address icmpSource, uint8_t icmpTtl, uint8_t icmpType,
	                 uint8_t icmpCode, uint32_t icmpInfo, Ipv4Address payloadSource,
	                 Ipv4Address payloadDestination, const uint8_t payload[8]) override;
	void SetDownTarget(IpL4Protocol::DownTargetCallback cb) override;
	void SetDownTarget6(IpL4Protocol::DownTargetCallback6 cb) override;
	IpL4Protocol::DownTargetCallback GetDownTarget() const override;
	IpL4Protocol::DownTargetCallback6 GetDownTarget6() const override;

      protected:
	void DoDispose() override;

      private:
	Ptr<IpL4Protocol> m_inner;
	Ptr<IpsecIpv4L3Protocol> m_l3;
	IpsecIpv6L3Protocol *m_l3v6 = nullptr;
};

} // namespace ns3
#endif
