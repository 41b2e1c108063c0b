/* tests/test_store.c -- store/store.c and store/record.c on a temporary
 * directory: records, batches, readers and writers, map growth, and
 * decoding hostile bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <lmdb.h>
#include "../common/addr.h"
#include "../common/log.h"
#include "../common/verdict.h"
#include "../store/store.h"

static char tmpdir[64];
static char dbdir[128];

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	return remove(p);
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* two levels that do not exist: the writer creates them */
	snprintf(dbdir, sizeof(dbdir), "%s/var/db", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
key_of(const char *s, uint8_t k[ADDR_LEN])
{
	assert_int_equal(addr_parse(s, k), 0);
}

/* A record with two names, the second matching, and two addresses. */
static uint8_t sample_names[] = "\x0f" "a10.example.com\x0f" "b10.example.com";
static uint8_t sample_addrs[2 * ADDR_LEN];

static void
sample(struct store_record *r)
{
	memset(r, 0, sizeof(*r));
	key_of("203.0.113.1", sample_addrs);
	key_of("192.0.2.10", sample_addrs + ADDR_LEN);
	r->verdict = V_PASS;
	r->def_verdict = V_PASS;
	r->match = 1;
	r->n_names = 2;
	r->n_addrs = 2;
	r->checked_at = 1700000000;
	r->def_checked_at = 1699999990;
	r->expires_at = 1700000300;
	r->retry_at = 1700000030;
	r->backoff_s = 60;
	r->fail_count = 3;
	r->last_query_at = 1700000001;
	r->names = sample_names;
	r->names_len = sizeof(sample_names) - 1;
	r->addrs = sample_addrs;
}

static void
assert_same(const struct store_record *a, const struct store_record *b)
{
	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->def_verdict, b->def_verdict);
	assert_int_equal(a->match, b->match);
	assert_int_equal(a->n_names, b->n_names);
	assert_int_equal(a->n_addrs, b->n_addrs);
	assert_int_equal(a->checked_at, b->checked_at);
	assert_int_equal(a->def_checked_at, b->def_checked_at);
	assert_int_equal(a->expires_at, b->expires_at);
	assert_int_equal(a->retry_at, b->retry_at);
	assert_int_equal(a->backoff_s, b->backoff_s);
	assert_int_equal(a->fail_count, b->fail_count);
	assert_int_equal(a->last_query_at, b->last_query_at);
	assert_int_equal(a->names_len, b->names_len);
	if (a->names_len)
		assert_memory_equal(a->names, b->names, a->names_len);
	if (a->n_addrs)
		assert_memory_equal(a->addrs, b->addrs,
		    (size_t)a->n_addrs * ADDR_LEN);
}

