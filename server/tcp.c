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
 *
 * Holding a slot costs an attacker nothing, so (RFC 7766 section 6.2.3):
 * the idle timeout runs from the last complete query, not the last byte
 * (a client that trickles one byte a second is idle all the same), a
 * sweep once a second closes idle connections, and when every slot is
 * taken a new client takes the slot of the connection idle the longest,
 * if it has been idle for TCP_EVICT_MS, instead of being refused. Clients
 * outside the access list are closed at accept.
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
/* A full table gives a new client the slot of a connection idle this long. */
#define TCP_EVICT_MS 1000
/* Out of descriptors: no accept(2) for this long. */
#define TCP_PAUSE_MS 100

struct tcp_conn {
	struct bufferevent *bev;  /* NULL when the slot is free */
	uint64_t gen;
	uint8_t client[ADDR_LEN];
	uint32_t pending;         /* parked queries not yet answered */
	int eof;                  /* client half-closed: close when answered */
	int64_t last_ms;          /* accept, or the last query answered */
	int outsider;             /* not in the access list: answered REFUSED
	                             once, then closed */
	struct server *s;
};

static void tcp_free_conn(struct tcp_conn *c);
static void tcp_pause_listening(struct server *s, int err);

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
			struct park_dest d = { .udp_fd = -1, .tcp_conn = c,
			    .tcp_gen = c->gen };
			if (!server_park(w, waitaddr, buf + 2, qlen,
			    SERVER_SCRATCH - 2, 1, &d, &outlen)) {
				c->pending++;
				c->last_ms = server_now_ms();
				continue;
			}
			r = outlen ? RESPOND_SEND : RESPOND_DROP;
		}
		/* Only a frame we answer is activity: a client that sends
		 * what is dropped (QR=1 frames, say) stays idle, and the
		 * sweep closes it. An outsider gets one frame, whatever it
		 * is, then the connection ends. */
		if (r == RESPOND_SEND)
			c->last_ms = server_now_ms();
		if (r != RESPOND_SEND && c->outsider) {
			store_release(w->resp.store);
			tcp_free_conn(c);
			return;
		}
		if (r == RESPOND_SEND) {
			buf[0] = (uint8_t)(outlen >> 8);
			buf[1] = (uint8_t)outlen;
			bufferevent_write(bev, buf, outlen + 2);
			if (c->outsider) {
				/* close once the REFUSED is written */
				bufferevent_disable(bev, EV_READ);
				c->eof = 1;
				break;
			}
		} else if (qlen < 12) {
			/* RFC 7766 section 6.2.4 lets us close on a query
			 * we cannot even answer */
			store_release(w->resp.store);
			tcp_free_conn(c);
			return;
		}
	}
	store_release(w->resp.store);
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
	if (c->eof)
		return;
	bufferevent_enable(bev, EV_READ);
	/* Frames read before the pause are still in the input buffer, and
	 * libevent calls the read callback only for new bytes: a client
	 * that sent all its pipelined queries at once sends none. Answer
	 * them now (RFC 7766 section 6.2.1.1: every query gets its answer). */
	if (evbuffer_get_length(bufferevent_get_input(bev)) >= 2)
		tcp_read_cb(bev, c);
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
	struct tcp_conn *c = NULL, *idlest = NULL;
	uint8_t client[ADDR_LEN];
	int64_t now;
	uint32_t i;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			tcp_pause_listening(s, errno);
		return;
	}
	memset(client, 0, ADDR_LEN);
	if (ss.ss_family == AF_INET) {
		client[10] = client[11] = 0xff;
		memcpy(client + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		memcpy(client, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	}
	now = server_now_ms();
	for (i = 0; i < s->cfg->tcp_max; i++) {
		struct tcp_conn *o = &s->conns[i];
		if (!o->bev) {
			c = o;
			break;
		}
		if (o->pending == 0 && now - o->last_ms >= TCP_EVICT_MS &&
		    (!idlest || o->last_ms < idlest->last_ms))
			idlest = o;
	}
	if (!c && idlest) {
		s->tcp_evicted++;
		tcp_free_conn(idlest);
		c = idlest;
	}
	if (!c) {
		/* every slot busy with recent queries: refuse by closing at
		 * once, so a flood cannot exhaust descriptors or memory */
		s->tcp_refused++;
		close(fd);
		return;
	}
	memcpy(c->client, client, ADDR_LEN);
	/* dns-server.md, "Access": such a client gets its REFUSED, but may
	 * not hold the connection open afterwards */
	c->outsider = !addr_is_loopback(client) &&
	    !cidr_list_contains(&s->cfg->allow, client);
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		return;
	}
	c->s = s;
	c->pending = 0;
	c->eof = 0;
	c->last_ms = now;
	s->tcp_open++;
	/* the read side's idle timeout is the sweep's (above); the write
	 * timeout closes a client that stops reading its answers */
	idle.tv_sec = s->cfg->tcp_idle_ms / 1000;
	idle.tv_usec = (s->cfg->tcp_idle_ms % 1000) * 1000;
	bufferevent_setcb(c->bev, tcp_read_cb, tcp_write_cb, tcp_event_cb, c);
	bufferevent_set_timeouts(c->bev, NULL, &idle);
	/* a query is at most 65535 bytes: do not buffer more than that
	 * plus its length before answering */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 65535 + 2);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
