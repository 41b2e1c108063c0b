/*
 * control.c -- the control socket, SIGHUP and the override lists (see
 * control.h for the protocol).
 *
 * One bufferevent per client on the main base. A request that needs the
 * checker (recheck, forget) sends its IPC message through link_send()
 * and parks the connection with a timer; control_ipc() completes it when
 * the checker's answer arrives on the link, or the timer ends it with an
 * error. The checker restarting meanwhile only makes the request time
 * out: nothing is lost but the answer.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "../common/log.h"
#include "../common/reason.h"
#include "../common/verdict.h"
#include "../store/store.h"
#include "control.h"
#include "metrics.h"
#include "overrides.h"
#include "server.h"

struct ctl_conn {
	struct bufferevent *bev;
	struct ctl_conn *next;
	int waiting;              /* IPC_DONE (recheck), IPC_FORGET, or 0 */
	uint8_t addr[ADDR_LEN];
	struct event *timer;
	int closing;              /* the last line is queued: close when sent */
};

static struct {
	struct server *s;
	int fd;
	struct event *ev_listen, *ev_hup, *ev_resume;
	struct ctl_conn *conns;
	int n_conns;
	struct store *store;      /* the main thread's read handle */
	dev_t dev;                /* our socket file, to remove only it */
	ino_t ino;
	int bound;
} ctl = { .fd = -1 };

/* ---- replies ------------------------------------------------------------ */