static void
test_roundtrip_replace_delete(void **state)
{
	struct store *w;
	struct store_record r, got;
	uint8_t k[ADDR_LEN], k2[ADDR_LEN];
	const uint8_t *name;
	size_t pos = 0, n;
	struct stat sb;

	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	assert_int_equal(stat(dbdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0750);
	sample(&r);
	key_of("192.0.2.10", k);
	key_of("192.0.2.11", k2);
	assert_int_equal(store_get(w, k, &got), STORE_NOTFOUND);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	assert_int_equal(store_get(w, k, &got), STORE_OK);
	assert_same(&r, &got);
	assert_int_equal(store_get(w, k2, &got), STORE_NOTFOUND);

	assert_int_equal(store_names_next(&got, &pos, &name, &n), 1);
	assert_int_equal(n, 15);
	assert_memory_equal(name, "a10.example.com", 15);
	assert_int_equal(store_names_next(&got, &pos, &name, &n), 1);
	assert_memory_equal(name, "b10.example.com", 15);
	assert_int_equal(store_names_next(&got, &pos, &name, &n), 0);

	/* replace with a record without names or addresses */
	memset(&r, 0, sizeof(r));
	r.verdict = V_NO_PTR;
	r.def_verdict = V_NO_PTR;
	r.match = STORE_MATCH_NONE;
	r.checked_at = 5;
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	assert_int_equal(store_get(w, k, &got), STORE_OK);
	assert_same(&r, &got);
	assert_null(got.names);
	assert_null(got.addrs);

	assert_int_equal(store_del(w, k), STORE_OK);
	assert_int_equal(store_get(w, k, &got), STORE_NOTFOUND);
	assert_int_equal(store_del(w, k), STORE_NOTFOUND);
	store_close(w);

	/* and it is still gone after a reopen (durable) */
	assert_int_equal(store_open(&w, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(w, k, &got), STORE_NOTFOUND);
	store_close(w);
}

struct collect {
	int n;
	uint8_t keys[16][ADDR_LEN];
	int stop_at;
};

static int
collect_fn(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	void *arg)
{
	struct collect *c = arg;

	memcpy(c->keys[c->n++], key, ADDR_LEN);
	return c->n == c->stop_at ? 42 : 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, ADDR_LEN);
}

static void
test_foreach_order_and_stat(void **state)
{
	static const char *ips[] = { "2001:db8::26", "192.0.2.6", "10.1.1.1",
	    "198.51.100.1", "::1", "192.0.2.1", "2001:db8::1" };
	uint8_t want[7][ADDR_LEN];
	struct store *w;
	struct store_record r;
	struct collect c;
	uint64_t entries, bytes;
	size_t i;

	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	sample(&r);
	assert_int_equal(store_write_begin(w), STORE_OK);
	for (i = 0; i < 7; i++) {
		key_of(ips[i], want[i]);
		assert_int_equal(store_put(w, want[i], &r), STORE_OK);
	}
	assert_int_equal(store_write_commit(w), STORE_OK);
	qsort(want, 7, ADDR_LEN, cmp_key);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_foreach(w, collect_fn, &c), 0);
	assert_int_equal(c.n, 7);
	assert_memory_equal(c.keys, want, sizeof(want));

	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	assert_int_equal(store_foreach(w, collect_fn, &c), 42);
	assert_int_equal(c.n, 3);

	assert_int_equal(store_stat(w, &entries, &bytes), STORE_OK);
	assert_int_equal(entries, 7);
	assert_true(bytes >= 4096);
	store_close(w);
}

static void
test_batch_commit_abort(void **state)
{
	struct store *w;
	struct store_record r, got, bad;
	uint8_t k1[ADDR_LEN], k2[ADDR_LEN], k3[ADDR_LEN];
	uint64_t entries, bytes;

	key_of("192.0.2.1", k1);
	key_of("192.0.2.2", k2);
	key_of("192.0.2.3", k3);
	sample(&r);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);

	/* abort: nothing stays, though the batch saw its own writes */
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_write_begin(w), STORE_ERR);  /* no nesting */
	assert_int_equal(store_put(w, k1, &r), STORE_OK);
	assert_int_equal(store_put(w, k2, &r), STORE_OK);
	assert_int_equal(store_get(w, k1, &got), STORE_OK);
	store_write_abort(w);
	assert_int_equal(store_get(w, k1, &got), STORE_NOTFOUND);
	assert_int_equal(store_get(w, k2, &got), STORE_NOTFOUND);

	/* commit: all at once */
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_put(w, k1, &r), STORE_OK);
	assert_int_equal(store_put(w, k2, &r), STORE_OK);
	assert_int_equal(store_del(w, k3), STORE_NOTFOUND);
	assert_int_equal(store_del(w, k2), STORE_OK);
	assert_int_equal(store_write_commit(w), STORE_OK);
	assert_int_equal(store_get(w, k1, &got), STORE_OK);
	assert_int_equal(store_get(w, k2, &got), STORE_NOTFOUND);
	assert_int_equal(store_write_commit(w), STORE_ERR);  /* no batch */

	/* a record out of bounds fails the whole batch */
	bad = r;
	bad.match = 7;
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_put(w, k3, &r), STORE_OK);
	assert_int_equal(store_put(w, k2, &bad), STORE_ERR);
	assert_int_equal(store_put(w, k2, &r), STORE_ERR);  /* still failed */
	assert_int_equal(store_write_commit(w), STORE_ERR);
	assert_int_equal(store_get(w, k3, &got), STORE_NOTFOUND);
	assert_int_equal(store_stat(w, &entries, &bytes), STORE_OK);
	assert_int_equal(entries, 1);
	/* a caller that stops at the failing put may begin again */
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_put(w, k2, &bad), STORE_ERR);
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_put(w, k3, &r), STORE_OK);
	assert_int_equal(store_write_commit(w), STORE_OK);
	assert_int_equal(store_get(w, k3, &got), STORE_OK);
	assert_int_equal(store_del(w, k3), STORE_OK);
	/* and alone, outside a batch */
	assert_int_equal(store_put(w, k2, &bad), STORE_ERR);
	assert_int_equal(store_put(w, k2, &r), STORE_OK);
	store_close(w);
}

