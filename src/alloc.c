/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Allocation and two-phase reservation.
 *
 * evpl_iovec_alloc() gives every iovec an mbuf of its own: the common packet
 * buffer is then exclusively owned and goes to transmit with a few header
 * writes, with no copy and no second mbuf. Reservations are the dense path:
 * they are carved one after another out of the context's current segment.
 * Requests that segments cannot hold within max_iovecs (or within
 * EVPL_SLAB_SEGS_MAX of them), or whose alignment a segment cannot give,
 * go to slabs (slab_carve.c).
 */

#include "internal.h"

/* mbufs fetched from the pool per call while filling a large request. */
#define EVPL_ALLOC_BATCH 32u

static inline int
evpl_bad_args(
    const struct evpl       *evpl,
    unsigned int             length,
    unsigned int             alignment,
    unsigned int             max_iovecs,
    const struct evpl_iovec *r_iovec)
{
    return evpl == NULL || r_iovec == NULL || length == 0 || max_iovecs == 0 ||
           (alignment & (alignment - 1)) != 0 || alignment > evpl->slab.size;
}

/* Off the fast path: a zero length with otherwise good arguments allocates
 * nothing and returns 0, as libevpl does; anything else is EINVAL. */
static __rte_noinline __rte_cold int
evpl_alloc_rejected(
    const struct evpl       *evpl,
    unsigned int             length,
    unsigned int             alignment,
    unsigned int             max_iovecs,
    const struct evpl_iovec *r_iovec)
{
    if (length == 0 && !evpl_bad_args(evpl, 1, alignment, max_iovecs, r_iovec))
        return 0;
    return evpl_fail(EINVAL);
}

static inline char *
evpl_align_up(
    char        *p,
    unsigned int mask)
{
    return (char *) (((uintptr_t) p + mask) & ~(uintptr_t) mask);
}

static inline char *
evpl_seg_end(const struct rte_mbuf *m)
{
    return (char *) m->buf_addr + m->buf_len;
}

/* Bytes from start to end, 0 when padding took start past end. */
static inline size_t
evpl_room_behind(
    const char *start,
    const char *end)
{
    return start < end ? (size_t) (end - start) : 0;
}

static inline int
evpl_get_mbufs(
    struct evpl      *evpl,
    struct rte_mbuf **m,
    unsigned int      n)
{
    if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) m, n,
                                         evpl->cache) < 0)) {
        evpl->stats.alloc_nomem++;
        return evpl_fail(ENOMEM);
    }
    return 0;
}

/* Return an mbuf that the pool handed out and nobody else has seen. */
static inline void
evpl_put_mbuf(
    struct evpl     *evpl,
    struct rte_mbuf *m)
{
    rte_mempool_generic_put(evpl->pool, (void **) &m, 1, evpl->cache);
}

/* Whether length bytes could fit in n segments: a multiplication, where
 * counting the segments would take a division on every call. */
static inline int
evpl_fits_segments(
    const struct evpl *evpl,
    unsigned int       length,
    unsigned int       n)
{
    return (uint64_t) n * evpl->room >= length;
}

/* Smallest number of segments that could hold length bytes, capped at cap
 * (at most EVPL_ALLOC_BATCH): counted, not divided, since it is small. */
static inline unsigned int
evpl_min_segments_upto(
    const struct evpl *evpl,
    unsigned int       length,
    unsigned int       cap)
{
    unsigned int n = 1;
    uint64_t     room = evpl->room;

    while (n < cap && room < length) {
        n++;
        room += evpl->room;
    }
    return n;
}

