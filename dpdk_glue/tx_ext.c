/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit of slab iovecs by reference: a range of a slab becomes mbufs
 * attached to it as rte_pktmbuf_attach_extbuf() attaches, sharing a
 * shared info of their own (evpl_slab_att_get(), src/slab_attach.c) that
 * holds one count on the slab, so the slab goes back to its pool only
 * when the last iovec and the last sent mbuf have dropped it (DPDK's own
 * free of the last attached mbuf calls the shared info's free callback,
 * which drops the count).
 *
 * An mbuf describes at most 65535 bytes (buf_len and data_len are 16
 * bits), so a longer range is split. A slab is IOVA-contiguous (slab_pool.c),
 * so no range needs splitting for its IOVA.
 */

#include "glue.h"
#include "tx_ext.h"

int
evpl_tx_ext_attach(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    int                      move,
    struct rte_mbuf        **head,
    struct rte_mbuf        **tail)
{
    struct rte_mbuf                 *m[EVPL_DPDK_MAX_SEGS];
    struct rte_mbuf_ext_shared_info *sh;
    unsigned int                     n = evpl_tx_ext_segs(v->length);

    RTE_ASSERT(n >= 1 && n <= EVPL_DPDK_MAX_SEGS);
    /* The reference first (a count at its limit aborts having taken no
     * mbuf), then every mbuf in one get, all or none. */
    sh = evpl_slab_att_get(evpl, call, v, (uint16_t) n, move);
    if (unlikely(sh == NULL))
        return -1;
    if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) m, n,
                                         evpl->cache) < 0)) {
        evpl_slab_att_unget(sh, move);
        return -1;
    }
    evpl_tx_ext_build(v, sh, m);
    *head = m[0];
    *tail = m[n - 1];
    return 0;
}
