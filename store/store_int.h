/*
 * store_int.h -- what store/env.c and store/store.c share; not for use
 * outside store/. The byte layout of records is in record.c.
 */
#ifndef FCRDNS_STORE_INT_H
#define FCRDNS_STORE_INT_H

#include <pthread.h>
#include <sys/types.h>
#include <time.h>
#include <lmdb.h>
#include "store.h"

#define STORE_DB_NAME      "verdicts"
#define STORE_MAP_DEFAULT  ((size_t)64 << 20)
#define STORE_MAP_MAX      ((uint64_t)1 << 40)  /* 1 TiB of address space */
#define STORE_REMAP_WAIT_S 10     /* bound on waiting for other handles */
#define STORE_LOG_KEEP     (1u << 20)
#define STORE_MAX_READERS  1024   /* LMDB reader slots (64 bytes each) */
#define STORE_OP_HDR       (1 + ADDR_LEN + 4)  /* op, key, data length */

/* One open MDB_env, shared by every handle of the process on its dir. */
struct store_env {
	struct store_env *next;
	dev_t dev;
	ino_t ino;
	pid_t pid;              /* opener; entries from before a fork are
	                           never reused (an env must not cross fork) */
	int refs;
	int writable;
	MDB_env *env;
	MDB_dbi dbi;
	int have_dbi;           /* the named DB exists and dbi is open */
	pthread_rwlock_t maplock;
};

struct store {
	struct store_env *se;   /* NULL: reader waiting for the env */
	int flags;
	size_t mapsize;
	int64_t next_try;       /* reader: monotonic ms of the next attempt */
	time_t err_logged_at;   /* writer: last write error logged (second) */
	unsigned long err_suppressed; /* errors since, not logged */
	int lazy_logged;        /* reader: a lazy open error was logged */
	int version_logged;     /* an unknown record version was logged */
	time_t corrupt_logged_at;

	MDB_txn *rtxn;          /* kept across store_release (reset) */
	int rlive;              /* rtxn active, maplock read-held */

	MDB_txn *wtxn;          /* open write transaction, maplock held */
	int batch;              /* a batch is open (store_write_begin) */
	int batch_err;          /* the batch failed: its error, until ended */
	int in_foreach;

	uint8_t *log;           /* replay log of the open batch */
	size_t log_len, log_cap;
	char dir[];
};


/* Seconds of CLOCK_MONOTONIC. */
time_t store_mono_sec(void);

/* A reader waiting for the writer to create the store retries this often. */
#define STORE_RETRY_MS 20

/* Free space under which an EIO from a write is taken for a full disk. */
#define STORE_LOW_SPACE (4u * 1024 * 1024)

/* Remap st's env to size (0: the writer's recorded size); see env.c. */
int store_remap(struct store *st, size_t size);

/* 1 if st can be used now, 0 while a reader waits for the environment. */
int store_ready(struct store *st);

#endif
