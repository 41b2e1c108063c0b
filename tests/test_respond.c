/* tests/test_respond.c -- server/respond.c end to end: raw query in,
 * answer out, through a real store on a temporary directory (written
 * with a STORE_WRITER handle, read through a STORE_RDONLY one as the
 * server does), the serving policy and the checker hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include "../common/addr.h"
#include "../common/config.h"
#include "../common/verdict.h"
#include "../server/query.h"
#include "../server/respond.h"
#include "../server/zone.h"
#include "../store/store.h"

#define NOW 1700000000

static char tmpdir[64];
static struct config cfg;
static struct zone *zone;
static struct store *writer, *reader;
static struct responder resp;

static uint8_t buf[66000];
static size_t qlen;
static uint8_t loopback[ADDR_LEN];

/* What the hooks saw. */
static struct {
	int check, refresh, seen;
	uint8_t last[ADDR_LEN];
} hk;

static int
hook_check(void *arg, const uint8_t a[ADDR_LEN])
{
	hk.check++;
	memcpy(hk.last, a, ADDR_LEN);
	return 0;
}

static int
hook_refresh(void *arg, const uint8_t a[ADDR_LEN])
{
	hk.refresh++;
	memcpy(hk.last, a, ADDR_LEN);
	return 0;
}

static int
hook_seen(void *arg, const uint8_t a[ADDR_LEN])
{
	hk.seen++;
	memcpy(hk.last, a, ADDR_LEN);
	return 0;
}

static size_t
put16(uint8_t *b, size_t p, unsigned v)
{
	b[p] = (uint8_t)(v >> 8);
	b[p + 1] = (uint8_t)v;
	return p + 2;
}

/* A query for name/qtype/qclass into buf; RD set. */
static void
mkq(const char *name, unsigned qtype, unsigned qclass)
{
	size_t p = 12;
	const char *s = name;

	memset(buf, 0, 12);
	put16(buf, 0, 0x4242);
	buf[2] = 0x01;
	put16(buf, 4, 1);
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
	qlen = put16(buf, p, qclass);
}

/* Run respond() from client; expect RESPOND_SEND and decode. */
static ldns_pkt *
ask_from(const uint8_t client[ADDR_LEN])
{
	size_t n = 0;
	uint8_t wa[ADDR_LEN];
	ldns_pkt *p = NULL;

	assert_int_equal(respond(&resp, buf, qlen, sizeof(buf), client, 0,
	    &n, wa), RESPOND_SEND);
	assert_int_equal(ldns_wire2pkt(&p, buf, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x4242);
	assert_true(ldns_pkt_qr(p));
	assert_false(ldns_pkt_ra(p));
	assert_false(ldns_pkt_ad(p));
	return p;
}

static ldns_pkt *
ask(const char *name, unsigned qtype)
{
	mkq(name, qtype, QCLASS_IN);
	return ask_from(loopback);
}

static void
check_rr(const ldns_rr_list *l, size_t i, const char *want)
{
	char *s = ldns_rr2str(ldns_rr_list_rr(l, i));

	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("got  %swant %s", s, want);
	free(s);
}

static void
check_counts(const ldns_pkt *p, int rcode, int aa, int an, int ns)
{
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_nscount(p), ns);
}

/* The negative answer's SOA with the given TTL. */
static void
check_neg(const ldns_pkt *p, int rcode, uint32_t ttl)
{
	check_counts(p, rcode, 1, 0, 1);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(
	    ldns_pkt_authority(p), 0)), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(p),
	    0)), ttl);
}

/* Store a record for ip: definitive verdict v checked at NOW+checked,
 * expiring at NOW+expires. */
