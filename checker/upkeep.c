/*
 * checker/upkeep.c -- the checker's one-second tick: back-off retries,
 * the sweep of expired unused records, resuming back-offs at start, and
 * the statistics line and message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/verdict.h"
#include "checker_int.h"

/* Log the counters; the load tests read this line. */
void
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

/* ---- back-off retries, sweep ------------------------------------------ */

/* Delete records expired beyond --grace that nobody asks for: the store
 * writer walks the store in steps (checker/writer.h), so a large store
 * never holds the loop or the verdicts up. One sweep at a time. */
static void
checker_sweep(struct checker *k, int64_t now)
{
	struct wjob *j;

	if (k->sweep_inflight || (j = wjob_new(WJ_SWEEP)) == NULL)
		return;
	j->now = now;
	j->grace = k->cfg->grace;
	j->interest = k->cfg->interest;
	k->sweep_inflight = 1;
	writer_submit(k->wr, j);
}

void
checker_sweep_done(struct checker *k, const struct wjob *j)
{
	k->sweep_inflight = 0;
	k->stats.swept += j->swept;
	if (j->rc != STORE_OK)
		k->stats.store_errors++;
	if (j->swept > 0)
		log_debug("checker: swept %zu expired records", j->swept);
}

/* Seconds between sweeps: half the grace, within [5 s, 5 min], so tests
 * with a short --grace see it work. */
int64_t
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
void
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

void
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
int
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
