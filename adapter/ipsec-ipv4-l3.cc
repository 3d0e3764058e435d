#include "ipsec-ipv4-l3.h"

#include "ipsec-ipv6-l3.h"
#include "ipsec-routing.h"
#include "via-tag.h"

#include <ns3/icmpv4-l4-protocol.h>

extern "C" {
#include "ipv4.h"
}

#include <ns3/channel.h>
#include <ns3/ipv4-interface.h>
#include <ns3/ipv4-routing-protocol.h>
#include <ns3/node.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecIpv4L3Protocol);

TypeId IpsecIpv4L3Protocol::GetTypeId()
{
	static TypeId tid = TypeId("ns3::IpsecIpv4L3Protocol")
	                            .SetParent<Ipv4L3Protocol>()
	                            .SetGroupName("Internet")
	                            .AddConstructor<IpsecIpv4L3Protocol>();
	return tid;
}

void IpsecIpv4L3Protocol::NotifyNewAggregate()
{
	Ipv4L3Protocol::NotifyNewAggregate();
	if (Ptr<Node> node = GetObject<Node>()) {
		m_nodeId = node->GetId();
	}
	if (!m_dropsCounted) {
		TraceConnectWithoutContext("Drop",
		                           MakeCallback(&IpsecIpv4L3Protocol::CountDrop, this));
		m_dropsCounted = true;
	}
}

void IpsecIpv4L3Protocol::CountDrop(const Ipv4Header &, Ptr<const Packet>, DropReason why,
                                    Ptr<Ipv4>, uint32_t)
{
	if (why < DROP_REASONS) {
		m_stackDrops[why]++;
	}
}

void IpsecIpv4L3Protocol::DoDispose()
{
	m_routing = nullptr;
	m_engine = nullptr;
	Ipv4L3Protocol::DoDispose();
}

void IpsecIpv4L3Protocol::SetRoutingProtocol(Ptr<Ipv4RoutingProtocol> routing)
{
	Ipv4L3Protocol::SetRoutingProtocol(routing);
	m_routing = DynamicCast<IpsecRouting>(routing);
	NS_ASSERT_MSG(m_routing, "IpsecIpv4L3Protocol needs IpsecRouting");
}

void IpsecIpv4L3Protocol::SetEngine(struct ipsec *engine)
{
	m_engine = engine;
}

struct ipsec *IpsecIpv4L3Protocol::GetEngine() const
{
	return m_engine;
}

void IpsecIpv4L3Protocol::SetForwardTap(ForwardTap tap, void *arg)
{
	m_tap = tap;
	m_tapArg = arg;
}

void IpsecIpv4L3Protocol::SetCryptoHook(CryptoHook hook, void *arg)
{
	m_crypto = hook;
	m_cryptoArg = arg;
}

size_t IpsecIpv4L3Protocol::ToBytes(Ptr<const Packet> p, const Ipv4Header &h,
                                    std::vector<uint8_t> &buf, std::vector<uint8_t> &out)
{
	/* ns-3 headers carry no options: 20 bytes, then the payload. */
	size_t n = IPV4_HDR_LEN + p->GetSize();
	if (buf.size() < n + IPSEC_MAX_OVERHEAD) {
		buf.resize(n + IPSEC_MAX_OVERHEAD);
	}
	if (out.size() < buf.size()) {
		out.resize(buf.size());
	}
	uint16_t frag = static_cast<uint16_t>(h.GetFragmentOffset() / 8);
	frag |= h.IsDontFragment() ? IPV4_DF : 0;
	frag |= h.IsLastFragment() ? 0 : IPV4_MF;
	ipv4_build(buf.data(), h.GetTos(), static_cast<uint16_t>(n), h.GetIdentification(), frag,
	           h.GetTtl(), h.GetProtocol(), h.GetSource().Get(), h.GetDestination().Get());
	p->CopyData(buf.data() + IPV4_HDR_LEN, p->GetSize());
	return n;
}

void IpsecIpv4L3Protocol::SetNodeUp(bool up)
{
	if (m_up && !up) {
		m_life++;
	}
	m_up = up;
}

