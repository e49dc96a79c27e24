/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs: iovecs larger than a packet segment, carved from large buffers.
 * Each case ends with the context's mbuf pool and the slab pool holding
 * every buffer they held when it began, and evpl_dpdk_outstanding()
 * reporting no slab.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "common.h"
#include "slab_sets.h"

#define SLAB (2u << 20)

static uint16_t ring_port;

/* ---- fixture ---------------------------------------------------------- */

/* Slabs of the default set (2 MiB, no limit) taken from its pools. */
static unsigned int
slabs_in_use(void)
{
    return evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                  EVPL_DPDK_DEFAULT_NB_SLABS);
}

struct fix {
    struct evpl_test_ctx base; /* first: evpl_test_teardown() frees it */
    unsigned int         slabs_used;
};

static int
setup(void **state)
{
    struct evpl_test_ctx *t;
    struct fix           *f;

    if (evpl_test_setup(state) != 0)
        return -1;
    t = *state;
    f = realloc(t, sizeof(*f));
    if (f == NULL)
        return -1;
    *state        = f;
    f->slabs_used = slabs_in_use();
    return 0;
}

static int
teardown(void **state)
{
    struct fix                  *f = *state;
    struct evpl_dpdk_outstanding o;
    unsigned int                 want = f->slabs_used;

    if (evpl_dpdk_outstanding(f->base.evpl, &o) < 0 || o.slabs != 0 ||
        o.slab_refs != 0) {
        fprintf(stderr, "leak: %lu slabs (%lu references) outstanding\n",
                (unsigned long) o.slabs, (unsigned long) o.slab_refs);
        return -1;
    }
    /* The context's own carve slabs go back at destroy: count after it. */
    if (evpl_test_teardown(state) != 0)
        return -1;
    if (slabs_in_use() > want) {
        fprintf(stderr, "leak: %u slabs in use, %u before\n",
                slabs_in_use(), want);
        return -1;
    }
    return 0;
}

/* ---- allocation ------------------------------------------------------- */

static const unsigned int flag_modes[] = { 0, EVPL_IOVEC_FLAG_SHARED };

struct span {
    const char *lo, *hi;
};

static int
span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Every length from 1 B to 2 MiB on a log scale (powers of two and the
 * points half-way between), as one iovec (max_iovecs 1) at each
 * alignment: aligned, of the length asked, writable end to end, and
 * disjoint from every other allocation live at the same time. */
static void
one_iovec_every_length_and_alignment(void **state)
{
    static const unsigned int aligns[] = { 0, 8, 64, 512, 4096 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_iovec         v[64];
    struct span               spans[64];
    unsigned int              lengths[64], nlen = 0, len, a, f, i;
    int                       k;

    for (len = 1; len < SLAB; len *= 2) {
        lengths[nlen++] = len;
        if (len >= 4)
            lengths[nlen++] = len + len / 2;
    }
    lengths[nlen++] = SLAB;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        for (a = 0; a < RTE_DIM(aligns); a++) {
            for (i = 0; i < nlen; i++) {
                k = evpl_iovec_alloc(evpl, lengths[i], aligns[a], 1,
                                     flag_modes[f], &v[i]);
                if (k != 1)
                    fail_msg("length %u align %u flags %u: returned %d "
                             "errno %d", lengths[i], aligns[a], flag_modes[f],
                             k, errno);
                assert_int_equal(evpl_iovec_length(&v[i]), lengths[i]);
                if (aligns[a] != 0)
                    assert_int_equal((uintptr_t) v[i].data % aligns[a], 0);
                evpl_test_fill(v[i].data, lengths[i], i + 100 * a);
                spans[i].lo = v[i].data;
                spans[i].hi = (const char *) v[i].data + lengths[i];
            }
            for (i = 0; i < nlen; i++)
                assert_true(evpl_test_check(v[i].data, lengths[i],
                                            i + 100 * a));
            qsort(spans, nlen, sizeof(spans[0]), span_cmp);
            for (i = 1; i < nlen; i++)
                assert_true(spans[i - 1].hi <= spans[i].lo);
            evpl_iovecs_release(evpl, v, (int) nlen);
        }
    }
}

/* Alignments above 4096 up to the slab size, where the length leaves
 * room for the padding; past the slab size, EINVAL. */
static void
large_alignments(void **state)
{
    static const struct {
        const char  *name;
        unsigned int length, alignment;
    } cases[] = {
        { "8 KiB at 8 KiB",    8192,        8192 },
        { "1 MiB at 64 KiB",   1u << 20,    1u << 16 },
        { "100 B at 1 MiB",    100,         1u << 20 },
        { "4 KiB at 2 MiB",    4096,        SLAB },
        { "2 MiB at 2 MiB",    SLAB,        SLAB },
    };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    size_t            i;

    for (i = 0; i < RTE_DIM(cases); i++) {
        if (evpl_iovec_alloc(evpl, cases[i].length, cases[i].alignment, 1, 0,
                             &v) != 1)
            fail_msg("%s: errno %d", cases[i].name, errno);
        assert_int_equal((uintptr_t) v.data % cases[i].alignment, 0);
        memset(v.data, 0x5a, v.length);
        evpl_iovec_release(evpl, &v);
        if (evpl_iovec_reserve(evpl, cases[i].length, cases[i].alignment, 1,
                               &v) != 1)
            fail_msg("reserve %s: errno %d", cases[i].name, errno);
        assert_int_equal((uintptr_t) v.data % cases[i].alignment, 0);
        evpl_iovec_release(evpl, &v);
    }
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 2 * SLAB, 1, 0, &v), -1);
    assert_int_equal(errno, EINVAL);
}

/* A request that fits one segment still gets an mbuf of its own. */
static void
segment_sized_requests_stay_on_mbufs(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2];

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_dpdk_iovec_is_slab(&v[0]), 0);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0])), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 16384, 0, 1, 0, &v[1]), 1);
    assert_int_not_equal(evpl_dpdk_iovec_is_slab(&v[1]), 0);
    evpl_iovecs_release(evpl, v, 2);
}

/* The public accessors tell the kinds apart: a slab iovec has no mbuf
 * (evpl_iovec_mbuf() is NULL, never a slab head passed off as one), and
 * its clones and byte ranges are slab iovecs too. */
static void
kind_is_public_and_safe(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec seg, slab, c;

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &seg), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &slab), 1);
    assert_false(evpl_dpdk_iovec_is_slab(&seg));
    assert_non_null(evpl_iovec_mbuf(&seg));
    assert_ptr_equal(evpl_iovec_mbuf(&seg)->pool, evpl_mempool(evpl));
    assert_true(evpl_dpdk_iovec_is_slab(&slab));
    assert_null(evpl_iovec_mbuf(&slab));
    evpl_iovec_clone_segment(&c, &slab, 10, 10);
    assert_true(evpl_dpdk_iovec_is_slab(&c));
    assert_null(evpl_iovec_mbuf(&c));
    evpl_iovec_release(evpl, &c);
    evpl_iovec_release(evpl, &slab);
    evpl_iovec_release(evpl, &seg);
}

/* Longer than a slab: one iovec per slab, up to max_iovecs; one fewer
 * iovec than needed is ENOSPC with nothing taken. */
static void
long_requests_span_slabs(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[4];
    unsigned int      before = slabs_in_use(), f;
    int               n, i;
    size_t            total;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        n = evpl_iovec_alloc(evpl, 5u << 20, 4096, 3, flag_modes[f], v);
        assert_int_equal(n, 3);
        for (total = 0, i = 0; i < n; i++) {
            assert_int_equal((uintptr_t) v[i].data % 4096, 0);
            memset(v[i].data, i, v[i].length);
            total += v[i].length;
        }
        assert_int_equal(total, 5u << 20);
        evpl_iovecs_release(evpl, v, n);

        errno = 0;
        assert_int_equal(evpl_iovec_alloc(evpl, 5u << 20, 0, 2, flag_modes[f],
                                          v), -1);
        assert_int_equal(errno, ENOSPC);
    }
    /* At most the context's two carve slabs stay taken. */
    assert_true(slabs_in_use() <= before + 2);
}

/* libevpl's length 0: no iovec, no error. */
static void
zero_length_returns_zero(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(evpl, 0, 0, 1, 0, &v), 0);
    assert_int_equal(evpl_iovec_reserve(evpl, 0, 0, 1, &v), 0);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(evpl, 0, 3, 1, 0, &v), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(NULL, 0, 0, 1, 0, &v), -1);
    assert_int_equal(errno, EINVAL);
}

/* ---- references ------------------------------------------------------- */

static unsigned int
slab_refcnt(const struct evpl_iovec *v)
{
    return evpl_iovec_slab_(v)->shinfo.refcnt;
}

/* A slab range whose attached mbufs run out half way: nothing is sent, the
 * slab's count is back where it was, and the mbufs taken are back too;
 * from a slab this process took and from one another process took. */
static void
send_range_out_of_mbufs_gives_back_every_count(void **state)
{
    enum { POOL_N = 31 };
    struct rte_mempool *mp;
    struct evpl        *e;
    struct rte_mbuf    *hold[POOL_N], *m;
    struct evpl_iovec   v;
    unsigned int        before, k;
    int                 elsewhere;

    (void) state;
    e = evpl_test_ctx_on_own_pool("ext_undo", POOL_N, NULL, &mp);
    for (elsewhere = 0; elsewhere < 2; elsewhere++) {
        /* 1 MiB: 17 attached mbufs of at most 65535 bytes; 4 are left. */
        assert_int_equal(evpl_iovec_alloc(e, 1u << 20, 0, 1, 0, &v), 1);
        assert_true(evpl_dpdk_iovec_is_slab(&v));
        evpl_test_slab_taken_elsewhere(&v, elsewhere);
        before = slab_refcnt(&v);
        for (k = 0; k < POOL_N - 4; k++)
            assert_non_null(hold[k] = rte_pktmbuf_alloc(mp));
        errno = 0;
        assert_null(evpl_dpdk_iovecs_to_mbuf(e, &v, 1, 0));
        assert_int_equal(errno, ENOMEM);
        assert_int_equal(slab_refcnt(&v), before);
        assert_int_equal(rte_mempool_avail_count(mp), 4);
        /* The range's own shared info went back (guards
         * evpl_slab_att_unget()). */
        if (elsewhere)
            assert_int_equal(rte_mempool_avail_count(evpl_test_att_pool(mp)),
                             evpl_test_att_pool(mp)->size);
        for (k = 0; k < POOL_N - 4; k++)
            rte_pktmbuf_free(hold[k]);

        /* With mbufs back the same range goes, its 17 mbufs sharing one
         * shared info. The slab's own, where this process took it, each
         * mbuf one count on the slab; else one of the range's own,
         * holding one count on the slab for all 17 (guards the choice in
         * evpl_slab_att_get(), src/slab_attach.c). Their free drops
         * them. */
        assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(e, &v, 1, 0));
        assert_int_equal(m->nb_segs, 17);
        assert_ptr_equal(m->shinfo, m->next->shinfo);
        if (elsewhere) {
            assert_int_equal(slab_refcnt(&v), before + 1);
            assert_ptr_not_equal(m->shinfo, &evpl_iovec_slab_(&v)->shinfo);
            assert_int_equal(rte_mbuf_ext_refcnt_read(m->shinfo), 17);
        } else {
            assert_int_equal(slab_refcnt(&v), before + 17);
            assert_ptr_equal(m->shinfo, &evpl_iovec_slab_(&v)->shinfo);
        }
        rte_pktmbuf_free(m);
        assert_int_equal(slab_refcnt(&v), before);
        evpl_test_slab_taken_elsewhere(&v, 0);
        evpl_iovec_release(e, &v);
    }
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* A slab range r of 8 KiB (attached when sent, not copied) cloned from
 * v, a fresh 1 MiB slab iovec of a slab another process took (release
 * with att_range_release()); the shared infos' pool made. */
