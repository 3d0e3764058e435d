/* A network address and port translator (NAPT, RFC 3022 §2.2), sans-I/O.
 *
 * One `struct nat` is the translation table of one NAT box with one outside
 * address.  The host decides the direction of each packet from the
 * interfaces (outbound: arrived on an inside interface and leaves through
 * the outside one; inbound: arrived on the outside interface) and hands the
 * IPv4 packet over as bytes; the packet is translated in place.  Time is
 * passed in: the NAT reads no clock.
 *
 * Behaviour, in RFC 4787's words:
 *   - mapping: endpoint-independent (EIM, REQ-1) or address-and-port-
 *     dependent (APDM, "symmetric NAT"), by configuration;
 *   - filtering follows the mapping: EIM filters nothing (endpoint-
 *     independent filtering), APDM accepts only the remote endpoint the
 *     mapping was made for (address-and-port-dependent filtering);
 *   - port assignment: port preservation when the inside port is in the
 *     configured range and free, else the next free port after the last one
 *     assigned (sequential, so runs are reproducible); never port
 *     overloading (REQ-3): one external port is one mapping;
 *   - mapping refresh: outbound packets always refresh (REQ-6); inbound ones
 *     only when configured (NAT_REFRESH_BOTH);
 *   - timeout: idle time after which a mapping is dropped, default 2 min for
 *     UDP and everything else (REQ-5), 2 h 4 min for TCP (RFC 5382 REQ-5;
 *     TCP states are not tracked, the timeout is an idle timeout).
 *
 * What is translated:
 *   - UDP and TCP: source address and port (outbound), destination address
 *     and port (inbound), with the IP header checksum recomputed and the L4
 *     checksum updated incrementally (RFC 1624 eqn. 3); a zero UDP checksum
 *     stays zero (RFC 768: none was computed);
 *   - ICMP queries and replies (echo, timestamp, information, address mask):
 *     the identifier, as a port (RFC 5508 §3.1);
 *   - ICMP errors (unreachable, source quench, redirect, time exceeded,
 *     parameter problem): the outer address and the embedded packet's
 *     address, port or identifier and checksums (RFC 5508 §4.2), found
 *     through the mapping the embedded packet belongs to;
 *   - every other protocol (ESP, AH, SCTP, ...): the address only, one
 *     mapping per (protocol, inside host), as a basic NAT would (RFC 3022
 *     §2.1).  Inbound packets of such a protocol go to the single inside
 *     host that has such a mapping; with none or several they are dropped as
 *     no_mapping.  ESP passes when one inside host uses it; AH never
 *     survives, since its ICV covers the addresses (RFC 3715 §2.1);
 *   - fragments: the first one like a whole packet (the L4 checksum update
 *     is valid for the whole datagram), later ones outbound get the address
 *     only, later ones inbound go where their first fragment went
 *     (remembered for 30 s), else they are dropped as `fragment`.
 * Inbound packets not addressed to the outside address pass untranslated
 * (the NAT box also routes).  Inbound packets to the outside address
 * without a mapping are dropped: the NAT box is a middlebox and has no
 * services of its own there.
 */
#ifndef IPSEC_NAT_H
#define IPSEC_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nat_mapping_behaviour {
	NAT_MAPPING_ENDPOINT_INDEPENDENT,       /* RFC 4787 §4.1 EIM */
	NAT_MAPPING_ADDRESS_AND_PORT_DEPENDENT, /* RFC 4787 §4.1 APDM */
};

enum nat_refresh {
	NAT_REFRESH_OUTBOUND, /* RFC 4787 §4.3: outbound refresh only */
	NAT_REFRESH_BOTH,     /* inbound packets refresh too */
};

