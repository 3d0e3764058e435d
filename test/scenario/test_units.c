/* Quantities in scenario files: helper/scenario/units.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

static char err[256];

static uint64_t time_ok(const char *s)
{
	uint64_t v = 12345;

	assert_int_equal(units_time_ns(s, &v, err, sizeof(err)), 0);
	return v;
}

static void time_bad(const char *s, const char *msg)
{
	uint64_t v = 12345;

	assert_int_equal(units_time_ns(s, &v, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
	assert_int_equal(v, 12345);
}

static void test_times(void **state)
{
	(void)state;
	assert_int_equal(time_ok("0"), 0);
	assert_int_equal(time_ok("1ns"), 1);
	assert_int_equal(time_ok("10us"), 10000);
	assert_int_equal(time_ok("10ms"), 10000000);
	assert_int_equal(time_ok("10 ms"), 10000000);
	assert_int_equal(time_ok("1.5s"), 1500000000);
	assert_int_equal(time_ok(".5s"), 500000000);
	assert_int_equal(time_ok("2.s"), 2000000000);
	assert_int_equal(time_ok("0.000000001s"), 1);
	assert_int_equal(time_ok("1.50000000000000000000s"), 1500000000); /* trailing zeros */
	assert_int_equal(time_ok("2min"), 120000000000);
	assert_int_equal(time_ok("1.5h"), 5400000000000);
	assert_int_equal(time_ok("1.25min"), 75000000000);
	assert_int_equal(time_ok("0s"), 0);
	assert_int_equal(time_ok("10MS"), 10000000); /* case-insensitive fallback */
	/* 2^64-1 ns is the limit. */
	assert_true(time_ok("18446744073709551615ns") == UINT64_MAX);
	time_bad("18446744073709551616ns", "'18446744073709551616ns' is too large a time");
	time_bad("18446744074s", "'18446744074s' is too large a time");
	time_bad("10 parsecs", "'10 parsecs' is not a time: use ns, us, ms, s, min or h");
	time_bad("10", "'10' is not a time: add a unit: ns, us, ms, s, min or h");
	time_bad("1.5", "'1.5' is not a time: add a unit: ns, us, ms, s, min or h");
	time_bad("0.5ns", "'0.5ns' is finer than 1 ns");
	time_bad("", "'' is not a time: use ns, us, ms, s, min or h");
	time_bad("s", "'s' is not a time: use ns, us, ms, s, min or h");
	time_bad("-1s", "'-1s' is not a time: use ns, us, ms, s, min or h");
	/* Exponents: exact, and out of range says which way. */
	assert_int_equal(time_ok("1e3s"), 1000000000000ULL);
	assert_int_equal(time_ok("2.5e-1s"), 250000000);
	assert_int_equal(time_ok("15E+2ms"), 1500000000);
	time_bad("1e308s", "'1e308s' is too large a time");
	time_bad("1e-30s", "'1e-30s' is finer than 1 ns");
	time_bad("1e-10s", "'1e-10s' is finer than 1 ns");
	time_bad("1es", "'1es' is not a time: use ns, us, ms, s, min or h");
	time_bad(" 1s", "' 1s' is not a time: use ns, us, ms, s, min or h");
	time_bad("1s ", "'1s ' is not a time: use ns, us, ms, s, min or h");
	time_bad("1..5s", "'1..5s' is not a time: use ns, us, ms, s, min or h");
	time_bad(".s", "'.s' is not a time: use ns, us, ms, s, min or h");
}

