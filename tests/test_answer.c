/* tests/test_answer.c -- server/answer.c: every field of the reply,
 * decoded with ldns and checked byte for byte where ldns hides it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include "../common/config.h"
#include "../server/answer.h"
#include "../server/query.h"
#include "../server/zone.h"

static struct zone *zone;
static struct config cfg;

static uint8_t buf[70000];
static uint8_t orig[70000];
static size_t qlen;
static struct query q;

/* Query options. */
struct qopt {
	int edns;            /* add OPT */
	unsigned udp;        /* its payload size */
	unsigned version;
	int dobit;
	int nsid;            /* ask for NSID */
	unsigned flags2;     /* header byte 2 (opcode, RD) */
	unsigned flags3;     /* header byte 3 (CD, AD, Z) */
	unsigned qclass;
};

static size_t
put16(uint8_t *b, size_t p, unsigned v)
{
	b[p] = (uint8_t)(v >> 8);
	b[p + 1] = (uint8_t)v;
	return p + 2;
}

/* Build, parse and classify a query; keep a copy of its bytes. Returns
 * the query_parse() status. */
static int
mk(const char *name, unsigned qtype, const struct qopt *o)
{
	struct qopt def = { .flags2 = 0x01, .flags3 = 0x10 };
	size_t p = 12;
	const char *s = name;
	int st;

	if (!o)
		o = &def;
	memset(buf, 0, 12);
	put16(buf, 0, 0x1234);
	buf[2] = (uint8_t)o->flags2;
	buf[3] = (uint8_t)o->flags3;
	put16(buf, 4, 1);
	put16(buf, 10, o->edns ? 1 : 0);
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		buf[p++] = (uint8_t)l;
		memcpy(buf + p, s, l);
		p += l;
		s += l + (dot ? 1 : 0);
	}
	buf[p++] = 0;
	p = put16(buf, p, qtype);
	p = put16(buf, p, o->qclass ? o->qclass : QCLASS_IN);
	if (o->edns) {
		buf[p++] = 0;
		p = put16(buf, p, QTYPE_OPT);
		p = put16(buf, p, o->udp);
		buf[p++] = 0;
		buf[p++] = (uint8_t)o->version;
		buf[p++] = o->dobit ? 0x80 : 0;
		buf[p++] = 0;
		p = put16(buf, p, o->nsid ? 4 : 0);
		if (o->nsid) {
			p = put16(buf, p, EDNS_OPT_NSID);
			p = put16(buf, p, 0);
		}
	}
	qlen = p;
	memcpy(orig, buf, qlen);
	st = query_parse(&q, buf, qlen);
	if (st == QUERY_OK)
		query_classify(&q, buf, zone);
	return st;
}

/* Build the answer and decode it; checks the header bits ldns does not
 * show (Z) and that the question is echoed byte for byte. */
static ldns_pkt *
build(const struct answer *a, int tcp, size_t *outlen)
{
	ldns_pkt *pkt = NULL;
	size_t n = answer_build(buf, sizeof(buf), &q, zone, &cfg, a, tcp);

	assert_true(n >= 12);
	assert_int_equal(ldns_wire2pkt(&pkt, buf, n), LDNS_STATUS_OK);
	assert_memory_equal(buf, orig, 2);            /* ID */
	assert_int_equal(buf[3] & 0x40, 0);           /* Z */
	if (q.has_question)
		assert_memory_equal(buf + 12, orig + 12, q.qend - 12);
	if (outlen)
		*outlen = n;
	return pkt;
}

/* Header: rcode and flags; RA and AD are never set; RD and CD copied. */
static void
check_header(const ldns_pkt *p, int rcode, int aa, int tc, int qd, int an,
	int ns, int ar)
{
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_true(ldns_pkt_qr(p));
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_int_equal(ldns_pkt_tc(p), tc);
	assert_int_equal(ldns_pkt_rd(p), q.rd);
	assert_int_equal(ldns_pkt_cd(p), q.cd);
	assert_false(ldns_pkt_ra(p));
	assert_false(ldns_pkt_ad(p));
	assert_int_equal(ldns_pkt_get_opcode(p), q.opcode);
	assert_int_equal(ldns_pkt_qdcount(p), qd);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_nscount(p), ns);
	assert_int_equal(ldns_pkt_arcount(p), ar);
}

