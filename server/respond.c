/*
 * respond.c -- the query path: parse, admit, classify, decide, answer.
 *
 * Implements server/respond.h. No I/O of its own: the store is read
 * through store_get(), the checker is reached through the hooks that
 * net code sets, and the answer is written in place by answer_build().
 */
#include <stdio.h>
#include <string.h>

#include "../common/reason.h"
#include "../common/verdict.h"
#include "../store/store.h"
#include "answer.h"
#include "overrides.h"
#include "policy.h"
#include "qlog.h"
#include "query.h"
#include "respond.h"
#include "zone.h"

#define REFRESHED_SLOTS \
	(sizeof(((struct responder *)0)->refreshed) / \
	 sizeof(((struct responder *)0)->refreshed[0]))

static const char rfc5782_txt[] =
    "RFC 5782 test entry: 127.0.0.2 is always listed";

void
respond_init(struct responder *r, const struct config *cfg,
	const struct zone *zone, struct store *store)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->zone = zone;
	r->store = store;
}

/* Write the answer, count it by rcode and verdict. */
static int
respond_send(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, const struct answer *a, int tcp,
	size_t *outlen)
{
	size_t n = answer_build(buf, cap, q, r->zone, r->cfg, a, tcp);

	if (n == 0) {
		STAT_INC(r->stats.dropped);
		return RESPOND_DROP;
	}
	switch (a->rcode) {
	case RCODE_NOERROR:
		STAT_INC(r->stats.noerror);
		if (a->type == ANSWER_LISTED && a->code < 5)
			STAT_INC(r->stats.listed[a->code]);
		break;
	case RCODE_NXDOMAIN:
		STAT_INC(r->stats.nxdomain);
		break;
	case RCODE_FORMERR:
		STAT_INC(r->stats.formerr);
		break;
	case RCODE_NOTIMP:
		STAT_INC(r->stats.notimp);
		break;
	case RCODE_REFUSED:
		STAT_INC(r->stats.refused);
		break;
	}
	*outlen = n;
	return RESPOND_SEND;
}

static int
respond_rcode(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, int rcode, int tcp, size_t *outlen)
{
	struct answer a = { .type = ANSWER_RCODE, .rcode = rcode };

	return respond_send(r, buf, cap, q, &a, tcp, outlen);
}

static int
respond_negative(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, int rcode, uint32_t ttl, int tcp,
	size_t *outlen)
{
	struct answer a = { .type = ANSWER_NEGATIVE, .rcode = rcode,
	    .ttl = ttl };

	return respond_send(r, buf, cap, q, &a, tcp, outlen);
}

/*
 * Ask for a background re-check of addr at most once per stored verdict
 * (stamp = its expires_at): a popular address would otherwise send one
 * IPC_REFRESH per query until the checker's answer lands. The memory is
 * a direct-mapped table; a collision only costs a repeated refresh.
 */
static void
respond_refresh(struct responder *r, const uint8_t addr[ADDR_LEN],
	int64_t stamp)
{
	size_t i = addr_hash(addr) % REFRESHED_SLOTS;

	if (r->refreshed[i].stamp == stamp &&
	    memcmp(r->refreshed[i].addr, addr, ADDR_LEN) == 0)
		return;
	if (!r->hooks.refresh || r->hooks.refresh(r->hooks.arg, addr) != 0)
		return;   /* not queued: try again on a later query */
	memcpy(r->refreshed[i].addr, addr, ADDR_LEN);
	r->refreshed[i].stamp = stamp;
	STAT_INC(r->stats.refreshes);
}

/*
 * Tell the checker that an address in back-off is still asked for (it
 * retries only while --interest holds), at most every quarter of
 * --interest (and every minute at most) per address: a flood of queries
 * for one failing address must not fill the socket that carries the
 * checks of new addresses. Direct-mapped like respond_refresh().
 */
