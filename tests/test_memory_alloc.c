/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The memory API, allocation: what evpl_iovec_alloc() returns (lengths,
 * alignment, exclusive and disjoint writable memory), too few iovecs, and
 * every function's answer to invalid arguments. Every case runs on a fresh
 * context and ends with the pool's free count back where it started
 * (evpl_test_teardown).
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "common.h"

#define MAX_IOV 1024

static struct evpl_iovec iov[MAX_IOV];

static const unsigned int sizes[] = {
    1, 2, 63, 64, 65, 127, 128, 1500, 2048, 4095, 4096, 8191, 8192, 8193,
    9000, 16384, 65535, 65536, 100000, 1u << 20,
};

static const unsigned int flag_modes[] = { 0, EVPL_IOVEC_FLAG_SHARED };

/* The iovec lies inside the buffer it references: the data room of its
 * mbuf, or its slab (requests too large for segments). */
static void
assert_inside_mbuf(const struct evpl_iovec *v)
{
    struct rte_mbuf *m   = evpl_iovec_mbuf(v);
    const char      *buf;
    size_t           len;

    if (evpl_dpdk_iovec_is_slab(v)) {
        assert_null(m);
        buf = evpl_iovec_slab_(v)->data;
        len = evpl_iovec_slab_(v)->size;
    } else {
        assert_non_null(m);
        buf = m->buf_addr;
        len = m->buf_len;
    }
    assert_true((const char *) v->data >= buf);
    assert_true((const char *) v->data + v->length <= buf + len);
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
            assert_int_equal(evpl_test_sum_lengths(iov, n), sizes[i]);
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
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&iov[k])), 1);
        if (k > 0)
            assert_ptr_not_equal(evpl_test_mbuf(&iov[k]),
                                 evpl_test_mbuf(&iov[k - 1]));
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
            assert_int_equal(evpl_test_sum_lengths(iov, n), lengths[l]);
            for (k = 0; k < n; k++) {
                if (aligns[a] > 1)
                    assert_int_equal((uintptr_t) iov[k].data % aligns[a], 0);
                assert_inside_mbuf(&iov[k]);
            }
            evpl_iovecs_release(evpl, iov, n);

            n = evpl_iovec_reserve(evpl, lengths[l], aligns[a], MAX_IOV, iov);
            assert_in_range(n, 1, MAX_IOV);
            assert_int_equal(evpl_test_sum_lengths(iov, n), lengths[l]);
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
        assert_true(evpl_dpdk_iovec_is_slab(&iov[0]));
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

/* The failed allocation of an empty pool counts in alloc_nomem, once.
 * Guards the count in src/alloc.c's evpl_get_mbufs() (a mutant that
 * drops the increment, or turns it into a decrement). */
static void
alloc_nomem_counts_a_failure(void **state)
{
    struct rte_mempool     *mp;
    struct evpl            *e;
    struct rte_mbuf        *held[64];
    struct evpl_dpdk_stats  st;
    struct evpl_iovec       v;
    unsigned int            n;

    (void) state;
    e = evpl_test_ctx_on_own_pool("alloc_nomem", 64, NULL, &mp);
    n = evpl_test_pool_drain(mp, held, 64);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(evpl_dpdk_stats_get(e, &st), 0);
    assert_int_equal(st.alloc_nomem, 1);
    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_destroy(e);
    rte_mempool_free(mp);
}

/* An allocation over several segments that runs out of mbufs half way
 * gives back every mbuf it took. Two mbufs whose buffers are not
 * 1024-aligned are all the pool has: at alignment 1024 each loses its
 * padding, the two hold less than twice the data room, and the third
 * the request then needs is not there. Guards the undo of
 * src/alloc.c's evpl_alloc_multi() and evpl_put_mbuf() (mutants that
 * give back none, one, or two objects for one, or walk the taken mbufs
 * the wrong way). */
