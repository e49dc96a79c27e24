/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs: allocation, reservation and commit of iovecs larger than a packet
 * segment, carved from large buffers as libevpl carves its 2 MiB buffers.
 *
 * Each context carves from a current slab per sharing mode (LOCAL and
 * SHARED apart, so one slab's count is only ever updated one way) and
 * holds one reference on it. A request that fits behind the carving point
 * takes one more reference and moves the point; one that does not fit
 * recycles the slab when the context's reference is the only one left
 * (no mempool traffic in a steady alloc/release loop), else takes a fresh
 * slab from the pool. Requests longer than a slab span fresh slabs.
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

static inline unsigned int
evpl_slab_count(
    const struct evpl_slab *s,
    unsigned int            shared)
{
    return shared ? __atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_RELAXED) :
           s->h.shinfo.refcnt;
}

/* Under the carve cap a reference needs no overflow check. */
static inline void
evpl_slab_count_add(
    struct evpl_slab *s,
    unsigned int      shared,
    uint16_t          n)
{
    if (shared)
        __atomic_add_fetch(&s->h.shinfo.refcnt, n, __ATOMIC_RELAXED);
    else
        s->h.shinfo.refcnt += n;
}

static void evpl_slab_carve_retire(struct evpl_slab_carve *c,
                                   unsigned int shared);

/* Give back the carve slabs only the context references; how many. */
static int
evpl_slab_release_idle(struct evpl_slab_ctx *sc)
{
    int n = 0;

    if (sc->local.slab != NULL && evpl_slab_count(sc->local.slab, 0) == 1) {
        evpl_slab_carve_retire(&sc->local, 0);
        n++;
    }
    if (sc->shared.slab != NULL &&
        evpl_slab_count(sc->shared.slab, EVPL_IOVEC_FLAG_SHARED) == 1) {
        evpl_slab_carve_retire(&sc->shared, EVPL_IOVEC_FLAG_SHARED);
        n++;
    }
    return n;
}

/* A fresh slab with one reference, the taker's; NULL with errno ENOMEM
 * when the pool is empty. */
static struct evpl_slab *
evpl_slab_get(struct evpl *evpl)
{
    struct evpl_slab_ctx *sc = &evpl->slab;
    void                 *obj;
    struct evpl_slab     *s;

    if (unlikely(sc->pool == NULL) && evpl_slab_pool_init(sc) < 0)
        return NULL;
    if (unlikely(rte_mempool_get(sc->pool, &obj) < 0)) {
        /* Near exhaustion the context's own carve slabs, when nothing
         * else is in them, are worth more as fresh slabs. */
        if (!evpl_slab_release_idle(sc) ||
            rte_mempool_get(sc->pool, &obj) < 0) {
            evpl->stats.alloc_nomem++;
            evpl_fail(ENOMEM);
            return NULL;
        }
    }
    s                  = obj;
    s->h.shinfo.refcnt = 1;
    s->span_owner      = 0;
    s->carved          = 0;
    s->serial          = evpl->id;
    s->site            = NULL;
    __atomic_store_n(&s->out, 1, __ATOMIC_RELAXED);
    return s;
}

/* Return slabs taken by a call that then failed: nothing saw them. */
static void
evpl_slab_unget(struct evpl_slab *s)
{
    s->h.shinfo.refcnt = 0;
    evpl_slab_free_cb(s->h.data, s);
}

static void
evpl_slab_carve_retire(
    struct evpl_slab_carve *c,
    unsigned int            shared)
{
    struct evpl_slab *s = c->slab;

    if (s == NULL)
        return;
    c->slab = NULL;
    c->used = 0;
    __atomic_store_n(&s->carved, 0, __ATOMIC_RELAXED);
    evpl_slab_count_put_(&s->h, shared);
}

/* Make s, on which the caller took the context's reference, the carve
 * slab from used on. */
static void
evpl_slab_carve_take(
    struct evpl_slab_carve *c,
    struct evpl_slab       *s,
    uint32_t                used,
    unsigned int            shared)
{
    evpl_slab_carve_retire(c, shared);
    c->slab = s;
    c->used = used;
    __atomic_store_n(&s->carved, 1, __ATOMIC_RELAXED);
}

void
evpl_slab_ctx_fini(struct evpl_slab_ctx *sc)
{
    evpl_slab_carve_retire(&sc->local, 0);
    evpl_slab_carve_retire(&sc->shared, EVPL_IOVEC_FLAG_SHARED);
}

static inline char *
evpl_slab_align(
    char        *p,
    unsigned int mask)
{
    return (char *) (((uintptr_t) p + mask) & ~(uintptr_t) mask);
}

/* Where length bytes aligned by mask land in s from offset used, or NULL
 * when they do not fit. */
static inline char *
evpl_slab_place(
    const struct evpl_slab *s,
    uint32_t                used,
    unsigned int            length,
    unsigned int            mask)
{
    char *end   = s->h.data + s->h.size;
    char *start = evpl_slab_align(s->h.data + used, mask);

    return start <= end && (size_t) (end - start) >= length ? start : NULL;
}

