/* UDP, raw IPv4 and TCP sockets for C traffic generators. */
#include "ipsec-ipv4-l3.h"
#include "ns3c.h"

#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-packet-info-tag.h>
#include <ns3/ipv4-raw-socket-factory.h>
#include <ns3/node-list.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/socket.h>
#include <ns3/tcp-header.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/tcp-socket-base.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>

#include <vector>

using namespace ns3;

struct Sock {
	Ptr<Socket> socket;
	ns3c_rx rx;
	void *arg;
	/* TCP only */
	bool tcp;
	struct ns3c_tcp cb;
	struct ns3c_tcp_stats stats;
	SequenceNumber32 highTx; /* one past the highest data byte sent */
	bool sentData;
	/* accepted connections: the peer's end, to count arriving segments */
	bool watch;
	Ipv4Address peer;
	uint16_t peerPort, localPort;
};

static std::vector<Sock> g_socks;
static std::vector<uint8_t> g_rxbuf;

extern "C" void ns3c_sockets_reset(void)
{
	for (Sock &s : g_socks) {
		s.cb = ns3c_tcp{};
		s.watch = false;
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
		struct ns3c_datagram d = {
		        g_rxbuf.data(), g_rxbuf.size(), inet.GetIpv4().Get(), 0, inet.GetPort(), 0};
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
	Sock s{};
	s.socket = socket;
	s.rx = rx;
	s.arg = arg;
	g_socks.push_back(s);
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

extern "C" void ns3c_udp_close(int sock)
{
	if (sock < 0 || static_cast<size_t>(sock) >= g_socks.size() || !g_socks[sock].socket) {
		return;
	}
	g_socks[sock].socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
	g_socks[sock].socket->Close();
	g_socks[sock].rx = nullptr;
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
	/* A node that is down (rebooting) runs no application. */
	Ptr<Socket> socket = g_socks[sock].socket;
	if (!socket->GetNode()->GetObject<IpsecIpv4L3Protocol>()->IsNodeUp()) {
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

/* ---- TCP ---- */

static Sock *TcpSock(int sock)
{
	if (sock < 0 || static_cast<size_t>(sock) >= g_socks.size() || !g_socks[sock].tcp) {
		return nullptr;
	}
	return &g_socks[sock];
}

static void OnTcpTx(size_t index, Ptr<const Packet> p, const TcpHeader &h, Ptr<const TcpSocketBase>)
{
	Sock &s = g_socks[index];
	uint32_t len = p->GetSize();
	if (len == 0) {
		return;
	}
	s.stats.segments_sent++;
	s.stats.bytes_sent += len;
	SequenceNumber32 end = h.GetSequenceNumber() + len;
	if (s.sentData && h.GetSequenceNumber() < s.highTx) {
		s.stats.retransmits++;
	}
	if (!s.sentData || end > s.highTx) {
		s.highTx = end;
		s.sentData = true;
	}
}

/* Segments the socket accepted (RFC 793's acceptability test passed). */
static void OnTcpRx(size_t index, Ptr<const Packet> p, const TcpHeader &, Ptr<const TcpSocketBase>)
{
	if (p->GetSize() > 0) {
		g_socks[index].stats.segments_accepted++;
	}
}

/* Every TCP segment of the connection that IP delivers to the node (after
 * reassembly), duplicates included. */
static void OnLocalDeliver(size_t index, const Ipv4Header &ip, Ptr<const Packet> p, uint32_t)
{
	const Sock &s = g_socks[index];
	if (!s.watch || ip.GetProtocol() != TcpL4Protocol::PROT_NUMBER ||
	    ip.GetSource() != s.peer) {
		return;
	}
	TcpHeader h;
	if (p->PeekHeader(h) == 0 || h.GetSourcePort() != s.peerPort ||
	    h.GetDestinationPort() != s.localPort || p->GetSize() <= h.GetSerializedSize()) {
		return;
	}
	g_socks[index].stats.segments_received++;
}

static void OnTcpRecv(size_t index, Ptr<Socket> socket)
{
	while (Ptr<Packet> p = socket->Recv()) {
		if (p->GetSize() == 0) {
			break;
		}
		g_rxbuf.resize(p->GetSize());
		p->CopyData(g_rxbuf.data(), g_rxbuf.size());
		ns3c_tcp cb = g_socks[index].cb;
		if (cb.recv) {
			cb.recv(cb.arg, static_cast<int>(index), g_rxbuf.data(), g_rxbuf.size());
		}
	}
}

static void OnTcpSend(size_t index, Ptr<Socket>, uint32_t available)
{
	ns3c_tcp cb = g_socks[index].cb;
	if (cb.sendable) {
		cb.sendable(cb.arg, static_cast<int>(index), available);
	}
}

static void OnTcpConnected(size_t index, bool ok, Ptr<Socket>)
{
	ns3c_tcp cb = g_socks[index].cb;
	if (cb.connected) {
		cb.connected(cb.arg, static_cast<int>(index), ok ? 1 : 0);
	}
}

static void OnTcpClosed(size_t index, bool error, Ptr<Socket>)
{
	ns3c_tcp cb = g_socks[index].cb;
	if (cb.closed) {
		cb.closed(cb.arg, static_cast<int>(index), error ? 1 : 0);
	}
}

/* Callbacks and trace sinks of a TCP socket; returns its handle. */
static int RegisterTcp(Ptr<Socket> socket, const struct ns3c_tcp *cb)
{
	Sock s{};
	s.socket = socket;
	s.tcp = true;
	s.cb = cb ? *cb : ns3c_tcp{};
	g_socks.push_back(s);
	size_t index = g_socks.size() - 1;
	socket->SetRecvCallback(MakeBoundCallback(&OnTcpRecv, index));
	socket->SetSendCallback(MakeBoundCallback(&OnTcpSend, index));
	socket->SetConnectCallback(MakeBoundCallback(&OnTcpConnected, index, true),
	                           MakeBoundCallback(&OnTcpConnected, index, false));
	socket->SetCloseCallbacks(MakeBoundCallback(&OnTcpClosed, index, false),
	                          MakeBoundCallback(&OnTcpClosed, index, true));
	socket->TraceConnectWithoutContext("Tx", MakeBoundCallback(&OnTcpTx, index));
	socket->TraceConnectWithoutContext("Rx", MakeBoundCallback(&OnTcpRx, index));
	return static_cast<int>(index);
}

static Ptr<Socket> CreateTcp(uint32_t node, const struct ns3c_tcp_opts *o)
{
	Ptr<TcpL4Protocol> tcp = NodeList::GetNode(node)->GetObject<TcpL4Protocol>();
	if (!tcp) {
		return nullptr;
	}
	Ptr<Socket> socket;
	if (o && o->congestion) {
		TypeId cc;
		if (!TypeId::LookupByNameFailSafe(o->congestion, &cc)) {
			return nullptr;
		}
		socket = tcp->CreateSocket(cc);
	} else {
		socket = tcp->CreateSocket();
	}
	if (o && o->segment_size) {
		socket->SetAttribute("SegmentSize", UintegerValue(o->segment_size));
	}
	if (o && o->sndbuf) {
		socket->SetAttribute("SndBufSize", UintegerValue(o->sndbuf));
	}
	if (o && o->rcvbuf) {
		socket->SetAttribute("RcvBufSize", UintegerValue(o->rcvbuf));
	}
	return socket;
}

static void OnTcpAccept(size_t listener, Ptr<Socket> socket, const Address &from)
{
	ns3c_tcp cb = g_socks[listener].cb;
	int conn = RegisterTcp(socket, &cb);
	InetSocketAddress inet = InetSocketAddress::ConvertFrom(from);
	Address local;
	Ptr<Ipv4L3Protocol> ip = socket->GetNode()->GetObject<Ipv4L3Protocol>();
	if (ip && socket->GetSockName(local) == 0 && InetSocketAddress::IsMatchingType(local)) {
		Sock &s = g_socks[conn];
		s.watch = true;
		s.peer = inet.GetIpv4();
		s.peerPort = inet.GetPort();
		s.localPort = InetSocketAddress::ConvertFrom(local).GetPort();
		ip->TraceConnectWithoutContext(
		        "LocalDeliver",
		        MakeBoundCallback(&OnLocalDeliver, static_cast<size_t>(conn)));
	}
	if (cb.accepted) {
		cb.accepted(cb.arg, static_cast<int>(listener), conn, inet.GetIpv4().Get(),
		            inet.GetPort());
	}
}

extern "C" int ns3c_tcp_listen(uint32_t node, uint16_t port, const struct ns3c_tcp_opts *opts,
                               const struct ns3c_tcp *cb)
{
	Ptr<Socket> socket = CreateTcp(node, opts);
	if (!socket || socket->Bind(InetSocketAddress(Ipv4Address::GetAny(), port)) != 0 ||
	    socket->Listen() != 0) {
		return -1;
	}
	int index = RegisterTcp(socket, cb);
	socket->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
	                          MakeBoundCallback(&OnTcpAccept, static_cast<size_t>(index)));
	return index;
}

extern "C" int ns3c_tcp_connect(uint32_t node, uint32_t dst, uint16_t port,
                                const struct ns3c_tcp_opts *opts, const struct ns3c_tcp *cb)
{
	Ptr<Socket> socket = CreateTcp(node, opts);
	if (!socket || socket->Bind() != 0) {
		return -1;
	}
	int index = RegisterTcp(socket, cb);
	if (socket->Connect(InetSocketAddress(Ipv4Address(dst), port)) != 0) {
		return -1;
	}
	return index;
}

extern "C" long ns3c_tcp_send(int sock, const uint8_t *data, size_t len)
{
	Sock *s = TcpSock(sock);
	if (!s) {
		return -1;
	}
	uint32_t room = s->socket->GetTxAvailable();
	uint32_t n = len < room ? static_cast<uint32_t>(len) : room;
	if (n == 0) {
		return 0;
	}
	Ptr<Packet> p = data ? Create<Packet>(data, n) : Create<Packet>(n);
	int sent = s->socket->Send(p);
	return sent < 0 ? -1 : sent;
}

extern "C" size_t ns3c_tcp_tx_available(int sock)
{
	Sock *s = TcpSock(sock);
	return s ? s->socket->GetTxAvailable() : 0;
}

extern "C" void ns3c_tcp_close(int sock)
{
	Sock *s = TcpSock(sock);
	if (s) {
		s->cb = ns3c_tcp{};
		s->socket->Close();
	}
}

extern "C" void ns3c_tcp_stats(int sock, struct ns3c_tcp_stats *st)
{
	Sock *s = TcpSock(sock);
	if (s) {
		*st = s->stats;
	} else {
		*st = {};
	}
}