static __rte_noinline int
evpl_alloc_multi(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mbuf *batch[EVPL_ALLOC_BATCH];
    unsigned int     n = 0, left = length, want, i, chunk;
    char            *start, *end;
    int              err;

    if (!evpl_fits_segments(evpl, length, max_iovecs))
        return evpl_fail(ENOSPC);

    while (left > 0) {
        if (n == max_iovecs) {
            err = ENOSPC;
            goto undo;
        }
        /* Never more mbufs than even the roomiest placement needs, so every
         * mbuf fetched receives bytes and none has to go back. */
        want = evpl_min_segments_upto(evpl, left,
                                      RTE_MIN(max_iovecs - n,
                                              EVPL_ALLOC_BATCH));
        if (evpl_get_mbufs(evpl, batch, want) < 0) {
            err = ENOMEM;
            goto undo;
        }
        for (i = 0; i < want; i++) {
            end   = evpl_seg_end(batch[i]);
            start = evpl_align_up((char *) batch[i]->buf_addr +
                                  evpl->headroom, mask);
            /* Keep the headroom only where the rest fits behind it. */
            if (evpl_room_behind(start, end) < left)
                start = evpl_align_up(batch[i]->buf_addr, mask);
            chunk = (unsigned int) RTE_MIN(evpl_room_behind(start, end),
                                           (size_t) left);
            evpl_iovec_fill_(&r_iovec[n++], batch[i], start, chunk, flags);
            left -= chunk;
        }
    }
    return (int) n;

 undo:
    for (i = 0; i < n; i++)
        evpl_put_mbuf(evpl, evpl_iovec_mbuf_(&r_iovec[i]));
    return evpl_fail(err);
}

/*
 * Whether a request of length bytes at alignment mask + 1 goes to
 * segments: when, padding at its worst in every segment (plus extra
 * pieces, the rest of a reservation's carve segment), it surely fits in
 * max_iovecs segments and no more than EVPL_SLAB_SEGS_MAX. The worst case,
 * not the buffers at hand, so that the same request always takes the
 * same kind of memory (and a second reservation lands where the first
 * did). A division, but only for requests larger than a segment.
 */
static inline int
evpl_use_segments(
    const struct evpl *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_iovecs,
    unsigned int       extra)
{
    uint64_t cap;

    if (mask >= evpl->room)
        return 0;
    cap = evpl->room - mask;
    return ((uint64_t) length + cap - 1) / cap + extra <=
           RTE_MIN(max_iovecs, EVPL_SLAB_SEGS_MAX);
}

/* Larger than one segment: segments when few enough surely fit, else
 * slabs. */
static __rte_noinline int
evpl_alloc_large(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    if (evpl_use_segments(evpl, length, mask, max_iovecs, 0))
        return evpl_alloc_multi(evpl, length, mask, max_iovecs, flags,
                                r_iovec);
    return evpl_slab_alloc(evpl, length, mask, max_iovecs, flags, r_iovec);
}

/* A request that fits one mbuf, when the mempool cache is empty (or there
 * is none): the pool refills the cache or hands the mbuf over itself. */
static __rte_noinline int
evpl_alloc_one(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mbuf *m;

    if (unlikely(evpl_get_mbufs(evpl, &m, 1) < 0))
        return -1;
    evpl_iovec_fill_(r_iovec, m,
                    evpl_align_up((char *) m->buf_addr + evpl->headroom, mask),
                    length, flags);
    return 1;
}

EVPL_EXPORT int
evpl_iovec_alloc(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       alignment,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mempool_cache *cache;
    struct rte_mbuf          *m;
    unsigned int              mask = alignment - (alignment != 0);

    if (unlikely(evpl_bad_args(evpl, length, alignment, max_iovecs, r_iovec) ||
                 (flags & ~EVPL_IOVEC_FLAG_SHARED) != 0))
        return evpl_alloc_rejected(evpl, length, alignment, max_iovecs,
                                   (flags & ~EVPL_IOVEC_FLAG_SHARED) == 0 ?
                                   r_iovec : NULL);

    flags |= evpl->owner_flags;

    /* One mbuf surely holds it, headroom and worst-case padding included. */
    if (likely((uint64_t) length + evpl->headroom + mask <= evpl->room)) {
        /* The fast path pops the mempool cache through
         * rte_mempool_generic_get() only once the cache is known to hold
         * an mbuf: the compiler then drops the refill path, whose call
         * would take m's address and keep m on the stack, on the critical
         * path of every allocation. Every other path is a tail call, so
         * this one needs no stack frame. */
        cache = evpl->cache;
        if (likely(cache != NULL && cache->len > 0)) {
            rte_mempool_generic_get(evpl->pool, (void **) &m, 1, cache);
            evpl_iovec_fill_(r_iovec, m,
                            evpl_align_up((char *) m->buf_addr +
                                          evpl->headroom, mask),
                            length, flags);
            return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
        }
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                     evpl_alloc_one(evpl, length, mask, flags,
                                                    r_iovec));
    }

    return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                 evpl_alloc_large(evpl, length, mask,
                                                  max_iovecs, flags, r_iovec));
}

