/*
 * reason.h -- human-readable explanations of a stored verdict.
 *
 * reason_txt() builds the TXT string that goes with a listing (verdicts.md
 * "What the zone answers"); reason_detail() builds the details fcrdnsctl
 * prints after the verdict. Both treat the names in a record as hostile:
 * PTR targets come from the internet, so every byte outside printable
 * ASCII (0x20..0x7e) is shown as '?', and nothing is ever written past
 * the caller's buffer.
 */
#ifndef FCRDNS_REASON_H
#define FCRDNS_REASON_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

struct store_record;

/* The TXT RDATA carries one <character-string> (RFC 1035 section 3.3),
 * so a reason is at most 255 bytes. */
#define REASON_TXT_MAX 255

/*
 * Build the TXT explanation of a listing for addr from rec->def_verdict:
 *   NO_PTR      "FCrDNS fail: 192.0.2.2 has no PTR record"
 *   NO_FORWARD  "FCrDNS fail: 192.0.2.4 PTR gone4.example.com has no A record"
 *               (AAAA for an IPv6 addr)
 *   MISMATCH    "FCrDNS fail: 192.0.2.6 PTR other6.example.com resolves to
 *               198.51.100.6"
 * Only one name and the first address are named; " (+N more)" follows
 * each when the record holds more. The name is the first one, except for
 * a MISMATCH whose rec->match names the name the first address came from
 * (store.h), so the TXT never claims that a name without addresses
 * "resolves to" one. A name too long for the room
 * left is cut and ends in "...", so the sentence always keeps its end.
 * The result is printable ASCII, at most REASON_TXT_MAX bytes and at most
 * len - 1, always NUL-terminated (if len > 0).
 * Returns the length written, or 0 (buf set to "") when def_verdict is
 * not a listing (PASS, NONE, ...): those get no TXT.
 */
int reason_txt(const uint8_t addr[ADDR_LEN], const struct store_record *rec,
	char *buf, size_t len);

/*
 * Copy the untrusted name[0..namelen) into dst as printable ASCII ('?'
 * for any other byte), at most dstlen - 1 bytes, NUL-terminated.
 * Returns the bytes written (without the NUL).
 */
size_t reason_printable(char *dst, size_t dstlen, const uint8_t *name,
	size_t namelen);

/* Format t (seconds since the epoch) as ISO 8601 UTC,
 * "2024-05-01T12:00:00Z", or "-" for 0. buf >= 21 bytes. Returns buf. */
char *reason_time(int64_t t, char *buf, size_t len);

/*
 * The details of rec on one line, key=value pairs separated by spaces:
 *   last=VERDICT checked=TIME expires=TIME def=VERDICT def_checked=TIME
 *   names=a,b,.. match=NAME|- addrs=A,B,..|-
 * (resolving=NAME|- instead of match= when the latest verdict is a
 * MISMATCH)
 * and when in TEMPERROR back-off: fails=N backoff=Ns retry=TIME, and
 * last_query=TIME when known. Names are made printable; a line too long
 * for buf is cut and ends in "...". Returns the length written.
 */
int reason_detail(const struct store_record *rec, char *buf, size_t len);

#endif
