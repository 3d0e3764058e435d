/* IPv6 parsing (model/ipsec/ipv6.c): the extension-header chain and its
 * limits, where ESP and AH go in transport mode (RFC 4303 §3.1.1, RFC 4302
 * §3.1.1), selector fields (RFC 4301 §4.4.1.1), and AH's mutable fields
 * (RFC 4302 §3.3.3.1.2).  validate_scapy_ah6_mutable checks the last
 * against scapy's implementation. */
#include "harness.h"

#include "ah.h"
#include "ipv6.h"

#include <string.h>

/* A packet built header by header: each add_* links the previous Next
 * Header byte to what it adds. */
struct pkt {
	uint8_t b[512];
	size_t len;
	size_t nh; /* offset of the Next Header byte to fill next */
};

static void start(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x6a; /* version 6, traffic class 0xa5, flow label 0x12345 */
	p->b[1] = 0x51;
	p->b[2] = 0x23;
	p->b[3] = 0x45;
	p->b[7] = 64;
	p->b[8] = 0x20, p->b[9] = 0x01, p->b[10] = 0x0d, p->b[11] = 0xb8, p->b[23] = 1;
	p->b[24] = 0x20, p->b[25] = 0x01, p->b[26] = 0x0d, p->b[27] = 0xb8, p->b[39] = 2;
	p->len = IPV6_HDR_LEN;
	p->nh = 6;
}

static uint8_t *add(struct pkt *p, uint8_t type, size_t len)
{
	uint8_t *h = p->b + p->len;

	p->b[p->nh] = type;
	p->nh = p->len;
	p->len += len;
	return h;
}

/* An options header of 8 * (1 + units) bytes, padded with PadN. */
static uint8_t *add_opts(struct pkt *p, uint8_t type, uint8_t units)
{
	uint8_t *h = add(p, type, 8 * (1 + (size_t)units));

	h[1] = units;
	h[2] = 1; /* PadN over the rest */
	h[3] = (uint8_t)(8 * (1 + units) - 4);
	return h;
}

static uint8_t *add_routing(struct pkt *p, uint8_t type, uint8_t n, uint8_t left)
{
	uint8_t *h = add(p, IPPROTO_NUM_ROUTING, 8 + 16 * (size_t)n);

	h[1] = (uint8_t)(2 * n);
	h[2] = type;
	h[3] = left;
	for (uint8_t i = 0; i < n; i++) {
		h[8 + 16 * i] = 0xfd;
		h[8 + 16 * i + 15] = (uint8_t)(0x10 + i);
	}
	return h;
}

static void add_fragment(struct pkt *p, uint16_t offset, bool more)
{
	uint8_t *h = add(p, IPPROTO_NUM_FRAGMENT, 8);

	h[2] = (uint8_t)(offset >> 5);
	h[3] = (uint8_t)(offset << 3 | more);
	h[7] = 0x99; /* identification */
}

static void add_udp(struct pkt *p, uint16_t sport, uint16_t dport, size_t payload)
{
	uint8_t *h = add(p, IPPROTO_NUM_UDP, 8 + payload);

	h[0] = (uint8_t)(sport >> 8), h[1] = (uint8_t)sport;
	h[2] = (uint8_t)(dport >> 8), h[3] = (uint8_t)dport;
}

static void finish(struct pkt *p)
{
	p->b[4] = (uint8_t)((p->len - IPV6_HDR_LEN) >> 8);
	p->b[5] = (uint8_t)(p->len - IPV6_HDR_LEN);
}

static void test_plain_udp(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	struct ip_selector_fields f;
	(void)state;

	start(&p);
	add_udp(&p, 1234, 53, 10);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len + 7, &ip), 0); /* trailing bytes ignored */
	assert_int_equal(ip.total_len, 58);
	assert_int_equal(ip.tclass, 0xa5);
	assert_int_equal(ip.flow_label, 0x12345);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(ip.proto_off, 40);
	assert_int_equal(ip.ipsec_off, 40);
	assert_int_equal(ip.ipsec_nh_off, 6);
	assert_false(ip.fragment);
	assert_int_equal(ipv6_selector_fields(p.b, &ip, &f), 0);
	assert_memory_equal(f.src.b, p.b + 8, 16);
	assert_memory_equal(f.dst.b, p.b + 24, 16);
	assert_int_equal(f.sport, 1234);
	assert_int_equal(f.dport, 53);
	assert_false(f.opaque);
}

/* RFC 8200 §4.1's order: ESP/AH after hop-by-hop, the destination options
 * before the routing header, routing and fragment; the destination options
 * after them stay behind ESP/AH. */
static void test_ipsec_place_full_chain(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	(void)state;

	start(&p);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 0); /* 40 */
	add_opts(&p, IPPROTO_NUM_DSTOPTS, 1); /* 48 */
	add_routing(&p, 2, 1, 0);             /* 64 */
	add_fragment(&p, 0, true);            /* 88 */
	add_opts(&p, IPPROTO_NUM_DSTOPTS, 0); /* 96 */
	add_udp(&p, 1, 2, 0);                 /* 104 */
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_int_equal(ip.ipsec_off, 96);
	assert_int_equal(ip.ipsec_nh_off, 88);
	assert_int_equal(ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(ip.proto_off, 104);
	assert_true(ip.fragment);
	assert_true(ip.more_fragments);
	assert_int_equal(ip.frag_offset, 0);
}

