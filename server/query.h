/*
 * query.h -- parse one DNS query from the wire and classify its name.
 *
 * query_parse() is the only code in fcrdnsd that reads untrusted packet
 * bytes (see the comment before it in query.c for exactly which ones).
 * It fills a struct query and never writes to the packet, so a query that
 * must wait for its check can be kept and parsed again later.
 */
#ifndef FCRDNS_QUERY_H
#define FCRDNS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"

struct zone;

#define QUERY_HEADER_LEN  12
#define QUERY_MAX_LABELS  128   /* 255 octets hold at most 127 labels */

/* RR types and classes the server cares about. */
#define QTYPE_A      1
#define QTYPE_NS     2
#define QTYPE_SOA    6
#define QTYPE_TXT    16
#define QTYPE_AAAA   28
#define QTYPE_OPT    41
#define QTYPE_IXFR   251
#define QTYPE_AXFR   252
#define QTYPE_ANY    255
#define QCLASS_IN    1
#define QCLASS_CH    3

/* RCODEs (RFC 1035 s. 4.1.1, RFC 6891 s. 9). */
#define RCODE_NOERROR  0
#define RCODE_FORMERR  1
#define RCODE_SERVFAIL 2
#define RCODE_NXDOMAIN 3
#define RCODE_NOTIMP   4
#define RCODE_REFUSED  5
#define RCODE_BADVERS  16

#define EDNS_OPT_NSID  3        /* RFC 5001 */

/* What query_parse() says to do with the packet. */
enum query_status {
	QUERY_OK = 0,       /* a well-formed QUERY: classify and answer */
	QUERY_DROP,         /* not a query we may answer: send nothing */
	QUERY_FORMERR,      /* answer FORMERR, header only */
	QUERY_NOTIMP,       /* opcode != QUERY: NOTIMP, opcode echoed */
	QUERY_BADVERS       /* EDNS version > 0: BADVERS with OPT version 0 */
};

/* What the question name is, relative to our zone (query_classify()). */
enum query_kind {
	QK_NONE = 0,    /* not classified */
	QK_OUTSIDE,     /* not at or below the zone, or not class IN/CH:
	                   REFUSED without AA */
	QK_CHAOS,       /* class CH: version.bind and friends */
	QK_APEX,        /* the zone apex */
	QK_ZONE_NAME,   /* a name owning records in the apex zone file */
	QK_ADDR_V4,     /* exactly 4 decimal octet labels; addr is set */
	QK_ADDR_V6,     /* exactly 32 nibble labels; addr is set (a mapped
	                   ::ffff:a.b.c.d is the IPv4 key) */
	QK_OVERLAP,     /* 4 single-digit labels: an IPv4 address (addr set)
	                   and an IPv6 prefix at once */
	QK_PREFIX,      /* an empty non-terminal: 1-3 octet labels, 1-31
	                   nibble labels, or above a zone-file name */
	QK_NXNAME       /* below the zone, fits no form: NXDOMAIN */
};

struct query {
	/* header (RFC 1035 s. 4.1.1) */
	uint16_t id;
	uint8_t opcode;
	uint8_t rd, cd;             /* copied into the answer */

	/* question: the name is the raw bytes at offset 12, unchanged */
	int has_question;           /* 1 once the question parsed */
	uint16_t qname_len;         /* wire octets, root label included */
	uint8_t n_labels;           /* labels, root not counted */
	uint8_t label_off[QUERY_MAX_LABELS]; /* each label's offset from
	                                        the start of the name */
	uint16_t qtype, qclass;
	size_t qend;                /* offset just past the question (or 12) */

	/* EDNS (RFC 6891) */
	int edns;                   /* 1 if the query had one OPT */
	uint8_t edns_version;
	int edns_do;                /* DO bit (RFC 3225) */
	uint16_t udp_size;          /* client's payload size, >= 512 */
	int nsid;                   /* NSID option present (RFC 5001) */

	/* classification (query_classify()) */
	enum query_kind kind;
	uint8_t addr[ADDR_LEN];     /* key for ADDR_V4, ADDR_V6, OVERLAP */
	uint16_t apex_off;          /* packet offset of the zone apex labels
	                               inside QNAME, for compression pointers
	                               (0 if outside the zone) */
};

/*
 * Parse pkt[0..len). Fills q (always: on error the fields read so far).
 * Returns enum query_status. Never reads outside pkt, never writes it.
 */
int query_parse(struct query *q, const uint8_t *pkt, size_t len);

/*
 * Classify q's question name (pkt is the same packet that query_parse()
 * returned QUERY_OK for) against zone z: sets q->kind, q->addr and
 * q->apex_off. Case-insensitive (RFC 4343). Returns q->kind.
 */
int query_classify(struct query *q, const uint8_t *pkt, const struct zone *z);

/* The CHAOS names of dns-server.md, for q->kind == QK_CHAOS. */
enum query_chaos { QCH_OTHER = 0, QCH_VERSION, QCH_IDENTITY };
int query_chaos_name(const struct query *q, const uint8_t *pkt);

#endif
