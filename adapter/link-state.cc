#include "link-state.h"

#include <ns3/packet.h>

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
		return true;
	}
	if (m_nodeDown) {
		m_nodeDownDrops++;
		return true;
	}
	return m_inner && m_inner->IsCorrupt(p);
}

void LinkStateErrorModel::DoReset()
{
	if (m_inner) {
		m_inner->Reset();
	}
}

} // namespace ns3
