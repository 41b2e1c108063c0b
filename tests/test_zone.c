/* tests/test_zone.c -- server/zone.c: loading, renaming, errors, lookups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../server/zone.h"

static char tmpdir[64];

/* Write text to a file in the temp dir; returns its path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Index of the first record owned by wire name of type, or -1. */
static int
find(const struct zone *z, const uint8_t *wire, size_t len, uint16_t type)
{
	int i;

	for (i = 0; i < z->n_rr; i++)
		if (z->rr[i].type == type &&
		    zone_rr_owned_by(&z->rr[i], wire, len))
			return i;
	return -1;
}

#define W(s) (const uint8_t *)(s), sizeof(s)   /* a wire literal: its NUL is the root label */

static void
test_load_shipped_zone(void **st)
{
	struct zone *z;
	char err[256];
	const struct zone_rr *soa;
	int i;

	assert_int_equal(zone_load(&z, "zones/fcrdns.local.zone",
	    "fcrdns.local", err, sizeof(err)), 0);
	assert_int_equal(z->apex_len, 14);
	assert_memory_equal(z->apex, "\6fcrdns\5local", 14);
	assert_int_equal(z->apex_labels, 2);
	assert_int_equal(z->n_rr, 3);
	soa = zone_soa(z);
	assert_int_equal(soa->type, ZONE_TYPE_SOA);
	assert_int_equal(soa->ttl, 3600);
	assert_int_equal(z->soa_ttl, 3600);
	assert_int_equal(z->soa_minimum, 300);
	assert_int_equal(zone_neg_ttl(z), 300);
	/* SOA rdata: mname, rname, serial 1, 3600, 600, 604800, 300 */
	assert_int_equal(soa->rdlen, 18 + 25 + 20);
	assert_memory_equal(soa->rdata, "\3ns1\6fcrdns\5local", 18);
	assert_memory_equal(soa->rdata + 18, "\12hostmaster\6fcrdns\5local",
	    25);
	assert_memory_equal(soa->rdata + 43,
	    "\0\0\0\1" "\0\0\x0e\x10" "\0\0\x02\x58" "\0\x09\x3a\x80"
	    "\0\0\x01\x2c", 20);
	i = find(z, W("\6fcrdns\5local"), ZONE_TYPE_NS);
	assert_true(i >= 0);
	assert_int_equal(z->rr[i].rdlen, 18);
	assert_memory_equal(z->rr[i].rdata, "\3ns1\6fcrdns\5local", 18);
	i = find(z, W("\3NS1\6fcrdns\5local"), ZONE_TYPE_A);
	assert_true(i >= 0);
	assert_int_equal(z->rr[i].ttl, 3600);
	assert_int_equal(z->rr[i].rdlen, 4);
	assert_memory_equal(z->rr[i].rdata, "\x7f\0\0\1", 4);
	zone_free(z);
}

static void
test_lookup(void **st)
{
	struct zone *z;
	char err[256];
	const char *f = write_file("deep.zone",
	    "$ORIGIN fcrdns.local.\n"
	    "@ 600 IN SOA ns1 hostmaster 1 2 3 4 60\n"
	    "@ IN NS ns1\n"
	    "ns1 IN A 127.0.0.1\n"
	    "a.b.c IN TXT \"deep\"\n");

	assert_int_equal(zone_load(&z, f, NULL, err, sizeof(err)), 0);
	assert_int_equal(zone_neg_ttl(z), 60);
	assert_int_equal(zone_name_lookup(z, W("\6fcrdns\5local")),
	    ZONE_NAME_DATA);
	assert_int_equal(zone_name_lookup(z, W("\3Ns1\6FCRDNS\5local")),
	    ZONE_NAME_DATA);
	assert_int_equal(zone_name_lookup(z, W("\1a\1b\1c\6fcrdns\5local")),
	    ZONE_NAME_DATA);
	assert_int_equal(zone_name_lookup(z, W("\1b\1c\6fcrdns\5local")),
	    ZONE_NAME_ENT);
	assert_int_equal(zone_name_lookup(z, W("\1c\6fcrdns\5local")),
	    ZONE_NAME_ENT);
	assert_int_equal(zone_name_lookup(z, W("\1x\6fcrdns\5local")),
	    ZONE_NAME_NONE);
	assert_int_equal(zone_name_lookup(z, W("\1x\3ns1\6fcrdns\5local")),
	    ZONE_NAME_NONE);
	assert_true(zone_dname_equal((const uint8_t *)"\1A", 3,
	    (const uint8_t *)"\1a", 3));
	assert_false(zone_dname_equal((const uint8_t *)"\1a", 3,
	    (const uint8_t *)"\1b", 3));
	zone_free(z);
}

