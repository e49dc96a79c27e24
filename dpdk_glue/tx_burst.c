/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit entry points, each an instance of the one burst loop
 * (evpl_tx_loop(), tx.h): evpl_dpdk_tx_burst(), evpl_dpdk_tx_burst_flat()
 * and evpl_dpdk_iovecs_to_mbuf(), a burst of one with no driver. Here too
 * the loop's last step, for every burst: what the driver did not take
 * (evpl_tx_untaken()). Its other out-of-line steps are tx_one.c's.
 */

#include <rte_ethdev.h>

#include "tx_loop.h"

const struct evpl_tx_caps evpl_tx_caps_any = {
    .max_segs = UINT16_MAX,
};

/*
 * The promise of EVPL_DPDK_TAKE_REF for the packets a burst's driver did
 * not take, kept here for every burst: no packet is leaked or freed twice.
 *  - out[sent, conv), converted but not taken: each chain is freed. It
 *    holds the references: with TAKE_REF the caller's, moved into it;
 *    without, its own, the caller keeping the iovecs'.
 *  - packets [first, nb_pkts), never converted: without TAKE_REF they are
 *    the caller's, untouched; with it their references are given up
 *    through the library's release (evpl_tx_give_up(): a GLOBAL iovec's
 *    stays with its owner), as a conversion and a free would have.
 * With TAKE_REF both count in tx_dropped.
 */
__rte_noinline void
evpl_tx_untaken(
    struct evpl              *evpl,
    const struct evpl_tx_src *src,
    struct rte_mbuf         **out,
    unsigned int              sent,
    unsigned int              conv,
    unsigned int              first,
    unsigned int              nb_pkts,
    unsigned int              flags)
{
    struct evpl_iovec *v;
    unsigned int       i;
    int                niov;

    for (i = sent; i < conv; i++)
        rte_pktmbuf_free(out[i]);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        return;
    for (i = first; i < nb_pkts; i++) {
        niov = evpl_tx_src_pkt(src, src->shape, i, &v);
        if (niov > 0)
            evpl_tx_give_up(v, niov, 0);
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_dropped = conv - sent + nb_pkts - first });
}

EVPL_EXPORT struct rte_mbuf *
evpl_dpdk_iovecs_to_mbuf(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       flags)
{
    const struct evpl_tx_src src = {
        .shape = EVPL_TX_ONE, .iov = iov, .niov = niov,
    };
    struct rte_mbuf *m;

    if (unlikely(evpl == NULL || iov == NULL || niov < 1 ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0)) {
        evpl_fail(EINVAL);
        return NULL;
    }
    /* Constant flags: the loop specialised for each. */
    if (flags & EVPL_DPDK_TAKE_REF)
        return evpl_tx_loop(evpl, 0, 0, &src, EVPL_TX_ONE, 1,
                            EVPL_DPDK_TAKE_REF, &evpl_tx_caps_any, &m) ?
               m : NULL;
    return evpl_tx_loop(evpl, 0, 0, &src, EVPL_TX_ONE, 1, 0,
                        &evpl_tx_caps_any, &m) ? m : NULL;
}

/* The argument checks of both bursts; the port's record, or NULL. */
static __rte_always_inline const struct evpl_port_caps *
evpl_tx_burst_port(
    const struct evpl *evpl,
    const void        *pkts,
    uint16_t           port_id,
    uint16_t           queue_id,
    uint16_t           nb_pkts,
    unsigned int       flags)
{
    if (unlikely(evpl == NULL || (pkts == NULL && nb_pkts > 0) ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 1)))
        return NULL;
    return evpl_port_caps_get(port_id);
}

/* A burst of src, of the constant shape, the loop specialised for
 * flags. */
static __rte_always_inline int
evpl_tx_burst_any(
    struct evpl              *evpl,
    uint16_t                  port_id,
    uint16_t                  queue_id,
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    uint16_t                  nb_pkts,
    unsigned int              flags)
{
    const struct evpl_port_caps *port;
    struct rte_mbuf             *out[EVPL_TX_CHUNK];
    struct evpl_tx_caps          caps;

    port = evpl_tx_burst_port(evpl, shape == EVPL_TX_PKTS ?
                              (const void *) src->pkts : src->iov,
                              port_id, queue_id, nb_pkts, flags);
    if (unlikely(port == NULL))
        return evpl_fail(EINVAL);
    caps.max_segs = port->max_segs;
    if (flags & EVPL_DPDK_TAKE_REF)
        return (int) evpl_tx_loop(evpl, port_id, queue_id, src, shape,
                                  nb_pkts, EVPL_DPDK_TAKE_REF, &caps, out);
    return (int) evpl_tx_loop(evpl, port_id, queue_id, src, shape, nb_pkts,
                              0, &caps, out);
}

EVPL_EXPORT int
evpl_dpdk_tx_burst(
    struct evpl                *evpl,
    uint16_t                    port_id,
    uint16_t                    queue_id,
    const struct evpl_dpdk_pkt *pkts,
    uint16_t                    nb_pkts,
    unsigned int                flags)
{
    const struct evpl_tx_src src = { .shape = EVPL_TX_PKTS, .pkts = pkts };

    return evpl_tx_burst_any(evpl, port_id, queue_id, &src, EVPL_TX_PKTS,
                             nb_pkts, flags);
}

EVPL_EXPORT int
evpl_dpdk_tx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags)
{
    const struct evpl_tx_src src = { .shape = EVPL_TX_FLAT, .iov = iov };

    return evpl_tx_burst_any(evpl, port_id, queue_id, &src, EVPL_TX_FLAT,
                             nb_pkts, flags);
}
