/* Capture files of a run (pcap.h). */
#include "pcap.h"

#include "ns3c.h"

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
			totals->bytes += (uint64_t)sb.st_size;
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
