/* Capture files: every one a run opens, kept so that closing them tells
 * whether each was written whole (a full disk must fail the run, not cut
 * its captures short in silence). */
#ifndef IPSEC_PCAP_H
#define IPSEC_PCAP_H

#include <ns3/net-device.h>
#include <ns3/pcap-file-wrapper.h>

#include <string>

namespace ns3
{

/* Opens PREFIX-NODE-DEVICE.pcap (ns-3's naming) for `dev` with link type
 * `dlt` and registers it; null (and the reason in ns3c_pcap_close's
 * message) if it cannot be created. */
Ptr<PcapFileWrapper> IpsecPcapOpen(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt);
/* The same, writing what `dev`'s trace source `trace` sees. */
bool IpsecPcapCapture(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt,
                      const char *trace);

} // namespace ns3

#endif
