/* tests/test_addr.c -- common/addr.c: keys, text, CIDR, reverse names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"

static void
test_parse_v4_is_mapped(void **st)
{
	uint8_t a[16], b[16];
	char buf[ADDR_STRLEN];

	assert_int_equal(addr_parse("192.0.2.1", a), 0);
	assert_int_equal(addr_parse("::ffff:192.0.2.1", b), 0);
	assert_memory_equal(a, b, 16);
	assert_true(addr_is_v4(a));
	assert_string_equal(addr_format(a, buf, sizeof(buf)), "192.0.2.1");
}

static void
test_parse_v6_and_bad(void **st)
{
	uint8_t a[16];
	char buf[ADDR_STRLEN];

	assert_int_equal(addr_parse("2001:DB8::26", a), 0);
	assert_false(addr_is_v4(a));
	assert_string_equal(addr_format(a, buf, sizeof(buf)), "2001:db8::26");
	assert_int_equal(addr_parse("192.0.2", a), -1);
	assert_int_equal(addr_parse("192.0.2.256", a), -1);
	assert_int_equal(addr_parse("example.com", a), -1);
	assert_int_equal(addr_parse("", a), -1);
}

static void
test_reverse_names(void **st)
{
	uint8_t a[16];
	char buf[80];

	assert_int_equal(addr_parse("192.0.2.13", a), 0);
	assert_int_equal(addr_reverse_name(a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "13.2.0.192.in-addr.arpa");
	assert_int_equal(addr_parse("2001:db8::26", a), 0);
	assert_int_equal(addr_reverse_name(a, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(addr_reverse_name(a, buf, 20), -1);
}

static void
test_cidr(void **st)
{
	struct cidr c;
	uint8_t a[16];

	assert_int_equal(cidr_parse("192.0.2.0/24", &c), 0);
	assert_int_equal(c.plen, 120);
	assert_int_equal(addr_parse("192.0.2.200", a), 0);
	assert_true(cidr_contains(&c, a));
	assert_int_equal(addr_parse("192.0.3.1", a), 0);
	assert_false(cidr_contains(&c, a));
	/* host bits are cleared */
	assert_int_equal(cidr_parse("10.1.2.3/8", &c), 0);
	assert_int_equal(addr_parse("10.200.0.1", a), 0);
	assert_true(cidr_contains(&c, a));
	assert_int_equal(cidr_parse("2001:db8::/32", &c), 0);
	assert_int_equal(addr_parse("2001:db8:ffff::1", a), 0);
	assert_true(cidr_contains(&c, a));
	assert_int_equal(cidr_parse("100.64.0.0/10", &c), 0);
	assert_int_equal(addr_parse("100.127.255.255", a), 0);
	assert_true(cidr_contains(&c, a));
	assert_int_equal(addr_parse("100.128.0.0", a), 0);
	assert_false(cidr_contains(&c, a));
	assert_int_equal(cidr_parse("192.0.2.0/33", &c), -1);
	assert_int_equal(cidr_parse("2001:db8::/129", &c), -1);
	assert_int_equal(cidr_parse("192.0.2.0/", &c), -1);
	assert_int_equal(cidr_parse("192.0.2.0/-1", &c), -1);
	assert_int_equal(cidr_parse("junk/8", &c), -1);
}

/* The list's word-wise lookup agrees with cidr_contains() for every
 * prefix length, on addresses just inside and just outside each network
 * (and at random). */
static void
test_cidr_list_matches_cidr_contains(void **st)
{
	unsigned plen, k, seed = 12345;
	int b;

	for (plen = 0; plen <= 128; plen++) {
		struct cidr_list l;
		struct cidr c;
		uint8_t a[ADDR_LEN];

		memset(&l, 0, sizeof(l));
		for (b = 0; b < ADDR_LEN; b++) {
			seed = seed * 1103515245u + 12345u;
			c.addr[b] = (uint8_t)(seed >> 16);
		}
		c.plen = (uint8_t)plen;
		cidr_mask(c.addr, plen);
		assert_int_equal(cidr_list_add(&l, &c), 0);
		for (k = 0; k < 300; k++) {
			memcpy(a, c.addr, ADDR_LEN);
			if (k < 129) {
				/* flip bit k: inside iff k >= plen */
				a[k / 8 % ADDR_LEN] ^= (uint8_t)(0x80 >> (k % 8));
			} else {
				for (b = 0; b < ADDR_LEN; b++) {
					seed = seed * 1103515245u + 12345u;
					a[b] = (uint8_t)(seed >> 16);
				}
			}
			assert_int_equal(cidr_list_contains(&l, a),
			    cidr_contains(&c, a));
			if (k < 128)
				assert_int_equal(cidr_list_contains(&l, a),
				    k >= plen);
		}
	}
}

