/*
 * server.h -- the answer server process: UDP threads that answer
 * queries, and the main thread that runs TCP, the checker link and the
 * table of parked queries.
 *
 * Each UDP thread (server/udp.c) blocks in recvmmsg(2) on its --listen
 * address's socket (the threads of one address share it: the kernel
 * wakes one per arrival) and has its own responder, store read handle
 * and batch buffers: the hit path takes no lock of ours.
 * A query that must wait is parked in the one wait table (server/worker.c
 * says what crosses threads); the main thread answers it when the checker
 * reports its address done, or at its deadline. Worker 0 is the main
 * thread's own responder, for TCP (server/tcp.c) and parked queries.
 */
#ifndef FCRDNS_SERVER_H
#define FCRDNS_SERVER_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "../common/config.h"
#include "respond.h"
#include "waitq.h"

struct event_base;
struct event;
struct tcp_conn;
struct server;
struct udp_batch;

#define SERVER_SCRATCH (65535 + 2)
#define SERVER_MAX_WORKERS 64

/* Per-thread counters (summed by server_stats_sum()). */
struct server_stats {
	uint64_t waited;          /* queries parked */
	uint64_t answered_done;   /* parked queries answered on IPC_DONE */
	uint64_t deadline;        /* parked queries answered at --wait-ms */
	uint64_t table_full;      /* no room to park: deadline answer at once */
	uint64_t ipc_dropped;     /* messages the checker could not take */
	uint64_t checker_restarts;
	uint64_t tcp_refused;     /* connections over --tcp-max */
	uint64_t udp_oversize;    /* datagrams too large, dropped */
};

/* One answering thread: the main thread (id 0), or a UDP thread. */
struct worker {
	struct server *srv;
	int id;
	pthread_t thread;         /* UDP threads */
	int started;
	struct responder resp;
	struct store *store;      /* this thread's read handle */
	struct server_stats stats;
	uint8_t *scratch;         /* main thread: SERVER_SCRATCH bytes */
	int udp_fd;               /* UDP threads: the socket; else -1 */
	struct udp_batch *batch;  /* UDP threads: recvmmsg buffers */
};

/* Where a parked query's answer goes: a UDP socket and peer, or a TCP
 * connection (tcp_conn != NULL) that is still open if its generation
 * matches. */
struct park_dest {
	int udp_fd;
	const struct sockaddr_storage *peer;
	socklen_t peer_len;
	void *tcp_conn;
	uint64_t tcp_gen;
};

struct server {
	const struct config *cfg;
	struct event_base *base;  /* main thread; worker 0 runs on it */
	const struct zone *zone;
	int n_workers;            /* --workers: UDP threads per --listen */
	int n_threads;            /* 1 + n_workers * listen addresses */
	struct worker *workers;   /* [0] the main thread, then UDP threads */
	int udp_stop;             /* set at exit: UDP threads return */

	/* parked queries, for every thread; answered on the main thread */
	pthread_mutex_t wq_mu;
	struct waitq *wq;
	struct event *wq_timer;   /* the oldest entry's deadline */
	int64_t wq_armed_ms;      /* deadline the timer is set for, -1 none */
	int wq_wake_fd;           /* eventfd: a first entry was parked */
	struct event *wq_wake_ev;

	/* TCP (RFC 7766), on the main thread only */
	int tcp_fd[CONFIG_MAX_LISTEN];
	struct event *tcp_ev[CONFIG_MAX_LISTEN];
	struct tcp_conn *conns;   /* --tcp-max slots, allocated once */
	uint32_t tcp_open;
	uint64_t tcp_refused;     /* new connections closed: every slot busy */
	uint64_t tcp_evicted;     /* idle connections closed for a new one */
	struct event *tcp_sweep;  /* closes idle connections */
	struct event *tcp_pause;  /* listening again after EMFILE */
	int64_t tcp_err_logged;   /* second of the last accept error logged */

	/* checker link */
	char **argv;              /* our own argv, to exec the checker */
	int exe_fd;               /* our executable, opened at start (fexecve) */
	pthread_mutex_t link_mu;  /* guards checker_fd for worker threads */
	pid_t checker_pid;
	int checker_fd;
	struct event *checker_ev;
	struct event *restart_ev;
	struct event *sigchld_ev;
	int restart_delay_ms;
	int64_t checker_started_ms;
	uint64_t checker_restarts;
	int stopping;
};

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t server_now_ms(void);

/* Threads (worker.c): set up the main worker and the UDP threads with
 * their sockets and store handles; start the UDP threads; stop and free
 * them all. */
int workers_init(struct server *s, struct store *store0);
int workers_start(struct server *s);
void workers_stop(struct server *s);
/* Main thread: the checker reported addr done; answer its parked queries. */
void workers_done(struct server *s, const uint8_t addr[ADDR_LEN]);
/* Main thread: ask again for the check of every parked address (after a
 * checker restart). */
void workers_resend_checks(struct server *s);
/* Parked queries now (metrics). */
uint32_t workers_parked(struct server *s);
/* Sum every thread's counters (reads without locks: a snapshot). */
void server_stats_sum(const struct server *s, struct respond_stats *r,
	struct server_stats *ss);

/* UDP (udp.c): bind a UDP thread's socket on --listen entry li; the
 * thread's body; wake it (blocked in recvmmsg) once udp_stop is set;
 * close its socket. */
/* Open worker w's UDP socket for --listen entry li; with share_fd >= 0,
 * a descriptor of that socket (the threads of one address share it). */
int udp_open(struct worker *w, int li, int share_fd);
void *udp_thread_main(void *arg);
void udp_wake(struct worker *w);
void udp_close(struct worker *w);
/* Bind and listen one TCP socket (udp.c shares the bind code). */
int tcp_listen_socket(const struct config_listen *l, int *fd);
/* Check that no other process serves the --listen addresses (a bind
 * must succeed) before any thread is set up. */
int udp_probe(const struct config *cfg);

/* TCP (tcp.c), on the main thread. */
int tcp_open(struct server *s);
void tcp_close(struct server *s);
void tcp_send_answer(struct server *s, struct tcp_conn *c, uint64_t gen,
	const uint8_t *ans, size_t len);

/*
 * Park the query in buf (respond() said RESPOND_WAIT) until the check of
 * addr ends, asking the checker for it unless a query for addr is parked
 * already. Returns 0 when parked. Returns 1 when the table is full, the
 * query too long, or the checker cannot take the check: then the deadline
 * answer is written into buf (*outlen, 0 for none) for the caller to send.
 * Any thread.
 */
int server_park(struct worker *w, const uint8_t addr[ADDR_LEN],
	uint8_t *buf, size_t len, size_t cap, int tcp,
	const struct park_dest *dest, size_t *outlen);
void server_send_parked(struct worker *w, struct waitq_entry *e,
	const uint8_t *ans, size_t len);

/* Checker link (link.c). */
int link_start(struct server *s);
void link_stop(struct server *s);
/* Send one message to the checker from any thread; -1 if it cannot be
 * sent now (checker down or its socket full). */
int link_send(struct server *s, int type, const uint8_t addr[ADDR_LEN]);

#endif
