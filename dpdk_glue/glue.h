/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Glue-private: what the files of dpdk_glue/ share and src/ never sees.
 * The glue reaches the core through internal.h; the core reaches the glue
 * only through the extension hooks declared there (struct evpl_ext), which
 * glue.c registers for the glue's per-context state below.
 */

#ifndef EVPL_GLUE_H
#define EVPL_GLUE_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "internal.h"

/* What the bursts know of a port: the TX limits chains are shaped to and
 * the queue counts that ids are checked against (port.c). */
struct evpl_port_caps {
    uint16_t known;
    uint16_t max_segs; /* 1: the port takes no chains */
    uint16_t nb_rxq, nb_txq;
};

extern struct evpl_port_caps evpl_port_caps_[RTE_MAX_ETHPORTS];

/* Learn a port's record (slow path of evpl_port_caps_get); NULL for an
 * invalid port. */
const struct evpl_port_caps *evpl_port_caps_learn(uint16_t port_id);

/* Once per burst: a load and a branch for a port already known. NULL for
 * an invalid port. */
static inline const struct evpl_port_caps *
evpl_port_caps_get(uint16_t port_id)
{
    if (unlikely(port_id >= RTE_MAX_ETHPORTS))
        return NULL;
    if (likely(__atomic_load_n(&evpl_port_caps_[port_id].known,
                               __ATOMIC_ACQUIRE)))
        return &evpl_port_caps_[port_id];
    return evpl_port_caps_learn(port_id);
}

/* Is queue_id one the port has (tx: a TX queue, else an RX queue)? A miss
 * asks ethdev again before saying no: the application may have
 * reconfigured the port since it was learnt. A port given fewer queues
 * leaves the record's count behind, so ethdev's own pointer to the queue
 * (what the burst it calls reads next) must be there too: NULL for a
 * queue released, or any queue of a stopped port, which asks again. */
static inline int
evpl_port_queue_ok(
    uint16_t port_id,
    uint16_t queue_id,
    int      tx)
{
    const struct evpl_port_caps *c = evpl_port_caps_get(port_id);

    if (likely(c != NULL && queue_id < (tx ? c->nb_txq : c->nb_rxq) &&
               (tx ? rte_eth_fp_ops[port_id].txq.data :
                     rte_eth_fp_ops[port_id].rxq.data)[queue_id] != NULL))
        return 1;
    c = evpl_port_caps_learn(port_id);
    return c != NULL && queue_id < (tx ? c->nb_txq : c->nb_rxq);
}

/* Capacity of a context's store of received packets not yet delivered
 * before it has to grow: one driver burst. */
#define EVPL_RX_KEEP_MAX EVPL_DPDK_RX_BURST_MAX

/* A received packet kept for a later receive on its port and queue. */
struct evpl_rx_kept {
    struct rte_mbuf *m;
    uint16_t         port, queue;
};

/*
 * A context's received packets that did not fit the caller's iovec array,
 * kept in arrival order for the next receive burst on their queue (rx.c and
 * rx_flat.c). The store is own until packets of several queues need more
 * room (evpl_rx_keep_room()); then a larger one from the heap, freed when
 * the context is destroyed.
 */
struct evpl_rx_store {
    unsigned int         kept;
    unsigned int         cap;
    struct evpl_rx_kept *keep;
    struct evpl_rx_kept  own[EVPL_RX_KEEP_MAX];
};

/*
 * The glue's per-context state, behind struct evpl as the state of the
 * extension evpl_glue_ext (glue.c): the core neither reads nor writes it.
 * Counters first: the bursts update them once per call.
 */
struct evpl_glue {
    /* Every counter but alloc_nomem, which the core counts (struct evpl's
     * stats); evpl_dpdk_stats_get() joins the two. */
    struct evpl_dpdk_stats stats;
    /* Shared iovecs of at most this many bytes are copied on transmit:
     * evpl_config.tx_copy_max, no more than a fresh mbuf holds behind its
     * headroom. */
    uint32_t               tx_copy_max;
    struct evpl_rx_store   rx;
};

extern struct evpl_ext evpl_glue_ext;

/* evpl's glue state: the glue registers the first extension (glue.c
 * checks), so its state is at a constant offset, an add away. */
static inline struct evpl_glue *
evpl_glue(const struct evpl *evpl)
{
    return (struct evpl_glue *) ((char *) (uintptr_t) evpl +
                                 EVPL_EXT_FIRST_OFFSET);
}

static inline struct evpl_rx_store *
evpl_rx_store(struct evpl *evpl)
{
    return &evpl_glue(evpl)->rx;
}

/*
 * Add d to g's counters, each counter EVPL_DPDK_STATS_FOREACH() lists.
 * Called with a compound literal of constants, the counters d leaves at
 * zero cost nothing. (The transmit builders of tx_one.c add to a tally of
 * this type, which is either the caller's, added here once, or, for one
 * packet alone, g->stats itself.)
 */
static __rte_always_inline void
evpl_glue_count(
    struct evpl_glue             *g,
    const struct evpl_dpdk_stats *d)
{
#define EVPL_GLUE_COUNT_(name) g->stats.name += d->name;
    EVPL_DPDK_STATS_FOREACH(EVPL_GLUE_COUNT_)
#undef EVPL_GLUE_COUNT_
}

/* A snapshot of a context's counters, each read whole while its lcore may
 * be updating it (telemetry reads other lcores' contexts). */
void evpl_glue_stats_read(const struct evpl *evpl, struct evpl_dpdk_stats *st);

unsigned int evpl_rx_keep_grow(struct evpl_rx_store *s, unsigned int want);

/* Drop every packet s keeps, and its heap memory (glue.c's fini). */
void evpl_rx_store_fini(struct evpl_rx_store *s);

/* Call fn on every segment of every packet s keeps. */
void evpl_rx_store_foreach(const struct evpl_rx_store *s,
                           void (*fn)(const struct rte_mbuf *seg, void *arg),
                           void *arg);

/*
 * How many packets (up to want) a receive call may take from the driver so
 * that every one of them can be kept should it not fit the caller's array.
 * The store is shared by every port and queue; when packets kept for other
 * queues leave less room than want, it grows rather than starve this queue.
 */
static inline unsigned int
evpl_rx_keep_room(
    struct evpl_rx_store *s,
    unsigned int          want)
{
    if (likely(s->cap - s->kept >= want))
        return want;
    return evpl_rx_keep_grow(s, want);
}

/* Keep m for the next receive on port_id/queue_id; the caller got room for
 * it from evpl_rx_keep_room(). */
static inline void
evpl_rx_keep(
    struct evpl_rx_store *s,
    struct rte_mbuf      *m,
    uint16_t              port_id,
    uint16_t              queue_id)
{
    struct evpl_rx_kept *k = &s->keep[s->kept++];

    k->m     = m;
    k->port  = port_id;
    k->queue = queue_id;
}

#endif /* EVPL_GLUE_H */
