/*
 * tests/test_writer.c -- checker/writer.c: the store writer thread on a
 * temporary store, driven from a libevent loop as the checker drives it.
 * What it pins: jobs complete on the loop's thread, in submission order;
 * a put batch is in the store when its completion runs; forget reports
 * deleted / nothing stored; a sweep deletes exactly what
 * record_sweepable() allows, across several steps, with other jobs run
 * in between; writer_wait() and writer_stop() complete everything queued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <cmocka.h>
#include <event2/event.h>
#include "../common/addr.h"
#include "../common/log.h"
#include "../common/verdict.h"
#include "../checker/writer.h"
#include "../store/store.h"

static char tmpdir[64];
static struct event_base *base;
static struct store *wst, *rd;
static struct writer *wr;

/* What the completions saw, in order. */
static struct {
	int kinds[64];
	int rc[64];
	size_t swept[64];
	int n;
	pthread_t thread[64];
	int found_at_done;    /* the put's record, read when it completed */
} seen;

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
key_of(unsigned i, uint8_t k[ADDR_LEN])
{
	char ip[32];

	snprintf(ip, sizeof(ip), "198.%u.%u.%u", 18 + (i >> 16),
	    (i >> 8) & 0xff, i & 0xff);
	assert_int_equal(addr_parse(ip, k), 0);
}

static void
done_cb(struct wjob *j, void *arg)
{
	struct store_record r;

	(void)arg;
	assert_true(seen.n < 64);
	seen.kinds[seen.n] = j->kind;
	seen.rc[seen.n] = j->rc;
	seen.swept[seen.n] = j->swept;
	seen.thread[seen.n] = pthread_self();
	if (j->kind == WJ_PUT && j->n > 0) {
		seen.found_at_done = store_get(rd, j->keys[0], &r) == STORE_OK;
		store_release(rd);
	}
	seen.n++;
	wjob_free(j);
	if (seen.n >= (int)(intptr_t)arg)
		event_base_loopbreak(base);
}

