/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit of slab iovecs by reference: a range of a slab becomes mbufs
 * attached to it with rte_pktmbuf_attach_extbuf(), each holding one count
 * on the slab's rte_mbuf_ext_shared_info, so the slab goes back to its
 * pool only when the last iovec and the last sent mbuf have dropped it
 * (DPDK's own free of an attached mbuf drops the count and calls the
 * slab's free callback at zero).
 *
 * An mbuf describes at most 65535 bytes (buf_len and data_len are 16
 * bits), so a longer range is split. A slab is IOVA-contiguous (slab_pool.c),
 * so no range needs splitting for its IOVA.
 */

#include "internal.h"
#include "tx_ext.h"

int
evpl_tx_ext_attach(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    struct rte_mbuf        **head,
    struct rte_mbuf        **tail)
{
    struct evpl_slab_ *s = evpl_iovec_slab_(v);
    struct rte_mbuf   *m, *first = NULL, *last = NULL;
    unsigned int       left = v->length, chunk;
    char              *p = v->data;

    while (left > 0) {
        chunk = RTE_MIN(left, EVPL_TX_EXT_SEG_MAX);
        if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) &m, 1,
                                             evpl->cache) < 0))
            goto undo;
        rte_pktmbuf_reset(m);
        /* The mbuf's count on the slab: taken through the checked
         * helper, atomically, since a driver may free the mbuf on any
         * lcore. */
        evpl_refcnt_add_(call, v, &s->shinfo.refcnt, 1, 1);
        rte_pktmbuf_attach_extbuf(m, p,
                                  s->iova + (rte_iova_t) (p - s->data),
                                  (uint16_t) chunk, &s->shinfo);
        m->data_len = (uint16_t) chunk;
        m->pkt_len  = chunk;
        if (first == NULL)
            first = m;
        else
            last->next = m;
        last  = m;
        p    += chunk;
        left -= chunk;
    }
    last->next = NULL;
    *head      = first;
    *tail      = last;
    return 0;

 undo:
    /* Each freed mbuf drops the count it took. */
    while (first != NULL) {
        m     = first->next;
        first->next = NULL;
        rte_pktmbuf_free_seg(first);
        first = m;
    }
    return -1;
}