static void
test_reader_sees_commits_after_release(void **state)
{
	struct store *w, *rd;
	struct store_record r, got;
	uint8_t k[ADDR_LEN];

	key_of("2001:db8::26", k);
	sample(&r);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(rd, k, &got), STORE_NOTFOUND);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	/* the read transaction is a snapshot until released */
	assert_int_equal(store_get(rd, k, &got), STORE_NOTFOUND);
	store_release(rd);
	assert_int_equal(store_get(rd, k, &got), STORE_OK);
	assert_same(&r, &got);
	store_release(rd);
	store_release(rd);      /* harmless twice */
	assert_int_equal(store_put(rd, k, &r), STORE_ERR);  /* read-only */
	store_close(rd);
	store_close(w);
	store_close(NULL);
}

static void
test_reader_before_env_exists(void **state)
{
	struct store *w, *rd;
	struct store_record r, got;
	struct collect c;
	uint64_t entries, bytes;
	uint8_t k[ADDR_LEN];

	key_of("192.0.2.22", k);
	sample(&r);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(rd, k, &got), STORE_NOTFOUND);
	assert_int_equal(store_stat(rd, &entries, &bytes), STORE_OK);
	assert_int_equal(entries, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_foreach(rd, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
	store_release(rd);

	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	/* the reader looks again at most once a second */
	usleep(1100 * 1000);
	assert_int_equal(store_get(rd, k, &got), STORE_OK);
	assert_same(&r, &got);
	store_close(rd);
	store_close(w);
}

static void
key_n(unsigned i, uint8_t k[ADDR_LEN])
{
	memset(k, 0, ADDR_LEN);
	k[0] = 0x20;
	k[1] = 0x01;
	k[2] = 0x0d;
	k[3] = 0xb8;
	k[12] = (uint8_t)(i >> 24);
	k[13] = (uint8_t)(i >> 16);
	k[14] = (uint8_t)(i >> 8);
	k[15] = (uint8_t)i;
}

#define GROW_N 6000

/* Write GROW_N records in batches of 100 and single puts into a map
 * that starts at 64 KiB, so it must double many times. */
static void
grow_fill(const char *dir)
{
	struct store *w;
	struct store_record r;
	uint8_t k[ADDR_LEN];
	unsigned i;

	sample(&r);
	assert_int_equal(store_open(&w, dir, STORE_WRITER, 64 << 10),
	    STORE_OK);
	for (i = 0; i < GROW_N; i++) {
		key_n(i, k);
		r.fail_count = i;
		if (i < GROW_N / 2) {
			if (i % 100 == 0)
				assert_int_equal(store_write_begin(w), STORE_OK);
			assert_int_equal(store_put(w, k, &r), STORE_OK);
			if (i % 100 == 99)
				assert_int_equal(store_write_commit(w),
				    STORE_OK);
		} else {
			assert_int_equal(store_put(w, k, &r), STORE_OK);
		}
	}
	store_close(w);
}

/* In this process: a reader handle shares the writer's environment. */
static void
test_map_growth_same_process(void **state)
{
	struct store *rd, *w;
	struct store_record r, got;
	uint8_t k[ADDR_LEN];
	unsigned i;

	sample(&r);
	key_n(0, k);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 64 << 10),
	    STORE_OK);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(rd, k, &got), STORE_OK);
	store_release(rd);
	grow_fill(dbdir);
	for (i = 0; i < GROW_N; i++) {
		key_n(i, k);
		assert_int_equal(store_get(rd, k, &got), STORE_OK);
		assert_int_equal(got.fail_count, i);
	}
	store_release(rd);
	store_close(rd);
	store_close(w);
}

/*
 * In another process, as the server and the checker are: the reader opens
 * the small environment, the writer grows it, and the reader's next renew
 * gets MDB_MAP_RESIZED, which the store must handle by itself. The
 * reader keeps a transaction open across the growth, too: its snapshot
 * stays readable.
 */
