/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs sent by reference: a transmit mbuf attached to a slab range with
 * rte_pktmbuf_attach_extbuf(), and what frees it.
 *
 * DPDK frees an attached mbuf by calling the free_cb of its
 * rte_mbuf_ext_shared_info, a code address, wherever the mbuf is freed.
 * A slab's count is the refcnt of a shared info in its head (struct
 * evpl_slab_), whose free_cb the process that took the slab from its pool
 * wrote: that process's callback. Its attached mbufs use that shared
 * info, as DPDK's own rte_pktmbuf_ext_shinfo_init_helper() keeps one
 * beside a buffer: each mbuf is one count on the slab, taken by the
 * holder of one (the iovec sent), as DPDK's free assumes (it stores the
 * count without an atomic when it reads 1), and dropped by DPDK's free;
 * the last drop, iovec's or mbuf's, returns the slab to its pool.
 *
 * A process whose callback is not the slab's (another process took the
 * slab, and maps the library elsewhere) must not leave its own code
 * address there, nor use the other's: its mbufs get a shared info of
 * their own (struct evpl_slab_att_), from a pool beside the context's
 * mbuf pool, whose free_cb is this process's and which holds one count
 * on the slab; its count is one per mbuf. Clones of the mbufs share it,
 * as DPDK's attach does, and it lives until the last of them is freed.
 *
 * Such a shared info cannot sit in an attached mbuf itself (its unused
 * data room, say): a clone made with rte_pktmbuf_attach() shares the
 * shared info, and the mbuf may go back to its pool, and be handed out
 * and written, while the clone still uses it.
 *
 * What remains is DPDK's own rule for function pointers in shared memory:
 * an attached mbuf must be freed by a process that maps the library at the
 * attaching process's address. The library's own release of an iovec that
 * wraps such an mbuf keeps it even then (evpl_mbuf_free_ext_()): it
 * recognises another process's callback (shared.c keeps their addresses)
 * and does the callback's work with this process's code.
 */

#include <inttypes.h>
#include <stdio.h>

#include <rte_lcore.h>

#include "internal.h"

/* Shared infos never run out before the mbufs they serve: one per mbuf
 * of the pool (a range takes one for all its mbufs), and what the
 * per-lcore caches of every lcore can hold besides (a cache keeps up to
 * 1.5 times its size). */
#define EVPL_SLAB_ATT_CACHE 32u
#define EVPL_SLAB_ATT_SPARE (RTE_MAX_LCORE * EVPL_SLAB_ATT_CACHE * 3 / 2)

/* evpl_slab_att_free() where the calling lcore's cache cannot take x. */
static __rte_noinline void
evpl_slab_att_free_slow(struct evpl_slab_att_ *x)
{
    struct evpl_slab_ *s = x->slab;

    rte_mempool_put(rte_mempool_from_obj(x), x);
    evpl_slab_count_put_(s, EVPL_IOVEC_FLAG_SHARED);
}

/* The last holder of a range's shared info is gone: it goes back to its
 * pool, then its slab reference. */
static void
evpl_slab_att_free(struct evpl_slab_att_ *x)
{
    unsigned int              lcore = rte_lcore_id();
    struct rte_mempool       *mp    = rte_mempool_from_obj(x);
    struct rte_mempool_cache *cache;
    struct evpl_slab_        *s;

    if (unlikely(lcore >= RTE_MAX_LCORE || mp->cache_size == 0))
        return evpl_slab_att_free_slow(x);
    cache = &mp->local_cache[lcore];
    if (unlikely(cache->len + 1 > cache->flushthresh))
        return evpl_slab_att_free_slow(x);
    /* rte_mempool_put() into a cache with room, as it puts: through it,
     * its flush path would give this, the common case, a stack frame. */
    s                        = x->slab;
    cache->objs[cache->len++] = x;
    evpl_slab_count_put_(s, EVPL_IOVEC_FLAG_SHARED);
}

/* DPDK's free of the last holder of a shared info: of a slab's own, the
 * slab's last reference (DPDK set its count to zero), or of a range's. */
void
evpl_slab_ext_free(
    void *addr,
    void *opaque)
{
    uintptr_t o = (uintptr_t) opaque;

    RTE_SET_USED(addr);
    if (o & EVPL_SLAB_OWN_TAG_)
        evpl_slab_free_((struct evpl_slab_ *) (o & ~EVPL_SLAB_OWN_TAG_));
    else
        evpl_slab_att_free(opaque);
}

void
evpl_slab_att_own(struct evpl_slab_ *s)
{
    s->shinfo.free_cb    = evpl_slab_ext_free;
    s->shinfo.fcb_opaque = (void *) ((uintptr_t) s | EVPL_SLAB_OWN_TAG_);
}

uintptr_t
evpl_slab_att_code(void)
{
    return (uintptr_t) evpl_slab_ext_free;
}

struct evpl_slab_att_arg {
    const struct rte_mempool *mbufs;
};

static struct rte_mempool *
evpl_slab_att_pool_create(
    const char *name,
    void       *arg)
{
    const struct evpl_slab_att_arg *a = arg;

    return rte_mempool_create(name, a->mbufs->size + EVPL_SLAB_ATT_SPARE,
                              sizeof(struct evpl_slab_att_),
                              EVPL_SLAB_ATT_CACHE, 0, NULL, NULL, NULL, NULL,
                              a->mbufs->socket_id, 0);
}

/* The pool of shared infos beside the context's mbuf pool, named after
 * that pool's address (the same in every process), found or made. */
