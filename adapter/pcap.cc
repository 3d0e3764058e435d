/* Capture files of a run (pcap.h). */
#include "pcap.h"

#include "ns3c.h"

#include <ns3/trace-helper.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace ns3
{

struct PcapOutput {
	Ptr<PcapFileWrapper> file;
	std::string name;
};

static std::vector<PcapOutput> g_files;
/* The first failure: a file that could not be created or written. */
static std::string g_failure;

static void Failed(const std::string &name, int err)
{
	if (g_failure.empty()) {
		g_failure = name + ": " + (err ? std::strerror(err) : "write failed");
	}
}

Ptr<PcapFileWrapper> IpsecPcapOpen(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt)
{
	std::string name = PcapHelper().GetFilenameFromDevice(prefix, dev);
	Ptr<PcapFileWrapper> file = CreateObject<PcapFileWrapper>();
	/* Not PcapHelper::CreateFile: it aborts the process when the file
	 * cannot be created. */
	errno = 0;
	file->Open(name, std::ios::out | std::ios::binary);
	if (!file->Fail()) {
		file->Init(dlt);
	}
	if (file->Fail()) {
		Failed(name, errno);
		return nullptr;
	}
	g_files.push_back({file, name});
	return file;
}

bool IpsecPcapCapture(const std::string &prefix, Ptr<NetDevice> dev, uint32_t dlt,
                      const char *trace)
{
	Ptr<PcapFileWrapper> file = IpsecPcapOpen(prefix, dev, dlt);
	if (file) {
		PcapHelper().HookDefaultSink(dev, trace, file);
	}
	return file != nullptr;
}

} // namespace ns3

using namespace ns3;

/* Closes every capture file; 0, or -1 with the first file that could not
 * be created or written whole (and why) in err. */
extern "C" int ns3c_pcap_close(char *err, size_t errlen)
{
	for (PcapOutput &out : g_files) {
		errno = 0;
		bool failed = out.file->Fail();
		out.file->Close();
		if (failed || out.file->Fail()) {
			Failed(out.name, errno);
		}
	}
	g_files.clear();
	std::string failure;
	failure.swap(g_failure);
	if (failure.empty()) {
		return 0;
	}
	std::snprintf(err, errlen, "%s", failure.c_str());
	return -1;
}
