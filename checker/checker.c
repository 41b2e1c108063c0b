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
 * Records are written by the store writer thread (checker/writer.h):
 * a low-priority event at the end of a loop turn gathers every finished
 * check into one batch (one transaction, one fsync) unless a batch is
 * already being written, in which case they go into the next one when it
 * completes. A check's IPC_DONE goes out when its batch is committed.
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
#include "checker_int.h"
#include "check.h"
#include "record.h"
#include "table.h"


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
void
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

	/* every batch that could hold this address has completed (an entry
	 * stays WRITING until then), so the reader sees the latest record */
	rc = store_get(k->rd, e->addr, &rec);
	if (rc == STORE_OK) {
		record_copy(&k->old, &rec);
		old = &k->old;
	}
	store_release(k->rd);

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
 * Hand the checks finished since the last batch to the store writer, as
 * one batch, unless one is being written (its completion calls us again).
 */
static void
checker_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct checker *k = arg;
	struct entry *e, *next;
	struct wjob *j;
	int64_t now = checker_now();
	size_t n = 0;

	(void)fd;
	(void)what;
	if (k->put_inflight || TAILQ_EMPTY(&k->tab.done))
		return;
	if ((j = wjob_new(WJ_PUT)) == NULL) {
		log_err("checker: out of memory writing verdicts");
		return;   /* the next check's flush tries again */
	}
	for (e = TAILQ_FIRST(&k->tab.done); e != NULL && n < CHECKER_BATCH_MAX;
	    e = next) {
		next = TAILQ_NEXT(e, link);
		e->put = (uint8_t)checker_build(k, e, &k->nb, now);
		e->new_retry_at = e->put ? k->nb.rec.retry_at : 0;
		if (e->put && wjob_add(j, e->addr, &k->nb.rec, e) != 0) {
			/* not stored: its queries get what the store has */
			log_err("checker: out of memory writing verdicts");
			e->put = 0;
			k->stats.unstored++;
		}
		table_set_writing(&k->tab, e);
		n++;
	}
	/* an empty batch still goes through the writer: its entries are
	 * answered in order with the rest */
	k->put_inflight = 1;
	writer_submit(k->wr, j);
}

/*
 * A batch is committed (or failed): tell the server, then retire each
 * entry, park it for its retry, or queue it again (a recheck came while
 * it ran).
 */
static void
checker_put_done(struct checker *k, const struct wjob *j)
{
	int ok = j->rc == STORE_OK;
	struct entry *e, *next;

	k->put_inflight = 0;
	if (!ok) {
		/* the store logs why, once a second; this counts what was
		 * lost (the server still gets IPC_DONE and answers from
		 * what the store has) */
		k->stats.store_errors++;
		k->stats.unstored += j->n;
		log_debug("checker: could not store %zu verdicts", j->n);
	}
	/* every WRITING entry is in this batch: one batch at a time */
	for (e = TAILQ_FIRST(&k->tab.writing); e != NULL; e = next) {
		struct check *ck = e->check;

		next = TAILQ_NEXT(e, link);
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
		} else if (ok && e->put && e->new_retry_at != 0)
			table_set_retry(&k->tab, e, e->new_retry_at);
		else
			table_remove(&k->tab, e);
	}
	if (!TAILQ_EMPTY(&k->tab.done))
		event_active(k->ev_flush, 0, 0);
	checker_pump(k);
}

/* The store writer finished a job (on the loop's thread). */
static void
checker_writer_done(struct wjob *j, void *arg)
{
	struct checker *k = arg;

	switch (j->kind) {
	case WJ_PUT:
		checker_put_done(k, j);
		break;
	case WJ_FORGET:
		checker_forget_done(k, j);
		break;
	case WJ_SWEEP:
		checker_sweep_done(k, j);
		break;
	}
	wjob_free(j);
}

/* ---- the window ------------------------------------------------------- */

/* Start queued checks while the window has room (see the top comment). */
void
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
	/* the writer handle first: it creates the store the reader opens */
	if (store_open(&k->st, c->db, STORE_WRITER, 0) != STORE_OK ||
	    store_open(&k->rd, c->db, STORE_RDONLY, 0) != STORE_OK)
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

	(void)store_foreach(k->rd, checker_resume_fn, k);
	if (k->tab.n_retry > 0)
		log_info("checker: resuming %zu back-off retries",
		    k->tab.n_retry);
	/* from here on only the writer thread uses k->st */
	if (writer_start(&k->wr, k->st, k->base, checker_writer_done, k) != 0)
		return -1;
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
	 * it: the next query asks again): batch after batch, each waited
	 * for, until nothing finished is left. */
	while (k->wr != NULL && k->ev_flush) {
		if (!k->put_inflight && !TAILQ_EMPTY(&k->tab.done))
			checker_flush_cb(-1, 0, k);
		if (!k->put_inflight)
			break;
		writer_wait(k->wr);
	}
	writer_stop(k->wr);
	k->wr = NULL;
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
	store_close(k->rd);
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
