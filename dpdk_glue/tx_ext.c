/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit of slab iovecs by reference: a range of a slab becomes mbufs
 * attached to it with rte_pktmbuf_attach_extbuf(), sharing a shared info
 * of their own (evpl_slab_att_get(), src/slab_attach.c) that holds one
 * count on the slab, so the slab goes back to its pool only when the last
 * iovec and the last sent mbuf have dropped it (DPDK's own free of the
 * last attached mbuf calls the shared info's free callback, which drops
 * the count).
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
    struct evpl_slab_               *s = evpl_iovec_slab_(v);
    struct rte_mbuf_ext_shared_info *sh;
    struct rte_mbuf                 *m, *first = NULL, *last = NULL;
    unsigned int                     left = v->length, chunk, owed;
    char                            *p = v->data;

    /* One shared info for every mbuf of the range, one count each; it
     * holds the range's count on the slab. */
    owed = (left + EVPL_TX_EXT_SEG_MAX - 1) / EVPL_TX_EXT_SEG_MAX;
    sh   = evpl_slab_att_get(evpl, call, v, (uint16_t) owed);
    if (unlikely(sh == NULL))
        return -1;
    while (left > 0) {
        chunk = RTE_MIN(left, EVPL_TX_EXT_SEG_MAX);
        if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) &m, 1,
                                             evpl->cache) < 0))
            goto undo;
        rte_pktmbuf_reset(m);
        rte_pktmbuf_attach_extbuf(m, p,
                                  s->iova + (rte_iova_t) (p - s->data),
                                  (uint16_t) chunk, sh);
        m->data_len = (uint16_t) chunk;
        m->pkt_len  = chunk;
        if (first == NULL)
            first = m;
        else
            last->next = m;
        last  = m;
        p    += chunk;
        left -= chunk;
        owed--;
    }
    last->next = NULL;
    *head      = first;
    *tail      = last;
    return 0;

 undo:
    /* The counts no mbuf came to hold; each freed mbuf drops its own, and
     * the last gives the slab's back (the iovec's own reference keeps the
     * slab). */
    evpl_slab_att_drop(sh, (uint16_t) owed);
    while (first != NULL) {
        m     = first->next;
        first->next = NULL;
        rte_pktmbuf_free_seg(first);
        first = m;
    }
    return -1;
}
