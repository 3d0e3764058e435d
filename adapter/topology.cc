/* Nodes with an IPsec-capable IPv4 stack, point-to-point links, routes,
 * pcap tracing, and the engine's attachment to a node. */
#include "addr.h"
#include "ipsec-ipv4-l3.h"
#include "ipsec-ipv6-l3.h"
#include "ipsec-l4.h"
#include "ipsec-routing.h"
#include "ipsec-routing6.h"
#include "link-state.h"
#include "ns3c.h"
#include "pcap.h"

#include <ns3/arp-l3-protocol.h>
#include <ns3/core-module.h>
#include <ns3/error-model.h>
#include <ns3/icmpv4-l4-protocol.h>
#include <ns3/ipv4-interface.h>
#include <ns3/ipv4-raw-socket-factory.h>
#include <ns3/ipv4-static-routing.h>
#include <ns3/ipv6-static-routing.h>
#include <ns3/names.h>
#include <ns3/node-container.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/traffic-control-layer.h>
#include <ns3/udp-l4-protocol.h>

#include <vector>

using namespace ns3;

static NodeContainer g_nodes;
static PointToPointHelper *g_p2p;
static int64_t g_nextStream = 1000; /* error-model streams, after ns-3's own */
static std::vector<NetDeviceContainer> g_links;

extern "C" void ns3c_topology_reset(void)
{
	g_nodes = NodeContainer();
	g_links.clear();
	Names::Clear();
	delete g_p2p;
	g_p2p = nullptr;
	g_nextStream = 1000;
}

static Ptr<IpsecIpv4L3Protocol> L3(uint32_t node)
{
	return g_nodes.Get(node)->GetObject<IpsecIpv4L3Protocol>();
}

static Ptr<IpsecIpv6L3Protocol> L3v6(uint32_t node)
{
	return g_nodes.Get(node)->GetObject<IpsecIpv6L3Protocol>();
}

/* InternetStackHelper's IPv6 half, with IpsecIpv6L3Protocol,
 * IpsecIcmpv6L4Protocol and IpsecRouting6 around static routing
 * (internet-stack-helper.cc). */
static Ptr<IpsecIpv6L3Protocol> InstallIpv6(Ptr<Node> node, Ptr<IpsecIpv4L3Protocol> ipv4)
{
	Ptr<IpsecIpv6L3Protocol> ipv6 = CreateObject<IpsecIpv6L3Protocol>();
	/* Forwarding decapsulated packets onto the interface they arrived on
	 * is what a tunnel gateway does: no Redirect for them. */
	ipv6->SetAttribute("SendIcmpv6Redirect", BooleanValue(false));
	ipv6->SetIpv4(PeekPointer(ipv4));
	ipv4->SetIpv6(PeekPointer(ipv6));
	node->AggregateObject(ipv6);
	node->AggregateObject(CreateObject<IpsecIcmpv6L4Protocol>());
	Ptr<IpsecRouting6> routing = CreateObject<IpsecRouting6>();
	routing->SetInner(CreateObject<Ipv6StaticRouting>());
	ipv6->SetRoutingProtocol(routing);
	ipv6->RegisterExtensions();
	ipv6->RegisterOptions();
	return ipv6;
}

/* What InternetStackHelper does, with IpsecIpv4L3Protocol in place of
 * Ipv4L3Protocol (the helper creates it by name) and IpsecRouting around
 * static routing. */
