#include "link-state.h"

#include <ns3/packet.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/pointer.h>
#include <ns3/queue.h>

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(LinkStateErrorModel);

TypeId LinkStateErrorModel::GetTypeId()
{
	static TypeId tid = TypeId("ns3::LinkStateErrorModel")
	                            .SetParent<ErrorModel>()
	                            .SetGroupName("Network")
	                            .AddConstructor<LinkStateErrorModel>();
	return tid;
}

void LinkStateErrorModel::SetInner(Ptr<ErrorModel> inner)
{
	m_inner = inner;
}

void LinkStateErrorModel::SetDown(bool down)
{
	m_down = down;
}

void LinkStateErrorModel::SetNodeDown(bool down)
{
	m_nodeDown = down;
}

bool LinkStateErrorModel::DoCorrupt(Ptr<Packet> p)
{
	/* The inner model is not consulted while down, so its random stream
	 * is not advanced by packets that are lost anyway. */
	if (m_down) {
		m_drops[LINK_DOWN]++;
		return true;
	}
	if (m_nodeDown) {
		m_drops[NODE_DOWN]++;
		return true;
	}
	if (m_inner && m_inner->IsCorrupt(p)) {
		m_drops[LINK_LOSS]++;
		return true;
	}
	return false;
}

void LinkStateErrorModel::QueueDrop(Ptr<const Packet>)
{
	m_drops[QUEUE_FULL]++;
}

Ptr<LinkStateErrorModel> LinkStateOf(Ptr<NetDevice> dev)
{
	PointerValue pv;
	dev->GetAttribute("ReceiveErrorModel", pv);
	Ptr<LinkStateErrorModel> ls = DynamicCast<LinkStateErrorModel>(pv.Get<ErrorModel>());
	if (!ls) {
		ls = CreateObject<LinkStateErrorModel>();
		ls->SetInner(pv.Get<ErrorModel>());
		dev->SetAttribute("ReceiveErrorModel", PointerValue(ls));
		if (Ptr<PointToPointNetDevice> p2p = DynamicCast<PointToPointNetDevice>(dev)) {
			bool connected = p2p->GetQueue()->TraceConnectWithoutContext(
			        "Drop", MakeCallback(&LinkStateErrorModel::QueueDrop, ls));
			NS_ABORT_MSG_UNLESS(connected, "no Drop trace on the device queue");
		}
	}
	return ls;
}

void LinkStateErrorModel::DoReset()
{
	if (m_inner) {
		m_inner->Reset();
	}
}

} // namespace ns3
