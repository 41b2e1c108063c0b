/*
 * answer.h -- write a DNS answer in place over the query.
 *
 * The caller has parsed the query (server/query.c) and decided what to
 * say (server/respond.c, with server/policy.c); answer_build() turns that
 * into wire bytes in the same buffer: header, the question exactly as the
 * client sent it, the records, and the OPT record. It does no I/O and
 * no allocation.
 */
#ifndef FCRDNS_ANSWER_H
#define FCRDNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

struct query;
struct zone;
struct config;

enum answer_type {
	ANSWER_RCODE = 1, /* rcode only, no records, no AA (FORMERR, NOTIMP,
	                     REFUSED, SERVFAIL, BADVERS) */
	ANSWER_NEGATIVE,  /* NXDOMAIN (rcode RCODE_NXDOMAIN) or NODATA
	                     (RCODE_NOERROR): the zone SOA in AUTHORITY with
	                     TTL ttl (RFC 2308 s. 3, 5) */
	ANSWER_LISTED,    /* a listing: A 127.0.0.<code> for A, TXT txt for
	                     TXT, both for ANY, all with TTL ttl; for any
	                     other qtype NODATA + SOA with TTL
	                     min(ttl, zone_neg_ttl()) */
	ANSWER_ZONE,      /* the apex or a name of the zone file: its records
	                     of qtype (every record for ANY), NS targets' A/AAAA
	                     in ADDITIONAL when they fit; NODATA + SOA if none */
	ANSWER_CHAOS      /* CHAOS TXT txt, TTL 0, for qtype TXT or ANY;
	                     NOERROR without records for other types */
};

struct answer {
	enum answer_type type;
	int rcode;            /* RCODE_* of query.h (RCODE_BADVERS included) */
	uint32_t ttl;
	uint8_t code;         /* ANSWER_LISTED: last octet of 127.0.0.x */
	const char *txt;      /* ANSWER_LISTED / ANSWER_CHAOS: TXT text;
	                         non-printable octets are sent as '?', and
	                         only the first 255 are sent */
	size_t txt_len;
};

/*
 * Write answer a to query q into buf, whose first q->qend bytes are the
 * query's header and question (pkt given to query_parse()). cap is the
 * size of buf. The size limit is 65535 for tcp, else the client's EDNS
 * payload size (RFC 6891 s. 6.2.5), or 512 without EDNS (RFC 1035
 * s. 4.2.1), and never more than cap. An answer over the limit is sent
 * as header + question (+ OPT) with TC=1 and no partial RRsets (RFC 2181
 * s. 9); ADDITIONAL glue that does not fit is left out without TC.
 *
 * Header (RFC 1035 s. 4.1.1): ID and OPCODE echoed, QR=1, AA for every
 * type but ANSWER_RCODE, RD and CD copied (RFC 4035 s. 3.1.6), RA, AD and
 * Z clear. If the query had OPT, the answer has one: version 0, payload
 * cfg->edns_size, DO echoed (RFC 3225), the upper RCODE bits for BADVERS,
 * and NSID = cfg->identity if asked and !cfg->no_nsid (RFC 5001).
 * Records point at the question name (0xC00C) or at the apex labels
 * inside it (q->apex_off) instead of repeating names (RFC 1035 s. 4.1.4).
 *
 * Returns the answer's length, or 0 if cap cannot even hold the header
 * (the caller drops the query).
 */
size_t answer_build(uint8_t *buf, size_t cap, const struct query *q,
	const struct zone *z, const struct config *cfg,
	const struct answer *a, int tcp);

#endif
