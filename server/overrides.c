/*
 * overrides.c -- the exempt and block lists: parse, index, match, and
 * publish to the worker threads (see overrides.h for the file format and
 * the matching rule).
 *
 * Index: the entries are sorted by prefix length (longest first), then by
 * network. A lookup walks the distinct prefix lengths present (a handful
 * in practice), masks the address to each and binary-searches that
 * group, so the first hit is the longest prefix: O(lengths * log n), no
 * allocation, no lock.
 */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../common/reason.h"
#include "overrides.h"

struct ovr_entry {
	uint8_t net[ADDR_LEN];  /* host bits cleared */
	uint8_t plen;
	uint8_t kind;           /* enum ovr_kind */
	uint8_t code;           /* OVR_BLOCK: 2..4 */
	uint8_t txt_len;        /* 0: none */
	uint32_t txt_off;       /* into pool */
	uint32_t line;
	uint32_t seq;           /* read order, for "the later line wins" */
};

struct ovr_group {
	uint8_t plen;
	size_t start, count;
};

struct overrides {
	struct ovr_entry *e;
	size_t n, cap;
	char *pool;             /* TXT strings, not NUL-terminated */
	size_t pool_len, pool_cap;
	struct ovr_group grp[ADDR_LEN * 8 + 1];
	int n_grp;
	size_t n_kind[3];
	/* retired sets (main thread only) */
	struct overrides *retired_next;
	time_t retired_at;
};

struct overrides *
overrides_new(void)
{
	return calloc(1, sizeof(struct overrides));
}

void
overrides_free(struct overrides *o)
{
	if (o == NULL)
		return;
	free(o->e);
	free(o->pool);
	free(o);
}

/* ---- parsing ---------------------------------------------------------- */

/* "2".."4" or "127.0.0.2".."127.0.0.4" into *code; -1 if neither. */
static int
ovr_code(const char *w, uint8_t *code)
{
	if (w[0] >= '2' && w[0] <= '4' && w[1] == '\0') {
		*code = (uint8_t)(w[0] - '0');
		return 0;
	}
	if (strncmp(w, "127.0.0.", 8) == 0 && w[8] >= '2' && w[8] <= '4' &&
	    w[9] == '\0') {
		*code = (uint8_t)(w[8] - '0');
		return 0;
	}
	return -1;
}

/* Does w look like a code the author got wrong ("5", "127.0.0.9")? */
static int
ovr_code_like(const char *w)
{
	size_t i;

	if (strncmp(w, "127.", 4) == 0)
		return 1;
	for (i = 0; w[i]; i++)
		if (!isdigit((unsigned char)w[i]))
			return 0;
	return i > 0;
}

static int
ovr_push(struct overrides *o, const struct ovr_entry *en, const char *txt,
	size_t txt_len)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 64;
		struct ovr_entry *ne = realloc(o->e, nc * sizeof(*ne));

		if (ne == NULL)
			return -1;
		o->e = ne;
		o->cap = nc;
	}
	o->e[o->n] = *en;
	if (txt_len > 0) {
		if (o->pool_len + txt_len > o->pool_cap) {
			size_t nc = o->pool_cap ? o->pool_cap * 2 : 4096;
			char *np;

			while (nc < o->pool_len + txt_len)
				nc *= 2;
			if (nc > UINT32_MAX || (np = realloc(o->pool, nc)) == NULL)
				return -1;
			o->pool = np;
			o->pool_cap = nc;
		}
		memcpy(o->pool + o->pool_len, txt, txt_len);
		o->e[o->n].txt_off = (uint32_t)o->pool_len;
		o->e[o->n].txt_len = (uint8_t)txt_len;
		o->pool_len += txt_len;
	}
	o->e[o->n].seq = (uint32_t)o->n;
	o->n++;
	return 0;
}

/* Cut the comment off line: a '#' at the start or after a blank. */
static void
ovr_strip_comment(char *line)
{
	char *p;

	for (p = line; *p; p++)
		if (*p == '#' && (p == line || *(p - 1) == ' ' ||
		    *(p - 1) == '\t')) {
			*p = '\0';
			return;
		}
}

/* The next blank-separated word of *s (NUL-terminated in place), or
 * NULL at the end. */
static char *
ovr_word(char **s)
{
	char *p = *s, *w;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*s = p;
		return NULL;
	}
	w = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return w;
}

/*
 * One line (comment already cut, no newline). Returns 0 (entry added or
 * blank line), or -1 with err's message part set (the caller prefixes
 * NAME:LINE).
 */