static void test_ipsec_place_end_to_end_dstopts(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	(void)state;

	start(&p);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	add_opts(&p, IPPROTO_NUM_DSTOPTS, 0); /* no routing header follows */
	add_udp(&p, 1, 2, 0);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_int_equal(ip.ipsec_off, 48);
	assert_int_equal(ip.ipsec_nh_off, 40);
	assert_int_equal(ip.proto_off, 56);
}

static void test_stops_at_esp(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	(void)state;

	start(&p);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	add(&p, IPPROTO_NUM_ESP, 24); /* opaque bytes, never walked */
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_int_equal(ip.proto, IPPROTO_NUM_ESP);
	assert_int_equal(ip.proto_off, 48);
}

/* RFC 4301 §4.4.1.1: a non-initial fragment's ports are OPAQUE. */
static void test_non_initial_fragment(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	struct ip_selector_fields f;
	(void)state;

	start(&p);
	add_fragment(&p, 185, false);
	add(&p, IPPROTO_NUM_UDP, 16); /* the middle of a datagram, no header */
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_true(ip.fragment);
	assert_int_equal(ip.frag_offset, 185);
	assert_false(ip.more_fragments);
	assert_int_equal(ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(ip.proto_off, 48);
	assert_int_equal(ipv6_selector_fields(p.b, &ip, &f), 0);
	assert_true(f.opaque);
	assert_int_equal(f.proto, IPPROTO_NUM_UDP);
}

static void test_icmpv6_type_code(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	struct ip_selector_fields f;
	uint8_t *icmp;
	(void)state;

	start(&p);
	icmp = add(&p, IPPROTO_NUM_ICMPV6, 8);
	icmp[0] = 135; /* neighbour solicitation */
	icmp[1] = 0;
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_int_equal(ipv6_selector_fields(p.b, &ip, &f), 0);
	assert_int_equal(f.proto, IPPROTO_NUM_ICMPV6);
	assert_int_equal(f.sport, 135);
	assert_int_equal(f.dport, 0);
	/* an initial fragment too short for its ports */
	start(&p);
	add(&p, IPPROTO_NUM_ICMPV6, 1);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	assert_int_equal(ipv6_selector_fields(p.b, &ip, &f), -1);
}

static void test_malformed(void **state)
{
	struct pkt p;
	struct ipv6_view ip;
	(void)state;

	/* shorter than the fixed header; not version 6 */
	start(&p);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, 39, &ip), -1);
	p.b[0] = 0x45;
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), -1);
	/* Payload Length beyond the buffer */
	start(&p);
	add_udp(&p, 1, 2, 4);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len - 1, &ip), -1);
	/* a jumbogram (RFC 2675): Payload Length 0 and hop-by-hop options */
	start(&p);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	finish(&p);
	p.b[4] = p.b[5] = 0;
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), -1);
	/* hop-by-hop anywhere but first (RFC 8200 §4.1) */
	start(&p);
	add_opts(&p, IPPROTO_NUM_DSTOPTS, 0);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), -1);
	/* an extension header running past the payload */
	start(&p);
	add_opts(&p, IPPROTO_NUM_DSTOPTS, 0);
	finish(&p);
	p.b[41] = 1; /* 16 bytes, 8 there */
	assert_int_equal(ipv6_parse(p.b, sizeof(p.b), &ip), -1);
	/* a chain too long: IPV6_MAX_EXT_HEADERS is the limit */
	start(&p);
	for (int i = 0; i < IPV6_MAX_EXT_HEADERS; i++)
		add_opts(&p, IPPROTO_NUM_DSTOPTS, 0);
	add_udp(&p, 1, 2, 0);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), 0);
	start(&p);
	for (int i = 0; i < IPV6_MAX_EXT_HEADERS + 1; i++)
		add_opts(&p, IPPROTO_NUM_DSTOPTS, 0);
	add_udp(&p, 1, 2, 0);
	finish(&p);
	assert_int_equal(ipv6_parse(p.b, p.len, &ip), -1);
	/* every truncation of a valid chain is refused, never read past */
	start(&p);
	add_opts(&p, IPPROTO_NUM_HOPOPTS, 1);
	add_routing(&p, 0, 2, 2);
	add_fragment(&p, 0, true);
	add_udp(&p, 1, 2, 0);
	finish(&p);
	for (size_t payload = 0; payload < p.len - IPV6_HDR_LEN - 8; payload++) {
		p.b[4] = (uint8_t)(payload >> 8);
		p.b[5] = (uint8_t)payload;
		assert_int_equal(ipv6_parse(p.b, IPV6_HDR_LEN + payload, &ip), -1);
	}
}

static void count_option(uint8_t type, uint8_t *data, size_t len, void *arg)
{
	size_t *n = arg;

	(void)data;
	(void)len;
	(void)type;
	(*n)++;
}

