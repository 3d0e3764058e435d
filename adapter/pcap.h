/* Capture files: every one a run opens, kept so that closing them tells
 * whether each was written whole (a full disk must fail the run, not cut
 * its captures short in silence), and what each may hold (the scenario's
 * `capture:` window, packet limit and snap length). */
#ifndef IPSEC_PCAP_H
#define IPSEC_PCAP_H

#include "ns3c.h"

#include <ns3/net-device.h>
#include <ns3/packet.h>

#include <string>

namespace ns3
{

/* The window, limit and snap length of the files opened from now on
 * (ns3c_capture's; its `ends` are not looked at). */
void IpsecPcapLimits(const struct ns3c_capture &cap);
/* Opens PREFIX-NODE-DEVICE.pcap (ns-3's naming) for `dev` with link type
 * `dlt` and registers it: a handle for IpsecPcapWrite, or -1 (and the
 * reason in ns3c_pcap_close's message) if it cannot be created. */
int IpsecPcapOpen(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt);
/* Writes `p` to capture `h`, stamped with the current simulated time, if
 * the window and the packet limit let it in. */
void IpsecPcapWrite(int h, Ptr<const Packet> p);
/* Opens the file and writes what `dev`'s trace source `trace` sees. */
bool IpsecPcapCapture(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt,
                      const char *trace);

} // namespace ns3

#endif