static struct rte_mempool *
att_range(struct evpl *evpl, void **state, struct evpl_iovec *v,
          struct evpl_iovec *r)
{
    struct rte_mbuf *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1, 0, v), 1);
    evpl_test_slab_taken_elsewhere(v, 1);
    evpl_iovec_clone_segment(r, v, 0, 8192);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, r, 1, 0));
    assert_true(RTE_MBUF_HAS_EXTBUF(m));
    rte_pktmbuf_free(m);
    return evpl_test_att_pool(((struct evpl_test_ctx *) *state)->pool);
}

static void
att_range_release(struct evpl *evpl, struct evpl_iovec *v,
                  struct evpl_iovec *r)
{
    evpl_test_slab_taken_elsewhere(v, 0);
    evpl_iovec_release(evpl, r);
    evpl_iovec_release(evpl, v);
}

static void *
free_on_a_plain_thread(void *m)
{
    rte_pktmbuf_free(m);
    return NULL;
}

/* An attached mbuf freed on a thread outside the EAL, which has no lcore
 * id and so no lcore cache: its shared info goes straight back to the
 * pool and its slab reference is dropped (guards evpl_slab_att_free()'s
 * slow path for a thread with no lcore id, src/slab_attach.c: without
 * it the free indexes the lcore caches with LCORE_ID_ANY). */
static void
attached_mbuf_freed_on_a_thread_outside_the_eal(void **state)
{
    struct evpl        *evpl = ctx_of(state);
    struct evpl_iovec   v, r;
    struct rte_mempool *att;
    struct rte_mbuf    *m;
    pthread_t           t;
    unsigned int        base, avail;

    assert_non_null(att = att_range(evpl, state, &v, &r));
    base = slab_refcnt(&v);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0));
    assert_int_equal(slab_refcnt(&v), base + 1);
    avail = rte_mempool_avail_count(att);
    assert_int_equal(pthread_create(&t, NULL, free_on_a_plain_thread, m), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(slab_refcnt(&v), base);
    assert_int_equal(rte_mempool_avail_count(att), avail + 1);
    att_range_release(evpl, &v, &r);
}

/* Shared infos freed on one lcore past its cache's flush threshold go
 * back through rte_mempool_put(), which flushes the cache: an lcore's
 * cache never holds more than that threshold, 1.5 times its size, which
 * the pool's spares for every lcore's cache assume (guards
 * evpl_slab_att_free()'s full-cache test, src/slab_attach.c). */
static void
attached_frees_past_a_full_cache_flush_it(void **state)
{
    enum { N = 64 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_iovec         v, r;
    struct rte_mempool       *att;
    struct rte_mempool_cache *c;
    struct rte_mbuf          *m[N];
    unsigned int              base, i;

    assert_non_null(att = att_range(evpl, state, &v, &r));
    assert_non_null(c = rte_mempool_default_cache(att, rte_lcore_id()));
    assert_true(N > c->flushthresh);
    base = slab_refcnt(&v);
    for (i = 0; i < N; i++)
        assert_non_null(m[i] = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0));
    assert_int_equal(slab_refcnt(&v), base + N);
    for (i = 0; i < N; i++) {
        rte_pktmbuf_free(m[i]);
        assert_true(c->len <= c->flushthresh);
    }
    assert_int_equal(slab_refcnt(&v), base);
    /* Every shared info back, through the cache (guards
     * evpl_slab_att_free()'s put into it, and the one get of
     * evpl_slab_att_get_slow()). */
    assert_int_equal(rte_mempool_avail_count(att), att->size);
    att_range_release(evpl, &v, &r);
}

/* Ranges at the 65535-byte bounds of an mbuf: exactly one, two and three
 * mbufs, every segment full but the last, the bytes in order (guards the
 * segment count, evpl_tx_ext_segs(), and the cutting loop,
 * evpl_tx_ext_build(), dpdk_glue/tx_ext.h). */
static void
range_at_a_segment_bound_is_cut_exactly(void **state)
{
    static const struct {
        uint32_t     len;
        unsigned int segs;
    } t[] = {
        { 65535, 1 }, { 65536, 2 }, { 131070, 2 }, { 131071, 3 },
    };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v, r;
    struct rte_mbuf  *m, *seg;
    const char       *why;
    unsigned int      i, k;
    uint32_t          off;

    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1, 0, &v), 1);
    evpl_test_fill(v.data, v.length, 9);
    for (i = 0; i < RTE_DIM(t); i++) {
        evpl_iovec_clone_segment(&r, &v, 7, t[i].len);
        assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0));
        assert_int_equal(m->nb_segs, t[i].segs);
        assert_int_equal(m->pkt_len, t[i].len);
        assert_int_equal(rte_mbuf_check(m, 1, &why), 0);
        for (k = 0, off = 0, seg = m; seg != NULL; seg = seg->next, k++) {
            assert_int_equal(seg->data_len, k + 1 < t[i].segs ? 65535 :
                             t[i].len - 65535 * (t[i].segs - 1));
            assert_ptr_equal(rte_pktmbuf_mtod(seg, char *),
                             (char *) v.data + 7 + off);
            off += seg->data_len;
        }
        assert_int_equal(k, t[i].segs);
        rte_pktmbuf_free(m);
        evpl_iovec_release(evpl, &r);
    }
    evpl_iovec_release(evpl, &v);
}

/* The mbufs a range is attached to come from a pool whose mbufs went out
 * before with offloads set: none of a driver's fields stays, every
 * segment's tx_offload zero, its next the following one (guards
 * evpl_tx_ext_seg()'s clearing of next and tx_offload,
 * dpdk_glue/tx_ext.h). */
static void
attached_segments_carry_no_stale_offload(void **state)
{
    enum { POOL_N = 16 };
    struct rte_mempool *mp;
    struct rte_mbuf    *m[POOL_N], *head, *seg;
    struct evpl        *e;
    struct evpl_iovec   v;
    unsigned int        n, k;

    (void) state;
    e = evpl_test_ctx_on_own_pool("ext_stale", POOL_N, NULL, &mp);
    assert_int_equal(evpl_iovec_alloc(e, 200000, 0, 1, 0, &v), 1);
    n = evpl_test_pool_drain(mp, m, POOL_N);
    for (k = 0; k < n; k++)
        m[k]->tx_offload = UINT64_MAX;
    rte_mempool_put_bulk(mp, (void **) m, n);
    assert_non_null(head = evpl_dpdk_iovecs_to_mbuf(e, &v, 1, 0));
    assert_int_equal(head->nb_segs, 4);
    for (k = 0, seg = head; seg != NULL; seg = seg->next, k++) {
        assert_true(RTE_MBUF_HAS_EXTBUF(seg));
        assert_true(seg->tx_offload == 0);
        if (k < 3)
            assert_non_null(seg->next);
    }
    assert_int_equal(k, 4);
    rte_pktmbuf_free(head);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* The pool of shared infos cannot be made (its memzone's name taken):
 * a range of a slab another process took is not sent, ENOMEM, its slab's
 * count as it was; once the name is free it goes (guards
 * evpl_slab_att_pool_init()'s failure and evpl_slab_att_get_slow()'s
 * return on it, src/slab_attach.c). */
static void
range_without_a_pool_of_shared_infos_is_not_sent(void **state)
{
    enum { POOL_N = 64 };
    char                      name[RTE_MEMZONE_NAMESIZE];
    const struct rte_memzone *mz;
    struct rte_mempool       *mp;
    struct rte_mbuf          *m;
    struct evpl              *e;
    struct evpl_iovec         v;
    unsigned int              base;

    (void) state;
    e = evpl_test_ctx_on_own_pool("att_none", POOL_N, NULL, &mp);
    snprintf(name, sizeof(name), RTE_MEMPOOL_MZ_FORMAT "%" PRIxPTR,
             "evplx", (uintptr_t) mp);
    assert_non_null(mz = rte_memzone_reserve(name, 64, SOCKET_ID_ANY, 0));
    assert_int_equal(evpl_iovec_alloc(e, 1u << 20, 0, 1, 0, &v), 1);
    evpl_test_slab_taken_elsewhere(&v, 1);
    base  = slab_refcnt(&v);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(e, &v, 1, 0));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(slab_refcnt(&v), base);
    assert_int_equal(rte_mempool_avail_count(mp), POOL_N);
    assert_int_equal(rte_memzone_free(mz), 0);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(e, &v, 1, 0));
    rte_pktmbuf_free(m);
    evpl_test_slab_taken_elsewhere(&v, 0);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* Shared infos run out (taken here by hand: the pool holds one per mbuf
 * and spares for every lcore's cache, so sending alone never empties
 * it): the range is not sent, errno is ENOMEM, and the slab's count is
 * where it was (guards evpl_slab_att_get_slow()'s undo of the count on a
 * failed get, src/slab_attach.c, and evpl_tx_ext_attach()'s return on
 * it, dpdk_glue/tx_ext.c). */
static void
range_without_shared_infos_is_not_sent(void **state)
{
    struct evpl        *evpl = ctx_of(state);
    struct evpl_iovec   v, r;
    struct rte_mempool *att;
    void              **held;
    unsigned int        base, n;

    assert_non_null(att = att_range(evpl, state, &v, &r));
    held  = evpl_test_mempool_take_all(att, &n);
    base  = slab_refcnt(&v);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(slab_refcnt(&v), base);
    rte_mempool_put_bulk(att, held, n);
    free(held);
    att_range_release(evpl, &v, &r);
}

/* clone, clone_segment, move and move_segment on slab iovecs count as on
 * mbufs; a clone keeps the bytes after the original goes. */
static void
clone_and_move_count(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b, c, d;
    unsigned int      f, base;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &a), 1);
        evpl_test_fill(a.data, a.length, 7);
        base = slab_refcnt(&a);
        evpl_iovec_clone(&b, &a);
        assert_int_equal(slab_refcnt(&a), base + 1);
        evpl_iovec_clone_segment(&c, &a, 1000, 50000);
        assert_int_equal(slab_refcnt(&a), base + 2);
        assert_ptr_equal(c.data, (char *) a.data + 1000);
        evpl_iovec_move_segment(&d, &c, 10, 20);
        assert_int_equal(slab_refcnt(&a), base + 2);
        evpl_iovec_release(evpl, &a);
        /* Churn the slabs: the clone's bytes stay. */
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &a), 1);
        memset(a.data, 0, a.length);
        assert_true(evpl_test_check(b.data, b.length, 7));
        evpl_iovec_release(evpl, &a);
        evpl_iovec_release(evpl, &b);
        evpl_iovec_release(evpl, &d);
    }
}

