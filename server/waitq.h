/*
 * waitq.h -- the bounded table of queries parked until their check ends.
 *
 * verdicts.md: a cache miss is not answered "unlisted" at once; the query
 * waits for its check up to --wait-ms. Every query for one address (a
 * resolver's retries come with a new id and port) waits in the same
 * chain and is answered together when the checker reports the address
 * done. All memory is allocated once at start-up (--max-waiting entries):
 * a full table is answered at once with the deadline answer by the caller.
 */
#ifndef FCRDNS_WAITQ_H
#define FCRDNS_WAITQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "../common/addr.h"

/* Queries longer than this are not parked (they get the deadline answer
 * at once). Real queries are a question plus an OPT: well under 512. */
#define WAITQ_MAX_QUERY 1024

struct waitq_entry {
	uint8_t addr[ADDR_LEN];
	int64_t deadline_ms;          /* monotonic */
	/* where the answer goes: a UDP socket and peer, or a TCP connection
	 * (tcp_conn != NULL) that is still open if its generation matches */
	int udp_fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	void *tcp_conn;
	uint64_t tcp_gen;
	uint16_t qlen;
	uint8_t query[WAITQ_MAX_QUERY];
	/* private links */
	uint32_t hnext, prev, next;
	uint8_t in_use;
};

struct waitq;

/* Allocate a table of n entries. NULL on allocation failure. */
struct waitq *waitq_new(uint32_t n);
void waitq_free(struct waitq *q);

/* A free entry filled by the caller then committed with waitq_add(), or
 * NULL if the table is full. */
struct waitq_entry *waitq_reserve(struct waitq *q);
/* Link a reserved entry under e->addr with e->deadline_ms (deadlines must
 * be added in non-decreasing order: one --wait-ms for all). */
void waitq_add(struct waitq *q, struct waitq_entry *e);

/* 1 if some query waits for addr. */
int waitq_has(const struct waitq *q, const uint8_t addr[ADDR_LEN]);

/* Remove every entry waiting for addr, calling fn on each (the entry is
 * freed after fn returns). Returns the count. */
int waitq_take(struct waitq *q, const uint8_t addr[ADDR_LEN],
	void (*fn)(struct waitq_entry *e, void *arg), void *arg);

/* Remove the entries whose deadline is <= now_ms, calling fn on each.
 * Returns the count. */
int waitq_expire(struct waitq *q, int64_t now_ms,
	void (*fn)(struct waitq_entry *e, void *arg), void *arg);

/* Earliest deadline, or -1 if empty. */
int64_t waitq_next_deadline(const struct waitq *q);

/* Call fn for each distinct address that has waiters (after a checker
 * restart, their checks are asked for again). */
void waitq_foreach_addr(struct waitq *q,
	void (*fn)(const uint8_t addr[ADDR_LEN], void *arg), void *arg);

uint32_t waitq_count(const struct waitq *q);

#endif
