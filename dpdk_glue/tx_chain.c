/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The chain builder: iovecs -> one mbuf chain, for packets of several
 * iovecs and for the packets of one that evpl_tx_pkt_fate() gives no
 * other fate (empty, on a pinned external buffer, a slab range longer
 * than the port's segments).
 *
 * Every non-empty iovec becomes what evpl_tx_fate() decides:
 *  - OWN, reused: its own mbuf. Only header fields are written; with
 *    TAKE_REF the reference simply moves.
 *  - COPY: its bytes go into the tailroom of the previous segment or the
 *    headroom of the next one, when the chain owns that segment outright;
 *    failing both, into a fresh mbuf.
 *  - ATTACH: an indirect mbuf attached to it; EXT: mbufs attached to its
 *    slab (tx_ext.c).
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

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: every iovec handed in must be live, and with TAKE_REF it
 * is dead once converted. */
static void
evpl_tx_trace_in(
    const char              *call,
    const struct evpl_iovec *iov,
    int                      niov,
    unsigned int             flags)
{
    unsigned int held;
    int          j, k, on_m;

    for (j = 0; j < niov; j++)
        evpl_trace_check_(call, &iov[j]);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        return;
    /* Moving references into the chain: an mbuf cannot give more than it
     * has. More iovecs on it than references means one reference passed
     * twice (a raw copy, b = a), which would put the mbuf in the chain
     * twice with one count. A clone is a reference of its own and passes. */
    for (j = 0; j < niov; j++) {
        /* A GLOBAL slab's one reference is never the library's to take:
         * passing it twice moves nothing. */
        if (iov[j].flags & EVPL_IOVEC_FLAG_GLOBAL)
            continue;
        for (k = 0, on_m = 0; k < niov; k++)
            on_m += iov[k].private_data == iov[j].private_data;
        /* A slab's count also holds its carving context's reference,
         * which no iovec can give. */
        held = evpl_iovec_on_slab_(&iov[j]) ?
               evpl_slab_refs_held(iov[j].private_data) :
               rte_mbuf_refcnt_read(evpl_iovec_mbuf_(&iov[j]));
        if (unlikely(on_m > (int) held))
            evpl_iovec_abort(call, &iov[j], "%d iovecs of one packet hold "
                             "%u references: one passed twice", on_m, held);
    }
}

#endif

/* What evpl_tx_build() asks of its caller. */
enum evpl_tx_built {
    EVPL_TX_BUILT,     /* the chain is in b */
    EVPL_TX_LINEARIZE, /* undone: copy the packet whole instead */
    EVPL_TX_FAILED,    /* undone: no mbuf (ENOMEM) */
};

/* Build the chain of the n non-empty iovecs into b. */
static enum evpl_tx_built
evpl_tx_build(
    const char                      *call,
    struct evpl                     *evpl,
    struct evpl_tx_build            *b,
    const struct evpl_iovec *const *nonempty,
    int                              n,
    unsigned int                     flags,
    const struct evpl_tx_caps       *caps)
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
    if (b->nseg > caps->max_segs) {
        evpl_tx_rollback(b, flags);
        return EVPL_TX_LINEARIZE;
    }
    return EVPL_TX_BUILT;

 nomem:
    evpl_tx_rollback(b, flags);
    return EVPL_TX_FAILED;
}

/*
 * Build the chain for one packet of any shape. On success with TAKE_REF,
 * the references of iovecs that did not become segments are given up.
 */
