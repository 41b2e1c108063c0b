/*
 * tests/test_verdict.c -- checker/verdict.c: the FCrDNS decision.
 *
 * Every rule of verdicts.md steps 1, 2, 4, 5 and 6, and every scenario
 * kind of its table, as inputs to the pure function. The DNS side of the
 * same scenarios is covered by tests/test_reply.c (packets) and the
 * integration suite (a real NSD).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../checker/verdict.h"

static const struct verdict_limits lim = { 300, 86400 };

static void
key(const char *s, uint8_t out[ADDR_LEN])
{
	assert_int_equal(addr_parse(s, out), 0);
}

/* A forward outcome with up to 4 addresses (text), kept in static
 * storage per slot so that a test can build several. */
static uint8_t addr_store[8][4][ADDR_LEN];

static struct verdict_fwd
fwd(int slot, enum lookup_status st, uint32_t ttl, const char *a1,
	const char *a2)
{
	struct verdict_fwd f;
	size_t n = 0;

	memset(&f, 0, sizeof(f));
	f.r.status = st;
	f.r.ttl = ttl;
	if (a1 != NULL)
		key(a1, addr_store[slot][n++]);
	if (a2 != NULL)
		key(a2, addr_store[slot][n++]);
	f.addrs = (const uint8_t (*)[ADDR_LEN])addr_store[slot];
	f.n_addrs = n;
	return f;
}

static struct lookup_result
ptr(enum lookup_status st, uint32_t ttl)
{
	struct lookup_result r = { st, ttl, NULL };

	return r;
}

/* Decide for client with the PTR outcome and n forward outcomes. */
static struct verdict_out
decide(const char *client, struct lookup_result p, size_t n,
	const struct verdict_fwd *f)
{
	struct verdict_out o;
	uint8_t c[ADDR_LEN];

	key(client, c);
	memset(&o, 0x55, sizeof(o));
	verdict_decide(c, &p, n, f, &lim, &o);
	return o;
}

/* Step 1: NXDOMAIN and NODATA are NO_PTR, living by the SOA negative TTL
 * (RFC 2308 section 5), clamped. */
static void
test_ptr_negative_is_no_ptr(void **st)
{
	struct verdict_out o;

	o = decide("192.0.2.2", ptr(LOOKUP_NXDOMAIN, 900), 0, NULL);
	assert_int_equal(o.verdict, V_NO_PTR);
	assert_int_equal(o.lifetime, 900);
	assert_int_equal(o.match, -1);
	o = decide("192.0.2.3", ptr(LOOKUP_NODATA, 1200), 0, NULL);
	assert_int_equal(o.verdict, V_NO_PTR);
	assert_int_equal(o.lifetime, 1200);
	/* clamp both ways; no SOA at all (ttl 0) gets the floor */
	o = decide("192.0.2.3", ptr(LOOKUP_NODATA, 60), 0, NULL);
	assert_int_equal(o.lifetime, 300);
	o = decide("192.0.2.3", ptr(LOOKUP_NXDOMAIN, 0), 0, NULL);
	assert_int_equal(o.lifetime, 300);
	o = decide("192.0.2.3", ptr(LOOKUP_NXDOMAIN, 604800), 0, NULL);
	assert_int_equal(o.lifetime, 86400);
}

/* Step 1: SERVFAIL, REFUSED, timeout, malformed, CNAME loop all arrive
 * as LOOKUP_TEMPFAIL and give TEMPERROR, never a listing. */
static void
test_ptr_tempfail(void **st)
{
	struct verdict_fwd f[1];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 300, "192.0.2.7", NULL);
	o = decide("192.0.2.7", ptr(LOOKUP_TEMPFAIL, 3600), 1, f);
	assert_int_equal(o.verdict, V_TEMPERROR);
	assert_int_equal(o.lifetime, 0);
	assert_int_equal(o.match, -1);
	/* an unknown status is not evidence either */
	o = decide("192.0.2.7", ptr((enum lookup_status)42, 3600), 0, NULL);
	assert_int_equal(o.verdict, V_TEMPERROR);
}

/* Step 2: every target unusable (root, IP literal): NO_PTR by the PTR
 * RRset's TTL. */
