/* tests/test_config.c -- common/config.c: every flag, and the errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../common/config.h"

static struct config cfg;

static int
parse(int argc, const char **argv)
{
	config_defaults(&cfg);
	return config_parse(&cfg, argc, (char **)argv);
}

static void
test_defaults(void **st)
{
	const char *argv[] = { "fcrdnsd" };

	assert_int_equal(parse(1, argv), 0);
	assert_string_equal(cfg.zone, "fcrdns.local");
	assert_string_equal(cfg.db, "var/db");
	assert_string_equal(cfg.zone_file, "zones/fcrdns.local.zone");
	assert_int_equal(cfg.wait_ms, 1500);
	assert_int_equal(cfg.n_listen, 1);
	assert_int_equal(cfg.listen[0].port, 5300);
	assert_true(cfg.listen[0].v4);
	assert_int_equal(cfg.ttl_cap, 300);
	assert_int_equal(cfg.short_ttl, 10);
	assert_int_equal(cfg.max_names, 10);
	assert_int_equal(cfg.ttl_min, 300);
	assert_int_equal(cfg.ttl_max, 86400);
	assert_int_equal(cfg.backoff_min, 30);
	assert_int_equal(cfg.backoff_max, 900);
	assert_int_equal(cfg.grace, 86400);
	assert_int_equal(cfg.n_forward, 0);
	assert_int_equal(cfg.checker_fd, -1);
	assert_true(cfg.skip.n > 10);
}

static void
test_all_flags(void **st)
{
	const char *argv[] = { "fcrdnsd", "--listen", "127.0.0.2@5353",
	    "--listen", "::1@53", "--zone", "DNSBL.Example.NET.", "--db",
	    "/tmp/x", "--forward", "127.0.0.1", "--forward", "::1@5353",
	    "--stub", "example.com.=127.0.0.1@5301", "--wait-ms", "250",
	    "--allow-query", "192.0.2.0/24", "--zone-file", "z.zone", "-v",
	    "-v", "--max-names", "3", "--skip", "198.51.100.0/24",
	    "--no-default-skip", "--ttl-min", "5", "--ttl-max", "60",
	    "--no-nsid", "--tcp-max", "4" };

	assert_int_equal(parse(sizeof(argv) / sizeof(argv[0]), argv), 0);
	assert_int_equal(cfg.n_listen, 2);
	assert_int_equal(cfg.listen[0].port, 5353);
	assert_false(cfg.listen[1].v4);
	assert_string_equal(cfg.zone, "dnsbl.example.net");
	assert_string_equal(cfg.db, "/tmp/x");
	assert_int_equal(cfg.n_forward, 2);
	assert_string_equal(cfg.forward[0], "127.0.0.1@53");
	assert_string_equal(cfg.forward[1], "::1@5353");
	assert_int_equal(cfg.n_stub, 1);
	assert_string_equal(cfg.stub[0].zone, "example.com");
	assert_string_equal(cfg.stub[0].addr, "127.0.0.1@5301");
	assert_int_equal(cfg.wait_ms, 250);
	assert_int_equal(cfg.allow.n, 1);
	assert_string_equal(cfg.zone_file, "z.zone");
	assert_int_equal(cfg.verbose, 2);
	assert_int_equal(cfg.max_names, 3);
	assert_int_equal(cfg.skip.n, 1); /* defaults cleared, one added */
	assert_int_equal(cfg.ttl_min, 5);
	assert_int_equal(cfg.ttl_max, 60);
	assert_true(cfg.no_nsid);
	assert_int_equal(cfg.tcp_max, 4);
}

static void
test_errors_exit_2(void **st)
{
	const char *bad[][3] = {
		{ "fcrdnsd", "--wait-ms", "abc" },
		{ "fcrdnsd", "--wait-ms", "-1" },
		{ "fcrdnsd", "--wait-ms", "999999" },
		{ "fcrdnsd", "--listen", "127.0.0.1@0" },
		{ "fcrdnsd", "--listen", "300.0.0.1@53" },
		{ "fcrdnsd", "--forward", "resolver.example" },
		{ "fcrdnsd", "--stub", "example.com" },
		{ "fcrdnsd", "--stub", "=127.0.0.1@53" },
		{ "fcrdnsd", "--zone", "a..b" },
		{ "fcrdnsd", "--allow-query", "10.0.0.0/40" },
		{ "fcrdnsd", "--max-names", "0" },
		{ "fcrdnsd", "--bogus", "1" },
		{ "fcrdnsd", "stray", "arg" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(3, bad[i]);
		if (r != 2)
			fail_msg("%s %s: got %d, want 2", bad[i][1], bad[i][2], r);
	}
	{
		const char *argv[] = { "fcrdnsd", "--ttl-min", "100",
		    "--ttl-max", "50" };
		assert_int_equal(parse(5, argv), 2);
	}
	{
		const char *argv[] = { "fcrdnsd", "--wait-ms" };
		assert_int_equal(parse(2, argv), 2);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_flags),
		cmocka_unit_test(test_errors_exit_2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