static void
alloc_out_of_mbufs_half_way_gives_all_back(void **state)
{
    struct rte_mempool *mp;
    struct evpl        *e;
    struct rte_mbuf    *held[64], *keep[64];
    struct evpl_iovec   v[4];
    unsigned int        n, i, kept = 0, back = 0, room;

    (void) state;
    e    = evpl_test_ctx_on_own_pool("alloc_undo", 64, NULL, &mp);
    room = rte_pktmbuf_data_room_size(mp);
    n    = evpl_test_pool_drain(mp, held, 64);
    for (i = 0; i < n; i++) {
        if (back < 2 && (uintptr_t) held[i]->buf_addr % 1024 != 0) {
            rte_mempool_put(mp, held[i]);
            back++;
        } else {
            keep[kept++] = held[i];
        }
    }
    assert_int_equal(back, 2);
    assert_int_equal(evpl_iovec_alloc(e, 2 * room, 1024, 4, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    rte_mempool_put_bulk(mp, (void **) keep, kept);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* An allocation that its first segment's alignment padding leaves one
 * byte short still gets that byte, from a segment fetched after the first
 * batch. The pool hands out first a buffer p bytes short of 1024-aligned,
 * then any other; room - p + 1 bytes at alignment 1024 count as one
 * segment at full room, the first holds room - p of them behind its
 * padding, and the last byte takes a second. Guards the "left > 0" of
 * src/alloc.c's evpl_alloc_multi() loop (at "left > 1" the last byte is
 * never allocated). */
static void
alloc_padding_short_by_one_byte_takes_another_segment(void **state)
{
    struct rte_mempool *mp;
    struct evpl        *e;
    struct rte_mbuf    *held[64], *first = NULL;
    struct evpl_iovec   v[2];
    unsigned int        n, i, room, pad;

    (void) state;
    e    = evpl_test_ctx_on_own_pool("alloc_short", 64, NULL, &mp);
    room = rte_pktmbuf_data_room_size(mp);
    n    = evpl_test_pool_drain(mp, held, 64);
    for (i = 0; i < n && first == NULL; i++) {
        if ((uintptr_t) held[i]->buf_addr % 1024 != 0) {
            first   = held[i];
            held[i] = held[--n];
        }
    }
    assert_non_null(first);
    pad = 1024 - (unsigned int) ((uintptr_t) first->buf_addr % 1024);
    rte_mempool_put(mp, first);
    rte_mempool_put(mp, held[--n]);
    assert_int_equal(evpl_iovec_alloc(e, room - pad + 1, 1024, 2, 0, v), 2);
    assert_ptr_equal(evpl_test_mbuf(&v[0]), first);
    assert_int_equal(v[0].length, room - pad);
    assert_int_equal(v[1].length, 1);
    evpl_iovecs_release(e, v, 2);
    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* A context on a pool of its own of 64 mbufs with lcore caches of 8, the
 * calling lcore's cache (empty) in *cache, for the cases that count what
 * one allocation takes from the pool. */
static struct evpl *
ctx_on_cached_pool(
    const char                *name,
    struct rte_mempool       **mp,
    struct rte_mempool_cache **cache)
{
    struct evpl_config cfg = { 0 };
    struct evpl       *e;

    *mp = rte_pktmbuf_pool_create(name, 64, 8, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                  SOCKET_ID_ANY);
    assert_non_null(*mp);
    cfg.pool = *mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    *cache = rte_mempool_default_cache(*mp, rte_lcore_id());
    assert_non_null(*cache);
    assert_int_equal((*cache)->len, 0);
    return e;
}

static void
ctx_on_cached_pool_done(
    struct evpl        *e,
    struct rte_mempool *mp)
{
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* An allocation over several segments takes them from the pool in one get
 * per batch, not one get per mbuf. From an empty lcore cache of 8, one
 * get of 3 refills the cache with 8 + 3 and leaves it 8 (DPDK 22.11's
 * rte_mempool_generic_get()); three gets of one would refill it with
 * 8 + 1 and leave 6. Guards the "n++" of src/alloc.c's
 * evpl_min_segments_upto() (without it every batch is one mbuf). */
static void
alloc_takes_its_segments_in_one_get(void **state)
{
    struct rte_mempool       *mp;
    struct rte_mempool_cache *cache;
    struct evpl              *e = ctx_on_cached_pool("alloc_batch", &mp, &cache);
    unsigned int              room = rte_pktmbuf_data_room_size(mp);
    struct evpl_iovec         v[3];

    (void) state;
    assert_int_equal(evpl_iovec_alloc(e, 3 * room, 0, 3, 0, v), 3);
    assert_int_equal(cache->len, 8);
    evpl_iovecs_release(e, v, 3);
    ctx_on_cached_pool_done(e, mp);
}

/* With max_iovecs near UINT_MAX, the segments a later batch needs still
 * come in one get. The lcore cache holds only three mbufs that are, at
 * alignment 1024, together more than a data room short of aligned: the
 * first batch takes them for 3 * room bytes, the 2 more the padding cost
 * come in one get that refills the empty cache to 8 plus those 2, and a
 * sixth, if the padding of those needs one, from the cache: cache fill
 * plus iovecs is 13 (a get per mbuf leaves 12). Guards the "max_iovecs -
 * n" of src/alloc.c's evpl_alloc_multi() (a sum would wrap there to a cap
 * of 0, one mbuf per get). */
static void
alloc_near_uint_max_iovecs_takes_a_later_batch_in_one_get(void **state)
{
    struct rte_mempool       *mp;
    struct rte_mempool_cache *cache;
    struct evpl              *e = ctx_on_cached_pool("alloc_wrap", &mp, &cache);
    unsigned int              room = rte_pktmbuf_data_room_size(mp);
    struct rte_mbuf          *m[64], *t;
    struct evpl_iovec         v[8];
    unsigned int              pads = 0, i, j;
    int                       n;

    (void) state;
    /* Every mbuf out of the ring, those with the most padding first. */
    for (i = 0; i < 64; i++)
        assert_int_equal(rte_mempool_generic_get(mp, (void **) &m[i], 1,
                                                 NULL), 0);
    for (i = 0; i < 3; i++) {
        for (j = i + 1; j < 64; j++) {
            if ((uintptr_t) m[j]->buf_addr % 1024 != 0 &&
                ((uintptr_t) m[i]->buf_addr % 1024 == 0 ||
                 (uintptr_t) m[j]->buf_addr % 1024 <
                     (uintptr_t) m[i]->buf_addr % 1024)) {
                t    = m[i];
                m[i] = m[j];
                m[j] = t;
            }
        }
        assert_true((uintptr_t) m[i]->buf_addr % 1024 != 0);
        pads += 1024 - (unsigned int) ((uintptr_t) m[i]->buf_addr % 1024);
    }
    assert_true(pads > room);
    rte_mempool_generic_put(mp, (void **) &m[3], 61, NULL);
    rte_mempool_generic_put(mp, (void **) m, 3, cache);
    n = evpl_iovec_alloc(e, 3 * room, 1024, UINT_MAX - 2, 0, v);
    assert_in_range(n, 5, 6);
    assert_int_equal(evpl_test_sum_lengths(v, n), 3 * room);
    assert_int_equal(cache->len + (unsigned int) n, 13);
    evpl_iovecs_release(e, v, n);
    ctx_on_cached_pool_done(e, mp);
}

/* Segments cannot give an alignment as large as the whole data room (a
 * pool of 4095-byte rooms, alignment 4096): the request takes a slab.
 * Guards src/alloc.c's evpl_use_segments() "mask >= room" (at equality
 * the segment count divides by zero). */
static void
alloc_aligned_to_the_whole_room_takes_a_slab(void **state)
{
    struct rte_mempool *mp;
    struct evpl_config  cfg = { 0 };
    struct evpl        *e;
    struct evpl_iovec   v;

    (void) state;
    mp = rte_pktmbuf_pool_create("alloc_room4095", 64, 0, 0, 4095,
                                 SOCKET_ID_ANY);
    assert_non_null(mp);
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100, 4096, 1, 0, &v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v));
    assert_int_equal((uintptr_t) v.data % 4096, 0);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
    rte_mempool_free(mp);
}

/* max_iovecs segments, exactly full, stay segments; one byte more takes
 * a slab (in one iovec). Guards the rounding up of the segment count in
 * src/alloc.c's evpl_use_segments() (length + cap - 1). */
static void
alloc_one_byte_past_max_iovecs_segments_takes_a_slab(void **state)
{
    struct evpl      *e    = ctx_of(state);
    unsigned int      room = rte_pktmbuf_data_room_size(evpl_mempool(e));
    struct evpl_iovec v[2];

    assert_int_equal(evpl_iovec_alloc(e, 2 * room, 0, 2, 0, v), 2);
    assert_false(evpl_dpdk_iovec_is_slab(&v[0]));
    evpl_iovecs_release(e, v, 2);
    assert_int_equal(evpl_iovec_alloc(e, 2 * room + 1, 0, 2, 0, v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v[0]));
    assert_int_equal(v[0].length, 2 * room + 1);
    evpl_iovec_release(e, &v[0]);
}

/* Every kind of iovec a context makes carries its thread's owner tag in
 * the flags, in every build: a trace-mode application checks a LOCAL
 * iovec's owner, whichever build of the library made it. Guards the
 * owner flags of src/alloc.c (evpl_iovec_alloc, evpl_iovec_reserve) and
 * src/slab_carve.c. */
static void
iovecs_carry_their_owner_tag(void **state)
{
    struct evpl      *e     = ctx_of(state);
    uint32_t          owner = evpl_thread_tag_;
    struct evpl_iovec v[4];
    int               i;

    assert_true(owner != 0);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_reserve(e, 100, 0, 1, &v[1]), 1);
    assert_int_equal(evpl_iovec_alloc(e, 1u << 20, 0, 1, 0, &v[2]), 1);
    assert_int_equal(evpl_iovec_reserve(e, 1u << 20, 0, 1, &v[3]), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v[2]));
    assert_true(evpl_dpdk_iovec_is_slab(&v[3]));
    for (i = 0; i < 4; i++)
        assert_int_equal(v[i].flags >> EVPL_IOVEC_OWNER_SHIFT_, owner);
    evpl_iovecs_release(e, v, 4);
}

