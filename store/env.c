/*
 * env.c -- opening and sharing LMDB environments: the per-process
 * registry, lazy readers, remapping, store_open() and store_close().
 * Transactions and records are in store.c and record.c.
 *
 * Durability. The writer opens with MDB_NOMETASYNC and without
 * MDB_NOSYNC or MDB_WRITEMAP. Each commit fdatasync()s its data pages;
 * the meta page is written but not flushed (it reaches the disk with the
 * next commit's sync or the kernel's writeback). A committed verdict is
 * in the page cache when mdb_txn_commit() returns, so a SIGKILL of the
 * checker (issue 4's test) never loses it; only a power loss or kernel
 * crash may roll back the last commit, and LMDB stays consistent then
 * (ACI, not D, per lmdb.h). Verdicts are a cache that a re-check
 * rebuilds, so that is the right trade for one fsync per batch instead
 * of two. MDB_NOSYNC would also survive SIGKILL, but a system crash could
 * leave a meta page pointing at unwritten pages. MDB_WRITEMAP is avoided
 * because LMDB's file is sparse: on a full disk a write to the map is a
 * SIGBUS, where write(2) gives a clean ENOSPC (-> STORE_FULL).
 *
 * One environment per directory per process. LMDB forbids opening one
 * environment twice in a process (its POSIX locks are per process: the
 * second open may think it is alone and reset the reader table, and
 * closing either drops the locks of both). So handles are cheap: they
 * share a refcounted MDB_env per directory (keyed by device and inode),
 * and each handle has its own read transaction and batch. Because the
 * env is shared, a map remap (mdb_env_set_mapsize, which munmaps) must
 * not run while another handle of the process is inside a transaction:
 * every live transaction holds a read lock on the env's maplock and a
 * remap takes it for writing (writer-preferring, so a busy set of worker
 * threads cannot starve it). A thread must not hold two handles of one
 * directory live at once while it grows the map (it would wait on
 * itself; the wait is bounded and then fails with STORE_FULL).
 *
 * Readers. MDB_RDONLY|MDB_NOTLS|MDB_NORDAHEAD: NOTLS because the read
 * transaction is kept in the handle and renewed per batch (issue 5), not
 * tied to a thread; NORDAHEAD because lookups are random and a 10M-record
 * file is larger than what readahead should drag in. A reader that finds
 * no environment yet (server started before its checker) retries at most
 * every STORE_RETRY_MS (20 ms) and answers STORE_NOTFOUND meanwhile.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "../common/log.h"

static pthread_mutex_t store_envs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_env *store_envs;

time_t
store_mono_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Milliseconds of the monotonic clock, for the lazy reader's retries. */
static int64_t
store_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mkdir -p with mode for each component created. Returns 0 or -1
 * (errno set). */
static int
store_mkdirs(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	size_t i, n = strlen(dir);
	struct stat sb;

	if (n == 0 || n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, mode) != 0 && errno != EEXIST)
			return -1;
		path[i] = (i == n) ? '\0' : '/';
	}
	if (stat(dir, &sb) != 0)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * Remap st's env to size (0: the size the writer recorded), as LMDB
 * requires after MDB_MAP_RESIZED or to grow. Waits, boundedly, until no
 * other handle of the process is inside a transaction. Returns 0 or -1
 * (logged).
 */