static void
ctl_free(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	for (pp = &ctl.conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ctl.n_conns--;
	if (c->timer)
		event_free(c->timer);
	bufferevent_free(c->bev);
	free(c);
}

static void
ctl_line(struct ctl_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
ctl_line(struct ctl_conn *c, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\n", 1);
}

/* The last line: "ok" (err NULL) or "error: ...", then close once sent. */
static void
ctl_end(struct ctl_conn *c, const char *err)
{
	if (err)
		ctl_line(c, "error: %s", err);
	else
		ctl_line(c, "ok");
	c->waiting = 0;
	c->closing = 1;
	if (c->timer)
		event_del(c->timer);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* ---- recheck, forget ---------------------------------------------------- */

/*
 * The verdict a query would get now, as `fcrdnsctl show` prints it:
 * fresh / stale (within --grace, RFC 8767) / backoff / expired.
 */
static void
ctl_show(struct ctl_conn *c, const uint8_t addr[ADDR_LEN])
{
	const struct config *cfg = ctl.s->cfg;
	struct store_record rec;
	char ip[ADDR_STRLEN], detail[2048];
	const char *state = "expired";
	int64_t now = time(NULL);
	int v = V_NONE, rc;

	addr_format(addr, ip, sizeof(ip));
	store_release(ctl.store);  /* see the checker's latest commit */
	rc = ctl.store ? store_get(ctl.store, addr, &rec) : STORE_ERR;
	if (rc == STORE_NOTFOUND) {
		ctl_line(c, "NONE %s stored=no", ip);
		store_release(ctl.store);
		return;
	}
	if (rc != STORE_OK) {
		ctl_line(c, "NONE %s stored=unreadable", ip);
		store_release(ctl.store);
		return;
	}
	if (verdict_is_definitive(rec.def_verdict) && now < rec.expires_at) {
		state = "fresh";
		v = rec.def_verdict;
	} else if (verdict_is_definitive(rec.def_verdict) &&
	    now < rec.expires_at + (int64_t)cfg->grace) {
		state = "stale";
		v = rec.def_verdict;
	} else if (rec.verdict == V_TEMPERROR) {
		state = "backoff";
		v = V_TEMPERROR;
	}
	reason_detail(&rec, detail, sizeof(detail));
	ctl_line(c, "%s %s state=%s %s", verdict_name(v), ip, state, detail);
	store_release(ctl.store);
}

/* Say so when an override decides the answer whatever the check says. */
static void
ctl_note_override(struct ctl_conn *c, const uint8_t addr[ADDR_LEN])
{
	struct ovr_hit h;

	switch (overrides_lookup(addr, &h)) {
	case OVR_EXEMPT:
		ctl_line(c, "note: on the exempt list (%s line %u): queries "
		    "are answered NXDOMAIN whatever the verdict",
		    ctl.s->cfg->exempt_file, h.line);
		break;
	case OVR_BLOCK:
		ctl_line(c, "note: on the block list (%s line %u): queries "
		    "are answered 127.0.0.%u whatever the verdict",
		    ctl.s->cfg->block_file, h.line, h.code);
		break;
	}
}

static void
ctl_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;
	char msg[128];

	snprintf(msg, sizeof(msg), "no answer from the checker in time (%s)",
	    c->waiting == IPC_FORGET ? "forget" : "recheck");
	ctl_end(c, msg);
}

/* Send type for addr to the checker and park c until it answers. */
static void
ctl_ask_checker(struct ctl_conn *c, int type, const uint8_t addr[ADDR_LEN],
	uint32_t wait_ms)
{
	struct timeval tv;

	if (link_send(ctl.s, type, addr) != 0) {
		ctl_end(c, "the checker is not running or is busy (see the "
		    "log); try again");
		return;
	}
	memcpy(c->addr, addr, ADDR_LEN);
	c->waiting = type == IPC_RECHECK ? IPC_DONE : IPC_FORGET;
	if (c->timer == NULL &&
	    (c->timer = evtimer_new(ctl.s->base, ctl_timeout_cb, c)) == NULL) {
		ctl_end(c, "out of memory");
		return;
	}
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

void
control_ipc(struct server *s, const struct ipc_msg *m)
{
	struct ctl_conn *c, *next;
	char ip[ADDR_STRLEN];

	if (m->type == IPC_DONE && !(m->arg & IPC_DONE_RECHECK))
		return;
	for (c = ctl.conns; c != NULL; c = next) {
		next = c->next;
		if (c->waiting != m->type ||
		    memcmp(c->addr, m->addr, ADDR_LEN) != 0)
			continue;
		addr_format(m->addr, ip, sizeof(ip));
		if (m->type == IPC_FORGET) {
			if (m->arg == IPC_FORGET_ERROR) {
				ctl_end(c, "the checker could not delete the "
				    "record (see the log)");
				continue;
			}
			ctl_line(c, "%s: %s", ip, m->arg == IPC_FORGET_DELETED ?
			    "record deleted" : "nothing was stored");
			ctl_end(c, NULL);
			continue;
		}
		/* the end of a recheck */
		if (!(m->arg & IPC_DONE_CHECKED)) {
			if (m->verdict == V_NOT_APPLICABLE) {
				ctl_line(c, "NOT_APPLICABLE %s skip=range", ip);
				ctl_end(c, NULL);
			} else {
				ctl_end(c, "the checker's queue is full; try "
				    "again");
			}
			continue;
		}
		ctl_show(c, m->addr);
		ctl_note_override(c, m->addr);
		ctl_end(c, NULL);
	}
}

/* ---- commands ----------------------------------------------------------- */

static void
stats_family(void *arg, const char *name, const char *type,
	const char *help)
{
}

/* "fcrdnsd_answers_total" + `rcode="NXDOMAIN"` -> "answers_total.NXDOMAIN" */
static void
stats_sample(void *arg, const char *name, const char *labels, uint64_t v,
	int milli)
{
	struct ctl_conn *c = arg;
	const char *q = strchr(labels, '"'), *e;
	char lab[64] = "";

	if (strncmp(name, "fcrdnsd_", 8) == 0)
		name += 8;
	if (q != NULL && (e = strchr(q + 1, '"')) != NULL &&
	    (size_t)(e - q) < sizeof(lab) - 1)
		snprintf(lab, sizeof(lab), ".%.*s", (int)(e - q - 1), q + 1);
	if (milli)
		ctl_line(c, "%s%s %llu.%03llu", name, lab,
		    (unsigned long long)(v / 1000),
		    (unsigned long long)(v % 1000));
	else
		ctl_line(c, "%s%s %llu", name, lab, (unsigned long long)v);
}

int
control_reload(struct server *s, char *msg, size_t msglen)
{
	const struct config *cfg = s->cfg;
	char why[700];

	if (!cfg->exempt_file[0] && !cfg->block_file[0]) {
		snprintf(msg, msglen, "no --exempt or --block file is "
		    "configured: nothing to reload");
		return 0;
	}
	if (overrides_install(cfg->exempt_file, cfg->block_file, why,
	    sizeof(why)) != 0) {
		snprintf(msg, msglen, "%s; the old lists stay in force "
		    "(%zu exempt, %zu block entries)", why,
		    overrides_current_count(OVR_EXEMPT),
		    overrides_current_count(OVR_BLOCK));
		return -1;
	}
	snprintf(msg, msglen, "reloaded: %s", why);
	return 0;
}

/* One request line. */
static void
ctl_command(struct ctl_conn *c, char *line)
{
	const struct config *cfg = ctl.s->cfg;
	char *cmd, *arg, *extra, *save = NULL, msg[900];
	uint8_t a[ADDR_LEN];

	cmd = strtok_r(line, " \t", &save);
	arg = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (cmd == NULL) {
		ctl_end(c, "empty request (recheck IP, forget IP, stats, "
		    "reload)");
		return;
	}
	if (!strcmp(cmd, "stats") || !strcmp(cmd, "reload")) {
		if (arg != NULL) {
			snprintf(msg, sizeof(msg), "%s takes no argument", cmd);
			ctl_end(c, msg);
			return;
		}
		if (!strcmp(cmd, "stats")) {
			struct metrics_sink k = { stats_family, stats_sample,
			    c };

			metrics_walk(ctl.s, ctl.store, &k);
			store_release(ctl.store);
			ctl_end(c, NULL);
			return;
		}
		if (control_reload(ctl.s, msg, sizeof(msg)) != 0) {
			log_warn("reload (fcrdnsctl): %s", msg);
			ctl_end(c, msg);
			return;
		}
		log_info("reload (fcrdnsctl): %s", msg);
		ctl_line(c, "%s", msg);
		ctl_end(c, NULL);
		return;
	}
	if (strcmp(cmd, "recheck") && strcmp(cmd, "forget")) {
		snprintf(msg, sizeof(msg), "unknown command '%.64s' (recheck IP, "
		    "forget IP, stats, reload)", cmd);
		ctl_end(c, msg);
		return;
	}
	if (arg == NULL || extra != NULL) {
		snprintf(msg, sizeof(msg), "usage: %s IP", cmd);
		ctl_end(c, msg);
		return;
	}
	if (addr_parse(arg, a) != 0) {
		snprintf(msg, sizeof(msg), "'%.64s' is not an IPv4 or IPv6 "
		    "address", arg);
		ctl_end(c, msg);
		return;
	}
	if (addr_is_rfc5782_test(a)) {
		snprintf(msg, sizeof(msg), "%s is an RFC 5782 test entry: "
		    "answered by the server, never checked nor stored", arg);
		ctl_end(c, msg);
		return;
	}
	log_info("%s %s (fcrdnsctl)", cmd, arg);
	if (!strcmp(cmd, "recheck"))
		ctl_ask_checker(c, IPC_RECHECK, a, cfg->check_timeout_ms + 2000);
	else
		ctl_ask_checker(c, IPC_FORGET, a, CONTROL_FORGET_MS);
}

/* ---- connections -------------------------------------------------------- */

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	if (c->closing || c->waiting)
		return;
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CONTROL_LINE_MAX)
			ctl_end(c, "request line too long");
		return;
	}
	bufferevent_disable(bev, EV_READ);
	if (n > CONTROL_LINE_MAX || memchr(line, '\0', n) != NULL)
		ctl_end(c, "request line too long or not text");
	else
		ctl_command(c, line);
	free(line);
}

