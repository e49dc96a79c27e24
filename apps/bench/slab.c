/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's slab rows: one contiguous iovec larger than a packet
 * segment (evpl_iovec_alloc() with max_iovecs 1) against what a DPDK
 * application would otherwise write for a buffer of that size
 * (rte_mempool_get/put of an element of that size, rte_malloc/rte_free)
 * and against malloc/free; and a 64 KiB slab range sent by reference
 * against rte_pktmbuf_attach_extbuf() done by hand.
 *
 * A 4 KiB request fits a default 8 KiB segment and gets an mbuf of its
 * own; the 4 KiB slab rows use a context whose segments are 2 KiB, so
 * that the same request goes to a slab.
 */

#include <stdio.h>
#include <stdlib.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "bench.h"

/* Keeps the compiler from pairing a malloc with its free and dropping
 * both: the pointer escapes. */
#define BENCH_ESCAPE(p) __asm__ __volatile__("" : : "r"(p) : "memory")

/* Elements of each comparison mempool and their per-lcore cache: the get
 * and put of the loop stay in the cache, DPDK's fastest path. */
#define SLAB_CMP_ELTS  32u
#define SLAB_CMP_CACHE 8u

/* The context of the 4 KiB slab rows: 2 KiB segments. */
static struct evpl *
small_segment_ctx(void)
{
    static struct evpl *ctx;
    struct evpl_config  cfg = { .segment_size = 2048 };

    if (ctx == NULL && (ctx = evpl_create(&cfg)) == NULL)
        die("evpl_create (2 KiB segments)");
    return ctx;
}

static uint64_t
alloc_release_on(struct env *e, struct evpl *evpl)
{
    struct evpl_iovec v;
    unsigned int      size = e->size, align = e->align;

    TIMED_LOOP(e,
        if (unlikely(evpl_iovec_alloc(evpl, size, align, 1, 0, &v) != 1))
            die("evpl_iovec_alloc");
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &v));
}

uint64_t
slab_alloc_release(struct env *e)
{
    return alloc_release_on(e, e->size <= 8192 ? small_segment_ctx() :
                            e->evpl);
}

/* libevpl's XDR senders on a slab: reserve size bytes as one iovec,
 * write a message of 300, shorten, commit, release. */
uint64_t
slab_reserve_commit(struct env *e)
{
    struct evpl_iovec v;
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size;

    TIMED_LOOP(e,
        if (unlikely(evpl_iovec_reserve(evpl, size, 8, 1, &v) != 1))
            die("evpl_iovec_reserve");
        evpl_iovec_set_length(&v, 300);
        evpl_iovec_commit(evpl, 8, &v, 1);
        evpl_iovec_release(evpl, &v));
}

/* A mempool of SLAB_CMP_ELTS elements of size bytes, made once per size. */
static struct rte_mempool *
cmp_pool(unsigned int size)
{
    static struct rte_mempool *pools[4];
    static unsigned int        sizes[4];
    char                       name[RTE_MEMPOOL_NAMESIZE];
    unsigned int               k;

    for (k = 0; k < RTE_DIM(pools) && pools[k] != NULL; k++)
        if (sizes[k] == size)
            return pools[k];
    if (k == RTE_DIM(pools))
        die("cmp_pool: too many sizes");
    snprintf(name, sizeof(name), "bench_elt%u", size);
    pools[k] = rte_mempool_create(name, SLAB_CMP_ELTS, size, SLAB_CMP_CACHE,
                                  0, NULL, NULL, NULL, NULL,
                                  (int) rte_socket_id(), 0);
    if (pools[k] == NULL)
        die("rte_mempool_create");
    sizes[k] = size;
    return pools[k];
}

uint64_t
slab_cmp_mempool(struct env *e)
{
    struct rte_mempool *mp = cmp_pool(e->size);
    void               *obj;

    TIMED_LOOP(e,
        if (unlikely(rte_mempool_get(mp, &obj) < 0))
            die("rte_mempool_get");
        BENCH_BARRIER();
        rte_mempool_put(mp, obj));
}

