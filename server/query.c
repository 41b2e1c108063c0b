/*
 * query.c -- the wire parser for incoming queries, and the name grammar.
 *
 * This file is the only place where bytes from the network are read.
 */
#include <string.h>

#include "query.h"
#include "zone.h"

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Step over the owner name of a resource record at pkt[p]. The name is
 * never needed, so a compression pointer (RFC 1035 s. 4.1.4) simply ends
 * it: pointers are not followed, and a pointer loop costs nothing.
 * Label types 0x40 and 0x80 (RFC 6891 s. 5: no extended label types are
 * defined) are rejected. Returns the offset after the name, or 0 if the
 * name is malformed, longer than 255 octets or runs past len.
 */
static size_t
query_skip_name(const uint8_t *pkt, size_t len, size_t p)
{
	size_t start = p;
	unsigned c;

	for (;;) {
		if (p >= len)
			return 0;
		c = pkt[p];
		if ((c & 0xc0) == 0xc0)
			return p + 2 <= len ? p + 2 : 0;
		if (c & 0xc0)
			return 0;
		if (c == 0)
			return p + 1;
		p += c + 1;
		if (p - start + 1 > 255)
			return 0;
	}
}

/*
 * The OPT record's rdata: a list of {code(2), length(2), data} options
 * (RFC 6891 s. 6.1.2), which must fill rdata exactly. Unknown options are
 * ignored (s. 6.1.2); NSID (RFC 5001 s. 2.1) is noted. Returns 0 or -1.
 */
static int
query_parse_options(struct query *q, const uint8_t *o, size_t rdlen)
{
	size_t p = 0;

	while (p < rdlen) {
		uint16_t code, olen;

		if (rdlen - p < 4)
			return -1;
		code = rd16(o + p);
		olen = rd16(o + p + 2);
		p += 4;
		if (olen > rdlen - p)
			return -1;
		if (code == EDNS_OPT_NSID)
			q->nsid = 1;
		p += olen;
	}
	return 0;
}

/*
 * What the parser reads, and the invariants it keeps.
 *
 * The packet is pkt[0..len), len as received; nothing is assumed about
 * its contents. Every read is preceded by a check that the bytes are
 * inside [0, len); offsets are size_t and only grow, by at most len in
 * total, so no loop runs more than len times and nothing wraps.
 *
 *  1. The 12-octet header (RFC 1035 s. 4.1.1). Shorter than 12: drop, as
 *     there is no ID to answer to. QR=1 is a response, never answered
 *     (answering responses invites reflection loops): drop. Any OPCODE
 *     but QUERY (0) is NOTIMP; the rest is then parsed only so that a
 *     well-formed question can be echoed.
 *  2. QDCOUNT must be 1 (RFC 9619 spells out what servers always did).
 *  3. The question name, at offset 12, label by label. Each length octet
 *     must be 1..63 or the terminating 0. A compression pointer (0xC0)
 *     cannot be right here: nothing precedes the first name for it to
 *     point at, so any pointer, and with it any pointer loop, is FORMERR
 *     without being followed. Types 0x40/0x80 are FORMERR. The whole
 *     name, root included, must fit in 255 octets (RFC 1035 s. 3.1).
 *     The name is not copied: the answer echoes these very bytes, which
 *     keeps the client's case (0x20). label_off[] records where each
 *     label starts, for the classifier.
 *  4. QTYPE and QCLASS: 4 octets that must be there.
 *  5. ANCOUNT and NSCOUNT records (a query has none, but a few clients
 *     send some, e.g. a known-answer list): skipped, name then the fixed
 *     10 octets then RDLENGTH octets, each step bounds-checked, rather
 *     than refused.
 *  6. ARCOUNT records, skipped likewise, except OPT (RFC 6891 s. 6.1):
 *     its owner must be the root; a second OPT is FORMERR (s. 6.1.1);
 *     CLASS is the client's UDP payload size, values below 512 meaning
 *     512 (s. 6.2.5); TTL holds the version and the DO bit; its options
 *     must fill RDATA exactly. EDNS version > 0 is BADVERS (s. 6.1.3),
 *     decided only after the whole packet parsed.
 *  7. Bytes after the last counted record are ignored.
 *
 * On FORMERR (and NOTIMP for a packet that does not parse) the answer is
 * the header alone, with all counts zero, as NSD does: we cannot be sure
 * what the question was.
 */
