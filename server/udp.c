/*
 * udp.c -- UDP sockets: read a batch of datagrams with recvmmsg(2),
 * answer each in place, send the answers with one sendmmsg(2).
 *
 * The buffers are allocated once; a datagram larger than UDP_BUF is not a
 * DNS query we can answer (MSG_TRUNC tells us) and is dropped.
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

static uint8_t udp_buf[UDP_BATCH][UDP_BUF];
static struct sockaddr_storage udp_peer[UDP_BATCH];
static struct iovec udp_iov[UDP_BATCH];
static struct mmsghdr udp_msg[UDP_BATCH];
static struct iovec out_iov[UDP_BATCH];
static struct mmsghdr out_msg[UDP_BATCH];

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
	struct server *s = arg;
	uint8_t client[ADDR_LEN], waitaddr[ADDR_LEN];
	int i, n, nout = 0, rounds;

	s->resp.now = time(NULL);
	/* A few batches per wake-up, then back to the loop so that TCP and
	 * the checker link are served too under a flood. */
	for (rounds = 0; rounds < 4; rounds++) {
		for (i = 0; i < UDP_BATCH; i++) {
			udp_iov[i].iov_base = udp_buf[i];
			udp_iov[i].iov_len = UDP_BUF;
			memset(&udp_msg[i].msg_hdr, 0, sizeof(udp_msg[i].msg_hdr));
			udp_msg[i].msg_hdr.msg_iov = &udp_iov[i];
			udp_msg[i].msg_hdr.msg_iovlen = 1;
			udp_msg[i].msg_hdr.msg_name = &udp_peer[i];
			udp_msg[i].msg_hdr.msg_namelen = sizeof(udp_peer[i]);
		}
		n = recvmmsg(fd, udp_msg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("udp recvmmsg: %s", strerror(errno));
			break;
		}
		nout = 0;
		for (i = 0; i < n; i++) {
			size_t len = udp_msg[i].msg_len, outlen = 0;
			int r;

			if (udp_msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				s->stats.udp_oversize++;
				continue;
			}
			peer_key(&udp_peer[i], client);
			r = respond(&s->resp, udp_buf[i], len, UDP_BUF, client,
			    0, &outlen, waitaddr);
			if (r == RESPOND_WAIT) {
				struct waitq_entry *e = NULL;
				if (!server_park(s, waitaddr, udp_buf[i], len,
				    UDP_BUF, 0, &outlen, &e)) {
					e->udp_fd = fd;
					e->tcp_conn = NULL;
					memcpy(&e->peer, &udp_peer[i],
					    udp_msg[i].msg_hdr.msg_namelen);
					e->peer_len = udp_msg[i].msg_hdr.msg_namelen;
					continue;
				}
				r = RESPOND_SEND;
			}
			if (r != RESPOND_SEND)
				continue;
			out_iov[nout].iov_base = udp_buf[i];
			out_iov[nout].iov_len = outlen;
			memset(&out_msg[nout].msg_hdr, 0, sizeof(out_msg[nout].msg_hdr));
			out_msg[nout].msg_hdr.msg_iov = &out_iov[nout];
			out_msg[nout].msg_hdr.msg_iovlen = 1;
			out_msg[nout].msg_hdr.msg_name = &udp_peer[i];
			out_msg[nout].msg_hdr.msg_namelen =
			    udp_msg[i].msg_hdr.msg_namelen;
			nout++;
		}
		/* End the read transaction before sending: the answers are
		 * already written, and the checker may want the pages. */
		store_release(s->resp.store);
		if (nout > 0) {
			int sent = 0;
			while (sent < nout) {
				int m = sendmmsg(fd, out_msg + sent, nout - sent,
				    MSG_DONTWAIT);
				if (m <= 0) {
					/* a full socket buffer drops the rest,
					 * as a lost datagram would */
					break;
				}
				sent += m;
			}
		}
		if (n < UDP_BATCH)
			break;
	}
	server_arm_timer(s);
}

static int
bind_socket(const struct config_listen *l, int type, int *out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (l->v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(l->port);
		memcpy(&sin->sin_addr, l->addr + 12, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(l->port);
		memcpy(&sin6->sin6_addr, l->addr, 16);
		sl = sizeof(*sin6);
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
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
udp_open(struct server *s)
{
	const struct config *c = s->cfg;
	char txt[80];
	int i, rcv = 4 << 20;

	for (i = 0; i < c->n_listen; i++) {
		if (bind_socket(&c->listen[i], SOCK_DGRAM, &s->udp_fd[i]) != 0) {
			fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
			    listen_text(&c->listen[i], txt, sizeof(txt)),
			    strerror(errno));
			return -1;
		}
		/* room for a burst while a batch is answered */
		(void)setsockopt(s->udp_fd[i], SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv));
		s->udp_ev[i] = event_new(s->base, s->udp_fd[i],
		    EV_READ | EV_PERSIST, udp_read_cb, s);
		if (!s->udp_ev[i] || event_add(s->udp_ev[i], NULL) != 0)
			return -1;
	}
	s->n_listen = c->n_listen;
	return 0;
}

int
tcp_listen_socket(const struct config_listen *l, int *fd)
{
	char txt[80];

	if (bind_socket(l, SOCK_STREAM, fd) != 0) {
		fprintf(stderr, "fcrdnsd: --listen %s: tcp: %s\n",
		    listen_text(l, txt, sizeof(txt)), strerror(errno));
		return -1;
	}
	return 0;
}

void
udp_close(struct server *s)
{
	int i;

	for (i = 0; i < s->n_listen; i++) {
		if (s->udp_ev[i])
			event_free(s->udp_ev[i]);
		if (s->udp_fd[i] >= 0)
			close(s->udp_fd[i]);
		s->udp_ev[i] = NULL;
		s->udp_fd[i] = -1;
	}
}