static void
test_map_growth_other_process(void **state)
{
	struct store *w;
	struct store_record r;
	uint8_t k[ADDR_LEN];
	int tochild[2], toparent[2], status;
	char ch;
	pid_t pid;

	sample(&r);
	key_n(0, k);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 64 << 10),
	    STORE_OK);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	store_close(w);  /* no environment may cross the fork */

	assert_int_equal(pipe(tochild), 0);
	assert_int_equal(pipe(toparent), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *rd;
		struct store_record got;
		unsigned i;
		int bad = 0;

		if (store_open(&rd, dbdir, STORE_RDONLY, 0) != STORE_OK)
			_exit(10);
		key_n(0, k);
		if (store_get(rd, k, &got) != STORE_OK)
			_exit(11);
		/* keep this transaction open while the parent grows */
		if (write(toparent[1], "r", 1) != 1 ||
		    read(tochild[0], &ch, 1) != 1)
			_exit(12);
		if (got.n_names != 2 || memcmp(got.names, sample_names,
		    got.names_len) != 0)
			_exit(13);
		key_n(GROW_N - 1, k);
		if (store_get(rd, k, &got) != STORE_NOTFOUND)
			_exit(14);     /* the old snapshot */
		store_release(rd);
		for (i = 0; i < GROW_N; i++) {
			key_n(i, k);
			if (store_get(rd, k, &got) != STORE_OK ||
			    (i > 0 && got.fail_count != i))
				bad++;
		}
		store_close(rd);
		_exit(bad ? 15 : 0);
	}
	assert_int_equal(read(toparent[0], &ch, 1), 1);
	grow_fill(dbdir);
	assert_int_equal(write(tochild[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(tochild[0]);
	close(tochild[1]);
	close(toparent[0]);
	close(toparent[1]);
}

/*
 * A full disk, simulated with RLIMIT_FSIZE (EFBIG, like ENOSPC, from
 * LMDB's writes at commit) in a child process: the failing batch gives
 * STORE_FULL and leaves nothing of itself, every earlier commit stays,
 * and the store reopens clean.
 */
static void
test_disk_full(void **state)
{
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *w;
		struct store_record r, got;
		struct rlimit rl;
		struct stat sb;
		char path[192];
		uint8_t k[ADDR_LEN];
		unsigned i, b, failed = 0, n;
		int rc = STORE_OK;

		sample(&r);
		if (store_open(&w, dbdir, STORE_WRITER, 0) != STORE_OK)
			_exit(10);
		for (i = 0; i < 100; i++) {
			key_n(i, k);
			if (store_put(w, k, &r) != STORE_OK)
				_exit(11);
		}
		snprintf(path, sizeof(path), "%s/data.mdb", dbdir);
		if (stat(path, &sb) != 0)
			_exit(12);
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + (64 << 10);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(13);
		for (b = 1; b < 1000 && rc == STORE_OK; b++) {
			if (store_write_begin(w) != STORE_OK)
				_exit(14);
			for (i = 0; i < 50; i++) {
				key_n(b * 100 + i, k);
				r.fail_count = b;
				if (store_put(w, k, &r) != STORE_OK)
					_exit(15);
			}
			rc = store_write_commit(w);
			failed = b;
		}
		if (rc != STORE_FULL)
			_exit(16);
		store_close(w);
		rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
		setrlimit(RLIMIT_FSIZE, &rl);

		if (store_open(&w, dbdir, STORE_RDONLY, 0) != STORE_OK)
			_exit(17);
		n = 0;
		for (i = 0; i < 100; i++) {
			key_n(i, k);
			n += store_get(w, k, &got) == STORE_OK;
		}
		for (b = 1; b <= failed; b++) {
			for (i = 0; i < 50; i++) {
				key_n(b * 100 + i, k);
				rc = store_get(w, k, &got);
				if (b < failed && (rc != STORE_OK ||
				    got.fail_count != b))
					_exit(18);
				if (b == failed && rc != STORE_NOTFOUND)
					_exit(19);
			}
		}
		store_close(w);
		_exit(n == 100 && failed > 1 ? 0 : 20);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Put raw bytes under key with LMDB itself (no store handle open). */
static void
raw_put(const uint8_t key[ADDR_LEN], const void *data, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { ADDR_LEN, (void *)key }, v = { len, (void *)data };

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 2), 0);
	assert_int_equal(mdb_env_open(env, dbdir, 0, 0640), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "verdicts", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
test_unknown_version_and_corrupt_in_store(void **state)
{
	struct store *st;
	struct store_record r, got;
	struct collect c;
	uint8_t buf[STORE_RECORD_MAX], k1[ADDR_LEN], k2[ADDR_LEN],
	    k3[ADDR_LEN];
	int n;

	key_of("192.0.2.1", k1);
	key_of("192.0.2.2", k2);
	key_of("192.0.2.3", k3);
	sample(&r);
	assert_int_equal(store_open(&st, dbdir, STORE_WRITER, 0), STORE_OK);
	assert_int_equal(store_put(st, k3, &r), STORE_OK);
	store_close(st);

	n = store_record_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	buf[0] = STORE_RECORD_VERSION + 1;
	raw_put(k1, buf, (size_t)n);
	buf[0] = STORE_RECORD_VERSION;
	raw_put(k2, buf, (size_t)n - 1);

	assert_int_equal(store_open(&st, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(st, k1, &got), STORE_NOTFOUND);
	assert_int_equal(store_get(st, k2, &got), STORE_CORRUPT);
	assert_int_equal(store_get(st, k3, &got), STORE_OK);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_foreach(st, collect_fn, &c), 0);
	assert_int_equal(c.n, 1);          /* both bad ones skipped */
	assert_memory_equal(c.keys[0], k3, ADDR_LEN);
	store_close(st);
}

static void
test_decode_every_prefix(void **state)
{
	uint8_t buf[STORE_RECORD_MAX], *copy;
	struct store_record r, got;
	int n, i;

	sample(&r);
	n = store_record_encode(&r, buf, sizeof(buf));
	assert_int_equal(n, 39 + (int)r.names_len + 2 * ADDR_LEN);
	/* each prefix in a heap block of exactly its size: ASan sees any
	 * read past the end */
	for (i = 0; i < n; i++) {
		copy = malloc(i ? (size_t)i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, (size_t)i);
		assert_int_equal(store_record_decode(copy, (size_t)i, &got),
		    STORE_CORRUPT);
		free(copy);
	}
	copy = malloc((size_t)n + 1);
	memcpy(copy, buf, (size_t)n);
	copy[n] = 0;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got), STORE_OK);
	assert_same(&r, &got);
	assert_ptr_equal(got.names, copy + 39);
	/* a trailing byte is corruption too */
	assert_int_equal(store_record_decode(copy, (size_t)n + 1, &got),
	    STORE_CORRUPT);
	/* unknown version */
	copy[0] = 2;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[0] = STORE_RECORD_VERSION;
	/* a name length that runs past the end, and a zero one */
	copy[39] = 0xff;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[39] = 0;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[39] = 15;
	/* match out of range, bad verdicts */
	copy[3] = 2;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[3] = 1;
	copy[1] = V_NOT_APPLICABLE;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[1] = V_PASS;
	copy[2] = V_TEMPERROR;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got),
	    STORE_CORRUPT);
	copy[2] = V_PASS;
	assert_int_equal(store_record_decode(copy, (size_t)n, &got), STORE_OK);
	assert_int_equal(store_record_decode(NULL, 0, &got), STORE_CORRUPT);
	free(copy);
}

