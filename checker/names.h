/*
 * checker/names.h -- clean the PTR targets of one reverse name.
 *
 * verdicts.md steps 2 and 3 as a pure function: lower-case, drop one
 * trailing dot, de-duplicate, drop the unusable targets (the root name,
 * IP literals, names over 255 octets), sort, keep the first max_names.
 *
 * Names are in presentation format as ldns prints them (RFC 1035 section
 * 5.1: "\." for a dot inside a label, "\DDD" for other bytes), so the text
 * we keep is exactly what we hand back to libunbound for the forward
 * lookup and what the store records.
 */
#ifndef FCRDNS_CHECKER_NAMES_H
#define FCRDNS_CHECKER_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define NAMES_KEEP_MAX 64    /* hard cap on --max-names (= STORE_MAX_NAMES) */
/* Octets of one kept name in text form, no trailing dot. A wire name is
 * at most 255 octets (RFC 1035 section 3.1), but its text form escapes
 * odd octets as \DDD: a 255-octet name full of them does not fit, and is
 * dropped as too long (the store keeps text names of at most 255). Real
 * host names have no such octets. */
#define NAMES_TEXT_MAX 255

/* Why a target is not usable (NAMES_USABLE if it is). */
enum names_drop {
	NAMES_USABLE = 0,
	NAMES_DROP_ROOT,     /* "." : names no host */
	NAMES_DROP_LITERAL,  /* "192.0.2.18." or "2001:db8::1": an IP literal
	                        must never "resolve to itself" */
	NAMES_DROP_LONG      /* over NAMES_TEXT_MAX octets in text form */
};

struct names {
	size_t n;            /* names kept, <= max_names */
	char name[NAMES_KEEP_MAX][NAMES_TEXT_MAX + 1]; /* sorted, NUL-ended */
	/* What happened to the input, for the trace and the log. */
	size_t n_in;         /* targets given */
	size_t n_usable;     /* distinct usable names before the cap */
	size_t n_dup;        /* duplicates removed (after lower-casing) */
	size_t n_root, n_literal, n_long; /* dropped, by reason */
};

/*
 * Clean one target: lower-case (ASCII only, DNS names compare case-
 * insensitively, RFC 4343), drop one unescaped trailing dot, and say
 * whether the result is usable. buf (NAMES_TEXT_MAX + 1 bytes) receives
 * the cleaned name when it fits, else "".
 */
enum names_drop names_clean_one(const char *in, char buf[NAMES_TEXT_MAX + 1]);

/* 1 if s (cleaned, no trailing dot) is an IP literal: dotted IPv4 in any
 * form the C library would take as a numeric host (inet_aton: "1.2.3.4",
 * "01.2.3.4", "0x7f.1"), or IPv6 text (with optional [brackets] or a
 * %zone), which getaddrinfo() in an MTA would turn into that address
 * without asking DNS. */
int names_is_ip_literal(const char *s);

/*
 * Clean in[0..n_in) into out: steps 2 and 3 of verdicts.md. max_names is
 * taken as at least 1 and at most NAMES_KEEP_MAX. Sorting is by octets of
 * the cleaned text, so the kept set depends only on the RRset's content,
 * never on the order a server returned it in.
 * Returns 0, or -1 if memory ran out (out->n is then 0).
 */
int names_clean(const char *const *in, size_t n_in, uint32_t max_names,
	struct names *out);

/* "usable", "root name", "IP literal", "longer than 255 characters as text". */
const char *names_drop_name(enum names_drop d);

#endif
