/*
 * worker.c -- the answering threads, and the one table of parked queries
 * they share with the main thread.
 *
 * Worker 0 is the main thread: its libevent loop carries TCP, the
 * checker link, the control socket and the parked queries' deadlines,
 * and it answers every parked query. Workers 1..n are UDP threads
 * (server/udp.c), each blocked in recvmmsg(2) on its own socket; they
 * answer store hits without any event loop in between, so a quiet
 * stretch costs no epoll_wait(2) per datagram.
 *
 * What crosses threads, and how:
 *  - the wait table (s->wq) and its timer state, under s->wq_mu. A
 *    thread that misses parks its query, and asks for the check if no
 *    query for that address is parked yet, in one critical section, so
 *    a check's IPC_DONE can never slip in between and leave a waiter
 *    behind that no check will answer;
 *  - the main thread learns of a first waiter through an eventfd, and
 *    arms its deadline timer (every query waits the same --wait-ms, so
 *    the oldest entry's deadline is the next one);
 *  - messages to the checker: link_send(), one mutex held for a send(2).
 * Lock order: wq_mu, then link_mu, then the store's map lock (a read
 * transaction). A thread takes wq_mu only outside a read transaction:
 * the main thread remaps the store with wq_mu held.
 * Counters are per thread, read without locks (server_stats_sum()).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include <event2/thread.h>
#include "../common/ipc.h"
#include "../common/log.h"
#include "../store/store.h"
#include "server.h"

/* respond() hooks, from any thread. check is used only for the name that
 * is both an IPv4 address and an IPv6 prefix: it never waits, its check
 * runs in the background (parked queries ask in server_park()). */
static int
hook_send(struct worker *w, int type, const uint8_t addr[ADDR_LEN])
{
	if (link_send(w->srv, type, addr) != 0) {
		STAT_INC(w->stats.ipc_dropped);
		return -1;
	}
	return 0;
}

static int
hook_check(void *arg, const uint8_t addr[ADDR_LEN])
{
	return hook_send(arg, IPC_CHECK, addr);
}

static int
hook_refresh(void *arg, const uint8_t addr[ADDR_LEN])
{
	return hook_send(arg, IPC_REFRESH, addr);
}

static int
hook_seen(void *arg, const uint8_t addr[ADDR_LEN])
{
	return hook_send(arg, IPC_SEEN, addr);
}

void
server_send_parked(struct worker *w, struct waitq_entry *e,
	const uint8_t *ans, size_t len)
{
	if (e->tcp_conn) {
		tcp_send_answer(w->srv, e->tcp_conn, e->tcp_gen, ans, len);
		return;
	}
	(void)sendto(e->udp_fd, ans, len, MSG_DONTWAIT,
	    (struct sockaddr *)&e->peer, e->peer_len);
}

/* Answer one parked query from the store (deadline 0) or with the
 * deadline answer (deadline 1), in the main worker's scratch buffer.
 * Main thread, wq_mu held. */
static void
answer_parked(struct worker *w, struct waitq_entry *e, int deadline)
{
	size_t outlen = 0;
	size_t cap = e->tcp_conn ? SERVER_SCRATCH : 4096;

	memcpy(w->scratch, e->query, e->qlen);
	if (respond_final(&w->resp, w->scratch, e->qlen, cap,
	    e->tcp_conn != NULL, deadline, &outlen) == RESPOND_SEND)
		server_send_parked(w, e, w->scratch, outlen);
}

static void
take_done_cb(struct waitq_entry *e, void *arg)
{
	struct worker *w = arg;

	STAT_INC(w->stats.answered_done);
	answer_parked(w, e, 0);
}

static void
take_deadline_cb(struct waitq_entry *e, void *arg)
{
	struct worker *w = arg;

	STAT_INC(w->stats.deadline);
	answer_parked(w, e, 1);
}

/* Arm the deadline timer for the oldest parked query. Main thread,
 * wq_mu held. */
static void
arm_timer_locked(struct server *s)
{
	int64_t next = waitq_next_deadline(s->wq), now;
	struct timeval tv;

	if (next < 0) {
		s->wq_armed_ms = -1;
		return;
	}
	if (next == s->wq_armed_ms)
		return;
	now = server_now_ms();
	if (next < now)
		next = now;
	tv.tv_sec = (next - now) / 1000;
	tv.tv_usec = ((next - now) % 1000) * 1000;
	evtimer_add(s->wq_timer, &tv);
	s->wq_armed_ms = next;
}

