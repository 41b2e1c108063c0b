/* tests/test_query.c -- server/query.c: the wire parser and name grammar. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../server/query.h"
#include "../server/zone.h"

static struct zone *zone;

/* Text name to wire at b; returns bytes written. "" is the root. */
static size_t
wire_name(uint8_t *b, const char *name)
{
	size_t n = 0;
	const char *s = name, *dot;

	while (*s) {
		dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		b[n++] = (uint8_t)l;
		memcpy(b + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	b[n++] = 0;
	return n;
}

static size_t
put16(uint8_t *b, size_t p, unsigned v)
{
	b[p] = (uint8_t)(v >> 8);
	b[p + 1] = (uint8_t)v;
	return p + 2;
}

/* A header with the given flags byte 2 and counts. */
static size_t
header(uint8_t *b, unsigned flags2, unsigned qd, unsigned an, unsigned ns,
	unsigned ar)
{
	memset(b, 0, 12);
	put16(b, 0, 0xbeef);
	b[2] = (uint8_t)flags2;
	b[3] = 0x10; /* CD */
	put16(b, 4, qd);
	put16(b, 6, an);
	put16(b, 8, ns);
	put16(b, 10, ar);
	return 12;
}

/* An OPT record: udp size, version, DO, and rdata opts of olen bytes. */
static size_t
opt(uint8_t *b, size_t p, unsigned size, unsigned version, int dobit,
	const uint8_t *opts, size_t olen)
{
	b[p++] = 0;
	p = put16(b, p, QTYPE_OPT);
	p = put16(b, p, size);
	b[p++] = 0;
	b[p++] = (uint8_t)version;
	b[p++] = dobit ? 0x80 : 0;
	b[p++] = 0;
	p = put16(b, p, (unsigned)olen);
	if (olen)
		memcpy(b + p, opts, olen);
	return p + olen;
}

/* A standard query for name/type, RD set, optionally with OPT. */
static size_t
mkquery(uint8_t *b, const char *name, unsigned qtype, unsigned qclass,
	int edns)
{
	size_t p = header(b, 0x01, 1, 0, 0, edns ? 1 : 0);

	p += wire_name(b + p, name);
	p = put16(b, p, qtype);
	p = put16(b, p, qclass);
	if (edns)
		p = opt(b, p, 1232, 0, 0, NULL, 0);
	return p;
}

static int
parse_classify(struct query *q, uint8_t *b, const char *name)
{
	size_t len = mkquery(b, name, QTYPE_A, QCLASS_IN, 0);

	assert_int_equal(query_parse(q, b, len), QUERY_OK);
	return query_classify(q, b, zone);
}

static void
assert_addr(const struct query *q, const char *text)
{
	uint8_t a[ADDR_LEN];

	assert_int_equal(addr_parse(text, a), 0);
	assert_memory_equal(q->addr, a, ADDR_LEN);
}

static void
test_header_fields(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_TXT,
	    QCLASS_IN, 0);

	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(q.id, 0xbeef);
	assert_int_equal(q.opcode, 0);
	assert_int_equal(q.rd, 1);
	assert_int_equal(q.cd, 1);
	assert_int_equal(q.has_question, 1);
	assert_int_equal(q.qtype, QTYPE_TXT);
	assert_int_equal(q.qclass, QCLASS_IN);
	assert_int_equal(q.n_labels, 6);
	assert_int_equal(q.qname_len, 24);
	assert_int_equal(q.qend, 12 + 24 + 4);
	assert_int_equal(q.edns, 0);
	assert_int_equal(q.udp_size, 512);
}

static void
test_ipv4(void **st)
{
	uint8_t b[512];
	struct query q;

	assert_int_equal(parse_classify(&q, b, "1.2.0.192.fcrdns.local"),
	    QK_ADDR_V4);
	assert_addr(&q, "192.0.2.1");
	assert_int_equal(q.apex_off, 22);
	assert_int_equal(parse_classify(&q, b, "255.0.0.0.fcrdns.local"),
	    QK_ADDR_V4);
	assert_addr(&q, "0.0.0.255");
	assert_int_equal(parse_classify(&q, b, "10.0.0.10.fcrdns.local"),
	    QK_ADDR_V4);
	assert_addr(&q, "10.0.0.10");
}

static void
test_ipv6_nibbles(void **st)
{
	uint8_t b[512];
	struct query q;
	const char *n = "6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.B.D.0.1.0.0.2.fcrdns.local";

	assert_int_equal(parse_classify(&q, b, n), QK_ADDR_V6);
	assert_addr(&q, "2001:db8::26");
	assert_false(addr_is_v4(q.addr));
}

static void
test_ipv6_mapped_is_ipv4(void **st)
{
	uint8_t b[512];
	struct query q;
	/* ::ffff:192.0.2.1 = ::ffff:c000:201 */
	const char *n = "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.fcrdns.local";

	assert_int_equal(parse_classify(&q, b, n), QK_ADDR_V6);
	assert_addr(&q, "192.0.2.1");
	assert_true(addr_is_v4(q.addr));
}

static void
test_case_insensitive(void **st)
{
	uint8_t b[512];
	struct query q;

	assert_int_equal(parse_classify(&q, b, "1.2.0.192.FcRdNs.LOCAL"),
	    QK_ADDR_V4);
	assert_addr(&q, "192.0.2.1");
	/* the packet is not touched: the case is still there to echo */
	assert_memory_equal(b + 22, "\6FcRdNs\5LOCAL", 13);
	assert_int_equal(parse_classify(&q, b, "FCRDNS.local"), QK_APEX);
	assert_int_equal(q.apex_off, 12);
	assert_int_equal(parse_classify(&q, b, "NS1.fcrdns.Local"),
	    QK_ZONE_NAME);
	assert_int_equal(q.apex_off, 16);
}

static void
test_prefixes_are_empty_nonterminals(void **st)
{
	uint8_t b[512];
	struct query q;
	char n[256];
	int i;

	assert_int_equal(parse_classify(&q, b, "192.fcrdns.local"),
	    QK_PREFIX);
	assert_int_equal(parse_classify(&q, b, "0.192.fcrdns.local"),
	    QK_PREFIX);
	assert_int_equal(parse_classify(&q, b, "2.0.192.fcrdns.local"),
	    QK_PREFIX);
	assert_int_equal(parse_classify(&q, b, "a.fcrdns.local"), QK_PREFIX);
	assert_int_equal(parse_classify(&q, b, "1.2.3.4.5.fcrdns.local"),
	    QK_PREFIX);
	assert_int_equal(parse_classify(&q, b, "a.b.c.d.fcrdns.local"),
	    QK_PREFIX);
	/* 31 nibbles: a prefix; 33: nothing */
	n[0] = '\0';
	for (i = 0; i < 31; i++)
		strcat(n, "f.");
	strcat(n, "fcrdns.local");
	assert_int_equal(parse_classify(&q, b, n), QK_PREFIX);
	n[0] = '\0';
	for (i = 0; i < 33; i++)
		strcat(n, "0.");
	strcat(n, "fcrdns.local");
	assert_int_equal(parse_classify(&q, b, n), QK_NXNAME);
}

static void
test_overlap(void **st)
{
	uint8_t b[512];
	struct query q;

	assert_int_equal(parse_classify(&q, b, "7.0.6.2.fcrdns.local"),
	    QK_OVERLAP);
	assert_addr(&q, "2.6.0.7");
	/* one two-digit label: only IPv4 */
	assert_int_equal(parse_classify(&q, b, "7.0.6.20.fcrdns.local"),
	    QK_ADDR_V4);
	/* hex letter: only an IPv6 prefix */
	assert_int_equal(parse_classify(&q, b, "7.0.6.a.fcrdns.local"),
	    QK_PREFIX);
}

static void
test_nxnames(void **st)
{
	static const char *bad[] = {
		"256.2.0.192.fcrdns.local",  /* octet > 255 */
		"01.2.0.192.fcrdns.local",   /* leading zero */
		"1.2.0.192.1.2.fcrdns.local",
		"+1.2.0.192.fcrdns.local",
		"1.2.0.1920.fcrdns.local",
		"10.0.0.a.fcrdns.local",     /* neither form */
		"www.fcrdns.local",
		"x.1.2.0.192.fcrdns.local",
		"g.fcrdns.local",
		"foo.ns1.fcrdns.local",      /* below a zone-file name */
	};
	uint8_t b[512];
	struct query q;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_classify(&q, b, bad[i]) != QK_NXNAME)
			fail_msg("%s not NXNAME", bad[i]);
		assert_int_equal(q.apex_off != 0, 1);
	}
}

