/*
 * overrides.h -- the operator's exempt and block lists (--exempt FILE,
 * --block FILE).
 *
 * Both files hold one address or CIDR network per line; blank lines and
 * lines whose first non-blank character is '#' are ignored, and a '#'
 * that starts a word ends the line (a comment). Block lines may add a
 * code and a TXT:
 *
 *     # exempt file                # block file
 *     192.0.2.0/24                 198.51.100.7
 *     2001:db8:1::/48              203.0.113.0/24 3 bulk sender, see ticket 42
 *                                  2001:db8:bad::/48 127.0.0.4
 *
 * CODE is 2, 3 or 4, or 127.0.0.2..127.0.0.4 (default 2, the NO_PTR
 * code); TXT is the rest of the line, printable ASCII, at most 255
 * octets (default "FCrDNS: ADDR is on the local block list"). A first
 * word of digits only, or one starting with "127.", is taken as the code
 * (and an error if it is not one of those), so a TXT that starts so
 * needs the code written before it.
 *
 * Meaning (the query path, server/respond.c, asks before the store):
 *   exempt  never listed, never checked: NXDOMAIN like a PASS, and no
 *           IPC_CHECK is sent;
 *   block   always listed with its code and TXT, never checked.
 * These are not the query access list (--allow-query): they are about
 * the address a query asks for, not about who asks.
 *
 * Matching: the longest prefix over both lists decides, so a host can be
 * exempted inside a blocked network and the other way round. For the
 * very same network in both lists the exempt entry wins (a wrong
 * exemption costs one missed check, a wrong listing costs mail). The
 * same network twice in one file: the later line wins.
 *
 * Reloading (SIGHUP, `fcrdnsctl reload`): the new lists are built in
 * full, then published with one atomic pointer store; worker threads load
 * the pointer once per lookup, so no query waits and none is dropped. A
 * file with a bad line is reported as FILE:LINE and the lists in force
 * stay. The replaced lists are freed OVERRIDES_RETIRE_S seconds later, by
 * the next reload or at exit: a lookup runs for microseconds and never
 * blocks, so nothing can still read them then (a time-based grace period,
 * chosen over a per-query rwlock, which would make every worker write one
 * shared cache line per query).
 */
#ifndef FCRDNS_OVERRIDES_H
#define FCRDNS_OVERRIDES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../common/addr.h"

#define OVERRIDES_RETIRE_S   60
#define OVERRIDES_LINE_MAX   1024   /* longest line accepted */

enum ovr_kind { OVR_NONE = 0, OVR_EXEMPT = 1, OVR_BLOCK = 2 };

/* What a lookup found. txt is a copy, valid after a reload. */
struct ovr_hit {
	int kind;               /* enum ovr_kind */
	uint8_t code;           /* OVR_BLOCK: last octet of 127.0.0.x, 2..4 */
	uint8_t plen;           /* prefix length of the entry, over the
	                           128-bit key (IPv4: 96 + N) */
	uint32_t line;          /* line of the entry in its file */
	size_t txt_len;         /* 0: no TXT given (use a default) */
	char txt[256];
};

struct overrides;

/* An empty set to fill with overrides_read(), then overrides_finish(). */
struct overrides *overrides_new(void);
void overrides_free(struct overrides *o);

/*
 * Read one list (kind OVR_EXEMPT or OVR_BLOCK) from f; name is the file
 * name used in messages. Returns 0, or -1 with err set to
 * "NAME:LINE: message" (nothing of a failed read must be used: free o).
 */
int overrides_read(struct overrides *o, int kind, FILE *f, const char *name,
	char *err, size_t errlen);

/* Sort and index after the last read. Returns 0, or -1 (no memory). */
int overrides_finish(struct overrides *o);

/*
 * Load both files ("" or NULL for none) into a new finished set.
 * Returns 0 with *out set (NULL when both names are empty), or -1 with
 * err set to "FILE:LINE: message" or "FILE: strerror".
 */
int overrides_load(struct overrides **out, const char *exempt_file,
	const char *block_file, char *err, size_t errlen);

/* The longest-prefix entry covering addr, into hit. Returns hit->kind
 * (OVR_NONE if no entry covers addr; o may be NULL). */
int overrides_match(const struct overrides *o, const uint8_t addr[ADDR_LEN],
	struct ovr_hit *hit);

/* Entries of one kind after de-duplication (overrides_finish()). */
size_t overrides_count(const struct overrides *o, int kind);

/* ---- the set in force, read by every worker thread ------------------ */

/*
 * Load the files and, if both parse, make them the set in force. On
 * success msg says what is in force ("exempt FILE: N entries, block
 * FILE: M entries"); on failure msg is "FILE:LINE: message" and the set
 * in force does not change. Call from one thread only (the main thread:
 * start-up, SIGHUP, the control socket). Returns 0 or -1.
 */
int overrides_install(const char *exempt_file, const char *block_file,
	char *msg, size_t msglen);

/* overrides_match() on the set in force. Any thread; no lock. Returns
 * OVR_NONE at once when no list is configured. */
int overrides_lookup(const uint8_t addr[ADDR_LEN], struct ovr_hit *hit);

/* Entries in force, for stats and metrics. */
size_t overrides_current_count(int kind);

/* Free the set in force and every retired one. Only when no worker
 * thread runs any more. */
void overrides_shutdown(void);

#endif