struct overflow_case {
    struct evpl_iovec *v;
    int                segment;
};

static void
overflow_child(void *arg)
{
    struct overflow_case *oc = arg;
    struct evpl_iovec     c;

    if (oc->segment)
        evpl_iovec_clone_segment(&c, oc->v, 0, 1);
    else
        evpl_iovec_clone(&c, oc->v);
}

/* The slab count is 16 bits: a clone past 65535 aborts naming the call,
 * LOCAL and SHARED, before it writes the count. */
static void
clone_past_65535_aborts(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec   *v    = calloc(UINT16_MAX, sizeof(*v));
    struct overflow_case oc;
    unsigned int         f;
    int                  i;

    assert_non_null(v);
    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(evpl, SLAB, 0, 1, flag_modes[f],
                                          &v[0]), 1);
        /* The context may hold a reference of its own on the slab. */
        for (i = 1; slab_refcnt(&v[0]) < UINT16_MAX; i++)
            evpl_iovec_clone(&v[i], &v[0]);
        oc.v       = &v[0];
        oc.segment = 0;
        assert_true(evpl_test_dies(overflow_child, &oc, "evpl_iovec_clone: "
                                   "slab reference count would pass 65535"));
        oc.segment = 1;
        assert_true(evpl_test_dies(overflow_child, &oc,
                                   "evpl_iovec_clone_segment: slab reference "
                                   "count would pass 65535"));
        assert_int_equal(slab_refcnt(&v[0]), UINT16_MAX);
        evpl_iovecs_release(evpl, v, i);
    }
    free(v);
}

/* SHARED slab iovecs cloned and released on another lcore. */
struct xlcore {
    struct evpl_iovec *v;
    int                n;
};

static int
xlcore_worker(void *arg)
{
    struct xlcore    *x = arg;
    struct evpl_iovec c;
    int               i, k;

    for (k = 0; k < 1000; k++)
        for (i = 0; i < x->n; i++) {
            evpl_iovec_clone(&c, &x->v[i]);
            evpl_iovec_release(NULL, &c);
        }
    evpl_iovecs_release(NULL, x->v, x->n);
    return 0;
}

static void
shared_on_second_lcore(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[8], w[8], c;
    struct xlcore     x = { w, 8 };
    unsigned int      worker = rte_get_next_lcore(-1, 1, 0);
    int               i, k;

    if (worker >= RTE_MAX_LCORE)
        skip();
    /* The worker gets clones of its own, which it drops at the end. */
    for (i = 0; i < 8; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 65536, 0, 1,
                                          EVPL_IOVEC_FLAG_SHARED, &v[i]), 1);
        evpl_iovec_clone(&w[i], &v[i]);
    }
    assert_int_equal(rte_eal_remote_launch(xlcore_worker, &x, worker), 0);
    for (k = 0; k < 1000; k++)
        for (i = 0; i < 8; i++) {
            evpl_iovec_clone(&c, &v[i]);
            evpl_iovec_release(evpl, &c);
        }
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    evpl_iovecs_release(evpl, v, 8);
}

/* ---- 100,000 mixed operations ----------------------------------------- */

static uint64_t
rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#define LIVE 64

/* Small and large allocations, clones, segment clones and releases,
 * LOCAL and SHARED, in a fixed pseudo-random order; every live iovec's
 * first and last byte carry its tag, checked before it goes. */
static void
mixed_operations(void **state)
{
    static struct evpl_iovec live[LIVE];
    static unsigned char     tag[LIVE];
    struct evpl             *evpl = ctx_of(state);
    uint64_t                 s = 0x9e3779b97f4a7c15ull;
    unsigned int             op, slot, src, len, flags, i;
    int                      n;

    memset(live, 0, sizeof(live));
    for (op = 0; op < 100000; op++) {
        slot = (unsigned int) (rnd(&s) % LIVE);
        if (live[slot].data != NULL) {
            assert_int_equal(*(unsigned char *) live[slot].data, tag[slot]);
            assert_int_equal(((unsigned char *) live[slot].data)
                             [live[slot].length - 1], tag[slot]);
            evpl_iovec_release(evpl, &live[slot]);
            live[slot].data = NULL;
            continue;
        }
        flags = (rnd(&s) & 1) ? EVPL_IOVEC_FLAG_SHARED : 0;
        switch (rnd(&s) % 4) {
        case 0: /* small: an mbuf */
            len = 1 + (unsigned int) (rnd(&s) % 4000);
            break;
        case 1: /* large: a slab */
            len = 9000 + (unsigned int) (rnd(&s) % (256u << 10));
            break;
        default: /* a clone of something live, if any */
            src = (unsigned int) (rnd(&s) % LIVE);
            if (live[src].data == NULL || live[src].length < 2)
                continue;
            if (rnd(&s) & 1) {
                evpl_iovec_clone(&live[slot], &live[src]);
            } else {
                /* Keep both ends: a segment from the first byte to the
                 * last, through clone_segment. */
                evpl_iovec_clone_segment(&live[slot], &live[src], 0,
                                         live[src].length);
            }
            tag[slot] = tag[src];
            continue;
        }
        n = evpl_iovec_alloc(evpl, len, (rnd(&s) & 1) ? 4096 : 0, 1, flags,
                             &live[slot]);
        assert_int_equal(n, 1);
        tag[slot] = (unsigned char) op;
        *(unsigned char *) live[slot].data = tag[slot];
        ((unsigned char *) live[slot].data)[len - 1] = tag[slot];
    }
    for (i = 0; i < LIVE; i++)
        if (live[i].data != NULL)
            evpl_iovec_release(evpl, &live[i]);
}

/* ---- reserve and commit ----------------------------------------------- */

/* libevpl's XDR senders: reserve 128 KiB, write a few hundred bytes, set
 * the length, commit; 10,000 times. One slab serves thousands of
 * messages; whether the messages are released at once or a window of
 * them is kept, a handful of slabs are ever in use. */
static void
xdr_pattern_carves_one_slab(void **state)
{
    static struct evpl_iovec kept[100];
    struct evpl             *evpl = ctx_of(state);
    struct evpl_iovec        v;
    unsigned int             before = slabs_in_use(), most = 0, i, len;
    char                    *prev_end = NULL;
    int                      window;

    for (window = 0; window <= 100; window += 100) {
        for (i = 0; i < 10000; i++) {
            assert_int_equal(evpl_iovec_reserve(evpl, 128u << 10, 8, 1, &v),
                             1);
            len = 200 + i % 300;
            memset(v.data, (int) i, len);
            evpl_iovec_set_length(&v, len);
            evpl_iovec_commit(evpl, 8, &v, 1);
            /* Consecutive messages are packed, padded to 8. */
            if (prev_end != NULL && (char *) v.data > prev_end - len - 8 &&
                (char *) v.data < prev_end + (128u << 10))
                assert_ptr_equal(v.data, prev_end);
            prev_end = (char *) v.data + RTE_ALIGN_CEIL(len, 8);
            if (window > 0) {
                if (kept[i % 100].data != NULL) {
                    assert_int_equal(*(unsigned char *) kept[i % 100].data,
                                     (unsigned char) (i - 100));
                    evpl_iovec_release(evpl, &kept[i % 100]);
                }
                kept[i % 100] = v;
            } else {
                evpl_iovec_release(evpl, &v);
            }
            most = RTE_MAX(most, slabs_in_use() - before);
        }
        for (i = 0; i < 100; i++)
            if (kept[i].data != NULL) {
                evpl_iovec_release(evpl, &kept[i]);
                kept[i].data = NULL;
            }
    }
    /* 10,000 messages of up to 500 bytes are under 5 MiB: with the 128 KiB
     * reservation at the end of each slab, three slabs at most. */
    assert_true(most <= 3);
}

/* Reserving twice finds the same place; commit consumes exactly what the
 * shortened iovec covers, padded to the commit's alignment; a length set
 * past the reservation but inside the slab is accepted and consumed. */
static void
reserve_commit_on_a_slab(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b, c;

    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &a), 1);
    assert_int_not_equal(evpl_dpdk_iovec_is_slab(&a), 0);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &b), 1);
    assert_ptr_equal(a.data, b.data);
    evpl_iovec_release(evpl, &b);

    evpl_iovec_set_length(&a, 1001);
    evpl_iovec_commit(evpl, 64, &a, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &b), 1);
    assert_ptr_equal(b.data, (char *) a.data + 1024);

    /* Past the reservation's 100000 bytes, inside the slab. */
    evpl_iovec_set_length(&b, 150000);
    evpl_iovec_commit(evpl, 0, &b, 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &c), 1);
    assert_ptr_equal(c.data, (char *) b.data + 150000);

    /* Committing again what was consumed already moves nothing. */
    evpl_iovec_commit(evpl, 0, &a, 1);
    evpl_iovec_release(evpl, &c);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &c), 1);
    assert_ptr_equal(c.data, (char *) b.data + 150000);

    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);
    evpl_iovec_release(evpl, &c);
}

/* A reservation longer than a slab spans slabs; committing it carves on
 * behind its last piece. */
static void
reserve_spanning_slabs(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[4], w;
    int               n, i;
    size_t            total = 0;

    n = evpl_iovec_reserve(evpl, 3u << 20, 0, 4, v);
    assert_true(n >= 2 && n <= 3);
    for (i = 0; i < n; i++)
        total += v[i].length;
    assert_int_equal(total, 3u << 20);
    evpl_iovec_set_length(&v[n - 1], 100);
    evpl_iovec_commit(evpl, 0, v, n);
    assert_int_equal(evpl_iovec_reserve(evpl, 100000, 0, 1, &w), 1);
    assert_ptr_equal(w.data, (char *) v[n - 1].data + 100);
    evpl_iovecs_release(evpl, v, n);
    evpl_iovec_release(evpl, &w);

    errno = 0;
    assert_int_equal(evpl_iovec_reserve(evpl, 5u << 20, 0, 2, v), -1);
    assert_int_equal(errno, ENOSPC);
}

/* A spanning reservation's tail slab is marked for the context that made
 * it by id: a context created at a destroyed one's address (the heap hands
 * the block out again) must not adopt the tail when it commits the dead
 * context's reservation, taking a reference and carving behind it. */
static void
span_tail_not_adopted_at_a_reused_address(void **state)
{
    struct evpl      *a, *b, *extra[32];
    struct evpl_iovec v[4], w;
    const void       *tail;
    uintptr_t         at;
    unsigned int      cnt;
    int               n, k = 0;

    (void) state;
    a = evpl_create(NULL);
    assert_non_null(a);
    n = evpl_iovec_reserve(a, 3u << 20, 0, 4, v);
    assert_true(n >= 2 && n <= 3);
    tail = v[n - 1].private_data;
    cnt  = slab_refcnt(&v[n - 1]);
    at   = (uintptr_t) a;
    evpl_destroy(a);
    /* The heap's next block of that size is, in practice, the one just
     * freed; keep creating until one lands there. */
    for (b = evpl_create(NULL); b != NULL && (uintptr_t) b != at &&
         k < (int) RTE_DIM(extra); b = evpl_create(NULL))
        extra[k++] = b;
    assert_true((uintptr_t) b == at);
    while (k > 0)
        evpl_destroy(extra[--k]);

    evpl_iovec_set_length(&v[n - 1], 100);
    evpl_iovec_commit(b, 0, v, n);
    assert_int_equal(slab_refcnt(&v[n - 1]), cnt);
    assert_int_equal(evpl_iovec_reserve(b, 100000, 0, 1, &w), 1);
    assert_ptr_not_equal(w.private_data, tail);
    evpl_iovec_release(b, &w);
    evpl_iovecs_release(b, v, n);
    evpl_destroy(b);
}