static void test_options_walk(void **state)
{
	uint8_t h[16] = {IPPROTO_NUM_UDP, 1, 0, 0, 0x05, 2, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0};
	size_t n = 0;
	(void)state;

	/* two Pad1, a Router Alert (RFC 2711), a PadN */
	assert_int_equal(ipv6_options_walk(h, sizeof(h), count_option, &n), 0);
	assert_int_equal(n, 2);
	h[9] = 7; /* the PadN now runs one byte past the header */
	assert_int_equal(ipv6_options_walk(h, sizeof(h), count_option, &n), -1);
}

/* RFC 4302 §3.3.3.1.2: traffic class, flow label, hop limit and the data
 * of options marked as changing en route count as zeros. */
static void test_ah_mutable_fields(void **state)
{
	struct pkt p, z;
	uint8_t *hbh, *dst;
	(void)state;

	start(&p);
	hbh = add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	hbh[2] = 0x3e; /* an option type with the "may change" bit */
	hbh[3] = 4;
	memset(hbh + 4, 0xaa, 4);
	dst = add_opts(&p, IPPROTO_NUM_DSTOPTS, 0);
	dst[2] = 0x1e; /* the same without it */
	dst[3] = 4;
	memset(dst + 4, 0xbb, 4);
	add(&p, IPPROTO_NUM_AH, 0);
	finish(&p);
	z = p;
	assert_int_equal(ah_ipv6_zero_mutable(z.b, 56, true), 0);
	assert_int_equal(z.b[0], 0x60);
	assert_int_equal(z.b[1] | z.b[2] | z.b[3] | z.b[7], 0);
	assert_memory_equal(z.b + 4, p.b + 4, 3); /* payload length, next header */
	assert_memory_equal(z.b + 8, p.b + 8, 32);
	assert_memory_equal(z.b + 40, p.b + 40, 4);
	assert_int_equal(z.b[44] | z.b[45] | z.b[46] | z.b[47], 0);
	assert_memory_equal(z.b + 48, p.b + 48, 8);
	/* a Fragment header cannot precede AH: reassembly comes first */
	start(&p);
	add_fragment(&p, 0, true);
	finish(&p);
	assert_int_equal(ah_ipv6_zero_mutable(p.b, 48, true), -1);
	/* a malformed option */
	start(&p);
	hbh = add_opts(&p, IPPROTO_NUM_HOPOPTS, 0);
	hbh[3] = 9;
	finish(&p);
	assert_int_equal(ah_ipv6_zero_mutable(p.b, 48, false), -1);
}

/* RFC 4302 §3.3.3.1.2.3: the sender arranges a Routing header as it will
 * arrive (RFC 2460 §4.4's processing of every segment left). */
static void test_ah_routing_predicted(void **state)
{
	struct pkt p, z;
	uint8_t *rh;
	(void)state;

	/* type 0 with three addresses, none visited: the final destination
	 * is the last; the list becomes the original destination and the
	 * first two */
	start(&p);
	rh = add_routing(&p, 0, 3, 3);
	finish(&p);
	z = p;
	assert_int_equal(ah_ipv6_zero_mutable(z.b, 96, true), 0);
	assert_memory_equal(z.b + 24, rh + 8 + 32, 16);
	assert_memory_equal(z.b + 40 + 8, p.b + 24, 16);
	assert_memory_equal(z.b + 40 + 24, rh + 8, 16);
	assert_memory_equal(z.b + 40 + 40, rh + 24, 16);
	assert_int_equal(z.b[43], 0);
	/* the receiver takes it as it came */
	z = p;
	assert_int_equal(ah_ipv6_zero_mutable(z.b, 96, false), 0);
	assert_memory_equal(z.b + 24, p.b + 24, 72);
	/* type 2 (Mobile IPv6): the home address becomes the destination */
	start(&p);
	rh = add_routing(&p, 2, 1, 1);
	finish(&p);
	z = p;
	assert_int_equal(ah_ipv6_zero_mutable(z.b, 64, true), 0);
	assert_memory_equal(z.b + 24, rh + 8, 16);
	assert_memory_equal(z.b + 48, p.b + 24, 16);
	/* a segment routing header (type 4) still to be processed: unknown */
	start(&p);
	add_routing(&p, 4, 1, 1);
	finish(&p);
	assert_int_equal(ah_ipv6_zero_mutable(p.b, 64, true), -1);
	/* more segments left than addresses */
	start(&p);
	add_routing(&p, 0, 1, 2);
	finish(&p);
	assert_int_equal(ah_ipv6_zero_mutable(p.b, 64, true), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_plain_udp),
	        cmocka_unit_test(test_ipsec_place_full_chain),
	        cmocka_unit_test(test_ipsec_place_end_to_end_dstopts),
	        cmocka_unit_test(test_stops_at_esp),
	        cmocka_unit_test(test_non_initial_fragment),
	        cmocka_unit_test(test_icmpv6_type_code),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_options_walk),
	        cmocka_unit_test(test_ah_mutable_fields),
	        cmocka_unit_test(test_ah_routing_predicted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
