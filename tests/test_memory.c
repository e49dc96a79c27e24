/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The memory API: allocation, reservation, reference counting, errors and
 * pool accounting. Every case runs on a fresh context and ends with the
 * pool's free count back where it started (evpl_test_teardown).
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "common.h"

#define MAX_IOV 1024

static struct evpl_iovec iov[MAX_IOV];

static const unsigned int sizes[] = {
    1, 2, 63, 64, 65, 127, 128, 1500, 2048, 4095, 4096, 8191, 8192, 8193,
    9000, 16384, 65535, 65536, 100000, 1u << 20,
};

static const unsigned int flag_modes[] = { 0, EVPL_IOVEC_FLAG_SHARED };

static struct evpl *
ctx_of(void **state)
{
    return ((struct evpl_test_ctx *) *state)->evpl;
}

/* The iovec lies inside the buffer it references: the data room of its
 * mbuf, or its slab (requests too large for segments). */
static void
assert_inside_mbuf(const struct evpl_iovec *v)
{
    struct rte_mbuf *m   = evpl_iovec_mbuf(v);
    const char      *buf;
    size_t           len;

    assert_non_null(m);
    if (v->flags & EVPL_IOVEC_F_SLAB_) {
        buf = evpl_iovec_slab_(v)->data;
        len = evpl_iovec_slab_(v)->size;
    } else {
        buf = m->buf_addr;
        len = m->buf_len;
    }
    assert_true((const char *) v->data >= buf);
    assert_true((const char *) v->data + v->length <= buf + len);
}

static unsigned int
sum_lengths(const struct evpl_iovec *v, int n)
{
    unsigned int s = 0;
    int          i;

    for (i = 0; i < n; i++)
        s += evpl_iovec_length(&v[i]);
    return s;
}

static void
alloc_sizes_add_up(void **state)
{
    struct evpl *evpl = ctx_of(state);
    size_t       i, f;
    int          n, k;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        for (i = 0; i < RTE_DIM(sizes); i++) {
            n = evpl_iovec_alloc(evpl, sizes[i], 0, MAX_IOV, flag_modes[f],
                                 iov);
            assert_in_range(n, 1, MAX_IOV);
            assert_int_equal(sum_lengths(iov, n), sizes[i]);
            for (k = 0; k < n; k++) {
                assert_inside_mbuf(&iov[k]);
                assert_true(iov[k].length > 0);
                memset(evpl_iovec_data(&iov[k]), 0xa5, iov[k].length);
            }
            evpl_iovecs_release(evpl, iov, n);
        }
    }
}

static void
alloc_gives_exclusive_mbufs(void **state)
{
    struct evpl *evpl = ctx_of(state);
    int          n, k;

    /* Each allocated iovec owns its mbuf: it can go to TX as that mbuf. */
    n = evpl_iovec_alloc(evpl, 100000, 0, MAX_IOV, 0, iov);
    assert_true(n > 1);
    for (k = 0; k < n; k++) {
        assert_int_equal(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&iov[k])), 1);
        if (k > 0)
            assert_ptr_not_equal(evpl_iovec_mbuf(&iov[k]),
                                 evpl_iovec_mbuf(&iov[k - 1]));
    }
    evpl_iovecs_release(evpl, iov, n);
}

static void
alloc_alignment_every_iovec(void **state)
{
    static const unsigned int aligns[]  = { 0, 1, 8, 64, 4096 };
    static const unsigned int lengths[] = {
        1, 100, 1500, 4096, 8192, 9000, 65536, 300000
    };
    struct evpl *evpl = ctx_of(state);
    size_t       a, l;
    int          n, k;

    for (a = 0; a < RTE_DIM(aligns); a++) {
        for (l = 0; l < RTE_DIM(lengths); l++) {
            n = evpl_iovec_alloc(evpl, lengths[l], aligns[a], MAX_IOV, 0, iov);
            assert_in_range(n, 1, MAX_IOV);
            assert_int_equal(sum_lengths(iov, n), lengths[l]);
            for (k = 0; k < n; k++) {
                if (aligns[a] > 1)
                    assert_int_equal((uintptr_t) iov[k].data % aligns[a], 0);
                assert_inside_mbuf(&iov[k]);
            }
            evpl_iovecs_release(evpl, iov, n);

            n = evpl_iovec_reserve(evpl, lengths[l], aligns[a], MAX_IOV, iov);
            assert_in_range(n, 1, MAX_IOV);
            assert_int_equal(sum_lengths(iov, n), lengths[l]);
            for (k = 0; k < n; k++)
                if (aligns[a] > 1)
                    assert_int_equal((uintptr_t) iov[k].data % aligns[a], 0);
            evpl_iovec_commit(evpl, aligns[a], iov, n);
            evpl_iovecs_release(evpl, iov, n);
        }
    }
}