/* ---- the table ------------------------------------------------ */

/* The requests libevpl-based code makes, each with max_iovecs 1: one
 * iovec each, aligned as asked, writable end to end. Prints the table
 * (docs/architecture.md, "Slabs", gives it). */
static void
libevpl_requests_are_one_iovec(void **state)
{
    static const struct {
        const char  *what;
        unsigned int len, align, reserve;
    } reqs[] = {
        { "8192 B aligned 4096 (an HTTP header buffer)", 8192, 4096, 0 },
        { "16 KiB (an HTTP/2 frame)", 16u << 10, 0, 0 },
        { "64 KiB (a send bounce buffer)", 64u << 10, 0, 0 },
        { "reserve 128 KiB, write 300 B, set_length, commit (XDR)",
          128u << 10, 0, 1 },
        { "1 MiB aligned 4096 (an NFS read chunk)", 1u << 20, 4096, 0 },
        { "2 MiB (a receive buffer)", 2u << 20, 0, 0 },
    };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    unsigned int      i;
    int               n;

    print_message("| request (max_iovecs 1) | result |\n|---|---|\n");
    for (i = 0; i < RTE_DIM(reqs); i++) {
        errno = 0;
        n = reqs[i].reserve ?
            evpl_iovec_reserve(evpl, reqs[i].len, reqs[i].align, 1, &v) :
            evpl_iovec_alloc(evpl, reqs[i].len, reqs[i].align, 1, 0, &v);
        print_message("| %s | %d iovec%s, %u B, %s%s |\n", reqs[i].what, n,
                      n == 1 ? "" : "s", n == 1 ? v.length : 0,
                      n != 1 ? strerror(errno) :
                      evpl_dpdk_iovec_is_slab(&v) ? "on a slab" :
                      "in one mbuf",
                      n == 1 && reqs[i].align &&
                      (uintptr_t) v.data % reqs[i].align == 0 ?
                      ", aligned" : "");
        assert_int_equal(n, 1);
        assert_int_equal(v.length, reqs[i].len);
        if (reqs[i].align)
            assert_int_equal((uintptr_t) v.data % reqs[i].align, 0);
        memset(v.data, 0x5a, v.length);
        if (reqs[i].reserve) {
            evpl_iovec_set_length(&v, 300);
            evpl_iovec_commit(evpl, 0, &v, 1);
        }
        evpl_iovec_release(evpl, &v);
    }
}

/* ---- exhaustion ------------------------------------------------------- */

/* A pool of four slabs: the fifth request fails ENOMEM, a spanning one
 * that would need more than are free takes none, and all works again
 * once slabs come back. */
static void
exhaustion_and_recovery(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  held[4], v[4];
    struct rte_mempool *mp;
    int                 i, n;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_slabs = 4;
    e = evpl_create(&cfg);
    assert_non_null(e);
    for (i = 0; i < 4; i++)
        assert_int_equal(evpl_iovec_alloc(e, SLAB, 0, 1, i & 1 ?
                                          EVPL_IOVEC_FLAG_SHARED : 0,
                                          &held[i]), 1);
    mp = evpl_test_slab_pool(SLAB, 4, 0);
    assert_non_null(mp);
    assert_null(evpl_test_slab_pool(SLAB, 4, 1));
    assert_int_equal(rte_mempool_avail_count(mp), 0);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_errno, ENOMEM);
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 100000, 0, 1, v), -1);
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(e, v), -1);
    assert_int_equal(errno, ENOMEM);

    /* Two free, three needed: none taken. */
    evpl_iovec_release(e, &held[0]);
    evpl_iovec_release(e, &held[1]);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 5u << 20, 0, 4, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 5u << 20, 0, 4, v), -1);
    assert_int_equal(errno, ENOMEM);

    /* Recovery. */
    evpl_iovec_release(e, &held[2]);
    evpl_iovec_release(e, &held[3]);
    n = evpl_iovec_alloc(e, 5u << 20, 0, 4, 0, v);
    assert_int_equal(n, 3);
    evpl_iovecs_release(e, v, n);
    evpl_destroy(e);
    assert_int_equal(rte_mempool_avail_count(mp), 4);
}

/* A context's carve slab of one kind (LOCAL or SHARED, as flags says)
 * that only the context references goes back when the slab pool runs
 * out: of a pool of four, the carve slab and three GLOBAL slabs taken,
 * a fourth GLOBAL slab is the recycled carve slab. Only then does a
 * request fail, counted once in alloc_nomem. */
static void
idle_carve_slab_goes_back_when_slabs_run_out(unsigned int flags)
{
    struct evpl_config     cfg;
    struct evpl           *e;
    struct evpl_iovec      v, g[5];
    struct evpl_dpdk_stats st;
    struct rte_mempool    *mp;
    int                    i;

    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_slabs = 4;
    assert_non_null(e = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, flags, &v), 1);
    evpl_iovec_release(e, &v);
    for (i = 0; i < 3; i++)
        assert_int_equal(evpl_iovec_alloc_global(e, &g[i]), 1);
    assert_non_null(mp = evpl_test_slab_pool(SLAB, 4, 0));
    assert_int_equal(rte_mempool_avail_count(mp), 0);
    assert_int_equal(evpl_iovec_alloc_global(e, &g[3]), 1);
    assert_int_equal(evpl_dpdk_stats_get(e, &st), 0);
    assert_int_equal(st.alloc_nomem, 0);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(e, &g[4]), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(evpl_dpdk_stats_get(e, &st), 0);
    assert_int_equal(st.alloc_nomem, 1);
    evpl_iovecs_release(e, g, 4);
    evpl_destroy(e);
    assert_int_equal(rte_mempool_avail_count(mp), 4);
}

/* Guards the LOCAL half of src/slab_carve.c's evpl_slab_release_idle()
 * (its "== 1": a count of 0 never happens while carved) and the
 * alloc_nomem count of evpl_slab_get(). */
static void
idle_local_carve_slab_goes_back_when_slabs_run_out(void **state)
{
    (void) state;
    idle_carve_slab_goes_back_when_slabs_run_out(0);
}

/* Guards the SHARED half of src/slab_carve.c's evpl_slab_release_idle(),
 * its count of what it gave back included: counted 0, evpl_slab_get()
 * does not try the pool again. */
static void
idle_shared_carve_slab_goes_back_when_slabs_run_out(void **state)
{
    (void) state;
    idle_carve_slab_goes_back_when_slabs_run_out(EVPL_IOVEC_FLAG_SHARED);
}

/* A fresh context whose LOCAL carve slab only it references, carved to
 * 100000 bytes; *first: the slab's first byte. */
static struct evpl *
ctx_with_an_idle_carve_slab(char **first)
{
    struct evpl      *e;
    struct evpl_iovec a;

    assert_non_null(e = evpl_create(NULL));
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, 0, &a), 1);
    *first = a.data;
    evpl_iovec_release(e, &a);
    return e;
}

/* A carve slab only the context references, too full behind its carving
 * point for a request, is carved again from its first byte. Guards the
 * offset 0 of the recycling in src/slab_carve.c's
 * evpl_slab_carve_room(). */
static void
recycled_carve_slab_carves_from_its_start(void **state)
{
    struct evpl      *e;
    struct evpl_iovec b;
    char             *first;

    (void) state;
    e = ctx_with_an_idle_carve_slab(&first);
    assert_int_equal(evpl_iovec_alloc(e, SLAB - 100, 0, 1, 0, &b), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&b));
    assert_ptr_equal(b.data, first);
    evpl_iovec_release(e, &b);
    evpl_destroy(e);
}

/* An allocation spanning slabs leaves the context carving on behind its
 * last piece, in the last slab. Guards the choice of that slab in
 * src/slab_carve.c's evpl_slab_alloc_span() (the one before it would
 * carve over the first piece). */
static void
slab_span_carves_on_behind_its_last_piece(void **state)
{
    struct evpl      *e;
    struct evpl_iovec v[2], w;

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    assert_int_equal(evpl_iovec_alloc(e, SLAB + 1000, 0, 2, 0, v), 2);
    assert_int_equal(v[1].length, 1000);
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, 0, &w), 1);
    assert_ptr_equal(w.data, (char *) v[1].data + 1000);
    evpl_iovec_release(e, &w);
    evpl_iovecs_release(e, v, 2);
    evpl_destroy(e);
}

/* A reservation over slabs that cannot fit in max_vec pieces fails with
 * ENOSPC before it takes a slab: a context with no carve slab still has
 * none. Guards the first ENOSPC check of src/slab_carve.c's
 * evpl_slab_reserve() (the later one catches the length, but only after
 * a slab was taken). */
static void
slab_reservation_of_too_many_pieces_takes_no_slab(void **state)
{
    struct evpl      *e;
    struct evpl_iovec v[2];
    unsigned int      before = slabs_in_use();

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 3 * SLAB, 0, 2, v), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(slabs_in_use(), before);
    evpl_destroy(e);
}

/* The same from a carve slab partly used: two slabs' length fits 2
 * pieces from a slab's start, but from the carve point it is the rest of
 * that slab and 2 more, 3 > max_vec 2: ENOSPC, v[2] untouched, the carve
 * slab's count as before. Guards the "1 +" (the first piece) of the
 * second ENOSPC check of src/slab_carve.c's evpl_slab_reserve(): without
 * it a third piece is written past max_vec. */
static void
slab_reservation_from_a_used_slab_counts_its_first_piece(void **state)
{
    struct evpl      *e;
    struct evpl_iovec a, v[3];

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    assert_int_equal(evpl_iovec_reserve(e, 100000, 0, 1, &a), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&a));
    evpl_iovec_set_length(&a, 1000);
    evpl_iovec_commit(e, 0, &a, 1);
    memset(v, 0, sizeof(v));
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 2 * SLAB, 0, 2, v), -1);
    assert_int_equal(errno, ENOSPC);
    assert_null(v[2].private_data);
    assert_int_equal(slab_refcnt(&a), 2); /* a and the carving */
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
}

/* Carving stops taking references on a slab at 16384
 * (EVPL_SLAB_CARVE_REF_CAP, src/slab.h), leaving the rest of the 16 bits
 * to explicit clones: with clones, iovecs and the carving at one count
 * below it, one more request is carved from the slab; at the cap, the
 * next goes to a fresh slab. Guards the "<" of the cap test in
 * src/slab_carve.c's evpl_slab_carve_room(). */