int
store_remap(struct store *st, size_t size)
{
	struct store_env *se = st->se;
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += STORE_REMAP_WAIT_S;
	rc = pthread_rwlock_timedwrlock(&se->maplock, &ts);
	if (rc != 0) {
		log_err("store %s: cannot remap: other transactions of this "
		    "process stay open (%s)", st->dir, strerror(rc));
		return -1;
	}
	rc = mdb_env_set_mapsize(se->env, size);
	pthread_rwlock_unlock(&se->maplock);
	if (rc != 0) {
		log_err("store %s: mdb_env_set_mapsize(%zu): %s", st->dir,
		    size, mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Open the named DB in se if the writer has created it. Serialised by
 * the registry lock (mdb_dbi_open must not run concurrently in a
 * process). Returns 1 when open, 0 if not there yet, -1 on error.
 */
static int
store_env_dbi(struct store_env *se, const char *dir, int create)
{
	MDB_txn *txn;
	int rc, ret = -1;

	pthread_mutex_lock(&store_envs_lock);
	if (se->have_dbi) {
		pthread_mutex_unlock(&store_envs_lock);
		return 1;
	}
	rc = mdb_txn_begin(se->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc == MDB_MAP_RESIZED) {
		/* nobody can be inside a transaction: the DB is not open */
		mdb_env_set_mapsize(se->env, 0);
		rc = mdb_txn_begin(se->env, NULL, create ? 0 : MDB_RDONLY,
		    &txn);
	}
	if (rc != 0) {
		log_err("store %s: begin: %s", dir, mdb_strerror(rc));
		goto out;
	}
	rc = mdb_dbi_open(txn, STORE_DB_NAME, create ? MDB_CREATE : 0,
	    &se->dbi);
	if (rc == MDB_NOTFOUND && !create) {
		mdb_txn_abort(txn);
		ret = 0;
		goto out;
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		log_err("store %s: open database %s: %s", dir, STORE_DB_NAME,
		    mdb_strerror(rc));
		goto out;
	}
	/* commit publishes the handle to the env, also for a read txn */
	rc = mdb_txn_commit(txn);
	if (rc != 0) {
		log_err("store %s: commit: %s", dir, mdb_strerror(rc));
		goto out;
	}
	__atomic_store_n(&se->have_dbi, 1, __ATOMIC_RELEASE);
	ret = 1;
out:
	pthread_mutex_unlock(&store_envs_lock);
	return ret;
}

/*
 * A data.mdb shorter than the pages its meta page counts (cut by a copy
 * that ran out of space, a truncate, a broken restore) is not an error
 * LMDB reports: it maps the file and the first read of a page past its
 * end is a SIGBUS. Compare the two once, at open. The file only grows
 * while the environment lives, so a writer committing meanwhile cannot
 * make a sound file look short. Returns 0, or -1 (logged unless quiet).
 */
static int
store_env_check_size(MDB_env *env, const char *dir, int quiet)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat fsb;
	char path[PATH_MAX];
	unsigned long long need;

	if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &ms) != 0)
		return 0; /* nothing to compare; LMDB reports its own */
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &fsb) != 0) {
		if (!quiet)
			log_err("store %s: %s", path, strerror(errno));
		return -1;
	}
	need = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
	if ((unsigned long long)fsb.st_size < need) {
		if (!quiet)
			log_err("store %s: data.mdb is %lld bytes but its "
			    "pages need %llu: the file is damaged "
			    "(truncated?); move the directory aside and the "
			    "checker starts a new store", dir,
			    (long long)fsb.st_size, need);
		return -1;
	}
	return 0;
}

/*
 * Find or open the env of st->dir. Returns 1 with st->se set, 0 if a
 * reader finds no environment yet, -1 on error (logged unless quiet).
 */
