/*
 * checker/check.h -- one FCrDNS check of one address, as an event-driven
 * state machine: PTR lookup, clean the names, forward lookups in
 * parallel, decide (checker/verdict.h).
 *
 * Shared by the daemon (checker/checker.c, many checks at once) and by
 * `fcrdnsctl check` (checker/trace.c, one check and a printed trace).
 *
 * Finishing early and the deadline: the check finishes as soon as its
 * verdict can no longer change: every lookup answered, or one name
 * matched (verdicts.md step 5: a match is definitive whatever the other
 * names do). At the deadline (--check-timeout-ms) lookups still running
 * are cancelled and count as temporary failures, so a match already seen
 * still gives PASS; otherwise the verdict is TEMPERROR.
 */
#ifndef FCRDNS_CHECKER_CHECK_H
#define FCRDNS_CHECKER_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"
#include "../common/config.h"
#include "names.h"
#include "reply.h"
#include "resolve.h"
#include "verdict.h"

struct event;
struct check;

/* Called once when the check has finished (ck->out is set). The callee
 * may free the check (check_free()) from inside the callback. */
typedef void (*check_done_cb)(struct check *ck, void *arg);

struct check {
	uint8_t addr[ADDR_LEN];
	char rname[80];             /* reverse name, no trailing dot */
	int v4;                     /* 1: ask A; 0: ask AAAA */
	struct resolver *res;
	const struct config *cfg;
	check_done_cb done;
	void *arg;

	struct lookup *ptr_lk;      /* PTR lookup while it runs */
	struct reply ptr;           /* its outcome */
	int ptr_done;
	struct names names;         /* the kept names (step 3) */
	struct lookup *fwd_lk[NAMES_KEEP_MAX];
	struct reply fwd[NAMES_KEEP_MAX];
	uint8_t fwd_done[NAMES_KEEP_MAX];
	size_t fwd_pending;

	struct event *deadline;
	int finished;
	int timed_out;              /* the deadline ended it */
	struct verdict_out out;     /* set when finished */
};

/*
 * Allocate and start a check of addr; done runs later from the event
 * loop (never from inside check_new()). Returns NULL if out of memory
 * (nothing started).
 */
struct check *check_new(struct resolver *res, const struct config *cfg,
	const uint8_t addr[ADDR_LEN], check_done_cb done, void *arg);

/* Free a check. If it is still running its lookups are cancelled
 * (resolve_cancel: they stay counted until their hold ends). */
void check_free(struct check *ck);

/* Lookups of this check still counted by libunbound's side right now. */
size_t check_lookups_running(const struct check *ck);

/* One line saying why the verdict follows, for the trace and the log,
 * e.g. "mx1.example.com has A 192.0.2.1". Names are printable (ldns
 * presentation format); the line is cut to len. */
void check_reason(const struct check *ck, char *buf, size_t len);

#endif