void
evpl_carve_retire(struct evpl *evpl)
{
    struct rte_mbuf *m = evpl->carve;

    if (m == NULL)
        return;
    evpl->carve      = NULL;
    evpl->carve_used = 0;
    evpl_iovec_ref_put_(m, 0);
}

/* Make m, on which the caller passes one reference, the carve segment. */
static void
evpl_carve_install(
    struct evpl     *evpl,
    struct rte_mbuf *m,
    uint32_t         used)
{
    evpl_carve_retire(evpl);
    evpl->carve      = m;
    evpl->carve_used = used;
}

EVPL_EXPORT int
evpl_iovec_reserve(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       alignment,
    unsigned int       max_vec,
    struct evpl_iovec *r_iovec)
{
    unsigned int       flags;
    struct rte_mbuf   *c, *m, *first;
    unsigned int       mask, n = 0, left = length, chunk, i;
    char              *start;
    int                err;

    if (unlikely(evpl_bad_args(evpl, length, alignment, max_vec, r_iovec)))
        return evpl_alloc_rejected(evpl, length, alignment, max_vec, r_iovec);

    mask  = alignment ? alignment - 1 : 0;
    flags = EVPL_IOVEC_F_RESERVED_ | evpl->owner_flags;

    c = evpl->carve;
    if (c != NULL && c->refcnt >= EVPL_CARVE_REF_CAP) {
        evpl_carve_retire(evpl);
        c = NULL;
    }

    if (c != NULL && mask < evpl->room) {
        start = evpl_align_up((char *) c->buf_addr + evpl->carve_used, mask);
        if (evpl_room_behind(start, evpl_seg_end(c)) >= length) {
            evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, c, 1, 0);
            evpl_iovec_fill_(r_iovec, c, start, length, flags);
            return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
        }
    }

    /* It does not fit behind the current point. If it fits a fresh segment
     * whatever that buffer's address, the fresh segment becomes the carve
     * segment. The test is the worst case, not the mbuf at hand: were it the
     * latter, a second reservation could land somewhere else. */
    if ((uint64_t) length + mask <= evpl->room) {
        if (evpl_get_mbufs(evpl, &m, 1) < 0)
            return -1;
        m->refcnt            = 2; /* the context's and the iovec's */
        *evpl_seg_state(m) = EVPL_SEG_CARVED;
        evpl_carve_install(evpl, m, 0);
        evpl_iovec_fill_(r_iovec, m, evpl_align_up(m->buf_addr, mask), length,
                        flags);
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
    }

    /* Segments might not hold it within max_vec (or EVPL_SLAB_SEGS_MAX)
     * of them, the first being what is left of the carve segment: the
     * context's LOCAL slab. */
    if (!evpl_use_segments(evpl, length, mask, max_vec, 1))
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                     evpl_slab_reserve(evpl, length, mask,
                                                       max_vec, flags,
                                                       r_iovec));

    /* Larger: the rest of the current segment, then fresh ones. The first
     * iovec must come from the carve segment, so that reserving again lands
     * in the same place: with nothing left behind the carving point, a fresh
     * segment takes over (once the whole reservation has succeeded, so that
     * a failure changes nothing). Committing moves the point on. */
    if (c == NULL ||
        evpl_align_up((char *) c->buf_addr + evpl->carve_used, mask) >=
        evpl_seg_end(c)) {
        if (evpl_get_mbufs(evpl, &first, 1) < 0)
            return -1;
        *evpl_seg_state(first) = EVPL_SEG_CARVED;
        start = evpl_align_up(first->buf_addr, mask);
    } else {
        first = c;
        evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, first, 1, 0);
        start = evpl_align_up((char *) c->buf_addr + evpl->carve_used, mask);
    }
    chunk = (unsigned int) RTE_MIN((size_t) (evpl_seg_end(first) - start),
                                   (size_t) left);
    evpl_iovec_fill_(&r_iovec[n++], first, start, chunk, flags);
    left -= chunk;
    while (left > 0) {
        if (n == max_vec) {
            err = ENOSPC;
            goto undo;
        }
        if (evpl_get_mbufs(evpl, &m, 1) < 0) {
            err = ENOMEM;
            goto undo;
        }
        start = evpl_align_up(m->buf_addr, mask);
        chunk = (unsigned int) RTE_MIN(evpl_room_behind(start,
                                                        evpl_seg_end(m)),
                                       (size_t) left);
        evpl_iovec_fill_(&r_iovec[n++], m, start, chunk, flags);
        left -= chunk;
        /* Only the last may be adopted by a commit. */
        *evpl_seg_state(m) = left == 0 ? evpl_seg_span_tail(evpl) :
                             EVPL_SEG_CARVED;
    }
    if (first != c) {
        /* the context's */
        evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, first, 1, 0);
        evpl_carve_install(evpl, first, 0);
    }
    return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, (int) n);

 undo:
    for (i = 0; i < n; i++)
        evpl_iovec_ref_put_(evpl_iovec_mbuf_(&r_iovec[i]), 0);
    return evpl_fail(err);
}

