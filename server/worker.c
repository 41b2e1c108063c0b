/*
 * worker.c -- answering threads: each owns a libevent base, UDP sockets,
 * a responder, a store read handle and a table of parked queries.
 *
 * Nothing on the query path is shared between workers, so it takes no
 * lock. What crosses threads: messages to the checker (link_send(), one
 * mutex held for a send(2)), and "address done" from the main thread,
 * through each worker's inbox (a ring under a mutex plus an eventfd).
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

/* respond() hooks. A check is asked for only by the first query of this
 * worker that waits for an address: later ones (a resolver's retries,
 * other resolvers) share it; a retry that lands on another worker asks
 * again, and the checker folds the two into one check. */
static int
hook_check(void *arg, const uint8_t addr[ADDR_LEN])
{
	struct worker *w = arg;

	if (waitq_has(w->wq, addr))
		return 0;
	if (link_send(w->srv, IPC_CHECK, addr) != 0) {
		w->stats.ipc_dropped++;
		return -1;
	}
	return 0;
}

static int
hook_refresh(void *arg, const uint8_t addr[ADDR_LEN])
{
	struct worker *w = arg;

	if (link_send(w->srv, IPC_REFRESH, addr) != 0) {
		w->stats.ipc_dropped++;
		return -1;
	}
	return 0;
}

static int
hook_seen(void *arg, const uint8_t addr[ADDR_LEN])
{
	struct worker *w = arg;

	if (link_send(w->srv, IPC_SEEN, addr) != 0) {
		w->stats.ipc_dropped++;
		return -1;
	}
	return 0;
}

/* Answer one parked query from the store (deadline 0) or with the
 * deadline answer (deadline 1), in the worker's scratch buffer. */
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

	w->stats.answered_done++;
	answer_parked(w, e, 0);
}

static void
take_deadline_cb(struct waitq_entry *e, void *arg)
{
	struct worker *w = arg;

	w->stats.deadline++;
	answer_parked(w, e, 1);
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

static void
wq_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	w->wq_armed_ms = -1;
	w->resp.now = time(NULL);
	waitq_expire(w->wq, server_now_ms(), take_deadline_cb, w);
	store_release(w->resp.store);
	server_arm_timer(w);
}

void
server_arm_timer(struct worker *w)
{
	int64_t next = waitq_next_deadline(w->wq), now;
	struct timeval tv;

	if (next < 0 || next == w->wq_armed_ms)
		return;
	now = server_now_ms();
	if (next < now)
		next = now;
	tv.tv_sec = (next - now) / 1000;
	tv.tv_usec = ((next - now) % 1000) * 1000;
	evtimer_add(w->wq_timer, &tv);
	w->wq_armed_ms = next;
}

int
server_park(struct worker *w, const uint8_t addr[ADDR_LEN], uint8_t *buf,
	size_t len, size_t cap, int tcp, size_t *outlen,
	struct waitq_entry **entry)
{
	struct waitq_entry *e = NULL;

	if (len <= WAITQ_MAX_QUERY)
		e = waitq_reserve(w->wq);
	if (!e) {
		/* verdicts.md: no room to wait is the deadline answer, at
		 * once, and counted */
		w->stats.table_full++;
		if (respond_final(&w->resp, buf, len, cap, tcp, 1,
		    outlen) != RESPOND_SEND)
			*outlen = 0;
		return 1;
	}
	memcpy(e->addr, addr, ADDR_LEN);
	memcpy(e->query, buf, len);
	e->qlen = (uint16_t)len;
	e->deadline_ms = server_now_ms() + w->srv->cfg->wait_ms;
	waitq_add(w->wq, e);
	w->stats.waited++;
	*entry = e;
	return 0;
}

/* Answer this worker's waiters of addr (on the worker's thread). */
static void
worker_take(struct worker *w, const uint8_t addr[ADDR_LEN])
{
	w->resp.now = time(NULL);
	waitq_take(w->wq, addr, take_done_cb, w);
	/* renew the snapshot for the next address: the checker may have
	 * committed more since */
	store_release(w->resp.store);
	server_arm_timer(w);
}

static void
inbox_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	uint8_t addr[ADDR_LEN];
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
	for (;;) {
		pthread_mutex_lock(&w->inbox_mu);
		if (w->inbox_len == 0) {
			pthread_mutex_unlock(&w->inbox_mu);
			break;
		}
		memcpy(addr, w->inbox[w->inbox_head], ADDR_LEN);
		w->inbox_head = (w->inbox_head + 1) % w->inbox_cap;
		w->inbox_len--;
		pthread_mutex_unlock(&w->inbox_mu);
		worker_take(w, addr);
	}
}

