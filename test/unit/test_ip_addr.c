/* Addresses of either family and ranges of them (model/ipsec/ip_addr.c),
 * and SPD selectors over them (RFC 4301 §4.4.1.1): a selector of one
 * family never matches a packet of the other, ANY matches both. */
#include "harness.h"

#include "ipv6.h"
#include "spd.h"

#include <string.h>

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(s, &a), 0);
	return a;
}

/* The address of a parsed address (four live at a time). */
static const struct ip_addr *at(const char *s)
{
	static struct ip_addr ring[4];
	static unsigned next;

	ring[next % 4] = addr(s);
	return &ring[next++ % 4];
}

static const char *text(const struct ip_addr *a)
{
	static char buf[IP_ADDR_STRLEN];

	return ip_addr_str(a, buf);
}

static const char *range_text(const struct ip_range *r)
{
	static char buf[2 * IP_ADDR_STRLEN];

	return ip_range_str(r, buf);
}

static void test_parse_and_print(void **state)
{
	struct ip_addr a;

	(void)state;
	a = addr("192.0.2.1");
	assert_int_equal(a.family, IP_FAMILY_V4);
	assert_int_equal(ip_addr_v4_value(&a), 0xc0000201);
	assert_true(ip_addr_eq(&a, &(struct ip_addr[]){ip_addr_v4(0xc0000201)}[0]));
	/* RFC 5952 §4: the canonical text, whatever was written */
	a = addr("2001:DB8:0:0:0:0:0:1");
	assert_int_equal(a.family, IP_FAMILY_V6);
	assert_string_equal(text(&a), "2001:db8::1");
	assert_int_equal(ip_addr_v4_value(&a), 0);
	a = addr("::ffff:192.0.2.1"); /* v4-mapped stays IPv6 */
	assert_int_equal(a.family, IP_FAMILY_V6);
	assert_int_equal(ip_addr_parse("256.0.0.1", &a), -1);
	assert_int_equal(ip_addr_parse("01.2.3.4", &a), -1);
	assert_int_equal(ip_addr_parse("2001:db8::1::2", &a), -1);
	assert_int_equal(ip_addr_parse("", &a), -1);
	assert_false(ip_addr_is_set(&a));
	assert_string_equal(text(&a), "");
}

/* An address and a port: IPv6 in brackets (RFC 3986 §3.2.2). */
static void test_endpoint(void **state)
{
	char buf[IP_ENDPOINT_STRLEN];

	(void)state;
	assert_string_equal(ip_endpoint_str(at("192.0.2.1"), 500, buf), "192.0.2.1:500");
	assert_string_equal(ip_endpoint_str(at("2001:db8::1"), 4500, buf), "[2001:db8::1]:4500");
	assert_string_equal(ip_endpoint_str(at("1:2:3:4:5:6:7:8"), 65535, buf),
	                    "[1:2:3:4:5:6:7:8]:65535");
}

static void test_order_and_hash(void **state)
{
	struct ip_addr v4 = addr("255.255.255.255"), v6 = addr("::"), v6b = addr("::1");

	(void)state;
	/* family first: every IPv4 address sorts before every IPv6 one */
	assert_true(ip_addr_cmp(&v4, &v6) < 0);
	assert_true(ip_addr_cmp(&v6, &v6b) < 0);
	assert_int_equal(ip_addr_cmp(&v6b, at("0::1")), 0);
	/* 0.0.0.0 and :: are different addresses */
	assert_false(ip_addr_eq(at("0.0.0.0"), &v6));
	assert_true(ip_addr_hash(&v6) != ip_addr_hash(at("0.0.0.0")));
}

static void test_prefixes(void **state)
{
	struct ip_addr a = addr("2001:db8:1:2:3:4:5:6");
	struct ip_range r;

	(void)state;
	r = ip_range_prefix(&a, 64);
	assert_string_equal(text(&r.lo), "2001:db8:1:2::");
	assert_string_equal(text(&r.hi), "2001:db8:1:2:ffff:ffff:ffff:ffff");
	assert_string_equal(range_text(&r), "2001:db8:1:2::/64");
	r = ip_range_prefix(&a, 61); /* a prefix not on a byte boundary */
	assert_string_equal(range_text(&r), "2001:db8:1::/61");
	assert_string_equal(text(&r.hi), "2001:db8:1:7:ffff:ffff:ffff:ffff");
	a = addr("10.1.2.3");
	r = ip_range_prefix(&a, 20);
	assert_string_equal(range_text(&r), "10.1.0.0/20");
	assert_string_equal(text(&r.hi), "10.1.15.255");
	r = ip_range_prefix(&a, 32);
	assert_string_equal(range_text(&r), "10.1.2.3");
	r = ip_range_all(IP_FAMILY_V6);
	assert_string_equal(range_text(&r), "::/0");
	assert_true(ip_range_is_all(&r));
	r = ip_range_v4(0x0a010005, 0x0a010009);
	assert_string_equal(range_text(&r), "10.1.0.5-10.1.0.9");
	r = ip_range_v4(0, 0);
	assert_true(ip_range_any(&r));
	assert_string_equal(range_text(&r), "any");
}