static void
respond_seen(struct responder *r, const uint8_t addr[ADDR_LEN])
{
	int64_t every = r->cfg->interest / 4;
	size_t i = addr_hash(addr) %
	    (sizeof(r->seen_sent) / sizeof(r->seen_sent[0]));

	if (every < 1)
		every = 1;
	if (every > 60)
		every = 60;
	if (memcmp(r->seen_sent[i].addr, addr, ADDR_LEN) == 0 &&
	    r->now >= r->seen_sent[i].at && r->now - r->seen_sent[i].at < every)
		return;
	if (!r->hooks.seen || r->hooks.seen(r->hooks.arg, addr) != 0)
		return;   /* not sent: try again on a later query */
	memcpy(r->seen_sent[i].addr, addr, ADDR_LEN);
	r->seen_sent[i].at = r->now;
}

/*
 * The operator's exempt or block list decided (server/overrides.h): an
 * exempt address is answered like a PASS, a blocked one is listed with
 * the list's code and TXT for --ttl-cap. Neither is ever checked.
 */
static int
respond_override(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, struct ovr_hit *ov, int tcp, size_t *outlen)
{
	struct answer a;
	char ip[ADDR_STRLEN];
	int n;

	if (ov->kind == OVR_EXEMPT) {
		STAT_INC(r->stats.exempt);
		/* the overlap is also an IPv6 prefix, which exists: NODATA */
		return respond_negative(r, buf, cap, q,
		    q->kind == QK_OVERLAP ? RCODE_NOERROR : RCODE_NXDOMAIN,
		    zone_neg_ttl(r->zone), tcp, outlen);
	}
	STAT_INC(r->stats.blocked);
	if (ov->txt_len == 0) {
		n = snprintf(ov->txt, sizeof(ov->txt),
		    "FCrDNS: %s is on the local block list",
		    addr_format(q->addr, ip, sizeof(ip)));
		ov->txt_len = n > 0 && (size_t)n < sizeof(ov->txt) ? (size_t)n : 0;
	}
	memset(&a, 0, sizeof(a));
	a.type = ANSWER_LISTED;
	a.ttl = r->cfg->ttl_cap;
	a.code = ov->code;
	a.txt = ov->txt;
	a.txt_len = ov->txt_len;
	return respond_send(r, buf, cap, q, &a, tcp, outlen);
}

/*
 * A full address name (or the IPv4/IPv6-prefix overlap). final is 1 from
 * respond_final(): never wait, never ask for a check again.
 */
