/* A link that can be taken down: an ErrorModel on each receiving device
 * that loses every packet while the link is down, and otherwise defers to
 * the link's own loss model (if any).  Senders notice nothing and routes
 * stay as they are, as with a cable cut beyond the first hop: packets sent
 * or in flight while the link is down are lost.  The same model on the
 * devices of a node that is down (rebooting) loses what arrives at the
 * node.  It counts what its device loses, by reason: arriving while the
 * link or the node is down, to the loss model, and (connected to the
 * device's queue) dropped from a full transmit queue. */
#ifndef LINK_STATE_H
#define LINK_STATE_H

#include <ns3/error-model.h>
#include <ns3/net-device.h>

namespace ns3
{

class LinkStateErrorModel : public ErrorModel
{
      public:
	static TypeId GetTypeId();
	/* The loss model in force while the link is up (may be null). */
	void SetInner(Ptr<ErrorModel> inner);
	void SetDown(bool down);
	/* The receiving node is down: packets arriving are lost (while the
	 * link itself is up). */
	void SetNodeDown(bool down);
	enum Drop { LINK_DOWN, NODE_DOWN, LINK_LOSS, QUEUE_FULL, DROP_COUNT };
	uint64_t Drops(enum Drop why) const
	{
		return m_drops[why];
	}
	/* The device's transmit queue's Drop trace. */
	void QueueDrop(Ptr<const Packet> p);

      private:
	bool DoCorrupt(Ptr<Packet> p) override;
	void DoReset() override;

	Ptr<ErrorModel> m_inner;
	bool m_down = false;
	bool m_nodeDown = false;
	uint64_t m_drops[DROP_COUNT] = {};
};

/* The device's link-state model, installed over its loss model (and
 * connected to its queue) on first use. */
Ptr<LinkStateErrorModel> LinkStateOf(Ptr<NetDevice> dev);

} // namespace ns3
#endif