static void
test_outside_and_classes(void **st)
{
	static const char *out[] = {
		"example.com", "local", "xfcrdns.local", "fcrdns.local.evil",
		"1.2.0.192.in-addr.arpa", "",
	};
	uint8_t b[512];
	struct query q;
	size_t i, len;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (parse_classify(&q, b, out[i]) != QK_OUTSIDE)
			fail_msg("%s not OUTSIDE", out[i]);
		assert_int_equal(q.apex_off, 0);
	}
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, 4 /* HS */, 0);
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(query_classify(&q, b, zone), QK_OUTSIDE);
	len = mkquery(b, "VERSION.bind", QTYPE_TXT, QCLASS_CH, 0);
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(query_classify(&q, b, zone), QK_CHAOS);
	assert_int_equal(query_chaos_name(&q, b), QCH_VERSION);
	len = mkquery(b, "version.server", QTYPE_TXT, QCLASS_CH, 0);
	query_parse(&q, b, len);
	assert_int_equal(query_chaos_name(&q, b), QCH_VERSION);
	len = mkquery(b, "id.server", QTYPE_TXT, QCLASS_CH, 0);
	query_parse(&q, b, len);
	assert_int_equal(query_chaos_name(&q, b), QCH_IDENTITY);
	len = mkquery(b, "hostname.BIND", QTYPE_TXT, QCLASS_CH, 0);
	query_parse(&q, b, len);
	assert_int_equal(query_chaos_name(&q, b), QCH_IDENTITY);
	len = mkquery(b, "authors.bind", QTYPE_TXT, QCLASS_CH, 0);
	query_parse(&q, b, len);
	assert_int_equal(query_chaos_name(&q, b), QCH_OTHER);
}