static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->closing &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_free(c);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	/* EOF, error or the request timeout: the client is gone (a parked
	 * recheck still runs in the checker; only its reply is lost) */
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		ctl_free(c);
}

static void
ctl_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval tv = { 10, 0 };
	struct ctl_conn *c;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) >= 0) {
		if (ctl.n_conns >= CONTROL_MAX_CONNS) {
			static const char busy[] = "error: too many control "
			    "clients at once\n";
			(void)!write(fd, busy, sizeof(busy) - 1);
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->bev = bufferevent_socket_new(ctl.s->base, fd,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
			free(c);
			close(fd);
			continue;
		}
		bufferevent_setcb(c->bev, ctl_read_cb, ctl_write_cb,
		    ctl_event_cb, c);
		/* the request line must come within 10 s */
		bufferevent_set_timeouts(c->bev, &tv, NULL);
		bufferevent_enable(c->bev, EV_READ);
		c->next = ctl.conns;
		ctl.conns = c;
		ctl.n_conns++;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
	    errno != ECONNABORTED) {
		/* out of descriptors: the socket stays readable; stop
		 * accepting for a second instead of spinning */
		struct timeval sec = { 1, 0 };

		log_warn("control: accept: %s; not accepting for 1 s",
		    strerror(errno));
		event_del(ctl.ev_listen);
		if (ctl.ev_resume != NULL)
			evtimer_add(ctl.ev_resume, &sec);
	}
}

static void
ctl_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (ctl.ev_listen != NULL)
		event_add(ctl.ev_listen, NULL);
}