static void
test_rename_with_another_zone(void **st)
{
	struct zone *z;
	char err[256];
	const char *f = write_file("other.zone",
	    "$ORIGIN fcrdns.local.\n"
	    "$TTL 100\n"
	    "@ IN SOA ns1.fcrdns.local. hostmaster 1 2 3 4 50\n"
	    "@ IN NS ns1\n"
	    "@ IN NS ns.example.net.\n"
	    "ns1 IN A 127.0.0.1\n");
	int i;

	assert_int_equal(zone_load(&z, f, "DNSBL.Example.ORG", err,
	    sizeof(err)), 0);
	assert_int_equal(z->apex_len, 19);
	assert_memory_equal(z->apex, "\5dnsbl\7example\3org", 19);
	assert_int_equal(z->apex_labels, 3);
	assert_int_equal(zone_soa(z)->ttl, 100);
	assert_int_equal(zone_neg_ttl(z), 50);
	assert_true(zone_rr_owned_by(zone_soa(z),
	    W("\5dnsbl\7example\3org")));
	assert_memory_equal(zone_soa(z)->rdata,
	    "\3ns1\5dnsbl\7example\3org\0"
	    "\12hostmaster\5dnsbl\7example\3org", 23 + 30);
	i = find(z, W("\3ns1\5dnsbl\7example\3org"), ZONE_TYPE_A);
	assert_true(i >= 0);
	/* in-zone NS target moved, the foreign one untouched */
	assert_int_equal(z->rr[1].type, ZONE_TYPE_NS);
	assert_int_equal(z->rr[1].rdlen, 23);
	assert_memory_equal(z->rr[1].rdata, "\3ns1\5dnsbl\7example\3org", 23);
	assert_int_equal(z->rr[2].rdlen, 16);
	assert_memory_equal(z->rr[2].rdata, "\2ns\7example\3net", 16);
	assert_int_equal(zone_name_lookup(z, W("\3ns1\6fcrdns\5local")),
	    ZONE_NAME_NONE);
	zone_free(z);

	/* the shipped file under the same name needs no renaming */
	assert_int_equal(zone_load(&z, "zones/fcrdns.local.zone",
	    "FCRDNS.LOCAL", err, sizeof(err)), 0);
	assert_memory_equal(z->apex, "\6fcrdns\5local", 14);
	zone_free(z);
}

static void
test_file_without_origin_uses_zone_name(void **st)
{
	struct zone *z;
	char err[256];
	const char *f = write_file("noorigin.zone",
	    "@ 60 IN SOA ns1 hostmaster 1 2 3 4 30\n"
	    "@ 60 IN NS ns1\n"
	    "ns1 60 IN A 127.0.0.1\n");

	assert_int_equal(zone_load(&z, f, "bl.example", err, sizeof(err)), 0);
	assert_memory_equal(z->apex, "\2bl\7example", 12);
	assert_true(find(z, W("\3ns1\2bl\7example"), ZONE_TYPE_A) >= 0);
	zone_free(z);
}

