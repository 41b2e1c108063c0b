/*
 * metrics.c -- counters in the Prometheus text format (version 0.0.4)
 * over libevent's evhttp, and the walk over every figure that
 * `fcrdnsctl stats` shares (see metrics.h for where each comes from).
 *
 * Names follow the Prometheus conventions: a fcrdnsd_ prefix, _total for
 * counters, base units (seconds, bytes), and labels for one dimension
 * (rcode, verdict, list) instead of one name per value.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "../common/log.h"
#include "../common/verdict.h"
#include "../store/store.h"
#include "metrics.h"
#include "overrides.h"
#include "server.h"

/* Check-latency buckets (upper bounds in ms; the last is +Inf). */
static const uint32_t lat_edges_ms[] = {
	5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000
};
#define LAT_N (sizeof(lat_edges_ms) / sizeof(lat_edges_ms[0]))

/* What the main thread has learnt from the checker's messages. */
static struct {
	uint64_t checks[8];        /* finished checks, by verdict */
	uint64_t no_check[8];      /* IPC_DONE without a check, by verdict */
	uint64_t rechecks;
	uint64_t lat[LAT_N + 1];   /* per bucket (not cumulative), +Inf last */
	uint64_t lat_sum_ms;
	uint64_t lat_count;
	struct ipc_stats load;     /* latest IPC_STATS */
} cv;

static struct evhttp *metrics_http;
static struct evconnlistener *metrics_listener;
static struct event *metrics_resume;
static struct store *metrics_store;
static struct event *metrics_poll;

void
metrics_note_ipc(const struct ipc_msg *m)
{
	uint32_t ms;
	size_t i;

	if (m->type == IPC_STATS) {
		memcpy(&cv.load, m->addr, sizeof(cv.load));
		return;
	}
	if (m->type != IPC_DONE)
		return;
	if (m->arg & IPC_DONE_RECHECK)
		cv.rechecks++;
	if (!(m->arg & IPC_DONE_CHECKED)) {
		cv.no_check[m->verdict & 7]++;
		return;
	}
	cv.checks[m->verdict & 7]++;
	ms = m->arg & IPC_DONE_MS_MASK;
	for (i = 0; i < LAT_N && ms > lat_edges_ms[i]; i++)
		;
	cv.lat[i]++;
	cv.lat_sum_ms += ms;
	cv.lat_count++;
}

/* ---- the walk ----------------------------------------------------------- */

static void
one(const struct metrics_sink *k, const char *name, const char *type,
	const char *help, uint64_t v)
{
	k->family(k->arg, name, type, help);
	k->sample(k->arg, name, "", v, 0);
}

static void
walk_verdicts(const struct metrics_sink *k, const char *name,
	const char *help, const uint64_t by[8], int first, int last)
{
	char lab[48];
	int v;

	k->family(k->arg, name, "counter", help);
	for (v = first; v <= last; v++) {
		snprintf(lab, sizeof(lab), "verdict=\"%s\"", verdict_name(v));
		k->sample(k->arg, name, lab, by[v], 0);
	}
}

static void
walk_histogram(const struct metrics_sink *k)
{
	static const char *name = "fcrdnsd_check_duration_seconds";
	char lab[48], bname[64];
	uint64_t cum = 0;
	size_t i;

	k->family(k->arg, name, "histogram",
	    "Time from the start of a check to its verdict, as the checker "
	    "measured it.");
	snprintf(bname, sizeof(bname), "%s_bucket", name);
	for (i = 0; i < LAT_N; i++) {
		cum += cv.lat[i];
		snprintf(lab, sizeof(lab), "le=\"%u.%03u\"",
		    lat_edges_ms[i] / 1000, lat_edges_ms[i] % 1000);
		k->sample(k->arg, bname, lab, cum, 0);
	}
	cum += cv.lat[LAT_N];
	k->sample(k->arg, bname, "le=\"+Inf\"", cum, 0);
	snprintf(bname, sizeof(bname), "%s_sum", name);
	k->sample(k->arg, bname, "", cv.lat_sum_ms, 1);
	snprintf(bname, sizeof(bname), "%s_count", name);
	k->sample(k->arg, bname, "", cv.lat_count, 0);
}