static int
respond_addr(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, int tcp, int final, size_t *outlen,
	uint8_t waitaddr[ADDR_LEN])
{
	const struct config *cfg = r->cfg;
	uint32_t neg = zone_neg_ttl(r->zone);
	int overlap = q->kind == QK_OVERLAP;
	struct store_record rec;
	struct policy_decision d;
	struct ovr_hit ov;
	struct answer a;
	char txt[256];
	int have, len;

	/* RFC 5782 s. 5: the test entries, built in, never checked */
	if (addr_is_rfc5782_test(q->addr)) {
		if (q->addr[15] == 1)
			return respond_negative(r, buf, cap, q,
			    RCODE_NXDOMAIN, neg, tcp, outlen);
		memset(&a, 0, sizeof(a));
		a.type = ANSWER_LISTED;
		a.ttl = cfg->ttl_cap;
		a.code = 2;
		a.txt = rfc5782_txt;
		a.txt_len = sizeof(rfc5782_txt) - 1;
		return respond_send(r, buf, cap, q, &a, tcp, outlen);
	}

	/* before the store: never checked, whatever is stored */
	if (overrides_lookup(q->addr, &ov) != OVR_NONE)
		return respond_override(r, buf, cap, q, &ov, tcp, outlen);

	have = r->store && store_get(r->store, q->addr, &rec) == STORE_OK;
	policy_decide(&d, q->addr, have ? &rec : NULL, r->now, cfg, neg);
	if (d.action != POLICY_WAIT)
		STAT_INC(r->stats.by_verdict[d.verdict & 7]);
	if (d.refresh)
		respond_refresh(r, q->addr, rec.expires_at);
	if (d.seen)
		respond_seen(r, q->addr);
	if (d.reason == POLICY_R_STALE)
		STAT_INC(r->stats.stale);
	if (d.action == POLICY_WAIT)
		STAT_INC(r->stats.misses);
	else if (d.reason != POLICY_R_SKIP)
		STAT_INC(r->stats.hits);

	switch (d.action) {
	case POLICY_LISTED:
		/* the TXT text is built only when the answer holds it: most
		 * DNSBL queries are for the A record alone */
		len = 0;
		if (q->qtype == QTYPE_TXT || q->qtype == QTYPE_ANY) {
			len = reason_txt(q->addr, &rec, txt, sizeof(txt));
			if (len <= 0 || (size_t)len >= sizeof(txt))
				len = snprintf(txt, sizeof(txt), "FCrDNS fail");
		}
		memset(&a, 0, sizeof(a));
		a.type = ANSWER_LISTED;
		a.ttl = d.ttl;
		a.code = verdict_code_octet(d.verdict);
		a.txt = txt;
		a.txt_len = (size_t)len;
		return respond_send(r, buf, cap, q, &a, tcp, outlen);
	case POLICY_NXDOMAIN:
		/* the overlap is also an IPv6 prefix, which exists: NODATA */
		return respond_negative(r, buf, cap, q,
		    overlap ? RCODE_NOERROR : RCODE_NXDOMAIN, d.ttl, tcp,
		    outlen);
	case POLICY_WAIT:
		break;
	}
	/* No usable verdict: the query waits, and the caller's wait table
	 * asks for the check (server_park()). The overlap never waits
	 * (dns-server.md): its check runs in the background. */
	if (!final && !overlap) {
		memcpy(waitaddr, q->addr, ADDR_LEN);
		return RESPOND_WAIT;
	}
	if (!final && r->hooks.check)
		(void)r->hooks.check(r->hooks.arg, q->addr);
	return respond_negative(r, buf, cap, q,
	    overlap ? RCODE_NOERROR : RCODE_NXDOMAIN, cfg->short_ttl, tcp,
	    outlen);
}

/* CHAOS class: the four names of dns-server.md, each switchable. */
static int
respond_chaos(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, int tcp, size_t *outlen)
{
	const struct config *cfg = r->cfg;
	struct answer a = { .type = ANSWER_CHAOS, .rcode = RCODE_NOERROR };

	switch (query_chaos_name(q, buf)) {
	case QCH_VERSION:
		if (cfg->no_version)
			break;
		a.txt = cfg->version;
		a.txt_len = strnlen(cfg->version, sizeof(cfg->version));
		return respond_send(r, buf, cap, q, &a, tcp, outlen);
	case QCH_IDENTITY:
		if (cfg->no_identity)
			break;
		a.txt = cfg->identity;
		a.txt_len = strnlen(cfg->identity, sizeof(cfg->identity));
		return respond_send(r, buf, cap, q, &a, tcp, outlen);
	}
	return respond_rcode(r, buf, cap, q, RCODE_REFUSED, tcp, outlen);
}

/* A parsed, admitted, well-formed query: answer by the name's kind. */
static int
respond_query(struct responder *r, uint8_t *buf, size_t cap,
	struct query *q, int tcp, int final, size_t *outlen,
	uint8_t waitaddr[ADDR_LEN])
{
	struct answer a = { .type = ANSWER_ZONE, .rcode = RCODE_NOERROR };
	uint32_t neg = zone_neg_ttl(r->zone);

	switch (query_classify(q, buf, r->zone)) {
	case QK_CHAOS:
		return respond_chaos(r, buf, cap, q, tcp, outlen);
	case QK_OUTSIDE:
	case QK_NONE:
		return respond_rcode(r, buf, cap, q, RCODE_REFUSED, tcp,
		    outlen);
	default:
		break;
	}
	/* zone transfers are not offered (and never over UDP) */
	if (q->qtype == QTYPE_AXFR || q->qtype == QTYPE_IXFR)
		return respond_rcode(r, buf, cap, q, RCODE_REFUSED, tcp,
		    outlen);
	switch (q->kind) {
	case QK_APEX:
	case QK_ZONE_NAME:
		return respond_send(r, buf, cap, q, &a, tcp, outlen);
	case QK_PREFIX:
		/* empty non-terminal: NODATA (RFC 8020, RFC 9156) */
		return respond_negative(r, buf, cap, q, RCODE_NOERROR, neg,
		    tcp, outlen);
	case QK_ADDR_V4:
	case QK_ADDR_V6:
	case QK_OVERLAP:
		return respond_addr(r, buf, cap, q, tcp, final, outlen,
		    waitaddr);
	default:
		return respond_negative(r, buf, cap, q, RCODE_NXDOMAIN, neg,
		    tcp, outlen);
	}
}

