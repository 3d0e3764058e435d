/* An Ipv4L3Protocol whose three paths carry an IPsec engine.
 *
 * local-out  Send / SendWithHeader   -> ipsec_output
 * forward    Forward (from IpsecRouting's RouteInput) -> ipsec_input_policy,
 *            then ipsec_output
 * local-in   IpsecL4Protocol (ESP, AH) and IpsecL4Guard (everything else,
 *            after reassembly) -> ipsec_input / ipsec_input_policy
 *
 * Packets cross to the engine as IPv4 bytes.  Decapsulated packets are
 * received again on the interface they came in on, tagged with their SA.
 */
#ifndef IPSEC_IPV4_L3_H
#define IPSEC_IPV4_L3_H

#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-routing-protocol.h>

#include <map>
#include <tuple>
#include <vector>

extern "C" {
#include "ipsec.h"
#include "nat.h"
}

namespace ns3
{

class Ipv4Interface;
class IpsecRouting;
class IpsecIpv6L3Protocol;

class IpsecIpv4L3Protocol : public Ipv4L3Protocol
{
      public:
	typedef int (*ForwardTap)(void *arg, uint32_t node, const uint8_t *pkt, size_t len);
	/* The node's crypto engine (ns3c_crypto_attach): the completion time of
	 * an ESP/AH packet the engine processed, or UINT64_MAX to drop it. */
	typedef uint64_t (*CryptoHook)(void *arg, uint32_t node, int inbound, int dropped,
	                               const uint8_t *pkt, size_t len);

	static TypeId GetTypeId();

	void SetRoutingProtocol(Ptr<Ipv4RoutingProtocol> routing) override;
	void SetEngine(struct ipsec *engine);
	struct ipsec *GetEngine() const;
	void SetForwardTap(ForwardTap tap, void *arg);
	/* The forward tap's verdict on a packet this node forwards (either
	 * family): true to drop it. */
	bool HasForwardTap() const
	{
		return m_tap != nullptr;
	}
	bool ForwardTapDrops(const uint8_t *pkt, size_t len)
	{
		return m_tap && m_tap(m_tapArg, m_nodeId, pkt, len) != 0;
	}
	void SetCryptoHook(CryptoHook hook, void *arg);
	/* Where the node's IPv4 identifications start (ns3c_ip_id_source). */
	typedef int (*IdSource)(void *arg, uint8_t *buf, size_t len);
	void SetIdSource(IdSource source, void *arg);
	/* RFC 791, RFC 6864 §4.1: the identification of the next datagram
	 * this node sends from src to dst with protocol `proto`. */
	uint16_t NextIdentification(Ipv4Address src, Ipv4Address dst, uint8_t proto);

	void Send(Ptr<Packet> packet, Ipv4Address source, Ipv4Address destination, uint8_t protocol,
	          Ptr<Ipv4Route> route) override;
	/* RFC 3021: on a /31 both addresses are hosts' and the link has no
	 * directed broadcast, but ns-3.37 takes the upper address for the
	 * subnet's broadcast and delivers packets for it to the neighbour
	 * holding the lower one (which then answers pings for it, or Port
	 * Unreachable).  Only this node's addresses and real broadcasts are
	 * its destinations here. */
	bool IsDestinationAddress(Ipv4Address address, uint32_t iif) const override;
	/* Is `dst` the directed broadcast of a subnet with `mask` (never on a
	 * /31, RFC 3021 §2.2)? */
	static bool IsDirectedBroadcast(Ipv4Address dst, Ipv4Mask mask);
	void SendWithHeader(Ptr<Packet> packet, Ipv4Header ipHeader, Ptr<Ipv4Route> route) override;

	/* Makes this node a NAT (model/elements/nat.h; NULL: not any more).  Interface
	 * `outsideIf` is the outside one, every other interface is inside. */
	void SetNat(struct nat *nat, uint32_t outsideIf);
	bool HasNat() const
	{
		return m_nat != nullptr;
	}
	/* NAT, inbound: called by IpsecRouting for every packet before it is
	 * routed.  Packets that arrived on the outside interface are translated
	 * (p and h replaced).  False when the NAT drops the packet. */
	bool NatInbound(Ptr<const NetDevice> idev, Ptr<const Packet> &p, Ipv4Header &h);

