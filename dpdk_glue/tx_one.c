/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The builder of a packet of one iovec, for each fate evpl_tx_pkt_fate()
 * gives it but the chain builder's: its own mbuf (evpl_tx_own()), one
 * fresh mbuf that its bytes are copied into or that is attached to them,
 * or a slab range's attached mbufs (tx_ext.c). And the library's release
 * of what a TAKE_REF packet does not keep (evpl_tx_give_up()), which every
 * builder and the untaken tail use.
 */

#include <rte_memcpy.h>

#include "tx.h"

void
evpl_tx_give_up(
    struct evpl_iovec *iov,
    int                niov,
    uint64_t           segs)
{
    int j, k = 0;

    for (j = 0; j < niov; j++) {
        if (iov[j].length == 0 || k >= 64 ||
            !(segs & (UINT64_C(1) << k)))
            evpl_iovec_put_taken_(&iov[j]);
        k += iov[j].length != 0;
    }
#ifdef EVPL_IOVEC_TRACE
    evpl_tx_trace_taken(iov, niov);
#endif
}

/*
 * A COPY or ATTACH packet in mi, an mbuf straight from the context's pool:
 * a pool's free mbufs all hold refcnt 1, next NULL and nb_segs 1, so
 * only what else a transmit reads is written, each field once, with no
 * rte_pktmbuf_reset() first. The bytes are copied behind mi's headroom
 * (tx_copy_max fits there), or mi is attached to them with the reference
 * the caller settled. Returns 1 for a copy.
 */
static inline int
evpl_tx_fresh_build(
    const struct evpl       *evpl,
    const struct evpl_iovec *v,
    enum evpl_tx_fate        f,
    struct rte_mbuf         *mi)
{
    uint32_t len = v->length;

    if (f == EVPL_TX_COPY) {
        rte_memcpy((char *) mi->buf_addr + evpl->headroom, v->data, len);
        /* data_off behind the headroom, port as a reset leaves it */
        evpl_mbuf_rearm_set_(mi, EVPL_REARM_(evpl->headroom, 1, 1,
                                             RTE_MBUF_PORT_INVALID));
        mi->ol_flags &= RTE_MBUF_F_EXTERNAL;
    } else {
        evpl_tx_attach(mi, v);
    }
    evpl_mbuf_one_seg_len_set_(mi, len);
    evpl_mbuf_next_txoff_clear_(mi);
    return f == EVPL_TX_COPY;
}

/*
 * A COPY or ATTACH packet, in mi, or, if mi is NULL, in a fresh mbuf taken
 * here. The attach's reference is settled first, before any mbuf is taken
 * here, so that a count at 65535 aborts having changed nothing: with
 * TAKE_REF and v's mbuf direct, v's own reference becomes the attached
 * mbuf's (what an indirect mbuf holds on its direct one is just such a
 * reference); otherwise one is taken, and with TAKE_REF v's is given up
 * once the packet is built, last, since that may free v's mbuf.
 */
static struct rte_mbuf *
evpl_tx_fresh(
    const char             *call,
    struct evpl            *evpl,
    struct evpl_iovec      *v,
    enum evpl_tx_fate       f,
    struct rte_mbuf        *mi,
    unsigned int            flags,
    struct evpl_dpdk_stats *c)
{
    uint16_t *cnt = NULL;
    int       put = (flags & EVPL_DPDK_TAKE_REF) != 0;

    if (f == EVPL_TX_ATTACH) {
        if (put && RTE_MBUF_DIRECT(evpl_iovec_mbuf_(v)))
            put = 0;
        else
            cnt = evpl_tx_ref_take(call, v);
    }
    if (mi == NULL &&
        unlikely(rte_mempool_generic_get(evpl->pool, (void **) &mi, 1,
                                         evpl->cache) < 0)) {
        if (cnt != NULL)
            evpl_tx_ref_drop(v, cnt);
        evpl_fail(ENOMEM);
        return NULL;
    }
    if (evpl_tx_fresh_build(evpl, v, f, mi))
        c->tx_copied++;
    else
        c->tx_indirect++;
    c->tx_pkts++;
    c->tx_segs++;
    if (put)
        evpl_iovec_put_taken_(v);
    return mi;
}

/* A slab range's packet: its mbufs attached by tx_ext.c, each holding a
 * count on the slab. With TAKE_REF v's reference goes once they hold
 * theirs. */
static struct rte_mbuf *
evpl_tx_ext_pkt(
    const char             *call,
    struct evpl            *evpl,
    struct evpl_iovec      *v,
    unsigned int            flags,
    struct evpl_dpdk_stats *c)
{
    struct rte_mbuf *head, *tail;

    if (unlikely(evpl_tx_ext_attach(evpl, call, v, &head, &tail) < 0)) {
        evpl_fail(ENOMEM);
        return NULL;
    }
    head->nb_segs = (uint16_t) evpl_tx_ext_segs(v->length);
    head->pkt_len = v->length;
    c->tx_pkts++;
    c->tx_segs += head->nb_segs;
    c->tx_ext++;
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_iovec_put_taken_(v);
    return head;
}

struct rte_mbuf *
evpl_tx_one(
    const char             *call,
    struct evpl            *evpl,
    struct evpl_iovec      *v,
    enum evpl_tx_fate       f,
    struct rte_mbuf        *mi,
    unsigned int            flags,
    struct evpl_dpdk_stats *c)
{
    struct rte_mbuf *m;

    switch (f) {
    case EVPL_TX_OWN:
        /* Nobody else holds the mbuf: nobody can make it shared since
         * evpl_tx_pkt_fate() looked. */
        m = evpl_tx_own(v, evpl_tx_own_rearm(flags));
        c->tx_pkts++;
        c->tx_segs++;
        c->tx_reused++;
        break;
    case EVPL_TX_EXT:
        m = evpl_tx_ext_pkt(call, evpl, v, flags, c);
        break;
    default:
        m = evpl_tx_fresh(call, evpl, v, f, mi, flags, c);
        break;
    }
#ifdef EVPL_IOVEC_TRACE
    if (m != NULL && (flags & EVPL_DPDK_TAKE_REF))
        evpl_tx_trace_taken(v, 1);
#endif
    return m;
}
