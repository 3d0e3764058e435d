/* Cellular links: ns3c_vlink_* (see variable-link.h and ns3c.h). */
#include "variable-link.h"

#include "link-state.h"

#include <ns3/core-module.h>
#include <ns3/ipv4.h>
#include <ns3/node-list.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/point-to-point-net-device.h>

#include <vector>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(VariableDelayChannel);
NS_OBJECT_ENSURE_REGISTERED(CallbackErrorModel);

TypeId VariableDelayChannel::GetTypeId()
{
	static TypeId tid = TypeId("ns3::VariableDelayChannel")
	                            .SetParent<PointToPointChannel>()
	                            .SetGroupName("PointToPoint")
	                            .AddConstructor<VariableDelayChannel>();
	return tid;
}

void VariableDelayChannel::SetWireDelay(uint32_t wire, Time delay)
{
	m_delay[wire] = delay;
}

/* PointToPointChannel::TransmitStart with the wire's delay and the
 * in-order clamp. */
bool VariableDelayChannel::TransmitStart(Ptr<const Packet> p, Ptr<PointToPointNetDevice> src,
                                         Time txTime)
{
	NS_ASSERT(IsInitialized());
	uint32_t wire = src == GetSource(0) ? 0 : 1;
	Time arrive = Simulator::Now() + txTime + m_delay[wire];
	if (arrive < m_last[wire]) {
		arrive = m_last[wire];
	}
	m_last[wire] = arrive;
	Ptr<PointToPointNetDevice> dst = GetDestination(wire);
	Simulator::ScheduleWithContext(dst->GetNode()->GetId(), arrive - Simulator::Now(),
	                               &PointToPointNetDevice::Receive, dst, p->Copy());
	return true;
}

TypeId CallbackErrorModel::GetTypeId()
{
	static TypeId tid = TypeId("ns3::CallbackErrorModel")
	                            .SetParent<ErrorModel>()
	                            .SetGroupName("Network")
	                            .AddConstructor<CallbackErrorModel>();
	return tid;
}

void CallbackErrorModel::SetCallback(ns3c_loss_fn fn, void *arg)
{
	m_fn = fn;
	m_arg = arg;
}

bool CallbackErrorModel::DoCorrupt(Ptr<Packet> p)
{
	return m_fn && m_fn(m_arg, p->GetSize()) != 0;
}

void CallbackErrorModel::DoReset()
{
}

} // namespace ns3

using namespace ns3;

struct VLink {
	Ptr<PointToPointNetDevice> dev[2]; /* dev[d] sends on wire d */
	Ptr<VariableDelayChannel> channel;
};

static std::vector<VLink> g_vlinks;

extern "C" int ns3c_vlink_create(uint32_t node, uint32_t iface)
{
	/* Device 0 is the loopback; the links' devices follow in link
	 * order, whatever addresses of either family they have. */
	Ptr<Node> n = NodeList::GetNode(node);
	if (iface >= n->GetNDevices()) {
		return -1;
	}
	Ptr<PointToPointNetDevice> a = DynamicCast<PointToPointNetDevice>(n->GetDevice(iface));
	Ptr<PointToPointChannel> old =
	        a ? DynamicCast<PointToPointChannel>(a->GetChannel()) : nullptr;
	if (!old || old->GetNDevices() != 2) {
		return -1;
	}
	Ptr<PointToPointNetDevice> b = old->GetPointToPointDevice(0) == a
	                                       ? old->GetPointToPointDevice(1)
	                                       : old->GetPointToPointDevice(0);
	TimeValue delay;
	old->GetAttribute("Delay", delay);
	VLink vl;
	vl.dev[0] = a;
	vl.dev[1] = b;
	vl.channel = CreateObject<VariableDelayChannel>();
	/* The devices move to the new channel; the old one is left with no
	 * traffic and disposed of with the others. */
	a->Attach(vl.channel);
	b->Attach(vl.channel);
	for (uint32_t w = 0; w < 2; w++) {
		vl.channel->SetWireDelay(w, delay.Get());
	}
	g_vlinks.push_back(vl);
	return static_cast<int>(g_vlinks.size() - 1);
}

extern "C" void ns3c_vlink_set_rate(int vl, int dir, uint64_t bps)
{
	g_vlinks[vl].dev[dir]->SetDataRate(DataRate(bps));
}

extern "C" void ns3c_vlink_set_delay(int vl, int dir, uint64_t ns)
{
	g_vlinks[vl].channel->SetWireDelay(dir, NanoSeconds(ns));
}

/* The receiving device of wire `dir` is the other one.  Replaces the
 * loss model under the device's link state (the link's `loss` is the
 * callback's business now). */
extern "C" void ns3c_vlink_set_loss(int vl, int dir, ns3c_loss_fn fn, void *arg)
{
	Ptr<CallbackErrorModel> em = CreateObject<CallbackErrorModel>();
	em->SetCallback(fn, arg);
	LinkStateOf(g_vlinks[vl].dev[1 - dir])->SetInner(em);
}

extern "C" void ns3c_vlink_reset(void)
{
	g_vlinks.clear();
}
