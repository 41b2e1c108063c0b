/*
 * bench/fill_store.c -- fill a verdict store with COUNT realistic
 * verdicts in random key order, through store/ (the same code the checker
 * writes with), in big batches. For the store-scale benchmark: file size
 * per verdict, hit-path CPU against a large store, time to first answer.
 *
 * usage: fill_store --db DIR [--count N] [--batch B] [--seed S] [--map-mb M]
 *
 * --map-mb sets the map size the store records (default: room for the
 * whole fill); tests/threads.sh fills a 64 MiB map nearly full so that
 * the checker grows it while the server reads.
 *
 * The mix, roughly what a mail gateway sees: 60 % PASS (one name, a few
 * with two, the client's address), 20 % NO_PTR, 5 % NO_FORWARD, 10 %
 * MISMATCH (one or two other addresses), 5 % TEMPERROR back-off state
 * (half with an older definitive verdict), checked over the last day
 * (so some have expired and are served stale). 90 % IPv4 from public ranges
 * outside 11.0.0.0/8 (which the bench world uses), 10 % IPv6 in
 * 2001::/16-2a0f::/16. Names look like ISP host names, 20..45 octets.
 * Prints key=value results on stdout.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../common/log.h"
#include "../common/verdict.h"
#include "../store/store.h"

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* splitmix64: fast, and good enough for a benchmark's keys */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* A public-looking IPv4 address outside the skip list and 11/8. */
static void
rand_v4(uint8_t key[ADDR_LEN])
{
	uint8_t a;

	for (;;) {
		uint32_t x = (uint32_t)rnd();
		a = (uint8_t)(x >> 24);
		if (a == 0 || a == 10 || a == 11 || a == 127 || a >= 224)
			continue;
		if ((a == 100 && ((x >> 16) & 0xc0) == 64) ||
		    (a == 169 && ((x >> 16) & 0xff) == 254) ||
		    (a == 172 && ((x >> 16) & 0xf0) == 16) ||
		    (a == 192 && ((x >> 16) & 0xff) == 168))
			continue;
		memset(key, 0, ADDR_LEN);
		key[10] = key[11] = 0xff;
		key[12] = a;
		key[13] = (uint8_t)(x >> 16);
		key[14] = (uint8_t)(x >> 8);
		key[15] = (uint8_t)x;
		return;
	}
}

static void
rand_v6(uint8_t key[ADDR_LEN])
{
	uint64_t hi = rnd(), lo = rnd();
	int i;

	key[0] = 0x20;
	key[1] = (uint8_t)(0x01 + below(0x0f));
	for (i = 2; i < 8; i++)
		key[i] = (uint8_t)(hi >> (8 * i));
	for (i = 8; i < 16; i++)
		key[i] = (uint8_t)(lo >> (8 * (i - 8)));
}

static const char *const isp[] = {
	"dynamic.example-isp.net", "static.provider.com", "mail.example.org",
	"cust.telecom-operator.de", "pool.broadband.example.co.uk",
	"hosted-by.cloud.example", "rev.smtp-relay.example.fr", "ip.dsl.example.it",
};

/* Append one packed name (length octet + text) for key to names. */
static size_t
add_name(uint8_t *names, size_t off, const uint8_t key[ADDR_LEN], int v4,
	int variant)
{
	char buf[STORE_MAX_NAMELEN + 1];
	int n;

	if (v4)
		n = snprintf(buf, sizeof(buf), "%s%u-%u-%u-%u.%s",
		    variant ? "mx" : "host-", key[12], key[13], key[14], key[15],
		    isp[below(sizeof(isp) / sizeof(isp[0]))]);
	else
		n = snprintf(buf, sizeof(buf), "%s%02x%02x%02x%02x.%s",
		    variant ? "mx" : "v6-", key[12], key[13], key[14], key[15],
		    isp[below(sizeof(isp) / sizeof(isp[0]))]);
	if (n <= 0 || n > STORE_MAX_NAMELEN)
		n = 10;
	names[off] = (uint8_t)n;
	memcpy(names + off + 1, buf, (size_t)n);
	return off + 1 + (size_t)n;
}

