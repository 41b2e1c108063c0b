/*
 * link.c -- the answer server's side of the checker: start it, restart it
 * when it dies, send it work, and answer parked queries when it reports.
 *
 * The checker is this same program exec()ed with "--checker-fd 3" after
 * fork(): an LMDB environment must not cross a fork (lmdb.h, "caveats"),
 * and exec gives the checker a clean address space. The two share one
 * SOCK_SEQPACKET socketpair of fixed-size messages (common/ipc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include "../common/ipc.h"
#include "../common/log.h"
#include "../common/verdict.h"
#include "../store/store.h"
#include "control.h"
#include "metrics.h"
#include "server.h"

#define RESTART_MIN_MS 200
#define RESTART_MAX_MS 10000

static void link_schedule_restart(struct server *s);

int
link_send(struct server *s, int type, const uint8_t addr[ADDR_LEN])
{
	struct ipc_msg m;
	int r = -1;

	ipc_msg_init(&m, type, addr);
	pthread_mutex_lock(&s->link_mu);
	if (s->checker_fd >= 0 && ipc_send(s->checker_fd, &m) == 0)
		r = 0;
	pthread_mutex_unlock(&s->link_mu);
	return r;
}

/* Messages from the checker: IPC_DONE answers every waiter of the
 * address, in every worker; IPC_DONE, IPC_FORGET and IPC_STATS also go
 * to the metrics and the control socket. Anything else is logged and
 * ignored. */
static void
link_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	struct ipc_msg m;
	int r, n = 0;

	while (n++ < 256 && (r = ipc_recv(fd, &m)) != 1) {
		if (r == -1) {
			/* EOF: the checker is gone; SIGCHLD restarts it */
			event_del(s->checker_ev);
			break;
		}
		if (r == -2) {
			log_warn("checker link: malformed message dropped");
			continue;
		}
		if (m.type != IPC_DONE && m.type != IPC_FORGET &&
		    m.type != IPC_STATS) {
			log_warn("checker link: unexpected message type %u",
			    m.type);
			continue;
		}
		if (m.type == IPC_DONE)
			workers_done(s, m.addr);
		/* counters, and fcrdnsctl requests waiting for the checker */
		metrics_note_ipc(&m);
		control_ipc(s, &m);
	}
}

/* fork + exec ourselves as the checker. */
static int
link_spawn(struct server *s)
{
	int sv[2], i, argc;
	char **argv;
	pid_t pid, parent = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) != 0) {
		log_err("checker: socketpair: %s", strerror(errno));
		return -1;
	}
	for (argc = 0; s->argv[argc]; argc++)
		;
	argv = calloc(argc + 3, sizeof(*argv));
	if (!argv) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	for (i = 0; i < argc; i++)
		argv[i] = s->argv[i];
	argv[argc] = "--checker-fd";
	argv[argc + 1] = "3";
	pid = fork();
	if (pid < 0) {
		log_err("checker: fork: %s", strerror(errno));
		free(argv);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls until exec (the
		 * workers' threads do not exist here) */
		sigset_t all;
		int xfd = s->exe_fd;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* fd 3 becomes the checker's socket: move the executable
		 * out of its way first, and keep 3 open across exec even if
		 * the socket already is 3 (dup2 then changes nothing) */
		if (xfd == 3)
			xfd = fcntl(xfd, F_DUPFD_CLOEXEC, 4);
		if (sv[1] == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(sv[1], 3) < 0)
			_exit(127);
		/* die with the server, even if it is SIGKILLed */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		/* the executable was opened at start: /proc may be gone
		 * after a chroot */
		if (xfd >= 0)
			fexecve(xfd, argv, environ);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	free(argv);
	close(sv[1]);
	s->checker_pid = pid;
	pthread_mutex_lock(&s->link_mu);
	s->checker_fd = sv[0];
	pthread_mutex_unlock(&s->link_mu);
	s->checker_started_ms = server_now_ms();
	s->checker_ev = event_new(s->base, sv[0], EV_READ | EV_PERSIST,
	    link_read_cb, s);
	if (!s->checker_ev || event_add(s->checker_ev, NULL) != 0)
		return -1;
	log_info("checker started (pid %d)", (int)pid);
	/* queries parked while it was down ask again */
	workers_resend_checks(s);
	return 0;
}

static void
link_drop(struct server *s)
{
	if (s->checker_ev) {
		event_free(s->checker_ev);
		s->checker_ev = NULL;
	}
	pthread_mutex_lock(&s->link_mu);
	if (s->checker_fd >= 0) {
		close(s->checker_fd);
		s->checker_fd = -1;
	}
	pthread_mutex_unlock(&s->link_mu);
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	if (s->stopping)
		return;
	s->checker_restarts++;
	if (link_spawn(s) != 0)
		link_schedule_restart(s);
}

static void
link_schedule_restart(struct server *s)
{
	struct timeval tv;

	/* back off while it keeps dying at once; a checker that ran for a
	 * while starts again quickly */
	if (server_now_ms() - s->checker_started_ms > 30000)
		s->restart_delay_ms = RESTART_MIN_MS;
	tv.tv_sec = s->restart_delay_ms / 1000;
	tv.tv_usec = (s->restart_delay_ms % 1000) * 1000;
	evtimer_add(s->restart_ev, &tv);
	log_warn("checker restarts in %d ms", s->restart_delay_ms);
	s->restart_delay_ms *= 2;
	if (s->restart_delay_ms > RESTART_MAX_MS)
		s->restart_delay_ms = RESTART_MAX_MS;
}

static void
sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != s->checker_pid)
			continue;
		if (WIFSIGNALED(st))
			log_warn("checker (pid %d) killed by signal %d",
			    (int)pid, WTERMSIG(st));
		else
			log_warn("checker (pid %d) exited with status %d",
			    (int)pid, WEXITSTATUS(st));
		s->checker_pid = -1;
		link_drop(s);
		if (!s->stopping)
			link_schedule_restart(s);
	}
}

int
link_start(struct server *s)
{
	s->checker_fd = -1;
	s->checker_pid = -1;
	s->restart_delay_ms = RESTART_MIN_MS;
	pthread_mutex_init(&s->link_mu, NULL);
	s->restart_ev = evtimer_new(s->base, restart_cb, s);
	s->sigchld_ev = evsignal_new(s->base, SIGCHLD, sigchld_cb, s);
	if (!s->restart_ev || !s->sigchld_ev ||
	    event_add(s->sigchld_ev, NULL) != 0)
		return -1;
	if (link_spawn(s) != 0)
		link_schedule_restart(s);
	return 0;
}

void
link_stop(struct server *s)
{
	int st, i;

	s->stopping = 1;
	link_drop(s); /* EOF tells the checker to finish and exit */
	if (s->checker_pid > 0) {
		kill(s->checker_pid, SIGTERM);
		/* give it up to 5 s to commit and exit, then force */
		for (i = 0; i < 500; i++) {
			if (waitpid(s->checker_pid, &st, WNOHANG) ==
			    s->checker_pid)
				break;
			usleep(10000);
		}
		if (i == 500) {
			kill(s->checker_pid, SIGKILL);
			waitpid(s->checker_pid, &st, 0);
		}
		s->checker_pid = -1;
	}
	if (s->sigchld_ev)
		event_free(s->sigchld_ev);
	if (s->restart_ev)
		event_free(s->restart_ev);
	s->sigchld_ev = s->restart_ev = NULL;
}