static struct rte_mbuf *
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

    switch (evpl_tx_build(call, evpl, &b, nonempty, n, flags, caps)) {
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

/*
 * The common composed packet, a header in front of one range, built
 * without the general build's state and second pass: two non-empty
 * iovecs, the header its own mbuf or a small copy (OWN, COPY), the range
 * its own mbuf, an indirect one or a slab range (OWN, ATTACH, EXT; not
 * OWN behind a COPY, which the general build copies into the range's
 * headroom). Each piece is built by the builders of a packet of one iovec,
 * and the two linked. Whatever can fail comes first: the references that
 * may abort, then every fresh mbuf in one get, all or none; so a failure
 * gives back only what it took, and with TAKE_REF the range's reference
 * moves into its segment (the header's, copied, is given up last).
 * A packet of any other shape goes to evpl_tx_chain_any(). Returns the
 * packet, or NULL with errno and rte_errno set, the iovecs untouched.
 */
static __rte_noinline struct rte_mbuf *
evpl_tx_pair(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const uint32_t                   copy_max = evpl_glue(evpl)->tx_copy_max;
    const uint16_t                   refs = evpl_tx_own_refs(flags);
    struct evpl_iovec               *h = &iov[0], *v = &iov[1];
    struct rte_mbuf                 *m[1 + EVPL_DPDK_MAX_SEGS], **t, *head;
    struct rte_mbuf_ext_shared_info *sh = NULL;
    uint16_t                        *cnt = NULL;
    enum evpl_tx_fate                fh, fv;
    unsigned int                     segs = 1, nfresh;
    int                              move = 0;

    if (h->length == 0 || v->length == 0 ||
        (uint64_t) h->length + v->length > UINT32_MAX)
        return evpl_tx_chain_any(call, evpl, iov, 2, flags, caps);
    fh = evpl_tx_fate(copy_max, h, EVPL_TX_ALL_RULES);
    fv = evpl_tx_fate(copy_max, v, EVPL_TX_ALL_RULES);
    if (fv == EVPL_TX_EXT)
        segs = evpl_tx_ext_segs(v->length);
    if ((fh != EVPL_TX_OWN && fh != EVPL_TX_COPY) || fv == EVPL_TX_COPY ||
        fv == EVPL_TX_PINNED || (fh == EVPL_TX_COPY && fv == EVPL_TX_OWN) ||
        segs + 1 > RTE_MIN((unsigned int) caps->max_segs, EVPL_DPDK_MAX_SEGS))
        return evpl_tx_chain_any(call, evpl, iov, 2, flags, caps);

    /* The range's reference, then the mbufs: the header's copy first in
     * m[], then the range's segments. */
    nfresh = fh == EVPL_TX_COPY;
    if (fv == EVPL_TX_ATTACH) {
        cnt  = evpl_tx_attach_ref(call, v, flags);
        move = cnt == NULL;
    } else if (fv == EVPL_TX_EXT) {
        move = evpl_tx_ref_moves(v, flags);
        sh   = evpl_slab_att_get(evpl, call, v, (uint16_t) segs, move);
        if (unlikely(sh == NULL))
            return NULL;
    }
    if (fv != EVPL_TX_OWN)
        nfresh += segs;
    if (nfresh > 0 &&
        unlikely(rte_mempool_generic_get(evpl->pool, (void **) m, nfresh,
                                         evpl->cache) < 0)) {
        if (cnt != NULL)
            evpl_tx_ref_drop(v, cnt);
        if (sh != NULL)
            evpl_slab_att_unget(sh, (uint16_t) segs, move);
        evpl_fail(ENOMEM);
        return NULL;
    }

    /* Nothing fails from here on. */
    if (fh == EVPL_TX_OWN) {
        head = evpl_tx_own_build(h, h->length, refs);
    } else {
        head = m[0];
        evpl_tx_fresh_build(evpl, h, EVPL_TX_COPY, head);
    }
    t = &m[fh == EVPL_TX_COPY];
    if (fv == EVPL_TX_OWN)
        t[0] = evpl_tx_own_build(v, v->length, refs);
    else if (fv == EVPL_TX_ATTACH)
        evpl_tx_fresh_build(evpl, v, EVPL_TX_ATTACH, t[0]);
    else
        evpl_tx_ext_build(v, sh, t);
    head->next    = t[0];
    head->nb_segs = (uint16_t) (1 + segs);
    head->pkt_len = h->length + v->length;

    if (flags & EVPL_DPDK_TAKE_REF) {
        if (fh == EVPL_TX_COPY)
            evpl_iovec_put_taken_(h);
        if (fv != EVPL_TX_OWN && !move)
            evpl_iovec_put_taken_(v);
#ifdef EVPL_IOVEC_TRACE
        evpl_tx_trace_taken(iov, 2);
#endif
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_pkts = 1, .tx_segs = 1 + segs,
                        .tx_reused = (fh == EVPL_TX_OWN) + (fv == EVPL_TX_OWN),
                        .tx_copied = fh == EVPL_TX_COPY,
                        .tx_indirect = fv == EVPL_TX_ATTACH,
                        .tx_ext = fv == EVPL_TX_EXT });
    return head;
}