struct span {
    const char  *lo, *hi;
    unsigned int seed;
    int          first, count;
};

static int
span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void
spans_disjoint_and_writable(void **state)
{
    enum { NALLOC = 300 };
    struct evpl *evpl = ctx_of(state);
    struct span *spans = calloc(MAX_IOV, sizeof(*spans));
    int          a, k, n, used = 0, nspan = 0;

    assert_non_null(spans);
    /* Allocations and commits interleaved, all held at once. */
    for (a = 0; a < NALLOC && used < MAX_IOV - 64; a++) {
        unsigned int len = 1 + (unsigned int) (a * 977) % 20000;

        if (a % 3 == 2) {
            n = evpl_iovec_reserve(evpl, len, 0, MAX_IOV - used, &iov[used]);
            assert_true(n >= 1);
            evpl_iovec_commit(evpl, 0, &iov[used], n);
        } else {
            n = evpl_iovec_alloc(evpl, len, 0, MAX_IOV - used,
                                 a & 1 ? EVPL_IOVEC_FLAG_SHARED : 0,
                                 &iov[used]);
            assert_true(n >= 1);
        }
        for (k = used; k < used + n; k++) {
            evpl_test_fill(iov[k].data, iov[k].length, (unsigned int) k);
            spans[nspan].lo = iov[k].data;
            spans[nspan].hi = (char *) iov[k].data + iov[k].length;
            nspan++;
        }
        used += n;
    }
    for (k = 0; k < used; k++)
        assert_true(evpl_test_check(iov[k].data, iov[k].length,
                                    (unsigned int) k));
    qsort(spans, (size_t) nspan, sizeof(*spans), span_cmp);
    for (k = 1; k < nspan; k++)
        assert_true(spans[k - 1].hi <= spans[k].lo);
    evpl_iovecs_release(evpl, iov, used);
    free(spans);
}

static void
max_iovecs_too_small(void **state)
{
    struct evpl_test_ctx *t    = *state;
    struct evpl          *evpl = t->evpl;
    unsigned int          before;
    int                   n, k;

    before = rte_mempool_avail_count(t->pool);

    /* Known too small before any buffer is taken: longer than a slab. */
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(evpl, 3u << 20, 0, 1, 0, iov), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_mempool_avail_count(t->pool), before);

    /* What segments might not hold in max_iovecs (with alignment 8192 a
     * segment holds 8320 bytes only if its buffer happens to start
     * aligned) goes to a slab, whole, rather than failing half-way. */
    for (k = 0; k < 10; k++) {
        n = evpl_iovec_alloc(evpl, 3 * 8320, 8192, 3, 0, iov);
        assert_int_equal(n, 1);
        assert_true(iov[0].flags & EVPL_IOVEC_F_SLAB_);
        evpl_iovecs_release(evpl, iov, n);
        n = evpl_iovec_reserve(evpl, 3 * 8320, 8192, 3, iov);
        assert_int_equal(n, 1);
        evpl_iovecs_release(evpl, iov, n);
        assert_int_equal(rte_mempool_avail_count(t->pool), before);
    }

    errno = 0;
    assert_int_equal(evpl_iovec_reserve(evpl, 5u << 20, 0, 2, iov), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_mempool_avail_count(t->pool), before);

    /* Exactly enough is fine. */
    n = evpl_iovec_alloc(evpl, 8192, 0, 1, 0, iov);
    assert_int_equal(n, 1);
    evpl_iovec_release(evpl, &iov[0]);
}

