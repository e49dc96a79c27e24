/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit entry points, and the common packet's fast path: one non-empty
 * iovec whose mbuf nobody else holds becomes that mbuf with a few stores
 * (evpl_tx_single(), tx.h). A packet of one shared iovec goes to
 * tx_shared.c, every other packet to the chain builder (tx_chain.c).
 */

#include <rte_ethdev.h>

#include "tx.h"

const struct evpl_tx_caps evpl_tx_caps_any = {
    .max_segs = UINT16_MAX,
};

/* Convert pkts[0..n) while each is the common packet; returns how many.
 * The first packet of any other shape stops it, untouched. A function of
 * its own, so that the loop keeps its constants in registers. */
static __rte_noinline unsigned int
evpl_tx_singles(
    const struct evpl_dpdk_pkt *pkts,
    unsigned int                n,
    struct rte_mbuf           **out,
    unsigned int                flags)
{
    const uint32_t refs = evpl_tx_refs(flags);
    unsigned int   i;

    for (i = 0; i < n; i++) {
        if (unlikely(pkts[i].niov != 1 || pkts[i].iov == NULL))
            break;
        out[i] = evpl_tx_single("evpl_dpdk_tx_burst", pkts[i].iov, refs,
                                flags);
        if (unlikely(out[i] == NULL))
            break;
    }
    return i;
}

EVPL_EXPORT struct rte_mbuf *
evpl_dpdk_iovecs_to_mbuf(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       flags)
{
    if (unlikely(evpl == NULL || iov == NULL || niov < 1 ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0)) {
        evpl_fail(EINVAL);
        return NULL;
    }
    /* The common packet, before any other path's stack frame. */
    if (niov == 1) {
        struct rte_mbuf *m = evpl_tx_single("evpl_dpdk_iovecs_to_mbuf", iov,
                                            evpl_tx_refs(flags), flags);

        if (m != NULL) {
            evpl_tx_count(evpl, 1, 1, 1, 0, 0, 0);
            return m;
        }
        return evpl_tx_one_other(evpl, iov, flags);
    }
    return evpl_tx_convert("evpl_dpdk_iovecs_to_mbuf", evpl, iov, niov, flags,
                           &evpl_tx_caps_any);
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
    struct rte_mbuf     *chains[EVPL_TX_CHUNK];
    struct evpl_tx_caps  caps;
    struct evpl_tx_tally t = { 0, 0, 0, 0 };
    uint16_t             done = 0, want, conv, sent, k;
    const struct evpl_port_caps *port;
    int                  i;

    if (unlikely(evpl == NULL || (pkts == NULL && nb_pkts > 0) ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 1)))
        return evpl_fail(EINVAL);
    port = evpl_port_caps_get(port_id);

    caps.max_segs = port->max_segs;

    while (done < nb_pkts) {
        want = (uint16_t) RTE_MIN((unsigned int) (nb_pkts - done),
                                  EVPL_TX_CHUNK);
        /* Constant flags: the loop specialised for each. */
        if (flags & EVPL_DPDK_TAKE_REF)
            conv = (uint16_t) evpl_tx_singles(&pkts[done], want, chains,
                                              EVPL_DPDK_TAKE_REF);
        else
            conv = (uint16_t) evpl_tx_singles(&pkts[done], want, chains, 0);
        t.single += conv;
        if (unlikely(conv < want))
            conv = evpl_tx_rest(evpl, &pkts[done], conv, want, chains, flags,
                                &caps, &t);

        sent = conv ? rte_eth_tx_burst(port_id, queue_id, chains, conv) : 0;

        /* Not taken: the chains' references go (with TAKE_REF those were
         * the caller's; without, the caller still holds its own). */
        for (k = sent; k < conv; k++)
            rte_pktmbuf_free(chains[k]);
        done += sent;
        if (sent < want) {
            if (flags & EVPL_DPDK_TAKE_REF) {
                evpl->stats.tx_dropped += (uint64_t) (nb_pkts - done);
                /* Packets never converted still hold their iovecs. */
                for (i = done + conv - sent; i < nb_pkts; i++)
                    if (pkts[i].iov != NULL)
                        evpl_tx_give_up(pkts[i].iov, pkts[i].niov, 0);
            }
            break;
        }
    }
    /* The one-mbuf packets' counts, once per burst. */
    evpl_tx_count(evpl, t.single + t.indirect + t.copied,
                  t.single + t.indirect + t.copied + t.extsegs, t.single,
                  t.indirect, t.copied, 0);
    return done;
}
