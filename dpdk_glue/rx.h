/* SPDX-License-Identifier: LGPL-2.1-only */

/* Glue-private: the receive bursts' shared store of kept packets. */

#ifndef EVPL_GLUE_RX_H
#define EVPL_GLUE_RX_H

#include "internal.h"

unsigned int evpl_rx_keep_grow(struct evpl *evpl, unsigned int want);

/*
 * How many packets (up to want) a receive call may take from the driver so
 * that every one of them can be kept should it not fit the caller's array.
 * The store is shared by every port and queue; when packets kept for other
 * queues leave less room than want, it grows rather than starve this queue.
 */
static inline unsigned int
evpl_rx_keep_room(
    struct evpl *evpl,
    unsigned int want)
{
    if (likely(evpl->rx_keep_cap - evpl->rx_kept >= want))
        return want;
    return evpl_rx_keep_grow(evpl, want);
}

/* Keep m for the next receive on port_id/queue_id; the caller got room for
 * it from evpl_rx_keep_room(). */
static inline void
evpl_rx_keep(
    struct evpl     *evpl,
    struct rte_mbuf *m,
    uint16_t         port_id,
    uint16_t         queue_id)
{
    struct evpl_rx_kept *k = &evpl->rx_keep[evpl->rx_kept++];

    k->m     = m;
    k->port  = port_id;
    k->queue = queue_id;
}

#endif /* EVPL_GLUE_RX_H */