static void
test_drop(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len;

	memset(b, 0, sizeof(b));
	assert_int_equal(query_parse(&q, b, 0), QUERY_DROP);
	assert_int_equal(query_parse(&q, b, 11), QUERY_DROP);
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	b[2] |= 0x80; /* QR */
	assert_int_equal(query_parse(&q, b, len), QUERY_DROP);
}

static void
test_opcodes_notimp(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len;
	unsigned op;

	for (op = 1; op <= 15; op++) {
		len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN,
		    1);
		b[2] = (uint8_t)(op << 3 | 0x01);
		assert_int_equal(query_parse(&q, b, len), QUERY_NOTIMP);
		assert_int_equal(q.opcode, op);
		assert_int_equal(q.has_question, 1);
		assert_int_equal(q.edns, 1);
		/* a broken packet with another opcode: NOTIMP, header only */
		assert_int_equal(query_parse(&q, b, 20), QUERY_NOTIMP);
		assert_int_equal(q.opcode, op);
		assert_int_equal(q.has_question, 0);
		assert_int_equal(q.qend, 12);
		assert_int_equal(q.edns, 0);
	}
}

static void
test_qdcount(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN,
	    0);

	b[5] = 0;
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	assert_int_equal(q.has_question, 0);
	assert_int_equal(q.id, 0xbeef);
	assert_int_equal(q.rd, 1);
	b[5] = 2;
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	/* two real questions */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	memcpy(b + len, b + 12, len - 12);
	b[5] = 2;
	assert_int_equal(query_parse(&q, b, 2 * len - 12), QUERY_FORMERR);
	/* header only, QDCOUNT 0 */
	header(b, 0, 0, 0, 0, 0);
	assert_int_equal(query_parse(&q, b, 12), QUERY_FORMERR);
}