/* The record as text: owner, TTL, class, type and rdata at once. */
static void
check_rr(const ldns_rr_list *l, size_t i, const char *want)
{
	char *s = ldns_rr2str(ldns_rr_list_rr(l, i));

	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("got  %swant %s", s, want);
	free(s);
}

#define SOA_RDATA "ns1.FcRdNs.local. hostmaster.FcRdNs.local. " \
	"1 3600 600 604800 300\n"

static struct answer
listed(uint32_t ttl, const char *txt)
{
	struct answer a = { .type = ANSWER_LISTED, .rcode = RCODE_NOERROR,
	    .ttl = ttl, .code = 2, .txt = txt, .txt_len = strlen(txt) };

	return a;
}

static void
test_listed_a(void **st)
{
	struct answer a = listed(300, "FCrDNS fail: 192.0.2.2 has no PTR");
	ldns_pkt *p;
	size_t n;

	assert_int_equal(mk("2.2.0.192.FcRdNs.local", QTYPE_A, NULL),
	    QUERY_OK);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	assert_true(ldns_pkt_rd(p));
	assert_true(ldns_pkt_cd(p));
	check_rr(ldns_pkt_answer(p), 0,
	    "2.2.0.192.FcRdNs.local.\t300\tIN\tA\t127.0.0.2\n");
	/* the owner is a pointer to the question */
	assert_int_equal(buf[q.qend], 0xc0);
	assert_int_equal(buf[q.qend + 1], 0x0c);
	assert_int_equal(n, q.qend + 16);
	ldns_pkt_free(p);
}

static void
test_listed_txt_and_any(void **st)
{
	struct answer a = listed(120, "FCrDNS fail: 192.0.2.6 PTR x");
	ldns_pkt *p;

	a.code = 4;
	mk("6.2.0.192.fcrdns.local", QTYPE_TXT, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	check_rr(ldns_pkt_answer(p), 0, "6.2.0.192.fcrdns.local.\t120\tIN\t"
	    "TXT\t\"FCrDNS fail: 192.0.2.6 PTR x\"\n");
	ldns_pkt_free(p);

	/* ANY: A and TXT (our RFC 8482 choice) */
	mk("6.2.0.192.fcrdns.local", QTYPE_ANY, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 2, 0, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "6.2.0.192.fcrdns.local.\t120\tIN\tA\t127.0.0.4\n");
	check_rr(ldns_pkt_answer(p), 1, "6.2.0.192.fcrdns.local.\t120\tIN\t"
	    "TXT\t\"FCrDNS fail: 192.0.2.6 PTR x\"\n");
	ldns_pkt_free(p);
}

static void
test_listed_other_type_is_nodata(void **st)
{
	struct answer a = listed(300, "x");
	ldns_pkt *p;

	mk("2.2.0.192.FcRdNs.local", QTYPE_AAAA, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 1, 0);
	check_rr(ldns_pkt_authority(p), 0,
	    "FcRdNs.local.\t300\tIN\tSOA\t" SOA_RDATA);
	ldns_pkt_free(p);
	/* a listing with less time left caps the NODATA TTL too */
	a.ttl = 45;
	mk("2.2.0.192.FcRdNs.local", 15 /* MX */, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 1, 0);
	check_rr(ldns_pkt_authority(p), 0,
	    "FcRdNs.local.\t45\tIN\tSOA\t" SOA_RDATA);
	ldns_pkt_free(p);
}

static void
test_txt_is_printable_and_capped(void **st)
{
	char txt[400];
	struct answer a;
	ldns_pkt *p;
	const ldns_rr *rr;
	const ldns_rdf *f;
	size_t i;

	memset(txt, 'a', sizeof(txt));
	txt[0] = '\x01';
	txt[1] = '\x7f';
	txt[2] = '\xe9';
	txt[3] = '"';
	a = listed(10, "");
	a.txt = txt;
	a.txt_len = sizeof(txt);
	mk("2.2.0.192.fcrdns.local", QTYPE_TXT, NULL);
	p = build(&a, 1, NULL);
	rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	assert_int_equal(ldns_rr_rd_count(rr), 1);
	f = ldns_rr_rdf(rr, 0);
	assert_int_equal(ldns_rdf_size(f), 256);
	assert_int_equal(ldns_rdf_data(f)[0], 255);
	assert_memory_equal(ldns_rdf_data(f) + 1, "???\"aaaa", 8);
	for (i = 1; i < 256; i++)
		assert_true(ldns_rdf_data(f)[i] >= 0x20 &&
		    ldns_rdf_data(f)[i] <= 0x7e);
	ldns_pkt_free(p);
}

static void
test_nxdomain_and_nodata(void **st)
{
	struct answer a = { .type = ANSWER_NEGATIVE, .rcode = RCODE_NXDOMAIN,
	    .ttl = 300 };
	ldns_pkt *p;
	size_t n;

	mk("1.2.0.192.FcRdNs.local", QTYPE_A, NULL);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NXDOMAIN, 1, 0, 1, 0, 1, 0);
	check_rr(ldns_pkt_authority(p), 0,
	    "FcRdNs.local.\t300\tIN\tSOA\t" SOA_RDATA);
	/* SOA owner: a pointer to the apex labels inside the question */
	assert_int_equal(buf[q.qend], 0xc0);
	assert_int_equal(buf[q.qend + 1], q.apex_off);
	assert_int_equal(q.apex_off, 22);
	ldns_pkt_free(p);

	a.rcode = RCODE_NOERROR;
	a.ttl = 10;
	mk("2.0.192.fcrdns.LOCAL", QTYPE_A, NULL);
	assert_int_equal(q.kind, QK_PREFIX);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 1, 0);
	check_rr(ldns_pkt_authority(p), 0, "fcrdns.LOCAL.\t10\tIN\tSOA\t"
	    "ns1.fcrdns.LOCAL. hostmaster.fcrdns.LOCAL. "
	    "1 3600 600 604800 300\n");
	ldns_pkt_free(p);
}