extern "C" uint32_t ns3c_node_create(int with_ipv6)
{
	Ptr<Node> node = CreateObject<Node>();
	Ptr<ArpL3Protocol> arp = CreateObject<ArpL3Protocol>();
	node->AggregateObject(arp);
	Ptr<IpsecIpv4L3Protocol> ipv4 = CreateObject<IpsecIpv4L3Protocol>();
	node->AggregateObject(ipv4);
	node->AggregateObject(CreateObject<Icmpv4L4Protocol>());
	Ptr<IpsecRouting> routing = CreateObject<IpsecRouting>();
	routing->SetInner(CreateObject<Ipv4StaticRouting>());
	ipv4->SetRoutingProtocol(routing);
	Ptr<IpsecIpv6L3Protocol> ipv6 = with_ipv6 ? InstallIpv6(node, ipv4) : nullptr;
	Ptr<TrafficControlLayer> tc = CreateObject<TrafficControlLayer>();
	node->AggregateObject(tc);
	/* A plain pointer: a Ptr in the trace would hold the node's
	 * aggregate (tc and ipv4 are both in it) alive for ever. */
	bool connected = tc->TraceConnectWithoutContext(
	        "TcDrop", MakeCallback(&IpsecIpv4L3Protocol::CountQueueDrop, PeekPointer(ipv4)));
	NS_ABORT_MSG_UNLESS(connected, "no TcDrop trace");
	node->AggregateObject(CreateObject<UdpL4Protocol>());
	node->AggregateObject(CreateObject<TcpL4Protocol>());
	arp->SetTrafficControl(tc);
	NS_ASSERT(node->GetObject<Ipv4RawSocketFactory>());

	/* RFC 4301 §5.2 checks whole packets: guard the transport protocols,
	 * which see packets after reassembly (one guard serves both stacks;
	 * ICMPv6 has its own, IpsecIcmpv6L4Protocol). */
	for (int protocol : {1, 6, 17}) {
		Ptr<IpL4Protocol> inner = ipv4->GetProtocol(protocol);
		ipv4->Remove(inner);
		Ptr<IpsecL4Guard> guard = CreateObject<IpsecL4Guard>();
		guard->Setup(inner, ipv4, PeekPointer(ipv6));
		ipv4->Insert(guard);
		if (ipv6 && protocol != 1) {
			ipv6->Remove(inner);
			ipv6->Insert(guard);
		}
	}
	g_nodes.Add(node);
	return g_nodes.GetN() - 1;
}

extern "C" void ns3c_node_set_name(uint32_t node, const char *name)
{
	Names::Add(name, g_nodes.Get(node));
}

extern "C" void ns3c_node_set_forwarding(uint32_t node, int on)
{
	L3(node)->SetAttribute("IpForward", BooleanValue(on != 0));
	if (Ptr<IpsecIpv6L3Protocol> ipv6 = L3v6(node)) {
		ipv6->SetAttribute("IpForward", BooleanValue(on != 0));
	}
}

static Ipv4Mask PrefixMask(uint8_t prefix_len)
{
	return Ipv4Mask(prefix_len ? ~0U << (32 - prefix_len) : 0);
}

static void AddAddress6(Ptr<NetDevice> dev, const struct ip_addr *addr, uint8_t prefix_len)
{
	Ptr<Ipv6> ipv6 = dev->GetNode()->GetObject<Ipv6>();
	int32_t i = ipv6->AddInterface(dev);
	ipv6->AddAddress(i, Ipv6InterfaceAddress(ToIpv6(addr), Ipv6Prefix(prefix_len)));
	ipv6->SetMetric(i, 1);
	ipv6->SetUp(i);
}

/* Also for tap.cc's TAP devices. */
void AddAddress(Ptr<NetDevice> dev, uint32_t addr, uint8_t prefix_len)
{
	Ptr<Ipv4> ipv4 = dev->GetNode()->GetObject<Ipv4>();
	int32_t i = ipv4->AddInterface(dev);
	ipv4->AddAddress(i, Ipv4InterfaceAddress(Ipv4Address(addr), PrefixMask(prefix_len)));
	ipv4->SetMetric(i, 1);
	ipv4->SetUp(i);
}

