/*
 * tests/test_reply.c -- checker/reply.c: decoding what libunbound hands
 * the callback. Packets are built with ldns from zone-file text, so each
 * test reads like the answer it feeds in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include "../common/addr.h"
#include "../checker/reply.h"

static uint8_t *wire;
static size_t wire_len;
static struct reply rep;

/* Build a reply to (qname, qtype) with rcode, answer and authority RRs
 * given as NULL-terminated arrays of RR text. */
static void
build(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode,
	const char *const *ans, const char *const *auth)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	size_t i;

	assert_non_null(p);
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_ra(p, 1);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (i = 0; ans != NULL && ans[i] != NULL; i++) {
		ldns_rr *rr = NULL;

		assert_int_equal(ldns_rr_new_frm_str(&rr, ans[i], 0, NULL,
		    NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	for (i = 0; auth != NULL && auth[i] != NULL; i++) {
		ldns_rr *rr = NULL;

		assert_int_equal(ldns_rr_new_frm_str(&rr, auth[i], 0, NULL,
		    NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	free(wire);
	wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, &wire_len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

static void
decode(const char *qname, uint16_t qtype)
{
	reply_free(&rep);
	assert_int_equal(reply_decode(0, wire, wire_len, qname, qtype, &rep),
	    0);
}

static int
teardown(void **st)
{
	reply_free(&rep);
	free(wire);
	wire = NULL;
	return 0;
}

static const char *const soa[] = {
	"2.0.192.in-addr.arpa. 1800 IN SOA ns.example.com. h.example.com. "
	    "1 3600 900 604800 900", NULL };

static void
test_ptr_answer(void **st)
{
	const char *const ans[] = {
		"1.2.0.192.in-addr.arpa. 3600 IN PTR MX1.Example.COM.",
		"1.2.0.192.in-addr.arpa. 3000 IN PTR mx2.example.com.",
		NULL };

	build("1.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR, LDNS_RCODE_NOERROR,
	    ans, NULL);
	decode("1.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.r.ttl, 3000);
	assert_int_equal(rep.n_names, 2);
	/* raw presentation form: names.c cleans it (the case of the
	 * second may follow the first through name compression) */
	assert_string_equal(rep.names[0], "MX1.Example.COM.");
	assert_int_equal(strcasecmp(rep.names[1], "mx2.example.com."), 0);
	assert_int_equal(rep.n_cname, 0);
}

/* RFC 2317: the reverse name is a CNAME into a classless child zone
 * (owner with '/'); the TTL is the minimum over the chain. */
static void
test_ptr_rfc2317(void **st)
{
	const char *const ans[] = {
		"13.2.0.192.in-addr.arpa. 600 IN CNAME 13.0/26.2.0.192.in-addr.arpa.",
		"13.0/26.2.0.192.in-addr.arpa. 3600 IN PTR mx13.example.com.",
		NULL };

	build("13.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_NOERROR, ans, NULL);
	decode("13.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.r.ttl, 600);
	assert_int_equal(rep.n_names, 1);
	assert_string_equal(rep.names[0], "mx13.example.com.");
	assert_int_equal(rep.n_cname, 1);
}

/* RFC 1034 3.6.2: a CNAME loop, and an over-long chain, are temporary
 * failures, never "no data". */
static void
test_cname_loop_and_length(void **st)
{
	const char *const loop[] = {
		"a.example. 60 IN CNAME b.example.",
		"b.example. 60 IN CNAME A.example.",
		NULL };
	char rr[REPLY_MAX_CNAME + 2][80];
	const char *chain[REPLY_MAX_CNAME + 3];
	int i;

	build("a.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, loop, NULL);
	decode("a.example", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "CNAME loop");

	/* REPLY_MAX_CNAME + 1 CNAMEs then an A: too long */
	for (i = 0; i <= REPLY_MAX_CNAME; i++) {
		snprintf(rr[i], sizeof(rr[i]), "c%d.example. 60 IN CNAME c%d.example.",
		    i, i + 1);
		chain[i] = rr[i];
	}
	snprintf(rr[i], sizeof(rr[i]), "c%d.example. 60 IN A 192.0.2.1", i);
	chain[i] = rr[i];
	chain[i + 1] = NULL;
	build("c0.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, chain, NULL);
	decode("c0.example", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "CNAME chain too long");

	/* exactly REPLY_MAX_CNAME CNAMEs is fine */
	snprintf(rr[REPLY_MAX_CNAME - 1], sizeof(rr[0]),
	    "c%d.example. 60 IN CNAME end.example.", REPLY_MAX_CNAME - 1);
	snprintf(rr[REPLY_MAX_CNAME], sizeof(rr[0]),
	    "end.example. 30 IN A 192.0.2.1");
	chain[REPLY_MAX_CNAME + 1] = NULL;
	build("c0.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, chain, NULL);
	decode("c0.example", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_cname, REPLY_MAX_CNAME);
	assert_int_equal(rep.r.ttl, 30);
}

/* RFC 2308 section 5: negative TTL = min(SOA TTL, SOA MINIMUM). The
 * answer packet's rcode tells NXDOMAIN from NODATA. */
static void
test_negative(void **st)
{
	const char *const soa_low[] = {
		"example.com. 120 IN SOA ns.example.com. h.example.com. "
		    "1 3600 900 604800 600", NULL };

	build("2.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_NXDOMAIN, NULL, soa);
	decode("2.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_NXDOMAIN);
	assert_int_equal(rep.r.ttl, 900);

	build("3.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_NOERROR, NULL, soa);
	decode("3.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_NODATA);
	assert_int_equal(rep.r.ttl, 900);

	build("v6only5.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	    NULL, soa_low);
	decode("v6only5.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_NODATA);
	assert_int_equal(rep.r.ttl, 120);

	/* no SOA: 0, the lifetime floor applies later */
	build("x.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, NULL,
	    NULL);
	decode("x.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_NXDOMAIN);
	assert_int_equal(rep.r.ttl, 0);
}

/* RFC 6604: NXDOMAIN after a CNAME speaks of the chain's end; the CNAME's
 * TTL counts too. A PTR target that is a CNAME to an A works. */
static void
test_cname_then_negative_and_target_cname(void **st)
{
	const char *const ans[] = {
		"alias.example.com. 60 IN CNAME gone.example.com.", NULL };
	const char *const ans2[] = {
		"alias31.example.com. 3600 IN CNAME mx31.example.com.",
		"mx31.example.com. 120 IN A 192.0.2.31", NULL };

	build("alias.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, ans,
	    soa);
	decode("alias.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_NXDOMAIN);
	assert_int_equal(rep.r.ttl, 60);

	build("alias31.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	    ans2, NULL);
	decode("alias31.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.r.ttl, 120);
	assert_int_equal(rep.n_addrs, 1);
}

/* A for IPv4 (as ::ffff: keys), AAAA for IPv6; an AAAA holding
 * ::ffff:192.0.2.1 is never an A record. */
static void
test_families(void **st)
{
	const char *const mixed[] = {
		"h.example.com. 300 IN AAAA ::ffff:192.0.2.1",
		"h.example.com. 300 IN A 192.0.2.9",
		"h.example.com. 300 IN AAAA 2001:db8::9", NULL };
	const char *const mapped_only[] = {
		"m.example.com. 300 IN AAAA ::ffff:192.0.2.30", NULL };
	uint8_t k[ADDR_LEN];

	build("h.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, mixed,
	    NULL);
	decode("h.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_addrs, 1);
	assert_int_equal(addr_parse("192.0.2.9", k), 0);
	assert_memory_equal(rep.addrs[0], k, ADDR_LEN);

	decode("h.example.com", REPLY_T_AAAA);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_addrs, 2);
	assert_int_equal(addr_parse("2001:db8::9", k), 0);
	assert_memory_equal(rep.addrs[1], k, ADDR_LEN);

	build("m.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
	    mapped_only, soa);
	decode("m.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_NODATA);
	assert_int_equal(rep.n_addrs, 0);
}

/* Only records on the chain from the question count; owner names
 * compare case-insensitively. */
static void
test_owner_rules(void **st)
{
	const char *const ans[] = {
		"other.example.com. 300 IN A 192.0.2.1",
		"MX1.EXAMPLE.COM. 200 IN A 192.0.2.2", NULL };
	uint8_t k[ADDR_LEN];

	build("mx1.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, ans,
	    soa);
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_addrs, 1);
	assert_int_equal(rep.r.ttl, 200);
	assert_int_equal(addr_parse("192.0.2.2", k), 0);
	assert_memory_equal(rep.addrs[0], k, ADDR_LEN);

	decode("nothere.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_NODATA);
}

/* SERVFAIL, REFUSED and the rest, in the packet or from the callback;
 * malformed and truncated packets; NXDOMAIN that carries data. */
static void
test_failures(void **st)
{
	const char *const ans[] = {
		"mx1.example.com. 300 IN A 192.0.2.1", NULL };

	build("7.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_SERVFAIL, NULL, NULL);
	decode("7.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "SERVFAIL");

	build("7.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_REFUSED, NULL, NULL);
	decode("7.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "REFUSED");

	/* callback rcode: the packet must not be read */
	reply_free(&rep);
	assert_int_equal(reply_decode(LDNS_RCODE_SERVFAIL, wire, wire_len,
	    "x.example", REPLY_T_A, &rep), 0);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	reply_free(&rep);
	assert_int_equal(reply_decode(LDNS_RCODE_NXDOMAIN, NULL, 0,
	    "x.example", REPLY_T_A, &rep), 0);
	assert_int_equal(rep.r.status, LOOKUP_NXDOMAIN);
	assert_int_equal(rep.r.ttl, 0);
	reply_free(&rep);
	assert_int_equal(reply_decode(0, NULL, 0, "x.example", REPLY_T_A,
	    &rep), 0);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);

	/* malformed: a good packet cut short */
	build("mx1.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, ans,
	    NULL);
	reply_free(&rep);
	assert_int_equal(reply_decode(0, wire, wire_len - 3, "mx1.example.com",
	    REPLY_T_A, &rep), 0);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "malformed reply");
	reply_free(&rep);
	assert_int_equal(reply_decode(0, wire, 5, "mx1.example.com",
	    REPLY_T_A, &rep), 0);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);

	/* TC set: incomplete */
	wire[2] |= 0x02;
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "truncated reply");

	/* NXDOMAIN with the data asked for contradicts itself */
	build("mx1.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, ans,
	    NULL);
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_int_equal(rep.n_addrs, 0);
}

/* Records in another class (a hostile or broken server) prove nothing
 * about the IN data: TEMPERROR, never NO_PTR or NO_FORWARD; a reply
 * whose question is not class IN is not ours. */
static void
test_other_class(void **st)
{
	const char *const ch_ptr[] = {
		"1.2.0.192.in-addr.arpa. 300 CH PTR mx1.example.com.", NULL };
	const char *const ch_a[] = {
		"mx1.example.com. 300 CH A 192.0.2.1", NULL };
	const char *const mixed[] = {
		"mx1.example.com. 300 CH A 192.0.2.9",
		"mx1.example.com. 300 IN A 192.0.2.1", NULL };
	ldns_pkt *p = NULL;

	build("1.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR, LDNS_RCODE_NOERROR,
	    ch_ptr, soa);
	decode("1.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "records of another class");
	assert_int_equal(rep.n_names, 0);

	build("mx1.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, ch_a,
	    soa);
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "records of another class");

	/* the IN record is there: it is the answer */
	build("mx1.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, mixed,
	    soa);
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_addrs, 1);

	/* question class CH */
	p = ldns_pkt_query_new(ldns_dname_new_frm_str("mx1.example.com."),
	    LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH, LDNS_RD);
	ldns_pkt_set_qr(p, 1);
	free(wire);
	wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, &wire_len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	decode("mx1.example.com", REPLY_T_A);
	assert_int_equal(rep.r.status, LOOKUP_TEMPFAIL);
	assert_string_equal(rep.r.why, "reply to another question");
}

/* A 40-name PTR RRset (what only fits over TCP) decodes whole. */
static void
test_many_names(void **st)
{
	char rr[40][200];
	const char *ans[41];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(rr[i], sizeof(rr[i]),
		    "41.2.0.192.in-addr.arpa. 3600 IN PTR "
		    "long-name-number-%02d-padding-padding-padding-padding."
		    "example.com.", i);
		ans[i] = rr[i];
	}
	ans[40] = NULL;
	build("41.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR,
	    LDNS_RCODE_NOERROR, ans, NULL);
	assert_true(wire_len > 512);
	decode("41.2.0.192.in-addr.arpa", REPLY_T_PTR);
	assert_int_equal(rep.r.status, LOOKUP_ANSWER);
	assert_int_equal(rep.n_names, 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ptr_answer, teardown),
		cmocka_unit_test_teardown(test_ptr_rfc2317, teardown),
		cmocka_unit_test_teardown(test_cname_loop_and_length, teardown),
		cmocka_unit_test_teardown(test_negative, teardown),
		cmocka_unit_test_teardown(
		    test_cname_then_negative_and_target_cname, teardown),
		cmocka_unit_test_teardown(test_families, teardown),
		cmocka_unit_test_teardown(test_owner_rules, teardown),
		cmocka_unit_test_teardown(test_failures, teardown),
		cmocka_unit_test_teardown(test_other_class, teardown),
		cmocka_unit_test_teardown(test_many_names, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