static void test_rates(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(units_rate_bps("100Mbps", &v, err, sizeof(err)), 0);
	assert_true(v == 100000000);
	assert_int_equal(units_rate_bps("1.5Mbps", &v, err, sizeof(err)), 0);
	assert_true(v == 1500000);
	assert_int_equal(units_rate_bps("64kbps", &v, err, sizeof(err)), 0);
	assert_true(v == 64000);
	assert_int_equal(units_rate_bps("64Kbps", &v, err, sizeof(err)), 0);
	assert_true(v == 64000);
	assert_int_equal(units_rate_bps("10Gbps", &v, err, sizeof(err)), 0);
	assert_true(v == 10000000000);
	assert_int_equal(units_rate_bps("9600bps", &v, err, sizeof(err)), 0);
	assert_true(v == 9600);
	assert_int_equal(units_rate_bps("0Mbps", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "a rate must be above 0, got '0Mbps'");
	assert_int_equal(units_rate_bps("0.5bps", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'0.5bps' is finer than 1 bps");
	assert_int_equal(units_rate_bps("100", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'100' is not a rate: use bps, kbps, Mbps or Gbps");
	assert_int_equal(units_rate_bps("100MB/s", &v, err, sizeof(err)), -1);
	assert_int_equal(units_rate_bps("99999999999Gbps", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'99999999999Gbps' is too large a rate");
}

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(units_size_bytes("1000", &v, err, sizeof(err)), 0);
	assert_true(v == 1000);
	assert_int_equal(units_size_bytes("1000B", &v, err, sizeof(err)), 0);
	assert_true(v == 1000);
	assert_int_equal(units_size_bytes("10MB", &v, err, sizeof(err)), 0);
	assert_true(v == 10000000);
	assert_int_equal(units_size_bytes("10MiB", &v, err, sizeof(err)), 0);
	assert_true(v == 10485760);
	assert_int_equal(units_size_bytes("1.5KiB", &v, err, sizeof(err)), 0);
	assert_true(v == 1536);
	assert_int_equal(units_size_bytes("2.5 KB", &v, err, sizeof(err)), 0);
	assert_true(v == 2500);
	assert_int_equal(units_size_bytes("1GiB", &v, err, sizeof(err)), 0);
	assert_true(v == 1073741824);
	assert_int_equal(units_size_bytes("0", &v, err, sizeof(err)), 0);
	assert_true(v == 0);
	assert_int_equal(units_size_bytes("1.5B", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'1.5B' is not a whole number of bytes");
	assert_int_equal(units_size_bytes("1.0001KiB", &v, err, sizeof(err)), -1);
	assert_int_equal(units_size_bytes("10 parsecs", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'10 parsecs' is not a size: use B, KB, KiB, MB, MiB, GB or GiB");
	assert_int_equal(units_size_bytes("20000000000GiB", &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'20000000000GiB' is too large a size");
}

static void test_fractions(void **state)
{
	double p;

	(void)state;
	assert_int_equal(units_fraction("0", &p, err, sizeof(err)), 0);
	assert_true(p == 0.0);
	assert_int_equal(units_fraction("1", &p, err, sizeof(err)), 0);
	assert_true(p == 1.0);
	assert_int_equal(units_fraction("0.01", &p, err, sizeof(err)), 0);
	assert_true(p > 0.00999999 && p < 0.01000001);
	assert_int_equal(units_fraction("1%", &p, err, sizeof(err)), 0);
	assert_true(p > 0.00999999 && p < 0.01000001);
	assert_int_equal(units_fraction("0.5 %", &p, err, sizeof(err)), 0);
	assert_true(p > 0.00499999 && p < 0.00500001);
	assert_int_equal(units_fraction("100%", &p, err, sizeof(err)), 0);
	assert_true(p == 1.0);
	assert_int_equal(units_fraction("1.5", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'1.5' is above 1 (100%)");
	assert_int_equal(units_fraction("101%", &p, err, sizeof(err)), -1);
	assert_int_equal(units_fraction("-0.1", &p, err, sizeof(err)), -1);
	assert_int_equal(units_fraction("nan", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'nan' is not a probability: use 0..1 or a percentage like 1%");
	assert_int_equal(units_fraction("1%%", &p, err, sizeof(err)), -1);
	assert_int_equal(units_fraction("", &p, err, sizeof(err)), -1);
}

static void test_uints(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(units_uint("0x1001", 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_true(v == 0x1001);
	assert_int_equal(units_uint("0XfFfFfFfF", 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_true(v == 0xffffffff);
	assert_int_equal(units_uint("4096", 0, 4096, &v, err, sizeof(err)), 0);
	assert_true(v == 4096);
	assert_int_equal(units_uint("18446744073709551615", 0, UINT64_MAX, &v, err, sizeof(err)),
	                 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(units_uint("18446744073709551616", 0, UINT64_MAX, &v, err, sizeof(err)),
	                 -1);
	assert_int_equal(units_uint("4097", 0, 4096, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "4097 is out of range: 0..4096");
	assert_int_equal(units_uint("0x", 0, 10, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'0x' is not a number (decimal or 0x hex)");
	assert_int_equal(units_uint("-1", 0, 10, &v, err, sizeof(err)), -1);
	assert_int_equal(units_uint("1.0", 0, 10, &v, err, sizeof(err)), -1);
	assert_int_equal(units_uint("12abc", 0, UINT64_MAX, &v, err, sizeof(err)), -1);
	assert_int_equal(units_uint("", 0, 10, &v, err, sizeof(err)), -1);
}

static void test_hex(void **state)
{
	uint8_t buf[4];
	size_t len;

	(void)state;
	assert_int_equal(units_hex_bytes("0x0aBc", buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 2);
	assert_int_equal(buf[0], 0x0a);
	assert_int_equal(buf[1], 0xbc);
	assert_int_equal(units_hex_bytes("deadbeef", buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 4);
	assert_int_equal(buf[3], 0xef);
	/* Too long for the buffer: the length is reported, nothing written past it. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(units_hex_bytes("0x0102030405", buf, 2, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 5);
	assert_int_equal(buf[0], 0);
	assert_int_equal(units_hex_bytes("0x123", buf, sizeof(buf), &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'0x123' has an odd number of hex digits (3)");
	assert_int_equal(units_hex_bytes("0x12zz", buf, sizeof(buf), &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'0x12zz' is not hex: unexpected 'z'");
	assert_int_equal(units_hex_bytes("0x", buf, sizeof(buf), &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'0x' holds no hex digits");
	assert_int_equal(units_hex_bytes("12 34", buf, sizeof(buf), &len, err, sizeof(err)), -1);
}

static void test_bools(void **state)
{
	bool b;

	(void)state;
	assert_int_equal(units_bool("true", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(units_bool("No", &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(units_bool("on", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(units_bool("1", &b, err, sizeof(err)), -1);
	assert_string_equal(err, "'1' is not a boolean: use true or false");
}

static void test_addresses(void **state)
{
	uint32_t a;
	uint8_t len;
	char buf[16];

	(void)state;
	assert_int_equal(units_ipv4("192.0.2.1", &a, err, sizeof(err)), 0);
	assert_true(a == 0xc0000201);
	assert_int_equal(units_ipv4("0.0.0.0", &a, err, sizeof(err)), 0);
	assert_true(a == 0);
	assert_int_equal(units_ipv4("255.255.255.255", &a, err, sizeof(err)), 0);
	assert_true(a == 0xffffffff);
	assert_string_equal(units_ipv4_str(0xc0000201, buf), "192.0.2.1");
	assert_int_equal(units_ipv4("256.0.0.1", &a, err, sizeof(err)), -1);
	assert_string_equal(err, "'256.0.0.1' is not an IPv4 address");
	assert_int_equal(units_ipv4("1.2.3", &a, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4("1.2.3.4.5", &a, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4("01.2.3.4", &a, err, sizeof(err)), -1); /* octal? refused */
	assert_int_equal(units_ipv4("1.2.3.1234", &a, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4("1..3.4", &a, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4_prefix("10.1.0.1/24", &a, &len, err, sizeof(err)), 0);
	assert_true(a == 0x0a010001);
	assert_int_equal(len, 24);
	assert_int_equal(units_ipv4_prefix("0.0.0.0/0", &a, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(units_ipv4_prefix("10.1.0.1/33", &a, &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'10.1.0.1/33' is not an IPv4 prefix like 10.1.0.0/24");
	assert_int_equal(units_ipv4_prefix("10.1.0.1", &a, &len, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4_prefix("10.1.0.1/", &a, &len, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4_prefix("10.1.0.1/024", &a, &len, err, sizeof(err)), -1);
	assert_int_equal(units_ipv4_prefix("10.1.0.1/0x8", &a, &len, err, sizeof(err)), -1);
	assert_true(units_mask(0) == 0);
	assert_true(units_mask(24) == 0xffffff00);
	assert_true(units_mask(32) == 0xffffffff);
}

static void test_ip_addresses(void **state)
{
	struct ip_addr a;
	uint8_t len;
	char err[128], buf[IP_ADDR_STRLEN];

	(void)state;
	assert_int_equal(units_ip("10.1.0.1", &a, err, sizeof(err)), 0);
	assert_int_equal(ip_addr_v4_value(&a), 0x0a010001);
	assert_int_equal(units_ip("2001:db8:1::1", &a, err, sizeof(err)), 0);
	assert_string_equal(ip_addr_str(&a, buf), "2001:db8:1::1");
	assert_int_equal(units_ip("2001:db8:1::1/64", &a, err, sizeof(err)), -1);
	assert_string_equal(err, "'2001:db8:1::1/64' is not an IPv4 or IPv6 address");
	assert_int_equal(units_ip_prefix("2001:db8:1::/64", &a, &len, err, sizeof(err)), 0);
	assert_int_equal(a.family, IP_FAMILY_V6);
	assert_int_equal(len, 64);
	assert_int_equal(units_ip_prefix("::/0", &a, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(units_ip_prefix("10.0.0.0/8", &a, &len, err, sizeof(err)), 0);
	assert_int_equal(a.family, IP_FAMILY_V4);
	assert_int_equal(units_ip_prefix("10.0.0.0/33", &a, &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'10.0.0.0/33': an IPv4 prefix length is 0 to 32");
	assert_int_equal(units_ip_prefix("2001:db8::/129", &a, &len, err, sizeof(err)), -1);
	assert_string_equal(err, "'2001:db8::/129': an IPv6 prefix length is 0 to 128");
	assert_int_equal(units_ip_prefix("2001:db8::", &a, &len, err, sizeof(err)), -1);
	assert_string_equal(err,
	                    "'2001:db8::' is not a prefix like 10.1.0.0/24 or 2001:db8:1::/64");
	assert_int_equal(units_ip_prefix("2001:db8::/", &a, &len, err, sizeof(err)), -1);
	assert_int_equal(units_ip_prefix("fe80::1%eth0/64", &a, &len, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_times),        cmocka_unit_test(test_rates),
	        cmocka_unit_test(test_sizes),        cmocka_unit_test(test_fractions),
	        cmocka_unit_test(test_uints),        cmocka_unit_test(test_hex),
	        cmocka_unit_test(test_bools),        cmocka_unit_test(test_addresses),
	        cmocka_unit_test(test_ip_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
