#include "route-cache.h"

namespace ns3
{

void RouteCache::Clear()
{
	m_built = false;
	m_local.clear();
	m_iif.clear();
	m_routes.clear();
}

void RouteCache::Build(Ptr<Ipv4> ipv4)
{
	for (uint32_t i = 0; i < ipv4->GetNInterfaces(); i++) {
		m_iif[PeekPointer(ipv4->GetNetDevice(i))] = static_cast<int32_t>(i);
		for (uint32_t a = 0; a < ipv4->GetNAddresses(i); a++)
			m_local.insert(ipv4->GetAddress(i, a).GetLocal().Get());
	}
	m_built = true;
}

int32_t RouteCache::Interface(Ptr<Ipv4> ipv4, Ptr<const NetDevice> idev)
{
	if (!m_built)
		Build(ipv4);
	auto it = m_iif.find(PeekPointer(idev));
	return it == m_iif.end() ? -1 : it->second;
}

bool RouteCache::IsLocal(Ptr<Ipv4> ipv4, Ipv4Address dst)
{
	if (!m_built)
		Build(ipv4);
	return m_local.count(dst.Get()) != 0;
}

Ptr<Ipv4Route> RouteCache::Find(Ipv4Address dst) const
{
	auto it = m_routes.find(dst.Get());
	return it == m_routes.end() ? nullptr : it->second;
}

void RouteCache::Insert(Ipv4Address dst, Ptr<Ipv4Route> route)
{
	if (route && !dst.IsBroadcast() && !dst.IsMulticast())
		m_routes[dst.Get()] = route;
}

} // namespace ns3