static void
invalid_arguments(void **state)
{
    struct {
        const char  *name;
        int          null_ctx, null_out;
        unsigned int length, alignment, max, flags;
    } cases[] = {
        { "NULL context",        1, 0, 64, 0, 4, 0 },
        { "NULL output",         0, 1, 64, 0, 4, 0 },
        { "max_iovecs 0",        0, 0, 64, 0, 0, 0 },
        { "alignment 3",         0, 0, 64, 3, 4, 0 },
        { "alignment 12",        0, 0, 64, 12, 4, 0 },
        { "alignment 96",        0, 0, 64, 96, 4, 0 },
        { "alignment > slab",    0, 0, 64, 1u << 22, 4, 0 },
        { "alignment 2^31",      0, 0, 64, 1u << 31, 4, 0 },
        { "unknown flag",        0, 0, 64, 0, 4, 0x80 },
    };
    struct evpl_test_ctx *t = *state;
    unsigned int          before = rte_mempool_avail_count(t->pool);
    size_t                i;
    int                   r;

    for (i = 0; i < RTE_DIM(cases); i++) {
        struct evpl       *e   = cases[i].null_ctx ? NULL : t->evpl;
        struct evpl_iovec *out = cases[i].null_out ? NULL : iov;

        errno = 0;
        r     = evpl_iovec_alloc(e, cases[i].length, cases[i].alignment,
                                 cases[i].max, cases[i].flags, out);
        if (r != -1 || errno != EINVAL)
            fail_msg("alloc, %s: returned %d errno %d", cases[i].name, r,
                     errno);
        if (cases[i].flags != 0)
            continue; /* reserve takes no flags */
        errno = 0;
        r     = evpl_iovec_reserve(e, cases[i].length, cases[i].alignment,
                                   cases[i].max, out);
        if (r != -1 || errno != EINVAL)
            fail_msg("reserve, %s: returned %d errno %d", cases[i].name, r,
                     errno);
    }
    assert_int_equal(rte_mempool_avail_count(t->pool), before);

    /* Harmless no-ops. */
    evpl_iovec_commit(NULL, 0, iov, 1);
    evpl_iovec_commit(t->evpl, 0, NULL, 1);
    evpl_iovec_commit(t->evpl, 0, iov, 0);
    evpl_iovecs_release(t->evpl, iov, 0);
    evpl_destroy(NULL);
    assert_null(evpl_mempool(NULL));
}

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
        assert_int_equal(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&copy)), 2);
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
        m = evpl_iovec_mbuf(&a);
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
        assert_ptr_equal(evpl_iovec_mbuf(&s), evpl_iovec_mbuf(&a));
        assert_int_equal(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&a)), 2);
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
    m = evpl_iovec_mbuf(&a);

    /* Moves carry the reference without touching the count. */
    evpl_iovec_move(&b, &a);
    assert_ptr_equal(evpl_iovec_mbuf(&b), m);
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
        m = evpl_iovec_mbuf(&v[0]);
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
    assert_int_equal(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&a)), 3);
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
    assert_int_equal(sum_lengths(iov, n), 30000);
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
        assert_true(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&v[i])) <= 16385);
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
    assert_ptr_not_equal(evpl_iovec_mbuf(&r1), evpl_iovec_mbuf(&a));
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

static void
release_with_any_context(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl      *other;
    struct evpl_iovec a, b, c;

    other = evpl_create(NULL);
    assert_non_null(other);
    assert_ptr_equal(evpl_mempool(other), evpl_mempool(evpl));

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&b, &a);
    evpl_iovec_clone(&c, &a);
    evpl_iovec_release(NULL, &a);
    evpl_iovec_release(other, &b);
    /* The context may go first; its iovecs stay valid. */
    evpl_destroy(other);
    evpl_iovec_release(NULL, &c);
}

static void
destroy_with_outstanding_iovecs(void **state)
{
    struct evpl_test_ctx *t = *state;
    struct evpl          *e = evpl_create(NULL);
    struct evpl_iovec     a, r;

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 3000, 0, 1, 0, &a), 1);
    assert_int_equal(evpl_iovec_reserve(e, 100, 0, 1, &r), 1);
    evpl_iovec_commit(e, 0, &r, 1);
    evpl_destroy(e);
    evpl_test_fill(r.data, 100, 3);
    assert_true(evpl_test_check(r.data, 100, 3));
    evpl_iovec_release(NULL, &a);
    evpl_iovec_release(NULL, &r);
    (void) t;
}