static void
test_apex(void **st)
{
	struct answer a = { .type = ANSWER_ZONE, .rcode = RCODE_NOERROR };
	ldns_pkt *p;

	mk("FcRdNs.local", QTYPE_SOA, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "FcRdNs.local.\t3600\tIN\tSOA\t" SOA_RDATA);
	ldns_pkt_free(p);

	/* NS, with the in-zone target's address as glue */
	mk("FcRdNs.local", QTYPE_NS, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 1);
	check_rr(ldns_pkt_answer(p), 0,
	    "FcRdNs.local.\t3600\tIN\tNS\tns1.FcRdNs.local.\n");
	check_rr(ldns_pkt_additional(p), 0,
	    "ns1.FcRdNs.local.\t3600\tIN\tA\t127.0.0.1\n");
	ldns_pkt_free(p);

	mk("fcrdns.local", QTYPE_ANY, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 2, 0, 0);
	check_rr(ldns_pkt_answer(p), 0, "fcrdns.local.\t3600\tIN\tSOA\t"
	    "ns1.fcrdns.local. hostmaster.fcrdns.local. "
	    "1 3600 600 604800 300\n");
	check_rr(ldns_pkt_answer(p), 1,
	    "fcrdns.local.\t3600\tIN\tNS\tns1.fcrdns.local.\n");
	ldns_pkt_free(p);

	/* other types at the apex: NODATA + SOA with the negative TTL */
	mk("fcrdns.local", QTYPE_A, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 1, 0);
	check_rr(ldns_pkt_authority(p), 0, "fcrdns.local.\t300\tIN\tSOA\t"
	    "ns1.fcrdns.local. hostmaster.fcrdns.local. "
	    "1 3600 600 604800 300\n");
	ldns_pkt_free(p);
}

static void
test_zone_file_name(void **st)
{
	struct answer a = { .type = ANSWER_ZONE, .rcode = RCODE_NOERROR };
	ldns_pkt *p;

	mk("NS1.fcrdns.local", QTYPE_A, NULL);
	assert_int_equal(q.kind, QK_ZONE_NAME);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "NS1.fcrdns.local.\t3600\tIN\tA\t127.0.0.1\n");
	ldns_pkt_free(p);
	mk("ns1.fcrdns.local", QTYPE_AAAA, NULL);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 1, 0);
	ldns_pkt_free(p);
}