static int
ovr_line(struct overrides *o, int kind, char *line, uint32_t lineno,
	char *err, size_t errlen)
{
	struct ovr_entry en;
	struct cidr cd;
	char *p = line, *w, *txt, word[32];
	size_t txt_len, wlen, i;

	if ((w = ovr_word(&p)) == NULL)
		return 0;
	if (cidr_parse(w, &cd) != 0) {
		reason_printable(word, sizeof(word), (const uint8_t *)w,
		    strlen(w));
		snprintf(err, errlen, "'%s' is not an address or CIDR network",
		    word);
		return -1;
	}
	memset(&en, 0, sizeof(en));
	memcpy(en.net, cd.addr, ADDR_LEN);
	en.plen = cd.plen;   /* cidr_parse() cleared the host bits */
	en.kind = (uint8_t)kind;
	en.line = lineno;
	en.code = 2;
	if (kind == OVR_EXEMPT) {
		if ((w = ovr_word(&p)) != NULL) {
			reason_printable(word, sizeof(word),
			    (const uint8_t *)w, strlen(w));
			snprintf(err, errlen, "'%s' after the network: an "
			    "exempt line holds one address or network", word);
			return -1;
		}
		return ovr_push(o, &en, NULL, 0) == 0 ? 0 :
		    (snprintf(err, errlen, "out of memory"), -1);
	}
	/* block: [CODE] [TXT...]; look at the first word without cutting
	 * it out, since it may be the start of the TXT */
	while (*p == ' ' || *p == '\t')
		p++;
	txt = p;
	wlen = strcspn(p, " \t");
	if (wlen > 0 && wlen < sizeof(word)) {
		memcpy(word, p, wlen);
		word[wlen] = '\0';
		if (ovr_code(word, &en.code) == 0) {
			txt = p + wlen;
			while (*txt == ' ' || *txt == '\t')
				txt++;
		} else if (ovr_code_like(word)) {
			snprintf(err, errlen, "code '%s' is not 2, 3, 4 or "
			    "127.0.0.2..127.0.0.4", word);
			return -1;
		}
	}
	/* the TXT is the rest, trailing blanks trimmed */
	txt_len = strlen(txt);
	while (txt_len > 0 && (txt[txt_len - 1] == ' ' ||
	    txt[txt_len - 1] == '\t'))
		txt_len--;
	if (txt_len > 255) {
		snprintf(err, errlen, "TXT is %zu octets, more than 255",
		    txt_len);
		return -1;
	}
	for (i = 0; i < txt_len; i++)
		if ((unsigned char)txt[i] < 0x20 ||
		    (unsigned char)txt[i] > 0x7e) {
			snprintf(err, errlen, "TXT has a character that is not "
			    "printable ASCII (0x%02x at column %zu)",
			    (unsigned char)txt[i], (size_t)(txt - line) + i + 1);
			return -1;
		}
	if (ovr_push(o, &en, txt, txt_len) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
overrides_read(struct overrides *o, int kind, FILE *f, const char *name,
	char *err, size_t errlen)
{
	char line[OVERRIDES_LINE_MAX + 2], msg[512];
	uint32_t lineno = 0;
	size_t len;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %d "
			    "octets", name, lineno, OVERRIDES_LINE_MAX);
			return -1;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (memchr(line, '\0', len) != NULL) {
			snprintf(err, errlen, "%s:%u: NUL octet in the line",
			    name, lineno);
			return -1;
		}
		ovr_strip_comment(line);
		if (ovr_line(o, kind, line, lineno, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- index ------------------------------------------------------------ */

/* Longest prefix first, then network, then exempt before block, then the
 * later line first: the first of equal networks is the one that wins. */
static int
ovr_cmp(const void *pa, const void *pb)
{
	const struct ovr_entry *a = pa, *b = pb;
	int c;

	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if ((c = memcmp(a->net, b->net, ADDR_LEN)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	return 0;
}

int
overrides_finish(struct overrides *o)
{
	size_t i, n = 0;

	if (o->n > 0)
		qsort(o->e, o->n, sizeof(o->e[0]), ovr_cmp);
	/* drop the losers of equal networks (the first one wins) */
	for (i = 0; i < o->n; i++) {
		if (n > 0 && o->e[n - 1].plen == o->e[i].plen &&
		    memcmp(o->e[n - 1].net, o->e[i].net, ADDR_LEN) == 0)
			continue;
		o->e[n++] = o->e[i];
	}
	o->n = n;
	o->n_grp = 0;
	memset(o->n_kind, 0, sizeof(o->n_kind));
	for (i = 0; i < o->n; i++) {
		if (o->n_grp == 0 || o->grp[o->n_grp - 1].plen != o->e[i].plen) {
			o->grp[o->n_grp].plen = o->e[i].plen;
			o->grp[o->n_grp].start = i;
			o->grp[o->n_grp].count = 0;
			o->n_grp++;
		}
		o->grp[o->n_grp - 1].count++;
		o->n_kind[o->e[i].kind]++;
	}
	return 0;
}

static int
ovr_load_one(struct overrides *o, int kind, const char *path, char *err,
	size_t errlen)
{
	FILE *f;
	int r;

	if (path == NULL || *path == '\0')
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = overrides_read(o, kind, f, path, err, errlen);
	fclose(f);
	return r;
}

int
overrides_load(struct overrides **out, const char *exempt_file,
	const char *block_file, char *err, size_t errlen)
{
	struct overrides *o;

	*out = NULL;
	if ((exempt_file == NULL || *exempt_file == '\0') &&
	    (block_file == NULL || *block_file == '\0'))
		return 0;
	if ((o = overrides_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ovr_load_one(o, OVR_EXEMPT, exempt_file, err, errlen) != 0 ||
	    ovr_load_one(o, OVR_BLOCK, block_file, err, errlen) != 0 ||
	    overrides_finish(o) != 0) {
		overrides_free(o);
		return -1;
	}
	*out = o;
	return 0;
}

int
overrides_match(const struct overrides *o, const uint8_t addr[ADDR_LEN],
	struct ovr_hit *hit)
{
	uint8_t key[ADDR_LEN];
	const struct ovr_entry *e;
	int g, v4;

	hit->kind = OVR_NONE;
	if (o == NULL)
		return OVR_NONE;
	v4 = addr_is_v4(addr);
	for (g = 0; g < o->n_grp; g++) {
		size_t lo = o->grp[g].start, hi = lo + o->grp[g].count;

		/* longest first: the rest are IPv6 prefixes shorter than
		 * the mapped range, which name no IPv4 address (addr.h) */
		if (v4 && o->grp[g].plen < 96)
			break;

		memcpy(key, addr, ADDR_LEN);
		cidr_mask(key, o->grp[g].plen);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = memcmp(key, o->e[mid].net, ADDR_LEN);

			if (c == 0) {
				e = &o->e[mid];
				hit->kind = e->kind;
				hit->code = e->code;
				hit->plen = e->plen;
				hit->line = e->line;
				hit->txt_len = e->txt_len;
				if (e->txt_len > 0)
					memcpy(hit->txt, o->pool + e->txt_off,
					    e->txt_len);
				hit->txt[e->txt_len] = '\0';
				return hit->kind;
			}
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return OVR_NONE;
}

size_t
overrides_count(const struct overrides *o, int kind)
{
	if (o == NULL || kind < OVR_EXEMPT || kind > OVR_BLOCK)
		return 0;
	return o->n_kind[kind];
}

/* ---- the set in force --------------------------------------------------- */

static _Atomic(struct overrides *) ovr_current;
static struct overrides *ovr_retired;      /* main thread only */

/* Free the retired sets whose grace period is over (all if force). */
static void
ovr_reap(int force)
{
	struct overrides **pp = &ovr_retired, *o;
	time_t now = time(NULL);

	while ((o = *pp) != NULL) {
		if (force || now - o->retired_at >= OVERRIDES_RETIRE_S) {
			*pp = o->retired_next;
			overrides_free(o);
		} else {
			pp = &o->retired_next;
		}
	}
}

int
overrides_install(const char *exempt_file, const char *block_file,
	char *msg, size_t msglen)
{
	struct overrides *o, *old;
	char err[600];

	ovr_reap(0);
	if (overrides_load(&o, exempt_file, block_file, err,
	    sizeof(err)) != 0) {
		snprintf(msg, msglen, "%s", err);
		return -1;
	}
	old = atomic_exchange_explicit(&ovr_current, o, memory_order_acq_rel);
	if (old != NULL) {
		old->retired_at = time(NULL);
		old->retired_next = ovr_retired;
		ovr_retired = old;
	}
	snprintf(msg, msglen, "exempt %s: %zu entries, block %s: %zu entries",
	    exempt_file && *exempt_file ? exempt_file : "(none)",
	    overrides_count(o, OVR_EXEMPT),
	    block_file && *block_file ? block_file : "(none)",
	    overrides_count(o, OVR_BLOCK));
	return 0;
}

int
overrides_lookup(const uint8_t addr[ADDR_LEN], struct ovr_hit *hit)
{
	const struct overrides *o =
	    atomic_load_explicit(&ovr_current, memory_order_acquire);

	if (o == NULL || o->n == 0) {
		hit->kind = OVR_NONE;
		return OVR_NONE;
	}
	return overrides_match(o, addr, hit);
}

size_t
overrides_current_count(int kind)
{
	return overrides_count(atomic_load_explicit(&ovr_current,
	    memory_order_acquire), kind);
}

void
overrides_shutdown(void)
{
	overrides_free(atomic_exchange(&ovr_current, NULL));
	ovr_reap(1);
}