struct non_eal_result {
    int                 ok;
    struct rte_mempool *pool;
};

static void *
non_eal_thread(void *arg)
{
    struct non_eal_result *res = arg;
    struct evpl_iovec      v[4];
    struct evpl           *e = evpl_create(NULL);
    int                    i, n;

    res->ok = 0;
    if (e == NULL)
        return NULL;
    res->pool = evpl_mempool(e);
    /* Enough traffic to cycle the context's own mempool cache. */
    for (i = 0; i < 5000; i++) {
        n = evpl_iovec_alloc(e, 1 + (unsigned int) i % 20000, 0, 4, 0, v);
        if (n < 1)
            return NULL;
        evpl_iovecs_release(e, v, n);
    }
    evpl_destroy(e);
    res->ok = 1;
    return NULL;
}

static void
context_on_non_eal_thread(void **state)
{
    struct non_eal_result res = { 0, NULL };
    pthread_t             th;

    assert_int_equal(pthread_create(&th, NULL, non_eal_thread, &res), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(res.ok);
    /* No socket of its own: it shares the main lcore's default pool. */
    assert_ptr_equal(res.pool, ((struct evpl_test_ctx *) *state)->pool);
}

static void
exhaustion_and_recovery(void **state)
{
    enum { POOL_N = 63 };
    struct rte_mempool *mp;
    struct evpl_config  cfg;
    struct evpl        *e;
    struct evpl_iovec   held[POOL_N], v[4];
    int                 got = 0;

    (void) state;
    /* No cache: free counts are exact and nothing hides in an lcore. */
    mp = rte_pktmbuf_pool_create("exhaust", POOL_N, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert_non_null(mp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    assert_ptr_equal(evpl_mempool(e), mp);

    while (got < POOL_N) {
        assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &held[got]), 1);
        got++;
    }
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_errno, ENOMEM);
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 1000, 0, 1, v), -1);
    assert_int_equal(errno, ENOMEM);

    /* Two free, three needed: nothing half-allocated. */
    evpl_iovec_release(e, &held[--got]);
    evpl_iovec_release(e, &held[--got]);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 3 * 2048, 0, 4, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    assert_int_equal(evpl_iovec_reserve(e, 3 * 2048, 0, 4, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);

    /* Works again once memory is back. */
    evpl_iovecs_release(e, held, got);
    got = evpl_iovec_alloc(e, 3 * 2048, 0, 4, 0, v);
    assert_int_equal(got, 3);
    evpl_iovecs_release(e, v, got);

    /* A caller pool holds alignments up to its data room; larger ones
     * come from a slab. */
    assert_int_equal(evpl_iovec_alloc(e, 10, 2048, 1, 0, v), 1);
    assert_int_equal((uintptr_t) v[0].data % 2048, 0);
    evpl_iovec_release(e, v);
    assert_int_equal(evpl_iovec_alloc(e, 10, 4096, 1, 0, v), 1);
    assert_int_equal((uintptr_t) v[0].data % 4096, 0);
    assert_true(v[0].flags & EVPL_IOVEC_F_SLAB_);
    evpl_iovec_release(e, v);

    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

static void
create_rejects_bad_config(void **state)
{
    struct evpl_config  cfg;
    struct rte_mempool *plain;
    struct evpl        *e;

    (void) state;
    plain = rte_mempool_create("plain", 63, 64, 0, 0, NULL, NULL, NULL, NULL,
                               SOCKET_ID_ANY, 0);
    assert_non_null(plain);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = plain;
    errno    = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
    rte_mempool_free(plain);

    memset(&cfg, 0, sizeof(cfg));
    cfg.segment_size = 65536;
    errno            = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);

    /* A different segment size is a different default pool. */
    cfg.segment_size = 2048;
    cfg.nb_mbufs     = 511;
    e                = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(rte_pktmbuf_data_room_size(evpl_mempool(e)),
                     2048 + RTE_PKTMBUF_HEADROOM);
    assert_int_equal(evpl_mempool(e)->size, 511);
    evpl_destroy(e);
}

