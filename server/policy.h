/*
 * policy.h -- how to serve an address, from its stored record.
 *
 * A pure function of (address, record, now, settings, negative TTL): no
 * I/O, no clock, no store access, so every branch of verdicts.md ("What
 * the zone answers") is unit-tested in tests/test_policy.c. The caller
 * (server/respond.c) looks the record up, acts on the decision's flags
 * (refresh, seen, check) and builds the answer from it.
 */
#ifndef FCRDNS_POLICY_H
#define FCRDNS_POLICY_H

#include <stdint.h>
#include "../common/addr.h"
#include "../common/config.h"

struct store_record;

enum policy_action {
	POLICY_LISTED = 1,   /* A 127.0.0.<verdict> + TXT, TTL ttl */
	POLICY_NXDOMAIN,     /* NXDOMAIN + SOA whose TTL is ttl */
	POLICY_WAIT          /* no usable verdict: park the query, check */
};

/* Why the decision was made (for counters, logs and tests). */
enum policy_reason {
	POLICY_R_SKIP = 1,   /* NOT_APPLICABLE range: never checked */
	POLICY_R_FRESH,      /* a definitive verdict within its lifetime */
	POLICY_R_STALE,      /* expired less than cfg->grace ago: RFC 8767 */
	POLICY_R_BACKOFF,    /* TEMPERROR back-off, nothing usable to serve */
	POLICY_R_MISS        /* no record, or nothing usable and no back-off */
};

struct policy_decision {
	enum policy_action action;
	enum policy_reason reason;
	int verdict;         /* verdict served: a listing for POLICY_LISTED,
	                        V_PASS, V_TEMPERROR, V_NOT_APPLICABLE or
	                        V_NONE otherwise */
	uint32_t ttl;        /* TTL of the A/TXT, or of the negative SOA */
	int refresh;         /* ask the checker to re-check in the
	                        background (IPC_REFRESH) */
	int seen;            /* tell the checker it was asked for (IPC_SEEN) */
	int check;           /* ask for a check and wait (IPC_CHECK) */
};

/*
 * Decide how to serve addr. rec is its stored record, or NULL if there is
 * none. neg_ttl is min(SOA TTL, SOA MINIMUM) of the zone (RFC 2308 s. 5).
 * The RFC 5782 test entries are the caller's business (answered before
 * any policy). Rules, in order:
 *  - addr in cfg->skip: NXDOMAIN, neg_ttl, nothing sent to the checker.
 *  - fresh definitive verdict (now < expires_at): listings LISTED with
 *    TTL min(cfg->ttl_cap, time left); PASS NXDOMAIN with TTL
 *    min(neg_ttl, time left). refresh when less than a tenth of the
 *    lifetime (expires_at - def_checked_at) is left, unless a TEMPERROR
 *    back-off is already running (then seen instead: the checker retries
 *    by itself).
 *  - definitive verdict expired less than cfg->grace ago: served stale
 *    with TTL cfg->stale_ttl (NXDOMAIN for PASS: min(stale_ttl, neg_ttl)),
 *    plus refresh (or seen during a back-off).
 *  - latest verdict TEMPERROR with retry_at set (back-off running):
 *    NXDOMAIN with cfg->short_ttl at once, seen, no new check.
 *  - otherwise WAIT with check.
 */
void policy_decide(struct policy_decision *d, const uint8_t addr[ADDR_LEN],
	const struct store_record *rec, int64_t now, const struct config *cfg,
	uint32_t neg_ttl);

#endif