static void
fill_record(struct store_record *r, uint8_t *names, uint8_t *addrs,
	const uint8_t key[ADDR_LEN], int64_t now)
{
	uint32_t p = below(100);
	int v4 = key[10] == 0xff && key[0] == 0;
	size_t off = 0;
	uint32_t ttl = 300 + below(86400 - 300);

	memset(r, 0, sizeof(*r));
	r->match = STORE_MATCH_NONE;
	/* Checked over the last day; asked last around the check. Only
	 * the TEMPERROR records asked within --interest (1 h) are still
	 * retried: about 1/24 of them, as after a restart in real life. */
	r->checked_at = now - below(86400);
	r->last_query_at = r->checked_at + below(60);
	if (p < 60) {                                  /* PASS */
		r->verdict = V_PASS;
		off = add_name(names, off, key, v4, 0);
		r->n_names = 1;
		if (below(20) == 0) {
			off = add_name(names, off, key, v4, 1);
			r->n_names = 2;
		}
		r->match = 0;
		memcpy(addrs, key, ADDR_LEN);
		r->n_addrs = 1;
	} else if (p < 80) {                           /* NO_PTR */
		r->verdict = V_NO_PTR;
	} else if (p < 85) {                           /* NO_FORWARD */
		r->verdict = V_NO_FORWARD;
		off = add_name(names, off, key, v4, 0);
		r->n_names = 1;
	} else if (p < 95) {                           /* MISMATCH */
		r->verdict = V_MISMATCH;
		off = add_name(names, off, key, v4, 0);
		r->n_names = 1;
		r->match = 0;
		memcpy(addrs, key, ADDR_LEN);
		addrs[15] ^= 0x5a;
		r->n_addrs = 1;
		if (below(4) == 0) {
			memcpy(addrs + ADDR_LEN, key, ADDR_LEN);
			addrs[ADDR_LEN + 14] ^= 0x33;
			r->n_addrs = 2;
		}
	} else {                                       /* TEMPERROR */
		r->verdict = V_TEMPERROR;
		r->fail_count = 1 + below(5);
		r->backoff_s = 30u << (r->fail_count - 1);
		r->retry_at = r->checked_at + r->backoff_s;
		if (below(2)) {
			r->def_verdict = V_PASS;
			r->def_checked_at = r->checked_at - 86400;
			r->expires_at = r->def_checked_at + 3600;
			off = add_name(names, off, key, v4, 0);
			r->n_names = 1;
			r->match = 0;
			memcpy(addrs, key, ADDR_LEN);
			r->n_addrs = 1;
		} else {
			r->def_verdict = V_NONE;
		}
		r->names = names;
		r->names_len = off;
		r->addrs = addrs;
		return;
	}
	r->def_verdict = r->verdict;
	r->def_checked_at = r->checked_at;
	r->expires_at = r->checked_at + ttl;
	r->names = names;
	r->names_len = off;
	r->addrs = addrs;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "map-mb", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	unsigned long long count = 10000000ULL, batch = 100000, i, inbatch = 0;
	unsigned long long map_mb = 0;
	uint64_t entries = 0, bytes = 0;
	uint8_t key[ADDR_LEN], names[4 * (STORE_MAX_NAMELEN + 1)];
	uint8_t addrs[4 * ADDR_LEN];
	struct store_record rec;
	struct store *st;
	struct stat sb;
	char path[4096];
	double t0, t1;
	int64_t now = (int64_t)time(NULL);
	int ch, rc;

	rng_state = 0x5eed;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		case 's': rng_state = strtoull(optarg, NULL, 10); break;
		case 'm': map_mb = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (db == NULL || batch == 0) {
		fprintf(stderr, "usage: fill_store --db DIR [--count N] "
		    "[--batch B] [--seed S] [--map-mb M]\n");
		return 2;
	}
	log_init("fill_store", 0);
	/* Start with a map that holds the whole fill: no replay on growth. */
	if (store_open(&st, db, STORE_WRITER, map_mb ? (size_t)(map_mb << 20) :
	    (size_t)(count * 400 + (256ULL << 20))) != STORE_OK)
		return 1;
	t0 = now_s();
	for (i = 0; i < count; i++) {
		if (inbatch == 0 && store_write_begin(st) != STORE_OK)
			return 1;
		if (below(10) == 0)
			rand_v6(key);
		else
			rand_v4(key);
		fill_record(&rec, names, addrs, key, now);
		if (store_put(st, key, &rec) != STORE_OK) {
			fprintf(stderr, "fill_store: put failed at %llu\n", i);
			return 1;
		}
		if (++inbatch == batch || i + 1 == count) {
			if ((rc = store_write_commit(st)) != STORE_OK) {
				fprintf(stderr, "fill_store: commit: %d\n", rc);
				return 1;
			}
			inbatch = 0;
		}
	}
	t1 = now_s();
	store_stat(st, &entries, &bytes);
	store_close(st);
	snprintf(path, sizeof(path), "%s/data.mdb", db);
	if (stat(path, &sb) != 0) {
		perror(path);
		return 1;
	}
	printf("written=%llu entries=%llu file_bytes=%lld used_bytes=%llu "
	    "disk_bytes=%lld bytes_per_verdict=%.1f used_per_verdict=%.1f "
	    "fill_s=%.1f puts_per_s=%.0f\n",
	    count, (unsigned long long)entries, (long long)sb.st_size,
	    (unsigned long long)bytes, (long long)sb.st_blocks * 512,
	    entries ? (double)sb.st_size / (double)entries : 0.0,
	    entries ? (double)bytes / (double)entries : 0.0,
	    t1 - t0, (double)count / (t1 - t0));
	return 0;
}
