/*
 * answer.c -- build answers in the query's buffer.
 *
 * Everything written here is our own data (the zone, the verdict, the
 * settings) plus the question bytes that query_parse() checked, so the
 * only care needed is the size limit: every write goes through struct
 * wbuf, which refuses to pass its limit, and every record is written
 * whole or not at all.
 */
#include <string.h>

#include "../common/config.h"
#include "answer.h"
#include "query.h"
#include "zone.h"

#define OPT_FIXED_LEN 11    /* root owner, type, class, ttl, rdlength */

struct wbuf {
	uint8_t *b;
	size_t pos;
	size_t lim;
	int full;               /* a write did not fit */
};

static void
put(struct wbuf *w, const void *p, size_t n)
{
	if (w->full || n > w->lim - w->pos) {
		w->full = 1;
		return;
	}
	memcpy(w->b + w->pos, p, n);
	w->pos += n;
}

static void
put16(struct wbuf *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void
put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

static void
set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Write a zone name (uncompressed wire, trusted). When it ends in the
 * apex and the question holds the apex at q->apex_off, the apex is
 * replaced by a pointer there (RFC 1035 s. 4.1.4).
 */
static void
put_name(struct wbuf *w, const uint8_t *name, size_t len,
	const struct query *q, const struct zone *z)
{
	size_t p = 0;

	while (p < len) {
		if (q->apex_off != 0 && zone_dname_equal(name + p, len - p,
		    z->apex, z->apex_len)) {
			put(w, name, p);
			put16(w, 0xc000u | q->apex_off);
			return;
		}
		if (name[p] == 0)
			break;
		p += (size_t)name[p] + 1;
	}
	put(w, name, len);
}

/* Length of the wire name at rdata[0..max), 0 if malformed. */
static size_t
name_len(const uint8_t *n, size_t max)
{
	size_t p = 0;

	while (p < max) {
		if (n[p] == 0)
			return p + 1;
		p += (size_t)n[p] + 1;
	}
	return 0;
}

/* The rdata of a zone record; names in NS and SOA are compressed, which
 * RFC 3597 s. 4 allows for these RFC 1035 types only. */
static void
put_rdata(struct wbuf *w, const struct zone_rr *rr, const struct query *q,
	const struct zone *z)
{
	size_t n1, n2;

	if (rr->type == ZONE_TYPE_NS &&
	    (n1 = name_len(rr->rdata, rr->rdlen)) == rr->rdlen) {
		put_name(w, rr->rdata, n1, q, z);
	} else if (rr->type == ZONE_TYPE_SOA &&
	    (n1 = name_len(rr->rdata, rr->rdlen)) != 0 &&
	    (n2 = name_len(rr->rdata + n1, rr->rdlen - n1)) != 0 &&
	    n1 + n2 + 20 == rr->rdlen) {
		put_name(w, rr->rdata, n1, q, z);
		put_name(w, rr->rdata + n1, n2, q, z);
		put(w, rr->rdata + n1 + n2, 20);
	} else
		put(w, rr->rdata, rr->rdlen);
}

/*
 * One record from the zone with owner written as a pointer ptr (0: the
 * owner's own name, compressed against the apex). Whole or nothing:
 * returns 0, or -1 with w as before if it did not fit.
 */
static int
put_zone_rr(struct wbuf *w, const struct zone_rr *rr, uint32_t ttl,
	unsigned ptr, const struct query *q, const struct zone *z)
{
	size_t start = w->pos, rdstart;

	if (ptr)
		put16(w, 0xc000u | ptr);
	else
		put_name(w, rr->owner, rr->owner_len, q, z);
	put16(w, rr->type);
	put16(w, QCLASS_IN);
	put32(w, ttl);
	put16(w, 0);
	rdstart = w->pos;
	put_rdata(w, rr, q, z);
	if (w->full) {
		w->pos = start;
		w->full = 0;
		return -1;
	}
	set16(w->b + rdstart - 2, (unsigned)(w->pos - rdstart));
	return 0;
}

/* A TXT record owned by the question name: one character-string of at
 * most 255 printable ASCII octets (verdicts.md), others become '?'. */
static int
put_txt(struct wbuf *w, unsigned rclass, uint32_t ttl, const char *txt,
	size_t len)
{
	size_t start = w->pos, i;
	uint8_t s[256];

	if (len > 255)
		len = 255;
	s[0] = (uint8_t)len;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)txt[i];

		s[i + 1] = (c >= 0x20 && c <= 0x7e) ? c : '?';
	}
	put16(w, 0xc00c);
	put16(w, QTYPE_TXT);
	put16(w, rclass);
	put32(w, ttl);
	put16(w, (unsigned)len + 1);
	put(w, s, len + 1);
	if (w->full) {
		w->pos = start;
		w->full = 0;
		return -1;
	}
	return 0;
}

