/*
 * record.c -- the byte layout of one verdict record in LMDB.
 *
 * The layout is explicit little-endian, written and read byte by byte,
 * never a memcpy'd struct: the file outlives the binary, and a struct's
 * padding and byte order are the compiler's business, not ours.
 *
 * Record version 1 (STORE_RECORD_VERSION), no padding anywhere:
 *
 *   off  size  field
 *     0     1  version         STORE_RECORD_VERSION
 *     1     1  verdict         enum verdict of the latest check, 0..5
 *     2     1  def_verdict     V_NONE or a definitive verdict (1..4)
 *     3     1  match           index into names, or STORE_MATCH_NONE
 *     4     1  n_names         0..STORE_MAX_NAMES
 *     5     1  n_addrs         0..STORE_MAX_ADDRS
 *     6     5  checked_at      \
 *    11     5  def_checked_at   |  unsigned 40-bit seconds since the
 *    16     5  expires_at       |  epoch (good to the year 36812; the
 *    21     5  retry_at         |  version byte covers any change)
 *    26     5  last_query_at   /
 *    31     4  backoff_s
 *    35     4  fail_count
 *    39        names: n_names x (length octet 1..255, that many octets)
 *              addrs: n_addrs x 16 octets (network order, IPv4 mapped)
 *
 * The record ends exactly after the last address; a length that differs
 * is corruption. Forty-bit times instead of 64-bit ones save 15 bytes per
 * record, which matters at 10 million verdicts (a <= 256 bytes/verdict
 * budget, LMDB's node and page overhead included). Addresses stay 16
 * bytes so that a decoded record can point straight into the map.
 */
#include <string.h>
#include "store.h"
#include "../common/verdict.h"

#define REC_HDR_LEN  39
#define REC_TIME_MAX ((int64_t)1 << 40)   /* exclusive */

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;
	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int
time_ok(int64_t t)
{
	return t >= 0 && t < REC_TIME_MAX;
}

static int
verdict_ok(int v)
{
	return v >= V_NONE && v <= V_TEMPERROR;
}

static int
def_verdict_ok(int v)
{
	return v == V_NONE || verdict_is_definitive(v);
}

/*
 * Walk n packed names in [p, p+len): each a length octet 1..255 and that
 * many octets. Returns the bytes they take, or -1 if an entry is empty or
 * runs past len. Used by encode (caller's data) and decode (file data).
 */
static long
names_span(const uint8_t *p, size_t len, unsigned n)
{
	size_t pos = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		size_t l;
		if (pos >= len)
			return -1;
		l = p[pos];
		if (l == 0 || l > STORE_MAX_NAMELEN || l > len - pos - 1)
			return -1;
		pos += 1 + l;
	}
	return (long)pos;
}

/*
 * Check rec against the bounds of store.h. Returns 1 if it may be
 * stored. The checks are the same as decode's, so anything encode
 * accepts, decode accepts.
 */
static int
record_valid(const struct store_record *rec)
{
	long span;

	if (!verdict_ok(rec->verdict) || !def_verdict_ok(rec->def_verdict))
		return 0;
	if (rec->n_names > STORE_MAX_NAMES || rec->n_addrs > STORE_MAX_ADDRS)
		return 0;
	if (rec->match != STORE_MATCH_NONE && rec->match >= rec->n_names)
		return 0;
	if (!time_ok(rec->checked_at) || !time_ok(rec->def_checked_at) ||
	    !time_ok(rec->expires_at) || !time_ok(rec->retry_at) ||
	    !time_ok(rec->last_query_at))
		return 0;
	if (rec->n_names > 0 && rec->names == NULL)
		return 0;
	if (rec->n_addrs > 0 && rec->addrs == NULL)
		return 0;
	span = names_span(rec->names, rec->names_len, rec->n_names);
	if (span < 0 || (size_t)span != rec->names_len)
		return 0;
	return 1;
}

/*
 * Encode rec into buf. Returns the record's length, or -1 if rec breaks
 * the bounds or buf is shorter than the record (nothing useful is left in
 * buf then). STORE_RECORD_MAX is always enough.
 */
