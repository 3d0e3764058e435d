/* A node's interface on a real TAP device: ns-3's FdNetDevice reading and
 * writing DIX Ethernet frames on the file descriptor the helper layer
 * opened (helper/sim/tap.c).  Runs with the real-time simulator, whose clock is
 * the wall clock the device's frames arrive on. */
#include "ns3c.h"
#include "pcap.h"

#include <ns3/core-module.h>
#include <ns3/fd-net-device-helper.h>
#include <ns3/fd-net-device.h>
#include <ns3/mac48-address.h>
#include <ns3/net-device-container.h>
#include <ns3/node-list.h>

using namespace ns3;

/* topology.cc */
void AddAddress(Ptr<NetDevice> dev, uint32_t addr, uint8_t prefix_len);
int AddLink(NetDeviceContainer devs);

extern "C" int ns3c_tap_attach(uint32_t node, int fd, uint32_t addr, uint8_t prefix_len,
                               const uint8_t mac[6])
{
	if (node >= NodeList::GetNNodes() || fd < 0) {
		return -1;
	}
	Ptr<FdNetDevice> dev = CreateObject<FdNetDevice>();
	dev->SetEncapsulationMode(FdNetDevice::DIX);
	Mac48Address hw;
	hw.CopyFrom(mac);
	dev->SetAddress(hw);
	dev->SetFileDescriptor(fd);
	NodeList::GetNode(node)->AddDevice(dev);
	AddAddress(dev, addr, prefix_len);
	/* Starts the device (its reader thread, link up) first thing at time
	 * 0, before the protocols' own start events: a packet sent while the
	 * link is down would be lost, and coming up flushes the ARP cache with
	 * the packets waiting in it.  (The node's initialization, later, finds
	 * the device initialized.) */
	dev->Initialize();
	return AddLink(NetDeviceContainer(dev));
}

/* topology.cc captures it ("Sniffer": the frames, DLT_EN10MB). */
bool IpsecIsTap(Ptr<NetDevice> dev)
{
	return DynamicCast<FdNetDevice>(dev) != nullptr;
}
