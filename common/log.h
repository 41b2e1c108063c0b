/*
 * log.h -- logging to stderr (foreground daemon) or to syslog
 * (--syslog), in err()/warn() style.
 */
#ifndef FCRDNS_LOG_H
#define FCRDNS_LOG_H

#include <stdarg.h>

enum { LOG_LVL_ERR = 0, LOG_LVL_WARN = 1, LOG_LVL_INFO = 2, LOG_LVL_DEBUG = 3 };

/* Process name shown in each line ("fcrdnsd", "checker"), and verbosity
 * (each -v adds one: default shows errors, warnings and info). */
void log_init(const char *ident, int verbosity);
int log_level(void);

/* From now on send the lines to syslog(3) (facility LOG_DAEMON, the
 * ident given to log_init(), with the pid) instead of stderr. The
 * connection to /dev/log is opened now, so it survives a later chroot. */
void log_to_syslog(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
