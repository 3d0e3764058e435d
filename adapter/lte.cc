/* LTE links: ns-3's LTE radio (LteHelper) and EPC core network
 * (PointToPointEpcHelper) between a UE, one of our nodes, and the node on
 * the internet side of the PGW.  The EPC's PGW, SGW and MME and the eNodeB
 * are ns-3's own nodes with ns-3's own IPv4 stack; the UE keeps ours, so
 * its IPsec engine sees every packet it sends or receives over the radio. */
#include "ipsec-ipv4-l3.h"
#include "ns3c.h"
#include "pcap.h"
#include "via-tag.h"

#include <ns3/constant-position-mobility-model.h>
#include <ns3/constant-velocity-mobility-model.h>
#include <ns3/core-module.h>
#include <ns3/ipv4-static-routing-helper.h>
#include <ns3/lte-enb-net-device.h>
#include <ns3/lte-helper.h>
#include <ns3/lte-ue-net-device.h>
#include <ns3/node-list.h>
#include <ns3/point-to-point-epc-helper.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/trace-helper.h>

using namespace ns3;

/* topology.cc */
void AddAddress(Ptr<NetDevice> dev, uint32_t addr, uint8_t prefix_len);
int AddLink(NetDeviceContainer devs);

struct Lte {
	Ptr<LteHelper> lte;
	Ptr<PointToPointEpcHelper> epc;
	Ptr<NetDevice> enb;
	NetDeviceContainer sgi; /* PGW, node */
	int64_t stream = 0;     /* the next RNG stream for the UEs' devices */
};

static Lte *g_lte;

extern "C" void ns3c_lte_reset(void)
{
	delete g_lte;
	g_lte = nullptr;
}

static Ptr<Node> OurNode(uint32_t node)
{
	if (node >= NodeList::GetNNodes()) {
		return nullptr;
	}
	Ptr<Node> n = NodeList::GetNode(node);
	return n->GetObject<IpsecIpv4L3Protocol>() ? n : nullptr;
}

extern "C" int ns3c_lte_cell_create(const struct ns3c_lte_cell *cfg)
{
	Ptr<Node> node = OurNode(cfg->node);
	if (g_lte || !node) {
		return -1;
	}
	g_lte = new Lte();
	Lte &l = *g_lte;
	l.epc = CreateObject<PointToPointEpcHelper>(); /* creates PGW, SGW, MME */
	l.epc->SetAttribute("S1uLinkDelay", TimeValue(NanoSeconds(cfg->epc_delay_ns)));
	l.lte = CreateObject<LteHelper>();
	l.lte->SetEpcHelper(l.epc);
	l.lte->SetSchedulerType(cfg->scheduler);
	l.lte->SetEnbDeviceAttribute("DlBandwidth", UintegerValue(cfg->bandwidth_rb));
	l.lte->SetEnbDeviceAttribute("UlBandwidth", UintegerValue(cfg->bandwidth_rb));
	/* An IP MTU like an Ethernet's (LteNetDevice's default is 30000). */
	l.lte->SetUeDeviceAttribute("Mtu", UintegerValue(1500));

	Ptr<Node> enb = CreateObject<Node>();
	Ptr<ConstantPositionMobilityModel> at = CreateObject<ConstantPositionMobilityModel>();
	at->SetPosition(Vector(0, 0, 0));
	enb->AggregateObject(at);
	l.enb = l.lte->InstallEnbDevice(NodeContainer(enb)).Get(0);

	/* SGi: the PGW's link to the internet, i.e. to the scenario's node. */
	Ptr<Node> pgw = l.epc->GetPgwNode();
	PointToPointHelper p2p;
	p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate("10Gb/s")));
	p2p.SetDeviceAttribute("Mtu", UintegerValue(1500));
	p2p.SetChannelAttribute("Delay", TimeValue(Seconds(0)));
	l.sgi = p2p.Install(pgw, node);
	AddAddress(l.sgi.Get(0), cfg->pgw_addr, cfg->prefix_len);
	AddAddress(l.sgi.Get(1), cfg->node_addr, cfg->prefix_len);
	/* The PGW sends what is not for a UE to the scenario's node; that
	 * node reaches the UEs' network through the PGW. */
	Ptr<Ipv4> pgw4 = pgw->GetObject<Ipv4>();
	Ipv4StaticRoutingHelper().GetStaticRouting(pgw4)->SetDefaultRoute(
	        Ipv4Address(cfg->node_addr), pgw4->GetInterfaceForDevice(l.sgi.Get(0)));
	Ipv4Address gw = l.epc->GetUeDefaultGatewayAddress();
	Ipv4Mask mask = pgw4->GetAddress(pgw4->GetInterfaceForAddress(gw), 0).GetMask();
	struct ip_addr ues = ip_addr_v4(gw.CombineMask(mask).Get());
	struct ip_addr via = ip_addr_v4(cfg->pgw_addr);
	ns3c_route_add(cfg->node, &ues, mask.GetPrefixLength(), &via);

	l.stream = cfg->stream;
	l.stream += l.lte->AssignStreams(NetDeviceContainer(l.enb), l.stream);
	l.stream += l.epc->AssignStreams(l.stream);
	return 0;
}

