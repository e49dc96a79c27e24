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
    unsigned int       moved = 0, cnt, most = 0;
    int                i;

    assert_non_null(v);
    /* Reservations that are never committed keep returning the same place
     * until the segment carries its cap of references; then they move on,
     * so only explicit clones can drive a count to 65535. The cap, 16384
     * (the context's reference and 16383 reservations), is reached and
     * never passed: guards the ">=" of src/alloc.c's evpl_iovec_reserve()
     * (at ">" a segment takes a 16385th reference). */
    for (i = 0; i < N; i++) {
        assert_int_equal(evpl_iovec_reserve(evpl, 1, 0, 1, &v[i]), 1);
        cnt  = rte_mbuf_refcnt_read(evpl_test_mbuf(&v[i]));
        most = RTE_MAX(most, cnt);
        if (i > 0 && v[i].data != v[i - 1].data)
            moved++;
    }
    assert_int_equal(most, 16384);
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

/* A context on a pool of its own (64 mbufs of DPDK's default size, no
 * cache), for the cases that decide which mbufs it gets. */
struct own {
    struct rte_mempool *mp;
    struct evpl        *e;
    unsigned int        room;
};

static void
own_pool(struct own *o, const char *name)
{
    o->e    = evpl_test_ctx_on_own_pool(name, 64, NULL, &o->mp);
    o->room = rte_pktmbuf_data_room_size(o->mp);
}

static void
own_done(struct own *o)
{
    evpl_destroy(o->e);
    evpl_test_assert_pool_full(o->mp);
    rte_mempool_free(o->mp);
}

/* A reservation of exactly what is left behind the carving point lands
 * there. Guards the "< length" of src/alloc.c's evpl_reserve_behind()
 * (at "<=" it takes a fresh segment). */
static void
reserve_exactly_the_rest_lands_behind(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b;
    unsigned int      rest;

    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &a), 1);
    evpl_iovec_commit(evpl, 0, &a, 1);
    rest = evpl_test_mbuf(&a)->buf_len -
           (unsigned int) ((char *) a.data + 100 -
                           (char *) evpl_test_mbuf(&a)->buf_addr);
    assert_int_equal(evpl_iovec_reserve(evpl, rest, 0, 1, &b), 1);
    assert_ptr_equal(evpl_test_mbuf(&b), evpl_test_mbuf(&a));
    assert_ptr_equal(b.data, (char *) a.data + 100);
    evpl_iovec_release(evpl, &b);
    evpl_iovec_release(evpl, &a);
}

/* A reservation that needs max_vec segments, the rest of the carve
 * segment being one more, takes a slab. Guards the "+ extra" of
 * src/alloc.c's evpl_use_segments(). */
static void
reserve_of_max_vec_full_segments_takes_a_slab(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    unsigned int      room = rte_pktmbuf_data_room_size(evpl_mempool(evpl));
    struct evpl_iovec v[3];
    int               n;

    assert_int_equal(evpl_iovec_reserve(evpl, 2 * room, 0, 2, v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v[0]));
    evpl_iovec_release(evpl, &v[0]);
    n = evpl_iovec_reserve(evpl, 2 * room, 0, 3, v);
    assert_true(n >= 2);
    assert_false(evpl_dpdk_iovec_is_slab(&v[0]));
    evpl_iovecs_release(evpl, v, n);
}

/* With a carve segment in hand, segments still cannot give an alignment
 * as large as the whole data room (rooms of 4095 bytes, alignment 4096):
 * the reservation takes a slab, as it would with none. Guards the
 * "mask >= room" of src/alloc.c's evpl_reserve_behind(). */
static void
reserve_aligned_to_the_whole_room_takes_a_slab(void **state)
{
    struct rte_mempool *mp;
    struct evpl_config  cfg = { 0 };
    struct evpl        *e;
    struct evpl_iovec   a, b;

    (void) state;
    mp = rte_pktmbuf_pool_create("reserve_room4095", 64, 0, 0, 4095,
                                 SOCKET_ID_ANY);
    assert_non_null(mp);
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(evpl_iovec_reserve(e, 100, 0, 1, &a), 1);
    assert_false(evpl_dpdk_iovec_is_slab(&a));
    assert_int_equal(evpl_iovec_reserve(e, 1, 4096, 1, &b), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&b));
    assert_int_equal((uintptr_t) b.data % 4096, 0);
    evpl_iovec_release(e, &b);
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
    rte_mempool_free(mp);
}

/* A spanning reservation with no mbuf to start on fails with ENOMEM and
 * takes nothing. Guards the "return -1" of src/alloc.c's
 * evpl_reserve_span() when its first segment cannot be had. */
static void
reserve_span_without_mbufs_fails(void **state)
{
    struct own        o;
    struct rte_mbuf  *held[64];
    struct evpl_iovec v[8];
    unsigned int      n;

    (void) state;
    own_pool(&o, "reserve_span_nomem");
    n = evpl_test_pool_drain(o.mp, held, 64);
    memset(v, 0, sizeof(v));
    assert_int_equal(evpl_iovec_reserve(o.e, 2 * o.room, 0, 8, v), -1);
    assert_int_equal(errno, ENOMEM);
    rte_mempool_put_bulk(o.mp, (void **) held, n);
    own_done(&o);
}

