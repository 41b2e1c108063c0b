/*
 * respond.h -- one DNS query in, one answer out (or "wait").
 *
 * This is the whole query path that the socket code (server/udp.c,
 * server/tcp.c) calls:
 * it parses the packet (server/query.c), classifies the name, consults the
 * store through the serving policy (server/policy.c) and writes the answer
 * in place (server/answer.c). It does no I/O of its own and no allocation.
 */
#ifndef FCRDNS_RESPOND_H
#define FCRDNS_RESPOND_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"
#include "../common/config.h"

struct store;
struct zone;

/* What the caller must do with the buffer after respond(). */
enum respond_result {
	RESPOND_SEND = 0,  /* send *outlen bytes of buf */
	RESPOND_DROP = 1,  /* send nothing (QR=1, header too short) */
	RESPOND_WAIT = 2   /* no verdict yet: park the query (see below) */
};

/* Hooks the responder uses to reach the checker; set by worker.c. Each one
 * returns 0 if the message was queued for the checker, -1 if it could not
 * be (checker down, socket full). */
struct respond_hooks {
	void *arg;
	int (*check)(void *arg, const uint8_t addr[ADDR_LEN]);   /* IPC_CHECK */
	int (*refresh)(void *arg, const uint8_t addr[ADDR_LEN]); /* IPC_REFRESH */
	int (*seen)(void *arg, const uint8_t addr[ADDR_LEN]);    /* IPC_SEEN */
};

/* One thread counts, others read (server_stats_sum(), with atomic
 * loads): a relaxed atomic load and store, which is a plain add on the
 * machines we run on, and no data race for the compiler or TSan. */
#define STAT_INC(c) \
	__atomic_store_n(&(c), __atomic_load_n(&(c), __ATOMIC_RELAXED) + 1, \
	    __ATOMIC_RELAXED)

/* Counters the responder keeps (read by stats/metrics). */
struct respond_stats {
	uint64_t queries, dropped, formerr, refused, notimp, nxdomain, noerror;
	uint64_t listed[5];     /* answers by verdict code 2..4 (index = code) */
	uint64_t hits, misses, stale, refreshes;
	uint64_t by_verdict[8]; /* address answers by the verdict served
	                           (enum verdict; metrics) */
	uint64_t exempt, blocked; /* answers from the override lists */
};

struct responder {
	const struct config *cfg;
	const struct zone *zone;
	struct store *store;    /* read-only handle */
	struct respond_hooks hooks;
	struct respond_stats stats;
	int64_t now;            /* seconds; set by the caller before each batch */
	/* private: at-most-once refresh memory (fixed size, no allocation) */
	struct { uint8_t addr[ADDR_LEN]; int64_t stamp; } refreshed[1024];
	/* private: when IPC_SEEN last went out for an address */
	struct { uint8_t addr[ADDR_LEN]; int64_t at; } seen_sent[1024];
};

/* Set up r; zone and store must outlive it. */
void respond_init(struct responder *r, const struct config *cfg,
	const struct zone *zone, struct store *store);

/*
 * Answer the query in buf[0..len) in place. cap is the buffer's size
 * (>= 65535 + 2 is always enough); tcp is 1 for TCP (no 512/EDNS limit,
 * no TC), client is the peer (16-byte key), used for the access list.
 * On RESPOND_SEND, *outlen is the answer's length in buf.
 * On RESPOND_WAIT, *waitaddr is the address whose check the query waits
 * for; the caller parks the query and asks the checker for that check
 * (hooks.check is called only for a check that nothing waits for: the
 * IPv4 address that is also an IPv6 prefix, answered at once). buf is left
 * as the query so that the caller can copy it into its wait table and
 * later call respond_final() on that copy.
 */
int respond(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	const uint8_t client[ADDR_LEN], int tcp, size_t *outlen,
	uint8_t waitaddr[ADDR_LEN]);

/*
 * Answer a query that was parked: either its address is done (look it up
 * again) or its deadline passed (deadline = 1: the short-TTL NXDOMAIN of
 * verdicts.md, or NODATA for the IPv4/IPv6-prefix overlap). Never returns
 * RESPOND_WAIT; with deadline = 0 and still no verdict in the store it
 * answers as at the deadline.
 */
int respond_final(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	int tcp, int deadline, size_t *outlen);

#endif
