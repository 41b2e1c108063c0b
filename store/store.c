/*
 * store.c -- the verdict store's transactions: reads through one renewed
 * read transaction, batched writes, map growth, walks and statistics.
 * Environments are opened in env.c; the record layout is in record.c.
 *
 * Map growth. store_put()/store_del() log every operation of the open
 * batch (op, key, encoded record) in a buffer that the handle keeps.
 * On MDB_MAP_FULL, from a put or from the commit, the transaction is
 * aborted, the map doubled with mdb_env_set_mapsize(), and the batch
 * replayed from the log in a new transaction. STORE_FULL is returned
 * only when the map cannot grow (STORE_MAP_MAX, or mmap refuses) or the
 * disk is full (ENOSPC, EDQUOT or EFBIG from LMDB's writes at commit);
 * the batch is then aborted as a whole: LMDB writes the meta page that
 * makes a commit visible only after its data pages, so a failed commit
 * leaves the previous state intact. Batches are the checker's small
 * per-loop-turn groups, so the log stays small (it is freed after a
 * batch that made it over 1 MiB).
 *
 * Every live transaction holds the env's maplock for reading, and a
 * remap takes it for writing (env.c explains why).
 */
#include <errno.h>
#include <sys/statvfs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "../common/log.h"

/*
 * Make st->rtxn live: renew the kept transaction (cheap: it only takes a
 * reader slot's snapshot) or begin one. On MDB_MAP_RESIZED the writer has
 * grown the map past ours: remap to the recorded size and try again.
 */
static int
store_rtxn(struct store *st)
{
	struct store_env *se = st->se;
	int rc, tries;

	if (st->rlive)
		return STORE_OK;
	for (tries = 0; tries < 4; tries++) {
		pthread_rwlock_rdlock(&se->maplock);
		if (st->rtxn)
			rc = mdb_txn_renew(st->rtxn);
		else
			rc = mdb_txn_begin(se->env, NULL, MDB_RDONLY,
			    &st->rtxn);
		if (rc == 0) {
			st->rlive = 1;
			return STORE_OK;
		}
		/* a failed renew leaves rtxn reset, a failed begin frees it */
		pthread_rwlock_unlock(&se->maplock);
		if (rc != MDB_MAP_RESIZED) {
			log_err("store %s: read transaction: %s", st->dir,
			    mdb_strerror(rc));
			return STORE_ERR;
		}
		log_debug("store %s: the writer grew the map; remapping",
		    st->dir);
		if (store_remap(st, 0) != 0)
			return STORE_ERR;
	}
	log_err("store %s: map keeps being resized", st->dir);
	return STORE_ERR;
}

void
store_release(struct store *st)
{
	if (st == NULL || !st->rlive)
		return;
	mdb_txn_reset(st->rtxn);
	st->rlive = 0;
	pthread_rwlock_unlock(&st->se->maplock);
}

int
store_get(struct store *st, const uint8_t key[ADDR_LEN],
	struct store_record *rec)
{
	MDB_val k, v;
	MDB_txn *txn;
	char a[ADDR_STRLEN];
	int rc;

