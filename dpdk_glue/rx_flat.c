/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The flat receive: one iovec per single-segment packet, in a flat array,
 * without the struct evpl_dpdk_pkt that evpl_dpdk_rx_burst_flags() writes
 * and its caller reads back. A chain stops it and is kept, with what came
 * after it, for the general receive (rx.c), which shares the store.
 */

#include <rte_ethdev.h>

#include "glue.h"
#include "mbuf_words.h"

/* Why a flat receive stops taking packets of its queue. */
#define EVPL_FLAT_FULL  1 /* iov is full: not an error */
#define EVPL_FLAT_CHAIN 2 /* the next packet is a chain: EMSGSIZE if alone */

/* iov wraps the single-segment packet m. */
static __rte_always_inline void
evpl_rx_flat_wrap(
    struct evpl_iovec *iov,
    struct rte_mbuf   *m,
    uint64_t           flags_hi)
{
    evpl_iovec_wrap_(iov, m, rte_pktmbuf_mtod(m, void *), m->data_len,
                     flags_hi);
}

/* Kept packets of this queue first, while they are single segments;
 * nonzero (EVPL_FLAT_FULL or _CHAIN) if a kept packet of this queue is still
 * waiting: it blocks the queue. */
static int
evpl_rx_flat_kept(
    struct evpl_rx_store *s,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_iovec    *iov,
    uint16_t              nb_pkts,
    uint64_t              flags_hi,
    uint16_t             *n)
{
    unsigned int i, k;
    int          blocked = 0;

    for (i = 0, k = 0; i < s->kept; i++) {
        struct rte_mbuf *m = s->keep[i].m;

        if (s->keep[i].port == port_id &&
            s->keep[i].queue == queue_id && !blocked) {
            if (*n < nb_pkts && m->nb_segs == 1) {
                evpl_rx_flat_wrap(&iov[(*n)++], m, flags_hi);
                continue;
            }
            blocked = *n < nb_pkts ? EVPL_FLAT_CHAIN : EVPL_FLAT_FULL;
        }
        s->keep[k++] = s->keep[i];
    }
    s->kept = k;
    return blocked;
}

EVPL_EXPORT int
evpl_dpdk_rx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags)
{
    struct rte_mbuf      *rx[EVPL_RX_KEEP_MAX];
    struct evpl_glue     *g;
    struct evpl_rx_store *s;
    unsigned int          i, want, got;
    uint64_t              flags_hi;
    uint16_t              n = 0;
    int                   blocked = 0;

    if (unlikely(evpl == NULL || iov == NULL ||
                 (flags & ~EVPL_IOVEC_FLAG_SHARED) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 0)))
        return evpl_fail(EINVAL);
    flags_hi = (uint64_t) (evpl->owner_flags | flags) << 32;
    g        = evpl_glue(evpl);
    s        = &g->rx;

    if (unlikely(s->kept > 0))
        blocked = evpl_rx_flat_kept(s, port_id, queue_id, iov, nb_pkts,
                                    flags_hi, &n);

    /* A queue held back by its kept packets asks the driver for nothing,
     * nor grows the store for it. */
    if (!blocked &&
        (want = evpl_rx_keep_room(s, RTE_MIN((unsigned int) (nb_pkts - n),
                                             EVPL_DPDK_RX_BURST_MAX))) > 0) {
        got = rte_eth_rx_burst(port_id, queue_id, rx, (uint16_t) want);
        /* The common burst: every packet one segment (nb_segs is in the
         * first cache line, which the driver wrote). Unrolled: the loop's
         * control is a third of its instructions. */
#pragma GCC unroll 4
        for (i = 0; i < got; i++) {
            if (unlikely(rx[i]->nb_segs != 1))
                break;
            evpl_rx_flat_wrap(&iov[n + i], rx[i], flags_hi);
        }
        n += (uint16_t) i;
        /* A chain and what came after it wait for the general call. */
        for (; i < got; i++) {
            evpl_rx_keep(s, rx[i], port_id, queue_id);
            blocked = EVPL_FLAT_CHAIN;
        }
    }
    evpl_glue_count(g, &(struct evpl_dpdk_stats) {
                        .rx_pkts = n, .rx_segs = n });
    if (n == 0 && blocked == EVPL_FLAT_CHAIN)
        return evpl_fail(EMSGSIZE);
    return n;
}