void
metrics_walk(struct server *s, struct store *store,
	const struct metrics_sink *k)
{
	static const struct { const char *rcode; size_t off; } rc[] = {
		{ "NOERROR", offsetof(struct respond_stats, noerror) },
		{ "NXDOMAIN", offsetof(struct respond_stats, nxdomain) },
		{ "FORMERR", offsetof(struct respond_stats, formerr) },
		{ "NOTIMP", offsetof(struct respond_stats, notimp) },
		{ "REFUSED", offsetof(struct respond_stats, refused) },
	};
	struct respond_stats rs;
	struct server_stats ss;
	uint64_t entries = 0, bytes = 0, by[8];
	char lab[48];
	size_t i;

	server_stats_sum(s, &rs, &ss);
	one(k, "fcrdnsd_queries_total", "counter",
	    "DNS queries received (UDP and TCP).", rs.queries);
	one(k, "fcrdnsd_queries_dropped_total", "counter",
	    "Queries dropped without an answer (malformed).", rs.dropped);
	k->family(k->arg, "fcrdnsd_answers_total", "counter",
	    "Answers sent, by RCODE.");
	for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&rs + rc[i].off, sizeof(v));
		snprintf(lab, sizeof(lab), "rcode=\"%s\"", rc[i].rcode);
		k->sample(k->arg, "fcrdnsd_answers_total", lab, v, 0);
	}
	/* listings by their code; the rest by the verdict served */
	memcpy(by, rs.by_verdict, sizeof(by));
	walk_verdicts(k, "fcrdnsd_answers_by_verdict_total",
	    "Answers for addresses, by the verdict served (deadline, "
	    "table-full and override answers are counted apart).", by,
	    V_PASS, V_NOT_APPLICABLE);
	k->family(k->arg, "fcrdnsd_override_answers_total", "counter",
	    "Answers decided by the exempt or block list.");
	k->sample(k->arg, "fcrdnsd_override_answers_total", "list=\"exempt\"",
	    rs.exempt, 0);
	k->sample(k->arg, "fcrdnsd_override_answers_total", "list=\"block\"",
	    rs.blocked, 0);
	k->family(k->arg, "fcrdnsd_override_entries", "gauge",
	    "Networks on the exempt and block lists in force.");
	k->sample(k->arg, "fcrdnsd_override_entries", "list=\"exempt\"",
	    overrides_current_count(OVR_EXEMPT), 0);
	k->sample(k->arg, "fcrdnsd_override_entries", "list=\"block\"",
	    overrides_current_count(OVR_BLOCK), 0);
	one(k, "fcrdnsd_cache_hits_total", "counter",
	    "Address queries answered from the store.", rs.hits);
	one(k, "fcrdnsd_cache_misses_total", "counter",
	    "Address queries with no usable verdict (a check was asked for).",
	    rs.misses);
	one(k, "fcrdnsd_stale_answers_total", "counter",
	    "Answers from an expired verdict within --grace (RFC 8767).",
	    rs.stale);
	one(k, "fcrdnsd_refreshes_total", "counter",
	    "Background re-checks asked for (IPC_REFRESH).", rs.refreshes);
	one(k, "fcrdnsd_waits_total", "counter",
	    "Queries parked to wait for their check.", ss.waited);
	one(k, "fcrdnsd_wait_answers_total", "counter",
	    "Parked queries answered when their check finished.",
	    ss.answered_done);
	one(k, "fcrdnsd_deadline_answers_total", "counter",
	    "Parked queries answered at --wait-ms without a verdict.",
	    ss.deadline);
	one(k, "fcrdnsd_table_full_answers_total", "counter",
	    "Queries given the deadline answer at once: no room to wait.",
	    ss.table_full);
	one(k, "fcrdnsd_ipc_dropped_total", "counter",
	    "Messages for the checker that could not be sent.",
	    ss.ipc_dropped);
	one(k, "fcrdnsd_tcp_refused_total", "counter",
	    "TCP connections refused over --tcp-max.", ss.tcp_refused);
	one(k, "fcrdnsd_udp_oversize_total", "counter",
	    "UDP datagrams too large, dropped.", ss.udp_oversize);

	walk_verdicts(k, "fcrdnsd_checks_total",
	    "Checks finished, by verdict (from the checker's IPC_DONE).",
	    cv.checks, V_PASS, V_TEMPERROR);
	walk_verdicts(k, "fcrdnsd_checker_answers_without_check_total",
	    "IPC_DONE with no lookup behind it: skipped ranges, back-off, "
	    "full queue.", cv.no_check, V_TEMPERROR, V_NOT_APPLICABLE);
	one(k, "fcrdnsd_rechecks_total", "counter",
	    "Forced re-checks finished (fcrdnsctl recheck).", cv.rechecks);
	walk_histogram(k);
	one(k, "fcrdnsd_checks_in_flight", "gauge",
	    "Checks running in the checker (as of its last report, <= 1 s).",
	    cv.load.running);
	one(k, "fcrdnsd_check_queue_length", "gauge",
	    "Addresses waiting for room in the checker's window.",
	    cv.load.queued);
	one(k, "fcrdnsd_check_backoff_waiting", "gauge",
	    "Addresses in TEMPERROR back-off waiting for their retry.",
	    cv.load.retry_wait);
	one(k, "fcrdnsd_checker_lookups", "gauge",
	    "DNS lookups libunbound has outstanding.", cv.load.lookups);

	if (store != NULL && store_stat(store, &entries, &bytes) == STORE_OK) {
		one(k, "fcrdnsd_store_entries", "gauge",
		    "Verdict records in the store.", entries);
		one(k, "fcrdnsd_store_bytes", "gauge",
		    "Bytes of the store's map in use.", bytes);
	}
	one(k, "fcrdnsd_checker_restarts_total", "counter",
	    "Times the checker process was started again.",
	    ss.checker_restarts);
	one(k, "fcrdnsd_checker_up", "gauge",
	    "1 while the checker process runs.", s->checker_pid > 0);
	one(k, "fcrdnsd_workers", "gauge", "Answering threads.",
	    (uint64_t)s->n_workers);
}