static void
test_decode_fixed_bytes(void **state)
{
	/* the layout comment in record.c, byte for byte */
	static const uint8_t want[] = {
		1, 4, 4, 0xff, 1, 1,
		0x05, 0x04, 0x03, 0x02, 0x01,           /* checked_at */
		0x00, 0x00, 0x00, 0x00, 0x00,           /* def_checked_at */
		0xff, 0xff, 0xff, 0xff, 0xff,           /* expires_at */
		0x01, 0x00, 0x00, 0x00, 0x00,           /* retry_at */
		0x02, 0x00, 0x00, 0x00, 0x00,           /* last_query_at */
		0x84, 0x03, 0x00, 0x00,                 /* backoff_s 900 */
		0x07, 0x00, 0x00, 0x80,                 /* fail_count */
		1, 'x',
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 6
	};
	uint8_t buf[128], a[ADDR_LEN];
	struct store_record r;

	memset(&r, 0, sizeof(r));
	key_of("198.51.100.6", a);
	r.verdict = r.def_verdict = V_MISMATCH;
	r.match = STORE_MATCH_NONE;
	r.n_names = 1;
	r.n_addrs = 1;
	r.checked_at = 0x0102030405;
	r.expires_at = ((int64_t)1 << 40) - 1;
	r.retry_at = 1;
	r.last_query_at = 2;
	r.backoff_s = 900;
	r.fail_count = 0x80000007u;
	r.names = (const uint8_t *)"\x01x";
	r.names_len = 2;
	r.addrs = a;
	assert_int_equal(store_record_encode(&r, buf, sizeof(buf)),
	    (int)sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_encode_bounds(void **state)
{
	uint8_t buf[STORE_RECORD_MAX], big[STORE_MAX_NAMES * 2 + 2];
	struct store_record r, b;
	int n, i;

	sample(&r);
	n = store_record_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(store_record_encode(&r, buf, (size_t)n), n);
	assert_int_equal(store_record_encode(&r, buf, (size_t)n - 1), -1);

	b = r; b.match = 2;                  assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.match = STORE_MATCH_NONE;   assert_true(store_record_encode(&b, buf, sizeof(buf)) > 0);
	b = r; b.names_len--;                assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.n_names = 3;                assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.checked_at = -1;            assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.expires_at = (int64_t)1 << 40; assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.verdict = V_NOT_APPLICABLE; assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.def_verdict = V_TEMPERROR;  assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.n_addrs = STORE_MAX_ADDRS + 1; assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
	b = r; b.addrs = NULL;               assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);

	/* a zero-length name */
	b = r;
	b.names = (const uint8_t *)"\x00";
	b.names_len = 1;
	b.n_names = 1;
	b.match = 0;
	assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);

	/* 64 one-letter names fit, 65 do not */
	for (i = 0; i < STORE_MAX_NAMES + 1; i++) {
		big[2 * i] = 1;
		big[2 * i + 1] = 'a';
	}
	b = r;
	b.names = big;
	b.match = 0;
	b.n_names = STORE_MAX_NAMES;
	b.names_len = 2 * STORE_MAX_NAMES;
	assert_true(store_record_encode(&b, buf, sizeof(buf)) > 0);
	b.n_names = STORE_MAX_NAMES + 1;
	b.names_len = 2 * (STORE_MAX_NAMES + 1);
	assert_int_equal(store_record_encode(&b, buf, sizeof(buf)), -1);
}