static void
carve_slab_at_the_carve_cap_is_left(void **state)
{
    enum { CAP = 16384 };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  a, b, c, *cl;
    unsigned int       f, k;

    assert_non_null(cl = calloc(CAP - 3, sizeof(*cl)));
    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &a), 1);
        for (k = 0; k < CAP - 3; k++)
            evpl_iovec_clone(&cl[k], &a);
        /* a, its clones and the context's own reference. */
        assert_int_equal(slab_refcnt(&a), CAP - 1);
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &b), 1);
        assert_ptr_equal(b.private_data, a.private_data);
        assert_int_equal(slab_refcnt(&a), CAP);
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &c), 1);
        assert_ptr_not_equal(c.private_data, a.private_data);
        assert_int_equal(slab_refcnt(&a), CAP - 1); /* the carving left */
        evpl_iovecs_release(evpl, cl, CAP - 3);
        evpl_iovec_release(evpl, &a);
        evpl_iovec_release(evpl, &b);
        evpl_iovec_release(evpl, &c);
    }
    free(cl);
}

/* A reservation from a recycled carve slab (only the context referenced
 * it, too full behind its point) starts at the slab's first byte, and
 * reserving again before a commit finds the same place: a reservation
 * does not move the point the recycling set. Guards the offset 0 that
 * the recycling in src/slab_carve.c's evpl_slab_carve_room() stores
 * (an allocation overwrites it; a reservation keeps it). */
static void
recycled_carve_slab_reserves_the_same_place_twice(void **state)
{
    struct evpl      *e;
    struct evpl_iovec b, c;
    char             *first;

    (void) state;
    e = ctx_with_an_idle_carve_slab(&first);
    assert_int_equal(evpl_iovec_reserve(e, SLAB - 100, 0, 1, &b), 1);
    assert_ptr_equal(b.data, first);
    assert_int_equal(evpl_iovec_reserve(e, SLAB - 100, 0, 1, &c), 1);
    assert_ptr_equal(c.data, first);
    evpl_iovec_release(e, &b);
    evpl_iovec_release(e, &c);
    evpl_destroy(e);
}

/* One byte past a slab (an allocation), or past the rest of the carve
 * slab (a reservation), is a piece of its own: spanning goes on while
 * any byte is left. Guards the "> 0" of src/slab_carve.c's
 * evpl_slab_span(). */
static void
one_byte_past_a_slab_is_a_piece_of_its_own(void **state)
{
    struct evpl      *e;
    struct evpl_iovec v[2];
    unsigned int      f;

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    /* A fresh context: the reservation's first piece is a whole slab. */
    assert_int_equal(evpl_iovec_reserve(e, SLAB + 1, 0, 2, v), 2);
    assert_int_equal(v[0].length, SLAB);
    assert_int_equal(v[1].length, 1);
    evpl_iovecs_release(e, v, 2);
    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(e, SLAB + 1, 0, 2, flag_modes[f],
                                          v), 2);
        assert_int_equal(v[0].length, SLAB);
        assert_int_equal(v[1].length, 1);
        evpl_iovecs_release(e, v, 2);
    }
    evpl_destroy(e);
}

/* A span needs exactly as many pieces as its length in slabs, rounded
 * up: two slabs' length fits max_iovecs 2, and one byte more than a slab
 * does not fit 1 (ENOSPC, nothing written past it), for allocations and
 * reservations. Guards the rounding of src/slab_carve.c's
 * evpl_slab_pieces(). */
static void
span_fits_exactly_its_pieces(void **state)
{
    struct evpl      *e;
    struct evpl_iovec v[2];
    unsigned int      f;

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    /* A fresh context: the reservation's first piece is a whole slab. */
    assert_int_equal(evpl_iovec_reserve(e, 2 * SLAB, 0, 2, v), 2);
    evpl_iovecs_release(e, v, 2);
    memset(v, 0, sizeof(v));
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, SLAB + 1, 0, 1, v), -1);
    assert_int_equal(errno, ENOSPC);
    assert_null(v[1].private_data);
    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(e, 2 * SLAB, 0, 2, flag_modes[f],
                                          v), 2);
        evpl_iovecs_release(e, v, 2);
        memset(v, 0, sizeof(v));
        errno = 0;
        assert_int_equal(evpl_iovec_alloc(e, SLAB + 1, 0, 1, flag_modes[f],
                                          v), -1);
        assert_int_equal(errno, ENOSPC);
        assert_null(v[1].private_data);
    }
    evpl_destroy(e);
}

/* A spanning allocation moves the carving to its last slab and drops the
 * context's reference on the slab it carved before, as a slab's
 * reference: the earlier iovec's is then the only one. Guards the slab
 * kind that src/slab_carve.c's evpl_slab_alloc_span() passes to
 * evpl_carve_take() (as an mbuf's, the reference is not dropped). */
static void
span_allocation_lets_go_of_the_carve_slab_before(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, v[2];
    unsigned int      f;

    for (f = 0; f < RTE_DIM(flag_modes); f++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, flag_modes[f],
                                          &a), 1);
        assert_int_equal(slab_refcnt(&a), 2);
        assert_int_equal(evpl_iovec_alloc(evpl, SLAB + 1000, 0, 2,
                                          flag_modes[f], v), 2);
        assert_int_equal(slab_refcnt(&a), 1);
        evpl_iovec_release(evpl, &a);
        evpl_iovecs_release(evpl, v, 2);
    }
}

/* A request of exactly the slab size is carved, not spanned: from a
 * carve slab only the context references, recycled, as any request up to
 * the slab size is. Guards the ">" of src/slab_carve.c's
 * evpl_slab_alloc() (a span takes a fresh slab from the pool). */
static void
slab_sized_request_recycles_the_carve_slab(void **state)
{
    struct evpl      *e;
    struct evpl_iovec b;
    char             *first;

    (void) state;
    e = ctx_with_an_idle_carve_slab(&first);
    assert_int_equal(evpl_iovec_alloc(e, SLAB, 0, 1, 0, &b), 1);
    assert_ptr_equal(b.data, first);
    evpl_iovec_release(e, &b);
    evpl_destroy(e);
}

/* A reservation of exactly the slab size is one iovec, as any
 * reservation up to the slab size is: from a fresh slab when the carve
 * slab, still in use, has less room behind its point; never the rest of
 * the carve slab and a second piece. Guards the "<=" of src/slab_carve.c's
 * evpl_slab_reserve() (spanning, it needs two pieces: ENOSPC with
 * max_vec 1). */
static void
slab_sized_reservation_is_one_iovec(void **state)
{
    struct evpl      *e;
    struct evpl_iovec a, v[2];

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, 0, &a), 1);
    assert_int_equal(evpl_iovec_reserve(e, SLAB, 0, 1, v), 1);
    assert_int_equal(v[0].length, SLAB);
    assert_ptr_not_equal(v[0].private_data, a.private_data);
    evpl_iovec_release(e, &v[0]);
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
}

/* A reservation longer than a slab starts at the carve point whenever a
 * byte is left behind it: one byte left is a first piece of one byte;
 * none left (the slab, still in use, carved to its end) starts on a
 * fresh slab, with no empty first piece. Guards the 1 byte that
 * src/slab_carve.c's evpl_slab_reserve() asks evpl_slab_carve_room() for
 * (2 skips the last byte; 0 takes an empty piece at the slab's end). */
static void
spanning_reservation_starts_at_the_carve_point(void **state)
{
    struct evpl      *e;
    struct evpl_iovec a, v[3];
    int               n;

    (void) state;
    assert_non_null(e = evpl_create(NULL));
    /* A fresh slab carved to one byte short of its end, still in use. */
    assert_int_equal(evpl_iovec_alloc(e, SLAB - 1, 0, 1, 0, &a), 1);
    n = evpl_iovec_reserve(e, 2 * SLAB, 0, 3, v);
    assert_int_equal(n, 3);
    assert_ptr_equal(v[0].data, (char *) a.data + SLAB - 1);
    assert_int_equal(v[0].length, 1);
    evpl_iovecs_release(e, v, n);
    evpl_iovec_release(e, &a);

    /* A fresh slab carved to its end, still in use. */
    assert_int_equal(evpl_iovec_alloc(e, SLAB, 0, 1, 0, &a), 1);
    n = evpl_iovec_reserve(e, 2 * SLAB, 0, 3, v);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].length, SLAB);
    assert_ptr_not_equal(v[0].private_data, a.private_data);
    evpl_iovecs_release(e, v, n);
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
}

/* A reservation longer than a slab when no slab is left for its first
 * piece (the only one of the pool carved to its end, still in use):
 * -1 with ENOMEM, nothing written. Guards the return of src/slab_carve.c's
 * evpl_slab_reserve() when evpl_slab_carve_room() finds no room. */
static void
spanning_reservation_without_a_slab_is_enomem(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  a, v[3];

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_slabs = 1;
    assert_non_null(e = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc(e, SLAB, 0, 1, 0, &a), 1);
    memset(v, 0, sizeof(v));
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 2 * SLAB, 0, 3, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_null(v[0].private_data);
    evpl_iovec_release(e, &a);
    evpl_destroy(e);
}

/* A slab larger than a step of growth (EVPL_SLAB_GROW_BYTES, 32 MiB):
 * its set still grows, by a pool of one slab. Guards the "at least one"
 * of src/slab_set.c's evpl_slab_set_step() (without it the first pool of
 * 64 MiB slabs holds none, and the allocation fails). Without hugepages
 * only: on 2 MiB hugepages in IOVA-as-PA mode a 64 MiB slab needs 64 MiB
 * of physically contiguous pages, which depends on the machine. */
static void
slab_larger_than_a_growth_step_grows_a_pool_of_one(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  v;

    (void) state;
    if (rte_eal_has_hugepages())
        skip();
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 64u << 20;
    cfg.nb_slabs  = 1;
    assert_non_null(e = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc_global(e, &v), 1);
    assert_int_equal(v.length, 64u << 20);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
}

/* A slab larger than a step of growth grows its set one slab at a time,
 * even where the limit allows more: a pool of one. Guards the "at least
 * one" of src/slab_set.c's evpl_slab_set_step() being exactly one.
 * Without hugepages only, as above. */
static void
slab_larger_than_a_growth_step_grows_one_at_a_time(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  v;

    (void) state;
    if (rte_eal_has_hugepages())
        skip();
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 64u << 20;
    cfg.nb_slabs  = 2;
    assert_non_null(e = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc_global(e, &v), 1);
    assert_int_equal(evpl_test_slab_pool(64u << 20, 2, 0)->size, 1);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
}

/* ---- GLOBAL ----------------------------------------------------------- */

/* One whole slab; clones borrow (no count, releasing one does nothing);
 * the owner's release gives the slab back. */
static void
global_slab_lifetime(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec g, c, s;
    unsigned int      before = slabs_in_use();

    assert_int_equal(evpl_iovec_alloc_global(evpl, &g), 1);
    assert_int_equal(g.length, EVPL_DPDK_DEFAULT_SLAB_SIZE);
    assert_int_equal((uintptr_t) g.data % 4096, 0);
    assert_int_not_equal(g.flags & EVPL_IOVEC_FLAG_GLOBAL, 0);
    assert_int_equal(slabs_in_use(), before + 1);
    memset(g.data, 1, g.length);

    evpl_iovec_clone(&c, &g);
    evpl_iovec_clone_segment(&s, &g, 4096, 4096);
    assert_int_equal(slab_refcnt(&g), 1);
    evpl_iovec_release(evpl, &c);
    evpl_iovec_release(evpl, &s);
    assert_int_equal(slab_refcnt(&g), 1);
    assert_int_equal(slabs_in_use(), before + 1);

    evpl_iovec_release(evpl, &g);
    assert_int_equal(slabs_in_use(), before);

    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(NULL, &g), -1);
    assert_int_equal(errno, EINVAL);
}

