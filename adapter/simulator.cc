/* Time and events for C: the simulator's clock and scheduler. */
#include "ns3c.h"

#include <ns3/core-module.h>
#include <ns3/node.h>
#include <ns3/realtime-simulator-impl.h>

#include <unordered_map>

using namespace ns3;

static std::unordered_map<uint64_t, EventId> g_events;
static uint64_t g_nextEvent = 1;

extern "C" void ns3c_topology_reset(void);
extern "C" void ns3c_sockets_reset(void);
extern "C" void ns3c_lte_reset(void);

extern "C" void ns3c_init(uint32_t seed, uint64_t run)
{
	RngSeedManager::SetSeed(seed ? seed : 1);
	RngSeedManager::SetRun(run ? run : 1);
	GlobalValue::Bind("ChecksumEnabled", BooleanValue(true));
	GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::DefaultSimulatorImpl"));
}

/* Read when the simulator is created, i.e. by the first Simulator call after
 * ns3c_destroy (or ever). */
extern "C" void ns3c_init_realtime(uint32_t seed, uint64_t run, uint64_t hard_limit_ns)
{
	ns3c_init(seed, run);
	GlobalValue::Bind("SimulatorImplementationType", StringValue("ns3::RealtimeSimulatorImpl"));
	Config::SetDefault("ns3::RealtimeSimulatorImpl::SynchronizationMode",
	                   EnumValue(RealtimeSimulatorImpl::SYNC_HARD_LIMIT));
	Config::SetDefault("ns3::RealtimeSimulatorImpl::HardLimit",
	                   TimeValue(NanoSeconds(hard_limit_ns)));
}

extern "C" uint64_t ns3c_run(uint64_t stop_ns)
{
	Simulator::Stop(NanoSeconds(stop_ns));
	Simulator::Run();
	return Simulator::GetEventCount();
}

extern "C" void ns3c_destroy(void)
{
	ns3c_sockets_reset();
	Simulator::Destroy();
	ns3c_lte_reset();
	ns3c_topology_reset();
	g_events.clear();
}

extern "C" void ns3c_stop_now(void)
{
	Simulator::Stop();
}

/* ns-3's schedulers (default and realtime) queue an event with a context
 * that another thread schedules, and run it next. */
extern "C" void ns3c_stop_from_thread(void)
{
	Simulator::ScheduleWithContext(Simulator::NO_CONTEXT, Time(0),
	                               static_cast<void (*)()>(&Simulator::Stop));
}

extern "C" uint64_t ns3c_event_count(void)
{
	return Simulator::GetEventCount();
}

extern "C" uint64_t ns3c_now_ns(void)
{
	return Simulator::Now().GetNanoSeconds();
}

static void Fire(uint64_t id, ns3c_fn fn, void *arg)
{
	g_events.erase(id);
	fn(arg);
}

extern "C" uint64_t ns3c_schedule_at(uint64_t at_ns, ns3c_fn fn, void *arg)
{
	uint64_t now = ns3c_now_ns();
	uint64_t id = g_nextEvent++;
	g_events[id] =
	        Simulator::Schedule(NanoSeconds(at_ns > now ? at_ns - now : 0), &Fire, id, fn, arg);
	return id;
}

extern "C" void ns3c_cancel(uint64_t event_id)
{
	auto it = g_events.find(event_id);
	if (it != g_events.end()) {
		Simulator::Cancel(it->second);
		g_events.erase(it);
	}
}