bool IpsecIpv4L3Protocol::Alive(uint64_t life)
{
	if (m_up && life == m_life) {
		return true;
	}
	m_downDrops++;
	return false;
}

void IpsecIpv4L3Protocol::SetIdSource(IdSource source, void *arg)
{
	m_idSource = source;
	m_idArg = arg;
}

/* As Linux does (ip_idents): a counter per (source, destination,
 * protocol) -- datagrams that could be fragments of one another only meet
 * between the same addresses (RFC 6864 §4.1) -- starting at a point drawn
 * from the node's seeded stream, so that two nodes behind one NAT do not
 * send the same identifications (ns-3.37 starts every counter at 0). */
uint16_t IpsecIpv4L3Protocol::NextIdentification(Ipv4Address src, Ipv4Address dst, uint8_t proto)
{
	auto key = std::make_tuple(src.Get(), dst.Get(), proto);
	auto it = m_identification.find(key);
	if (it == m_identification.end()) {
		uint8_t b[2] = {0, 0};
		if (m_idSource && m_idSource(m_idArg, b, sizeof b) != 0) {
			b[0] = b[1] = 0;
		}
		it = m_identification.emplace(key, static_cast<uint16_t>(b[0] << 8 | b[1])).first;
	}
	return it->second++;
}

bool IpsecIpv4L3Protocol::IsBroadcastDestination(Ipv4Address dst) const
{
	if (dst.IsBroadcast() || dst.IsMulticast()) {
		return true;
	}
	for (uint32_t i = 0; i < GetNInterfaces(); i++) {
		for (uint32_t a = 0; a < GetNAddresses(i); a++) {
			Ipv4InterfaceAddress ia = GetAddress(i, a);
			if (IsDirectedBroadcast(dst, ia.GetMask()) &&
			    dst.CombineMask(ia.GetMask()) ==
			            ia.GetLocal().CombineMask(ia.GetMask())) {
				return true;
			}
		}
	}
	return false;
}

void IpsecIpv4L3Protocol::SendRouted(Ptr<Packet> packet, const Ipv4Header &header,
                                     Ptr<Ipv4Route> route)
{
	if (!route || route->GetGateway() == Ipv4Address()) {
		Socket::SocketErrno err;
		route = GetRoutingProtocol()->RouteOutput(packet, header, nullptr, err);
	}
	if (!route) {
		CountDrop(header, packet, DROP_NO_ROUTE, this, 0);
		return;
	}
	Ipv4L3Protocol::SendWithHeader(packet, header, route);
}

void IpsecIpv4L3Protocol::Send(Ptr<Packet> packet, Ipv4Address source, Ipv4Address destination,
                               uint8_t protocol, Ptr<Ipv4Route> route)
{
	if (!Alive(m_life)) {
		return;
	}
	if (IsBroadcastDestination(destination)) {
		Ipv4L3Protocol::Send(packet, source, destination, protocol, route);
		return;
	}
	/* Ipv4L3Protocol::Send's header, with our identification. */
	Ipv4Header h;
	h.SetSource(source);
	h.SetDestination(destination);
	h.SetProtocol(protocol);
	h.SetPayloadSize(packet->GetSize());
	SocketIpTtlTag ttl;
	h.SetTtl(packet->RemovePacketTag(ttl) ? ttl.GetTtl() : 64);
	SocketIpTosTag tos;
	if (packet->RemovePacketTag(tos)) {
		h.SetTos(tos.GetTos());
	}
	h.SetMayFragment();
	h.SetIdentification(NextIdentification(source, destination, protocol));
	if (!m_engine || Output(packet, h)) {
		SendRouted(packet, h, route);
	}
}

bool IpsecIpv4L3Protocol::IsDirectedBroadcast(Ipv4Address dst, Ipv4Mask mask)
{
	return mask.GetPrefixLength() < 31 && dst.IsSubnetDirectedBroadcast(mask);
}