/* A spanning reservation whose mbufs run out half way fails with ENOMEM
 * and gives back exactly the pieces it took: the iovec behind them in the
 * caller's array (here a copy of a live one) is not touched. Guards the
 * bound of src/alloc.c's evpl_reserve_span() undo loop (i < n: at <= it
 * also puts the reference of whatever lies at r_iovec[n]). */
static void
reserve_span_out_of_mbufs_half_way_gives_back_its_pieces(void **state)
{
    struct own        o;
    struct rte_mbuf  *held[64], *m;
    struct evpl_iovec a, s, v[8];
    unsigned int      n, i;

    (void) state;
    own_pool(&o, "reserve_span_half");
    /* A carve segment with room left, and a live iovec to copy. */
    assert_int_equal(evpl_iovec_reserve(o.e, 100, 0, 1, &a), 1);
    evpl_iovec_commit(o.e, 0, &a, 1);
    assert_int_equal(evpl_iovec_alloc(o.e, 64, 0, 1, 0, &s), 1);
    m = evpl_test_mbuf(&s);
    /* One mbuf left: the carve rest and one fresh segment, not a second. */
    n = evpl_test_pool_drain(o.mp, held, 64);
    assert_true(n >= 1);
    rte_mempool_put(o.mp, held[--n]);
    for (i = 0; i < RTE_DIM(v); i++)
        v[i] = s;
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(o.e, 3 * o.room, 0, 8, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    assert_int_equal(rte_mempool_avail_count(o.mp), 1);
    rte_mempool_put_bulk(o.mp, (void **) held, n);
    evpl_iovec_release(o.e, &s);
    evpl_iovec_release(o.e, &a);
    own_done(&o);
}

/* The carve segment's aligned carving point can fall on its very end (64
 * bytes left at alignment 128, on a buffer that ends 128-aligned): a
 * spanning reservation then starts on a fresh segment, with no empty
 * iovec. Which buffers end 128-aligned depends on the pool's layout: the
 * case tries two data rooms 64 bytes apart. Guards the "start < end" of
 * src/alloc.c's evpl_reserve_span(). */
static void
reserve_span_from_a_carve_segment_with_no_room_left(void **state)
{
    static const unsigned int rooms[] = { 2176, 2240 };
    struct rte_mempool *mp = NULL;
    struct evpl_config  cfg = { 0 };
    struct evpl        *e;
    struct rte_mbuf    *held[64], *x = NULL;
    struct evpl_iovec   a, b[8];
    unsigned int        n = 0, i, r;
    int                 nb, k;

    (void) state;
    for (r = 0; r < RTE_DIM(rooms) && x == NULL; r++) {
        if (mp != NULL) {
            rte_mempool_put_bulk(mp, (void **) held, n);
            rte_mempool_free(mp);
        }
        mp = rte_pktmbuf_pool_create("reserve_span_full", 64, 0, 0,
                                     (uint16_t) rooms[r], SOCKET_ID_ANY);
        assert_non_null(mp);
        n = evpl_test_pool_drain(mp, held, 64);
        for (i = 0; i < n && x == NULL; i++)
            if ((uintptr_t) ((char *) held[i]->buf_addr +
                             held[i]->buf_len) % 128 == 0)
                x = held[i];
    }
    assert_non_null(x);
    /* That buffer first, then every other mbuf. */
    rte_mempool_put(mp, x);
    for (i = 0; i < n; i++)
        if (held[i] != x)
            rte_mempool_put(mp, held[i]);
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(evpl_iovec_reserve(e, x->buf_len - 64, 0, 1, &a), 1);
    assert_ptr_equal(evpl_test_mbuf(&a), x);
    evpl_iovec_commit(e, 0, &a, 1);
    nb = evpl_iovec_reserve(e, 3000, 128, 8, b);
    assert_true(nb >= 2);
    assert_ptr_not_equal(evpl_test_mbuf(&b[0]), x);
    for (k = 0; k < nb; k++)
        assert_true(b[k].length > 0);
    assert_int_equal(evpl_test_sum_lengths(b, nb), 3000);
    evpl_iovecs_release(e, b, nb);
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * A segment a reservation takes fresh carries no span-tail mark, whatever
 * the mbuf last carried: the tail of a spanning reservation released
 * without a commit goes back to the pool marked, and is the next fresh
 * segment. A clone of a reservation there, committed once the segment
 * has been given up, must consume nothing (and take no reference). Guards
 * the mark written by src/alloc.c's evpl_reserve_seg().
 */
static void
reserve_fresh_segment_forgets_an_old_span_mark(void **state)
{
    struct own        o;
    struct rte_mbuf  *held[64], *tail;
    struct evpl_iovec s[4], a, r, rc;
    unsigned int      n;

    (void) state;
    own_pool(&o, "reserve_stale_mark");
    /* A span of two segments: the second, its tail, carries the mark;
     * released uncommitted, it goes back to the pool last. */
    assert_int_equal(evpl_iovec_reserve(o.e, o.room + 100, 0, 4, s), 2);
    tail = evpl_test_mbuf(&s[1]);
    evpl_iovecs_release(o.e, s, 2);
    /* Everything else out of the pool: the tail is its only mbuf. */
    n = evpl_test_pool_drain(o.mp, held, rte_mempool_avail_count(o.mp) - 1);
    assert_int_equal(rte_mempool_avail_count(o.mp), 1);
    /* The first segment (still the carve segment) gets too short for r,
     * which takes the tail fresh. */
    assert_int_equal(evpl_iovec_reserve(o.e, 1000, 0, 1, &a), 1);
    evpl_iovec_commit(o.e, 0, &a, 1);
    assert_int_equal(evpl_iovec_reserve(o.e, o.room - 10, 0, 1, &r), 1);
    assert_ptr_equal(evpl_test_mbuf(&r), tail);
    evpl_iovec_clone(&rc, &r);
    /* Committing r whole leaves too little to carve on: the context
     * gives the segment up, and the two iovecs hold it. */
    evpl_iovec_commit(o.e, 0, &r, 1);
    assert_int_equal(rte_mbuf_refcnt_read(tail), 2);
    evpl_iovec_set_length(&rc, 100);
    evpl_iovec_commit(o.e, 0, &rc, 1);
    assert_int_equal(rte_mbuf_refcnt_read(tail), 2);
    evpl_iovec_release(o.e, &rc);
    evpl_iovec_release(o.e, &r);
    evpl_iovec_release(o.e, &a);
    rte_mempool_put_bulk(o.mp, (void **) held, n);
    own_done(&o);
}

/* Commit consumes only what was reserved, on a slab too: a slab
 * allocation committed at an alignment its end does not meet leaves the
 * carving point where the allocation put it. Guards the early return
 * for an iovec not reserved in src/carve.c's evpl_commit_one(). */
static void
commit_of_a_slab_allocation_consumes_nothing(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, r;

    assert_int_equal(evpl_iovec_alloc(evpl, 100001, 0, 1, 0, &a), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&a));
    evpl_iovec_commit(evpl, 4096, &a, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &r), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&r));
    assert_ptr_equal(r.data, (char *) a.data + a.length);
    evpl_iovec_release(evpl, &r);
    evpl_iovec_release(evpl, &a);
}

