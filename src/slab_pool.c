/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs, the pool side: the slab mempool of each NUMA socket and
 * configuration, whose elements are the slabs' heads (struct evpl_slab,
 * with the rte_mbuf_ext_shared_info DPDK counts references in), and the
 * one memzone beside it that holds the slabs' data, each slab aligned to
 * its size; the shared info's free callback that returns a slab to its
 * mempool; the IOVA accessor; leak accounting. The carving of slabs into
 * iovecs is in slab_carve.c.
 *
 * The slab mempools have no per-lcore cache: slabs are few and large, a
 * cache would hide them from other lcores near exhaustion, and carving
 * already keeps the mempool off the per-allocation path.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_memzone.h>

#include "internal.h"

struct evpl_slab_pool_arg {
    uint32_t                   size;
    uint32_t                   n;
    int                        socket;
    const struct rte_memzone  *mz;
};

static void evpl_slab_free_cb(void *addr, void *opaque);

/* A slab pool's element is a slab's head; slab idx's data is the idx-th
 * slab-size block of the pool's memzone. */
static void
evpl_slab_obj_init(
    struct rte_mempool *mp,
    void               *opaque,
    void               *obj,
    unsigned int        idx)
{
    const struct evpl_slab_pool_arg *a = opaque;
    struct evpl_slab                *s = obj;
    size_t                           off = (size_t) idx * a->size;

    memset(s, 0, sizeof(*s));
    s->h.data = (char *) a->mz->addr + off;
    s->h.size = a->size;
    /* Every slab is IOVA-contiguous (evpl_slab_zone_reserve()): the
     * IOVA of its first byte is the whole story. The zone's own IOVA is
     * only its first page's, so ask per slab. */
    s->h.iova = rte_mem_virt2iova(s->h.data);
    s->h.shinfo.free_cb    = evpl_slab_free_cb;
    s->h.shinfo.fcb_opaque = s;
    s->h.shinfo.refcnt     = 0;
    s->mp = mp;
}

/*
 * The slabs' memory: one memzone of n slabs, aligned to the slab size (a
 * power of two). With hugepages of at least the slab size, each slab then
 * lies inside one page, which is physically contiguous, so every slab is
 * IOVA-contiguous in IOVA-as-PA mode without asking DPDK for contiguous
 * runs of pages (which fragmented hugepage memory often cannot give);
 * in IOVA-as-VA mode (--no-huge among others) all memory is. Only slabs
 * larger than a page under IOVA-as-PA need the zone IOVA-contiguous.
 */
static const struct rte_memzone *
evpl_slab_zone_reserve(
    const char                      *name,
    const struct evpl_slab_pool_arg *a)
{
    const struct rte_memzone *mz;
    size_t                    len = (size_t) a->n * a->size;

    mz = rte_memzone_reserve_aligned(name, len, a->socket, 0, a->size);
    if (mz == NULL || rte_eal_iova_mode() != RTE_IOVA_PA ||
        mz->hugepage_sz >= a->size)
        return mz;
    rte_memzone_free(mz);
    return rte_memzone_reserve_aligned(name, len, a->socket,
                                       RTE_MEMZONE_IOVA_CONTIG, a->size);
}

static struct rte_mempool *
evpl_slab_pool_create(
    const char *name,
    void       *arg)
{
    struct evpl_slab_pool_arg *a = arg;
    char                       zname[RTE_MEMZONE_NAMESIZE];
    struct rte_mempool        *mp;

    /* The zone is named after the pool: "evplz..." for "evpls...". */
    snprintf(zname, sizeof(zname), "evplz%s", name + 5);
    a->mz = rte_memzone_lookup(zname);
    if (a->mz == NULL)
        a->mz = evpl_slab_zone_reserve(zname, a);
    if (a->mz == NULL)
        return NULL;
    mp = rte_mempool_create(name, a->n, sizeof(struct evpl_slab), 0, 0,
                            NULL, NULL, evpl_slab_obj_init, a, a->socket, 0);
    /* On failure the zone stays for the next attempt to find. */
    return mp;
}

/* The slab pool of the context's socket and configuration, created on
 * first use through the library's one pool creator, which publishes a
 * pool only once complete. */
static __rte_cold int
evpl_slab_pool_init(struct evpl_slab_ctx *sc)
{
    char                      name[RTE_MEMPOOL_NAMESIZE];
    struct evpl_slab_pool_arg a = {
        .size = sc->size, .n = sc->nb, .socket = sc->socket,
    };
    struct rte_mempool       *mp;
    int                       len;

    len = snprintf(name, sizeof(name), "evpls%d.%u.%u", sc->socket, sc->size,
                   sc->nb);
    if (len < 0 || (size_t) len >= sizeof(name))
        return evpl_fail(EINVAL);
    mp = evpl_pool_get_or_create(name, evpl_slab_pool_create, &a);
    if (mp == NULL)
        return -1;
    sc->pool = mp;
    return 0;
}