static __rte_noinline __rte_cold int
evpl_slab_att_pool_init(struct evpl *evpl)
{
    static const struct evpl_pool_maker maker = {
        .create = evpl_slab_att_pool_create,
    };
    struct evpl_slab_att_arg a = { .mbufs = evpl->pool };
    char                     name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool      *mp;

    snprintf(name, sizeof(name), "evplx%" PRIxPTR, (uintptr_t) evpl->pool);
    mp = evpl_pool_get_or_create(name, &maker, &a);
    if (mp == NULL)
        return -1;
    /* The context's lcore's cache (none on a thread outside the EAL), as
     * for its mbufs: looked up once, not on every attach. */
    evpl->slab.att_cache = rte_mempool_default_cache(mp, evpl->lcore);
    evpl->slab.att       = mp;
    return 0;
}

/* x, a shared info for n mbufs attached to slab s. */
static inline struct rte_mbuf_ext_shared_info *
evpl_slab_att_init(
    struct evpl_slab_att_ *x,
    struct evpl_slab_     *s,
    uint16_t               n)
{
    x->slab              = s;
    x->shinfo.free_cb    = evpl_slab_ext_free;
    x->shinfo.fcb_opaque = x;
    rte_mbuf_ext_refcnt_set(&x->shinfo, n);
    return &x->shinfo;
}

/* evpl_slab_att_get() when the context's cache of shared infos is empty,
 * or there is none (the pool not made yet, a thread outside the EAL). */
static __rte_noinline struct rte_mbuf_ext_shared_info *
evpl_slab_att_get_slow(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    uint16_t                 n,
    int                      move)
{
    struct evpl_slab_ *s = evpl_iovec_slab_(v);
    void              *obj;

    if (unlikely(evpl->slab.att == NULL) && evpl_slab_att_pool_init(evpl) < 0)
        return NULL;
    /* First, so that a count at 65535 aborts having changed nothing;
     * atomically: a driver may free the mbufs on any lcore. */
    if (!move)
        evpl_refcnt_add_(call, v, &s->shinfo.refcnt, 1, 1);
    if (unlikely(rte_mempool_generic_get(evpl->slab.att, &obj, 1,
                                         evpl->slab.att_cache) < 0)) {
        /* v's own reference keeps the count above zero. */
        if (!move)
            __atomic_sub_fetch(&s->shinfo.refcnt, 1, __ATOMIC_RELEASE);
        evpl_fail(ENOMEM);
        return NULL;
    }
    return evpl_slab_att_init(obj, s, n);
}

struct rte_mbuf_ext_shared_info *
evpl_slab_att_get_range(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    uint16_t                 n,
    int                      move)
{
    struct rte_mempool_cache *cache = evpl->slab.att_cache;
    struct evpl_slab_        *s     = evpl_iovec_slab_(v);
    uint32_t                  len;

    /* From the context's cache it calls nothing, so it needs no stack
     * frame; any other case is a tail call. */
    if (unlikely(cache == NULL || (len = cache->len) == 0))
        return evpl_slab_att_get_slow(evpl, call, v, n, move);
    if (!move)
        evpl_refcnt_add_(call, v, &s->shinfo.refcnt, 1, 1);
    /* rte_mempool_generic_get() of one from a cache that holds one, as
     * it takes it: through it, the atomic add above would make the
     * compiler read the length again and keep the refill path, and its
     * stack frame, for a case that cannot happen. */
    cache->len = len - 1;
    return evpl_slab_att_init(cache->objs[len - 1], s, n);
}

void
evpl_slab_att_unget(
    struct rte_mbuf_ext_shared_info *sh,
    uint16_t                         n,
    int                              moved)
{
    struct evpl_slab_att_ *x = sh->fcb_opaque;

    /* What was taken, not moved: v's own reference keeps the count above
     * zero. */
    if ((uintptr_t) x & EVPL_SLAB_OWN_TAG_) {
        if (n > moved)
            __atomic_sub_fetch(&sh->refcnt, n - moved, __ATOMIC_RELEASE);
        return;
    }
    if (!moved)
        __atomic_sub_fetch(&x->slab->shinfo.refcnt, 1, __ATOMIC_RELEASE);
    rte_mempool_put(rte_mempool_from_obj(x), x);
}

/*
 * The release of an iovec wrapping an mbuf with an external buffer, its
 * last reference (evpl_mbuf_free_last_()). An attachment another process
 * made at another address is detached here, with this process's code, as
 * rte_pktmbuf_detach() would detach it, but without calling the other
 * process's callback; everything else goes through DPDK's own free.
 */
EVPL_EXPORT __rte_cold void
evpl_mbuf_free_ext_(struct rte_mbuf *m)
{
    struct rte_mbuf_ext_shared_info *sh = m->shinfo;
    struct rte_mempool              *mp = m->pool;
    uint32_t                         hdr;

    if (!evpl_shared_foreign_code((uintptr_t) sh->free_cb)) {
        rte_pktmbuf_free_seg(m);
        return;
    }
    if (rte_mbuf_ext_refcnt_update(sh, -1) == 0)
        evpl_slab_ext_free(m->buf_addr, sh->fcb_opaque);
    /* What rte_pktmbuf_detach() restores after the callback. */
    hdr          = (uint32_t) sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(mp);
    m->priv_size = rte_pktmbuf_priv_size(mp);
    m->buf_addr  = (char *) m + hdr;
    rte_mbuf_iova_set(m, rte_mempool_virt2iova(m) + hdr);
    m->buf_len   = rte_pktmbuf_data_room_size(mp);
    rte_pktmbuf_reset_headroom(m);
    m->data_len  = 0;
    m->ol_flags  = 0;
    m->next      = NULL;
    m->nb_segs   = 1;
    rte_mbuf_raw_free(m);
}
