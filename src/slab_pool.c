/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs, the pool side: one slab pool of a set (slab_set.c), whose
 * elements are the slabs' heads (struct evpl_slab, with the slab's
 * reference count), and the one memzone beside it that holds the slabs'
 * data, each slab aligned to its size; handing slabs out and back; the
 * IOVA accessor; leak accounting. The carving of slabs into iovecs is in
 * slab_carve.c.
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
    uint32_t                  size;
    uint32_t                  n;
    int                       socket;
    const struct rte_memzone *mz;
};

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
    s->mp     = mp;
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

/* The zone of pool name: "evplz..." for "evpls...". */
static void
evpl_slab_zone_name(
    char       *zname,
    size_t      len,
    const char *name)
{
    snprintf(zname, len, "evplz%s", name + strlen("evpls"));
}

/*
 * The zone is reserved first and is this creator's to the end: a process
 * that finds it reserved leaves the pool to the process that holds it
 * (EEXIST: evpl_pool_get_or_create() waits for that pool), and a creator
 * that fails frees it, so a failure leaves nothing behind.
 */
static struct rte_mempool *
evpl_slab_pool_create(
    const char *name,
    void       *arg)
{
    struct evpl_slab_pool_arg *a = arg;
    char                       zname[RTE_MEMZONE_NAMESIZE];
    struct rte_mempool        *mp;
    int                        err;

    evpl_slab_zone_name(zname, sizeof(zname), name);
    a->mz = evpl_slab_zone_reserve(zname, a);
    if (a->mz == NULL)
        return NULL;
    mp = rte_mempool_create(name, a->n, sizeof(struct evpl_slab), 0, 0,
                            NULL, NULL, evpl_slab_obj_init, a, a->socket, 0);
    if (mp == NULL) {
        /* Not EEXIST, which would make the caller wait for a pool that
         * nobody is making: the zone says this process is the creator. */
        err = rte_errno == EEXIST ? ENOMEM : rte_errno;
        rte_memzone_free(a->mz);
        a->mz     = NULL;
        rte_errno = err;
    }
    return mp;
}

static void
evpl_slab_pool_discard(
    struct rte_mempool *mp,
    void               *arg)
{
    struct evpl_slab_pool_arg *a = arg;

    rte_mempool_free(mp);
    rte_memzone_free(a->mz);
    a->mz = NULL;
}

struct rte_mempool *
evpl_slab_pool_make(
    const char *name,
    int         socket,
    uint32_t    size,
    uint32_t    n)
{
    static const struct evpl_pool_maker maker = {
        .create  = evpl_slab_pool_create,
        .discard = evpl_slab_pool_discard,
        .quiet   = 1,
    };
    struct evpl_slab_pool_arg a = {
        .size = size, .n = n, .socket = socket,
    };

    return evpl_pool_get_or_create(name, &maker, &a);
}

static uint32_t evpl_slab_limit_default;

EVPL_EXPORT int
evpl_dpdk_slab_limit_set(unsigned int nb_slabs)
{
    if (nb_slabs >= EVPL_SLAB_LIMIT_MAX)
        return evpl_fail(EINVAL);
    __atomic_store_n(&evpl_slab_limit_default, nb_slabs, __ATOMIC_RELAXED);
    return 0;
}

EVPL_EXPORT unsigned int
evpl_dpdk_slab_limit_get(void)
{
    return __atomic_load_n(&evpl_slab_limit_default, __ATOMIC_RELAXED);
}

int
evpl_slab_ctx_init(
    struct evpl_slab_ctx     *sc,
    const struct evpl_config *config,
    int                       socket)
{
    uint32_t size  = config->slab_size ? config->slab_size :
                     EVPL_DPDK_DEFAULT_SLAB_SIZE;
    uint32_t limit = config->nb_slabs ? config->nb_slabs :
                     evpl_dpdk_slab_limit_get();

    memset(sc, 0, sizeof(*sc));
    /* A power of two, so slabs aligned to their size never straddle a
     * hugepage of at least that size; 4 KiB to 1 GiB (iovec lengths are
     * unsigned int). */
    if (size < EVPL_SLAB_MIN_SIZE || size > EVPL_SLAB_MAX_SIZE ||
        (size & (size - 1)) != 0 || limit >= EVPL_SLAB_LIMIT_MAX)
        return evpl_fail(EINVAL);
    sc->size = size;
    sc->set  = evpl_slab_set_find(socket, size, limit);
    return sc->set != NULL ? 0 : -1;
}

/* The last reference went (the release paths' evpl_slab_count_put_()):
 * back to its mempool, by this process's code, through the mempool's
 * ops, which every process finds in its own table. */
EVPL_EXPORT __rte_cold void
evpl_slab_free_(struct evpl_slab_ *h)
{
    struct evpl_slab *s = (struct evpl_slab *) h;

    s->span_owner = 0;
    __atomic_store_n(&s->out, 0, __ATOMIC_RELAXED);
    rte_mempool_put(s->mp, s);
}

/* A fresh slab with one reference, the taker's, recorded as taken by the
 * context id; NULL with errno ENOMEM when none can be had. */
struct evpl_slab *
evpl_slab_pool_get(
    struct evpl_slab_ctx *sc,
    uint32_t              id)
{
    struct evpl_slab *s = evpl_slab_set_take(sc->set, &sc->hint);

    if (unlikely(s == NULL))
        return NULL;
    s->h.shinfo.refcnt = 1;
    evpl_slab_att_own(&s->h);
    s->span_owner = 0;
    s->carved     = 0;
    s->serial     = id;
    __atomic_store_n(&s->out, 1, __ATOMIC_RELAXED);
    return s;
}

void
evpl_slab_pool_unget(struct evpl_slab *s)
{
    s->h.shinfo.refcnt = 0;
    evpl_slab_free_(&s->h);
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
    uint32_t     id;
    uint64_t     slabs, refs;
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
    if (!__atomic_load_n(&s->out, __ATOMIC_RELAXED) || s->serial != w->id)
        return;
    w->slabs++;
    w->refs += __atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_RELAXED);
}

static void
evpl_slab_walk_pool(
    struct rte_mempool *mp,
    void               *arg)
{
    rte_mempool_obj_iter(mp, evpl_slab_walk_one, arg);
}

/* The context's own reference on a carve slab is not the caller's. */
static void
evpl_slab_own(
    const struct evpl_carve *c,
    uint64_t                *slabs,
    uint64_t                *refs)
{
    const struct evpl_slab *s = c->buf;

    if (s == NULL)
        return;
    (*refs)--;
    if (__atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_RELAXED) == 1)
        (*slabs)--;
}

void
evpl_slab_outstanding(
    const struct evpl_slab_ctx *sc,
    uint32_t                    id,
    uint64_t                   *slabs,
    uint64_t                   *refs)
{
    struct evpl_slab_walk w = { .id = id };

    evpl_slab_set_foreach_pool(sc->set, evpl_slab_walk_pool, &w);
    evpl_slab_own(&sc->local, &w.slabs, &w.refs);
    evpl_slab_own(&sc->shared, &w.slabs, &w.refs);
    *slabs = w.slabs;
    *refs  = w.refs;
}

void
evpl_slab_leak_report(
    const struct evpl          *evpl,
    const struct evpl_slab_ctx *sc,
    uint32_t                    id)
{
    uint64_t slabs, refs;

    evpl_slab_outstanding(sc, id, &slabs, &refs);
    if (slabs > 0)
        EVPL_LOG(WARNING, "context %p destroyed; %" PRIu64 " slabs (%" PRIu64
                 " references) it carved are still referenced",
                 (const void *) evpl, slabs, refs);
}
