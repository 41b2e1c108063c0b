/*
 * checker/check.c -- one FCrDNS check as a state machine (see check.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "../common/log.h"
#include "check.h"

static void check_fwd_cb(void *arg, struct lookup *lk, struct reply *rep);

/* Fill ck->out from what has been seen; lookups not answered count as
 * temporary failures (their replies were set so by the caller). */
static void
check_decide(struct check *ck)
{
	struct verdict_fwd fwd[NAMES_KEEP_MAX];
	struct verdict_limits lim;
	size_t i;

	lim.ttl_min = ck->cfg->ttl_min;
	lim.ttl_max = ck->cfg->ttl_max;
	for (i = 0; i < ck->names.n; i++) {
		fwd[i].r = ck->fwd[i].r;
		fwd[i].addrs = (const uint8_t (*)[ADDR_LEN])ck->fwd[i].addrs;
		fwd[i].n_addrs = ck->fwd[i].n_addrs;
	}
	verdict_decide(ck->addr, &ck->ptr.r, ck->names.n, fwd, &lim,
	    &ck->out);
}

/* Cancel whatever still runs, decide, and tell the owner. */
static void
check_finish(struct check *ck, const char *why_pending)
{
	size_t i;

	if (ck->finished)
		return;
	ck->finished = 1;
	if (ck->deadline)
		evtimer_del(ck->deadline);
	if (ck->ptr_lk) {
		resolve_cancel(ck->ptr_lk);
		ck->ptr_lk = NULL;
		ck->ptr.r.status = LOOKUP_TEMPFAIL;
		ck->ptr.r.why = why_pending;
	}
	for (i = 0; i < ck->names.n; i++) {
		if (ck->fwd_lk[i] == NULL)
			continue;
		resolve_cancel(ck->fwd_lk[i]);
		ck->fwd_lk[i] = NULL;
		ck->fwd[i].r.status = LOOKUP_TEMPFAIL;
		ck->fwd[i].r.why = why_pending;
	}
	ck->fwd_pending = 0;
	check_decide(ck);
	ck->done(ck, ck->arg);
}

/* The per-check deadline (--check-timeout-ms). */
static void
check_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct check *ck = arg;

	(void)fd;
	(void)what;
	if (ck->ptr_lk != NULL || ck->fwd_pending > 0)
		ck->timed_out = 1;
	check_finish(ck, "timeout");
}

/* Finish from a deferred event, so that check_new() never calls back. */
static void
check_finish_later(struct check *ck)
{
	struct timeval tv = { 0, 0 };

	/* The deadline timer doubles as the "finish now" event. */
	evtimer_del(ck->deadline);
	evtimer_add(ck->deadline, &tv);
}

static void
check_fwd_cb(void *arg, struct lookup *lk, struct reply *rep)
{
	struct check *ck = arg;
	size_t i;

	for (i = 0; i < ck->names.n; i++)
		if (ck->fwd_lk[i] == lk)
			break;
	if (i == ck->names.n) {
		reply_free(rep);
		return;
	}
	ck->fwd_lk[i] = NULL;
	ck->fwd[i] = *rep;
	ck->fwd_done[i] = 1;
	ck->fwd_pending--;
	if (ck->fwd_pending == 0) {
		check_finish(ck, NULL);
		return;
	}
	/* Step 5: a match decides; the others cannot change it. */
	{
		struct verdict_fwd f;

		f.r = ck->fwd[i].r;
		f.addrs = (const uint8_t (*)[ADDR_LEN])ck->fwd[i].addrs;
		f.n_addrs = ck->fwd[i].n_addrs;
		if (verdict_classify(ck->addr, &f) == FWD_MATCH)
			check_finish(ck, "not needed after a match");
	}
}

static void
check_ptr_cb(void *arg, struct lookup *lk, struct reply *rep)
{
	struct check *ck = arg;
	uint16_t qtype = ck->v4 ? REPLY_T_A : REPLY_T_AAAA;
	size_t i;

	(void)lk;
	ck->ptr_lk = NULL;
	ck->ptr = *rep;
	ck->ptr_done = 1;
	if (ck->ptr.r.status != LOOKUP_ANSWER) {
		check_finish(ck, NULL);
		return;
	}
	if (names_clean((const char *const *)ck->ptr.names, ck->ptr.n_names,
	    ck->cfg->max_names, &ck->names) != 0) {
		ck->ptr.r.status = LOOKUP_TEMPFAIL;
		ck->ptr.r.why = "out of memory";
		check_finish(ck, NULL);
		return;
	}
	if (ck->names.n == 0) {
		check_finish(ck, NULL);
		return;
	}
	/* Step 4: all kept names at once; the window in checker.c
	 * accounts for 1 + max_names lookups per check. */
	for (i = 0; i < ck->names.n; i++) {
		ck->fwd[i].r.status = LOOKUP_TEMPFAIL;
		ck->fwd[i].r.why = "not started";
		ck->fwd_lk[i] = resolve_start(ck->res, ck->names.name[i],
		    qtype, check_fwd_cb, ck);
		if (ck->fwd_lk[i] == NULL) {
			ck->fwd[i].r.why = "out of memory";
			ck->fwd_done[i] = 1;
			continue;
		}
		ck->fwd_pending++;
	}
	if (ck->fwd_pending == 0)
		check_finish(ck, NULL);
}

