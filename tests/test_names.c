/*
 * tests/test_names.c -- checker/names.c: cleaning the PTR targets
 * (verdicts.md steps 2 and 3), one test per rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../checker/names.h"

static struct names out;

static void
clean(const char *const *in, size_t n, uint32_t max)
{
	assert_int_equal(names_clean(in, n, max, &out), 0);
}

/* Lower-case (ASCII only), drop ONE trailing dot. */
static void
test_case_and_trailing_dot(void **st)
{
	char buf[NAMES_TEXT_MAX + 1];

	assert_int_equal(names_clean_one("MX16.Example.COM.", buf),
	    NAMES_USABLE);
	assert_string_equal(buf, "mx16.example.com");
	assert_int_equal(names_clean_one("mx16.example.com", buf),
	    NAMES_USABLE);
	assert_string_equal(buf, "mx16.example.com");
	/* only one dot goes */
	assert_int_equal(names_clean_one("a.example.com..", buf), NAMES_USABLE);
	assert_string_equal(buf, "a.example.com.");
	/* an escaped dot belongs to the label and stays (RFC 1035 5.1) */
	assert_int_equal(names_clean_one("odd\\.", buf), NAMES_USABLE);
	assert_string_equal(buf, "odd\\.");
	assert_int_equal(names_clean_one("odd\\\\.", buf), NAMES_USABLE);
	assert_string_equal(buf, "odd\\\\");
	/* escapes are not folded: \065 is 'A' in the wire, left alone */
	assert_int_equal(names_clean_one("\\065B.Example.", buf), NAMES_USABLE);
	assert_string_equal(buf, "\\065b.example");
}

/* The root name is never usable. */
static void
test_root(void **st)
{
	char buf[NAMES_TEXT_MAX + 1];
	const char *in[] = { "." };

	assert_int_equal(names_clean_one(".", buf), NAMES_DROP_ROOT);
	assert_int_equal(names_clean_one("", buf), NAMES_DROP_ROOT);
	clean(in, 1, 10);
	assert_int_equal(out.n, 0);
	assert_int_equal(out.n_root, 1);
	assert_int_equal(out.n_usable, 0);
}

/* IP literals (dotted IPv4 in any numeric form, IPv6 text) are dropped:
 * they must never "resolve to themselves". */
static void
test_ip_literals(void **st)
{
	static const char *const lit[] = {
		"192.0.2.18.", "192.0.2.18", "192.000.002.018", "127.1",
		"0x7f.0.0.1", "0177.0.0.1", "3221225985", "::1", "::1.",
		"2001:db8::26", "2001:DB8::26.", "[2001:db8::1]",
		"fe80::1%eth0", "::ffff:192.0.2.1", "1.2.3.4.", NULL
	};
	static const char *const ok[] = {
		"18.2.0.192.in-addr.arpa", "1.2.3.4.example.com", "a:b",
		"mx1.example.com", "1e100.net", "192.0.2.18.example.",
		"0x7f.example", "cafe.example", "dead:beef.example", NULL
	};
	char buf[NAMES_TEXT_MAX + 1];
	size_t i;

	for (i = 0; lit[i] != NULL; i++) {
		if (names_clean_one(lit[i], buf) != NAMES_DROP_LITERAL)
			fail_msg("%s should be an IP literal", lit[i]);
	}
	for (i = 0; ok[i] != NULL; i++) {
		if (names_clean_one(ok[i], buf) != NAMES_USABLE)
			fail_msg("%s should be usable", ok[i]);
	}
}

/* Names over 255 octets (text, after the trailing dot) are dropped. */
static void
test_long_names(void **st)
{
	char n255[260], n256[260], n255dot[260], buf[NAMES_TEXT_MAX + 1];

	memset(n255, 'a', 255);
	n255[255] = '\0';
	memset(n256, 'a', 256);
	n256[256] = '\0';
	memcpy(n255dot, n255, 255);
	n255dot[255] = '.';
	n255dot[256] = '\0';
	assert_int_equal(names_clean_one(n255, buf), NAMES_USABLE);
	assert_int_equal(strlen(buf), 255);
	assert_int_equal(names_clean_one(n255dot, buf), NAMES_USABLE);
	assert_int_equal(strlen(buf), 255);
	assert_int_equal(names_clean_one(n256, buf), NAMES_DROP_LONG);
	assert_string_equal(buf, "");
}