/*
 * A packet of more than two iovecs each of which is its own mbuf's only
 * reference (evpl_tx_is_own()), as a reassembler hands back the fragments
 * it received: each mbuf becomes a segment and is linked to the one
 * before, the head built as the common packet (evpl_tx_own_build()), with
 * none of the general build's state. Nothing is taken, so nothing can
 * fail, and with TAKE_REF every reference moves into the chain. A packet
 * of any other shape (an empty iovec included), or with more iovecs than
 * a chain of the port may have segments, goes to evpl_tx_chain_any(),
 * nothing written. Out of line, so that evpl_tx_chain() stays two jumps
 * for the other packets.
 */
static __rte_noinline struct rte_mbuf *
evpl_tx_chain_own(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    int                        niov,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const uint16_t   refs = evpl_tx_own_refs(flags);
    struct rte_mbuf *head, *tail, *m;
    uint32_t         pkt_len;
    int              j;

    if (niov <= 2 || niov > (int) RTE_MIN((unsigned int) caps->max_segs,
                                          EVPL_DPDK_MAX_SEGS))
        return evpl_tx_chain_any(call, evpl, iov, niov, flags, caps);
    for (j = 0; j < niov; j++)
        if (!evpl_tx_is_own(&iov[j]))
            return evpl_tx_chain_any(call, evpl, iov, niov, flags, caps);
    /* Each length is at most an mbuf's 65535: the sum fits. The other
     * segments get only what a driver reads in a segment after the head
     * (where its data is, how much, the next), as the general build
     * writes them. */
    head    = evpl_tx_own_build(&iov[0], iov[0].length, refs);
    pkt_len = iov[0].length;
    for (tail = head, j = 1; j < niov; j++, tail = m) {
        m = evpl_iovec_mbuf_(&iov[j]);
        evpl_mbuf_off_ref_set_(m, (uint16_t) ((char *) iov[j].data -
                                              (char *) m->buf_addr), refs);
        evpl_mbuf_dlen_vlan_set_(m, iov[j].length);
        tail->next = m;
        pkt_len   += iov[j].length;
    }
    tail->next    = NULL;
    head->nb_segs = (uint16_t) niov;
    head->pkt_len = pkt_len;
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(iov, niov);
#endif
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_pkts = 1, .tx_segs = (uint64_t) niov,
                        .tx_reused = (uint64_t) niov });
    return head;
}

/* The chain builder: a header in front of one range by evpl_tx_pair(),
 * a packet of own mbufs alone by evpl_tx_chain_own(), any other packet by
 * evpl_tx_chain_any(). */
__rte_noinline struct rte_mbuf *
evpl_tx_chain(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    int                        niov,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
#ifdef EVPL_IOVEC_TRACE
    evpl_tx_trace_in(call, iov, niov, flags);
#endif
    if (niov == 2)
        return evpl_tx_pair(call, evpl, iov, flags, caps);
    return evpl_tx_chain_own(call, evpl, iov, niov, flags, caps);
}

__rte_noinline struct rte_mbuf *
evpl_tx_chain_one(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       flags)
{
    struct rte_mbuf *m;

    m = evpl_tx_chain("evpl_dpdk_iovecs_to_mbuf", evpl, iov, niov, flags,
                      &evpl_tx_caps_any);
    if (unlikely(m == NULL) && rte_errno == ENOMEM)
        evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                            .tx_nomem = 1 });
    return m;
}
