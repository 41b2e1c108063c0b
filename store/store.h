/*
 * store.h -- the verdict store: the only code in fcrdnsd that touches LMDB.
 *
 * One LMDB environment (a directory) holds one database of verdict
 * records keyed by the 16-byte address (IPv4 as ::ffff:a.b.c.d, see
 * common/addr.h). The checker is the one writer; answer servers and
 * fcrdnsctl open it read-only. A record is versioned and variable-length:
 * a fixed header followed by the PTR names and addresses that the check
 * examined. Its byte layout is private to store.c (store_record_encode /
 * store_record_decode); callers only see struct store_record.
 *
 * Threads and processes: an environment must never cross fork(); open it
 * after exec. A read-only handle holds one read transaction that is
 * renewed by store_get() and ended by store_release(), so callers keep no
 * LMDB state of their own (MDB_NOTLS is used, so the handle may move
 * between threads but must be used by one thread at a time).
 * Handles are cheap: all handles of one process on one directory share a
 * single MDB_env (LMDB forbids opening an environment twice in a
 * process), so worker threads may each open their own handle. A thread
 * should keep at most one handle of a directory inside a transaction at
 * a time.
 *
 * Durability: a commit is durable against a crash of the process (SIGKILL
 * included) when store_write_commit() returns. The writer uses
 * MDB_NOMETASYNC, so a power loss or kernel crash may roll back the last
 * commit (never corrupt the store); verdicts are re-checkable, so one
 * sync per batch is worth more than that last batch. See store.c.
 */
#ifndef FCRDNS_STORE_H
#define FCRDNS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"

/* Return codes of every store_* function that returns int. */
#define STORE_OK        0
#define STORE_NOTFOUND  1   /* no record for the key */
#define STORE_ERR      -1   /* I/O or LMDB error, already logged */
#define STORE_CORRUPT  -2   /* a record that does not decode (logged) */
#define STORE_FULL     -3   /* disk full and the map could not grow */

/* Version written in every record's first byte. A reader that finds a
 * version it does not know treats the record as absent (STORE_NOTFOUND
 * after logging once) so that an older binary never misreads a newer one. */
#define STORE_RECORD_VERSION 1

/* Bounds of one record, checked on encode and on decode. */
#define STORE_MAX_NAMES   64    /* PTR names kept with a verdict */
#define STORE_MAX_ADDRS   64    /* forward addresses kept */
#define STORE_MAX_NAMELEN 255   /* octets of one name, text form */
#define STORE_MATCH_NONE  0xff

/* Largest encoded record (header, names at full length, addresses): a
 * buffer of this size always holds store_record_encode()'s output. */
#define STORE_RECORD_MAX  (39 + STORE_MAX_NAMES * (1 + STORE_MAX_NAMELEN) + \
                           STORE_MAX_ADDRS * ADDR_LEN)

/*
 * A verdict record. The same struct is filled by the checker for
 * store_put() and by store_get() for readers.
 *
 * names: n_names entries packed back to back, each one length octet
 *   (1..255) followed by that many octets of lower-case text name without
 *   the trailing dot. Names are as the checker cleaned them (verdicts.md
 *   step 2), sorted; they came from the internet, so a reader that prints
 *   them must still make them printable (common/reason.h does).
 * addrs: n_addrs * 16 bytes, the forward addresses seen.
 * On store_get() both point into the LMDB map and are valid only until
 * the next store_get() or store_release() on the same handle.
 *
 * Times are seconds since the epoch (time(NULL)).
 */
struct store_record {
	uint8_t verdict;      /* enum verdict of the latest check (may be V_TEMPERROR) */
	uint8_t def_verdict;  /* last definitive verdict (PASS, NO_PTR, NO_FORWARD,
	                         MISMATCH) or V_NONE if there never was one */
	uint8_t match;        /* index into names of the matching name, or
	                         STORE_MATCH_NONE. For a MISMATCH: the name
	                         the first of addrs came from, if known, so
	                         that the TXT names a name that resolves */
	uint8_t n_names;
	uint8_t n_addrs;
	int64_t checked_at;   /* when the latest check finished */
	int64_t def_checked_at; /* when def_verdict was decided */
	int64_t expires_at;   /* def_verdict is fresh until then */
	int64_t retry_at;     /* TEMPERROR back-off: next retry (0 if none) */
	uint32_t backoff_s;   /* current back-off step in seconds (0 if none) */
	uint32_t fail_count;  /* consecutive TEMPERROR checks */
	int64_t last_query_at; /* last time a query asked for the address, as
	                          the checker learnt it (drives back-off) */
	const uint8_t *names;
	size_t names_len;     /* bytes at names */
	const uint8_t *addrs;
};

struct store;

/* Flags for store_open(). */
#define STORE_RDONLY  0x1   /* reader (server, fcrdnsctl) */
#define STORE_WRITER  0x2   /* the checker; creates dir and files */

/*
 * Open the environment in directory dir.
 * STORE_WRITER creates dir (mode 0750) if missing. STORE_RDONLY needs the
 * environment to exist; if it does not, the reader waits for it: every
 * store_get() returns STORE_NOTFOUND until the writer has created it
 * (this is what lets the server start before its checker).
 * Exactly one of STORE_RDONLY and STORE_WRITER must be given.
 * mapsize is the writer's initial map size in bytes (0: a default of
 * 64 MiB); readers ignore it and map what the writer recorded. The writer
 * doubles the map when LMDB reports MDB_MAP_FULL (up to 1 TiB); readers
 * pick up the new size on MDB_MAP_RESIZED by themselves.
 * A reader retries a missing environment at most every 20 ms.
 * Returns STORE_OK with *out set, or STORE_ERR with a message logged that
 * names dir (bad flags, dir not creatable, LMDB refusing the files, a
 * writer on a directory this process already has open read-only).
 */
