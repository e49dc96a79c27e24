/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The memory API, references: clone and move (and their segment forms),
 * clones that keep their bytes through release and churn, and the aborts of
 * out-of-range segments and reference-count overflow. Every case runs on a
 * fresh context and ends with the pool's free count back where it started
 * (evpl_test_teardown).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "common.h"

static const unsigned int flag_modes[] = { 0, EVPL_IOVEC_FLAG_SHARED };

static void
clone_survives_release_and_churn(void **state)
{
    enum { HELD = 64, ROUNDS = 20000 };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec orig, copy, part, held[HELD];
    int               r, h = 0, n;

    for (r = 0; r < 2; r++) {
        unsigned int flags = flag_modes[r];

        assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, flags, &orig), 1);
        evpl_test_fill(orig.data, 1500, 99);
        evpl_iovec_clone(&copy, &orig);
        evpl_iovec_clone_segment(&part, &orig, 100, 1000);
        evpl_iovec_release(evpl, &orig);

        /* Churn: allocations and reservations of every size, written all
         * over, some kept for a while. */
        for (n = 0; n < ROUNDS; n++) {
            struct evpl_iovec v[8];
            unsigned int      len = 1 + (unsigned int) (n * 131) % 9000;
            int               k, c;

            if (n % 2)
                c = evpl_iovec_alloc(evpl, len, 0, 8, flags, v);
            else {
                c = evpl_iovec_reserve(evpl, len, 0, 8, v);
                evpl_iovec_commit(evpl, 0, v, c);
            }
            assert_true(c >= 1);
            for (k = 0; k < c; k++)
                memset(v[k].data, n & 0xff, v[k].length);
            if (h < HELD && n % 7 == 0) {
                evpl_iovec_move(&held[h++], &v[0]);
                evpl_iovecs_release(evpl, v + 1, c - 1);
            } else {
                evpl_iovecs_release(evpl, v, c);
            }
            if (h == HELD && n % 1000 == 999) {
                evpl_iovecs_release(evpl, held, h);
                h = 0;
            }
        }
        assert_true(evpl_test_check(copy.data, 1500, 99));
        assert_ptr_equal(part.data, (char *) copy.data + 100);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&copy)), 2);
        evpl_iovec_release(evpl, &copy);
        evpl_iovec_release(NULL, &part);
    }
    evpl_iovecs_release(evpl, held, h);
}

static void
clone_counts_references(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b[10];
    struct rte_mbuf  *m;
    size_t            f;
    int               i;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, flag_modes[f], &a),
                         1);
        m = evpl_test_mbuf(&a);
        for (i = 0; i < 10; i++) {
            evpl_iovec_clone(&b[i], &a);
            assert_int_equal(rte_mbuf_refcnt_read(m), i + 2);
            assert_ptr_equal(b[i].data, a.data);
            assert_int_equal(b[i].length, a.length);
        }
        for (i = 0; i < 10; i++) {
            evpl_iovec_release(evpl, &b[i]);
            assert_int_equal(rte_mbuf_refcnt_read(m), 10 - i);
        }
        evpl_iovec_release(evpl, &a);
    }
}

static void
clone_segment_ranges(void **state)
{
    static const struct {
        unsigned int off, len;
    } ranges[] = {
        { 0, 1000 }, { 0, 1 }, { 999, 1 }, { 500, 500 }, { 1000, 0 },
        { 0, 0 }, { 123, 456 },
    };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, s, s2;
    size_t            i;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &a), 1);
    evpl_test_fill(a.data, 1000, 5);
    for (i = 0; i < RTE_DIM(ranges); i++) {
        evpl_iovec_clone_segment(&s, &a, ranges[i].off, ranges[i].len);
        assert_ptr_equal(s.data, (char *) a.data + ranges[i].off);
        assert_int_equal(evpl_iovec_length(&s), ranges[i].len);
        assert_ptr_equal(evpl_test_mbuf(&s), evpl_test_mbuf(&a));
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 2);
        /* A segment of a segment is relative to its own start. */
        if (ranges[i].len >= 1) {
            evpl_iovec_clone_segment(&s2, &s, ranges[i].len - 1, 1);
            assert_ptr_equal(s2.data,
                             (char *) a.data + ranges[i].off + ranges[i].len -
                             1);
            evpl_iovec_release(evpl, &s2);
        }
        evpl_iovec_release(evpl, &s);
    }
    assert_true(evpl_test_check(a.data, 1000, 5));
    evpl_iovec_release(evpl, &a);
}