bool IpsecIpv4L3Protocol::IsDestinationAddress(Ipv4Address address, uint32_t iif) const
{
	bool neighbour = false;
	for (uint32_t i = 0; i < GetNInterfaces(); i++) {
		for (uint32_t a = 0; a < GetNAddresses(i); a++) {
			Ipv4InterfaceAddress ia = GetAddress(i, a);
			if (ia.GetLocal() == address) {
				return Ipv4L3Protocol::IsDestinationAddress(address, iif);
			}
			neighbour |= ia.GetMask().GetPrefixLength() == 31 &&
			             ia.GetBroadcast() == address;
		}
	}
	return !neighbour && Ipv4L3Protocol::IsDestinationAddress(address, iif);
}

void IpsecIpv4L3Protocol::SendWithHeader(Ptr<Packet> packet, Ipv4Header ipHeader,
                                         Ptr<Ipv4Route> route)
{
	if (!Alive(m_life)) {
		return;
	}
	if (!m_engine) {
		Ipv4L3Protocol::SendWithHeader(packet, ipHeader, route);
		return;
	}
	if (Output(packet, ipHeader)) {
		Ipv4L3Protocol::SendWithHeader(packet, ipHeader, route);
	}
}

bool IpsecIpv4L3Protocol::Output(Ptr<const Packet> packet, const Ipv4Header &header)
{
	size_t n = ToBytes(packet, header, m_txIn, m_txOut);
	size_t outLen = 0;
	enum ipsec_drop why;
	switch (ipsec_output(m_engine, m_txIn.data(), n, m_txOut.data(), m_txOut.size(), &outLen,
	                     &why)) {
	case IPSEC_VERDICT_BYPASS:
		return true;
	case IPSEC_VERDICT_PROTECT:
		SendProtected(m_txOut.data(), outLen);
		return false;
	default:
		return false;
	}
}

bool IpsecIpv4L3Protocol::FromBytes(const uint8_t *pkt, size_t len, Ipv4Header &h,
                                    Ptr<Packet> &payload)
{
	struct ipv4_view ip;
	if (ipv4_parse(pkt, len, &ip) != 0) {
		return false;
	}
	h.SetSource(Ipv4Address(ip.src));
	h.SetDestination(Ipv4Address(ip.dst));
	h.SetProtocol(ip.proto);
	h.SetTos(ip.tos);
	h.SetTtl(ip.ttl);
	h.SetIdentification(ip.id);
	h.SetPayloadSize(static_cast<uint16_t>(ip.total_len - ip.hdr_len));
	if (ip.frag & IPV4_DF) {
		h.SetDontFragment();
	}
	if (ip.frag & IPV4_MF) {
		h.SetMoreFragments();
	}
	h.SetFragmentOffset(static_cast<uint16_t>((ip.frag & IPV4_OFFSET_MASK) * 8));
	if (Node::ChecksumEnabled()) {
		h.EnableChecksum();
	}
	payload = Create<Packet>(pkt + ip.hdr_len, ip.total_len - ip.hdr_len);
	return true;
}

void IpsecIpv4L3Protocol::SendBytes(const uint8_t *pkt, size_t len)
{
	if (len > 0 && pkt[0] >> 4 == 6) {
		if (m_ipv6) {
			m_ipv6->SendBytes(pkt, len);
		}
		return;
	}
	Ipv4Header h;
	Ptr<Packet> p;
	if (!Alive(m_life) || !FromBytes(pkt, len, h, p)) {
		return;
	}
	SendRouted(p, h, nullptr);
}

void IpsecIpv4L3Protocol::SendProtected(const uint8_t *pkt, size_t len)
{
	if (!m_crypto) {
		SendBytes(pkt, len);
		return;
	}
	uint64_t at = m_crypto(m_cryptoArg, m_nodeId, 0, -1, pkt, len);
	uint64_t now = static_cast<uint64_t>(Simulator::Now().GetNanoSeconds());
	if (at == UINT64_MAX) {
		return;
	}
	if (at <= now) {
		SendBytes(pkt, len);
		return;
	}
	Simulator::Schedule(NanoSeconds(at - now), &IpsecIpv4L3Protocol::SendCopy,
	                    Ptr<IpsecIpv4L3Protocol>(this), std::vector<uint8_t>(pkt, pkt + len),
	                    m_life);
}

