/*
 * zone.c -- load the apex zone file with ldns into wire form.
 *
 * Runs once at start-up; nothing here is on the query path except the
 * small lookup helpers at the end, which walk at most ZONE_MAX_RRS
 * records and never allocate.
 */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone.h"

/* Case-insensitive compare of n wire bytes. Label length octets are at
 * most 63, below 'A', so folding them is harmless. */
static int
wire_caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return 0;
	return 1;
}

int
zone_dname_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && wire_caseeq(a, b, alen);
}

/*
 * Offset in name (well-formed wire, len bytes) at which suffix starts on
 * a label boundary, or -1 if name is not at or below suffix.
 */
static int
suffix_at(const uint8_t *name, size_t len, const uint8_t *suffix, size_t slen)
{
	size_t p = 0;

	while (p < len) {
		if (len - p == slen && wire_caseeq(name + p, suffix, slen))
			return (int)p;
		if (name[p] == 0)
			break;
		p += (size_t)name[p] + 1;
	}
	return -1;
}

int
zone_rr_owned_by(const struct zone_rr *rr, const uint8_t *name, size_t len)
{
	return zone_dname_equal(rr->owner, rr->owner_len, name, len);
}

int
zone_name_lookup(const struct zone *z, const uint8_t *name, size_t len)
{
	int i, found = ZONE_NAME_NONE;

	for (i = 0; i < z->n_rr; i++) {
		const struct zone_rr *rr = &z->rr[i];

		if (zone_rr_owned_by(rr, name, len))
			return ZONE_NAME_DATA;
		/* name is a proper suffix of an owner: an empty
		 * non-terminal (RFC 8020 says it exists) */
		if (suffix_at(rr->owner, rr->owner_len, name, len) > 0)
			found = ZONE_NAME_ENT;
	}
	return found;
}

const struct zone_rr *
zone_soa(const struct zone *z)
{
	return &z->rr[z->soa];
}

uint32_t
zone_neg_ttl(const struct zone *z)
{
	return z->soa_ttl < z->soa_minimum ? z->soa_ttl : z->soa_minimum;
}

/*
 * Move name from origin old to origin new: a name at or below old gets
 * its old suffix replaced; other names are copied unchanged. Returns the
 * new length, or 0 if the result would exceed 255 octets.
 */
static size_t
zone_rename(const uint8_t *in, size_t inlen, const uint8_t *old, size_t oldlen,
	const uint8_t *new, size_t newlen, uint8_t *out)
{
	int p = suffix_at(in, inlen, old, oldlen);

	if (p < 0) {
		memcpy(out, in, inlen);
		return inlen;
	}
	if ((size_t)p + newlen > ZONE_NAME_MAX)
		return 0;
	memcpy(out, in, (size_t)p);
	memcpy(out + p, new, newlen);
	return (size_t)p + newlen;
}

/* State shared by the conversion of one file. */
struct zone_ctx {
	struct zone *z;
	const char *file;       /* "FILE:LINE" of the record being added */
	const uint8_t *old;     /* the file's origin, wire */
	size_t oldlen;
	char *err;
	size_t errlen;
};

/*
 * Convert one ldns record into z->rr[]: rename its owner and the domain
 * names in its rdata, check that it belongs to the zone and fits.
 * Returns the index, or -1 with err set.
 */
static int
zone_add_rr(struct zone_ctx *c, const ldns_rr *lr)
{
	struct zone *z = c->z;
	struct zone_rr *rr;
	const ldns_rdf *own = ldns_rr_owner(lr);
	char *txt;
	size_t i, n, len;

	if (z->n_rr >= ZONE_MAX_RRS) {
		snprintf(c->err, c->errlen, "%s: more than %d records",
		    c->file, ZONE_MAX_RRS);
		return -1;
	}
	rr = &z->rr[z->n_rr];
	memset(rr, 0, sizeof(*rr));
	len = zone_rename(ldns_rdf_data(own), ldns_rdf_size(own), c->old,
	    c->oldlen, z->apex, z->apex_len, rr->owner);
	if (len == 0 || suffix_at(rr->owner, len, z->apex, z->apex_len) < 0) {
		txt = ldns_rdf2str(own);
		snprintf(c->err, c->errlen, "%s: record owner %s is %s",
		    c->file, txt ? txt : "?", len == 0 ?
		    "too long under the new zone name" : "outside the zone");
		free(txt);
		return -1;
	}
	for (i = 0; i < len; i++)
		rr->owner[i] = (uint8_t)tolower(rr->owner[i]);
	rr->owner_len = (uint16_t)len;
	for (i = 0, n = 0; rr->owner[i] != 0; i += (size_t)rr->owner[i] + 1)
		n++;
	if (n > z->max_labels)
		z->max_labels = (uint8_t)n;
	if (ldns_rr_get_class(lr) != LDNS_RR_CLASS_IN) {
		txt = ldns_rdf2str(own);
		snprintf(c->err, c->errlen, "%s: record %s is not class IN",
		    c->file, txt ? txt : "?");
		free(txt);
		return -1;
	}
	rr->type = (uint16_t)ldns_rr_get_type(lr);
	rr->ttl = ldns_rr_ttl(lr);
	if (rr->ttl > ZONE_TTL_MAX) {
		/* RFC 2181 section 8: a TTL is 31 bits; resolvers read one
		 * with the top bit set as 0 */
		txt = ldns_rdf2str(own);
		snprintf(c->err, c->errlen, "%s: record %s: TTL %u is over "
		    "%u (RFC 2181 section 8)", c->file, txt ? txt : "?",
		    rr->ttl, ZONE_TTL_MAX);
		free(txt);
		return -1;
	}
	n = 0;
	for (i = 0; i < ldns_rr_rd_count(lr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(lr, i);
		uint8_t name[ZONE_NAME_MAX];
		const uint8_t *src = ldns_rdf_data(f);
		size_t flen = ldns_rdf_size(f);

		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME) {
			flen = zone_rename(src, flen, c->old, c->oldlen,
			    z->apex, z->apex_len, name);
			src = name;
		}
		if (flen == 0 || n + flen > ZONE_RDATA_MAX) {
			txt = ldns_rdf2str(own);
			snprintf(c->err, c->errlen, "%s: rdata of %s is too "
			    "long", c->file, txt ? txt : "?");
			free(txt);
			return -1;
		}
		memcpy(rr->rdata + n, src, flen);
		n += flen;
	}
	rr->rdlen = (uint16_t)n;
	return z->n_rr++;
}

