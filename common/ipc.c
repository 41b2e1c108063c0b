/*
 * ipc.c -- fixed-size messages on the server/checker socketpair.
 *
 * SOCK_SEQPACKET keeps message boundaries, so one recv() returns one
 * message. We read into a buffer one byte larger than a message: a longer
 * datagram shows up as a length mismatch (MSG_TRUNC also reports it) and
 * is rejected instead of being half-read.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "ipc.h"

void
ipc_msg_init(struct ipc_msg *m, int type, const uint8_t addr[ADDR_LEN])
{
	memset(m, 0, sizeof(*m));
	m->magic = IPC_MAGIC;
	m->type = (uint16_t)type;
	if (addr)
		memcpy(m->addr, addr, ADDR_LEN);
}

int
ipc_send(int fd, const struct ipc_msg *m)
{
	ssize_t n;

	do
		n = send(fd, m, sizeof(*m), MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*m))
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
		return 1;
	return -1;
}

int
ipc_recv(int fd, struct ipc_msg *m)
{
	unsigned char buf[sizeof(struct ipc_msg) + 1];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
	if (n == 0)
		return -1; /* peer closed: SEQPACKET has no empty messages */
	if ((size_t)n != sizeof(*m))
		return -2;
	memcpy(m, buf, sizeof(*m));
	if (m->magic != IPC_MAGIC || m->type < IPC_CHECK ||
	    m->type > IPC_TYPE_MAX || m->reserved != 0)
		return -2;
	return 0;
}