static void
test_no_usable_name(void **st)
{
	struct verdict_out o;

	o = decide("192.0.2.17", ptr(LOOKUP_ANSWER, 7200), 0, NULL);
	assert_int_equal(o.verdict, V_NO_PTR);
	assert_int_equal(o.lifetime, 7200);
	o = decide("192.0.2.18", ptr(LOOKUP_ANSWER, 10), 0, NULL);
	assert_int_equal(o.verdict, V_NO_PTR);
	assert_int_equal(o.lifetime, 300);
}

/* Row 192.0.2.1: one name, A matches. Lifetime = min(PTR, A). */
static void
test_pass_single(void **st)
{
	struct verdict_fwd f[1];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 1800, "192.0.2.1", NULL);
	o = decide("192.0.2.1", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_PASS);
	assert_int_equal(o.match, 0);
	assert_int_equal(o.lifetime, 1800);
	/* ::ffff:192.0.2.1 is the same key (row "::ffff:192.0.2.1") */
	o = decide("::ffff:192.0.2.1", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_PASS);
}

/* Row 192.0.2.10: a10 elsewhere, b10 matches: PASS, match = 1. The
 * lifetime rests on the PTR and the matching name only. */
static void
test_pass_second_name(void **st)
{
	struct verdict_fwd f[2];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 400, "203.0.113.1", NULL);
	f[1] = fwd(1, LOOKUP_ANSWER, 5000, "198.51.100.9", "192.0.2.10");
	o = decide("192.0.2.10", ptr(LOOKUP_ANSWER, 3600), 2, f);
	assert_int_equal(o.verdict, V_PASS);
	assert_int_equal(o.match, 1);
	assert_int_equal(o.lifetime, 3600);
}

/* Step 5: a match wins over a temporary failure, in either order. */
static void
test_match_beats_tempfail(void **st)
{
	struct verdict_fwd f[3];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_TEMPFAIL, 0, NULL, NULL);
	f[1] = fwd(1, LOOKUP_ANSWER, 600, "192.0.2.40", NULL);
	f[2] = fwd(2, LOOKUP_ANSWER, 600, "203.0.113.9", NULL);
	o = decide("192.0.2.40", ptr(LOOKUP_ANSWER, 3600), 3, f);
	assert_int_equal(o.verdict, V_PASS);
	assert_int_equal(o.match, 1);
	assert_int_equal(o.lifetime, 600);
	f[0] = fwd(0, LOOKUP_ANSWER, 600, "192.0.2.40", NULL);
	f[1] = fwd(1, LOOKUP_TEMPFAIL, 0, NULL, NULL);
	o = decide("192.0.2.40", ptr(LOOKUP_ANSWER, 3600), 2, f);
	assert_int_equal(o.verdict, V_PASS);
	assert_int_equal(o.match, 0);
}

/* Step 5: no match and a temporary failure: TEMPERROR, even when the
 * other names would make it MISMATCH or NO_FORWARD. */
static void
test_tempfail_beats_listing(void **st)
{
	struct verdict_fwd f[3];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 600, "203.0.113.9", NULL);
	f[1] = fwd(1, LOOKUP_TEMPFAIL, 0, NULL, NULL);
	f[2] = fwd(2, LOOKUP_NXDOMAIN, 600, NULL, NULL);
	o = decide("192.0.2.41", ptr(LOOKUP_ANSWER, 3600), 3, f);
	assert_int_equal(o.verdict, V_TEMPERROR);
	assert_int_equal(o.lifetime, 0);
	f[0] = fwd(0, LOOKUP_NODATA, 600, NULL, NULL);
	o = decide("192.0.2.41", ptr(LOOKUP_ANSWER, 3600), 2, f);
	assert_int_equal(o.verdict, V_TEMPERROR);
}

/* Rows 192.0.2.6 / .25: addresses, none the client's: MISMATCH. Row .12:
 * one name NXDOMAIN, the other elsewhere: MISMATCH. The lifetime rests on
 * every name. */