static void
wq_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	struct worker *w = &s->workers[0];

	(void)fd;
	(void)what;
	pthread_mutex_lock(&s->wq_mu);
	s->wq_armed_ms = -1;
	w->resp.now = time(NULL);
	waitq_expire(s->wq, server_now_ms(), take_deadline_cb, w);
	store_release(w->resp.store);
	arm_timer_locked(s);
	pthread_mutex_unlock(&s->wq_mu);
}

/* A thread parked the first query of an empty table: arm the timer. */
static void
wq_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	uint64_t v;

	(void)what;
	(void)!read(fd, &v, sizeof(v));
	pthread_mutex_lock(&s->wq_mu);
	arm_timer_locked(s);
	pthread_mutex_unlock(&s->wq_mu);
}

int
server_park(struct worker *w, const uint8_t addr[ADDR_LEN], uint8_t *buf,
	size_t len, size_t cap, int tcp, const struct park_dest *dest,
	size_t *outlen)
{
	struct server *s = w->srv;
	struct waitq_entry *e = NULL;
	int wake = 0, full = 0;

	/* Never wait for wq_mu inside a read transaction: the main thread
	 * may hold wq_mu while it remaps the store (MDB_MAP_RESIZED, in
	 * answer_parked()), and a remap waits for every read transaction
	 * of the process to end. This query's store lookup is over. */
	store_release(w->resp.store);
	pthread_mutex_lock(&s->wq_mu);
	if (len <= WAITQ_MAX_QUERY)
		e = waitq_reserve(s->wq);
	if (e == NULL) {
		full = 1;
	} else if (!waitq_has(s->wq, addr) &&
	    hook_send(w, IPC_CHECK, addr) != 0) {
		/* a check the checker cannot take would never end */
		e = NULL;
	} else {
		memcpy(e->addr, addr, ADDR_LEN);
		memcpy(e->query, buf, len);
		e->qlen = (uint16_t)len;
		e->udp_fd = dest->udp_fd;
		e->peer_len = 0;
		if (dest->peer_len > 0 && dest->peer_len <= sizeof(e->peer)) {
			memcpy(&e->peer, dest->peer, dest->peer_len);
			e->peer_len = dest->peer_len;
		}
		e->tcp_conn = dest->tcp_conn;
		e->tcp_gen = dest->tcp_gen;
		/* under the lock: deadlines enter in non-decreasing order */
		e->deadline_ms = server_now_ms() + s->cfg->wait_ms;
		wake = waitq_count(s->wq) == 0;
		waitq_add(s->wq, e);
		STAT_INC(w->stats.waited);
	}
	pthread_mutex_unlock(&s->wq_mu);
	if (e != NULL) {
		if (wake) {
			uint64_t one = 1;
			(void)!write(s->wq_wake_fd, &one, sizeof(one));
		}
		return 0;
	}
	/* verdicts.md: no room to wait is the deadline answer, at once,
	 * and counted */
	if (full)
		STAT_INC(w->stats.table_full);
	if (respond_final(&w->resp, buf, len, cap, tcp, 1, outlen) !=
	    RESPOND_SEND)
		*outlen = 0;
	return 1;
}

void
workers_done(struct server *s, const uint8_t addr[ADDR_LEN])
{
	struct worker *w = &s->workers[0];

	pthread_mutex_lock(&s->wq_mu);
	w->resp.now = time(NULL);
	waitq_take(s->wq, addr, take_done_cb, w);
	/* renew the snapshot for the next address: the checker may have
	 * committed more since */
	store_release(w->resp.store);
	arm_timer_locked(s);
	pthread_mutex_unlock(&s->wq_mu);
}

static void
resend_check_cb(const uint8_t addr[ADDR_LEN], void *arg)
{
	(void)link_send(arg, IPC_CHECK, addr);
}

void
workers_resend_checks(struct server *s)
{
	pthread_mutex_lock(&s->wq_mu);
	waitq_foreach_addr(s->wq, resend_check_cb, s);
	pthread_mutex_unlock(&s->wq_mu);
}

uint32_t
workers_parked(struct server *s)
{
	uint32_t n;

	pthread_mutex_lock(&s->wq_mu);
	n = waitq_count(s->wq);
	pthread_mutex_unlock(&s->wq_mu);
	return n;
}

void
server_stats_sum(const struct server *s, struct respond_stats *r,
	struct server_stats *ss)
{
	int i;
	size_t k;

