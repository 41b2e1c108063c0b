/*
 * bench/floor.c -- the floor of the hit-path benchmark: a minimal UDP
 * responder that does no DNS work. It reads a batch of datagrams with
 * recvmmsg(2), sets the QR bit of each (the reply is the query, turned
 * round) and sends the batch back with one sendmmsg(2). Whatever a DNS
 * server spends per query above this is its own work.
 *
 * usage: floor ADDR PORT      (IPv4; runs until SIGTERM or SIGINT)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define BUFSZ 4096

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[BATCH][BUFSZ];
	static struct sockaddr_in peer[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr in[BATCH], out[BATCH];
	struct sockaddr_in sa;
	struct sigaction act;
	int fd, i, n, nout, one = 1, rcv = 4 << 20;
	unsigned long long answered = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: floor ADDR PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "floor: bad address %s\n", argv[1]);
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("floor: socket");
		return 1;
	}
	/* The same receive buffer as fcrdnsd's (server/udp.c), so that the
	 * floor drops no more of dnsperf's opening burst than it does. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;   /* no SA_RESTART: recvmmsg returns EINTR */
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);

	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = BUFSZ;
			memset(&in[i].msg_hdr, 0, sizeof(in[i].msg_hdr));
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &peer[i];
			in[i].msg_hdr.msg_namelen = sizeof(peer[i]);
		}
		/* Block for the first datagram, then take what is queued. */
		n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("floor: recvmmsg");
			return 1;
		}
		nout = 0;
		for (i = 0; i < n; i++) {
			if (in[i].msg_len < 12)
				continue;
			buf[i][2] |= 0x80;             /* QR: a response */
			iov[i].iov_len = in[i].msg_len;
			out[nout].msg_hdr = in[i].msg_hdr;
			out[nout].msg_hdr.msg_iov = &iov[i];
			out[nout].msg_hdr.msg_iovlen = 1;
			out[nout].msg_hdr.msg_flags = 0;
			nout++;
		}
		for (i = 0; i < nout;) {
			int s = sendmmsg(fd, out + i, (unsigned)(nout - i), 0);
			if (s <= 0) {
				if (s < 0 && errno == EINTR && !stop)
					continue;
				break;      /* a full socket buffer drops the rest */
			}
			i += s;
		}
		answered += (unsigned long long)nout;
	}
	fprintf(stderr, "floor: answered %llu\n", answered);
	return 0;
}