static void test_contains_valid_hull(void **state)
{
	struct ip_addr p4 = addr("10.1.0.0"), p6 = addr("2001:db8:1::");
	struct ip_range r4 = ip_range_prefix(&p4, 16), r6 = ip_range_prefix(&p6, 48),
	                any = {{0}, {0}};
	struct ip_range bad = {addr("10.0.0.9"), addr("10.0.0.1")}, mixed = {p4, p6}, h;

	(void)state;
	assert_true(ip_range_contains(&r4, at("10.1.255.255")));
	assert_false(ip_range_contains(&r4, at("10.2.0.0")));
	assert_true(ip_range_contains(&r6, at("2001:db8:1:ffff::1")));
	assert_false(ip_range_contains(&r6, at("2001:db8:2::")));
	/* ::ffff:10.1.0.1 is an IPv6 address: not in 10.1.0.0/16 */
	assert_false(ip_range_contains(&r4, at("::ffff:10.1.0.1")));
	assert_true(ip_range_contains(&any, &p4) && ip_range_contains(&any, &p6));
	assert_true(ip_range_valid(&r4) && ip_range_valid(&r6) && ip_range_valid(&any));
	assert_false(ip_range_valid(&bad));
	assert_false(ip_range_valid(&mixed));
	h = ip_range_v4(0x0a050000, 0x0a0500ff);
	h = ip_range_hull(&r4, &h);
	assert_string_equal(range_text(&h), "10.1.0.0-10.5.0.255");
	h = ip_range_hull(&r4, &r6);
	assert_true(ip_range_any(&h));
}

/* An IPv6 UDP packet src -> dst, ports 1000 -> 53. */
static size_t udp6(uint8_t *b, const char *src, const char *dst)
{
	struct ip_addr s = addr(src), d = addr(dst);

	memset(b, 0, 48);
	b[0] = 0x60;
	b[5] = 8; /* payload length */
	b[6] = IPPROTO_NUM_UDP;
	b[7] = 64;
	memcpy(b + 8, s.b, 16);
	memcpy(b + 24, d.b, 16);
	put_be16(b + 40, 1000);
	put_be16(b + 42, 53);
	put_be16(b + 44, 8);
	return 48;
}

static void test_selectors_by_family(void **state)
{
	uint8_t pkt[64];
	struct ipv6_view ip6;
	struct ipv4_view ip4;
	struct ip_selector_fields f6, f4;
	struct ip_addr l6 = addr("2001:db8:1::"), l4 = addr("10.1.0.0");
	struct ipsec_selector v6 = {.local_addr = ip_range_prefix(&l6, 64),
	                            .remote_addr = ip_range_all(IP_FAMILY_V6),
	                            .protocol = IPPROTO_NUM_UDP,
	                            .remote_port = {53, 53}};
	struct ipsec_selector v4 = {.local_addr = ip_range_prefix(&l4, 16),
	                            .remote_addr = ip_range_all(IP_FAMILY_V4)};
	struct ipsec_selector any = {.protocol = IPPROTO_NUM_UDP};

	(void)state;
	assert_int_equal(ipv6_parse(pkt, udp6(pkt, "2001:db8:1::5", "2001:db8:2::7"), &ip6), 0);
	assert_int_equal(ipv6_selector_fields(pkt, &ip6, &f6), 0);
	assert_int_equal(ipv4_parse(pkt,
	                            build_udp(pkt, A4(10, 1, 0, 5), A4(10, 2, 0, 7), 1000, 53, 4),
	                            &ip4),
	                 0);
	assert_int_equal(ipv4_selector_fields(pkt, &ip4, &f4), 0);
	assert_true(selector_match(&v6, &f6, IPSEC_DIR_OUT));
	assert_false(selector_match(&v6, &f6, IPSEC_DIR_IN)); /* seen the other way */
	assert_false(selector_match(&v6, &f4, IPSEC_DIR_OUT));
	/* 0.0.0.0/0 is every IPv4 address, not every address */
	assert_true(selector_match(&v4, &f4, IPSEC_DIR_OUT));
	assert_false(selector_match(&v4, &f6, IPSEC_DIR_OUT));
	assert_true(selector_match(&any, &f4, IPSEC_DIR_OUT));
	assert_true(selector_match(&any, &f6, IPSEC_DIR_IN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_and_print),
	        cmocka_unit_test(test_endpoint),
	        cmocka_unit_test(test_order_and_hash),
	        cmocka_unit_test(test_prefixes),
	        cmocka_unit_test(test_contains_valid_hull),
	        cmocka_unit_test(test_selectors_by_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
