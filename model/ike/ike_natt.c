/* NAT traversal (RFC 7296 §2.23, RFC 3948) and where an IKE SA's packets
 * go:
 *
 *   - NAT detection: the NAT_DETECTION_* notifies of IKE_SA_INIT (and of
 *     MOBIKE's address updates, RFC 4555 §3.5) carry hashes of the
 *     addresses and ports the sender used; a mismatch means a NAT;
 *   - with a NAT (or `encap`, or MOBIKE: RFC 4555 §3.3) IKE moves to port
 *     4500 after IKE_SA_INIT, and Child SAs are UDP-encapsulated;
 *   - following the peer: with a NAT on the path, the peer's address and
 *     port are those of the last authenticated message (never of an
 *     unauthenticated one); when they move (the NAT rebound the mapping,
 *     libreswan#1728), the IKE SA and every Child SA follow at once;
 *   - NAT keepalives (RFC 3948 §2.3, §4): behind a NAT, a single 0xff
 *     octet from port 4500 when nothing else went to the peer -- no IKE
 *     message, no ESP-in-UDP packet of any of its Child SAs -- for
 *     keepalive_ns, so that the mapping stays (strongSwan's
 *     charon.keep_alive).
 */
#include "ike_sa.h"

#include "ipv4.h"

#include <openssl/evp.h>
#include <string.h>

/* §2.23: SHA-1(SPIi | SPIr | IP address | port). */
static void nat_hash(const uint8_t *spi_i, const uint8_t *spi_r, struct ip_addr addr, uint16_t port,
                     uint8_t out[20])
{
	uint8_t in[2 * IKE_SPI_LEN + 16 + 2];
	size_t alen = ip_family_len(addr.family);
	unsigned int n = 20;

	memcpy(in, spi_i, IKE_SPI_LEN);
	memcpy(in + IKE_SPI_LEN, spi_r, IKE_SPI_LEN);
	memcpy(in + 2 * IKE_SPI_LEN, addr.b, alen); /* 4 or 16 bytes */
	put_be16(in + 2 * IKE_SPI_LEN + alen, port);
	if (!EVP_Digest(in, 2 * IKE_SPI_LEN + alen + 2, out, &n, EVP_sha1(), NULL))
		memset(out, 0, 20);
}

/* Does any NAT_DETECTION notify of `type` carry the hash of (addr, port)?
 * -1 if there is none at all (the peer does not do NAT-T). */
static int nat_match(const struct ike_msg *m, uint16_t type, const uint8_t *spi_i,
                     const uint8_t *spi_r, struct ip_addr addr, uint16_t port)
{
	uint8_t want[20];
	int seen = -1;

	nat_hash(spi_i, spi_r, addr, port, want);
	for (const struct ike_payload *p = ike_msg_find(m, IKE_PL_NOTIFY, NULL); p;
	     p = ike_msg_find(m, IKE_PL_NOTIFY, p)) {
		if (p->u.notify.type != type)
			continue;
		seen = 0;
		if (p->u.notify.len == 20 && !memcmp(p->u.notify.data, want, 20))
			return 1;
	}
	return seen;
}

/* IKE_EV_NAT: the IKE SA's NAT state and where its peer is. */
static void nat_event(struct ike *ike, const struct ike_sa *sa, const char *why)
{
	struct ike_event ev = ike_event_for(ike, sa, IKE_EV_NAT);

	ev.nat_local = sa->nat_local;
	ev.nat_remote = sa->nat_remote;
	ev.nat_fake = ike_sa_conn(ike, sa)->cfg.encap;
	ev.reason = why;
	ike_emit(ike, &ev);
}

void ike_natt_detect(struct ike *ike, struct ike_sa *sa, const struct ike_msg *m,
                     const uint8_t *spi_r, struct ip_addr src, uint16_t sport, struct ip_addr dst,
                     uint16_t dport)
{
	int s = nat_match(m, IKE_N_NAT_DETECTION_SOURCE_IP, sa->spi_i, spi_r, src, sport);
	int d = nat_match(m, IKE_N_NAT_DETECTION_DESTINATION_IP, sa->spi_i, spi_r, dst, dport);
	bool was = sa->nat_local || sa->nat_remote;
	bool fake = ike_sa_conn(ike, sa)->cfg.encap;

	sa->nat_remote = s == 0;
	sa->nat_local = d == 0;
	if (!sa->nat_local && !sa->nat_remote && !was && !fake)
		return;
	/* The side that fakes the NAT (its source hash is random) detects
	 * none; it says so, as strongSwan's nat-fake does. */
	nat_event(ike, sa,
	          sa->nat_local || sa->nat_remote ? "NAT detected"
	          : fake                          ? "NAT faked (encap)"
	                                          : "no NAT any more");
}

