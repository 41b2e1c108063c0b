/*
 * checker/table.h -- the addresses the checker is working on.
 *
 * One entry per address that is queued, being checked, or waiting for a
 * TEMPERROR retry. The table is what makes checks unique per address
 * (a second IPC_CHECK for an address in flight joins the first) and what
 * holds the back-off timers. Two FIFO queues feed the window: "now" for
 * checks a query waits on (IPC_CHECK, IPC_RECHECK) and "later" for
 * background work (IPC_REFRESH prefetch, back-off retries), so that a
 * burst of refreshes never delays a waiting query.
 */
#ifndef FCRDNS_CHECKER_TABLE_H
#define FCRDNS_CHECKER_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include "../common/addr.h"

struct check;

enum entry_state {
	ENTRY_QUEUED = 1,    /* on a queue, waiting for room in the window */
	ENTRY_RUNNING,       /* its check runs */
	ENTRY_DONE,          /* finished, waits for the next write batch */
	ENTRY_WRITING,       /* in the batch the store writer runs now */
	ENTRY_RETRY          /* TEMPERROR back-off: waits for retry_at */
};

enum entry_queue { QUEUE_NOW = 0, QUEUE_LATER = 1 };

struct entry {
	uint8_t addr[ADDR_LEN];
	enum entry_state state;
	enum entry_queue queue;    /* ENTRY_QUEUED: which one */
	int64_t retry_at;          /* ENTRY_RETRY */
	int64_t last_query_at;     /* latest query we heard of (0: none) */
	struct check *check;       /* ENTRY_RUNNING / DONE / WRITING (NULL for
	                              an entry that only stops a back-off) */
	int64_t new_retry_at;      /* ENTRY_WRITING: retry_at of the record
	                              being written (0: none) */
	uint8_t put;               /* ENTRY_WRITING: a record is written */
	void *owner;               /* the checker, for the check's callback */
	int64_t started_ms;        /* when its check started (monotonic ms) */
	uint8_t recheck;           /* forced re-check (IPC_RECHECK): the next
	                              check runs with a fresh DNS cache */
	uint8_t again;             /* IPC_RECHECK came while a check ran:
	                              check again once it is done */
	struct entry *hnext;       /* hash chain */
	TAILQ_ENTRY(entry) link;   /* queue, running, done or retry list */
};
TAILQ_HEAD(entry_list, entry);

struct table {
	struct entry **bucket;
	size_t n_bucket;           /* power of two */
	size_t n;                  /* entries */
	struct entry_list queue[2];
	size_t n_queued;
	struct entry_list running;
	size_t n_running;
	struct entry_list done;
	struct entry_list writing;
	size_t n_writing;
	struct entry_list retry;
	size_t n_retry;
};

int table_init(struct table *t);
/* Frees every entry; running checks are the caller's (free them first). */
void table_free(struct table *t);

struct entry *table_find(struct table *t, const uint8_t addr[ADDR_LEN]);
/* A new entry (not on any list, state 0). NULL if out of memory. */
struct entry *table_add(struct table *t, const uint8_t addr[ADDR_LEN]);
/* Unlink from its list and the hash, and free. */
void table_remove(struct table *t, struct entry *e);

/* Move e to a state (and list); keeps the counters right. */
void table_set_queued(struct table *t, struct entry *e, enum entry_queue q);
void table_set_running(struct table *t, struct entry *e);
void table_set_done(struct table *t, struct entry *e);
void table_set_writing(struct table *t, struct entry *e);
void table_set_retry(struct table *t, struct entry *e, int64_t retry_at);

/* The next queued entry ("now" first), or NULL. */
struct entry *table_next_queued(struct table *t);

#endif
