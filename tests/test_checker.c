/*
 * tests/test_checker.c -- checker/checker.c and checker/table.c through
 * their real interfaces: the checker process on a socketpair, with a
 * temporary store and a resolver that can never answer (a --forward to a
 * closed loopback port and a 300 ms --check-timeout-ms), so no DNS data
 * is needed. What it pins: NOT_APPLICABLE without lookups or storage,
 * one check per address however often it is asked, the full queue
 * answering TEMPERROR at once, the TEMPERROR record with its back-off,
 * malformed messages dropped, and a clean exit on EOF.
 * Lookups against a real NSD are in the integration suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../common/config.h"
#include "../common/ipc.h"
#include "../common/log.h"
#include "../common/verdict.h"
#include "../checker/checker.h"
#include "../checker/table.h"
#include "../store/store.h"

static char dbdir[] = "/tmp/fcrdns-test-checker-XXXXXX";
static pid_t child = -1;
static int fd = -1;

/* Start the checker in a child on one end of a socketpair. */
static void
start_checker(uint32_t max_inflight, uint32_t max_queue)
{
	struct config c;
	int sv[2];

	config_defaults(&c);
	snprintf(c.db, sizeof(c.db), "%s", dbdir);
	snprintf(c.forward[0], sizeof(c.forward[0]), "127.0.0.1@1");
	c.n_forward = 1;
	c.check_timeout_ms = 300;
	c.max_inflight = max_inflight;
	c.max_queue = max_queue;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(sv[0]);
		c.checker_fd = sv[1];
		log_init("test-checker", -1);
		_exit(checker_main(&c));
	}
	close(sv[1]);
	fd = sv[0];
}

/* Close our end and expect a clean exit. */
static void
stop_checker(void)
{
	int status = -1;

	close(fd);
	fd = -1;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	child = -1;
}

static void
send_msg(int type, const char *a)
{
	struct ipc_msg m;
	uint8_t k[ADDR_LEN];

	assert_int_equal(addr_parse(a, k), 0);
	ipc_msg_init(&m, type, k);
	assert_int_equal(ipc_send(fd, &m), 0);
}

/* Wait up to ms for one message; returns 0 with *m, or -1 on timeout. */
static int
recv_msg(struct ipc_msg *m, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return ipc_recv(fd, m) == 0 ? 0 : -1;
}

static void
expect_done(const char *a, int verdict, int ms)
{
	struct ipc_msg m;
	uint8_t k[ADDR_LEN];

	assert_int_equal(addr_parse(a, k), 0);
	if (recv_msg(&m, ms) != 0)
		fail_msg("no IPC_DONE for %s within %d ms", a, ms);
	assert_int_equal(m.type, IPC_DONE);
	assert_memory_equal(m.addr, k, ADDR_LEN);
	assert_int_equal(m.verdict, verdict);
}

static int
setup(void **st)
{
	assert_non_null(mkdtemp(dbdir));
	return 0;
}

