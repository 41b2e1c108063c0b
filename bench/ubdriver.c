/*
 * bench/ubdriver.c -- the reference of the miss-path benchmark: a bare
 * libunbound driver, in event mode on libevent, that does the lookups of
 * an FCrDNS check (PTR, then A for each PTR name) for a list of IPv4
 * addresses, with at most --window checks in flight and optionally at most
 * --qps checks started per second. It tunes libunbound as the checker
 * does (checker/resolve.c) so that the difference is fcrdnsd's own work:
 * the query path, the IPC, the store writes, the wait table.
 *
 * usage: ubdriver --addrs FILE [--truth FILE] [--window W] [--qps R]
 *                 [--stub ZONE=ADDR@PORT]... [--forward ADDR@PORT]
 *                 [--latency-out FILE] [--timeout-s S]
 * Prints one line of key=value results on stdout. With --truth, each
 * verdict is compared with the truth file and mismatches are counted.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <event2/event.h>
#include <ldns/ldns.h>
#include <unbound.h>
#include <unbound-event.h>

#define MAX_NAMES 10
#define NAMELEN   256

enum { V_PASS, V_NO_PTR, V_NO_FORWARD, V_MISMATCH, V_TEMPERROR, V_N };
static const char *const vname[V_N] = {
	"PASS", "NO_PTR", "NO_FORWARD", "MISMATCH", "TEMPERROR"
};

struct check {
	uint32_t ip;          /* host order */
	int expect;           /* truth, -1 if unknown */
	double t0;
	int pending;          /* A lookups outstanding */
	int match, temp, other;
};

static struct ub_ctx *ctx;
static struct event_base *base;
static struct check *checks;
static size_t n_checks, next_check, done_checks, inflight;
static size_t window = 100;
static double qps, t_start, t_end;
static double *lat_ms;
static size_t counts[V_N], wrong, n_lookups;
static struct event *tick_ev;
static double tokens;
static int stopping;          /* the loop has ended: start nothing more */
static double last_tick;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
vcode(const char *s)
{
	int i;

	for (i = 0; i < V_N; i++)
		if (strcmp(s, vname[i]) == 0)
			return i;
	return -1;
}

static void start_some(void);

static void
finish(struct check *c, int v)
{
	lat_ms[done_checks] = (now_s() - c->t0) * 1e3;
	counts[v]++;
	if (c->expect >= 0 && c->expect != v) {
		struct in_addr a = { htonl(c->ip) };
		if (wrong < 10)
			fprintf(stderr, "ubdriver: %s: %s, expected %s\n",
			    inet_ntoa(a), vname[v], vname[c->expect]);
		wrong++;
	}
	done_checks++;
	inflight--;
	if (done_checks == n_checks) {
		t_end = now_s();
		event_base_loopbreak(base);
		return;
	}
	start_some();
}

static void
a_cb(void *arg, int rcode, void *pkt, int len, int sec, char *why, int rl)
{
	struct check *c = arg;
	ldns_pkt *p = NULL;
	size_t i;
	int found = 0, match = 0;

	(void)sec; (void)why; (void)rl;
	if (rcode != 0 && rcode != LDNS_RCODE_NXDOMAIN)
		c->temp++;
	else if (pkt == NULL || ldns_wire2pkt(&p, pkt, (size_t)len) !=
	    LDNS_STATUS_OK)
		c->temp++;
	else if (ldns_pkt_get_rcode(p) == LDNS_RCODE_SERVFAIL)
		c->temp++;
	else {
		ldns_rr_list *an = ldns_pkt_answer(p);
		for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			ldns_rdf *rd;
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A)
				continue;
			rd = ldns_rr_rdf(rr, 0);
			if (rd == NULL || ldns_rdf_size(rd) != 4)
				continue;
			found = 1;
			if (memcmp(ldns_rdf_data(rd), &(uint32_t){ htonl(c->ip) },
			    4) == 0)
				match = 1;
		}
		if (match)
			c->match++;
		else if (found)
			c->other++;
	}
	if (p)
		ldns_pkt_free(p);
	if (--c->pending > 0)
		return;
	if (c->match)
		finish(c, V_PASS);
	else if (c->temp)
		finish(c, V_TEMPERROR);
	else if (c->other)
		finish(c, V_MISMATCH);
	else
		finish(c, V_NO_FORWARD);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* An IP literal is not a usable PTR target (verdicts.md step 2). */
