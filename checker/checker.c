/*
 * checker/checker.c -- the checker process: IPC in, checks through a
 * bounded window, records out (see checker.h).
 *
 * One libevent loop runs everything: the socketpair to the server,
 * libunbound's sockets and timers, the per-check deadlines, a one-second
 * tick for back-off retries and the sweep. Load limits:
 *  - the window: at most --max-inflight checks run at once, and a check
 *    starts only if the cancelled lookups libunbound still runs (held,
 *    see resolve.h) plus 1 + --max-names lookups for each running check
 *    and for this one fit max_inflight * (1 + max_names), so outstanding
 *    lookups never exceed that;
 *  - the queue: at most --max-queue addresses wait for the window. When it
 *    is full, an IPC_CHECK is answered at once with IPC_DONE carrying
 *    V_TEMPERROR and nothing is stored (the waiting queries get the
 *    deadline answer now rather than after --wait-ms; resolvers retry
 *    soon because that answer's TTL is short); an IPC_REFRESH is dropped.
 *    Both are counted (queue_full, refresh_dropped in the stats line).
 *  - the deadline: --check-timeout-ms per check (checker/check.c).
 * Every record finished in one loop turn is written in one LMDB write
 * transaction (one fsync), by a low-priority event that runs after all
 * other events of the turn.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "../common/ipc.h"
#include "../common/log.h"
#include "../common/verdict.h"
#include "../store/store.h"
#include "checker.h"
#include "check.h"
#include "record.h"
#include "table.h"

#define CHECKER_SWEEP_MAX  10000   /* records deleted per sweep */
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
	struct store *st;
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
	struct checker_stats stats;
};

static void checker_pump(struct checker *k);
static void checker_send_stats(struct checker *k);

static int64_t
checker_now(void)
{
	return (int64_t)time(NULL);
}

static int64_t
checker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One info line per finished check (address, verdict, names, duration),
 * e.g. "check 192.0.2.6 MISMATCH names=other6.example.com 12 ms:
 * other6.example.com has A 198.51.100.6". Names are in presentation
 * format (checker/names.h), so printable.
 */