static void
test_encode_largest(void **state)
{
	static uint8_t names[STORE_MAX_NAMES * 256];
	static uint8_t addrs[STORE_MAX_ADDRS * ADDR_LEN];
	uint8_t *buf = malloc(STORE_RECORD_MAX);
	struct store_record r, got;
	int i;

	for (i = 0; i < STORE_MAX_NAMES; i++) {
		names[i * 256] = 255;
		memset(names + i * 256 + 1, 'a' + i % 26, 255);
	}
	memset(addrs, 0x42, sizeof(addrs));
	sample(&r);
	r.names = names;
	r.names_len = sizeof(names);
	r.n_names = STORE_MAX_NAMES;
	r.addrs = addrs;
	r.n_addrs = STORE_MAX_ADDRS;
	assert_int_equal(store_record_encode(&r, buf, STORE_RECORD_MAX),
	    STORE_RECORD_MAX);
	assert_int_equal(store_record_decode(buf, STORE_RECORD_MAX, &got),
	    STORE_OK);
	assert_same(&r, &got);
	free(buf);
}

static void
test_open_errors(void **state)
{
	struct store *st = (void *)1;
	char path[192];
	FILE *f;

	assert_int_equal(store_open(&st, dbdir, 0, 0), STORE_ERR);
	assert_null(st);
	assert_int_equal(store_open(&st, dbdir, STORE_RDONLY | STORE_WRITER,
	    0), STORE_ERR);
	/* a file where the directory should be */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(store_open(&st, path, STORE_WRITER, 0), STORE_ERR);
	snprintf(path, sizeof(path), "%s/file/db", tmpdir);
	assert_int_equal(store_open(&st, path, STORE_WRITER, 0), STORE_ERR);
}