static void
test_truncated_everywhere(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN,
	    1);
	size_t cut;
	uint8_t nsid[4] = { 0, 3, 0, 0 };

	/* OPT with an NSID option, so every field can be cut */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 1232, 0, 1, nsid, 4);
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	for (cut = 12; cut < len; cut++) {
		uint8_t copy[512];

		/* a copy of exactly cut bytes so ASan sees any over-read */
		memcpy(copy, b, cut);
		if (query_parse(&q, copy, cut) != QUERY_FORMERR)
			fail_msg("cut at %zu not FORMERR", cut);
	}
}

static void
test_pointer_in_qname(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t p = header(b, 0x01, 1, 0, 0, 0);

	/* "1" then a pointer back to the header */
	b[p++] = 1;
	b[p++] = '1';
	b[p++] = 0xc0;
	b[p++] = 0x0c;
	p = put16(b, p, 1);
	p = put16(b, p, 1);
	assert_int_equal(query_parse(&q, b, p), QUERY_FORMERR);
	/* a pointer loop: a pointer to itself */
	p = header(b, 0x01, 1, 0, 0, 0);
	b[p++] = 0xc0;
	b[p++] = 0x0c;
	p = put16(b, p, 1);
	p = put16(b, p, 1);
	assert_int_equal(query_parse(&q, b, p), QUERY_FORMERR);
}

static void
test_bad_labels(void **st)
{
	uint8_t b[600];
	struct query q;
	size_t p, i;

	/* label type 0x40 (64 = over 63) and 0x80 */
	for (i = 0; i < 2; i++) {
		p = header(b, 0x01, 1, 0, 0, 0);
		b[p++] = i ? 0x80 : 0x40;
		memset(b + p, 'a', 70);
		p += 70;
		b[p++] = 0;
		p = put16(b, p, 1);
		p = put16(b, p, 1);
		assert_int_equal(query_parse(&q, b, p), QUERY_FORMERR);
	}
	/* 63 is fine */
	p = header(b, 0x01, 1, 0, 0, 0);
	b[p++] = 63;
	memset(b + p, 'a', 63);
	p += 63;
	b[p++] = 0;
	p = put16(b, p, 1);
	p = put16(b, p, 1);
	assert_int_equal(query_parse(&q, b, p), QUERY_OK);
}

/* A name of exactly total wire octets made of 63-octet labels. */
static size_t
long_name_query(uint8_t *b, size_t total)
{
	size_t p = header(b, 0x01, 1, 0, 0, 0), left = total - 1;

	while (left > 0) {
		size_t l = left - 1 > 63 ? 63 : left - 1;

		if (left - (l + 1) == 1)  /* no 0-length tail label */
			l--;
		b[p++] = (uint8_t)l;
		memset(b + p, 'a', l);
		p += l;
		left -= l + 1;
	}
	b[p++] = 0;
	p = put16(b, p, 1);
	return put16(b, p, 1);
}

static void
test_name_length(void **st)
{
	uint8_t b[600];
	struct query q;
	size_t len;

	len = long_name_query(b, 255);
	assert_int_equal(len, 12 + 255 + 4);
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(q.qname_len, 255);
	len = long_name_query(b, 256);
	assert_int_equal(len, 12 + 256 + 4);
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
}

static void
test_edns(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len;
	/* an unknown option (65001) and NSID */
	uint8_t opts[] = { 0xfd, 0xe9, 0, 2, 'x', 'y', 0, 3, 0, 0 };

	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 4096, 0, 1, opts, sizeof(opts));
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(q.edns, 1);
	assert_int_equal(q.udp_size, 4096);
	assert_int_equal(q.edns_do, 1);
	assert_int_equal(q.nsid, 1);
	assert_int_equal(q.edns_version, 0);

	/* small payload sizes mean 512 (RFC 6891 s. 6.2.5) */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 100, 0, 0, opts, 6);
	assert_int_equal(query_parse(&q, b, len), QUERY_OK);
	assert_int_equal(q.udp_size, 512);
	assert_int_equal(q.edns_do, 0);
	assert_int_equal(q.nsid, 0);

	/* version 1: BADVERS, fields still read */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 1232, 1, 1, NULL, 0);
	assert_int_equal(query_parse(&q, b, len), QUERY_BADVERS);
	assert_int_equal(q.edns_version, 1);
	assert_int_equal(q.has_question, 1);
	assert_int_equal(q.edns_do, 1);
}

