/*
 * checker/writer.c -- the store writer thread (see writer.h).
 *
 * The loop and the thread share two FIFO lists under one mutex: "todo"
 * (the loop appends, the thread takes) and "done" (the thread appends,
 * the loop takes when the eventfd wakes it). Nothing else is shared: a
 * job belongs to the thread from writer_submit() until it is on "done".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "../common/log.h"
#include "../store/store.h"
#include "record.h"
#include "writer.h"

TAILQ_HEAD(wjob_list, wjob);

struct writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob_list todo, done;
	size_t pending;            /* submitted, not yet taken by the loop */
	int busy;                  /* the thread runs a job or a sweep */
	int hurry;                 /* writer_wait(): cut a sweep short */
	pthread_cond_t idle;       /* signalled when busy drops to 0 */
	int stop;
	int efd;                   /* eventfd: something is on "done" */
	struct event *ev;
	void (*done_fn)(struct wjob *, void *);
	void *arg;
};

/* ---- jobs ------------------------------------------------------------- */

struct wjob *
wjob_new(enum wjob_kind kind)
{
	struct wjob *j = calloc(1, sizeof(*j));

	if (j != NULL)
		j->kind = kind;
	return j;
}

void
wjob_free(struct wjob *j)
{
	if (j == NULL)
		return;
	free(j->keys);
	free(j->off);
	free(j->len);
	free(j->tag);
	free(j->arena);
	free(j);
}

/* Make room for one more item (and need more arena bytes). */
static int
wjob_grow(struct wjob *j, size_t need)
{
	if (j->n == j->cap) {
		size_t c = j->cap ? j->cap * 2 : 64;
		void *k = realloc(j->keys, c * ADDR_LEN);
		if (k == NULL)
			return -1;
		j->keys = k;
		if ((k = realloc(j->off, c * sizeof(*j->off))) == NULL)
			return -1;
		j->off = k;
		if ((k = realloc(j->len, c * sizeof(*j->len))) == NULL)
			return -1;
		j->len = k;
		if ((k = realloc(j->tag, c * sizeof(*j->tag))) == NULL)
			return -1;
		j->tag = k;
		j->cap = c;
	}
	if (j->arena_len + need > j->arena_cap) {
		size_t c = j->arena_cap ? j->arena_cap : 16384;
		void *a;

		while (c < j->arena_len + need)
			c *= 2;
		if ((a = realloc(j->arena, c)) == NULL)
			return -1;
		j->arena = a;
		j->arena_cap = c;
	}
	return 0;
}

int
wjob_add(struct wjob *j, const uint8_t key[ADDR_LEN],
	const struct store_record *rec, void *tag)
{
	int len = 0;

	if (wjob_grow(j, rec ? STORE_RECORD_MAX : 0) != 0)
		return -1;
	if (rec != NULL) {
		len = store_record_encode(rec, j->arena + j->arena_len,
		    j->arena_cap - j->arena_len);
		if (len < 0)
			return -1;
	}
	memcpy(j->keys[j->n], key, ADDR_LEN);
	j->off[j->n] = (uint32_t)j->arena_len;
	j->len[j->n] = (uint32_t)len;
	j->tag[j->n] = tag;
	j->arena_len += (size_t)len;
	j->n++;
	return 0;
}

/* ---- running them (the thread) ---------------------------------------- */

static void
writer_run_put(struct writer *w, struct wjob *j)
{
	struct store_record rec;
	size_t i;
	int rc = STORE_OK;

	if ((rc = store_write_begin(w->st)) != STORE_OK) {
		j->rc = rc;
		return;
	}
	for (i = 0; i < j->n && rc == STORE_OK; i++) {
		if (store_record_decode(j->arena + j->off[i], j->len[i],
		    &rec) != STORE_OK)
			continue;   /* wjob_add() encoded it: cannot happen */
		rc = store_put(w->st, j->keys[i], &rec);
	}
	/* a failed put aborted the batch; the commit reports it (store.h) */
	j->rc = store_write_commit(w->st);
}

static void
writer_run_forget(struct writer *w, struct wjob *j)
{
	int rc;

	if ((j->rc = store_write_begin(w->st)) != STORE_OK)
		return;
	rc = store_del(w->st, j->keys[0]);
	if (rc == STORE_OK) {
		j->rc = store_write_commit(w->st);
	} else {
		store_write_abort(w->st);
		j->rc = rc;   /* STORE_NOTFOUND or the error */
	}
}

