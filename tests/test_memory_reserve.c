/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The memory API, two-phase reservation: reserve consumes nothing, commit
 * consumes exactly what its iovecs cover, reservations that span segments or
 * ask for alignment, the per-segment reference cap, and commits of what was
 * not reserved. Every case runs on a fresh context and ends with the pool's
 * free count back where it started (evpl_test_teardown).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "common.h"

#define MAX_IOV 1024

static struct evpl_iovec iov[MAX_IOV];

static void
reserve_twice_same_place(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b;

    assert_int_equal(evpl_iovec_reserve(evpl, 1000, 0, 1, &a), 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 1000, 0, 1, &b), 1);
    assert_ptr_equal(a.data, b.data);
    assert_int_equal(b.length, 1000);
    /* Reserved iovecs hold references: context + two reservations. */
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 3);
    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);

    /* Released without a commit: still the same place. */
    assert_int_equal(evpl_iovec_reserve(evpl, 10, 0, 1, &b), 1);
    assert_ptr_equal(a.data, b.data);
    evpl_iovec_release(evpl, &b);
}

static void
commit_consumes_exactly(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b, c, d;
    char             *a_end;
    int               n, k;

    assert_int_equal(evpl_iovec_reserve(evpl, 1000, 0, 1, &a), 1);
    evpl_iovec_set_length(&a, 300);
    evpl_test_fill(a.data, 300, 1);
    evpl_iovec_commit(evpl, 0, &a, 1);
    a_end = (char *) a.data + 300;

    /* The next reservation that fits starts right after. */
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &b), 1);
    assert_ptr_equal(b.data, a_end);
    /* ... aligned as it asks. */
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 64, 1, &c), 1);
    assert_ptr_equal(c.data, RTE_PTR_ALIGN_CEIL(a_end, 64));
    evpl_iovec_release(evpl, &c);
    evpl_test_fill(b.data, 100, 2);
    evpl_iovec_commit(evpl, 0, &b, 1);

    /* Allocations never overlap committed bytes. */
    n = evpl_iovec_alloc(evpl, 20000, 0, MAX_IOV, 0, iov);
    assert_true(n >= 1);
    for (k = 0; k < n; k++) {
        assert_true((char *) iov[k].data + iov[k].length <= (char *) a.data ||
                    (char *) iov[k].data >= (char *) b.data + 100);
        memset(iov[k].data, 0, iov[k].length);
    }
    assert_true(evpl_test_check(a.data, 300, 1));
    assert_true(evpl_test_check(b.data, 100, 2));
    evpl_iovecs_release(evpl, iov, n);

    /* Nor do later reservations. */
    assert_int_equal(evpl_iovec_reserve(evpl, 50, 0, 1, &d), 1);
    assert_ptr_equal(d.data, (char *) b.data + 100);
    evpl_iovec_release(evpl, &d);

    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);
}

static void
reserve_spanning_segments(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec small, next, again[MAX_IOV];
    int               n, m, k;

    /* Start part-way into a segment, then reserve more than one holds. */
    assert_int_equal(evpl_iovec_reserve(evpl, 5000, 0, 1, &small), 1);
    evpl_iovec_commit(evpl, 0, &small, 1);

    n = evpl_iovec_reserve(evpl, 30000, 0, MAX_IOV, iov);
    assert_true(n >= 4);
    assert_int_equal(evpl_test_sum_lengths(iov, n), 30000);
    assert_ptr_equal(iov[0].data, (char *) small.data + 5000);

    /* Reserving again before the commit starts at the same place. */
    m = evpl_iovec_reserve(evpl, 30000, 0, MAX_IOV, again);
    assert_int_equal(m, n);
    assert_ptr_equal(again[0].data, iov[0].data);
    evpl_iovecs_release(evpl, again, m);

    /* Commit a shortened last iovec: the next reservation follows it. */
    iov[n - 1].length /= 2;
    for (k = 0; k < n; k++)
        evpl_test_fill(iov[k].data, iov[k].length, (unsigned int) k);
    evpl_iovec_commit(evpl, 0, iov, n);
    assert_int_equal(evpl_iovec_reserve(evpl, 10, 0, 1, &next), 1);
    assert_ptr_equal(next.data,
                     (char *) iov[n - 1].data + iov[n - 1].length);
    evpl_iovec_release(evpl, &next);

    for (k = 0; k < n; k++)
        assert_true(evpl_test_check(iov[k].data, iov[k].length,
                                    (unsigned int) k));
    evpl_iovecs_release(evpl, iov, n);
    evpl_iovec_release(evpl, &small);
}