static int
store_env_get(struct store *st, int quiet)
{
	int writer = (st->flags & STORE_WRITER) != 0;
	struct store_env *se;
	struct stat sb;
	char path[PATH_MAX];
	unsigned flags;
	int rc;

	if (stat(st->dir, &sb) != 0) {
		if (errno == ENOENT && !writer)
			return 0;
		if (!quiet)
			log_err("store %s: %s", st->dir, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&store_envs_lock);
	for (se = store_envs; se; se = se->next) {
		if (se->dev == sb.st_dev && se->ino == sb.st_ino &&
		    se->pid == getpid())
			break;
	}
	if (se) {
		if (writer && !se->writable) {
			pthread_mutex_unlock(&store_envs_lock);
			log_err("store %s: already open read-only in this "
			    "process", st->dir);
			return -1;
		}
		se->refs++;
		st->se = se;
		pthread_mutex_unlock(&store_envs_lock);
		return 1;
	}

	if (!writer) {
		/* The writer's first write is two meta pages; a shorter file
		 * is an environment being created, not one to open. */
		struct stat fsb;
		snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
		if (stat(path, &fsb) != 0) {
			pthread_mutex_unlock(&store_envs_lock);
			if (errno == ENOENT)
				return 0;
			if (!quiet)
				log_err("store %s: %s", path, strerror(errno));
			return -1;
		}
		if (fsb.st_size < 2 * (off_t)sysconf(_SC_PAGESIZE)) {
			pthread_mutex_unlock(&store_envs_lock);
			return 0;
		}
	}

	se = calloc(1, sizeof(*se));
	if (se == NULL) {
		pthread_mutex_unlock(&store_envs_lock);
		log_err("store %s: out of memory", st->dir);
		return -1;
	}
	flags = MDB_NOTLS | MDB_NORDAHEAD |
	    (writer ? MDB_NOMETASYNC : MDB_RDONLY);
	rc = mdb_env_create(&se->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(se->env, 2);
	/* every answering thread keeps a read transaction; LMDB's default
	 * table (126) is too small for a large --workers (the size of an
	 * existing lock file wins until every process has closed it) */
	if (rc == 0)
		rc = mdb_env_set_maxreaders(se->env, STORE_MAX_READERS);
	if (rc == 0 && writer)
		rc = mdb_env_set_mapsize(se->env, st->mapsize);
	if (writer) {
		/* LMDB makes a new environment of an empty file: say so, it
		 * is the verdicts of whatever emptied it that are gone */
		struct stat fsb;
		snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
		if (stat(path, &fsb) == 0 && fsb.st_size == 0)
			log_warn("store %s: data.mdb is empty; starting a new "
			    "store", st->dir);
	}
	if (rc == 0)
		rc = mdb_env_open(se->env, st->dir, flags, 0640);
	if (rc == 0 && store_env_check_size(se->env, st->dir, quiet) != 0) {
		quiet = 1; /* said */
		rc = MDB_CORRUPTED;
	}
	if (rc != 0) {
		if (se->env)
			mdb_env_close(se->env);
		free(se);
		pthread_mutex_unlock(&store_envs_lock);
		if (rc == ENOENT && !writer)
			return 0;
		if (!quiet)
			log_err("store %s: open: %s", st->dir, mdb_strerror(rc));
		return -1;
	}
	if (writer) {
		int dead = 0;
		/* slots of readers that were killed pin old pages */
		mdb_reader_check(se->env, &dead);
		if (dead > 0)
			log_info("store %s: cleared %d stale reader slots",
			    st->dir, dead);
	}
	{
		pthread_rwlockattr_t a;
		pthread_rwlockattr_init(&a);
		pthread_rwlockattr_setkind_np(&a,
		    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&se->maplock, &a);
		pthread_rwlockattr_destroy(&a);
	}
	se->dev = sb.st_dev;
	se->ino = sb.st_ino;
	se->pid = getpid();
	se->refs = 1;
	se->writable = writer;
	se->next = store_envs;
	store_envs = se;
	st->se = se;
	pthread_mutex_unlock(&store_envs_lock);
	return 1;
}

/* Drop st's reference to its env; the last one closes it. */
static void
store_env_put(struct store *st)
{
	struct store_env *se = st->se, **pp;

	if (se == NULL)
		return;
	st->se = NULL;
	pthread_mutex_lock(&store_envs_lock);
	if (--se->refs > 0 || se->pid != getpid()) {
		/* an inherited env is left alone: closing it here would
		 * clear the parent's reader slots */
		pthread_mutex_unlock(&store_envs_lock);
		return;
	}
	for (pp = &store_envs; *pp; pp = &(*pp)->next) {
		if (*pp == se) {
			*pp = se->next;
			break;
		}
	}
	pthread_mutex_unlock(&store_envs_lock);
	mdb_env_close(se->env);
	pthread_rwlock_destroy(&se->maplock);
	free(se);
}

/*
 * 1 if st can be used now, 0 if a reader still waits for the
 * environment or its database (tried at most every STORE_RETRY_MS:
 * often enough that the first verdicts a new checker stores are seen at
 * once, rarely enough that a flood of queries does not become a flood
 * of failed opens).
 */
int
store_ready(struct store *st)
{
	int64_t now;
	int r;

	/* have_dbi goes 0 -> 1 once, under the registry lock */
	if (st->se && __atomic_load_n(&st->se->have_dbi, __ATOMIC_ACQUIRE))
		return 1;
	now = store_mono_ms();
	if (st->next_try != 0 && now < st->next_try)
		return 0;
	st->next_try = now + STORE_RETRY_MS;
	if (st->se == NULL) {
		r = store_env_get(st, st->lazy_logged);
		if (r < 0)
			st->lazy_logged = 1;
		if (r <= 0)
			return 0;
	}
	r = store_env_dbi(st->se, st->dir, 0);
	return r > 0;
}

int
store_open(struct store **out, const char *dir, int flags,
	size_t mapsize)
{
	struct store *st;
	size_t n;
	int writer = (flags & STORE_WRITER) != 0;

	*out = NULL;
	if (dir == NULL || *dir == '\0' ||
	    (flags & (STORE_RDONLY | STORE_WRITER)) == 0 ||
	    (flags & (STORE_RDONLY | STORE_WRITER)) ==
	    (STORE_RDONLY | STORE_WRITER)) {
		log_err("store %s: bad open flags 0x%x", dir ? dir : "(null)",
		    (unsigned)flags);
		return STORE_ERR;
	}
	n = strlen(dir);
	st = calloc(1, sizeof(*st) + n + 1);
	if (st == NULL) {
		log_err("store %s: out of memory", dir);
		return STORE_ERR;
	}
	memcpy(st->dir, dir, n + 1);
	st->flags = flags;
	st->mapsize = mapsize ? mapsize : STORE_MAP_DEFAULT;

	if (writer) {
		if (store_mkdirs(dir, 0750) != 0) {
			log_err("store %s: cannot create directory: %s", dir,
			    strerror(errno));
			free(st);
			return STORE_ERR;
		}
		if (store_env_get(st, 0) != 1 ||
		    store_env_dbi(st->se, dir, 1) != 1) {
			store_env_put(st);
			free(st);
			return STORE_ERR;
		}
	} else {
		/* a real error now is reported now; "not there yet" is not
		 * an error (see store_ready) */
		int r = store_env_get(st, 0);
		if (r < 0) {
			free(st);
			return STORE_ERR;
		}
		st->next_try = store_mono_ms() + STORE_RETRY_MS;
		if (r > 0 && store_env_dbi(st->se, dir, 0) < 0) {
			store_env_put(st);
			free(st);
			return STORE_ERR;
		}
	}
	*out = st;
	return STORE_OK;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->batch) {
		log_warn("store %s: closed with a batch open; it is aborted",
		    st->dir);
		store_write_abort(st);
	}
	store_release(st);
	if (st->rtxn && st->se && st->se->pid == getpid())
		mdb_txn_abort(st->rtxn);
	st->rtxn = NULL;
	store_env_put(st);
	free(st->log);
	free(st);
}

