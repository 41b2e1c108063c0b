/*
 * main.c -- fcrdnsd: parse flags, then run as the answer server, or as
 * the checker when exec()ed by the server with --checker-fd.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "../checker/checker.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../store/store.h"
#include "server.h"
#include "zone.h"

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(s->base);
}

static int
server_run(struct config *cfg, char **argv)
{
	static struct server srv;
	struct server *s = &srv;
	struct zone *zone = NULL;
	struct store *store = NULL;
	struct event *sigterm, *sigint;
	char err[512];
	int i;

	if (zone_load(&zone, cfg->zone_file, cfg->zone, err, sizeof(err)) != 0) {
		fprintf(stderr, "fcrdnsd: --zone-file %s: %s\n", cfg->zone_file,
		    err);
		return 2;
	}
	if (store_open(&store, cfg->db, STORE_RDONLY, 0) != STORE_OK) {
		fprintf(stderr, "fcrdnsd: --db %s: cannot open the store\n",
		    cfg->db);
		return 1;
	}
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->argv = argv;
	for (i = 0; i < CONFIG_MAX_LISTEN; i++)
		s->udp_fd[i] = s->tcp_fd[i] = -1;
	s->scratch = malloc(SERVER_SCRATCH);
	s->wq = waitq_new(cfg->max_waiting);
	s->base = event_base_new();
	if (!s->scratch || !s->wq || !s->base) {
		fprintf(stderr, "fcrdnsd: out of memory\n");
		return 1;
	}
	respond_init(&s->resp, cfg, zone, store);
	if (udp_open(s) != 0 || tcp_open(s) != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sigterm = evsignal_new(s->base, SIGTERM, stop_cb, s);
	sigint = evsignal_new(s->base, SIGINT, stop_cb, s);
	if (!sigterm || !sigint || event_add(sigterm, NULL) != 0 ||
	    event_add(sigint, NULL) != 0 || link_start(s) != 0) {
		fprintf(stderr, "fcrdnsd: cannot set up the event loop\n");
		return 1;
	}
	for (i = 0; i < cfg->n_listen; i++) {
		char a[ADDR_STRLEN];
		log_info("listening on %s@%u (udp, tcp), zone %s",
		    addr_format(cfg->listen[i].addr, a, sizeof(a)),
		    cfg->listen[i].port, cfg->zone);
	}
	event_base_dispatch(s->base);

	link_stop(s);
	udp_close(s);
	tcp_close(s);
	event_free(sigterm);
	event_free(sigint);
	log_info("stopped: %llu queries, %llu waited, %llu deadline answers, "
	    "%llu table-full answers",
	    (unsigned long long)s->resp.stats.queries,
	    (unsigned long long)s->stats.waited,
	    (unsigned long long)s->stats.deadline,
	    (unsigned long long)s->stats.table_full);
	store_close(store);
	zone_free(zone);
	waitq_free(s->wq);
	free(s->scratch);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	int r;

	config_defaults(&cfg);
	r = config_parse(&cfg, argc, argv);
	if (r == 1)
		return 0;
	if (r != 0)
		return 2;
	if (cfg.checker_fd >= 0) {
		log_init("fcrdnsd-checker", cfg.verbose);
		return checker_main(&cfg);
	}
	log_init("fcrdnsd", cfg.verbose);
	return server_run(&cfg, argv);
}