	/* The forward path: called instead of the routing protocol's unicast
	 * forward callback `ucb`.  NAT (outbound, from an inside interface out
	 * through the outside one) first, then IPsec. */
	void Forward(Ptr<Ipv4Route> route, Ptr<const Packet> p, const Ipv4Header &header,
	             const Ipv4RoutingProtocol::UnicastForwardCallback &ucb);

	/* The local-in path for ESP, AH and UDP-encapsulated ESP.  Returns false
	 * when the engine says the packet is not IPsec (IKE on port 4500). */
	bool InputIpsec(Ptr<Packet> p, const Ipv4Header &header, Ptr<Ipv4Interface> iface);
	/* The local-in policy check for plaintext after reassembly. */
	bool InputPolicy(Ptr<Packet> &p, const Ipv4Header &header);

	/* Sends a whole IP packet routed by its destination, without IPsec:
	 * an IPv6 one through the node's IPv6 stack. */
	void SendBytes(const uint8_t *pkt, size_t len);

	/* The node's IPv6 stack, which shares this one's engine, crypto
	 * engine, life and counters (nullptr: IPv4 only). */
	void SetIpv6(IpsecIpv6L3Protocol *ipv6)
	{
		m_ipv6 = ipv6;
	}
	/* Sends a packet the engine protected (either family), when the crypto
	 * engine (if any) is done with it. */
	void SendProtected(const uint8_t *pkt, size_t len);
	/* The engine's inbound processing of the ESP/AH packet in in[0..n),
	 * which arrived on `dev`: a decapsulated packet (either family) is
	 * handed on when the crypto engine is done with it.  False when the
	 * engine says it is not IPsec. */
	bool Decapsulate(std::vector<uint8_t> &in, size_t n, std::vector<uint8_t> &out,
	                 Ptr<NetDevice> dev);
	/* The engine's part of forwarding the packet in in[0..n) (either
	 * family, its TTL or hop limit decremented), which arrived through
	 * the inbound SA `via` (0: in the clear) and leaves on a link of
	 * `mtu` bytes.  PROTECT: sent; BYPASS: the caller forwards it as it
	 * is; DROP: *why, and for IPSEC_DROP_TOO_BIG *room is what the
	 * source is to be told. */
	enum ipsec_verdict ForwardEngine(std::vector<uint8_t> &in, size_t n,
	                                 std::vector<uint8_t> &out, uint32_t via, uint32_t mtu,
	                                 size_t *room, enum ipsec_drop *why);
	/* False (and the packet counted) while the node is down, or when the
	 * packet is from an earlier life of the node (before a reboot). */
	bool Alive(uint64_t life);
	uint64_t Life() const
	{
		return m_life;
	}

	/* The node is down (rebooting): it sends nothing, and packets the
	 * crypto engine still held when it went down are lost; each is
	 * counted.  (Arriving packets are lost at its devices.) */
	void SetNodeUp(bool up);
	bool IsNodeUp() const
	{
		return m_up;
	}
	uint64_t NodeDownDrops() const
	{
		return m_downDrops;
	}
	/* Packets this router dropped because their TTL ran out (answered
	 * with Time Exceeded): routing loops, e.g. towards an address a
	 * handover took away. */
	uint64_t TtlExpiredDrops() const
	{
		return m_ttlDrops + m_stackDrops[DROP_TTL_EXPIRED];
	}
	/* What ns-3's IPv4 stack itself dropped (its Drop trace): no route,
	 * reassembly timeouts, bad checksums, interfaces down... */
	uint64_t StackDrops(DropReason why) const
	{
		return why < DROP_REASONS ? m_stackDrops[why] : 0;
	}
	void CountDrop(const Ipv4Header &header, Ptr<const Packet> p, DropReason why,
	               Ptr<Ipv4> ipv4, uint32_t iface);
	/* The traffic-control layer's Drop trace: a device's queue was full
	 * (stopped by flow control), so the packet never reached it. */
	void CountQueueDrop(Ptr<const Packet> p)
	{
		m_queueDrops++;
	}
	uint64_t QueueDrops() const
	{
		return m_queueDrops;
	}
	/* Packets this router could not hand to a point-to-point neighbour:
	 * the destination was on the link's subnet but not the neighbour's
	 * address. */
	uint64_t NoNeighbourDrops() const
	{
		return m_neighbourDrops;
	}
	/* Packets delivered to this node that no socket took (IpsecL4Guard):
	 * UDP to a closed port, TCP without a listener. */
	void CountNoSocket()
	{
		m_noSocketDrops++;
	}
	uint64_t NoSocketDrops() const
	{
		return m_noSocketDrops;
	}
	/* Packets delivered to this node whose UDP or TCP checksum failed
	 * (IpsecL4Guard): reassembled from mixed fragments. */
	void CountL4Checksum()
	{
		m_l4ChecksumDrops++;
	}
	uint64_t L4ChecksumDrops() const
	{
		return m_l4ChecksumDrops;
	}