static int
setup(void **state)
{
	char dir[128];

	(void)state;
	memset(&seen, 0, sizeof(seen));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_writer.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/db", tmpdir);
	if (store_open(&wst, dir, STORE_WRITER, 0) != STORE_OK ||
	    store_open(&rd, dir, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	base = event_base_new();
	return base ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	writer_stop(wr);
	wr = NULL;
	store_close(rd);
	store_close(wst);
	event_base_free(base);
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
rec_at(struct store_record *r, int64_t t, int v)
{
	memset(r, 0, sizeof(*r));
	r->verdict = (uint8_t)v;
	r->def_verdict = (uint8_t)v;
	r->match = STORE_MATCH_NONE;
	r->checked_at = t;
	r->def_checked_at = t;
	r->expires_at = t + 300;
}

static void
test_put_forget_in_order(void **state)
{
	struct store_record r, got;
	struct wjob *j;
	uint8_t k[ADDR_LEN];
	unsigned i;

	(void)state;
	assert_int_equal(writer_start(&wr, wst, base, done_cb,
	    (void *)(intptr_t)4), 0);
	j = wjob_new(WJ_PUT);
	for (i = 0; i < 300; i++) {
		key_of(i, k);
		rec_at(&r, 1700000000 + i, V_NO_PTR);
		assert_int_equal(wjob_add(j, k, &r, NULL), 0);
	}
	writer_submit(wr, j);
	j = wjob_new(WJ_FORGET);
	key_of(7, k);
	assert_int_equal(wjob_add(j, k, NULL, NULL), 0);
	writer_submit(wr, j);
	j = wjob_new(WJ_FORGET);
	key_of(99999, k);                 /* never stored */
	assert_int_equal(wjob_add(j, k, NULL, NULL), 0);
	writer_submit(wr, j);
	writer_submit(wr, wjob_new(WJ_PUT));   /* empty: completes too */
	assert_int_equal(writer_pending(wr), 4);
	{
		struct timeval tv = { 10, 0 };
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	assert_int_equal(seen.n, 4);
	assert_int_equal(writer_pending(wr), 0);
	assert_int_equal(seen.kinds[0], WJ_PUT);
	assert_int_equal(seen.rc[0], STORE_OK);
	assert_int_equal(seen.found_at_done, 1);
	assert_int_equal(seen.kinds[1], WJ_FORGET);
	assert_int_equal(seen.rc[1], STORE_OK);
	assert_int_equal(seen.kinds[2], WJ_FORGET);
	assert_int_equal(seen.rc[2], STORE_NOTFOUND);
	assert_int_equal(seen.kinds[3], WJ_PUT);
	for (i = 0; i < 4; i++)
		assert_true(pthread_equal(seen.thread[i], pthread_self()));
	/* the store holds the batch less the forgotten one */
	for (i = 0; i < 300; i++) {
		key_of(i, k);
		assert_int_equal(store_get(rd, k, &got),
		    i == 7 ? STORE_NOTFOUND : STORE_OK);
		if (i != 7)
			assert_int_equal(got.checked_at, 1700000000 + i);
	}
	store_release(rd);
}

static void
test_sweep_in_steps(void **state)
{
	struct store_record r, got;
	struct wjob *j;
	uint8_t k[ADDR_LEN];
	unsigned i, n = WRITER_SWEEP_STEP * 2 + 500, kept = 0;
	int64_t now = 1800000000;

	(void)state;
	/* every third record is fresh, the others expired long ago */
	j = wjob_new(WJ_PUT);
	for (i = 0; i < n; i++) {
		key_of(i, k);
		rec_at(&r, i % 3 == 0 ? now - 10 : now - 10 * 86400, V_PASS);
		assert_int_equal(wjob_add(j, k, &r, NULL), 0);
	}
	assert_int_equal(writer_start(&wr, wst, base, done_cb,
	    (void *)(intptr_t)3), 0);
	writer_submit(wr, j);
	j = wjob_new(WJ_SWEEP);
	j->now = now;
	j->grace = 86400;
	j->interest = 3600;
	writer_submit(wr, j);
	/* a put queued behind the sweep completes before it ends */
	j = wjob_new(WJ_PUT);
	key_of(n + 1, k);
	rec_at(&r, now, V_MISMATCH);
	assert_int_equal(wjob_add(j, k, &r, NULL), 0);
	writer_submit(wr, j);
	{
		struct timeval tv = { 30, 0 };
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.kinds[0], WJ_PUT);
	assert_int_equal(seen.kinds[1], WJ_PUT);
	assert_int_equal(seen.kinds[2], WJ_SWEEP);
	assert_int_equal(seen.rc[2], STORE_OK);
	assert_int_equal(seen.swept[2], n - (n + 2) / 3);
	for (i = 0; i < n; i++) {
		key_of(i, k);
		if (store_get(rd, k, &got) == STORE_OK)
			kept++;
		else
			assert_true(i % 3 != 0);
	}
	store_release(rd);
	assert_int_equal(kept, (n + 2) / 3);
}

static void
test_wait_and_stop_complete_everything(void **state)
{
	struct store_record r;
	struct wjob *j;
	uint8_t k[ADDR_LEN];

	(void)state;
	assert_int_equal(writer_start(&wr, wst, base, done_cb,
	    (void *)(intptr_t)64), 0);
	j = wjob_new(WJ_PUT);
	key_of(1, k);
	rec_at(&r, 1700000000, V_NO_FORWARD);
	assert_int_equal(wjob_add(j, k, &r, NULL), 0);
	writer_submit(wr, j);
	writer_wait(wr);                 /* no loop needed */
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.found_at_done, 1);
	writer_submit(wr, wjob_new(WJ_SWEEP));
	writer_submit(wr, wjob_new(WJ_PUT));
	writer_stop(wr);
	wr = NULL;
	/* both ran (a sweep completes after the jobs queued behind it,
	 * or first if it ended before they came) */
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.kinds[1] + seen.kinds[2], WJ_SWEEP + WJ_PUT);
	assert_int_not_equal(seen.kinds[1], seen.kinds[2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_forget_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_in_steps,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wait_and_stop_complete_everything, setup, teardown),
	};
	log_init("test-writer", -1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
