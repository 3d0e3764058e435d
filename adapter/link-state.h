/* A link that can be taken down: an ErrorModel on each receiving device
 * that loses every packet while the link is down, and otherwise defers to
 * the link's own loss model (if any).  Senders notice nothing and routes
 * stay as they are, as with a cable cut beyond the first hop: packets sent
 * or in flight while the link is down are lost.  The same model on the
 * devices of a node that is down (rebooting) loses what arrives at the
 * node, and counts it. */
#ifndef LINK_STATE_H
#define LINK_STATE_H

#include <ns3/error-model.h>

namespace ns3
{

class LinkStateErrorModel : public ErrorModel
{
      public:
	static TypeId GetTypeId();
	/* The loss model in force while the link is up (may be null). */
	void SetInner(Ptr<ErrorModel> inner);
	void SetDown(bool down);
	/* The receiving node is down: packets arriving are lost and counted
	 * (while the link itself is up). */
	void SetNodeDown(bool down);
	uint64_t NodeDownDrops() const
	{
		return m_nodeDownDrops;
	}

      private:
	bool DoCorrupt(Ptr<Packet> p) override;
	void DoReset() override;

	Ptr<ErrorModel> m_inner;
	bool m_down = false;
	bool m_nodeDown = false;
	uint64_t m_nodeDownDrops = 0;
};

} // namespace ns3
#endif
