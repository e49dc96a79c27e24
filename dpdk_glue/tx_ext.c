/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit of slab iovecs by reference: a range of a slab becomes mbufs
 * attached to it (evpl_slab_attach(), src/slab_attach.c), each holding one
 * count on the slab through a shared info of its own, so the slab goes
 * back to its pool only when the last iovec and the last sent mbuf have
 * dropped it (DPDK's own free of an attached mbuf calls the shared info's
 * free callback, which drops the count).
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
    unsigned int       left = v->length, chunk, owed;
    char              *p = v->data;

    /* Every mbuf's count on the slab, taken at once, atomically (a driver
     * may free a sent mbuf on any lcore) and through the checked helper;
     * each attached mbuf then owns one of them. */
    owed = (left + EVPL_TX_EXT_SEG_MAX - 1) / EVPL_TX_EXT_SEG_MAX;
    evpl_refcnt_add_(call, v, &s->refcnt, (uint16_t) owed, 1);
    while (left > 0) {
        chunk = RTE_MIN(left, EVPL_TX_EXT_SEG_MAX);
        if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) &m, 1,
                                             evpl->cache) < 0))
            goto undo;
        rte_pktmbuf_reset(m);
        if (unlikely(evpl_slab_attach(evpl, m, s, p, (uint16_t) chunk) < 0)) {
            rte_mempool_generic_put(evpl->pool, (void **) &m, 1, evpl->cache);
            goto undo;
        }
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
    /* The counts no mbuf came to own; the iovec's own reference keeps the
     * slab from reaching zero here. Each freed mbuf drops its own. */
    __atomic_sub_fetch(&s->refcnt, (uint16_t) owed, __ATOMIC_RELEASE);
    while (first != NULL) {
        m     = first->next;
        first->next = NULL;
        rte_pktmbuf_free_seg(first);
        first = m;
    }
    return -1;
}
