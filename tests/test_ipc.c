/* tests/test_ipc.c -- common/ipc.c on a real SOCK_SEQPACKET socketpair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "../common/ipc.h"

static void
test_round_trip(void **st)
{
	int sv[2];
	struct ipc_msg m, r;
	uint8_t a[16];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(addr_parse("192.0.2.2", a), 0);
	ipc_msg_init(&m, IPC_DONE, a);
	m.verdict = 2;
	assert_int_equal(ipc_send(sv[0], &m), 0);
	assert_int_equal(ipc_recv(sv[1], &r), 0);
	assert_int_equal(r.type, IPC_DONE);
	assert_int_equal(r.verdict, 2);
	assert_memory_equal(r.addr, a, 16);
	assert_int_equal(ipc_recv(sv[1], &r), 1); /* nothing waiting */
	close(sv[0]);
	assert_int_equal(ipc_recv(sv[1], &r), -1); /* EOF */
	close(sv[1]);
}

static void
test_rejects_wrong_size_and_content(void **st)
{
	int sv[2];
	struct ipc_msg m, r;
	uint8_t big[sizeof(m) + 8];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(send(sv[0], "short", 5, 0), 5);
	assert_int_equal(ipc_recv(sv[1], &r), -2);
	memset(big, 0, sizeof(big));
	assert_int_equal(send(sv[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(ipc_recv(sv[1], &r), -2);
	ipc_msg_init(&m, IPC_CHECK, NULL);
	m.magic = 0xdeadbeef;
	assert_int_equal(send(sv[0], &m, sizeof(m), 0), (ssize_t)sizeof(m));
	assert_int_equal(ipc_recv(sv[1], &r), -2);
	ipc_msg_init(&m, 99, NULL);
	assert_int_equal(send(sv[0], &m, sizeof(m), 0), (ssize_t)sizeof(m));
	assert_int_equal(ipc_recv(sv[1], &r), -2);
	/* a good message after the bad ones still arrives */
	ipc_msg_init(&m, IPC_SEEN, NULL);
	assert_int_equal(ipc_send(sv[0], &m), 0);
	assert_int_equal(ipc_recv(sv[1], &r), 0);
	assert_int_equal(r.type, IPC_SEEN);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejects_wrong_size_and_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