/* Header-level outcomes of query_parse() other than QUERY_OK. */
static int
respond_parse_error(struct responder *r, uint8_t *buf, size_t cap,
	const struct query *q, int st, int tcp, size_t *outlen)
{
	switch (st) {
	case QUERY_NOTIMP:
		return respond_rcode(r, buf, cap, q, RCODE_NOTIMP, tcp, outlen);
	case QUERY_BADVERS:
		return respond_rcode(r, buf, cap, q, RCODE_BADVERS, tcp,
		    outlen);
	default:
		return respond_rcode(r, buf, cap, q, RCODE_FORMERR, tcp,
		    outlen);
	}
}

static int
respond_one(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	const uint8_t client[ADDR_LEN], int tcp, size_t *outlen,
	uint8_t waitaddr[ADDR_LEN])
{
	struct query q;
	int st;

	STAT_INC(r->stats.queries);
	st = query_parse(&q, buf, len);
	if (st == QUERY_DROP) {
		STAT_INC(r->stats.dropped);
		return RESPOND_DROP;
	}
	/* an open FCrDNS service would send DNS queries for anyone: refuse
	 * before any store access or check (dns-server.md, "Access") */
	if (!addr_is_loopback(client) &&
	    !cidr_list_contains(&r->cfg->allow, client))
		return respond_rcode(r, buf, cap, &q, RCODE_REFUSED, tcp,
		    outlen);
	if (st != QUERY_OK)
		return respond_parse_error(r, buf, cap, &q, st, tcp, outlen);
	return respond_query(r, buf, cap, &q, tcp, 0, outlen, waitaddr);
}

int
respond(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	const uint8_t client[ADDR_LEN], int tcp, size_t *outlen,
	uint8_t waitaddr[ADDR_LEN])
{
	int res = respond_one(r, buf, len, cap, client, tcp, outlen, waitaddr);

	if (r->cfg->query_log)
		qlog_packet(client, tcp, buf, res == RESPOND_SEND ? *outlen :
		    len, res == RESPOND_SEND ? NULL : res == RESPOND_WAIT ?
		    "wait" : "drop", NULL);
	return res;
}

static int
respond_final_one(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	int tcp, int deadline, size_t *outlen)
{
	struct query q;
	uint8_t unused[ADDR_LEN];
	int st;

	(void)deadline;  /* the store is asked either way: a verdict that
	                    landed just before the deadline is still served */
	st = query_parse(&q, buf, len);
	if (st == QUERY_DROP) {
		STAT_INC(r->stats.dropped);
		return RESPOND_DROP;
	}
	if (st != QUERY_OK)
		return respond_parse_error(r, buf, cap, &q, st, tcp, outlen);
	return respond_query(r, buf, cap, &q, tcp, 1, outlen, unused);
}

int
respond_final(struct responder *r, uint8_t *buf, size_t len, size_t cap,
	int tcp, int deadline, size_t *outlen)
{
	int res = respond_final_one(r, buf, len, cap, tcp, deadline, outlen);

	if (r->cfg->query_log)
		qlog_packet(NULL, tcp, buf, res == RESPOND_SEND ? *outlen : len,
		    res == RESPOND_SEND ? NULL : "drop",
		    deadline ? "after-wait deadline" : "after-wait");
	return res;
}