static void
checker_log_check(const struct check *ck, int64_t ms, int recheck)
{
	char a[ADDR_STRLEN], names[1024], why[512];
	size_t i, off = 0;
	int n;

	if (log_level() < LOG_LVL_INFO)
		return;
	names[0] = '\0';
	for (i = 0; i < ck->names.n && off < sizeof(names); i++) {
		n = snprintf(names + off, sizeof(names) - off, "%s%s",
		    i ? "," : "", ck->names.name[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	check_reason(ck, why, sizeof(why));
	log_info("check %s %s names=%s %lld ms%s: %s",
	    addr_format(ck->addr, a, sizeof(a)),
	    verdict_name(ck->out.verdict), names[0] ? names : "-",
	    (long long)ms, recheck ? " (recheck, fresh cache)" : "", why);
}

/*
 * A forced re-check (IPC_RECHECK) must not be answered from libunbound's
 * cache, and libunbound has no call to flush it: each one gets its own
 * new context, deleted when the check is done (checker_flush_cb). Its
 * lookups are outside the window's count; rechecks are rare admin work.
 */
static struct resolver *
checker_fresh_resolver(struct checker *k)
{
	struct resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (resolve_init(r, k->base, k->cfg, 1 + k->cfg->max_names) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* Free a check and, for a recheck, its own resolver. */
static void
checker_check_free(struct checker *k, struct check *ck)
{
	struct resolver *r;

	if (ck == NULL)
		return;
	r = ck->res;
	check_free(ck);
	if (r != &k->res) {
		resolve_free(r);
		free(r);
	}
}

/* Log the counters; the load tests read this line. */
static void
checker_log_stats(struct checker *k, int info)
{
	const struct checker_stats *s = &k->stats;
	void (*fn)(const char *, ...) = info ? log_info : log_debug;

	fn("checker: stats msgs=%llu bad=%llu checks=%llu dedup=%llu "
	    "skipped=%llu queue_full=%llu refresh_dropped=%llu "
	    "backoff_answered=%llu retries=%llu retry_stopped=%llu "
	    "timeouts=%llu pass=%llu no_ptr=%llu no_forward=%llu "
	    "mismatch=%llu temperror=%llu running=%zu max_running=%zu "
	    "window=%u queued=%zu max_queued=%zu lookups=%zu "
	    "max_lookups=%zu lookup_window=%zu held=%zu retry_wait=%zu "
	    "swept=%llu store_errors=%llu done_dropped=%llu "
	    "hints_dropped=%llu retry_overflow=%llu unstored=%llu",
	    (unsigned long long)s->msgs, (unsigned long long)s->bad_msgs,
	    (unsigned long long)s->checks, (unsigned long long)s->dedup,
	    (unsigned long long)s->skipped, (unsigned long long)s->queue_full,
	    (unsigned long long)s->refresh_dropped,
	    (unsigned long long)s->backoff_answered,
	    (unsigned long long)s->retries,
	    (unsigned long long)s->retry_stopped,
	    (unsigned long long)s->timeouts,
	    (unsigned long long)s->by_verdict[V_PASS],
	    (unsigned long long)s->by_verdict[V_NO_PTR],
	    (unsigned long long)s->by_verdict[V_NO_FORWARD],
	    (unsigned long long)s->by_verdict[V_MISMATCH],
	    (unsigned long long)s->by_verdict[V_TEMPERROR],
	    k->tab.n_running, s->max_running, k->cfg->max_inflight,
	    k->tab.n_queued, s->max_queued, k->res.outstanding,
	    k->res.max_outstanding, k->window_lookups, k->res.held,
	    k->tab.n_retry, (unsigned long long)s->swept,
	    (unsigned long long)s->store_errors,
	    (unsigned long long)s->done_dropped,
	    (unsigned long long)s->hints_dropped,
	    (unsigned long long)s->retry_overflow,
	    (unsigned long long)s->unstored);
}

/* ---- IPC out ---------------------------------------------------------- */

static void
checker_send_arg(struct checker *k, int type, const uint8_t addr[ADDR_LEN],
	int verdict, uint32_t arg)
{
	struct ipc_msg m;

	ipc_msg_init(&m, type, addr);
	m.verdict = (uint16_t)verdict;
	m.arg = arg;
	if (k->out_n == 0) {
		int r = ipc_send(k->fd, &m);

		if (r == 0)
			return;
		if (r < 0) {
			k->stats.done_dropped++;
			return;
		}
	}
	/* The socket is full: queue, bounded, and send when writable.
	 * An answer without a check (queue full, back-off, skipped) only
	 * spares its queries the wait: the server answers them at --wait-ms
	 * anyway. It must not take the room out_cap keeps for the IPC_DONE
	 * of every queued and running check, or a flood of queue-full
	 * answers drops real verdicts' DONEs (an admin's recheck is always
	 * queued). */
	if (type == IPC_DONE &&
	    !(arg & (IPC_DONE_CHECKED | IPC_DONE_RECHECK)) &&
	    k->out_n + k->tab.n_queued + k->tab.n_running >= k->out_cap) {
		k->stats.hints_dropped++;
		return;
	}
	if (k->out_n >= k->out_cap) {
		k->stats.done_dropped++;
		return;
	}
	k->outq[(k->out_head + k->out_n) % k->out_cap] = m;
	k->out_n++;
	event_add(k->ev_write, NULL);
}

static void
checker_send(struct checker *k, int type, const uint8_t addr[ADDR_LEN],
	int verdict)
{
	checker_send_arg(k, type, addr, verdict, 0);
}

static void
checker_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct checker *k = arg;

	(void)fd;
	(void)what;
	while (k->out_n > 0) {
		int r = ipc_send(k->fd, &k->outq[k->out_head]);

		if (r == 1)
			return;   /* still full; EV_PERSIST keeps us */
		if (r < 0)
			k->stats.done_dropped++;
		k->out_head = (k->out_head + 1) % k->out_cap;
		k->out_n--;
	}
	event_del(k->ev_write);
}

/* ---- finishing checks ------------------------------------------------- */

/* check.h callback: park the entry on the done list for the flush. */
static void
checker_check_done(struct check *ck, void *arg)
{
	struct entry *e = arg;
	struct checker *k = e->owner;

	if (ck->timed_out)
		k->stats.timeouts++;
	table_set_done(&k->tab, e);
	event_active(k->ev_flush, 0, 0);
}

/* The record a finished entry writes: into nb; returns 1 to write it, 0
 * if there is nothing to write. */
static int
checker_build(struct checker *k, struct entry *e, struct record_buf *nb,
	int64_t now)
{
	struct record_policy pol;
	struct record_result res;
	const char *names[NAMES_KEEP_MAX];
	uint8_t addrs[STORE_MAX_ADDRS][ADDR_LEN];
	const struct record_buf *old = NULL;
	struct store_record rec;
	struct check *ck = e->check;
	size_t i, j;
	int rc;

	rc = store_get(k->st, e->addr, &rec);
	if (rc == STORE_OK) {
		record_copy(&k->old, &rec);
		old = &k->old;
	}
	store_release(k->st);

	if (ck == NULL) {
		/* Stop a back-off that ran out of interest. */
		if (old == NULL || old->rec.retry_at == 0)
			return 0;
		record_copy(nb, &old->rec);
		record_stop_backoff(nb);
		return 1;
	}
	pol.backoff_min = k->cfg->backoff_min;
	pol.backoff_max = k->cfg->backoff_max;
	pol.interest = k->cfg->interest;
	memset(&res, 0, sizeof(res));
	res.verdict = ck->out.verdict;
	res.lifetime = ck->out.lifetime;
	res.match = ck->out.match;
	for (i = 0; i < ck->names.n; i++)
		names[i] = ck->names.name[i];
	res.names = names;
	res.n_names = ck->names.n;
	for (i = 0; i < ck->names.n; i++)
		for (j = 0; j < ck->fwd[i].n_addrs &&
		    res.n_addrs < STORE_MAX_ADDRS; j++)
			memcpy(addrs[res.n_addrs++], ck->fwd[i].addrs[j],
			    ADDR_LEN);
	res.addrs = (const uint8_t (*)[ADDR_LEN])addrs;
	/* store.h, match: for a MISMATCH, the name whose addresses come
	 * first, so the TXT names a name that really resolved elsewhere */
	if (res.verdict == V_MISMATCH)
		for (i = 0; i < ck->names.n; i++)
			if (ck->fwd[i].n_addrs > 0) {
				res.match = (int)i;
				break;
			}
	record_update(nb, old, &res, now, e->last_query_at, &pol);
	/* Each address in back-off costs a timer entry in memory, and a
	 * flood of distinct failing addresses (one IPv6 /64 is enough)
	 * must not grow it without end: past --max-queue entries a failure
	 * is stored without back-off, so its next query asks again and
	 * the check queue's own bound applies. */
	if (nb->rec.retry_at != 0 && k->tab.n_retry >= k->cfg->max_queue) {
		record_stop_backoff(nb);
		k->stats.retry_overflow++;
	}
	return 1;
}

/*
 * Write every entry finished in this loop turn in one transaction, tell
 * the server, then retire the entries (or park them for their retry).
 */
static void
checker_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct checker *k = arg;
	struct entry *e;
	struct record_buf *nb;
	size_t n = 0, i;
	int64_t now = checker_now();
	struct { struct entry *e; struct record_buf *nb; int put; } *w;
	int ok = 1;

	(void)fd;
	(void)what;
	TAILQ_FOREACH(e, &k->tab.done, link)
		n++;
	if (n == 0)
		return;
	if ((w = calloc(n, sizeof(*w))) == NULL) {
		log_err("checker: out of memory writing %zu records", n);
		event_active(k->ev_flush, 0, 0);
		return;
	}
	i = 0;
	TAILQ_FOREACH(e, &k->tab.done, link) {
		w[i].e = e;
		if ((nb = malloc(sizeof(*nb))) != NULL)
			w[i].put = checker_build(k, e, nb, now);
		w[i].nb = nb;
		i++;
	}
	if (store_write_begin(k->st) != STORE_OK)
		ok = 0;
	for (i = 0; ok && i < n; i++) {
		if (w[i].nb == NULL || !w[i].put)
			continue;
		if (store_put(k->st, w[i].e->addr, &w[i].nb->rec) != STORE_OK)
			ok = 0;  /* the batch is aborted (store.h) */
	}
	if (ok && store_write_commit(k->st) != STORE_OK)
		ok = 0;
	if (!ok) {
		/* the store logs why, once a second; this counts what was
		 * lost (the server still gets IPC_DONE and answers from
		 * what the store has) */
		k->stats.store_errors++;
		k->stats.unstored += n;
		log_debug("checker: could not store %zu verdicts", n);
	}

	for (i = 0; i < n; i++) {
		struct check *ck;

		e = w[i].e;
		nb = w[i].nb;
		ck = e->check;
		e->check = NULL;
		if (ck != NULL) {
			int v = ck->out.verdict;
			int64_t ms = checker_now_ms() - e->started_ms;
			uint32_t darg;

			if (ms < 0)
				ms = 0;
			if (ms > (int64_t)IPC_DONE_MS_MASK)
				ms = IPC_DONE_MS_MASK;
			darg = (uint32_t)ms | IPC_DONE_CHECKED |
			    (e->recheck ? IPC_DONE_RECHECK : 0);
			k->stats.by_verdict[v & 7]++;
			/* DONE even if storing failed: the waiting queries
			 * then get the deadline answer now. */
			checker_send_arg(k, IPC_DONE, e->addr, v, darg);
			checker_log_check(ck, ms, e->recheck);
			checker_check_free(k, ck);
		}
		e->recheck = 0;
		if (e->again) {
			/* an IPC_RECHECK came while this check ran */
			e->again = 0;
			e->recheck = 1;
			table_set_queued(&k->tab, e, QUEUE_NOW);
		} else if (ok && nb != NULL && w[i].put && nb->rec.retry_at != 0)
			table_set_retry(&k->tab, e, nb->rec.retry_at);
		else
			table_remove(&k->tab, e);
		free(nb);
	}
	free(w);
	/* Entries finished while we ran (none today) go next turn. */
	if (!TAILQ_EMPTY(&k->tab.done))
		event_active(k->ev_flush, 0, 0);
	checker_pump(k);
}

/* ---- the window ------------------------------------------------------- */

/* Start queued checks while the window has room (see the top comment). */
static void
checker_pump(struct checker *k)
{
	size_t per_check = 1 + k->cfg->max_names;
	struct resolver *res;
	struct entry *e;

	while ((e = table_next_queued(&k->tab)) != NULL) {
		if (k->tab.n_running >= k->cfg->max_inflight)
			break;
		/* Room for this check's whole budget besides the budgets
		 * of the running checks (most have not started their
		 * forward lookups yet) and the held cancelled lookups; the
		 * outstanding count alone would let the running checks'
		 * forward lookups overshoot the window later. */
		if (k->res.held + (k->tab.n_running + 1) * per_check >
		    k->window_lookups)
			break;
		res = &k->res;
		if (e->recheck && (res = checker_fresh_resolver(k)) == NULL) {
			log_warn("checker: cannot create a fresh resolver "
			    "for a recheck, using the shared cache");
			res = &k->res;
		}
		e->started_ms = checker_now_ms();
		e->check = check_new(res, k->cfg, e->addr,
		    checker_check_done, e);
		if (e->check == NULL) {
			if (res != &k->res) {
				resolve_free(res);
				free(res);
			}
			log_warn("checker: out of memory starting a check");
			break;
		}
		k->stats.checks++;
		table_set_running(&k->tab, e);
		if (k->tab.n_running > k->stats.max_running)
			k->stats.max_running = k->tab.n_running;
	}
}

static void
checker_release_cb(void *arg)
{
	checker_pump(arg);
}

/* ---- IPC in ----------------------------------------------------------- */

/* IPC_CHECK / IPC_REFRESH / IPC_RECHECK for m->addr. */
static void
checker_want(struct checker *k, const struct ipc_msg *m, int64_t now)
{
	int waiting = m->type != IPC_REFRESH;  /* a query or admin waits */
	int recheck = m->type == IPC_RECHECK;
	uint32_t rarg = recheck ? IPC_DONE_RECHECK : 0;
	struct entry *e;

	if (cidr_list_contains(&k->cfg->skip, m->addr)) {
		/* NOT_APPLICABLE: no lookups, nothing stored. */
		k->stats.skipped++;
		if (waiting)
			checker_send_arg(k, IPC_DONE, m->addr,
			    V_NOT_APPLICABLE, rarg);
		return;
	}
	if ((e = table_find(&k->tab, m->addr)) != NULL) {
		if (m->type != IPC_RECHECK)
			e->last_query_at = now;
		switch (e->state) {
		case ENTRY_QUEUED:
			/* One check per address; a waiting query moves it
			 * ahead of background work. */
			if (waiting && e->queue == QUEUE_LATER)
				table_set_queued(&k->tab, e, QUEUE_NOW);
			if (recheck)
				e->recheck = 1;
			k->stats.dedup++;
			return;
		case ENTRY_RUNNING:
		case ENTRY_DONE:
			/* Its IPC_DONE answers this one too; a recheck
			 * must not reuse that check's cache: run again. */
			if (recheck && !e->recheck)
				e->again = 1;
			k->stats.dedup++;
			return;
		case ENTRY_RETRY:
			if (m->type == IPC_RECHECK) {
				/* The admin forces it, back-off or not. */
				e->recheck = 1;
				table_set_queued(&k->tab, e, QUEUE_NOW);
				checker_pump(k);
			} else if (m->type == IPC_CHECK) {
				/* Back-off: no second check before retry_at,
				 * the stored TEMPERROR is the answer. */
				k->stats.backoff_answered++;
				checker_send(k, IPC_DONE, m->addr, V_TEMPERROR);
			}
			return;
		}
		return;
	}
	if (k->tab.n_queued >= k->cfg->max_queue) {
		if (waiting) {
			k->stats.queue_full++;
			checker_send_arg(k, IPC_DONE, m->addr, V_TEMPERROR,
			    rarg);
		} else {
			k->stats.refresh_dropped++;
		}
		return;
	}
	if ((e = table_add(&k->tab, m->addr)) == NULL) {
		k->stats.queue_full++;
		if (waiting)
			checker_send_arg(k, IPC_DONE, m->addr, V_TEMPERROR,
			    rarg);
		return;
	}
	e->owner = k;
	e->recheck = (uint8_t)recheck;
	e->last_query_at = m->type == IPC_RECHECK ? 0 : now;
	table_set_queued(&k->tab, e, waiting ? QUEUE_NOW : QUEUE_LATER);
	if (k->tab.n_queued > k->stats.max_queued)
		k->stats.max_queued = k->tab.n_queued;
	checker_pump(k);
}

/*
 * IPC_FORGET: delete the address's record and drop its back-off, then
 * echo the message with the outcome in arg. A check that is queued or
 * running for it is left alone (a query waits on it); it stores a new
 * verdict when it finishes.
 */
static void
checker_forget(struct checker *k, const struct ipc_msg *m)
{
	struct entry *e = table_find(&k->tab, m->addr);
	uint32_t res = IPC_FORGET_ERROR;
	char a[ADDR_STRLEN];
	int rc;

	if (e != NULL && e->state == ENTRY_RETRY)
		table_remove(&k->tab, e);
	if (store_write_begin(k->st) == STORE_OK) {
		rc = store_del(k->st, m->addr);
		if (rc == STORE_NOTFOUND) {
			store_write_abort(k->st);
			res = IPC_FORGET_NOTFOUND;
		} else if (rc == STORE_OK &&
		    store_write_commit(k->st) == STORE_OK) {
			res = IPC_FORGET_DELETED;
		} else {
			store_write_abort(k->st);
			k->stats.store_errors++;
		}
	}
	log_info("checker: forget %s: %s", addr_format(m->addr, a, sizeof(a)),
	    res == IPC_FORGET_DELETED ? "record deleted" :
	    res == IPC_FORGET_NOTFOUND ? "nothing stored" : "store error");
	checker_send_arg(k, IPC_FORGET, m->addr, 0, res);
}

static void
checker_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct checker *k = arg;
	struct ipc_msg m;
	int64_t now = checker_now();
	struct entry *e;
	int r, n;

	(void)fd;
	(void)what;
	/* Bounded per wake-up so that lookups' events get their turn. */
	for (n = 0; n < 1024; n++) {
		r = ipc_recv(k->fd, &m);
		if (r == 1)
			return;
		if (r == -1) {
			log_info("checker: the server closed the socket, "
			    "stopping");
			event_base_loopbreak(k->base);
			return;
		}
		if (r == -2) {
			k->stats.bad_msgs++;
			log_warn("checker: dropped a malformed message");
			continue;
		}
		k->stats.msgs++;
		switch (m.type) {
		case IPC_CHECK:
		case IPC_REFRESH:
		case IPC_RECHECK:
			checker_want(k, &m, now);
			break;
		case IPC_FORGET:
			checker_forget(k, &m);
			break;
		case IPC_STATS:
			checker_send_stats(k);
			break;
		case IPC_SEEN:
			/* Keeps a back-off alive (--interest). */
			if ((e = table_find(&k->tab, m.addr)) != NULL)
				e->last_query_at = now;
			break;
		default:
			k->stats.bad_msgs++;
			log_warn("checker: unexpected message type %u",
			    (unsigned)m.type);
			break;
		}
	}
}

/* ---- back-off retries, sweep ------------------------------------------ */

struct checker_sweep {
	struct checker *k;
	int64_t now;
	uint8_t (*keys)[ADDR_LEN];
	size_t n;
};

static int
checker_sweep_fn(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	void *arg)
{
	struct checker_sweep *sw = arg;
	const struct config *c = sw->k->cfg;

	if (table_find(&sw->k->tab, key) != NULL)
		return 0;
	if (!record_sweepable(rec, sw->now, c->grace, c->interest))
		return 0;
	memcpy(sw->keys[sw->n++], key, ADDR_LEN);
	return sw->n >= CHECKER_SWEEP_MAX;
}

/* Delete records expired beyond --grace that nobody asks for. */
static void
checker_sweep(struct checker *k, int64_t now)
{
	struct checker_sweep sw;
	size_t i;

	sw.k = k;
	sw.now = now;
	sw.n = 0;
	if ((sw.keys = malloc(CHECKER_SWEEP_MAX * ADDR_LEN)) == NULL)
		return;
	(void)store_foreach(k->st, checker_sweep_fn, &sw);
	if (sw.n > 0 && store_write_begin(k->st) == STORE_OK) {
		for (i = 0; i < sw.n; i++)
			if (store_del(k->st, sw.keys[i]) == STORE_ERR)
				break;
		if (i == sw.n && store_write_commit(k->st) == STORE_OK)
			k->stats.swept += sw.n;
		else
			k->stats.store_errors++;
	}
	free(sw.keys);
}

/* Seconds between sweeps: half the grace, within [5 s, 5 min], so tests
 * with a short --grace see it work. */
static int64_t
checker_sweep_period(const struct config *c)
{
	int64_t p = c->grace / 2;

	if (p < 5)
		p = 5;
	if (p > 300)
		p = 300;
	return p;
}

/* The answer to the server's IPC_STATS (it asks once a second, for its
 * metrics). Dropped when IPC_DONE messages wait in the out queue or the
 * socket is full: the next question gets fresh figures anyway. */
static void
checker_send_stats(struct checker *k)
{
	struct ipc_stats st;
	struct ipc_msg m;

	if (k->out_n > 0)
		return;
	st.running = (uint32_t)k->tab.n_running;
	st.queued = (uint32_t)k->tab.n_queued;
	st.retry_wait = (uint32_t)k->tab.n_retry;
	st.lookups = (uint32_t)k->res.outstanding;
	ipc_msg_init(&m, IPC_STATS, NULL);
	memcpy(m.addr, &st, sizeof(st));
	(void)ipc_send(k->fd, &m);
}

static void
checker_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct checker *k = arg;
	int64_t now = checker_now();
	struct entry *e, *next;

	(void)fd;
	(void)what;
	for (e = TAILQ_FIRST(&k->tab.retry); e != NULL; e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->retry_at > now)
			continue;
		if (e->last_query_at == 0 ||
		    now - e->last_query_at > (int64_t)k->cfg->interest) {
			/* Nobody asks any more: stop, and say so in the
			 * store so that a restart does not resume it. */
			k->stats.retry_stopped++;
			e->check = NULL;
			table_set_done(&k->tab, e);
			event_active(k->ev_flush, 0, 0);
			continue;
		}
		if (k->tab.n_queued >= k->cfg->max_queue)
			break;  /* next tick */
		k->stats.retries++;
		table_set_queued(&k->tab, e, QUEUE_LATER);
	}
	checker_pump(k);
	if (now >= k->next_sweep) {
		checker_sweep(k, now);
		k->next_sweep = now + checker_sweep_period(k->cfg);
	}
	if (now >= k->next_stats) {
		checker_log_stats(k, 0);
		k->next_stats = now + CHECKER_STATS_S;
	}
}