static void
reserve_again_lands_in_place_at_any_alignment(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec pre, a[8], b[8];
    int               k, na, nb;

    /* 120 bytes left behind the carving point: nothing there at alignment
     * 4096. 8120 bytes at 4096 then fit a fresh segment only if its buffer
     * happens to start within 200 bytes of a 4096 boundary; where the
     * reservation lands must not depend on that. */
    for (k = 0; k < 16; k++) {
        assert_int_equal(evpl_iovec_reserve(evpl, 8200, 0, 1, &pre), 1);
        evpl_iovec_commit(evpl, 0, &pre, 1);
        na = evpl_iovec_reserve(evpl, 8120, 4096, 8, a);
        nb = evpl_iovec_reserve(evpl, 8120, 4096, 8, b);
        assert_true(na >= 1 && nb >= 1);
        assert_ptr_equal(a[0].data, b[0].data);
        assert_int_equal((uintptr_t) a[0].data % 4096, 0);
        evpl_iovecs_release(evpl, a, na);
        evpl_iovecs_release(evpl, b, nb);
        evpl_iovec_release(evpl, &pre);
    }
}

static void
reserve_caps_references_per_segment(void **state)
{
    enum { N = 40000 };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec *v    = calloc(N, sizeof(*v));
    unsigned int       moved = 0;
    int                i;

    assert_non_null(v);
    /* Reservations that are never committed keep returning the same place
     * until the segment carries its cap of references; then they move on,
     * so only explicit clones can drive a count to 65535. */
    for (i = 0; i < N; i++) {
        assert_int_equal(evpl_iovec_reserve(evpl, 1, 0, 1, &v[i]), 1);
        assert_true(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[i])) <= 16385);
        if (i > 0 && v[i].data != v[i - 1].data)
            moved++;
    }
    assert_int_equal(moved, 2);
    evpl_iovecs_release(evpl, v, N);
    free(v);
}

static void
commit_ignores_what_it_did_not_reserve(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, part, r1, r2;

    /* Committing an allocation must not make its mbuf a carving source:
     * the clone's range sits inside bytes the allocation still owns. */
    assert_int_equal(evpl_iovec_alloc(evpl, 2000, 0, 1, 0, &a), 1);
    evpl_iovec_clone_segment(&part, &a, 0, 10);
    evpl_iovec_commit(evpl, 0, &part, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &r1), 1);
    assert_ptr_not_equal(evpl_test_mbuf(&r1), evpl_test_mbuf(&a));
    evpl_iovec_commit(evpl, 0, &r1, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &r2), 1);
    assert_ptr_equal(r2.data, (char *) r1.data + 100);
    evpl_iovec_release(evpl, &r1);
    evpl_iovec_release(evpl, &r2);
    evpl_iovec_release(evpl, &part);
    evpl_iovec_release(evpl, &a);
}

struct commit_case {
    struct evpl      *evpl;
    struct evpl_iovec r;
};

static void
commit_out_of_segment_child(void *arg)
{
    struct commit_case *cc = arg;

    /* Stretched past its segment: the check fires before any state (all
     * of it shared with the parent under hugepages) is written. */
    cc->r.length = 1u << 20;
    evpl_iovec_commit(cc->evpl, 0, &cc->r, 1);
}

static void
commit_out_of_segment_aborts(void **state)
{
    struct commit_case cc = { ctx_of(state), { 0 } };

    assert_int_equal(evpl_iovec_reserve(cc.evpl, 100, 0, 1, &cc.r), 1);
    assert_true(evpl_test_dies(commit_out_of_segment_child, &cc,
                               "evpl_iovec_commit"));
    evpl_iovec_release(cc.evpl, &cc.r);
}

static const struct CMUnitTest cases[] = {
    CASE(reserve_twice_same_place),
    CASE(commit_consumes_exactly),
    CASE(reserve_spanning_segments),
    CASE(reserve_again_lands_in_place_at_any_alignment),
    CASE(reserve_caps_references_per_segment),
    CASE(commit_ignores_what_it_did_not_reserve),
    CASE(commit_out_of_segment_aborts),
};

EVPL_TEST_MAIN("memory_reserve", cases)
