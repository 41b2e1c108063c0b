/*
 * checker/verdict.h -- the FCrDNS decision: DNS outcomes in, verdict out.
 *
 * This is verdicts.md steps 4 to 6 (and the NO_PTR / TEMPERROR exits of
 * step 1) as one pure function: no I/O, no clock, no allocation. The
 * lookups (checker/reply.c decodes them) fill the inputs; the checker
 * stores what comes out. Keeping it pure is what lets tests/test_verdict.c
 * pin every rule of the contract without a DNS server.
 *
 * The verdict codes themselves are in common/verdict.h.
 */
#ifndef FCRDNS_CHECKER_VERDICT_H
#define FCRDNS_CHECKER_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"
#include "../common/verdict.h"

/* What one lookup (PTR of the reverse name, or A/AAAA of one name) gave. */
enum lookup_status {
	LOOKUP_ANSWER = 0,  /* NOERROR with records of the type asked for */
	LOOKUP_NODATA,      /* NOERROR, the name exists, no such records */
	LOOKUP_NXDOMAIN,    /* the name (end of the CNAME chain) does not exist */
	LOOKUP_TEMPFAIL     /* SERVFAIL, REFUSED, timeout, malformed reply,
	                       CNAME loop, resolver error */
};

/*
 * One lookup's outcome.
 * ttl: for LOOKUP_ANSWER the minimum TTL of the RRset and of every CNAME
 *   followed to reach it; for LOOKUP_NODATA / LOOKUP_NXDOMAIN the RFC 2308
 *   section 5 negative TTL, min(SOA TTL, SOA MINIMUM), and the CNAMEs
 *   followed, or 0 when the reply carried no SOA (then the lifetime is
 *   ttl_min). Unused for LOOKUP_TEMPFAIL.
 * why: LOOKUP_TEMPFAIL only, a static string for the trace and the log
 *   ("SERVFAIL", "timeout", "CNAME loop", ...); may be NULL.
 */
struct lookup_result {
	enum lookup_status status;
	uint32_t ttl;
	const char *why;
};

/*
 * The forward lookup of one kept name: A for an IPv4 client, AAAA for an
 * IPv6 client (verdicts.md step 4). addrs holds the addresses of that one
 * family only, as 16-byte keys (an A record as ::ffff:a.b.c.d). The reply
 * decoder never puts an AAAA into an A lookup's list, so an AAAA holding
 * ::ffff:a.b.c.d can never confirm an IPv4 client.
 */
struct verdict_fwd {
	struct lookup_result r;
	const uint8_t (*addrs)[ADDR_LEN];
	size_t n_addrs;
};

/* How one kept name relates to the client (verdicts.md step 4). */
enum fwd_class {
	FWD_MATCH = 0,      /* the client address is in the set */
	FWD_OTHER,          /* addresses, none of them the client */
	FWD_NOADDR,         /* NXDOMAIN or NODATA */
	FWD_TEMPFAIL        /* temporary failure */
};

/* Bounds that come from the flags (--ttl-min, --ttl-max). */
struct verdict_limits {
	uint32_t ttl_min;
	uint32_t ttl_max;
};

struct verdict_out {
	int verdict;        /* enum verdict: PASS, NO_PTR, NO_FORWARD,
	                       MISMATCH or TEMPERROR */
	uint32_t lifetime;  /* seconds the verdict may be served; clamped to
	                       [ttl_min, ttl_max]; 0 for TEMPERROR */
	int match;          /* index of the first matching name, or -1 */
};

/*
 * Classify one name's forward lookup against client (binary compare of
 * the 16-byte keys). A LOOKUP_ANSWER with no addresses counts as NODATA.
 */
enum fwd_class verdict_classify(const uint8_t client[ADDR_LEN],
	const struct verdict_fwd *fwd);

/*
 * Decide the verdict (verdicts.md steps 1, 2, 4, 5 and 6).
 * ptr: the PTR lookup of the reverse name. n_names: how many usable names
 *   were kept after cleaning (checker/names.h); 0 with a PTR answer means
 *   every target was unusable (NO_PTR). fwd[0..n_names): each kept
 *   name's forward lookup, in the kept (sorted) order; ignored unless
 *   ptr->status is LOOKUP_ANSWER.
 * Aggregation (step 5): any match -> PASS, even when another name failed;
 * else any temporary failure -> TEMPERROR; else any other address ->
 * MISMATCH; else NO_FORWARD.
 * Lifetime (step 6): the minimum TTL of the records the verdict rests on,
 * clamped to [ttl_min, ttl_max]:
 *   PASS        PTR answer and the first matching name's answer;
 *   MISMATCH,
 *   NO_FORWARD  PTR answer and every kept name's answer or negative TTL
 *               (each of them is needed to rule the address out);
 *   NO_PTR      the SOA negative TTL of the PTR lookup (RFC 2308), or the
 *               PTR RRset's TTL when all its targets were unusable.
 * Never fails; out is always filled.
 */
void verdict_decide(const uint8_t client[ADDR_LEN],
	const struct lookup_result *ptr, size_t n_names,
	const struct verdict_fwd *fwd, const struct verdict_limits *lim,
	struct verdict_out *out);

/* Clamp a TTL to [lim->ttl_min, lim->ttl_max] (ttl_min wins if the two
 * cross, so a verdict never lives less than the floor). */
uint32_t verdict_clamp(uint32_t ttl, const struct verdict_limits *lim);

/* "match", "other-addresses", "no-address", "tempfail". */
const char *verdict_fwd_class_name(enum fwd_class c);

#endif
