/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Carving, over both kinds of memory: a context's carving point in an
 * mbuf segment (reservations) or a slab (slab allocations and
 * reservations), and evpl_iovec_commit(), which moves it.
 *
 * The two kinds differ in where a buffer's bytes, count and span-tail
 * mark are, and in how a reference is dropped; struct evpl_buf_view says
 * the first three for one iovec, evpl_carve_retire() does the last. What
 * commit does with them is written once.
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
    uint16_t          *cnt;   /* its reference count */
    uint32_t          *mark;  /* its span-tail mark */
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
        b->cnt   = &s->h.refcnt;
        b->mark  = &s->span_owner;
        b->carve = &evpl->slab.local;
        b->slab  = 1;
    } else {
        struct rte_mbuf *m = evpl_iovec_mbuf_(iov);

        b->buf   = m;
        b->base  = m->buf_addr;
        b->size  = m->buf_len;
        b->cnt   = &m->refcnt;
        b->mark  = evpl_seg_state(m);
        b->carve = &evpl->carve;
        b->slab  = 0;
    }
}

/*
 * One iovec of a commit: consume up to its end (padded to alignment, as
 * libevpl pads its fill point) when it is the context's current
 * reservation, or carve on behind it when it ends the context's spanning
 * reservation (once: the tail's mark goes). Anything else consumes
 * nothing. A range outside its buffer aborts, as the seed's range checks
 * do.
 */
static inline void
evpl_commit_one(
    struct evpl       *evpl,
    unsigned int       alignment,
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
                         b.slab ? "slab" : "segment");
    if (!(iov->flags & EVPL_IOVEC_F_RESERVED_))
        return;

    end = (size_t) ((char *) iov->data - b.base) + iov->length;
    /* Of the address, as reservations align. */
    if (alignment != 0 && (alignment & (alignment - 1)) == 0)
        end = RTE_MIN((size_t) (evpl_align_ptr(b.base + end, alignment - 1) -
                                b.base), (size_t) b.size);
    if (b.buf == b.carve->buf) {
        if (end > b.carve->used)
            b.carve->used = (uint32_t) end;
    } else if (evpl_span_tail_take(b.mark, evpl)) {
        /* The context's reference; the tail may have been cloned to the
         * limit. */
        evpl_refcnt_add_("evpl_iovec_commit", iov, b.cnt, 1, 0);
        evpl_carve_take(b.carve, b.buf, (uint32_t) end, b.slab, 0);
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
    int                    i;

    if (evpl == NULL || iovecs == NULL)
        return;

    for (i = 0; i < niovs; i++) {
        EVPL_TRACE_CHECK_("evpl_iovec_commit", &iovecs[i]);
        evpl_commit_one(evpl, alignment, &iovecs[i]);
    }

    /* A segment with little left is not worth carving on. */
    c = evpl->carve.buf;
    if (c != NULL && c->buf_len - evpl->carve.used < EVPL_CARVE_MIN)
        evpl_carve_retire(&evpl->carve, 0, 0);
}