extern "C" int ns3c_link_p2p(uint32_t a, uint32_t b, const struct ns3c_p2p *cfg)
{
	if (a >= g_nodes.GetN() || b >= g_nodes.GetN()) {
		return -1;
	}
	if (!g_p2p) {
		g_p2p = new PointToPointHelper();
	}
	g_p2p->SetDeviceAttribute("DataRate", DataRateValue(DataRate(cfg->rate_bps)));
	g_p2p->SetDeviceAttribute("Mtu", UintegerValue(cfg->mtu));
	g_p2p->SetChannelAttribute("Delay", TimeValue(NanoSeconds(cfg->delay_ns)));
	g_p2p->SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
	                QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, cfg->queue_packets)));
	NetDeviceContainer devs = g_p2p->Install(g_nodes.Get(a), g_nodes.Get(b));
	for (uint32_t i = 0; i < 2; i++) {
		if (cfg->addr[i] != 0) {
			AddAddress(devs.Get(i), cfg->addr[i], cfg->prefix_len[i]);
		}
		if (cfg->addr6[i].family == IP_FAMILY_V6) {
			AddAddress6(devs.Get(i), &cfg->addr6[i], cfg->prefix6_len);
		}
		if (cfg->loss > 0) {
			Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
			em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
			em->SetRate(cfg->loss);
			em->AssignStreams(g_nextStream++);
			devs.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
		}
		LinkStateOf(devs.Get(i)); /* every loss counted */
	}
	g_links.push_back(devs);
	return static_cast<int>(g_links.size() - 1);
}

/* tap.cc: a TAP link takes the next index, so indices stay the scenario's. */
int AddLink(NetDeviceContainer devs)
{
	g_links.push_back(devs);
	return static_cast<int>(g_links.size() - 1);
}

extern "C" void ns3c_link_set_up(int link, int up)
{
	if (link < 0 || static_cast<size_t>(link) >= g_links.size() || g_links[link].GetN() != 2) {
		return; /* no such point-to-point link (a TAP cannot go down) */
	}
	for (uint32_t i = 0; i < 2; i++) {
		LinkStateOf(g_links[link].Get(i))->SetDown(up == 0);
	}
}

extern "C" void ns3c_node_set_up(uint32_t node, int up)
{
	Ptr<Node> n = g_nodes.Get(node);
	for (uint32_t i = 0; i < n->GetNDevices(); i++) {
		if (Ptr<PointToPointNetDevice> dev =
		            DynamicCast<PointToPointNetDevice>(n->GetDevice(i))) {
			LinkStateOf(dev)->SetNodeDown(up == 0);
		}
	}
	L3(node)->SetNodeUp(up != 0);
}

/* Where each reason is counted: the node's stack, its devices, or both. */
static uint64_t DeviceDrops(Ptr<Node> n, LinkStateErrorModel::Drop why)
{
	uint64_t drops = 0;
	for (uint32_t i = 0; i < n->GetNDevices(); i++) {
		if (Ptr<PointToPointNetDevice> dev =
		            DynamicCast<PointToPointNetDevice>(n->GetDevice(i))) {
			drops += LinkStateOf(dev)->Drops(why);
		}
	}
	return drops;
}

static uint64_t Ipv6Drops(uint32_t node, std::initializer_list<Ipv6L3Protocol::DropReason> why)
{
	Ptr<IpsecIpv6L3Protocol> ipv6 = L3v6(node);
	uint64_t drops = 0;
	for (auto w : why) {
		drops += ipv6 ? ipv6->StackDrops(w) : 0;
	}
	return drops;
}

