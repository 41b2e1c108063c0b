/*
 * server.h -- the answer server process: worker threads that answer
 * queries, and the main thread that runs the checker link.
 *
 * Each worker (server/worker.c) has its own libevent base, its own UDP
 * sockets on every --listen address (SO_REUSEPORT: the kernel spreads
 * clients over the workers), its own responder, store read handle and
 * table of parked queries, so the hot path shares nothing and takes no
 * lock. Worker 0 runs on the main thread's base, which also carries TCP
 * (server/tcp.c), the checker link (server/link.c) and signals. When the
 * checker reports an address done, the main thread hands the address to
 * every worker (a resolver's retry may have landed on any of them).
 */
#ifndef FCRDNS_SERVER_H
#define FCRDNS_SERVER_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include "../common/config.h"
#include "respond.h"
#include "waitq.h"

struct event_base;
struct event;
struct tcp_conn;
struct server;

#define SERVER_SCRATCH (65535 + 2)
#define SERVER_MAX_WORKERS 64

/* Per-worker counters (summed by server_stats_sum()). */
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

struct worker {
	struct server *srv;
	int id;
	pthread_t thread;         /* unused for worker 0 (main thread) */
	struct event_base *base;
	struct responder resp;
	struct store *store;      /* this worker's read handle */
	struct waitq *wq;
	struct event *wq_timer;
	int64_t wq_armed_ms;      /* deadline the timer is set for, -1 none */
	int udp_fd[CONFIG_MAX_LISTEN];
	struct event *udp_ev[CONFIG_MAX_LISTEN];
	struct server_stats stats;
	uint8_t *scratch;         /* SERVER_SCRATCH bytes */

	/* addresses the checker reported done, handed over by the main
	 * thread (workers other than 0): a ring under a mutex, and an
	 * eventfd to wake the worker's loop */
	pthread_mutex_t inbox_mu;
	uint8_t (*inbox)[ADDR_LEN];
	uint32_t inbox_head, inbox_len, inbox_cap;
	int inbox_fd;
	struct event *inbox_ev;
};

struct server {
	const struct config *cfg;
	struct event_base *base;  /* main thread; worker 0 runs on it */
	const struct zone *zone;
	int n_workers;
	struct worker *workers;

	/* TCP (RFC 7766), on the main thread only */
	int tcp_fd[CONFIG_MAX_LISTEN];
	struct event *tcp_ev[CONFIG_MAX_LISTEN];
	struct tcp_conn *conns;   /* --tcp-max slots, allocated once */
	uint32_t tcp_open;
	uint64_t tcp_refused;     /* new connections closed: every slot busy */
	uint64_t tcp_evicted;     /* idle connections closed for a new one */
	struct event *tcp_sweep;  /* closes idle connections */

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

/* Workers (worker.c): set up n workers with their sockets and store
 * handles; start the threads of workers 1..n-1; stop and free them. */
int workers_init(struct server *s, struct store *store0);
int workers_start(struct server *s);
void workers_stop(struct server *s);
/* Main thread: address done; every worker answers its waiters. */
void workers_done(struct server *s, const uint8_t addr[ADDR_LEN]);
/* Sum every worker's counters (reads without locks: a snapshot). */
void server_stats_sum(const struct server *s, struct respond_stats *r,
	struct server_stats *ss);

/* UDP (udp.c): bind one worker's sockets on every --listen address. */
int udp_open(struct worker *w);
void udp_close(struct worker *w);
/* Bind and listen one TCP socket (udp.c shares the bind code). */
int tcp_listen_socket(const struct config_listen *l, int *fd);
/* Check that no other process serves the --listen addresses (a plain
 * bind without SO_REUSEPORT must succeed) before the workers share them. */
int udp_probe(const struct config *cfg);

/* TCP (tcp.c), on worker 0. */
int tcp_open(struct server *s);
void tcp_close(struct server *s);
void tcp_send_answer(struct server *s, struct tcp_conn *c, uint64_t gen,
	const uint8_t *ans, size_t len);

/* Parking (worker.c). Park the query in buf (respond() said
 * RESPOND_WAIT) or, if the table is full or the query too long, answer
 * it with the deadline answer into buf and return 1 (then *outlen is set
 * and the caller sends it). */
int server_park(struct worker *w, const uint8_t addr[ADDR_LEN],
	uint8_t *buf, size_t len, size_t cap, int tcp, size_t *outlen,
	struct waitq_entry **entry);
void server_arm_timer(struct worker *w);
void server_send_parked(struct worker *w, struct waitq_entry *e,
	const uint8_t *ans, size_t len);

/* Checker link (link.c). */
int link_start(struct server *s);
void link_stop(struct server *s);
/* Send one message to the checker from any thread; -1 if it cannot be
 * sent now (checker down or its socket full). */
int link_send(struct server *s, int type, const uint8_t addr[ADDR_LEN]);

#endif
