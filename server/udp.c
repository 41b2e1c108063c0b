/*
 * udp.c -- UDP: each worker reads a batch of datagrams with recvmmsg(2),
 * answers each in place, and sends the answers with one sendmmsg(2).
 *
 * Every worker binds its own socket on each --listen address with
 * SO_REUSEPORT, so the kernel spreads clients (by address and port) over
 * the workers without a shared queue. The batch buffers belong to the
 * worker. A datagram larger than UDP_BUF is not a DNS query we can
 * answer (MSG_TRUNC tells us) and is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include "../common/log.h"
#include "../store/store.h"
#include "server.h"

#define UDP_BATCH 32
#define UDP_BUF   4096

/* One worker's batch: allocated with the worker, never per query. */
struct udp_batch {
	uint8_t buf[UDP_BATCH][UDP_BUF];
	struct sockaddr_storage peer[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct mmsghdr msg[UDP_BATCH];
	struct iovec out_iov[UDP_BATCH];
	struct mmsghdr out_msg[UDP_BATCH];
};

struct udp_sock {
	struct worker *w;
	int fd;
	struct udp_batch *b;
};

int64_t
server_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The peer's address as a 16-byte key (IPv4 mapped). */
static void
peer_key(const struct sockaddr_storage *ss, uint8_t key[ADDR_LEN])
{
	memset(key, 0, ADDR_LEN);
	if (ss->ss_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock *us = arg;
	struct worker *w = us->w;
	struct udp_batch *b = us->b;
	uint8_t client[ADDR_LEN], waitaddr[ADDR_LEN];
	int i, n, nout, rounds;

	w->resp.now = time(NULL);
	/* A few batches per wake-up, then back to the loop so that TCP and
	 * the checker link are served too under a flood. */
	for (rounds = 0; rounds < 4; rounds++) {
		for (i = 0; i < UDP_BATCH; i++) {
			b->iov[i].iov_base = b->buf[i];
			b->iov[i].iov_len = UDP_BUF;
			memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
			b->msg[i].msg_hdr.msg_iov = &b->iov[i];
			b->msg[i].msg_hdr.msg_iovlen = 1;
			b->msg[i].msg_hdr.msg_name = &b->peer[i];
			b->msg[i].msg_hdr.msg_namelen = sizeof(b->peer[i]);
		}
		n = recvmmsg(fd, b->msg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("udp recvmmsg: %s", strerror(errno));
			break;
		}
		nout = 0;
		for (i = 0; i < n; i++) {
			size_t len = b->msg[i].msg_len, outlen = 0;
			int r;

			if (b->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				w->stats.udp_oversize++;
				continue;
			}
			peer_key(&b->peer[i], client);
			r = respond(&w->resp, b->buf[i], len, UDP_BUF, client,
			    0, &outlen, waitaddr);
			if (r == RESPOND_WAIT) {
				struct waitq_entry *e = NULL;
				if (!server_park(w, waitaddr, b->buf[i], len,
				    UDP_BUF, 0, &outlen, &e)) {
					e->udp_fd = fd;
					e->tcp_conn = NULL;
					memcpy(&e->peer, &b->peer[i],
					    b->msg[i].msg_hdr.msg_namelen);
					e->peer_len = b->msg[i].msg_hdr.msg_namelen;
					continue;
				}
				r = outlen ? RESPOND_SEND : RESPOND_DROP;
			}
			if (r != RESPOND_SEND)
				continue;
			b->out_iov[nout].iov_base = b->buf[i];
			b->out_iov[nout].iov_len = outlen;
			memset(&b->out_msg[nout].msg_hdr, 0,
			    sizeof(b->out_msg[nout].msg_hdr));
			b->out_msg[nout].msg_hdr.msg_iov = &b->out_iov[nout];
			b->out_msg[nout].msg_hdr.msg_iovlen = 1;
			b->out_msg[nout].msg_hdr.msg_name = &b->peer[i];
			b->out_msg[nout].msg_hdr.msg_namelen =
			    b->msg[i].msg_hdr.msg_namelen;
			nout++;
		}
		/* End the read transaction before sending: the answers are
		 * written, and the checker may want the pages back. */
		store_release(w->resp.store);
		if (nout > 0) {
			int sent = 0;
			while (sent < nout) {
				int m = sendmmsg(fd, b->out_msg + sent,
				    nout - sent, MSG_DONTWAIT);
				if (m <= 0)
					break; /* a full buffer drops the rest,
					          as a lost datagram would */
				sent += m;
			}
		}
		if (n < UDP_BATCH)
			break;
	}
	server_arm_timer(w);
}

/* Fill ss from a --listen entry; returns the address length. */
static socklen_t
listen_sockaddr(const struct config_listen *l, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (l->v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(l->port);
		memcpy(&sin->sin_addr, l->addr + 12, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(l->port);
		memcpy(&sin6->sin6_addr, l->addr, 16);
		return sizeof(*sin6);
	}
}

static int
bind_socket(const struct config_listen *l, int type, int reuseport, int *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = listen_sockaddr(l, &ss);
	int fd, on = 1;

	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (reuseport)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
	if (!l->v4)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) != 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*out = fd;
	return 0;
}

/* "127.0.0.1@5300" for messages. */
static const char *
listen_text(const struct config_listen *l, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "%s@%u", addr_format(l->addr, a, sizeof(a)),
	    l->port);
	return buf;
}

int
udp_probe(const struct config *c)
{
	char txt[80];
	int i, fd;

	/* SO_REUSEPORT would let a second fcrdnsd (same user) share our
	 * port and take half the queries; a plain bind first fails if
	 * anyone else holds the address. */
	for (i = 0; i < c->n_listen; i++) {
		if (bind_socket(&c->listen[i], SOCK_DGRAM, 0, &fd) != 0) {
			fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
			    listen_text(&c->listen[i], txt, sizeof(txt)),
			    strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
udp_open(struct worker *w)
{
	const struct config *c = w->srv->cfg;
	char txt[80];
	int i, rcv = 4 << 20;

	for (i = 0; i < c->n_listen; i++) {
		struct udp_sock *us;

		if (bind_socket(&c->listen[i], SOCK_DGRAM,
		    w->srv->n_workers > 1, &w->udp_fd[i]) != 0) {
			fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
			    listen_text(&c->listen[i], txt, sizeof(txt)),
			    strerror(errno));
			return -1;
		}
		/* room for a burst while a batch is answered */
		(void)setsockopt(w->udp_fd[i], SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv));
		us = calloc(1, sizeof(*us));
		if (!us)
			return -1;
		us->w = w;
		us->fd = w->udp_fd[i];
		us->b = malloc(sizeof(*us->b));
		if (!us->b) {
			free(us);
			return -1;
		}
		w->udp_ev[i] = event_new(w->base, w->udp_fd[i],
		    EV_READ | EV_PERSIST, udp_read_cb, us);
		if (!w->udp_ev[i] || event_add(w->udp_ev[i], NULL) != 0)
			return -1;
	}
	return 0;
}

int
tcp_listen_socket(const struct config_listen *l, int *fd)
{
	char txt[80];

	if (bind_socket(l, SOCK_STREAM, 0, fd) != 0) {
		fprintf(stderr, "fcrdnsd: --listen %s: tcp: %s\n",
		    listen_text(l, txt, sizeof(txt)), strerror(errno));
		return -1;
	}
	return 0;
}

void
udp_close(struct worker *w)
{
	int i;

	for (i = 0; i < w->srv->cfg->n_listen; i++) {
		if (w->udp_ev[i]) {
			struct udp_sock *us = event_get_callback_arg(w->udp_ev[i]);
			event_free(w->udp_ev[i]);
			free(us->b);
			free(us);
		}
		if (w->udp_fd[i] >= 0)
			close(w->udp_fd[i]);
		w->udp_ev[i] = NULL;
		w->udp_fd[i] = -1;
	}
}