extern "C" uint64_t ns3c_drops(uint32_t node, enum ns3c_drop why)
{
	Ptr<Node> n = g_nodes.Get(node);
	switch (why) {
	case NS3C_DROP_NODE_DOWN:
		return L3(node)->NodeDownDrops() + DeviceDrops(n, LinkStateErrorModel::NODE_DOWN);
	case NS3C_DROP_LINK_DOWN:
		return DeviceDrops(n, LinkStateErrorModel::LINK_DOWN);
	case NS3C_DROP_LINK_LOSS:
		return DeviceDrops(n, LinkStateErrorModel::LINK_LOSS);
	case NS3C_DROP_QUEUE_FULL:
		return L3(node)->QueueDrops() + DeviceDrops(n, LinkStateErrorModel::QUEUE_FULL);
	case NS3C_DROP_TTL_EXPIRED:
		return L3(node)->TtlExpiredDrops() +
		       Ipv6Drops(node, {Ipv6L3Protocol::DROP_TTL_EXPIRED});
	case NS3C_DROP_NO_NEIGHBOR:
		return L3(node)->NoNeighbourDrops();
	case NS3C_DROP_NO_ROUTE:
		return L3(node)->StackDrops(Ipv4L3Protocol::DROP_NO_ROUTE) +
		       Ipv6Drops(node, {Ipv6L3Protocol::DROP_NO_ROUTE});
	case NS3C_DROP_REASSEMBLY:
		return L3(node)->StackDrops(Ipv4L3Protocol::DROP_FRAGMENT_TIMEOUT) +
		       Ipv6Drops(node, {Ipv6L3Protocol::DROP_FRAGMENT_TIMEOUT});
	case NS3C_DROP_IP_OTHER:
		return L3(node)->StackDrops(Ipv4L3Protocol::DROP_BAD_CHECKSUM) +
		       L3(node)->StackDrops(Ipv4L3Protocol::DROP_INTERFACE_DOWN) +
		       L3(node)->StackDrops(Ipv4L3Protocol::DROP_ROUTE_ERROR) +
		       L3(node)->StackDrops(Ipv4L3Protocol::DROP_DUPLICATE) +
		       Ipv6Drops(node, {Ipv6L3Protocol::DROP_INTERFACE_DOWN,
		                        Ipv6L3Protocol::DROP_ROUTE_ERROR,
		                        Ipv6L3Protocol::DROP_UNKNOWN_PROTOCOL,
		                        Ipv6L3Protocol::DROP_UNKNOWN_OPTION,
		                        Ipv6L3Protocol::DROP_MALFORMED_HEADER});
	case NS3C_DROP_NO_SOCKET:
		return L3(node)->NoSocketDrops();
	case NS3C_DROP_L4_CHECKSUM:
		return L3(node)->L4ChecksumDrops();
	default:
		return 0;
	}
}

bool IpsecIsTap(Ptr<NetDevice> dev);
bool IpsecLteCaptureUe(const std::string &prefix, Ptr<NetDevice> dev);
bool IpsecLteCaptureSgi(const std::string &prefix);

static bool CaptureDevice(const std::string &prefix, Ptr<NetDevice> dev)
{
	if (DynamicCast<PointToPointNetDevice>(dev)) {
		return IpsecPcapCapture(prefix, dev, PcapHelper::DLT_PPP, "PromiscSniffer");
	}
	if (IpsecIsTap(dev)) {
		return IpsecPcapCapture(prefix, dev, PcapHelper::DLT_EN10MB, "Sniffer");
	}
	return IpsecLteCaptureUe(prefix, dev);
}

/* The scenario's links only: not the point-to-point links inside an LTE
 * core network (lte.cc captures what crosses it). */
extern "C" int ns3c_enable_pcap(const char *prefix, const struct ns3c_capture *cap, char *err,
                                size_t errlen)
{
	bool ok = true, sgi = false;
	IpsecPcapLimits(*cap);
	for (size_t l = 0; l < g_links.size() && ok; l++) {
		NetDeviceContainer &devs = g_links[l];
		for (uint32_t e = 0; e < 2 && ok; e++) {
			if (cap->ends && (l >= cap->n_links || !(cap->ends[l] & (1U << e)))) {
				continue;
			}
			if (e < devs.GetN()) {
				ok = CaptureDevice(prefix, devs.Get(e));
			} else {
				/* a UE's link's far end is the PGW's SGi link, a TAP's the host */
				sgi = sgi || !IpsecIsTap(devs.Get(0));
			}
		}
	}
	ok = ok && (!sgi || IpsecLteCaptureSgi(prefix));
	struct ns3c_pcap_totals written;
	return ok ? 0 : ns3c_pcap_close(&written, err, errlen);
}