/* Lower-case wire form of a text name; 0 on success. */
static int
zone_text_to_wire(const char *text, uint8_t *out, uint16_t *outlen)
{
	ldns_rdf *r = ldns_dname_new_frm_str(text);
	size_t i;

	if (!r || ldns_rdf_size(r) > ZONE_NAME_MAX) {
		ldns_rdf_deep_free(r);
		return -1;
	}
	*outlen = (uint16_t)ldns_rdf_size(r);
	for (i = 0; i < *outlen; i++)
		out[i] = (uint8_t)tolower(ldns_rdf_data(r)[i]);
	ldns_rdf_deep_free(r);
	return 0;
}

/* Check the SOA rdata layout (two names, five 32-bit numbers) and read
 * MINIMUM from its last four octets (RFC 1035 s. 3.3.13). */
static int
zone_soa_minimum(const struct zone_rr *rr, uint32_t *min)
{
	const uint8_t *p = rr->rdata + rr->rdlen - 4;

	if (rr->rdlen < 2 + 20)
		return -1;
	*min = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

/*
 * Consume the blank and comment-only lines at fp's position, counting
 * them in *line. Returns 0 with fp at the start of a line with content,
 * 1 at the end of the file.
 */
static int
zone_skip_blank(FILE *fp, int *line)
{
	for (;;) {
		long at = ftell(fp);
		int c, blank = 1, comment = 0;

		if (at < 0)
			return 0; /* leave it to ldns */
		while ((c = fgetc(fp)) != EOF && c != '\n') {
			if (comment || c == ' ' || c == '\t' || c == '\r')
				continue;
			if (c == ';')
				comment = 1;
			else
				blank = 0;
		}
		if (!blank) {
			(void)fseek(fp, at, SEEK_SET);
			return 0;
		}
		if (c == EOF)
			return 1;
		(*line)++;
	}
}

/*
 * Read every record of fp into list, as ldns_zone_new_frm_fp_l() does,
 * but without its leak of the SOA on a syntax error (which LeakSanitizer
 * turns into a wrong exit status) and naming the line the bad record is
 * on: ldns counts the newline that ends a record before it reports it.
 * lines[i] is the line record i starts on (the first max_lines).
 * Returns 0, or -1 with err set.
 */
static int
zone_read(FILE *fp, const char *file, const char *zone_name,
	ldns_rr_list *list, int *lines, size_t max_lines, char *err,
	size_t errlen)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1, rc = -1, start;

	if (zone_name && zone_name[0] &&
	    !(origin = ldns_dname_new_frm_str(zone_name))) {
		snprintf(err, errlen, "%s: bad zone name %s", file, zone_name);
		return -1;
	}
	for (;;) {
		ldns_rr *rr = NULL;
		ldns_status s;
		int c = fgetc(fp);

		if (c == EOF) {
			rc = 0;
			break;
		}
		ungetc(c, fp);
		/* ldns reads blank and comment lines as part of the next
		 * record: step over them, so start is its first line */
		if (zone_skip_blank(fp, &line) != 0) {
			rc = 0;
			break;
		}
		start = line;
		s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s == LDNS_STATUS_OK && (ldns_rr_get_type(rr) == 0 ||
		    ldns_rr_descript(ldns_rr_get_type(rr)) == NULL)) {
			/* ldns reads "garbage here" as owner "garbage" with
			 * an unknown type: a typo, not a record to serve */
			s = LDNS_STATUS_SYNTAX_TYPE_ERR;
		}
		if (s == LDNS_STATUS_OK) {
			/* the line the record starts on, for later errors */
			if (ldns_rr_list_rr_count(list) < max_lines)
				lines[ldns_rr_list_rr_count(list)] = start;
			if (!ldns_rr_list_push_rr(list, rr)) {
				ldns_rr_free(rr);
				snprintf(err, errlen, "%s: out of memory", file);
				break;
			}
			continue;
		}
		ldns_rr_free(rr);
		if (line > 1 && fseek(fp, -1, SEEK_CUR) == 0 &&
		    fgetc(fp) == '\n')
			line--;
		snprintf(err, errlen, "%s:%d: %s", file, line,
		    s == LDNS_STATUS_SYNTAX_INCLUDE ? "$INCLUDE is not supported" :
		    ldns_get_errorstr_by_id(s));
		break;
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* The line record i starts on; past the first ZONE_MAX_RRS + 1 there
 * are too many records anyway, and that error needs no line. */
static int
zone_line(const int *lines, size_t i)
{
	return i < ZONE_MAX_RRS + 1 ? lines[i] : 0;
}

int
zone_load(struct zone **out, const char *file, const char *zone_name,
	char *err, size_t errlen)
{
	FILE *fp;
	ldns_rr_list *rrs;
	const ldns_rr *soa = NULL;
	struct zone *z = NULL;
	struct zone_ctx c;
	const ldns_rdf *soa_owner;
	int apex_ns = 0, lines[ZONE_MAX_RRS + 1] = { 0 }, soa_line = 0;
	char where[4096 + 16];
	struct stat sb;
	size_t i, p;

	*out = NULL;
	if (!(fp = fopen(file, "r"))) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	/* a device (/dev/zero) or a directory would keep ldns reading
	 * forever; the apex file is a few lines */
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > ZONE_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", file, ZONE_FILE_MAX);
		fclose(fp);
		return -1;
	}
	if (!(rrs = ldns_rr_list_new())) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	if (zone_read(fp, file, zone_name, rrs, lines,
	    sizeof(lines) / sizeof(lines[0]), err, errlen) != 0) {
		fclose(fp);
		goto fail;
	}
	fclose(fp);
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *lr = ldns_rr_list_rr(rrs, i);

		if (ldns_rr_get_type(lr) != LDNS_RR_TYPE_SOA)
			continue;
		if (soa) {
			snprintf(err, errlen, "%s:%d: a second SOA (the "
			    "first is on line %d)", file, zone_line(lines, i),
			    soa_line);
			goto fail;
		}
		soa = lr;
		soa_line = zone_line(lines, i);
	}
	if (!soa) {
		snprintf(err, errlen, "%s: no SOA record", file);
		goto fail;
	}
	if (!(z = calloc(1, sizeof(*z)))) {
		snprintf(err, errlen, "%s: out of memory", file);
		goto fail;
	}
	/* the file's origin is its SOA's owner */
	soa_owner = ldns_rr_owner(soa);
	c.z = z;
	c.file = where;
	snprintf(where, sizeof(where), "%s:%d", file, soa_line);
	c.old = ldns_rdf_data(soa_owner);
	c.oldlen = ldns_rdf_size(soa_owner);
	c.err = err;
	c.errlen = errlen;
	if (zone_name && zone_name[0]) {
		if (zone_text_to_wire(zone_name, z->apex, &z->apex_len) != 0) {
			snprintf(err, errlen, "%s: bad zone name %s", file,
			    zone_name);
			goto fail;
		}
	} else {
		z->apex_len = (uint16_t)c.oldlen;
		for (i = 0; i < c.oldlen; i++)
			z->apex[i] = (uint8_t)tolower(c.old[i]);
	}
	for (p = 0; z->apex[p] != 0; p += (size_t)z->apex[p] + 1)
		z->apex_labels++;

	if ((z->soa = zone_add_rr(&c, soa)) < 0)
		goto fail;
	z->soa_ttl = z->rr[z->soa].ttl;
	if (zone_soa_minimum(&z->rr[z->soa], &z->soa_minimum) != 0) {
		snprintf(err, errlen, "%s: malformed SOA", where);
		goto fail;
	}
	if (z->soa_minimum > ZONE_TTL_MAX) {
		/* it is the negative TTL (RFC 2308 section 4): a TTL */
		snprintf(err, errlen, "%s: SOA MINIMUM %u is over %u (RFC 2181 "
		    "section 8)", where, z->soa_minimum, ZONE_TTL_MAX);
		goto fail;
	}
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *lr = ldns_rr_list_rr(rrs, i);
		int k;

		if (lr == soa)
			continue;
		snprintf(where, sizeof(where), "%s:%d", file,
		    zone_line(lines, i));
		if ((k = zone_add_rr(&c, lr)) < 0)
			goto fail;
		if (z->rr[k].type == ZONE_TYPE_NS &&
		    zone_rr_owned_by(&z->rr[k], z->apex, z->apex_len))
			apex_ns++;
	}
	if (apex_ns == 0) {
		snprintf(err, errlen, "%s: no NS record at the apex", file);
		goto fail;
	}
	ldns_rr_list_deep_free(rrs);
	*out = z;
	return 0;
fail:
	ldns_rr_list_deep_free(rrs);
	free(z);
	return -1;
}

void
zone_free(struct zone *z)
{
	free(z);
}
