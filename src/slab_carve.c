/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs, the carving side: allocation, reservation and commit of iovecs
 * larger than a packet segment, carved from slabs (slab_pool.c) as
 * libevpl carves its 2 MiB buffers.
 *
 * Each context carves from a current slab per sharing mode (LOCAL and
 * SHARED apart, so one slab's count is only ever updated one way) and
 * holds one reference on it. A request that fits behind the carving point
 * takes one more reference and moves the point; one that does not fit
 * recycles the slab when the context's reference is the only one left
 * (no mempool traffic in a steady alloc/release loop), else takes a fresh
 * slab from the pool. Requests longer than a slab span fresh slabs.
 */

#include "internal.h"

static inline unsigned int
evpl_slab_count(
    const struct evpl_slab *s,
    unsigned int            shared)
{
    return shared ? __atomic_load_n(&s->h.refcnt, __ATOMIC_RELAXED) :
           s->h.refcnt;
}

/* Under the carve cap a reference needs no overflow check. */
static inline void
evpl_slab_count_add(
    struct evpl_slab *s,
    unsigned int      shared,
    uint16_t          n)
{
    if (shared)
        __atomic_add_fetch(&s->h.refcnt, n, __ATOMIC_RELAXED);
    else
        s->h.refcnt += n;
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
 * when none can be had. */
static struct evpl_slab *
evpl_slab_get(struct evpl *evpl)
{
    struct evpl_slab_ctx *sc = &evpl->slab;
    struct evpl_slab     *s;

    s = evpl_slab_pool_get(sc, evpl->id);
    if (unlikely(s == NULL)) {
        /* Near exhaustion the context's own carve slabs, when nothing
         * else is in them, are worth more as fresh slabs. */
        if (evpl_slab_release_idle(sc) > 0)
            s = evpl_slab_pool_get(sc, evpl->id);
        if (s == NULL)
            evpl->stats.alloc_nomem++;
    }
    return s;
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
        evpl_slab_pool_unget((struct evpl_slab *) r_iovec[i].private_data);
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
        evpl_refcnt_add_("evpl_iovec_commit", iov, &s->h.refcnt, 1,
                         0);
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
