/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit entry points, each an instance of the one burst loop
 * (evpl_tx_loop(), tx.h): evpl_dpdk_tx_burst(), evpl_dpdk_tx_burst_flat()
 * and evpl_dpdk_iovecs_to_mbuf(), a burst of one with no driver. Here too
 * the loop's out-of-line steps: the packets past a chunk's common ones
 * (evpl_tx_rest()), and what the driver did not take (evpl_tx_untaken()).
 */

#include <string.h>

#include <rte_ethdev.h>

#include "tx.h"

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

    for (i = sent; i < conv; i++)
        rte_pktmbuf_free(out[i]);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        return;
    for (i = first; i < nb_pkts; i++) {
        v = evpl_tx_src_iov(src, i);
        if (v != NULL)
            evpl_tx_give_up(v, evpl_tx_src_niov(src, i), 0);
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_dropped = conv - sent + nb_pkts - first });
}

/*
 * The packets among [from, n) of the chunk at that become one fresh mbuf
 * each (COPY, ATTACH), bit i for packet at + i, and their mbufs in one get
 * from the context's cache: how many are in spare, 0 when the pool cannot
 * give them all (each packet then asks for its own). A packet whose mbuf
 * becomes exclusive meanwhile (another lcore released its reference) is
 * still sent correctly, only not as cheaply.
 */
static unsigned int
evpl_tx_spares(
    struct evpl              *evpl,
    const struct evpl_tx_src *src,
    unsigned int              at,
    unsigned int              from,
    unsigned int              n,
    struct rte_mbuf         **spare,
    uint64_t                 *fresh)
{
    const struct evpl_glue *g = evpl_glue(evpl);
    const struct evpl_iovec *v;
    enum evpl_tx_fate        f;
    unsigned int             i, want = 0;
    uint64_t                 mask = 0;

    RTE_BUILD_BUG_ON(EVPL_TX_CHUNK > 64);
    for (i = from; i < n; i++) {
        v = evpl_tx_src_iov(src, at + i);
        if (v == NULL || evpl_tx_src_niov(src, at + i) != 1)
            continue;
        f = evpl_tx_pkt_fate(g->tx_copy_max, &evpl_tx_caps_any, v, 1);
        if (f == EVPL_TX_COPY || f == EVPL_TX_ATTACH) {
            mask |= UINT64_C(1) << i;
            want++;
        }
    }
    *fresh = mask;
    if (want == 0 || rte_mempool_generic_get(evpl->pool, (void **) spare,
                                             want, evpl->cache) < 0)
        return 0;
    return want;
}

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: every iovec of the packets to convert is live, checked
 * before any mbuf is taken for them. */
static void
evpl_tx_trace_rest(
    const struct evpl_tx_src *src,
    unsigned int              at,
    unsigned int              from,
    unsigned int              n)
{
    const struct evpl_iovec *v;
    unsigned int             i;
    int                      j, niov;

    for (i = from; i < n; i++) {
        v    = evpl_tx_src_iov(src, at + i);
        niov = evpl_tx_src_niov(src, at + i);
        if (v == NULL || niov < 1)
            return;
        for (j = 0; j < niov; j++)
            evpl_trace_check_(evpl_tx_call(src->shape), &v[j]);
    }
}
#endif

__rte_noinline unsigned int
evpl_tx_rest(
    struct evpl               *evpl,
    const struct evpl_tx_src  *src,
    unsigned int               at,
    unsigned int               conv,
    unsigned int               want,
    struct rte_mbuf          **out,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const char             *call = evpl_tx_call(src->shape);
    struct evpl_glue       *g    = evpl_glue(evpl);
    struct rte_mbuf        *spare[EVPL_TX_CHUNK], *m;
    struct evpl_dpdk_stats  c;
    struct evpl_iovec      *v;
    enum evpl_tx_fate       f;
    unsigned int            nspare = 0, used = 0;
    uint64_t                fresh = 0, bit;
    int                     niov;

    memset(&c, 0, sizeof(c));
#ifdef EVPL_IOVEC_TRACE
    evpl_tx_trace_rest(src, at, conv, want);
#endif
    /* One packet alone takes its mbuf after settling its references. */
    if (src->shape != EVPL_TX_ONE)
        nspare = evpl_tx_spares(evpl, src, at, conv, want, spare, &fresh);
    for (; conv < want; conv++) {
        v    = evpl_tx_src_iov(src, at + conv);
        niov = evpl_tx_src_niov(src, at + conv);
        if (unlikely(v == NULL || niov < 1)) {
            evpl_fail(EINVAL);
            break;
        }
        bit = UINT64_C(1) << conv;
        if (fresh & bit)
            f = v->length <= g->tx_copy_max ? EVPL_TX_COPY : EVPL_TX_ATTACH;
        else
            f = evpl_tx_pkt_fate(g->tx_copy_max, caps, v, niov);
        if (f == EVPL_TX_CHAIN)
            m = evpl_tx_chain(call, evpl, v, niov, flags, caps, &c);
        else
            m = evpl_tx_one(call, evpl, v, f,
                            (fresh & bit) && used < nspare ?
                            spare[used++] : NULL, flags, &c);
        if (unlikely(m == NULL)) {
            /* The spares of the packets after this one must not starve
             * it: back they go, and it is tried again, as converted
             * alone. */
            if (rte_errno == ENOMEM && used < nspare) {
                rte_mempool_generic_put(evpl->pool, (void **) &spare[used],
                                        nspare - used, evpl->cache);
                nspare = used;
                conv--;
                continue;
            }
            c.tx_nomem += rte_errno == ENOMEM;
            break;
        }
        out[conv] = m;
    }
    /* Stopped early: the spares of the packets never converted go back. */
    if (unlikely(used < nspare))
        rte_mempool_generic_put(evpl->pool, (void **) &spare[used],
                                nspare - used, evpl->cache);
    evpl_glue_count(g, &c);
    return conv;
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
        return evpl_tx_loop(evpl, 0, 0, &src, 1, EVPL_DPDK_TAKE_REF,
                            &evpl_tx_caps_any, &m) ? m : NULL;
    return evpl_tx_loop(evpl, 0, 0, &src, 1, 0, &evpl_tx_caps_any, &m) ?
           m : NULL;
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

/* A burst of src, the loop specialised for flags. */
static __rte_always_inline int
evpl_tx_burst_any(
    struct evpl              *evpl,
    uint16_t                  port_id,
    uint16_t                  queue_id,
    const struct evpl_tx_src *src,
    uint16_t                  nb_pkts,
    unsigned int              flags)
{
    const struct evpl_port_caps *port;
    struct rte_mbuf             *out[EVPL_TX_CHUNK];
    struct evpl_tx_caps          caps;

    port = evpl_tx_burst_port(evpl, src->shape == EVPL_TX_PKTS ?
                              (const void *) src->pkts : src->iov,
                              port_id, queue_id, nb_pkts, flags);
    if (unlikely(port == NULL))
        return evpl_fail(EINVAL);
    caps.max_segs = port->max_segs;
    if (flags & EVPL_DPDK_TAKE_REF)
        return (int) evpl_tx_loop(evpl, port_id, queue_id, src, nb_pkts,
                                  EVPL_DPDK_TAKE_REF, &caps, out);
    return (int) evpl_tx_loop(evpl, port_id, queue_id, src, nb_pkts, 0,
                              &caps, out);
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

    return evpl_tx_burst_any(evpl, port_id, queue_id, &src, nb_pkts, flags);
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

    return evpl_tx_burst_any(evpl, port_id, queue_id, &src, nb_pkts, flags);
}
