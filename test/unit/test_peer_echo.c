/* The peer's inner host (helper/peer/peer_echo.c): echo replies of both
 * families, their checksums summed here from the bytes (RFC 1071) over a
 * pseudo-header written out by hand (RFC 8200 §8.1). */
#include <string.h>

#include "harness.h"
#include "ipv4.h"
#include "ipv6.h"
#include "peer_echo.h"

/* The one's complement sum of `len` bytes, added to `sum`, not folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* An ICMPv6 message at `l4` of `len` bytes in the IPv6 packet `ip6`
 * checks out: the sum over pseudo-header and message is all ones. */
static void assert_icmpv6_checksum(const uint8_t *ip6, const uint8_t *l4, size_t len)
{
	uint8_t pseudo[40] = {0};

	memcpy(pseudo, ip6 + 8, 32);
	put_be32(pseudo + 32, (uint32_t)len);
	pseudo[39] = IPPROTO_NUM_ICMPV6;
	assert_int_equal(fold(sum16(sum16(0, pseudo, sizeof pseudo), l4, len)), 0xffff);
}

static const uint8_t A6[16] = {0xfd, 0, 0, 0x98, 0, 2, [15] = 1};
static const uint8_t B6[16] = {0xfd, 0, 0, 0x98, 0, 1, [15] = 1};

/* An echo request from A6 to B6 with `ext` bytes of destination options
 * before it; its length. */
static size_t request_v6(uint8_t *pkt, size_t ext)
{
	size_t msg = 8 + 24, total = IPV6_HDR_LEN + ext + msg;
	uint8_t *icmp = pkt + IPV6_HDR_LEN + ext;

	memset(pkt, 0, total);
	put_be32(pkt, 6u << 28 | 0x28u << 20 | 0x12345);
	put_be16(pkt + 4, (uint16_t)(total - IPV6_HDR_LEN));
	pkt[6] = ext ? IPPROTO_NUM_DSTOPTS : IPPROTO_NUM_ICMPV6;
	pkt[7] = 61;
	memcpy(pkt + 8, A6, 16);
	memcpy(pkt + 24, B6, 16);
	if (ext) {
		pkt[IPV6_HDR_LEN] = IPPROTO_NUM_ICMPV6;
		pkt[IPV6_HDR_LEN + 1] = (uint8_t)(ext / 8 - 1);
		pkt[IPV6_HDR_LEN + 2] = 1; /* PadN over the rest */
		pkt[IPV6_HDR_LEN + 3] = (uint8_t)(ext - 4);
	}
	icmp[0] = 128;
	put_be16(icmp + 4, 0x4242);
	put_be16(icmp + 6, 7);
	for (size_t i = 8; i < msg; i++)
		icmp[i] = (uint8_t)i;
	put_be16(icmp + 2, ipv6_l4_checksum(pkt, IPPROTO_NUM_ICMPV6, icmp, msg));
	return total;
}

static void test_echo_v6(void **state)
{
	uint8_t pkt[128], req[128];
	(void)state;
	for (size_t ext = 0; ext <= 8; ext += 8) {
		size_t len = request_v6(pkt, ext), reply_len;

		memcpy(req, pkt, len);
		reply_len = peer_echo_reply(pkt, len);
		/* RFC 4443 §4.2: type 129, the rest of the message unchanged;
		 * the reply leaves without the request's extension header */
		assert_int_equal(reply_len, len - ext);
		assert_int_equal(pkt[0] >> 4, 6);
		assert_int_equal(get_be16(pkt + 4), reply_len - IPV6_HDR_LEN);
		assert_int_equal(pkt[6], IPPROTO_NUM_ICMPV6);
		assert_memory_equal(pkt + 8, B6, 16);
		assert_memory_equal(pkt + 24, A6, 16);
		assert_int_equal(pkt[IPV6_HDR_LEN], 129);
		assert_int_equal(pkt[IPV6_HDR_LEN + 1], 0);
		assert_memory_equal(pkt + IPV6_HDR_LEN + 4, req + IPV6_HDR_LEN + ext + 4,
		                    reply_len - IPV6_HDR_LEN - 4);
		assert_icmpv6_checksum(pkt, pkt + IPV6_HDR_LEN, reply_len - IPV6_HDR_LEN);
	}
}

static void test_echo_v4_with_options(void **state)
{
	uint8_t pkt[64] = {0};
	size_t hl = 24, total = hl + 8 + 12;
	(void)state;
	ipv4_build(pkt, 0, (uint16_t)total, 77, 0, 63, IPPROTO_NUM_ICMP, 0x0a620201, 0x0a620101);
	pkt[0] = 0x46; /* one word of options: NOPs */
	memset(pkt + 20, 1, 4);
	ipv4_set_checksum(pkt);
	pkt[hl] = 8;
	put_be16(pkt + hl + 4, 0x4242);
	put_be16(pkt + hl + 2, inet_checksum(pkt + hl, total - hl));
	/* RFC 792: type 0, addresses reversed, a 20-byte header of ours */
	assert_int_equal(peer_echo_reply(pkt, total), total - 4);
	assert_int_equal(pkt[0], 0x45);
	assert_int_equal(get_be32(pkt + 12), 0x0a620101);
	assert_int_equal(get_be32(pkt + 16), 0x0a620201);
	assert_int_equal(fold(sum16(0, pkt, 20)), 0xffff);
	assert_int_equal(pkt[20], 0);
	assert_int_equal(get_be16(pkt + 24), 0x4242);
	assert_int_equal(fold(sum16(0, pkt + 20, total - 24)), 0xffff);
}

/* Not echo requests: replies, other protocols, fragments. */
static void test_not_echo(void **state)
{
	uint8_t pkt[128], before[128];
	size_t len = request_v6(pkt, 0);
	(void)state;
	pkt[IPV6_HDR_LEN] = 129;
	memcpy(before, pkt, len);
	assert_int_equal(peer_echo_reply(pkt, len), 0);
	assert_memory_equal(pkt, before, len);
	pkt[IPV6_HDR_LEN] = 128;
	pkt[6] = IPPROTO_NUM_UDP;
	assert_int_equal(peer_echo_reply(pkt, len), 0);
	len = request_v6(pkt, 0);
	assert_int_equal(peer_echo_reply(pkt, len - 1), 0);            /* shorter than it says */
	ipv4_build(pkt, 0, 28, 1, 0x2000, 64, IPPROTO_NUM_ICMP, 1, 2); /* MF: a fragment */
	pkt[20] = 8;
	assert_int_equal(peer_echo_reply(pkt, 28), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_echo_v6),
	        cmocka_unit_test(test_echo_v4_with_options),
	        cmocka_unit_test(test_not_echo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
