/*
 * reason.c -- TXT reasons and detail lines built from stored verdicts.
 *
 * Everything here writes through a bounded string builder (struct sbuf)
 * that never writes past its capacity and remembers whether it had to
 * cut, so no caller can overflow a buffer with a long or hostile name.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reason.h"
#include "verdict.h"
#include "../store/store.h"

struct sbuf {
	char *p;
	size_t cap;     /* bytes usable, the NUL not counted */
	size_t len;
	int cut;        /* something did not fit */
};

static void
sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->cut = 0;
	if (p != NULL)
		p[0] = '\0';
}

/* Append n bytes of s, made printable, as far as they fit. */
static void
sb_add(struct sbuf *b, const void *s, size_t n)
{
	const uint8_t *u = s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (b->len >= b->cap) {
			b->cut = 1;
			break;
		}
		b->p[b->len++] = (u[i] >= 0x20 && u[i] <= 0x7e) ?
		    (char)u[i] : '?';
	}
	if (b->p != NULL)
		b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* printf-style append; output that does not fit is cut. */
static void sb_fmt(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
sb_fmt(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* If b was cut, end it with "..." so a reader sees it was. */
static void
sb_mark_cut(struct sbuf *b)
{
	if (b->cut && b->cap >= 3) {
		memcpy(b->p + b->len - 3, "...", 3);
	}
}

size_t
reason_printable(char *dst, size_t dstlen, const uint8_t *name,
	size_t namelen)
{
	struct sbuf b;

	if (dst == NULL || dstlen == 0)
		return 0;
	sb_init(&b, dst, dstlen - 1);
	sb_add(&b, name, namelen);
	return b.len;
}

char *
reason_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (len == 0)
		return buf;
	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* The first stored name, or NULL. */
static const uint8_t *
first_name(const struct store_record *rec, size_t *n)
{
	const uint8_t *name;
	size_t pos = 0;

	if (store_names_next(rec, &pos, &name, n))
		return name;
	return NULL;
}

int
reason_txt(const uint8_t addr[ADDR_LEN], const struct store_record *rec,
	char *buf, size_t len)
{
	char ip[ADDR_STRLEN], pre[96], tail[128], more[32] = "";
	const uint8_t *name = NULL;
	size_t namelen = 0, limit, fixed;
	struct sbuf b;
	int v6 = !addr_is_v4(addr);

	if (buf == NULL || len == 0)
		return 0;
	buf[0] = '\0';
	if (rec == NULL || !verdict_is_listing(rec->def_verdict))
		return 0;
	limit = len - 1 < REASON_TXT_MAX ? len - 1 : REASON_TXT_MAX;
	addr_format(addr, ip, sizeof(ip));
	if (rec->n_names > 0)
		name = first_name(rec, &namelen);
	/* MISMATCH: name the name the shown address came from, when the
	 * checker recorded it (store.h, match), not a sorted-first name
	 * that may have no address at all (192.0.2.12 in the tests) */
	if (rec->def_verdict == V_MISMATCH && rec->match != STORE_MATCH_NONE) {
		const uint8_t *nm;
		size_t pos = 0, n, i = 0;
		while (store_names_next(rec, &pos, &nm, &n)) {
			if (i++ == rec->match) {
				name = nm;
				namelen = n;
				break;
			}
		}
	}
	if (name != NULL && rec->n_names > 1)
		snprintf(more, sizeof(more), " (+%u more)",
		    (unsigned)rec->n_names - 1);

	/* The sentence is pre + name + more + tail; only the name, which
	 * comes from the internet and may be 255 octets, is ever long. */
	if (rec->def_verdict == V_NO_PTR || name == NULL) {
		snprintf(pre, sizeof(pre), "FCrDNS fail: %s", ip);
		if (rec->def_verdict == V_NO_PTR)
			snprintf(tail, sizeof(tail), " has no PTR record");
		else if (rec->def_verdict == V_NO_FORWARD)
			snprintf(tail, sizeof(tail), " PTR names have no %s "
			    "record", v6 ? "AAAA" : "A");
		else
			snprintf(tail, sizeof(tail), " PTR names do not "
			    "resolve to it");
		name = NULL;
	} else {
		snprintf(pre, sizeof(pre), "FCrDNS fail: %s PTR ", ip);
		if (rec->def_verdict == V_NO_FORWARD) {
			snprintf(tail, sizeof(tail), " has no %s record",
			    v6 ? "AAAA" : "A");
		} else if (rec->n_addrs > 0) {
			char a[ADDR_STRLEN];
			snprintf(tail, sizeof(tail), " resolves to %s",
			    addr_format(rec->addrs, a, sizeof(a)));
			if (rec->n_addrs > 1)
				snprintf(tail + strlen(tail),
				    sizeof(tail) - strlen(tail),
				    " (+%u more)", (unsigned)rec->n_addrs - 1);
		} else {
			snprintf(tail, sizeof(tail),
			    " resolves to other addresses");
		}
	}

	sb_init(&b, buf, limit);
	fixed = strlen(pre) + strlen(more) + strlen(tail);
	sb_str(&b, pre);
	if (name != NULL) {
		if (fixed + namelen <= limit) {
			sb_add(&b, name, namelen);
		} else if (fixed + 3 < limit) {
			sb_add(&b, name, limit - fixed - 3);
			sb_str(&b, "...");
		}
		/* else: a tiny buffer; the plain cut below will do */
	}
	sb_str(&b, more);
	sb_str(&b, tail);
	return (int)b.len;
}

int
reason_detail(const struct store_record *rec, char *buf, size_t len)
{
	char t[32];
	const uint8_t *name;
	size_t pos = 0, n;
	unsigned i;
	struct sbuf b;

	if (buf == NULL || len == 0)
		return 0;
	sb_init(&b, buf, len - 1);
	sb_fmt(&b, "last=%s", verdict_name(rec->verdict));
	sb_fmt(&b, " checked=%s", reason_time(rec->checked_at, t, sizeof(t)));
	sb_fmt(&b, " expires=%s", reason_time(rec->expires_at, t, sizeof(t)));
	sb_fmt(&b, " def=%s", verdict_name(rec->def_verdict));
	sb_fmt(&b, " def_checked=%s",
	    reason_time(rec->def_checked_at, t, sizeof(t)));

	sb_str(&b, " names=");
	for (i = 0; store_names_next(rec, &pos, &name, &n); i++) {
		if (i > 0)
			sb_str(&b, ",");
		sb_add(&b, name, n);
	}
	if (i == 0)
		sb_str(&b, "-");

	/* match is the confirming name; for a MISMATCH it is the name the
	 * first address came from (store.h), shown as resolving= */
	sb_str(&b, rec->verdict == V_MISMATCH ? " resolving=" : " match=");
	pos = 0;
	for (i = 0; store_names_next(rec, &pos, &name, &n); i++)
		if (i == rec->match)
			break;
	if (rec->match != STORE_MATCH_NONE && i == rec->match)
		sb_add(&b, name, n);
	else
		sb_str(&b, "-");

	sb_str(&b, " addrs=");
	for (i = 0; i < rec->n_addrs; i++) {
		char a[ADDR_STRLEN];
		if (i > 0)
			sb_str(&b, ",");
		sb_str(&b, addr_format(rec->addrs + (size_t)i * ADDR_LEN, a,
		    sizeof(a)));
	}
	if (rec->n_addrs == 0)
		sb_str(&b, "-");

	if (rec->fail_count > 0 || rec->retry_at != 0) {
		sb_fmt(&b, " fails=%" PRIu32 " backoff=%" PRIu32 "s",
		    rec->fail_count, rec->backoff_s);
		sb_fmt(&b, " retry=%s", reason_time(rec->retry_at, t,
		    sizeof(t)));
	}
	if (rec->last_query_at != 0)
		sb_fmt(&b, " last_query=%s",
		    reason_time(rec->last_query_at, t, sizeof(t)));
	sb_mark_cut(&b);
	return (int)b.len;
}