static void
default_pool_is_shared(void **state)
{
    struct evpl *a = ctx_of(state), *b = evpl_create(NULL);

    assert_non_null(b);
    assert_ptr_equal(evpl_mempool(a), evpl_mempool(b));
    assert_int_equal(rte_pktmbuf_data_room_size(evpl_mempool(a)),
                     EVPL_DPDK_DEFAULT_SEGMENT_SIZE + RTE_PKTMBUF_HEADROOM);
    assert_int_equal(evpl_mempool(a)->size, EVPL_DPDK_DEFAULT_NB_MBUFS);
    evpl_destroy(b);
}

/* --- SHARED iovecs released concurrently on a second lcore --- */

#define SHARED_ROUNDS 20000
#define SHARED_CLONES 16

static struct rte_ring *to_worker;

static int
shared_worker(void *arg)
{
    struct evpl_iovec *v, extra;
    unsigned int       got = 0;

    (void) arg;
    for (;;) {
        if (rte_ring_dequeue(to_worker, (void **) &v) != 0)
            continue;
        if (v == NULL)
            break;
        /* Clone and release here while the main lcore does the same. */
        evpl_iovec_clone(&extra, v);
        evpl_iovec_release(NULL, v);
        evpl_iovec_release(NULL, &extra);
        got++;
    }
    return (int) got;
}

static void
shared_release_on_second_lcore(void **state)
{
    static struct evpl_iovec slots[SHARED_ROUNDS][SHARED_CLONES];
    struct evpl             *evpl = ctx_of(state);
    unsigned int             worker, r, c;
    struct evpl_iovec        extra;

    worker = rte_get_next_lcore(-1, 1, 0);
    if (worker >= RTE_MAX_LCORE)
        skip();
    to_worker = rte_ring_create("to_worker", 1 << 14, SOCKET_ID_ANY,
                                RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert_non_null(to_worker);
    assert_int_equal(rte_eal_remote_launch(shared_worker, NULL, worker), 0);

    for (r = 0; r < SHARED_ROUNDS; r++) {
        struct evpl_iovec *s = slots[r];

        assert_int_equal(evpl_iovec_alloc(evpl, 200, 0, 1,
                                          EVPL_IOVEC_FLAG_SHARED, &s[0]), 1);
        for (c = 1; c < SHARED_CLONES; c++)
            evpl_iovec_clone(&s[c], &s[0]);
        /* Half go to the worker, half are cloned and released here. */
        for (c = 0; c < SHARED_CLONES; c += 2)
            while (rte_ring_enqueue(to_worker, &s[c]) != 0)
                ;
        for (c = 1; c < SHARED_CLONES; c += 2) {
            evpl_iovec_clone(&extra, &s[c]);
            evpl_iovec_release(evpl, &s[c]);
            evpl_iovec_release(evpl, &extra);
        }
    }
    while (rte_ring_enqueue(to_worker, NULL) != 0)
        ;
    assert_int_equal(rte_eal_wait_lcore(worker),
                     SHARED_ROUNDS * SHARED_CLONES / 2);
    rte_ring_free(to_worker);
}

/* --- mbufs of a foreign pktmbuf pool --- */

static struct rte_mbuf *
foreign_chain(struct rte_mempool *mp, const unsigned int *lens, int nseg)
{
    struct rte_mbuf *head = NULL, *m;
    int              i;

    for (i = 0; i < nseg; i++) {
        m = rte_pktmbuf_alloc(mp);
        assert_non_null(m);
        if (lens[i] > 0)
            evpl_test_fill(rte_pktmbuf_append(m, (uint16_t) lens[i]), lens[i],
                           (unsigned int) i + 40);
        if (head == NULL)
            head = m;
        else
            assert_int_equal(rte_pktmbuf_chain(head, m), 0);
    }
    return head;
}

static void
wrap_foreign_pool_mbufs(void **state)
{
    static const unsigned int lens[] = { 60, 0, 1400, 700 };
    struct evpl              *evpl   = ctx_of(state);
    struct rte_mempool       *mp;
    struct rte_mbuf          *m;
    struct evpl_iovec         v[4], keep;
    int                       n, i, seed[4], k = 0;

    mp = rte_pktmbuf_pool_create("foreign", 127, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert_non_null(mp);

    m = foreign_chain(mp, lens, 4);
    /* Too small an array: -1 and the chain untouched. */
    errno = 0;
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 2), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_errno, ENOSPC);
    assert_int_equal(m->nb_segs, 4);
    assert_int_equal(rte_pktmbuf_pkt_len(m), 2160);
    assert_int_equal(rte_mempool_avail_count(mp), 127 - 4);

    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 4);
    assert_int_equal(n, 3);            /* the empty segment is dropped */
    assert_int_equal(rte_mempool_avail_count(mp), 127 - 3);
    for (i = 0; i < 4; i++)
        if (lens[i])
            seed[k++] = i + 40;
    for (i = 0; i < n; i++)
        assert_true(evpl_test_check(v[i].data, v[i].length,
                                    (unsigned int) seed[i]));
    assert_int_equal(v[0].length, 60);
    assert_int_equal(v[1].length, 1400);
    assert_int_equal(v[2].length, 700);

    /* The wrapped segments behave as any iovec; release returns each mbuf
     * to its own pool, in any order. */
    evpl_iovec_clone_segment(&keep, &v[1], 100, 100);
    evpl_iovec_release(evpl, &v[0]);
    evpl_iovec_release(evpl, &v[2]);
    evpl_iovec_release(evpl, &v[1]);
    assert_true(evpl_test_check((char *) keep.data - 100, 200, 42));
    evpl_iovec_release(evpl, &keep);
    evpl_test_assert_pool_full(mp);

    errno = 0;
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(NULL, m, v, 4), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, NULL, v, 4), -1);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, NULL, 4), -1);
    rte_mempool_free(mp);
}