uint64_t
slab_cmp_rte_malloc(struct env *e)
{
    unsigned int size = e->size, align = e->align;
    void        *p;

    TIMED_LOOP(e,
        p = rte_malloc(NULL, size, align);
        if (unlikely(p == NULL))
            die("rte_malloc");
        BENCH_ESCAPE(p);
        rte_free(p));
}

uint64_t
slab_cmp_malloc(struct env *e)
{
    size_t size = e->size;
    void  *p;

    TIMED_LOOP(e,
        p = malloc(size);
        if (unlikely(p == NULL))
            die("malloc");
        BENCH_ESCAPE(p);
        free(p));
}

/* ---- sending a slab range ----------------------------------------------- */

uint64_t
slab_send_range(struct env *e)
{
    struct evpl_iovec v;
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      i;
    uint64_t          cycles;

    if (evpl_iovec_alloc(evpl, e->size, 0, 1, 0, &v) != 1)
        die("evpl_iovec_alloc");
    TIME_LOOP(e, i, cycles,
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
    evpl_iovec_release(evpl, &v);
    return cycles;
}

static void
extbuf_noop_free(void *addr, void *opaque)
{
    RTE_SET_USED(addr);
    RTE_SET_USED(opaque);
}

/* What an application writes without evpl-dpdk: an mbuf per piece of at
 * most 65535 bytes (16-bit lengths), each counted on the buffer's shared
 * info and attached, chained; the free drops the counts. */
uint64_t
slab_send_by_hand(struct env *e)
{
    struct rte_mbuf_ext_shared_info shinfo = {
        .free_cb = extbuf_noop_free, .refcnt = 1,
    };
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *head, *m, *last;
    unsigned int        size = e->size, left, chunk, i;
    uint64_t            cycles;
    char               *buf = rte_malloc(NULL, size, 4096), *p;
    rte_iova_t          iova;

    if (buf == NULL)
        die("rte_malloc");
    iova = rte_malloc_virt2iova(buf);
    TIME_LOOP(e, i, cycles,
        head = last = NULL;
        for (p = buf, left = size; left > 0; p += chunk, left -= chunk) {
            chunk = RTE_MIN(left, (unsigned int) UINT16_MAX);
            m     = rte_pktmbuf_alloc(mp);
            if (unlikely(m == NULL))
                die("rte_pktmbuf_alloc");
            rte_mbuf_ext_refcnt_update(&shinfo, 1);
            rte_pktmbuf_attach_extbuf(m, p, iova + (rte_iova_t) (p - buf),
                                      (uint16_t) chunk, &shinfo);
            m->data_len = (uint16_t) chunk;
            m->pkt_len  = chunk;
            if (head == NULL) {
                head = m;
            } else {
                last->next = m;
                head->nb_segs++;
                head->pkt_len += chunk;
            }
            last = m;
        }
        BENCH_BARRIER();
        rte_pktmbuf_free(head));
    rte_free(buf);
    return cycles;
}

/* ---- segments or a slab: the numbers behind the choice -------------------
 *
 * A request of several segments' worth, as segments (max_iovecs large
 * enough) against the same request as one slab iovec (max_iovecs 1):
 * allocated and released, and allocated, made a chain with TAKE_REF and
 * freed (the driver's free after transmit). */

#define SLAB_SEG_IOV 32

static uint64_t
alloc_send_on(struct env *e, unsigned int max_iovecs)
{
    struct evpl_iovec v[SLAB_SEG_IOV];
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      size = e->size;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_alloc(evpl, size, 0, max_iovecs, 0, v);
        if (unlikely(n < 1))
            die("evpl_iovec_alloc");
        m = evpl_dpdk_iovecs_to_mbuf(evpl, v, n, EVPL_DPDK_TAKE_REF);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
}

uint64_t
slab_seg_alloc_release(struct env *e)
{
    struct evpl_iovec v[SLAB_SEG_IOV];
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_alloc(evpl, size, 0, SLAB_SEG_IOV, 0, v);
        if (unlikely(n < 1))
            die("evpl_iovec_alloc");
        BENCH_BARRIER();
        evpl_iovecs_release(evpl, v, n));
}

uint64_t
slab_seg_alloc_send(struct env *e)
{
    return alloc_send_on(e, SLAB_SEG_IOV);
}

uint64_t
slab_alloc_send(struct env *e)
{
    return alloc_send_on(e, 1);
}
