/*
 * checker/record.h -- what a finished check writes to the store.
 *
 * A pure function (no I/O, no clock: "now" is an argument) from the
 * previous record and the check's result to the new record, so that the
 * back-off and serve-stale rules of verdicts.md are unit-tested in
 * tests/test_record.c:
 *  - a definitive verdict replaces everything and ends any back-off;
 *  - TEMPERROR never overwrites a previous definitive verdict's data
 *    (def_verdict, def_checked_at, expires_at, names, addresses, match
 *    stay, so the server can serve it stale within --grace); it sets
 *    verdict = TEMPERROR, counts fail_count and steps the back-off:
 *    backoff_min, doubling up to backoff_max, retry_at = now + step;
 *  - the back-off only runs while the address was asked for within
 *    --interest: past that, retry_at is 0 and the checker stops.
 */
#ifndef FCRDNS_CHECKER_RECORD_H
#define FCRDNS_CHECKER_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"
#include "../store/store.h"

/* A store_record with storage of its own (store_get()'s pointers only
 * live until the next store call). */
struct record_buf {
	struct store_record rec;
	uint8_t names[STORE_MAX_NAMES * (1 + STORE_MAX_NAMELEN)];
	uint8_t addrs[STORE_MAX_ADDRS][ADDR_LEN];
};

/* What one check found, in the terms of the store. */
struct record_result {
	int verdict;                 /* enum verdict (never NOT_APPLICABLE) */
	uint32_t lifetime;           /* definitive verdicts: seconds */
	const char *const *names;    /* kept names, sorted */
	size_t n_names;
	int match;                   /* index into names, or -1 */
	const uint8_t (*addrs)[ADDR_LEN]; /* forward addresses seen */
	size_t n_addrs;
};

/* Back-off settings (from the flags). */
struct record_policy {
	uint32_t backoff_min, backoff_max;
	uint32_t interest;
};

/* Deep-copy src into dst (names/addrs into dst's own storage). Entries
 * beyond the store's bounds are dropped. */
void record_copy(struct record_buf *dst, const struct store_record *src);

/*
 * Build out from old (NULL if nothing is stored) and res, at time now.
 * last_query_at is the latest time the address was asked for as the
 * checker knows it (0 if never); the larger of it and old's is kept.
 * Names longer than STORE_MAX_NAMELEN are never passed (names.h caps
 * them); at most STORE_MAX_NAMES names and STORE_MAX_ADDRS distinct
 * addresses are kept.
 */
void record_update(struct record_buf *out, const struct record_buf *old,
	const struct record_result *res, int64_t now, int64_t last_query_at,
	const struct record_policy *pol);

/* A back-off that ran out of interest (the caller checked): clear it.
 * The record stays, so the server keeps serving what it has. */
void record_stop_backoff(struct record_buf *rb);

/*
 * Sweep rule: 1 if the record may be deleted at now: no back-off
 * running, its definitive verdict (if any) expired more than grace ago,
 * its latest check also older than grace, and no query within interest.
 */
int record_sweepable(const struct store_record *rec, int64_t now,
	uint32_t grace, uint32_t interest);

#endif
