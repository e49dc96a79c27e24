/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The chain builder's entry, evpl_tx_chain(), and the shapes of packet it
 * builds without the general build's state (tx_chain.c): a header in
 * front of one range, the composed packet of a protocol stack or a
 * fragmenter (evpl_tx_pair()), and a packet of own mbufs alone, a
 * reassembled datagram's fragments say (evpl_tx_chain_own()). Any other
 * packet goes to evpl_tx_chain_any().
 */

#include "tx_loop.h"

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
