#include "harness.h"

#include "ipv6.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t t_now(void *h)
{
	return ((struct test_host *)h)->now;
}

static int t_random(void *hp, uint8_t *buf, size_t len)
{
	struct test_host *h = hp;

	if (h->random_fail)
		return -1;
	if (h->iv) {
		assert_int_equal(len, h->iv_len);
		memcpy(buf, h->iv, len);
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		h->rng = h->rng * 1103515245u + 12345u;
		buf[i] = (uint8_t)(h->rng >> 16);
	}
	return 0;
}

static void t_timer(void *hp, uint64_t at)
{
	struct test_host *h = hp;

	h->timer_at = at;
	h->timer_calls++;
}

static void t_event(void *hp, const struct ipsec_event *ev)
{
	struct test_host *h = hp;

	if (h->nevents < MAX_EVENTS)
		h->events[h->nevents++] = *ev;
}

const struct ipsec_host_ops test_ops = {
        .now_ns = t_now,
        .random_bytes = t_random,
        .timer_arm = t_timer,
        .event = t_event,
};

bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return true;
	return false;
}

size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		v = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static size_t build_ip(uint8_t *buf, uint8_t proto, uint32_t src, uint32_t dst, size_t l4_len)
{
	static uint16_t id = 0x1000;

	ipv4_build(buf, 0, (uint16_t)(IPV4_HDR_LEN + l4_len), id++, 0, 64, proto, src, dst);
	for (size_t i = 0; i < l4_len; i++)
		buf[IPV4_HDR_LEN + i] = (uint8_t)(i * 7 + 3);
	return IPV4_HDR_LEN + l4_len;
}

size_t build_udp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 size_t payload_len)
{
	size_t n = build_ip(buf, IPPROTO_NUM_UDP, src, dst, 8 + payload_len);
	uint8_t *u = buf + IPV4_HDR_LEN;

	put_be16(u, sport);
	put_be16(u + 2, dport);
	put_be16(u + 4, (uint16_t)(8 + payload_len));
	put_be16(u + 6, 0);
	return n;
}

size_t build_tcp(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 size_t payload_len)
{
	size_t n = build_ip(buf, IPPROTO_NUM_TCP, src, dst, 20 + payload_len);
	uint8_t *t = buf + IPV4_HDR_LEN;

	put_be16(t, sport);
	put_be16(t + 2, dport);
	t[12] = 0x50;
	return n;
}

size_t build_icmp(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
                  size_t payload_len)
{
	size_t n = build_ip(buf, IPPROTO_NUM_ICMP, src, dst, 8 + payload_len);

	buf[IPV4_HDR_LEN] = type;
	buf[IPV4_HDR_LEN + 1] = code;
	return n;
}

struct ip_addr parse_addr(const char *text)
{
	struct ip_addr a;

	assert_int_equal(ip_addr_parse(text, &a), 0);
	return a;
}

size_t build_udp6(uint8_t *b, const char *src, const char *dst, uint8_t first, const uint8_t *ext,
                  size_t ext_len, size_t n, uint8_t tclass)
{
	struct ip_addr s = parse_addr(src), d = parse_addr(dst);
	uint8_t *udp = b + IPV6_HDR_LEN + ext_len;

	memset(b, 0, IPV6_HDR_LEN + ext_len + 8 + n);
	put_be32(b, 6u << 28 | (uint32_t)tclass << 20);
	put_be16(b + 4, (uint16_t)(ext_len + 8 + n));
	b[6] = ext_len ? first : IPPROTO_NUM_UDP;
	b[7] = 64;
	memcpy(b + 8, s.b, 16);
	memcpy(b + 24, d.b, 16);
	if (ext_len)
		memcpy(b + IPV6_HDR_LEN, ext, ext_len);
	put_be16(udp, 1000);
	put_be16(udp + 2, 2000);
	put_be16(udp + 4, (uint16_t)(8 + n));
	memset(udp + 8, 0x5a, n);
	put_be16(udp + 6, ipv6_l4_checksum(b, IPPROTO_NUM_UDP, udp, 8 + n));
	return IPV6_HDR_LEN + ext_len + 8 + n;
}

void set_tos(uint8_t *pkt, uint8_t tos)
{
	pkt[1] = tos;
	ipv4_set_checksum(pkt);
}

void set_frag(uint8_t *pkt, uint16_t frag)
{
	put_be16(pkt + 6, frag);
	ipv4_set_checksum(pkt);
}