static void
test_mismatch(void **st)
{
	struct verdict_fwd f[2];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 3600, "198.51.100.6", NULL);
	o = decide("192.0.2.6", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_MISMATCH);
	assert_int_equal(o.match, -1);
	assert_int_equal(o.lifetime, 3600);
	f[0] = fwd(0, LOOKUP_ANSWER, 3600, "192.0.2.26", NULL);
	o = decide("192.0.2.25", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_MISMATCH);
	f[0] = fwd(0, LOOKUP_NXDOMAIN, 900, NULL, NULL);
	f[1] = fwd(1, LOOKUP_ANSWER, 3600, "203.0.113.2", NULL);
	o = decide("192.0.2.12", ptr(LOOKUP_ANSWER, 7200), 2, f);
	assert_int_equal(o.verdict, V_MISMATCH);
	assert_int_equal(o.lifetime, 900);
	f[1].r.ttl = 500;
	o = decide("192.0.2.12", ptr(LOOKUP_ANSWER, 7200), 2, f);
	assert_int_equal(o.lifetime, 500);
}

/* Rows .4 (NXDOMAIN), .5 (AAAA only: NODATA for A), 2001:db8::27 (A only:
 * NODATA for AAAA): NO_FORWARD, by the smallest negative TTL. */
static void
test_no_forward(void **st)
{
	struct verdict_fwd f[2];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_NXDOMAIN, 600, NULL, NULL);
	o = decide("192.0.2.4", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_NO_FORWARD);
	assert_int_equal(o.lifetime, 600);
	f[0] = fwd(0, LOOKUP_NODATA, 1000, NULL, NULL);
	o = decide("192.0.2.5", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_NO_FORWARD);
	assert_int_equal(o.lifetime, 1000);
	o = decide("2001:db8::27", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_NO_FORWARD);
	f[1] = fwd(1, LOOKUP_NXDOMAIN, 50, NULL, NULL);
	o = decide("192.0.2.5", ptr(LOOKUP_ANSWER, 3600), 2, f);
	assert_int_equal(o.verdict, V_NO_FORWARD);
	assert_int_equal(o.lifetime, 300);   /* 50, clamped up */
	/* An answer with no address of the family is no address. */
	f[0] = fwd(0, LOOKUP_ANSWER, 3600, NULL, NULL);
	o = decide("192.0.2.5", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_NO_FORWARD);
}

/* Row 2001:db8::26: AAAA matches an IPv6 client (binary compare). An
 * AAAA holding ::ffff:192.0.2.1 is not 192.0.2.1's A record: the reply
 * decoder never hands it to an A lookup, and for an IPv6 client it is
 * just another address. */
static void
test_ipv6_and_mapped(void **st)
{
	struct verdict_fwd f[1];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_ANSWER, 3600, "2001:DB8:0:0::26", NULL);
	o = decide("2001:db8::26", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_PASS);
	f[0] = fwd(0, LOOKUP_ANSWER, 3600, "2001:db8::27", NULL);
	o = decide("2001:db8::26", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_MISMATCH);
	f[0] = fwd(0, LOOKUP_ANSWER, 3600, "::ffff:192.0.2.1", NULL);
	o = decide("2001:db8::1", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.verdict, V_MISMATCH);
}

/* The first matching name (in kept, sorted order) is recorded. */
static void
test_first_match_recorded(void **st)
{
	struct verdict_fwd f[3];
	struct verdict_out o;

	f[0] = fwd(0, LOOKUP_NXDOMAIN, 900, NULL, NULL);
	f[1] = fwd(1, LOOKUP_ANSWER, 900, "192.0.2.50", NULL);
	f[2] = fwd(2, LOOKUP_ANSWER, 100000, "192.0.2.50", NULL);
	o = decide("192.0.2.50", ptr(LOOKUP_ANSWER, 100000), 3, f);
	assert_int_equal(o.verdict, V_PASS);
	assert_int_equal(o.match, 1);
	assert_int_equal(o.lifetime, 900);
}

/* Step 6 clamp: [ttl_min, ttl_max], floor wins if they cross. */
static void
test_clamp(void **st)
{
	struct verdict_limits l = { 300, 86400 };
	struct verdict_limits x = { 600, 100 };
	struct verdict_fwd f[1];
	struct verdict_out o;

	assert_int_equal(verdict_clamp(0, &l), 300);
	assert_int_equal(verdict_clamp(299, &l), 300);
	assert_int_equal(verdict_clamp(300, &l), 300);
	assert_int_equal(verdict_clamp(4000, &l), 4000);
	assert_int_equal(verdict_clamp(86400, &l), 86400);
	assert_int_equal(verdict_clamp(86401, &l), 86400);
	assert_int_equal(verdict_clamp(UINT32_MAX, &l), 86400);
	assert_int_equal(verdict_clamp(50, &x), 600);
	assert_int_equal(verdict_clamp(5000, &x), 600);
	f[0] = fwd(0, LOOKUP_ANSWER, 30, "192.0.2.22", NULL);
	o = decide("192.0.2.22", ptr(LOOKUP_ANSWER, 3600), 1, f);
	assert_int_equal(o.lifetime, 300);
	f[0].r.ttl = 2000000;
	o = decide("192.0.2.22", ptr(LOOKUP_ANSWER, 2000000), 1, f);
	assert_int_equal(o.lifetime, 86400);
}

