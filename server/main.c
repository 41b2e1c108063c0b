/*
 * main.c -- fcrdnsd: parse flags, then run as the answer server, or as
 * the checker when exec()ed by the server with --checker-fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include "../checker/checker.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../store/store.h"
#include "control.h"
#include "metrics.h"
#include "priv.h"
#include "server.h"
#include "zone.h"

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(s->base);
}

/* mkdir -p: create dir with mode, and its missing parents with 0755 (so
 * that a --user can reach a store whose parents we made as root). */
static int
mkdir_p(const char *dir, mode_t mode)
{
	char path[4096];
	size_t i;

	if (strlen(dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(path, dir);
	for (i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		path[i] = '/';
	}
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Take DB/fcrdnsd.lock (flock, not LMDB's own lock.mdb, which is for
 * readers and the writer of one store). Returns 0, or -1 after saying
 * why. */
static int
lock_store(const char *db)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s/fcrdnsd.lock", db) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "fcrdnsd: --db %s: path too long\n", db);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "fcrdnsd: --db %s: %s: %s\n", db, path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			fprintf(stderr, "fcrdnsd: --db %s: another fcrdnsd is "
			    "running on this store\n", db);
		else
			fprintf(stderr, "fcrdnsd: --db %s: %s: %s\n", db, path,
			    strerror(e));
		return -1;
	}
	return 0; /* fd stays open until exit */
}

static int
server_run(struct config *cfg, char **argv)
{
	static struct server srv;
	struct server *s = &srv;
	struct zone *zone = NULL;
	struct store *store = NULL;
	struct event *sigterm, *sigint;
	struct respond_stats rs;
	struct server_stats ss;
	char err[512];
	int i;

	if (zone_load(&zone, cfg->zone_file, cfg->zone, err, sizeof(err)) != 0) {
		/* err names the zone file (and its line) */
		fprintf(stderr, "fcrdnsd: %s: %s\n", cfg->zone_file_from, err);
		return 2;
	}
	/* --user, --chroot: the store directory for the user, paths. First,
	 * so that a wrong --user leaves nothing behind. */
	if (priv_prepare(cfg) != 0) {
		zone_free(zone);
		return 2;
	}
	/* the store directory holds the control socket too: make it now,
	 * the checker that creates the store starts later */
	if (mkdir_p(cfg->db, 0750) != 0) {
		fprintf(stderr, "fcrdnsd: --db %s: %s\n", cfg->db,
		    strerror(errno));
		zone_free(zone);
		return 1;
	}
	/* one fcrdnsd per store: two checkers would each think they are the
	 * one writer of its back-offs and refresh times, and two servers
	 * would split the checks. The lock lives as long as this process
	 * (the descriptor is not inherited by the checker). */
	if (lock_store(cfg->db) != 0) {
		zone_free(zone);
		return 1;
	}
	if (store_open(&store, cfg->db, STORE_RDONLY, 0) != STORE_OK) {
		fprintf(stderr, "fcrdnsd: --db %s: cannot open the store\n",
		    cfg->db);
		zone_free(zone);
		return 1;
	}
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->argv = argv;
	s->zone = zone;
	for (i = 0; i < CONFIG_MAX_LISTEN; i++)
		s->tcp_fd[i] = -1;
	/* kept open to exec the checker even after a chroot */
	s->exe_fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	s->base = event_base_new();
	if (!s->base) {
		fprintf(stderr, "fcrdnsd: cannot set up the event loop\n");
		return 1;
	}
	if (workers_init(s, store) != 0 || tcp_open(s) != 0)
		return 1;
	/* override lists, control socket, SIGHUP, metrics listener
	 * (server/control.c, server/metrics.c): bound before the drop */
	if ((i = control_start(s)) != 0 || metrics_start(s) != 0)
		return i ? i : 1;
	/* every socket is bound: give up root before the checker starts */
	if (priv_drop(cfg) != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sigterm = evsignal_new(s->base, SIGTERM, stop_cb, s);
	sigint = evsignal_new(s->base, SIGINT, stop_cb, s);
	if (!sigterm || !sigint || event_add(sigterm, NULL) != 0 ||
	    event_add(sigint, NULL) != 0 || link_start(s) != 0 ||
	    workers_start(s) != 0) {
		fprintf(stderr, "fcrdnsd: cannot set up the event loop\n");
		return 1;
	}
	for (i = 0; i < cfg->n_listen; i++) {
		char a[ADDR_STRLEN];
		log_info("listening on %s@%u (udp, tcp), zone %s, %d worker%s",
		    addr_format(cfg->listen[i].addr, a, sizeof(a)),
		    cfg->listen[i].port, cfg->zone, s->n_workers,
		    s->n_workers == 1 ? "" : "s");
		/* dns-server.md "Access": others get REFUSED, and an MTA
		 * behind a refused resolver silently fails open */
		if (!addr_is_loopback(cfg->listen[i].addr) &&
		    cfg->allow.n == 0)
			log_warn("listening on %s@%u, but only loopback "
			    "clients may query: give --allow-query for the "
			    "resolvers that ask", a, cfg->listen[i].port);
	}
	event_base_dispatch(s->base);

	link_stop(s);
	server_stats_sum(s, &rs, &ss);
	workers_stop(s);
	metrics_stop();
	control_stop(s);
	tcp_close(s);
	event_free(sigterm);
	event_free(sigint);
	log_info("stopped: %llu queries, %llu waited, %llu deadline answers, "
	    "%llu table-full answers",
	    (unsigned long long)rs.queries, (unsigned long long)ss.waited,
	    (unsigned long long)ss.deadline, (unsigned long long)ss.table_full);
	store_close(store);
	zone_free(zone);
	event_base_free(s->base);
	if (s->exe_fd >= 0)
		close(s->exe_fd);
	return 0;
}

/*
 * libevent's own warnings ("Error from accept() call", say) go to our
 * log, so --syslog catches them too, and at most a few a second: a
 * failure that repeats on every loop turn must not fill the disk.
 */
static void
libevent_log_cb(int severity, const char *msg)
{
	static time_t sec;
	static unsigned n, dropped;
	time_t now = time(NULL);

	if (severity < EVENT_LOG_WARN)
		return;
	if (now != sec) {
		if (dropped > 0)
			log_warn("libevent: %u more messages", dropped);
		sec = now;
		n = dropped = 0;
	}
	if (++n > 5) {
		dropped++;
		return;
	}
	if (severity == EVENT_LOG_ERR)
		log_err("libevent: %s", msg);
	else
		log_warn("libevent: %s", msg);
}

/* Descriptors: TCP connections, the checker's lookups and metrics
 * clients all take one; use what the hard limit allows (systemd's
 * LimitNOFILE, or the shell's), as NSD and unbound do. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur > 1048576)
			rl.rlim_cur = 1048576;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	int r;

	config_defaults(&cfg);
	r = config_parse(&cfg, argc, argv);
	if (r == 1)
		return 0;
	if (r != 0)
		return 2;
	event_set_log_callback(libevent_log_cb);
	raise_nofile();
	if (cfg.checker_fd >= 0) {
		log_init("fcrdnsd-checker", cfg.verbose);
		if (cfg.syslog)
			log_to_syslog();
		if (priv_checker(&cfg) != 0)
			return 1;
		return checker_main(&cfg);
	}
	log_init("fcrdnsd", cfg.verbose);
	if (cfg.syslog)
		log_to_syslog();
	return server_run(&cfg, argv);
}
