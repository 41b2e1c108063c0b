/*
 * checker/table.c -- addresses in the checker's care (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* FNV-1a over the 16 key bytes: keys are not secret and an attacker who
 * controls which addresses are queried can at worst lengthen chains up
 * to the queue bound (max_queue + max_inflight + back-off entries). */
static size_t
table_hash(const uint8_t addr[ADDR_LEN])
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < ADDR_LEN; i++) {
		h ^= addr[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

int
table_init(struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->n_bucket = 1024;
	t->bucket = calloc(t->n_bucket, sizeof(*t->bucket));
	if (t->bucket == NULL)
		return -1;
	TAILQ_INIT(&t->queue[QUEUE_NOW]);
	TAILQ_INIT(&t->queue[QUEUE_LATER]);
	TAILQ_INIT(&t->running);
	TAILQ_INIT(&t->done);
	TAILQ_INIT(&t->writing);
	TAILQ_INIT(&t->retry);
	return 0;
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; t->bucket != NULL && i < t->n_bucket; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e != NULL; e = next) {
			next = e->hnext;
			free(e);
		}
	}
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

struct entry *
table_find(struct table *t, const uint8_t addr[ADDR_LEN])
{
	struct entry *e = t->bucket[table_hash(addr) & (t->n_bucket - 1)];

	for (; e != NULL; e = e->hnext)
		if (memcmp(e->addr, addr, ADDR_LEN) == 0)
			return e;
	return NULL;
}

/* Double the bucket array when chains grow past 2 on average. */
static void
table_grow(struct table *t)
{
	size_t n = t->n_bucket * 2, i;
	struct entry **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return; /* longer chains, still correct */
	for (i = 0; i < t->n_bucket; i++) {
		struct entry *e = t->bucket[i], *next;

		for (; e != NULL; e = next) {
			size_t h = table_hash(e->addr) & (n - 1);

			next = e->hnext;
			e->hnext = b[h];
			b[h] = e;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->n_bucket = n;
}

struct entry *
table_add(struct table *t, const uint8_t addr[ADDR_LEN])
{
	struct entry *e = calloc(1, sizeof(*e));
	size_t h;

	if (e == NULL)
		return NULL;
	if (t->n >= t->n_bucket * 2)
		table_grow(t);
	memcpy(e->addr, addr, ADDR_LEN);
	h = table_hash(addr) & (t->n_bucket - 1);
	e->hnext = t->bucket[h];
	t->bucket[h] = e;
	t->n++;
	return e;
}

/* Take e off whatever list its state puts it on. */
static void
table_unlink(struct table *t, struct entry *e)
{
	switch (e->state) {
	case ENTRY_QUEUED:
		TAILQ_REMOVE(&t->queue[e->queue], e, link);
		t->n_queued--;
		break;
	case ENTRY_RUNNING:
		TAILQ_REMOVE(&t->running, e, link);
		t->n_running--;
		break;
	case ENTRY_DONE:
		TAILQ_REMOVE(&t->done, e, link);
		break;
	case ENTRY_WRITING:
		TAILQ_REMOVE(&t->writing, e, link);
		t->n_writing--;
		break;
	case ENTRY_RETRY:
		TAILQ_REMOVE(&t->retry, e, link);
		t->n_retry--;
		break;
	}
	e->state = 0;
}

void
table_remove(struct table *t, struct entry *e)
{
	struct entry **pp = &t->bucket[table_hash(e->addr) & (t->n_bucket - 1)];

	table_unlink(t, e);
	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	t->n--;
	free(e);
}

void
table_set_queued(struct table *t, struct entry *e, enum entry_queue q)
{
	table_unlink(t, e);
	e->state = ENTRY_QUEUED;
	e->queue = q;
	TAILQ_INSERT_TAIL(&t->queue[q], e, link);
	t->n_queued++;
}

void
table_set_running(struct table *t, struct entry *e)
{
	table_unlink(t, e);
	e->state = ENTRY_RUNNING;
	TAILQ_INSERT_TAIL(&t->running, e, link);
	t->n_running++;
}

void
table_set_done(struct table *t, struct entry *e)
{
	table_unlink(t, e);
	e->state = ENTRY_DONE;
	TAILQ_INSERT_TAIL(&t->done, e, link);
}

void
table_set_writing(struct table *t, struct entry *e)
{
	table_unlink(t, e);
	e->state = ENTRY_WRITING;
	TAILQ_INSERT_TAIL(&t->writing, e, link);
	t->n_writing++;
}

void
table_set_retry(struct table *t, struct entry *e, int64_t retry_at)
{
	table_unlink(t, e);
	e->state = ENTRY_RETRY;
	e->retry_at = retry_at;
	TAILQ_INSERT_TAIL(&t->retry, e, link);
	t->n_retry++;
}

struct entry *
table_next_queued(struct table *t)
{
	struct entry *e = TAILQ_FIRST(&t->queue[QUEUE_NOW]);

	return e != NULL ? e : TAILQ_FIRST(&t->queue[QUEUE_LATER]);
}
