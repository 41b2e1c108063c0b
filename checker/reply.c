/*
 * checker/reply.c -- decode one libunbound answer (see reply.h for the
 * invariants). No I/O; ldns does the bounds-checked wire parsing.
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "reply.h"

static void
reply_tempfail(struct reply *out, const char *why)
{
	out->r.status = LOOKUP_TEMPFAIL;
	out->r.ttl = 0;
	out->r.why = why;
}

/* Static text for an rcode that is not NOERROR/NXDOMAIN. */
static const char *
reply_rcode_why(int rcode)
{
	switch (rcode) {
	case LDNS_RCODE_FORMERR:
		return "FORMERR";
	case LDNS_RCODE_SERVFAIL:
		return "SERVFAIL";
	case LDNS_RCODE_NOTIMPL:
		return "NOTIMP";
	case LDNS_RCODE_REFUSED:
		return "REFUSED";
	default:
		return "error rcode";
	}
}

/* RFC 2308 section 5: the negative TTL is min(SOA TTL, SOA MINIMUM) of the
 * SOA in the authority section. Returns 0 when there is no usable SOA: we
 * then know nothing and the clamp floor (--ttl-min) applies. */
static uint32_t
reply_negative_ttl(const ldns_pkt *pkt)
{
	ldns_rr_list *auth = ldns_pkt_authority(pkt);
	size_t i;

	for (i = 0; auth != NULL && i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		ldns_rdf *min;
		uint32_t t, m;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA ||
		    ldns_rr_rd_count(rr) < 7)
			continue;
		min = ldns_rr_rdf(rr, 6);
		if (min == NULL || ldns_rdf_size(min) != 4)
			continue;
		t = ldns_rr_ttl(rr);
		m = ldns_rdf2native_int32(min);
		return t < m ? t : m;
	}
	return 0;
}

/* Add one record's data to out. Returns 0, -1 out of memory. */
static int
reply_add_item(struct reply *out, const ldns_rr *rr, uint16_t qtype)
{
	ldns_rdf *rd = ldns_rr_rdf(rr, 0);

	if (rd == NULL)
		return 0;
	if (qtype == REPLY_T_PTR) {
		char *s, **nv;

		if (ldns_rdf_get_type(rd) != LDNS_RDF_TYPE_DNAME ||
		    out->n_names >= REPLY_MAX_ITEMS)
			return 0;
		if ((s = ldns_rdf2str(rd)) == NULL)
			return -1;
		nv = realloc(out->names, (out->n_names + 1) * sizeof(*nv));
		if (nv == NULL) {
			free(s);
			return -1;
		}
		out->names = nv;
		out->names[out->n_names++] = s;
	} else {
		uint8_t (*av)[ADDR_LEN];
		uint8_t a[ADDR_LEN];
		size_t sz = ldns_rdf_size(rd);

		if (out->n_addrs >= REPLY_MAX_ITEMS)
			return 0;
		if (qtype == REPLY_T_A && sz == 4) {
			/* The 16-byte key of an IPv4 address (addr.h). */
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
			memcpy(a + 12, ldns_rdf_data(rd), 4);
		} else if (qtype == REPLY_T_AAAA && sz == 16) {
			memcpy(a, ldns_rdf_data(rd), 16);
		} else {
			return 0;
		}
		av = realloc(out->addrs, (out->n_addrs + 1) * sizeof(*av));
		if (av == NULL)
			return -1;
		out->addrs = av;
		memcpy(out->addrs[out->n_addrs++], a, ADDR_LEN);
	}
	return 0;
}

/*
 * Walk the answer section from qname along CNAMEs (RFC 1034 section
 * 3.6.2: a resolver restarts at the CNAME's target). Collects the records
 * of qtype at the end of the chain into out and the minimum TTL of
 * everything used into *ttl. Returns 1 if records were found, 0 if the
 * chain ends without them, -1 for a loop / over-long chain (out->r set),
 * -2 out of memory.
 */
static int
reply_walk(const ldns_pkt *pkt, ldns_rdf *qname, uint16_t qtype,
	struct reply *out, uint32_t *ttl)
{
	ldns_rr_list *ans = ldns_pkt_answer(pkt);
	const ldns_rdf *seen[REPLY_MAX_CNAME + 1];
	const ldns_rdf *cur = qname;
	size_t n_seen = 0, i, j, n = ans ? ldns_rr_list_rr_count(ans) : 0;

