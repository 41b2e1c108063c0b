/*
 * checker/server_link.c -- the checker's end of the socketpair to the server:
 * IPC_CHECK, IPC_REFRESH, IPC_RECHECK, IPC_SEEN, IPC_FORGET and IPC_STATS
 * in; IPC_DONE and the rest out, through a bounded queue when the socket
 * is full (see checker_send_arg).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/verdict.h"
#include "checker_int.h"

/* ---- IPC out ---------------------------------------------------------- */

void
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

void
checker_send(struct checker *k, int type, const uint8_t addr[ADDR_LEN],
	int verdict)
{
	checker_send_arg(k, type, addr, verdict, 0);
}

void
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
		case ENTRY_WRITING:
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
 * IPC_FORGET: drop the address's back-off and have the store writer
 * delete its record; checker_forget_done() echoes the message with the
 * outcome in arg. A check that is queued or running for it is left alone
 * (a query waits on it); it stores a new verdict when it finishes.
 */
static void
checker_forget(struct checker *k, const struct ipc_msg *m)
{
	struct entry *e = table_find(&k->tab, m->addr);
	struct wjob *j;

	if (e != NULL && e->state == ENTRY_RETRY)
		table_remove(&k->tab, e);
	if ((j = wjob_new(WJ_FORGET)) == NULL ||
	    wjob_add(j, m->addr, NULL, NULL) != 0) {
		wjob_free(j);
		k->stats.store_errors++;
		checker_send_arg(k, IPC_FORGET, m->addr, 0, IPC_FORGET_ERROR);
		return;
	}
	writer_submit(k->wr, j);
}

void
checker_forget_done(struct checker *k, const struct wjob *j)
{
	uint32_t res = j->rc == STORE_OK ? IPC_FORGET_DELETED :
	    j->rc == STORE_NOTFOUND ? IPC_FORGET_NOTFOUND : IPC_FORGET_ERROR;
	char a[ADDR_STRLEN];

	if (res == IPC_FORGET_ERROR)
		k->stats.store_errors++;
	log_info("checker: forget %s: %s", addr_format(j->keys[0], a,
	    sizeof(a)), res == IPC_FORGET_DELETED ? "record deleted" :
	    res == IPC_FORGET_NOTFOUND ? "nothing stored" : "store error");
	checker_send_arg(k, IPC_FORGET, j->keys[0], 0, res);
}

void
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