/* The listing's A record: 127.0.0.code, never anything outside 127/8. */
static int
put_listed_a(struct wbuf *w, uint32_t ttl, uint8_t code)
{
	static const uint8_t rr[10] = { 0xc0, 0x0c, 0, QTYPE_A, 0, QCLASS_IN };
	uint8_t rd[4] = { 127, 0, 0, code };
	size_t start = w->pos;

	put(w, rr, 6);
	put32(w, ttl);
	put16(w, 4);
	put(w, rd, 4);
	if (w->full) {
		w->pos = start;
		w->full = 0;
		return -1;
	}
	return 0;
}

/* Section counts of the answer being built. */
struct counts {
	unsigned an, ns, ar;
};

/* NODATA / NXDOMAIN authority: the SOA, owned by the apex. */
static int
put_neg_soa(struct wbuf *w, struct counts *c, uint32_t ttl,
	const struct query *q, const struct zone *z)
{
	if (put_zone_rr(w, zone_soa(z), ttl, q->apex_off, q, z) != 0)
		return -1;
	c->ns++;
	return 0;
}

/* A/AAAA of the NS targets inside the zone, as ADDITIONAL data
 * (RFC 1034 s. 4.3.2 step 6); what does not fit is left out. */
static void
put_glue(struct wbuf *w, struct counts *c, const struct query *q,
	const struct zone *z)
{
	int i, j;

	for (i = 0; i < z->n_rr; i++) {
		const struct zone_rr *ns = &z->rr[i];

		if (ns->type != ZONE_TYPE_NS ||
		    !zone_rr_owned_by(ns, z->apex, z->apex_len))
			continue;
		for (j = 0; j < z->n_rr; j++) {
			const struct zone_rr *g = &z->rr[j];

			if ((g->type == ZONE_TYPE_A ||
			    g->type == ZONE_TYPE_AAAA) &&
			    zone_rr_owned_by(g, ns->rdata, ns->rdlen) &&
			    put_zone_rr(w, g, g->ttl, 0, q, z) == 0)
				c->ar++;
		}
	}
}

/* The apex or a zone-file name: its records of qtype, else NODATA. */
static int
put_zone_answer(struct wbuf *w, struct counts *c, const struct query *q,
	const uint8_t *qname, const struct zone *z)
{
	int i;

	for (i = 0; i < z->n_rr; i++) {
		const struct zone_rr *rr = &z->rr[i];

		if (!zone_rr_owned_by(rr, qname, q->qname_len) ||
		    (q->qtype != QTYPE_ANY && q->qtype != rr->type))
			continue;
		if (put_zone_rr(w, rr, rr->ttl, QUERY_HEADER_LEN, q, z) != 0)
			return -1;
		c->an++;
	}
	if (c->an == 0)
		return put_neg_soa(w, c, zone_neg_ttl(z), q, z);
	if (q->qtype == QTYPE_NS && q->kind == QK_APEX)
		put_glue(w, c, q, z);
	return 0;
}

/*
 * A listed address. ANY gets A and TXT: RFC 8482 s. 4.2 lets us return
 * a subset, and these two are the whole set, small enough for 512
 * octets, so ANY costs no more than A and TXT asked separately.
 */