/* What any fresh slab holds of a request at any alignment up to the slab
 * size: all of it, as slab data is aligned to the slab size. */
static inline uint32_t
evpl_slab_capacity(
    const struct evpl_slab_ctx *sc,
    unsigned int                mask)
{
    RTE_SET_USED(mask);
    return sc->size;
}

static inline void
evpl_slab_fill(
    struct evpl_iovec *iov,
    struct evpl_slab  *s,
    char              *data,
    unsigned int       length,
    unsigned int       flags)
{
    iov->data         = data;
    iov->length       = length;
    iov->flags        = flags | EVPL_IOVEC_F_SLAB_;
    iov->private_data = &s->h;
}

/*
 * Make room for one piece of length bytes at the carve point: keep the
 * slab when it fits behind the point, recycle it when the context holds
 * the only reference (nothing else can be in it), else a fresh slab.
 * Returns where the piece goes, or NULL (errno ENOMEM) with nothing
 * changed but a recycled slab's point.
 */
static char *
evpl_slab_carve_room(
    struct evpl            *evpl,
    struct evpl_slab_carve *c,
    unsigned int            length,
    unsigned int            mask,
    unsigned int            shared)
{
    struct evpl_slab *s = c->slab, *fresh;
    char             *start;

    if (s != NULL) {
        if (evpl_slab_count(s, shared) < EVPL_SLAB_CARVE_REF_CAP &&
            (start = evpl_slab_place(s, c->used, length, mask)) != NULL)
            return start;
        if (evpl_slab_count(s, shared) == 1 &&
            (start = evpl_slab_place(s, 0, length, mask)) != NULL) {
            c->used = 0;
            return start;
        }
    }
    fresh = evpl_slab_get(evpl);
    if (fresh == NULL)
        return NULL;
    evpl_slab_carve_take(c, fresh, 0, shared);
    return evpl_slab_place(fresh, 0, length, mask);
}

/* Spanning: whole fresh slabs, pieces of at most cap bytes each; the last
 * one's slab is returned with the reference of the piece in it, and how
 * far the piece reaches in *end. All or nothing. */
static int
evpl_slab_span(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       flags,
    struct evpl_iovec *r_iovec,
    unsigned int       n0,
    uint32_t          *end)
{
    unsigned int      n = n0, left = length, chunk, i;
    struct evpl_slab *s;
    char             *start;

    while (left > 0) {
        s = evpl_slab_get(evpl);
        if (s == NULL)
            goto undo;
        start = evpl_slab_align(s->h.data, mask);
        chunk = (unsigned int) RTE_MIN((size_t) (s->h.data + s->h.size -
                                                 start), (size_t) left);
        evpl_slab_fill(&r_iovec[n++], s, start, chunk, flags);
        left -= chunk;
        *end  = (uint32_t) (start + chunk - s->h.data);
    }
    return (int) n;

 undo:
    for (i = n0; i < n; i++)
        evpl_slab_unget((struct evpl_slab *) r_iovec[i].private_data);
    return -1;
}

/* Pieces a spanning request of length bytes needs: capacity is a
 * multiplication away, so count with a division only here, off the
 * fast path. */
static inline uint64_t
evpl_slab_pieces(
    unsigned int length,
    uint32_t     cap)
{
    return ((uint64_t) length + cap - 1) / cap;
}

int
evpl_slab_alloc(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct evpl_slab_ctx   *sc     = &evpl->slab;
    unsigned int            shared = flags & EVPL_IOVEC_FLAG_SHARED;
    struct evpl_slab_carve *c      = shared ? &sc->shared : &sc->local;
    uint32_t                cap    = evpl_slab_capacity(sc, mask);
    struct evpl_slab       *last;
    uint32_t                end = 0;
    char                   *start;
    int                     n;

    if (likely(length <= cap)) {
        start = evpl_slab_carve_room(evpl, c, length, mask, shared);
        if (unlikely(start == NULL))
            return -1;
        evpl_slab_count_add(c->slab, shared, 1);
        evpl_slab_fill(r_iovec, c->slab, start, length, flags);
        c->used = (uint32_t) (start + length - c->slab->h.data);
        return 1;
    }

    if (evpl_slab_pieces(length, cap) > max_iovecs)
        return evpl_fail(ENOSPC);
    n = evpl_slab_span(evpl, length, mask, flags, r_iovec, 0, &end);
    if (n < 0)
        return -1;
    /* The last slab's rest is the context's to carve on. */
    last = (struct evpl_slab *) r_iovec[n - 1].private_data;
    evpl_slab_count_add(last, shared, 1);
    evpl_slab_carve_take(c, last, end, shared);
    return n;
}

