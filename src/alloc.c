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
            start = evpl_align_ptr((char *) batch[i]->buf_addr +
                                  evpl->headroom, mask);
            /* Keep the headroom only where the rest fits behind it. */
            if (evpl_room_behind(start, end) < left)
                start = evpl_align_ptr(batch[i]->buf_addr, mask);
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
                    evpl_align_ptr((char *) m->buf_addr + evpl->headroom, mask),
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
                            evpl_align_ptr((char *) m->buf_addr +
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

/* A reservation behind the carving point of the carve segment: 1, or 0
 * when it does not fit there. */
static inline int
evpl_reserve_behind(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mbuf *c = evpl->carve.buf;
    char            *start;

    if (c == NULL || mask >= evpl->room)
        return 0;
    start = evpl_align_ptr((char *) c->buf_addr + evpl->carve.used, mask);
    if (evpl_room_behind(start, evpl_seg_end(c)) < length)
        return 0;
    evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, c, 1, 0);
    evpl_iovec_fill_(r_iovec, c, start, length, flags);
    return 1;
}

/* A segment fresh from the pool for a reservation, its span-tail mark
 * written (every buffer a reservation takes fresh carries one). */
static inline struct rte_mbuf *
evpl_reserve_seg(
    struct evpl *evpl,
    uint32_t     mark)
{
    struct rte_mbuf *m;

    if (evpl_get_mbufs(evpl, &m, 1) < 0)
        return NULL;
    *evpl_seg_state(m) = mark;
    return m;
}

/* It fits any fresh segment at its alignment, whatever that buffer's
 * address: a fresh segment becomes the carve segment. The test is the
 * worst case, not the mbuf at hand, so that reserving again lands in the
 * same place. */
static int
evpl_reserve_fresh(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mbuf *m = evpl_reserve_seg(evpl, EVPL_SPAN_NONE);

    if (m == NULL)
        return -1;
    m->refcnt = 2; /* the context's and the iovec's: nobody else has it */
    evpl_carve_take(&evpl->carve, m, 0, 0, 0);
    evpl_iovec_fill_(r_iovec, m, evpl_align_ptr(m->buf_addr, mask), length,
                     flags);
    return 1;
}

/*
 * Larger than a segment: the rest of the carve segment, then fresh ones;
 * the last, the span's tail, carries the context's mark, so that its
 * commit carves on behind it. The first piece comes from the carve
 * segment, so that reserving again lands in the same place: with nothing
 * left there at this alignment, a fresh segment takes over (once the
 * whole reservation has succeeded: a failure changes nothing).
 */
static int
evpl_reserve_span(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       mask,
    unsigned int       flags,
    struct evpl_iovec *r_iovec)
{
    struct rte_mbuf *c = evpl->carve.buf, *m = c;
    unsigned int     n = 0, left = length, chunk, i;
    char            *start = NULL;

    if (c != NULL)
        start = evpl_align_ptr((char *) c->buf_addr + evpl->carve.used, mask);
    if (c != NULL && start < evpl_seg_end(c)) {
        evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, c, 1, 0);
    } else {
        if ((m = evpl_reserve_seg(evpl, EVPL_SPAN_NONE)) == NULL)
            return -1;
        start = evpl_align_ptr(m->buf_addr, mask);
    }
    for (;;) {
        chunk = (unsigned int) RTE_MIN(evpl_room_behind(start,
                                                        evpl_seg_end(m)),
                                       (size_t) left);
        evpl_iovec_fill_(&r_iovec[n++], m, start, chunk, flags);
        left -= chunk;
        if (left == 0)
            break;
        /* Within max_vec: the caller chose segments only when 1 +
         * ceil(length / (room - mask)) of them fit in it, and a fresh
         * segment holds at least room - mask bytes behind its aligned
         * start. */
        if ((m = evpl_reserve_seg(evpl, EVPL_SPAN_NONE)) == NULL)
            goto undo;
        start = evpl_align_ptr(m->buf_addr, mask);
    }
    /* Longer than a segment, so it spans: m is a fresh tail. */
    *evpl_seg_state(m) = evpl_span_tail(evpl);
    m = evpl_iovec_mbuf_(&r_iovec[0]);
    if (m != c) {
        /* the context's */
        evpl_mbuf_ref_add_("evpl_iovec_reserve", NULL, m, 1, 0);
        evpl_carve_take(&evpl->carve, m, 0, 0, 0);
    }
    return (int) n;

 undo:
    for (i = 0; i < n; i++)
        evpl_iovec_ref_put_(evpl_iovec_mbuf_(&r_iovec[i]), 0);
    return evpl_fail(ENOMEM);
}

EVPL_EXPORT int
evpl_iovec_reserve(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       alignment,
    unsigned int       max_vec,
    struct evpl_iovec *r_iovec)
{
    const struct rte_mbuf *c;
    unsigned int           flags, mask;

    if (unlikely(evpl_bad_args(evpl, length, alignment, max_vec, r_iovec)))
        return evpl_alloc_rejected(evpl, length, alignment, max_vec, r_iovec);

    mask  = alignment ? alignment - 1 : 0;
    flags = EVPL_IOVEC_F_RESERVED_ | evpl->owner_flags;

    c = evpl->carve.buf;
    if (c != NULL && c->refcnt >= EVPL_CARVE_REF_CAP)
        evpl_carve_retire(&evpl->carve, 0, 0);
    if (evpl_reserve_behind(evpl, length, mask, flags, r_iovec))
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec, 1);
    if ((uint64_t) length + mask <= evpl->room)
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                     evpl_reserve_fresh(evpl, length, mask,
                                                        flags, r_iovec));
    /* Segments might not hold it within max_vec (or EVPL_SLAB_SEGS_MAX)
     * of them, the first being what is left of the carve segment: the
     * context's LOCAL slab. */
    if (!evpl_use_segments(evpl, length, mask, max_vec, 1))
        return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                     evpl_slab_reserve(evpl, length, mask,
                                                       max_vec, flags,
                                                       r_iovec));
    return EVPL_TRACE_HANDED_OUT(evpl, r_iovec,
                                 evpl_reserve_span(evpl, length, mask,
                                                   flags, r_iovec));
}