static void
test_edns_malformed(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len, p;
	uint8_t overrun[] = { 0, 3, 0, 9, 'a' };
	uint8_t stub[] = { 0, 3, 0 };

	/* two OPTs */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 2;
	len = opt(b, len, 1232, 0, 0, NULL, 0);
	len = opt(b, len, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	assert_int_equal(q.edns, 0);
	/* an option longer than the rdata, and a 3-octet stub */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 1232, 0, 0, overrun, sizeof(overrun));
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	len = opt(b, len, 1232, 0, 0, stub, sizeof(stub));
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	/* OPT owner not the root */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	b[len++] = 1;
	b[len++] = 'x';
	len = opt(b, len, 1232, 0, 0, NULL, 0);
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	/* rdlength past the end */
	len = mkquery(b, "fcrdns.local", QTYPE_SOA, QCLASS_IN, 0);
	b[11] = 1;
	p = opt(b, len, 1232, 0, 0, NULL, 0);
	put16(b, p - 2, 4);
	assert_int_equal(query_parse(&q, b, p), QUERY_FORMERR);
}

static void
test_other_sections_skipped(void **st)
{
	uint8_t b[512];
	struct query q;
	size_t len, p;

	/* one answer record with a compressed owner, then OPT */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	b[7] = 1;
	b[11] = 1;
	p = len;
	p = put16(b, p, 0xc00c);
	p = put16(b, p, QTYPE_A);
	p = put16(b, p, QCLASS_IN);
	p = put16(b, p, 0);
	p = put16(b, p, 60);
	p = put16(b, p, 4);
	memcpy(b + p, "\x7f\0\0\2", 4);
	p += 4;
	p = opt(b, p, 2048, 0, 0, NULL, 0);
	assert_int_equal(query_parse(&q, b, p), QUERY_OK);
	assert_int_equal(q.edns, 1);
	assert_int_equal(q.udp_size, 2048);
	/* a pointer loop in an additional owner is never followed */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	b[11] = 1;
	p = len;
	p = put16(b, p, 0xc000 | (unsigned)len);
	p = put16(b, p, 16);
	p = put16(b, p, 1);
	p = put16(b, p, 0);
	p = put16(b, p, 0);
	p = put16(b, p, 0);
	assert_int_equal(query_parse(&q, b, p), QUERY_OK);
	assert_int_equal(q.edns, 0);
	/* an announced NSCOUNT record that is not there */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	b[9] = 1;
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	/* ARCOUNT 65535 with nothing behind: FORMERR, quickly */
	b[9] = 0;
	b[10] = b[11] = 0xff;
	assert_int_equal(query_parse(&q, b, len), QUERY_FORMERR);
	/* trailing garbage after the counted records is ignored */
	len = mkquery(b, "1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN, 0);
	memset(b + len, 0xc0, 7);
	assert_int_equal(query_parse(&q, b, len + 7), QUERY_OK);
}

static int
setup(void **st)
{
	char err[512];

	if (zone_load(&zone, "zones/fcrdns.local.zone", "fcrdns.local", err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **st)
{
	zone_free(zone);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6_nibbles),
		cmocka_unit_test(test_ipv6_mapped_is_ipv4),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_prefixes_are_empty_nonterminals),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_nxnames),
		cmocka_unit_test(test_outside_and_classes),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_opcodes_notimp),
		cmocka_unit_test(test_qdcount),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_pointer_in_qname),
		cmocka_unit_test(test_bad_labels),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_edns_malformed),
		cmocka_unit_test(test_other_sections_skipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