struct nat_config {
	uint32_t outside_addr; /* host byte order */
	enum nat_mapping_behaviour mapping;
	enum nat_refresh refresh;
	uint64_t timeout_ns;       /* UDP, ICMP, address-only; 0 = 120 s */
	uint64_t tcp_timeout_ns;   /* 0 = 7440 s */
	uint16_t port_lo, port_hi; /* external ports; both 0 = 1024..65535 */
	/* Drop every IP fragment that crosses, either way, as many
	 * carrier-grade NATs and firewalls do (the reason RFC 7383 exists,
	 * its §1). */
	bool drop_fragments;
};

#define NAT_DEFAULT_TIMEOUT_NS (120ULL * 1000000000ULL)
#define NAT_DEFAULT_TCP_TIMEOUT_NS (7440ULL * 1000000000ULL)
#define NAT_DEFAULT_PORT_LO 1024
#define NAT_DEFAULT_PORT_HI 65535

enum nat_dir { NAT_DIR_OUT, NAT_DIR_IN };

enum nat_verdict {
	NAT_PASS,       /* not for this NAT: forward unchanged */
	NAT_TRANSLATED, /* the packet was rewritten in place */
	NAT_DROP,       /* *reason says why; already counted */
};

enum nat_drop {
	NAT_DROP_NO_MAPPING,      /* inbound to the outside address, no mapping */
	NAT_DROP_FILTERED,        /* APDM: the port is mapped, for another remote */
	NAT_DROP_PORTS_EXHAUSTED, /* outbound: no free external port */
	NAT_DROP_FRAGMENT,        /* inbound later fragment, first one not seen */
	NAT_DROP_ICMP_ERROR,      /* ICMP error whose embedded packet has no mapping */
	NAT_DROP_UNSUPPORTED,     /* ICMP type neither query nor error */
	NAT_DROP_MALFORMED,       /* truncated or bad header */
	NAT_DROP_IP_FRAGMENT,     /* an IP fragment, with drop_fragments */
	NAT_DROP__COUNT
};

const char *nat_drop_name(enum nat_drop reason);

/* One mapping.  `int_port`/`ext_port` are ICMP identifiers for ICMP, 0 for
 * address-only mappings.  rem_* is the remote endpoint of an APDM mapping
 * (0 for EIM and for ICMP's port). */
struct nat_map {
	uint8_t proto;
	uint32_t int_addr;
	uint16_t int_port;
	uint32_t rem_addr;
	uint16_t rem_port;
	uint16_t ext_port;
	uint64_t created_ns, refreshed_ns;
};

struct nat_stats {
	uint64_t translated_out, translated_in;
	uint64_t passed; /* inbound, not addressed to the outside address */
	uint64_t drops[NAT_DROP__COUNT];
	uint64_t mappings_created, mappings_expired, mappings_flushed, mappings_rebound;
	size_t mappings, peak_mappings;
};

struct nat;

/* NULL with a message in err if the configuration is invalid. */
struct nat *nat_new(const struct nat_config *cfg, char *err, size_t errlen);
void nat_free(struct nat *nat);
const struct nat_config *nat_config(const struct nat *nat);

/* Translates the IPv4 packet in `pkt` (`len` bytes, its total length field
 * is authoritative) in place.  The packet's length never changes. */
enum nat_verdict nat_translate(struct nat *nat, enum nat_dir dir, uint8_t *pkt, size_t len,
                               uint64_t now_ns, enum nat_drop *reason);

/* Drops mappings idle for longer than their timeout (also done on every
 * nat_translate call). */
void nat_expire(struct nat *nat, uint64_t now_ns);
/* Drops every mapping (a NAT reboot that forgets its table).  Returns how
 * many there were. */
size_t nat_flush(struct nat *nat);
/* Moves every mapping with a port to a new, different external port (a NAT
 * reboot that keeps its table but not its ports, or a carrier-grade NAT
 * rebinding).  Returns how many moved. */
size_t nat_rebind(struct nat *nat);

const struct nat_stats *nat_stats(const struct nat *nat);
/* The current mappings, in no particular order. */
const struct nat_map *nat_mappings(const struct nat *nat, size_t *count);

#endif
