/*
 * waitq.c -- parked queries: a fixed pool, a hash by address, and a list
 * in deadline order.
 *
 * Entries are indices into one array allocated at start-up; the hash
 * chains (hnext) find all waiters of one address, and the doubly linked
 * deadline list (prev/next) is in insertion order, which is deadline
 * order because every entry waits the same --wait-ms.
 */
#include <stdlib.h>
#include <string.h>
#include "waitq.h"

#define NIL UINT32_MAX

struct waitq {
	struct waitq_entry *e;
	uint32_t n, used;
	uint32_t *bucket;   /* hash heads */
	uint32_t nbucket;   /* power of two */
	uint32_t free_head; /* free list through next */
	uint32_t head, tail; /* deadline order */
};

struct waitq *
waitq_new(uint32_t n)
{
	struct waitq *q = calloc(1, sizeof(*q));
	uint32_t i;

	if (!q)
		return NULL;
	q->n = n;
	q->e = calloc(n, sizeof(*q->e));
	for (q->nbucket = 16; q->nbucket < n; q->nbucket <<= 1)
		;
	q->bucket = malloc(q->nbucket * sizeof(*q->bucket));
	if (!q->e || !q->bucket) {
		waitq_free(q);
		return NULL;
	}
	for (i = 0; i < q->nbucket; i++)
		q->bucket[i] = NIL;
	for (i = 0; i < n; i++)
		q->e[i].next = i + 1 < n ? i + 1 : NIL;
	q->free_head = 0;
	q->head = q->tail = NIL;
	return q;
}

void
waitq_free(struct waitq *q)
{
	if (!q)
		return;
	free(q->e);
	free(q->bucket);
	free(q);
}

struct waitq_entry *
waitq_reserve(struct waitq *q)
{
	if (q->free_head == NIL)
		return NULL;
	return &q->e[q->free_head];
}

void
waitq_add(struct waitq *q, struct waitq_entry *e)
{
	uint32_t i = (uint32_t)(e - q->e);
	uint32_t b = addr_hash(e->addr) & (q->nbucket - 1);

	/* i is the free list head (waitq_reserve) */
	q->free_head = e->next;
	e->in_use = 1;
	e->hnext = q->bucket[b];
	q->bucket[b] = i;
	e->prev = q->tail;
	e->next = NIL;
	if (q->tail != NIL)
		q->e[q->tail].next = i;
	else
		q->head = i;
	q->tail = i;
	q->used++;
}

/* Unlink entry i from the hash chain and the deadline list and free it. */
static void
waitq_remove(struct waitq *q, uint32_t i)
{
	struct waitq_entry *e = &q->e[i];
	uint32_t b = addr_hash(e->addr) & (q->nbucket - 1);
	uint32_t *pp = &q->bucket[b];

	while (*pp != NIL && *pp != i)
		pp = &q->e[*pp].hnext;
	if (*pp == i)
		*pp = e->hnext;
	if (e->prev != NIL)
		q->e[e->prev].next = e->next;
	else
		q->head = e->next;
	if (e->next != NIL)
		q->e[e->next].prev = e->prev;
	else
		q->tail = e->prev;
	e->in_use = 0;
	e->tcp_conn = NULL;
	e->next = q->free_head;
	q->free_head = i;
	q->used--;
}

int
waitq_has(const struct waitq *q, const uint8_t addr[ADDR_LEN])
{
	uint32_t i = q->bucket[addr_hash(addr) & (q->nbucket - 1)];

	for (; i != NIL; i = q->e[i].hnext)
		if (memcmp(q->e[i].addr, addr, ADDR_LEN) == 0)
			return 1;
	return 0;
}

int
waitq_take(struct waitq *q, const uint8_t addr[ADDR_LEN],
	void (*fn)(struct waitq_entry *e, void *arg), void *arg)
{
	uint8_t key[ADDR_LEN];
	uint32_t i, nx;
	int n = 0;

	memcpy(key, addr, ADDR_LEN); /* addr may point into an entry */
	i = q->bucket[addr_hash(key) & (q->nbucket - 1)];
	for (; i != NIL; i = nx) {
		nx = q->e[i].hnext;
		if (memcmp(q->e[i].addr, key, ADDR_LEN) != 0)
			continue;
		fn(&q->e[i], arg);
		waitq_remove(q, i);
		n++;
	}
	return n;
}

int
waitq_expire(struct waitq *q, int64_t now_ms,
	void (*fn)(struct waitq_entry *e, void *arg), void *arg)
{
	int n = 0;

	while (q->head != NIL && q->e[q->head].deadline_ms <= now_ms) {
		uint32_t i = q->head;
		fn(&q->e[i], arg);
		waitq_remove(q, i);
		n++;
	}
	return n;
}

int64_t
waitq_next_deadline(const struct waitq *q)
{
	return q->head == NIL ? -1 : q->e[q->head].deadline_ms;
}

void
waitq_foreach_addr(struct waitq *q,
	void (*fn)(const uint8_t addr[ADDR_LEN], void *arg), void *arg)
{
	uint32_t i, j;

	/* Each address once: only its oldest entry calls fn. A hash chain
	 * is newest first, so entry i is the oldest of its address when no
	 * entry after it in its chain has the same address. */
	for (i = q->head; i != NIL; i = q->e[i].next) {
		for (j = q->e[i].hnext; j != NIL; j = q->e[j].hnext)
			if (memcmp(q->e[j].addr, q->e[i].addr, ADDR_LEN) == 0)
				break;
		if (j == NIL)
			fn(q->e[i].addr, arg);
	}
}

uint32_t
waitq_count(const struct waitq *q)
{
	return q->used;
}
