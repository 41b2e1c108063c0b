/* tests/test_reason.c -- common/reason.c: the TXT text of each listing,
 * hostile names, the 255-byte cap, and fcrdnsctl's detail line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../common/reason.h"
#include "../common/verdict.h"
#include "../store/store.h"

#define F "FCrDNS fail: "

static uint8_t names_buf[4096];
static uint8_t addrs_buf[4 * ADDR_LEN];

/* A record of verdict v with the given names (NULL-terminated list, may
 * hold any bytes) and addresses. */
static void
mkrec(struct store_record *r, int v, const char *const *names,
	const char *const *addrs)
{
	size_t n = 0;
	int i;

	memset(r, 0, sizeof(*r));
	r->verdict = r->def_verdict = (uint8_t)v;
	r->match = STORE_MATCH_NONE;
	for (i = 0; names && names[i]; i++) {
		size_t l = strlen(names[i]);
		names_buf[n++] = (uint8_t)l;
		memcpy(names_buf + n, names[i], l);
		n += l;
	}
	r->n_names = (uint8_t)i;
	r->names = i ? names_buf : NULL;
	r->names_len = n;
	for (i = 0; addrs && addrs[i]; i++)
		assert_int_equal(addr_parse(addrs[i],
		    addrs_buf + i * ADDR_LEN), 0);
	r->n_addrs = (uint8_t)i;
	r->addrs = i ? addrs_buf : NULL;
}