void
workers_done(struct server *s, const uint8_t addr[ADDR_LEN])
{
	int i;

	worker_take(&s->workers[0], addr);
	for (i = 1; i < s->n_workers; i++) {
		struct worker *w = &s->workers[i];
		uint64_t one = 1;
		int wake;

		pthread_mutex_lock(&w->inbox_mu);
		/* a full inbox drops the oldest: its waiters get the
		 * deadline answer, never a wrong one */
		if (w->inbox_len == w->inbox_cap) {
			w->inbox_head = (w->inbox_head + 1) % w->inbox_cap;
			w->inbox_len--;
		}
		memcpy(w->inbox[(w->inbox_head + w->inbox_len) % w->inbox_cap],
		    addr, ADDR_LEN);
		wake = w->inbox_len++ == 0;
		pthread_mutex_unlock(&w->inbox_mu);
		if (wake)
			(void)!write(w->inbox_fd, &one, sizeof(one));
	}
}

void
server_stats_sum(const struct server *s, struct respond_stats *r,
	struct server_stats *ss)
{
	int i;
	size_t k;

	memset(r, 0, sizeof(*r));
	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < s->n_workers; i++) {
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
	w->wq_armed_ms = -1;
	w->inbox_fd = -1;
	for (int i = 0; i < CONFIG_MAX_LISTEN; i++)
		w->udp_fd[i] = -1;
	if (id == 0)
		w->base = s->base;
	else
		w->base = event_base_new();
	if (!store && store_open(&store, cfg->db, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	w->store = store;
	w->scratch = malloc(SERVER_SCRATCH);
	w->wq = waitq_new(cfg->max_waiting);
	if (!w->base || !w->scratch || !w->wq)
		return -1;
	respond_init(&w->resp, cfg, s->zone, store);
	w->resp.hooks.arg = w;
	w->resp.hooks.check = hook_check;
	w->resp.hooks.refresh = hook_refresh;
	w->resp.hooks.seen = hook_seen;
	w->wq_timer = evtimer_new(w->base, wq_timer_cb, w);
	if (!w->wq_timer)
		return -1;
	if (id > 0) {
		pthread_mutex_init(&w->inbox_mu, NULL);
		w->inbox_cap = 4096;
		w->inbox = calloc(w->inbox_cap, ADDR_LEN);
		w->inbox_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!w->inbox || w->inbox_fd < 0)
			return -1;
		w->inbox_ev = event_new(w->base, w->inbox_fd,
		    EV_READ | EV_PERSIST, inbox_cb, w);
		if (!w->inbox_ev || event_add(w->inbox_ev, NULL) != 0)
			return -1;
	}
	return udp_open(w);
}

int
workers_init(struct server *s, struct store *store0)
{
	int i;

	/* libevent must lock its bases: the main thread breaks the
	 * workers' loops at exit */
	if (evthread_use_pthreads() != 0)
		return -1;
	s->n_workers = (int)s->cfg->workers;
	if (s->n_workers < 1)
		s->n_workers = 1;
	if (s->n_workers > SERVER_MAX_WORKERS)
		s->n_workers = SERVER_MAX_WORKERS;
	s->workers = calloc(s->n_workers, sizeof(*s->workers));
	if (!s->workers)
		return -1;
	if (udp_probe(s->cfg) != 0)
		return -1;
	for (i = 0; i < s->n_workers; i++)
		if (worker_setup(s, &s->workers[i], i, i == 0 ? store0 : NULL)
		    != 0)
			return -1;
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

int
workers_start(struct server *s)
{
	sigset_t all, old;
	int i;

	/* signals go to the main thread only */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 1; i < s->n_workers; i++)
		if (pthread_create(&s->workers[i].thread, NULL, worker_main,
		    &s->workers[i]) != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			log_err("worker %d: %s", i, strerror(errno));
			return -1;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

void
workers_stop(struct server *s)
{
	int i;

	for (i = 1; i < s->n_workers; i++) {
		struct worker *w = &s->workers[i];
		if (w->base && w->thread) {
			event_base_loopbreak(w->base);
			pthread_join(w->thread, NULL);
		}
	}
	for (i = s->n_workers - 1; i >= 0; i--) {
		struct worker *w = &s->workers[i];
		udp_close(w);
		if (w->wq_timer)
			event_free(w->wq_timer);
		if (w->inbox_ev)
			event_free(w->inbox_ev);
		if (w->inbox_fd >= 0)
			close(w->inbox_fd);
		free(w->inbox);
		waitq_free(w->wq);
		free(w->scratch);
		if (i > 0) {
			store_close(w->store);
			if (w->base)
				event_base_free(w->base);
		}
	}
	free(s->workers);
	s->workers = NULL;
}
