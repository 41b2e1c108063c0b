/*
 * policy.c -- the serving policy of verdicts.md, as a pure function.
 */
#include <string.h>

#include "../common/verdict.h"
#include "../store/store.h"
#include "policy.h"

static uint32_t
min_u32(uint64_t a, uint64_t b)
{
	uint64_t m = a < b ? a : b;

	return m > UINT32_MAX ? UINT32_MAX : (uint32_t)m;
}

/* A TEMPERROR back-off is running: the checker retries on its own timer
 * (verdicts.md), so queries must not start another check. A retry time
 * more than --backoff-max in the past means the checker lost its timer
 * (a restart over the resume cap, say): then the back-off is over, and
 * the next query asks for a check as on a miss. */
static int
policy_backoff(const struct store_record *rec, int64_t now,
	const struct config *cfg)
{
	return rec->verdict == V_TEMPERROR && rec->retry_at != 0 &&
	    now <= rec->retry_at + (int64_t)cfg->backoff_max;
}

/*
 * Serve the definitive verdict of rec, fresh (left > 0 seconds left) or
 * stale. Listings get an A record, a PASS the negative answer.
 */
static void
policy_serve(struct policy_decision *d, const struct store_record *rec,
	int64_t left, int stale, const struct config *cfg, uint32_t neg_ttl)
{
	d->verdict = rec->def_verdict;
	d->reason = stale ? POLICY_R_STALE : POLICY_R_FRESH;
	if (verdict_is_listing(rec->def_verdict)) {
		d->action = POLICY_LISTED;
		d->ttl = stale ? cfg->stale_ttl :
		    min_u32(cfg->ttl_cap, (uint64_t)left);
	} else {
		d->action = POLICY_NXDOMAIN;
		d->ttl = stale ? min_u32(cfg->stale_ttl, neg_ttl) :
		    min_u32(neg_ttl, (uint64_t)left);
	}
}

void
policy_decide(struct policy_decision *d, const uint8_t addr[ADDR_LEN],
	const struct store_record *rec, int64_t now, const struct config *cfg,
	uint32_t neg_ttl)
{
	memset(d, 0, sizeof(*d));
	d->verdict = V_NONE;

	/* verdicts.md: never checked, answered NXDOMAIN, nothing stored */
	if (cidr_list_contains(&cfg->skip, addr)) {
		d->action = POLICY_NXDOMAIN;
		d->reason = POLICY_R_SKIP;
		d->verdict = V_NOT_APPLICABLE;
		d->ttl = neg_ttl;
		return;
	}
	if (rec && verdict_is_definitive(rec->def_verdict)) {
		int64_t left = rec->expires_at - now;
		int64_t life = rec->expires_at - rec->def_checked_at;

		if (left > 0) {
			policy_serve(d, rec, left, 0, cfg, neg_ttl);
			/* prefetch in the last tenth of the lifetime, so a
			 * popular address never falls out of the cache */
			if (policy_backoff(rec, now, cfg))
				d->seen = 1;
			else if (life > 0 && left * 10 < life)
				d->refresh = 1;
			return;
		}
		if (-left < (int64_t)cfg->grace) {
			/* RFC 8767 serve-stale while a re-check runs */
			policy_serve(d, rec, 0, 1, cfg, neg_ttl);
			if (policy_backoff(rec, now, cfg))
				d->seen = 1;
			else
				d->refresh = 1;
			return;
		}
	}
	if (rec && policy_backoff(rec, now, cfg)) {
		d->action = POLICY_NXDOMAIN;
		d->reason = POLICY_R_BACKOFF;
		d->verdict = V_TEMPERROR;
		d->ttl = cfg->short_ttl;
		d->seen = 1;
		return;
	}
	d->action = POLICY_WAIT;
	d->reason = POLICY_R_MISS;
	d->check = 1;
}