/* ---- HTTP --------------------------------------------------------------- */

static void
prom_family(void *arg, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(arg, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
prom_sample(void *arg, const char *name, const char *labels, uint64_t v,
	int milli)
{
	const char *lb = *labels ? "{" : "", *rb = *labels ? "}" : "";

	if (milli)
		evbuffer_add_printf(arg, "%s%s%s%s %llu.%03llu\n", name, lb,
		    labels, rb, (unsigned long long)(v / 1000),
		    (unsigned long long)(v % 1000));
	else
		evbuffer_add_printf(arg, "%s%s%s%s %llu\n", name, lb, labels,
		    rb, (unsigned long long)v);
}

static void
metrics_http_cb(struct evhttp_request *req, void *arg)
{
	struct server *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct metrics_sink k = { prom_family, prom_sample, NULL };
	struct evbuffer *out;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET || path == NULL ||
	    strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if ((out = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	k.arg = out;
	metrics_walk(s, metrics_store, &k);
	/* a scrape must not pin the store's pages (store.h) */
	store_release(metrics_store);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", out);
	evbuffer_free(out);
}

/* Ask the checker for its load figures (IPC_STATS), once a second. */
static void
metrics_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)link_send(arg, IPC_STATS, NULL);
}

static void
metrics_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (metrics_listener != NULL)
		evconnlistener_enable(metrics_listener);
}

/* accept(2) failed (out of descriptors, most likely): the listening
 * socket stays readable, so stop accepting for a second rather than
 * spin the main loop; libevent has logged the error. */
static void
metrics_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct timeval sec = { 1, 0 };

	(void)arg;
	evconnlistener_disable(lev);
	if (metrics_resume != NULL)
		evtimer_add(metrics_resume, &sec);
}

int
metrics_start(struct server *s)
{
	const struct config *cfg = s->cfg;
	struct timeval sec = { 1, 0 };
	char a[ADDR_STRLEN];

	/* `fcrdnsctl stats` shows the checker's figures too: poll always */
	metrics_poll = event_new(s->base, -1, EV_PERSIST, metrics_poll_cb, s);
	if (metrics_poll == NULL || event_add(metrics_poll, &sec) != 0) {
		fprintf(stderr, "fcrdnsd: cannot set up the metrics timer\n");
		return -1;
	}
	if (cfg->metrics.port == 0)
		return 0;
	addr_format(cfg->metrics.addr, a, sizeof(a));
	if ((metrics_http = evhttp_new(s->base)) == NULL) {
		fprintf(stderr, "fcrdnsd: --metrics: out of memory\n");
		return -1;
	}
	{
		struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(
		    metrics_http, a, cfg->metrics.port);

		if (bs == NULL) {
			fprintf(stderr, "fcrdnsd: --metrics %s@%u: cannot "
			    "listen (address in use?)\n", a, cfg->metrics.port);
			evhttp_free(metrics_http);
			metrics_http = NULL;
			return -1;
		}
		metrics_listener = evhttp_bound_socket_get_listener(bs);
		metrics_resume = evtimer_new(s->base, metrics_resume_cb, NULL);
		if (metrics_listener != NULL)
			evconnlistener_set_error_cb(metrics_listener,
			    metrics_accept_error_cb);
	}
	/* small, slow clients must not hold the main loop's memory */
	evhttp_set_max_headers_size(metrics_http, 8192);
	evhttp_set_max_body_size(metrics_http, 1024);
	evhttp_set_timeout(metrics_http, 10);
	evhttp_set_gencb(metrics_http, metrics_http_cb, s);
	if (store_open(&metrics_store, cfg->db, STORE_RDONLY, 0) != STORE_OK)
		metrics_store = NULL;  /* logged; no store figures */
	log_info("metrics on http://%s%s%s:%u/metrics",
	    addr_is_v4(cfg->metrics.addr) ? "" : "[", a,
	    addr_is_v4(cfg->metrics.addr) ? "" : "]", cfg->metrics.port);
	return 0;
}

void
metrics_stop(void)
{
	if (metrics_poll != NULL)
		event_free(metrics_poll);
	metrics_poll = NULL;
	if (metrics_http != NULL)
		evhttp_free(metrics_http);
	metrics_http = NULL;
	metrics_listener = NULL;
	if (metrics_resume != NULL)
		event_free(metrics_resume);
	metrics_resume = NULL;
	store_close(metrics_store);
	metrics_store = NULL;
}