extern "C" int ns3c_link_lte(const struct ns3c_lte_ue *cfg, uint32_t *ue_addr)
{
	Ptr<Node> node = OurNode(cfg->node);
	if (!g_lte || !node) {
		return -1;
	}
	Lte &l = *g_lte;
	Ptr<ConstantVelocityMobilityModel> mob = CreateObject<ConstantVelocityMobilityModel>();
	mob->SetPosition(Vector(cfg->distance_m, 0, 0));
	mob->SetVelocity(Vector(cfg->speed_mps, 0, 0)); /* away from the eNodeB */
	node->AggregateObject(mob);
	Ptr<NetDevice> dev = l.lte->InstallUeDevice(NodeContainer(node)).Get(0);
	l.stream += l.lte->AssignStreams(NetDeviceContainer(dev), l.stream);

	/* The EPC hands out the address (its UE network, in attach order);
	 * the interface joins our IPv4 stack like any other. */
	Ipv4InterfaceContainer ifc = l.epc->AssignUeIpv4Address(NetDeviceContainer(dev));
	*ue_addr = ifc.GetAddress(0).Get();
	struct ip_addr any = ip_addr_v4(0);
	struct ip_addr gw = ip_addr_v4(l.epc->GetUeDefaultGatewayAddress().Get());
	ns3c_route_add(cfg->node, &any, 0, &gw);
	/* RRC connection and the default EPS bearer (3GPP TS 23.401 §5.3.2). */
	l.lte->Attach(dev, l.enb);
	return AddLink(NetDeviceContainer(dev));
}

/* The UE's side of the radio: IPv4 packets as its stack sends them to the
 * device and receives them from it (LINKTYPE_RAW), without the inner
 * packets its IPsec engine hands back after decapsulation. */
static void PcapIp(int h, uint32_t iface, Ptr<const Packet> p, Ptr<Ipv4>, uint32_t i)
{
	IpsecViaTag via;
	if (i == iface && !p->PeekPacketTag(via)) {
		IpsecPcapWrite(h, p);
	}
}

bool IpsecLteCaptureUe(const std::string &prefix, Ptr<NetDevice> dev)
{
	Ptr<Ipv4> ipv4 = dev->GetNode()->GetObject<Ipv4>();
	uint32_t iface = ipv4->GetInterfaceForDevice(dev);
	int h = IpsecPcapOpen(prefix, dev, PcapHelper::DLT_RAW);
	if (h < 0) {
		return false;
	}
	for (const char *trace : {"Tx", "Rx"}) {
		ipv4->TraceConnectWithoutContext(trace, MakeBoundCallback(&PcapIp, h, iface));
	}
	return true;
}

/* The SGi link at the node beyond the PGW: what enters and leaves the EPC. */
bool IpsecLteCaptureSgi(const std::string &prefix)
{
	return !g_lte ||
	       IpsecPcapCapture(prefix, g_lte->sgi.Get(1), PcapHelper::DLT_PPP, "PromiscSniffer");
}
