/*
 * checker/writer.h -- the checker's store writer: a thread that runs the
 * LMDB write transactions, so that the event loop never waits on disk.
 *
 * Why a thread: every commit fdatasync()s (store/env.c), and a sync can
 * take milliseconds on a quiet disk and seconds on a busy one. On the
 * loop, that stalls every lookup in flight and every IPC message. Here
 * the loop hands over a job and goes on; the job's completion comes back
 * to the loop through an eventfd, and only then are its IPC_DONEs sent
 * (a query must find the verdict in the store when it is told to look).
 *
 * Jobs run one at a time, in the order submitted:
 *  - WJ_PUT: one batch of encoded records, one transaction, one sync. The
 *    loop keeps at most one in flight and gathers what finishes meanwhile
 *    into the next (group commit: the busier, the larger the batch);
 *  - WJ_FORGET: delete one key;
 *  - WJ_SWEEP: delete the records record_sweepable() allows, walking the
 *    store in steps of WRITER_SWEEP_STEP records, one transaction each,
 *    with any other job run between two steps, so that a sweep of a
 *    large store never holds up verdicts for long.
 *
 * The writer owns the store handle it is given from writer_start() until
 * writer_stop(); the loop reads through a handle of its own.
 */
#ifndef FCRDNS_CHECKER_WRITER_H
#define FCRDNS_CHECKER_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include "../common/addr.h"

struct event_base;
struct store;
struct store_record;
struct writer;

#define WRITER_SWEEP_STEP 20000  /* records visited per sweep transaction */

enum wjob_kind { WJ_PUT = 1, WJ_FORGET, WJ_SWEEP };

struct wjob {
	enum wjob_kind kind;

	/* WJ_PUT: n records; key i, its encoded record at arena + off[i]
	 * (len[i] bytes), and a cookie of the caller's. WJ_FORGET: key 0. */
	size_t n, cap;
	uint8_t (*keys)[ADDR_LEN];
	uint32_t *off, *len;
	void **tag;
	uint8_t *arena;
	size_t arena_len, arena_cap;

	/* WJ_SWEEP: the record_sweepable() arguments */
	int64_t now;
	uint32_t grace, interest;

	/* results, read in the completion callback */
	int rc;          /* STORE_OK, STORE_NOTFOUND (forget), STORE_FULL,
	                    STORE_ERR */
	size_t swept;    /* WJ_SWEEP: records deleted */

	TAILQ_ENTRY(wjob) link;
};

/* A new job of kind; NULL when memory is short. */
struct wjob *wjob_new(enum wjob_kind kind);
/* Append key (and for WJ_PUT the encoding of rec, and tag). 0, or -1
 * when memory is short or rec breaks the store's bounds. */
int wjob_add(struct wjob *j, const uint8_t key[ADDR_LEN],
	const struct store_record *rec, void *tag);
void wjob_free(struct wjob *j);

/*
 * Start the thread on st (a writer handle). done(job, arg) is called on
 * base's loop, once per job, in submission order; it owns the job then
 * (wjob_free). Returns 0, or -1 (logged).
 */
int writer_start(struct writer **out, struct store *st,
	struct event_base *base, void (*done)(struct wjob *, void *), void *arg);
/* Queue j (from the loop's thread). */
void writer_submit(struct writer *w, struct wjob *j);
/* Block until every job submitted has run (a sweep is cut short), then
 * call done for each on the caller's thread. */
void writer_wait(struct writer *w);
/* Jobs submitted and not yet completed. */
size_t writer_pending(const struct writer *w);
/* Run every job still queued (a sweep is cut short), call done for each
 * on the caller's thread, stop the thread and free w. NULL is allowed. */
void writer_stop(struct writer *w);

#endif
