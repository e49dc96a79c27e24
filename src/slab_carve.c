/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs, the carving side: allocation and reservation of iovecs larger
 * than a packet segment, carved from slabs (slab_pool.c) as libevpl
 * carves its 2 MiB buffers. Commit is carve.c's, for both kinds of
 * memory.
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
    return shared ? __atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_RELAXED) :
           s->h.shinfo.refcnt;
}

/* Give back the carve slabs only the context references; how many. */
static int
evpl_slab_release_idle(struct evpl_slab_ctx *sc)
{
    int n = 0;

    if (sc->local.buf != NULL && evpl_slab_count(sc->local.buf, 0) == 1) {
        evpl_carve_retire(&sc->local, 1, 0);
        n++;
    }
    if (sc->shared.buf != NULL &&
        evpl_slab_count(sc->shared.buf, EVPL_IOVEC_FLAG_SHARED) == 1) {
        evpl_carve_retire(&sc->shared, 1, EVPL_IOVEC_FLAG_SHARED);
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

void
evpl_slab_ctx_fini(struct evpl_slab_ctx *sc)
{
    evpl_carve_retire(&sc->local, 1, 0);
    evpl_carve_retire(&sc->shared, 1, EVPL_IOVEC_FLAG_SHARED);
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
    char *start = evpl_align_ptr(s->h.data + used, mask);

    return start <= end && (size_t) (end - start) >= length ? start : NULL;
}

/* An iovec of length bytes at data in s, holding one more reference on
 * it, taken through the checked add (below the carve cap, it never
 * aborts). */
static inline void
evpl_slab_fill_ref(
    const char        *call,
    struct evpl_iovec *iov,
    struct evpl_slab  *s,
    char              *data,
    unsigned int       length,
    unsigned int       flags)
{
    evpl_iovec_fill_(iov, &s->h, data, length, flags | EVPL_IOVEC_F_SLAB_);
    evpl_refcnt_add_(call, iov, &s->h.shinfo.refcnt, 1,
                     (flags & EVPL_IOVEC_FLAG_SHARED) != 0);
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
    struct evpl       *evpl,
    struct evpl_carve *c,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       shared)
{
    struct evpl_slab *s = c->buf, *fresh;
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
    evpl_carve_take(c, fresh, 0, 1, shared);
    return evpl_slab_place(fresh, 0, length, mask);
}

/* Spanning: whole fresh slabs, pieces of at most a slab each, appended at
 * r_iovec[n0]; each holds its slab's one reference. How far the last
 * piece reaches in its slab goes to *end. All or nothing. */
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
        start = evpl_align_ptr(s->h.data, mask);
        chunk = (unsigned int) RTE_MIN((size_t) (s->h.data + s->h.size -
                                                 start), (size_t) left);
        evpl_iovec_fill_(&r_iovec[n++], &s->h, start, chunk,
                         flags | EVPL_IOVEC_F_SLAB_);
        left -= chunk;
        *end  = (uint32_t) (start + chunk - s->h.data);
    }
    return (int) n;

 undo:
    for (i = n0; i < n; i++)
        evpl_slab_pool_unget((struct evpl_slab *) r_iovec[i].private_data);
    return -1;
}

/* Pieces a spanning request of length bytes needs: a division, off the
 * fast path. */
static inline uint64_t
evpl_slab_pieces(
    unsigned int length,
    uint32_t     size)
{
    return ((uint64_t) length + size - 1) / size;
}

/* Longer than a slab: fresh slabs, all or nothing; the last one's rest is
 * the context's to carve on. */
static __rte_noinline int
evpl_slab_alloc_span(
    struct evpl       *evpl,
    struct evpl_carve *c,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    unsigned int      shared = flags & EVPL_IOVEC_FLAG_SHARED;
    struct evpl_slab *last;
    uint32_t          end = 0;
    int               n;

    if (evpl_slab_pieces(length, evpl->slab.size) > max_iovecs)
        return evpl_fail(ENOSPC);
    n = evpl_slab_span(evpl, length, mask, flags, r_iovec, 0, &end);
    if (n < 0)
        return -1;
    last = (struct evpl_slab *) r_iovec[n - 1].private_data;
    evpl_refcnt_add_("evpl_iovec_alloc", &r_iovec[n - 1], &last->h.shinfo.refcnt, 1,
                     shared != 0);
    evpl_carve_take(c, last, end, 1, shared);
    return n;
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
    unsigned int       shared = flags & EVPL_IOVEC_FLAG_SHARED;
    struct evpl_carve *c      = shared ? &evpl->slab.shared :
                                &evpl->slab.local;
    struct evpl_slab  *s;
    char              *start;

    /* A fresh slab holds any request up to its size at any alignment up
     * to its size: slab data is aligned to the slab size. */
    if (unlikely(length > evpl->slab.size))
        return evpl_slab_alloc_span(evpl, c, length, mask, max_iovecs, flags,
                                    r_iovec);
    start = evpl_slab_carve_room(evpl, c, length, mask, shared);
    if (unlikely(start == NULL))
        return -1;
    s = c->buf;
    evpl_slab_fill_ref("evpl_iovec_alloc", r_iovec, s, start, length, flags);
    c->used = (uint32_t) (start + length - s->h.data);
    return 1;
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
    struct evpl_slab_ctx *sc = &evpl->slab;
    struct evpl_carve    *c  = &sc->local;
    struct evpl_slab     *first, *last;
    uint32_t              end = 0;
    unsigned int          chunk;
    char                 *start;
    int                   n;

    if (likely(length <= sc->size)) {
        /* Reserving again before a commit finds the same place: the point
         * does not move, and a slab recycled or taken here stays. */
        start = evpl_slab_carve_room(evpl, c, length, mask, 0);
        if (unlikely(start == NULL))
            return -1;
        evpl_slab_fill_ref("evpl_iovec_reserve", r_iovec, c->buf, start,
                           length, flags);
        return 1;
    }

    /* Longer than a slab: from the carve point (recycled or fresh as for
     * a short reservation, so reserving again lands in the same place) to
     * the end of that slab, then fresh slabs; the last of those carries
     * the context's span-tail mark, so that its commit carves on from
     * where the reservation ends. */
    if (evpl_slab_pieces(length, sc->size) > max_vec)
        return evpl_fail(ENOSPC);
    start = evpl_slab_carve_room(evpl, c, 1, mask, 0);
    if (unlikely(start == NULL))
        return -1;
    /* The rest of the slab, at most its size: less than length. */
    first = c->buf;
    chunk = (unsigned int) (first->h.data + first->h.size - start);
    if (1 + evpl_slab_pieces(length - chunk, sc->size) > max_vec)
        return evpl_fail(ENOSPC);
    /* The first piece's reference before any fresh slab is sought, so
     * that the carve slab is not idle while the rest is found. */
    evpl_slab_fill_ref("evpl_iovec_reserve", r_iovec, first, start, chunk,
                       flags);
    n = evpl_slab_span(evpl, length - chunk, mask, flags, r_iovec, 1, &end);
    if (n < 0) {
        evpl_slab_count_put_(&first->h, 0);
        return -1;
    }
    last = (struct evpl_slab *) r_iovec[n - 1].private_data;
    last->span_owner = evpl_span_tail(evpl);
    return n;
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
    evpl_iovec_fill_(r_iovec, &s->h, s->h.data, s->h.size,
                     EVPL_IOVEC_FLAG_GLOBAL | EVPL_IOVEC_FLAG_SHARED |
                     EVPL_IOVEC_F_SLAB_ | evpl->owner_flags);
    return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
}