int store_open(struct store **out, const char *dir, int flags, size_t mapsize);

/* Close the handle; ends any transaction. NULL is allowed. */
void store_close(struct store *st);

/*
 * Look up key. On STORE_OK *rec is filled and its names/addrs point into
 * the map (see above). Returns STORE_OK, STORE_NOTFOUND, STORE_CORRUPT
 * (record logged and treated as absent by callers) or STORE_ERR.
 * A record of another STORE_RECORD_VERSION is STORE_NOTFOUND (logged
 * once per handle).
 * Readers: the read transaction stays open until store_release(); all
 * store_get() calls until then see one snapshot, so a reader sees the
 * writer's later commits only after store_release().
 * Writer handles: inside a batch, store_get() sees the batch's own
 * writes; any store_put/store_del/store_write_begin ends the validity of
 * earlier results (growing the map may move it).
 */
int store_get(struct store *st, const uint8_t key[ADDR_LEN],
	struct store_record *rec);

/* End the read transaction that store_get() opened, so that the writer can
 * reuse pages. Call once per event-loop batch, and always before the
 * thread blocks: a transaction left open pins every page the writer
 * replaces after it (the file grows), and holds off a remap that another
 * handle of the process may need. Cheap if none is open. */
void store_release(struct store *st);

/*
 * Writer only. Batch writes: store_write_begin() opens a write transaction,
 * store_put()/store_del() add to it, store_write_commit() makes all of
 * them durable at once (one fsync). store_put() outside a batch commits
 * by itself. On STORE_FULL the batch is aborted: nothing of it is stored.
 * MDB_MAP_FULL is not an error the caller sees: the batch is replayed
 * into a doubled map. When a put or del in a batch fails, the batch is
 * aborted at once, and every later put/del returns that same error until
 * store_write_commit() (which returns it too) or store_write_abort()
 * ends the batch, so a caller may check only the commit.
 * store_write_begin() fails with STORE_ERR if a batch is already open,
 * unless that batch has failed: then it is closed and a new one begun.
 * store_write_commit() returns STORE_OK, STORE_FULL (disk or map full:
 * nothing of the batch is stored) or STORE_ERR (also without a batch).
 * store_write_abort() without a batch does nothing.
 */
int store_write_begin(struct store *st);
int store_write_commit(struct store *st);
void store_write_abort(struct store *st);

/* Insert or replace the record for key. rec->names/addrs are copied.
 * Returns STORE_OK, STORE_FULL or STORE_ERR (logged); on error an open
 * batch is aborted. Fails with STORE_ERR if the record breaks the bounds
 * above (too many names, a name of length 0 or > 255, names_len that does
 * not match n_names). */
int store_put(struct store *st, const uint8_t key[ADDR_LEN],
	const struct store_record *rec);

/* Remove key. STORE_OK, STORE_NOTFOUND, or STORE_ERR. */
int store_del(struct store *st, const uint8_t key[ADDR_LEN]);

/*
 * Call fn for every record, in key order, inside one read transaction.
 * fn returns 0 to go on, non-zero to stop (that value is returned).
 * Records that do not decode, or have another version, are logged and
 * skipped. Returns 0 when the walk ended (also when a reader finds no
 * environment yet), fn's value, or STORE_ERR.
 * Works on reader and writer handles (a writer walks its committed
 * state). fn must not write through the same handle (STORE_ERR): collect
 * the keys, then delete them in a batch. The handle's read transaction
 * is ended on return, as by store_release().
 */
int store_foreach(struct store *st,
	int (*fn)(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	          void *arg),
	void *arg);

/*
 * Writer only, outside a batch. Visit at most max records in key order,
 * from the first key >= from, inside one write transaction; delete each
 * record for which fn returns non-zero (records that do not decode are
 * left alone); commit if anything was deleted. On return *more is 1 and
 * next holds the key to start the following step at, or *more is 0 at
 * the end of the store. Returns the number of records deleted (>= 0), or
 * STORE_FULL / STORE_ERR (then nothing of this step is deleted, and
 * *more is 0). A step holds LMDB's write lock only for its own records,
 * so other batches go in between steps (checker/writer.c).
 */
int store_sweep(struct store *st, const uint8_t from[ADDR_LEN], size_t max,
	int (*fn)(const struct store_record *rec, void *arg), void *arg,
	uint8_t next[ADDR_LEN], int *more);

/* Statistics for metrics and fcrdnsctl: entries, and bytes of the map in
 * use (pages up to the last one used, free pages included). Both are 0,
 * with STORE_OK, while a reader waits for the environment. */
int store_stat(struct store *st, uint64_t *entries, uint64_t *bytes);

/* Encoding, exposed for the unit tests and the bench helpers.
 * encode: returns the number of bytes written to buf, or -1 if rec breaks
 * the bounds or buf is too small. decode: returns STORE_OK or
 * STORE_CORRUPT; never reads outside [buf, buf+len). */
int store_record_encode(const struct store_record *rec, uint8_t *buf,
	size_t len);
int store_record_decode(const uint8_t *buf, size_t len,
	struct store_record *rec);

/* Walk packed names: *pos starts at 0. Sets *name (not NUL-terminated)
 * and *len; returns 1, or 0 at the end / on a malformed entry. */
int store_names_next(const struct store_record *rec, size_t *pos,
	const uint8_t **name, size_t *len);

#endif