void set_ttl(uint8_t *pkt, uint8_t ttl)
{
	pkt[8] = ttl;
	ipv4_set_checksum(pkt);
}

struct ipsec_sa_config sa_cfg(enum ipsec_dir dir, enum ipsec_protocol proto, enum ipsec_mode mode,
                              uint32_t spi, uint32_t src, uint32_t dst, enum ipsec_enc enc,
                              enum ipsec_integ integ)
{
	struct ipsec_sa_config c = {0};
	const struct enc_transform *e = enc_transform(enc);
	const struct integ_transform *i = integ_transform(integ);

	c.dir = dir;
	c.protocol = proto;
	c.mode = mode;
	c.spi = spi;
	c.src = ip_addr_v4(src);
	c.dst = ip_addr_v4(dst);
	c.enc = enc;
	c.integ = integ;
	c.enc_key_len = e->key_len + e->salt_len;
	for (size_t k = 0; k < c.enc_key_len; k++)
		c.enc_key[k] = (uint8_t)(0x40 + k + spi);
	c.integ_key_len = i->key_len;
	for (size_t k = 0; k < c.integ_key_len; k++)
		c.integ_key[k] = (uint8_t)(0x90 + k * 3 + spi);
	return c;
}

struct ipsec_sa_config sa_cfg_in(const struct ipsec_sa_config *out, uint32_t window)
{
	struct ipsec_sa_config c = *out;

	c.dir = IPSEC_DIR_IN;
	c.replay_window = window;
	return c;
}

uint32_t add_sa(struct ipsec *ctx, const struct ipsec_sa_config *cfg)
{
	char err[256] = "";
	uint32_t id = 0;
	int rc = ipsec_sa_add(ctx, cfg, &id, err, sizeof(err));

	if (rc)
		fail_msg("ipsec_sa_add: %s", err);
	assert_true(id > 0);
	return id;
}

void add_protect_all(struct ipsec *ctx, uint32_t sa_out)
{
	struct ipsec_spd_entry e = {0};
	char err[256] = "";

	e.action = IPSEC_ACTION_PROTECT;
	e.sa_out[0] = sa_out;
	if (ipsec_spd_add(ctx, &e, err, sizeof(err)))
		fail_msg("ipsec_spd_add: %s", err);
}

struct ipsec_sa *test_sa(struct ipsec *ctx, uint32_t id)
{
	struct ipsec_sa *sa = sad_get(&ctx->sad, id);

	assert_non_null(sa);
	return sa;
}

void pair_setup(struct pair *p, const struct ipsec_sa_config *out_cfg, uint32_t window)
{
	struct ipsec_sa_config in = sa_cfg_in(out_cfg, window);

	memset(p, 0, sizeof(*p));
	p->ha.rng = 1;
	p->hb.rng = 2;
	p->a = ipsec_new(&test_ops, &p->ha);
	p->b = ipsec_new(&test_ops, &p->hb);
	assert_non_null(p->a);
	assert_non_null(p->b);
	p->out = add_sa(p->a, out_cfg);
	p->in = add_sa(p->b, &in);
	add_protect_all(p->a, p->out);
}

void pair_teardown(struct pair *p)
{
	ipsec_free(p->a);
	ipsec_free(p->b);
}

size_t pair_roundtrip(struct pair *p, const uint8_t *pkt, size_t len)
{
	uint8_t wire[BUF], back[BUF];
	size_t wlen = 0, blen = 0;
	enum ipsec_drop r = IPSEC_DROP__COUNT;
	uint32_t via = 0;

	assert_int_equal(ipsec_output(p->a, pkt, len, wire, sizeof(wire), &wlen, &r),
	                 IPSEC_VERDICT_PROTECT);
	r = IPSEC_DROP__COUNT;
	if (ipsec_input(p->b, wire, wlen, back, sizeof(back), &blen, &via, &r) !=
	    IPSEC_VERDICT_DELIVER)
		fail_msg("ipsec_input dropped: %s", ipsec_drop_name(r));
	assert_int_equal(via, p->in);
	assert_int_equal(blen, len);
	assert_memory_equal(back, pkt, len);
	return wlen;
}

int tshark_test_main(const char *name, const struct CMUnitTest *tests, size_t n, char *dir)
{
	char cmd[512];
	int rc;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: tshark is not installed (apt-get install tshark)\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (rc == 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
