/*
 * checker_int.h -- what the checker's own files share: the process state
 * (struct checker) and the functions one file calls in another.
 *   checker.c  the process, the window of running checks, the records
 *   server_link.c  the checker's end of the socketpair to the server
 *   upkeep.c   back-off retries, the sweep, statistics
 */
#ifndef FCRDNS_CHECKER_INT_H
#define FCRDNS_CHECKER_INT_H

#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "../common/config.h"
#include "../common/ipc.h"
#include "../store/store.h"
#include "check.h"
#include "record.h"
#include "resolve.h"
#include "table.h"
#include "writer.h"

#define CHECKER_BATCH_MAX  4096    /* records in one write batch */
#define CHECKER_OUTQ_MAX   65536   /* IPC_DONE messages waiting to be sent */
#define CHECKER_STATS_S    60      /* stats line period with -v */

struct checker_stats {
	uint64_t msgs, bad_msgs, checks, dedup, skipped, queue_full;
	uint64_t refresh_dropped, backoff_answered, retries, retry_stopped;
	uint64_t timeouts, by_verdict[8], swept, store_errors, done_dropped;
	uint64_t hints_dropped;
	uint64_t retry_overflow;  /* failures stored without back-off: full */
	uint64_t unstored;        /* verdicts lost to store errors */
	size_t max_running, max_queued;
};

struct checker {
	const struct config *cfg;
	struct event_base *base;
	struct store *st;          /* writer handle: the writer thread's */
	struct store *rd;          /* the loop's reads */
	struct writer *wr;         /* checker/writer.h */
	int put_inflight;          /* a WJ_PUT batch is with the writer */
	int sweep_inflight;        /* a WJ_SWEEP is with the writer */
	struct resolver res;
	struct table tab;
	int fd;
	size_t window_lookups;     /* max_inflight * (1 + max_names) */
	struct event *ev_read, *ev_write, *ev_flush, *ev_tick;
	struct event *ev_sig[3];
	struct ipc_msg *outq;      /* ring of unsent IPC_DONE */
	size_t out_head, out_n, out_cap;
	int64_t next_sweep, next_stats;
	struct record_buf old;     /* scratch for the previous record */
	struct record_buf nb;      /* scratch for the record being built */
	struct checker_stats stats;
};

static inline int64_t
checker_now(void)
{
	return (int64_t)time(NULL);
}

static inline int64_t
checker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* checker.c */
void checker_pump(struct checker *k);
void checker_check_free(struct checker *k, struct check *ck);

/* server_link.c: queue or send one message to the server (arg: ipc_msg.arg) */
void checker_forget_done(struct checker *k, const struct wjob *j);
void checker_send_arg(struct checker *k, int type,
	const uint8_t addr[ADDR_LEN], int verdict, uint32_t arg);
void checker_send(struct checker *k, int type, const uint8_t addr[ADDR_LEN],
	int verdict);
void checker_write_cb(evutil_socket_t fd, short what, void *arg);
void checker_read_cb(evutil_socket_t fd, short what, void *arg);

/* upkeep.c */
void checker_log_stats(struct checker *k, int info);
void checker_send_stats(struct checker *k);
void checker_tick_cb(evutil_socket_t fd, short what, void *arg);
int checker_resume_fn(const uint8_t key[ADDR_LEN],
	const struct store_record *rec, void *arg);
int64_t checker_sweep_period(const struct config *c);
void checker_sweep_done(struct checker *k, const struct wjob *j);

#endif