static int
put_listed(struct wbuf *w, struct counts *c, const struct query *q,
	const struct zone *z, const struct answer *a)
{
	int want_a = q->qtype == QTYPE_A || q->qtype == QTYPE_ANY;
	int want_txt = q->qtype == QTYPE_TXT || q->qtype == QTYPE_ANY;
	uint32_t neg = zone_neg_ttl(z);

	if (!want_a && !want_txt)
		return put_neg_soa(w, c, a->ttl < neg ? a->ttl : neg, q, z);
	if (want_a) {
		if (put_listed_a(w, a->ttl, a->code) != 0)
			return -1;
		c->an++;
	}
	if (want_txt) {
		if (put_txt(w, QCLASS_IN, a->ttl, a->txt, a->txt_len) != 0)
			return -1;
		c->an++;
	}
	return 0;
}

/* The OPT record of the answer (RFC 6891 s. 6.1.2, 6.1.3). */
static void
put_opt(struct wbuf *w, const struct query *q, const struct config *cfg,
	int rcode, size_t nsid_len)
{
	uint32_t ttl = (uint32_t)(rcode >> 4) << 24;  /* version 0 */

	if (q->edns_do)
		ttl |= 0x8000;
	put(w, "", 1);
	put16(w, QTYPE_OPT);
	put16(w, cfg->edns_size < 512 ? 512 : cfg->edns_size);
	put32(w, ttl);
	if (nsid_len) {
		put16(w, 4 + (unsigned)nsid_len);
		put16(w, EDNS_OPT_NSID);
		put16(w, (unsigned)nsid_len);
		put(w, cfg->identity, nsid_len);
	} else
		put16(w, 0);
}

size_t
answer_build(uint8_t *buf, size_t cap, const struct query *q,
	const struct zone *z, const struct config *cfg,
	const struct answer *a, int tcp)
{
	struct wbuf w;
	struct counts c = { 0, 0, 0 };
	size_t limit, qend, opt_len = 0, nsid_len = 0;
	int rc = 0, tc = 0;

	qend = q->has_question ? q->qend : QUERY_HEADER_LEN;
	limit = tcp ? 65535 : q->edns ? q->udp_size : 512;
	if (limit > cap)
		limit = cap;
	if (limit < qend)
		return 0;
	if (q->edns) {
		opt_len = OPT_FIXED_LEN;
		if (q->nsid && !cfg->no_nsid) {
			nsid_len = strnlen(cfg->identity,
			    sizeof(cfg->identity));
			opt_len += 4 + nsid_len;
		}
		/* a long identity must not cost the answer its OPT */
		if (qend + opt_len > limit) {
			opt_len = OPT_FIXED_LEN;
			nsid_len = 0;
		}
		if (qend + opt_len > limit)
			return 0;
	}

	w.b = buf;
	w.pos = qend;
	w.lim = limit - opt_len;
	w.full = 0;
	switch (a->type) {
	case ANSWER_RCODE:
		break;
	case ANSWER_NEGATIVE:
		rc = put_neg_soa(&w, &c, a->ttl, q, z);
		break;
	case ANSWER_LISTED:
		rc = put_listed(&w, &c, q, z, a);
		break;
	case ANSWER_ZONE:
		rc = put_zone_answer(&w, &c, q, buf + QUERY_HEADER_LEN, z);
		break;
	case ANSWER_CHAOS:
		if ((q->qtype == QTYPE_TXT || q->qtype == QTYPE_ANY) &&
		    (rc = put_txt(&w, QCLASS_CH, 0, a->txt, a->txt_len)) == 0)
			c.an++;
		break;
	}
	if (rc != 0) {
		/* RFC 2181 s. 9: no partial RRsets, set TC */
		w.pos = qend;
		c.an = c.ns = c.ar = 0;
		tc = 1;
	}
	w.lim = limit;
	if (q->edns) {
		put_opt(&w, q, cfg, a->rcode, nsid_len);
		c.ar++;
	}

	set16(buf, q->id);
	buf[2] = (uint8_t)(0x80 | q->opcode << 3 |
	    (a->type != ANSWER_RCODE ? 0x04 : 0) | (tc ? 0x02 : 0) |
	    (q->rd ? 0x01 : 0));
	buf[3] = (uint8_t)((q->cd ? 0x10 : 0) | (a->rcode & 0x0f));
	set16(buf + 4, q->has_question ? 1 : 0);
	set16(buf + 6, c.an);
	set16(buf + 8, c.ns);
	set16(buf + 10, c.ar);
	return w.pos;
}
