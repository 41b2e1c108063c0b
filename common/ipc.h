/*
 * ipc.h -- the messages between the answer server and the checker.
 *
 * The two processes share one SOCK_SEQPACKET socketpair. Every message
 * is exactly sizeof(struct ipc_msg) bytes; ipc_recv() rejects any other
 * size and any bad magic or type, so a confused peer cannot make the
 * receiver read garbage (the OpenBSD imsg habit, without the framing).
 */
#ifndef FCRDNS_IPC_H
#define FCRDNS_IPC_H

#include <stdint.h>
#include "addr.h"

#define IPC_MAGIC 0x46435231u /* "FCR1" */

enum ipc_type {
	IPC_CHECK = 1,    /* server -> checker: check addr (a query is waiting) */
	IPC_REFRESH = 2,  /* server -> checker: re-check addr (prefetch/stale) */
	IPC_DONE = 3,     /* checker -> server: addr's verdict is stored */
	IPC_SEEN = 4,     /* server -> checker: addr was asked for (back-off) */
	IPC_RECHECK = 5   /* server -> checker: forced re-check (admin) */
};

struct ipc_msg {
	uint32_t magic;         /* IPC_MAGIC */
	uint16_t type;          /* enum ipc_type */
	uint16_t verdict;       /* IPC_DONE: enum verdict of the check */
	uint8_t addr[ADDR_LEN]; /* the address, mapped form for IPv4 */
	uint32_t arg;           /* type specific; 0 if unused */
	uint32_t reserved;      /* 0 */
};

/* Fill a message. */
void ipc_msg_init(struct ipc_msg *m, int type, const uint8_t addr[ADDR_LEN]);

/* Send one message on a non-blocking socket.
 * Returns 0, 1 if the socket would block (message not sent), -1 on error. */
int ipc_send(int fd, const struct ipc_msg *m);

/* Receive one message. Returns 0 with *m filled; 1 if nothing is waiting;
 * -1 on EOF or error; -2 for a message of the wrong size or content
 * (dropped, the caller logs it and carries on). */
int ipc_recv(int fd, struct ipc_msg *m);

#endif