static int
is_ip_literal(const char *s)
{
	uint8_t buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static void
ptr_cb(void *arg, int rcode, void *pkt, int len, int sec, char *why, int rl)
{
	struct check *c = arg;
	ldns_pkt *p = NULL;
	char names[MAX_NAMES * 4][NAMELEN];
	size_t i, n = 0, k, kept;

	(void)sec; (void)why; (void)rl;
	if (rcode != 0 && rcode != LDNS_RCODE_NXDOMAIN) {
		finish(c, V_TEMPERROR);
		return;
	}
	if (pkt == NULL || ldns_wire2pkt(&p, pkt, (size_t)len) != LDNS_STATUS_OK) {
		finish(c, V_TEMPERROR);
		return;
	}
	if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN) {
		ldns_pkt_free(p);
		finish(c, V_NO_PTR);
		return;
	}
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		ldns_pkt_free(p);
		finish(c, V_TEMPERROR);
		return;
	}
	for (i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p)) &&
	    n < MAX_NAMES * 4; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), i);
		char *s, *d;
		size_t l;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_PTR)
			continue;
		s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		if (s == NULL)
			continue;
		for (d = s; *d; d++)
			*d = (char)tolower((unsigned char)*d);
		l = strlen(s);
		if (l > 0 && s[l - 1] == '.')
			s[--l] = '\0';
		if (l > 0 && l < NAMELEN && !is_ip_literal(s)) {
			for (k = 0; k < n; k++)
				if (strcmp(names[k], s) == 0)
					break;
			if (k == n)
				memcpy(names[n++], s, l + 1);
		}
		free(s);
	}
	ldns_pkt_free(p);
	if (n == 0) {
		finish(c, V_NO_PTR);
		return;
	}
	qsort(names, n, NAMELEN, name_cmp);
	kept = n < MAX_NAMES ? n : MAX_NAMES;
	c->pending = (int)kept;
	for (i = 0; i < kept; i++) {
		int id;
		n_lookups++;
		if (ub_resolve_event(ctx, names[i], LDNS_RR_TYPE_A,
		    LDNS_RR_CLASS_IN, c, a_cb, &id) != 0) {
			c->temp++;
			if (--c->pending == 0) {
				finish(c, c->match ? V_PASS : V_TEMPERROR);
				return;
			}
		}
	}
}

static void
start_one(void)
{
	struct check *c = &checks[next_check++];
	char rev[64];
	int id;

	snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa",
	    c->ip & 0xff, (c->ip >> 8) & 0xff, (c->ip >> 16) & 0xff, c->ip >> 24);
	c->t0 = now_s();
	inflight++;
	n_lookups++;
	if (ub_resolve_event(ctx, rev, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, c,
	    ptr_cb, &id) != 0)
		finish(c, V_TEMPERROR);
}

static void
start_some(void)
{
	while (!stopping && next_check < n_checks && inflight < window) {
		if (qps > 0) {
			if (tokens < 1)
				return;
			tokens -= 1;
		}
		start_one();
	}
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	double t = now_s();

	(void)fd; (void)what; (void)arg;
	tokens += (t - last_tick) * qps;
	if (tokens > qps / 100 + 1)      /* at most 10 ms of burst */
		tokens = qps / 100 + 1;
	last_tick = t;
	start_some();
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	fprintf(stderr, "ubdriver: timeout with %zu of %zu checks done\n",
	    done_checks, n_checks);
	t_end = now_s();
	event_base_loopbreak(base);
}

