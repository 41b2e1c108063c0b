/*
 * checker/verdict.c -- the FCrDNS decision as a pure function.
 *
 * RFC 8601 section 3 ("iprev") defines the check loosely; verdicts.md
 * makes it exact. Everything here follows the numbered steps of
 * verdicts.md, and nothing here does I/O, so tests/test_verdict.c can
 * walk every rule.
 */
#include <string.h>

#include "verdict.h"

uint32_t
verdict_clamp(uint32_t ttl, const struct verdict_limits *lim)
{
	if (ttl > lim->ttl_max)
		ttl = lim->ttl_max;
	if (ttl < lim->ttl_min)
		ttl = lim->ttl_min;
	return ttl;
}

enum fwd_class
verdict_classify(const uint8_t client[ADDR_LEN], const struct verdict_fwd *fwd)
{
	size_t i;

	switch (fwd->r.status) {
	case LOOKUP_TEMPFAIL:
		return FWD_TEMPFAIL;
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		return FWD_NOADDR;
	case LOOKUP_ANSWER:
		break;
	default:
		/* An unknown status is not evidence either way. */
		return FWD_TEMPFAIL;
	}
	if (fwd->n_addrs == 0 || fwd->addrs == NULL)
		return FWD_NOADDR;
	/* Binary compare (step 4): text forms such as "192.0.2.010" or
	 * "2001:DB8::1" can never confuse it. */
	for (i = 0; i < fwd->n_addrs; i++)
		if (memcmp(fwd->addrs[i], client, ADDR_LEN) == 0)
			return FWD_MATCH;
	return FWD_OTHER;
}

/*
 * Minimum of the TTLs a MISMATCH or NO_FORWARD verdict rests on: the PTR
 * answer and every kept name, since each one had to fail to match.
 */
static uint32_t
verdict_min_all(uint32_t ptr_ttl, size_t n_names, const struct verdict_fwd *fwd)
{
	uint32_t m = ptr_ttl;
	size_t i;

	for (i = 0; i < n_names; i++)
		if (fwd[i].r.ttl < m)
			m = fwd[i].r.ttl;
	return m;
}

void
verdict_decide(const uint8_t client[ADDR_LEN], const struct lookup_result *ptr,
	size_t n_names, const struct verdict_fwd *fwd,
	const struct verdict_limits *lim, struct verdict_out *out)
{
	size_t i;
	int any_temp = 0, any_other = 0, match = -1;

	out->verdict = V_TEMPERROR;
	out->lifetime = 0;
	out->match = -1;

	/* Step 1: the PTR lookup. */
	switch (ptr->status) {
	case LOOKUP_NXDOMAIN:
	case LOOKUP_NODATA:
		/* RFC 2308 section 5: a negative answer lives as long as its
		 * SOA says; the caller computed min(TTL, MINIMUM). */
		out->verdict = V_NO_PTR;
		out->lifetime = verdict_clamp(ptr->ttl, lim);
		return;
	case LOOKUP_ANSWER:
		break;
	case LOOKUP_TEMPFAIL:
	default:
		return;
	}

	/* Step 2: every target was unusable. The PTR records are what the
	 * verdict rests on, so their TTL is the lifetime. */
	if (n_names == 0 || fwd == NULL) {
		out->verdict = V_NO_PTR;
		out->lifetime = verdict_clamp(ptr->ttl, lim);
		return;
	}

	/* Steps 4 and 5. */
	for (i = 0; i < n_names; i++) {
		switch (verdict_classify(client, &fwd[i])) {
		case FWD_MATCH:
			if (match < 0)
				match = (int)i;
			break;
		case FWD_TEMPFAIL:
			any_temp = 1;
			break;
		case FWD_OTHER:
			any_other = 1;
			break;
		case FWD_NOADDR:
			break;
		}
	}

	if (match >= 0) {
		/* A confirmed match is definitive even when another name's
		 * lookup failed (unlike Exim, which gives up on the first
		 * temporary error). */
		uint32_t t = ptr->ttl;

		if (fwd[match].r.ttl < t)
			t = fwd[match].r.ttl;
		out->verdict = V_PASS;
		out->match = match;
		out->lifetime = verdict_clamp(t, lim);
	} else if (any_temp) {
		/* A name we could not resolve might have matched: never turn
		 * DNS trouble into a listing. */
		out->verdict = V_TEMPERROR;
	} else if (any_other) {
		out->verdict = V_MISMATCH;
		out->lifetime = verdict_clamp(verdict_min_all(ptr->ttl,
		    n_names, fwd), lim);
	} else {
		out->verdict = V_NO_FORWARD;
		out->lifetime = verdict_clamp(verdict_min_all(ptr->ttl,
		    n_names, fwd), lim);
	}
}

const char *
verdict_fwd_class_name(enum fwd_class c)
{
	switch (c) {
	case FWD_MATCH:
		return "match";
	case FWD_OTHER:
		return "other-addresses";
	case FWD_NOADDR:
		return "no-address";
	case FWD_TEMPFAIL:
		return "tempfail";
	}
	return "?";
}