static void
move_and_move_segment(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b, c;
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &a), 1);
    m = evpl_test_mbuf(&a);

    /* Moves carry the reference without touching the count. */
    evpl_iovec_move(&b, &a);
    assert_ptr_equal(evpl_test_mbuf(&b), m);
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);

    evpl_iovec_move_segment(&c, &b, 10, 990);
    assert_ptr_equal(c.data, (char *) a.data + 10);
    assert_int_equal(c.length, 990);
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    assert_int_equal(c.flags & EVPL_IOVEC_FLAG_SHARED,
                     EVPL_IOVEC_FLAG_SHARED);

    /* In place, as cursor code does. */
    evpl_iovec_move_segment(&c, &c, 990, 0);
    assert_int_equal(c.length, 0);
    assert_ptr_equal(c.data, (char *) a.data + 1000);

    evpl_iovec_set_length(&c, 0);
    evpl_iovec_release(evpl, &c);
}

struct range_case {
    int          move;
    unsigned int off, len;
};

static void
out_of_range_child(void *arg)
{
    const struct range_case *rc = arg;
    struct rte_mbuf          fake;
    struct evpl_iovec        src, dst;

    /* The range is checked before the reference is touched, so a stand-in
     * mbuf serves; the child never reaches the shared pool. */
    memset(&fake, 0, sizeof(fake));
    fake.refcnt      = 1;
    src.data         = &fake;
    src.length       = 100;
    src.flags        = 0;
    src.private_data = &fake;
    if (rc->move)
        evpl_iovec_move_segment(&dst, &src, rc->off, rc->len);
    else
        evpl_iovec_clone_segment(&dst, &src, rc->off, rc->len);
}

static void
segment_out_of_range_aborts(void **state)
{
    static const struct range_case cases[] = {
        { 0, 0, 101 }, { 0, 101, 0 }, { 0, 50, 51 }, { 0, 1, UINT32_MAX },
        { 1, 0, 101 }, { 1, 100, 1 }, { 1, UINT32_MAX, 2 },
    };
    size_t i;

    (void) state;
    for (i = 0; i < RTE_DIM(cases); i++)
        assert_true(evpl_test_dies(out_of_range_child, (void *) &cases[i],
                                   cases[i].move ? "evpl_iovec_move_segment" :
                                   "evpl_iovec_clone_segment"));
}

struct overflow_case {
    struct evpl_iovec *iov;
    int                segment;
};

static void
overflow_child(void *arg)
{
    struct overflow_case *oc = arg;
    struct evpl_iovec     extra;

    if (oc->segment)
        evpl_iovec_clone_segment(&extra, oc->iov, 0, 1);
    else
        evpl_iovec_clone(&extra, oc->iov);
}

static void
refcnt_overflow_aborts(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec *v    = calloc(UINT16_MAX, sizeof(*v));
    struct rte_mbuf   *m;
    size_t             f;
    int                i;

    assert_non_null(v);
    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        struct overflow_case oc = { &v[0], 0 };

        assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, flag_modes[f], v),
                         1);
        m = evpl_test_mbuf(&v[0]);
        for (i = 1; i < UINT16_MAX; i++)
            evpl_iovec_clone(&v[i], &v[0]);
        assert_int_equal(rte_mbuf_refcnt_read(m), UINT16_MAX);

        /* The child aborts before writing the count it shares with us. */
        assert_true(evpl_test_dies(overflow_child, &oc, "evpl_iovec_clone"));
        oc.segment = 1;
        assert_true(evpl_test_dies(overflow_child, &oc,
                                   "evpl_iovec_clone_segment"));
        assert_int_equal(rte_mbuf_refcnt_read(m), UINT16_MAX);

        evpl_iovecs_release(evpl, v, UINT16_MAX);
    }
    free(v);
}

static const struct CMUnitTest cases[] = {
    CASE(clone_survives_release_and_churn),
    CASE(clone_counts_references),
    CASE(clone_segment_ranges),
    CASE(move_and_move_segment),
    CASE(segment_out_of_range_aborts),
    CASE(refcnt_overflow_aborts),
};

EVPL_TEST_MAIN("memory_refs", cases)
