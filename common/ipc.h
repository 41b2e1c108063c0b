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
	IPC_RECHECK = 5,  /* server -> checker: forced re-check (admin), with
	                     a fresh DNS cache; answered by an IPC_DONE
	                     with IPC_DONE_RECHECK set */
	IPC_FORGET = 6,   /* server -> checker: delete addr's record and
	                     back-off (admin); the checker echoes it back
	                     when done, arg = enum ipc_forget_result */
	IPC_STATS = 7     /* server -> checker: send your load figures;
	                     checker -> server: them (struct ipc_stats in
	                     addr, see below). The server asks once a
	                     second (server/metrics.c). */
};
#define IPC_TYPE_MAX IPC_STATS

/*
 * IPC_DONE's arg: bits 0..29 are the check's duration in ms (capped),
 * valid when IPC_DONE_CHECKED is set (a check ran; without it the
 * verdict came from no lookup: a skipped range, a back-off, a full
 * queue). IPC_DONE_RECHECK marks the end of a forced re-check.
 */
#define IPC_DONE_MS_MASK  0x3fffffffu
#define IPC_DONE_CHECKED  0x40000000u
#define IPC_DONE_RECHECK  0x80000000u

enum ipc_forget_result {
	IPC_FORGET_DELETED = 0,
	IPC_FORGET_NOTFOUND = 1,
	IPC_FORGET_ERROR = 2
};

/*
 * IPC_STATS: the 16 address bytes carry four uint32 in host order (both
 * ends are the same binary on the same host): checks running, addresses
 * queued for the window, back-offs waiting to retry, and the lookups
 * libunbound has outstanding. arg is unused.
 */
struct ipc_stats {
	uint32_t running, queued, retry_wait, lookups;
};
_Static_assert(sizeof(struct ipc_stats) <= ADDR_LEN,
    "struct ipc_stats must fit in ipc_msg.addr");

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