static void
put(const char *ip, int v, int64_t checked, int64_t expires, int in_backoff,
	const char *name, const char *fwd)
{
	struct store_record r;
	uint8_t key[ADDR_LEN], names[256], addrs[ADDR_LEN];

	memset(&r, 0, sizeof(r));
	assert_int_equal(addr_parse(ip, key), 0);
	r.verdict = (uint8_t)v;
	r.def_verdict = (uint8_t)v;
	r.match = STORE_MATCH_NONE;
	r.checked_at = r.def_checked_at = NOW + checked;
	r.expires_at = NOW + expires;
	if (name) {
		names[0] = (uint8_t)strlen(name);
		memcpy(names + 1, name, names[0]);
		r.names = names;
		r.names_len = (size_t)names[0] + 1;
		r.n_names = 1;
	}
	if (fwd) {
		assert_int_equal(addr_parse(fwd, addrs), 0);
		r.addrs = addrs;
		r.n_addrs = 1;
	}
	if (in_backoff) {
		r.verdict = V_TEMPERROR;
		r.retry_at = NOW + 20;
		r.backoff_s = 30;
		r.fail_count = 1;
	}
	assert_int_equal(store_put(writer, key, &r), STORE_OK);
	store_release(reader);
}

static void
test_listed_from_store(void **st)
{
	ldns_pkt *p;

	put("192.0.2.2", V_NO_PTR, -100, 3500, 0, NULL, NULL);
	p = ask("2.2.0.192.FCRDNS.local", QTYPE_ANY);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 2, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "2.2.0.192.FCRDNS.local.\t300\tIN\tA\t127.0.0.2\n");
	check_rr(ldns_pkt_answer(p), 1, "2.2.0.192.FCRDNS.local.\t300\tIN\t"
	    "TXT\t\"FCrDNS fail: 192.0.2.2 has no PTR record\"\n");
	ldns_pkt_free(p);
	assert_int_equal(hk.check + hk.refresh + hk.seen, 0);
	assert_int_equal(resp.stats.listed[2], 1);
	assert_int_equal(resp.stats.hits, 1);

	/* the same key through the 32-nibble ::ffff: name */
	p = ask("2.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.fcrdns.local", QTYPE_A);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0, "2.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.fcrdns.local.\t300\tIN\tA\t"
	    "127.0.0.2\n");
	ldns_pkt_free(p);

	/* a listed name asked for AAAA: NODATA + SOA */
	p = ask("2.2.0.192.fcrdns.local", QTYPE_AAAA);
	check_neg(p, LDNS_RCODE_NOERROR, 300);
	ldns_pkt_free(p);
}

static void
test_mismatch_txt_and_refresh_once(void **st)
{
	ldns_pkt *p;

	/* lifetime 3600, 100 s left: A/TXT TTL 100, refresh asked once */
	put("192.0.2.6", V_MISMATCH, -3500, 100, 0, "other6.example.com",
	    "198.51.100.6");
	p = ask("6.2.0.192.fcrdns.local", QTYPE_TXT);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0, "6.2.0.192.fcrdns.local.\t100\tIN\t"
	    "TXT\t\"FCrDNS fail: 192.0.2.6 PTR other6.example.com resolves "
	    "to 198.51.100.6\"\n");
	ldns_pkt_free(p);
	assert_int_equal(hk.refresh, 1);
	p = ask("6.2.0.192.fcrdns.local", QTYPE_A);
	check_rr(ldns_pkt_answer(p), 0,
	    "6.2.0.192.fcrdns.local.\t100\tIN\tA\t127.0.0.4\n");
	ldns_pkt_free(p);
	assert_int_equal(hk.refresh, 1);
	assert_int_equal(resp.stats.refreshes, 1);
	/* a new verdict (new expiry) may be refreshed again */
	put("192.0.2.6", V_MISMATCH, -3501, 99, 0, "other6.example.com",
	    "198.51.100.6");
	p = ask("6.2.0.192.fcrdns.local", QTYPE_A);
	ldns_pkt_free(p);
	assert_int_equal(hk.refresh, 2);
	assert_int_equal(hk.check, 0);
}

