/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Carving, over both kinds of memory: a context's carving point in an
 * mbuf segment (reservations) or a slab (slab allocations and
 * reservations), and evpl_iovec_commit(), which moves it.
 *
 * The two kinds differ in where a buffer's bytes, count and span-tail
 * mark are, and in how a reference is dropped; struct evpl_buf_view and
 * evpl_commit_tail() say where, evpl_carve_retire() drops. What commit
 * does with them is written once.
 */

#include "internal.h"

void
evpl_carve_retire(
    struct evpl_carve *c,
    int                slab,
    unsigned int       shared)
{
    void *buf = c->buf;

    if (buf == NULL)
        return;
    c->buf  = NULL;
    c->used = 0;
    if (slab) {
        struct evpl_slab *s = buf;

        /* Before the reference: evpl_slab_refs_held() pairs with it. */
        __atomic_store_n(&s->carved, 0, __ATOMIC_RELAXED);
        evpl_slab_count_put_(&s->h, shared);
    } else {
        evpl_iovec_ref_put_(buf, 0);
    }
}

void
evpl_carve_take(
    struct evpl_carve *c,
    void              *buf,
    uint32_t           used,
    int                slab,
    unsigned int       shared)
{
    evpl_carve_retire(c, slab, shared);
    c->buf  = buf;
    c->used = used;
    if (slab)
        __atomic_store_n(&((struct evpl_slab *) buf)->carved, 1,
                         __ATOMIC_RELAXED);
}

/* What commit needs of an iovec's buffer, whichever kind it is. */
struct evpl_buf_view {
    void              *buf;   /* the rte_mbuf or struct evpl_slab */
    char              *base;  /* its first byte */
    uint32_t           size;
    struct evpl_carve *carve; /* the context's carving of its kind */
    int                slab;
};

static inline void
evpl_buf_view_of(
    struct evpl             *evpl,
    const struct evpl_iovec *iov,
    struct evpl_buf_view    *b)
{
    if (evpl_iovec_on_slab_(iov)) {
        struct evpl_slab *s = (struct evpl_slab *) iov->private_data;

        b->buf   = s;
        b->base  = s->h.data;
        b->size  = s->h.size;
        b->carve = &evpl->slab.local;
        b->slab  = 1;
    } else {
        struct rte_mbuf *m = evpl_iovec_mbuf_(iov);

        b->buf   = m;
        b->base  = m->buf_addr;
        b->size  = m->buf_len;
        b->carve = &evpl->carve;
        b->slab  = 0;
    }
}

/* iov may end one of evpl's spanning reservations, its tail: if so,
 * carving goes on behind it at end, once (its mark goes), with a
 * reference of the context's own; the tail may have been cloned to the
 * limit. Off the common commit's path. */
static __rte_noinline void
evpl_commit_tail(
    struct evpl             *evpl,
    const struct evpl_iovec *iov,
    size_t                   end)
{
    struct evpl_buf_view b;
    struct evpl_slab    *s = iov->private_data;
    struct rte_mbuf     *m = iov->private_data;

    evpl_buf_view_of(evpl, iov, &b);
    if (!evpl_span_tail_take(b.slab ? &s->span_owner : evpl_seg_state(m),
                             evpl))
        return;
    evpl_refcnt_add_("evpl_iovec_commit", iov,
                     b.slab ? &s->h.shinfo.refcnt : &m->refcnt, 1, 0);
    evpl_carve_take(b.carve, b.buf, (uint32_t) end, b.slab, 0);
}

/*
 * One iovec of a commit: consume up to its end (padded by mask, as
 * libevpl pads its fill point to the commit's alignment) when it is the
 * context's current reservation, or carve on behind it when it ends the
 * context's spanning reservation. Anything else consumes nothing. A range
 * outside its buffer aborts, as the seed's range checks do.
 */
static inline void
evpl_commit_one(
    struct evpl       *evpl,
    unsigned int       mask,
    struct evpl_iovec *iov)
{
    struct evpl_buf_view b;
    size_t               end;

    evpl_buf_view_of(evpl, iov, &b);
    if (unlikely((char *) iov->data < b.base ||
                 (size_t) ((char *) iov->data - b.base) + iov->length >
                 b.size))
        evpl_iovec_abort("evpl_iovec_commit", iov,
                         "range outside its %u-byte %s", b.size,
                         evpl_iovec_on_slab_(iov) ? "slab" : "segment");
    if (!(iov->flags & EVPL_IOVEC_F_RESERVED_))
        return;

    end = (size_t) ((char *) iov->data - b.base) + iov->length;
    /* Of the address, as reservations align. */
    if (mask != 0)
        end = RTE_MIN((size_t) (evpl_align_ptr(b.base + end, mask) - b.base),
                      (size_t) b.size);
    if (likely(b.buf == b.carve->buf)) {
        if (end > b.carve->used)
            b.carve->used = (uint32_t) end;
    } else {
        evpl_commit_tail(evpl, iov, end);
    }
}

EVPL_EXPORT void
evpl_iovec_commit(
    struct evpl       *evpl,
    unsigned int       alignment,
    struct evpl_iovec *iovecs,
    int                niovs)
{
    const struct rte_mbuf *c;
    unsigned int           mask;
    int                    i;

    if (evpl == NULL || iovecs == NULL)
        return;

    /* The padding: alignments other than 0 or a power of two are
     * ignored. */
    mask = alignment ? alignment - 1 : 0;
    if (alignment & mask)
        mask = 0;
    for (i = 0; i < niovs; i++) {
        EVPL_TRACE_CHECK_("evpl_iovec_commit", &iovecs[i]);
        evpl_commit_one(evpl, mask, &iovecs[i]);
    }

    /* A segment with little left is not worth carving on. */
    c = evpl->carve.buf;
    if (c != NULL && c->buf_len - evpl->carve.used < EVPL_CARVE_MIN)
        evpl_carve_retire(&evpl->carve, 0, 0);
}
