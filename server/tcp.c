/*
 * tcp.c -- DNS over TCP (RFC 7766): 2-byte length framing, pipelined
 * queries answered as they are ready, an idle timeout, and a cap on open
 * connections.
 *
 * Connection slots are allocated once (--tcp-max). A parked query names
 * its slot and the slot's generation, so an answer for a connection that
 * has closed since is dropped instead of going to a stranger. A client
 * that does not read its answers stops being read from (a bound on the
 * output buffer), so it can only stall itself; a byte-at-a-time client
 * costs one callback per byte and nothing else.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include "../common/log.h"
#include "../store/store.h"
#include "server.h"

/* Stop reading from a client that has this much unread output. */
#define TCP_OUT_HIGH (256 * 1024)

struct tcp_conn {
	struct bufferevent *bev;  /* NULL when the slot is free */
	uint64_t gen;
	uint8_t client[ADDR_LEN];
	uint32_t pending;         /* parked queries not yet answered */
	int eof;                  /* client half-closed: close when answered */
	struct server *s;
};

static void tcp_free_conn(struct tcp_conn *c);

void
tcp_send_answer(struct server *s, struct tcp_conn *c, uint64_t gen,
	const uint8_t *ans, size_t len)
{
	uint8_t hdr[2];

	if (!c->bev || c->gen != gen)
		return; /* closed since the query was parked */
	if (c->pending > 0)
		c->pending--;
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	bufferevent_write(c->bev, hdr, 2);
	bufferevent_write(c->bev, ans, len);
	if (c->eof && c->pending == 0)
		bufferevent_enable(c->bev, EV_WRITE); /* write cb closes */
}

/* Answer every complete framed query in the input buffer. */
static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;
	struct server *s = c->s;
	struct worker *w = &s->workers[0]; /* TCP lives on the main thread */
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t lenb[2], waitaddr[ADDR_LEN];
	uint8_t *buf = w->scratch;

	w->resp.now = time(NULL);
	while (evbuffer_get_length(in) >= 2) {
		size_t qlen, outlen = 0;
		int r;

		if (evbuffer_get_length(bufferevent_get_output(bev)) >
		    TCP_OUT_HIGH) {
			/* the client does not read: stop reading it until
			 * its answers drain (write callback) */
			bufferevent_disable(bev, EV_READ);
			break;
		}
		evbuffer_copyout(in, lenb, 2);
		qlen = (size_t)lenb[0] << 8 | lenb[1];
		if (evbuffer_get_length(in) < 2 + qlen)
			break;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, buf + 2, qlen);
		r = respond(&w->resp, buf + 2, qlen, SERVER_SCRATCH - 2,
		    c->client, 1, &outlen, waitaddr);
		if (r == RESPOND_WAIT) {
			struct waitq_entry *e = NULL;
			if (!server_park(w, waitaddr, buf + 2, qlen,
			    SERVER_SCRATCH - 2, 1, &outlen, &e)) {
				e->tcp_conn = c;
				e->tcp_gen = c->gen;
				e->udp_fd = -1;
				c->pending++;
				continue;
			}
			r = outlen ? RESPOND_SEND : RESPOND_DROP;
		}
		if (r == RESPOND_SEND) {
			buf[0] = (uint8_t)(outlen >> 8);
			buf[1] = (uint8_t)outlen;
			bufferevent_write(bev, buf, outlen + 2);
		} else if (qlen < 12) {
			/* RFC 7766 section 6.2.4 lets us close on a query
			 * we cannot even answer */
			store_release(w->resp.store);
			tcp_free_conn(c);
			return;
		}
	}
	store_release(w->resp.store);
	server_arm_timer(w);
}

static void
tcp_write_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;

	/* output drained: close a half-closed connection whose answers are
	 * all out, else read again (it may have been paused, above) */
	if (c->eof && c->pending == 0) {
		tcp_free_conn(c);
		return;
	}
	if (!c->eof)
		bufferevent_enable(bev, EV_READ);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	/* EOF, error, or the idle timeout (BEV_EVENT_TIMEOUT). A parked
	 * query keeps a connection whose client half-closed: the answer
	 * is still sent (RFC 7766 section 6.2.3 lets us close anyway, but
	 * some clients shut down their side after the last query). */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    (c->pending > 0 ||
	     evbuffer_get_length(bufferevent_get_output(bev)) > 0)) {
		bufferevent_disable(bev, EV_READ);
		c->eof = 1;
		return;
	}
	tcp_free_conn(c);
}

static void
tcp_free_conn(struct tcp_conn *c)
{
	if (!c->bev)
		return;
	bufferevent_free(c->bev); /* closes the socket (BEV_OPT_CLOSE_ON_FREE) */
	c->bev = NULL;
	c->gen++;
	c->pending = 0;
	c->s->tcp_open--;
}

static void
tcp_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct server *s = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct timeval idle;
	struct tcp_conn *c = NULL;
	uint32_t i;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s->tcp_open >= s->cfg->tcp_max) {
		/* over the cap: refuse by closing at once, so a flood of
		 * connections cannot exhaust descriptors or memory */
		s->tcp_refused++;
		close(fd);
		return;
	}
	for (i = 0; i < s->cfg->tcp_max; i++)
		if (!s->conns[i].bev) {
			c = &s->conns[i];
			break;
		}
	if (!c) {
		close(fd);
		return;
	}
	memset(c->client, 0, ADDR_LEN);
	if (ss.ss_family == AF_INET) {
		c->client[10] = c->client[11] = 0xff;
		memcpy(c->client + 12,
		    &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		memcpy(c->client, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	}
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		return;
	}
	c->s = s;
	c->pending = 0;
	c->eof = 0;
	s->tcp_open++;
	idle.tv_sec = s->cfg->tcp_idle_ms / 1000;
	idle.tv_usec = (s->cfg->tcp_idle_ms % 1000) * 1000;
	bufferevent_setcb(c->bev, tcp_read_cb, tcp_write_cb, tcp_event_cb, c);
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	/* a query is at most 65535 bytes: do not buffer more than that
	 * plus its length before answering */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 65535 + 2);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
tcp_open(struct server *s)
{
	const struct config *cfg = s->cfg;
	int i;

	s->conns = calloc(cfg->tcp_max, sizeof(*s->conns));
	if (!s->conns)
		return -1;
	for (i = 0; i < cfg->n_listen; i++) {
		if (tcp_listen_socket(&cfg->listen[i], &s->tcp_fd[i]) != 0)
			return -1;
		s->tcp_ev[i] = event_new(s->base, s->tcp_fd[i],
		    EV_READ | EV_PERSIST, tcp_accept_cb, s);
		if (!s->tcp_ev[i] || event_add(s->tcp_ev[i], NULL) != 0)
			return -1;
	}
	return 0;
}

void
tcp_close(struct server *s)
{
	uint32_t i;
	int j;

	for (j = 0; j < s->cfg->n_listen; j++) {
		if (s->tcp_ev[j])
			event_free(s->tcp_ev[j]);
		if (s->tcp_fd[j] >= 0)
			close(s->tcp_fd[j]);
		s->tcp_ev[j] = NULL;
		s->tcp_fd[j] = -1;
	}
	if (s->conns) {
		for (i = 0; i < s->cfg->tcp_max; i++)
			tcp_free_conn(&s->conns[i]);
		free(s->conns);
		s->conns = NULL;
	}
}