/* On a pool with a cache, once the cache and the pool are both empty an
 * allocation fails with ENOMEM: the pool's 64 mbufs, then no more.
 * Guards the "len > 0" of src/alloc.c's evpl_iovec_alloc() fast path
 * (at ">= 0" an empty cache's refill from an empty pool fails unseen and
 * an mbuf it never got is handed out). */
static void
alloc_from_an_empty_cache_and_pool_fails(void **state)
{
    struct rte_mempool *mp;
    struct evpl_config  cfg = { 0 };
    struct evpl        *e;
    struct evpl_iovec   v[65];
    int                 n = 0;

    (void) state;
    mp = rte_pktmbuf_pool_create("alloc_cached", 64, 8, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert_non_null(mp);
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    errno = 0;
    while (n < 65 && evpl_iovec_alloc(e, 100, 0, 1, 0, &v[n]) == 1)
        n++;
    assert_int_equal(n, 64);
    assert_int_equal(errno, ENOMEM);
    evpl_iovecs_release(e, v, n);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

static const struct CMUnitTest cases[] = {
    CASE(alloc_sizes_add_up),
    CASE(alloc_gives_exclusive_mbufs),
    CASE(alloc_alignment_every_iovec),
    CASE(spans_disjoint_and_writable),
    CASE(max_iovecs_too_small),
    CASE(invalid_arguments),
    CASE(alloc_nomem_counts_a_failure),
    CASE(alloc_out_of_mbufs_half_way_gives_all_back),
    CASE(alloc_padding_short_by_one_byte_takes_another_segment),
    CASE(alloc_takes_its_segments_in_one_get),
    CASE(alloc_near_uint_max_iovecs_takes_a_later_batch_in_one_get),
    CASE(alloc_aligned_to_the_whole_room_takes_a_slab),
    CASE(alloc_one_byte_past_max_iovecs_segments_takes_a_slab),
    CASE(iovecs_carry_their_owner_tag),
    CASE(alloc_from_an_empty_cache_and_pool_fails),
};

EVPL_TEST_MAIN("memory_alloc", cases)
