/* UDP, raw and TCP sockets of both families for C traffic generators and
 * IKE. */
#include "addr.h"
#include "ipsec-ipv4-l3.h"
#include "ipsec-ipv6-l3.h"
#include "ns3c.h"

#include <ns3/inet-socket-address.h>
#include <ns3/inet6-socket-address.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-packet-info-tag.h>
#include <ns3/ipv4-raw-socket-factory.h>
#include <ns3/ipv6-packet-info-tag.h>
#include <ns3/ipv6-raw-socket-factory.h>
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
	Ptr<Socket> socket6; /* UDP on a node with IPv6: the IPv6 socket */
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
	struct ip_addr peer;
	uint16_t peerPort, localPort;
};

static std::vector<Sock> g_socks;
static std::vector<uint8_t> g_rxbuf;

extern "C" void ns3c_sockets_reset(void)
{
	for (Sock &s : g_socks) {
		s.cb = ns3c_tcp{};
		s.watch = false;
		for (Ptr<Socket> socket : {s.socket, s.socket6}) {
			if (socket) {
				socket->Close();
			}
		}
	}
	g_socks.clear();
}

static Address ToSocketAddress(const struct ip_addr *a, uint16_t port)
{
	if (a->family == IP_FAMILY_V6) {
		return Inet6SocketAddress(ToIpv6(a), port);
	}
	return InetSocketAddress(Ipv4Address(ip_addr_v4_value(a)), port);
}

/* A socket address's address and port. */
static struct ip_addr FromSocketAddress(const Address &a, uint16_t *port)
{
	if (Inet6SocketAddress::IsMatchingType(a)) {
		Inet6SocketAddress inet6 = Inet6SocketAddress::ConvertFrom(a);
		*port = inet6.GetPort();
		return FromIpv6(inet6.GetIpv6());
	}
	InetSocketAddress inet = InetSocketAddress::ConvertFrom(a);
	*port = inet.GetPort();
	return ip_addr_v4(inet.GetIpv4().Get());
}

static void OnReceive(size_t index, Ptr<Socket> socket)
{
	Address from;
	while (Ptr<Packet> p = socket->RecvFrom(from)) {
		g_rxbuf.resize(p->GetSize());
		p->CopyData(g_rxbuf.data(), g_rxbuf.size());
		struct ns3c_datagram d = {};
		d.data = g_rxbuf.data();
		d.len = g_rxbuf.size();
		d.src = FromSocketAddress(from, &d.sport);
		Ipv4PacketInfoTag info;
		Ipv6PacketInfoTag info6;
		if (p->PeekPacketTag(info)) {
			d.dst = ip_addr_v4(info.GetAddress().Get());
		} else if (p->PeekPacketTag(info6)) {
			d.dst = FromIpv6(info6.GetAddress());
		}
		Address local;
		if (socket->GetSockName(local) == 0) {
			uint16_t port = 0;
			FromSocketAddress(local, &port);
			d.dport = port;
		}
		const Sock &s = g_socks[index];
		s.rx(s.arg, &d);
	}
}

static int Register(Ptr<Socket> socket, Ptr<Socket> socket6, ns3c_rx rx, void *arg)
{
	Sock s{};
	s.socket = socket;
	s.socket6 = socket6;
	s.rx = rx;
	s.arg = arg;
	g_socks.push_back(s);
	size_t index = g_socks.size() - 1;
	for (Ptr<Socket> sock : {socket, socket6}) {
		if (sock && rx) {
			sock->SetRecvCallback(MakeBoundCallback(&OnReceive, index));
		}
	}
	return static_cast<int>(index);
}

static Ptr<Socket> UdpOpen(Ptr<Node> node, const Address &local)
{
	Ptr<Socket> socket = Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
	if (socket->Bind(local) != 0) {
		return nullptr;
	}
	socket->SetRecvPktInfo(true); /* the destination address, for IKE's NAT detection */
	return socket;
}

extern "C" int ns3c_udp_open(uint32_t node, uint16_t port, ns3c_rx rx, void *arg)
{
	Ptr<Node> n = NodeList::GetNode(node);
	Ptr<Socket> socket = UdpOpen(n, InetSocketAddress(Ipv4Address::GetAny(), port));
	Ptr<Socket> socket6;
	if (!socket) {
		return -1;
	}
	if (n->GetObject<Ipv6>()) {
		socket6 = UdpOpen(n, Inet6SocketAddress(Ipv6Address::GetAny(), port));
		if (!socket6) {
			socket->Close();
			return -1;
		}
	}
	return Register(socket, socket6, rx, arg);
}

extern "C" void ns3c_udp_close(int sock)
{
	if (sock < 0 || static_cast<size_t>(sock) >= g_socks.size() || !g_socks[sock].socket) {
		return;
	}
	for (Ptr<Socket> socket : {g_socks[sock].socket, g_socks[sock].socket6}) {
		if (socket) {
			socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
			socket->Close();
		}
	}
	g_socks[sock].rx = nullptr;
}

