/* tests/test_overrides.c -- server/overrides.c: the exempt and block
 * lists' syntax, errors with FILE:LINE, longest-prefix matching, and the
 * set in force (install, keep on error, lookup). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../server/overrides.h"

/* Parse text as one list; returns the set (finished) or NULL with err. */
static struct overrides *
parse(int kind, const char *text, char *err, size_t errlen)
{
	struct overrides *o = overrides_new();
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(o);
	assert_non_null(f);
	if (overrides_read(o, kind, f, "list", err, errlen) != 0) {
		fclose(f);
		overrides_free(o);
		return NULL;
	}
	fclose(f);
	assert_int_equal(overrides_finish(o), 0);
	return o;
}

static int
match(const struct overrides *o, const char *ip, struct ovr_hit *hit)
{
	uint8_t a[ADDR_LEN];

	assert_int_equal(addr_parse(ip, a), 0);
	return overrides_match(o, a, hit);
}

/* Write text to a new temporary file whose name goes into path. */
static const char *
tmpfile_with(const char *text, char *path, size_t len)
{
	int fd;
	FILE *f;

	snprintf(path, len, "/tmp/test_overrides.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_exempt_syntax(void **st)
{
	char err[256] = "";
	struct ovr_hit h;
	struct overrides *o = parse(OVR_EXEMPT,
	    "# a comment\n"
	    "\n"
	    "   192.0.2.1   # trailing comment\n"
	    "198.51.100.0/24\r\n"
	    "2001:db8:1::/48\n"
	    "\t203.0.113.9", err, sizeof(err));

	assert_non_null(o);
	assert_int_equal(overrides_count(o, OVR_EXEMPT), 4);
	assert_int_equal(overrides_count(o, OVR_BLOCK), 0);
	assert_int_equal(match(o, "192.0.2.1", &h), OVR_EXEMPT);
	assert_int_equal(h.line, 3);
	assert_int_equal(match(o, "192.0.2.2", &h), OVR_NONE);
	assert_int_equal(match(o, "198.51.100.77", &h), OVR_EXEMPT);
	assert_int_equal(h.plen, 96 + 24);
	assert_int_equal(match(o, "::ffff:198.51.100.77", &h), OVR_EXEMPT);
	assert_int_equal(match(o, "2001:db8:1:ffff::1", &h), OVR_EXEMPT);
	assert_int_equal(match(o, "2001:db8:2::1", &h), OVR_NONE);
	assert_int_equal(match(o, "203.0.113.9", &h), OVR_EXEMPT);
	assert_int_equal(h.line, 6);
	overrides_free(o);
}

static void
test_block_codes_and_txt(void **st)
{
	char err[256] = "";
	struct ovr_hit h;
	struct overrides *o = parse(OVR_BLOCK,
	    "192.0.2.1\n"
	    "192.0.2.2 3\n"
	    "192.0.2.3 127.0.0.4 mismatch by hand  \n"
	    "192.0.2.4 bulk sender, see https://example.com/#42\n"
	    "192.0.2.5 4 spam # not part of the TXT\n"
	    "2001:db8::/32 127.0.0.2\n", err, sizeof(err));

	assert_non_null(o);
	assert_int_equal(overrides_count(o, OVR_BLOCK), 6);
	assert_int_equal(match(o, "192.0.2.1", &h), OVR_BLOCK);
	assert_int_equal(h.code, 2);
	assert_int_equal(h.txt_len, 0);
	assert_int_equal(match(o, "192.0.2.2", &h), OVR_BLOCK);
	assert_int_equal(h.code, 3);
	assert_int_equal(h.txt_len, 0);
	assert_int_equal(match(o, "192.0.2.3", &h), OVR_BLOCK);
	assert_int_equal(h.code, 4);
	assert_string_equal(h.txt, "mismatch by hand");
	/* '#' inside a word is text; a word starting with '#' is a comment */
	assert_int_equal(match(o, "192.0.2.4", &h), OVR_BLOCK);
	assert_int_equal(h.code, 2);
	assert_string_equal(h.txt, "bulk sender, see https://example.com/#42");
	assert_int_equal(match(o, "192.0.2.5", &h), OVR_BLOCK);
	assert_string_equal(h.txt, "spam");
	assert_int_equal(match(o, "2001:db8::99", &h), OVR_BLOCK);
	assert_int_equal(h.code, 2);
	overrides_free(o);
}

/* Every error names the list and the line. */
static void
test_errors_name_file_and_line(void **st)
{
	static const struct {
		int kind;
		const char *text, *want;
	} cases[] = {
		{ OVR_EXEMPT, "192.0.2.1\nnot-an-ip\n",
		  "list:2: 'not-an-ip' is not an address or CIDR network" },
		{ OVR_EXEMPT, "192.0.2.0/33\n",
		  "list:1: '192.0.2.0/33' is not an address or CIDR network" },
		{ OVR_EXEMPT, "# c\n192.0.2.1 192.0.2.2\n",
		  "list:2: '192.0.2.2' after the network: an exempt line holds "
		  "one address or network" },
		{ OVR_BLOCK, "\n\n192.0.2.1 5 text\n",
		  "list:3: code '5' is not 2, 3, 4 or 127.0.0.2..127.0.0.4" },
		{ OVR_BLOCK, "192.0.2.1 127.0.0.9\n",
		  "list:1: code '127.0.0.9' is not 2, 3, 4 or "
		  "127.0.0.2..127.0.0.4" },
		{ OVR_BLOCK, "192.0.2.1 2 caf\xc3\xa9\n",
		  "list:1: TXT has a character that is not printable ASCII "
		  "(0xc3 at column 16)" },
		{ OVR_BLOCK, "192.0.2.1 2 tab\there\n",
		  "list:1: TXT has a character that is not printable ASCII "
		  "(0x09 at column 16)" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_null(parse(cases[i].kind, cases[i].text, err,
		    sizeof(err)));
		assert_string_equal(err, cases[i].want);
	}
}

static void
test_txt_length_limit(void **st)
{
	char text[600], err[256] = "";
	struct ovr_hit h;
	struct overrides *o;

	/* 255 octets: fine */
	snprintf(text, sizeof(text), "192.0.2.1 2 %.*s\n", 255,
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	o = parse(OVR_BLOCK, text, err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(match(o, "192.0.2.1", &h), OVR_BLOCK);
	assert_int_equal(h.txt_len, 255);
	assert_int_equal(strlen(h.txt), 255);
	overrides_free(o);
	/* 256: an error */
	snprintf(text, sizeof(text), "192.0.2.1 2 y%.*s\n", 255,
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_null(parse(OVR_BLOCK, text, err, sizeof(err)));
	assert_string_equal(err, "list:1: TXT is 256 octets, more than 255");
}

static void
test_long_line(void **st)
{
	char *text = malloc(OVERRIDES_LINE_MAX + 100), err[256] = "";

	assert_non_null(text);
	memset(text, 'a', OVERRIDES_LINE_MAX + 50);
	memcpy(text, "192.0.2.1\n", 10);
	text[OVERRIDES_LINE_MAX + 50] = '\n';
	text[OVERRIDES_LINE_MAX + 51] = '\0';
	assert_null(parse(OVR_EXEMPT, text, err, sizeof(err)));
	assert_string_equal(err, "list:2: line longer than 1024 octets");
	free(text);
}

/* Longest prefix over both lists; equal networks: exempt wins; the same
 * network twice in one list: the later line wins. */
static void
test_longest_prefix_and_ties(void **st)
{
	char ex[64], bl[64], err[256] = "";
	struct overrides *o;
	struct ovr_hit h;

	tmpfile_with("192.0.2.0/25\n192.0.2.200\n198.51.100.0/24\n", ex,
	    sizeof(ex));
	tmpfile_with("192.0.2.0/24 3 the /24\n"
	    "192.0.2.5 4 one host inside the exempt /25\n"
	    "198.51.100.0/24 2 same network as an exempt entry\n"
	    "203.0.113.0/24 2 first\n"
	    "203.0.113.0/24 3 second\n", bl, sizeof(bl));
	assert_int_equal(overrides_load(&o, ex, bl, err, sizeof(err)), 0);
	assert_non_null(o);
	assert_int_equal(overrides_count(o, OVR_EXEMPT), 3);
	/* the 198.51.100.0/24 block entry lost to the exempt one, and one
	 * of the two 203.0.113.0/24 entries is gone */
	assert_int_equal(overrides_count(o, OVR_BLOCK), 3);
	assert_int_equal(match(o, "192.0.2.1", &h), OVR_EXEMPT);   /* /25 */
	assert_int_equal(match(o, "192.0.2.5", &h), OVR_BLOCK);    /* /32 */
	assert_int_equal(h.code, 4);
	assert_int_equal(match(o, "192.0.2.130", &h), OVR_BLOCK);  /* /24 */
	assert_int_equal(h.code, 3);
	assert_string_equal(h.txt, "the /24");
	assert_int_equal(match(o, "192.0.2.200", &h), OVR_EXEMPT); /* /32 */
	assert_int_equal(match(o, "198.51.100.1", &h), OVR_EXEMPT);
	assert_int_equal(match(o, "203.0.113.1", &h), OVR_BLOCK);
	assert_int_equal(h.code, 3);
	assert_int_equal(h.line, 5);
	assert_int_equal(match(o, "10.0.0.1", &h), OVR_NONE);
	assert_int_equal(match(o, "2001:db8::1", &h), OVR_NONE);
	overrides_free(o);
	unlink(ex);
	unlink(bl);
}

static void
test_load_missing_file_and_none(void **st)
{
	struct overrides *o = (struct overrides *)1;
	char err[256] = "";
	struct ovr_hit h;

	assert_int_equal(overrides_load(&o, "", NULL, err, sizeof(err)), 0);
	assert_null(o);
	assert_int_equal(overrides_match(NULL, (const uint8_t *)
	    "0123456789abcdef", &h), OVR_NONE);
	assert_int_equal(overrides_load(&o, "/nonexistent/exempt", "", err,
	    sizeof(err)), -1);
	assert_string_equal(err,
	    "/nonexistent/exempt: No such file or directory");
}

/* The set in force: a bad file leaves the old one, a good one replaces
 * it, lookups see the current one. */
static void
test_install_keeps_old_on_error(void **st)
{
	char bl[64], bad[64], ex[64], msg[700];
	struct ovr_hit h;
	uint8_t a[ADDR_LEN];

	assert_int_equal(addr_parse("192.0.2.9", a), 0);
	assert_int_equal(overrides_lookup(a, &h), OVR_NONE);
	tmpfile_with("192.0.2.9 4 blocked\n", bl, sizeof(bl));
	assert_int_equal(overrides_install("", bl, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "block "));
	assert_non_null(strstr(msg, ": 1 entries"));
	assert_int_equal(overrides_lookup(a, &h), OVR_BLOCK);
	assert_int_equal(h.code, 4);
	assert_int_equal(overrides_current_count(OVR_BLOCK), 1);

	tmpfile_with("192.0.2.9 4 blocked\n192.0.2.10 9\n", bad, sizeof(bad));
	assert_int_equal(overrides_install("", bad, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":2: code '9'"));
	assert_int_equal(overrides_lookup(a, &h), OVR_BLOCK);

	/* a good reload replaces it */
	tmpfile_with("192.0.2.0/24\n", ex, sizeof(ex));
	assert_int_equal(overrides_install(ex, "", msg, sizeof(msg)), 0);
	assert_int_equal(overrides_lookup(a, &h), OVR_EXEMPT);
	assert_int_equal(overrides_current_count(OVR_BLOCK), 0);
	/* no files: nothing in force */
	assert_int_equal(overrides_install("", "", msg, sizeof(msg)), 0);
	assert_int_equal(overrides_lookup(a, &h), OVR_NONE);
	overrides_shutdown();
	unlink(bl);
	unlink(bad);
	unlink(ex);
}

/* ::/0 in a list is every IPv6 address, not every address (addr.h). */
static void
test_v6_prefix_not_v4(void **st)
{
	char err[256] = "";
	struct ovr_hit h;
	struct overrides *o = parse(OVR_BLOCK,
	    "::/0 127.0.0.3\n"
	    "2001:db8::/32 127.0.0.4\n"
	    "192.0.2.0/24\n", err, sizeof(err));

	assert_non_null(o);
	assert_int_equal(match(o, "2001:db8::1", &h), OVR_BLOCK);
	assert_int_equal(h.code, 4);
	assert_int_equal(match(o, "2001:db9::1", &h), OVR_BLOCK);
	assert_int_equal(h.code, 3);
	assert_int_equal(match(o, "192.0.2.1", &h), OVR_BLOCK);
	assert_int_equal(h.code, 2);
	assert_int_equal(match(o, "198.51.100.1", &h), OVR_NONE);
	assert_int_equal(match(o, "::ffff:198.51.100.1", &h), OVR_NONE);
	overrides_free(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exempt_syntax),
		cmocka_unit_test(test_block_codes_and_txt),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_txt_length_limit),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_longest_prefix_and_ties),
		cmocka_unit_test(test_load_missing_file_and_none),
		cmocka_unit_test(test_install_keeps_old_on_error),
		cmocka_unit_test(test_v6_prefix_not_v4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
