/*
 * addr.h -- IP addresses as 16-byte keys, CIDR lists, reverse names.
 *
 * Every address in fcrdnsd is 16 bytes in network order. IPv4 is held
 * as the IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 section
 * 2.5.5.2), so 192.0.2.1 and ::ffff:192.0.2.1 are one key, one check
 * and one answer, as verdicts.md requires.
 */
#ifndef FCRDNS_ADDR_H
#define FCRDNS_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_LEN 16
/* Longest text form we print: IPv6 with an embedded IPv4, plus NUL. */
#define ADDR_STRLEN 46

/* FNV-1a over the 16 bytes, for the direct-mapped and hashed tables of
 * addresses (wait table, refresh and seen memories): cheap, and good
 * enough for tables an attacker fills only through the access list. */
static inline uint32_t
addr_hash(const uint8_t a[ADDR_LEN])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < ADDR_LEN; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/* 1 if a is ::ffff:a.b.c.d (an IPv4 client). */
int addr_is_v4(const uint8_t a[ADDR_LEN]);

/* Parse dotted IPv4 or IPv6 text into a 16-byte key (IPv4 is mapped).
 * Returns 0, or -1 if s is not an address. */
int addr_parse(const char *s, uint8_t out[ADDR_LEN]);

/* Text form: dotted quad for IPv4 (mapped) addresses, RFC 5952 otherwise.
 * buf must hold ADDR_STRLEN bytes. Returns buf. */
char *addr_format(const uint8_t a[ADDR_LEN], char *buf, size_t len);

/* The PTR query name without trailing dot: "1.2.0.192.in-addr.arpa" or the
 * 32-nibble ip6.arpa name (RFC 3596 section 2.5). buf >= 74 bytes.
 * Returns 0, or -1 if len is too small. */
int addr_reverse_name(const uint8_t a[ADDR_LEN], char *buf, size_t len);

struct cidr {
	uint8_t addr[ADDR_LEN];  /* network, host bits cleared */
	uint8_t plen;            /* prefix length over the 128-bit key */
};

/* Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128).
 * IPv4 prefixes are stored as /96+N over the mapped form.
 * Returns 0, or -1 with nothing written if s is malformed (host bits
 * set are accepted and cleared). */
int cidr_parse(const char *s, struct cidr *out);

/* Clear the bits of a beyond the first plen (0..128). */
void cidr_mask(uint8_t a[ADDR_LEN], unsigned plen);

/* 1 if a is inside c. An IPv4 address (mapped) is inside only the IPv4
 * networks and ::ffff:0:0/96 and longer: ::/0 means every IPv6 address,
 * not every address. */
int cidr_contains(const struct cidr *c, const uint8_t a[ADDR_LEN]);

/* A bounded list of networks (access list, skip ranges). */
#define CIDR_LIST_MAX 64
struct cidr_list {
	int n;
	struct cidr item[CIDR_LIST_MAX];
	/* item[i] as two 64-bit words (network, mask), in host order,
	 * filled by cidr_list_add(): a lookup on every query is then two
	 * ANDs and two compares per network */
	uint64_t net[CIDR_LIST_MAX][2];
	uint64_t mask[CIDR_LIST_MAX][2];
};

/* Append; -1 when the list is full. */
int cidr_list_add(struct cidr_list *l, const struct cidr *c);
/* 1 if a is inside any network of l. */
int cidr_list_contains(const struct cidr_list *l, const uint8_t a[ADDR_LEN]);

/* Fill l with the NOT_APPLICABLE ranges of verdicts.md: private, loopback,
 * link-local, shared, "this network", multicast, reserved, ::, ::1,
 * fc00::/7, fe80::/10, ff00::/8. */
void cidr_list_default_skip(struct cidr_list *l);

/* 1 if a is loopback (127/8 or ::1): always allowed to query. */
int addr_is_loopback(const uint8_t a[ADDR_LEN]);

/* 1 if a is one of the RFC 5782 test entries (127.0.0.1 or 127.0.0.2).
 * Those are answered by the server and never checked. */
int addr_is_rfc5782_test(const uint8_t a[ADDR_LEN]);

#endif
