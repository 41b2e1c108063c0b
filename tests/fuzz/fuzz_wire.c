/*
 * fuzz_wire.c -- libFuzzer target for the whole wire path: the query
 * parser, the name grammar, the serving policy and the answer builder,
 * over arbitrary bytes (make fuzz).
 *
 * Input: byte 0 picks the transport (bit 0: TCP), the client (bit 1: a
 * client outside the access list) and, for queries that wait, whether
 * they end at the deadline (bit 2); the rest is the packet. A small store
 * with one record of each listing kind is made once, so that listed
 * answers (A + TXT, long names) are built too.
 * Invariants checked on every answer: it fits the buffer, a UDP answer
 * fits the client's limit, and ldns parses it back with the question
 * echoed and QR set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include "../../common/addr.h"
#include "../../common/config.h"
#include "../../common/log.h"
#include "../../common/verdict.h"
#include "../../server/respond.h"
#include "../../server/zone.h"
#include "../../store/store.h"

static struct config cfg;
static struct zone *zone;
static struct store *reader;
static struct responder resp;
static uint8_t buf[65535 + 2];

static int
hook_ok(void *arg, const uint8_t addr[ADDR_LEN])
{
	return 0;
}

static void
put(struct store *w, const char *ip, int verdict, const char *name,
	const char *fwd)
{
	struct store_record r;
	uint8_t key[ADDR_LEN], names[256], a[ADDR_LEN];
	size_t n = strlen(name);

	memset(&r, 0, sizeof(r));
	addr_parse(ip, key);
	r.verdict = r.def_verdict = (uint8_t)verdict;
	r.match = STORE_MATCH_NONE;
	r.checked_at = r.def_checked_at = 1000;
	r.expires_at = 2000000000;
	if (n) {
		names[0] = (uint8_t)n;
		memcpy(names + 1, name, n);
		r.names = names;
		r.names_len = n + 1;
		r.n_names = 1;
	}
	if (fwd) {
		addr_parse(fwd, a);
		r.addrs = a;
		r.n_addrs = 1;
	}
	if (store_put(w, key, &r) != STORE_OK)
		abort();
}

static void
setup(void)
{
	char dir[] = "/tmp/fcrdns-fuzz.XXXXXX", err[256];
	struct store *w;
	char longname[250];

	log_init("fuzz", -3); /* errors only */
	config_defaults(&cfg);
	if (!mkdtemp(dir) || zone_load(&zone, "zones/fcrdns.local.zone",
	    cfg.zone, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: run from the repository root: %s\n", err);
		exit(1);
	}
	if (store_open(&w, dir, STORE_WRITER, 0) != STORE_OK)
		exit(1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (int i = 60; i < (int)sizeof(longname) - 1; i += 61)
		longname[i] = '.';
	put(w, "192.0.2.2", V_NO_PTR, "", NULL);
	put(w, "192.0.2.4", V_NO_FORWARD, "gone4.example.com", NULL);
	put(w, "192.0.2.6", V_MISMATCH, longname, "198.51.100.6");
	put(w, "2001:db8::27", V_NO_FORWARD, "v4only27.example.com", NULL);
	put(w, "192.0.2.1", V_PASS, "mx1.example.com", "192.0.2.1");
	store_close(w);
	if (store_open(&reader, dir, STORE_RDONLY, 0) != STORE_OK)
		exit(1);
	respond_init(&resp, &cfg, zone, reader);
	resp.hooks.check = resp.hooks.refresh = resp.hooks.seen = hook_ok;
	resp.now = 1500;
}

/* The answer must be a DNS message ldns can read, with QR set. */
static void
check_answer(const uint8_t *ans, size_t len, int tcp)
{
	ldns_pkt *p = NULL;

	if (len > sizeof(buf) - 2 || len < 12)
		abort();
	if (!tcp && len > 65535)
		abort();
	if (!(ans[2] & 0x80))
		abort();
	if (ldns_wire2pkt(&p, ans, len) != LDNS_STATUS_OK)
		abort();
	ldns_pkt_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t client[ADDR_LEN], waitaddr[ADDR_LEN];
	size_t outlen = 0, len;
	int tcp, r;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1 || size - 1 > 65535)
		return 0;
	tcp = data[0] & 1;
	if (!tcp && size - 1 > 4096)
		return 0; /* server/udp.c never reads more */
	addr_parse((data[0] & 2) ? "198.51.100.77" : "127.0.0.1", client);
	len = size - 1;
	memcpy(buf, data + 1, len);
	r = respond(&resp, buf, len, tcp ? sizeof(buf) : 4096, client, tcp,
	    &outlen, waitaddr);
	if (r == RESPOND_WAIT) {
		memcpy(buf, data + 1, len);
		r = respond_final(&resp, buf, len, tcp ? sizeof(buf) : 4096,
		    tcp, (data[0] >> 2) & 1, &outlen);
		if (r == RESPOND_WAIT)
			abort();
	}
	if (r == RESPOND_SEND)
		check_answer(buf, outlen, tcp);
	store_release(reader);
	return 0;
}