/* The library never takes a GLOBAL iovec's reference, TAKE_REF or not
 * (libevpl's internal releases skip it): after sending it with TAKE_REF,
 * by evpl_dpdk_iovecs_to_mbuf() and by a burst, the owner still uses and
 * releases it, and so may a borrow. Guards trace mode's mark of what
 * TAKE_REF took, which left GLOBAL iovecs alone only since: it aborted
 * the owner's release with "use after move". */
static void
global_owner_keeps_its_reference_after_take_ref(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    g, b, rx[64];
    struct evpl_dpdk_pkt p, r;
    struct rte_mbuf     *m;
    unsigned int         before = slabs_in_use();
    int                  n, spins = 0;

    assert_int_equal(evpl_iovec_alloc_global(evpl, &g), 1);
    evpl_test_fill(g.data, 100000, 12);
    evpl_iovec_clone_segment(&b, &g, 0, 100000);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &g, 1,
                                                 EVPL_DPDK_TAKE_REF));
    rte_pktmbuf_free(m);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &b, 1,
                                                 EVPL_DPDK_TAKE_REF));
    rte_pktmbuf_free(m);
    p = (struct evpl_dpdk_pkt) { &g, 1 };
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    do {
        n = evpl_dpdk_rx_burst(evpl, ring_port, 0, &r, 1, rx, RTE_DIM(rx));
        assert_true(n >= 0 && ++spins < 1000000);
    } while (n == 0);
    evpl_iovecs_release(evpl, r.iov, r.niov);
    assert_true(evpl_test_check(evpl_iovec_data(&g), 100000, 12));
    assert_int_equal(slab_refcnt(&g), 1);
    evpl_iovec_release(evpl, &b);
    evpl_iovec_release(evpl, &g);
    assert_int_equal(slabs_in_use(), before);
}

/* Idle contexts keep their carve slabs (one LOCAL, one SHARED each, as a
 * libevpl thread keeps its current buffer) but cannot starve the others:
 * slab memory grows past them. Eight idle contexts used to hold the whole
 * default pool of 16 slabs; a ninth context still gets 17 whole slabs.
 * Guards slab growth. */
static void
idle_contexts_do_not_starve_others(void **state)
{
    struct evpl      *idle[8], *e;
    struct evpl_iovec v[17];
    unsigned int      before = slabs_in_use(), i;

    (void) state;
    for (i = 0; i < 8; i++) {
        assert_non_null(idle[i] = evpl_create(NULL));
        assert_int_equal(evpl_iovec_alloc(idle[i], 100000, 0, 1, 0, &v[0]), 1);
        assert_int_equal(evpl_iovec_alloc(idle[i], 100000, 0, 1,
                                          EVPL_IOVEC_FLAG_SHARED, &v[1]), 1);
        evpl_iovecs_release(idle[i], v, 2);
    }
    assert_int_equal(slabs_in_use(), before + 16);
    assert_non_null(e = evpl_create(NULL));
    for (i = 0; i < RTE_DIM(v); i++)
        assert_int_equal(evpl_iovec_alloc(e, SLAB, 0, 1, 0, &v[i]), 1);
    evpl_iovecs_release(e, v, (int) RTE_DIM(v));
    evpl_destroy(e);
    for (i = 0; i < 8; i++)
        evpl_destroy(idle[i]);
    assert_int_equal(slabs_in_use(), before);
}

/* evpl_dpdk_slab_limit_set() sets the limit of the contexts made after it
 * without one of their own (evpl_config.nb_slabs 0): it returns 0, the
 * getter gives it back, and such a context has that many slabs at most.
 * Guards the store and the return of src/slab_pool.c's
 * evpl_dpdk_slab_limit_set(). */
static void
slab_limit_default_applies_to_later_contexts(void **state)
{
    unsigned int      before = evpl_dpdk_slab_limit_get();
    struct evpl      *e;
    struct evpl_iovec g[3];

    (void) state;
    assert_int_equal(evpl_dpdk_slab_limit_set(2), 0);
    assert_int_equal(evpl_dpdk_slab_limit_get(), 2);
    e = evpl_create(NULL);
    assert_int_equal(evpl_dpdk_slab_limit_set(before), 0);
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc_global(e, &g[0]), 1);
    assert_int_equal(evpl_iovec_alloc_global(e, &g[1]), 1);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(e, &g[2]), -1);
    assert_int_equal(errno, ENOMEM);
    evpl_iovecs_release(e, g, 2);
    evpl_destroy(e);
}

/* The largest slab size, 1 GiB (EVPL_SLAB_MAX_SIZE, src/slab.h), is a
 * configuration evpl_create() accepts (its slabs are only made when
 * asked for). Guards the bound of src/slab_pool.c's evpl_slab_ctx_init(). */
static void
largest_slab_size_is_accepted(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 1u << 30;
    assert_non_null(e = evpl_create(&cfg));
    evpl_destroy(e);
}

/* ---- IOVA ------------------------------------------------------------- */

/* The accessor gives the IOVA of the first byte, for slabs and mbufs;
 * every page of a slab iovec continues it (the iovec is IOVA-contiguous). */
static void
iova_of_either_kind(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2];
    rte_iova_t        io;
    size_t            off;
    int               i;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, SLAB, 4096, 1, 0, &v[1]), 1);
    for (i = 0; i < 2; i++) {
        io = evpl_dpdk_iovec_iova(&v[i]);
        assert_true(io != RTE_BAD_IOVA);
        for (off = 0; off < v[i].length; off += 4096)
            assert_true(rte_mem_virt2iova((char *) v[i].data + off) ==
                        io + off);
    }
    evpl_iovecs_release(evpl, v, 2);
    assert_true(evpl_dpdk_iovec_iova(NULL) == RTE_BAD_IOVA);
}

/* A slab iovec that starts inside its slab, not at its first byte, has
 * the IOVA of its own first byte. Guards the offset added in
 * src/slab_pool.c's evpl_dpdk_iovec_iova() (iova_of_either_kind's slab
 * iovec starts its slab: an offset of 0 cannot tell + from -). */
static void
iova_of_a_slab_iovec_past_its_slabs_start(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2];

    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v[1]), 1);
    assert_ptr_equal(v[1].private_data, v[0].private_data);
    assert_ptr_equal(v[1].data, (char *) v[0].data + 100000);
    assert_true(evpl_dpdk_iovec_iova(&v[1]) ==
                rte_mem_virt2iova(v[1].data));
    assert_true(evpl_dpdk_iovec_iova(&v[1]) ==
                evpl_dpdk_iovec_iova(&v[0]) + 100000);
    evpl_iovecs_release(evpl, v, 2);
}

/* A slab larger than a hugepage in IOVA-as-PA mode is IOVA-contiguous
 * end to end (every page continues its first byte's IOVA), or is not had
 * at all (ENOMEM: the machine has no such run of physical pages). Guards
 * the IOVA-mode test of src/slab_pool.c's evpl_slab_zone_reserve(),
 * which reserves such a zone physically contiguous. With hugepages only:
 * in IOVA-as-VA mode (--no-huge among others) all memory is contiguous. */
static void
slab_larger_than_a_hugepage_is_iova_contiguous(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  v;
    rte_iova_t         io;
    size_t             off;

    (void) state;
    if (!rte_eal_has_hugepages() || rte_eal_iova_mode() != RTE_IOVA_PA)
        skip();
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 16u << 20;
    cfg.nb_slabs  = 1;
    assert_non_null(e = evpl_create(&cfg));
    errno = 0;
    if (evpl_iovec_alloc_global(e, &v) == 1) {
        io = evpl_dpdk_iovec_iova(&v);
        for (off = 0; off < v.length; off += 4096)
            assert_true(rte_mem_virt2iova((char *) v.data + off) == io + off);
        evpl_iovec_release(e, &v);
    } else {
        assert_int_equal(errno, ENOMEM);
    }
    evpl_destroy(e);
}

/* ---- leak accounting -------------------------------------------------- */

static void
outstanding_counts_slabs(void **state)
{
    struct evpl                 *evpl = ctx_of(state);
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            a, b, c;

    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.slabs, 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &a), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &b), 1);
    evpl_iovec_clone(&c, &a);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.slabs, 1);
    assert_int_equal(o.slab_refs, 3);
    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.slabs, 1);
    assert_int_equal(o.slab_refs, 1);
    evpl_iovec_release(evpl, &c);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.slabs, 0);
    assert_int_equal(o.slab_refs, 0);
}

/* ---- configuration ---------------------------------------------------- */

static void
config_slab_fields(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  v;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 1000;
    errno = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
    cfg.slab_size = 3u << 20;
    errno = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
    cfg.slab_size = 1u << 31;
    errno = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
    cfg.slab_size = 0;
    cfg.nb_slabs  = 1u << 30;
    errno = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);

    /* Every configuration evpl_create() accepts names its slab pools
     * within RTE_MEMPOOL_NAMESIZE (guards the names' format: 16 MiB slabs
     * and a limit of 10^9 made a name too long, and alloc failed with an
     * EINVAL nothing explained). */
    cfg.slab_size = 16u << 20;
    cfg.nb_slabs  = 1000000000u;
    e = evpl_create(&cfg);
    assert_non_null(e);
    errno = 0;
    if (evpl_iovec_alloc(e, 16u << 20, 0, 1, 0, &v) == 1) {
        evpl_iovec_release(e, &v);
        assert_int_equal(evpl_iovec_alloc_global(e, &v), 1);
        evpl_iovec_release(e, &v);
        assert_non_null(evpl_test_slab_pool(16u << 20, 1000000000u, 0));
    } else {
        /* Slabs larger than a hugepage in IOVA-as-PA mode need physically
         * contiguous memory, which the machine may not have: ENOMEM, a
         * reason the API gives, never EINVAL. */
        assert_int_equal(errno, ENOMEM);
        assert_true(rte_eal_has_hugepages() &&
                    rte_eal_iova_mode() == RTE_IOVA_PA);
    }
    evpl_destroy(e);

    /* 256 KiB slabs: 1 MiB in one iovec is too long for max_iovecs 1. */
    cfg.slab_size = 256u << 10;
    cfg.nb_slabs  = 8;
    e = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 256u << 10, 0, 1, 0, &v), 1);
    evpl_iovec_release(e, &v);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 1u << 20, 0, 1, 0, &v), -1);
    assert_int_equal(errno, ENOSPC);
    evpl_destroy(e);
    assert_int_equal(evpl_test_slab_count(256u << 10, 8).free, 8);
}

/* ---- transmit --------------------------------------------------------- */

/* A slab range becomes mbufs attached to the slab, each at most 65535
 * bytes, holding the slab; the bytes are the slab's, not copies. */