/* On start: resume the back-offs a previous checker left in the store. */
static int
checker_resume_fn(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	void *arg)
{
	struct checker *k = arg;
	struct entry *e;

	if (rec->verdict != V_TEMPERROR || rec->retry_at == 0)
		return 0;
	/* the same bound as for new failures: a store full of old
	 * back-offs must not fill memory at start; the server treats a
	 * back-off whose retry time is long past as over (policy.c) */
	if (k->tab.n_retry >= k->cfg->max_queue) {
		k->stats.retry_overflow++;
		return 0;
	}
	if (table_find(&k->tab, key) != NULL ||
	    (e = table_add(&k->tab, key)) == NULL)
		return 0;
	e->owner = k;
	e->last_query_at = rec->last_query_at;
	table_set_retry(&k->tab, e, rec->retry_at);
	return 0;
}

/* ---- process ---------------------------------------------------------- */

static void
checker_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct checker *k = arg;

	(void)what;
	if (sig == SIGUSR1) {
		checker_log_stats(k, 1);
		return;
	}
	log_info("checker: signal %d, stopping", (int)sig);
	event_base_loopbreak(k->base);
}

/* Set up everything but the loop; returns 0 or -1 (logged). */
static int
checker_setup(struct checker *k, const struct config *c)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGUSR1 };
	struct timeval sec = { 1, 0 };
	int i;

	k->cfg = c;
	k->fd = c->checker_fd;
	k->window_lookups = (size_t)c->max_inflight * (1 + c->max_names);
	if (k->fd < 0) {
		log_err("checker: no --checker-fd");
		return -1;
	}
	if (store_open(&k->st, c->db, STORE_WRITER, 0) != STORE_OK)
		return -1;
	if ((k->base = event_base_new()) == NULL ||
	    event_base_priority_init(k->base, 3) != 0) {
		log_err("checker: cannot create the event base");
		return -1;
	}
	if (table_init(&k->tab) != 0)
		return -1;
	if (resolve_init(&k->res, k->base, c, k->window_lookups) != 0)
		return -1;
	k->res.on_release = checker_release_cb;
	k->res.release_arg = k;
	k->out_cap = (size_t)c->max_queue + c->max_inflight;
	if (k->out_cap > CHECKER_OUTQ_MAX)
		k->out_cap = CHECKER_OUTQ_MAX;
	if ((k->outq = calloc(k->out_cap, sizeof(*k->outq))) == NULL)
		return -1;

	k->ev_read = event_new(k->base, k->fd, EV_READ | EV_PERSIST,
	    checker_read_cb, k);
	k->ev_write = event_new(k->base, k->fd, EV_WRITE | EV_PERSIST,
	    checker_write_cb, k);
	/* Lowest priority: runs after every other event of the turn, so a
	 * turn's verdicts share one write transaction. */
	k->ev_flush = event_new(k->base, -1, 0, checker_flush_cb, k);
	k->ev_tick = event_new(k->base, -1, EV_PERSIST, checker_tick_cb, k);
	if (!k->ev_read || !k->ev_write || !k->ev_flush || !k->ev_tick)
		return -1;
	event_priority_set(k->ev_flush, 2);
	for (i = 0; i < 3; i++) {
		k->ev_sig[i] = evsignal_new(k->base, sigs[i],
		    checker_signal_cb, k);
		if (k->ev_sig[i] == NULL || evsignal_add(k->ev_sig[i], NULL))
			return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	event_add(k->ev_read, NULL);
	event_add(k->ev_tick, &sec);

	(void)store_foreach(k->st, checker_resume_fn, k);
	if (k->tab.n_retry > 0)
		log_info("checker: resuming %zu back-off retries",
		    k->tab.n_retry);
	k->next_sweep = checker_now() + checker_sweep_period(c);
	k->next_stats = checker_now() + CHECKER_STATS_S;
	return 0;
}