	if (!store_ready(st))
		return STORE_NOTFOUND;
	if (st->wtxn) {
		txn = st->wtxn;     /* the writer sees its own batch */
	} else {
		if ((rc = store_rtxn(st)) != STORE_OK)
			return rc;
		txn = st->rtxn;
	}
	k.mv_size = ADDR_LEN;
	k.mv_data = (void *)key;
	rc = mdb_get(txn, st->se->dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_NOTFOUND;
	if (rc != 0) {
		log_err("store %s: get %s: %s", st->dir,
		    addr_format(key, a, sizeof(a)), mdb_strerror(rc));
		return STORE_ERR;
	}
	if (v.mv_size >= 1 &&
	    ((const uint8_t *)v.mv_data)[0] != STORE_RECORD_VERSION) {
		if (!st->version_logged) {
			st->version_logged = 1;
			log_warn("store %s: record of %s has version %u, this "
			    "binary reads %u; treated as absent", st->dir,
			    addr_format(key, a, sizeof(a)),
			    ((const uint8_t *)v.mv_data)[0],
			    STORE_RECORD_VERSION);
		}
		return STORE_NOTFOUND;
	}
	if (store_record_decode(v.mv_data, v.mv_size, rec) != STORE_OK) {
		/* at most once a second: every query for it lands here */
		time_t now = store_mono_sec();
		if (now != st->corrupt_logged_at)
			log_err("store %s: record of %s (%zu bytes) is corrupt",
			    st->dir, addr_format(key, a, sizeof(a)),
			    v.mv_size);
		st->corrupt_logged_at = now;
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/* ---- writing ---- */

static int
store_is_writer(struct store *st, const char *what)
{
	if (st != NULL && (st->flags & STORE_WRITER) && st->se)
		return 1;
	log_err("store %s: %s on a read-only handle",
	    st ? st->dir : "(null)", what);
	return 0;
}

/* Map an LMDB/errno code from a write to a STORE_* code, logging it. */
static int
store_write_error(struct store *st, const char *what, int rc)
{
	struct statvfs vfs;
	time_t now = store_mono_sec();
	int full;

	/* EFBIG: RLIMIT_FSIZE or the file system's largest file. LMDB
	 * reports a write cut short by a full disk as EIO: ask the file
	 * system before calling it an I/O error. */
	full = rc == ENOSPC || rc == EDQUOT || rc == EFBIG ||
	    (rc == EIO && statvfs(st->dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < STORE_LOW_SPACE);
	/* one line a second: a full disk fails every batch */
	if (now != st->err_logged_at) {
		if (st->err_suppressed > 0)
			log_err("store %s: %lu more write errors", st->dir,
			    st->err_suppressed);
		log_err("store %s: %s: %s%s; batch not stored", st->dir, what,
		    mdb_strerror(rc), full && rc == EIO ?
		    " (the file system is full)" : "");
		st->err_logged_at = now;
		st->err_suppressed = 0;
	} else
		st->err_suppressed++;
	return full ? STORE_FULL : STORE_ERR;
}

/* End the write transaction (abort) and drop its maplock hold. */
static void
store_wtxn_abort(struct store *st)
{
	if (st->wtxn == NULL)
		return;
	mdb_txn_abort(st->wtxn);
	st->wtxn = NULL;
	pthread_rwlock_unlock(&st->se->maplock);
}

static int
store_wtxn_begin(struct store *st)
{
	int rc;

	pthread_rwlock_rdlock(&st->se->maplock);
	rc = mdb_txn_begin(st->se->env, NULL, 0, &st->wtxn);
	if (rc != 0) {
		st->wtxn = NULL;
		pthread_rwlock_unlock(&st->se->maplock);
	}
	return rc;
}

/* Apply log entry at off to the write transaction. Returns LMDB's code. */
static int
store_apply(struct store *st, size_t off, size_t *next)
{
	const uint8_t *p = st->log + off;
	uint32_t dlen;
	MDB_val k, v;
	int rc;

	memcpy(&dlen, p + 1 + ADDR_LEN, 4);
	k.mv_size = ADDR_LEN;
	k.mv_data = (void *)(p + 1);
	if (p[0]) {
		rc = mdb_del(st->wtxn, st->se->dbi, &k, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	} else {
		v.mv_size = dlen;
		v.mv_data = (void *)(p + STORE_OP_HDR);
		rc = mdb_put(st->wtxn, st->se->dbi, &k, &v, 0);
	}
	*next = off + STORE_OP_HDR + dlen;
	return rc;
}

/*
 * MDB_MAP_FULL: abort, double the map, replay the batch's log, and
 * repeat while the map is still too small. Returns STORE_OK with a new
 * write transaction holding the whole batch, or STORE_FULL / STORE_ERR.
 */
static int
store_grow_replay(struct store *st)
{
	MDB_envinfo info;
	size_t off, next;
	uint64_t want;
	int rc, dead = 0;

	for (;;) {
		store_wtxn_abort(st);
		store_release(st);
		mdb_reader_check(st->se->env, &dead);
		mdb_env_info(st->se->env, &info);
		want = (uint64_t)info.me_mapsize * 2;
		if (want > STORE_MAP_MAX || want > SIZE_MAX) {
			log_err("store %s: map full at %zu KiB, the limit",
			    st->dir, info.me_mapsize >> 10);
			return STORE_FULL;
		}
		if (store_remap(st, (size_t)want) != 0)
			return STORE_FULL;
		log_info("store %s: map grown to %llu KiB", st->dir,
		    (unsigned long long)(want >> 10));
		if ((rc = store_wtxn_begin(st)) != 0)
			return store_write_error(st, "begin", rc);
		for (off = 0, rc = 0; off < st->log_len && rc == 0; off = next)
			rc = store_apply(st, off, &next);
		if (rc == 0)
			return STORE_OK;
		if (rc != MDB_MAP_FULL)
			return store_write_error(st, "replay", rc);
	}
}

/* Mark the open batch failed with code: its transaction is gone, and
 * later puts return code until commit or abort. */
static int
store_batch_fail(struct store *st, int code)
{
	store_wtxn_abort(st);
	st->log_len = 0;
	st->batch_err = code;
	return code;
}

/* Close the batch (its transaction is already gone) and trim the log. */
static void
store_batch_end(struct store *st)
{
	st->batch = 0;
	st->batch_err = 0;
	st->log_len = 0;
	if (st->log_cap > STORE_LOG_KEEP) {
		free(st->log);
		st->log = NULL;
		st->log_cap = 0;
	}
}

int
store_write_begin(struct store *st)
{
	int rc;

	if (!store_is_writer(st, "write"))
		return STORE_ERR;
	/* a failed batch is over already; begin closes it for a caller
	 * that stopped at the failing put (store.h) */
	if (st->batch && st->batch_err)
		store_batch_end(st);
	if (st->batch || st->in_foreach) {
		log_err("store %s: write_begin inside a %s", st->dir,
		    st->batch ? "batch" : "store_foreach");
		return STORE_ERR;
	}
	/* pointers from an earlier store_get end here: growth may remap */
	store_release(st);
	if ((rc = store_wtxn_begin(st)) != 0)
		return store_write_error(st, "begin", rc);
	st->batch = 1;
	st->batch_err = 0;
	st->log_len = 0;
	return STORE_OK;
}

int
store_write_commit(struct store *st)
{
	int rc, ret;

	if (!store_is_writer(st, "commit"))
		return STORE_ERR;
	if (!st->batch) {
		log_err("store %s: commit without a batch", st->dir);
		return STORE_ERR;
	}
	if (st->batch_err) {
		ret = st->batch_err;
		store_batch_end(st);
		return ret;
	}
	for (;;) {
		rc = mdb_txn_commit(st->wtxn);  /* frees wtxn either way */
		st->wtxn = NULL;
		pthread_rwlock_unlock(&st->se->maplock);
		if (rc != MDB_MAP_FULL)
			break;
		/* the freelist did not fit: grow and replay, then retry */
		if ((ret = store_grow_replay(st)) != STORE_OK) {
			store_wtxn_abort(st);
			store_batch_end(st);
			return ret;
		}
	}
	ret = rc == 0 ? STORE_OK : store_write_error(st, "commit", rc);
	store_batch_end(st);
	return ret;
}

void
store_write_abort(struct store *st)
{
	if (st == NULL || !st->batch)
		return;
	store_wtxn_abort(st);
	store_batch_end(st);
}

/* Reserve room for one more log entry of up to dlen data bytes.
 * Returns a pointer to it, or NULL (out of memory, logged). */
static uint8_t *
store_log_reserve(struct store *st, size_t dlen)
{
	size_t need = st->log_len + STORE_OP_HDR + dlen, cap;
	uint8_t *p;

	if (need > st->log_cap) {
		cap = st->log_cap ? st->log_cap : 4096;
		while (cap < need)
			cap *= 2;
		p = realloc(st->log, cap);
		if (p == NULL) {
			log_err("store %s: out of memory for batch", st->dir);
			return NULL;
		}
		st->log = p;
		st->log_cap = cap;
	}
	return st->log + st->log_len;
}

/*
 * Log one operation and apply it to the batch; handles growth. del is 1
 * for a delete (rec NULL). Returns STORE_OK, STORE_NOTFOUND (delete of
 * an absent key: nothing logged) or an error that failed the batch.
 */
static int
store_op(struct store *st, int del, const uint8_t key[ADDR_LEN],
	const struct store_record *rec)
{
	uint8_t *p;
	uint32_t dlen = 0;
	size_t off, next;
	char a[ADDR_STRLEN];
	int n, rc;

	p = store_log_reserve(st, del ? 0 : STORE_RECORD_MAX);
	if (p == NULL)
		return store_batch_fail(st, STORE_ERR);
	if (!del) {
		n = store_record_encode(rec, p + STORE_OP_HDR,
		    STORE_RECORD_MAX);
		if (n < 0) {
			log_err("store %s: record for %s breaks the bounds",
			    st->dir, addr_format(key, a, sizeof(a)));
			return store_batch_fail(st, STORE_ERR);
		}
		dlen = (uint32_t)n;
	}
	p[0] = (uint8_t)del;
	memcpy(p + 1, key, ADDR_LEN);
	memcpy(p + 1 + ADDR_LEN, &dlen, 4);
	off = st->log_len;

	if (del) {
		MDB_val k;
		k.mv_size = ADDR_LEN;
		k.mv_data = (void *)key;
		rc = mdb_del(st->wtxn, st->se->dbi, &k, NULL);
		if (rc == MDB_NOTFOUND)
			return STORE_NOTFOUND;
	} else {
		rc = store_apply(st, off, &next);
	}
	st->log_len = off + STORE_OP_HDR + dlen;
	if (rc == MDB_MAP_FULL) {
		rc = store_grow_replay(st);
		return rc == STORE_OK ? rc : store_batch_fail(st, rc);
	}
	if (rc != 0)
		return store_batch_fail(st, store_write_error(st,
		    del ? "del" : "put", rc));
	return STORE_OK;
}

/* Run one operation, in the open batch or in a batch of its own. */
static int
store_write_one(struct store *st, int del,
	const uint8_t key[ADDR_LEN], const struct store_record *rec)
{
	int rc, own;

	if (!store_is_writer(st, del ? "del" : "put"))
		return STORE_ERR;
	if (st->in_foreach) {
		log_err("store %s: write inside store_foreach", st->dir);
		return STORE_ERR;
	}
	if (st->batch && st->batch_err)
		return st->batch_err;
	own = !st->batch;
	if (own && (rc = store_write_begin(st)) != STORE_OK)
		return rc;
	rc = store_op(st, del, key, rec);
	if (!own)
		return rc;
	if (rc == STORE_NOTFOUND) {
		store_write_abort(st);
		return rc;
	}
	if (rc != STORE_OK) {
		store_write_abort(st);
		return rc;
	}
	return store_write_commit(st);
}

int
store_put(struct store *st, const uint8_t key[ADDR_LEN],
	const struct store_record *rec)
{
	return store_write_one(st, 0, key, rec);
}

int
store_del(struct store *st, const uint8_t key[ADDR_LEN])
{
	return store_write_one(st, 1, key, NULL);
}

/* ---- whole-store operations ---- */

int
store_sweep(struct store *st, const uint8_t from[ADDR_LEN], size_t max,
	int (*fn)(const struct store_record *rec, void *arg), void *arg,
	uint8_t next[ADDR_LEN], int *more)
{
	uint8_t (*del)[ADDR_LEN] = NULL;
	struct store_record rec;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t seen = 0, n = 0, i;
	int rc, ret;

	*more = 0;
	if (!store_is_writer(st, "sweep"))
		return STORE_ERR;
	if (max == 0 || (del = malloc(max * ADDR_LEN)) == NULL)
		return STORE_ERR;
	if ((ret = store_write_begin(st)) != STORE_OK) {
		free(del);
		return ret;
	}
	rc = mdb_cursor_open(st->wtxn, st->se->dbi, &cur);
	if (rc != 0) {
		store_write_abort(st);
		free(del);
		return store_write_error(st, "sweep cursor", rc);
	}
	k.mv_size = ADDR_LEN;
	k.mv_data = (void *)from;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && seen < max) {
		if (k.mv_size == ADDR_LEN && v.mv_size >= 1 &&
		    ((const uint8_t *)v.mv_data)[0] == STORE_RECORD_VERSION &&
		    store_record_decode(v.mv_data, v.mv_size, &rec) ==
		    STORE_OK && fn(&rec, arg))
			memcpy(del[n++], k.mv_data, ADDR_LEN);
		seen++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc == 0 && k.mv_size == ADDR_LEN) {
		memcpy(next, k.mv_data, ADDR_LEN);
		*more = 1;
	} else if (rc != 0 && rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		store_write_abort(st);
		free(del);
		return store_write_error(st, "sweep cursor", rc);
	}
	mdb_cursor_close(cur);
	if (n == 0) {
		store_write_abort(st);    /* nothing to sync */
		free(del);
		return 0;
	}
	for (i = 0; i < n; i++)
		if ((ret = store_del(st, del[i])) < 0)
			break;
	free(del);
	if ((ret = store_write_commit(st)) != STORE_OK) {
		*more = 0;
		return ret;
	}
	return (int)n;
}

int
store_foreach(struct store *st,
	int (*fn)(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	          void *arg),
	void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct store_record rec;
	char a[ADDR_STRLEN];
	MDB_cursor_op op = MDB_FIRST;
	int rc, ret = 0;

	if (st == NULL || !store_ready(st))
		return 0;
	if (st->in_foreach) {
		log_err("store %s: nested store_foreach", st->dir);
		return STORE_ERR;
	}
	if ((rc = store_rtxn(st)) != STORE_OK)
		return rc;
	rc = mdb_cursor_open(st->rtxn, st->se->dbi, &cur);
	if (rc != 0) {
		log_err("store %s: cursor: %s", st->dir, mdb_strerror(rc));
		store_release(st);
		return STORE_ERR;
	}
	st->in_foreach = 1;
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		const uint8_t *key = k.mv_data;
		op = MDB_NEXT;
		if (k.mv_size != ADDR_LEN) {
			log_err("store %s: key of %zu bytes skipped", st->dir,
			    k.mv_size);
			continue;
		}
		if (v.mv_size >= 1 && ((const uint8_t *)v.mv_data)[0] !=
		    STORE_RECORD_VERSION) {
			if (!st->version_logged)
				log_warn("store %s: record of %s has version "
				    "%u, skipped", st->dir, addr_format(key, a,
				    sizeof(a)), ((const uint8_t *)v.mv_data)[0]);
			st->version_logged = 1;
			continue;
		}
		if (store_record_decode(v.mv_data, v.mv_size, &rec) !=
		    STORE_OK) {
			log_err("store %s: record of %s (%zu bytes) does not "
			    "decode, skipped", st->dir,
			    addr_format(key, a, sizeof(a)), v.mv_size);
			continue;
		}
		if ((ret = fn(key, &rec, arg)) != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_err("store %s: cursor: %s", st->dir, mdb_strerror(rc));
		ret = STORE_ERR;
	}
	mdb_cursor_close(cur);
	st->in_foreach = 0;
	store_release(st);
	return ret;
}

int
store_stat(struct store *st, uint64_t *entries, uint64_t *bytes)
{
	MDB_stat ms;
	MDB_envinfo info;
	int rc, was_live;

	*entries = 0;
	*bytes = 0;
	if (st == NULL || !store_ready(st))
		return STORE_OK;
	was_live = st->rlive;
	if ((rc = store_rtxn(st)) != STORE_OK)
		return rc;
	rc = mdb_stat(st->rtxn, st->se->dbi, &ms);
	if (rc == 0) {
		*entries = ms.ms_entries;
		mdb_env_info(st->se->env, &info);
		*bytes = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	} else {
		log_err("store %s: stat: %s", st->dir, mdb_strerror(rc));
	}
	if (!was_live)
		store_release(st);
	return rc == 0 ? STORE_OK : STORE_ERR;
}
