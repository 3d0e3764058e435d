/* Marks a packet decapsulated by a node's IPsec engine with the inbound SA it
 * came in on, so the node's later policy check (RFC 4301 §5.2) knows.  The tag
 * names the node too: it must never be honoured elsewhere. */
#ifndef IPSEC_VIA_TAG_H
#define IPSEC_VIA_TAG_H

#include <ns3/packet.h>
#include <ns3/tag.h>

namespace ns3
{

class IpsecViaTag : public Tag
{
      public:
	static TypeId GetTypeId();
	TypeId GetInstanceTypeId() const override;
	uint32_t GetSerializedSize() const override;
	void Serialize(TagBuffer i) const override;
	void Deserialize(TagBuffer i) override;
	void Print(std::ostream &os) const override;

	uint32_t node = 0;
	uint32_t sa = 0;
};

/* The SA id the tag on p names for `node`, or 0.  A packet with the tag
 * becomes a private copy without it (forwarded packets are shared). */
uint32_t IpsecTakeVia(Ptr<Packet> &p, uint32_t node);

} // namespace ns3
#endif