static int
query_parse_body(struct query *q, const uint8_t *pkt, size_t len)
{
	size_t p = QUERY_HEADER_LEN, n_rr, i;
	unsigned c;
	int opts = 0;

	/* 3. QNAME */
	for (;;) {
		if (p >= len)
			return -1;
		c = pkt[p];
		if (c & 0xc0)
			return -1;
		if (c == 0) {
			p++;
			break;
		}
		if (q->n_labels >= QUERY_MAX_LABELS)
			return -1;
		q->label_off[q->n_labels++] = (uint8_t)(p - QUERY_HEADER_LEN);
		p += c + 1;
		if (p - QUERY_HEADER_LEN + 1 > 255)
			return -1;
	}
	q->qname_len = (uint16_t)(p - QUERY_HEADER_LEN);

	/* 4. QTYPE, QCLASS */
	if (len - p < 4)
		return -1;
	q->qtype = rd16(pkt + p);
	q->qclass = rd16(pkt + p + 2);
	p += 4;
	q->qend = p;
	q->has_question = 1;

	/* 5. and 6.: answer, authority, additional records */
	n_rr = (size_t)rd16(pkt + 6) + rd16(pkt + 8) + rd16(pkt + 10);
	for (i = 0; i < n_rr; i++) {
		size_t owner = p, rdlen;
		uint16_t type;

		if (!(p = query_skip_name(pkt, len, p)) || len - p < 10)
			return -1;
		type = rd16(pkt + p);
		rdlen = rd16(pkt + p + 8);
		if (len - p - 10 < rdlen)
			return -1;
		/* OPT is meaningful only in the additional section */
		if (type == QTYPE_OPT &&
		    i >= (size_t)rd16(pkt + 6) + rd16(pkt + 8)) {
			uint32_t ttl = rd32(pkt + p + 4);
			uint16_t size = rd16(pkt + p + 2);

			if (++opts > 1 || p != owner + 1)
				return -1;   /* two OPTs, or owner not root */
			q->edns = 1;
			q->udp_size = size < 512 ? 512 : size;
			q->edns_version = (uint8_t)(ttl >> 16);
			q->edns_do = (ttl & 0x8000) != 0;
			if (query_parse_options(q, pkt + p + 10, rdlen) != 0)
				return -1;
		}
		p += 10 + rdlen;
	}
	return 0;
}

int
query_parse(struct query *q, const uint8_t *pkt, size_t len)
{
	int ok;

	memset(q, 0, sizeof(*q));
	q->qend = QUERY_HEADER_LEN;
	q->udp_size = 512;
	if (len < QUERY_HEADER_LEN)
		return QUERY_DROP;
	q->id = rd16(pkt);
	if (pkt[2] & 0x80)
		return QUERY_DROP;   /* QR=1: a response */
	q->opcode = (pkt[2] >> 3) & 0x0f;
	q->rd = pkt[2] & 0x01;
	q->cd = (pkt[3] & 0x10) != 0;

	ok = rd16(pkt + 4) == 1 && query_parse_body(q, pkt, len) == 0;
	if (!ok) {
		uint16_t id = q->id;
		uint8_t opcode = q->opcode, rd = q->rd, cd = q->cd;

		/* forget a half-parsed question or OPT: header only */
		memset(q, 0, sizeof(*q));
		q->id = id;
		q->opcode = opcode;
		q->rd = rd;
		q->cd = cd;
		q->qend = QUERY_HEADER_LEN;
		q->udp_size = 512;
	}
	if (q->opcode != 0)
		return QUERY_NOTIMP;
	if (!ok)
		return QUERY_FORMERR;
	if (q->edns && q->edns_version > 0)
		return QUERY_BADVERS;
	return QUERY_OK;
}

/* A decimal octet label: 1-3 ASCII digits, 0..255, no leading zero. */
static int
label_octet(const uint8_t *l, unsigned *val)
{
	unsigned n = l[0], v = 0, i;

	if (n < 1 || n > 3 || (n > 1 && l[1] == '0'))
		return 0;
	for (i = 1; i <= n; i++) {
		if (l[i] < '0' || l[i] > '9')
			return 0;
		v = v * 10 + (l[i] - '0');
	}
	if (v > 255)
		return 0;
	*val = v;
	return 1;
}

/* A nibble label: one hex digit, either case (RFC 3596 s. 2.5). */
static int
label_nibble(const uint8_t *l, unsigned *val)
{
	unsigned c = l[1];

	if (l[0] != 1)
		return 0;
	if (c >= '0' && c <= '9')
		*val = c - '0';
	else if (c >= 'a' && c <= 'f')
		*val = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		*val = c - 'A' + 10;
	else
		return 0;
	return 1;
}