void IpsecIpv4L3Protocol::SendCopy(std::vector<uint8_t> pkt, uint64_t life)
{
	if (Alive(life)) {
		SendBytes(pkt.data(), pkt.size());
	}
}

void IpsecIpv4L3Protocol::SetNat(struct nat *nat, uint32_t outsideIf)
{
	m_nat = nat;
	m_natOutside = outsideIf;
}

bool IpsecIpv4L3Protocol::NatApply(enum nat_dir dir, Ptr<const Packet> &p, Ipv4Header &h)
{
	size_t n = ToBytes(p, h, m_in, m_out);
	enum nat_drop why;
	uint64_t now = static_cast<uint64_t>(Simulator::Now().GetNanoSeconds());
	switch (nat_translate(m_nat, dir, m_in.data(), n, now, &why)) {
	case NAT_PASS:
		return true;
	case NAT_TRANSLATED: {
		Ipv4Header th;
		Ptr<Packet> q;
		if (!FromBytes(m_in.data(), n, th, q)) {
			return false;
		}
		p = q;
		h = th;
		return true;
	}
	default:
		return false;
	}
}

bool IpsecIpv4L3Protocol::NatInbound(Ptr<const NetDevice> idev, Ptr<const Packet> &p, Ipv4Header &h)
{
	m_natFromOutside = GetInterfaceForDevice(idev) == static_cast<int32_t>(m_natOutside);
	return !m_natFromOutside || NatApply(NAT_DIR_IN, p, h);
}

void IpsecIpv4L3Protocol::Forward(Ptr<Ipv4Route> route, Ptr<const Packet> p,
                                  const Ipv4Header &header,
                                  const Ipv4RoutingProtocol::UnicastForwardCallback &ucb)
{
	if (m_nat && !m_natFromOutside &&
	    GetInterfaceForDevice(route->GetOutputDevice()) == static_cast<int32_t>(m_natOutside)) {
		Ipv4Header h = header;
		if (NatApply(NAT_DIR_OUT, p, h)) {
			ForwardIpsec(route, p, h, ucb);
		}
		return;
	}
	ForwardIpsec(route, p, header, ucb);
}

/* A point-to-point link has one neighbour: a directly connected
 * destination that is not its address (one a handover took away) cannot be
 * resolved, and the packet is dropped, as after a failed ARP request
 * (RFC 1812 §5.2.7.1) -- instead of the neighbour routing it back. */
bool IpsecIpv4L3Protocol::HasNeighbour(Ptr<Ipv4Route> route, Ipv4Address dst) const
{
	Ptr<PointToPointNetDevice> dev =
	        DynamicCast<PointToPointNetDevice>(route->GetOutputDevice());
	if (route->GetGateway() != Ipv4Address::GetAny() || !dev || dst.IsBroadcast()) {
		return true;
	}
	int32_t out = GetInterfaceForDevice(dev);
	if (out >= 0 && GetAddress(out, 0).GetMask() == Ipv4Mask::GetOnes()) {
		return true; /* unnumbered: a route through an IPv6 neighbour (ns3c_route_add) */
	}
	Ptr<Channel> channel = dev->GetChannel();
	for (std::size_t i = 0; i < channel->GetNDevices(); i++) {
		Ptr<NetDevice> peer = channel->GetDevice(i);
		Ptr<Ipv4> ipv4 = peer == dev ? nullptr : peer->GetNode()->GetObject<Ipv4>();
		int32_t k = ipv4 ? ipv4->GetInterfaceForDevice(peer) : -1;
		for (uint32_t a = 0; k >= 0 && a < ipv4->GetNAddresses(k); a++) {
			if (ipv4->GetAddress(k, a).GetLocal() == dst) {
				return true;
			}
		}
	}
	return false;
}