static void
expect_txt(const char *ip, const struct store_record *r, const char *want)
{
	uint8_t a[ADDR_LEN];
	char buf[512];
	int n;

	assert_int_equal(addr_parse(ip, a), 0);
	memset(buf, 'Z', sizeof(buf));
	n = reason_txt(a, r, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void
test_each_listing(void **state)
{
	struct store_record r;
	const char *gone[] = { "gone4.example.com", NULL };
	const char *other[] = { "other6.example.com", NULL };
	const char *v6[] = { "v4only27.example.com", NULL };
	const char *a6[] = { "198.51.100.6", NULL };

	mkrec(&r, V_NO_PTR, NULL, NULL);
	expect_txt("192.0.2.2", &r, F "192.0.2.2 has no PTR record");
	expect_txt("::ffff:192.0.2.2", &r, F "192.0.2.2 has no PTR record");
	mkrec(&r, V_NO_FORWARD, gone, NULL);
	expect_txt("192.0.2.4", &r,
	    F "192.0.2.4 PTR gone4.example.com has no A record");
	mkrec(&r, V_NO_FORWARD, v6, NULL);
	expect_txt("2001:db8::27", &r,
	    F "2001:db8::27 PTR v4only27.example.com has no AAAA record");
	mkrec(&r, V_MISMATCH, other, a6);
	expect_txt("192.0.2.6", &r,
	    F "192.0.2.6 PTR other6.example.com resolves to 198.51.100.6");
}

static void
test_several_names_and_addrs(void **state)
{
	struct store_record r;
	const char *names[] = { "a12.example.com", "b12.example.com",
	    "c12.example.com", NULL };
	const char *addrs[] = { "203.0.113.2", "2001:db8::2", NULL };

	mkrec(&r, V_MISMATCH, names, addrs);
	expect_txt("192.0.2.12", &r, F "192.0.2.12 PTR a12.example.com "
	    "(+2 more) resolves to 203.0.113.2 (+1 more)");
	/* the checker says b12 gave the address: name b12, not a12 */
	r.match = 1;
	expect_txt("192.0.2.12", &r, F "192.0.2.12 PTR b12.example.com "
	    "(+2 more) resolves to 203.0.113.2 (+1 more)");
	mkrec(&r, V_NO_FORWARD, names, NULL);
	expect_txt("192.0.2.12", &r, F "192.0.2.12 PTR a12.example.com "
	    "(+2 more) has no A record");
	/* records the checker should never write still read sensibly */
	mkrec(&r, V_NO_FORWARD, NULL, NULL);
	expect_txt("2001:db8::5", &r,
	    F "2001:db8::5 PTR names have no AAAA record");
	mkrec(&r, V_MISMATCH, NULL, NULL);
	expect_txt("192.0.2.5", &r, F "192.0.2.5 PTR names do not resolve to it");
	mkrec(&r, V_MISMATCH, names, NULL);
	expect_txt("192.0.2.5", &r, F "192.0.2.5 PTR a12.example.com "
	    "(+2 more) resolves to other addresses");
}

static void
test_no_txt_for_non_listings(void **state)
{
	static const int vs[] = { V_NONE, V_PASS, V_TEMPERROR,
	    V_NOT_APPLICABLE };
	const char *names[] = { "mx1.example.com", NULL };
	struct store_record r;
	uint8_t a[ADDR_LEN];
	char buf[64];
	size_t i;

	assert_int_equal(addr_parse("192.0.2.1", a), 0);
	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		mkrec(&r, vs[i], names, NULL);
		strcpy(buf, "junk");
		assert_int_equal(reason_txt(a, &r, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "");
	}
	/* the latest check failed, the served verdict is the definitive one */
	mkrec(&r, V_NO_PTR, NULL, NULL);
	r.verdict = V_TEMPERROR;
	assert_true(reason_txt(a, &r, buf, sizeof(buf)) > 0);
	r.def_verdict = V_PASS;
	assert_int_equal(reason_txt(a, &r, buf, sizeof(buf)), 0);
	assert_int_equal(reason_txt(a, NULL, buf, sizeof(buf)), 0);
	assert_int_equal(reason_txt(a, &r, NULL, 0), 0);
}

static void
test_non_printable_replaced(void **state)
{
	struct store_record r;
	const char *names[] = { "ev\x01il\x7f\xff\x1b[2J.example.com", NULL };
	const char *addrs[] = { "203.0.113.33", NULL };

	mkrec(&r, V_MISMATCH, names, addrs);
	expect_txt("192.0.2.33", &r, F "192.0.2.33 PTR ev?il???[2J.example.com "
	    "resolves to 203.0.113.33");
}

static void
assert_printable(const char *s)
{
	for (; *s; s++)
		assert_true(*s >= 0x20 && *s <= 0x7e);
}

static void
test_cap_and_every_buffer_size(void **state)
{
	char longname[256], buf[400];
	const char *names[] = { longname, "z.example.com", NULL };
	const char *addrs[] = { "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1",
	    "2001:db8::1", NULL };
	const char *tail = " (+1 more) resolves to "
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:fff1 (+1 more)";
	struct store_record r;
	uint8_t a[ADDR_LEN];
	size_t len;
	int n;

	memset(longname, 'x', 255);
	longname[255] = '\0';
	longname[0] = '\x80';   /* and hostile, too */
	mkrec(&r, V_MISMATCH, names, addrs);
	assert_int_equal(addr_parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	    a), 0);

	n = reason_txt(a, &r, buf, sizeof(buf));
	assert_int_equal(n, REASON_TXT_MAX);
	assert_int_equal(strlen(buf), REASON_TXT_MAX);
	assert_printable(buf);
	assert_memory_equal(buf, F "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff "
	    "PTR ?xxx", 60);
	/* the name is cut, the sentence keeps its end */
	assert_memory_equal(buf + n - strlen(tail) - 3, "...", 3);
	assert_string_equal(buf + n - strlen(tail), tail);

	/* every buffer size: NUL-terminated, within len - 1, printable,
	 * nothing written past len (the canary) */
	for (len = 1; len < sizeof(buf) - 1; len++) {
		memset(buf, '#', sizeof(buf));
		n = reason_txt(a, &r, buf, len);
		assert_true(n >= 0);
		assert_true((size_t)n <= len - 1);
		assert_true(n <= REASON_TXT_MAX);
		assert_int_equal(strlen(buf), (size_t)n);
		assert_printable(buf);
		assert_int_equal(buf[len], '#');
		/* 127 fixed bytes + "..." + one of the name: the tail stays */
		if (len > 131)
			assert_string_equal(buf + n - strlen(tail), tail);
	}
}

static void
test_printable_and_time(void **state)
{
	char buf[8], t[32];

	assert_int_equal(reason_printable(buf, sizeof(buf),
	    (const uint8_t *)"a\tb\0c", 5), 5);
	assert_string_equal(buf, "a?b?c");
	assert_int_equal(reason_printable(buf, sizeof(buf),
	    (const uint8_t *)"0123456789", 10), 7);
	assert_string_equal(buf, "0123456");
	assert_int_equal(reason_printable(buf, 0, (const uint8_t *)"x", 1), 0);
	assert_string_equal(reason_time(0, t, sizeof(t)), "-");
	assert_string_equal(reason_time(1700000000, t, sizeof(t)),
	    "2023-11-14T22:13:20Z");
}

static void
test_detail_line(void **state)
{
	struct store_record r;
	const char *names[] = { "a10.example.com", "b10\x01.example.com", NULL };
	const char *addrs[] = { "203.0.113.1", "192.0.2.10", NULL };
	char buf[1024], small[40];
	int n;

	mkrec(&r, V_PASS, names, addrs);
	r.match = 1;
	r.checked_at = r.def_checked_at = 1700000000;
	r.expires_at = 1700000300;
	n = reason_detail(&r, buf, sizeof(buf));
	assert_string_equal(buf, "last=PASS checked=2023-11-14T22:13:20Z "
	    "expires=2023-11-14T22:18:20Z def=PASS "
	    "def_checked=2023-11-14T22:13:20Z "
	    "names=a10.example.com,b10?.example.com match=b10?.example.com "
	    "addrs=203.0.113.1,192.0.2.10");
	assert_int_equal(n, (int)strlen(buf));

	/* back-off state, no definitive verdict yet */
	mkrec(&r, V_TEMPERROR, NULL, NULL);
	r.def_verdict = V_NONE;
	r.checked_at = 1700000000;
	r.fail_count = 2;
	r.backoff_s = 60;
	r.retry_at = 1700000060;
	r.last_query_at = 1700000001;
	reason_detail(&r, buf, sizeof(buf));
	assert_string_equal(buf, "last=TEMPERROR checked=2023-11-14T22:13:20Z "
	    "expires=- def=NONE def_checked=- names=- match=- addrs=- "
	    "fails=2 backoff=60s retry=2023-11-14T22:14:20Z "
	    "last_query=2023-11-14T22:13:21Z");

	/* cut, and says so */
	n = reason_detail(&r, small, sizeof(small));
	assert_int_equal(n, (int)sizeof(small) - 1);
	assert_string_equal(small + n - 3, "...");

	/* a MISMATCH's match is the resolving name, not a confirmation */
	mkrec(&r, V_MISMATCH, names, addrs);
	r.match = 0;
	reason_detail(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " resolving=a10.example.com addrs="));
	assert_null(strstr(buf, "match="));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_listing),
		cmocka_unit_test(test_several_names_and_addrs),
		cmocka_unit_test(test_no_txt_for_non_listings),
		cmocka_unit_test(test_non_printable_replaced),
		cmocka_unit_test(test_cap_and_every_buffer_size),
		cmocka_unit_test(test_printable_and_time),
		cmocka_unit_test(test_detail_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