/* The device of the node's interface on next_hop's subnet. */
static Ptr<NetDevice> DeviceTowards(uint32_t node, const struct ip_addr *next_hop)
{
	if (next_hop->family == IP_FAMILY_V6) {
		Ptr<IpsecIpv6L3Protocol> ipv6 = L3v6(node);
		Ipv6Address hop = ToIpv6(next_hop);
		for (uint32_t i = 1; ipv6 && i < ipv6->GetNInterfaces(); i++) {
			for (uint32_t a = 0; a < ipv6->GetNAddresses(i); a++) {
				Ipv6InterfaceAddress ifa = ipv6->GetAddress(i, a);
				if (ifa.GetScope() == Ipv6InterfaceAddress::GLOBAL &&
				    ifa.GetPrefix().IsMatch(ifa.GetAddress(), hop)) {
					return ipv6->GetNetDevice(i);
				}
			}
		}
		NS_FATAL_ERROR("next hop " << hop << " is on no interface of node " << node);
	}
	Ptr<IpsecIpv4L3Protocol> ipv4 = L3(node);
	Ipv4Address hop(ip_addr_v4_value(next_hop));
	for (uint32_t i = 1; i < ipv4->GetNInterfaces(); i++) {
		for (uint32_t a = 0; a < ipv4->GetNAddresses(i); a++) {
			Ipv4InterfaceAddress ifa = ipv4->GetAddress(i, a);
			if (ifa.GetLocal().CombineMask(ifa.GetMask()) ==
			    hop.CombineMask(ifa.GetMask())) {
				return ipv4->GetNetDevice(i);
			}
		}
	}
	NS_FATAL_ERROR("next hop " << hop << " is on no interface of node " << node);
}

/* The stack's IPv6 interface on dev, made if it has none (it gets a
 * link-local address): a route through an IPv4 neighbour. */
static uint32_t InterfaceOn(Ptr<IpsecIpv6L3Protocol> ipv6, Ptr<NetDevice> dev)
{
	int32_t i = ipv6->GetInterfaceForDevice(dev);
	if (i < 0) {
		i = static_cast<int32_t>(ipv6->AddInterface(dev));
		ipv6->SetMetric(i, 1);
		ipv6->SetUp(i);
	}
	return static_cast<uint32_t>(i);
}

/* The stack's IPv4 interface on dev, made if it has none: a route through
 * an IPv6 neighbour.  Like an unnumbered point-to-point line (RFC 1812
 * §2.2.7) it borrows the node's first IPv4 address, as a /32 (ns-3 picks
 * the source of what it routes there from it). */
static uint32_t InterfaceOn(Ptr<IpsecIpv4L3Protocol> ipv4, Ptr<NetDevice> dev)
{
	int32_t i = ipv4->GetInterfaceForDevice(dev);
	if (i >= 0) {
		return static_cast<uint32_t>(i);
	}
	Ipv4Address borrowed;
	for (uint32_t k = 1; k < ipv4->GetNInterfaces() && borrowed == Ipv4Address(); k++) {
		if (ipv4->GetNAddresses(k) > 0) {
			borrowed = ipv4->GetAddress(k, 0).GetLocal();
		}
	}
	NS_ABORT_MSG_IF(borrowed == Ipv4Address(), "an IPv4 route on a node without IPv4");
	i = static_cast<int32_t>(ipv4->AddInterface(dev));
	ipv4->AddAddress(i, Ipv4InterfaceAddress(borrowed, Ipv4Mask::GetOnes()));
	ipv4->SetMetric(i, 1);
	ipv4->SetUp(i);
	return static_cast<uint32_t>(i);
}

/* A route to dst/prefix_len through the neighbour next_hop.  When the two
 * are of different families (RFC 8950; Linux's `via inet6`), the route
 * leads onto the neighbour's link without a gateway: what it carries
 * there is what the engine makes of it (4-in-6, 6-in-4 tunnel mode). */