static void
expect_error(const char *name, const char *text, const char *zone_name,
	const char *want)
{
	struct zone *z = (struct zone *)1;
	char err[256], full[256];
	const char *f = write_file(name, text);

	assert_int_equal(zone_load(&z, f, zone_name, err, sizeof(err)), -1);
	assert_null(z);
	snprintf(full, sizeof(full), "%s/%s", tmpdir, want);
	if (strcmp(err, full) != 0)
		fail_msg("got \"%s\", want \"%s\"", err, full);
}

static void
test_errors_name_file_and_line(void **st)
{
	struct zone *z;
	char err[256];

	expect_error("syntax.zone",
	    "$ORIGIN fcrdns.local.\n"
	    "@ IN SOA ns1 hostmaster 1 2 3 4 5\n"
	    "@ IN NS ns1\n"
	    "ns1 IN A 127.0.0.300\n",
	    NULL, "syntax.zone:4: Syntax error, could not parse the RR's rdata");
	expect_error("mid.zone",
	    "$ORIGIN fcrdns.local.\n"
	    "@ IN SOA ns1 hostmaster (\n"
	    "\t1 2 3 4 5 )\n"
	    "ns1 IN A 1.2.3\n"
	    "@ IN NS ns1\n",
	    NULL, "mid.zone:4: Syntax error, could not parse the RR's rdata");
	expect_error("nosoa.zone",
	    "$ORIGIN fcrdns.local.\n@ IN NS ns1\n", NULL,
	    "nosoa.zone: no SOA record");
	expect_error("nons.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n",
	    NULL, "nons.zone: no NS record at the apex");
	expect_error("outside.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n"
	    "@ IN NS ns1\nwww.example.com. IN A 192.0.2.1\n", NULL,
	    "outside.zone:4: record owner www.example.com. is outside "
	    "the zone");
	/* the line a record starts on, past comments and blank lines */
	expect_error("outside2.zone",
	    "; the apex\n$ORIGIN fcrdns.local.\n\n@ IN SOA ns1 hostmaster (\n"
	    "\t1 2 3 4 5 )\n  ; indented comment\n@ IN NS ns1\n\n; x\n"
	    "www.example.com. IN A 192.0.2.1\n", NULL,
	    "outside2.zone:10: record owner www.example.com. is outside "
	    "the zone");
	expect_error("twosoa.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n"
	    "@ IN NS ns1\nx IN SOA ns1 hostmaster 1 2 3 4 5\n", NULL,
	    "twosoa.zone:4: a second SOA (the first is on line 2)");
	/* found by a first-time user: ldns takes "garbage here" for a
	 * record of an unknown type (TYPE0); it must be a syntax error */
	expect_error("garbage.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n"
	    "@ IN NS ns1\ngarbage here\n", NULL,
	    "garbage.zone:4: Syntax error, could not parse the RR's type");
	/* RFC 2181 section 8: TTLs are 31 bits */
	expect_error("ttl.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n"
	    "@ 4294967295 IN NS ns1\n", NULL,
	    "ttl.zone:3: record fcrdns.local.: TTL 4294967295 is over "
	    "2147483647 (RFC 2181 section 8)");
	expect_error("minimum.zone",
	    "$ORIGIN fcrdns.local.\n@ IN SOA ns1 hostmaster 1 2 3 4 "
	    "2147483648\n@ IN NS ns1\n", NULL,
	    "minimum.zone:2: SOA MINIMUM 2147483648 is over 2147483647 (RFC "
	    "2181 section 8)");
	expect_error("include.zone",
	    "$ORIGIN fcrdns.local.\n$INCLUDE other\n", NULL,
	    "include.zone:2: $INCLUDE is not supported");

	assert_int_equal(zone_load(&z, "/nonexistent/x.zone", NULL, err,
	    sizeof(err)), -1);
	assert_string_equal(err,
	    "/nonexistent/x.zone: No such file or directory");
}

static int
setup(void **st)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_zone.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_shipped_zone),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_rename_with_another_zone),
		cmocka_unit_test(test_file_without_origin_uses_zone_name),
		cmocka_unit_test(test_errors_name_file_and_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
