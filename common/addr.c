/*
 * addr.c -- 16-byte address keys, CIDR lists and reverse names.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2 */
static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

int
addr_is_v4(const uint8_t a[ADDR_LEN])
{
	return memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

int
addr_parse(const char *s, uint8_t out[ADDR_LEN])
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memcpy(out, v4mapped_prefix, sizeof(v4mapped_prefix));
		memcpy(out + 12, &v4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &v6) == 1) {
		memcpy(out, &v6, ADDR_LEN);
		return 0;
	}
	return -1;
}

char *
addr_format(const uint8_t a[ADDR_LEN], char *buf, size_t len)
{
	if (addr_is_v4(a)) {
		if (!inet_ntop(AF_INET, a + 12, buf, (socklen_t)len))
			snprintf(buf, len, "?");
	} else if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int
addr_reverse_name(const uint8_t a[ADDR_LEN], char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t p = 0;
	int i, n;

	if (addr_is_v4(a)) {
		n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa",
		    a[15], a[14], a[13], a[12]);
		return (n < 0 || (size_t)n >= len) ? -1 : 0;
	}
	/* RFC 3596 section 2.5: nibbles, least significant first */
	if (len < 64 + sizeof("ip6.arpa"))
		return -1;
	for (i = ADDR_LEN - 1; i >= 0; i--) {
		buf[p++] = hex[a[i] & 0xf];
		buf[p++] = '.';
		buf[p++] = hex[a[i] >> 4];
		buf[p++] = '.';
	}
	memcpy(buf + p, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

void
cidr_mask(uint8_t a[ADDR_LEN], unsigned plen)
{
	unsigned i;

	for (i = 0; i < ADDR_LEN; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen <= 8 * i)
			a[i] = 0;
		else
			a[i] &= (uint8_t)(0xff << (8 - (plen - 8 * i)));
	}
}

int
cidr_parse(const char *s, struct cidr *out)
{
	char buf[64], *slash, *end;
	uint8_t a[ADDR_LEN];
	unsigned long plen;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (addr_parse(buf, a) != 0)
		return -1;
	/* "::ffff:1.2.3.4" and "1.2.3.4" are one address; a prefix on an
	 * IPv4 text counts in IPv4 bits. */
	max = strchr(buf, ':') ? 128 : 32;
	plen = max;
	if (slash) {
		if (*slash < '0' || *slash > '9')
			return -1;
		plen = strtoul(slash, &end, 10);
		if (*end != '\0' || plen > max)
			return -1;
	}
	if (max == 32)
		plen += 96;
	cidr_mask(a, (unsigned)plen);
	memcpy(out->addr, a, ADDR_LEN);
	out->plen = (uint8_t)plen;
	return 0;
}

int
cidr_contains(const struct cidr *c, const uint8_t a[ADDR_LEN])
{
	unsigned full = c->plen / 8, rest = c->plen % 8;

	/* an IPv6 prefix shorter than the mapped range (::/0, ::/64) names
	 * IPv6 addresses; it must not take in every IPv4 address with it */
	if (c->plen < 96 && addr_is_v4(a))
		return 0;
	if (memcmp(c->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ c->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* a[off..off+8) as a big-endian number */
static uint64_t
addr_word(const uint8_t *a)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | a[i];
	return v;
}

/* The mask of the first plen bits (0..64) of a 64-bit word. */
static uint64_t
word_mask(unsigned plen)
{
	return plen == 0 ? 0 : plen >= 64 ? UINT64_MAX : UINT64_MAX << (64 - plen);
}

int
cidr_list_add(struct cidr_list *l, const struct cidr *c)
{
	unsigned plen = c->plen > 128 ? 128 : c->plen;

	if (l->n >= CIDR_LIST_MAX)
		return -1;
	l->mask[l->n][0] = word_mask(plen > 64 ? 64 : plen);
	l->mask[l->n][1] = word_mask(plen > 64 ? plen - 64 : 0);
	l->net[l->n][0] = addr_word(c->addr) & l->mask[l->n][0];
	l->net[l->n][1] = addr_word(c->addr + 8) & l->mask[l->n][1];
	l->item[l->n++] = *c;
	return 0;
}

int
cidr_list_contains(const struct cidr_list *l, const uint8_t a[ADDR_LEN])
{
	uint64_t hi, lo;
	int i, v4;

	if (l->n == 0)
		return 0;
	hi = addr_word(a);
	lo = addr_word(a + 8);
	v4 = hi == 0 && lo >> 32 == 0xffff;
	for (i = 0; i < l->n; i++)
		if (((hi & l->mask[i][0]) ^ l->net[i][0]) == 0 &&
		    ((lo & l->mask[i][1]) ^ l->net[i][1]) == 0 &&
		    (!v4 || l->item[i].plen >= 96)) /* as cidr_contains() */
			return 1;
	return 0;
}

/* verdicts.md: addresses that are never checked. The documentation
 * ranges (RFC 5737, RFC 3849) are deliberately NOT here. */
static const char *const default_skip[] = {
	"0.0.0.0/8",       /* "this network", RFC 791 / RFC 6890 */
	"10.0.0.0/8",      /* private, RFC 1918 */
	"100.64.0.0/10",   /* shared address space, RFC 6598 */
	"127.0.0.0/8",     /* loopback (RFC 5782 entries are served apart) */
	"169.254.0.0/16",  /* link-local, RFC 3927 */
	"172.16.0.0/12",   /* private */
	"192.168.0.0/16",  /* private */
	"224.0.0.0/4",     /* multicast */
	"240.0.0.0/4",     /* reserved, with the limited broadcast */
	"::/128",          /* unspecified */
	"::1/128",         /* loopback */
	"fc00::/7",        /* unique local, RFC 4193 */
	"fe80::/10",       /* link-local */
	"ff00::/8",        /* multicast */
};

void
cidr_list_default_skip(struct cidr_list *l)
{
	struct cidr c;
	size_t i;

	l->n = 0;
	for (i = 0; i < sizeof(default_skip) / sizeof(default_skip[0]); i++)
		if (cidr_parse(default_skip[i], &c) == 0)
			(void)cidr_list_add(l, &c);
}

int
addr_is_loopback(const uint8_t a[ADDR_LEN])
{
	static const uint8_t v6lo[ADDR_LEN] = { [15] = 1 };

	if (addr_is_v4(a))
		return a[12] == 127;
	return memcmp(a, v6lo, ADDR_LEN) == 0;
}

int
addr_is_rfc5782_test(const uint8_t a[ADDR_LEN])
{
	return addr_is_v4(a) && a[12] == 127 && a[13] == 0 && a[14] == 0 &&
	    (a[15] == 1 || a[15] == 2);
}
