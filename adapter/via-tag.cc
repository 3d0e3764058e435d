#include "via-tag.h"

namespace ns3
{

NS_OBJECT_ENSURE_REGISTERED(IpsecViaTag);

TypeId IpsecViaTag::GetTypeId()
{
	static TypeId tid =
	        TypeId("ns3::IpsecViaTag").SetParent<Tag>().AddConstructor<IpsecViaTag>();
	return tid;
}

TypeId IpsecViaTag::GetInstanceTypeId() const
{
	return GetTypeId();
}

uint32_t IpsecViaTag::GetSerializedSize() const
{
	return 8;
}

void IpsecViaTag::Serialize(TagBuffer i) const
{
	i.WriteU32(node);
	i.WriteU32(sa);
}

void IpsecViaTag::Deserialize(TagBuffer i)
{
	node = i.ReadU32();
	sa = i.ReadU32();
}

void IpsecViaTag::Print(std::ostream &os) const
{
	os << "node=" << node << " sa=" << sa;
}

uint32_t IpsecTakeVia(Ptr<Packet> &p, uint32_t node)
{
	IpsecViaTag tag;
	if (!p->PeekPacketTag(tag)) {
		return 0;
	}
	p = p->Copy();
	p->RemovePacketTag(tag);
	return tag.node == node ? tag.sa : 0;
}

} // namespace ns3
