/* UDP and raw IPv4 sockets for C traffic generators. */
#include "ns3c.h"

#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-packet-info-tag.h>
#include <ns3/ipv4-raw-socket-factory.h>
#include <ns3/node-list.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/socket.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>

#include <vector>

using namespace ns3;

struct Sock {
	Ptr<Socket> socket;
	ns3c_rx rx;
	void *arg;
};

static std::vector<Sock> g_socks;
static std::vector<uint8_t> g_rxbuf;

extern "C" void ns3c_sockets_reset(void)
{
	for (Sock &s : g_socks) {
		s.socket->Close();
	}
	g_socks.clear();
}

static void OnReceive(size_t index, Ptr<Socket> socket)
{
	Address from;
	while (Ptr<Packet> p = socket->RecvFrom(from)) {
		g_rxbuf.resize(p->GetSize());
		p->CopyData(g_rxbuf.data(), g_rxbuf.size());
		InetSocketAddress inet = InetSocketAddress::ConvertFrom(from);
		struct ns3c_datagram d = {g_rxbuf.data(), g_rxbuf.size(), inet.GetIpv4().Get(), 0,
					  inet.GetPort(), 0};
		Ipv4PacketInfoTag info;
		if (p->PeekPacketTag(info))
			d.dst = info.GetAddress().Get();
		Address local;
		if (socket->GetSockName(local) == 0 && InetSocketAddress::IsMatchingType(local))
			d.dport = InetSocketAddress::ConvertFrom(local).GetPort();
		const Sock &s = g_socks[index];
		s.rx(s.arg, &d);
	}
}

static int Register(Ptr<Socket> socket, ns3c_rx rx, void *arg)
{
	g_socks.push_back(Sock{socket, rx, arg});
	size_t index = g_socks.size() - 1;
	if (rx) {
		socket->SetRecvCallback(MakeBoundCallback(&OnReceive, index));
	}
	return static_cast<int>(index);
}

extern "C" int ns3c_udp_open(uint32_t node, uint16_t port, ns3c_rx rx, void *arg)
{
	Ptr<Socket> socket =
	        Socket::CreateSocket(NodeList::GetNode(node), UdpSocketFactory::GetTypeId());
	if (socket->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)) != 0) {
		return -1;
	}
	socket->SetRecvPktInfo(true); /* the destination address, for IKE's NAT detection */
	return Register(socket, rx, arg);
}

extern "C" int ns3c_raw_open(uint32_t node, uint8_t protocol, ns3c_rx rx, void *arg)
{
	Ptr<Socket> socket =
	        Socket::CreateSocket(NodeList::GetNode(node), Ipv4RawSocketFactory::GetTypeId());
	socket->SetAttribute("Protocol", UintegerValue(protocol));
	if (socket->Bind() != 0) {
		return -1;
	}
	return Register(socket, rx, arg);
}

static int SendTo(int sock, const uint8_t *data, size_t len, uint32_t dst, uint16_t port)
{
	if (sock < 0 || static_cast<size_t>(sock) >= g_socks.size()) {
		return -1;
	}
	Ptr<Packet> p = Create<Packet>(data, len);
	return g_socks[sock].socket->SendTo(p, 0, InetSocketAddress(Ipv4Address(dst), port));
}

extern "C" int ns3c_udp_sendto(int sock, const uint8_t *data, size_t len, uint32_t dst,
                               uint16_t port)
{
	return SendTo(sock, data, len, dst, port);
}

extern "C" int ns3c_raw_sendto(int sock, const uint8_t *data, size_t len, uint32_t dst)
{
	return SendTo(sock, data, len, dst, 0);
}