/* An IPv6 prefix shorter than /96 (::/0, ::/80) covers the mapped range
 * ::ffff:0:0/96 bit for bit, but names IPv6 addresses only: an operator
 * who allows ::/0 has not opened the server to every IPv4 client. The
 * list lookup and cidr_contains() agree. */
static void
test_v6_prefix_not_v4(void **st)
{
	static const struct {
		const char *net, *ip;
		int in;
	} cases[] = {
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "192.0.2.1", 0 },
		{ "::/80", "::1:2", 1 },
		{ "::/80", "192.0.2.1", 0 },
		{ "::/95", "0.0.0.0", 0 },
		{ "::ffff:0:0/96", "192.0.2.1", 1 },
		{ "::ffff:0:0/96", "::ffff:192.0.2.1", 1 },
		{ "::ffff:0:0/96", "2001:db8::1", 0 },
		{ "::ffff:192.0.2.0/120", "192.0.2.9", 1 },
		{ "0.0.0.0/0", "192.0.2.1", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "0.0.0.0/0", "::", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cidr_list l;
		struct cidr c;
		uint8_t a[ADDR_LEN];

		memset(&l, 0, sizeof(l));
		assert_int_equal(cidr_parse(cases[i].net, &c), 0);
		assert_int_equal(addr_parse(cases[i].ip, a), 0);
		assert_int_equal(cidr_list_add(&l, &c), 0);
		if (cidr_contains(&c, a) != cases[i].in ||
		    cidr_list_contains(&l, a) != cases[i].in)
			fail_msg("%s in %s: want %d, got %d (list %d)",
			    cases[i].ip, cases[i].net, cases[i].in,
			    cidr_contains(&c, a), cidr_list_contains(&l, a));
	}
}

static void
test_default_skip(void **st)
{
	static const char *const skipped[] = { "10.0.0.5", "192.168.1.5",
	    "fd00::5", "127.0.0.1", "0.1.2.3", "100.64.0.1", "169.254.1.1",
	    "172.16.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::",
	    "::1", "fe80::1", "ff02::1" };
	static const char *const checked[] = { "192.0.2.1", "198.51.100.6",
	    "203.0.113.1", "2001:db8::26", "8.8.8.8", "172.32.0.1" };
	struct cidr_list l;
	uint8_t a[16];
	size_t i;

	cidr_list_default_skip(&l);
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		assert_int_equal(addr_parse(skipped[i], a), 0);
		if (!cidr_list_contains(&l, a))
			fail_msg("%s should be skipped", skipped[i]);
	}
	for (i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
		assert_int_equal(addr_parse(checked[i], a), 0);
		if (cidr_list_contains(&l, a))
			fail_msg("%s should be checked", checked[i]);
	}
}

static void
test_loopback_and_rfc5782(void **st)
{
	uint8_t a[16];

	assert_int_equal(addr_parse("127.0.0.2", a), 0);
	assert_true(addr_is_loopback(a));
	assert_true(addr_is_rfc5782_test(a));
	assert_int_equal(addr_parse("127.0.0.3", a), 0);
	assert_false(addr_is_rfc5782_test(a));
	assert_int_equal(addr_parse("::1", a), 0);
	assert_true(addr_is_loopback(a));
	assert_int_equal(addr_parse("192.0.2.1", a), 0);
	assert_false(addr_is_loopback(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_is_mapped),
		cmocka_unit_test(test_parse_v6_and_bad),
		cmocka_unit_test(test_reverse_names),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_cidr_list_matches_cidr_contains),
		cmocka_unit_test(test_v6_prefix_not_v4),
		cmocka_unit_test(test_default_skip),
		cmocka_unit_test(test_loopback_and_rfc5782),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
