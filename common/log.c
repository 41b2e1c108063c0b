/*
 * log.c -- one line per event on stderr: "ident[pid]: level: text".
 *
 * The daemon runs in the foreground (as under systemd or a supervisor),
 * so stderr is the log. Lines are written with one write(2) so the
 * server's and the checker's lines do not interleave mid-line.
 * With --syslog the same text goes to syslog(3) instead, with the level
 * as the priority (glibc's syslog() is thread-safe, like the write).
 */
#include <stdio.h>
#include <syslog.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static const char *log_ident = "fcrdnsd";
static int log_verbosity = LOG_LVL_INFO;
static int log_syslog;

void
log_init(const char *ident, int verbosity)
{
	log_ident = ident;
	log_verbosity = LOG_LVL_INFO + verbosity;
}

void
log_to_syslog(void)
{
	openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

int
log_level(void)
{
	return log_verbosity;
}

static void log_vwrite(int lvl, const char *what, const char *fmt,
	va_list ap) __attribute__((format(printf, 3, 0)));

static void
log_vwrite(int lvl, const char *what, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;

	if (lvl > log_verbosity)
		return;
	if (log_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
		    LOG_DEBUG };
		vsyslog(prio[lvl], fmt, ap);
		return;
	}
	n = snprintf(line, sizeof(line), "%s[%d]: %s", log_ident,
	    (int)getpid(), what);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(name, lvl, what)                                   \
	void name(const char *fmt, ...)                           \
	{                                                         \
		va_list ap;                                       \
		va_start(ap, fmt);                                \
		log_vwrite(lvl, what, fmt, ap);                   \
		va_end(ap);                                       \
	}
LOG_FN(log_err, LOG_LVL_ERR, "error: ")
LOG_FN(log_warn, LOG_LVL_WARN, "warning: ")
LOG_FN(log_info, LOG_LVL_INFO, "")
LOG_FN(log_debug, LOG_LVL_DEBUG, "debug: ")