struct check *
check_new(struct resolver *res, const struct config *cfg,
	const uint8_t addr[ADDR_LEN], check_done_cb done, void *arg)
{
	struct check *ck = calloc(1, sizeof(*ck));
	struct timeval tv;

	if (ck == NULL)
		return NULL;
	memcpy(ck->addr, addr, ADDR_LEN);
	ck->v4 = addr_is_v4(addr);
	ck->res = res;
	ck->cfg = cfg;
	ck->done = done;
	ck->arg = arg;
	ck->ptr.r.status = LOOKUP_TEMPFAIL;
	ck->ptr.r.why = "not started";
	ck->deadline = evtimer_new(res->base, check_deadline_cb, ck);
	if (ck->deadline == NULL) {
		free(ck);
		return NULL;
	}
	tv.tv_sec = cfg->check_timeout_ms / 1000;
	tv.tv_usec = (cfg->check_timeout_ms % 1000) * 1000;
	evtimer_add(ck->deadline, &tv);
	if (addr_reverse_name(addr, ck->rname, sizeof(ck->rname)) != 0) {
		ck->ptr.r.why = "no reverse name";
		check_finish_later(ck);
		return ck;
	}
	ck->ptr_lk = resolve_start(res, ck->rname, REPLY_T_PTR, check_ptr_cb,
	    ck);
	if (ck->ptr_lk == NULL) {
		ck->ptr.r.why = "out of memory";
		check_finish_later(ck);
	}
	return ck;
}

void
check_free(struct check *ck)
{
	size_t i;

	if (ck == NULL)
		return;
	if (ck->ptr_lk)
		resolve_cancel(ck->ptr_lk);
	for (i = 0; i < ck->names.n; i++) {
		if (ck->fwd_lk[i])
			resolve_cancel(ck->fwd_lk[i]);
		reply_free(&ck->fwd[i]);
	}
	reply_free(&ck->ptr);
	if (ck->deadline)
		event_free(ck->deadline);
	free(ck);
}

size_t
check_lookups_running(const struct check *ck)
{
	return (ck->ptr_lk != NULL) + ck->fwd_pending;
}

/* The first address of fwd that is the client's, or the first one. */
static void
check_first_addr(const struct check *ck, const struct reply *f, char *buf,
	size_t len)
{
	size_t i;

	for (i = 0; i < f->n_addrs; i++) {
		if (memcmp(f->addrs[i], ck->addr, ADDR_LEN) == 0) {
			addr_format(f->addrs[i], buf, len);
			return;
		}
	}
	if (f->n_addrs > 0)
		addr_format(f->addrs[0], buf, len);
	else
		snprintf(buf, len, "nothing");
}

void
check_reason(const struct check *ck, char *buf, size_t len)
{
	const char *rr = ck->v4 ? "A" : "AAAA";
	char a[ADDR_STRLEN], c[ADDR_STRLEN];
	size_t i;

	addr_format(ck->addr, c, sizeof(c));
	switch (ck->out.verdict) {
	case V_PASS:
		i = (size_t)ck->out.match;
		check_first_addr(ck, &ck->fwd[i], a, sizeof(a));
		snprintf(buf, len, "%s has %s %s", ck->names.name[i], rr, a);
		return;
	case V_NO_PTR:
		if (ck->ptr.r.status == LOOKUP_NXDOMAIN)
			snprintf(buf, len, "%s does not exist (NXDOMAIN)",
			    ck->rname);
		else if (ck->ptr.r.status == LOOKUP_NODATA)
			snprintf(buf, len, "%s has no PTR record", ck->rname);
		else
			snprintf(buf, len, "%s has no usable PTR name "
			    "(%zu root, %zu IP literal, %zu too long)",
			    ck->rname, ck->names.n_root, ck->names.n_literal,
			    ck->names.n_long);
		return;
	case V_NO_FORWARD:
		snprintf(buf, len, "%s PTR %s%s has no %s record", c,
		    ck->names.name[0], ck->names.n > 1 ? " (and every other "
		    "name)" : "", rr);
		return;
	case V_MISMATCH:
		for (i = 0; i < ck->names.n; i++)
			if (ck->fwd[i].n_addrs > 0)
				break;
		if (i == ck->names.n)
			i = 0;
		check_first_addr(ck, &ck->fwd[i], a, sizeof(a));
		snprintf(buf, len, "%s PTR %s resolves to %s%s", c,
		    ck->names.name[i], a, ck->names.n > 1 ? ", no name to "
		    "the address" : "");
		return;
	case V_TEMPERROR:
		if (ck->ptr.r.status == LOOKUP_TEMPFAIL) {
			snprintf(buf, len, "PTR lookup of %s failed (%s)",
			    ck->rname, ck->ptr.r.why ? ck->ptr.r.why : "?");
			return;
		}
		for (i = 0; i < ck->names.n; i++)
			if (ck->fwd[i].r.status == LOOKUP_TEMPFAIL)
				break;
		if (i < ck->names.n) {
			snprintf(buf, len, "no name matched and %s lookup of "
			    "%s failed (%s)", rr, ck->names.name[i],
			    ck->fwd[i].r.why ? ck->fwd[i].r.why : "?");
			return;
		}
		snprintf(buf, len, "temporary failure");
		return;
	default:
		snprintf(buf, len, "%s", verdict_name(ck->out.verdict));
		return;
	}
}
