/*
 * control.h -- the control socket that fcrdnsctl talks to (--control
 * PATH, a Unix stream socket of mode 0600; "" turns it off), SIGHUP, and
 * the exempt/block lists' life cycle. All of it runs on the main
 * thread's event base.
 *
 * Protocol: the client sends one request line; the server answers zero
 * or more lines, then a last line that is exactly "ok" or starts with
 * "error: ", and closes the connection.
 *
 *   recheck IP   check IP now with a fresh DNS cache (IPC_RECHECK), wait
 *                for the verdict to be stored (up to --check-timeout-ms
 *                plus 2 s) and print it as `fcrdnsctl show` does:
 *                "VERDICT IP state=... details"
 *   forget IP    the checker deletes IP's record and back-off; waits for
 *                it (5 s): the next query for IP starts a new check
 *   stats        every counter, "name value" per line (the same figures
 *                as the metrics, see server/metrics.h; a label becomes
 *                ".value" after the name)
 *   reload       re-read the --exempt and --block files; a bad line is
 *                reported as "error: FILE:LINE: ..." and the lists in
 *                force stay (SIGHUP does the same and logs the outcome)
 *
 * A stale socket left by a crash is replaced at start; a socket that
 * still answers (another fcrdnsd) is an error. The socket is removed at
 * exit if it is still ours.
 */
#ifndef FCRDNS_CONTROL_H
#define FCRDNS_CONTROL_H

#include <stddef.h>
#include "../common/ipc.h"

struct server;

#define CONTROL_LINE_MAX   512   /* longest request line */
#define CONTROL_MAX_CONNS  32    /* clients at once */
#define CONTROL_FORGET_MS  5000  /* how long `forget` waits */

/*
 * Load the exempt and block lists (a bad line: one line naming the file
 * and line on stderr, return 2), set up SIGHUP, and open the control
 * socket (-1 after printing an error naming --control). Call after the
 * workers are set up and before privileges are dropped.
 */
int control_start(struct server *s);

/* Close the socket and every client, remove the socket file, free the
 * lists (after the workers stopped). */
void control_stop(struct server *s);

/* A message from the checker (link.c): IPC_DONE with IPC_DONE_RECHECK
 * and IPC_FORGET end the requests that wait for them. */
void control_ipc(struct server *s, const struct ipc_msg *m);

/* Re-read the lists; msg gets the outcome. Returns 0 or -1. */
int control_reload(struct server *s, char *msg, size_t msglen);

#endif
