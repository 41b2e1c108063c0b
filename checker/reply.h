/*
 * checker/reply.h -- decode one libunbound answer into a lookup outcome.
 *
 * libunbound hands the callback an rcode and a wire-format packet. This
 * module turns them into a struct lookup_result (checker/verdict.h) plus
 * the PTR targets or the addresses found. It is the one place where the
 * checker reads DNS data from the internet, and it does no I/O, so
 * tests/test_reply.c feeds it packets built with ldns.
 *
 * Invariants (all answer data is untrusted, even though libunbound
 * assembled the packet from what upstream servers sent):
 *  - the packet is parsed by ldns_wire2pkt, which bounds-checks it; a
 *    packet it rejects is a temporary failure, never "no data";
 *  - only records on the CNAME chain from the question name count
 *    (RFC 1034 section 3.6.2, RFC 2181 section 10.1); other answer records
 *    are ignored, whatever their type;
 *  - the chain is at most REPLY_MAX_CNAME long and may not revisit a
 *    name: a loop or an over-long chain is a temporary failure;
 *  - for an A lookup only A records count, for AAAA only AAAA, each with
 *    exactly 4 / 16 bytes of rdata;
 *  - at most REPLY_MAX_ITEMS targets or addresses are kept.
 */
#ifndef FCRDNS_CHECKER_REPLY_H
#define FCRDNS_CHECKER_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"
#include "verdict.h"

#define REPLY_MAX_CNAME 12    /* CNAMEs followed inside one answer */
#define REPLY_MAX_ITEMS 4096  /* PTR targets / addresses kept */

/* RR types we ask for (RFC 1035, RFC 3596). */
#define REPLY_T_A     1
#define REPLY_T_PTR   12
#define REPLY_T_AAAA  28

struct reply {
	struct lookup_result r;
	/* LOOKUP_ANSWER of a PTR lookup: the targets in presentation
	 * format, as received (checker/names.h cleans them). */
	char **names;
	size_t n_names;
	/* LOOKUP_ANSWER of an A / AAAA lookup: 16-byte keys. */
	uint8_t (*addrs)[ADDR_LEN];
	size_t n_addrs;
	size_t n_cname;       /* CNAMEs followed, for the trace */
};

/*
 * Decode the callback's arguments for the question (qname, qtype).
 * cb_rcode is the rcode libunbound passed (nonzero: it did not get an
 * answer; the packet must not be read then). pkt/len may be NULL/0.
 * Always fills out (free it with reply_free()); returns 0, or -1 if
 * memory ran out (out->r is then a TEMPFAIL).
 */
int reply_decode(int cb_rcode, const uint8_t *pkt, size_t len,
	const char *qname, uint16_t qtype, struct reply *out);

/* Release what reply_decode() allocated; out may be reused after. */
void reply_free(struct reply *out);

#endif