/*
 * The name grammar of dns-server.md for the `below` labels under the
 * apex (name points at the first label). Labels come in reverse order:
 * the first label is the last octet (IPv4) or the lowest nibble (IPv6,
 * RFC 3596 s. 2.5). IPv4 keys are ::ffff:a.b.c.d (common/addr.h); a
 * 32-nibble ::ffff:a.b.c.d decodes to that same key, as verdicts.md
 * requires.
 */
static enum query_kind
query_grammar(struct query *q, const uint8_t *name, unsigned below)
{
	int all_octet = 1, all_nibble = 1, all_digit = 1;
	uint8_t oct[4] = { 0 }, nib[32] = { 0 };
	unsigned i, v;

	/* one pass: what every label can be, keeping the values that a
	 * full address needs */
	for (i = 0; i < below && (all_octet || all_nibble); i++) {
		const uint8_t *l = name + q->label_off[i];

		if (all_octet) {
			if (label_octet(l, &v)) {
				if (i < 4)
					oct[i] = (uint8_t)v;
			} else {
				all_octet = 0;
			}
		}
		if (all_nibble) {
			if (label_nibble(l, &v)) {
				if (i < 32)
					nib[i] = (uint8_t)v;
				if (v > 9)
					all_digit = 0;
			} else {
				all_nibble = all_digit = 0;
			}
		}
	}
	if (below == 4 && all_octet) {
		q->addr[10] = q->addr[11] = 0xff;
		for (i = 0; i < 4; i++)
			q->addr[15 - i] = oct[i];
		/* 7.0.6.2 is also above 2607::/16 (RFC 8020) */
		return all_nibble && all_digit ? QK_OVERLAP : QK_ADDR_V4;
	}
	if (below == 32 && all_nibble) {
		for (i = 0; i < 32; i++)
			q->addr[15 - i / 2] |= (uint8_t)(i % 2 ? nib[i] << 4 :
			    nib[i]);
		return QK_ADDR_V6;
	}
	/* empty non-terminals above addresses: NODATA, not NXDOMAIN, or
	 * QNAME minimisation (RFC 9156) would hide every listing */
	if ((below <= 3 && all_octet) || (below <= 31 && all_nibble))
		return QK_PREFIX;
	return QK_NXNAME;
}

int
query_classify(struct query *q, const uint8_t *pkt, const struct zone *z)
{
	const uint8_t *name = pkt + QUERY_HEADER_LEN;
	unsigned below, off;

	memset(q->addr, 0, sizeof(q->addr));
	q->apex_off = 0;
	if (q->qclass == QCLASS_CH)
		return q->kind = QK_CHAOS;
	if (q->qclass != QCLASS_IN || q->n_labels < z->apex_labels)
		return q->kind = QK_OUTSIDE;
	below = q->n_labels - z->apex_labels;
	off = below < q->n_labels ? q->label_off[below] :
	    (unsigned)q->qname_len - 1;
	if (!zone_dname_equal(name + off, q->qname_len - off, z->apex,
	    z->apex_len))
		return q->kind = QK_OUTSIDE;
	q->apex_off = (uint16_t)(QUERY_HEADER_LEN + off);
	if (below == 0)
		return q->kind = QK_APEX;
	/* names written in the zone file come before the address rules
	 * (a name with more labels than any owner is none of them, nor an
	 * empty non-terminal above one: that skips the lookup for every
	 * address query) */
	if (q->n_labels <= z->max_labels) {
		switch (zone_name_lookup(z, name, q->qname_len)) {
		case ZONE_NAME_DATA:
			return q->kind = QK_ZONE_NAME;
		case ZONE_NAME_ENT:
			return q->kind = QK_PREFIX;
		}
	}
	return q->kind = query_grammar(q, name, below);
}

int
query_chaos_name(const struct query *q, const uint8_t *pkt)
{
	static const struct {
		const char *wire;
		size_t len;
		int which;
	} names[] = {
		{ "\7version\4bind", 14, QCH_VERSION },
		{ "\7version\6server", 16, QCH_VERSION },
		{ "\2id\6server", 11, QCH_IDENTITY },
		{ "\10hostname\4bind", 15, QCH_IDENTITY },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (zone_dname_equal(pkt + QUERY_HEADER_LEN, q->qname_len,
		    (const uint8_t *)names[i].wire, names[i].len))
			return names[i].which;
	return QCH_OTHER;
}
