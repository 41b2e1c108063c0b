/*
 * config.h -- fcrdnsd's settings, parsed from the command line.
 *
 * The answer server and the checker read the same flags: fcrdnsd execs
 * the checker with its own argv plus "--checker-fd N", so both processes
 * parse them with config_parse() and cannot disagree.
 */
#ifndef FCRDNS_CONFIG_H
#define FCRDNS_CONFIG_H

#include <stdint.h>
#include "addr.h"

/* fcrdnsd and fcrdnsctl, built together */
#define FCRDNSD_VERSION "0.1.0"

#define CONFIG_MAX_LISTEN  16
#define CONFIG_MAX_THREADS 512  /* --workers x --listen addresses */
#define CONFIG_MAX_FORWARD 16
#define CONFIG_MAX_STUB    32

struct config_listen {
	uint8_t addr[ADDR_LEN];
	int v4;                 /* 1: bind as AF_INET */
	uint16_t port;
};

struct config_stub {
	char zone[256];         /* text, no trailing dot */
	char addr[80];          /* "ADDR@PORT" as libunbound takes it */
};

struct config {
	struct config_listen listen[CONFIG_MAX_LISTEN];
	int n_listen;
	char zone[256];         /* --zone, lower-case, no trailing dot */
	char db[4096];          /* --db */
	char forward[CONFIG_MAX_FORWARD][80]; /* "ADDR@PORT" */
	int n_forward;
	struct config_stub stub[CONFIG_MAX_STUB];
	int n_stub;
	uint32_t wait_ms;       /* --wait-ms */
	struct cidr_list allow; /* --allow-query (loopback is always allowed) */
	char zone_file[4096];   /* --zone-file */
	/* where a file-valued setting was made, for the errors about that
	 * file: "--zone-file", or "CONF:LINE: zone-file" from -c CONF */
	char zone_file_from[160];
	char exempt_from[160];
	char block_from[160];
	int verbose;            /* -v count */

	/* server */
	uint32_t workers;       /* --workers: UDP threads per --listen (one per core) */
	uint32_t max_waiting;   /* --max-waiting: parked queries (table size) */
	uint32_t ttl_cap;       /* --ttl-cap: max TTL of A/TXT answers (300) */
	uint32_t short_ttl;     /* --short-ttl: TEMPERROR/deadline neg TTL (10) */
	uint32_t stale_ttl;     /* RFC 8767 served-stale TTL (30) */
	uint16_t edns_size;     /* payload size we advertise (1232) */
	char identity[256];     /* --identity: id.server/hostname.bind/NSID
	                           (default: gethostname()) */
	char version[64];       /* version.bind/version.server text */
	int no_version;         /* --no-version: CHAOS version.* REFUSED */
	int no_identity;        /* --no-identity: CHAOS id.server/hostname.bind
	                           REFUSED */
	int no_nsid;            /* --no-nsid: leave the NSID option out */
	uint32_t tcp_max;       /* --tcp-max: open TCP connections (128) */
	uint32_t tcp_idle_ms;   /* --tcp-idle-ms: idle timeout (10000) */

	/* checker */
	uint32_t max_names;     /* --max-names (10, >= 1) */
	uint32_t max_inflight;  /* --max-inflight: checks at once */
	uint32_t max_queue;     /* --max-queue: checks waiting for a slot */
	uint32_t check_timeout_ms; /* --check-timeout-ms: per-check deadline */
	uint32_t ttl_min;       /* --ttl-min: verdict lifetime clamp (300) */
	uint32_t ttl_max;       /* --ttl-max (86400) */
	uint32_t backoff_min;   /* --backoff-min (30) */
	uint32_t backoff_max;   /* --backoff-max (900) */
	uint32_t grace;         /* --grace: serve-stale window (86400) */
	uint32_t interest;      /* --interest: keep retrying while asked within (3600) */
	struct cidr_list skip;  /* NOT_APPLICABLE ranges */

	/* running as a service (issue 6) */
	char config_file[4096]; /* -c FILE ("" for none) */
	char user[64];          /* --user: drop to this user when started as
	                           root ("" keeps the current user) */
	char chroot_dir[4096];  /* --chroot ("" for none) */
	char control[4096];     /* --control: Unix socket path ("" off) */
	char exempt_file[4096]; /* --exempt FILE: never listed, never checked */
	char block_file[4096];  /* --block FILE: always listed */
	struct config_listen metrics; /* --metrics ADDR@PORT (port 0: off) */
	int syslog;             /* --syslog: logs to syslog, not stderr */
	int query_log;          /* --query-log: one line per query */

	int checker_fd;         /* internal: set in the checker process, else -1 */
};

/* Defaults (documented in --help and README). */
void config_defaults(struct config *c);

/*
 * Parse argv into c (which config_defaults() has filled). If argv names a
 * configuration file (-c FILE, --config FILE), or the build has a default
 * one that exists, the file is read first and the flags override it: a
 * list flag (--listen, --forward, --stub, --allow-query, --skip) given on
 * the command line replaces the file's list.
 * Returns 0 to go on; 1 if --help or --version was printed (exit 0);
 * 2 after printing a one-line error naming the flag (or the file, line and
 * key) and the value to stderr (the caller exits 2).
 */
int config_parse(struct config *c, int argc, char **argv);

/*
 * Read one configuration file into c: lines "key = value" (or
 * "key: value"), where each key is a long flag without its dashes, '#'
 * or ';' start a comment, list keys repeat, and switches take yes/no.
 * Returns 0, or 2 after printing "FILE:LINE: key: message" to stderr.
 */
int config_read_file(struct config *c, const char *path);

#endif
