/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * An application built with trace mode and the library built without it
 * (and the other way round) link and work together: struct evpl_iovec and
 * the symbols the inline paths use are the same in every build.
 *
 * Built twice in every build directory: with LAYOUT_APP_TRACE the program
 * is compiled as a trace-mode application, with LAYOUT_APP_PLAIN as one
 * without, whatever the library was built as. The default build then runs
 * a trace application on a plain library, the trace build a plain
 * application on a trace library (and each its own kind).
 */

#if defined(LAYOUT_APP_TRACE)
#ifndef EVPL_IOVEC_TRACE
#define EVPL_IOVEC_TRACE 1
#endif
#elif defined(LAYOUT_APP_PLAIN)
#undef EVPL_IOVEC_TRACE
#else
#error "build with -DLAYOUT_APP_TRACE or -DLAYOUT_APP_PLAIN"
#endif

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* The layout docs/architecture.md promises, checked at compile time in
 * this application's mode. */
_Static_assert(sizeof(struct evpl_iovec) == 24, "evpl_iovec is 24 bytes");
_Static_assert(offsetof(struct evpl_iovec, data) == 0, "data first");
_Static_assert(offsetof(struct evpl_iovec, length) == 8, "length at 8");
_Static_assert(offsetof(struct evpl_iovec, flags) == 12, "flags at 12");
_Static_assert(offsetof(struct evpl_iovec, private_data) == 16,
               "the mbuf at 16");

static void
every_inline_op_against_the_library(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b, c, d, r[4], rx[4];
    struct rte_mbuf  *m;
    int               n, i;

    /* Made by the library, cloned, moved and released inline here. */
    assert_int_equal(evpl_iovec_alloc(evpl, 3000, 64, 1, 0, &a), 1);
    evpl_test_fill(evpl_iovec_data(&a), 3000, 1);
    evpl_iovec_clone(&b, &a);
    evpl_iovec_clone_segment(&c, &a, 100, 200);
    evpl_iovec_move(&d, &b);
    evpl_iovec_move_segment(&d, &d, 10, 2000);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 3);
    assert_true(evpl_test_check((char *) evpl_iovec_data(&c) - 100, 300, 1));
    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &c);

    /* Inline-made iovecs handed back to the library. */
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &d, 1, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, rx, 4);
    assert_int_equal(n, 1);
    assert_int_equal(evpl_iovec_length(&rx[0]), 2000);
    evpl_iovec_release(evpl, &rx[0]);

    /* Reservations: set_length and commit across the boundary. */
    n = evpl_iovec_reserve(evpl, 500, 0, 4, r);
    assert_int_equal(n, 1);
    evpl_iovec_set_length(&r[0], 100);
    evpl_iovec_commit(evpl, 0, r, n);
    assert_int_equal(evpl_iovec_reserve(evpl, 10, 0, 4, &r[1]), 1);
    assert_ptr_equal(r[1].data, (char *) r[0].data + 100);
    for (i = 0; i < 2; i++)
        evpl_iovec_release(evpl, &r[i]);
}

static void
shared_iovecs_work(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b;

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &a), 1);
    evpl_iovec_clone(&b, &a);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 2);
    evpl_iovec_release(NULL, &a);
    evpl_iovec_release(NULL, &b);
}

#ifdef LAYOUT_APP_TRACE
static void
release_twice(void *arg)
{
    evpl_iovec_release(NULL, arg);
}

static void
application_checks_are_its_own(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, keep;
    char              expect[128];

    /* The inline checks are compiled into the application, so they work
     * whatever the library was built as. */
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&keep, &a);
    evpl_iovec_release(evpl, &a);
    snprintf(expect, sizeof(expect),
             "evpl: evpl_iovec_release: double release (iovec %p",
             (void *) &a);
    assert_true(evpl_test_dies(release_twice, &a, expect));
    evpl_iovec_release(evpl, &keep);
}
#endif

static const struct CMUnitTest cases[] = {
    CASE(every_inline_op_against_the_library),
    CASE(shared_iovecs_work),
#ifdef LAYOUT_APP_TRACE
    CASE(application_checks_are_its_own),
#endif
};

static int
set_up(void)
{
    printf("application built %s trace mode\n",
#ifdef EVPL_IOVEC_TRACE
           "with"
#else
           "without"
#endif
           );
    return 0;
}

EVPL_TEST_MAIN("layout", cases, .set_up = set_up)
