/*
 * metrics.h -- the server's counters as Prometheus text over HTTP
 * (--metrics ADDR@PORT, loopback only, off by default), and the same
 * figures as "name value" lines for `fcrdnsctl stats`.
 *
 * Where the figures come from:
 *  - queries, answers by rcode and by verdict, hits, misses, waits,
 *    deadline and table-full answers: every worker's counters, summed
 *    without locks by server_stats_sum() (a snapshot, possibly a few
 *    queries stale);
 *  - checks by verdict and the check-latency histogram: the checker's
 *    IPC_DONE messages, whose arg carries the check's duration
 *    (common/ipc.h), seen by the main thread (metrics_note_ipc());
 *  - checks in flight, queue length, back-offs waiting, lookups: the
 *    checker's answer to the IPC_STATS the server sends once a second
 *    (so up to a second old; 0 until the first answer);
 *  - store entries and size: store_stat() on the main thread's own read
 *    handle, at scrape time;
 *  - checker restarts: the checker link.
 * Everything here runs on the main thread's event base: no locks.
 */
#ifndef FCRDNS_METRICS_H
#define FCRDNS_METRICS_H

#include <stdint.h>
#include "../common/ipc.h"

struct server;

/* Where metrics_walk() writes: one call per metric family (name, type
 * "counter" or "gauge" or "histogram", help text), then one per sample.
 * labels is "" or like `rcode="NXDOMAIN"`; a value with milli set is in
 * thousandths (printed with three decimals). */
struct metrics_sink {
	void (*family)(void *arg, const char *name, const char *type,
	    const char *help);
	void (*sample)(void *arg, const char *name, const char *labels,
	    uint64_t value, int milli);
	void *arg;
};

/* Account one message from the checker (IPC_DONE, IPC_STATS). */
void metrics_note_ipc(const struct ipc_msg *m);

/* Emit every figure to k. store may be NULL (no store figures). */
struct store;
void metrics_walk(struct server *s, struct store *store,
	const struct metrics_sink *k);

/*
 * Start polling the checker's load figures (once a second), and the
 * HTTP listener on cfg->metrics if its port is not 0. GET /metrics
 * answers the text format 0.0.4; anything else is 404.
 * Returns 0, or -1 after printing an error naming --metrics.
 */
int metrics_start(struct server *s);
void metrics_stop(void);

#endif
