/*
 * checker/resolve.h -- DNS lookups through libunbound in event mode.
 *
 * One struct resolver wraps a ub_ctx created with ub_ctx_create_event()
 * on the checker's libevent base, configured from the flags (--stub,
 * --forward, else /etc/resolv.conf). A lookup is started with
 * resolve_start() and finishes with its callback, always from the event
 * loop (never inside resolve_start(), even when libunbound answers from
 * local data at once), with the decoded reply (checker/reply.h).
 *
 * Cancelling and the outstanding count. In event mode ub_cancel() only
 * marks the query: libunbound keeps resolving it until it gives up, and
 * then drops the callback. The checker bounds its load on what libunbound
 * really runs, so a cancelled lookup stays counted in
 * resolver.outstanding until its callback would have fired. That moment
 * cannot be observed (the callback is suppressed), so it is estimated by a
 * hold timer of RESOLVE_HOLD_MS: an upper bound of how long libunbound
 * works on one query before it answers SERVFAIL (measured, see below). The estimate errs on the long side: the window may
 * shrink for a while after a burst of timeouts, it never overshoots.
 */
#ifndef FCRDNS_CHECKER_RESOLVE_H
#define FCRDNS_CHECKER_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include "../common/config.h"
#include "reply.h"

struct event_base;
struct ub_ctx;
struct lookup;

/*
 * Upper bound of libunbound's own give-up time for one query (ms).
 * Measured with libunbound 1.17 against a stub server that never answers
 * (UDP bound, no reply): the callback came with SERVFAIL after 17.3 s
 * (retransmits at a doubling RTO starting from 376 ms, then the server is
 * marked down; later queries to it fail at once until infra-host-ttl).
 * A name whose delegation chain has several silent levels can take a few
 * of those, so the hold is 60 s: long enough that a cancelled lookup is
 * never dropped from the count while libunbound still works on it in
 * the cases we know, short enough that a burst of timeouts does not
 * starve the window for long.
 */
#define RESOLVE_HOLD_MS 60000

struct resolver {
	struct ub_ctx *ctx;
	struct event_base *base;
	size_t outstanding;     /* lookups libunbound still runs, cancelled
	                           ones included until their hold ends */
	size_t held;            /* of those, cancelled and held */
	size_t max_outstanding; /* high-water mark, for the counters */
	uint64_t started, cancelled, failed_start;
	uint32_t hold_ms;       /* RESOLVE_HOLD_MS; tests may lower it */
	struct lookup *held_list; /* cancelled lookups waiting out the hold */
	/* Called after a hold ends (room in the window again); may be NULL.
	 * Set by the owner after resolve_init(). */
	void (*on_release)(void *arg);
	void *release_arg;
};

/* Called once per lookup with the decoded reply. The callee owns the
 * reply's allocations (reply_free()) and must not touch lk afterwards. */
typedef void (*resolve_cb)(void *arg, struct lookup *lk, struct reply *rep);

/*
 * Create the libunbound context on base and apply the flags of c.
 * window_lookups sizes libunbound's outgoing range and query table (the
 * most lookups the checker will have outstanding).
 * Returns 0, or -1 after logging an error that names the flag or value.
 */
int resolve_init(struct resolver *r, struct event_base *base,
	const struct config *c, size_t window_lookups);

/* Delete the context (pending lookups are dropped, no callbacks). */
void resolve_free(struct resolver *r);

/*
 * Start a lookup of (qname, qtype) in class IN. cb runs later from the
 * event loop, exactly once, unless resolve_cancel() is called first.
 * Returns the lookup handle, or NULL if no memory (nothing started).
 * A libunbound error at start is delivered as a TEMPFAIL reply.
 */
struct lookup *resolve_start(struct resolver *r, const char *qname,
	uint16_t qtype, resolve_cb cb, void *arg);

/* Cancel: cb will not run. The lookup stays counted as outstanding until
 * the hold ends (see above). lk must not be used afterwards. */
void resolve_cancel(struct lookup *lk);

#endif