void IpsecIpv4L3Protocol::ForwardIpsec(Ptr<Ipv4Route> route, Ptr<const Packet> p,
                                       const Ipv4Header &header,
                                       const Ipv4RoutingProtocol::UnicastForwardCallback &ucb)
{
	if (HasForwardTap()) {
		size_t n = ToBytes(p, header, m_in, m_out);
		if (ForwardTapDrops(m_in.data(), n)) {
			return;
		}
	}
	if (header.GetTtl() <= 1) {
		/* RFC 1812 §5.3.1: Time Exceeded.  ns-3's IpForward would send
		 * it through Ipv4L3Protocol::GetIcmp(), which finds the L4
		 * guard (ipsec-l4.h), not ICMP. */
		if (Ptr<Icmpv4L4Protocol> icmp = GetObject<Icmpv4L4Protocol>()) {
			icmp->SendTimeExceededTtl(header, p, false);
		}
		m_ttlDrops++;
		return;
	}
	if (!HasNeighbour(route, header.GetDestination())) {
		m_neighbourDrops++;
		return;
	}
	if (!m_engine) {
		ucb(route, p, header);
		return;
	}
	Ptr<Packet> q = ConstCast<Packet>(p);
	uint32_t via = IpsecTakeVia(q, m_nodeId);
	/* The packet as it leaves, TTL decremented as a router does. */
	Ipv4Header h = header;
	h.SetTtl(header.GetTtl() - 1);
	size_t n = ToBytes(q, h, m_in, m_out);
	size_t room = 0;
	enum ipsec_drop why;
	switch (ForwardEngine(m_in, n, m_out, via, route->GetOutputDevice()->GetMtu(), &room,
	                      &why)) {
	case IPSEC_VERDICT_BYPASS:
		ucb(route, q, header);
		break;
	case IPSEC_VERDICT_DROP:
		/* RFC 1191 §4: Fragmentation Needed, with the room it has */
		if (why == IPSEC_DROP_TOO_BIG) {
			if (Ptr<Icmpv4L4Protocol> icmp = GetObject<Icmpv4L4Protocol>()) {
				icmp->SendDestUnreachFragNeeded(header, q,
				                                static_cast<uint16_t>(room));
			}
		}
		break;
	default:
		break;
	}
}

/* RFC 4301 §5.2 first (is this plaintext allowed in?), then §5.1; §8.2: a
 * packet that would not fit the link once protected, and may not be
 * fragmented, is refused with the room it has (the route's link is the
 * tunnel's: a gateway's routes to the far side lead there). */
enum ipsec_verdict IpsecIpv4L3Protocol::ForwardEngine(std::vector<uint8_t> &in, size_t n,
                                                      std::vector<uint8_t> &out, uint32_t via,
                                                      uint32_t mtu, size_t *room,
                                                      enum ipsec_drop *why)
{
	if (ipsec_input_policy(m_engine, in.data(), n, via, why) == IPSEC_VERDICT_DROP) {
		return IPSEC_VERDICT_DROP;
	}
	size_t outLen = 0;
	enum ipsec_verdict v =
	        ipsec_output_mtu(m_engine, in.data(), n, mtu, out.data(), out.size(), &outLen, why);
	if (v == IPSEC_VERDICT_PROTECT) {
		SendProtected(out.data(), outLen);
	}
	*room = outLen;
	return v;
}

bool IpsecIpv4L3Protocol::InputIpsec(Ptr<Packet> p, const Ipv4Header &header,
                                     Ptr<Ipv4Interface> iface)
{
	if (!m_engine) {
		return false;
	}
	Ipv4Header h = header; /* the reassembled packet's header */
	h.SetPayloadSize(p->GetSize());
	h.SetFragmentOffset(0);
	h.SetLastFragment();
	size_t n = ToBytes(p, h, m_in, m_out);
	return Decapsulate(m_in, n, m_out, iface->GetDevice());
}