static void
test_errors(void **st)
{
	struct answer a = { .type = ANSWER_RCODE, .rcode = RCODE_REFUSED };
	struct qopt o = { .flags2 = 0x01, .flags3 = 0x70 /* Z, AD, CD */ };
	ldns_pkt *p;
	size_t n;

	/* REFUSED outside the zone: question echoed, no AA, AD/Z cleared */
	mk("www.example.com", QTYPE_A, &o);
	assert_int_equal(q.kind, QK_OUTSIDE);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_REFUSED, 0, 0, 1, 0, 0, 0);
	assert_int_equal(n, q.qend);
	assert_int_equal(buf[3], 0x10 | RCODE_REFUSED);
	ldns_pkt_free(p);

	/* FORMERR: header only */
	mk("1.2.0.192.fcrdns.local", QTYPE_A, NULL);
	buf[5] = 2;
	memcpy(orig, buf, qlen);
	assert_int_equal(query_parse(&q, buf, qlen), QUERY_FORMERR);
	a.rcode = RCODE_FORMERR;
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_FORMERR, 0, 0, 0, 0, 0, 0);
	assert_int_equal(n, 12);
	ldns_pkt_free(p);

	/* NOTIMP: opcode echoed, question echoed, OPT kept */
	o.flags2 = 5 << 3 | 0x01;
	o.flags3 = 0;
	o.edns = 1;
	o.udp = 1232;
	assert_int_equal(mk("fcrdns.local", QTYPE_SOA, &o), QUERY_NOTIMP);
	a.rcode = RCODE_NOTIMP;
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOTIMPL, 0, 0, 1, 0, 0, 0);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
	assert_int_equal(buf[2], 0x80 | 5 << 3 | 0x01);
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	ldns_pkt_free(p);
}

/* The OPT record at the end of buf[0..n): returns its offset. */
static size_t
opt_at(size_t n, size_t rdlen)
{
	size_t o = n - 11 - rdlen;

	assert_int_equal(buf[o], 0);
	assert_int_equal(buf[o + 1] << 8 | buf[o + 2], QTYPE_OPT);
	assert_int_equal(buf[o + 9] << 8 | buf[o + 10], rdlen);
	return o;
}

static void
test_edns(void **st)
{
	struct answer a = listed(300, "x");
	struct qopt o = { .edns = 1, .udp = 4096, .dobit = 1, .nsid = 1,
	    .flags2 = 0 };
	ldns_pkt *p;
	size_t n, off, idlen = strlen(cfg.identity);

	mk("2.2.0.192.fcrdns.local", QTYPE_A, &o);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 0);
	assert_true(ldns_pkt_edns_do(p));
	/* raw: the OPT with one NSID option carrying our identity */
	off = opt_at(n, 4 + idlen);
	assert_int_equal(buf[3 + off] << 8 | buf[4 + off], 1232);
	assert_memory_equal(buf + off + 5, "\0\0\x80\0", 4);
	assert_memory_equal(buf + off + 11, "\0\3", 2);
	assert_int_equal(buf[off + 13] << 8 | buf[off + 14], idlen);
	assert_memory_equal(buf + off + 15, cfg.identity, idlen);
	assert_int_equal(buf[11], 1);   /* ARCOUNT counts the OPT */
	ldns_pkt_free(p);

	/* NSID switched off: the option is left out; DO clear echoed */
	cfg.no_nsid = 1;
	o.dobit = 0;
	mk("2.2.0.192.fcrdns.local", QTYPE_A, &o);
	p = build(&a, 0, &n);
	assert_false(ldns_pkt_edns_do(p));
	off = opt_at(n, 0);
	assert_memory_equal(buf + off + 5, "\0\0\0\0", 4);
	ldns_pkt_free(p);
	cfg.no_nsid = 0;

	/* not asked for: not sent */
	o.nsid = 0;
	mk("2.2.0.192.fcrdns.local", QTYPE_A, &o);
	p = build(&a, 0, &n);
	opt_at(n, 0);
	ldns_pkt_free(p);

	/* no OPT in the query: none in the answer */
	mk("2.2.0.192.fcrdns.local", QTYPE_A, NULL);
	p = build(&a, 0, &n);
	assert_false(ldns_pkt_edns(p));
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	ldns_pkt_free(p);
}

