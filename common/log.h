/*
 * log.h -- logging to stderr (foreground daemon) in err()/warn() style.
 */
#ifndef FCRDNS_LOG_H
#define FCRDNS_LOG_H

#include <stdarg.h>

enum { LOG_LVL_ERR = 0, LOG_LVL_WARN = 1, LOG_LVL_INFO = 2, LOG_LVL_DEBUG = 3 };

/* Process name shown in each line ("fcrdnsd", "checker"), and verbosity
 * (each -v adds one: default shows errors, warnings and info). */
void log_init(const char *ident, int verbosity);
int log_level(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
