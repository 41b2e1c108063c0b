/* tests/test_config.c -- common/config.c: every flag, and the errors. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* Write text to a temporary file; returns its path (static buffer). */
static const char *
tmpfile_with(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/fcrdns-conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Every key the file takes, with the value it sets. */
static void
test_file_every_key(void **st)
{
	const char *path = tmpfile_with(
	    "# fcrdnsd.conf\n"
	    "listen = 127.0.0.1@5301\n"
	    "listen: ::1@5301\n"
	    "zone = Bl.Example.ORG\n"
	    "db = /tmp/fc-db\n"
	    "forward = 127.0.0.1@5399\n"
	    "stub = example.com=127.0.0.1@5398\n"
	    "wait-ms = 700\n"
	    "allow-query = 192.0.2.0/24\n"
	    "zone-file = /tmp/z.zone\n"
	    "max-waiting = 99\n"
	    "ttl-cap = 120\n"
	    "short-ttl = 7\n"
	    "stale-ttl = 20\n"
	    "identity = ns-a\n"
	    "no-version = yes\n"
	    "no-identity = true\n"
	    "no-nsid = 1\n"
	    "tcp-max = 9\n"
	    "tcp-idle-ms = 1500\n"
	    "max-names = 4\n"
	    "max-inflight = 17\n"
	    "max-queue = 1000\n"
	    "check-timeout-ms = 3000\n"
	    "ttl-min = 60\n"
	    "ttl-max = 3600\n"
	    "backoff-min = 5\n"
	    "backoff-max = 50\n"
	    "grace = 600\n"
	    "interest = 1200\n"
	    "no-default-skip = yes\n"
	    "skip = 198.51.100.0/24\n"
	    "user = nobody\n"
	    "chroot = /var/empty\n"
	    "control = /tmp/fc.sock\n"
	    "exempt = /tmp/exempt.list\n"
	    "block = /tmp/block.list\n"
	    "metrics = 127.0.0.1@9153\n"
	    "syslog = yes\n"
	    "query-log = no\n"
	    "verbose = 2\n");
	const char *argv[] = { "fcrdnsd", "-c", path };

	assert_int_equal(parse(3, argv), 0);
	unlink(path);
	assert_int_equal(cfg.n_listen, 2);
	assert_int_equal(cfg.listen[0].port, 5301);
	assert_false(cfg.listen[1].v4);
	assert_string_equal(cfg.zone, "bl.example.org");
	assert_string_equal(cfg.db, "/tmp/fc-db");
	assert_int_equal(cfg.n_forward, 1);
	assert_string_equal(cfg.forward[0], "127.0.0.1@5399");
	assert_string_equal(cfg.stub[0].addr, "127.0.0.1@5398");
	assert_int_equal(cfg.wait_ms, 700);
	assert_int_equal(cfg.allow.n, 1);
	assert_string_equal(cfg.zone_file, "/tmp/z.zone");
	assert_int_equal(cfg.max_waiting, 99);
	assert_int_equal(cfg.ttl_cap, 120);
	assert_int_equal(cfg.short_ttl, 7);
	assert_int_equal(cfg.stale_ttl, 20);
	assert_string_equal(cfg.identity, "ns-a");
	assert_true(cfg.no_version && cfg.no_identity && cfg.no_nsid);
	assert_int_equal(cfg.tcp_max, 9);
	assert_int_equal(cfg.tcp_idle_ms, 1500);
	assert_int_equal(cfg.max_names, 4);
	assert_int_equal(cfg.max_inflight, 17);
	assert_int_equal(cfg.max_queue, 1000);
	assert_int_equal(cfg.check_timeout_ms, 3000);
	assert_int_equal(cfg.ttl_min, 60);
	assert_int_equal(cfg.ttl_max, 3600);
	assert_int_equal(cfg.backoff_min, 5);
	assert_int_equal(cfg.backoff_max, 50);
	assert_int_equal(cfg.grace, 600);
	assert_int_equal(cfg.interest, 1200);
	assert_int_equal(cfg.skip.n, 1);
	assert_string_equal(cfg.user, "nobody");
	assert_string_equal(cfg.chroot_dir, "/var/empty");
	assert_string_equal(cfg.control, "/tmp/fc.sock");
	assert_string_equal(cfg.exempt_file, "/tmp/exempt.list");
	assert_string_equal(cfg.block_file, "/tmp/block.list");
	assert_int_equal(cfg.metrics.port, 9153);
	assert_true(cfg.syslog);
	assert_false(cfg.query_log);
	assert_int_equal(cfg.verbose, 2);
}

/* Flags override the file; a list flag replaces the file's list. */
static void
test_flags_override_file(void **st)
{
	const char *path = tmpfile_with("wait-ms = 700\nforward = 127.0.0.1@5399\n"
	    "forward = 127.0.0.2@5399\nzone = a.example\n");
	const char *argv[] = { "fcrdnsd", "--wait-ms", "100", "--config", path,
	    "--forward", "127.0.0.3" };

	assert_int_equal(parse(7, argv), 0);
	unlink(path);
	assert_int_equal(cfg.wait_ms, 100);
	assert_string_equal(cfg.zone, "a.example");
	assert_int_equal(cfg.n_forward, 1);
	assert_string_equal(cfg.forward[0], "127.0.0.3@53");
}

/* Errors name the file, the line and the key: exit status 2. */
static void
test_file_errors(void **st)
{
	const char *texts[] = {
		"zone = a.example\nbogus-key = 1\n",       /* unknown key, line 2 */
		"\n\nwait-ms = soon\n",                    /* bad value, line 3 */
		"no-nsid = maybe\n",                        /* bad switch */
		"metrics = 192.0.2.1@9153\n",               /* not loopback */
		"[server]\nzone = a.example\n",            /* sections unused */
		"this line has no delimiter\n",
		/* found by the attack run: inih cut long lines in two, so
		 * the tail of a comment became a setting */
		"# xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxx no-version = yes\n",
		"zone = \x1b[31mEVIL\n",                    /* control bytes */
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const char *path = tmpfile_with(texts[i]);
		const char *argv[] = { "fcrdnsd", "-c", path };
		int r = parse(3, argv);
		unlink(path);
		if (r != 2)
			fail_msg("file %zu: got %d, want 2", i, r);
	}
	{
		const char *argv[] = { "fcrdnsd", "-c", "/nonexistent/fcrdnsd.conf" };
		assert_int_equal(parse(3, argv), 2);
	}
	{
		/* a directory or a device is not a configuration file */
		const char *argv[] = { "fcrdnsd", "-c", "/tmp" };
		const char *argv2[] = { "fcrdnsd", "-c", "/dev/zero" };
		assert_int_equal(parse(3, argv), 2);
		assert_int_equal(parse(3, argv2), 2);
	}
}

/* parse() with stderr captured into err (the one-line messages). */
static int
parse_err(int argc, const char **argv, char *err, size_t errlen)
{
	char path[] = "/tmp/fcrdns-conf-err.XXXXXX";
	int fd = mkstemp(path), saved, r;
	ssize_t n;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	r = parse(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return r;
}

/* The messages name the file, the line and the key (or the flag). */
static void
test_error_messages(void **st)
{
	static const struct { const char *text, *want; } files[] = {
		{ "zone = a.example\nbogus-key = 1\n", ":2: bogus-key: unknown key\n" },
		{ "\n\nwait-ms = soon\n", ":3: wait-ms: 'soon' is not a number\n" },
		{ "[server]\nzone = a.example\n",
		  ":1: [section] headers are not used: put keys at the top level\n" },
		{ "wait-ms = 5\n  [tail]\n",
		  ":2: [section] headers are not used: put keys at the top level\n" },
		{ "zone-file = /nonexistent\n", "" },   /* checked at start-up */
		{ "metrics = 127.0.0.1\n", ":1: metrics: '127.0.0.1' needs ADDR@PORT\n" },
		{ "wait-ms = 5\n# again:\n  wait-ms = 6\n",
		  ":3: wait-ms: already set on line 1 (only listen, forward, "
		  "stub, allow-query and skip may repeat)\n" },
		{ "syslog = yes\nsyslog = no\n",
		  ":2: syslog: already set on line 1 (only listen, forward, "
		  "stub, allow-query and skip may repeat)\n" },
	};
	static const struct { const char *a, *b, *want; } flags[] = {
		{ "--syslog=yes", NULL, "fcrdnsd: --syslog: takes no value\n" },
		{ "--wait-ms", "--db", "fcrdnsd: --wait-ms: needs a value (--db is a flag)\n" },
		{ "--metrics", "127.0.0.1", "fcrdnsd: --metrics: '127.0.0.1' needs ADDR@PORT\n" },
		{ "--listen", "127.0.0.1:53",
		  "fcrdnsd: --listen: '127.0.0.1:53' is not an IP address (the port goes after '@': ADDR@PORT)\n" },
		{ "--listen", "127.0.0.1@", "fcrdnsd: --listen: '127.0.0.1@' has no port after '@'\n" },
		{ "--wait-ms", "-5", "fcrdnsd: --wait-ms: '-5' is out of range 0..60000\n" },
		{ "--bogus", NULL, "fcrdnsd: --bogus: unknown flag (see --help)\n" },
	};
	char err[1024], want[1024];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *path = tmpfile_with(files[i].text);
		const char *argv[] = { "fcrdnsd", "-c", path };
		int r = parse_err(3, argv, err, sizeof(err));

		/* the program's name comes first: test_config here */
		snprintf(want, sizeof(want), "%s: %s%s",
		    program_invocation_short_name, path, files[i].want);
		if (files[i].want[0] == '\0') {
			assert_int_equal(r, 0);
			snprintf(want, sizeof(want), "%s:1: zone-file", path);
			assert_string_equal(cfg.zone_file_from, want);
			assert_string_equal(cfg.exempt_from, "--exempt");
		} else {
			assert_int_equal(r, 2);
			assert_string_equal(err, want);
		}
		unlink(path);
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const char *argv[] = { "fcrdnsd", flags[i].a, flags[i].b };

		assert_int_equal(parse_err(flags[i].b ? 3 : 2, argv, err,
		    sizeof(err)), 2);
		snprintf(want, sizeof(want), "%s%s",
		    program_invocation_short_name,
		    flags[i].want + strlen("fcrdnsd"));
		assert_string_equal(err, want);
	}
	{
		const char *argv[] = { "fcrdnsd", "--zone-file", "/z" };
		assert_int_equal(parse(3, argv), 0);
		assert_string_equal(cfg.zone_file_from, "--zone-file");
	}
}

/* fcrdnsd.conf(5): "#" or ";" after white space starts a comment; a "#"
 * inside a word (a path) is kept. */
static void
test_file_comments(void **st)
{
	const char *path = tmpfile_with(
	    "# whole line\n"
	    "; whole line\n"
	    "wait-ms = 250 # the demo's value\n"
	    "ttl-cap = 120\t# tab before it\n"
	    "short-ttl = 7 ; inih's own\n"
	    "zone-file = /etc/fcrdnsd/a#b.zone\n");
	const char *argv[] = { "fcrdnsd", "-c", path };

	assert_int_equal(parse(3, argv), 0);
	unlink(path);
	assert_int_equal(cfg.wait_ms, 250);
	assert_int_equal(cfg.ttl_cap, 120);
	assert_int_equal(cfg.short_ttl, 7);
	assert_string_equal(cfg.zone_file, "/etc/fcrdnsd/a#b.zone");
}

/* Indentation means nothing (inih alone would join an indented line to
 * the value of the key above it), and the lists repeat. */
static void
test_file_indent_and_lists(void **st)
{
	const char *path = tmpfile_with(
	    "zone = a.example\n"
	    "    wait-ms = 900\n"
	    "\tlisten = 127.0.0.1@5301\n"
	    "  listen = 127.0.0.2@5302\n"
	    "forward = 127.0.0.1@5353\n"
	    "forward = 127.0.0.1@5354\n"
	    "  # an indented comment\n");
	const char *argv[] = { "fcrdnsd", "-c", path };

	assert_int_equal(parse(3, argv), 0);
	unlink(path);
	assert_string_equal(cfg.zone, "a.example");
	assert_int_equal(cfg.wait_ms, 900);
	assert_int_equal(cfg.n_listen, 2);
	assert_int_equal(cfg.listen[1].port, 5302);
	assert_int_equal(cfg.n_forward, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_flags),
		cmocka_unit_test(test_errors_exit_2),
		cmocka_unit_test(test_file_every_key),
		cmocka_unit_test(test_flags_override_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_file_comments),
		cmocka_unit_test(test_file_indent_and_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
