/*
 * udp.c -- UDP: each UDP thread blocks in recvmmsg(2) on its own socket,
 * answers the batch it gets in place, and sends the answers with one
 * sendmmsg(2).
 *
 * Blocking, not an event loop: a query answered from the store costs two
 * system calls (the receive and the send, each shared by a whole batch
 * under load), with no epoll_wait(2) before them. That is also all a
 * do-nothing responder needs (bench/floor.c). What a UDP thread cannot
 * answer at once it parks (server_park()), and the main thread's loop
 * answers it later with sendto(2) on the same socket.
 *
 * When several threads serve one --listen address, they share its one
 * socket (each its own descriptor, dup(2)ed), each blocked in recvmmsg:
 * the kernel wakes one receiver per arrival. Not SO_REUSEPORT, nor
 * SO_REUSEADDR: with either, the kernel may give a client of the same
 * user that asks for any free port (bind to port 0 with SO_REUSEPORT, as
 * dig does) our port, and that client then receives its own query back
 * as its answer (seen in a test run: a dig reply with QR clear); and any
 * program of the same user could bind the port and take part of the
 * queries (tests/conformance.sh [robust]).
 * A datagram larger than UDP_BUF
 * is not a DNS query we can answer (MSG_TRUNC tells us) and is dropped.
 * At exit, shutdown(2) wakes a blocked recvmmsg (it returns 0); a receive
 * timeout (UDP_IDLE_S) bounds the wait should it not.
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
#include "../common/log.h"
#include "../store/store.h"
#include "server.h"

#define UDP_BATCH  32
#define UDP_BUF    4096
#define UDP_IDLE_S 1

/* One thread's batch: allocated with the thread, never per query. */
struct udp_batch {
	uint8_t buf[UDP_BATCH][UDP_BUF];
	struct sockaddr_storage peer[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct mmsghdr msg[UDP_BATCH];
	struct iovec out_iov[UDP_BATCH];
	struct mmsghdr out_msg[UDP_BATCH];
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

/* Point every receive header at its buffer and peer slot (once: the
 * kernel changes only msg_len, msg_namelen and msg_flags). */
static void
udp_batch_init(struct udp_batch *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < UDP_BATCH; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = UDP_BUF;
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		b->msg[i].msg_hdr.msg_name = &b->peer[i];
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->peer[i]);
		b->out_msg[i].msg_hdr.msg_iov = &b->out_iov[i];
		b->out_msg[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Answer (or park) datagram i of the batch; 1 if an answer is to be
 * sent from b->buf[i], with its length in *outlen. */
static int
udp_answer_one(struct worker *w, struct udp_batch *b, int i, size_t *outlen)
{
	size_t len = b->msg[i].msg_len;
	socklen_t plen = b->msg[i].msg_hdr.msg_namelen;
	uint8_t client[ADDR_LEN], waitaddr[ADDR_LEN];
	int r;

	if (b->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
		STAT_INC(w->stats.udp_oversize);
		return 0;
	}
	peer_key(&b->peer[i], client);
	r = respond(&w->resp, b->buf[i], len, UDP_BUF, client, 0, outlen,
	    waitaddr);
	if (r == RESPOND_WAIT) {
		struct park_dest d = { .udp_fd = w->udp_fd,
		    .peer = &b->peer[i], .peer_len = plen };

		if (!server_park(w, waitaddr, b->buf[i], len, UDP_BUF, 0, &d,
		    outlen))
			return 0;
		r = *outlen ? RESPOND_SEND : RESPOND_DROP;
	}
	return r == RESPOND_SEND;
}

/* Receive one batch (blocking for its first datagram), answer it, send
 * the answers. Returns 0, or -1 once the socket is shut down. */
static int
udp_batch_run(struct worker *w)
{
	struct udp_batch *b = w->batch;
	int i, n, nout = 0, sent = 0;

	n = recvmmsg(w->udp_fd, b->msg, UDP_BATCH, MSG_WAITFORONE, NULL);
	if (n == 0)
		return -1;
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			log_warn("udp recvmmsg: %s", strerror(errno));
			/* not a busy loop on a lasting error */
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	w->resp.now = time(NULL);
	for (i = 0; i < n; i++) {
		size_t outlen = 0;

		if (udp_answer_one(w, b, i, &outlen)) {
			b->out_iov[nout].iov_base = b->buf[i];
			b->out_iov[nout].iov_len = outlen;
			b->out_msg[nout].msg_hdr.msg_name = &b->peer[i];
			b->out_msg[nout].msg_hdr.msg_namelen =
			    b->msg[i].msg_hdr.msg_namelen;
			nout++;
		}
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->peer[i]);
	}
	/* End the read transaction before sending (and before blocking
	 * again): the answers are written, and the checker may want the
	 * pages back. */
	store_release(w->resp.store);
	while (sent < nout) {
		int m = sendmmsg(w->udp_fd, b->out_msg + sent, nout - sent,
		    MSG_DONTWAIT);
		if (m <= 0)
			break; /* a full buffer drops the rest, as a lost
			          datagram would */
		sent += m;
	}
	return 0;
}

void *
udp_thread_main(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&w->srv->udp_stop, __ATOMIC_ACQUIRE))
		if (udp_batch_run(w) != 0)
			break;
	store_release(w->resp.store);
	return NULL;
}

void
udp_wake(struct worker *w)
{
	if (w->udp_fd >= 0)
		(void)shutdown(w->udp_fd, SHUT_RD);
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
bind_socket(const struct config_listen *l, int type, int *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = listen_sockaddr(l, &ss);
	int fd, on = 1;

	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* TCP: a restart must not wait out the old connections' TIME_WAIT.
	 * Never UDP (see the top). */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
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

	/* every address bindable before any thread is set up: one clear
	 * error if another server holds one */
	for (i = 0; i < c->n_listen; i++) {
		if (bind_socket(&c->listen[i], SOCK_DGRAM, &fd) != 0) {
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
udp_open(struct worker *w, int li, int share_fd)
{
	const struct config *c = w->srv->cfg;
	struct timeval idle = { UDP_IDLE_S, 0 };
	char txt[80];
	int rcv = 4 << 20;

	if (share_fd >= 0) {
		/* another thread of this address: its socket (see the top) */
		if ((w->udp_fd = fcntl(share_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
			    listen_text(&c->listen[li], txt, sizeof(txt)),
			    strerror(errno));
			return -1;
		}
		goto batch;
	}
	if (bind_socket(&c->listen[li], SOCK_DGRAM, &w->udp_fd) != 0) {
		fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
		    listen_text(&c->listen[li], txt, sizeof(txt)),
		    strerror(errno));
		return -1;
	}
	/* blocking receives (see the top), bounded by the idle timeout */
	if (fcntl(w->udp_fd, F_SETFL,
	    fcntl(w->udp_fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    setsockopt(w->udp_fd, SOL_SOCKET, SO_RCVTIMEO, &idle,
	    sizeof(idle)) != 0) {
		fprintf(stderr, "fcrdnsd: --listen %s: udp: %s\n",
		    listen_text(&c->listen[li], txt, sizeof(txt)),
		    strerror(errno));
		return -1;
	}
	/* room for a burst while a batch is answered */
	(void)setsockopt(w->udp_fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
batch:
	if ((w->batch = malloc(sizeof(*w->batch))) == NULL)
		return -1;
	udp_batch_init(w->batch);
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
udp_close(struct worker *w)
{
	if (w->udp_fd >= 0)
		close(w->udp_fd);
	w->udp_fd = -1;
	free(w->batch);
	w->batch = NULL;
}
