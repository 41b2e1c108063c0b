/*
 * tests/test_record.c -- checker/record.c: what a finished check stores.
 * Back-off (verdicts.md: 30 s doubling to 15 min, only while asked for),
 * serve-stale data kept through TEMPERROR, and the sweep rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../common/verdict.h"
#include "../checker/record.h"

static const struct record_policy pol = { 30, 900, 3600 };
static struct record_buf a, b;

static struct record_result
result(int verdict, uint32_t lifetime, const char *const *names, size_t n,
	int match, const uint8_t (*addrs)[ADDR_LEN], size_t na)
{
	struct record_result r;

	memset(&r, 0, sizeof(r));
	r.verdict = verdict;
	r.lifetime = lifetime;
	r.names = names;
	r.n_names = n;
	r.match = match;
	r.addrs = addrs;
	r.n_addrs = na;
	return r;
}

/* A definitive verdict: everything new, no back-off. */
static void
test_definitive(void **st)
{
	const char *names[] = { "a10.example.com", "b10.example.com" };
	uint8_t ad[3][ADDR_LEN];
	struct record_result r;

	assert_int_equal(addr_parse("203.0.113.1", ad[0]), 0);
	assert_int_equal(addr_parse("192.0.2.10", ad[1]), 0);
	assert_int_equal(addr_parse("203.0.113.1", ad[2]), 0);
	r = result(V_PASS, 3600, names, 2, 1,
	    (const uint8_t (*)[ADDR_LEN])ad, 3);
	record_update(&a, NULL, &r, 1000, 990, &pol);
	assert_int_equal(a.rec.verdict, V_PASS);
	assert_int_equal(a.rec.def_verdict, V_PASS);
	assert_int_equal(a.rec.checked_at, 1000);
	assert_int_equal(a.rec.def_checked_at, 1000);
	assert_int_equal(a.rec.expires_at, 4600);
	assert_int_equal(a.rec.retry_at, 0);
	assert_int_equal(a.rec.backoff_s, 0);
	assert_int_equal(a.rec.fail_count, 0);
	assert_int_equal(a.rec.last_query_at, 990);
	assert_int_equal(a.rec.match, 1);
	assert_int_equal(a.rec.n_names, 2);
	assert_int_equal(a.rec.names_len, 2 + 15 + 15);
	assert_int_equal(a.rec.names[0], 15);
	assert_memory_equal(a.rec.names + 1, "a10.example.com", 15);
	assert_int_equal(a.rec.n_addrs, 2);   /* de-duplicated */
	assert_memory_equal(a.rec.addrs + ADDR_LEN, ad[1], ADDR_LEN);
	/* no match */
	r = result(V_NO_FORWARD, 600, names, 1, -1, NULL, 0);
	record_update(&b, &a, &r, 2000, 0, &pol);
	assert_int_equal(b.rec.match, STORE_MATCH_NONE);
	assert_int_equal(b.rec.last_query_at, 990);  /* the larger kept */
	assert_int_equal(b.rec.expires_at, 2600);
}

/* TEMPERROR after a PASS keeps the PASS's data for serve-stale. */
static void
test_temperror_keeps_definitive(void **st)
{
	const char *names[] = { "mx1.example.com" };
	const char *other[] = { "zzz.example.com" };
	uint8_t ad[1][ADDR_LEN];
	struct record_result r;

	assert_int_equal(addr_parse("192.0.2.1", ad[0]), 0);
	r = result(V_PASS, 3600, names, 1, 0,
	    (const uint8_t (*)[ADDR_LEN])ad, 1);
	record_update(&a, NULL, &r, 1000, 1000, &pol);
	r = result(V_TEMPERROR, 0, other, 1, -1, NULL, 0);
	record_update(&b, &a, &r, 4500, 4400, &pol);
	assert_int_equal(b.rec.verdict, V_TEMPERROR);
	assert_int_equal(b.rec.def_verdict, V_PASS);
	assert_int_equal(b.rec.def_checked_at, 1000);
	assert_int_equal(b.rec.expires_at, 4600);
	assert_int_equal(b.rec.checked_at, 4500);
	assert_int_equal(b.rec.n_names, 1);
	assert_memory_equal(b.rec.names + 1, "mx1.example.com", 15);
	assert_int_equal(b.rec.match, 0);
	assert_int_equal(b.rec.n_addrs, 1);
	assert_int_equal(b.rec.fail_count, 1);
	assert_int_equal(b.rec.backoff_s, 30);
	assert_int_equal(b.rec.retry_at, 4530);
	assert_int_equal(b.rec.last_query_at, 4400);
	/* pointers are b's own */
	assert_ptr_equal(b.rec.names, b.names);
}

