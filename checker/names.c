/*
 * checker/names.c -- clean, sort and cap the PTR targets (verdicts.md
 * steps 2 and 3). Pure: no I/O.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* 1 if the character at s[i] is escaped: preceded by an odd number of
 * backslashes (RFC 1035 section 5.1 presentation format). */
static int
names_escaped(const char *s, size_t i)
{
	size_t n = 0;

	while (i > 0 && s[i - 1] == '\\') {
		n++;
		i--;
	}
	return (int)(n & 1);
}

int
names_is_ip_literal(const char *s)
{
	char buf[NAMES_TEXT_MAX + 1];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len = strlen(s);
	char *pct;

	if (len == 0 || len > NAMES_TEXT_MAX)
		return 0;
	/* inet_aton takes every numeric IPv4 form a resolver library does
	 * ("127.1", "0x7f.0.0.1", "0177.0.0.1"); inet_pton is stricter and
	 * would let some of those through as names. */
	if (inet_aton(s, &a4))
		return 1;
	/* A dotted quad with leading zeros, "192.000.002.018", is rejected
	 * by some inet_aton builds as octal garbage; still a literal. */
	{
		const char *p = s;
		int labels = 0, digits = 0, ok = 1;

		for (; *p; p++) {
			if (*p >= '0' && *p <= '9') {
				if (++digits > 3)
					ok = 0;
			} else if (*p == '.' && digits > 0) {
				labels++;
				digits = 0;
			} else {
				ok = 0;
				break;
			}
		}
		if (ok && digits > 0 && labels == 3)
			return 1;
	}
	/* IPv6 text, optionally "[...]" and "%zone" as URLs and
	 * getaddrinfo() accept them. */
	if (s[0] == '[' && s[len - 1] == ']') {
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		memcpy(buf, s, len + 1);
	}
	if ((pct = strchr(buf, '%')) != NULL)
		*pct = '\0';
	if (inet_pton(AF_INET6, buf, &a6) == 1)
		return 1;
	return 0;
}

enum names_drop
names_clean_one(const char *in, char buf[NAMES_TEXT_MAX + 1])
{
	size_t len = strlen(in), i;

	buf[0] = '\0';
	/* Drop one trailing dot, unless it is an escaped dot ("\.") that
	 * belongs to the last label. */
	if (len > 0 && in[len - 1] == '.' && !names_escaped(in, len - 1))
		len--;
	if (len == 0)
		return NAMES_DROP_ROOT;
	if (len > NAMES_TEXT_MAX)
		return NAMES_DROP_LONG;
	for (i = 0; i < len; i++) {
		char ch = in[i];

		/* RFC 4343: only ASCII letters fold. */
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		buf[i] = ch;
	}
	buf[len] = '\0';
	if (names_is_ip_literal(buf))
		return NAMES_DROP_LITERAL;
	return NAMES_USABLE;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
names_clean(const char *const *in, size_t n_in, uint32_t max_names,
	struct names *out)
{
	char (*tmp)[NAMES_TEXT_MAX + 1] = NULL;
	char **ptr = NULL;
	size_t i, n = 0, keep;

	memset(out, 0, sizeof(*out));
	out->n_in = n_in;
	if (max_names < 1)
		max_names = 1;
	if (max_names > NAMES_KEEP_MAX)
		max_names = NAMES_KEEP_MAX;
	if (n_in == 0)
		return 0;

	tmp = calloc(n_in, sizeof(*tmp));
	ptr = calloc(n_in, sizeof(*ptr));
	if (tmp == NULL || ptr == NULL) {
		free(tmp);
		free(ptr);
		return -1;
	}
	for (i = 0; i < n_in; i++) {
		switch (names_clean_one(in[i], tmp[n])) {
		case NAMES_USABLE:
			ptr[n] = tmp[n];
			n++;
			break;
		case NAMES_DROP_ROOT:
			out->n_root++;
			break;
		case NAMES_DROP_LITERAL:
			out->n_literal++;
			break;
		case NAMES_DROP_LONG:
			out->n_long++;
			break;
		}
	}
	qsort(ptr, n, sizeof(*ptr), names_cmp);

	/* De-duplicate the sorted list, then keep the first max_names. */
	keep = 0;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(ptr[i], ptr[i - 1]) == 0) {
			out->n_dup++;
			continue;
		}
		out->n_usable++;
		if (keep < max_names) {
			memcpy(out->name[keep], ptr[i], strlen(ptr[i]) + 1);
			keep++;
		}
	}
	out->n = keep;
	free(tmp);
	free(ptr);
	return 0;
}

const char *
names_drop_name(enum names_drop d)
{
	switch (d) {
	case NAMES_USABLE:
		return "usable";
	case NAMES_DROP_ROOT:
		return "root name";
	case NAMES_DROP_LITERAL:
		return "IP literal";
	case NAMES_DROP_LONG:
		return "longer than 255 characters as text";
	}
	return "?";
}