int
evpl_slab_ctx_init(
    struct evpl_slab_ctx     *sc,
    const struct evpl_config *config,
    int                       socket)
{
    uint32_t size = config->slab_size ? config->slab_size :
                    EVPL_DPDK_DEFAULT_SLAB_SIZE;
    uint32_t nb   = config->nb_slabs ? config->nb_slabs :
                    EVPL_DPDK_DEFAULT_NB_SLABS;

    memset(sc, 0, sizeof(*sc));
    /* A power of two, so slabs aligned to their size never straddle a
     * hugepage of at least that size; 4 KiB to 1 GiB (iovec lengths are
     * unsigned int). A pool holds fewer than 2^30 slabs, and all of them
     * fit one memzone's size_t length. */
    if (size < EVPL_SLAB_MIN_SIZE || size > EVPL_SLAB_MAX_SIZE ||
        (size & (size - 1)) != 0 || nb >= (UINT32_C(1) << 30))
        return evpl_fail(EINVAL);
    sc->size   = size;
    sc->nb     = nb;
    sc->socket = socket;
    return 0;
}

static void
evpl_slab_free_cb(
    void *addr,
    void *opaque)
{
    struct evpl_slab *s = opaque;

    RTE_SET_USED(addr);
    s->span_owner = 0;
    __atomic_store_n(&s->out, 0, __ATOMIC_RELAXED);
    rte_mempool_put(s->mp, s);
}

/* A fresh slab with one reference, the taker's, recorded as taken by the
 * context serial; NULL with errno ENOMEM when the pool is empty or cannot
 * be created. */
struct evpl_slab *
evpl_slab_pool_get(
    struct evpl_slab_ctx *sc,
    uint32_t              serial)
{
    void             *obj;
    struct evpl_slab *s;

    if (unlikely(sc->pool == NULL) && evpl_slab_pool_init(sc) < 0)
        return NULL;
    if (unlikely(rte_mempool_get(sc->pool, &obj) < 0)) {
        evpl_fail(ENOMEM);
        return NULL;
    }
    s                  = obj;
    s->h.shinfo.refcnt = 1;
    s->span_owner      = 0;
    s->carved          = 0;
    s->serial          = serial;
    s->site            = NULL;
    __atomic_store_n(&s->out, 1, __ATOMIC_RELAXED);
    return s;
}

void
evpl_slab_pool_unget(struct evpl_slab *s)
{
    s->h.shinfo.refcnt = 0;
    evpl_slab_free_cb(s->h.data, s);
}

EVPL_EXPORT rte_iova_t
evpl_dpdk_iovec_iova(const struct evpl_iovec *iov)
{
    const struct rte_mbuf *m;

    if (iov == NULL || iov->private_data == NULL)
        return RTE_BAD_IOVA;
    if (evpl_iovec_on_slab_(iov)) {
        const struct evpl_slab_ *s = evpl_iovec_slab_(iov);

        return s->iova + (rte_iova_t) ((char *) iov->data - s->data);
    }
    m = evpl_iovec_mbuf_(iov);
    return rte_mbuf_iova_get(m) +
           (rte_iova_t) ((char *) iov->data - (char *) m->buf_addr);
}

/* ---- leak accounting ------------------------------------------------ */

struct evpl_slab_walk {
    uint32_t     serial;
    uint64_t     slabs, refs;
    const void  *site;
};

static void
evpl_slab_walk_one(
    struct rte_mempool *mp,
    void               *opaque,
    void               *obj,
    unsigned int        idx)
{
    struct evpl_slab_walk  *w = opaque;
    const struct evpl_slab *s = obj;

    RTE_SET_USED(mp);
    RTE_SET_USED(idx);
    /* Racy reads by design: a snapshot. */
    if (!__atomic_load_n(&s->out, __ATOMIC_RELAXED) || s->serial != w->serial)
        return;
    w->slabs++;
    w->refs += __atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_RELAXED);
    if (w->site == NULL)
        w->site = s->site;
}

/* The context's own reference on a carve slab is not the caller's. */
static void
evpl_slab_own(
    const struct evpl_slab_carve *c,
    uint64_t                     *slabs,
    uint64_t                     *refs)
{
    if (c->slab == NULL)
        return;
    (*refs)--;
    if (__atomic_load_n(&c->slab->h.shinfo.refcnt, __ATOMIC_RELAXED) == 1)
        (*slabs)--;
}

void
evpl_slab_outstanding(
    const struct evpl_slab_ctx *sc,
    uint32_t                    serial,
    uint64_t                   *slabs,
    uint64_t                   *refs)
{
    struct evpl_slab_walk w = { .serial = serial };

    if (sc->pool != NULL)
        rte_mempool_obj_iter(sc->pool, evpl_slab_walk_one, &w);
    evpl_slab_own(&sc->local, &w.slabs, &w.refs);
    evpl_slab_own(&sc->shared, &w.slabs, &w.refs);
    *slabs = w.slabs;
    *refs  = w.refs;
}

void
evpl_slab_leak_report(
    const struct evpl          *evpl,
    const struct evpl_slab_ctx *sc,
    uint32_t                    serial)
{
    uint64_t slabs, refs;

    evpl_slab_outstanding(sc, serial, &slabs, &refs);
    if (slabs > 0)
        EVPL_LOG(NOTICE, "context %p destroyed; %" PRIu64 " slabs (%" PRIu64
                 " references) it carved are still referenced",
                 (const void *) evpl, slabs, refs);
}

void
evpl_slab_trace_site(
    struct evpl_iovec *iov,
    const void        *site)
{
    struct evpl_slab *s = (struct evpl_slab *) iov->private_data;

    if (s->site == NULL)
        s->site = site;
}
