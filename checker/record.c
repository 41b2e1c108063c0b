/*
 * checker/record.c -- the store record a finished check writes (pure; see
 * record.h for the rules).
 */
#include <string.h>

#include "../common/verdict.h"
#include "record.h"

/* Re-point rb->rec at rb's own storage. */
static void
record_fix_pointers(struct record_buf *rb)
{
	rb->rec.names = rb->names;
	rb->rec.addrs = (const uint8_t *)rb->addrs;
}

void
record_copy(struct record_buf *dst, const struct store_record *src)
{
	size_t pos = 0, out = 0, n = 0;

	dst->rec = *src;
	/* Walk the packed names (length octet, text) within names_len; a
	 * malformed tail is dropped rather than trusted. */
	while (n < STORE_MAX_NAMES && n < src->n_names && src->names != NULL &&
	    pos < src->names_len) {
		size_t len = src->names[pos];

		if (len == 0 || len > STORE_MAX_NAMELEN ||
		    pos + 1 + len > src->names_len)
			break;
		dst->names[out] = (uint8_t)len;
		memcpy(dst->names + out + 1, src->names + pos + 1, len);
		out += 1 + len;
		pos += 1 + len;
		n++;
	}
	dst->rec.n_names = (uint8_t)n;
	dst->rec.names_len = out;
	if (dst->rec.match != STORE_MATCH_NONE && dst->rec.match >= n)
		dst->rec.match = STORE_MATCH_NONE;
	n = src->addrs == NULL ? 0 : src->n_addrs;
	if (n > STORE_MAX_ADDRS)
		n = STORE_MAX_ADDRS;
	if (n > 0)
		memcpy(dst->addrs, src->addrs, n * ADDR_LEN);
	dst->rec.n_addrs = (uint8_t)n;
	record_fix_pointers(dst);
}

/* Put the check's names, match and distinct addresses into rb. */
static void
record_set_data(struct record_buf *rb, const struct record_result *res)
{
	size_t i, j, out = 0, n = 0, na = 0;

	for (i = 0; i < res->n_names && n < STORE_MAX_NAMES; i++) {
		size_t len = strlen(res->names[i]);

		if (len == 0 || len > STORE_MAX_NAMELEN)
			continue;
		rb->names[out] = (uint8_t)len;
		memcpy(rb->names + out + 1, res->names[i], len);
		out += 1 + len;
		n++;
	}
	rb->rec.n_names = (uint8_t)n;
	rb->rec.names_len = out;
	rb->rec.match = STORE_MATCH_NONE;
	if (res->match >= 0 && (size_t)res->match < n)
		rb->rec.match = (uint8_t)res->match;
	for (i = 0; i < res->n_addrs && na < STORE_MAX_ADDRS; i++) {
		for (j = 0; j < na; j++)
			if (memcmp(rb->addrs[j], res->addrs[i], ADDR_LEN) == 0)
				break;
		if (j == na)
			memcpy(rb->addrs[na++], res->addrs[i], ADDR_LEN);
	}
	rb->rec.n_addrs = (uint8_t)na;
	record_fix_pointers(rb);
}

void
record_update(struct record_buf *out, const struct record_buf *old,
	const struct record_result *res, int64_t now, int64_t last_query_at,
	const struct record_policy *pol)
{
	int64_t lq = last_query_at;
	uint32_t prev = 0;

	if (old != NULL && old->rec.last_query_at > lq)
		lq = old->rec.last_query_at;
	/* The step of a back-off still running; a stopped one (retry_at
	 * 0) starts over at the minimum. */
	if (old != NULL && old->rec.retry_at != 0)
		prev = old->rec.backoff_s;

	if (verdict_is_definitive(res->verdict)) {
		memset(&out->rec, 0, sizeof(out->rec));
		out->rec.verdict = (uint8_t)res->verdict;
		out->rec.def_verdict = (uint8_t)res->verdict;
		out->rec.checked_at = now;
		out->rec.def_checked_at = now;
		out->rec.expires_at = now + res->lifetime;
		out->rec.last_query_at = lq;
		/* retry_at, backoff_s, fail_count: 0, the back-off ends. */
		record_set_data(out, res);
		return;
	}

	/* TEMPERROR (or anything not definitive). */
	if (old != NULL && verdict_is_definitive(old->rec.def_verdict)) {
		/* Keep the last definitive verdict and its data whole: it
		 * is what the server serves stale (RFC 8767). */
		if (out != old)
			memcpy(out, old, sizeof(*out));
		record_fix_pointers(out);
	} else {
		memset(&out->rec, 0, sizeof(out->rec));
		out->rec.def_verdict = V_NONE;
		if (old != NULL)
			out->rec.fail_count = old->rec.fail_count;
		/* Nothing definitive to protect: keep what this attempt
		 * saw, for fcrdnsctl show. */
		record_set_data(out, res);
		out->rec.match = STORE_MATCH_NONE;
	}
	out->rec.verdict = V_TEMPERROR;
	out->rec.checked_at = now;
	out->rec.last_query_at = lq;
	out->rec.fail_count++;
	/* Exponential back-off: min, doubling, capped. */
	if (prev == 0)
		out->rec.backoff_s = pol->backoff_min;
	else if (prev >= pol->backoff_max / 2)
		out->rec.backoff_s = pol->backoff_max;
	else
		out->rec.backoff_s = prev * 2;
	if (out->rec.backoff_s > pol->backoff_max)
		out->rec.backoff_s = pol->backoff_max;
	if (out->rec.backoff_s < 1)
		out->rec.backoff_s = 1;
	out->rec.retry_at = now + out->rec.backoff_s;
	/* Retry only for an address somebody still asks about. */
	if (lq == 0 || now - lq > (int64_t)pol->interest)
		record_stop_backoff(out);
}

void
record_stop_backoff(struct record_buf *rb)
{
	rb->rec.retry_at = 0;
	rb->rec.backoff_s = 0;
}

int
record_sweepable(const struct store_record *rec, int64_t now, uint32_t grace,
	uint32_t interest)
{
	if (rec->retry_at != 0)
		return 0;
	if (verdict_is_definitive(rec->def_verdict) &&
	    rec->expires_at + (int64_t)grace >= now)
		return 0;
	if (rec->checked_at + (int64_t)grace >= now)
		return 0;
	if (rec->last_query_at != 0 &&
	    rec->last_query_at + (int64_t)interest >= now)
		return 0;
	return 1;
}