/* 30, 60, 120, 240, 480, 900, 900 ... and reset by a definitive one. */
static void
test_backoff_steps(void **st)
{
	static const uint32_t want[] = { 30, 60, 120, 240, 480, 900, 900 };
	struct record_result r = result(V_TEMPERROR, 0, NULL, 0, -1, NULL, 0);
	struct record_result ok = result(V_MISMATCH, 300, NULL, 0, -1, NULL, 0);
	int64_t now = 10000;
	size_t i;

	record_update(&a, NULL, &r, now, now, &pol);
	assert_int_equal(a.rec.def_verdict, V_NONE);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(a.rec.backoff_s, want[i]);
		assert_int_equal(a.rec.retry_at, now + want[i]);
		assert_int_equal(a.rec.fail_count, i + 1);
		now = a.rec.retry_at;
		record_update(&b, &a, &r, now, now, &pol);
		memcpy(&a, &b, sizeof(a));
		a.rec.names = a.names;
		a.rec.addrs = (const uint8_t *)a.addrs;
	}
	record_update(&b, &a, &ok, now, now, &pol);
	assert_int_equal(b.rec.retry_at, 0);
	assert_int_equal(b.rec.backoff_s, 0);
	assert_int_equal(b.rec.fail_count, 0);
	assert_int_equal(b.rec.verdict, V_MISMATCH);
}

/* Back-off only while asked for within --interest. */
static void
test_interest(void **st)
{
	struct record_result r = result(V_TEMPERROR, 0, NULL, 0, -1, NULL, 0);

	record_update(&a, NULL, &r, 10000, 10000 - 3600, &pol);
	assert_int_equal(a.rec.retry_at, 10030);   /* exactly at the edge */
	record_update(&a, NULL, &r, 10000, 10000 - 3601, &pol);
	assert_int_equal(a.rec.retry_at, 0);
	assert_int_equal(a.rec.backoff_s, 0);
	assert_int_equal(a.rec.fail_count, 1);
	record_update(&a, NULL, &r, 10000, 0, &pol);  /* never asked */
	assert_int_equal(a.rec.retry_at, 0);
	/* a stopped back-off starts over at the minimum */
	record_update(&b, &a, &r, 20000, 20000, &pol);
	assert_int_equal(b.rec.backoff_s, 30);
	assert_int_equal(b.rec.fail_count, 2);
	record_stop_backoff(&b);
	assert_int_equal(b.rec.retry_at, 0);
}

/* record_copy: deep, bounded, malformed names cut. */
static void
test_copy(void **st)
{
	uint8_t names[] = { 3, 'a', 'b', 'c', 2, 'x', 'y', 9, 'q' };
	uint8_t ad[2][ADDR_LEN] = { { 1 }, { 2 } };
	struct store_record src;

	memset(&src, 0, sizeof(src));
	src.verdict = V_PASS;
	src.match = 2;
	src.n_names = 3;
	src.names = names;
	src.names_len = sizeof(names);
	src.addrs = &ad[0][0];
	src.n_addrs = 2;
	record_copy(&a, &src);
	assert_int_equal(a.rec.n_names, 2);
	assert_int_equal(a.rec.names_len, 7);
	assert_int_equal(a.rec.match, STORE_MATCH_NONE);
	assert_int_equal(a.rec.n_addrs, 2);
	assert_ptr_equal(a.rec.names, a.names);
	assert_memory_equal(a.rec.addrs + ADDR_LEN, ad[1], ADDR_LEN);
}

/* Sweep: expired beyond grace, no back-off, no recent query. */
static void
test_sweepable(void **st)
{
	struct store_record r;

	memset(&r, 0, sizeof(r));
	r.def_verdict = V_PASS;
	r.checked_at = 1000;
	r.expires_at = 2000;
	r.last_query_at = 1000;
	assert_false(record_sweepable(&r, 2000 + 86400, 86400, 3600));
	assert_true(record_sweepable(&r, 2001 + 86400, 86400, 3600));
	r.retry_at = 5;
	assert_false(record_sweepable(&r, 1000000, 86400, 3600));
	r.retry_at = 0;
	r.last_query_at = 1000000 - 10;
	assert_false(record_sweepable(&r, 1000000, 86400, 3600));
	/* TEMPERROR-only record: by its check time */
	memset(&r, 0, sizeof(r));
	r.verdict = V_TEMPERROR;
	r.checked_at = 5000;
	assert_false(record_sweepable(&r, 5000 + 100, 100, 10));
	assert_true(record_sweepable(&r, 5000 + 101, 100, 10));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definitive),
		cmocka_unit_test(test_temperror_keeps_definitive),
		cmocka_unit_test(test_backoff_steps),
		cmocka_unit_test(test_interest),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_sweepable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