static void
range_becomes_attached_mbufs(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v, r;
    static char       copy[200000];
    struct rte_mbuf  *m, *seg;
    unsigned int      base, nseg = 0;
    size_t            off = 0;

    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1, 0, &v), 1);
    evpl_test_fill(v.data, v.length, 3);
    base = slab_refcnt(&v);
    evpl_iovec_clone_segment(&r, &v, 1000, 200000);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0);
    assert_non_null(m);
    assert_int_equal(m->pkt_len, 200000);
    for (seg = m; seg != NULL; seg = seg->next, nseg++) {
        assert_true(RTE_MBUF_HAS_EXTBUF(seg));
        assert_true(seg->data_len <= 65535);
        assert_ptr_equal(rte_pktmbuf_mtod(seg, char *),
                         (char *) v.data + 1000 + off);
        assert_true(rte_pktmbuf_iova(seg) ==
                    evpl_dpdk_iovec_iova(&v) + 1000 + off);
        off += seg->data_len;
    }
    assert_int_equal(nseg, 4);
    assert_int_equal(m->nb_segs, 4);
    /* r's reference, and one for each of the chain's four mbufs: they
     * count on the slab's own shared info (this process took the slab). */
    assert_int_equal(slab_refcnt(&v), base + 1 + 4);
    assert_ptr_equal(m->shinfo, &evpl_iovec_slab_(&v)->shinfo);
    /* The slab outlives the iovecs while the chain holds it: churn the
     * slabs, the chain's bytes stay. */
    memcpy(copy, r.data, r.length);
    evpl_iovec_release(evpl, &r);
    evpl_iovec_release(evpl, &v);
    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1, 0, &v), 1);
    memset(v.data, 0, v.length);
    evpl_iovec_release(evpl, &v);
    for (off = 0, seg = m; seg != NULL; seg = seg->next) {
        assert_memory_equal(rte_pktmbuf_mtod(seg, char *), copy + off,
                            seg->data_len);
        off += seg->data_len;
    }
    rte_pktmbuf_free(m);

    /* TAKE_REF: the iovec's reference goes into the chain. */
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &v), 1);
    base = slab_refcnt(&v);
    evpl_iovec_clone(&r, &v);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_int_equal(m->nb_segs, 2);
    /* A count for each of the chain's two mbufs: r's, moved into the
     * first, and one taken. */
    assert_int_equal(slab_refcnt(&v), base + 2);
    rte_pktmbuf_free(m);
    assert_int_equal(slab_refcnt(&v), base);
    evpl_iovec_release(evpl, &v);
}

/*
 * A slab range as the last piece of a packet of the general build, sent
 * with TAKE_REF, moves its reference into its mbuf rather than taking one
 * and giving its own up: at a slab count of 65535 it is sent, the count
 * unchanged until the mbuf is freed. Guards evpl_tx_build()'s move of the
 * last piece's reference (dpdk_glue/tx_chain.c): taking one aborts there.
 */
static void
last_range_of_a_chain_moves_its_reference(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec *v    = calloc(UINT16_MAX, sizeof(*v));
    struct evpl_iovec  pkt[3];
    struct rte_mbuf   *m;
    int                i;

    assert_non_null(v);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v[0]), 1);
    /* The context may hold a reference of its own on the slab. */
    for (i = 1; slab_refcnt(&v[0]) < UINT16_MAX; i++)
        evpl_iovec_clone_segment(&v[i], &v[0], 0, 1000);
    /* Two own pieces, then the last clone: one attached mbuf. */
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[1]), 1);
    pkt[2] = v[--i];

    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3,
                                                 EVPL_DPDK_TAKE_REF));
    assert_int_equal(m->nb_segs, 3);
    assert_true(RTE_MBUF_HAS_EXTBUF(m->next->next));
    assert_int_equal(slab_refcnt(&v[0]), UINT16_MAX);
    rte_pktmbuf_free(m);
    assert_int_equal(slab_refcnt(&v[0]), UINT16_MAX - 1);
    evpl_iovecs_release(evpl, v, i);
    free(v);
}

/*
 * A slab range among other pieces, whose attached mbuf the pool cannot
 * give, fails the packet with ENOMEM, the iovecs and the slab's count as
 * they came, with or without TAKE_REF. Guards evpl_tx_build()'s "goto
 * nomem" after a slab range's attach (dpdk_glue/tx_chain.c): without it
 * the packet went out without the range's bytes.
 */
static void
range_in_a_chain_out_of_mbufs_fails_the_packet(void **state)
{
    enum { POOL_N = 8 };
    struct rte_mempool *mp;
    struct rte_mbuf    *held[64];
    struct evpl        *e;
    struct evpl_iovec   v, pkt[3], before[3];
    unsigned int        n, refs;
    int                 take;

    (void) state;
    e = evpl_test_ctx_on_own_pool("ext_chain_nomem", POOL_N, NULL, &mp);
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &pkt[0]), 1);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &pkt[1]), 1);
    evpl_iovec_clone_segment(&pkt[2], &v, 0, 1000);
    memcpy(before, pkt, sizeof(pkt));
    refs = slab_refcnt(&v);
    n    = evpl_test_pool_drain(mp, held, 64);
    for (take = 0; take < 2; take++) {
        errno = 0;
        assert_null(evpl_dpdk_iovecs_to_mbuf(e, pkt, 3, take ?
                                             EVPL_DPDK_TAKE_REF : 0));
        assert_int_equal(errno, ENOMEM);
        assert_memory_equal(pkt, before, sizeof(pkt));
        assert_int_equal(slab_refcnt(&v), refs);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[0])), 1);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[1])), 1);
    }
    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_iovecs_release(e, pkt, 3);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * The general build makes at most 64 segments (EVPL_DPDK_MAX_SEGS), a slab
 * range one per 65535 bytes, and copies a packet that would need more
 * whole: own pieces and a range of five segments in 64 segments exactly
 * are sent as that chain; one own piece more is linearised. Guards
 * evpl_tx_chain_any()'s count of the segments the slab ranges add and its
 * bound (dpdk_glue/tx_chain.c).
 */
static void
ranges_segments_count_against_the_chains_64(void **state)
{
    enum { OWN = EVPL_DPDK_MAX_SEGS - 4, RANGE = 4 * 65535 + 1 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v, pkt[OWN + 1];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m, *seg;
    int                    extra, k;

    assert_int_equal(evpl_iovec_alloc(evpl, 300000, 0, 1, 0, &v), 1);
    for (extra = 0; extra < 2; extra++) {
        /* OWN - 1 + extra own pieces, then the range. */
        for (k = 0; k < OWN - 1 + extra; k++)
            assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[k]),
                             1);
        evpl_iovec_clone_segment(&pkt[k], &v, 0, RANGE);
        evpl_dpdk_stats_reset(evpl);
        assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, k + 1, 0));
        assert_int_equal(m->pkt_len, 100 * k + RANGE);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
        assert_int_equal(st.tx_linearized, (uint64_t) extra);
        if (!extra) {
            assert_int_equal(m->nb_segs, EVPL_DPDK_MAX_SEGS);
            assert_int_equal(st.tx_reused, OWN - 1);
            assert_int_equal(st.tx_ext, 1);
        } else {
            for (seg = m; seg != NULL; seg = seg->next)
                assert_true(RTE_MBUF_DIRECT(seg));
            assert_int_equal(st.tx_ext, 0);
        }
        rte_pktmbuf_free(m);
        evpl_iovecs_release(evpl, pkt, k + 1);
    }
    evpl_iovec_release(evpl, &v);
}

/* Small slab ranges are copied, as small shared mbuf ranges are. */
static void
small_range_is_copied(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v, r;
    struct rte_mbuf  *m;
    unsigned int      base;

    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v), 1);
    evpl_test_fill(v.data, v.length, 5);
    base = slab_refcnt(&v);
    evpl_iovec_clone_segment(&r, &v, 0, 100);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0);
    assert_non_null(m);
    assert_false(RTE_MBUF_HAS_EXTBUF(m));
    assert_int_equal(m->pkt_len, 100);
    assert_true(evpl_test_check(rte_pktmbuf_mtod(m, char *), 100, 5));
    assert_int_equal(slab_refcnt(&v), base + 1);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &r);
    evpl_iovec_release(evpl, &v);
}

/* Ranges of a 1 MiB slab iovec, some over 64 KiB, with a header from an
 * mbuf, sent on net_ring0 as chains, received, compared byte for byte;
 * then the original, the clones kept for resending and the received
 * iovecs released in every order: the slab goes back with the last. */
static void
ranges_through_net_ring(void **state)
{
    static const struct {
        unsigned int off, len;
    } ranges[] = {
        { 0, 100 }, { 100, 70000 }, { 70100, 200000 }, { 270100, 600 },
        { 500000, 524288 },
    };
    static const int order[6][3] = {
        { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
        { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
    };
    static unsigned char got[1u << 20], want[1u << 20];
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    v, hdr, pkt[8], keep[8], rxiov[64];
    struct evpl_dpdk_pkt tx, rx;
    const struct evpl_slab_ *sl;
    int                  held[3];
    unsigned int         o, f, take, before = slabs_in_use(), i;
    size_t               len, rlen;
    int                  n, r, k, spins, g;

    for (o = 0; o < 6; o++) {
        f    = o & 1 ? EVPL_IOVEC_FLAG_SHARED : 0;
        take = o & 2 ? EVPL_DPDK_TAKE_REF : 0;
        assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 4096, 1, f, &v), 1);
        evpl_test_fill(v.data, v.length, o);
        assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, f, &hdr), 1);
        memset(hdr.data, 0xee, 64);

        n   = 0;
        len = 0;
        pkt[n++] = hdr;
        memcpy(want, hdr.data, 64);
        len += 64;
        for (i = 0; i < RTE_DIM(ranges); i++) {
            evpl_iovec_clone_segment(&pkt[n], &v, ranges[i].off,
                                     ranges[i].len);
            evpl_iovec_clone(&keep[i], &pkt[n]);
            memcpy(want + len, pkt[n].data, pkt[n].length);
            len += pkt[n].length;
            n++;
        }
        tx.iov  = pkt;
        tx.niov = n;
        assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &tx, 1,
                                            take), 1);
        if (!take)
            evpl_iovecs_release(evpl, pkt, n);

        spins = 0;
        do {
            r = evpl_dpdk_rx_burst(evpl, ring_port, 0, &rx, 1, rxiov,
                                   RTE_DIM(rxiov));
            assert_true(r >= 0 && ++spins < 1000000);
        } while (r == 0);
        for (rlen = 0, k = 0; k < rx.niov; k++) {
            memcpy(got + rlen, rx.iov[k].data, rx.iov[k].length);
            rlen += rx.iov[k].length;
        }
        assert_int_equal(rlen, len);
        assert_memory_equal(got, want, len);

        /* Every order of dropping the three kinds of holder: until the
         * last goes, the slab is held and the others' bytes intact. */
        sl = evpl_iovec_slab_(&v);
        memset(held, 1, sizeof(held));
        for (g = 0; g < 3; g++) {
            assert_true(sl->shinfo.refcnt >= 1);
            if (held[0])
                assert_true(evpl_test_check(v.data, v.length, o));
            for (i = 0, rlen = 64; held[1] && i < RTE_DIM(ranges); i++) {
                assert_memory_equal(keep[i].data, want + rlen,
                                    keep[i].length);
                rlen += keep[i].length;
            }
            for (k = 0, rlen = 0; held[2] && k < rx.niov; k++) {
                assert_memory_equal(rx.iov[k].data, want + rlen,
                                    rx.iov[k].length);
                rlen += rx.iov[k].length;
            }
            held[order[o][g]] = 0;
            switch (order[o][g]) {
            case 0:
                evpl_iovec_release(evpl, &v);
                break;
            case 1:
                evpl_iovecs_release(evpl, keep, (int) RTE_DIM(ranges));
                break;
            default:
                evpl_iovecs_release(evpl, rx.iov, rx.niov);
            }
        }
        /* Only the context's carve reference may be left. */
        assert_true(sl->shinfo.refcnt <= 1);
    }
    /* Only the context's carve slabs may remain. */
    assert_true(slabs_in_use() <= before + 2);
}

