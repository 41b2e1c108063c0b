/*
 * verdict.h -- the FCrDNS verdict codes shared by every process.
 *
 * The numeric values are stored in LMDB records and sent over the
 * server/checker socketpair, so they must never be renumbered.
 * See ../shared/spec/verdicts.md for what each one means.
 */
#ifndef FCRDNS_VERDICT_H
#define FCRDNS_VERDICT_H

#include <stdint.h>

enum verdict {
	V_NONE = 0,           /* nothing stored / not checked yet */
	V_PASS = 1,           /* a PTR name resolves back to the address */
	V_NO_PTR = 2,         /* no usable PTR name: 127.0.0.2 */
	V_NO_FORWARD = 3,     /* PTR names have no address of the family: 127.0.0.3 */
	V_MISMATCH = 4,       /* PTR names resolve, never to the address: 127.0.0.4 */
	V_TEMPERROR = 5,      /* DNS trouble; never served as a listing */
	V_NOT_APPLICABLE = 6  /* skipped range; never stored */
};

/* "PASS", "NO_PTR", ... as fcrdnsctl prints them; "?" for unknown values. */
const char *verdict_name(int v);

/* 1 for the three verdicts that are listings (they get an A record). */
static inline int verdict_is_listing(int v)
{
	return v == V_NO_PTR || v == V_NO_FORWARD || v == V_MISMATCH;
}

/* 1 for verdicts that are definitive (can be cached and served). */
static inline int verdict_is_definitive(int v)
{
	return v == V_PASS || verdict_is_listing(v);
}

/* Last octet of the 127.0.0.x answer for a listing (2, 3 or 4). */
static inline uint8_t verdict_code_octet(int v)
{
	return (uint8_t)v; /* the enum values are chosen to equal the code */
}

#endif