extern "C" int ns3c_raw_open(uint32_t node, uint8_t family, uint8_t protocol, ns3c_rx rx, void *arg)
{
	Ptr<Node> n = NodeList::GetNode(node);
	if (family == IP_FAMILY_V6 && !n->GetObject<Ipv6>()) {
		return -1;
	}
	Ptr<Socket> socket =
	        Socket::CreateSocket(n, family == IP_FAMILY_V6 ? Ipv6RawSocketFactory::GetTypeId()
	                                                       : Ipv4RawSocketFactory::GetTypeId());
	socket->SetAttribute("Protocol", UintegerValue(protocol));
	if ((family == IP_FAMILY_V6 ? socket->Bind6() : socket->Bind()) != 0) {
		return -1;
	}
	return family == IP_FAMILY_V6 ? Register(nullptr, socket, rx, arg)
	                              : Register(socket, nullptr, rx, arg);
}

static int SendTo(int sock, const uint8_t *data, size_t len, const struct ip_addr *dst,
                  uint16_t port)
{
	if (sock < 0 || static_cast<size_t>(sock) >= g_socks.size()) {
		return -1;
	}
	Ptr<Socket> socket =
	        dst->family == IP_FAMILY_V6 ? g_socks[sock].socket6 : g_socks[sock].socket;
	/* A node that is down (rebooting) runs no application. */
	if (!socket || !socket->GetNode()->GetObject<IpsecIpv4L3Protocol>()->IsNodeUp()) {
		return -1;
	}
	Ptr<Packet> p = Create<Packet>(data, len);
	return socket->SendTo(p, 0, ToSocketAddress(dst, port));
}

extern "C" int ns3c_udp_sendto(int sock, const uint8_t *data, size_t len, const struct ip_addr *dst,
                               uint16_t port)
{
	return SendTo(sock, data, len, dst, port);
}

extern "C" int ns3c_raw_sendto(int sock, const uint8_t *data, size_t len, const struct ip_addr *dst)
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
static void CountSegment(size_t index, Ptr<const Packet> p);

static void OnLocalDeliver(size_t index, const Ipv4Header &ip, Ptr<const Packet> p, uint32_t)
{
	const Sock &s = g_socks[index];
	struct ip_addr src = ip_addr_v4(ip.GetSource().Get());
	if (s.watch && ip.GetProtocol() == TcpL4Protocol::PROT_NUMBER &&
	    ip_addr_eq(&src, &s.peer)) {
		CountSegment(index, p);
	}
}

static void OnLocalDeliver6(size_t index, const Ipv6Header &ip, Ptr<const Packet> p, uint32_t)
{
	const Sock &s = g_socks[index];
	struct ip_addr src = FromIpv6(ip.GetSource());
	/* ns-3 hands on the first header: the next header may be an
	 * extension header it has stripped since. */
	if (s.watch && ip_addr_eq(&src, &s.peer)) {
		CountSegment(index, p);
	}
}

static void CountSegment(size_t index, Ptr<const Packet> p)
{
	const Sock &s = g_socks[index];
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
	uint16_t sport = 0;
	struct ip_addr src = FromSocketAddress(from, &sport);
	Address local;
	if (socket->GetSockName(local) == 0) {
		Sock &s = g_socks[conn];
		s.watch = true;
		s.peer = src;
		s.peerPort = sport;
		FromSocketAddress(local, &s.localPort);
		Ptr<Node> node = socket->GetNode();
		if (src.family == IP_FAMILY_V6) {
			node->GetObject<Ipv6L3Protocol>()->TraceConnectWithoutContext(
			        "LocalDeliver",
			        MakeBoundCallback(&OnLocalDeliver6, static_cast<size_t>(conn)));
		} else {
			node->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext(
			        "LocalDeliver",
			        MakeBoundCallback(&OnLocalDeliver, static_cast<size_t>(conn)));
		}
	}
	if (cb.accepted) {
		cb.accepted(cb.arg, static_cast<int>(listener), conn, &src, sport);
	}
}

extern "C" int ns3c_tcp_listen(uint32_t node, uint8_t family, uint16_t port,
                               const struct ns3c_tcp_opts *opts, const struct ns3c_tcp *cb)
{
	Ptr<Socket> socket = CreateTcp(node, opts);
	Address any = family == IP_FAMILY_V6
	                      ? Address(Inet6SocketAddress(Ipv6Address::GetAny(), port))
	                      : Address(InetSocketAddress(Ipv4Address::GetAny(), port));
	if (!socket || socket->Bind(any) != 0 || socket->Listen() != 0) {
		return -1;
	}
	int index = RegisterTcp(socket, cb);
	socket->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
	                          MakeBoundCallback(&OnTcpAccept, static_cast<size_t>(index)));
	return index;
}

extern "C" int ns3c_tcp_connect(uint32_t node, const struct ip_addr *dst, uint16_t port,
                                const struct ns3c_tcp_opts *opts, const struct ns3c_tcp *cb)
{
	Ptr<Socket> socket = CreateTcp(node, opts);
	if (!socket || (dst->family == IP_FAMILY_V6 ? socket->Bind6() : socket->Bind()) != 0) {
		return -1;
	}
	int index = RegisterTcp(socket, cb);
	if (socket->Connect(ToSocketAddress(dst, port)) != 0) {
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
