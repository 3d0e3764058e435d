/* Cellular links in ns-3: a point-to-point channel with a delay per
 * direction that delivers in order, and an error model that asks a C
 * callback about each packet.  The rate, delay and loss processes
 * themselves are C (helper/sim/link_model.c); this only applies them.
 */
#ifndef VARIABLE_LINK_H
#define VARIABLE_LINK_H

#include "ns3c.h"

#include <ns3/error-model.h>
#include <ns3/point-to-point-channel.h>

namespace ns3
{

/* PointToPointChannel with one delay per direction (wire 0: from the
 * first device attached).  Packets keep their order on each wire: one
 * arrives no earlier than the one before it, so a delay that drops makes
 * the packets sent after the change wait behind the earlier ones (as a
 * radio link layer delivering in sequence, e.g. LTE RLC AM / PDCP,
 * 3GPP TS 36.322 and 36.323) instead of overtaking them. */
class VariableDelayChannel : public PointToPointChannel
{
      public:
	static TypeId GetTypeId();
	void SetWireDelay(uint32_t wire, Time delay);
	bool TransmitStart(Ptr<const Packet> p, Ptr<PointToPointNetDevice> src,
	                   Time txTime) override;

      private:
	Time m_delay[2];
	Time m_last[2]; /* arrival time of the last packet on each wire */
};

/* Loses the packets a C function says to lose (1), given their size. */
class CallbackErrorModel : public ErrorModel
{
      public:
	static TypeId GetTypeId();
	void SetCallback(ns3c_loss_fn fn, void *arg);

      private:
	bool DoCorrupt(Ptr<Packet> p) override;
	void DoReset() override;

	ns3c_loss_fn m_fn = nullptr;
	void *m_arg = nullptr;
};

} // namespace ns3
#endif