static void
iovec_layout_is_fixed(void **state)
{
    (void) state;
    assert_int_equal(sizeof(struct evpl_iovec), 24);
    assert_int_equal(offsetof(struct evpl_iovec, data), 0);
    assert_int_equal(offsetof(struct evpl_iovec, length), 8);
    assert_int_equal(offsetof(struct evpl_iovec, private_data), 16);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, evpl_test_setup, \
                                                 evpl_test_teardown)

int
main(int argc, char **argv)
{
    const struct CMUnitTest cases[] = {
        CASE(alloc_sizes_add_up),
        CASE(alloc_gives_exclusive_mbufs),
        CASE(alloc_alignment_every_iovec),
        CASE(spans_disjoint_and_writable),
        CASE(max_iovecs_too_small),
        CASE(invalid_arguments),
        CASE(clone_survives_release_and_churn),
        CASE(clone_counts_references),
        CASE(clone_segment_ranges),
        CASE(move_and_move_segment),
        CASE(segment_out_of_range_aborts),
        CASE(refcnt_overflow_aborts),
        CASE(reserve_twice_same_place),
        CASE(commit_consumes_exactly),
        CASE(reserve_spanning_segments),
        CASE(reserve_again_lands_in_place_at_any_alignment),
        CASE(reserve_caps_references_per_segment),
        CASE(commit_ignores_what_it_did_not_reserve),
        CASE(commit_out_of_segment_aborts),
        CASE(release_with_any_context),
        CASE(destroy_with_outstanding_iovecs),
        CASE(context_on_non_eal_thread),
        CASE(exhaustion_and_recovery),
        CASE(create_rejects_bad_config),
        CASE(default_pool_is_shared),
        CASE(shared_release_on_second_lcore),
        CASE(wrap_foreign_pool_mbufs),
        CASE(iovec_layout_is_fixed),
    };
    int rc;

    rc = evpl_test_eal_init(argc, argv,
                            (const char *const[]) { "net_null0", NULL });
    if (rc != 0)
        return rc;
    rc = cmocka_run_group_tests_name("memory", cases, NULL, NULL);
    rte_eal_cleanup();
    return rc == 0 ? 0 : 1;
}