tcp_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < s->cfg->n_listen; i++)
		if (s->tcp_ev[i])
			event_add(s->tcp_ev[i], NULL);
}

/*
 * Out of descriptors (or memory): the pending connection stays in the
 * kernel's queue and the listening socket stays readable, so accepting
 * again at once would spin the main loop. Stop listening for
 * TCP_PAUSE_MS instead (the queue holds the clients meanwhile), and log
 * once a second.
 */
static void
tcp_pause_listening(struct server *s, int err)
{
	struct timeval tv = { 0, TCP_PAUSE_MS * 1000 };
	int64_t sec = server_now_ms() / 1000;
	int i;

	if (sec != s->tcp_err_logged) {
		log_warn("tcp accept: %s: not accepting for %d ms",
		    strerror(err), TCP_PAUSE_MS);
		s->tcp_err_logged = sec;
	}
	for (i = 0; i < s->cfg->n_listen; i++)
		if (s->tcp_ev[i])
			event_del(s->tcp_ev[i]);
	if (s->tcp_pause)
		evtimer_add(s->tcp_pause, &tv);
}

/* Once a second: close connections with no complete query for
 * --tcp-idle-ms and nothing pending (RFC 7766 section 6.2.3). */
static void
tcp_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	int64_t now = server_now_ms();
	uint32_t i;

	for (i = 0; i < s->cfg->tcp_max; i++) {
		struct tcp_conn *c = &s->conns[i];
		if (c->bev && c->pending == 0 &&
		    now - c->last_ms >= (int64_t)s->cfg->tcp_idle_ms)
			tcp_free_conn(c);
	}
}

int
tcp_open(struct server *s)
{
	const struct config *cfg = s->cfg;
	struct timeval tick;
	int i;

	s->conns = calloc(cfg->tcp_max, sizeof(*s->conns));
	if (!s->conns)
		return -1;
	/* sweep at a tenth of the idle timeout, at most once a second */
	tick.tv_sec = 0;
	tick.tv_usec = 1000 * (cfg->tcp_idle_ms / 10 < 1000 ?
	    cfg->tcp_idle_ms / 10 : 999);
	if (cfg->tcp_idle_ms >= 10000) {
		tick.tv_sec = 1;
		tick.tv_usec = 0;
	}
	s->tcp_sweep = event_new(s->base, -1, EV_PERSIST, tcp_sweep_cb, s);
	if (!s->tcp_sweep || event_add(s->tcp_sweep, &tick) != 0)
		return -1;
	if ((s->tcp_pause = evtimer_new(s->base, tcp_resume_cb, s)) == NULL)
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
	if (s->tcp_sweep) {
		event_free(s->tcp_sweep);
		s->tcp_sweep = NULL;
	}
	if (s->tcp_pause) {
		event_free(s->tcp_pause);
		s->tcp_pause = NULL;
	}
	if (s->conns) {
		for (i = 0; i < s->cfg->tcp_max; i++)
			tcp_free_conn(&s->conns[i]);
		free(s->conns);
		s->conns = NULL;
	}
}