void ike_natt_add_notifies(struct ike *ike, struct ike_sa *sa, struct ike_builder *b,
                           const uint8_t *spi_r)
{
	uint8_t h[20];

	/* strongSwan's encap = yes: a random source hash makes both sides
	 * believe in a NAT, so that everything is UDP-encapsulated. */
	if (ike_sa_conn(ike, sa)->cfg.encap)
		ike_random(ike, h, sizeof(h));
	else
		nat_hash(sa->spi_i, spi_r, sa->local_addr, sa->local_port, h);
	ike_add_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	nat_hash(sa->spi_i, spi_r, sa->remote_addr, sa->remote_port, h);
	ike_add_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

void ike_natt_float(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_conn_config *c = &ike_sa_conn(ike, sa)->cfg;

	/* §2.23; RFC 4555 §3.3: a MOBIKE initiator moves to port 4500 NAT or
	 * not, so that a later move behind a NAT needs no port change. */
	if (!sa->nat_local && !sa->nat_remote && !c->encap && !(c->mobike && sa->initiator))
		return;
	if (sa->local_port == IKE_PORT)
		sa->local_port = IKE_NATT_PORT;
	if (sa->remote_port == IKE_PORT)
		sa->remote_port = IKE_NATT_PORT;
}

bool ike_natt_encap(const struct ike *ike, const struct ike_sa *sa)
{
	return sa->nat_local || sa->nat_remote || ike_sa_conn(ike, sa)->cfg.encap;
}

void ike_sa_move(struct ike *ike, struct ike_sa *sa, struct ip_addr local, uint16_t lport,
                 struct ip_addr remote, uint16_t rport, const char *why)
{
	bool encap = ike_natt_encap(ike, sa);

	sa->local_addr = local;
	sa->local_port = lport;
	sa->remote_addr = remote;
	sa->remote_port = rport;
	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		const struct ike_child *c = &sa->children[k];

		if (!c->used)
			continue;
		/* RFC 3948 on the IKE SA's ports (§2.23), or plain ESP. */
		ipsec_sa_set_addresses(ike->dp, c->sa_out, &local, &remote, encap ? lport : 0,
		                       encap ? rport : 0);
		ipsec_sa_set_addresses(ike->dp, c->sa_in, &remote, &local, encap ? rport : 0,
		                       encap ? lport : 0);
	}
	nat_event(ike, sa, why);
}

void ike_natt_follow(struct ike *ike, struct ike_sa *sa, struct ip_addr src, uint16_t sport,
                     struct ip_addr dst, uint16_t dport)
{
	bool floated = sport == IKE_NATT_PORT && sa->remote_port == IKE_PORT;

	sa->local_addr = dst;
	sa->local_port = dport;
	if (ip_addr_eq(&src, &sa->remote_addr) && sport == sa->remote_port)
		return;
	if (sa->nat_local || sa->nat_remote)
		ike_sa_move(ike, sa, dst, dport, src, sport, "peer moved");
	else if (floated)
		sa->remote_port = sport; /* to port 4500: §2.23, RFC 4555 §3.3 */
}

void ike_natt_schedule(struct ike *ike, struct ike_sa *sa)
{
	uint64_t every = ike_sa_conn(ike, sa)->cfg.keepalive_ns;

	sa->keepalive_at = sa->nat_local && every ? ike_now(ike) + every : UINT64_MAX;
}

uint64_t ike_natt_deadline(const struct ike_sa *sa)
{
	return sa->phase == IKE_PHASE_ESTABLISHED ? sa->keepalive_at : UINT64_MAX;
}

/* Did any Child SA of `sa` send ESP since the last check?  The data plane
 * counts packets, it keeps no time (as DPD reads the inbound counters,
 * ike_info_dpd_check). */
static bool natt_esp_sent(struct ike *ike, struct ike_sa *sa)
{
	bool sent = false;

	for (size_t k = 0; k < IKE_SA_CHILDREN; k++) {
		struct ike_child *c = &sa->children[k];
		const struct ipsec_sa_stats *st;

		if (!c->used || !(st = ipsec_sa_stats(ike->dp, c->sa_out)))
			continue;
		if (st->packets != c->out_packets) {
			c->out_packets = st->packets;
			sent = true;
		}
	}
	return sent;
}

void ike_natt_timeout(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t every = ike_sa_conn(ike, sa)->cfg.keepalive_ns;
	static const uint8_t keepalive = 0xff;

	if (sa->phase != IKE_PHASE_ESTABLISHED || now < sa->keepalive_at)
		return;
	/* RFC 3948 §4: "every N seconds if no other packet to the peer has
	 * been sent in N seconds".  ESP since the last check went out at some
	 * time in the interval: taken as now, the latest it can be, so that a
	 * keepalive never follows a packet by less than N (at most 2 N after
	 * the last ESP; strongSwan, reading the kernel's last-use time, N). */
	if (natt_esp_sent(ike, sa))
		sa->last_tx = now;
	else if (sa->last_tx + every <= now) {
		ike->st.keepalives++;
		ike->ops.send(ike->host, sa->local_addr, sa->local_port, sa->remote_addr,
		              sa->remote_port, &keepalive, 1);
		sa->last_tx = now;
	}
	sa->keepalive_at = sa->last_tx + every;
}