/* A reservation of a whole segment that does not fit behind the carving
 * point takes one fresh segment, in one iovec, not what is left behind
 * the point and then more. Guards the "<=" of src/alloc.c's
 * evpl_iovec_reserve() (at "<" the exact fit spans two segments). */
static void
reserve_of_a_whole_segment_takes_one_fresh_segment(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    unsigned int      room = rte_pktmbuf_data_room_size(evpl_mempool(evpl));
    struct evpl_iovec a, v[4];

    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &a), 1);
    evpl_iovec_commit(evpl, 0, &a, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, room, 0, 4, v), 1);
    assert_false(evpl_dpdk_iovec_is_slab(&v[0]));
    assert_int_equal(v[0].length, room);
    assert_ptr_not_equal(evpl_test_mbuf(&v[0]), evpl_test_mbuf(&a));
    evpl_iovec_release(evpl, &v[0]);
    evpl_iovec_release(evpl, &a);
}

/* A commit's alignment that is not a power of two pads nothing: the next
 * reservation lands right behind the committed bytes. Guards the
 * "mask = 0" of src/carve.c's evpl_iovec_commit(): alignment 3 kept as
 * mask 1 would pad an odd end, and as mask 2 (the "mask = 0" gone) an
 * end whose second bit is set; four lengths in a row end at every
 * remainder modulo 4. */
static void
commit_alignment_not_a_power_of_two_pads_nothing(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b;
    unsigned int      len;

    for (len = 101; len <= 104; len++) {
        assert_int_equal(evpl_iovec_reserve(evpl, len, 0, 1, &a), 1);
        evpl_iovec_commit(evpl, 3, &a, 1);
        assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &b), 1);
        assert_ptr_equal(b.data, (char *) a.data + len);
        evpl_iovec_release(evpl, &b);
        evpl_iovec_release(evpl, &a);
    }
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
    CASE(reserve_exactly_the_rest_lands_behind),
    CASE(reserve_of_max_vec_full_segments_takes_a_slab),
    CASE(reserve_aligned_to_the_whole_room_takes_a_slab),
    CASE(reserve_span_without_mbufs_fails),
    CASE(reserve_span_out_of_mbufs_half_way_gives_back_its_pieces),
    CASE(reserve_span_from_a_carve_segment_with_no_room_left),
    CASE(reserve_fresh_segment_forgets_an_old_span_mark),
    CASE(commit_of_a_slab_allocation_consumes_nothing),
    CASE(reserve_of_a_whole_segment_takes_one_fresh_segment),
    CASE(commit_alignment_not_a_power_of_two_pads_nothing),
};

EVPL_TEST_MAIN("memory_reserve", cases)
