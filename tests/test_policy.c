/* tests/test_policy.c -- server/policy.c: every branch, exact TTLs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../common/config.h"
#include "../common/verdict.h"
#include "../server/policy.h"
#include "../store/store.h"

#define NOW   1700000000
#define NEG   300      /* min(SOA TTL, SOA MINIMUM) of the shipped zone */

static struct config cfg;
static uint8_t addr[ADDR_LEN];

/* A record whose definitive verdict v was decided at checked (relative to
 * NOW) and expires at expires (relative to NOW). */
static struct store_record
rec_def(int v, int64_t checked, int64_t expires)
{
	struct store_record r;

	memset(&r, 0, sizeof(r));
	r.verdict = (uint8_t)v;
	r.def_verdict = (uint8_t)v;
	r.match = STORE_MATCH_NONE;
	r.checked_at = NOW + checked;
	r.def_checked_at = NOW + checked;
	r.expires_at = NOW + expires;
	return r;
}

/* Put r into TEMPERROR back-off (the latest check failed). */
static void
backoff(struct store_record *r)
{
	r->verdict = V_TEMPERROR;
	r->checked_at = NOW - 5;
	r->retry_at = NOW + 25;
	r->backoff_s = 30;
	r->fail_count = 1;
}

static void
expect(const struct policy_decision *d, int action, int reason, int verdict,
	uint32_t ttl, int refresh, int seen, int check)
{
	assert_int_equal(d->action, action);
	assert_int_equal(d->reason, reason);
	assert_int_equal(d->verdict, verdict);
	assert_int_equal(d->ttl, ttl);
	assert_int_equal(d->refresh, refresh);
	assert_int_equal(d->seen, seen);
	assert_int_equal(d->check, check);
}

static void
test_skip_ranges_never_checked(void **st)
{
	static const char *skip[] = { "10.0.0.5", "192.168.1.5", "fd00::5",
	    "::1", "127.0.0.9", "100.64.0.1", "fe80::1", "224.0.0.1" };
	struct policy_decision d;
	struct store_record r = rec_def(V_NO_PTR, -10, 3000);
	uint8_t a[ADDR_LEN];
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		assert_int_equal(addr_parse(skip[i], a), 0);
		policy_decide(&d, a, NULL, NOW, &cfg, NEG);
		expect(&d, POLICY_NXDOMAIN, POLICY_R_SKIP, V_NOT_APPLICABLE,
		    NEG, 0, 0, 0);
		/* even a stray stored listing is not served */
		policy_decide(&d, a, &r, NOW, &cfg, 77);
		expect(&d, POLICY_NXDOMAIN, POLICY_R_SKIP, V_NOT_APPLICABLE,
		    77, 0, 0, 0);
	}
}

static void
test_no_record_waits(void **st)
{
	struct policy_decision d;

	policy_decide(&d, addr, NULL, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
}

static void
test_fresh_listing_ttl(void **st)
{
	struct policy_decision d;
	struct store_record r;

	/* plenty left: capped at ttl_cap */
	r = rec_def(V_NO_PTR, -100, 3500);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_NO_PTR, 300, 0, 0, 0);
	/* less left than the cap: the time left */
	r = rec_def(V_NO_FORWARD, -3480, 120);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_NO_FORWARD, 120, 1, 0,
	    0);
	r = rec_def(V_MISMATCH, -10, 1);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_MISMATCH, 1, 1, 0, 0);
	/* another cap */
	cfg.ttl_cap = 60;
	r = rec_def(V_MISMATCH, -10, 1000);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_MISMATCH, 60, 0, 0, 0);
	cfg.ttl_cap = 300;
}

static void
test_refresh_in_last_tenth(void **st)
{
	struct policy_decision d;
	struct store_record r;

	/* lifetime 3600: refresh once less than 360 s are left */
	r = rec_def(V_NO_PTR, -3240, 360);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	assert_int_equal(d.refresh, 0);
	r = rec_def(V_NO_PTR, -3241, 359);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_NO_PTR, 300, 1, 0, 0);
	r = rec_def(V_PASS, -3241, 359);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_FRESH, V_PASS, 300, 1, 0, 0);
	/* a nonsensical lifetime (checked after expiry) never refreshes */
	r = rec_def(V_NO_PTR, 100, 50);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_NO_PTR, 50, 0, 0, 0);
}