/* The flat burst with TAKE_REF, on a loopback ring that fills: what is
 * not sent is dropped through the library's own release, which leaves a
 * GLOBAL iovec's one reference with its owner and drops a carved slab
 * iovec's. Packet N-2 is a carved slab iovec, N-1 the GLOBAL owner. */
static void
unsent_slab_iovecs_of_a_flat_burst(void **state)
{
    enum { N = 2048 };
    struct evpl          *evpl = ctx_of(state);
    struct evpl_iovec    *v = calloc(N, sizeof(*v));
    struct evpl_iovec     g, c, back[32];
    unsigned int          held, base;
    int                   i, sent, got, r, spins = 0;

    assert_non_null(v);
    assert_int_equal(evpl_iovec_alloc_global(evpl, &g), 1);
    evpl_test_fill(g.data, 4096, 9);
    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &c), 1);
    base = slab_refcnt(&c);
    for (i = 0; i < N - 2; i++)
        assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[i]), 1);
    v[N - 2] = c;
    v[N - 1] = g;
    held     = slabs_in_use();
    /* Nobody drains the loopback ring: it fills, the rest is dropped. */
    sent = evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, N,
                                   EVPL_DPDK_TAKE_REF);
    assert_true(sent > 0 && sent < N - 2);
    /* The GLOBAL slab is still out and its owner's reference intact. */
    assert_int_equal(slabs_in_use(), held);
    assert_int_equal(slab_refcnt(&g), 1);
    assert_true(evpl_test_check(g.data, 4096, 9));
    /* The carved iovec's reference went. */
    assert_int_equal(slab_refcnt(&c), base - 1);
    for (got = 0; got < sent; got += r) {
        r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 32, 0);
        assert_true(r >= 0 && ++spins < 1000000);
        evpl_iovecs_release(evpl, back, r);
    }
    evpl_iovec_release(evpl, &g);
    assert_int_equal(slabs_in_use(), held - 1);
    free(v);
}

/* A whole 1 MiB slab iovec: 16 segments of 65535 bytes and the rest. */
static void
one_mebibyte_range_in_17_segments(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1, 0, &v), 1);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
    assert_non_null(m);
    assert_int_equal(m->nb_segs, 17);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &v);
}

#ifdef EVPL_IOVEC_TRACE
/* ---- trace mode ------------------------------------------------------- */

static void
double_release_child(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl_iovec  c = *v;

    /* A private copy: the parent's slab count is not touched twice. */
    c.flags |= EVPL_IOVEC_F_RELEASED_;
    evpl_iovec_release(NULL, &c);
}

static void
past_slab_child(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl_iovec  c = *v;

    evpl_iovec_set_length(&c, EVPL_DPDK_DEFAULT_SLAB_SIZE + 1);
}

struct twice_case {
    struct evpl       *evpl;
    struct evpl_iovec *v;
    int                burst;
};

/* One reference in a TAKE_REF packet twice (a raw copy, b = a). */
static void
passed_twice_child(void *arg)
{
    struct twice_case   *tc     = arg;
    struct evpl_iovec    two[2] = { *tc->v, *tc->v };
    struct evpl_dpdk_pkt p      = { two, 2 };

    if (tc->burst)
        (void) evpl_dpdk_tx_burst(tc->evpl, ring_port, 0, &p, 1,
                                  EVPL_DPDK_TAKE_REF);
    else
        (void) evpl_dpdk_iovecs_to_mbuf(tc->evpl, two, 2,
                                        EVPL_DPDK_TAKE_REF);
}

/* A slab iovec passed twice in one TAKE_REF packet aborts as an mbuf
 * iovec does, whether or not its slab is still a context's carve slab
 * (whose own reference no iovec can give); an iovec with its clone, and a
 * GLOBAL iovec with its borrow, are good packets. */
static void
trace_catches_slab_passed_twice(void **state)
{
    static const char *const calls[] = {
        "evpl_dpdk_iovecs_to_mbuf", "evpl_dpdk_tx_burst",
    };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2], pair[2];
    struct twice_case tc = { evpl, NULL, 0 };
    char              expect[160];
    struct rte_mbuf  *m;
    int               i, b;

    /* v[0]'s slab is carved on no more once v[1] takes a fresh one. */
    assert_int_equal(evpl_iovec_alloc(evpl, 1536u << 10, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 1536u << 10, 0, 1, 0, &v[1]), 1);
    assert_ptr_not_equal(v[0].private_data, v[1].private_data);
    for (i = 0; i < 2; i++) {
        tc.v = &v[i];
        for (b = 0; b < 2; b++) {
            tc.burst = b;
            snprintf(expect, sizeof(expect), "evpl: %s: 2 iovecs of one "
                     "packet hold 1 references: one passed twice", calls[b]);
            assert_true(evpl_test_dies(passed_twice_child, &tc, expect));
        }
    }
    /* A clone is a reference of its own. */
    pair[0] = v[1];
    evpl_iovec_clone(&pair[1], &v[1]);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pair, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &v[0]);
    /* A GLOBAL iovec and its borrow: nothing of it is taken. */
    assert_int_equal(evpl_iovec_alloc_global(evpl, &pair[0]), 1);
    evpl_iovec_clone(&pair[1], &pair[0]);
    v[0] = pair[0];
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pair, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    rte_pktmbuf_free(m);
    assert_int_equal(slab_refcnt(&v[0]), 1);
    evpl_iovec_release(evpl, &v[0]);
}

/* A slab no context carves (a whole piece of a spanning allocation), its
 * one reference an iovec's, behind a header is a good TAKE_REF packet:
 * the trace check of a packet's references counts no carving reference
 * in it. Guards the carved 0 that src/slab_pool.c's evpl_slab_pool_get()
 * writes on a fresh slab (1 would make the check see no reference the
 * iovec could give, and abort). */
static void
trace_passes_a_slab_no_context_carves(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2], pkt[2];
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(evpl, SLAB + 1000, 0, 2, 0, v), 2);
    assert_int_equal(slab_refcnt(&v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_move_segment(&pkt[1], &v[0], 0, 1000);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &v[1]);
}

/* Trace mode's checks hold for slab iovecs: a double release, and a
 * length past the slab, abort naming the call. */
static void
trace_catches_slab_misuse(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v), 1);
    assert_true(evpl_test_dies(double_release_child, &v,
                               "evpl_iovec_release: double release"));
    assert_true(evpl_test_dies(past_slab_child, &v,
                               "evpl_iovec_set_length: length 2097153 runs "
                               "past its 2097152-byte slab"));
    evpl_iovec_release(evpl, &v);
}
#endif

/* Cases here check the slab pool too (setup, teardown). */
#undef CASE
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static const struct CMUnitTest cases[] = {
    CASE(one_iovec_every_length_and_alignment),
    CASE(libevpl_requests_are_one_iovec),
    CASE(large_alignments),
    CASE(segment_sized_requests_stay_on_mbufs),
    CASE(kind_is_public_and_safe),
    CASE(long_requests_span_slabs),
    CASE(zero_length_returns_zero),
    CASE(clone_and_move_count),
    CASE(clone_past_65535_aborts),
    CASE(shared_on_second_lcore),
    CASE(mixed_operations),
    CASE(xdr_pattern_carves_one_slab),
    CASE(reserve_commit_on_a_slab),
    CASE(reserve_spanning_slabs),
    CASE(span_tail_not_adopted_at_a_reused_address),
    CASE(exhaustion_and_recovery),
    CASE(idle_local_carve_slab_goes_back_when_slabs_run_out),
    CASE(idle_shared_carve_slab_goes_back_when_slabs_run_out),
    CASE(recycled_carve_slab_carves_from_its_start),
    CASE(slab_span_carves_on_behind_its_last_piece),
    cmocka_unit_test(slab_reservation_from_a_used_slab_counts_its_first_piece),
    CASE(slab_reservation_of_too_many_pieces_takes_no_slab),
    CASE(carve_slab_at_the_carve_cap_is_left),
    CASE(recycled_carve_slab_reserves_the_same_place_twice),
    CASE(one_byte_past_a_slab_is_a_piece_of_its_own),
    CASE(span_fits_exactly_its_pieces),
    CASE(span_allocation_lets_go_of_the_carve_slab_before),
    CASE(slab_sized_request_recycles_the_carve_slab),
    CASE(slab_sized_reservation_is_one_iovec),
    CASE(spanning_reservation_starts_at_the_carve_point),
    CASE(spanning_reservation_without_a_slab_is_enomem),
    CASE(slab_larger_than_a_growth_step_grows_a_pool_of_one),
    CASE(slab_larger_than_a_growth_step_grows_one_at_a_time),
    CASE(global_slab_lifetime),
    CASE(global_owner_keeps_its_reference_after_take_ref),
    CASE(idle_contexts_do_not_starve_others),
    CASE(iova_of_either_kind),
    CASE(iova_of_a_slab_iovec_past_its_slabs_start),
    CASE(slab_larger_than_a_hugepage_is_iova_contiguous),
    CASE(outstanding_counts_slabs),
    CASE(config_slab_fields),
    CASE(slab_limit_default_applies_to_later_contexts),
    CASE(largest_slab_size_is_accepted),
    CASE(range_becomes_attached_mbufs),
    CASE(last_range_of_a_chain_moves_its_reference),
    CASE(range_in_a_chain_out_of_mbufs_fails_the_packet),
    CASE(ranges_segments_count_against_the_chains_64),
    CASE(small_range_is_copied),
    CASE(ranges_through_net_ring),
    CASE(one_mebibyte_range_in_17_segments),
    CASE(unsent_slab_iovecs_of_a_flat_burst),
    CASE(send_range_out_of_mbufs_gives_back_every_count),
    CASE(attached_mbuf_freed_on_a_thread_outside_the_eal),
    CASE(attached_frees_past_a_full_cache_flush_it),
    CASE(range_without_shared_infos_is_not_sent),
    CASE(range_at_a_segment_bound_is_cut_exactly),
    CASE(attached_segments_carry_no_stale_offload),
    CASE(range_without_a_pool_of_shared_infos_is_not_sent),
#ifdef EVPL_IOVEC_TRACE
    CASE(trace_catches_slab_misuse),
    CASE(trace_catches_slab_passed_twice),
    CASE(trace_passes_a_slab_no_context_carves),
#endif
};

/* Hugepages: 96 pass (EVPL_TEST_HUGEPAGES_NEED): several slab sizes, each
 * a set grown 32 MiB at a time; a margin above. */
EVPL_TEST_MAIN("slab", cases, .eal.vdevs = EVPL_TEST_LIST("net_ring0"),
               .ports = EVPL_TEST_PORTS(&ring_port), .eal.hugepages = 128)