/* store_sweep: steps of max records in key order, deleting what fn
 * picks, resuming at the key it returns, ending with *more = 0. */
static int
sweep_odd(const struct store_record *rec, void *arg)
{
	(*(int *)arg)++;
	return rec->checked_at % 2 == 1;
}

static void
test_sweep_steps(void **state)
{
	struct store *w;
	struct store_record r, got;
	uint8_t k[ADDR_LEN], from[ADDR_LEN], next[ADDR_LEN];
	char ip[32];
	int i, n, more, visited = 0, deleted = 0, steps = 0;

	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	sample(&r);
	assert_int_equal(store_write_begin(w), STORE_OK);
	for (i = 0; i < 25; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		key_of(ip, k);
		r.checked_at = i;
		assert_int_equal(store_put(w, k, &r), STORE_OK);
	}
	assert_int_equal(store_write_commit(w), STORE_OK);
	memset(from, 0, sizeof(from));
	do {
		n = store_sweep(w, from, 10, sweep_odd, &visited, next, &more);
		assert_true(n >= 0);
		deleted += n;
		steps++;
		memcpy(from, next, sizeof(from));
	} while (more);
	assert_int_equal(steps, 3);        /* 10 + 10 + 5 */
	assert_int_equal(visited, 25);
	assert_int_equal(deleted, 12);     /* 1, 3, ..., 23 */
	for (i = 0; i < 25; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		key_of(ip, k);
		assert_int_equal(store_get(w, k, &got),
		    i % 2 ? STORE_NOTFOUND : STORE_OK);
	}
	/* nothing left to pick: no deletion, and a batch may follow */
	memset(from, 0, sizeof(from));
	assert_int_equal(store_sweep(w, from, 100, sweep_odd, &visited, next,
	    &more), 0);
	assert_int_equal(more, 0);
	assert_int_equal(store_write_begin(w), STORE_OK);
	store_write_abort(w);
	/* not inside an open batch, not on a reader */
	assert_int_equal(store_write_begin(w), STORE_OK);
	assert_int_equal(store_sweep(w, from, 10, sweep_odd, &visited, next,
	    &more), STORE_ERR);
	store_write_abort(w);
	store_close(w);
}

/* A data.mdb cut short (F2 of the adversarial review): LMDB itself
 * would map it and die of SIGBUS on the first page past the end. Both
 * a reader and the writer refuse it with an error; an emptied file is
 * a new store. */
static void
test_truncated_file(void **state)
{
	struct store *w, *rd;
	struct store_record r, got;
	uint8_t k[ADDR_LEN];
	char path[192], ip[32];
	struct stat sb;
	int i;

	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	sample(&r);
	assert_int_equal(store_write_begin(w), STORE_OK);
	for (i = 0; i < 3000; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		key_of(ip, k);
		assert_int_equal(store_put(w, k, &r), STORE_OK);
	}
	assert_int_equal(store_write_commit(w), STORE_OK);
	store_close(w);

	snprintf(path, sizeof(path), "%s/data.mdb", dbdir);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 16 * 4096);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_ERR);
	assert_null(rd);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_ERR);
	assert_null(w);
	/* one page short is as damaged as half */
	assert_int_equal(truncate(path, sb.st_size - 1), 0);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_ERR);
	assert_null(rd);
	/* an emptied file: the writer starts a new store in it */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(store_open(&w, dbdir, STORE_WRITER, 0), STORE_OK);
	key_of("10.0.0.1", k);
	assert_int_equal(store_get(w, k, &got), STORE_NOTFOUND);
	assert_int_equal(store_put(w, k, &r), STORE_OK);
	store_close(w);
	assert_int_equal(store_open(&rd, dbdir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(store_get(rd, k, &got), STORE_OK);
	assert_same(&r, &got);
	store_close(rd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_replace_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_order_and_stat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_commit_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_sees_commits_after_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_before_env_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_growth_same_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_growth_other_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_version_and_corrupt_in_store, setup, teardown),
		cmocka_unit_test(test_decode_every_prefix),
		cmocka_unit_test(test_decode_fixed_bytes),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_encode_largest),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_file, setup,
		    teardown),
	};
	/* errors only (the tests provoke some); TEST_VERBOSE=1 for all */
	log_init("test_store", getenv("TEST_VERBOSE") ? 1 : -2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