int
evpl_slab_reserve(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_vec,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct evpl_slab_ctx   *sc  = &evpl->slab;
    struct evpl_slab_carve *c   = &sc->local;
    uint32_t                cap = evpl_slab_capacity(sc, mask);
    struct evpl_slab       *first, *last;
    uint32_t                end = 0;
    unsigned int            chunk;
    char                   *start;
    int                     n;

    if (likely(length <= cap)) {
        /* Reserving again before a commit finds the same place: the point
         * does not move, and a slab recycled or taken here stays. */
        start = evpl_slab_carve_room(evpl, c, length, mask, 0);
        if (unlikely(start == NULL))
            return -1;
        evpl_slab_count_add(c->slab, 0, 1);
        evpl_slab_fill(r_iovec, c->slab, start, length, flags);
        return 1;
    }

    /* Longer than a slab: from the carve point (recycled or fresh as for
     * a short reservation, so reserving again lands in the same place) to
     * the end of that slab, then fresh slabs; the last of those is marked
     * so that this context's commit carves on from where the reservation
     * ends. */
    if (evpl_slab_pieces(length, sc->size) > max_vec)
        return evpl_fail(ENOSPC);
    start = evpl_slab_carve_room(evpl, c, 1, mask, 0);
    if (unlikely(start == NULL))
        return -1;
    first = c->slab;
    chunk = (unsigned int) (first->h.data + first->h.size - start);
    if (chunk >= length) {
        /* A large alignment that this slab happens to satisfy. */
        evpl_slab_count_add(first, 0, 1);
        evpl_slab_fill(r_iovec, first, start, length, flags);
        return 1;
    }
    if (1 + evpl_slab_pieces(length - chunk, cap) > max_vec)
        return evpl_fail(ENOSPC);
    /* The first piece's reference before any fresh slab is sought, so
     * that the carve slab is not idle while the rest is found. */
    evpl_slab_count_add(first, 0, 1);
    evpl_slab_fill(r_iovec, first, start, chunk, flags);
    n = evpl_slab_span(evpl, length - chunk, mask, flags, r_iovec, 1, &end);
    if (n < 0) {
        evpl_slab_count_put_(&first->h, 0);
        return -1;
    }
    last = (struct evpl_slab *) r_iovec[n - 1].private_data;
    last->span_owner = evpl->id;
    return n;
}

void
evpl_slab_commit_one(
    struct evpl       *evpl,
    unsigned int       alignment,
    struct evpl_iovec *iov)
{
    struct evpl_slab       *s = (struct evpl_slab *) iov->private_data;
    struct evpl_slab_carve *c = &evpl->slab.local;
    size_t                  end;

    if (unlikely((char *) iov->data < s->h.data ||
                 (size_t) ((char *) iov->data - s->h.data) + iov->length >
                 s->h.size))
        evpl_iovec_abort("evpl_iovec_commit", iov,
                         "range outside its %u-byte slab", s->h.size);
    if (!(iov->flags & EVPL_IOVEC_F_RESERVED_))
        return;

    end = (size_t) ((char *) iov->data - s->h.data) + iov->length;
    /* libevpl pads the fill point to the commit's alignment. */
    if (alignment != 0 && (alignment & (alignment - 1)) == 0)
        end = RTE_MIN(RTE_ALIGN_CEIL(end, (size_t) alignment),
                      (size_t) s->h.size);
    if (s == c->slab) {
        if (end > c->used)
            c->used = (uint32_t) end;
    } else if (s->span_owner == evpl->id) {
        /* The tail of this context's spanning reservation: carving goes
         * on behind it, once. */
        s->span_owner = 0;
        evpl_slab_count_get_("evpl_iovec_commit", iov, &s->h, 0);
        evpl_slab_carve_take(c, s, (uint32_t) end, 0);
    }
}

EVPL_EXPORT int
evpl_iovec_alloc_global(
    struct evpl       *evpl,
    struct evpl_iovec *r_iovec)
{
    struct evpl_slab *s;

    if (evpl == NULL || r_iovec == NULL)
        return evpl_fail(EINVAL);
    s = evpl_slab_get(evpl);
    if (s == NULL)
        return -1;
    /* Atomic counts: a GLOBAL buffer is the application's to share. */
    evpl_slab_fill(r_iovec, s, s->h.data, s->h.size,
                   EVPL_IOVEC_FLAG_GLOBAL | EVPL_IOVEC_FLAG_SHARED |
                   evpl->owner_flags);
    return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
}

EVPL_EXPORT rte_iova_t
evpl_dpdk_iovec_iova(const struct evpl_iovec *iov)
{
    const struct rte_mbuf *m;

    if (iov == NULL || iov->private_data == NULL)
        return RTE_BAD_IOVA;
    if (iov->flags & EVPL_IOVEC_F_SLAB_) {
        const struct evpl_slab_ *s = evpl_iovec_slab_(iov);

        return s->iova + (rte_iova_t) ((char *) iov->data - s->data);
    }
    m = evpl_iovec_mbuf(iov);
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
