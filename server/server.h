/*
 * server.h -- the answer server process: its sockets, its parked queries
 * and its link to the checker, all on one libevent loop.
 *
 * server/udp.c and server/tcp.c read queries and hand them to respond()
 * (server/respond.h); a query that must wait is parked in the wait table
 * (server/waitq.h); server/link.c starts the checker, restarts it when it
 * dies, and answers parked queries when the checker reports them done.
 */
#ifndef FCRDNS_SERVER_H
#define FCRDNS_SERVER_H

#include <stdint.h>
#include <sys/types.h>
#include "../common/config.h"
#include "respond.h"
#include "waitq.h"

struct event_base;
struct event;
struct tcp_conn;

#define SERVER_SCRATCH (65535 + 2)

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

struct server {
	const struct config *cfg;
	struct event_base *base;
	struct responder resp;
	struct waitq *wq;
	struct event *wq_timer;
	int64_t wq_armed_ms;      /* deadline the timer is set for, -1 none */

	int udp_fd[CONFIG_MAX_LISTEN];
	struct event *udp_ev[CONFIG_MAX_LISTEN];
	int tcp_fd[CONFIG_MAX_LISTEN];
	struct event *tcp_ev[CONFIG_MAX_LISTEN];
	int n_listen;
	struct tcp_conn *conns;   /* --tcp-max slots, allocated once */
	uint32_t tcp_open;

	/* checker link */
	char **argv;              /* our own argv, to exec the checker */
	pid_t checker_pid;
	int checker_fd;
	struct event *checker_ev;
	struct event *restart_ev;
	int restart_delay_ms;
	int64_t checker_started_ms;
	int stopping;

	struct server_stats stats;
	uint8_t *scratch;         /* SERVER_SCRATCH bytes, for parked answers */
};

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t server_now_ms(void);

/* Bind every --listen address (UDP and TCP). Returns 0, or -1 after
 * printing which address failed and why. */
int udp_open(struct server *s);
int tcp_open(struct server *s);
void udp_close(struct server *s);
/* Bind and listen one TCP socket (udp.c shares the bind code). */
int tcp_listen_socket(const struct config_listen *l, int *fd);
void tcp_close(struct server *s);

/* Park the query in buf (respond() said RESPOND_WAIT) or, if the table
 * is full or the query too long, answer it with the deadline answer into
 * buf and return 1 (then *outlen is set and the caller sends it). */
int server_park(struct server *s, const uint8_t addr[ADDR_LEN],
	uint8_t *buf, size_t len, size_t cap, int tcp, size_t *outlen,
	struct waitq_entry **entry);
/* Re-arm the deadline timer after the table changed. */
void server_arm_timer(struct server *s);

/* Send a finished answer to where a parked entry came from. */
void server_send_parked(struct server *s, struct waitq_entry *e,
	const uint8_t *ans, size_t len);
/* TCP: queue an answer on a live connection (tcp.c). */
void tcp_send_answer(struct server *s, struct tcp_conn *c, uint64_t gen,
	const uint8_t *ans, size_t len);

/* Checker link (link.c). */
int link_start(struct server *s);
void link_stop(struct server *s);

#endif