static int
writer_sweepable(const struct store_record *rec, void *arg)
{
	const struct wjob *j = arg;

	return record_sweepable(rec, j->now, j->grace, j->interest);
}

/* Put j on "done" and wake the loop. Called with w->mu held. */
static void
writer_complete_locked(struct writer *w, struct wjob *j)
{
	uint64_t one = 1;

	TAILQ_INSERT_TAIL(&w->done, j, link);
	(void)!write(w->efd, &one, sizeof(one));
	pthread_cond_broadcast(&w->idle);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wjob *sweep = NULL, *j;
	uint8_t from[ADDR_LEN], next[ADDR_LEN];
	int more, n;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		w->busy = sweep != NULL;
		if (!w->busy)
			pthread_cond_broadcast(&w->idle);
		while (TAILQ_EMPTY(&w->todo) && sweep == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if ((j = TAILQ_FIRST(&w->todo)) != NULL) {
			TAILQ_REMOVE(&w->todo, j, link);
			w->busy = 1;
			pthread_mutex_unlock(&w->mu);
			if (j->kind == WJ_SWEEP && sweep == NULL) {
				/* begins now; its steps interleave with
				 * the jobs that come after it */
				sweep = j;
				j->rc = STORE_OK;
				memset(from, 0, sizeof(from));
				pthread_mutex_lock(&w->mu);
				continue;
			}
			if (j->kind == WJ_PUT)
				writer_run_put(w, j);
			else if (j->kind == WJ_FORGET)
				writer_run_forget(w, j);
			else
				j->rc = STORE_OK;  /* a second sweep: no-op */
			pthread_mutex_lock(&w->mu);
			writer_complete_locked(w, j);
			continue;
		}
		if (sweep != NULL) {
			int end = w->stop || w->hurry;

			pthread_mutex_unlock(&w->mu);
			more = 0;
			if (!end) {
				n = store_sweep(w->st, from, WRITER_SWEEP_STEP,
				    writer_sweepable, sweep, next, &more);
				if (n < 0)
					sweep->rc = n;
				else
					sweep->swept += (size_t)n;
				memcpy(from, next, sizeof(from));
			}
			pthread_mutex_lock(&w->mu);
			if (!more) {
				writer_complete_locked(w, sweep);
				sweep = NULL;
			}
			continue;
		}
		if (w->stop)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the loop's side -------------------------------------------------- */

/* Hand every completed job to the callback, in order. */
static void
writer_drain(struct writer *w)
{
	struct wjob *j;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		if ((j = TAILQ_FIRST(&w->done)) != NULL) {
			TAILQ_REMOVE(&w->done, j, link);
			w->pending--;
		}
		pthread_mutex_unlock(&w->mu);
		if (j == NULL)
			return;
		w->done_fn(j, w->arg);
	}
}

static void
writer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t v;

	(void)what;
	(void)!read(fd, &v, sizeof(v));
	writer_drain(arg);
}

int
writer_start(struct writer **out, struct store *st, struct event_base *base,
	void (*done)(struct wjob *, void *), void *arg)
{
	struct writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int rc;

	if (w == NULL)
		return -1;
	w->st = st;
	w->done_fn = done;
	w->arg = arg;
	TAILQ_INIT(&w->todo);
	TAILQ_INIT(&w->done);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->idle, NULL);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0 || (w->ev = event_new(base, w->efd,
	    EV_READ | EV_PERSIST, writer_event_cb, w)) == NULL ||
	    event_add(w->ev, NULL) != 0) {
		log_err("checker: store writer: %s", strerror(errno));
		goto fail;
	}
	/* signals stay with the loop's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_err("checker: store writer thread: %s", strerror(rc));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->ev)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return -1;
}

void
writer_submit(struct writer *w, struct wjob *j)
{
	pthread_mutex_lock(&w->mu);
	TAILQ_INSERT_TAIL(&w->todo, j, link);
	w->pending++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
writer_wait(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->hurry = 1;
	pthread_cond_signal(&w->cv);
	while (!TAILQ_EMPTY(&w->todo) || w->busy)
		pthread_cond_wait(&w->idle, &w->mu);
	w->hurry = 0;
	pthread_mutex_unlock(&w->mu);
	writer_drain(w);
}

size_t
writer_pending(const struct writer *w)
{
	return w ? w->pending : 0;
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	/* everything queued ran before the thread ended */
	writer_drain(w);
	event_free(w->ev);
	close(w->efd);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