int
store_record_encode(const struct store_record *rec, uint8_t *buf,
	size_t len)
{
	size_t need, alen;
	uint8_t *p;

	if (rec == NULL || buf == NULL || !record_valid(rec))
		return -1;
	alen = (size_t)rec->n_addrs * ADDR_LEN;
	need = REC_HDR_LEN + rec->names_len + alen;
	if (need > len)
		return -1;

	p = buf;
	p[0] = STORE_RECORD_VERSION;
	p[1] = rec->verdict;
	p[2] = rec->def_verdict;
	p[3] = rec->match;
	p[4] = rec->n_names;
	p[5] = rec->n_addrs;
	put_le(p + 6, (uint64_t)rec->checked_at, 5);
	put_le(p + 11, (uint64_t)rec->def_checked_at, 5);
	put_le(p + 16, (uint64_t)rec->expires_at, 5);
	put_le(p + 21, (uint64_t)rec->retry_at, 5);
	put_le(p + 26, (uint64_t)rec->last_query_at, 5);
	put_le(p + 31, rec->backoff_s, 4);
	put_le(p + 35, rec->fail_count, 4);
	p += REC_HDR_LEN;
	if (rec->names_len > 0)
		memcpy(p, rec->names, rec->names_len);
	p += rec->names_len;
	if (alen > 0)
		memcpy(p, rec->addrs, alen);
	return (int)need;
}

/*
 * Decode buf[0..len) into rec; names and addrs point into buf. Every
 * read is preceded by a length check, so a truncated or hostile buffer
 * gives STORE_CORRUPT, never a read past len. A version other than
 * STORE_RECORD_VERSION is STORE_CORRUPT here; store_get() looks at the
 * version first and reports such a record as absent.
 */
int
store_record_decode(const uint8_t *buf, size_t len,
	struct store_record *rec)
{
	struct store_record r;
	long span;
	size_t rest, alen;

	if (buf == NULL || rec == NULL || len < REC_HDR_LEN ||
	    buf[0] != STORE_RECORD_VERSION)
		return STORE_CORRUPT;
	memset(&r, 0, sizeof(r));
	r.verdict = buf[1];
	r.def_verdict = buf[2];
	r.match = buf[3];
	r.n_names = buf[4];
	r.n_addrs = buf[5];
	r.checked_at = (int64_t)get_le(buf + 6, 5);
	r.def_checked_at = (int64_t)get_le(buf + 11, 5);
	r.expires_at = (int64_t)get_le(buf + 16, 5);
	r.retry_at = (int64_t)get_le(buf + 21, 5);
	r.last_query_at = (int64_t)get_le(buf + 26, 5);
	r.backoff_s = (uint32_t)get_le(buf + 31, 4);
	r.fail_count = (uint32_t)get_le(buf + 35, 4);

	if (!verdict_ok(r.verdict) || !def_verdict_ok(r.def_verdict) ||
	    r.n_names > STORE_MAX_NAMES || r.n_addrs > STORE_MAX_ADDRS ||
	    (r.match != STORE_MATCH_NONE && r.match >= r.n_names))
		return STORE_CORRUPT;

	rest = len - REC_HDR_LEN;
	span = names_span(buf + REC_HDR_LEN, rest, r.n_names);
	if (span < 0)
		return STORE_CORRUPT;
	alen = (size_t)r.n_addrs * ADDR_LEN;
	if (rest - (size_t)span != alen)
		return STORE_CORRUPT;
	r.names = r.n_names ? buf + REC_HDR_LEN : NULL;
	r.names_len = (size_t)span;
	r.addrs = r.n_addrs ? buf + REC_HDR_LEN + span : NULL;
	*rec = r;
	return STORE_OK;
}

/*
 * Iterate the packed names of rec. A malformed entry ends the walk, so
 * a caller that builds rec by hand cannot be led past names_len.
 */
int
store_names_next(const struct store_record *rec, size_t *pos,
	const uint8_t **name, size_t *len)
{
	size_t p = *pos, l;

	if (rec->names == NULL || p >= rec->names_len)
		return 0;
	l = rec->names[p];
	if (l == 0 || l > rec->names_len - p - 1)
		return 0;
	*name = rec->names + p + 1;
	*len = l;
	*pos = p + 1 + l;
	return 1;
}