static void
opt(const char *k, const char *v)
{
	int e = ub_ctx_set_option(ctx, k, v);

	if (e != 0) {
		fprintf(stderr, "ubdriver: option %s %s: %s\n", k, v,
		    ub_strerror(e));
		exit(1);
	}
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	size_t i;

	if (done_checks == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(done_checks - 1) + 0.5);
	return lat_ms[i];
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "addrs", required_argument, NULL, 'a' },
		{ "truth", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "qps", required_argument, NULL, 'q' },
		{ "stub", required_argument, NULL, 's' },
		{ "forward", required_argument, NULL, 'f' },
		{ "latency-out", required_argument, NULL, 'l' },
		{ "timeout-s", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	const char *addrs = NULL, *truth = NULL, *latout = NULL;
	char *stubs[16], *fwd = NULL, line[256], buf[32];
	int nstub = 0, ch, i, timeout_s = 600;
	size_t cap = 0, range;
	FILE *f;
	struct rlimit rl;
	struct timeval tv;
	struct event *to_ev;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': addrs = optarg; break;
		case 't': truth = optarg; break;
		case 'w': window = strtoul(optarg, NULL, 10); break;
		case 'q': qps = atof(optarg); break;
		case 's': if (nstub < 16) stubs[nstub++] = optarg; break;
		case 'f': fwd = optarg; break;
		case 'l': latout = optarg; break;
		case 'T': timeout_s = atoi(optarg); break;
		default: return 2;
		}
	}
	if (addrs == NULL || window == 0) {
		fprintf(stderr, "usage: ubdriver --addrs FILE [--truth FILE] "
		    "[--window W] [--qps R] [--stub Z=A@P]... [--forward A@P] "
		    "[--latency-out FILE] [--timeout-s S]\n");
		return 2;
	}
	if ((f = fopen(addrs, "r")) == NULL) {
		perror(addrs);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct in_addr a;
		line[strcspn(line, " \t\r\n")] = '\0';
		if (inet_pton(AF_INET, line, &a) != 1)
			continue;
		if (n_checks == cap) {
			cap = cap ? cap * 2 : 1024;
			checks = realloc(checks, cap * sizeof(*checks));
			if (checks == NULL)
				return 1;
		}
		memset(&checks[n_checks], 0, sizeof(checks[0]));
		checks[n_checks].ip = ntohl(a.s_addr);
		checks[n_checks].expect = -1;
		n_checks++;
	}
	fclose(f);
	if (truth != NULL) {
		/* truth is in any order: sort-free lookup by a small hash. */
		size_t hs = 1, h, lines = 0;
		uint32_t *keys;
		int *vals;
		/* Size the table for every line of the truth file, which may
		 * hold more addresses than --addrs (open addressing, <= 50 %). */
		if ((f = fopen(truth, "r")) == NULL) {
			perror(truth);
			return 1;
		}
		while (fgets(line, sizeof(line), f))
			lines++;
		fclose(f);
		while (hs < lines * 2 + 2)
			hs <<= 1;
		keys = calloc(hs, sizeof(*keys));
		vals = calloc(hs, sizeof(*vals));
		if (!keys || !vals || (f = fopen(truth, "r")) == NULL)
			return 1;
		while (fgets(line, sizeof(line), f)) {
			char ip[64], v[32];
			struct in_addr a;
			uint32_t k;
			if (sscanf(line, "%63s %31s", ip, v) != 2 ||
			    inet_pton(AF_INET, ip, &a) != 1)
				continue;
			k = ntohl(a.s_addr);
			for (h = (k * 2654435761u) & (hs - 1); keys[h] && keys[h] != k;
			    h = (h + 1) & (hs - 1))
				;
			keys[h] = k;
			vals[h] = vcode(v);
		}
		fclose(f);
		for (size_t j = 0; j < n_checks; j++) {
			uint32_t k = checks[j].ip;
			for (h = (k * 2654435761u) & (hs - 1); keys[h] && keys[h] != k;
			    h = (h + 1) & (hs - 1))
				;
			checks[j].expect = keys[h] ? vals[h] : -1;
		}
		free(keys);
		free(vals);
	}
	if ((lat_ms = calloc(n_checks + 1, sizeof(*lat_ms))) == NULL)
		return 1;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	base = event_base_new();
	ctx = ub_ctx_create_event(base);
	if (base == NULL || ctx == NULL) {
		fprintf(stderr, "ubdriver: cannot create libevent/libunbound\n");
		return 1;
	}
	/* As checker/resolve.c: window lookups, 2 per check at most here. */
	range = window * MAX_NAMES * 2 + 64;
	if (range > 4096)
		range = 4096;
	snprintf(buf, sizeof(buf), "%zu", range);
	opt("module-config:", "iterator");
	opt("outgoing-range:", buf);
	opt("num-queries-per-thread:", buf);
	opt("outgoing-num-tcp:", "64");
	opt("msg-cache-size:", "8m");
	opt("rrset-cache-size:", "16m");
	opt("infra-keep-probing:", "yes");
	opt("infra-host-ttl:", "60");
	opt("do-not-query-localhost:", "no");
	opt("unblock-lan-zones:", "yes");
	opt("insecure-lan-zones:", "yes");
	opt("prefetch:", "no");
	for (i = 0; i < nstub; i++) {
		char *eq = strchr(stubs[i], '=');
		int e;
		if (eq == NULL) {
			fprintf(stderr, "ubdriver: --stub ZONE=ADDR@PORT\n");
			return 2;
		}
		*eq = '\0';
		if ((e = ub_ctx_set_stub(ctx, stubs[i], eq + 1, 0)) != 0) {
			fprintf(stderr, "ubdriver: stub: %s\n", ub_strerror(e));
			return 1;
		}
	}
	if (fwd != NULL && ub_ctx_set_fwd(ctx, fwd) != 0) {
		fprintf(stderr, "ubdriver: bad --forward %s\n", fwd);
		return 1;
	}

	to_ev = evtimer_new(base, timeout_cb, NULL);
	tv.tv_sec = timeout_s;
	tv.tv_usec = 0;
	evtimer_add(to_ev, &tv);
	t_start = last_tick = now_s();
	if (qps > 0) {
		struct timeval one_ms = { 0, 1000 };
		tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
		event_add(tick_ev, &one_ms);
		tokens = 1;
	}
	start_some();
	if (n_checks > 0)
		event_base_dispatch(base);
	if (t_end == 0)
		t_end = now_s();
	stopping = 1;

	if (latout != NULL && (f = fopen(latout, "w")) != NULL) {
		for (size_t j = 0; j < done_checks; j++)
			fprintf(f, "%.3f\n", lat_ms[j]);
		fclose(f);
	}
	qsort(lat_ms, done_checks, sizeof(*lat_ms), dcmp);
	{
		/* Own CPU time and resident memory, for the report. */
		struct rusage ru;
		long anon = 0, file = 0;
		if ((f = fopen("/proc/self/status", "r")) != NULL) {
			while (fgets(line, sizeof(line), f)) {
				sscanf(line, "RssAnon: %ld", &anon);
				sscanf(line, "RssFile: %ld", &file);
			}
			fclose(f);
		}
		getrusage(RUSAGE_SELF, &ru);
		printf("cpu_s=%.3f rss_anon_kb=%ld rss_file_kb=%ld ",
		    ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, anon, file);
	}
	printf("checks=%zu done=%zu lookups=%zu elapsed_s=%.3f checks_per_s=%.1f "
	    "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "pass=%zu no_ptr=%zu no_forward=%zu mismatch=%zu temperror=%zu "
	    "wrong=%zu\n",
	    n_checks, done_checks, n_lookups, t_end - t_start,
	    done_checks / (t_end - t_start), pct(50), pct(90), pct(99),
	    done_checks ? lat_ms[done_checks - 1] : 0.0,
	    counts[V_PASS], counts[V_NO_PTR], counts[V_NO_FORWARD],
	    counts[V_MISMATCH], counts[V_TEMPERROR], wrong);
	if (tick_ev)
		event_free(tick_ev);
	event_free(to_ev);
	ub_ctx_delete(ctx);
	event_base_free(base);
	free(checks);
	free(lat_ms);
	return done_checks == n_checks ? 0 : 1;
}