static void
test_fresh_pass_negative_ttl(void **st)
{
	struct policy_decision d;
	struct store_record r;

	r = rec_def(V_PASS, -10, 5000);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_FRESH, V_PASS, 300, 0, 0, 0);
	/* min(SOA TTL, SOA MINIMUM, time left) */
	policy_decide(&d, addr, &r, NOW, &cfg, 60);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_FRESH, V_PASS, 60, 0, 0, 0);
	r = rec_def(V_PASS, -4900, 100);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_FRESH, V_PASS, 100, 1, 0, 0);
}

static void
test_fresh_during_backoff(void **st)
{
	struct policy_decision d;
	struct store_record r;

	/* a refresh failed: the definitive verdict is still served, the
	 * checker retries by itself, so seen and no refresh */
	r = rec_def(V_MISMATCH, -3300, 300);
	backoff(&r);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_FRESH, V_MISMATCH, 300, 0, 1, 0);
	r = rec_def(V_PASS, -3300, 200);
	backoff(&r);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_FRESH, V_PASS, 200, 0, 1, 0);
}

static void
test_stale_within_grace(void **st)
{
	struct policy_decision d;
	struct store_record r;

	/* expired just now: stale, RFC 8767 TTL 30 */
	r = rec_def(V_NO_PTR, -3600, 0);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_STALE, V_NO_PTR, 30, 1, 0, 0);
	/* last second of the grace period */
	r = rec_def(V_NO_FORWARD, -90000, -86399);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_STALE, V_NO_FORWARD, 30, 1, 0, 0);
	/* a stale PASS: NXDOMAIN, min(stale_ttl, neg_ttl) */
	r = rec_def(V_PASS, -4000, -400);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_STALE, V_PASS, 30, 1, 0, 0);
	policy_decide(&d, addr, &r, NOW, &cfg, 20);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_STALE, V_PASS, 20, 1, 0, 0);
	/* the stale TTL is a setting */
	cfg.stale_ttl = 7;
	r = rec_def(V_MISMATCH, -4000, -400);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_STALE, V_MISMATCH, 7, 1, 0, 0);
	cfg.stale_ttl = 30;
	/* stale during a back-off: seen, no refresh */
	r = rec_def(V_MISMATCH, -4000, -400);
	backoff(&r);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_LISTED, POLICY_R_STALE, V_MISMATCH, 30, 0, 1, 0);
}

static void
test_beyond_grace(void **st)
{
	struct policy_decision d;
	struct store_record r;

	/* exactly grace past expiry: no longer served */
	r = rec_def(V_NO_PTR, -90000, -86400);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
	/* with a back-off running: short TTL at once, seen, no check */
	backoff(&r);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_BACKOFF, V_TEMPERROR, 10, 0, 1,
	    0);
	/* grace 0: expired means gone */
	cfg.grace = 0;
	r = rec_def(V_NO_PTR, -3600, 0);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
	cfg.grace = 86400;
}

static void
test_temperror_backoff_without_definitive(void **st)
{
	struct policy_decision d;
	struct store_record r;

	memset(&r, 0, sizeof(r));
	r.def_verdict = V_NONE;
	backoff(&r);
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_BACKOFF, V_TEMPERROR, 10, 0, 1,
	    0);
	cfg.short_ttl = 3;
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	assert_int_equal(d.ttl, 3);
	cfg.short_ttl = 10;
	/* a retry time more than --backoff-max past: the checker lost
	 * its timer, so the back-off is over and a query asks again */
	r.retry_at = NOW - (int64_t)cfg.backoff_max;
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_NXDOMAIN, POLICY_R_BACKOFF, V_TEMPERROR, 10, 0, 1,
	    0);
	r.retry_at = NOW - (int64_t)cfg.backoff_max - 1;
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
	/* TEMPERROR with no back-off scheduled: check again and wait */
	r.retry_at = 0;
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
	/* an empty record is no verdict */
	memset(&r, 0, sizeof(r));
	policy_decide(&d, addr, &r, NOW, &cfg, NEG);
	expect(&d, POLICY_WAIT, POLICY_R_MISS, V_NONE, 0, 0, 0, 1);
}

static int
setup(void **st)
{
	config_defaults(&cfg);
	return addr_parse("192.0.2.2", addr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skip_ranges_never_checked),
		cmocka_unit_test(test_no_record_waits),
		cmocka_unit_test(test_fresh_listing_ttl),
		cmocka_unit_test(test_refresh_in_last_tenth),
		cmocka_unit_test(test_fresh_pass_negative_ttl),
		cmocka_unit_test(test_fresh_during_backoff),
		cmocka_unit_test(test_stale_within_grace),
		cmocka_unit_test(test_beyond_grace),
		cmocka_unit_test(test_temperror_backoff_without_definitive),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