static void
test_pass_stale_backoff_skip(void **st)
{
	ldns_pkt *p;

	/* PASS with 100 s left: NXDOMAIN, SOA TTL min(300, 100) */
	put("192.0.2.1", V_PASS, -10, 100, 0, "mx1.example.com", NULL);
	p = ask("1.2.0.192.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 100);
	ldns_pkt_free(p);

	/* stale NO_FORWARD: A 127.0.0.3 with TTL 30, refresh */
	put("192.0.2.4", V_NO_FORWARD, -4000, -400, 0, "gone4.example.com",
	    NULL);
	p = ask("4.2.0.192.fcrdns.local", QTYPE_A);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "4.2.0.192.fcrdns.local.\t30\tIN\tA\t127.0.0.3\n");
	ldns_pkt_free(p);
	assert_int_equal(resp.stats.stale, 1);
	assert_int_equal(hk.refresh, 1);

	/* TEMPERROR back-off, no definitive: short TTL, seen, no check */
	put("192.0.2.7", V_NONE, 0, 0, 1, NULL, NULL);
	p = ask("7.2.0.192.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 10);
	ldns_pkt_free(p);
	assert_int_equal(hk.seen, 1);
	assert_int_equal(hk.check, 0);
	/* more queries in back-off: the same answer, but IPC_SEEN at most
	 * every quarter of --interest (3600 s: every 60 s) per address */
	for (int i = 0; i < 50; i++) {
		p = ask("7.2.0.192.fcrdns.local", QTYPE_A);
		check_neg(p, LDNS_RCODE_NXDOMAIN, 10);
		ldns_pkt_free(p);
	}
	assert_int_equal(hk.seen, 1);
	resp.now = NOW + 59;
	ldns_pkt_free(ask("7.2.0.192.fcrdns.local", QTYPE_A));
	assert_int_equal(hk.seen, 1);
	resp.now = NOW + 60;
	ldns_pkt_free(ask("7.2.0.192.fcrdns.local", QTYPE_A));
	assert_int_equal(hk.seen, 2);
	resp.now = NOW;   /* a clock that steps back sends again */
	ldns_pkt_free(ask("7.2.0.192.fcrdns.local", QTYPE_A));
	assert_int_equal(hk.seen, 3);
	hk.seen = 1;

	/* NOT_APPLICABLE: NXDOMAIN, nothing asked */
	p = ask("5.0.0.10.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 300);
	ldns_pkt_free(p);
	assert_int_equal(hk.check + hk.seen, 1);
}

static void
test_miss_waits_then_final(void **st)
{
	uint8_t copy[512], wa[ADDR_LEN], want[ADDR_LEN];
	size_t n = 0, len;
	ldns_pkt *p = NULL;

	mkq("50.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN);
	memcpy(copy, buf, qlen);
	assert_int_equal(respond(&resp, buf, qlen, sizeof(buf), loopback, 0,
	    &n, wa), RESPOND_WAIT);
	assert_int_equal(addr_parse("192.0.2.50", want), 0);
	assert_memory_equal(wa, want, ADDR_LEN);
	/* the caller's wait table asks for the check (server_park()) */
	assert_int_equal(hk.check, 0);
	assert_memory_equal(buf, copy, qlen);   /* left as the query */
	assert_int_equal(resp.stats.misses, 1);

	/* the deadline passes: NXDOMAIN with the short TTL */
	len = qlen;
	assert_int_equal(respond_final(&resp, buf, len, sizeof(buf), 0, 1,
	    &n), RESPOND_SEND);
	assert_int_equal(ldns_wire2pkt(&p, buf, n), LDNS_STATUS_OK);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 10);
	ldns_pkt_free(p);
	assert_int_equal(hk.check, 0);   /* a final answer never asks */

	/* the check is done: the stored verdict is the answer */
	put("192.0.2.50", V_NO_PTR, 0, 3600, 0, NULL, NULL);
	memcpy(buf, copy, len);
	assert_int_equal(respond_final(&resp, buf, len, sizeof(buf), 0, 0,
	    &n), RESPOND_SEND);
	assert_int_equal(ldns_wire2pkt(&p, buf, n), LDNS_STATUS_OK);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "50.2.0.192.fcrdns.local.\t300\tIN\tA\t127.0.0.2\n");
	ldns_pkt_free(p);
	assert_int_equal(hk.check, 0);
}

static void
test_overlap_never_waits(void **st)
{
	ldns_pkt *p;

	/* nothing stored for 2.6.0.7: NODATA, short TTL, checked aside */
	p = ask("7.0.6.2.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NOERROR, 10);
	ldns_pkt_free(p);
	assert_int_equal(hk.check, 1);
	/* stored listing: answered */
	put("2.6.0.7", V_NO_PTR, -10, 3000, 0, NULL, NULL);
	p = ask("7.0.6.2.fcrdns.local", QTYPE_A);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "7.0.6.2.fcrdns.local.\t300\tIN\tA\t127.0.0.2\n");
	ldns_pkt_free(p);
	/* a PASS there: NODATA (never NXDOMAIN), TTL of the PASS */
	put("3.6.0.7", V_PASS, -10, 50, 0, NULL, NULL);
	p = ask("7.0.6.3.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NOERROR, 50);
	ldns_pkt_free(p);
	assert_int_equal(hk.check, 1);
}

static void
test_rfc5782_entries(void **st)
{
	ldns_pkt *p;

	p = ask("2.0.0.127.fcrdns.local", QTYPE_ANY);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 2, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "2.0.0.127.fcrdns.local.\t300\tIN\tA\t127.0.0.2\n");
	check_rr(ldns_pkt_answer(p), 1, "2.0.0.127.fcrdns.local.\t300\tIN\t"
	    "TXT\t\"RFC 5782 test entry: 127.0.0.2 is always listed\"\n");
	ldns_pkt_free(p);
	p = ask("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.fcrdns.local", QTYPE_A);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	ldns_pkt_free(p);
	p = ask("1.0.0.127.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 300);
	ldns_pkt_free(p);
	p = ask("3.0.0.127.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 300);
	ldns_pkt_free(p);
	assert_int_equal(hk.check + hk.refresh + hk.seen, 0);
}

static void
test_names_that_are_not_addresses(void **st)
{
	ldns_pkt *p;

	p = ask("fcrdns.local", QTYPE_SOA);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	ldns_pkt_free(p);
	p = ask("ns1.fcrdns.local", QTYPE_A);
	check_rr(ldns_pkt_answer(p), 0,
	    "ns1.fcrdns.local.\t3600\tIN\tA\t127.0.0.1\n");
	ldns_pkt_free(p);
	p = ask("0.192.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NOERROR, 300);
	ldns_pkt_free(p);
	p = ask("256.2.0.192.fcrdns.local", QTYPE_A);
	check_neg(p, LDNS_RCODE_NXDOMAIN, 300);
	ldns_pkt_free(p);
	p = ask("1.2.0.192.example.com", QTYPE_A);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	p = ask("fcrdns.local", QTYPE_AXFR);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	assert_int_equal(hk.check + hk.refresh + hk.seen, 0);
	assert_int_equal(resp.stats.refused, 2);
}

static void
test_chaos(void **st)
{
	ldns_pkt *p;

	mkq("version.bind", QTYPE_TXT, QCLASS_CH);
	p = ask_from(loopback);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	check_rr(ldns_pkt_answer(p), 0,
	    "version.bind.\t0\tCH\tTXT\t\"fcrdnsd 0.1.0\"\n");
	ldns_pkt_free(p);
	mkq("ID.server", QTYPE_TXT, QCLASS_CH);
	p = ask_from(loopback);
	check_rr(ldns_pkt_answer(p), 0, "ID.server.\t0\tCH\tTXT\t\"ns-t\"\n");
	ldns_pkt_free(p);
	cfg.no_version = 1;
	cfg.no_identity = 1;
	mkq("version.server", QTYPE_TXT, QCLASS_CH);
	p = ask_from(loopback);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	mkq("hostname.bind", QTYPE_TXT, QCLASS_CH);
	p = ask_from(loopback);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	mkq("authors.bind", QTYPE_TXT, QCLASS_CH);
	p = ask_from(loopback);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
}

static void
test_access_list(void **st)
{
	uint8_t outsider[ADDR_LEN], v6lo[ADDR_LEN];
	struct cidr c;
	ldns_pkt *p;

	assert_int_equal(addr_parse("203.0.113.5", outsider), 0);
	/* not allowed: REFUSED before any store access or check */
	mkq("60.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN);
	p = ask_from(outsider);
	check_counts(p, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	assert_int_equal(hk.check, 0);
	assert_int_equal(resp.stats.refused, 1);
	/* a broken query from outside: REFUSED too, header only */
	mkq("60.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN);
	buf[5] = 0;
	{
		size_t n;
		uint8_t wa[ADDR_LEN];

		assert_int_equal(respond(&resp, buf, qlen, sizeof(buf),
		    outsider, 0, &n, wa), RESPOND_SEND);
		assert_int_equal(n, 12);
		assert_int_equal(buf[3] & 0x0f, RCODE_REFUSED);
	}
	/* ::1 is loopback */
	assert_int_equal(addr_parse("::1", v6lo), 0);
	mkq("fcrdns.local", QTYPE_SOA, QCLASS_IN);
	p = ask_from(v6lo);
	check_counts(p, LDNS_RCODE_NOERROR, 1, 1, 0);
	ldns_pkt_free(p);
	/* --allow-query 203.0.113.0/24 lets it in */
	assert_int_equal(cidr_parse("203.0.113.0/24", &c), 0);
	assert_int_equal(cidr_list_add(&cfg.allow, &c), 0);
	mkq("60.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN);
	{
		size_t n;
		uint8_t wa[ADDR_LEN];

		assert_int_equal(respond(&resp, buf, qlen, sizeof(buf),
		    outsider, 0, &n, wa), RESPOND_WAIT);
	}
	assert_int_equal(hk.check, 0);
}

static void
test_header_errors(void **st)
{
	size_t n;
	uint8_t wa[ADDR_LEN];
	ldns_pkt *p;

	/* QR=1: dropped */
	mkq("fcrdns.local", QTYPE_SOA, QCLASS_IN);
	buf[2] |= 0x80;
	assert_int_equal(respond(&resp, buf, qlen, sizeof(buf), loopback, 0,
	    &n, wa), RESPOND_DROP);
	assert_int_equal(respond(&resp, buf, 5, sizeof(buf), loopback, 0,
	    &n, wa), RESPOND_DROP);
	assert_int_equal(resp.stats.dropped, 2);
	/* truncated: FORMERR, header only */
	mkq("1.2.0.192.fcrdns.local", QTYPE_A, QCLASS_IN);
	assert_int_equal(respond(&resp, buf, qlen - 1, sizeof(buf), loopback,
	    0, &n, wa), RESPOND_SEND);
	assert_int_equal(n, 12);
	assert_int_equal(buf[2], 0x81);
	assert_int_equal(buf[3], RCODE_FORMERR);
	assert_int_equal(resp.stats.formerr, 1);
	/* opcode 2 (STATUS): NOTIMP, opcode echoed */
	mkq("fcrdns.local", QTYPE_SOA, QCLASS_IN);
	buf[2] = 2 << 3;
	p = ask_from(loopback);
	check_counts(p, LDNS_RCODE_NOTIMPL, 0, 0, 0);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_STATUS);
	ldns_pkt_free(p);
	assert_int_equal(resp.stats.notimp, 1);
	assert_int_equal(resp.stats.queries, 4);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	return remove(path);
}

/* Each test gets a fresh store, responder and hooks. */
static int
setup(void **st)
{
	char err[512], db[128];

	config_defaults(&cfg);
	snprintf(cfg.identity, sizeof(cfg.identity), "ns-t");
	if (zone_load(&zone, "zones/fcrdns.local.zone", cfg.zone, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_respond.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(db, sizeof(db), "%s/db", tmpdir);
	if (store_open(&writer, db, STORE_WRITER, 0) != STORE_OK ||
	    store_open(&reader, db, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	respond_init(&resp, &cfg, zone, reader);
	resp.now = NOW;
	resp.hooks.check = hook_check;
	resp.hooks.refresh = hook_refresh;
	resp.hooks.seen = hook_seen;
	memset(&hk, 0, sizeof(hk));
	return addr_parse("127.0.0.1", loopback);
}

static int
teardown(void **st)
{
	store_close(reader);
	store_close(writer);
	zone_free(zone);
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listed_from_store,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mismatch_txt_and_refresh_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_stale_backoff_skip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_waits_then_final,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_never_waits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfc5782_entries,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_names_that_are_not_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chaos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_header_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