static void
checker_teardown(struct checker *k)
{
	struct entry *e;
	int i;

	/* Write what finished; abandon what runs (nothing is stored for
	 * it: the next query asks again). */
	if (k->ev_flush && !TAILQ_EMPTY(&k->tab.done))
		checker_flush_cb(-1, 0, k);
	if (k->tab.bucket != NULL) {
		while ((e = TAILQ_FIRST(&k->tab.running)) != NULL) {
			checker_check_free(k, e->check);
			e->check = NULL;
			table_remove(&k->tab, e);
		}
	}
	if (k->ev_flush)
		checker_log_stats(k, 1);
	for (i = 0; i < 3; i++)
		if (k->ev_sig[i])
			event_free(k->ev_sig[i]);
	if (k->ev_read)
		event_free(k->ev_read);
	if (k->ev_write)
		event_free(k->ev_write);
	if (k->ev_flush)
		event_free(k->ev_flush);
	if (k->ev_tick)
		event_free(k->ev_tick);
	resolve_free(&k->res);
	table_free(&k->tab);
	free(k->outq);
	store_close(k->st);
	if (k->base)
		event_base_free(k->base);
}

int
checker_main(const struct config *c)
{
	struct checker *k = calloc(1, sizeof(*k));
	int rc = 0;

	if (k == NULL) {
		log_err("checker: out of memory");
		return 1;
	}
	if (checker_setup(k, c) != 0) {
		log_err("checker: start-up failed");
		rc = 1;
	} else {
		log_info("checker: running (window %u checks, %zu lookups, "
		    "queue %u)", c->max_inflight, k->window_lookups,
		    c->max_queue);
		event_base_dispatch(k->base);
	}
	checker_teardown(k);
	free(k);
	return rc;
}
