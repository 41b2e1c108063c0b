/*
 * zone.h -- the apex zone: SOA, NS and whatever else the zone file holds.
 *
 * The zone file (zones/fcrdns.local.zone by default) is read once at
 * start-up with ldns and kept in wire form in one fixed struct, so the
 * query path never parses text and never allocates. Every name below is
 * an uncompressed wire name (length-prefixed labels ending in the root
 * label) in lower case; the rdata of each record is its uncompressed
 * wire rdata. The struct is read-only after zone_load().
 *
 * Records are served as written in the file (dns-server.md): their A and
 * AAAA data are exempt from the 127/8 rule that holds for verdicts.
 * Not supported (refused at load): records outside the zone, classes
 * other than IN, more than one SOA, $INCLUDE, more than ZONE_MAX_RRS
 * records. Wildcards and
 * delegations are not interpreted: a "*" owner is a literal label and an
 * NS below the apex is answered as data, not as a referral.
 */
#ifndef FCRDNS_ZONE_H
#define FCRDNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#define ZONE_MAX_RRS    64
#define ZONE_RDATA_MAX  1024
#define ZONE_NAME_MAX   255
#define ZONE_FILE_MAX   (16 * 1024 * 1024)  /* bytes of a zone file */

#define ZONE_TYPE_A     1
#define ZONE_TYPE_NS    2
#define ZONE_TYPE_SOA   6
#define ZONE_TYPE_TXT   16
#define ZONE_TYPE_AAAA  28
#define ZONE_CLASS_IN   1

struct zone_rr {
	uint8_t owner[ZONE_NAME_MAX];  /* wire, lower case */
	uint16_t owner_len;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[ZONE_RDATA_MAX]; /* uncompressed wire rdata */
};

struct zone {
	uint8_t apex[ZONE_NAME_MAX];   /* wire, lower case */
	uint16_t apex_len;
	uint8_t apex_labels;           /* labels, root not counted */
	uint8_t max_labels;            /* most labels of any owner: a longer
	                                  name cannot be in the file */
	uint32_t soa_ttl;              /* TTL of the SOA record */
	uint32_t soa_minimum;          /* SOA MINIMUM field (RFC 2308 s. 4) */
	int soa;                       /* index of the SOA in rr[] */
	int n_rr;
	struct zone_rr rr[ZONE_MAX_RRS];
};

/* The largest TTL a zone file may give (RFC 2181 section 8: 31 bits). */
#define ZONE_TTL_MAX 2147483647u

/* What zone_name_lookup() found. */
#define ZONE_NAME_NONE  0   /* no such name in the zone file */
#define ZONE_NAME_DATA  1   /* the name owns records */
#define ZONE_NAME_ENT   2   /* an empty non-terminal above a name that does */

/*
 * Load file. zone_name is the zone to serve (text, no trailing dot, e.g.
 * cfg->zone); NULL keeps the file's origin. The file's origin is the owner
 * of its SOA; relative names in a file without $ORIGIN are relative to
 * zone_name. If zone_name differs from the file's origin, every owner and
 * every domain name in rdata at or below that origin is moved to
 * zone_name (dns-server.md: "the file's relative names move to the new
 * origin"); names elsewhere (an NS in another domain) stay as they are.
 * The file needs exactly one SOA, at the origin, and at least one NS there.
 * Returns 0 with *out set (free with zone_free()), or -1 with a one-line
 * message in err naming the file (and the line, for syntax errors).
 */
int zone_load(struct zone **out, const char *file, const char *zone_name,
	char *err, size_t errlen);

/* Free a zone from zone_load(). NULL is allowed. */
void zone_free(struct zone *z);

/* The SOA record (always present after zone_load()). */
const struct zone_rr *zone_soa(const struct zone *z);

/* TTL of negative answers: min(SOA TTL, SOA MINIMUM), RFC 2308 s. 5. */
uint32_t zone_neg_ttl(const struct zone *z);

/*
 * Is name (uncompressed wire, any case, len bytes) in the zone file?
 * Returns ZONE_NAME_DATA, ZONE_NAME_ENT or ZONE_NAME_NONE. The apex itself
 * is ZONE_NAME_DATA.
 */
int zone_name_lookup(const struct zone *z, const uint8_t *name, size_t len);

/*
 * 1 if the two uncompressed wire names are equal ignoring ASCII case
 * (RFC 4343). Both must be well-formed (callers pass parsed names).
 */
int zone_dname_equal(const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen);

/* 1 if rr is owned by name (wire, any case). */
int zone_rr_owned_by(const struct zone_rr *rr, const uint8_t *name,
	size_t len);

#endif
