/*
 * checker/resolve.c -- libunbound in event mode (see resolve.h).
 */
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound.h>
#include <unbound-event.h>

#include "../common/log.h"
#include "resolve.h"

enum lookup_state {
	LK_RUNNING = 0,  /* inside libunbound, counted */
	LK_DEFERRED,     /* answered; delivery waits for the loop */
	LK_HELD          /* no longer wanted; counted until libunbound is done
	                    with it (its callback) or the hold timer fires */
};

struct lookup {
	struct resolver *res;
	enum lookup_state state;
	int async_id;
	int starting;          /* inside ub_resolve_event() */
	uint16_t qtype;
	resolve_cb cb;
	void *arg;
	struct event *ev;      /* deferred delivery or hold timer */
	struct reply rep;      /* LK_DEFERRED: the decoded answer */
	struct lookup *next, *prev; /* LK_HELD list */
	char qname[1];         /* allocated to fit */
};

/*
 * The reverse zones of the documentation ranges (RFC 5737, RFC 3849) and
 * the RFC 6761 test. zone are answered NXDOMAIN inside libunbound by
 * default (RFC 6303 local zones), which would turn every test address
 * into NO_PTR without asking anyone. Making them transparent lets the
 * query go to the stub or forwarder. Real zones never sit under these
 * names, so this costs production nothing.
 */
static const char *const resolve_transparent[] = {
	"2.0.192.in-addr.arpa.",
	"100.51.198.in-addr.arpa.",
	"113.0.203.in-addr.arpa.",
	"8.b.d.0.1.0.0.2.ip6.arpa.",
	"test.",
	NULL
};

static int
resolve_opt(struct ub_ctx *ctx, const char *opt, const char *val)
{
	int err = ub_ctx_set_option(ctx, opt, val);

	if (err != 0) {
		log_err("checker: libunbound option %s %s: %s", opt, val,
		    ub_strerror(err));
		return -1;
	}
	return 0;
}

/* Raise the soft descriptor limit toward want; returns what we may use. */
static size_t
resolve_fd_budget(size_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t n = want;

		if (rl.rlim_max != RLIM_INFINITY && n > rl.rlim_max)
			n = rl.rlim_max;
		rl.rlim_cur = n;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
		return 65536;
	return (size_t)rl.rlim_cur;
}

/*
 * Tuning, and why:
 *  - module-config iterator: we do not validate (no trust anchor), so the
 *    validator module would only cost time;
 *  - outgoing-range / num-queries-per-thread: room for every lookup of a
 *    full window (each UDP query holds one socket), within the process's
 *    descriptor limit;
 *  - outgoing-num-tcp: truncated answers (40 long PTR names) are retried
 *    over TCP; the default of 10 connections would serialise them;
 *  - infra-keep-probing + a short infra-host-ttl: a server that timed out
 *    is probed again within a minute instead of being shunned for 15,
 *    so the checker recovers soon after upstream returns. The max RTT
 *    (infra-cache-max-rtt) stays at its default: lowering it would make a
 *    slow but live server count as down;
 *  - do-not-query-localhost no: tests and local resolvers are on 127/8;
 *  - unblock-lan-zones: the RFC 1918 reverse zones are real DNS for us
 *    (we never check private addresses, but PTR targets may point there).
 */