bool IpsecIpv4L3Protocol::Decapsulate(std::vector<uint8_t> &in, size_t n, std::vector<uint8_t> &out,
                                      Ptr<NetDevice> dev)
{
	size_t outLen = 0;
	uint32_t sa = 0;
	enum ipsec_drop why;
	switch (ipsec_input(m_engine, in.data(), n, out.data(), out.size(), &outLen, &sa, &why)) {
	case IPSEC_VERDICT_BYPASS:
		return false;
	case IPSEC_VERDICT_DELIVER: {
		uint64_t at = m_crypto ? m_crypto(m_cryptoArg, m_nodeId, 1, -1, in.data(), n) : 0;
		uint64_t now = static_cast<uint64_t>(Simulator::Now().GetNanoSeconds());
		if (at == UINT64_MAX) {
			return true;
		}
		if (at <= now) {
			DeliverDecapsulated(out.data(), outLen, sa, dev);
		} else {
			Simulator::Schedule(NanoSeconds(at - now),
			                    &IpsecIpv4L3Protocol::DeliverLater,
			                    Ptr<IpsecIpv4L3Protocol>(this),
			                    std::vector<uint8_t>(out.data(), out.data() + outLen),
			                    sa, dev, m_life);
		}
		return true;
	}
	case IPSEC_VERDICT_DROP:
		if (m_crypto) { /* the engine may have done the work before it dropped */
			m_crypto(m_cryptoArg, m_nodeId, 1, static_cast<int>(why), in.data(), n);
		}
		return true;
	default:
		return true;
	}
}

void IpsecIpv4L3Protocol::DeliverLater(std::vector<uint8_t> pkt, uint32_t sa, Ptr<NetDevice> dev,
                                       uint64_t life)
{
	if (Alive(life)) {
		DeliverDecapsulated(pkt.data(), pkt.size(), sa, dev);
	}
}

void IpsecIpv4L3Protocol::DeliverDecapsulated(const uint8_t *pkt, size_t len, uint32_t sa,
                                              Ptr<NetDevice> dev)
{
	IpsecViaTag tag;
	tag.node = m_nodeId;
	tag.sa = sa;
	if (len > 0 && pkt[0] >> 4 == 6) {
		if (m_ipv6) {
			m_ipv6->DeliverInner(pkt, len, tag, dev);
		}
		return;
	}
	Ipv4Header ih;
	Ptr<Packet> inner;
	if (!FromBytes(pkt, len, ih, inner)) {
		return;
	}
	inner->AddPacketTag(tag);
	DeliverInner(inner, ih, dev);
}

/* An interface of this stack to receive an inner packet on: the one it
 * came in on if it has one (tunnel mode within one family), else the
 * interface owning the destination, else the first one up (4-in-6). */
static Ptr<NetDevice> InnerDevice(Ptr<Ipv4L3Protocol> ip, Ptr<NetDevice> dev, Ipv4Address dst)
{
	if (ip->GetInterfaceForDevice(dev) >= 0) {
		return dev;
	}
	int32_t i = ip->GetInterfaceForAddress(dst);
	for (uint32_t k = 1; i < 0 && k < ip->GetNInterfaces(); k++) {
		if (ip->IsUp(k)) {
			i = static_cast<int32_t>(k);
		}
	}
	return i < 0 ? nullptr : ip->GetNetDevice(static_cast<uint32_t>(i));
}

void IpsecIpv4L3Protocol::DeliverInner(Ptr<Packet> inner, const Ipv4Header &ih, Ptr<NetDevice> dev)
{
	dev = InnerDevice(this, dev, ih.GetDestination());
	if (!dev) {
		CountDrop(ih, inner, DROP_NO_ROUTE, this, 0);
		return;
	}
	/* A tunnel's inner packet to forward is routed at once; one for this
	 * node is received again, so that raw sockets see it too. */
	if (IsDestinationAddress(ih.GetDestination(), GetInterfaceForDevice(dev)) ||
	    !m_routing->RouteDecapsulated(inner, ih, dev)) {
		inner->AddHeader(ih);
		Receive(dev, inner, PROT_NUMBER, dev->GetAddress(), dev->GetAddress(),
		        NetDevice::PACKET_HOST);
	}
}

bool IpsecIpv4L3Protocol::InputPolicy(Ptr<Packet> &p, const Ipv4Header &header)
{
	uint32_t via = IpsecTakeVia(p, m_nodeId);
	if (!m_engine) {
		return true;
	}
	Ipv4Header h = header;
	h.SetPayloadSize(p->GetSize());
	h.SetFragmentOffset(0);
	h.SetLastFragment();
	size_t n = ToBytes(p, h, m_in, m_out);
	enum ipsec_drop why;
	return ipsec_input_policy(m_engine, m_in.data(), n, via, &why) != IPSEC_VERDICT_DROP;
}

} // namespace ns3
