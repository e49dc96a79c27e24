/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The chain builder's general build: iovecs -> one mbuf chain, for the
 * packets of several iovecs that tx_compose.c's shapes do not take, and
 * for the packets of one that evpl_tx_pkt_fate() gives no other fate
 * (empty, on a pinned external buffer, a slab range longer than the
 * port's segments).
 *
 * Every non-empty iovec becomes what evpl_tx_fate() decides:
 *  - OWN, reused: its own mbuf. Only header fields are written; with
 *    TAKE_REF the reference simply moves.
 *  - COPY: its bytes go into the tailroom of the previous segment or the
 *    headroom of the next one, when the chain owns that segment outright;
 *    failing both, into a fresh mbuf.
 *  - ATTACH: an indirect mbuf attached to it; EXT: mbufs attached to its
 *    slab (tx_ext.h).
 *  - PINNED: the whole packet is copied (tx_linear.c).
 *
 * The chain is built so that it can be undone exactly: until the end,
 * reused segments carry no new reference with TAKE_REF (one extra without
 * it), and every segment allocated here is remembered, so a failure part-way
 * unlinks the one kind and frees the other, leaving the iovecs as they came.
 */

#include <string.h>

#include "tx_loop.h"

/* State of one conversion. Bit k of new_segs: segment k was allocated
 * here. Bit j of consumed: non-empty iovec j did not become a segment of
 * its own (copied or attached), so TAKE_REF releases its reference. */
struct evpl_tx_build {
    struct rte_mbuf *head, *tail;
    uint64_t         new_segs, consumed;
    uint32_t         pkt_len;
    unsigned int     nseg;
    int              tail_writable;
    /* Small shared iovecs waiting for a segment to be copied into:
     * non-empty indices [pend_first, pend_first + pend_n), pend_len bytes. */
    int              pend_first, pend_n;
    unsigned int     pend_len;
    unsigned int     reused, indirect, ext, copied;
};

static inline void
evpl_tx_append(
    struct evpl_tx_build *b,
    struct rte_mbuf      *seg,
    int                   is_new,
    int                   writable)
{
    seg->next = NULL;
    if (b->head == NULL)
        b->head = seg;
    else
        b->tail->next = seg;
    b->tail = seg;
    if (is_new)
        b->new_segs |= UINT64_C(1) << b->nseg;
    b->nseg++;
    b->pkt_len      += seg->data_len;
    b->tail_writable = writable;
}

/* Copy the pending small iovecs to the end of seg's data. */
static inline void
evpl_tx_copy_pending(
    struct evpl_tx_build    *b,
    const struct evpl_iovec *const *nonempty,
    struct rte_mbuf         *seg,
    int                      at_front)
{
    char *dst;
    int   k;

    if (at_front) {
        seg->data_off -= (uint16_t) b->pend_len;
        dst            = rte_pktmbuf_mtod(seg, char *);
    } else {
        dst = rte_pktmbuf_mtod_offset(seg, char *, seg->data_len);
    }
    for (k = 0; k < b->pend_n; k++) {
        const struct evpl_iovec *v = nonempty[b->pend_first + k];

        memcpy(dst, v->data, v->length);
        dst += v->length;
    }
    seg->data_len += (uint16_t) b->pend_len;
    b->copied     += (unsigned int) b->pend_n;
    b->pend_n      = 0;
    b->pend_len    = 0;
}

/* Most bytes that may wait for a segment to be copied into: what the next
 * segment's headroom usually holds, and never more than a fresh mbuf holds
 * behind its own headroom, as a fresh mbuf is where they go when the next
 * segment has no room in front (a small data room: segment_size 1, say). */
static inline unsigned int
evpl_tx_pend_max(const struct evpl *evpl)
{
    return RTE_MIN((uint32_t) RTE_PKTMBUF_HEADROOM,
                   evpl->room - evpl->headroom);
}

/* Pending bytes into a fresh mbuf, appended as a writable segment. */
static inline int
evpl_tx_flush_pending(
    struct evpl                     *evpl,
    struct evpl_tx_build            *b,
    const struct evpl_iovec *const *nonempty)
{
    struct rte_mbuf *c;

    if (b->pend_n == 0)
        return 0;
    c = evpl_tx_mbuf_alloc(evpl);
    if (c == NULL)
        return -1;
    c->data_len = 0;
    evpl_tx_copy_pending(b, nonempty, c, 0);
    evpl_tx_append(b, c, 1, 1);
    return 0;
}

/* Undo a partly built chain: the iovecs get back exactly what they had. */
static void
evpl_tx_rollback(
    struct evpl_tx_build *b,
    unsigned int          flags)
{
    struct rte_mbuf *seg = b->head, *next;
    unsigned int     k;

    for (k = 0; seg != NULL; k++, seg = next) {
        next = seg->next;
        if (b->new_segs & (UINT64_C(1) << k)) {
            rte_pktmbuf_free_seg(seg);
        } else {
            seg->next    = NULL;
            seg->nb_segs = 1;
            if (!(flags & EVPL_DPDK_TAKE_REF))
                rte_mbuf_refcnt_set(seg, 1);
        }
    }
}

/* What evpl_tx_build() asks of its caller. */
enum evpl_tx_built {
    EVPL_TX_BUILT,     /* the chain is in b */
    EVPL_TX_LINEARIZE, /* undone: copy the packet whole instead */
    EVPL_TX_FAILED,    /* undone: no mbuf (ENOMEM) */
};

/* Build the chain of the n non-empty iovecs into b. Each becomes at most
 * one segment (a fresh mbuf of copies holds at least one of them), a slab
 * range one per 64 KiB: at most the segments evpl_tx_chain_any() counted
 * before it asked for the build, which the port takes. */
static enum evpl_tx_built
evpl_tx_build(
    const char                      *call,
    struct evpl                     *evpl,
    struct evpl_tx_build            *b,
    const struct evpl_iovec *const *nonempty,
    int                              n,
    unsigned int                     flags)
{
    const struct evpl_glue *g = evpl_glue(evpl);
    struct rte_mbuf        *m;
    int                     j;

    RTE_BUILD_BUG_ON(EVPL_DPDK_MAX_SEGS > EVPL_TX_MASK_BITS);
    memset(b, 0, sizeof(*b));
    for (j = 0; j < n; j++) {
        const struct evpl_iovec *v = nonempty[j];
        enum evpl_tx_fate        f = evpl_tx_fate(g->tx_copy_max, v,
                                                  EVPL_TX_ALL_RULES);

        m = evpl_iovec_mbuf_(v);
        if (f == EVPL_TX_OWN) {
            int writable = RTE_MBUF_DIRECT(m);

            m->data_off = (uint16_t) ((char *) v->data - (char *) m->buf_addr);
            m->data_len = (uint16_t) v->length;
            if (b->pend_n > 0) {
                if (writable && m->data_off >= b->pend_len)
                    evpl_tx_copy_pending(b, nonempty, m, 1);
                else if (evpl_tx_flush_pending(evpl, b, nonempty) < 0)
                    goto nomem;
            }
            if (!(flags & EVPL_DPDK_TAKE_REF))
                rte_mbuf_refcnt_set(m, 2);
            evpl_tx_append(b, m, 0, writable);
            b->reused++;
            continue;
        }

        b->consumed |= UINT64_C(1) << j;

        switch (f) {
        case EVPL_TX_COPY:
            if (b->pend_n == 0 && b->tail_writable &&
                rte_pktmbuf_tailroom(b->tail) >= v->length) {
                memcpy(rte_pktmbuf_mtod_offset(b->tail, char *,
                                               b->tail->data_len),
                       v->data, v->length);
                b->tail->data_len += (uint16_t) v->length;
                b->pkt_len        += v->length;
                b->copied++;
                continue;
            }
            /* Wait for the next segment: it may have headroom for it. */
            if (b->pend_len + v->length > evpl_tx_pend_max(evpl) &&
                evpl_tx_flush_pending(evpl, b, nonempty) < 0)
                goto nomem;
            if (b->pend_n == 0)
                b->pend_first = j;
            b->pend_n++;
            b->pend_len += v->length;
            continue;
        case EVPL_TX_EXT: {
            /* The last piece: nothing after it can fail (nothing is
             * pending behind it, and the segments were counted), so
             * with TAKE_REF its reference moves into its mbufs, as no
             * undo can need it back. Any other takes one of its own. */
            struct rte_mbuf *eh, *next;
            int              move = j == n - 1 && evpl_tx_ref_moves(v, flags);

            if (evpl_tx_flush_pending(evpl, b, nonempty) < 0 ||
                (eh = evpl_tx_ext_attach(evpl, call, v,
                                         evpl_tx_ext_segs(v->length),
                                         move)) == NULL)
                goto nomem;
            if (move)
                b->consumed &= ~(UINT64_C(1) << j);
            for (; eh != NULL; eh = next) {
                next = eh->next;
                evpl_tx_append(b, eh, 1, 0);
            }
            b->ext++;
            continue;
        }
        case EVPL_TX_PINNED:
            /* A pinned external buffer cannot be attached to. */
            evpl_tx_rollback(b, flags);
            return EVPL_TX_LINEARIZE;
        default: {
            /* The reference first: a count at its limit aborts before
             * anything else is written. */
            uint16_t        *cnt;
            struct rte_mbuf *mi;

            if (evpl_tx_flush_pending(evpl, b, nonempty) < 0)
                goto nomem;
            cnt = evpl_tx_ref_take(call, v);
            mi  = evpl_tx_mbuf_alloc(evpl);
            if (mi == NULL) {
                evpl_tx_ref_drop(v, cnt);
                goto nomem;
            }
            evpl_tx_attach(mi, v);
            mi->data_len = (uint16_t) v->length;
            evpl_tx_append(b, mi, 1, 0);
            b->indirect++;
        }
        }
    }
    if (evpl_tx_flush_pending(evpl, b, nonempty) < 0)
        goto nomem;
    return EVPL_TX_BUILT;

 nomem:
    evpl_tx_rollback(b, flags);
    return EVPL_TX_FAILED;
}

struct rte_mbuf *
evpl_tx_chain_any(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    int                        niov,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const struct evpl_iovec *nonempty[EVPL_DPDK_MAX_SEGS];
    struct evpl_tx_build     b;
    struct rte_mbuf         *head;
    uint64_t                 total = 0;
    int                      n = 0, j;
    unsigned int             ext = 0;

    for (j = 0; j < niov; j++) {
        if (iov[j].length == 0)
            continue;
        total += iov[j].length;
        /* A long slab range takes one segment per 64 KiB. */
        if (unlikely(evpl_iovec_on_slab_(&iov[j])))
            ext += evpl_tx_ext_segs(iov[j].length) - 1;
        if (n < (int) EVPL_DPDK_MAX_SEGS)
            nonempty[n] = &iov[j];
        n++;
    }
    if (n == 0) {
        evpl_fail(EINVAL);
        return NULL;
    }
    if (total > UINT32_MAX) {
        evpl_fail(EMSGSIZE);
        return NULL;
    }
    if (n + ext > RTE_MIN(caps->max_segs, EVPL_DPDK_MAX_SEGS))
        return evpl_tx_linear(evpl, iov, niov, n, total, flags,
                              caps->max_segs);

    switch (evpl_tx_build(call, evpl, &b, nonempty, n, flags)) {
    case EVPL_TX_LINEARIZE:
        return evpl_tx_linear(evpl, iov, niov, n, total, flags,
                              caps->max_segs);
    case EVPL_TX_FAILED:
        evpl_fail(ENOMEM);
        return NULL;
    case EVPL_TX_BUILT:
        break;
    }

    head          = b.head;
    head->nb_segs = (uint16_t) b.nseg;
    head->pkt_len = b.pkt_len;
    evpl_tx_head_reset(head);
    /* Every reference the chain's now, when every iovec became a segment
     * of its own: nothing to give up. */
    if ((flags & EVPL_DPDK_TAKE_REF) && (b.consumed != 0 || n != niov))
        evpl_tx_give_up(iov, niov, ~b.consumed);
#ifdef EVPL_IOVEC_TRACE
    else if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(iov, niov);
#endif
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_pkts = 1, .tx_segs = b.nseg,
                        .tx_reused = b.reused, .tx_indirect = b.indirect,
                        .tx_ext = b.ext, .tx_copied = b.copied });
    return head;
}
