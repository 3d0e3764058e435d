/* Capture files of a run (pcap.h). */
#include "pcap.h"

#include <ns3/pcap-file-wrapper.h>
#include <ns3/simulator.h>
#include <ns3/trace-helper.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <vector>

namespace ns3
{

struct PcapOutput {
	Ptr<PcapFileWrapper> file;
	std::string name;
	uint64_t packets;
};

static std::vector<PcapOutput> g_files;
static struct ns3c_capture g_limits;
/* The first failure: a file that could not be created or written. */
static std::string g_failure;

static void Failed(const std::string &name, int err)
{
	if (g_failure.empty()) {
		g_failure = name + ": " + (err ? std::strerror(err) : "write failed");
	}
}

void IpsecPcapLimits(const struct ns3c_capture &cap)
{
	g_limits = cap;
	g_limits.ends = nullptr;
}

int IpsecPcapOpen(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt)
{
	std::string name = PcapHelper().GetFilenameFromDevice(prefix, dev);
	Ptr<PcapFileWrapper> file = CreateObject<PcapFileWrapper>();
	/* Not PcapHelper::CreateFile: it aborts the process when the file
	 * cannot be created. */
	errno = 0;
	file->Open(name, std::ios::out | std::ios::binary);
	if (!file->Fail()) {
		if (g_limits.snaplen) {
			file->Init(dlt, g_limits.snaplen);
		} else {
			file->Init(dlt);
		}
	}
	if (file->Fail()) {
		Failed(name, errno);
		return -1;
	}
	g_files.push_back({file, name, 0});
	return static_cast<int>(g_files.size() - 1);
}

void IpsecPcapWrite(int h, Ptr<const Packet> p)
{
	PcapOutput &out = g_files[h];
	uint64_t now = Simulator::Now().GetNanoSeconds();
	if (now < g_limits.start_ns || (g_limits.stop_ns && now >= g_limits.stop_ns) ||
	    (g_limits.max_packets && out.packets >= g_limits.max_packets)) {
		return;
	}
	out.packets++;
	/* PcapFile cuts the packet to the file's snap length. */
	out.file->Write(Simulator::Now(), p);
}

bool IpsecPcapCapture(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt,
                      const char *trace)
{
	int h = IpsecPcapOpen(prefix, dev, dlt);
	if (h >= 0) {
		dev->TraceConnectWithoutContext(trace, MakeBoundCallback(&IpsecPcapWrite, h));
	}
	return h >= 0;
}

} // namespace ns3

using namespace ns3;

extern "C" int ns3c_pcap_close(struct ns3c_pcap_totals *totals, char *err, size_t errlen)
{
	*totals = {};
	for (PcapOutput &out : g_files) {
		errno = 0;
		bool failed = out.file->Fail();
		out.file->Close();
		if (failed || out.file->Fail()) {
			Failed(out.name, errno);
		}
		struct stat sb;
		if (stat(out.name.c_str(), &sb) == 0) {
			totals->files++;
			totals->packets += out.packets;
			totals->bytes += (uint64_t)sb.st_size;
		}
	}
	g_files.clear();
	g_limits = {};
	std::string failure;
	failure.swap(g_failure);
	if (failure.empty()) {
		return 0;
	}
	std::snprintf(err, errlen, "%s", failure.c_str());
	return -1;
}