	*ttl = UINT32_MAX;
	seen[n_seen++] = cur;
	for (;;) {
		const ldns_rr *cname = NULL;
		int found = 0, other_class = 0;

		for (i = 0; i < n; i++) {
			ldns_rr *rr = ldns_rr_list_rr(ans, i);

			if (ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
				continue;
			if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
				/* the name's data, but not class IN */
				if (ldns_rr_get_type(rr) ==
				    (ldns_rr_type)qtype ||
				    ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME)
					other_class = 1;
				continue;
			}
			if (ldns_rr_get_type(rr) == (ldns_rr_type)qtype) {
				if (reply_add_item(out, rr, qtype) < 0)
					return -2;
				if (ldns_rr_ttl(rr) < *ttl)
					*ttl = ldns_rr_ttl(rr);
				found = 1;
			} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    cname == NULL && ldns_rr_rd_count(rr) == 1) {
				/* RFC 2181 section 10.1: one CNAME per
				 * name; a second one is ignored. */
				cname = rr;
			}
		}
		if (found)
			return 1;
		if (cname == NULL && other_class) {
			/* An answer in another class is a broken answer,
			 * not proof that the IN data is missing: never a
			 * NO_PTR or NO_FORWARD from it. */
			reply_tempfail(out, "records of another class");
			return -1;
		}
		if (cname == NULL)
			return 0;
		if (n_seen > REPLY_MAX_CNAME) {
			reply_tempfail(out, "CNAME chain too long");
			return -1;
		}
		cur = ldns_rr_rdf(cname, 0);
		for (j = 0; j < n_seen; j++) {
			if (ldns_dname_compare(seen[j], cur) == 0) {
				reply_tempfail(out, "CNAME loop");
				return -1;
			}
		}
		seen[n_seen++] = cur;
		out->n_cname++;
		if (ldns_rr_ttl(cname) < *ttl)
			*ttl = ldns_rr_ttl(cname);
	}
}

int
reply_decode(int cb_rcode, const uint8_t *pkt, size_t len, const char *qname,
	uint16_t qtype, struct reply *out)
{
	ldns_pkt *p = NULL;
	ldns_rdf *q = NULL;
	uint32_t ttl, neg;
	int rc, rcode, ret = 0;

	memset(out, 0, sizeof(*out));
	reply_tempfail(out, "no answer");

	if (cb_rcode == LDNS_RCODE_NXDOMAIN && pkt == NULL) {
		/* No packet to read a SOA from: negative, lifetime floor. */
		out->r.status = LOOKUP_NXDOMAIN;
		out->r.why = NULL;
		return 0;
	}
	if (cb_rcode != 0) {
		reply_tempfail(out, reply_rcode_why(cb_rcode));
		return 0;
	}
	if (pkt == NULL || len == 0)
		return 0;
	if (ldns_wire2pkt(&p, pkt, len) != LDNS_STATUS_OK || p == NULL) {
		reply_tempfail(out, "malformed reply");
		return 0;
	}
	if (ldns_pkt_tc(p)) {
		/* libunbound retries truncated answers over TCP itself; a
		 * truncated packet here is incomplete data. */
		reply_tempfail(out, "truncated reply");
		goto done;
	}
	if (ldns_pkt_qdcount(p) != 1 || ldns_rr_list_rr_count(
	    ldns_pkt_question(p)) != 1 || ldns_rr_get_class(
	    ldns_rr_list_rr(ldns_pkt_question(p), 0)) != LDNS_RR_CLASS_IN) {
		reply_tempfail(out, "reply to another question");
		goto done;
	}
	rcode = ldns_pkt_get_rcode(p);
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
		reply_tempfail(out, reply_rcode_why(rcode));
		goto done;
	}
	if ((q = ldns_dname_new_frm_str(qname)) == NULL) {
		reply_tempfail(out, "bad query name");
		goto done;
	}
	rc = reply_walk(p, q, qtype, out, &ttl);
	if (rc == -2) {
		reply_tempfail(out, "out of memory");
		ret = -1;
		goto done;
	}
	if (rc < 0)
		goto done;
	if (rc == 1) {
		if (rcode == LDNS_RCODE_NXDOMAIN) {
			/* Data and "no such name" for one name: an answer
			 * that contradicts itself proves nothing. */
			reply_tempfail(out, "NXDOMAIN with data");
			goto done;
		}
		if ((qtype == REPLY_T_PTR && out->n_names == 0) ||
		    (qtype != REPLY_T_PTR && out->n_addrs == 0)) {
			/* Records of the type, none well-formed. */
			reply_tempfail(out, "malformed records");
			goto done;
		}
		out->r.status = LOOKUP_ANSWER;
		out->r.ttl = ttl;
		out->r.why = NULL;
		goto done;
	}
	/* RFC 2308: NXDOMAIN / NODATA, possibly after CNAMEs (RFC 6604: the
	 * rcode speaks of the last name of the chain). */
	neg = reply_negative_ttl(p);
	out->r.status = rcode == LDNS_RCODE_NXDOMAIN ? LOOKUP_NXDOMAIN :
	    LOOKUP_NODATA;
	out->r.ttl = neg < ttl ? neg : ttl;
	out->r.why = NULL;
done:
	if (out->r.status != LOOKUP_ANSWER) {
		/* Keep nothing of a failed or negative lookup. */
		size_t i;

		for (i = 0; i < out->n_names; i++)
			free(out->names[i]);
		free(out->names);
		free(out->addrs);
		out->names = NULL;
		out->addrs = NULL;
		out->n_names = out->n_addrs = 0;
	}
	ldns_rdf_deep_free(q);
	ldns_pkt_free(p);
	return ret;
}

void
reply_free(struct reply *out)
{
	size_t i;

	for (i = 0; i < out->n_names; i++)
		free(out->names[i]);
	free(out->names);
	free(out->addrs);
	memset(out, 0, sizeof(*out));
}