	memset(r, 0, sizeof(*r));
	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < s->n_threads; i++) {
		const uint64_t *a = (const uint64_t *)&s->workers[i].resp.stats;
		const uint64_t *b = (const uint64_t *)&s->workers[i].stats;
		uint64_t *ra = (uint64_t *)r, *sb = (uint64_t *)ss;

		/* both structs are plain arrays of uint64_t counters */
		for (k = 0; k < sizeof(*r) / sizeof(uint64_t); k++)
			ra[k] += __atomic_load_n(&a[k], __ATOMIC_RELAXED);
		for (k = 0; k < sizeof(*ss) / sizeof(uint64_t); k++)
			sb[k] += __atomic_load_n(&b[k], __ATOMIC_RELAXED);
	}
	ss->checker_restarts = s->checker_restarts;
	ss->tcp_refused = s->tcp_refused;
}

static int
worker_setup(struct server *s, struct worker *w, int id, struct store *store)
{
	const struct config *cfg = s->cfg;

	w->srv = s;
	w->id = id;
	w->udp_fd = -1;
	if (!store && store_open(&store, cfg->db, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	w->store = store;
	if (id == 0 && (w->scratch = malloc(SERVER_SCRATCH)) == NULL)
		return -1;
	respond_init(&w->resp, cfg, s->zone, store);
	w->resp.hooks.arg = w;
	w->resp.hooks.check = hook_check;
	w->resp.hooks.refresh = hook_refresh;
	w->resp.hooks.seen = hook_seen;
	return 0;
}

int
workers_init(struct server *s, struct store *store0)
{
	const struct config *cfg = s->cfg;
	int i;

	/* libevent must lock its base: the UDP threads never touch it, but
	 * the checker link and the control socket may be reached from
	 * helper threads of libevent's own */
	s->wq_wake_fd = -1;
	if (evthread_use_pthreads() != 0)
		return -1;
	s->n_workers = (int)cfg->workers;
	if (s->n_workers < 1)
		s->n_workers = 1;
	if (s->n_workers > SERVER_MAX_WORKERS)
		s->n_workers = SERVER_MAX_WORKERS;
	/* one UDP thread per worker and --listen address (a blocked
	 * recvmmsg waits on one socket), plus the main thread */
	s->n_threads = 1 + s->n_workers * cfg->n_listen;
	s->workers = calloc(s->n_threads, sizeof(*s->workers));
	if (!s->workers)
		return -1;
	pthread_mutex_init(&s->wq_mu, NULL);
	s->wq_armed_ms = -1;
	s->wq = waitq_new(cfg->max_waiting);
	s->wq_timer = evtimer_new(s->base, wq_timer_cb, s);
	s->wq_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->wq || !s->wq_timer || s->wq_wake_fd < 0)
		return -1;
	s->wq_wake_ev = event_new(s->base, s->wq_wake_fd, EV_READ | EV_PERSIST,
	    wq_wake_cb, s);
	if (!s->wq_wake_ev || event_add(s->wq_wake_ev, NULL) != 0)
		return -1;
	if (udp_probe(cfg) != 0)
		return -1;
	for (i = 0; i < s->n_threads; i++) {
		struct worker *w = &s->workers[i];

		if (worker_setup(s, w, i, i == 0 ? store0 : NULL) != 0)
			return -1;
		/* threads 1..n_listen open the sockets, the rest share them */
		if (i > 0 && udp_open(w, (i - 1) % cfg->n_listen,
		    i > cfg->n_listen ?
		    s->workers[1 + (i - 1) % cfg->n_listen].udp_fd : -1) != 0)
			return -1;
	}
	return 0;
}

int
workers_start(struct server *s)
{
	sigset_t all, old;
	int i, rc;

	/* signals go to the main thread only */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < s->n_threads; i++) {
		rc = pthread_create(&s->workers[i].thread, NULL, udp_thread_main,
		    &s->workers[i]);
		if (rc != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			log_err("worker %d: %s", i, strerror(rc));
			return -1;
		}
		s->workers[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

void
workers_stop(struct server *s)
{
	int i;

	if (s->workers == NULL)
		return;
	__atomic_store_n(&s->udp_stop, 1, __ATOMIC_RELEASE);
	for (i = 1; i < s->n_threads; i++)
		udp_wake(&s->workers[i]);
	for (i = 1; i < s->n_threads; i++)
		if (s->workers[i].started)
			pthread_join(s->workers[i].thread, NULL);
	for (i = s->n_threads - 1; i >= 0; i--) {
		struct worker *w = &s->workers[i];
		udp_close(w);
		free(w->scratch);
		if (i > 0)
			store_close(w->store);
	}
	if (s->wq_timer)
		event_free(s->wq_timer);
	if (s->wq_wake_ev)
		event_free(s->wq_wake_ev);
	if (s->wq_wake_fd >= 0)
		close(s->wq_wake_fd);
	waitq_free(s->wq);
	pthread_mutex_destroy(&s->wq_mu);
	free(s->workers);
	s->workers = NULL;
}