EVPL_EXPORT void
evpl_iovec_commit(
    struct evpl       *evpl,
    unsigned int       alignment,
    struct evpl_iovec *iovecs,
    int                niovs)
{
    struct evpl_iovec *iov;
    struct rte_mbuf   *m;
    char              *buf;
    size_t             end;
    int                i;

    if (evpl == NULL || iovecs == NULL)
        return;

    for (i = 0; i < niovs; i++) {
        iov = &iovecs[i];
        EVPL_TRACE_CHECK_("evpl_iovec_commit", iov);
        if (evpl_iovec_on_slab_(iov)) {
            evpl_slab_commit_one(evpl, alignment, iov);
            continue;
        }
        m   = evpl_iovec_mbuf_(iov);
        buf = m->buf_addr;
        if (unlikely((char *) iov->data < buf ||
                     (size_t) ((char *) iov->data - buf) + iov->length >
                     m->buf_len))
            evpl_iovec_abort("evpl_iovec_commit", iov,
                             "range outside its %u-byte segment", m->buf_len);
        if (!(iov->flags & EVPL_IOVEC_F_RESERVED_))
            continue;

        end = (size_t) ((char *) iov->data - buf) + iov->length;
        /* libevpl pads the fill point to the commit's alignment (of the
         * address, as reservations align). */
        if (alignment != 0 && (alignment & (alignment - 1)) == 0)
            end = RTE_MIN((size_t) (evpl_align_up(buf + end, alignment - 1) -
                                    buf), (size_t) m->buf_len);
        if (m == evpl->carve) {
            if (end > evpl->carve_used)
                evpl->carve_used = (uint32_t) end;
        } else if (*evpl_seg_state(m) == evpl_seg_span_tail(evpl)) {
            /* The context's reference; the tail may have been cloned to
             * the limit. */
            evpl_mbuf_ref_add_("evpl_iovec_commit", iov, m, 1, 0);
            *evpl_seg_state(m) = EVPL_SEG_CARVED;
            evpl_carve_install(evpl, m, (uint32_t) end);
        }
    }

    if (evpl->carve != NULL &&
        evpl->carve->buf_len - evpl->carve_used < EVPL_CARVE_MIN)
        evpl_carve_retire(evpl);
}
