/* tests/test_waitq.c -- server/waitq.c: parking, sharing, deadlines, bound. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../common/addr.h"
#include "../server/waitq.h"

static int seen_ids[256];
static int n_seen;

static void
collect(struct waitq_entry *e, void *arg)
{
	if (n_seen < 256)
		seen_ids[n_seen] = e->query[0];
	n_seen++;
}

static void
park(struct waitq *q, const char *ip, int id, int64_t deadline)
{
	struct waitq_entry *e = waitq_reserve(q);

	assert_non_null(e);
	assert_int_equal(addr_parse(ip, e->addr), 0);
	e->query[0] = (uint8_t)id;
	e->qlen = 1;
	e->deadline_ms = deadline;
	waitq_add(q, e);
}

static void
test_take_answers_every_waiter_of_the_address(void **st)
{
	struct waitq *q = waitq_new(8);
	uint8_t a[16];

	park(q, "192.0.2.1", 1, 100);
	park(q, "192.0.2.2", 2, 110);
	park(q, "192.0.2.1", 3, 120); /* a resolver's retry */
	assert_int_equal(waitq_count(q), 3);
	assert_int_equal(addr_parse("192.0.2.1", a), 0);
	assert_true(waitq_has(q, a));
	n_seen = 0;
	assert_int_equal(waitq_take(q, a, collect, NULL), 2);
	assert_int_equal(n_seen, 2);
	assert_false(waitq_has(q, a));
	assert_int_equal(waitq_count(q), 1);
	assert_int_equal(waitq_next_deadline(q), 110);
	waitq_free(q);
}

static void
test_expire_in_deadline_order(void **st)
{
	struct waitq *q = waitq_new(8);

	park(q, "192.0.2.1", 1, 100);
	park(q, "192.0.2.2", 2, 110);
	park(q, "192.0.2.3", 3, 120);
	n_seen = 0;
	assert_int_equal(waitq_expire(q, 99, collect, NULL), 0);
	assert_int_equal(waitq_expire(q, 110, collect, NULL), 2);
	assert_int_equal(seen_ids[0], 1);
	assert_int_equal(seen_ids[1], 2);
	assert_int_equal(waitq_next_deadline(q), 120);
	assert_int_equal(waitq_expire(q, 1000, collect, NULL), 1);
	assert_int_equal(waitq_next_deadline(q), -1);
	waitq_free(q);
}

static void
test_full_table_and_reuse(void **st)
{
	struct waitq *q = waitq_new(2);
	uint8_t a[16];
	int i;

	park(q, "192.0.2.1", 1, 1);
	park(q, "192.0.2.2", 2, 2);
	assert_null(waitq_reserve(q));
	assert_int_equal(addr_parse("192.0.2.1", a), 0);
	n_seen = 0;
	assert_int_equal(waitq_take(q, a, collect, NULL), 1);
	/* the freed slot is reused, many times over */
	for (i = 0; i < 100; i++) {
		park(q, "192.0.2.9", 9, 10 + i);
		if (i == 0)
			assert_null(waitq_reserve(q));
		else
			assert_non_null(waitq_reserve(q));
		assert_int_equal(waitq_expire(q, 10 + i, collect, NULL), i == 0 ? 2 : 1);
	}
	assert_int_equal(waitq_count(q), 0);
	waitq_free(q);
}

static int n_addrs;
static void
count_addr(const uint8_t addr[ADDR_LEN], void *arg)
{
	n_addrs++;
}

static void
test_foreach_addr_once_each(void **st)
{
	struct waitq *q = waitq_new(8);

	park(q, "192.0.2.1", 1, 1);
	park(q, "192.0.2.2", 2, 2);
	park(q, "192.0.2.1", 3, 3);
	park(q, "2001:db8::26", 4, 4);
	n_addrs = 0;
	waitq_foreach_addr(q, count_addr, NULL);
	assert_int_equal(n_addrs, 3);
	waitq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_answers_every_waiter_of_the_address),
		cmocka_unit_test(test_expire_in_deadline_order),
		cmocka_unit_test(test_full_table_and_reuse),
		cmocka_unit_test(test_foreach_addr_once_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