/* Underscores and 120-character names are fine (DNS allows them). */
static void
test_underscore_and_120(void **st)
{
	char n120[200];
	const char *in[2];

	memset(n120, 'x', 108);
	memcpy(n120 + 108, ".example.com", 13);   /* 120 octets */
	assert_int_equal(strlen(n120), 120);
	in[0] = "_srv.under_score.example.com.";
	in[1] = n120;
	clean(in, 2, 10);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.name[0], "_srv.under_score.example.com");
	assert_string_equal(out.name[1], n120);
}

/* De-duplicate after lower-casing and dropping the dot. */
static void
test_dedupe(void **st)
{
	const char *in[] = { "MX.example.com.", "mx.EXAMPLE.com", "mx.example.com.",
	    "other.example.com." };

	clean(in, 4, 10);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.n_dup, 2);
	assert_int_equal(out.n_usable, 2);
	assert_int_equal(out.n_in, 4);
	assert_string_equal(out.name[0], "mx.example.com");
	assert_string_equal(out.name[1], "other.example.com");
}

/* Sorted by octets, whatever order the server sent. */
static void
test_sorted(void **st)
{
	const char *in[] = { "zz.example.", "b.example.", "A.example.",
	    "a-b.example.", "_x.example." };

	clean(in, 5, 10);
	assert_int_equal(out.n, 5);
	assert_string_equal(out.name[0], "_x.example");
	assert_string_equal(out.name[1], "a-b.example");
	assert_string_equal(out.name[2], "a.example");
	assert_string_equal(out.name[3], "b.example");
	assert_string_equal(out.name[4], "zz.example");
}

/* Keep the first max_names after sorting: the cap is decided by content
 * only (40 names, as in the TCP fixture, keep the 10 smallest). */
static void
test_cap(void **st)
{
	char names[40][64];
	const char *in[40];
	size_t i;

	for (i = 0; i < 40; i++) {
		/* reverse order: n39 first */
		snprintf(names[i], sizeof(names[i]), "n%02zu.example.com.",
		    39 - i);
		in[i] = names[i];
	}
	clean(in, 40, 10);
	assert_int_equal(out.n, 10);
	assert_int_equal(out.n_usable, 40);
	for (i = 0; i < 10; i++) {
		char want[64];

		snprintf(want, sizeof(want), "n%02zu.example.com", i);
		assert_string_equal(out.name[i], want);
	}
	clean(in, 40, 1);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.name[0], "n00.example.com");
	/* at least 1, at most NAMES_KEEP_MAX */
	clean(in, 40, 0);
	assert_int_equal(out.n, 1);
	clean(in, 40, 1000);
	assert_int_equal(out.n, 40);
}

static void
test_cap_max(void **st)
{
	char (*names)[32] = calloc(100, 32);
	const char *in[100];
	size_t i;

	assert_non_null(names);
	for (i = 0; i < 100; i++) {
		snprintf(names[i], 32, "h%03zu.example.", i);
		in[i] = names[i];
	}
	clean(in, 100, 1000);
	assert_int_equal(out.n, NAMES_KEEP_MAX);
	assert_int_equal(out.n_usable, 100);
	free(names);
}

/* Unusable names never take a kept slot; counters say why. */
static void
test_mixed_drops(void **st)
{
	char n300[301];
	const char *in[6];

	memset(n300, 'q', 300);
	n300[300] = '\0';
	in[0] = ".";
	in[1] = "192.0.2.18.";
	in[2] = n300;
	in[3] = "b.example.";
	in[4] = "2001:db8::1";
	in[5] = "a.example.";
	clean(in, 6, 1);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.name[0], "a.example");
	assert_int_equal(out.n_root, 1);
	assert_int_equal(out.n_literal, 2);
	assert_int_equal(out.n_long, 1);
	assert_int_equal(out.n_usable, 2);
}

static void
test_empty_and_strings(void **st)
{
	clean(NULL, 0, 10);
	assert_int_equal(out.n, 0);
	assert_string_equal(names_drop_name(NAMES_USABLE), "usable");
	assert_string_equal(names_drop_name(NAMES_DROP_ROOT), "root name");
	assert_string_equal(names_drop_name(NAMES_DROP_LITERAL), "IP literal");
	assert_string_equal(names_drop_name(NAMES_DROP_LONG),
	    "longer than 255 characters as text");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_and_trailing_dot),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_ip_literals),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_underscore_and_120),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_max),
		cmocka_unit_test(test_mixed_drops),
		cmocka_unit_test(test_empty_and_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