static int
resolve_tune(struct ub_ctx *ctx, size_t window_lookups)
{
	char buf[64];
	size_t range, fds;
	int i;

	range = window_lookups * 2 + 64;
	if (range > 4096)
		range = 4096;
	fds = resolve_fd_budget(range + 256);
	if (fds < 256 + 64)
		range = 64;
	else if (range > fds - 256)
		range = fds - 256;

	if (resolve_opt(ctx, "module-config:", "iterator") != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%zu", range);
	if (resolve_opt(ctx, "outgoing-range:", buf) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%zu", range);
	if (resolve_opt(ctx, "num-queries-per-thread:", buf) != 0)
		return -1;
	if (resolve_opt(ctx, "outgoing-num-tcp:", "64") != 0 ||
	    resolve_opt(ctx, "msg-cache-size:", "8m") != 0 ||
	    resolve_opt(ctx, "rrset-cache-size:", "16m") != 0 ||
	    resolve_opt(ctx, "infra-keep-probing:", "yes") != 0 ||
	    resolve_opt(ctx, "infra-host-ttl:", "60") != 0 ||
	    resolve_opt(ctx, "do-not-query-localhost:", "no") != 0 ||
	    resolve_opt(ctx, "unblock-lan-zones:", "yes") != 0 ||
	    resolve_opt(ctx, "insecure-lan-zones:", "yes") != 0 ||
	    resolve_opt(ctx, "prefetch:", "no") != 0)
		return -1;
	for (i = 0; resolve_transparent[i] != NULL; i++) {
		snprintf(buf, sizeof(buf), "%s transparent",
		    resolve_transparent[i]);
		if (resolve_opt(ctx, "local-zone:", buf) != 0)
			return -1;
	}
	return 0;
}

int
resolve_init(struct resolver *r, struct event_base *base,
	const struct config *c, size_t window_lookups)
{
	int i, err;

	memset(r, 0, sizeof(*r));
	r->base = base;
	r->hold_ms = RESOLVE_HOLD_MS;
	if ((r->ctx = ub_ctx_create_event(base)) == NULL) {
		log_err("checker: cannot create the libunbound context");
		return -1;
	}
	if (resolve_tune(r->ctx, window_lookups) != 0)
		goto fail;
	for (i = 0; i < c->n_stub; i++) {
		err = ub_ctx_set_stub(r->ctx, c->stub[i].zone, c->stub[i].addr,
		    0);
		if (err != 0) {
			log_err("--stub %s=%s: %s", c->stub[i].zone,
			    c->stub[i].addr, ub_strerror(err));
			goto fail;
		}
	}
	for (i = 0; i < c->n_forward; i++) {
		if ((err = ub_ctx_set_fwd(r->ctx, c->forward[i])) != 0) {
			log_err("--forward %s: %s", c->forward[i],
			    ub_strerror(err));
			goto fail;
		}
	}
	if (c->n_forward == 0) {
		/* No --forward: the system's resolvers, never NSS or
		 * /etc/hosts (verdicts.md step 1). */
		err = ub_ctx_resolvconf(r->ctx, "/etc/resolv.conf");
		if (err != 0) {
			log_err("checker: /etc/resolv.conf: %s (use --forward)",
			    ub_strerror(err));
			goto fail;
		}
	}
	return 0;
fail:
	ub_ctx_delete(r->ctx);
	r->ctx = NULL;
	return -1;
}

static void
resolve_unhold(struct lookup *lk)
{
	struct resolver *r = lk->res;

	if (lk->prev)
		lk->prev->next = lk->next;
	else
		r->held_list = lk->next;
	if (lk->next)
		lk->next->prev = lk->prev;
	r->held--;
	r->outstanding--;
}

static void
resolve_lookup_free(struct lookup *lk)
{
	if (lk->ev)
		event_free(lk->ev);
	reply_free(&lk->rep);
	free(lk);
}

void
resolve_free(struct resolver *r)
{
	while (r->held_list != NULL) {
		struct lookup *lk = r->held_list;

		(void)ub_cancel(r->ctx, lk->async_id);
		resolve_unhold(lk);
		resolve_lookup_free(lk);
	}
	if (r->ctx)
		ub_ctx_delete(r->ctx);
	r->ctx = NULL;
}

/* Hand a finished lookup to its owner, from the event loop. */
static void
resolve_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct lookup *lk = arg;
	struct reply rep = lk->rep;

	(void)fd;
	(void)what;
	memset(&lk->rep, 0, sizeof(lk->rep));
	lk->cb(lk->arg, lk, &rep);
	resolve_lookup_free(lk);
}

/* Move a finished lookup to LK_DEFERRED and schedule its delivery. */
static void
resolve_defer(struct lookup *lk)
{
	lk->state = LK_DEFERRED;
	if (lk->ev == NULL)
		lk->ev = event_new(lk->res->base, -1, 0, resolve_deliver, lk);
	if (lk->ev == NULL) {
		/* Out of memory: deliver now; the caller of resolve_start is
		 * not on the stack in this path (see resolve_start). */
		resolve_deliver(-1, 0, lk);
		return;
	}
	event_active(lk->ev, 0, 0);
}

/* libunbound's callback (ub_event_callback_type). */
static void
resolve_cb_ub(void *arg, int rcode, void *pkt, int len, int sec,
	char *why_bogus, int ratelimited)
{
	struct lookup *lk = arg;

	(void)sec;
	(void)why_bogus;
	(void)ratelimited;
	if (lk->state == LK_HELD) {
		/* nobody wants the answer any more, but now we know the
		 * lookup has ended inside libunbound: free its place in the
		 * window at once instead of at the end of the hold */
		struct resolver *r = lk->res;

		resolve_unhold(lk);
		resolve_lookup_free(lk);
		if (r->on_release)
			r->on_release(r->release_arg);
		return;
	}
	lk->res->outstanding--;
	(void)reply_decode(rcode, pkt, len > 0 ? (size_t)len : 0, lk->qname,
	    lk->qtype, &lk->rep);
	/* Always through the loop: libunbound may call us from inside
	 * ub_resolve_event() (local data), when our caller is mid-start. */
	resolve_defer(lk);
}

struct lookup *
resolve_start(struct resolver *r, const char *qname, uint16_t qtype,
	resolve_cb cb, void *arg)
{
	size_t n = strlen(qname);
	struct lookup *lk = calloc(1, sizeof(*lk) + n);
	int err;

	if (lk == NULL)
		return NULL;
	memcpy(lk->qname, qname, n + 1);
	lk->res = r;
	lk->qtype = qtype;
	lk->cb = cb;
	lk->arg = arg;
	lk->ev = event_new(r->base, -1, 0, resolve_deliver, lk);
	if (lk->ev == NULL) {
		free(lk);
		return NULL;
	}
	lk->state = LK_RUNNING;
	r->outstanding++;
	r->started++;
	if (r->outstanding > r->max_outstanding)
		r->max_outstanding = r->outstanding;
	lk->starting = 1;
	err = ub_resolve_event(r->ctx, qname, qtype, 1, lk, resolve_cb_ub,
	    &lk->async_id);
	lk->starting = 0;
	if (err != 0) {
		log_warn("checker: lookup %s type %u: %s", qname,
		    (unsigned)qtype, ub_strerror(err));
		r->failed_start++;
		r->outstanding--;
		memset(&lk->rep, 0, sizeof(lk->rep));
		lk->rep.r.status = LOOKUP_TEMPFAIL;
		lk->rep.r.why = "resolver error";
		resolve_defer(lk);
	}
	return lk;
}

/* The hold of an unwanted lookup is over and libunbound has not called
 * back: it has given up on the query by now (RESOLVE_HOLD_MS is beyond its
 * own give-up time), so cancel the callback and free the window place. */
static void
resolve_hold_done(evutil_socket_t fd, short what, void *arg)
{
	struct lookup *lk = arg;

	struct resolver *r = lk->res;

	(void)fd;
	(void)what;
	(void)ub_cancel(r->ctx, lk->async_id);
	resolve_unhold(lk);
	resolve_lookup_free(lk);
	if (r->on_release)
		r->on_release(r->release_arg);
}

void
resolve_cancel(struct lookup *lk)
{
	struct resolver *r = lk->res;
	struct timeval tv;

	if (lk->state == LK_DEFERRED) {
		/* Already answered: libunbound is done with it. */
		resolve_lookup_free(lk);
		return;
	}
	r->cancelled++;
	/* No ub_cancel() here: in event mode it only suppresses the
	 * callback while the query runs on inside libunbound. Keeping the
	 * callback tells us when the query really ends, which is often in
	 * milliseconds (a check that finished early on another name's
	 * match); the hold timer is the upper bound for a silent server. */
	lk->state = LK_HELD;
	lk->next = r->held_list;
	lk->prev = NULL;
	if (r->held_list)
		r->held_list->prev = lk;
	r->held_list = lk;
	r->held++;
	event_free(lk->ev);
	lk->ev = evtimer_new(r->base, resolve_hold_done, lk);
	if (lk->ev == NULL) {
		/* Cannot time it: count it as ended now (under-counting is
		 * the lesser evil to leaking the window forever). */
		(void)ub_cancel(r->ctx, lk->async_id);
		resolve_unhold(lk);
		resolve_lookup_free(lk);
		return;
	}
	tv.tv_sec = r->hold_ms / 1000;
	tv.tv_usec = (r->hold_ms % 1000) * 1000;
	evtimer_add(lk->ev, &tv);
}