static void
test_badvers(void **st)
{
	struct answer a = { .type = ANSWER_RCODE, .rcode = RCODE_BADVERS };
	struct qopt o = { .edns = 1, .udp = 1232, .version = 1, .dobit = 1 };
	ldns_pkt *p;
	size_t n, off;

	assert_int_equal(mk("fcrdns.local", QTYPE_SOA, &o), QUERY_BADVERS);
	p = build(&a, 0, &n);
	/* RCODE 16: 0 in the header, 1 in the OPT's upper bits */
	check_header(p, 0, 0, 0, 1, 0, 0, 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	off = opt_at(n, 0);
	assert_memory_equal(buf + off + 5, "\1\0\x80\0", 4);
	ldns_pkt_free(p);
}

/* A name under the zone of 255 octets in all: 3 labels of 63, one of
 * 48, then fcrdns.local (14 octets with the root). */
static const char *
long_name(void)
{
	static char n[300];
	size_t p = 0;
	int i;

	for (i = 0; i < 4; i++) {
		size_t l = i < 3 ? 63 : 48;

		memset(n + p, 'a', l);
		p += l;
		n[p++] = '.';
	}
	snprintf(n + p, sizeof(n) - p, "fcrdns.local");
	return n;
}

static void
test_truncation(void **st)
{
	char txt[255];
	struct answer a;
	struct qopt o = { .edns = 1, .udp = 512, .flags2 = 1 };
	ldns_pkt *p;
	size_t n;

	memset(txt, 't', sizeof(txt));
	a = listed(60, "");
	a.txt = txt;
	a.txt_len = sizeof(txt);
	/* 12 + 259 question + 16 A + 12 + 256 TXT > 512 */
	mk(long_name(), QTYPE_ANY, NULL);
	assert_int_equal(q.qname_len, 255);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 1, 1, 0, 0, 0);
	assert_int_equal(n, q.qend);
	ldns_pkt_free(p);

	/* TCP: the whole answer */
	mk(long_name(), QTYPE_ANY, NULL);
	p = build(&a, 1, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 2, 0, 0);
	assert_int_equal(n, q.qend + 16 + 12 + 256);
	ldns_pkt_free(p);

	/* EDNS 512: truncated, the OPT still there */
	mk(long_name(), QTYPE_ANY, &o);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 1, 1, 0, 0, 0);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(n, q.qend + 11);
	ldns_pkt_free(p);

	/* EDNS 1232: fits */
	o.udp = 1232;
	mk(long_name(), QTYPE_ANY, &o);
	p = build(&a, 0, &n);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 2, 0, 0);
	ldns_pkt_free(p);

	/* a buffer too small for the header: nothing to send */
	mk("fcrdns.local", QTYPE_SOA, NULL);
	assert_int_equal(answer_build(buf, 11, &q, zone, &cfg, &a, 0), 0);
}

static void
test_chaos(void **st)
{
	struct answer a = { .type = ANSWER_CHAOS, .rcode = RCODE_NOERROR,
	    .txt = "fcrdnsd 0.1.0", .txt_len = 13 };
	struct qopt o = { .flags2 = 0, .qclass = QCLASS_CH };
	ldns_pkt *p;

	mk("VERSION.bind", QTYPE_TXT, &o);
	assert_int_equal(q.kind, QK_CHAOS);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 1, 0, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "VERSION.bind.\t0\tCH\tTXT\t\"fcrdnsd 0.1.0\"\n");
	ldns_pkt_free(p);
	/* another type: NOERROR, no records */
	mk("version.bind", QTYPE_A, &o);
	p = build(&a, 0, NULL);
	check_header(p, LDNS_RCODE_NOERROR, 1, 0, 1, 0, 0, 0);
	ldns_pkt_free(p);
}

static int
setup(void **st)
{
	char err[512];

	config_defaults(&cfg);
	snprintf(cfg.identity, sizeof(cfg.identity), "ns-test-1");
	if (zone_load(&zone, "zones/fcrdns.local.zone", cfg.zone, err,
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
		cmocka_unit_test(test_listed_a),
		cmocka_unit_test(test_listed_txt_and_any),
		cmocka_unit_test(test_listed_other_type_is_nodata),
		cmocka_unit_test(test_txt_is_printable_and_capped),
		cmocka_unit_test(test_nxdomain_and_nodata),
		cmocka_unit_test(test_apex),
		cmocka_unit_test(test_zone_file_name),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_badvers),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_chaos),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