extern "C" void ns3c_route_add(uint32_t node, const struct ip_addr *dst, uint8_t prefix_len,
                               const struct ip_addr *next_hop)
{
	Ptr<NetDevice> dev = DeviceTowards(node, next_hop);
	bool direct = dst->family != next_hop->family;
	if (dst->family == IP_FAMILY_V6) {
		Ptr<IpsecIpv6L3Protocol> ipv6 = L3v6(node);
		NS_ABORT_MSG_UNLESS(ipv6, "node " << node << " has no IPv6");
		Ptr<IpsecRouting6> routing = DynamicCast<IpsecRouting6>(ipv6->GetRoutingProtocol());
		Ptr<Ipv6StaticRouting> table = DynamicCast<Ipv6StaticRouting>(routing->GetInner());
		uint32_t i = InterfaceOn(ipv6, dev);
		if (direct) {
			table->AddNetworkRouteTo(ToIpv6(dst), Ipv6Prefix(prefix_len), i);
		} else {
			table->AddNetworkRouteTo(ToIpv6(dst), Ipv6Prefix(prefix_len),
			                         ToIpv6(next_hop), i);
		}
		return;
	}
	Ptr<IpsecIpv4L3Protocol> ipv4 = L3(node);
	Ptr<IpsecRouting> routing = DynamicCast<IpsecRouting>(ipv4->GetRoutingProtocol());
	Ptr<Ipv4StaticRouting> table = DynamicCast<Ipv4StaticRouting>(routing->GetInner());
	uint32_t i = InterfaceOn(ipv4, dev);
	Ipv4Address net(ip_addr_v4_value(dst));
	if (direct) {
		table->AddNetworkRouteTo(net, PrefixMask(prefix_len), i);
	} else {
		table->AddNetworkRouteTo(net, PrefixMask(prefix_len),
		                         Ipv4Address(ip_addr_v4_value(next_hop)), i);
	}
	routing->InvalidateCache();
}

extern "C" int ns3c_address_replace(uint32_t node, uint32_t old_addr, uint32_t new_addr)
{
	Ptr<IpsecIpv4L3Protocol> ipv4 = L3(node);
	int32_t i = ipv4->GetInterfaceForAddress(Ipv4Address(old_addr));
	if (i < 0) {
		return -1;
	}
	for (uint32_t k = 0; k < ipv4->GetNAddresses(i); k++) {
		Ipv4InterfaceAddress ifa = ipv4->GetAddress(i, k);
		if (ifa.GetLocal() == Ipv4Address(old_addr)) {
			/* The routing protocol hears both: the connected route
			 * goes and comes back, IpsecRouting drops its cache. */
			ipv4->RemoveAddress(i, k);
			ipv4->AddAddress(
			        i, Ipv4InterfaceAddress(Ipv4Address(new_addr), ifa.GetMask()));
			return 0;
		}
	}
	return -1;
}

extern "C" void ns3c_ipsec_attach(uint32_t node, struct ipsec *engine)
{
	Ptr<IpsecIpv4L3Protocol> ipv4 = L3(node);
	ipv4->SetEngine(engine);
	for (int protocol : {50, 51}) {
		if (!ipv4->GetProtocol(protocol)) {
			Ptr<IpsecL4Protocol> l4 = CreateObject<IpsecL4Protocol>();
			Ptr<IpsecIpv6L3Protocol> ipv6 = L3v6(node);
			l4->Setup(protocol, ipv4, PeekPointer(ipv6));
			ipv4->Insert(l4);
			if (ipv6) {
				ipv6->Insert(l4);
			}
		}
	}
}

extern "C" void ns3c_set_forward_tap(uint32_t node, ns3c_forward_tap tap, void *arg)
{
	L3(node)->SetForwardTap(tap, arg);
}

extern "C" void ns3c_crypto_attach(uint32_t node, ns3c_crypto_fn fn, void *arg)
{
	L3(node)->SetCryptoHook(fn, arg);
}

extern "C" void ns3c_ip_id_source(uint32_t node, ns3c_random_fn fn, void *arg)
{
	L3(node)->SetIdSource(fn, arg);
}

extern "C" uint16_t ns3c_ip_id_next(uint32_t node, uint32_t src, uint32_t dst, uint8_t proto)
{
	return L3(node)->NextIdentification(Ipv4Address(src), Ipv4Address(dst), proto);
}

extern "C" void ns3c_inject(uint32_t node, const uint8_t *pkt, size_t len)
{
	L3(node)->SendBytes(pkt, len);
}

extern "C" void ns3c_nat_attach(uint32_t node, struct nat *nat, uint32_t outside_iface)
{
	/* Device 0 is the loopback; the links' devices follow in link order
	 * (IPv4's interfaces need not: a link may have IPv6 only). */
	Ptr<Node> n = g_nodes.Get(node);
	int32_t i = outside_iface < n->GetNDevices()
	                    ? L3(node)->GetInterfaceForDevice(n->GetDevice(outside_iface))
	                    : -1;
	L3(node)->SetNat(nat, static_cast<uint32_t>(i));
}
