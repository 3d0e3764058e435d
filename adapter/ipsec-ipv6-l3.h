/* An Ipv6L3Protocol whose three paths carry the node's IPsec engine, as
 * IpsecIpv4L3Protocol's do for IPv4 (whose engine, crypto engine, life and
 * counters it shares):
 *
 * local-out  Send -> ipsec_output
 * forward    Forward (from IpsecRouting6's RouteInput) -> ipsec_input_policy,
 *            then ipsec_output
 * local-in   IpsecL4Protocol (ESP, AH), IpsecL4Guard (UDP, TCP) and
 *            IpsecIcmpv6L4Protocol (ICMPv6), after reassembly ->
 *            ipsec_input / ipsec_input_policy
 *
 * ns-3.37's Ipv6L3Protocol has no SendWithHeader: a packet leaves through
 * the base Send with its header's fields as arguments and its hop limit and
 * traffic class as socket tags (Send reads both).  ns-3 builds every header
 * with flow label 0x00001 (Ipv6Header's default); the engine never relies
 * on the flow label (RFC 4301 §5.1.2.2 lets it be anything).
 */
#ifndef IPSEC_IPV6_L3_H
#define IPSEC_IPV6_L3_H

#include "ipsec-ipv4-l3.h"
#include "via-tag.h"

#include <ns3/icmpv6-l4-protocol.h>
#include <ns3/ipv6-l3-protocol.h>
#include <ns3/ipv6-routing-protocol.h>

#include <vector>

namespace ns3
{

class IpsecRouting6;

class IpsecIpv6L3Protocol : public Ipv6L3Protocol
{
      public:
	static TypeId GetTypeId();

	/* The node's IPv4 stack, whose state this one shares. */
	void SetIpv4(IpsecIpv4L3Protocol *ipv4)
	{
		m_v4 = ipv4;
	}
	void SetRoutingProtocol(Ptr<Ipv6RoutingProtocol> routing) override;
	void Send(Ptr<Packet> packet, Ipv6Address source, Ipv6Address destination, uint8_t protocol,
	          Ptr<Ipv6Route> route) override;

	/* The forward path: called instead of the routing protocol's unicast
	 * forward callback `ucb`. */
	void Forward(Ptr<const NetDevice> idev, Ptr<Ipv6Route> route, Ptr<const Packet> p,
	             const Ipv6Header &header,
	             const Ipv6RoutingProtocol::UnicastForwardCallback &ucb);
	/* Local-in for ESP, AH and UDP-encapsulated ESP (`protocol` is the
	 * header the packet starts with: ns-3 strips the extension headers
	 * before it and hands on the first fragment's header).  False when the
	 * engine says the packet is not IPsec. */
	bool InputIpsec(Ptr<Packet> p, const Ipv6Header &header, uint8_t protocol,
	                Ptr<Ipv6Interface> iface);
	/* The local-in policy check for plaintext after reassembly. */
	bool InputPolicy(Ptr<Packet> &p, const Ipv6Header &header, uint8_t protocol);
	/* Sends a whole IPv6 packet routed by its destination, without IPsec. */
	void SendBytes(const uint8_t *pkt, size_t len);
	/* A packet the engine decapsulated: received again on an interface of
	 * this stack, local or to be forwarded. */
	void DeliverInner(const uint8_t *pkt, size_t len, const IpsecViaTag &tag,
	                  Ptr<NetDevice> dev);

	/* What ns-3's IPv6 stack dropped (its Drop trace), and inner packets
	 * with no interface to arrive on (DROP_NO_ROUTE). */
	uint64_t StackDrops(DropReason why) const
	{
		return why < DROP_REASONS ? m_stackDrops[why] : 0;
	}

      protected:
	void NotifyNewAggregate() override;
	void DoDispose() override;

      private:
	void CountDrop(const Ipv6Header &, Ptr<const Packet>, DropReason why, Ptr<Ipv6>, uint32_t);
	/* Header + packet as bytes in buf; out made large enough for the
	 * engine's output. */
	size_t ToBytes(Ptr<const Packet> p, const Ipv6Header &h, std::vector<uint8_t> &buf,
	               std::vector<uint8_t> &out);
	Ptr<NetDevice> InnerDevice(Ptr<NetDevice> dev, Ipv6Address dst);
	void Receive6(Ptr<NetDevice> dev, Ptr<Packet> p);

	IpsecIpv4L3Protocol *m_v4 = nullptr; /* in the same aggregate */
	uint32_t m_nodeId = 0;
	bool m_dropsCounted = false;
	uint8_t m_defaultHopLimit = 64, m_defaultTclass = 0;
	static constexpr int DROP_REASONS = DROP_FRAGMENT_TIMEOUT + 1;
	uint64_t m_stackDrops[DROP_REASONS] = {};
	std::vector<uint8_t> m_in, m_out;     /* forward and local-in */
	std::vector<uint8_t> m_txIn, m_txOut; /* local-out */
};

/* ICMPv6 with the local-in policy check in front (RFC 4301 §5.2).  It
 * cannot be guarded like UDP and TCP: Ipv6Interface and GetIcmpv6 find it by
 * its protocol number and need an Icmpv6L4Protocol (neighbour discovery,
 * error messages). */
class IpsecIcmpv6L4Protocol : public Icmpv6L4Protocol
{
      public:
	static TypeId GetTypeId();
	TypeId GetInstanceTypeId() const override;
	using Icmpv6L4Protocol::Receive;
	enum IpL4Protocol::RxStatus Receive(Ptr<Packet> p, const Ipv6Header &header,
	                                    Ptr<Ipv6Interface> iface) override;
};

} // namespace ns3
#endif