/*
 * Bind the socket at path: refuse a path that is not a socket or that
 * another process still answers on; replace a stale one. Mode 0600 from
 * the start (umask around bind), so no other user can ever connect.
 */
static int
ctl_listen(const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	mode_t old;
	int fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "fcrdnsd: --control %s: path too long for a "
		    "Unix socket\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			fprintf(stderr, "fcrdnsd: --control %s: exists and is "
			    "not a socket\n", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			fprintf(stderr, "fcrdnsd: --control %s: another "
			    "fcrdnsd is running there\n", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		if (unlink(path) != 0) {
			fprintf(stderr, "fcrdnsd: --control %s: cannot remove "
			    "the stale socket: %s\n", path, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "fcrdnsd: --control %s: socket: %s\n", path,
		    strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		umask(old);
		fprintf(stderr, "fcrdnsd: --control %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0600) != 0 || lstat(path, &sb) != 0 ||
	    listen(fd, 64) != 0) {
		fprintf(stderr, "fcrdnsd: --control %s: %s\n", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	ctl.dev = sb.st_dev;
	ctl.ino = sb.st_ino;
	ctl.bound = 1;
	return fd;
}

static void
ctl_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	char msg[900];

	if (control_reload(arg, msg, sizeof(msg)) != 0)
		log_warn("SIGHUP: %s", msg);
	else
		log_info("SIGHUP: %s", msg);
}

int
control_start(struct server *s)
{
	const struct config *cfg = s->cfg;
	char msg[900];

	ctl.s = s;
	if (cfg->exempt_file[0] || cfg->block_file[0]) {
		if (overrides_install(cfg->exempt_file, cfg->block_file, msg,
		    sizeof(msg)) != 0) {
			size_t el = strlen(cfg->exempt_file);

			/* msg starts with the file's name: add where the
			 * setting was made */
			fprintf(stderr, "fcrdnsd: %s: %s\n", el > 0 &&
			    strncmp(msg, cfg->exempt_file, el) == 0 &&
			    msg[el] == ':' ? cfg->exempt_from : cfg->block_from,
			    msg);
			return 2;
		}
		log_info("overrides: %s", msg);
	}
	ctl.ev_hup = evsignal_new(s->base, SIGHUP, ctl_hup_cb, s);
	if (ctl.ev_hup == NULL || event_add(ctl.ev_hup, NULL) != 0) {
		fprintf(stderr, "fcrdnsd: cannot catch SIGHUP\n");
		return 1;
	}
	if (store_open(&ctl.store, cfg->db, STORE_RDONLY, 0) != STORE_OK)
		ctl.store = NULL;  /* logged; recheck prints "unreadable" */
	if (cfg->control[0] == '\0')
		return 0;
	if ((ctl.fd = ctl_listen(cfg->control)) < 0)
		return 1;
	ctl.ev_listen = event_new(s->base, ctl.fd, EV_READ | EV_PERSIST,
	    ctl_accept_cb, NULL);
	ctl.ev_resume = evtimer_new(s->base, ctl_resume_cb, NULL);
	if (ctl.ev_listen == NULL || event_add(ctl.ev_listen, NULL) != 0) {
		fprintf(stderr, "fcrdnsd: --control %s: cannot watch the "
		    "socket\n", cfg->control);
		return 1;
	}
	log_info("control socket %s", cfg->control);
	return 0;
}

void
control_stop(struct server *s)
{
	struct stat sb;

	while (ctl.conns != NULL)
		ctl_free(ctl.conns);
	if (ctl.ev_listen)
		event_free(ctl.ev_listen);
	ctl.ev_listen = NULL;
	if (ctl.ev_resume)
		event_free(ctl.ev_resume);
	ctl.ev_resume = NULL;
	if (ctl.ev_hup)
		event_free(ctl.ev_hup);
	ctl.ev_hup = NULL;
	if (ctl.fd >= 0)
		close(ctl.fd);
	ctl.fd = -1;
	/* remove the socket only if it is still the one we made */
	if (ctl.bound && lstat(s->cfg->control, &sb) == 0 &&
	    sb.st_dev == ctl.dev && sb.st_ino == ctl.ino &&
	    unlink(s->cfg->control) != 0)
		log_warn("--control %s: cannot remove the socket: %s",
		    s->cfg->control, strerror(errno));
	ctl.bound = 0;
	store_close(ctl.store);
	ctl.store = NULL;
	overrides_shutdown();
}
