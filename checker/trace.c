/*
 * checker/trace.c -- `fcrdnsctl check IP`: one check, nothing stored, and
 * a host(1)-like trace of every step, so an operator can see why an
 * address got its verdict.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "../common/log.h"
#include "checker.h"
#include "check.h"

static void
trace_done(struct check *ck, void *arg)
{
	(void)ck;
	event_base_loopbreak((struct event_base *)arg);
}

static const char *
trace_status(enum lookup_status s)
{
	switch (s) {
	case LOOKUP_ANSWER:
		return "answer";
	case LOOKUP_NODATA:
		return "NODATA";
	case LOOKUP_NXDOMAIN:
		return "NXDOMAIN";
	case LOOKUP_TEMPFAIL:
		return "temporary failure";
	}
	return "?";
}

/* The PTR step: outcome, then every target and what cleaning made of it. */
static void
trace_ptr(const struct check *ck, FILE *out)
{
	char buf[NAMES_TEXT_MAX + 1];
	size_t i, j;

	if (ck->ptr.r.status != LOOKUP_ANSWER) {
		fprintf(out, "%s PTR: %s", ck->rname,
		    trace_status(ck->ptr.r.status));
		if (ck->ptr.r.status == LOOKUP_TEMPFAIL)
			fprintf(out, " (%s)", ck->ptr.r.why ? ck->ptr.r.why :
			    "?");
		else
			fprintf(out, " (negative TTL %u)", ck->ptr.r.ttl);
		fprintf(out, "\n");
		return;
	}
	for (i = 0; i < ck->ptr.n_names; i++) {
		enum names_drop d = names_clean_one(ck->ptr.names[i], buf);
		const char *what = names_drop_name(d);

		if (d == NAMES_USABLE) {
			what = "not kept (over --max-names)";
			for (j = 0; j < ck->names.n; j++)
				if (strcmp(ck->names.name[j], buf) == 0)
					what = "kept";
		}
		fprintf(out, "%s domain name pointer %s (TTL %u): %s\n",
		    ck->rname, ck->ptr.names[i], ck->ptr.r.ttl, what);
	}
	if (ck->ptr.n_cname > 0)
		fprintf(out, ";; followed %zu CNAME(s) to the PTR records\n",
		    ck->ptr.n_cname);
	fprintf(out, ";; %zu usable name(s), %zu kept (--max-names %u)\n",
	    ck->names.n_usable, ck->names.n, ck->cfg->max_names);
}

/* The forward step: each kept name and its addresses or its error. */
static void
trace_fwd(const struct check *ck, FILE *out)
{
	const char *has = ck->v4 ? "has address" : "has IPv6 address";
	char a[ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < ck->names.n; i++) {
		const struct reply *f = &ck->fwd[i];
		struct verdict_fwd vf;

		vf.r = f->r;
		vf.addrs = (const uint8_t (*)[ADDR_LEN])f->addrs;
		vf.n_addrs = f->n_addrs;
		if (f->r.status == LOOKUP_ANSWER && f->n_addrs > 0) {
			for (j = 0; j < f->n_addrs; j++)
				fprintf(out, "%s %s %s (TTL %u)\n",
				    ck->names.name[i], has,
				    addr_format(f->addrs[j], a, sizeof(a)),
				    f->r.ttl);
		} else if (f->r.status == LOOKUP_TEMPFAIL) {
			fprintf(out, "%s %s: temporary failure (%s)\n",
			    ck->names.name[i], ck->v4 ? "A" : "AAAA",
			    f->r.why ? f->r.why : "?");
		} else {
			fprintf(out, "%s %s: %s (negative TTL %u)\n",
			    ck->names.name[i], ck->v4 ? "A" : "AAAA",
			    trace_status(f->r.status), f->r.ttl);
		}
		fprintf(out, ";; %s: %s\n", ck->names.name[i],
		    verdict_fwd_class_name(verdict_classify(ck->addr, &vf)));
	}
}

int
checker_run_once(const struct config *c, const uint8_t addr[ADDR_LEN],
	FILE *out)
{
	struct event_base *base;
	struct resolver res;
	struct check *ck;
	char a[ADDR_STRLEN], why[1024];
	int v;

	addr_format(addr, a, sizeof(a));
	if (cidr_list_contains(&c->skip, addr)) {
		fprintf(out, "%s: in a skipped range, never checked\n", a);
		fprintf(out, "NOT_APPLICABLE\n");
		return V_NOT_APPLICABLE;
	}
	if ((base = event_base_new()) == NULL) {
		log_err("check: cannot create an event base");
		return V_TEMPERROR;
	}
	if (resolve_init(&res, base, c, 1 + c->max_names) != 0) {
		event_base_free(base);
		return V_TEMPERROR;
	}
	ck = check_new(&res, c, addr, trace_done, base);
	if (ck == NULL) {
		log_err("check: out of memory");
		resolve_free(&res);
		event_base_free(base);
		return V_TEMPERROR;
	}
	fprintf(out, ";; checking %s: reverse name %s\n", a, ck->rname);
	event_base_dispatch(base);

	trace_ptr(ck, out);
	trace_fwd(ck, out);
	if (ck->timed_out)
		fprintf(out, ";; the check hit its deadline "
		    "(--check-timeout-ms %u)\n", c->check_timeout_ms);
	check_reason(ck, why, sizeof(why));
	v = ck->out.verdict;
	fprintf(out, "%s: %s\n", verdict_name(v), why);
	if (verdict_is_definitive(v))
		fprintf(out, ";; verdict lifetime %u s (--ttl-min %u, "
		    "--ttl-max %u)\n", ck->out.lifetime, c->ttl_min,
		    c->ttl_max);
	check_free(ck);
	resolve_free(&res);
	event_base_free(base);
	return v;
}