static void
test_classify(void **st)
{
	struct verdict_fwd f;
	uint8_t c[ADDR_LEN];

	key("192.0.2.60", c);
	f = fwd(0, LOOKUP_ANSWER, 1, "192.0.2.61", "192.0.2.60");
	assert_int_equal(verdict_classify(c, &f), FWD_MATCH);
	f = fwd(0, LOOKUP_ANSWER, 1, "192.0.2.61", NULL);
	assert_int_equal(verdict_classify(c, &f), FWD_OTHER);
	f = fwd(0, LOOKUP_NXDOMAIN, 1, NULL, NULL);
	assert_int_equal(verdict_classify(c, &f), FWD_NOADDR);
	f = fwd(0, LOOKUP_NODATA, 1, NULL, NULL);
	assert_int_equal(verdict_classify(c, &f), FWD_NOADDR);
	f = fwd(0, LOOKUP_TEMPFAIL, 1, NULL, NULL);
	assert_int_equal(verdict_classify(c, &f), FWD_TEMPFAIL);
	f.addrs = NULL;
	f.n_addrs = 3;
	f.r.status = LOOKUP_ANSWER;
	assert_int_equal(verdict_classify(c, &f), FWD_NOADDR);
	assert_string_equal(verdict_fwd_class_name(FWD_MATCH), "match");
	assert_string_equal(verdict_fwd_class_name(FWD_OTHER),
	    "other-addresses");
	assert_string_equal(verdict_fwd_class_name(FWD_NOADDR), "no-address");
	assert_string_equal(verdict_fwd_class_name(FWD_TEMPFAIL), "tempfail");
}

/* Aggregation over all 4^3 combinations of three names' classes against
 * the rule of step 5, written independently of the code. */
static void
test_aggregation_exhaustive(void **st)
{
	static const enum lookup_status stv[4] = { LOOKUP_ANSWER,
	    LOOKUP_ANSWER, LOOKUP_NXDOMAIN, LOOKUP_TEMPFAIL };
	/* kinds: 0 match, 1 other, 2 noaddr, 3 tempfail */
	int a, b, c, i;

	for (a = 0; a < 4; a++)
	for (b = 0; b < 4; b++)
	for (c = 0; c < 4; c++) {
		int kind[3] = { a, b, c }, want, any[4] = { 0, 0, 0, 0 };
		struct verdict_fwd f[3];
		struct verdict_out o;

		for (i = 0; i < 3; i++) {
			const char *ad = kind[i] == 0 ? "192.0.2.70" :
			    kind[i] == 1 ? "203.0.113.70" : NULL;

			f[i] = fwd(i, stv[kind[i]], 1000, ad, NULL);
			any[kind[i]] = 1;
		}
		want = any[0] ? V_PASS : any[3] ? V_TEMPERROR :
		    any[1] ? V_MISMATCH : V_NO_FORWARD;
		o = decide("192.0.2.70", ptr(LOOKUP_ANSWER, 2000), 3, f);
		assert_int_equal(o.verdict, want);
		assert_int_equal(o.lifetime, want == V_TEMPERROR ? 0 : 1000);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptr_negative_is_no_ptr),
		cmocka_unit_test(test_ptr_tempfail),
		cmocka_unit_test(test_no_usable_name),
		cmocka_unit_test(test_pass_single),
		cmocka_unit_test(test_pass_second_name),
		cmocka_unit_test(test_match_beats_tempfail),
		cmocka_unit_test(test_tempfail_beats_listing),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_no_forward),
		cmocka_unit_test(test_ipv6_and_mapped),
		cmocka_unit_test(test_first_match_recorded),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_aggregation_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