      protected:
	void NotifyNewAggregate() override;
	void DoDispose() override;

      private:
	bool HasNeighbour(Ptr<Ipv4Route> route, Ipv4Address dst) const;
	/* A destination ns-3's Send treats as a broadcast: the limited one, a
	 * multicast group, the directed broadcast of a subnet of ours. */
	bool IsBroadcastDestination(Ipv4Address dst) const;
	/* Sends a packet with its header as it is (routed if `route` is not a
	 * usable one); no route: counted as ns-3 counts it. */
	void SendRouted(Ptr<Packet> packet, const Ipv4Header &header, Ptr<Ipv4Route> route);
	void ForwardIpsec(Ptr<Ipv4Route> route, Ptr<const Packet> p, const Ipv4Header &header,
	                  const Ipv4RoutingProtocol::UnicastForwardCallback &ucb);
	/* Runs the NAT on p/h in direction `dir`: false to drop, p and h
	 * replaced when translated. */
	bool NatApply(enum nat_dir dir, Ptr<const Packet> &p, Ipv4Header &h);
	/* Local-out through the engine; true when the packet bypasses IPsec
	 * and the caller sends it as it is. */
	bool Output(Ptr<const Packet> packet, const Ipv4Header &header);
	void SendCopy(std::vector<uint8_t> pkt, uint64_t life);
	/* Hands a decapsulated packet of either family on. */
	void DeliverDecapsulated(const uint8_t *pkt, size_t len, uint32_t sa, Ptr<NetDevice> dev);
	void DeliverLater(std::vector<uint8_t> pkt, uint32_t sa, Ptr<NetDevice> dev, uint64_t life);
	/* An inner IPv4 packet: routed at once when it is to be forwarded,
	 * received again when it is for this node. */
	void DeliverInner(Ptr<Packet> inner, const Ipv4Header &ih, Ptr<NetDevice> dev);
	/* Parses an IPv4 packet into a header and a payload packet. */
	static bool FromBytes(const uint8_t *pkt, size_t len, Ipv4Header &h, Ptr<Packet> &payload);
	/* Serialises header + packet into buf and makes out large enough for
	 * the engine's output. */
	size_t ToBytes(Ptr<const Packet> p, const Ipv4Header &h, std::vector<uint8_t> &buf,
	               std::vector<uint8_t> &out);

	struct ipsec *m_engine = nullptr;
	IpsecIpv6L3Protocol *m_ipv6 = nullptr; /* in the same aggregate */
	uint32_t m_nodeId = 0;
	Ptr<IpsecRouting> m_routing;
	ForwardTap m_tap = nullptr;
	void *m_tapArg = nullptr;
	CryptoHook m_crypto = nullptr;
	void *m_cryptoArg = nullptr;
	struct nat *m_nat = nullptr;
	uint32_t m_natOutside = 0;
	bool m_natFromOutside = false; /* the packet being routed came in outside */
	IdSource m_idSource = nullptr;
	void *m_idArg = nullptr;
	std::map<std::tuple<uint32_t, uint32_t, uint8_t>, uint16_t> m_identification;
	bool m_up = true;
	uint64_t m_life = 0; /* times the node went down */
	uint64_t m_downDrops = 0;
	uint64_t m_ttlDrops = 0;
	static constexpr int DROP_REASONS = DROP_DUPLICATE + 1;
	uint64_t m_stackDrops[DROP_REASONS] = {};
	bool m_dropsCounted = false;
	uint64_t m_queueDrops = 0;
	uint64_t m_neighbourDrops = 0;
	uint64_t m_noSocketDrops = 0;
	uint64_t m_l4ChecksumDrops = 0;
	std::vector<uint8_t> m_in, m_out;     /* forward and local-in */
	std::vector<uint8_t> m_txIn, m_txOut; /* local-out */
};

} // namespace ns3
#endif