static int
teardown(void **st)
{
	char cmd[128];

	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dbdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Skipped ranges: DONE NOT_APPLICABLE at once, nothing stored. */
static void
test_skip(void **st)
{
	struct store *s;
	struct store_record r;
	uint8_t k[ADDR_LEN];

	start_checker(4, 10);
	send_msg(IPC_CHECK, "10.0.0.5");
	expect_done("10.0.0.5", V_NOT_APPLICABLE, 2000);
	send_msg(IPC_RECHECK, "fd00::5");
	expect_done("fd00::5", V_NOT_APPLICABLE, 2000);
	stop_checker();
	assert_int_equal(store_open(&s, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(addr_parse("10.0.0.5", k), 0);
	assert_int_equal(store_get(s, k, &r), STORE_NOTFOUND);
	store_close(s);
}

/* Five CHECKs for one address: one check, one DONE; its TEMPERROR is
 * stored with a back-off (the address was asked for just now). */
static void
test_dedupe_and_temperror(void **st)
{
	struct ipc_msg m;
	struct store *s;
	struct store_record r;
	uint8_t k[ADDR_LEN];
	int i;

	start_checker(4, 10);
	for (i = 0; i < 5; i++)
		send_msg(IPC_CHECK, "192.0.2.99");
	expect_done("192.0.2.99", V_TEMPERROR, 3000);
	assert_int_equal(recv_msg(&m, 700), -1);   /* no second DONE */
	/* during the back-off a CHECK is answered from it, no new check */
	send_msg(IPC_CHECK, "192.0.2.99");
	expect_done("192.0.2.99", V_TEMPERROR, 100);
	stop_checker();
	assert_int_equal(store_open(&s, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(addr_parse("192.0.2.99", k), 0);
	assert_int_equal(store_get(s, k, &r), STORE_OK);
	assert_int_equal(r.verdict, V_TEMPERROR);
	assert_int_equal(r.def_verdict, V_NONE);
	assert_int_equal(r.fail_count, 1);
	assert_int_equal(r.backoff_s, 30);
	assert_true(r.retry_at >= r.checked_at + 30);
	assert_true(r.last_query_at > 0);
	store_close(s);
}

/* Window 1, queue 1: the third distinct address finds the queue full
 * and is answered TEMPERROR at once (nothing stored for it); a malformed
 * message is dropped and the checker carries on. When the first check
 * hits its deadline its PTR lookup is cancelled but stays counted
 * (resolve.h: libunbound runs it on), so with a lookup window of
 * 1 * (1 + max_names) the queued second check may not start yet. */
static void
test_queue_full_and_window(void **st)
{
	struct ipc_msg m;
	struct store *s;
	struct store_record r;
	uint8_t k[ADDR_LEN];
	char junk[7] = "garbage";

	start_checker(1, 1);
	assert_int_equal(send(fd, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	send_msg(IPC_CHECK, "192.0.2.101");   /* runs */
	send_msg(IPC_CHECK, "192.0.2.102");   /* queued */
	send_msg(IPC_CHECK, "192.0.2.103");   /* queue full */
	expect_done("192.0.2.103", V_TEMPERROR, 2000);
	expect_done("192.0.2.101", V_TEMPERROR, 3000);
	assert_int_equal(recv_msg(&m, 1000), -1);  /* 102 waits */
	stop_checker();
	assert_int_equal(store_open(&s, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(addr_parse("192.0.2.103", k), 0);
	assert_int_equal(store_get(s, k, &r), STORE_NOTFOUND);
	assert_int_equal(addr_parse("192.0.2.102", k), 0);
	assert_int_equal(store_get(s, k, &r), STORE_NOTFOUND);
	assert_int_equal(addr_parse("192.0.2.101", k), 0);
	assert_int_equal(store_get(s, k, &r), STORE_OK);
	assert_int_equal(r.verdict, V_TEMPERROR);
	store_close(s);
}

/* The table: find/add/remove, states and queue order ("now" first). */
static void
test_table(void **st)
{
	struct table t;
	struct entry *e[3000];
	uint8_t k[ADDR_LEN];
	int i;

	assert_int_equal(table_init(&t), 0);
	memset(k, 0, sizeof(k));
	for (i = 0; i < 3000; i++) {
		k[14] = (uint8_t)(i >> 8);
		k[15] = (uint8_t)i;
		e[i] = table_add(&t, k);
		assert_non_null(e[i]);
		table_set_queued(&t, e[i], i % 2 ? QUEUE_NOW : QUEUE_LATER);
	}
	assert_int_equal(t.n, 3000);
	assert_int_equal(t.n_queued, 3000);
	assert_true(t.n_bucket >= 1024);
	for (i = 0; i < 3000; i++) {
		k[14] = (uint8_t)(i >> 8);
		k[15] = (uint8_t)i;
		assert_ptr_equal(table_find(&t, k), e[i]);
	}
	assert_ptr_equal(table_next_queued(&t), e[1]);
	table_set_running(&t, e[1]);
	assert_int_equal(t.n_running, 1);
	assert_ptr_equal(table_next_queued(&t), e[3]);
	table_set_retry(&t, e[3], 42);
	assert_int_equal(t.n_retry, 1);
	assert_int_equal(e[3]->retry_at, 42);
	table_set_done(&t, e[1]);
	assert_int_equal(t.n_running, 0);
	table_remove(&t, e[1]);
	k[14] = 0;
	k[15] = 1;
	assert_null(table_find(&t, k));
	assert_int_equal(t.n, 2999);
	assert_int_equal(t.n_queued, 2998);
	table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_dedupe_and_temperror),
		cmocka_unit_test(test_queue_full_and_window),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
